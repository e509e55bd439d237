package peer

import (
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/testpeer"
)

// TestDialSinkKeepalives: ze dials a sink, reaches Established and
// exchanges KEEPALIVEs on a 3 s hold time (ze sends every 200 ms, the
// peer every second).
func TestDialSinkKeepalives(t *testing.T) {
	checkLeaks(t)
	pc := peerConfig(testpeer.ModeSink)
	pc.HoldTime = 3
	p := testpeer.Start(t, pc)
	cfg := baseConfig(p.Addr())
	cfg.HoldTime, cfg.Keepalive = 3, 200*time.Millisecond
	rec := newRecorder()
	s := start(t, cfg, rec)
	e := rec.wait(t, "established", 3*time.Second)
	if e.remote.ASN != 65002 || e.remote.RouterID != netip.MustParseAddr("10.0.0.2") {
		t.Errorf("remote %+v", e.remote)
	}
	if s.State() != fsm.Established || s.HoldTime() != 3*time.Second {
		t.Errorf("state %v hold %v", s.State(), s.HoldTime())
	}
	time.Sleep(1200 * time.Millisecond)
	st := s.Stats()
	if st.In["keepalive"] < 2 || st.Out["keepalive"] < 4 || st.In["open"] != 1 || st.Out["open"] != 1 {
		t.Errorf("stats in %v out %v", st.In, st.Out)
	}
	if st.Uptime < time.Second || st.State != fsm.Established {
		t.Errorf("uptime %v state %v", st.Uptime, st.State)
	}
	if sum := p.Summary(); sum.Established != 1 || sum.Errors != 0 || sum.Messages["keepalive"] < 4 {
		t.Errorf("sink summary %+v", sum)
	}
}

// TestLocalAddr: LocalAddr is zero until the session is established,
// then ze's address of the connection it dialled (no Config.Local), and
// zero again once the session is down.
func TestLocalAddr(t *testing.T) {
	checkLeaks(t)
	p := testpeer.Start(t, peerConfig(testpeer.ModeSink))
	cfg := baseConfig(p.Addr())
	if s, err := New(cfg, nil, nil); err != nil || s.LocalAddr().IsValid() {
		t.Fatalf("before Run: %v, %v", s.LocalAddr(), err)
	}
	rec := newRecorder()
	s := start(t, cfg, rec)
	rec.wait(t, "established", 3*time.Second)
	if got, want := s.LocalAddr(), netip.MustParseAddr("127.0.0.1"); got != want {
		t.Errorf("LocalAddr %v, want %v", got, want)
	}
	s.Stop("test")
	rec.wait(t, "down", 3*time.Second)
	if got := s.LocalAddr(); got.IsValid() {
		t.Errorf("LocalAddr after Stop %v, want none", got)
	}
}

// TestPassiveHoldTime: the test peer dials a passive ze; the hold time
// is the smaller proposal (RFC 4271 §4.2), on both sides.
func TestPassiveHoldTime(t *testing.T) {
	for _, tt := range []struct {
		ours, theirs uint16
		want         time.Duration
	}{{9, 6, 6 * time.Second}, {4, 30, 4 * time.Second}} {
		t.Run("", func(t *testing.T) {
			checkLeaks(t)
			var sp atomic.Pointer[Session]
			ln := listen(t, &sp)
			cfg := baseConfig(netip.MustParseAddrPort("127.0.0.1:1"))
			cfg.Mode, cfg.HoldTime = fsm.ModePassive, tt.ours
			rec := newRecorder()
			s := start(t, cfg, rec)
			sp.Store(s)
			pc := peerConfig(testpeer.ModeSink)
			pc.Dial, pc.HoldTime = tcpAddr(ln).String(), tt.theirs
			p := testpeer.Start(t, pc)
			rec.wait(t, "established", 3*time.Second)
			if got := s.LocalAddr(); got != tcpAddr(ln).Addr() {
				t.Errorf("LocalAddr %v, want the listener's %v", got, tcpAddr(ln).Addr())
			}
			if got := s.HoldTime(); got != tt.want {
				t.Errorf("hold time %v, want %v", got, tt.want)
			}
			if err := p.WaitEstablished(1, 2*time.Second); err != nil {
				t.Fatal(err)
			}
			if want := "hold-time " + tt.want.String()[:len(tt.want.String())-1]; !strings.Contains(p.Stdout(), want) {
				t.Errorf("peer output %q lacks %q", p.Stdout(), want)
			}
			if st := s.Stats(); st.ConnectAttempts != 0 {
				t.Errorf("a passive session dialled %d times", st.ConnectAttempts)
			}
		})
	}
}

// TestCapabilityNegotiation: ADD-PATH and 4-octet AS as the handler sees
// them in the two contexts.
func TestCapabilityNegotiation(t *testing.T) {
	v4 := wire.IPv4Unicast
	for _, tt := range []struct {
		name               string
		ours, theirs       capability.AddPathMode
		theirASN4          bool
		recvAP, sendAP, a4 bool
	}{
		{"both ways", capability.AddPathBoth, capability.AddPathBoth, true, true, true, true},
		{"we receive only", capability.AddPathReceive, capability.AddPathBoth, true, true, false, true},
		{"they receive only", capability.AddPathBoth, capability.AddPathReceive, false, false, true, false},
		{"none offered by them", capability.AddPathBoth, 0, true, false, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkLeaks(t)
			pc := peerConfig(testpeer.ModeSink)
			pc.ASN4 = tt.theirASN4
			if tt.theirs != 0 {
				pc.AddPath = []capability.AddPathFamily{{Family: v4, Mode: tt.theirs}}
			}
			p := testpeer.Start(t, pc)
			cfg := baseConfig(p.Addr())
			cfg.Capabilities.AddPath = []capability.AddPathFamily{{Family: v4, Mode: tt.ours}}
			rec := newRecorder()
			s := start(t, cfg, rec)
			e := rec.wait(t, "established", 3*time.Second)
			if e.recv.AddPath(v4) != tt.recvAP || e.send.AddPath(v4) != tt.sendAP || e.recv.ASN4 != tt.a4 || e.send.ASN4 != tt.a4 {
				t.Errorf("recv %+v send %+v", e.recv, e.send)
			}
			recv, send, ok := s.Contexts()
			if !ok || recv != e.recv || send != e.send {
				t.Errorf("Contexts() = %+v %+v %v", recv, send, ok)
			}
		})
	}
}

// TestUpdatesDelivered: UPDATEs (one with a path identifier) reach the
// handler, decodable with the receive context; a ROUTE-REFRESH too; and
// an UPDATE given to Send reaches the peer.
func TestUpdatesDelivered(t *testing.T) {
	checkLeaks(t)
	pc := peerConfig(testpeer.ModeCheck)
	pc.AddPath = []capability.AddPathFamily{{Family: wire.IPv4Unicast, Mode: capability.AddPathSend}}
	pc.Script = script(t, `
send route 10.0.0.0/24 next-hop 127.0.0.1 as-path [65002] path-information 7
send route 10.0.1.0/24 next-hop 127.0.0.1 as-path [4200000000] path-information 8
send route-refresh ipv4/unicast
expect route 10.9.0.0/24 next-hop 127.0.0.1
`)
	p := testpeer.Start(t, pc)
	cfg := baseConfig(p.Addr())
	cfg.Capabilities.AddPath = []capability.AddPathFamily{{Family: wire.IPv4Unicast, Mode: capability.AddPathReceive}}
	rec := newRecorder()
	s := start(t, cfg, rec)
	e := rec.wait(t, "established", 3*time.Second)
	if !e.recv.AddPath(wire.IPv4Unicast) || e.send.AddPath(wire.IPv4Unicast) {
		t.Fatalf("contexts recv %+v send %+v", e.recv, e.send)
	}
	for _, want := range []struct {
		prefix string
		id     uint32
	}{{"10.0.0.0/24", 7}, {"10.0.1.0/24", 8}} {
		u := rec.wait(t, "update", 3*time.Second)
		if u.verdict != nil {
			t.Errorf("verdict %v", u.verdict)
		}
		up, err := message.ParseUpdate(u.msg)
		if err != nil {
			t.Fatal(err)
		}
		it := up.Announced(e.recv)
		if !it.Next() || it.Prefix().String() != want.prefix || it.PathID() != want.id || it.Next() || it.Err() != nil {
			t.Errorf("update % X: want %s path %d", u.msg, want.prefix, want.id)
		}
	}
	if rr := rec.wait(t, "refresh", 3*time.Second).rr; rr.Family != wire.IPv4Unicast {
		t.Errorf("route refresh %+v", rr)
	}
	if got := s.Stats().Prefixes[wire.IPv4Unicast]; got != 2 {
		t.Errorf("prefix count %d, want 2", got)
	}
	if err := s.Send(testUpdate()); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err != nil {
		t.Fatalf("check: %v\n%s", err, p.Stderr())
	}
}

// testUpdate is an UPDATE for a 4-octet-AS session without ADD-PATH:
// 10.9.0.0/24 from AS 65001 via 127.0.0.1.
func testUpdate() []byte {
	attrs := []byte{
		0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xFD, 0xE9, // AS_PATH AS_SEQUENCE [65001], 4-octet
		0x40, 0x03, 0x04, 127, 0, 0, 1, // NEXT_HOP 127.0.0.1
	}
	return message.AppendUpdate(nil, nil, attrs, []byte{24, 10, 9, 0}) // NLRI 10.9.0.0/24
}

// TestMalformedUpdate: an UPDATE whose attribute list cannot be walked
// gets UPDATE Message Error / Malformed Attribute List (RFC 7606 §4,
// session reset) and the handler sees Down with it.
func TestMalformedUpdate(t *testing.T) {
	checkLeaks(t)
	pc := peerConfig(testpeer.ModeCheck)
	// Header (length 26, UPDATE), withdrawn length 0, attribute length 4
	// (runs past the message: RFC 4271 §6.3), ORIGIN empty.
	pc.Script = script(t, `
send hex FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 001A 02 0000 0004 400100
expect notification 3/1
`)
	p := testpeer.Start(t, pc)
	rec := newRecorder()
	s := start(t, baseConfig(p.Addr()), rec)
	rec.wait(t, "established", 3*time.Second)
	d := rec.wait(t, "down", 3*time.Second)
	n, sent := downNotification(t, d.reason)
	if !sent || n.Code != wire.CodeUpdate || n.Subcode != wire.SubMalformedAttributeList {
		t.Errorf("down reason %v", d.reason)
	}
	if err := p.Wait(); err != nil {
		t.Fatalf("check: %v\n%s", err, p.Stderr())
	}
	if st := s.Stats(); st.Out["notification"] != 1 {
		t.Errorf("out %v", st.Out)
	}
}

// TestBadOpen: a peer AS other than the configured one gets OPEN
// Message Error / Bad Peer AS.
func TestBadOpen(t *testing.T) {
	checkLeaks(t)
	pc := peerConfig(testpeer.ModeCheck)
	pc.Script = script(t, "expect notification 2/2\n")
	p := testpeer.Start(t, pc)
	cfg := baseConfig(p.Addr())
	cfg.PeerASN = 65999
	start(t, cfg, nil)
	if err := p.Wait(); err != nil {
		t.Fatalf("check: %v\n%s", err, p.Stderr())
	}
}

// TestStop: Stop sends Cease / Administrative Shutdown with the RFC 9003
// communication, then Run returns.
func TestStop(t *testing.T) {
	checkLeaks(t)
	pc := peerConfig(testpeer.ModeCheck)
	pc.Script = script(t, `expect notification {"notification":{"code":6,"subcode":2,"communication":"maintenance window"}}`+"\n")
	p := testpeer.Start(t, pc)
	rec := newRecorder()
	s := start(t, baseConfig(p.Addr()), rec)
	rec.wait(t, "established", 3*time.Second)
	s.Stop("maintenance window")
	d := rec.wait(t, "down", 3*time.Second)
	if n, sent := downNotification(t, d.reason); !sent || n.Code != wire.CodeCease || n.Subcode != wire.SubAdministrativeShutdown {
		t.Errorf("down reason %v", d.reason)
	}
	if err := p.Wait(); err != nil {
		t.Fatalf("check: %v\n%s", err, p.Stderr())
	}
	if err := s.Send(testUpdate()); err != ErrNotEstablished {
		t.Errorf("Send after Stop: %v", err)
	}
}
