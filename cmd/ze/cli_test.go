package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIErrors: `ze cli` and `ze show` failures and their exit codes
// (answers of a running daemon are tested by ci/daemon/cli.ci and
// speaker/daemon).
func TestCLIErrors(t *testing.T) {
	nowhere := filepath.Join(t.TempDir(), "none.sock")
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"cli", "--socket", nowhere, "show", "neighbor"}, 1, "", "ze: control socket " + nowhere},
		{[]string{"show", "neighbor", "--socket", nowhere}, 1, "", "is ze running?"},
		{[]string{"cli", "--socket", nowhere, "bogus"}, 1, "", `ze: unknown command "bogus" (want show, clear, reload or help)`},
		{[]string{"show", "--socket", nowhere}, 1, "", "ze: show what?"},
		{[]string{"show", "rib", "300.1.2.3/8", "--socket", nowhere}, 1, "", "neither a prefix nor a family"},
		{[]string{"cli", "-h"}, 0, "", "usage: ze cli [--socket PATH] [--json] [COMMAND …]"},
		{[]string{"cli", "--bogus"}, 2, "", "flag provided but not defined"},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, strings.NewReader(""), &out, &errb)
		if code != tc.code || !strings.Contains(out.String(), tc.stdout) || !strings.Contains(errb.String(), tc.stderr) {
			t.Errorf("ze %q = %d\nstdout %q\nstderr %q\nwant %d, %q, %q", tc.args, code, out.String(), errb.String(), tc.code, tc.stdout, tc.stderr)
		}
	}
	// Commands on stdin (not a terminal): each is run, a failure makes
	// the exit status 1.
	var out, errb bytes.Buffer
	code := run([]string{"cli", "--socket", nowhere}, strings.NewReader("# comment\n\nbogus\n"), &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), `unknown command "bogus"`) {
		t.Errorf("stdin commands: %d %q", code, errb.String())
	}
}

func TestControlPath(t *testing.T) {
	for _, tc := range []struct {
		flag, conf string
		want       string
		optional   bool
	}{
		{"/a.sock", "/b.sock", "/a.sock", false},
		{"", "/b.sock", "/b.sock", false},
		{"none", "/b.sock", "", false},
		{"", "none", "", false},
	} {
		got, opt := controlPath(tc.flag, tc.conf)
		if got != tc.want || opt != tc.optional {
			t.Errorf("controlPath(%q, %q) = %q, %v", tc.flag, tc.conf, got, opt)
		}
	}
	if p, opt := controlPath("", ""); !opt || !strings.HasSuffix(p, "ze.sock") {
		t.Errorf("default: %q %v", p, opt)
	}
}
