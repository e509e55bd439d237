package testpeer

import (
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

// TestBadInput: a raw client misbehaves against a listening sink; the
// peer reports what it received (hex and decoded), answers with the
// NOTIFICATION it implies when the connection still stands, fails, and
// ends within its timeout without panicking.
func TestBadInput(t *testing.T) {
	// An UPDATE whose attribute length runs past the message.
	badUpdate := []byte{
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0x00, 0x1B, // length 27
		0x02,       // UPDATE
		0x00, 0x00, // no withdrawn routes
		0x00, 0x05, // path attributes: 5 octets, 4 in the message
		0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
	}
	unknownType := []byte{
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0x00, 0x13, // length 19
		0x09, // type 9: unknown
	}
	truncated := []byte{
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0x00, 0x30, // length 48
		0x02,       // UPDATE
		0x00, 0x00, // …and the connection closes
	}
	tests := []struct {
		name      string
		handshake bool
		send      []byte
		close     bool
		notify    [2]byte // code, subcode expected back (0,0: none)
		want      []string
	}{
		{"garbage before OPEN", false, []byte("GET / HTTP/1.0\r\n\r\n"), false, [2]byte{1, 1},
			[]string{"malformed message: wire: marker is not all ones", "hex  474554202F20485454502F312E300D0A0D0A", `json {"parsed":false`}},
		{"unknown message type", true, unknownType, false, [2]byte{1, 3},
			[]string{"wire: unknown message type 9", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001309"}},
		{"malformed update", true, badUpdate, false, [2]byte{3, 1},
			[]string{"malformed update", `"parsed":false`, "sent notification 3/1"}},
		{"truncated message then close", true, truncated, true, [2]byte{},
			[]string{"in the middle of a message (21 octets of it arrived)", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0030020000"}},
		{"close mid-header", true, []byte{0xFF, 0xFF, 0xFF}, true, [2]byte{},
			[]string{"in the middle of a message (3 octets of it arrived)"}},
		{"update before OPEN", false, badUpdate, false, [2]byte{5, 1},
			[]string{"update before OPEN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(ModeSink)
			cfg.Timeout = 3 * time.Second
			cfg.Peers = 1
			p := Start(t, cfg)
			c := dialRaw(t, p.Addr())
			if tt.handshake {
				c.handshake(90)
			}
			c.write(tt.send)
			if tt.close {
				c.conn.Close()
			}
			if tt.notify != [2]byte{} {
				n := c.readUntil(wire.TypeNotification, 2*time.Second)
				if len(n) < 21 || n[19] != tt.notify[0] || n[20] != tt.notify[1] {
					t.Errorf("notification % X, want %d/%d", n, tt.notify[0], tt.notify[1])
				}
			}
			// The session fails; then stop the listener (it would
			// otherwise wait for more connections until its timeout).
			start := time.Now()
			for p.Summary().Errors == 0 && time.Since(start) < 3*time.Second {
				time.Sleep(5 * time.Millisecond)
			}
			err := p.Stop()
			if err == nil {
				t.Errorf("no failure reported")
			}
			if d := time.Since(start); d > 4*time.Second {
				t.Errorf("ended after %s", d)
			}
			for _, w := range tt.want {
				if !strings.Contains(p.Stderr(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, p.Stderr())
				}
			}
		})
	}
}

// TestHoldTimerExpires: a client that negotiates a 3 s hold time and
// then goes silent gets NOTIFICATION 4/0 after about 3 s.
func TestHoldTimerExpires(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 3 s")
	}
	t.Parallel()
	cfg := testConfig(ModeSink)
	cfg.Timeout = 6 * time.Second
	p := Start(t, cfg)
	c := dialRaw(t, p.Addr())
	start := time.Now()
	c.handshake(3)
	// Keepalives come every second (hold/3); the NOTIFICATION follows.
	keepalives := 0
	for {
		typ, msg := c.read(5 * time.Second)
		if typ == wire.TypeKeepalive {
			keepalives++
			continue
		}
		if typ != wire.TypeNotification || msg[19] != 4 || msg[20] != 0 {
			t.Fatalf("got type %d % X, want notification 4/0", typ, msg)
		}
		break
	}
	if d := time.Since(start); d < 2900*time.Millisecond || d > 4500*time.Millisecond {
		t.Errorf("hold timer expired after %s, want about 3s", d)
	}
	if keepalives < 1 {
		t.Errorf("%d keepalives before expiry", keepalives)
	}
	if err := p.Stop(); err == nil || !strings.Contains(p.Stderr(), "hold timer expired") {
		t.Errorf("run: %v\n%s", err, p.Stderr())
	}
}

// TestStuckRemoteDoesNotHang: an echo peer whose remote never reads
// blocks writing; the run still ends about one second after its timeout.
func TestStuckRemoteDoesNotHang(t *testing.T) {
	t.Parallel()
	cfg := testConfig(ModeEcho)
	cfg.Timeout = time.Second
	p := Start(t, cfg)
	c := dialRaw(t, p.Addr())
	c.handshake(0)
	update := []byte{
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0x00, 0x17, 0x02, 0x00, 0x00, 0x00, 0x00, // an End-of-RIB, echoed back
	}
	flood := make([]byte, 0, 1<<20)
	for len(flood)+len(update) <= cap(flood) {
		flood = append(flood, update...)
	}
	go func() {
		for range 64 { // 64 MiB: far more than the socket buffers hold
			if _, err := c.conn.Write(flood); err != nil {
				return
			}
		}
	}()
	start := time.Now()
	p.Wait() //nolint:errcheck
	if d := time.Since(start); d > 3500*time.Millisecond {
		t.Errorf("run ended %s after the flood started (timeout 1s)", d)
	}
}
