// Package filter selects the routes `ze mrt dump` prints, with the
// conditions bgpkit-parser offers: a prefix (exact, or with its less or
// more specific prefixes), the origin ASN, the peer address and ASN, a
// regular expression on the AS path text, a community (RFC 1997) or
// large community (RFC 8092), the kind of line (announce, withdraw, RIB
// entry, state change) and a time window.
//
// The dump formatters describe each line they would print as a Route
// and print it when Filter.Match accepts it; the same Filter therefore
// gives the same selection in every output format.
package filter
