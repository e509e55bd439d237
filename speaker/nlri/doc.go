// Package nlri walks and writes Network Layer Reachability Information:
// IP prefixes in the UPDATE's withdrawn-routes and NLRI fields and inside
// MP_REACH_NLRI / MP_UNREACH_NLRI, with optional ADD-PATH path
// identifiers.
//
// Iterators are lazy and offset-based: they read the wire bytes in place
// and never allocate. CutIPv4 and CutIPv6 are the iterator's walk as
// functions of an offset, for hot loops (their state stays in
// registers). All of them read an address with word loads that end
// where the entry ends, which needs octets before the entry: walk a
// field inside the message or attribute that holds it
// (NewIteratorFrom, or Cut from the field's offset).
//
// Sources: RFC 4271 §4.3 (prefix encoding), RFC 4760 §5 (MP NLRI),
// RFC 7911 §3 (path identifiers), RFC 7606 §5.3 (NLRI errors).
// Families other than IP unicast/multicast (VPN, labeled, FlowSpec, EVPN,
// VPLS, MUP, BGP-LS, MVPN, RTC) are not parsed here yet: callers show
// their NLRI bytes raw.
package nlri
