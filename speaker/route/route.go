package route

import (
	"net/netip"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Route is one parsed route: a prefix, the family it is sent in, and the
// path attributes to send with it. Optional attributes are absent when
// their Has flag is false, their slice is empty, or their address is the
// zero netip.Addr.
type Route struct {
	// Withdraw makes the route a withdrawal: only Family, Prefix and
	// PathID are encoded.
	Withdraw bool
	// Family is the AFI/SAFI; Parse fills it from the prefix (unicast)
	// unless a family keyword names another IP family.
	Family wire.Family
	// Prefix is the destination; host bits are kept as written, the
	// encoder does not send them (RFC 4271 §4.3).
	Prefix netip.Prefix
	// PathID is the ADD-PATH path identifier (RFC 7911 §3), sent only
	// when the context negotiated ADD-PATH for Family.
	PathID uint32

	// NextHop is NEXT_HOP for IPv4 unicast, the next hop field of
	// MP_REACH_NLRI otherwise. Required for an announcement.
	NextHop netip.Addr
	// Origin is ORIGIN (RFC 4271 §5.1.1); the zero value is IGP, which
	// is also what Parse uses when the text names none.
	Origin attr.Origin
	// ASPath is AS_PATH (RFC 4271 §5.1.2); empty sends an empty AS_PATH,
	// as an iBGP speaker originating the route does.
	ASPath []attr.Segment

	MED             uint32 // MULTI_EXIT_DISC (RFC 4271 §5.1.4)
	HasMED          bool
	LocalPref       uint32 // LOCAL_PREF (RFC 4271 §5.1.5)
	HasLocalPref    bool
	AtomicAggregate bool            // ATOMIC_AGGREGATE (RFC 4271 §5.1.6)
	Aggregator      attr.Aggregator // AGGREGATOR (RFC 4271 §5.1.7); absent when Address is zero

	Communities      []attr.Community      // COMMUNITIES (RFC 1997)
	LargeCommunities []attr.LargeCommunity // LARGE_COMMUNITY (RFC 8092)
	ExtCommunities   []attr.ExtCommunity   // EXTENDED_COMMUNITIES (RFC 4360)

	OriginatorID netip.Addr   // ORIGINATOR_ID (RFC 4456 §8); absent when zero
	ClusterList  []netip.Addr // CLUSTER_LIST (RFC 4456 §8), IPv4-shaped IDs

	AIGP    uint64 // AIGP metric (RFC 7311)
	HasAIGP bool
}

// nlriKey identifies the NLRI a route announces or withdraws.
type nlriKey struct {
	family wire.Family
	prefix netip.Prefix
	pathID uint32
}

func (r Route) key() nlriKey {
	return nlriKey{r.Family, r.Prefix.Masked(), r.PathID}
}
