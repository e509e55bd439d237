// Package api is the speaker's programmable interface for external
// programs, compatible with ExaBGP's process API: existing ExaBGP scripts
// run unchanged.
//
// A configured process is started with its standard input and output
// connected to the speaker. It writes one command per line on its
// standard output ("announce route 10.0.0.0/24 next-hop self",
// "neighbor 192.0.2.1 teardown 2", …); Parse turns a line into a typed
// Command. The speaker receives the commands through its Handler and
// the process is answered "done" or "error" on its standard input (when
// acknowledgements are on, the default). Events (session state changes
// and BGP messages, in ExaBGP 4.x JSON, ExaBGP text or ze's own JSON)
// are written to the same standard input.
//
// The design rule is that a consumer never blocks the speaker: every
// process has a bounded Queue between the speaker and its standard
// input, Send never blocks, and a full queue is handled by a Policy
// (kill the process, or discard events and count them). A process that
// exits is restarted with backoff, at most Respawn.Max times within
// Respawn.Window. The routes a process announced are remembered so that
// the speaker can withdraw them when it exits.
//
// The package does no network I/O and knows no session: the speaker
// implements Handler (and optionally ExitHandler) and describes its
// sessions as Neighbor values. docs/api.md describes the commands,
// answers, events, queue policy and metrics.
//
// Sources: ExaBGP's public API documentation and command syntax (format
// only), RFC 4271 (UPDATE), RFC 4724 §2 (End-of-RIB), RFC 2918 and
// RFC 7313 (ROUTE-REFRESH), RFC 7911 (path identifiers), RFC 4486 and
// RFC 9003 (Cease subcodes and shutdown communication).
package api
