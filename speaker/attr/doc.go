// Package attr walks, checks and writes BGP path attributes.
//
// An attribute list is read in place by Iterator (flags, type code, value
// view); each attribute type has a parser that reads its value bytes and
// an encoder that appends the whole attribute (header included) to a
// buffer. Nothing here allocates while walking.
//
// Hot loops can use the cut forms instead of the iterators: Cut splits
// the first attribute off a list and CutSegment the first segment off an
// AS_PATH, returning the rest, so that the walk's state lives in the
// caller's variables, which the compiler keeps in registers (an
// iterator lives in memory, since its methods take its address). The
// parsers of the common attributes make no call on their success path,
// so that they inline (ParseNextHop and SplitMPReach return shared
// errors for that reason).
//
// Sources: RFC 4271 §4.3 and §5 (ORIGIN, AS_PATH, NEXT_HOP, MED,
// LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR), RFC 1997 (COMMUNITIES),
// RFC 4456 (ORIGINATOR_ID, CLUSTER_LIST), RFC 4760 (MP_REACH_NLRI,
// MP_UNREACH_NLRI), RFC 4360 and RFC 5701 (extended communities),
// RFC 6793 (AS4_PATH, AS4_AGGREGATOR), RFC 8092 (LARGE_COMMUNITY),
// RFC 7311 (AIGP), RFC 9234 (OTC), RFC 8669 and RFC 9252 (PREFIX_SID),
// RFC 6514 (PMSI_TUNNEL), RFC 7606 (error handling), RFC 5065
// (confederation segments). Extended community values shown by name:
// RFC 5668 (4-octet AS specific), RFC 8955 (FlowSpec actions), RFC 9012
// (encapsulation, color), RFC 7432 and RFC 9135 (EVPN), RFC 4761
// (layer-2 info), draft-ietf-idr-link-bandwidth.
package attr
