//go:build interop

package frr

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ze-bgp/ze/interop/harness"
)

// The addresses of the graceful restart test: ze (and a sink test peer)
// in one namespace, FRR in another, one veth link between them.
const (
	grZe   = "10.97.0.1" // ze, AS 65000, listening on 179
	grSink = "10.97.0.3" // ze-test peer sink, AS 65004, beside ze
	grFRR  = "10.97.0.2" // FRR bgpd, AS 65001
)

// grBgpd is FRR's configuration: graceful restart (restarting speaker,
// forwarding state preserved: the F bit), the networks %s.
const grBgpd = `hostname frr
router bgp 65001
 bgp router-id 10.97.0.2
 bgp graceful-restart
 bgp graceful-restart preserve-fw-state
 bgp graceful-restart restart-time 120
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 10.97.0.1 remote-as 65000
 neighbor 10.97.0.1 timers connect 1
 address-family ipv4 unicast
%s exit-address-family
!
`

const grZeConf = `bgp {
    local-as 65000;
    router-id 10.97.0.1;
    route-server-client;
    capability { graceful-restart 120; }
    peer frr  { remote { ip 10.97.0.2; as 65001; } }
    peer sink { remote { ip 10.97.0.3; as 65004; } passive; }
}
`

// TestGracefulRestartWithFRR: ze as the receiving speaker of RFC 4724
// §4.2 with FRR's bgpd as the restarting one. FRR announces three
// networks; its bgpd is killed (SIGKILL: no NOTIFICATION). ze keeps the
// routes, stale (`ze cli show adj-rib-in frr` marks them), and its sink
// gets no withdrawal. bgpd starts again with two of the networks, its
// Graceful Restart capability with the F bit: after FRR's End-of-RIB
// the sink is sent the withdrawal of the third network, and the two
// others are never sent again (no flap). Both sides set RFC 8538's N
// flag: ze's shutdown reaches FRR as a Hard Reset.
func TestGracefulRestartWithFRR(t *testing.T) {
	start := time.Now()
	ze, zeTest := harness.BuildZe(t)
	zeNS, frrNS := harness.NewNetnsPair(t, "zegr-frr", grZe+"/24", grFRR+"/24")
	zeNS.Run(t, "ip", "addr", "add", grSink+"/24", "dev", "va")
	dir := t.TempDir()

	networks := func(ps ...string) string {
		var b strings.Builder
		for _, p := range ps {
			fmt.Fprintf(&b, "  network %s\n", p)
		}
		return b.String()
	}
	sock := filepath.Join(dir, "ze.sock")
	zeP := harness.StartZeConf(t, zeNS, dir, ze, grZeConf, grZe+":179", "--control", sock)
	sink := zeNS.Start(t, dir, "sink", zeTest, "peer", "--dial", grZe+":179", "--source-addresses", grSink,
		"--asn", "65004", "--decode", "--timeout", "90s")

	frr := harness.StartFRR(t, frrNS, dir, fmt.Sprintf(grBgpd, networks("10.21.1.0/24", "10.21.2.0/24", "10.21.3.0/24")))
	bgpd1 := frr.Bgpd()
	cli := func(args ...string) string {
		out, _ := exec.Command(ze, append([]string{"cli", "--socket", sock}, args...)...).CombinedOutput()
		return string(out)
	}
	sinkHas := func(p string) bool {
		routes, _, _ := harness.SinkRoutes(sink.Out())
		_, ok := routes[p]
		return ok
	}

	// 1. FRR's three networks reach the sink through ze.
	harness.WaitFor(t, 30*time.Second, "sink: FRR's 3 routes", func() (bool, string) {
		return sinkHas("10.21.1.0/24") && sinkHas("10.21.2.0/24") && sinkHas("10.21.3.0/24"), sink.Out()
	})
	ver := frr.Version()
	t.Logf("daemon: %s", ver)
	if nb, _, err := frr.Neighbor(grZe); err == nil {
		t.Logf("FRR: graceful restart with ze: %v", nb["gracefulRestartInfo"])
	}

	// 2. bgpd killed: ze keeps the routes, stale; the sink sees no
	// withdrawal.
	if err := bgpd1.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := bgpd1.Wait(t, 10*time.Second); err == nil {
		t.Log("bgpd exited 0 on SIGKILL?")
	}
	harness.WaitFor(t, 10*time.Second, "ze: frr down, routes kept", func() (bool, string) {
		return strings.Contains(zeP.Out(), "(graceful restart: routes kept)"), zeP.Out()
	})
	harness.WaitFor(t, 5*time.Second, "ze cli: FRR's routes stale", func() (bool, string) {
		out := cli("show", "adj-rib-in", "frr")
		return strings.Count(out, " stale") == 3, out
	})
	time.Sleep(time.Second)
	if strings.Contains(sink.Out(), `"withdraw"`) {
		t.Fatalf("the sink got a withdrawal while FRR restarts:\n%s", harness.Tail(sink.Out()))
	}

	// 3. bgpd back with two of the networks: after its End-of-RIB the
	// third is withdrawn, the two others are not sent again.
	frr.RestartBgpd(t, "bgpd2", fmt.Sprintf(grBgpd, networks("10.21.1.0/24", "10.21.2.0/24")))
	harness.WaitFor(t, 60*time.Second, "ze: FRR's End-of-RIB on the new session", func() (bool, string) {
		return strings.Count(zeP.Out(), "ze: peer frr end-of-rib ipv4/unicast") == 2, zeP.Out()
	})
	harness.WaitFor(t, 10*time.Second, "sink: 10.21.3.0/24 withdrawn", func() (bool, string) {
		return strings.Contains(sink.Out(), `"withdraw"`), sink.Out()
	})
	time.Sleep(time.Second)
	out := sink.Out()
	for p, want := range map[string]int{"10.21.1.0/24": 1, "10.21.2.0/24": 1, "10.21.3.0/24": 2} {
		if got := strings.Count(out, `"`+p+`"`); got != want {
			t.Errorf("the sink saw %s in %d messages, want %d", p, got, want)
		}
	}
	if in := cli("show", "adj-rib-in", "frr"); strings.Contains(in, " stale") || strings.Contains(in, "10.21.3.0/24") {
		t.Errorf("ze's Adj-RIB-In of frr after End-of-RIB:\n%s", in)
	}
	if t.Failed() {
		t.Logf("sink:\n%s\nze:\n%s", harness.Tail(out), harness.Tail(zeP.ErrOut()))
	}
	// 4. N negotiated both ways (RFC 8538): ze's Administrative
	// Shutdown reaches FRR encapsulated in a Hard Reset (FRR shows the
	// inner Cease and its RFC 9003 text), so FRR drops ze's routes
	// rather than keeping them stale.
	harness.StopZe(t, zeP)
	harness.WaitFor(t, 10*time.Second, "FRR: Hard Reset from ze", func() (bool, string) {
		n, out, err := frr.Neighbor(grZe)
		if err != nil {
			return false, out
		}
		return n["lastNotificationHardReset"] == true && n["lastNotificationReason"] == "Cease/Administrative Shutdown" &&
			n["lastShutdownDescription"] == "ze shutting down", out
	})
	t.Logf("verified against %s in %v", ver, time.Since(start).Round(time.Millisecond))
}
