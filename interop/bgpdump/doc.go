// Package bgpdump holds the interop test of `ze mrt dump` against the
// installed bgpdump (Debian package bgpdump, 1.6.2). Its tests are built
// only with the `interop` tag (`make interop`, or
// `go test -tags interop -v ./interop/bgpdump/`) and skip when bgpdump
// is not installed.
//
// TestAgainstBgpdump runs `bgpdump -m` and `-M` and `ze mrt dump -m` and
// `-M` on every file of bgpdump's test suite (gzip, and recompressed as
// bzip2 and plain), and on the synthetic records of
// mrt/bgpdump/testdata/synthetic.mrt (TABLE_DUMP_V2 with ADD-PATH and
// IPv6 peers, BGP4MP_ET with ADD-PATH, _LOCAL subtypes, AS4_PATH merges,
// the legacy BGP type, TABLE_DUMP), and requires the same output. The one
// expected difference is upstream bgpdump's and is checked as such:
// bgpdump 1.6.2 keeps host bits beyond a prefix's length in UPDATEs
// (updates.nlri_mask_trailing_bits: 11.13.0.0/13), ze clears them as
// upstream does (11.8.0.0/13).
//
// TestRandomAgainstBgpdump does the same on random well-formed records
// (fixed seeds): RIB dumps of every unicast subtype, BGP4MP and
// BGP4MP_ET messages and state changes of every subtype, with AS_SET and
// confederation segments, AS4_PATH and AS4_AGGREGATOR on 2-octet
// sessions, MP_REACH_NLRI / MP_UNREACH_NLRI with next hops of 4, 16 and
// 32 octets, communities, unknown attributes.
//
// The options bgpdump has for -m and -M (-t change, -p, -l, -u) run on
// the same files in several combinations (options_test.go), on records
// cut at every length (TestTruncatedAgainstBgpdump) and on random records
// (TestRandomOptionsAgainstBgpdump). bgpdump prints uninitialised memory
// as the time of a TABLE_DUMP_V2 entry with -t change: that column is
// left out of the comparison there (docs/mrt.md).
package bgpdump
