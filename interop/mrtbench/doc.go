// Package mrtbench measures ze's MRT reading (`make bench-mrt`) on one
// large RIB dump and one large update file, in the same run:
//
//   - `ze mrt dump -m` against `bgpdump -m` (the reference C tool): wall
//     time, MB/s, records/s, the ratio, and the two outputs compared
//     byte for byte;
//   - plain record iteration with package mrt (records, RIB entries or
//     UPDATEs, every attribute, AS path and NLRI walked in place) against
//     GoBGP's pkg/packet/mrt decoding every record's body into its
//     structs, both from the decompressed file in memory;
//   - whole-file iteration of the gzip file against decompression alone
//     (`gzip -dc > /dev/null` and Go's compress/gzip), to show that
//     reading is bounded by decompression (ze decompresses on its own
//     goroutine, on the second core, while it parses).
//
// The inputs are bgpdump's largest test files (shared data folder,
// mrt/bgpdump/test_data): bview.20020722.2337.gz (TABLE_DUMP, RouteViews
// 2002) and updates.et-header.2015.gz (BGP4MP_ET). They are too small
// for stable timing, so each is repeated (gzip members concatenated,
// ZE_MRTBENCH_COPIES times, default 8); GoBGP reads neither TABLE_DUMP
// version 1 nor BGP4MP_ET, so the RIB dump is also converted to
// TABLE_DUMP_V2 with package mrt's writer (the form RIS and RouteViews
// publish today), and the _ET microseconds are skipped before GoBGP's
// parser sees a record.
//
// Everything sits behind the build tag mrtbench, out of `make test`;
// run.sh (the Makefile's bench-mrt) runs it. It is one of the places
// allowed to import github.com/osrg/gobgp/v3.
package mrtbench
