package peer

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/testpeer"
)

// checkLeaks fails the test when goroutines started during it are still
// running at its end. Call it first: cleanups run last-in first-out.
func checkLeaks(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("%d goroutines before, %d after:\n%s", before, n, buf)
		}
	})
}

// event is one Handler call.
type event struct {
	kind       string // established, update, refresh, down
	recv, send wire.Context
	remote     capability.Speaker
	msg        []byte // update: a copy
	verdict    error
	rr         wire.RouteRefresh
	reason     error
}

// recorder is a Handler that records every call on a channel.
type recorder struct{ ch chan event }

func newRecorder() *recorder { return &recorder{ch: make(chan event, 1024)} }

func (r *recorder) Established(_ *Session, recv, send wire.Context, remote capability.Speaker) {
	r.ch <- event{kind: "established", recv: recv, send: send, remote: remote}
}

func (r *recorder) Update(_ *Session, u message.Update, verdict error) {
	r.ch <- event{kind: "update", msg: append([]byte(nil), u.Raw...), verdict: verdict}
}

func (r *recorder) RouteRefresh(_ *Session, rr wire.RouteRefresh) {
	r.ch <- event{kind: "refresh", rr: rr}
}

func (r *recorder) Down(_ *Session, reason error) {
	r.ch <- event{kind: "down", reason: reason}
}

// wait returns the next event of that kind, skipping others.
func (r *recorder) wait(t *testing.T, kind string, d time.Duration) event {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case e := <-r.ch:
			if e.kind == kind {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s event after %v", kind, d)
		}
	}
}

// baseConfig is a session towards remote: AS 65001, router ID 10.0.0.1,
// IPv4 unicast, 4-octet AS, route refresh, short retry intervals.
func baseConfig(remote netip.AddrPort) Config {
	return Config{
		LocalASN:        65001,
		RouterID:        netip.MustParseAddr("10.0.0.1"),
		Remote:          remote,
		HoldTime:        90,
		ConnectRetry:    50 * time.Millisecond,
		ConnectRetryMax: 400 * time.Millisecond,
		Capabilities:    Capabilities{ASN4: true, RouteRefresh: true},
	}
}

// testLogger logs to the test at debug level.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

// start creates a session and runs it until the end of the test.
func start(t *testing.T, cfg Config, h Handler) *Session {
	t.Helper()
	s, err := New(cfg, h, testLogger(t))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Run did not return")
		}
	})
	return s
}

// listen runs a listener that hands every connection to the session in
// s (set once it exists) until the end of the test.
func listen(t *testing.T, s *atomic.Pointer[Session]) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serve(t, ln, s)
	return ln
}

// serve hands every connection ln accepts to the session in s (closes it
// while s is unset) until the end of the test, when ln is closed.
func serve(t *testing.T, ln net.Listener, s *atomic.Pointer[Session]) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if sess := s.Load(); sess != nil {
				sess.Accept(c) //nolint:errcheck // refused connections are closed
			} else {
				c.Close()
			}
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
}

// peerConfig is a test peer config with a short timeout.
func peerConfig(mode testpeer.Mode) testpeer.Config {
	c := testpeer.DefaultConfig()
	c.Mode = mode
	c.Timeout = 10 * time.Second
	c.ASN = 65002
	c.RouterID = netip.MustParseAddr("10.0.0.2")
	return c
}

// dualStackCheck starts a ModeCheck test peer running the check script
// text with IPv4 and IPv6 unicast, and returns it with a session
// configuration dialling it with the same two families.
func dualStackCheck(t *testing.T, text string) (*testpeer.Peer, Config) {
	t.Helper()
	families := []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast}
	pc := peerConfig(testpeer.ModeCheck)
	pc.Families = families
	pc.Script = script(t, text)
	p := testpeer.Start(t, pc)
	cfg := baseConfig(p.Addr())
	cfg.Families = families
	return p, cfg
}

// script parses a check script.
func script(t *testing.T, text string) *testpeer.Script {
	t.Helper()
	sc, err := testpeer.ParseScriptString("test", text)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// downNotification returns the NOTIFICATION of a Down reason.
func downNotification(t *testing.T, reason error) (wire.Notification, bool) {
	t.Helper()
	var d *DownError
	if !errors.As(reason, &d) {
		t.Fatalf("reason %v (%T) is not a *DownError", reason, reason)
	}
	return d.Notification, d.Sent
}

func tcpAddr(ln net.Listener) netip.AddrPort {
	return ln.Addr().(*net.TCPAddr).AddrPort()
}
