package rib

import (
	"net/netip"

	"github.com/ze-bgp/ze/speaker/wire"
)

// AdjOut is one peer's Adj-RIB-Out (RFC 4271 §3.2): the attribute set
// last advertised for each route, so that what to send is the diff
// between the peer's export of the Loc-RIB and this table. Each entry
// holds one reference in the Pool. It is not safe for concurrent use.
type AdjOut struct {
	pool    *Pool
	t       tables[Attrs]
	pending []Attrs
}

// NewAdjOut returns an empty Adj-RIB-Out.
func NewAdjOut(p *Pool) *AdjOut { return &AdjOut{pool: p, t: newTables[Attrs]()} }

func (o *AdjOut) flush() {
	for _, h := range o.pending {
		o.pool.Release(h)
	}
	o.pending = o.pending[:0]
}

// Set records h as what is to be advertised for n (0: withdrawn) and
// reports whether that differs from what was, i.e. whether an UPDATE
// must be sent. Set takes over one reference to h (an Exporter's
// result): it is released when h is no change or later replaced. A route
// of a family not stored is refused (false, h released).
func (o *AdjOut) Set(n NLRI, h Attrs) bool {
	o.flush()
	fi := famIndex(n.Family)
	if fi < 0 || !fits(fi, n.Prefix) {
		o.pool.Release(h)
		return false
	}
	old, ok := o.t.get(fi, n.Prefix, n.PathID)
	switch {
	case old == h: // includes withdrawing what was never sent
		o.pool.Release(h)
		return false
	case h == 0:
		o.t.del(fi, n.Prefix, n.PathID)
	default:
		o.t.set(fi, n.Prefix, n.PathID, h)
	}
	if ok {
		o.pending = append(o.pending, old)
	}
	return true
}

// Get returns what was last advertised for n (0: nothing).
func (o *AdjOut) Get(n NLRI) Attrs {
	fi := famIndex(n.Family)
	if fi < 0 || !fits(fi, n.Prefix) {
		return 0
	}
	h, _ := o.t.get(fi, n.Prefix, n.PathID)
	return h
}

// Len returns the number of routes of f advertised.
func (o *AdjOut) Len(f wire.Family) int {
	fi := famIndex(f)
	if fi < 0 {
		return 0
	}
	return o.t.len(fi)
}

// Clear forgets everything (the session went down).
func (o *AdjOut) Clear() {
	o.flush()
	for fi := range families {
		o.t.each(fi, func(p netip.Prefix, id uint32, h Attrs) {
			o.t.del(fi, p, id)
			o.pool.Release(h)
		})
	}
}

// Routes calls fn for each route of f advertised (in no order) with its
// attribute set; fn must not modify the table.
func (o *AdjOut) Routes(f wire.Family, fn func(n NLRI, h Attrs)) {
	fi := famIndex(f)
	if fi < 0 {
		return
	}
	o.t.each(fi, func(p netip.Prefix, id uint32, h Attrs) {
		fn(NLRI{f, p, id}, h)
	})
}
