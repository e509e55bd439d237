package fsm

import (
	"net/netip"
	"slices"
	"testing"
)

// RFC 4271 §6.8 and RFC 6286 §2.3: the connection opened by the speaker
// with the higher BGP Identifier (then the higher AS) survives.
func TestResolve(t *testing.T) {
	a := netip.MustParseAddr
	for _, c := range []struct {
		name          string
		local, remote netip.Addr
		lASN, rASN    uint32
		keep          Direction
		ok            bool
	}{
		{"local higher keeps ours", a("192.0.2.2"), a("192.0.2.1"), 65001, 65002, Outgoing, true},
		{"remote higher keeps theirs", a("192.0.2.1"), a("192.0.2.2"), 65001, 65002, Incoming, true},
		// Compared as unsigned 32-bit integers, not as signed or as text.
		{"unsigned compare", a("128.0.0.1"), a("10.0.0.1"), 1, 2, Outgoing, true},
		{"octet order", a("1.0.0.0"), a("0.255.255.255"), 1, 2, Outgoing, true},
		{"text order is wrong", a("9.0.0.0"), a("10.0.0.0"), 1, 2, Incoming, true},
		// RFC 6286 §2.3: equal identifiers, the larger AS's connection.
		{"equal id, local AS higher", a("192.0.2.1"), a("192.0.2.1"), 65002, 65001, Outgoing, true},
		{"equal id, remote AS higher", a("192.0.2.1"), a("192.0.2.1"), 64512, 4200000000, Incoming, true},
		// Same identifier and AS: cannot be resolved (Bad BGP Identifier).
		{"same id same AS", a("192.0.2.1"), a("192.0.2.1"), 65001, 65001, 0, false},
		{"mapped IPv4 accepted", a("::ffff:192.0.2.2"), a("192.0.2.1"), 1, 1, Outgoing, true},
		{"IPv6 refused", a("2001:db8::1"), a("192.0.2.1"), 1, 2, 0, false},
		{"invalid refused", netip.Addr{}, a("192.0.2.1"), 1, 2, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			keep, ok := Resolve(c.local, c.remote, c.lASN, c.rASN)
			if keep != c.keep || ok != c.ok {
				t.Errorf("Resolve = %v, %v; want %v, %v", keep, ok, c.keep, c.ok)
			}
		})
	}
}

// Which states take part in collision detection (RFC 4271 §6.8).
func TestCollides(t *testing.T) {
	for s := Idle; s <= Established; s++ {
		want := s == OpenConfirm
		if got := s.Collides(false); got != want {
			t.Errorf("%v.Collides(false) = %v", s, got)
		}
		want = s == OpenConfirm || s == Established
		if got := s.Collides(true); got != want {
			t.Errorf("%v.Collides(true) = %v", s, got)
		}
	}
}

// A whole collision as the session driver runs it: our connection reached
// OpenConfirm, the peer's arrives and sends its OPEN; the peer's identifier
// is higher, so ours is dumped with Cease / Connection Collision
// Resolution and theirs goes on to Established.
func TestCollisionScenario(t *testing.T) {
	local := netip.MustParseAddr("192.0.2.1")
	out, _ := NewMachine(Config{})
	for _, in := range []Input{ev(ManualStart), ev(TCPCRAcked), peerOpen(90)} { // peer id 192.0.2.2
		out.Step(in, t0)
	}
	// The incoming connection gets its own Machine, started passive.
	in, _ := NewMachine(Config{})
	for _, i := range []Input{ev(ManualStartWithPassiveTCPEstablishment), ev(TCPConnectionConfirmed), peerOpen(90)} {
		in.Step(i, t0)
	}
	peer, _ := in.Peer()
	if !out.State().Collides(false) {
		t.Fatalf("outgoing in %v", out.State())
	}
	keep, ok := Resolve(local, peer.RouterID, 65001, peer.ASN)
	if !ok || keep != Incoming {
		t.Fatalf("Resolve = %v, %v", keep, ok)
	}
	got := strs(out.Handle(OpenCollisionDump, t0))
	if want := down("6/7", false, HoldTimer, KeepaliveTimer); !slices.Equal(got, want) || out.State() != Idle {
		t.Fatalf("dumped connection: %v in %v", got, out.State())
	}
	in.Handle(KeepAliveMsg, t0)
	if in.State() != Established {
		t.Fatalf("kept connection in %v", in.State())
	}
}
