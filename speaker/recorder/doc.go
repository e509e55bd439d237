// Package recorder records what the speaker receives to MRT files (RFC
// 6396, RFC 8050), as route collectors do, from the configuration's mrt
// block (config.MRT):
//
//   - updates: every UPDATE a recorded peer sends, as received, in a
//     BGP4MP_ET MESSAGE_AS4 record (MESSAGE on a 2-octet-AS session, the
//     _ADDPATH subtype when the session negotiated ADD-PATH receive for
//     the message's families, see mrt.MessageSubtype), and each session
//     going up or down as STATE_CHANGE_AS4 records (OpenConfirm →
//     Established, Established → Idle: the session driver reports only
//     those two transitions); files rotate every period, aligned to the
//     clock;
//   - table: every period, a TABLE_DUMP_V2 dump of every recorded
//     peer's Adj-RIB-In: a PEER_INDEX_TABLE, then one RIB record per
//     prefix with one entry per peer and path, like a RIPE RIS bview;
//   - loc-rib: every period, a TABLE_DUMP_V2 dump of the Loc-RIB's best
//     paths (view name "loc-rib"; local routes, static or from the API,
//     under a peer with address 0.0.0.0 and AS 0).
//
// Table dumps read the router through router.Snapshot, in batches, so
// the router is never locked for more than a batch; a dump file is
// written as NAME.tmp and renamed once complete. RIB entries hold the
// attributes as the RIB keeps them (4-octet ASNs, as RFC 6396 §4.3.4
// requires) with MP_REACH_NLRI cut down to its next hop; their
// originated time is when the peer's session came up (the RIB keeps no
// per-route time).
//
// Never blocking the speaker: Update, Established and Down encode the
// record into a bounded in-memory queue (Options.QueueBytes) and return;
// Run's goroutine writes the queue to the files. When the queue is full
// (the disk is slower than the peers), records are dropped and counted
// (Stats.Dropped), and Run logs how many once per flush period. A file
// that cannot be written is logged and retried at the next record.
//
// Counters (Stats): records queued, dropped, written, write errors,
// table dumps written.
package recorder
