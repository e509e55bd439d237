// Package route reads a route written as text and encodes it as a whole
// BGP UPDATE message.
//
// The text follows ExaBGP's API syntax, which operators already script
// against:
//
//	[announce|withdraw] route 10.0.0.0/24 next-hop 192.0.2.1 origin igp
//	    as-path [65001 (65003 65004)] med 10 local-preference 100
//	    community [65000:1 no-export] large-community [65000:1:2]
//	    extended-community [target:65000:1] atomic-aggregate
//	    aggregator 65001:192.0.2.9 originator-id 1.1.1.1
//	    cluster-list [1.1.1.1] aigp 10 path-information 7
//	    family ipv4/multicast
//
// Parse turns one such line into a Route (plain Go values: this is the
// configuration and API path, not the forwarding path); Route.AppendUpdate
// writes it as an UPDATE for one session direction's wire.Context, and
// AppendUpdates packs many routes that share attributes into as few
// UPDATEs as the message size allows.
//
// Encoding rules: RFC 4271 §4.3 (UPDATE layout, attribute order by type
// code), RFC 4760 §3-4 (MP_REACH_NLRI / MP_UNREACH_NLRI for IPv6 and
// multicast), RFC 7911 §3 (path identifiers), RFC 6793 §4.2.2 (AS_TRANS
// and AS4_PATH / AS4_AGGREGATOR towards a 2-octet-AS peer), RFC 8950
// (IPv6 next hop for IPv4 NLRI), RFC 8654 (extended message size).
package route
