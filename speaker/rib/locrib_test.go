package rib

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// TestLocRIBModel applies random changes from three peers (with and
// without path identifiers, next hops some of which do not resolve) to
// a LocRIB and to a plain model of it (each prefix's candidates in
// arrival order, the best chosen by the same decider), and compares
// Best, BestFor, Paths, Each, Len and the reported changes: the compact
// single-path form and the multi-path lists must be invisible. Then
// everything is withdrawn and the pool must be empty.
func TestLocRIBModel(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) { locRIBModel(t, seed) })
	}
}

func locRIBModel(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(3, seed))
	pool := NewPool()
	opt := DefaultOptions()
	opt.ReportAll = rng.IntN(2) == 0
	opt.IGPCost = func(nh netip.Addr) (uint32, bool) { // 192.0.2.x: x even resolves
		b := nh.As4()
		return uint32(b[3]), b[3]%2 == 0
	}
	l := NewLocRIB(pool, opt)
	var ids []PeerID
	for i := range 3 {
		pe := Peer{AS: 65001 + uint32(i), RouterID: uint32(i + 1), Address: netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)})}
		ids = append(ids, l.AddPeer(pe))
	}
	var sets []Attrs
	for i := range 6 {
		a := with(func(a *pa) { a.med = i % 3; a.nextHop = fmt.Sprintf("192.0.2.%d", 2+i%4) }).bytes()
		h, err := pool.Intern(a, false, nil, asn4, false)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, h)
	}
	prefixes := []netip.Prefix{
		netip.MustParsePrefix("20.0.0.0/24"), netip.MustParsePrefix("20.0.1.0/24"), netip.MustParsePrefix("20.0.2.0/24"),
		netip.MustParsePrefix("20.0.0.0/16"), netip.MustParsePrefix("0.0.0.0/0"),
	}
	type key struct {
		p    netip.Prefix
		peer PeerID
		id   uint32
	}
	model := map[netip.Prefix][]Path{}
	best := func(p netip.Prefix, skip PeerID, hasSkip bool) (Path, bool) {
		list := model[p]
		if i := l.d.selectBest(list, skip, hasSkip); i >= 0 {
			return list[i], true
		}
		return Path{}, false
	}
	for step := range 4000 {
		pe := ids[rng.IntN(len(ids))]
		p := prefixes[rng.IntN(len(prefixes))]
		var id uint32
		if rng.IntN(4) == 0 {
			id = uint32(1 + rng.IntN(2))
		}
		var h Attrs
		if rng.IntN(3) != 0 {
			h = sets[rng.IntN(len(sets))]
		}
		oldBest, _ := best(p, 0, false)
		list := model[p]
		at := slices.IndexFunc(list, func(c Path) bool { return c.Peer == pe && c.PathID == id })
		switch {
		case at >= 0 && h != 0:
			list[at].Attrs = h
		case at >= 0:
			list = slices.Delete(list, at, at+1)
		case h != 0:
			list = append(list, Path{Peer: pe, PathID: id, Attrs: h})
		}
		if len(list) == 0 {
			delete(model, p)
		} else {
			model[p] = list
		}
		newBest, _ := best(p, 0, false)
		bs := l.Apply(nil, pe, []Change{{NLRI: NLRI{wire.IPv4Unicast, p, id}, New: h}})
		touched := at >= 0 || h != 0
		wantReport := oldBest != newBest || (opt.ReportAll && touched)
		if got := len(bs) == 1; got != wantReport || (got && (bs[0].Old != oldBest || bs[0].New != newBest)) {
			t.Fatalf("step %d: %v from %d id %d attrs %d: reported %+v, want %v %+v → %+v", step, p, pe, id, h, bs, wantReport, oldBest, newBest)
		}
		for _, q := range prefixes {
			want, wok := best(q, 0, false)
			if got, ok := l.Best(wire.IPv4Unicast, q); got != want || ok != wok {
				t.Fatalf("step %d: Best(%v) = %+v %v, want %+v %v", step, q, got, ok, want, wok)
			}
			if got := l.Paths(nil, wire.IPv4Unicast, q); !slices.Equal(got, model[q]) {
				t.Fatalf("step %d: Paths(%v) = %+v, want %+v", step, q, got, model[q])
			}
			client := ids[step%len(ids)]
			want, wok = best(q, client, true)
			if got, ok := l.BestFor(client, wire.IPv4Unicast, q); ok != wok || (ok && got != want) {
				t.Fatalf("step %d: BestFor(%d, %v) = %+v %v, want %+v %v", step, client, q, got, ok, want, wok)
			}
		}
		if l.Len(wire.IPv4Unicast) != len(model) {
			t.Fatalf("step %d: Len %d, want %d", step, l.Len(wire.IPv4Unicast), len(model))
		}
	}
	n := 0
	l.Each(wire.IPv4Unicast, func(p netip.Prefix, b Path, paths []Path) {
		n++
		if want, _ := best(p, 0, false); b != want || !slices.Equal(paths, model[p]) {
			t.Errorf("Each %v: %+v %+v, want %+v %+v", p, b, paths, want, model[p])
		}
	})
	if n != len(model) {
		t.Errorf("Each saw %d prefixes, want %d", n, len(model))
	}
	for _, h := range sets {
		pool.Release(h)
	}
	checkRefs(t, pool, nil, []*LocRIB{l}, nil)
	for p, list := range model {
		for _, c := range list {
			l.Apply(nil, c.Peer, []Change{{NLRI: NLRI{wire.IPv4Unicast, p, c.PathID}}})
		}
	}
	l.flush()
	if pool.Len() != 0 || l.Len(wire.IPv4Unicast) != 0 || len(l.freeMulti) != len(l.multi) {
		t.Errorf("after withdrawing all: %d sets, %d prefixes, %d of %d multi lists free",
			pool.Len(), l.Len(wire.IPv4Unicast), len(l.freeMulti), len(l.multi))
	}
}
