package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const mrtUpdates = "../../mrt/bgpdump/testdata/updates.20020722.2238.gz"

func TestMrtStats(t *testing.T) {
	out, errs, rc := runZe(t, "", "mrt", "stats", mrtUpdates)
	if rc != 0 || errs != "" || !strings.HasPrefix(out, "Summary\n") || !regexp.MustCompile(`(?m)^announcements +825$`).MatchString(out) ||
		!strings.Contains(out, "Updates over time (prefixes per minute;") {
		t.Errorf("text: rc %d, stderr %q\n%s", rc, errs, out)
	}

	// JSON, flags after the file, two files analysed together, the
	// second from stdin.
	raw, err := os.ReadFile(mrtUpdates)
	if err != nil {
		t.Fatal(err)
	}
	out, errs, rc = runZe(t, string(raw), "mrt", "stats", mrtUpdates, "-", "--json", "--top", "2")
	var rep struct {
		Files  []string `json:"files"`
		Routes struct {
			Announcements uint64 `json:"announcements"`
		} `json:"routes"`
		Origins struct {
			Top []struct{} `json:"top"`
		} `json:"origins"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rc != 0 {
		t.Fatalf("json: rc %d, %v, stderr %q", rc, err, errs)
	}
	if len(rep.Files) != 2 || rep.Files[1] != "-" || rep.Routes.Announcements != 2*825 || len(rep.Origins.Top) != 2 {
		t.Errorf("json: %+v", rep)
	}

	svg := filepath.Join(t.TempDir(), "chart.svg")
	if _, errs, rc = runZe(t, "", "mrt", "stats", "--svg", svg, mrtUpdates); rc != 0 {
		t.Fatalf("svg: rc %d, %s", rc, errs)
	}
	if b, err := os.ReadFile(svg); err != nil || !strings.HasPrefix(string(b), "<?xml") || !strings.Contains(string(b), "<polyline") {
		t.Errorf("svg: %v, %.60q", err, b)
	}

	// damage: counted, listed, exit 1
	out, _, rc = runZe(t, "", "mrt", "stats", mrtSynthetic)
	if rc != 1 || !strings.Contains(out, "\nDamage (3)\n") {
		t.Errorf("damaged: rc %d\n%s", rc, out)
	}

	for _, tc := range []struct {
		args []string
		rc   int
		msg  string
	}{
		{[]string{"mrt", "stats"}, 2, "give an MRT file"},
		{[]string{"mrt", "stats", "--top", "0", mrtUpdates}, 2, "--top must be at least 1"},
		{[]string{"mrt", "stats", "--frobnicate", mrtUpdates}, 2, "flag provided but not defined"},
		{[]string{"mrt", "stats", "/nonexistent.mrt"}, 1, "no such file"},
		{[]string{"mrt", "stats", "--svg", "/nonexistent/dir/x.svg", mrtUpdates}, 1, "no such file"},
		{[]string{"mrt", "stats", "-h"}, 0, "usage: ze mrt stats"},
		{[]string{"mrt"}, 2, "ze mrt stats [flags] FILE"},
	} {
		_, errs, rc := runZe(t, "", tc.args...)
		if rc != tc.rc || !strings.Contains(errs, tc.msg) {
			t.Errorf("%v: rc %d, stderr %q", tc.args, rc, errs)
		}
	}
}
