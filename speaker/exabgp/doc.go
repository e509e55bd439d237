// Package exabgp renders BGP messages as the JSON objects ExaBGP's API
// encoder prints, byte for byte (the spacing included: ExaBGP builds its
// JSON with string templates, e.g. `"host" : "…"` and
// `"asn": { … } , "direction"`).
//
// Two dialects are supported:
//
//   - V4: ExaBGP 4.x (`"exabgp": "4.0.1"`, the format ExaBGP 4.2 prints),
//     checked against golden files produced by the real ExaBGP 4.2.21
//     (testdata/gen_exabgp4.py);
//   - V5: ExaBGP 5.x (`"exabgp": "5.0.0"`), checked against ExaBGP's own
//     decode vectors (testdata/decoding). V5 differs from V4 where the
//     vectors or ExaBGP 5's public source show it: the "neighbor" object
//     (spacing, "router-id"), AS_PATH as one object per segment, the
//     software-version capability, the mcast-vpn and mup SAFI names, the
//     packets-per-second rate-limit community; elsewhere it renders as V4.
//
// The renderer re-implements ExaBGP's decoding rules, quirks included,
// because they show in the output: attributes are printed in type-code
// order, the first of duplicated attributes wins, AS_PATH segments are
// flattened (V4), AS4_PATH is merged into AS_PATH the way ExaBGP does it,
// AGGREGATOR and AS4_AGGREGATOR both print as "aggregator", AIGP is
// dropped (V4), unknown transitive attributes print as
// "attribute-0xCODE-0xFLAGS", a 32-octet IPv6 next hop announces every
// prefix under both addresses, and malformed attributes that ExaBGP treats
// as withdraw turn every route into a withdrawal with an "error" entry.
// Where ExaBGP 4.2 prints invalid JSON (ROUTE-REFRESH) or crashes (a
// shutdown communication, a 4-octet-AS redirect community) this package
// prints valid JSON with the content ExaBGP meant to print.
//
// NLRI of families other than IPv4/IPv6 unicast and multicast are not
// parsed: each MP_REACH_NLRI/MP_UNREACH_NLRI of such a family is shown as
// one entry { "parsed": false, "raw": "HEX" } holding the whole NLRI
// field.
//
// Sources: ExaBGP's public JSON encoder (format only), RFC 4271, RFC 4760,
// RFC 4724 (End-of-RIB), RFC 6793 (AS4_PATH), RFC 7911 (ADD-PATH),
// RFC 2918/7313 (ROUTE-REFRESH), RFC 9003 (shutdown communication).
package exabgp
