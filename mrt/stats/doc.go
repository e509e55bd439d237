// Package stats analyses MRT files (RFC 6396, RFC 8050) for `ze mrt
// stats`: one streaming pass over the records of package mrt's Reader
// accumulates what a network engineer asks of a dump — records by type
// and subtype, the collector's peers and their routes, IPv4 and IPv6
// prefixes and their length distribution, unique AS paths and their
// length distribution (RFC 4271 §9.1.2.2 a: an AS_SET counts as one,
// confederation segments as none), origin ASNs, prefixes originated by
// more than one AS (MOAS), the most used standard (RFC 1997) and large
// (RFC 8092) communities, and, for update files, the announcement and
// withdrawal rate over time per peer.
//
// Memory grows with the distinct prefixes, AS paths, communities and
// peers of the input, never with its size: a route is counted, not kept.
// The rate series keep at most maxFineBuckets time buckets, widening them
// as the file's time span grows.
//
// A Report renders as aligned text tables (WriteText), one JSON object
// with kebab-case keys (WriteJSON) and an SVG image of the rate-over-time
// and prefix-length charts (WriteSVG, drawn with the standard library).
// Progress draws a progress bar for a terminal. docs/mrt.md, section
// "Statistics", describes the figures.
package stats
