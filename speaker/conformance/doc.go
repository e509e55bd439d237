// Package conformance checks ze's codecs against real traffic and an
// independent reference. Every BGP message of the shared captures
// (internal/corpus.PcapDir: ../shared/data/pcap beside the module root,
// or $ZE_SHARED_DATA/pcap; read in place; the tests skip when it is
// missing) is decoded by the wire, attr, nlri, message and capability
// packages under the encoding context negotiated from the two OPENs of
// its TCP stream (capability.Observer, as corpus.Load learns it), and:
//
//   - TestTsharkConformance compares it, field by field, with tshark
//     4.0.17's dissection of the same frame (X.tshark.json): header,
//     OPEN fields and capabilities, UPDATE withdrawn routes, attributes
//     and NLRI (with ADD-PATH path identifiers), MP_REACH/MP_UNREACH,
//     End-of-RIB, NOTIFICATION, ROUTE-REFRESH;
//   - TestDecodeAll decodes every message of every capture (the
//     175,870-message throughput capture only without -short) and runs
//     message.Check on each UPDATE: no error is allowed except for the
//     deliberately malformed messages, which must give their listed
//     *wire.Error; for a capture without tshark JSON it compares ze's
//     counts over the capture with INDEX.md.
//
// Where tshark is known to be wrong or incomplete (RFC 9072 OPENs,
// RFC 8654 messages over 4096 octets, a dissection that stops at a
// malformed attribute) the RFC wins: each such case is an explicit entry
// of the exception list (capture, message, frame, field prefixes,
// reason), never a blanket skip, and an entry that no longer applies
// fails the test.
//
// Families compared in full: IPv4/IPv6 unicast and multicast, End-of-RIB
// for any family. For other families MP_REACH_NLRI is compared by
// AFI/SAFI and raw next hop, MP_UNREACH_NLRI by AFI/SAFI; their path
// attributes are compared like any other.
//
// The only non-test code is a reader for tshark's "-T json" output,
// which repeats object keys (one "bgp.update.path_attribute" per
// attribute, one "bgp" per message of a frame) and so cannot be read
// into Go maps.
//
// Sources: RFC 4271 §4, RFC 4760, RFC 7911, RFC 6793, RFC 8654,
// RFC 9072, RFC 4724 §2, RFC 9003, RFC 7606.
package conformance
