package daemon

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/testpeer"
)

// metricsConf: ze as a route server between an inject and a sink peer,
// a third peer that never connects, and an API process that reads the
// inject peer's state events.
const metricsConf = `
process watch {
    run sh -c "cat > /dev/null";
    encoder json;
}
bgp {
    local-as 65000;
    router-id 127.0.0.1;
    passive;
    route-server-client;
    hold-time 30;
    peer inject {
        remote { ip 127.0.0.2; as 65001; }
        api { processes [ watch ]; receive { state; } }
    }
    peer sink  { remote { ip 127.0.0.3; as 65002; } }
    peer quiet { remote { ip 127.0.0.4; as 65003; } }
}
`

// TestMetricsHandler: a scrape of MetricsHandler while an inject peer
// has sent n routes that ze forwarded to a sink shows the sessions
// established, the route counts per family, the message counters, the
// send queues and the API process, with GoBGP's names and labels.
func TestMetricsHandler(t *testing.T) {
	const n = 20
	d, _, _ := runDaemon(t, parseConf(t, metricsConf), Options{})
	addr := d.Addrs()[0].String()
	srv := httptest.NewServer(d.MetricsHandler())
	defer srv.Close()

	start := func(ip string, asn uint32, inject bool) {
		c := dialConfig(testpeer.ModeSink, addr, ip, asn)
		if inject {
			c.Mode = testpeer.ModeInject
			c.Inject.Count = n
			c.Inject.PerUpdate = 5
			c.Inject.NextHop = netip.MustParseAddr("192.0.2.7")
			c.Inject.Linger = -1
		}
		testpeer.Start(t, c)
	}
	start("127.0.0.2", 65001, true)
	start("127.0.0.3", 65002, false)

	want := []string{
		`bgp_peer_state{admin_state="UP",peer="127.0.0.2",session_state="ESTABLISHED"} 1`,
		`bgp_peer_state{admin_state="UP",peer="127.0.0.3",session_state="ESTABLISHED"} 1`,
		`bgp_routes_received{peer="127.0.0.2",route_family="ipv4-unicast"} 20`,
		`bgp_routes_accepted{peer="127.0.0.2",route_family="ipv4-unicast"} 20`,
		`bgp_routes_advertised{peer="127.0.0.3",route_family="ipv4-unicast"} 20`,
		`bgp_routes_received{peer="127.0.0.3",route_family="ipv4-unicast"} 0`,
		// 4 UPDATEs of 5 routes, then End-of-RIB.
		`bgp_received_update_total{peer="127.0.0.2"} 5`,
		`bgp_received_open_total{peer="127.0.0.2"} 1`,
		`bgp_sent_open_total{peer="127.0.0.3"} 1`,
		`ze_peer_state{peer="127.0.0.2"} 6`,
		`ze_peer_info{name="inject",peer="127.0.0.2",remote_as="65001"} 1`,
		`ze_peer_send_queue_capacity{peer="127.0.0.3"} 1024`,
		// The peer that never connected keeps its series.
		`bgp_routes_received{peer="127.0.0.4",route_family="ipv4-unicast"} 0`,
		`bgp_peer_uptime{peer="127.0.0.4"} 0`,
		`ze_api_running{process="watch"} 1`,
		`ze_api_queue_capacity{process="watch"} 4096`,
	}
	var body string
	deadline := time.Now().Add(10 * time.Second)
	for {
		body = scrapeMetrics(t, srv.URL)
		missing := ""
		for _, w := range want {
			if !strings.Contains(body, w+"\n") {
				missing = w
				break
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("scrape lacks %s:\n%s", missing, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, bad := range []string{`peer="127.0.0.4",session_state="ESTABLISHED"`, `bgp_sent_update_total{peer="127.0.0.3"} 0` + "\n"} {
		if strings.Contains(body, bad) {
			t.Errorf("scrape has %s:\n%s", bad, body)
		}
	}
	if !strings.Contains(body, "go_goroutines ") {
		t.Errorf("scrape lacks the Go collector")
	}
}

func scrapeMetrics(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	return string(b)
}
