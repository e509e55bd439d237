package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDaemonErrors: `ze CONFIG` start-up failures and their exit codes
// (the running daemon is tested by ci/daemon/*.ci and speaker/daemon).
func TestDaemonErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.conf")
	os.WriteFile(bad, []byte("bgp { local-as 65000; peer a { remote { ip 127.0.0.2; as 65001; } holdtime 3; } }\n"), 0o644)
	good := filepath.Join(dir, "good.conf")
	os.WriteFile(good, []byte("bgp { local-as 65000; router-id 127.0.0.1; peer a { remote { ip 127.0.0.2; as 65001; } } }\n"), 0o644)
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{bad}, 1, `unknown key "holdtime" (did you mean hold-time?)`},
		{[]string{"--listen", "127.0.0.1", good}, 1, `listen address "127.0.0.1"`},
		{[]string{"--listen", "127.0.0.1:0"}, 2, "usage: ze [--listen ADDR:PORT]"},
		{[]string{"--listen=127.0.0.1:0", good, good}, 2, "usage: ze [--listen ADDR:PORT]"},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, strings.NewReader(""), &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), tc.stderr) {
			t.Errorf("ze %q = %d, stderr %q; want %d and %q", tc.args, code, errb.String(), tc.code, tc.stderr)
		}
	}
}
