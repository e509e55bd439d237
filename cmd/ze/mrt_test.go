package main

import (
	"os"
	"strings"
	"testing"
)

const mrtSynthetic = "../../mrt/bgpdump/testdata/synthetic.mrt"

func TestMrtDump(t *testing.T) {
	golden, err := os.ReadFile("../../mrt/bgpdump/testdata/synthetic.m.txt")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(mrtSynthetic)
	if err != nil {
		t.Fatal(err)
	}
	// -m is the default; stdin with "-"; flags after the file. The
	// synthetic set holds one damaged state change: exit 1, reported.
	for _, args := range [][]string{{"mrt", "dump", mrtSynthetic}, {"mrt", "dump", "-", "-m"}} {
		out, errs, rc := runZe(t, string(raw), args...)
		if out != string(golden) || rc != 1 || !strings.Contains(errs, "1 damaged (of 26 records read)") ||
			!strings.Contains(errs, "STATE_CHANGE of an unexpected length") {
			t.Errorf("%v: rc %d, stderr %q, %d octets out", args, rc, errs, len(out))
		}
	}
	out, _, _ := runZe(t, "", "mrt", "dump", "--type", "state", "--peer-asn", "65001", mrtSynthetic)
	if out != "BGP4MP|1700000006|STATE|2001:db8::1|65001|1|2\nBGP4MP|1700000006|STATE|0.0.0.0|65001|3|4\n" {
		t.Errorf("filtered:\n%s", out)
	}
	out, _, _ = runZe(t, "", "mrt", "dump", "--json", "--prefix", "10.2.0.0/24", mrtSynthetic)
	if strings.Count(out, "\n") != 2 || !strings.Contains(out, `"path-id":17`) {
		t.Errorf("json:\n%s", out)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"mrt", "dump", "-m", "--json", mrtSynthetic}, "give one of"},
		{[]string{"mrt", "dump"}, "give an MRT file"},
		{[]string{"mrt", "dump", "--include-sub", mrtSynthetic}, "need --prefix"},
		{[]string{"mrt", "dump", "--type", "update", mrtSynthetic}, "unknown type"},
		{[]string{"mrt", "dump", "--start-ts", "soon", mrtSynthetic}, "--start-ts"},
		{[]string{"mrt", "dump", "--as-path", "(", mrtSynthetic}, "--as-path"},
		{[]string{"mrt", "dump", "--community", "1:2:3:4", mrtSynthetic}, "--community"},
		{[]string{"mrt", "frobnicate"}, "unknown command 'mrt frobnicate'"},
	} {
		_, errs, rc := runZe(t, "", tc.args...)
		if rc != 2 || !strings.Contains(errs, tc.msg) {
			t.Errorf("%v: rc %d, stderr %q", tc.args, rc, errs)
		}
	}
	if _, errs, rc := runZe(t, "", "mrt", "dump", "/nonexistent.mrt"); rc != 1 || !strings.Contains(errs, "no such file") {
		t.Errorf("missing file: %d %q", rc, errs)
	}
}
