// Package bird holds the interop tests of the ze speaker against a real
// BIRD 2 (Debian package bird2). Its tests are built only with the
// `interop` tag (`make interop`, or
// `go test -tags interop -v ./interop/bird/`), need root (each test
// makes its own network namespace, ze-bird-PID, deleted afterwards) and
// skip when `bird`/`birdc` are not installed or namespaces cannot be
// made. They build ./cmd/ze and ./cmd/ze-test of the module, print the
// BIRD version they ran against, and stop every process they started by
// PID.
//
// TestRouteServerWithBIRD: ze as a route server between BIRD (eBGP,
// multihop on 127/8 loopback addresses, as BIRD refuses 127/8 neighbours
// on direct sessions) and two `ze-test peer`s: BIRD's static routes
// reach a sink with their AS_PATH, NEXT_HOP and community; routes an
// inject peer sends show in `birdc show route all` with their AS path
// and next hop unchanged; SIGTERM to ze shows in BIRD as Cease /
// Administrative Shutdown with the RFC 9003 message "ze shutting down".
package bird
