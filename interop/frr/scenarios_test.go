//go:build interop

package frr

import (
	"fmt"
	"testing"
	"time"

	"github.com/ze-bgp/ze/interop/harness"
)

// TestScenariosWithFRR runs the interop scenarios of harness.RunScenarios
// between ze and FRR's bgpd, each in its own network namespace
// (zeio-frr-z-PID, zeio-frr-d-PID) joined by a veth pair: eBGP over IPv4
// and IPv6, 4-octet ASNs, communities, iBGP with LOCAL_PREF, ADD-PATH,
// withdrawals, route refresh both ways and the shutdown communication.
func TestScenariosWithFRR(t *testing.T) {
	tp := harness.NewTopology(t, "frr")
	ze, zeTest := harness.Binaries(t)
	harness.RunScenarios(t, tp, func(t *testing.T) harness.Daemon {
		return harness.StartFRR(t, tp.Daemon, harness.KeepDir(t), harness.FRRScenarioConf())
	}, ze, zeTest)
}

// The LAN of TestRouteServerBetweenFRRAndBIRD: one segment, as at an
// internet exchange.
const (
	rsZe      = "10.0.1.1" // ze, the route server, AS 65000
	rsFRR     = "10.0.1.2" // FRR, AS 65001
	rsBIRD    = "10.0.1.3" // BIRD, AS 65002
	rsFRRNet  = "10.5.1.0/24"
	rsBIRDNet = "10.6.1.0/24"
)

const rsZeConf = `bgp {
  local-as 65000;
  router-id 10.0.1.1;
  route-server-client;
  peer frr  { remote { ip 10.0.1.2; as 65001; } local-address 10.0.1.1; }
  peer bird { remote { ip 10.0.1.3; as 65002; } local-address 10.0.1.1; }
}
`

// rsFRRConf: FRR accepts a first AS that is not the route server's
// (no bgp enforce-first-as) and sends its network with MED 50.
const rsFRRConf = `hostname frr
log stdout informational
router bgp 65001
 bgp router-id 10.0.1.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp enforce-first-as
 neighbor 10.0.1.1 remote-as 65000
 neighbor 10.0.1.1 passive
 address-family ipv4 unicast
  network 10.5.1.0/24 route-map ATTRS
 exit-address-family
!
route-map ATTRS permit 10
 set metric 50
 set community 65001:100
!
`

// rsBIRDConf: BIRD (whose first-AS check is off by default) sends its
// static route with MED 60.
const rsBIRDConf = `log "@LOG@" all;
router id 10.0.1.3;
protocol device { }
protocol static own { ipv4; route 10.6.1.0/24 blackhole; }
protocol bgp ze {
  local 10.0.1.3 as 65002;
  neighbor 10.0.1.1 as 65000;
  passive on;
  ipv4 {
    import all;
    export filter { if source = RTS_STATIC then { bgp_med = 60; bgp_community.add((65002,200)); accept; } reject; };
  };
}
`

// TestRouteServerBetweenFRRAndBIRD runs ze as a route server (RFC 7947)
// between FRR and BIRD on one LAN (a bridge in ze's namespace,
// zeio-rs-{z,f,b}-PID) and checks that it is transparent both ways
// (§2.2): the route each daemon announces reaches the other with the
// AS_PATH of its origin only (ze's AS 65000 not prepended), the
// origin's next hop and MED unchanged, and its community.
func TestRouteServerBetweenFRRAndBIRD(t *testing.T) {
	nss := harness.NewLAN(t, "rs",
		harness.LANMember{Name: "z", Addrs: []string{rsZe + "/24"}},
		harness.LANMember{Name: "f", Addrs: []string{rsFRR + "/24"}},
		harness.LANMember{Name: "b", Addrs: []string{rsBIRD + "/24"}})
	ze, _ := harness.Binaries(t)
	start := time.Now()
	harness.StartZe(t, nss[0], harness.KeepDir(t), ze, rsZeConf, rsZe+":1790")
	frr := harness.StartFRR(t, nss[1], harness.KeepDir(t), rsFRRConf)
	bird := harness.StartBIRD(t, nss[2], harness.KeepDir(t), rsBIRDConf, map[string]string{rsZe: "ze"})
	t.Logf("daemons: %s, %s", frr.Version(), bird.Version())

	for _, c := range []struct {
		d      harness.Daemon
		prefix string
		want   harness.Want
	}{
		{bird, rsFRRNet, harness.Want{ASPath: []uint32{65001}, NextHop: rsFRR, MED: "50", Communities: []string{"65001:100"}}},
		{frr, rsBIRDNet, harness.Want{ASPath: []uint32{65002}, NextHop: rsBIRD, MED: "60", Communities: []string{"65002:200"}}},
	} {
		t.Run(c.d.Version(), func(t *testing.T) {
			harness.WaitFor(t, 30*time.Second, c.d.Version()+": "+c.prefix+" through ze, unchanged", func() (bool, string) {
				routes, raw, err := c.d.Routes(rsZe, false)
				if err != nil {
					return false, fmt.Sprintf("%v\n%s", err, raw)
				}
				diff := harness.CheckRoutes(routes, map[string]harness.Want{c.prefix: c.want})
				return diff == "", diff + "\n" + raw
			})
		})
	}
	t.Logf("verified against %s and %s in %v", frr.Version(), bird.Version(), time.Since(start).Round(time.Millisecond))
}
