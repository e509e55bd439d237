package metrics

import (
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fakeSource is a fixed snapshot.
type fakeSource struct {
	peers []Peer
	procs []Process
}

func (f fakeSource) Peers() []Peer        { return f.peers }
func (f fakeSource) Processes() []Process { return f.procs }

// sample: one established peer with two families, one idle peer
// without families, one API process.
var sample = fakeSource{
	peers: []Peer{{
		Name: "peer-east", Address: netip.MustParseAddr("192.0.2.2"), RemoteAS: 65002,
		State: fsm.Established, Uptime: 90 * time.Second,
		Families: []Family{
			{Family: wire.IPv4Unicast, Received: 20, Accepted: 19, Advertised: 7},
			{Family: wire.IPv6Unicast, Received: 3, Accepted: 3, Advertised: 0},
		},
		Received:       Messages{Open: 1, Update: 12, Keepalive: 4, Refresh: 1},
		Sent:           Messages{Open: 1, Update: 5, Keepalive: 4, Notification: 0},
		OctetsReceived: 1234, OctetsSent: 567, WithdrawUpdates: 3, WithdrawPrefixes: 40,
		SendQueue: 2, SendQueueCap: 1024, SendQueueFull: 1,
		ZeroCopy: 4, Malformed: 1, ConnectAttempts: 3, ConnectFailures: 2,
	}, {
		Name: "peer-west", Address: netip.MustParseAddr("2001:db8::3"), RemoteAS: 4200000000,
		State: fsm.Active, AdminDown: true, SendQueueCap: 1024,
		Received: Messages{Notification: 1, Discarded: 2}, Rejected: 1, MaxPrefix: 1, Stalled: true, Unsendable: 9,
	}},
	procs: []Process{{
		Name: "watcher", Running: true, QueueDepth: 3, QueueCap: 4096, QueueMaxDepth: 17,
		Dropped: 5, Kills: 0, Restarts: 1, Commands: 8, Errors: 2,
	}},
}

// scrape serves src's collector alone (no go_/process_ metrics, whose
// values change) and returns the text exposition.
func scrape(t *testing.T, src Source) string {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(src))
	return get(t, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
}

func get(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	return string(body)
}

// TestScrapeGolden: the whole exposition of the sample snapshot
// (testdata/sample.prom; go test -update rewrites it).
func TestScrapeGolden(t *testing.T) {
	got := scrape(t, sample)
	path := filepath.Join("testdata", "sample.prom")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("scrape differs from %s (go test -update to rewrite):\n%s", path, got)
	}
}

// TestGoBGPNames: the GoBGP-named metrics with their exact label sets
// and types (GoBGP v3.30.0 internal/pkg/metrics), checked with testutil.
func TestGoBGPNames(t *testing.T) {
	c := NewCollector(sample)
	const want = `
# HELP bgp_peer_state Always 1; the labels carry the peer's FSM state (IDLE … ESTABLISHED) and admin state (UP or DOWN).
# TYPE bgp_peer_state gauge
bgp_peer_state{admin_state="DOWN",peer="2001:db8::3",session_state="ACTIVE"} 1
bgp_peer_state{admin_state="UP",peer="192.0.2.2",session_state="ESTABLISHED"} 1
# HELP bgp_routes_accepted Routes received from the peer for the family that are eligible for the Loc-RIB.
# TYPE bgp_routes_accepted gauge
bgp_routes_accepted{peer="192.0.2.2",route_family="ipv4-unicast"} 19
bgp_routes_accepted{peer="192.0.2.2",route_family="ipv6-unicast"} 3
# HELP bgp_received_update_total BGP UPDATE messages received from the peer.
# TYPE bgp_received_update_total counter
bgp_received_update_total{peer="192.0.2.2"} 12
bgp_received_update_total{peer="2001:db8::3"} 0
# HELP bgp_received_message_total BGP messages of every type received from the peer.
# TYPE bgp_received_message_total counter
bgp_received_message_total{peer="192.0.2.2"} 18
bgp_received_message_total{peer="2001:db8::3"} 3
# HELP bgp_sent_update_total BGP UPDATE messages sent to the peer.
# TYPE bgp_sent_update_total counter
bgp_sent_update_total{peer="192.0.2.2"} 5
bgp_sent_update_total{peer="2001:db8::3"} 0
# HELP bgp_peer_uptime Seconds since the session with the peer became Established; 0 when it is not.
# TYPE bgp_peer_uptime gauge
bgp_peer_uptime{peer="192.0.2.2"} 90
bgp_peer_uptime{peer="2001:db8::3"} 0
# HELP bgp_received_withdraw_update_total BGP UPDATE messages received from the peer that withdraw at least one prefix (End-of-RIB excluded).
# TYPE bgp_received_withdraw_update_total counter
bgp_received_withdraw_update_total{peer="192.0.2.2"} 3
bgp_received_withdraw_update_total{peer="2001:db8::3"} 0
# HELP bgp_received_withdraw_prefix_total Prefixes withdrawn by the BGP UPDATE messages received from the peer.
# TYPE bgp_received_withdraw_prefix_total counter
bgp_received_withdraw_prefix_total{peer="192.0.2.2"} 40
bgp_received_withdraw_prefix_total{peer="2001:db8::3"} 0
`
	names := []string{"bgp_peer_state", "bgp_routes_accepted", "bgp_received_update_total", "bgp_received_message_total", "bgp_sent_update_total", "bgp_peer_uptime",
		"bgp_received_withdraw_update_total", "bgp_received_withdraw_prefix_total"}
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	if err := testutil.CollectAndCompare(c, strings.NewReader(`
# HELP ze_api_queue_depth Lines waiting for the standard input of the API process.
# TYPE ze_api_queue_depth gauge
ze_api_queue_depth{process="watcher"} 3
# HELP ze_peer_send_queue_depth Messages waiting in the outgoing queue of the session.
# TYPE ze_peer_send_queue_depth gauge
ze_peer_send_queue_depth{peer="192.0.2.2"} 2
ze_peer_send_queue_depth{peer="2001:db8::3"} 0
`), "ze_api_queue_depth", "ze_peer_send_queue_depth"); err != nil {
		t.Error(err)
	}
	if problems, err := testutil.CollectAndLint(c); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", err, problems)
	}
}

func TestFamilyName(t *testing.T) {
	for _, tc := range []struct {
		f    wire.Family
		want string
	}{
		{wire.IPv4Unicast, "ipv4-unicast"},
		{wire.IPv6Unicast, "ipv6-unicast"},
		{wire.IPv4Multicast, "ipv4-multicast"},
		{wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFILabeled}, "ipv4-labelled-unicast"},
		{wire.Family{AFI: wire.AFIIPv6, SAFI: wire.SAFIVPN}, "l3vpn-ipv6-unicast"},
		{wire.Family{AFI: wire.AFIL2VPN, SAFI: wire.SAFIEVPN}, "l2vpn-evpn"},
		{wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIFlow}, "ipv4-flowspec"},
		{wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIRTC}, "rtc"},
		{wire.Family{AFI: wire.AFIBGPLS, SAFI: wire.SAFIBGPLS}, "ls"},
		// Not in GoBGP: ze's afi/safi form.
		{wire.Family{AFI: wire.AFIBGPLS, SAFI: wire.SAFIBGPLSVPN}, "bgp-ls/bgp-ls-vpn"},
		{wire.Family{AFI: 3, SAFI: 9}, "afi-3/safi-9"},
	} {
		if got := FamilyName(tc.f); got != tc.want {
			t.Errorf("FamilyName(%v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}

// TestLabelsSafe: repeated addresses, processes and families, a peer
// without an address and names that are not UTF-8 still scrape: labels
// are made unique and valid.
func TestLabelsSafe(t *testing.T) {
	a := netip.MustParseAddr("::ffff:192.0.2.9")
	src := fakeSource{
		peers: []Peer{
			{Name: "one", Address: a, Families: []Family{{Family: wire.IPv4Unicast, Received: 1}, {Family: wire.IPv4Unicast, Received: 2}}},
			{Name: "two", Address: a},
			{Name: "bad\xff"},
		},
		procs: []Process{{Name: "p"}, {Name: "p"}},
	}
	out := scrape(t, src)
	for _, want := range []string{
		`ze_peer_info{name="one",peer="192.0.2.9",remote_as="0"} 1`,
		`ze_peer_info{name="two",peer="192.0.2.9#2",remote_as="0"} 1`,
		`ze_peer_info{name="bad\ufffd",peer="bad\ufffd",remote_as="0"} 1`,
		`bgp_routes_received{peer="192.0.2.9",route_family="ipv4-unicast"} 1`,
		`ze_api_running{process="p"} 0`,
		`ze_api_running{process="p#2"} 0`,
	} {
		want = strings.ReplaceAll(want, `\ufffd`, "\uFFFD")
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %s:\n%s", want, out)
		}
	}
	if strings.Count(out, "bgp_routes_received{") != 1 {
		t.Errorf("repeated family exported twice:\n%s", out)
	}
}

// TestHandler: the served registry has the Go runtime and process
// collectors besides the speaker's metrics.
func TestHandler(t *testing.T) {
	out := get(t, Handler(sample))
	for _, want := range []string{"go_goroutines ", "go_info{", `bgp_peer_state{admin_state="UP",peer="192.0.2.2",session_state="ESTABLISHED"} 1`, `ze_api_dropped_total{process="watcher"} 5`} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if _, err := os.Stat("/proc/self/stat"); err == nil && !strings.Contains(out, "process_cpu_seconds_total ") {
		t.Errorf("scrape lacks the process collector")
	}
	if empty := get(t, Handler(fakeSource{})); !strings.Contains(empty, "go_goroutines ") || strings.Contains(empty, "bgp_") {
		t.Errorf("scrape of an empty source:\n%s", empty)
	}
}
