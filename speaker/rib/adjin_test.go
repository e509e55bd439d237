package rib

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// prefixes encodes IPv4 or IPv6 prefixes (path identifier id when addPath).
func prefixes(addPath bool, id uint32, ps ...string) []byte {
	var b []byte
	for _, s := range ps {
		b = nlri.AppendPrefix(b, netip.MustParsePrefix(s), id, addPath)
	}
	return b
}

// update builds an UPDATE message and parses it.
func update(t testing.TB, withdrawn, attrs, nlriField []byte) message.Update {
	t.Helper()
	u, err := message.ParseUpdate(message.AppendUpdate(nil, withdrawn, attrs, nlriField))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func apply(t testing.TB, in *AdjIn, u message.Update, verdict error) []Change {
	t.Helper()
	cs, err := in.Apply(nil, u, verdict)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestAdjInAnnounceWithdraw(t *testing.T) {
	p := NewPool()
	in := NewAdjIn(p, asn4)
	a1 := base().bytes()
	a2 := with(func(a *pa) { a.med = 5 }).bytes()

	cs := apply(t, in, update(t, nil, a1, prefixes(false, 0, "10.0.0.0/8", "10.1.0.0/16")), nil)
	if len(cs) != 2 || cs[0].Old != 0 || cs[0].New == 0 || cs[0].New != cs[1].New {
		t.Fatalf("announce: %+v", cs)
	}
	h1 := cs[0].New
	if p.Refs(h1) != 2 {
		t.Errorf("refs = %d, want 2", p.Refs(h1))
	}
	// The same announcement again changes nothing.
	if cs = apply(t, in, update(t, nil, a1, prefixes(false, 0, "10.0.0.0/8")), nil); len(cs) != 0 {
		t.Errorf("repeat: %+v", cs)
	}
	// New attributes for one prefix.
	cs = apply(t, in, update(t, nil, a2, prefixes(false, 0, "10.0.0.0/8")), nil)
	if len(cs) != 1 || cs[0].Old != h1 || cs[0].New == h1 {
		t.Fatalf("replace: %+v", cs)
	}
	// Withdraw both; withdrawing an unknown prefix is no change.
	cs = apply(t, in, update(t, prefixes(false, 0, "10.0.0.0/8", "10.1.0.0/16", "192.0.2.0/24"), nil, nil), nil)
	if len(cs) != 2 || cs[0].New != 0 || cs[1].New != 0 {
		t.Fatalf("withdraw: %+v", cs)
	}
	in.flush()
	if p.Len() != 0 || in.Len(wire.IPv4Unicast) != 0 {
		t.Errorf("after withdraw-all: %d sets, %d routes", p.Len(), in.Len(wire.IPv4Unicast))
	}
}

func with(f func(*pa)) pa { a := base(); f(&a); return a }

func TestAdjInMP(t *testing.T) {
	p := NewPool()
	in := NewAdjIn(p, asn4)
	nh := netip.MustParseAddr("2001:db8::1").As16()
	a := attr.AppendMPReach(base().bytes(), wire.IPv6Unicast, nh[:], prefixes(false, 0, "2001:db8:1::/48", "2001:db8:2::/48"))
	cs := apply(t, in, update(t, nil, a, nil), nil)
	if len(cs) != 2 || cs[0].Family != wire.IPv6Unicast {
		t.Fatalf("mp announce: %+v", cs)
	}
	h := cs[0].New
	if got, ok := p.MPNextHop(nil, h); !ok || !bytes.Equal(got, nh[:]) {
		t.Errorf("MPNextHop = %x %v", got, ok)
	}
	if in := p.Info(h); in.NextHop != netip.MustParseAddr("2001:db8::1") {
		t.Errorf("Info.NextHop = %v", in.NextHop)
	}
	// The stored attributes have no NEXT_HOP (an MP set) and no MP_REACH.
	if _, ok := attr.Find(p.AppendAttrs(nil, h), attr.CodeNextHop); ok {
		t.Error("MP set kept NEXT_HOP")
	}
	cs = apply(t, in, update(t, nil, attr.AppendMPUnreach(nil, wire.IPv6Unicast, prefixes(false, 0, "2001:db8:1::/48")), nil), nil)
	if len(cs) != 1 || cs[0].Old != h || cs[0].New != 0 {
		t.Fatalf("mp withdraw: %+v", cs)
	}
	// End-of-RIB.
	apply(t, in, update(t, nil, attr.AppendMPUnreach(nil, wire.IPv6Unicast, nil), nil), nil)
	if !in.EndOfRIB(wire.IPv6Unicast) || in.EndOfRIB(wire.IPv4Unicast) {
		t.Error("End-of-RIB not recorded for ipv6/unicast only")
	}
}

func TestAdjInVerdicts(t *testing.T) {
	p := NewPool()
	in := NewAdjIn(p, asn4)
	apply(t, in, update(t, nil, base().bytes(), prefixes(false, 0, "10.0.0.0/8")), nil)
	// Treat-as-withdraw: the announced prefix goes away.
	taw := wire.Errorf(wire.CodeUpdate, wire.SubMalformedASPath, nil, "x").WithAction(wire.ActionTreatAsWithdraw)
	cs := apply(t, in, update(t, nil, base().bytes(), prefixes(false, 0, "10.0.0.0/8")), taw)
	if len(cs) != 1 || cs[0].New != 0 {
		t.Fatalf("treat-as-withdraw: %+v", cs)
	}
	// Session reset: nothing changes, the verdict comes back.
	reset := wire.Errorf(wire.CodeUpdate, wire.SubMalformedAttributeList, nil, "x")
	if _, err := in.Apply(nil, update(t, nil, base().bytes(), prefixes(false, 0, "10.0.0.0/8")), reset); !errors.Is(err, reset) {
		t.Errorf("session reset: err = %v", err)
	}
	// Attribute-discard: a bad AGGREGATOR (5 octets) is left out.
	bad := attr.AppendRaw(base().bytes(), attr.FlagOptional|attr.FlagTransitive, attr.CodeAggregator, []byte{1, 2, 3, 4, 5})
	discard := wire.Errorf(wire.CodeUpdate, wire.SubAttributeLengthError, nil, "x").WithAction(wire.ActionAttributeDiscard)
	cs = apply(t, in, update(t, nil, bad, prefixes(false, 0, "10.0.0.0/8")), discard)
	if len(cs) != 1 {
		t.Fatalf("attribute-discard: %+v", cs)
	}
	if _, ok := attr.Find(p.AppendAttrs(nil, cs[0].New), attr.CodeAggregator); ok {
		t.Error("malformed AGGREGATOR kept")
	}
}

func TestAdjInStale(t *testing.T) {
	p := NewPool()
	in := NewAdjIn(p, asn4)
	apply(t, in, update(t, nil, base().bytes(), prefixes(false, 0, "10.0.0.0/8", "10.1.0.0/16")), nil)
	in.MarkStale(wire.IPv4Unicast)
	if _, stale := in.Lookup(NLRI{wire.IPv4Unicast, netip.MustParsePrefix("10.0.0.0/8"), 0}); !stale {
		t.Error("not stale after MarkStale")
	}
	// Re-announced unchanged: fresh again, not a change.
	if cs := apply(t, in, update(t, nil, base().bytes(), prefixes(false, 0, "10.0.0.0/8")), nil); len(cs) != 0 {
		t.Errorf("refresh: %+v", cs)
	}
	cs := in.SweepStale(nil, wire.IPv4Unicast)
	if len(cs) != 1 || cs[0].Prefix != netip.MustParsePrefix("10.1.0.0/16") {
		t.Fatalf("sweep: %+v", cs)
	}
	checkRefs(t, p, []*AdjIn{in}, nil, nil)
}

func TestAdjInAddPath(t *testing.T) {
	ctx, _ := asn4.WithAddPath(wire.IPv4Unicast, true)
	p := NewPool()
	in := NewAdjIn(p, ctx)
	l := NewLocRIB(p, DefaultOptions())
	id := l.AddPeer(Peer{AS: 65001, RouterID: 1, Address: netip.MustParseAddr("10.0.0.1")})
	cs := apply(t, in, update(t, nil, with(func(a *pa) { a.med = 20 }).bytes(), prefixes(true, 1, "10.0.0.0/8")), nil)
	cs = append(cs, apply(t, in, update(t, nil, with(func(a *pa) { a.med = 10 }).bytes(), prefixes(true, 2, "10.0.0.0/8")), nil)...)
	if in.Len(wire.IPv4Unicast) != 2 {
		t.Fatalf("routes = %d, want 2 paths", in.Len(wire.IPv4Unicast))
	}
	l.Apply(nil, id, cs)
	pfx := netip.MustParsePrefix("10.0.0.0/8")
	if ps := l.Paths(nil, wire.IPv4Unicast, pfx); len(ps) != 2 {
		t.Fatalf("paths = %+v", ps)
	}
	if best, _ := l.Best(wire.IPv4Unicast, pfx); best.PathID != 2 {
		t.Errorf("best path id = %d, want 2 (lower MED)", best.PathID)
	}
	// Withdraw path 2 only.
	bs := l.Apply(nil, id, apply(t, in, update(t, prefixes(true, 2, "10.0.0.0/8"), nil, nil), nil))
	if len(bs) != 1 || bs[0].New.PathID != 1 {
		t.Fatalf("after withdrawing path 2: %+v", bs)
	}
	checkRefs(t, p, []*AdjIn{in}, []*LocRIB{l}, nil)
}

func TestAdjInASN2(t *testing.T) {
	// A 2-octet-AS session: AS_PATH [65001 AS_TRANS] + AS4_PATH [70000].
	asPath := []byte{2, 2, 0xFD, 0xE9, 0x5B, 0xA0}
	a := attr.AppendOrigin(nil, attr.OriginIGP)
	a = attr.AppendRaw(a, attr.FlagTransitive, attr.CodeASPath, asPath)
	a = attr.AppendNextHop(a, netip.MustParseAddr("192.0.2.1"))
	a = attr.AppendAS4Path(a, []attr.Segment{seq(70000)})
	p := NewPool()
	in := NewAdjIn(p, wire.Context{})
	cs := apply(t, in, update(t, nil, a, prefixes(false, 0, "10.0.0.0/8")), nil)
	got := p.AppendAttrs(nil, cs[0].New)
	want := attr.AppendOrigin(nil, attr.OriginIGP)
	want = attr.AppendASPath(want, []attr.Segment{seq(65001, 70000)}, true)
	want = attr.AppendNextHop(want, netip.MustParseAddr("192.0.2.1"))
	if !bytes.Equal(got, want) {
		t.Errorf("normalised attributes\n got %x\nwant %x", got, want)
	}
	if in := p.Info(cs[0].New); in.PathLen != 2 || in.NeighborAS != 65001 {
		t.Errorf("Info = %+v", in)
	}
}
