package router

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/ze-bgp/ze/speaker/rib"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Queries for operators (the control socket, `ze cli`): every function
// here copies what it returns while the router is locked, so that the
// caller renders and writes without holding the lock. The work done
// under the lock is bounded by one walk of the table asked for; what is
// copied is bounded by Query.Limit.

// Table names one of the router's RIBs.
type Table uint8

// Tables (RFC 4271 §3.2).
const (
	LocRIB    Table = iota // every candidate path of every prefix, and the best
	AdjRIBIn               // what a peer sent, unprocessed
	AdjRIBOut              // what the router sends a peer
)

var tableNames = [...]string{LocRIB: "loc-rib", AdjRIBIn: "adj-rib-in", AdjRIBOut: "adj-rib-out"}

// String returns "loc-rib", "adj-rib-in" or "adj-rib-out".
func (t Table) String() string {
	if int(t) < len(tableNames) {
		return tableNames[t]
	}
	return fmt.Sprintf("table-%d", uint8(t))
}

// DefaultLimit is the number of routes a Query returns when its Limit
// is 0.
const DefaultLimit = 10000

// Query selects routes of one table.
type Query struct {
	Table Table
	// Peer is the peer's configured name (AdjRIBIn, AdjRIBOut).
	Peer string
	// Family limits the answer to one family; zero: every IP family
	// (for a Prefix, those of its address family).
	Family wire.Family
	// Prefix limits the answer to the routes of that prefix (zero:
	// every route). With Longest, to those of the longest prefix of
	// the table that covers it (longest match: for a host route,
	// the routes that forward that address).
	Prefix  netip.Prefix
	Longest bool
	// Limit is the most routes returned (0: DefaultLimit).
	Limit int
}

// Route is one route of a query's answer. Everything is a copy.
type Route struct {
	Family wire.Family
	Prefix netip.Prefix
	PathID uint32 // RFC 7911 path identifier (0 without ADD-PATH)
	// From is, for the Loc-RIB, the name of the peer the path was
	// learned from, or of the local pseudo-peer that originated it
	// ("static", "api:NAME").
	From string
	// Best is true for the Loc-RIB's best path of the prefix (RFC 4271
	// §9.1.2); Why says, for another path, the first step of the
	// decision process the best path won on ("local-pref 100 < 200"),
	// or "not eligible" when the prefix has no best path.
	Best bool
	Why  string
	// Stale: kept across a graceful restart (RFC 4724 §4.2);
	// Rejected: received but kept out of the Loc-RIB (RFC 4456 §8
	// loop). Adj-RIB-In only.
	Stale, Rejected bool
	// NextHop is NEXT_HOP or the global address of MP_REACH_NLRI's
	// next hop.
	NextHop netip.Addr
	// Attrs are the path attributes in wire form (4-octet ASNs, no
	// MP_REACH_NLRI / MP_UNREACH_NLRI); MPNextHop is the MP_REACH_NLRI
	// next hop field, nil for routes carried with NEXT_HOP (RFC 4760 §3).
	Attrs     []byte
	MPNextHop []byte
}

// ErrUnknownPeer is returned by Routes for a peer name the router does
// not know (never configured, or never up and without static routes).
var ErrUnknownPeer = errors.New("router: unknown peer")

// ribFamilies are the families the RIB keeps.
var ribFamilies = []wire.Family{wire.IPv4Unicast, wire.IPv4Multicast, wire.IPv6Unicast, wire.IPv6Multicast}

// Routes returns the routes q selects, in no particular order, and
// whether more matched than q.Limit allows. A peer that is down has
// empty Adj-RIBs. Errors: ErrUnknownPeer (wrapped, naming the peer), a
// family the RIB does not keep.
func (r *Router) Routes(q Query) ([]Route, bool, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	if q.Family != (wire.Family{}) && !slices.Contains(ribFamilies, q.Family) {
		return nil, false, fmt.Errorf("router: family %s is not kept in the RIB (want one of %s)", q.Family, familyList(ribFamilies))
	}
	if q.Prefix.IsValid() {
		q.Prefix = q.Prefix.Masked()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c := collector{r: r, q: q}
	if q.Table != LocRIB {
		c.p = r.peers[q.Peer]
		if c.p == nil {
			return nil, false, fmt.Errorf("%w %q", ErrUnknownPeer, q.Peer)
		}
		if q.Table == AdjRIBIn && c.p.src == nil || q.Table == AdjRIBOut && c.p.out == nil {
			return nil, false, nil
		}
	}
	for _, f := range ribFamilies {
		if q.Family != (wire.Family{}) && f != q.Family {
			continue
		}
		if q.Prefix.IsValid() && q.Prefix.Addr().Is4() != (f.AFI == wire.AFIIPv4) {
			continue
		}
		if c.p != nil && !c.p.hasFamily(f) {
			continue
		}
		c.family(f)
	}
	return c.out, c.more, nil
}

func familyList(fs []wire.Family) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.String()
	}
	return strings.Join(s, ", ")
}

// collector gathers the routes of one query. Called with the router
// locked.
type collector struct {
	r    *Router
	q    Query
	p    *peer // the peer of an Adj-RIB query
	out  []Route
	more bool
}

// family collects the routes of family f.
func (c *collector) family(f wire.Family) {
	q := c.q
	switch {
	case !q.Prefix.IsValid():
		c.walk(f, func(netip.Prefix) bool { return true })
	case !c.addPath(f):
		// One lookup per candidate prefix, longest first.
		for bits := q.Prefix.Bits(); bits >= 0; bits-- {
			p, _ := q.Prefix.Addr().Prefix(bits)
			n := len(c.out) + btoi(c.more)
			c.lookup(f, p)
			if !q.Longest || len(c.out)+btoi(c.more) > n {
				return
			}
		}
	case !q.Longest:
		c.walk(f, func(p netip.Prefix) bool { return p == q.Prefix })
	default:
		// ADD-PATH tables are keyed by path identifier too: one walk
		// keeps the routes of the longest covering prefix.
		from, bits, more := len(c.out), -1, c.more
		c.walk(f, func(p netip.Prefix) bool {
			if p.Bits() > q.Prefix.Bits() || !p.Contains(q.Prefix.Addr()) || p.Bits() < bits {
				return false
			}
			if p.Bits() > bits {
				c.out, c.more, bits = c.out[:from], more, p.Bits()
			}
			return true
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// addPath reports whether the table of f is keyed by path identifier
// (no single lookup finds a prefix's routes).
func (c *collector) addPath(f wire.Family) bool {
	switch c.q.Table {
	case AdjRIBIn:
		return c.p.recv.AddPath(f)
	case AdjRIBOut:
		return c.p.ctx.AddPath(f)
	}
	return false
}

// walk collects the routes of f whose prefix match accepts.
func (c *collector) walk(f wire.Family, match func(netip.Prefix) bool) {
	r := c.r
	switch c.q.Table {
	case LocRIB:
		r.loc.Each(f, func(p netip.Prefix, best rib.Path, paths []rib.Path) {
			if match(p) {
				c.paths(f, p, best, paths)
			}
		})
	case AdjRIBIn:
		c.p.src.in.Routes(f, func(n rib.NLRI, h rib.Attrs, stale bool) {
			if match(n.Prefix) {
				c.adjIn(n, h, stale)
			}
		})
	case AdjRIBOut:
		c.p.out.Routes(f, func(n rib.NLRI, h rib.Attrs) {
			if match(n.Prefix) {
				c.add(Route{Family: n.Family, Prefix: n.Prefix, PathID: n.PathID}, h)
			}
		})
	}
}

// lookup collects the routes of prefix p of f (a table without ADD-PATH).
func (c *collector) lookup(f wire.Family, p netip.Prefix) {
	r := c.r
	n := rib.NLRI{Family: f, Prefix: p}
	switch c.q.Table {
	case LocRIB:
		paths := r.loc.Paths(nil, f, p)
		if len(paths) > 0 {
			best, _ := r.loc.Best(f, p)
			c.paths(f, p, best, paths)
		}
	case AdjRIBIn:
		if h, stale := c.p.src.in.Lookup(n); h != 0 {
			c.adjIn(n, h, stale)
		}
	case AdjRIBOut:
		if h := c.p.out.Get(n); h != 0 {
			c.add(Route{Family: f, Prefix: p}, h)
		}
	}
}

// paths collects the Loc-RIB candidates of one prefix.
func (c *collector) paths(f wire.Family, p netip.Prefix, best rib.Path, paths []rib.Path) {
	for _, path := range paths {
		rt := Route{Family: f, Prefix: p, PathID: path.PathID, From: c.r.sourceName(path.Peer)}
		rt.Best = best.Attrs != 0 && path == best
		if !rt.Best {
			rt.Why = c.r.why(best, path)
		}
		c.add(rt, path.Attrs)
	}
}

func (c *collector) adjIn(n rib.NLRI, h rib.Attrs, stale bool) {
	_, rejected := c.p.rejected[n]
	c.add(Route{Family: n.Family, Prefix: n.Prefix, PathID: n.PathID, Stale: stale, Rejected: rejected}, h)
}

// add copies rt with the attributes of h into the answer, unless the
// limit is reached.
func (c *collector) add(rt Route, h rib.Attrs) {
	if len(c.out) >= c.q.Limit {
		c.more = true
		return
	}
	pool := c.r.pool
	rt.Attrs = pool.AppendAttrs(nil, h)
	if nh, mp := pool.MPNextHop(nil, h); mp {
		rt.MPNextHop = nh
	}
	rt.NextHop = pool.Info(h).NextHop
	c.out = append(c.out, rt)
}

// sourceName names the Loc-RIB source id.
func (r *Router) sourceName(id rib.PeerID) string {
	if int(id) < len(r.sources) && r.sources[id] != nil {
		return r.sources[id].name
	}
	return fmt.Sprintf("peer-%d", id)
}

// why explains the first step of the decision process (RFC 4271
// §9.1.2.2, with RFC 4456 §9's CLUSTER_LIST length) on which path p
// loses to best. It reads the same facts as the decision process but
// compares the two paths alone: with deterministic MED, a path may
// have lost to a third one on MED.
func (r *Router) why(best, p rib.Path) string {
	if best.Attrs == 0 {
		return "not eligible"
	}
	opt := r.opt.Decision
	bi, pi := r.pool.Info(best.Attrs), r.pool.Info(p.Attrs)
	bp, pp := r.loc.Peer(best.Peer), r.loc.Peer(p.Peer)
	pref := func(in *rib.Info, pe rib.Peer) uint32 {
		if pe.IBGP && in.Has&rib.HasLocalPref != 0 {
			return in.LocalPref // §5.1.5: only internal peers' LOCAL_PREF counts
		}
		return opt.DefaultLocalPref
	}
	med := func(in *rib.Info) uint32 {
		switch {
		case in.Has&rib.HasMED != 0:
			return in.MED
		case opt.MissingMEDWorst:
			return ^uint32(0)
		}
		return 0
	}
	id := func(in *rib.Info, pe rib.Peer) uint32 {
		if in.Has&rib.HasOriginatorID != 0 {
			return in.OriginatorID // RFC 4456 §9
		}
		return pe.RouterID
	}
	switch {
	case pref(pi, pp) != pref(bi, bp):
		return fmt.Sprintf("local-pref %d < %d", pref(pi, pp), pref(bi, bp))
	case pi.PathLen != bi.PathLen:
		return fmt.Sprintf("as-path length %d > %d", pi.PathLen, bi.PathLen)
	case pi.Origin != bi.Origin:
		return fmt.Sprintf("origin %s > %s", pi.Origin, bi.Origin)
	case med(pi) != med(bi) && (pi.NeighborAS == bi.NeighborAS || opt.AlwaysCompareMED):
		return fmt.Sprintf("med %d > %d", med(pi), med(bi))
	case pp.IBGP != bp.IBGP:
		return "ibgp < ebgp"
	case id(pi, pp) != id(bi, bp):
		return fmt.Sprintf("router-id %s > %s", idAddr(id(pi, pp)), idAddr(id(bi, bp)))
	case pi.ClusterLen != bi.ClusterLen:
		return fmt.Sprintf("cluster-list length %d > %d", pi.ClusterLen, bi.ClusterLen)
	case pp.Address != bp.Address:
		return fmt.Sprintf("peer address %s > %s", pp.Address, bp.Address)
	}
	return fmt.Sprintf("path-id %d > %d", p.PathID, best.PathID)
}

// idAddr writes a BGP Identifier as an address.
func idAddr(id uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)})
}

// Neighbor is the router's view of one peer.
type Neighbor struct {
	Name string
	Up   bool
	// Kind is "route-server-client" (RFC 7947), "ibgp" (with
	// "route-reflector-client", RFC 4456, when it is one) or "ebgp",
	// from the session's config; "" before the first session.
	Kind            string
	RemoteID        netip.Addr    // the BGP Identifier of its OPEN
	LocalAddr       netip.Addr    // next-hop self
	Families        []wire.Family // negotiated IP families
	AddPathSend     []wire.Family // families sent with path identifiers (RFC 7911)
	AddPathReceive  []wire.Family // families received with path identifiers
	EnhancedRefresh bool          // RFC 7313 negotiated
	Stats           PeerStats     // counters and route counts
	// Restarting: the session ended gracefully and its routes are kept
	// until the restart timer (RFC 4724 §4.2). StaleFamilies are the
	// families whose stale routes wait (for the session, then for its
	// End-of-RIB or the stale timer).
	Restarting    bool
	StaleFamilies []wire.Family
}

// Neighbors returns every peer the router knows, sorted by name.
func (r *Router) Neighbors() []Neighbor {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Neighbor, 0, len(r.peers))
	for _, p := range r.peers {
		out = append(out, p.neighborInfo())
	}
	slices.SortFunc(out, func(a, b Neighbor) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Neighbor returns the peer named name.
func (r *Router) Neighbor(name string) (Neighbor, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.peers[name]
	if p == nil {
		return Neighbor{}, false
	}
	return p.neighborInfo(), true
}

// neighborInfo describes p. Called with the router locked.
func (p *peer) neighborInfo() Neighbor {
	n := Neighbor{Name: p.name, Up: p.s != nil, Stats: p.snapshot(), Restarting: p.grDown, StaleFamilies: slices.Clone(p.stale)}
	if p.cfg != nil {
		switch {
		case p.cfg.RouteServerClient:
			n.Kind = "route-server-client"
		case p.cfg.LocalAS != p.cfg.Remote.AS:
			n.Kind = "ebgp"
		case p.cfg.RouteReflectorClient:
			n.Kind = "ibgp route-reflector-client"
		default:
			n.Kind = "ibgp"
		}
	}
	if p.s == nil {
		return n
	}
	n.RemoteID, n.LocalAddr = p.remoteID, p.s.LocalAddr()
	n.Families = slices.Clone(p.fams)
	n.EnhancedRefresh = p.err
	for _, f := range p.fams {
		if p.ctx.AddPath(f) {
			n.AddPathSend = append(n.AddPathSend, f)
		}
		if p.recv.AddPath(f) {
			n.AddPathReceive = append(n.AddPathReceive, f)
		}
	}
	return n
}

// RIBCount is the size of the Loc-RIB in one family.
type RIBCount struct {
	Family   wire.Family
	Prefixes int // prefixes with at least one candidate path
	Paths    int // candidate paths: routes of every source (peers and local pseudo-peers) less those rejected
}

// RIBCounts returns the Loc-RIB's size in each IP family.
func (r *Router) RIBCounts() []RIBCount {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]RIBCount, 0, len(ribFamilies))
	for _, f := range ribFamilies {
		c := RIBCount{Family: f, Prefixes: r.loc.Len(f)}
		for _, src := range r.sources {
			if src == nil {
				continue
			}
			c.Paths += src.in.Len(f)
			if src.peer != nil {
				for n := range src.peer.rejected {
					if n.Family == f {
						c.Paths--
					}
				}
			}
		}
		out = append(out, c)
	}
	return out
}
