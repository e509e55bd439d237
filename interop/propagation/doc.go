// Package propagation is `make bench-propagation`: how fast, and with
// how much memory, ze forwards a large table compared with BIRD, FRR,
// GoBGP and OpenBGPD under identical conditions. It holds only tests,
// built with the `interop` tag, that need root (network namespaces).
//
// The lab is two network namespaces, zepb-a-PID holding only the device
// under test (10.98.0.1, AS 65000) and zepb-b-PID holding a `ze-test
// peer --mode inject` (10.98.0.3, AS 65003) and its --expect-back
// session (10.98.0.4, AS 65004), joined by a veth pair. Each daemon in
// turn, started afresh for each shape, learns 1,000,000 IPv4 /24s by
// eBGP from the injector and forwards them by eBGP to the expect-back
// session, prepending its AS with itself as next hop (plain eBGP
// forwarding, BIRD's default, not route-server transparency). Shapes:
// 500 prefixes per UPDATE sharing one attribute set, and 10 per UPDATE
// with an attribute set per UPDATE (100,000 sets).
//
// Measured: the injector's back.seconds, from its first UPDATE written
// to the last prefix received back (one clock, one process); the
// daemon's VmHWM after the run minus its VmRSS before the injection,
// per route; its CPU seconds. TestPropagation prints the table with
// each daemon's ratio to BIRD; with ZEPB_PROFILE it also runs ze inside
// the test binary with a CPU profile of the propagation and a heap
// profile once the table is held, and prints their `go tool pprof -top`.
// TestPropagationSmoke (ze alone, 20,000 prefixes) runs under `make
// interop` so that the benchmark keeps working. README.md has the
// figures and what they say.
package propagation
