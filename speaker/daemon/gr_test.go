package daemon

import (
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/router"
	"github.com/ze-bgp/ze/testpeer"
)

// grConf: a route server between gr, a peer with graceful restart (both
// sides advertise it), and a sink.
const grConf = `
bgp {
    local-as 65000;
    router-id 127.0.0.1;
    passive;
    route-server-client;
    hold-time 30;
    peer gr   { remote { ip 127.0.0.2; as 65001; } capability { graceful-restart 120; } }
    peer sink { remote { ip 127.0.0.3; as 65002; } }
}
`

// grCapF is the test peer's Graceful Restart capability: 40 code 64,
// 06 length, 40 78 flags N and restart time 120 s, 0001 01 IPv4
// unicast, 80 F bit (forwarding state preserved).
var grCapF = []byte{0x40, 0x06, 0x40, 0x78, 0x00, 0x01, 0x01, 0x80}

// TestGracefulRestart, through the daemon with ze-test peers: gr sends
// three routes and End-of-RIB, then drops its TCP connection without a
// NOTIFICATION. ze keeps the routes (stale) and the sink sees no
// withdrawal. gr comes back, sends two of the routes again unchanged
// and End-of-RIB: the sink is sent exactly one UPDATE, the withdrawal
// of the third route (RFC 4724 §4.2), nothing for the two others.
// (gr waits 5.5 s before it reconnects: ze refuses connections while
// Idle, for the first connect-retry interval of 5 s.)
func TestGracefulRestart(t *testing.T) {
	d, addr, events, _, _ := startDaemon(t, grConf)

	sk := dialConfig(testpeer.ModeSink, addr, "127.0.0.3", 65002)
	sk.Decode = true
	sk.Timeout = 20 * time.Second
	sp := testpeer.Start(t, sk)
	waitFor(t, "the sink session", 5*time.Second, func() bool {
		return strings.Contains(events.String(), "ze: peer sink established")
	})

	gc := dialConfig(testpeer.ModeCheck, addr, "127.0.0.2", 65001)
	gc.Timeout = 20 * time.Second
	gc.AddCaps = [][]byte{grCapF}
	sc, err := testpeer.ParseScriptString("gr", `
send route 10.0.0.0/24 next-hop 127.0.0.2 as-path [65001]
send route 10.0.1.0/24 next-hop 127.0.0.2 as-path [65001]
send route 10.0.2.0/24 next-hop 127.0.0.2 as-path [65001]
send eor ipv4/unicast
sleep 300ms
close
sleep 5500ms
connection
send route 10.0.0.0/24 next-hop 127.0.0.2 as-path [65001]
send route 10.0.1.0/24 next-hop 127.0.0.2 as-path [65001]
send eor ipv4/unicast
sleep 10s
`)
	if err != nil {
		t.Fatal(err)
	}
	gc.Script = sc
	gp := testpeer.Start(t, gc)

	advertised := func() int {
		rts, _, err := d.Router().Routes(router.Query{Table: router.AdjRIBOut, Peer: "sink"})
		if err != nil {
			t.Fatal(err)
		}
		return len(rts)
	}
	sent := func() uint64 { return statsOf(d, "sink").UpdatesSent }
	waitFor(t, "the three routes on the sink's session", 5*time.Second, func() bool { return advertised() == 3 })
	waitFor(t, "gr's graceful down", 5*time.Second, func() bool {
		return strings.Contains(events.String(), "(graceful restart: routes kept)")
	})
	before := sent()
	nb, _ := d.Router().Neighbor("gr")
	if nb.Up || !nb.Restarting || advertised() != 3 {
		t.Fatalf("after the drop: up %v restarting %v, sink has %d routes; want the 3 kept", nb.Up, nb.Restarting, advertised())
	}
	rts, _, _ := d.Router().Routes(router.Query{Table: router.AdjRIBIn, Peer: "gr"})
	for _, rt := range rts {
		if !rt.Stale {
			t.Errorf("%s not stale while gr is down", rt.Prefix)
		}
	}

	waitFor(t, "the third route withdrawn after gr's End-of-RIB", 10*time.Second, func() bool { return advertised() == 2 })
	time.Sleep(200 * time.Millisecond) // anything else that would follow
	if n := sent() - before; n != 1 {
		t.Errorf("the sink was sent %d messages across the restart, want 1 (the withdrawal)", n)
	}
	rts, _, _ = d.Router().Routes(router.Query{Table: router.AdjRIBIn, Peer: "gr"})
	if len(rts) != 2 {
		t.Errorf("gr's Adj-RIB-In holds %d routes, want 2", len(rts))
	}
	for _, rt := range rts {
		if rt.Stale {
			t.Errorf("%s still stale after End-of-RIB", rt.Prefix)
		}
	}
	waitFor(t, "the withdrawal on the sink", 5*time.Second, func() bool {
		return strings.Contains(sp.Stdout(), `"withdraw"`)
	})
	out := sp.Stdout()
	if c := strings.Count(out, "10.0.0.0/24"); c != 1 {
		t.Errorf("the sink saw 10.0.0.0/24 in %d messages, want 1 (no flap):\n%s", c, out)
	}
	if c := strings.Count(out, "10.0.2.0/24"); c != 2 {
		t.Errorf("the sink saw 10.0.2.0/24 in %d messages, want 2 (announce, withdraw):\n%s", c, out)
	}
	gp.Stop() //nolint:errcheck // the script's last sleep is cut short
}

// statsOf returns the router counters of peer name.
func statsOf(d *Daemon, name string) router.PeerStats {
	for _, ps := range d.Router().Stats() {
		if ps.Name == name {
			return ps
		}
	}
	return router.PeerStats{}
}
