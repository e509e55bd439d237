package router

import (
	"net/netip"

	"github.com/ze-bgp/ze/speaker/rib"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// peer returns the state of the peer named name, creating it. Called
// with the router locked.
func (r *Router) peer(name string) *peer {
	p := r.peers[name]
	if p == nil {
		p = &peer{name: name, override: rib.NewAdjIn(r.pool, localCtx)}
		r.peers[name] = p
	}
	return p
}

// allocID returns a Loc-RIB peer ID for a new session described by pe:
// one a gone session with the same description left (its paths are all
// withdrawn by then), else a new one. The Loc-RIB keeps a description
// per ID forever, so reusing them keeps a flapping peer from growing the
// table of IDs (and the ADD-PATH identifiers keyed by them): IDs grow
// only with the number of distinct (address, router ID, AS, iBGP)
// sessions ever seen at once.
func (r *Router) allocID(pe rib.Peer) rib.PeerID {
	if ids := r.free[pe]; len(ids) > 0 {
		id := ids[len(ids)-1]
		if len(ids) == 1 {
			delete(r.free, pe)
		} else {
			r.free[pe] = ids[:len(ids)-1]
		}
		return id
	}
	return r.loc.AddPeer(pe)
}

// freeID makes id, whose source is gone and whose paths are withdrawn,
// available to allocID.
func (r *Router) freeID(id rib.PeerID) {
	pe := r.loc.Peer(id)
	r.free[pe] = append(r.free[pe], id)
}

// Remove forgets the peer named name, which left the configuration: its
// session, when up, is taken down (its routes withdrawn from the
// Loc-RIB and the other sessions told, as Down does), and its override
// routes (static and targeted API routes) and counters are dropped. A
// later Up with that name starts afresh. Removing an unknown name does
// nothing.
func (r *Router) Remove(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.peers[name]
	if p == nil {
		return
	}
	if p.s != nil {
		r.down(p.s)
	}
	r.endRestart(p) // routes kept across a graceful restart
	r.cs = p.override.Clear(r.cs[:0])
	r.cs = p.override.Clear(r.cs[:0]) // empty: releases the cleared handles
	delete(r.peers, name)
}

// SetStatic replaces the config static routes of the peer named name
// (override routes, see the package doc) with routes: the old ones that
// routes no longer holds (same family, prefix and path identifier) are
// withdrawn, routes are announced, and when the peer's session is up it
// is sent what changed — without a session reset (a reload that changes
// only static routes). The routes are kept for the peer's later
// sessions in place of its config's Static. routes must not be modified
// afterwards. Errors: a route that cannot be encoded (nothing is
// announced then, though withdrawals may have been applied).
//
// A targeted API route for the same prefix shares the override slot:
// withdrawing a static route withdraws it too.
func (r *Router) SetStatic(name string, routes []route.Route) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.peer(name)
	type key struct {
		f  wire.Family
		p  netip.Prefix
		id uint32
	}
	keep := make(map[key]bool, len(routes))
	for _, rt := range routes {
		keep[key{rt.Family, rt.Prefix.Masked(), rt.PathID}] = true
	}
	var gone []route.Route
	for _, rt := range p.static {
		if !keep[key{rt.Family, rt.Prefix.Masked(), rt.PathID}] {
			gone = append(gone, rt)
		}
	}
	p.static, p.staticSet = routes, true
	if len(gone) > 0 {
		if err := r.applyOverride(p, gone, true, true); err != nil {
			return err
		}
	}
	if len(routes) > 0 {
		return r.applyOverride(p, routes, false, true)
	}
	return nil
}
