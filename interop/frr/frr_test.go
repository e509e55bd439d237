//go:build interop

package frr

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/interop/harness"
)

// The addresses of the test: a veth pair inside the test's namespace,
// v0 holding ze's and the test peers' addresses, v1 FRR's. FRR drops
// 127/8 next hops as martian and wants connected neighbours, hence no
// loopback addresses here.
const (
	zeAddr     = "10.99.0.1" // ze, AS 65000, listening on zePort
	zePort     = "1790"
	frrAddr    = "10.99.0.2" // FRR bgpd, AS 65001
	injectAddr = "10.99.0.3" // ze-test peer --mode inject, AS 65003
	sinkAddr   = "10.99.0.4" // ze-test peer sink, AS 65004
	injectNH   = "10.99.0.9" // next hop of the injected routes: connected, nobody's address
)

const zeConf = `bgp {
    local-as 65000;
    router-id 10.99.0.1;
    passive;
    route-server-client;
    peer frr    { remote { ip 10.99.0.2; as 65001; } }
    peer inject { remote { ip 10.99.0.3; as 65003; } }
    peer sink   { remote { ip 10.99.0.4; as 65004; } }
}
`

// bgpdConf: two networks announced to ze with community 65001:100
// (no import check: they are in no table); no eBGP policy requirement.
const bgpdConf = `hostname frr
router bgp 65001
 bgp router-id 10.99.0.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 10.99.0.1 remote-as 65000
 neighbor 10.99.0.1 port 1790
 neighbor 10.99.0.1 update-source 10.99.0.2
 neighbor 10.99.0.1 timers connect 1
 address-family ipv4 unicast
  network 10.20.1.0/24
  network 10.20.2.0/24
  neighbor 10.99.0.1 route-map SETCOMM out
 exit-address-family
!
route-map SETCOMM permit 10
 set community 65001:100
!
`

// TestRouteServerWithFRR runs ze as a route server (RFC 7947) between
// FRR's bgpd and two ze-test peers in a private network namespace:
//
//  1. FRR's eBGP session to ze reaches Established;
//  2. FRR → ze → sink: FRR's two networks reach a sink peer with AS_PATH
//     [65001], NEXT_HOP 10.99.0.2 (kept by the route server) and
//     community 65001:100;
//  3. inject → ze → FRR: three routes an inject peer sends show in
//     `show bgp ipv4 unicast json` with path "65003" (ze does not prepend
//     itself) and next hop 10.99.0.9 (kept);
//  4. SIGTERM to ze: FRR's last notification is Cease / Administrative
//     Shutdown with ze's RFC 9003 message "ze shutting down".
func TestRouteServerWithFRR(t *testing.T) {
	start := time.Now()
	ze, zeTest := harness.BuildZe(t)
	ns := harness.NewNetns(t, "frr")
	ns.Run(t, "ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	for _, a := range []string{zeAddr, injectAddr, sinkAddr} {
		ns.Run(t, "ip", "addr", "add", a+"/24", "dev", "v0")
	}
	ns.Run(t, "ip", "addr", "add", frrAddr+"/24", "dev", "v1")
	ns.Run(t, "ip", "link", "set", "v0", "up")
	ns.Run(t, "ip", "link", "set", "v1", "up")

	dir := t.TempDir()
	zeP := harness.StartZeConf(t, ns, dir, ze, zeConf, zeAddr+":"+zePort)
	frr := harness.StartFRR(t, ns, dir, bgpdConf)
	vty := func(cmd string) string {
		out, _ := frr.Vty(cmd)
		return out
	}
	// neighbor returns FRR's JSON view of its neighbour ze.
	neighbor := func() (map[string]any, string) {
		n, out, _ := frr.Neighbor(zeAddr)
		return n, out
	}

	// 1. Established, seen from both sides.
	harness.WaitFor(t, 20*time.Second, "FRR neighbour ze Established", func() (bool, string) {
		n, out := neighbor()
		return n != nil && n["bgpState"] == "Established", out
	})
	ver := frr.Version()
	t.Logf("daemon: %s", ver)
	harness.WaitFor(t, 10*time.Second, "ze: peer frr established", func() (bool, string) {
		return strings.Contains(zeP.Out(), "ze: peer frr established"), zeP.Out()
	})

	// 2. FRR → ze → sink. FRR sends no End-of-RIB (no graceful restart
	// negotiated), so a sink session is opened again until ze has FRR's
	// routes (each sink session ends at ze's End-of-RIB).
	want := harness.SinkRoute{ASPath: "[65001]", NextHop: frrAddr, Community: []string{"65001:100"}}
	wantPrefixes := []string{"10.20.1.0/24", "10.20.2.0/24"}
	var routes map[string]harness.SinkRoute
	harness.WaitFor(t, 20*time.Second, "sink: FRR's 2 routes through ze", func() (bool, string) {
		sink := ns.Start(t, dir, "sink", zeTest, "peer", "--dial", zeAddr+":"+zePort,
			"--source-addresses", sinkAddr, "--asn", "65004", "--decode", "--sink-until-eor", "--timeout", "5s")
		if err := sink.Wait(t, 10*time.Second); err != nil {
			return false, fmt.Sprintf("sink: %v\n%s\n%s", err, sink.Out(), sink.ErrOut())
		}
		var eor int
		routes, eor, _ = harness.SinkRoutes(sink.Out())
		return len(routes) == len(wantPrefixes) && eor == 1, sink.Out()
	})
	for _, p := range wantPrefixes {
		got, ok := routes[p]
		if !ok {
			t.Errorf("sink: no %s from FRR; got %v", p, routes)
			continue
		}
		if got.ASPath != want.ASPath || got.NextHop != want.NextHop || !slices.Equal(got.Community, want.Community) {
			t.Errorf("sink: %s = %+v, want %+v", p, got, want)
		}
	}

	// 3. inject → ze → FRR.
	ns.Start(t, dir, "inject", zeTest, "peer", "--dial", zeAddr+":"+zePort,
		"--source-addresses", injectAddr, "--asn", "65003", "--mode", "inject",
		"--count", "3", "--prefix-start", "10.30.0.0/24", "--next-hop", injectNH,
		"--linger=-1s", "--timeout", "30s")
	injected := []string{"10.30.0.0/24", "10.30.1.0/24", "10.30.2.0/24"}
	harness.WaitFor(t, 20*time.Second, "FRR: the 3 injected routes from ze", func() (bool, string) {
		out := vty("show bgp ipv4 unicast json")
		var rib struct {
			Routes map[string][]struct {
				Path     string `json:"path"`
				PeerID   string `json:"peerId"`
				Valid    bool   `json:"valid"`
				NextHops []struct {
					IP string `json:"ip"`
				} `json:"nexthops"`
			} `json:"routes"`
		}
		if json.Unmarshal([]byte(out), &rib) != nil {
			return false, out
		}
		for _, p := range injected {
			paths := rib.Routes[p]
			if len(paths) != 1 || paths[0].Path != "65003" || paths[0].PeerID != zeAddr || !paths[0].Valid ||
				len(paths[0].NextHops) != 1 || paths[0].NextHops[0].IP != injectNH {
				return false, out
			}
		}
		return true, out
	})

	// 4. SIGTERM: Administrative Shutdown with ze's message.
	harness.StopZe(t, zeP)
	harness.WaitFor(t, 10*time.Second, "FRR: Administrative Shutdown \"ze shutting down\"", func() (bool, string) {
		n, out := neighbor()
		return n != nil && n["lastNotificationReason"] == "Cease/Administrative Shutdown" &&
			n["lastShutdownDescription"] == "ze shutting down", out
	})
	t.Logf("verified against %s in %v", ver, time.Since(start).Round(time.Millisecond))
}

func TestMain(m *testing.M) { harness.Main(m) }
