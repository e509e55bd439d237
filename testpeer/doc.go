// Package testpeer is ze's BGP test peer, the library behind
// `ze-test peer`: a scriptable peer that tests BGP speakers from the
// outside. It is built only on the codec packages (speaker/wire, nlri,
// attr, capability, message, route, zejson, textfmt) and the MRT reader
// (package mrt, itself on the codec) and never on the speaker's session
// code, so that it checks the speaker independently.
//
// A Peer listens or dials, runs a small strict session of its own (OPEN
// with the configured capabilities and wire-level edits, RFC 4271 §4.2
// and §6.2 checks, capability negotiation into directional
// wire.Context values, KEEPALIVE every hold/3, hold timer enforcement
// with NOTIFICATION 4/0, RFC 4271 §6.5), and then one of five modes:
//
//   - check: follow a Script of expected messages (ze JSON subsets,
//     exact hex, routes, End-of-RIB, NOTIFICATION codes, close) and
//     replies, one block per connection; a failure prints the script line
//     and a diff of what was expected against what came;
//   - sink: count messages and prefixes per family, RFC 7606 verdicts
//     included (Summary);
//   - echo: send every UPDATE back; reflect: send it to every other
//     session;
//   - inject: generate routes straight into a reused buffer (the shared
//     attributes encoded once) at a given rate, End-of-RIB, optional
//     withdrawal, optionally waiting until they come back on another
//     session (InjectReport); or replay an MRT RIB dump or update file
//     (MRTReplay: recorded attributes, re-encoded for the session's
//     context when it differs from the recorded one).
//
// Many sessions run in one process (Config.Peers, distinct 127.0.0.x
// source addresses): each is a reader goroutine (plus one for check and
// inject) on Go's netpoller, with a 4 KiB read buffer that borrows a
// pooled 128 KiB one only while input is heavy.
//
// Bad input never panics and never hangs past Config.Timeout: garbage,
// a truncated message or a close in the middle of one is reported with
// its hex and its ze JSON decoding, and answered with the NOTIFICATION
// the *wire.Error implies. Check mode is as strict: with the automatic
// handshake it answers by itself, and refused input meets only the
// script lines that ask for it (`expect malformed`, `expect hex`); with
// `handshake manual` the script decides what to send.
//
// Start runs a peer inside a Go test, like httptest.NewServer.
// docs/test-peer.md documents the command, its output lines and the
// script format.
package testpeer
