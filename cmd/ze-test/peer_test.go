package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/internal/syncbuf"
)

// startPeer runs peerMain in the background; the returned function
// waits for its exit code.
func startPeer(args ...string) (stdout, stderr *syncbuf.Buffer, wait func() int) {
	stdout, stderr = &syncbuf.Buffer{}, &syncbuf.Buffer{}
	done := make(chan int, 1)
	go func() { done <- peerMain(args, strings.NewReader(""), stdout, stderr) }()
	return stdout, stderr, func() int { return <-done }
}

// listeningAddr waits for the readiness line and returns ADDR:PORT.
func listeningAddr(t *testing.T, stdout *syncbuf.Buffer) string {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		first, _, ok := strings.Cut(stdout.String(), "\n")
		if ok {
			addr, found := strings.CutPrefix(first, "listening ")
			if !found {
				t.Fatalf("first line %q", first)
			}
			return addr
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no listening line")
	return ""
}

func writeScript(t *testing.T, text string) string {
	t.Helper()
	name := filepath.Join(t.TempDir(), "peer.script")
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestPeerCheckAgainstInject runs `ze-test peer --script` (listening)
// against `ze-test peer --mode inject` (dialling), both through peerMain.
func TestPeerCheckAgainstInject(t *testing.T) {
	script := writeScript(t, `
expect open {"asn":4200000001,"capabilities":[{"name":"add-path"}]}
expect keepalive
expect update {"update":{"attributes":{"med":0},"announce":[{"family":"ipv6/unicast","nlri":[{"prefix":"2001:db8::/48","path-id":1},{"prefix":"2001:db8:1::/48"}]}]}}
expect route 2001:db8:2::/48 med 1 path-information 1
expect eor ipv4/unicast
expect eor ipv6/unicast
send notification 6/2 "thanks"
expect close
`)
	out, errOut, wait := startPeer("--listen", "127.0.0.1:0", "--script", script, "--timeout", "5s",
		"--family", "ipv4/unicast,ipv6/unicast", "--add-path", "ipv6/unicast/receive", "--decode")
	addr := listeningAddr(t, out)
	var iout, ierr bytes.Buffer
	code := peerMain([]string{"--dial", addr, "--mode", "inject", "--asn", "4200000001", "--timeout", "5s",
		"--family", "ipv4/unicast,ipv6/unicast", "--add-path", "ipv6/unicast/send",
		"--prefix-start", "2001:db8::/48", "--count", "3", "--per-update", "2", "--attrs", "unique", "--linger", "-1s"},
		strings.NewReader(""), &iout, &ierr)
	if code != 0 {
		t.Errorf("inject exit %d\n%s%s", code, iout.String(), ierr.String())
	}
	if c := wait(); c != 0 {
		t.Fatalf("check exit %d\nstdout:\n%s\nstderr:\n%s", c, out.String(), errOut.String())
	}
	// --decode: JSON lines on stdout, events on stderr.
	if !strings.Contains(out.String(), `"type":"open"`) || !strings.Contains(errOut.String(), "check passed: 7 expectations") ||
		!strings.Contains(errOut.String(), "established 127.0.0.1:") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
	}
	if !strings.Contains(iout.String(), `{"inject":{"sessions":1,"sent":3,"updates":2,`) ||
		!strings.Contains(iout.String(), `the remote sent notification 6/2 Cease/Administrative shutdown "thanks"`) {
		t.Errorf("inject stdout:\n%s", iout.String())
	}
}

// TestPeerCheckFails: a script that cannot pass exits 1 and prints the
// line and a diff on stderr.
func TestPeerCheckFails(t *testing.T) {
	script := writeScript(t, "expect update {\"announce\":[{\"nlri\":[{\"prefix\":\"10.9.9.0/24\"}]}]}\n")
	out, errOut, wait := startPeer("--listen", "127.0.0.1:0", "--script", script, "--timeout", "5s")
	addr := listeningAddr(t, out)
	var iout, ierr bytes.Buffer
	peerMain([]string{"--dial", addr, "--mode", "inject", "--asn", "65001", "--count", "1", "--timeout", "5s"},
		strings.NewReader(""), &iout, &ierr)
	if c := wait(); c != 1 {
		t.Fatalf("check exit %d, want 1\n%s", c, errOut.String())
	}
	for _, w := range []string{"check failed: " + script + ":1:", `at $.update.announce[0]: expected {"nlri":[{"prefix":"10.9.9.0/24"}]}, got no matching element`,
		`-             "prefix": "10.9.9.0/24"`, `+             "prefix": "10.0.0.0/24"`, "ze-test peer: check failed"} {
		if !strings.Contains(errOut.String(), w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
		}
	}
}

func TestPeerSinkSummary(t *testing.T) {
	out, errOut, wait := startPeer("--listen", "127.0.0.1:0", "--sink-until-eor", "--timeout", "5s", "--quiet")
	addr := listeningAddr(t, out)
	var iout, ierr bytes.Buffer
	if c := peerMain([]string{"--dial", addr, "--mode", "inject", "--asn", "65001", "--count", "1000", "--per-update", "500", "--quiet"},
		strings.NewReader(""), &iout, &ierr); c != 0 {
		t.Fatalf("inject exit %d: %s", c, ierr.String())
	}
	if c := wait(); c != 0 {
		t.Fatalf("sink exit %d: %s", c, errOut.String())
	}
	want := `"families":{"ipv4/unicast":{"announced":1000,"withdrawn":0,"eor":1}}`
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 2 || !strings.Contains(lines[1], want) {
		t.Errorf("stdout:\n%s", out.String())
	}
}

func TestPeerUsage(t *testing.T) {
	script := writeScript(t, "expect open\nexpect nonsense\n")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, "usage: ze-test peer"},
		{[]string{}, 2, "give exactly one of listen or dial"},
		{[]string{"--listen", ":0", "--dial", ":1"}, 2, "give exactly one of listen or dial"},
		{[]string{"--listen", ":0", "--mode", "juggle"}, 2, `unknown mode "juggle"`},
		{[]string{"--listen", ":0", "--mode", "check"}, 2, "check mode needs a script"},
		{[]string{"--listen", ":0", "--script", script}, 2, script + `:2: expect "nonsense": unknown`},
		{[]string{"--listen", ":0", "--hold-time", "2"}, 2, "hold time must be 0 or at least 3"},
		{[]string{"--listen", ":0", "--add-capability", "xx"}, 2, "want CODE:HEX"},
		{[]string{"--listen", ":0", "--drop-capability", "nope"}, 2, `unknown capability "nope"`},
		{[]string{"--listen", ":0", "--family", "ipv9/x"}, 2, "--family"},
		{[]string{"--dial", "127.0.0.1:1", "--mode", "inject", "--prefix-start", "2001:db8::/32"}, 2, "not among the offered families"},
		{[]string{"--dial", "127.0.0.1:1", "--mode", "inject", "--prefix-start", "255.255.255.0/24", "--count", "2"}, 2, "do not fit"},
		{[]string{"--listen", ":0", "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"--listen", "256.0.0.1:0", "--timeout", "1s"}, 1, "ze-test peer: listen tcp"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := peerMain(tt.args, strings.NewReader(""), &out, &errOut)
		if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errOut.String(), tt.code, tt.want)
		}
	}
}
