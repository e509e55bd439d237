// Package gobgp holds the interop tests of the ze speaker against a real
// GoBGP (Debian package gobgpd: gobgpd and the gobgp CLI). Its tests are
// built only with the `interop` tag (`make interop`, or
// `go test -tags interop -v ./interop/gobgp/`), need root (they make the
// network namespaces zeio-gobgp-z-PID and zeio-gobgp-d-PID, deleted
// afterwards) and skip when gobgpd is not installed. They build ./cmd/ze
// and ./cmd/ze-test of the module (or use $ZE_INTEROP_BIN), print the
// GoBGP version they ran against, and stop every process they started
// by PID.
//
// TestScenariosWithGoBGP runs harness.RunScenarios: eBGP over IPv4 and
// IPv6 transport with 4-octet ASNs, routes both ways with MED,
// communities, large and extended communities checked on both sides
// (`gobgp -j neighbor ADDR adj-in` and ze's API events), AS-loop
// handling, iBGP with LOCAL_PREF, ADD-PATH both ways, withdrawals, route
// refresh both ways (`gobgp neighbor ADDR softresetin`) and ze's
// shutdown communication as gobgpd logs it.
package gobgp
