// Package openbgpd holds the interop tests of the ze speaker against a
// real OpenBGPD (Debian package openbgpd: bgpd and bgpctl). Its tests are
// built only with the `interop` tag (`make interop`, or
// `go test -tags interop -v ./interop/openbgpd/`), need root (they make
// the network namespaces zeio-openbgpd-z-PID and zeio-openbgpd-d-PID,
// deleted afterwards, and the system user _openbgpd with its chroot
// directory when missing) and skip when OpenBGPD is not installed. They
// build ./cmd/ze and ./cmd/ze-test of the module (or use
// $ZE_INTEROP_BIN), print the OpenBGPD version they ran against, and
// stop every process they started by PID.
//
// TestScenariosWithOpenBGPD runs harness.RunScenarios: eBGP over IPv4
// and IPv6 transport with 4-octet ASNs, routes both ways with MED,
// communities, large and extended communities checked on both sides
// (`bgpctl -j show rib detail` and ze's API events), AS-loop handling,
// iBGP with LOCAL_PREF, ADD-PATH both ways (OpenBGPD 7.7's `announce
// add-path send all` / `recv yes`), withdrawals, route refresh both ways
// (`bgpctl neighbor ADDR refresh`) and ze's shutdown communication
// (bgpctl's "last received shutdown reason").
package openbgpd
