// Package message reads and writes whole BGP messages on top of the wire,
// attr, nlri and capability packages: the UPDATE as a zero-copy view with
// lazy iterators over its withdrawn routes, path attributes and NLRI
// (including those inside MP_REACH_NLRI / MP_UNREACH_NLRI), End-of-RIB
// detection, RFC 7606 checks, and the OPEN with its capabilities.
// UpdateOffsets gives the UPDATE's field offsets without an Update, for
// walks that read the fields in the message (nlri.CutIPv4, attr.Cut).
//
// Sources: RFC 4271 §4.2-4.3 and §6.2-6.3, RFC 4760, RFC 4724 §2
// (End-of-RIB), RFC 7606, RFC 5492, RFC 9072 (extended optional
// parameters length).
package message
