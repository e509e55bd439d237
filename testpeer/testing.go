package testpeer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ze-bgp/ze/internal/syncbuf"
)

// Start runs a test peer for the rest of a Go test, like
// httptest.NewServer: it returns once the peer listens (Addr is then
// valid) or has started dialling. With neither Listen nor Dial set it
// listens on 127.0.0.1 with a free port; Peers 0 means 1. The peer stops
// at the end of the test (its output is logged when the test failed).
// Use Wait for its verdict, Stdout/Stderr for what it printed.
func Start(t testing.TB, cfg Config) *Peer {
	t.Helper()
	if cfg.Listen == "" && cfg.Dial == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.Peers == 0 {
		cfg.Peers = 1
	}
	out, errb := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	p, err := New(cfg, out, errb)
	if err != nil {
		t.Fatalf("testpeer.Start: %v", err)
	}
	p.stdoutBuf, p.stderrBuf = out, errb
	ctx, cancel := context.WithCancel(context.Background())
	go p.Run(ctx) //nolint:errcheck // Wait returns it
	<-p.listening
	t.Cleanup(func() {
		cancel()
		<-p.runDone
		if t.Failed() {
			t.Logf("test peer stdout:\n%s", out.String())
			t.Logf("test peer stderr:\n%s", errb.String())
		}
	})
	p.cancel = cancel
	return p
}

// Stop ends a peer started with Start and returns its verdict.
func (p *Peer) Stop() error {
	if p.cancel != nil {
		p.cancel()
	}
	return p.Wait()
}

// Stdout returns what a peer started with Start printed on stdout.
func (p *Peer) Stdout() string {
	if p.stdoutBuf == nil {
		return ""
	}
	return p.stdoutBuf.String()
}

// Stderr returns what a peer started with Start printed on stderr.
func (p *Peer) Stderr() string {
	if p.stderrBuf == nil {
		return ""
	}
	return p.stderrBuf.String()
}

// WaitEstablished waits until n sessions reached Established.
func (p *Peer) WaitEstablished(n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for p.Established() < n {
		if time.Now().After(deadline) {
			return fmt.Errorf("testpeer: %d of %d sessions established after %s", p.Established(), n, timeout)
		}
		select {
		case <-p.runDone:
			if p.Established() >= n {
				return nil
			}
			return fmt.Errorf("testpeer: run ended with %d of %d sessions established", p.Established(), n)
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}
