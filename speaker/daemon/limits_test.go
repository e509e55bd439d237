package daemon

import (
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/internal/syncbuf"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/peer"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/testpeer"
)

// TestPeerConfigMaxPrefix: the configured maximum-prefix settings, the
// peer's and the families' own, become the driver's per-family limits.
func TestPeerConfigMaxPrefix(t *testing.T) {
	v4m := wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIMulticast}
	tests := []struct {
		name, conf string
		want       map[wire.Family]peer.MaxPrefix
	}{
		{"none", "family { ipv4 unicast; ipv6 unicast; }", nil},
		{"teardown", "maximum-prefix 10; family { ipv4 unicast; ipv6 unicast; }", map[wire.Family]peer.MaxPrefix{
			wire.IPv4Unicast: {Limit: 10, Action: peer.MaxPrefixTeardown},
			wire.IPv6Unicast: {Limit: 10, Action: peer.MaxPrefixTeardown},
		}},
		{"warning-only", "maximum-prefix 10 warning-only;", map[wire.Family]peer.MaxPrefix{
			wire.IPv4Unicast: {Limit: 10, Action: peer.MaxPrefixWarning},
		}},
		{"restart", "maximum-prefix 10 restart 2m;", map[wire.Family]peer.MaxPrefix{
			wire.IPv4Unicast: {Limit: 10, Action: peer.MaxPrefixRestart, RestartAfter: 2 * time.Minute},
		}},
		{"per family", `maximum-prefix 10 warning-only;
			family { ipv4 unicast { maximum-prefix 5 restart 30; } ipv6 unicast; ipv4 multicast { maximum-prefix 0; } }`,
			map[wire.Family]peer.MaxPrefix{
				wire.IPv4Unicast: {Limit: 5, Action: peer.MaxPrefixRestart, RestartAfter: 30 * time.Second},
				wire.IPv6Unicast: {Limit: 10, Action: peer.MaxPrefixWarning},
			}},
		{"family only", "family { ipv4 unicast; ipv4 multicast { maximum-prefix 7 teardown; } }", map[wire.Family]peer.MaxPrefix{
			v4m: {Limit: 7, Action: peer.MaxPrefixTeardown},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("t.conf", []byte(`bgp { local-as 65000; router-id 192.0.2.9; peer a { remote { ip 192.0.2.1; as 65001; } `+tt.conf+` } }`))
			if err != nil {
				t.Fatal(err)
			}
			pc, err := peerConfig(&cfg.Peers[0], netip.Addr{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pc.MaxPrefix, tt.want) {
				t.Errorf("got  %v\nwant %v", pc.MaxPrefix, tt.want)
			}
		})
	}
}

// startLogged is startDaemon with the daemon's log records kept.
func startLogged(t *testing.T, conf string) (d *Daemon, addr string, logs *syncbuf.Buffer) {
	t.Helper()
	logs = &syncbuf.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d, _, _ = runDaemon(t, parseConf(t, conf), Options{Logger: log})
	return d, d.Addrs()[0].String(), logs
}

// maxPrefixConf: one passive peer allowed two prefixes; %s is the
// action.
const maxPrefixConf = `
bgp {
    local-as 65000;
    router-id 127.0.0.1;
    passive;
    hold-time 30;
    peer limited {
        remote { ip 127.0.0.2; as 65001; }
        maximum-prefix 2 %s;
    }
}
`

// threeRoutes sends one prefix more than maxPrefixConf allows.
const threeRoutes = `
ignore update
send route 10.0.0.0/24 next-hop 127.0.0.2 as-path [65001]
send route 10.0.1.0/24 next-hop 127.0.0.2 as-path [65001]
send route 10.0.2.0/24 next-hop 127.0.0.2 as-path [65001]
`

// TestMaxPrefixActions: a peer sends three prefixes past a limit of two.
// teardown: the peer gets Cease / Maximum Number of Prefixes Reached
// (RFC 4486 subcode 1, data AFI 1 SAFI 1 limit 2), its routes are gone
// and the session stays down; warning-only: a warning is logged and the
// session and its routes stay; restart 1: the same NOTIFICATION, then
// the peer may connect again a second later.
func TestMaxPrefixActions(t *testing.T) {
	tests := []struct {
		action, script string
		// check runs while the peer's script goes on; then the peer is
		// waited for (ends: its script passed) or stopped.
		check func(t *testing.T, d *Daemon, logs *syncbuf.Buffer)
		ends  bool
	}{
		{"teardown", threeRoutes + `expect notification {"notification":{"code":6,"subcode":1,"data":"00010100000002"}}
`, func(t *testing.T, d *Daemon, _ *syncbuf.Buffer) {
			waitFor(t, "the session down", 3*time.Second, func() bool {
				st := d.snapshot()[0].drv.Stats()
				return st.State == fsm.Idle && st.MaxPrefixHits == 1
			})
			waitFor(t, "the routes withdrawn", 3*time.Second, func() bool { return received(d, "limited") == 0 })
			time.Sleep(300 * time.Millisecond)
			if st := d.snapshot()[0].drv.Stats(); st.State != fsm.Idle || st.MaxPrefixHits != 1 {
				t.Errorf("state %v, %d hits: want Idle, 1", st.State, st.MaxPrefixHits)
			}
		}, true},
		{"warning-only", threeRoutes + "expect silence 5s\n", func(t *testing.T, d *Daemon, logs *syncbuf.Buffer) {
			waitFor(t, "three routes", 3*time.Second, func() bool { return received(d, "limited") == 3 })
			waitFor(t, "the warning", 3*time.Second, func() bool { return strings.Contains(logs.String(), `msg="maximum-prefix reached"`) })
			time.Sleep(100 * time.Millisecond)
			if st := d.snapshot()[0].drv.Stats(); st.State != fsm.Established || st.MaxPrefixHits != 1 {
				t.Errorf("state %v, %d hits: want Established, 1", st.State, st.MaxPrefixHits)
			}
			if l := logs.String(); !strings.Contains(l, "action=warning") || !strings.Contains(l, "limit=2") {
				t.Errorf("warning without its action and limit:\n%s", l)
			}
		}, false},
		{"restart 1", threeRoutes + "expect notification 6/1\nsleep 1200ms\nconnection\nexpect silence 5s\n", func(t *testing.T, d *Daemon, _ *syncbuf.Buffer) {
			waitFor(t, "the session down", 3*time.Second, func() bool { return d.snapshot()[0].drv.Stats().MaxPrefixHits == 1 })
			waitFor(t, "the session up again", 5*time.Second, func() bool {
				st := d.snapshot()[0].drv.Stats()
				return st.State == fsm.Established && st.In["open"] == 2
			})
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			d, addr, logs := startLogged(t, strings.Replace(maxPrefixConf, "%s", tt.action, 1))
			c := dialConfig(testpeer.ModeCheck, addr, "127.0.0.2", 65001)
			sc, err := testpeer.ParseScriptString("test", tt.script)
			if err != nil {
				t.Fatal(err)
			}
			c.Script = sc
			p := testpeer.Start(t, c)
			tt.check(t, d, logs)
			if !tt.ends {
				p.Stop() //nolint:errcheck // stopped in its last expect silence
				return
			}
			if err := p.Wait(); err != nil {
				t.Fatalf("check: %v\n%s", err, p.Stderr())
			}
		})
	}
}

// TestWithdrawMetrics: the withdrawals a peer sends are counted in
// bgp_received_withdraw_update_total and _prefix_total.
func TestWithdrawMetrics(t *testing.T) {
	d, addr, _ := startLogged(t, strings.Replace(maxPrefixConf, "maximum-prefix 2 %s;", "", 1))
	srv := httptest.NewServer(d.MetricsHandler())
	defer srv.Close()
	c := dialConfig(testpeer.ModeInject, addr, "127.0.0.2", 65001)
	c.Inject.Count = 12
	c.Inject.PerUpdate = 5
	c.Inject.Withdraw = true
	c.Inject.WithdrawAfter = 10 * time.Millisecond
	c.Inject.Linger = -1
	testpeer.Start(t, c)
	want := []string{
		`bgp_received_withdraw_update_total{peer="127.0.0.2"} `,
		`bgp_received_withdraw_prefix_total{peer="127.0.0.2"} 12`,
		`bgp_routes_received{peer="127.0.0.2",route_family="ipv4-unicast"} 0`,
	}
	var body string
	waitFor(t, "12 withdrawals in the scrape", 5*time.Second, func() bool {
		body = scrapeMetrics(t, srv.URL)
		for _, w := range want {
			if !strings.Contains(body, w) {
				return false
			}
		}
		return true
	})
	if st := d.snapshot()[0].drv.Stats(); st.WithdrawPrefixes != 12 || st.WithdrawUpdates == 0 || st.WithdrawUpdates > 12 {
		t.Errorf("withdraw updates %d prefixes %d", st.WithdrawUpdates, st.WithdrawPrefixes)
	}
}
