//go:build interop

package frr

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/interop/harness"
)

// The addresses of the security tests: ze in one namespace, FRR in
// another, one veth link between them (a directly connected eBGP
// session, as GTSM's one hop means).
const (
	secZe  = "10.98.0.1" // ze, AS 65000, listening on 179 and dialling FRR
	secFRR = "10.98.0.2" // FRR bgpd, AS 65001
)

// secBgpd is FRR's configuration; %s is the extra neighbour lines
// (password, ttl-security).
const secBgpd = `hostname frr
router bgp 65001
 bgp router-id 10.98.0.2
 no bgp ebgp-requires-policy
 neighbor 10.98.0.1 remote-as 65000
 neighbor 10.98.0.1 timers connect 1
%s!
`

// secZeConf is ze's configuration; %s is the peer's extra settings.
const secZeConf = `bgp {
    local-as 65000;
    router-id 10.98.0.1;
    peer frr { remote { ip 10.98.0.2; as 65001; } %s }
}
`

// TestSecurityWithFRR runs ze against FRR's bgpd over a veth link
// between two network namespaces, with TCP MD5 (RFC 2385) and GTSM (RFC
// 5082) configured on each side as the case says (both sides may dial):
//
//   - md5: the same password on both: Established on both sides;
//   - md5 wrong password: never Established; the kernel counts the
//     dropped segments (TCPMD5Failure) and ze's log says that a key
//     mismatch is dropped silently, with those counters;
//   - gtsm: ttl-security 1 on both (FRR `neighbor X ttl-security hops
//     1`): Established, and FRR reports its minimum TTL;
//   - gtsm on ze only: FRR sends with TTL 1 (eBGP), below ze's minimum of
//     255: never Established, and ze's log says why it refused FRR's
//     connections;
//   - gtsm on FRR only: ze sends with the system TTL (64): FRR's kernel
//     drops it (TCPMinTTLDrop), never Established.
func TestSecurityWithFRR(t *testing.T) {
	ze, _ := harness.BuildZe(t)
	harness.Security{
		Pair: "zemd5-frr", ZeAddr: secZe, DaemonAddr: secFRR, Peer: "frr", ZeConf: secZeConf,
		Start: func(t *testing.T, ns harness.Netns, dir, lines string) harness.Daemon {
			// Launch, not Start: the session may never leave Idle for long.
			frr := harness.LaunchFRR(t, ns, dir, fmt.Sprintf(secBgpd, lines))
			harness.WaitFor(t, 10*time.Second, "FRR's neighbour ze", func() (bool, string) {
				n, out, _ := frr.Neighbor(secZe)
				return n != nil, out
			})
			return frr
		},
		Up: func(t *testing.T, d harness.Daemon, c harness.SecurityCase) {
			if !strings.Contains(c.Daemon, "ttl-security") {
				return
			}
			if n, out, _ := d.(*harness.FRR).Neighbor(secZe); n["externalBgpNbrMaxHopsAway"] != 1.0 {
				t.Errorf("FRR's neighbour ze is not GTSM with 1 hop:\n%s", out)
			}
		},
	}.Run(t, ze, []harness.SecurityCase{
		{Name: "md5", Daemon: " neighbor 10.98.0.1 password zesecret\n", Ze: `md5-password "zesecret";`, Up: true},
		{Name: "md5 wrong password", Daemon: " neighbor 10.98.0.1 password wrongpass\n", Ze: `md5-password "zesecret";`,
			ZeLog: "TCP MD5 configured: a key or TTL mismatch is dropped silently", Drop: "TCPMD5Failure"},
		{Name: "gtsm", Daemon: " neighbor 10.98.0.1 ttl-security hops 1\n", Ze: "ttl-security 1;", Up: true},
		{Name: "gtsm on ze only", Ze: "ttl-security 1;", ZeLog: "SYN TTL below the GTSM minimum: TTL 1 < 255"},
		{Name: "gtsm on FRR only", Daemon: " neighbor 10.98.0.1 ttl-security hops 1\n", Drop: "TCPMinTTLDrop",
			Race: "FRR 8.4 sets IP_MINTTL on a connection it accepts only after the handshake, so ze's first segments can get through (seen once in 7 runs)"},
	})
}
