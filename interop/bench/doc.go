// Package bench measures ze's UPDATE decoding against GoBGP's on real
// captured messages. It holds only benchmarks and the tests that keep
// them honest; it is one of the two places (with interop tests) allowed
// to import github.com/osrg/gobgp/v3.
//
// The corpus is the shared capture bird-frr-large-200k-ipv4-50k-ipv6
// (175,865 UPDATEs of a full-table-like feed from BIRD to FRR, 4-octet
// ASNs, no ADD-PATH in that direction), loaded once into memory:
//
//   - BenchmarkZeWalk: message.UpdateOffsets, then every withdrawn and
//     announced prefix (nlri.CutIPv4), every attribute (attr.CutAt) and
//     every element inside (AS_PATH segments and ASNs with
//     attr.CutSegment, communities, large and extended communities,
//     MP_REACH_NLRI next hops and prefixes with nlri.CutIPv6,
//     MP_UNREACH_NLRI prefixes, ORIGIN, MED, LOCAL_PREF): the forms of
//     the codec's walk that keep its state in registers (see zeWalk).
//   - BenchmarkGoBGPParse: bgp.ParseBGPMessage and the same fields read
//     from GoBGP's structs.
//   - BenchmarkZeWalkParallel, BenchmarkGoBGPParseParallel: the same on
//     every core at once (throughput).
//   - BenchmarkRawWalk: the same walk written on the bytes with no codec
//     package, for reference: what the work costs without an API.
//   - BenchmarkZeRouteEncode: speaker/route text → UPDATE.
//
// TestWalkersAgree checks the walks read the same values (so the
// comparison is fair), TestZeWalkAllocs that ze's walk allocates
// nothing and TestInlined that the codec functions it calls per message,
// attribute or prefix still inline. compare.sh runs the ze and GoBGP
// benchmarks and prints the ratios; see README.md.
package bench
