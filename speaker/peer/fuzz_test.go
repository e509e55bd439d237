package peer

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// FuzzReceive protects the read path from network input: whatever
// octets arrive, in OpenSent or Established, framing (readMessage),
// OPEN checks, collision bookkeeping, UPDATE checks, prefix counting
// and the FSM never panic, and the connection is dropped or kept
// consistently (a dropped connection has its reason and is closing).
func FuzzReceive(f *testing.F) {
	caps := capability.AppendMultiprotocol(nil, wire.IPv4Unicast)
	caps = capability.AppendASN4(caps, 65002)
	open := message.AppendOpen(nil, message.OpenParams{ASN: 65002, HoldTime: 3, RouterID: netip.MustParseAddr("10.0.0.2"), Caps: caps})
	ka := wire.AppendKeepalive(nil)
	f.Add(false, append(append([]byte{}, open...), ka...))
	f.Add(true, testUpdate())
	f.Add(true, []byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x1a\x02\x00\x00\x00\x03\x40\x01\x05"))
	f.Add(true, wire.AppendRouteRefresh(nil, wire.RouteRefresh{Family: wire.IPv4Unicast}))
	f.Add(true, wire.AppendNotification(nil, wire.Notification{Code: 6, Subcode: 2, Data: []byte{3, 'b', 'y', 'e'}}))
	f.Add(false, []byte("GET / HTTP/1.0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, established bool, data []byte) {
		s, c, done := fuzzSession(t, established, open)
		defer done()
		r := bytes.NewReader(data)
		buf := make([]byte, wire.MaxExtendedLen)
		for {
			msg, err := readMessage(r, buf, int(c.maxLen.Load()))
			if err != nil {
				s.readFailed(c, msg, err)
				break
			}
			if n := s.receive(c, msg); n.exit {
				break
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.main.c != c && (!c.closed || c.reason == nil) {
			t.Fatalf("dropped connection: closed %v reason %v", c.closed, c.reason)
		}
	})
}

// fuzzSession returns a session whose connection (no goroutines; the
// other end of a pipe is discarded) is in OpenSent, or Established
// after open and a KEEPALIVE.
func fuzzSession(t *testing.T, established bool, open []byte) (*Session, *conn, func()) {
	cfg := baseConfig(netip.MustParseAddrPort("127.0.0.1:179"))
	cfg.MaxPrefix = map[wire.Family]MaxPrefix{wire.IPv4Unicast: {Limit: 3}}
	s, err := New(cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := net.Pipe()
	s.mu.Lock()
	s.running = true
	c := &conn{s: s, l: s.main, nc: a, out: make(chan []byte, 64), quit: make(chan struct{})}
	c.maxLen.Store(wire.MaxLen)
	s.step(s.main, fsm.Input{Event: fsm.ManualStart}, nil)
	s.main.c, s.main.dir = c, fsm.Outgoing
	s.step(s.main, fsm.Input{Event: fsm.TCPCRAcked}, nil)
	s.mu.Unlock()
	if established {
		s.receive(c, open)
		s.receive(c, wire.AppendKeepalive(nil))
		if s.State() != fsm.Established {
			t.Fatalf("state %v", s.State())
		}
	}
	return s, c, func() { a.Close(); b.Close() }
}
