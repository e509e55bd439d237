package rib

import (
	"net/netip"
)

// PeerID names a peer registered with LocRIB.AddPeer.
type PeerID uint32

// Peer is what the decision process knows of the peer a path came from.
type Peer struct {
	Address  netip.Addr // the peer's transport address (RFC 4271 §9.1.2.2 g)
	RouterID uint32     // its BGP Identifier (§9.1.2.2 f)
	AS       uint32     // its AS
	IBGP     bool       // internal peer (same AS, or same confederation member AS)
}

// Options are the decision process knobs. The zero value is RFC 4271
// with pairwise MED comparison; DefaultOptions is what a router wants.
type Options struct {
	// DefaultLocalPref is the degree of preference (RFC 4271 §9.1.1) of
	// a path without LOCAL_PREF or from an external peer, whose
	// LOCAL_PREF is ignored (§5.1.5).
	DefaultLocalPref uint32
	// AlwaysCompareMED compares MED between paths from different
	// neighbour ASes too (§9.1.2.2 c says: only the same AS).
	AlwaysCompareMED bool
	// MissingMEDWorst treats a path without MED as having the highest
	// MED instead of 0 (§9.1.2.2 c).
	MissingMEDWorst bool
	// DeterministicMED runs §9.1.2.2 as written: each step removes the
	// paths that lose it, MED within each neighbour AS group, so the
	// result does not depend on the order paths arrived in. Without it
	// paths are compared pairwise in arrival order (oldest first), as
	// many implementations do by default; MED then only compares
	// adjacent winners of the same AS and the result can depend on
	// order.
	DeterministicMED bool
	// IGPCost returns the interior cost to a next hop (§9.1.2.2 e) and
	// false when it is unreachable, which makes the path ineligible
	// (§9.1.2.1). nil: every next hop reachable at cost 0.
	IGPCost func(nextHop netip.Addr) (cost uint32, ok bool)
	// ReportAll makes LocRIB.Apply report every prefix whose candidate
	// paths changed, even when the best stayed (route servers recompute
	// per-client bests from it, RFC 7947 §2.3.2).
	ReportAll bool
}

// DefaultOptions returns LOCAL_PREF 100, deterministic MED, missing MED = 0.
func DefaultOptions() Options {
	return Options{DefaultLocalPref: 100, DeterministicMED: true}
}

// Path is one candidate route for a prefix: the peer it came from, its
// path identifier (RFC 7911), its attribute set.
type Path struct {
	Peer   PeerID
	PathID uint32
	Attrs  Attrs
}

// decider holds what ranking needs.
type decider struct {
	pool  *Pool
	peers []Peer
	opt   *Options
}

// facts are one path's decision inputs.
type facts struct {
	pref, med, nas, id, cost uint32
	plen, clen               uint16
	origin                   uint8
	ibgp                     bool
	ok                       bool
	addr                     netip.Addr
	pathID                   uint32
}

func (d *decider) facts(c Path) facts {
	in := d.pool.Info(c.Attrs)
	pe := &d.peers[c.Peer]
	f := facts{pref: d.opt.DefaultLocalPref, plen: in.PathLen, clen: in.ClusterLen, origin: uint8(in.Origin),
		nas: in.NeighborAS, id: pe.RouterID, ibgp: pe.IBGP, ok: true, addr: pe.Address, pathID: c.PathID}
	if pe.IBGP && in.Has&HasLocalPref != 0 {
		f.pref = in.LocalPref // §5.1.5: only internal peers' LOCAL_PREF counts
	}
	switch {
	case in.Has&HasMED != 0:
		f.med = in.MED
	case d.opt.MissingMEDWorst:
		f.med = ^uint32(0)
	}
	if in.Has&HasOriginatorID != 0 {
		f.id = in.OriginatorID // RFC 4456 §9
	}
	if d.opt.IGPCost != nil {
		f.cost, f.ok = d.opt.IGPCost(in.NextHop)
	}
	return f
}

// better reports whether a beats b in a pairwise comparison of every
// §9.1.2.2 step in order (MED only between the same neighbour AS unless
// AlwaysCompareMED), then RFC 4456 §9's CLUSTER_LIST length, the peer
// address, and the path identifier for a total order.
func (d *decider) better(a, b *facts) bool {
	switch {
	case a.pref != b.pref:
		return a.pref > b.pref
	case a.plen != b.plen:
		return a.plen < b.plen
	case a.origin != b.origin:
		return a.origin < b.origin
	case a.med != b.med && (a.nas == b.nas || d.opt.AlwaysCompareMED):
		return a.med < b.med
	}
	return tieBreak(a, b)
}

// tieBreak is §9.1.2.2 d-g with RFC 4456 §9, then the path identifier.
func tieBreak(a, b *facts) bool {
	switch {
	case a.ibgp != b.ibgp:
		return !a.ibgp
	case a.cost != b.cost:
		return a.cost < b.cost
	case a.id != b.id:
		return a.id < b.id
	case a.clen != b.clen:
		return a.clen < b.clen
	case a.addr != b.addr:
		return a.addr.Less(b.addr)
	}
	return a.pathID < b.pathID
}

// selectBest returns the index in cs of the best eligible path, or -1;
// paths from skip are left out when hasSkip (route server per-client
// views, RFC 7947 §2.3.2).
func (d *decider) selectBest(cs []Path, skip PeerID, hasSkip bool) int {
	var buf [8]facts
	var ibuf [8]int
	fs, idx := buf[:0], ibuf[:0]
	for i, c := range cs {
		if hasSkip && c.Peer == skip {
			continue
		}
		f := d.facts(c)
		if !f.ok {
			continue
		}
		fs, idx = append(fs, f), append(idx, i)
	}
	switch len(fs) {
	case 0:
		return -1
	case 1:
		return idx[0]
	}
	if !d.opt.DeterministicMED {
		b := 0
		for i := 1; i < len(fs); i++ {
			if d.better(&fs[i], &fs[b]) {
				b = i
			}
		}
		return idx[b]
	}
	// §9.1.2.2 as elimination steps: keep the paths that win each.
	var abuf [8]bool
	alive := abuf[:0]
	for range fs {
		alive = append(alive, true)
	}
	keep := func(win func(a, b *facts) bool) {
		for i := range fs {
			for j := range fs {
				if alive[i] && alive[j] && i != j && win(&fs[j], &fs[i]) {
					alive[i] = false
					break
				}
			}
		}
	}
	keep(func(a, b *facts) bool { return a.pref > b.pref })     // §9.1.1 degree of preference
	keep(func(a, b *facts) bool { return a.plen < b.plen })     // §9.1.2.2 a
	keep(func(a, b *facts) bool { return a.origin < b.origin }) // §9.1.2.2 b
	keep(func(a, b *facts) bool {                               // §9.1.2.2 c
		return (a.nas == b.nas || d.opt.AlwaysCompareMED) && a.med < b.med
	})
	b := -1
	for i := range fs {
		if alive[i] && (b < 0 || tieBreak(&fs[i], &fs[b])) {
			b = i
		}
	}
	return idx[b]
}
