package daemon

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/internal/syncbuf"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/testpeer"
)

// listenConf is a passive daemon whose peers (name, local-address,
// remote ip) imply its listeners.
func listenConf(peers ...[3]string) string {
	var b strings.Builder
	b.WriteString("bgp {\n    local-as 65000;\n    router-id 127.0.0.1;\n    passive;\n")
	for _, p := range peers {
		local := ""
		if p[1] != "" {
			local = "local-address " + p[1] + "; "
		}
		fmt.Fprintf(&b, "    peer %s { %sremote { ip %s; as 65001; } }\n", p[0], local, p[2])
	}
	b.WriteString("}\n")
	return b.String()
}

// freePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func freePort(t *testing.T) uint16 {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return uint16(ln.Addr().(*net.TCPAddr).Port)
}

// TestReloadListeners: without explicit listen addresses, a reload
// opens a listener for a new peer's local address (and a session comes
// up through it) and closes the one no peer uses any more; a wildcard
// listener that would overlap the running ones is not opened, and the
// note says so.
func TestReloadListeners(t *testing.T) {
	port := freePort(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "ze.conf")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a := [3]string{"a", "127.0.0.71", "127.0.0.81"}
	b := [3]string{"b", "127.0.0.72", "127.0.0.82"}
	write(listenConf(a))
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	events := &syncbuf.Buffer{}
	d, err := New(cfg, Options{ConfigPath: path, StopGrace: time.Second, listenPort: port, Events: events})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }() //nolint:errcheck // nil
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "the daemon to run", 5*time.Second, func() bool { return strings.Contains(events.String(), "ze: listening") })
	addrs := func() []string {
		var out []string
		for _, a := range d.Addrs() {
			out = append(out, a.String())
		}
		return out
	}
	at := func(ip string) string { return fmt.Sprintf("%s:%d", ip, port) }
	if got := addrs(); !slices.Equal(got, []string{at("127.0.0.71")}) {
		t.Fatalf("listening on %v", got)
	}

	write(listenConf(b))
	res, err := d.Reload()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.ListenOpened, []string{at("127.0.0.72")}) || !slices.Equal(res.ListenClosed, []string{at("127.0.0.71")}) || len(res.Notes) != 0 {
		t.Errorf("opened %v, closed %v, notes %q", res.ListenOpened, res.ListenClosed, res.Notes)
	}
	if got := addrs(); !slices.Equal(got, []string{at("127.0.0.72")}) {
		t.Errorf("listening on %v", got)
	}
	if c, err := net.DialTimeout("tcp", at("127.0.0.71"), time.Second); err == nil {
		c.Close()
		t.Error("the closed listener still accepts")
	}
	pc := dialConfig(testpeer.ModeSink, at("127.0.0.72"), "127.0.0.82", 65001)
	pc.Timeout = 5 * time.Second
	p := testpeer.Start(t, pc)
	waitFor(t, "b established through the new listener", 5*time.Second, func() bool { return p.Summary().Established == 1 })

	// A peer without local-address wants the wildcard listener, which
	// cannot open beside 127.0.0.72's: nothing changes, a note says why.
	write(listenConf(b, [3]string{"c", "", "127.0.0.83"}))
	res, err = d.Reload()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.ListenOpened)+len(res.ListenClosed) != 0 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "restart ze to change them") {
		t.Errorf("opened %v, closed %v, notes %q", res.ListenOpened, res.ListenClosed, res.Notes)
	}
	if got := addrs(); !slices.Equal(got, []string{at("127.0.0.72")}) {
		t.Errorf("listening on %v", got)
	}
	if got := p.Summary().Established; got != 1 {
		t.Errorf("b established %d times, want 1 (kept through both reloads)", got)
	}
}
