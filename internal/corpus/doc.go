// Package corpus loads the project's real BGP captures for tests and
// benchmarks: the shared capture set (SharedDir, PcapDir; it lives beside
// the repository, outside it) and the copies packages keep under their
// testdata/ folders. It is test infrastructure: no command or library
// imports it.
//
// A capture X is two files of one folder:
//
//	X.hex.txt   one whole BGP message per line (19-octet header included),
//	            hexadecimal; blank lines are skipped
//	X.msgs.tsv  optional: a header line, then one row per message, tab
//	            separated: index (0-based), frame (1-based), time_epoch
//	            (seconds with a fraction), src, dst (address:port),
//	            tcp_stream, type (OPEN, UPDATE, NOTIFICATION, KEEPALIVE,
//	            ROUTE-REFRESH), length, eor (the End-of-RIB family, or empty)
//
// Load returns each message with its row and the encoding context
// (wire.Context) its receiver decodes it with, learnt the way a passive
// observer learns it (capability.Observer): per TCP stream, the OPEN each
// endpoint sent, then for a message from A to B the context the two
// OPENs negotiate for A → B (RFC 5492, RFC 6793 4-octet ASNs, RFC 7911
// ADD-PATH per direction, RFC 8654 extended messages, RFC 8950 extended
// next hop). A capture without msgs.tsv has no endpoints: its OPENs are
// told apart by order (capability.Observer.ObserveInOrder) and its
// messages get the context both directions agree on.
//
// MustLoad is Load for tests. Golden compares test output with a golden
// file, or rewrites it (go test -update); GoldenCaptures does that for
// every capture of a folder, one subtest each.
package corpus
