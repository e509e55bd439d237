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

// dest is one prefix of the Loc-RIB in 57 bits. A prefix whose only
// candidate is eligible, has no path identifier and comes from a peer
// below 2^24 is that path: Peer << 32 | Attrs (it is the best). Any
// other is multiFlag | i: its candidates are LocRIB.multi[i]. The
// common prefix thus costs its table slot, no allocation and no pointer.
type dest uint64

const (
	multiFlag  = 1 << 56
	singlePeer = 1 << 24 // peers from here on are always in multi form
)

func (d dest) path() Path { return Path{Peer: PeerID(d >> 32 & (singlePeer - 1)), Attrs: Attrs(d)} }

// multi is the candidates of a prefix not in single form.
type multi struct {
	best  Path   // a copy of the chosen candidate; zero Path when none is eligible
	paths []Path // in arrival order
}

// LocRIB is the Loc-RIB (RFC 4271 §3.2, §9.1): every candidate path of
// every prefix, from every peer, and the best one chosen by the decision
// process. Each candidate holds one reference in the Pool. It is not
// safe for concurrent use.
type LocRIB struct {
	pool      *Pool
	opt       Options
	d         decider
	t         tables[dest]
	multi     []multi
	freeMulti []uint32 // unused indices of multi
	pending   []Attrs
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
	cand := Path{Peer: from, PathID: c.PathID, Attrs: c.New}
	if !ok {
		if c.New == 0 {
			return dst
		}
		l.pool.Acquire(c.New)
		d = l.one(cand)
		l.t.set(fi, p, 0, d)
		return l.report(dst, fi, p, Path{}, l.best(d))
	}
	if d&multiFlag == 0 {
		s := d.path()
		if s.Peer == from && c.PathID == 0 {
			l.pending = append(l.pending, s.Attrs)
			if c.New == 0 {
				l.t.del(fi, p, 0)
				return l.report(dst, fi, p, s, Path{})
			}
			l.pool.Acquire(c.New)
			d = l.one(cand)
			l.t.set(fi, p, 0, d)
			return l.report(dst, fi, p, s, l.best(d))
		}
		if c.New == 0 {
			return dst
		}
		l.pool.Acquire(c.New)
		i := l.newMulti()
		m := &l.multi[i]
		m.paths = append(m.paths, s, cand)
		m.best = l.pick(m.paths)
		l.t.set(fi, p, 0, dest(multiFlag|i))
		return l.report(dst, fi, p, s, m.best)
	}
	i := int(d &^ multiFlag)
	m := &l.multi[i]
	old, list := m.best, m.paths
	at := -1
	for j, e := range list {
		if e.Peer == from && e.PathID == c.PathID {
			at = j
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
	l.pool.Acquire(c.New)
	switch {
	case len(list) == 0:
		l.dropMulti(i)
		l.t.del(fi, p, 0)
		return l.report(dst, fi, p, old, Path{})
	case len(list) == 1 && l.isSingle(list[0]):
		d = l.one(list[0])
		l.dropMulti(i)
		l.t.set(fi, p, 0, d)
		return l.report(dst, fi, p, old, d.path())
	}
	m.paths = list
	m.best = l.pick(list)
	return l.report(dst, fi, p, old, m.best)
}

// isSingle reports whether c alone can be a prefix in single form.
func (l *LocRIB) isSingle(c Path) bool {
	return c.PathID == 0 && c.Peer < singlePeer && l.eligible(c)
}

// one returns the dest of a prefix whose only candidate is c.
func (l *LocRIB) one(c Path) dest {
	if l.isSingle(c) {
		return dest(c.Peer)<<32 | dest(c.Attrs)
	}
	i := l.newMulti()
	m := &l.multi[i]
	m.paths = append(m.paths, c)
	m.best = l.pick(m.paths)
	return dest(multiFlag | i)
}

// best returns the best path of d (zero Path when none is eligible).
func (l *LocRIB) best(d dest) Path {
	if d&multiFlag == 0 {
		return d.path()
	}
	return l.multi[d&^multiFlag].best
}

// newMulti returns the index of an unused multi with no paths.
func (l *LocRIB) newMulti() int {
	if n := len(l.freeMulti); n > 0 {
		i := l.freeMulti[n-1]
		l.freeMulti = l.freeMulti[:n-1]
		return int(i)
	}
	l.multi = append(l.multi, multi{})
	return len(l.multi) - 1
}

// dropMulti makes multi i unused (its list's array is kept for reuse).
func (l *LocRIB) dropMulti(i int) {
	m := &l.multi[i]
	clear(m.paths)
	m.best, m.paths = Path{}, m.paths[:0]
	l.freeMulti = append(l.freeMulti, uint32(i))
}

// pick runs the decision process over list.
func (l *LocRIB) pick(list []Path) Path {
	if i := l.d.selectBest(list, 0, false); i >= 0 {
		return list[i]
	}
	return Path{}
}

func (l *LocRIB) report(dst []BestChange, fi int, p netip.Prefix, old, best Path) []BestChange {
	if old != best || l.opt.ReportAll {
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
	d, ok := l.t.get(fi, p, 0)
	if !ok {
		return Path{}, false
	}
	b := l.best(d)
	return b, b.Attrs != 0
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
	if d&multiFlag == 0 {
		return d.path(), d.path().Peer != client
	}
	list := l.multi[d&^multiFlag].paths
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
	case d&multiFlag == 0:
		return append(dst, d.path())
	}
	return append(dst, l.multi[d&^multiFlag].paths...)
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
		if d&multiFlag == 0 {
			one[0] = d.path()
			fn(p, one[0], one[:])
			return
		}
		m := &l.multi[d&^multiFlag]
		fn(p, m.best, m.paths)
	})
}
