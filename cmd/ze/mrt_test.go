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

const mrtOptions = "../../mrt/bgpdump/testdata/options.mrt"

// TestMrtDumpOptions: bgpdump's -t, -p, -l, -u, with -m and -M, as
// bgpdump 1.6.2 prints them (the golden files are its output); a usage
// error with --json or --hex, or a -t other than dump or change.
func TestMrtDumpOptions(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		golden string
	}{
		{[]string{"-p", "-l", "-u"}, "options.m.txt"}, // -m is the default
		{[]string{"-m", "-t", "dump", "-u", "-l", "-p"}, "options.m.txt"},
		{[]string{"-M", "-p", "-l", "-u"}, "options.M.txt"},
	} {
		want, err := os.ReadFile("../../mrt/bgpdump/testdata/" + tc.golden)
		if err != nil {
			t.Fatal(err)
		}
		args := append(append([]string{"mrt", "dump"}, tc.args...), mrtOptions)
		if out, errs, rc := runZe(t, "", args...); out != string(want) || rc != 0 {
			t.Errorf("%v: rc %d, stderr %q, got\n%swant\n%s", tc.args, rc, errs, out, want)
		}
	}
	out, _, rc := runZe(t, "", "mrt", "dump", mrtOptions, "-t", "change", "-p", "--type", "rib")
	want := "TABLE_DUMP2|0|1699999900|B|192.0.2.2|65002|10.1.0.0/16|65002 65010|IGP|192.0.2.2|0|0|65002:7|NAG||\n" +
		"TABLE_DUMP2|0|1699999800|B|2001:db8::3|4200000003|10.1.0.0/16|4200000003|INCOMPLETE|192.0.2.3|0|0||NAG||\n" +
		"TABLE_DUMP2_AP|1|1699999700|B|2001:db8::3|4200000003|2001:db8::/32|7|4200000003|IGP|2001:db8::3|0|0||NAG||\n" +
		"TABLE_DUMP|6|1699999000|B|192.0.2.1|65001|10.7.0.0/16|65001|IGP|192.0.2.1|0|0||NAG||\n"
	if out != want || rc != 0 {
		t.Errorf("-t change: rc %d, got\n%swant\n%s", rc, out, want)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--json", "-p"}, "-p: bgpdump options, valid only with -m or -M"},
		{[]string{"--hex", "-t", "change", "-u"}, "-t, -u: bgpdump options, valid only with -m or -M"},
		{[]string{"--json", "-t", "dump"}, "-t: bgpdump options"},
		{[]string{"-t", "now"}, `-t "now": want -t dump or -t change`},
	} {
		args := append(append([]string{"mrt", "dump"}, tc.args...), mrtOptions)
		if _, errs, rc := runZe(t, "", args...); rc != 2 || !strings.Contains(errs, tc.msg) {
			t.Errorf("%v: rc %d, stderr %q", tc.args, rc, errs)
		}
	}
	if _, errs, _ := runZe(t, "", "mrt", "dump", "-h"); !strings.Contains(errs, "-t change   RIB lines show the route's last change") {
		t.Errorf("usage:\n%s", errs)
	}
}
