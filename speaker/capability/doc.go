// Package capability reads and writes BGP capabilities, the TLVs carried
// in the Capabilities optional parameter of an OPEN message (RFC 5492),
// and negotiates the per-direction encoding context (wire.Context) from
// the capabilities two speakers exchanged.
//
// A capability is three fields:
//
//	+------------------------------+
//	| Capability Code (1 octet)    |
//	+------------------------------+
//	| Capability Length (1 octet)  |
//	+------------------------------+
//	| Capability Value (variable)  |
//	+------------------------------+
//
// Iterator walks a capability list in place; ParseX decodes the value of
// one capability and AppendX appends a whole capability (code, length,
// value). List-valued capabilities (ADD-PATH, extended next hop, graceful
// restart, long-lived graceful restart) decode to views over the value
// bytes, checked once, that can then be indexed or ranged over without
// further errors. Set summarises one OPEN's capabilities and Negotiate
// turns a local and a remote Set into the receive and send wire.Context.
// Observer does the same for a passive observer of sessions (capture
// decoding): it keeps each endpoint's OPEN per TCP stream and answers
// the context of a message in either direction.
//
// Errors are *wire.Error with code OPEN Message Error: subcode 0
// (unspecific) for a malformed capability. An error whose Action is
// wire.ActionNone marks a capability the RFC says to ignore as "not
// understood" (RFC 5492 §3) rather than to reset the session for;
// Ignorable reports it, and ParseSet and Set.Add callers skip such
// capabilities.
//
// Capabilities and their sources:
//
//	  1 multiprotocol            RFC 4760 §8
//	  2 route-refresh            RFC 2918 §2
//	  5 extended-next-hop        RFC 8950
//	  6 extended-message         RFC 8654 §3
//	  9 role                     RFC 9234 §4.1
//	 64 graceful-restart         RFC 4724 §3
//	 65 asn4                     RFC 6793 §3
//	 66 dynamic-capability-old   (name only, pre-standard)
//	 67 dynamic-capability       draft-ietf-idr-dynamic-cap (name only)
//	 69 add-path                 RFC 7911 §4
//	 70 enhanced-route-refresh   RFC 7313 §3.1
//	 71 llgr                     RFC 9494 §3
//	 73 fqdn                     draft-walton-bgp-hostname-capability
//	 75 software-version         draft-abraitis-bgp-version-capability
//	 77 link-local-next-hop      draft-ietf-idr-linklocal-capability
//	128 route-refresh-cisco      pre-standard route refresh (same value as 2)
//
// Other codes are kept as code and value bytes and described as
// "capability-N" followed by the value in upper-case hex.
package capability
