// Package rib holds the speaker's routing information bases: the
// attribute Pool, the Adj-RIB-In of each peer (AdjIn), the Loc-RIB with
// the decision process (LocRIB, RFC 4271 §9.1), and the Adj-RIB-Out of
// each peer (AdjOut) with the Exporter hook that turns a Loc-RIB path
// into what a peer is sent (RFC 4271 §5, RFC 7947, RFC 4456).
//
// Wire bytes are the truth: a route's path attributes are kept as the
// attribute bytes of its UPDATE (MP_REACH_NLRI / MP_UNREACH_NLRI taken
// out, the MP next hop kept beside them), normalised to the 4-octet-AS
// encoding context (RFC 6793) and interned once in the Pool. A route is
// then a table entry from its prefix to a 4-octet handle (Attrs).
// Large attributes (AS_PATH, COMMUNITIES, CLUSTER_LIST, extended and
// large communities) are interned a second time in per-type sub-pools,
// so attribute sets that differ only in, say, MED share their AS_PATH
// and communities.
//
// The tables are exact match (no longest-prefix match is needed by the
// RIBs themselves; next-hop resolution belongs to whatever implements
// IGPCost) and group neighbouring prefixes of one length in blocks of
// up to 64 under one 8-octet key (table.go): a block with one route is
// a single map word, a fuller one a bitmap and packed values, so that a
// full table costs a few octets per route beyond its value and the
// prefixes of one UPDATE, usually neighbours, cost one map lookup per
// block. A Loc-RIB prefix with one candidate is 8 octets without
// pointers. Exporters remember their last result, so that the prefixes
// of one UPDATE are rewritten once (memo.go).
//
// Only IP unicast and multicast families (RFC 4760, AFI 1/2, SAFI 1/2)
// are stored; other families' NLRI are counted and skipped.
//
// Concurrency: nothing here locks. A Pool and every table using it are
// owned by one goroutine (the speaker's RIB loop); other goroutines talk
// to that loop. Handles returned in change lists stay valid until the
// next mutating call on the table that returned them.
package rib
