package rib

import (
	"net/netip"

	"github.com/ze-bgp/ze/speaker/wire"
)

// BestChange is a prefix whose best path changed in the Loc-RIB (Old,
// New: zero Path when there was or is none). Old's attributes stay valid
// until the next mutating call on the LocRIB.
type BestChange struct {
	Family   wire.Family
	Prefix   netip.Prefix
	Old, New Path
}

// dest is one prefix of the Loc-RIB. With many nil the prefix has one
// candidate, best, and it is eligible; otherwise *many lists the
// candidates in arrival order and best is a copy of the chosen one
// (zero Path when none is eligible). The common single-path prefix thus
// costs no allocation beyond its map slot.
type dest struct {
	best Path
	many *[]Path
}

// LocRIB is the Loc-RIB (RFC 4271 §3.2, §9.1): every candidate path of
// every prefix, from every peer, and the best one chosen by the decision
// process. Each candidate holds one reference in the Pool. It is not
// safe for concurrent use.
type LocRIB struct {
	pool    *Pool
	opt     Options
	d       decider
	t       tables[dest]
	pending []Attrs
}

// NewLocRIB returns an empty Loc-RIB using pool and the decision knobs opt.
func NewLocRIB(pool *Pool, opt Options) *LocRIB {
	l := &LocRIB{pool: pool, opt: opt, t: newTables[dest]()}
	l.d = decider{pool: pool, opt: &l.opt}
	return l
}

// AddPeer registers a peer whose paths Apply will receive.
func (l *LocRIB) AddPeer(pe Peer) PeerID {
	l.d.peers = append(l.d.peers, pe)
	return PeerID(len(l.d.peers) - 1)
}

// Peer returns what AddPeer registered as id.
func (l *LocRIB) Peer(id PeerID) Peer { return l.d.peers[id] }

func (l *LocRIB) flush() {
	for _, h := range l.pending {
		l.pool.Release(h)
	}
	l.pending = l.pending[:0]
}

// eligible is §9.1.2.1: a path whose next hop does not resolve is not
// a candidate.
func (l *LocRIB) eligible(c Path) bool {
	if l.opt.IGPCost == nil {
		return true
	}
	_, ok := l.opt.IGPCost(l.pool.Info(c.Attrs).NextHop)
	return ok
}

// Apply takes the Adj-RIB-In changes cs of peer from (AdjIn.Apply's
// output; a change of a family not stored is ignored), reruns the
// decision process (RFC 4271 §9.1.2) for each prefix they touch, and
// appends to dst the prefixes whose best path changed (every touched
// prefix with Options.ReportAll).
func (l *LocRIB) Apply(dst []BestChange, from PeerID, cs []Change) []BestChange {
	l.flush()
	for i := range cs {
		dst = l.apply(dst, from, &cs[i])
	}
	return dst
}

func (l *LocRIB) apply(dst []BestChange, from PeerID, c *Change) []BestChange {
	fi := famIndex(c.Family)
	if fi < 0 || !fits(fi, c.Prefix) || int(from) >= len(l.d.peers) {
		return dst
	}
	p := c.Prefix
	d, ok := l.t.get(fi, p, 0)
	old := d.best
	cand := Path{Peer: from, PathID: c.PathID, Attrs: c.New}
	if c.New != 0 {
		l.pool.Acquire(c.New)
	}
	switch {
	case !ok:
		if c.New == 0 {
			return dst
		}
		if l.eligible(cand) {
			d = dest{best: cand}
		} else {
			d = dest{many: &[]Path{cand}}
		}
	case d.many == nil:
		s := d.best
		switch {
		case s.Peer == from && s.PathID == c.PathID:
			l.pending = append(l.pending, s.Attrs)
			if c.New == 0 {
				l.t.del(fi, p, 0)
				return l.report(dst, fi, p, old, Path{}, true)
			}
			if l.eligible(cand) {
				d.best = cand
			} else {
				d = dest{many: &[]Path{cand}}
			}
		case c.New == 0:
			return dst
		default:
			list := make([]Path, 2, 4)
			list[0], list[1] = s, cand
			d = dest{many: &list}
			d.best = l.pick(list)
		}
	default:
		list := *d.many
		at := -1
		for i, e := range list {
			if e.Peer == from && e.PathID == c.PathID {
				at = i
				break
			}
		}
		switch {
		case at >= 0:
			l.pending = append(l.pending, list[at].Attrs)
			if c.New != 0 {
				list[at] = cand
			} else {
				list = append(list[:at], list[at+1:]...)
			}
		case c.New != 0:
			list = append(list, cand)
		default:
			return dst
		}
		switch {
		case len(list) == 0:
			l.t.del(fi, p, 0)
			return l.report(dst, fi, p, old, Path{}, true)
		case len(list) == 1 && l.eligible(list[0]):
			d = dest{best: list[0]}
		default:
			*d.many = list
			d.best = l.pick(list)
		}
	}
	l.t.set(fi, p, 0, d)
	return l.report(dst, fi, p, old, d.best, true)
}

// pick runs the decision process over list.
func (l *LocRIB) pick(list []Path) Path {
	if i := l.d.selectBest(list, 0, false); i >= 0 {
		return list[i]
	}
	return Path{}
}

func (l *LocRIB) report(dst []BestChange, fi int, p netip.Prefix, old, best Path, touched bool) []BestChange {
	if old != best || (touched && l.opt.ReportAll) {
		dst = append(dst, BestChange{Family: families[fi], Prefix: p, Old: old, New: best})
	}
	return dst
}

// Best returns the best path of prefix p of family f.
func (l *LocRIB) Best(f wire.Family, p netip.Prefix) (Path, bool) {
	fi := famIndex(f)
	if fi < 0 || !fits(fi, p) {
		return Path{}, false
	}
	d, _ := l.t.get(fi, p, 0)
	return d.best, d.best.Attrs != 0
}

// BestFor returns the best path of p for route server client client:
// the decision process run over the paths not received from that client
// (RFC 7947 §2.3.2, the client's own view of the Loc-RIB).
func (l *LocRIB) BestFor(client PeerID, f wire.Family, p netip.Prefix) (Path, bool) {
	fi := famIndex(f)
	if fi < 0 || !fits(fi, p) {
		return Path{}, false
	}
	d, ok := l.t.get(fi, p, 0)
	if !ok {
		return Path{}, false
	}
	if d.many == nil {
		return d.best, d.best.Peer != client
	}
	list := *d.many
	if i := l.d.selectBest(list, client, true); i >= 0 {
		return list[i], true
	}
	return Path{}, false
}

// Paths appends the candidate paths of p (in arrival order) to dst.
func (l *LocRIB) Paths(dst []Path, f wire.Family, p netip.Prefix) []Path {
	fi := famIndex(f)
	if fi < 0 || !fits(fi, p) {
		return dst
	}
	d, ok := l.t.get(fi, p, 0)
	switch {
	case !ok:
		return dst
	case d.many == nil:
		return append(dst, d.best)
	}
	return append(dst, *d.many...)
}

// Len returns the number of prefixes of family f with at least one
// candidate path.
func (l *LocRIB) Len(f wire.Family) int {
	fi := famIndex(f)
	if fi < 0 {
		return 0
	}
	return l.t.len(fi)
}

// Each calls fn for every prefix of f (in no order) with its best path
// (zero Path when none is eligible) and its candidates in arrival order;
// paths is only valid during the call and fn must not modify the table.
func (l *LocRIB) Each(f wire.Family, fn func(p netip.Prefix, best Path, paths []Path)) {
	fi := famIndex(f)
	if fi < 0 {
		return
	}
	var one [1]Path
	l.t.each(fi, func(p netip.Prefix, _ uint32, d dest) {
		if d.many == nil {
			one[0] = d.best
			fn(p, d.best, one[:])
			return
		}
		fn(p, d.best, *d.many)
	})
}
