package rib

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

func TestPoolRefcount(t *testing.T) {
	p := NewPool()
	long := func(med int) []byte {
		return with(func(a *pa) { a.med = med; a.community = true; a.path = []attr.Segment{seq(65001, 65002, 65003)} }).bytes()
	}
	h1, _ := p.Intern(long(1), false, nil, asn4, false)
	h2, _ := p.Intern(long(2), false, nil, asn4, false)
	h1b, _ := p.Intern(long(1), false, nil, asn4, false)
	if h1 != h1b || h1 == h2 {
		t.Fatalf("handles %d %d %d", h1, h2, h1b)
	}
	if p.Refs(h1) != 2 || p.Len() != 2 {
		t.Errorf("refs %d, sets %d", p.Refs(h1), p.Len())
	}
	// Sets that differ only in MED share AS_PATH and COMMUNITIES.
	if p.SubLen(attr.CodeASPath) != 1 || p.SubLen(attr.CodeCommunities) != 1 {
		t.Errorf("sub-pools: %d AS_PATH, %d COMMUNITIES; want 1 each", p.SubLen(attr.CodeASPath), p.SubLen(attr.CodeCommunities))
	}
	if got := p.AppendAttrs(nil, h2); !bytes.Equal(got, long(2)) {
		t.Errorf("AppendAttrs\n got %x\nwant %x", got, long(2))
	}
	p.Release(h1)
	p.Release(h1)
	if p.Len() != 1 || p.Refs(h1) != 0 {
		t.Errorf("after release: %d sets, refs %d", p.Len(), p.Refs(h1))
	}
	p.Release(h2)
	if p.Len() != 0 || p.SubLen(attr.CodeASPath) != 0 || p.SubLen(attr.CodeCommunities) != 0 {
		t.Errorf("not reclaimed: %d sets, %d paths", p.Len(), p.SubLen(attr.CodeASPath))
	}
	// A freed handle is reused.
	h3, _ := p.Intern(long(3), false, nil, asn4, false)
	if h3 != h2 && h3 != h1 {
		t.Errorf("handle %d not reused", h3)
	}
}

func TestPoolCanonical(t *testing.T) {
	p := NewPool()
	a := base().bytes()
	// The same attributes out of order, with an extended-length header
	// and a duplicate MED (the first one counts).
	var b []byte
	b = attr.AppendNextHop(b, mustAddr("192.0.2.1"))
	b = attr.AppendMED(b, 7)
	b = attr.AppendMED(b, 9)
	b = append(b, byte(attr.FlagTransitive|attr.FlagExtendedLength), byte(attr.CodeASPath), 0, 6, 2, 1, 0, 0, 0xFD, 0xE9)
	b = attr.AppendOrigin(b, attr.OriginIGP)
	want := with(func(x *pa) { x.med = 7 }).bytes()
	h1, _ := p.Intern(want, false, nil, asn4, false)
	h2, _ := p.Intern(b, false, nil, asn4, false)
	if h1 != h2 {
		t.Errorf("canonical forms differ:\n%x\n%x", p.AppendAttrs(nil, h1), p.AppendAttrs(nil, h2))
	}
	_ = a
	if n := testing.AllocsPerRun(100, func() {
		h, _ := p.Intern(b, false, nil, asn4, false)
		p.Release(h)
	}); n != 0 {
		t.Errorf("Intern hit: %v allocations", n)
	}
}

func TestPoolContextMP(t *testing.T) {
	p := NewPool()
	nh := []byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	a := base().bytes()
	h4, _ := p.Intern(a, false, nil, asn4, false)
	h6, _ := p.Intern(a, true, nh, asn4, false)
	if h4 == h6 || !p.IsMP(h6) || p.IsMP(h4) {
		t.Errorf("IPv4 and MP sets: %d %d", h4, h6)
	}
	if _, err := p.Intern([]byte{0x40, 1}, false, nil, wire.Context{}, false); err == nil {
		t.Error("truncated list interned")
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
