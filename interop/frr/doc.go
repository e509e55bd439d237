// Package frr holds the interop tests of the ze speaker against a real
// FRR 8 (Debian package frr: zebra, bgpd, vtysh). Its tests are built
// only with the `interop` tag (`make interop`, or
// `go test -tags interop -v ./interop/frr/`), need root (each test makes
// its own network namespace, ze-frr-PID, deleted afterwards) and skip
// when FRR is not installed or namespaces cannot be made. They build
// ./cmd/ze and ./cmd/ze-test of the module, print the FRR version they
// ran against, and stop every process they started by PID.
//
// TestRouteServerWithFRR: ze as a route server between FRR (eBGP over a
// veth pair inside the namespace: FRR drops 127/8 next hops as martian)
// and two `ze-test peer`s: FRR's networks reach a sink with their
// AS_PATH, NEXT_HOP and community; routes an inject peer sends show in
// `show bgp ipv4 unicast json` with their AS path and next hop
// unchanged; SIGTERM to ze shows in FRR as Cease / Administrative
// Shutdown with the RFC 9003 message "ze shutting down".
package frr
