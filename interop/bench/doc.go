// Package bench measures ze's UPDATE decoding against GoBGP's on real
// captured messages. It holds only benchmarks and the tests that keep
// them honest; it is one of the two places (with interop tests) allowed
// to import github.com/osrg/gobgp/v3.
//
// The corpus is the shared capture bird-frr-large-200k-ipv4-50k-ipv6
// (175,865 UPDATEs of a full-table-like feed from BIRD to FRR, 4-octet
// ASNs, no ADD-PATH in that direction), loaded once into memory:
//
//   - BenchmarkZeWalk: message.ParseUpdate, then every withdrawn and
//     announced prefix (nlri.Iterator), every attribute (attr.Iterator)
//     and every element inside (AS_PATH segments and ASNs, communities,
//     large and extended communities, MP_REACH_NLRI next hops and
//     prefixes, MP_UNREACH_NLRI prefixes, ORIGIN, MED, LOCAL_PREF).
//   - BenchmarkGoBGPParse: bgp.ParseBGPMessage and the same fields read
//     from GoBGP's structs.
//   - BenchmarkZeRouteEncode: speaker/route text → UPDATE.
//
// TestWalkersAgree checks both walks read the same values (so the
// comparison is fair) and TestZeWalkAllocs that ze's walk allocates
// nothing. compare.sh runs the benchmarks and prints the ratio; see
// README.md.
package bench
