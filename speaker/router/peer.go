package router

import (
	"net/netip"
	"slices"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/rib"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// peer is the router's state for one configured peer (by name): its
// current session when up, and its override routes across sessions.
type peer struct {
	name     string
	s        Session // nil when down
	cfg      *config.Peer
	src      *source
	recv     wire.Context
	ctx      wire.Context // send
	fams     []wire.Family
	remoteID netip.Addr
	ibgp     bool
	rsc, rrc bool // route server client, route reflector client
	err      bool // enhanced route refresh negotiated
	routerID uint32

	out      *rib.AdjOut
	override *rib.AdjIn // routes for this peer only (static, targeted API)

	static    []route.Route // the config static routes in override (SetStatic, else the first session's config)
	staticSet bool

	main, local rib.Exporter // received paths, local paths
	reflect     rib.Exporter // iBGP-learned paths reflected (nil: not sent)

	pending  []rib.NLRI // routes whose Adj-RIB-Out entry changed, to send
	stalled  bool
	dirty    map[rib.NLRI]struct{} // changed while stalled
	eorDue   []wire.Family         // End-of-RIB not sent while stalled
	rejected map[rib.NLRI]struct{} // received routes ignored (RFC 4456 §8 loop)

	stats PeerStats

	// Graceful restart (gr.go).
	gr        Restart       // what the current (or last) session's OPEN said
	grDown    bool          // the session ended gracefully: src kept, the restart timer runs
	stale     []wire.Family // families whose stale routes wait (restart, End-of-RIB or stale timer)
	stopTimer func()        // stops the running timer
	timerGen  uint64        // bumped by disarm: a late callback is ignored
}

// localCtx decodes the UPDATEs the router builds from local routes.
var localCtx = func() wire.Context {
	c := wire.Context{ASN4: true, ExtendedMessage: true}
	c, _ = c.WithExtNextHop(wire.IPv4Unicast, true)
	c, _ = c.WithExtNextHop(wire.IPv4Multicast, true)
	return c
}()

// start sets p up for session s.
func (p *peer) start(r *Router, s Session, recv wire.Context, remote capability.Speaker) {
	cfg := s.Config()
	p.s, p.cfg, p.recv, p.ctx = s, cfg, recv, s.SendContext()
	p.fams = p.fams[:0]
	for _, f := range s.Families() {
		if f.IsIP() && !slices.Contains(p.fams, f) {
			p.fams = append(p.fams, f)
		}
	}
	p.remoteID = remote.RouterID
	p.ibgp = cfg.LocalAS == cfg.Remote.AS
	p.rsc, p.rrc = cfg.RouteServerClient, cfg.RouteReflectorClient
	p.err = remote.Caps.EnhancedRouteRefresh
	rid := cfg.RouterID
	if !rid.IsValid() {
		rid = r.opt.RouterID
	}
	p.routerID = addrID(rid)
	p.out = rib.NewAdjOut(r.pool)
	p.stalled = false
	p.dirty = map[rib.NLRI]struct{}{}
	p.eorDue = nil
	p.rejected = nil
	p.stats.Up = true

	var nh4, nh6 netip.Addr
	if a := s.LocalAddr().Unmap(); a.Is4() {
		nh4 = a
	} else if a.Is6() {
		nh6 = a
	}
	p.reflect = nil
	switch {
	case p.rsc:
		p.main, p.local = rib.Transparent{}, rib.Transparent{}
	case !p.ibgp:
		p.main = &rib.EBGP{LocalAS: cfg.LocalAS, NextHop: nh4, NextHop6: nh6}
		// Locally originated routes keep the MED they were given
		// (RFC 4271 §5.1.4 forbids only propagating a received one).
		p.local = &rib.EBGP{LocalAS: cfg.LocalAS, KeepMED: true}
	default:
		lp := r.opt.Decision.DefaultLocalPref
		if lp == 0 {
			lp = 100
		}
		p.main = &rib.IBGP{LocalPref: lp}
		p.local = p.main
		cluster := addrID(cfg.ClusterID)
		if cluster == 0 {
			cluster = p.routerID
		}
		p.reflect = &rib.IBGP{LocalPref: lp, Reflect: true, ClusterID: cluster}
	}
}

// stop forgets the session (not its Loc-RIB source: the caller frees
// it, or keeps it across a graceful restart).
func (p *peer) stop() {
	p.out.Clear()
	p.s, p.out = nil, nil
	p.pending = p.pending[:0]
	p.stats.Up = false
}

func (p *peer) hasFamily(f wire.Family) bool { return slices.Contains(p.fams, f) }

// send hands msg to the session; a failure stalls it.
func (p *peer) send(msg []byte) bool {
	if p.stalled {
		return false
	}
	if err := p.s.Send(msg); err != nil {
		p.stalled = true
		p.stats.SendFailures++
		return false
	}
	p.stats.UpdatesSent++
	return true
}

// sendEoR sends the End-of-RIB marker of f (RFC 4724 §2), or keeps it
// for Resync when stalled.
func (p *peer) sendEoR(f wire.Family) {
	if !p.send(EndOfRIB(f)) {
		p.eorDue = append(p.eorDue, f)
	}
}

// EndOfRIB returns the End-of-RIB marker of f (RFC 4724 §2): an empty
// UPDATE for IPv4 unicast, else an UPDATE whose only attribute is an
// empty MP_UNREACH_NLRI for f.
func EndOfRIB(f wire.Family) []byte {
	if f == wire.IPv4Unicast {
		return message.AppendUpdate(nil, nil, nil, nil)
	}
	return message.AppendUpdate(nil, nil, attr.AppendMPUnreach(nil, f, nil), nil)
}

// loop reports whether path h received by p must be ignored: its
// AS_PATH holds p's local AS (RFC 4271 §9.1.2), or, from an iBGP peer,
// its ORIGINATOR_ID is the local router ID or its CLUSTER_LIST holds the
// local cluster ID (RFC 4456 §8).
func (r *Router) loop(p *peer, h rib.Attrs) bool {
	if r.pool.PathHasAS(h, p.cfg.LocalAS) {
		return true // AS loop (RFC 4271 §9.1.2): our AS is in the path
	}
	if !p.ibgp {
		return false
	}
	cluster := addrID(p.cfg.ClusterID)
	if cluster == 0 {
		cluster = p.routerID
	}
	return r.pool.ReflectionLoop(h, p.routerID, cluster)
}

// FamilyStats are one family's route counts of a peer (gauges).
type FamilyStats struct {
	Family     wire.Family
	Received   int // bgp_routes_received: routes in the Adj-RIB-In
	Accepted   int // bgp_routes_accepted: of those, the ones in the Loc-RIB
	Advertised int // bgp_routes_advertised: routes in the Adj-RIB-Out
}

// PeerStats are one peer's counters. The uint64 fields count since the
// router first saw the peer.
type PeerStats struct {
	Name             string
	Up               bool
	Stalled          bool
	Families         []FamilyStats
	UpdatesReceived  uint64 // UPDATEs given to Update
	UpdatesSent      uint64 // messages Send accepted
	UpdatesZeroCopy  uint64 // of those, received UPDATEs forwarded unchanged
	SendFailures     uint64 // Send calls that failed (the session stalled)
	RoutesUnsendable uint64 // routes that could not be encoded for the session (too big, next hop)
}

// Stats returns the counters of every peer the router has seen, in no
// particular order.
func (r *Router) Stats() []PeerStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]PeerStats, 0, len(r.peers))
	for _, p := range r.peers {
		out = append(out, p.snapshot())
	}
	return out
}

// snapshot returns p's counters with its current route counts. Called
// with the router locked.
func (p *peer) snapshot() PeerStats {
	st := p.stats
	st.Name, st.Stalled, st.Families = p.name, p.stalled, nil
	if p.s == nil {
		return st
	}
	for _, f := range p.fams {
		fs := FamilyStats{Family: f, Received: p.src.in.Len(f), Advertised: p.out.Len(f)}
		fs.Accepted = fs.Received
		for n := range p.rejected {
			if n.Family == f {
				fs.Accepted--
			}
		}
		st.Families = append(st.Families, fs)
	}
	return st
}
