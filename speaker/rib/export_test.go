package rib

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

func TestRouteServerPerClient(t *testing.T) {
	p := NewPool()
	opt := DefaultOptions()
	opt.ReportAll = true
	l := NewLocRIB(p, opt)
	a := l.AddPeer(Peer{AS: 65001, RouterID: 1, Address: mustAddr("10.0.0.1")})
	b := l.AddPeer(Peer{AS: 65002, RouterID: 2, Address: mustAddr("10.0.0.2")})
	c := l.AddPeer(Peer{AS: 65003, RouterID: 3, Address: mustAddr("10.0.0.3")})
	pfx := netip.MustParsePrefix("203.0.113.0/24")
	n := NLRI{wire.IPv4Unicast, pfx, 0}
	ha, _ := p.Intern(with(func(x *pa) { x.path = []attr.Segment{seq(65001)} }).bytes(), false, nil, asn4, false)
	hb, _ := p.Intern(with(func(x *pa) { x.path = []attr.Segment{seq(65002, 1)} }).bytes(), false, nil, asn4, false)
	l.Apply(nil, a, []Change{{NLRI: n, New: ha}})
	if bs := l.Apply(nil, b, []Change{{NLRI: n, New: hb}}); len(bs) != 1 {
		t.Fatalf("ReportAll: %+v", bs) // the best stayed a, but b's arrival is reported
	}
	for _, tc := range []struct {
		client PeerID
		want   PeerID
	}{{a, b}, {b, a}, {c, a}} {
		got, ok := l.BestFor(tc.client, wire.IPv4Unicast, pfx)
		if !ok || got.Peer != tc.want {
			t.Errorf("BestFor(%d) = %+v %v, want peer %d", tc.client, got, ok, tc.want)
		}
	}
	// The client's export is the path unchanged (RFC 7947 §2.2).
	out := NewAdjOut(p)
	best, _ := l.BestFor(c, wire.IPv4Unicast, pfx)
	h, ok := Transparent{}.Export(p, wire.IPv4Unicast, l.Peer(best.Peer), best.Attrs)
	if !ok || h != ha || !out.Set(n, h) {
		t.Fatalf("export %d %v", h, ok)
	}
	h, _ = Transparent{}.Export(p, wire.IPv4Unicast, l.Peer(best.Peer), best.Attrs)
	if out.Set(n, h) {
		t.Error("same attributes reported as a change")
	}
	p.Release(ha)
	p.Release(hb)
	checkRefs(t, p, nil, []*LocRIB{l}, []*AdjOut{out})
	if !out.Set(n, 0) || out.Len(wire.IPv4Unicast) != 0 {
		t.Error("withdraw not a change")
	}
}

func TestExportEBGP(t *testing.T) {
	p := NewPool()
	src := with(func(x *pa) { x.med = 5; x.lp = 200; x.originID = 9; x.clusters = 1 }).bytes()
	h, _ := p.Intern(src, false, nil, asn4, false)
	e := &EBGP{LocalAS: 65000, NextHop: mustAddr("198.51.100.1")}
	out, ok := e.Export(p, wire.IPv4Unicast, Peer{}, h)
	if !ok {
		t.Fatal("not exported")
	}
	got := p.AppendAttrs(nil, out)
	want := attr.AppendOrigin(nil, attr.OriginIGP)
	want = attr.AppendASPath(want, []attr.Segment{seq(65000, 65001)}, true)
	want = attr.AppendNextHop(want, mustAddr("198.51.100.1"))
	if !bytes.Equal(got, want) {
		t.Errorf("eBGP export\n got %x\nwant %x", got, want)
	}
	// MP: the IPv6 next hop is replaced.
	h6, _ := p.Intern(base().bytes(), true, make([]byte, 16), asn4, false)
	e.NextHop6 = mustAddr("2001:db8::1")
	out6, _ := e.Export(p, wire.IPv6Unicast, Peer{}, h6)
	if in := p.Info(out6); in.NextHop != e.NextHop6 || in.PathLen != 2 {
		t.Errorf("MP export info %+v", in)
	}
}

func TestExportReflector(t *testing.T) {
	p := NewPool()
	h, _ := p.Intern(base().bytes(), false, nil, asn4, false)
	e := &IBGP{LocalPref: 100, Reflect: true, ClusterID: 0x0A000063}
	out, _ := e.Export(p, wire.IPv4Unicast, Peer{RouterID: 0x01020304}, h)
	in := p.Info(out)
	if in.LocalPref != 100 || in.OriginatorID != 0x01020304 || in.ClusterLen != 1 {
		t.Errorf("reflected info %+v", in)
	}
	if !p.ReflectionLoop(out, 0x01020304, 1) || !p.ReflectionLoop(out, 5, 0x0A000063) || p.ReflectionLoop(out, 5, 6) {
		t.Error("ReflectionLoop")
	}
	// Reflected again: the cluster list grows, ORIGINATOR_ID stays.
	out2, _ := e.Export(p, wire.IPv4Unicast, Peer{RouterID: 7}, out)
	if in := p.Info(out2); in.ClusterLen != 2 || in.OriginatorID != 0x01020304 {
		t.Errorf("twice reflected info %+v", in)
	}
}

func TestPathHasAS(t *testing.T) {
	p := NewPool()
	in := NewAdjIn(p, asn4)
	a := with(func(a *pa) { a.path = []attr.Segment{seq(65001, 65002), set(65003, 65004)} }).bytes()
	cs := apply(t, in, update(t, nil, a, prefixes(false, 0, "10.0.0.0/24")), nil)
	h := cs[0].New
	for asn, want := range map[uint32]bool{65001: true, 65002: true, 65004: true, 65000: false, 1: false} {
		if got := p.PathHasAS(h, asn); got != want {
			t.Errorf("PathHasAS(%d) = %v, want %v", asn, got, want)
		}
	}
	if p.PathHasAS(0, 65001) {
		t.Error("PathHasAS(0) = true")
	}
}
