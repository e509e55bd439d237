package rib

import (
	"errors"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Change is one route that changed in a table: Old and New are its
// attribute sets before and after (0: absent). Old stays valid until
// the next mutating call on the table that returned the change.
type Change struct {
	NLRI
	Old, New Attrs
}

// staleBit marks a route kept across a graceful restart (RFC 4724 §4.2)
// in an AdjIn value; the rest is the Attrs handle.
const staleBit = 1 << 31

// AdjIn is one peer's Adj-RIB-In (RFC 4271 §3.2): the routes the peer
// sent, unprocessed, each an attribute set handle holding one reference
// in the Pool. It is not safe for concurrent use.
type AdjIn struct {
	pool    *Pool
	ctx     wire.Context
	t       tables[uint32] // Attrs | staleBit
	eor     map[wire.Family]bool
	pending []Attrs // released at the next mutating call

	// Skipped counts MP_REACH_NLRI / MP_UNREACH_NLRI attributes of
	// families this package does not store.
	Skipped int
}

// NewAdjIn returns an empty Adj-RIB-In whose UPDATEs are decoded with
// ctx (the receive direction's encoding context).
func NewAdjIn(p *Pool, ctx wire.Context) *AdjIn {
	return &AdjIn{pool: p, ctx: ctx, t: newTables[uint32](), eor: make(map[wire.Family]bool)}
}

// Context returns the encoding context UPDATEs are decoded with.
func (a *AdjIn) Context() wire.Context { return a.ctx }

// SetContext replaces the encoding context later UPDATEs are decoded
// with: a peer that restarted gracefully (RFC 4724 §4.2) comes back on
// a new session whose negotiation may differ, and its stale routes stay
// in the table. Stored routes are not touched (their attributes are
// normalised to 4-octet ASNs whatever the context). The caller must not
// change ADD-PATH for a family that holds routes: their keys would mix
// path identifiers of two conventions.
func (a *AdjIn) SetContext(ctx wire.Context) { a.ctx = ctx }

// flush releases the handles of the previous call's changes.
func (a *AdjIn) flush() {
	for _, h := range a.pending {
		a.pool.Release(h)
	}
	a.pending = a.pending[:0]
}

// Apply applies UPDATE u to the table and appends the routes that
// changed to dst. verdict is message.Check's result for u (nil when
// clean): a session-reset verdict changes nothing and is returned (the
// caller resets the session); treat-as-withdraw turns every announced
// route into a withdrawal (RFC 7606 §2); attribute-discard leaves the
// malformed attributes out (Pool.Intern). An End-of-RIB marker (RFC 4724
// §2) is recorded (see EndOfRIB). A set of attributes Intern refuses is
// treated as withdrawn.
func (a *AdjIn) Apply(dst []Change, u message.Update, verdict error) ([]Change, error) {
	a.flush()
	action := wire.ActionNone
	if verdict != nil {
		action = wire.ActionSessionReset
		var we *wire.Error
		if errors.As(verdict, &we) {
			action = we.Action
		}
	}
	if action >= wire.ActionFamilyDisable {
		return dst, verdict
	}
	if f, ok := u.EndOfRIB(); ok {
		a.eor[f] = true
		return dst, nil
	}
	withdraw := action == wire.ActionTreatAsWithdraw
	discard := action == wire.ActionAttributeDiscard

	it := u.WithdrawnRoutes(a.ctx)
	dst = a.withdrawAll(dst, 0, &it)
	var reach, unreach []byte // MP NLRI fields
	var nextHop []byte
	reachFam, unreachFam := -1, -1
	ait := u.Attributes()
	for ait.Next() {
		switch ait.Code() {
		case attr.CodeMPReach:
			if m, err := attr.ParseMPReach(ait.Value()); err == nil && reach == nil {
				if reachFam = famIndex(m.Family); reachFam < 0 {
					a.Skipped++
				} else {
					reach, nextHop = m.NLRI, m.NextHop
				}
			}
		case attr.CodeMPUnreach:
			if m, err := attr.ParseMPUnreach(ait.Value()); err == nil && unreach == nil {
				if unreachFam = famIndex(m.Family); unreachFam < 0 {
					a.Skipped++
				} else {
					unreach = m.NLRI
				}
			}
		}
	}
	if unreachFam >= 0 {
		it = nlri.NewIterator(unreach, families[unreachFam], a.ctx.AddPath(families[unreachFam]))
		dst = a.withdrawAll(dst, unreachFam, &it)
	}
	if len(u.NLRI) > 0 {
		it = u.Announced(a.ctx)
		dst = a.announceAll(dst, 0, &it, u.Attrs, false, nil, withdraw, discard)
	}
	if reachFam >= 0 {
		it = nlri.NewIterator(reach, families[reachFam], a.ctx.AddPath(families[reachFam]))
		dst = a.announceAll(dst, reachFam, &it, u.Attrs, true, nextHop, withdraw, discard)
	}
	return dst, nil
}

// withdrawAll removes the routes of it (family index fi). A malformed
// NLRI field stops at the bad entry (message.Check reports it as a
// session reset).
func (a *AdjIn) withdrawAll(dst []Change, fi int, it *nlri.Iterator) []Change {
	for it.Next() {
		dst = a.remove(dst, fi, it.Prefix(), it.PathID())
	}
	return dst
}

func (a *AdjIn) remove(dst []Change, fi int, p netip.Prefix, id uint32) []Change {
	old, ok := a.t.get(fi, p, id)
	if !ok {
		return dst
	}
	a.t.del(fi, p, id)
	h := Attrs(old &^ staleBit)
	a.pending = append(a.pending, h)
	return append(dst, Change{NLRI: NLRI{families[fi], p.Masked(), id}, Old: h})
}

// announceAll stores the routes of it with the attribute set of attrs.
func (a *AdjIn) announceAll(dst []Change, fi int, it *nlri.Iterator, attrs []byte, mp bool, nh []byte, withdraw, discard bool) []Change {
	var h Attrs
	if !withdraw {
		var err error
		if h, err = a.pool.Intern(attrs, mp, nh, a.ctx, discard); err != nil {
			withdraw = true
		}
	}
	if withdraw {
		return a.withdrawAll(dst, fi, it)
	}
	for it.Next() {
		p, id := it.Prefix(), it.PathID()
		old, ok := a.t.get(fi, p, id)
		if ok && old == uint32(h) {
			continue // same attributes, not stale: nothing changed
		}
		a.pool.Acquire(h)
		a.t.set(fi, p, id, uint32(h))
		o := Attrs(old &^ staleBit)
		if ok {
			a.pending = append(a.pending, o)
			if o == h {
				continue // a stale route refreshed: not a change
			}
		}
		dst = append(dst, Change{NLRI: NLRI{families[fi], p.Masked(), id}, Old: o, New: h})
	}
	a.pool.Release(h) // Intern's reference
	return dst
}

// EndOfRIB reports whether the peer's End-of-RIB for f was received
// (RFC 4724 §2: its initial table for f is complete).
func (a *AdjIn) EndOfRIB(f wire.Family) bool { return a.eor[f] }

// Len returns the number of routes of family f.
func (a *AdjIn) Len(f wire.Family) int {
	fi := famIndex(f)
	if fi < 0 {
		return 0
	}
	return a.t.len(fi)
}

// Lookup returns the attribute set of route n (0 when absent) and
// whether it is stale.
func (a *AdjIn) Lookup(n NLRI) (h Attrs, stale bool) {
	fi := famIndex(n.Family)
	if fi < 0 || a.t.len(fi) == 0 || !fits(fi, n.Prefix) {
		return 0, false // an empty table is common: a peer's override routes
	}
	v, _ := a.t.get(fi, n.Prefix, n.PathID)
	return Attrs(v &^ staleBit), v&staleBit != 0
}

// fits reports whether p is a valid prefix of family index fi's AFI.
func fits(fi int, p netip.Prefix) bool {
	return p.IsValid() && p.Addr().Is4() == (fi < 2)
}

// MarkStale flags every route of f as stale and forgets f's End-of-RIB
// (RFC 4724 §4.2: the peer restarted; its routes are kept until it
// sends them again or SweepStale drops the rest).
func (a *AdjIn) MarkStale(f wire.Family) {
	fi := famIndex(f)
	if fi < 0 {
		return
	}
	delete(a.eor, f)
	a.t.each(fi, func(p netip.Prefix, id uint32, v uint32) {
		a.t.set(fi, p, id, v|staleBit)
	})
}

// SweepStale withdraws the routes of f still stale (RFC 4724 §4.2, at
// End-of-RIB or when the restart timer fires) and appends them to dst.
func (a *AdjIn) SweepStale(dst []Change, f wire.Family) []Change {
	a.flush()
	fi := famIndex(f)
	if fi < 0 {
		return dst
	}
	a.t.each(fi, func(p netip.Prefix, id uint32, v uint32) {
		if v&staleBit != 0 {
			dst = a.remove(dst, fi, p, id)
		}
	})
	return dst
}

// Clear withdraws every route (the session went down) and appends them
// to dst.
func (a *AdjIn) Clear(dst []Change) []Change {
	a.flush()
	for fi := range families {
		a.t.each(fi, func(p netip.Prefix, id uint32, _ uint32) {
			dst = a.remove(dst, fi, p, id)
		})
	}
	clear(a.eor)
	return dst
}

// Routes calls fn for each route of f (in no order) with its attribute
// set; fn must not modify the table.
func (a *AdjIn) Routes(f wire.Family, fn func(n NLRI, h Attrs, stale bool)) {
	fi := famIndex(f)
	if fi < 0 {
		return
	}
	a.t.each(fi, func(p netip.Prefix, id uint32, v uint32) {
		fn(NLRI{f, p, id}, Attrs(v&^staleBit), v&staleBit != 0)
	})
}
