package router

import (
	"net/netip"
	"slices"

	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/rib"
	"github.com/ze-bgp/ze/speaker/wire"
)

// propagate takes the Adj-RIB-In changes cs of src into the Loc-RIB and
// sends every established session what changes for it. raw is the
// UPDATE the changes came from when it may be forwarded unchanged (nil
// otherwise).
func (r *Router) propagate(src *source, cs []rib.Change, raw *message.Update) {
	if p := src.peer; p != nil {
		// The routes of one UPDATE share their attribute set: check it once.
		var lastH rib.Attrs
		var lastLoop bool
		for i := range cs {
			c := &cs[i]
			if c.New != 0 && c.New != lastH {
				lastH, lastLoop = c.New, r.loop(p, c.New)
			}
			if c.New != 0 && lastLoop {
				if p.rejected == nil {
					p.rejected = map[rib.NLRI]struct{}{}
				}
				p.rejected[c.NLRI] = struct{}{}
				c.New = 0
				raw = nil
			} else if p.rejected != nil {
				delete(p.rejected, c.NLRI)
			}
		}
	}
	r.bs = r.loc.Apply(r.bs[:0], src.id, cs)
	var fwd []byte // the raw UPDATE, copied once for every zero-copy target
	for _, t := range r.up {
		t.pending = t.pending[:0]
		for i := range cs { // ADD-PATH families: one route per path
			c := &cs[i]
			if t.ctx.AddPath(c.Family) && t.hasFamily(c.Family) {
				r.setPath(t, src, c.Family, c.Prefix, c.PathID, c.New)
			}
		}
		for i := range r.bs { // others: one route per prefix
			b := &r.bs[i]
			if t.ctx.AddPath(b.Family) || !t.hasFamily(b.Family) {
				continue
			}
			if b.Old == b.New && !t.rsc {
				continue // best unchanged: its export is too
			}
			r.setPrefix(t, b.Family, b.Prefix)
		}
		if len(t.pending) == 0 {
			continue
		}
		if raw != nil && r.sameAsRaw(t, src, cs, raw) {
			if fwd == nil {
				fwd = slices.Clone(raw.Raw)
			}
			if t.stalled {
				t.markDirty()
			} else if t.send(fwd) {
				t.stats.UpdatesZeroCopy++
			} else {
				t.markDirty()
				r.stalled(t)
			}
			t.pending = t.pending[:0]
			continue
		}
		r.flush(t)
	}
}

// setPrefix sets t's Adj-RIB-Out entry of prefix p (no ADD-PATH) to its
// export of the best path and notes it when it changed.
func (r *Router) setPrefix(t *peer, f wire.Family, p netip.Prefix) {
	n := rib.NLRI{Family: f, Prefix: p}
	var h rib.Attrs
	if ov, _ := t.override.Lookup(n); ov != 0 {
		h = r.export(t, nil, f, ov)
	} else {
		var best rib.Path
		var ok bool
		if t.rsc {
			best, ok = r.loc.BestFor(t.src.id, f, p)
		} else {
			best, ok = r.loc.Best(f, p)
			ok = ok && best.Peer != t.src.id
		}
		if ok {
			h = r.export(t, r.sources[best.Peer], f, best.Attrs)
		}
	}
	if t.out.Set(n, h) {
		t.pending = append(t.pending, n)
	}
}

// setPath sets t's Adj-RIB-Out entry of one path (ADD-PATH send, RFC
// 7911): the path (src, id) of prefix p with attributes h (0: gone).
func (r *Router) setPath(t *peer, src *source, f wire.Family, p netip.Prefix, id uint32, h rib.Attrs) {
	n := rib.NLRI{Family: f, Prefix: p, PathID: r.outID(src.id, id)}
	var out rib.Attrs
	if h != 0 && src != t.src {
		out = r.export(t, src, f, h)
	}
	if t.out.Set(n, out) {
		t.pending = append(t.pending, n)
	}
}

// setOverride sets t's entry of a route of its override table.
func (r *Router) setOverride(t *peer, f wire.Family, p netip.Prefix) {
	if !t.hasFamily(f) {
		return
	}
	if !t.ctx.AddPath(f) {
		r.setPrefix(t, f, p)
		return
	}
	n := rib.NLRI{Family: f, Prefix: p}
	var out rib.Attrs
	if h, _ := t.override.Lookup(n); h != 0 {
		out = r.export(t, nil, f, h)
	}
	if t.out.Set(n, out) {
		t.pending = append(t.pending, n)
	}
}

// outID returns the path identifier sent for path (src, id): assigned
// on first use, from 1 (0 is the override routes').
func (r *Router) outID(src rib.PeerID, id uint32) uint32 {
	k := pathKey{src, id}
	v, ok := r.outIDs[k]
	if !ok {
		v = uint32(len(r.outIDs) + 1)
		r.outIDs[k] = v
	}
	return v
}

// export returns t's export of path h from src (nil: t's override), a
// handle holding one reference, or 0 when t is not sent the path.
func (r *Router) export(t *peer, src *source, f wire.Family, h rib.Attrs) rib.Attrs {
	if h == 0 {
		return 0
	}
	var e rib.Exporter
	var from rib.Peer
	switch {
	case src == nil || src.local:
		e = t.local
	case t.rsc || !t.ibgp || !src.ibgp:
		e = t.main
		from = r.loc.Peer(src.id)
	case src.rrc || t.rrc: // RFC 4456 §6: reflected
		e = t.reflect
		from = r.loc.Peer(src.id)
	default: // RFC 4271 §9.2: not from one internal peer to another
		return 0
	}
	if e == nil {
		return 0
	}
	out, ok := e.Export(r.pool, f, from, h)
	if !ok {
		return 0
	}
	return out
}

// sameAsRaw reports whether what changed for t is exactly what raw
// carries, in t's send context: then raw can be forwarded unchanged.
func (r *Router) sameAsRaw(t *peer, src *source, cs []rib.Change, raw *message.Update) bool {
	if !t.rsc || t.ctx != src.peer.recv || len(t.pending) != len(cs) || len(t.ctx.AddPathFamilies()) != 0 {
		return false
	}
	for i := range cs {
		c := &cs[i]
		if t.out.Get(rib.NLRI{Family: c.Family, Prefix: c.Prefix}) != c.New {
			return false
		}
	}
	return countNLRI(raw, t.ctx) == len(cs)
}

// countNLRI returns the number of IP routes u announces or withdraws
// (-1 when a field cannot be walked).
func countNLRI(u *message.Update, ctx wire.Context) int {
	total := 0
	add := func(b []byte, f wire.Family) {
		n, err := nlri.Count(b, f, ctx.AddPath(f))
		if err != nil || total < 0 {
			total = -1
			return
		}
		total += n
	}
	add(u.Withdrawn, wire.IPv4Unicast)
	add(u.NLRI, wire.IPv4Unicast)
	if m, ok, err := u.MPReach(); ok && err == nil && m.Family.IsIP() {
		add(m.NLRI, m.Family)
	}
	if m, ok, err := u.MPUnreach(); ok && err == nil && m.Family.IsIP() {
		add(m.NLRI, m.Family)
	}
	return total
}

// eachOut calls fn for every route t may be sent in family f: with
// ADD-PATH one per path of every source (with its path and attributes)
// and per override route; otherwise once per prefix any source or the
// override holds (src nil, h 0).
func (r *Router) eachOut(t *peer, f wire.Family, fn func(n rib.NLRI, src *source, h rib.Attrs)) {
	if t.ctx.AddPath(f) {
		for _, src := range r.sources {
			if src == nil {
				continue
			}
			src.in.Routes(f, func(n rib.NLRI, h rib.Attrs, _ bool) {
				fn(n, src, h)
			})
		}
		t.override.Routes(f, func(n rib.NLRI, h rib.Attrs, _ bool) { fn(n, nil, h) })
		return
	}
	seen := map[netip.Prefix]struct{}{}
	each := func(n rib.NLRI, _ rib.Attrs, _ bool) {
		if _, dup := seen[n.Prefix]; dup {
			return
		}
		seen[n.Prefix] = struct{}{}
		fn(rib.NLRI{Family: f, Prefix: n.Prefix}, nil, 0)
	}
	for _, src := range r.sources {
		if src != nil {
			src.in.Routes(f, each)
		}
	}
	t.override.Routes(f, each)
}

// sync sends t its whole table, then End-of-RIB per family.
func (r *Router) sync(t *peer) {
	for _, f := range t.fams {
		t.pending = t.pending[:0]
		ap := t.ctx.AddPath(f)
		r.eachOut(t, f, func(n rib.NLRI, src *source, h rib.Attrs) {
			switch {
			case !ap:
				r.setPrefix(t, f, n.Prefix)
			case src == nil:
				r.setOverride(t, f, n.Prefix)
			case !t.rejectedBy(src, n):
				r.setPath(t, src, f, n.Prefix, n.PathID, h)
			}
		})
		r.flush(t)
		t.sendEoR(f)
	}
}

// rejectedBy reports whether route n of src was ignored on receipt.
func (t *peer) rejectedBy(src *source, n rib.NLRI) bool {
	if src.peer == nil || src.peer.rejected == nil {
		return false
	}
	_, ok := src.peer.rejected[n]
	return ok
}

// entry is one route to send: its NLRI as sent and its attributes
// (0: withdrawn).
type entry struct {
	n rib.NLRI
	h rib.Attrs
}

// flush encodes t's pending routes and sends them; when t is stalled,
// or a Send fails, they are remembered for Resync.
func (r *Router) flush(t *peer) {
	if len(t.pending) == 0 {
		return
	}
	if t.stalled {
		t.markDirty()
		return
	}
	es := make([]entry, len(t.pending))
	for i, n := range t.pending {
		es[i] = entry{n, t.out.Get(n)}
	}
	slices.SortStableFunc(es, func(a, b entry) int {
		if d := famKey(a.n.Family) - famKey(b.n.Family); d != 0 {
			return d
		}
		return int(a.h) - int(b.h)
	})
	e := &r.enc
	e.out = e.out[:0]
	for i := 0; i < len(es); {
		j := i + 1
		for j < len(es) && es[j].n.Family == es[i].n.Family && es[j].h == es[i].h {
			j++
		}
		t.stats.RoutesUnsendable += uint64(e.group(es[i].n.Family, es[i].h, es[i:j], t.ctx))
		i = j
	}
	for _, m := range e.out {
		if !t.send(m) {
			t.markDirty()
			r.stalled(t)
			break
		}
	}
	clear(e.out)
	t.pending = t.pending[:0]
}

func famKey(f wire.Family) int { return int(f.AFI)<<8 | int(f.SAFI) }

// markDirty moves t's pending routes to its dirty set.
func (t *peer) markDirty() {
	for _, n := range t.pending {
		t.dirty[n] = struct{}{}
	}
	t.pending = t.pending[:0]
}

func (r *Router) stalled(t *peer) {
	if r.opt.Stalled != nil {
		r.opt.Stalled(t.name)
	}
}
