//go:build interop

package bird

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/interop/harness"
)

// The addresses of the test, all on lo of the test's namespace. BIRD
// needs `multihop` for 127/8 neighbours (it refuses them on direct
// sessions).
const (
	zeAddr     = "127.0.0.1" // ze, AS 65000, listening on zePort
	zePort     = "1790"
	birdAddr   = "127.0.0.2" // BIRD, AS 65001
	injectAddr = "127.0.0.3" // ze-test peer --mode inject, AS 65003
	sinkAddr   = "127.0.0.4" // ze-test peer sink, AS 65004
)

const zeConf = `bgp {
    local-as 65000;
    router-id 127.0.0.1;
    passive;
    route-server-client;
    peer bird   { remote { ip 127.0.0.2; as 65001; } }
    peer inject { remote { ip 127.0.0.3; as 65003; } }
    peer sink   { remote { ip 127.0.0.4; as 65004; } }
}
`

// birdConf: two static routes exported to ze with community 65001:100;
// short connect timers so that the session comes up within a second.
const birdConf = `log "@LOG@" all;
router id 127.0.0.2;
protocol device { }
protocol static s4 {
  ipv4;
  route 10.10.1.0/24 blackhole;
  route 10.10.2.0/24 blackhole;
}
protocol bgp ze {
  local 127.0.0.2 as 65001;
  neighbor 127.0.0.1 port 1790 as 65000;
  multihop;
  connect delay time 1;
  connect retry time 2;
  error wait time 1, 5;
  ipv4 { import all; export filter { bgp_community.add((65001,100)); accept; }; };
}
`

// TestRouteServerWithBIRD runs ze as a route server (RFC 7947) between
// BIRD 2 and two ze-test peers in a private network namespace:
//
//  1. BIRD's eBGP session to ze reaches Established (birdc show protocols);
//  2. BIRD → ze → sink: the two static routes BIRD announces reach a
//     sink peer with AS_PATH [65001], NEXT_HOP 127.0.0.2 (BIRD's address,
//     kept by the route server) and community 65001:100, then End-of-RIB;
//  3. inject → ze → BIRD: three routes an inject peer sends show in
//     `birdc show route all protocol ze` with AS path 65003 (ze does not
//     prepend itself) and next hop 127.0.0.3 (kept);
//  4. SIGTERM to ze: BIRD logs the Cease / Administrative Shutdown and
//     shows ze's RFC 9003 message "ze shutting down".
func TestRouteServerWithBIRD(t *testing.T) {
	start := time.Now()
	ze, zeTest := harness.BuildZe(t)
	ns := harness.NewNetns(t, "bird")
	dir := t.TempDir()
	zeP := harness.StartZeConf(t, ns, dir, ze, zeConf, zeAddr+":"+zePort)
	bird := harness.StartBIRD(t, ns, dir, birdConf, map[string]string{zeAddr: "ze"})
	t.Logf("daemon: %s", bird.Version())
	birdcOut := func(args ...string) string {
		out, _ := bird.Cmd(args...)
		return out
	}

	// 1. Established, seen from both sides.
	harness.WaitFor(t, 20*time.Second, "BIRD protocol ze Established", func() (bool, string) {
		return bird.Established(zeAddr)
	})
	harness.WaitFor(t, 10*time.Second, "ze: End-of-RIB from BIRD", func() (bool, string) {
		out := zeP.Out()
		return strings.Contains(out, "ze: peer bird established") &&
			strings.Contains(out, "ze: peer bird end-of-rib ipv4/unicast"), out
	})

	// 2. BIRD → ze → sink.
	sink := ns.Start(t, dir, "sink", zeTest, "peer", "--dial", zeAddr+":"+zePort,
		"--source-addresses", sinkAddr, "--asn", "65004", "--decode", "--sink-until-eor", "--timeout", "10s")
	if err := sink.Wait(t, 15*time.Second); err != nil {
		t.Fatalf("sink: %v\n%s\n%s", err, sink.Out(), sink.ErrOut())
	}
	routes, eor, report := harness.SinkRoutes(sink.Out())
	want := harness.SinkRoute{ASPath: "[65001]", NextHop: birdAddr, Community: []string{"65001:100"}}
	for _, p := range []string{"10.10.1.0/24", "10.10.2.0/24"} {
		got, ok := routes[p]
		if !ok {
			t.Errorf("sink: no %s from BIRD; got %v\n%s", p, routes, sink.Out())
			continue
		}
		if got.ASPath != want.ASPath || got.NextHop != want.NextHop || !slices.Equal(got.Community, want.Community) {
			t.Errorf("sink: %s = %+v, want %+v", p, got, want)
		}
	}
	if len(routes) != 2 || eor != 1 {
		t.Errorf("sink: %d prefixes and %d End-of-RIB, want 2 and 1: %v", len(routes), eor, routes)
	}
	if report == nil {
		t.Errorf("sink: no report line:\n%s", sink.Out())
	}

	// 3. inject → ze → BIRD.
	ns.Start(t, dir, "inject", zeTest, "peer", "--dial", zeAddr+":"+zePort,
		"--source-addresses", injectAddr, "--asn", "65003", "--mode", "inject",
		"--count", "3", "--prefix-start", "10.30.0.0/24", "--next-hop", injectAddr,
		"--linger=-1s", "--timeout", "30s")
	injected := []string{"10.30.0.0/24", "10.30.1.0/24", "10.30.2.0/24"}
	harness.WaitFor(t, 20*time.Second, "BIRD: the 3 injected routes from ze", func() (bool, string) {
		routes, out, err := bird.Routes(zeAddr, false)
		if err != nil {
			return false, out
		}
		for _, p := range injected {
			if rs := routes[p]; len(rs) != 1 || !slices.Equal(rs[0].ASPath, []uint32{65003}) || !slices.Equal(rs[0].NextHop, []string{injectAddr}) {
				return false, out
			}
		}
		return len(routes) == len(injected), out
	})

	// 4. SIGTERM: Administrative Shutdown with ze's message.
	harness.StopZe(t, zeP)
	harness.WaitFor(t, 10*time.Second, "BIRD: Administrative shutdown \"ze shutting down\"", func() (bool, string) {
		log := bird.Log()
		logOK := strings.Contains(log, `Received: Administrative shutdown: "ze shutting down"`)
		out := birdcOut("show", "protocols", "all", "ze")
		return logOK && strings.Contains(out, "Message:") && strings.Contains(out, "ze shutting down"), out + "\nbird.log:\n" + harness.Tail(log)
	})
	t.Logf("verified against %s in %v", bird.Version(), time.Since(start).Round(time.Millisecond))
}

func TestMain(m *testing.M) { harness.Main(m) }
