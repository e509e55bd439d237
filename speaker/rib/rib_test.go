package rib

import (
	"net/netip"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// checkRefs verifies that every attribute set's reference count is the
// number of table entries holding it, and that sub-pool counts match
// the sets using them.
func checkRefs(t testing.TB, p *Pool, ins []*AdjIn, ls []*LocRIB, outs []*AdjOut) {
	t.Helper()
	want := make(map[Attrs]uint32)
	for _, in := range ins {
		in.flush()
		for fi := range families {
			in.t.each(fi, func(_ netip.Prefix, _ uint32, v uint32) { want[Attrs(v&^staleBit)]++ })
		}
	}
	for _, l := range ls {
		l.flush()
		for fi := range families {
			l.t.each(fi, func(_ netip.Prefix, _ uint32, d dest) {
				if d&multiFlag == 0 {
					want[d.path().Attrs]++
					return
				}
				for _, c := range l.multi[d&^multiFlag].paths {
					want[c.Attrs]++
				}
			})
		}
	}
	for _, o := range outs {
		o.flush()
		for fi := range families {
			o.t.each(fi, func(_ netip.Prefix, _ uint32, h Attrs) { want[h]++ })
		}
	}
	if len(want) != p.Len() {
		t.Errorf("pool holds %d sets, tables reference %d", p.Len(), len(want))
	}
	for h, n := range want {
		if got := p.Refs(h); got != n {
			t.Errorf("set %d: refs %d, want %d", h, got, n)
		}
	}
	sub := make([]map[uint32]uint32, len(p.sub))
	for i := range sub {
		sub[i] = make(map[uint32]uint32)
	}
	p.sets.live(func(_ uint32, s string) {
		for it := newItems(s); it.next(); {
			if it.tag == itemRef {
				sub[subIndex[it.code]-1][it.ref]++
			}
		}
	})
	for i := range p.sub {
		if len(sub[i]) != p.sub[i].n {
			t.Errorf("sub-pool %s holds %d values, sets reference %d", subCodes[i], p.sub[i].n, len(sub[i]))
		}
		for h, n := range sub[i] {
			if got := p.sub[i].ents[h].refs; got != n {
				t.Errorf("sub-pool %s value %d: refs %d, want %d", subCodes[i], h, got, n)
			}
		}
	}
}

func TestEachAndRoutes(t *testing.T) {
	pool := NewPool()
	in := NewAdjIn(pool, asn4)
	loc := NewLocRIB(pool, DefaultOptions())
	id := loc.AddPeer(Peer{})
	out := NewAdjOut(pool)
	cs := apply(t, in, update(t, nil, base().bytes(), prefixes(false, 0, "10.0.0.0/24", "10.0.1.0/24")), nil)
	loc.Apply(nil, id, cs)
	seen := map[netip.Prefix]bool{}
	loc.Each(wire.IPv4Unicast, func(p netip.Prefix, best Path, paths []Path) {
		if best.Attrs == 0 || len(paths) != 1 {
			t.Errorf("%s: best %v, %d paths", p, best, len(paths))
		}
		seen[p] = true
		pool.Acquire(best.Attrs)
		out.Set(NLRI{Family: wire.IPv4Unicast, Prefix: p}, best.Attrs)
	})
	if len(seen) != 2 {
		t.Fatalf("Each saw %v", seen)
	}
	n := 0
	out.Routes(wire.IPv4Unicast, func(nl NLRI, h Attrs) {
		if h == 0 || !seen[nl.Prefix] {
			t.Errorf("AdjOut route %v %d", nl, h)
		}
		n++
	})
	if n != 2 {
		t.Fatalf("AdjOut.Routes saw %d routes", n)
	}
}
