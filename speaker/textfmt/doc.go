// Package textfmt renders BGP messages as text, one line per route,
// for people and for grep:
//
//	announce route 10.0.0.0/24 next-hop 192.0.2.1 origin igp as-path [65001 65002] med 10 community [65000:1 no-export] path-information 1
//	withdraw route 2001:db8::/32
//	withdraw route 10.1.0.0/16 family ipv4/multicast
//	eor ipv4/unicast
//	open version 4 asn 65001 my-as 65001 hold-time 90 router-id 192.0.2.1 caps [multiprotocol ipv4/unicast; asn4 65001]
//	notification 6/2 Cease/Administrative shutdown "maintenance"
//	keepalive
//	route-refresh ipv4/unicast begin
//
// Route lines use the syntax `ze bgp encode` reads (package route,
// ExaBGP's API syntax), so a decoded route can be sent again. docs/json.md
// ("Text format") describes every line.
//
// The JSON rendering (package zejson) is the complete, wire-faithful
// view; the text is the route's meaning: on a 2-octet-AS session the AS
// path and aggregator are shown already merged with AS4_PATH and
// AS4_AGGREGATOR (RFC 6793 §4.2.3).
package textfmt
