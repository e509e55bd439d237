//go:build interop

package bird

import (
	"fmt"
	"testing"

	"github.com/ze-bgp/ze/interop/harness"
)

// The addresses of the security tests: ze in one namespace, BIRD in
// another, one veth link between them (a directly connected eBGP
// session: no multihop).
const (
	secZe   = "10.97.0.1" // ze, AS 65000, listening on 179 and dialling BIRD
	secBIRD = "10.97.0.2" // BIRD, AS 65001
)

// secBirdConf is BIRD's configuration: the log file, then the extra
// protocol lines (password, ttl security).
const secBirdConf = `log "@LOG@" all;
router id 10.97.0.2;
protocol device { }
protocol bgp ze {
  local 10.97.0.2 as 65001;
  neighbor 10.97.0.1 as 65000;
  connect delay time 1;
  connect retry time 2;
  error wait time 1, 5;
%s  ipv4 { import all; export none; };
}
`

// secZeConf is ze's configuration; %s is the peer's extra settings.
const secZeConf = `bgp {
    local-as 65000;
    router-id 10.97.0.1;
    peer bird { remote { ip 10.97.0.2; as 65001; } %s }
}
`

// TestSecurityWithBIRD runs ze against BIRD 2 over a veth link between
// two network namespaces, with TCP MD5 (RFC 2385) and GTSM (RFC 5082)
// on each side as the case says (both sides may dial):
//
//   - md5: the same password on both: Established on both sides;
//   - md5 wrong password: never Established; the kernels count the
//     dropped segments (TCPMD5Failure) and ze's log says that a key
//     mismatch is dropped silently, with those counters;
//   - gtsm: `ttl security on` in BIRD, ttl-security 1 in ze:
//     Established.
func TestSecurityWithBIRD(t *testing.T) {
	ze, _ := harness.BuildZe(t)
	harness.Security{
		Pair: "zemd5-bird", ZeAddr: secZe, DaemonAddr: secBIRD, Peer: "bird", ZeConf: secZeConf,
		Start: func(t *testing.T, ns harness.Netns, dir, lines string) harness.Daemon {
			return harness.StartBIRD(t, ns, dir, fmt.Sprintf(secBirdConf, lines), map[string]string{secZe: "ze"})
		},
	}.Run(t, ze, []harness.SecurityCase{
		{Name: "md5", Daemon: "  password \"zesecret\";\n", Ze: `md5-password "zesecret";`, Up: true},
		{Name: "md5 wrong password", Daemon: "  password \"wrongpass\";\n", Ze: `md5-password "zesecret";`,
			ZeLog: "TCP MD5 configured: a key or TTL mismatch is dropped silently", Drop: "TCPMD5Failure"},
		{Name: "gtsm", Daemon: "  ttl security on;\n", Ze: "ttl-security 1;", Up: true},
	})
}
