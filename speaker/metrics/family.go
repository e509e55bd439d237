package metrics

import (
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/wire"
)

// gobgpFamilies are GoBGP's route-family names (its RouteFamily
// strings, v3.30.0), which it writes as the route_family label.
var gobgpFamilies = map[wire.Family]string{
	{AFI: 1, SAFI: 1}:       "ipv4-unicast",
	{AFI: 2, SAFI: 1}:       "ipv6-unicast",
	{AFI: 1, SAFI: 2}:       "ipv4-multicast",
	{AFI: 2, SAFI: 2}:       "ipv6-multicast",
	{AFI: 1, SAFI: 4}:       "ipv4-labelled-unicast",
	{AFI: 2, SAFI: 4}:       "ipv6-labelled-unicast",
	{AFI: 1, SAFI: 128}:     "l3vpn-ipv4-unicast",
	{AFI: 2, SAFI: 128}:     "l3vpn-ipv6-unicast",
	{AFI: 1, SAFI: 129}:     "l3vpn-ipv4-multicast",
	{AFI: 2, SAFI: 129}:     "l3vpn-ipv6-multicast",
	{AFI: 25, SAFI: 65}:     "l2vpn-vpls",
	{AFI: 25, SAFI: 70}:     "l2vpn-evpn",
	{AFI: 1, SAFI: 132}:     "rtc",
	{AFI: 1, SAFI: 7}:       "ipv4-encap",
	{AFI: 2, SAFI: 7}:       "ipv6-encap",
	{AFI: 1, SAFI: 133}:     "ipv4-flowspec",
	{AFI: 1, SAFI: 134}:     "l3vpn-ipv4-flowspec",
	{AFI: 2, SAFI: 133}:     "ipv6-flowspec",
	{AFI: 2, SAFI: 134}:     "l3vpn-ipv6-flowspec",
	{AFI: 25, SAFI: 134}:    "l2vpn-flowspec",
	{AFI: 16397, SAFI: 241}: "opaque",
	{AFI: 16388, SAFI: 71}:  "ls",
	{AFI: 1, SAFI: 73}:      "ipv4-srpolicy",
	{AFI: 2, SAFI: 73}:      "ipv6-srpolicy",
	{AFI: 1, SAFI: 85}:      "ipv4-mup",
	{AFI: 2, SAFI: 85}:      "ipv6-mup",
}

// FamilyName returns the route_family label value of f: GoBGP's name
// for it ("ipv4-unicast", "l3vpn-ipv4-unicast", "l2vpn-evpn"…), so that
// dashboards built for GoBGP work unchanged. A family GoBGP has no name
// for gets ze's "afi/safi" form (wire.Family.String, "bgp-ls/bgp-ls-vpn",
// "afi-3/safi-9") where GoBGP would print "UnknownFamily(N)".
func FamilyName(f wire.Family) string {
	if s, ok := gobgpFamilies[f]; ok {
		return s
	}
	return f.String()
}

// sessionState returns GoBGP's session_state label value for s (its
// PeerState.SessionState enum names).
func sessionState(s fsm.State) string {
	switch s {
	case fsm.Idle:
		return "IDLE"
	case fsm.Connect:
		return "CONNECT"
	case fsm.Active:
		return "ACTIVE"
	case fsm.OpenSent:
		return "OPENSENT"
	case fsm.OpenConfirm:
		return "OPENCONFIRM"
	case fsm.Established:
		return "ESTABLISHED"
	}
	return "UNKNOWN"
}

// stateNumber returns s numbered as RFC 4273's bgpPeerState (idle 1 …
// established 6), 0 for an invalid state.
func stateNumber(s fsm.State) float64 {
	if !s.Valid() {
		return 0
	}
	return float64(s) + 1
}
