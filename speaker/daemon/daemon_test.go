package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
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

// routeServerConf: ze (AS 65000) as a route server between two passive
// peers on loopback, told apart by their source addresses.
const routeServerConf = `
bgp {
    local-as 65000;
    router-id 127.0.0.1;
    passive;
    route-server-client;
    hold-time 30;
    peer inject { remote { ip 127.0.0.2; as 65001; } }
    peer sink   { remote { ip 127.0.0.3; as 65002; } }
}
`

// waitFor polls cond every 5ms until it holds or timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// startDaemon parses conf and runs a daemon on 127.0.0.1 (free port);
// cancel stops it, done is closed when Run returned.
func startDaemon(t *testing.T, conf string) (d *Daemon, addr string, events *syncbuf.Buffer, cancel func(), done chan struct{}) {
	t.Helper()
	events = &syncbuf.Buffer{}
	d, cancel, done = runDaemon(t, parseConf(t, conf), Options{Events: events})
	return d, d.Addrs()[0].String(), events, cancel, done
}

// parseConf parses a configuration text.
func parseConf(t *testing.T, conf string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("test.conf", []byte(conf))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// runDaemon runs a daemon of cfg with opts, listening on 127.0.0.1 (free
// port) with a StopGrace of 3 s, until the end of the test (Run must
// return nil within 10 s of the cancel); cancel stops it sooner, done is
// closed when Run returned.
func runDaemon(t *testing.T, cfg *config.Config, opts Options) (d *Daemon, cancel func(), done chan struct{}) {
	t.Helper()
	opts.Listen, opts.StopGrace = []string{"127.0.0.1:0"}, 3*time.Second
	d, err := New(cfg, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan struct{})
	go func() {
		defer close(done)
		if err := d.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("Run did not return")
		}
	})
	return d, cancel, done
}

// dialConfig is a test peer in mode dialling the daemon at addr from the
// loopback address src as AS asn, with a 10 s timeout.
func dialConfig(mode testpeer.Mode, addr, src string, asn uint32) testpeer.Config {
	c := testpeer.DefaultConfig()
	c.Mode = mode
	c.Dial = addr
	c.SourceAddrs = []netip.Addr{netip.MustParseAddr(src)}
	c.ASN = asn
	c.Timeout = 10 * time.Second
	return c
}

func received(d *Daemon, name string) int {
	for _, ps := range d.Router().Stats() {
		if ps.Name == name {
			for _, f := range ps.Families {
				if f.Family == wire.IPv4Unicast {
					return f.Received
				}
			}
		}
	}
	return 0
}

// TestRouteServer: an inject peer sends N routes to ze, a sink peer that
// connects afterwards gets them with their attributes unchanged (RFC
// 7947 §2.2: no AS prepended, next hop kept) and End-of-RIB (RFC 4724
// §2); stopping the daemon sends both Cease / Administrative Shutdown
// with the communication.
func TestRouteServer(t *testing.T) {
	const n = 20
	d, addr, events, cancel, done := startDaemon(t, routeServerConf)

	inj := dialConfig(testpeer.ModeInject, addr, "127.0.0.2", 65001)
	inj.Inject.Count = n
	inj.Inject.PerUpdate = 5
	inj.Inject.NextHop = netip.MustParseAddr("192.0.2.7")
	inj.Inject.Linger = -1
	ip := testpeer.Start(t, inj)
	waitFor(t, "the inject peer's End-of-RIB", 5*time.Second, func() bool {
		return strings.Contains(events.String(), "ze: peer inject end-of-rib ipv4/unicast")
	})
	if got := received(d, "inject"); got != n {
		t.Fatalf("router received %d routes from inject, want %d", got, n)
	}

	// The sink decodes every message it gets (ze JSON lines on stdout).
	sk := dialConfig(testpeer.ModeSink, addr, "127.0.0.3", 65002)
	sk.Decode = true
	sp := testpeer.Start(t, sk)
	waitFor(t, "the sink session", 5*time.Second, func() bool {
		return strings.Contains(events.String(), "ze: peer sink established")
	})
	waitFor(t, "the routes on the sink's session", 5*time.Second, func() bool {
		for _, ps := range d.Router().Stats() {
			if ps.Name == "sink" {
				for _, f := range ps.Families {
					if f.Advertised == n {
						return true
					}
				}
			}
		}
		return false
	})

	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	waitFor(t, "the sink's close", 5*time.Second, func() bool { return strings.Contains(sp.Stderr(), "closed ") })
	sp.Stop() //nolint:errcheck // sink verdicts: checked below from its output
	checkSink(t, sp.Stdout(), n)
	if !strings.Contains(sp.Stderr(), "the remote sent notification 6/2") || !strings.Contains(sp.Stderr(), "ze shutting down") {
		t.Errorf("sink did not get Cease / Administrative Shutdown:\n%s", sp.Stderr())
	}
	ip.Wait() //nolint:errcheck // the inject peer's verdict is not the point; its close reason is
	if !strings.Contains(ip.Stdout(), `the remote sent notification 6/2`) || !strings.Contains(ip.Stdout(), "ze shutting down") {
		t.Errorf("inject peer did not get Cease / Administrative Shutdown:\n%s\n%s", ip.Stdout(), ip.Stderr())
	}
	if !strings.Contains(ip.Stdout(), `"sent":20`) {
		t.Errorf("inject report: %s", ip.Stdout())
	}
	ev := events.String()
	for _, want := range []string{"ze: listening 127.0.0.1:", "ze: peer sink down:", "ze: peer inject down:", "ze: stopped"} {
		if !strings.Contains(ev, want) {
			t.Errorf("events lack %q:\n%s", want, ev)
		}
	}
}

// checkSink reads the sink's decoded messages: n prefixes 10.0.i.0/24,
// all with ORIGIN IGP, AS_PATH [65001] and NEXT_HOP 192.0.2.7 (as the
// inject peer sent them), then End-of-RIB.
func checkSink(t *testing.T, out string, n int) {
	t.Helper()
	type msg struct {
		Type   string `json:"type"`
		Update struct {
			EOR        string `json:"end-of-rib"`
			Attributes struct {
				Origin string `json:"origin"`
				ASPath []struct {
					Type string   `json:"type"`
					ASNs []uint32 `json:"asns"`
				} `json:"as-path"`
				NextHop string  `json:"next-hop"`
				MED     *uint32 `json:"med"`
			} `json:"attributes"`
			Announce []struct {
				NLRI []struct {
					Prefix string `json:"prefix"`
				} `json:"nlri"`
			} `json:"announce"`
		} `json:"update"`
	}
	seen := map[string]bool{}
	eorAfter := false
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "{") || !strings.Contains(line, `"type":"update"`) {
			continue
		}
		var m msg
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("sink line %q: %v", line, err)
		}
		u := m.Update
		if u.EOR == "ipv4/unicast" {
			eorAfter = len(seen) == n
			continue
		}
		a := u.Attributes
		if a.Origin != "igp" || a.NextHop != "192.0.2.7" || a.MED != nil || len(a.ASPath) != 1 ||
			len(a.ASPath[0].ASNs) != 1 || a.ASPath[0].ASNs[0] != 65001 {
			t.Errorf("attributes changed (RFC 7947: none may be): %s", line)
		}
		for _, an := range u.Announce {
			for _, p := range an.NLRI {
				seen[p.Prefix] = true
			}
		}
	}
	for i := 0; i < n; i++ {
		if p := fmt.Sprintf("10.0.%d.0/24", i); !seen[p] {
			t.Errorf("sink did not get %s", p)
		}
	}
	if len(seen) != n || !eorAfter {
		t.Errorf("sink got %d prefixes (want %d), End-of-RIB after them: %v\n%s", len(seen), n, eorAfter, out)
	}
}

// TestUnknownPeerClosed: a connection from an address that is no peer's
// is closed without a word.
func TestUnknownPeerClosed(t *testing.T) {
	_, addr, _, _, _ := startDaemon(t, routeServerConf)
	dl := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.9")}, Timeout: 2 * time.Second}
	nc, err := dl.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer nc.Close()
	nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	var b [1]byte
	if n, err := nc.Read(b[:]); n != 0 || err == nil || isTimeout(err) {
		t.Fatalf("read = %d, %v; want the connection closed", n, err)
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// TestDialledLocalAddr: a session ze dials, with no local-address
// configured, reports ze's address of the connection as its LocalAddr
// (next-hop self) once established.
func TestDialledLocalAddr(t *testing.T) {
	pc := testpeer.DefaultConfig()
	pc.Mode = testpeer.ModeSink
	pc.Listen = "127.0.0.1:0"
	pc.ASN = 65002
	pc.Timeout = 10 * time.Second
	p := testpeer.Start(t, pc)
	d, _, _, _, _ := startDaemon(t, fmt.Sprintf(`
bgp {
    local-as 65000;
    router-id 127.0.0.1;
    peer up { remote { ip 127.0.0.1; port %d; as 65002; } }
}
`, p.Addr().Port()))
	s := d.sessions[0]
	if s.cfg.LocalAddr.IsValid() {
		t.Fatalf("local-address %v configured", s.cfg.LocalAddr)
	}
	waitFor(t, "the dialled session", 5*time.Second, func() bool { return s.drv.State() == fsm.Established })
	if got, want := s.LocalAddr(), netip.MustParseAddr("127.0.0.1"); got != want {
		t.Errorf("LocalAddr %v, want %v", got, want)
	}
}

// TestPeerConfig: the config.Peer → peer.Config mapping.
func TestPeerConfig(t *testing.T) {
	cfg, err := config.Parse("t.conf", []byte(`
bgp {
    local-as 65000;
    peer a {
        remote { ip 192.0.2.1; as 65001; port 1790; }
        local-address 192.0.2.2;
        hold-time 0;
        multihop 3;
        maximum-prefix 100;
        family { ipv4 unicast; ipv6 unicast; }
        capability { add-path send/receive; extended-message; }
    }
}`))
	if err != nil {
		t.Fatal(err)
	}
	pc, err := peerConfig(&cfg.Peers[0], netip.MustParseAddr("192.0.2.2"))
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case pc.Name != "a", pc.LocalASN != 65000, pc.PeerASN != 65001:
		t.Errorf("identity: %+v", pc)
	case pc.Remote != netip.MustParseAddrPort("192.0.2.1:1790"), pc.Local != netip.MustParseAddr("192.0.2.2"):
		t.Errorf("addresses: %v %v", pc.Remote, pc.Local)
	case pc.RouterID != netip.MustParseAddr("192.0.2.2"):
		t.Errorf("router id %v", pc.RouterID)
	case !pc.NoHoldTime || pc.HoldTime != 0, pc.TTL != 3:
		t.Errorf("hold %d/%v ttl %d", pc.HoldTime, pc.NoHoldTime, pc.TTL)
	case len(pc.Families) != 2, len(pc.Capabilities.AddPath) != 2, !pc.Capabilities.ExtendedMessage, !pc.Capabilities.ASN4:
		t.Errorf("capabilities: %v %+v", pc.Families, pc.Capabilities)
	case pc.MaxPrefix[wire.IPv6Unicast] != (peer.MaxPrefix{Limit: 100}):
		t.Errorf("max prefix: %v", pc.MaxPrefix)
	}
	noID := cfg.Peers[0]
	noID.RouterID = netip.Addr{}
	if _, err := peerConfig(&noID, netip.Addr{}); err == nil {
		t.Error("no router id: want an error")
	}
}

// TestAPIProcess: a configured process announces a route (api.Handler is
// the router) that a route-server client then gets, and the process is
// sent the client's state events and received UPDATEs (ExaBGP JSON).
func TestAPIProcess(t *testing.T) {
	out := filepath.Join(t.TempDir(), "events")
	conf := `
process watch {
    run sh -c "echo 'announce route 10.9.0.0/24 next-hop 192.0.2.1'; cat > ` + out + `";
    encoder json;
}
bgp {
    local-as 65000;
    router-id 127.0.0.1;
    passive;
    route-server-client;
    peer sink {
        remote { ip 127.0.0.3; as 65002; }
        api { processes [ watch ]; receive { state; update; } }
    }
}
`
	d, addr, events, cancel, done := startDaemon(t, conf)
	waitFor(t, "the process's command", 5*time.Second, func() bool { return d.procs[0].Stats().Commands >= 1 })

	sk := dialConfig(testpeer.ModeInject, addr, "127.0.0.3", 65002)
	sk.Decode = true
	sk.Inject.Count = 1
	sk.Inject.PrefixStart = netip.MustParsePrefix("10.77.0.0/24")
	sk.Inject.Linger = -1
	sp := testpeer.Start(t, sk)
	waitFor(t, "the route on the client's session", 5*time.Second, func() bool {
		return strings.Contains(sp.Stdout(), `"prefix":"10.9.0.0/24"`)
	})
	waitFor(t, "the client's End-of-RIB at ze", 5*time.Second, func() bool {
		return strings.Contains(events.String(), "ze: peer sink end-of-rib")
	})
	cancel()
	<-done
	sp.Stop() //nolint:errcheck // checked through its output
	if !strings.Contains(sp.Stdout(), `"next-hop":"192.0.2.1"`) {
		t.Errorf("client did not get the API route unchanged:\n%s", sp.Stdout())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	t.Logf("process events:\n%s", got)
	for _, want := range []string{`"type": "state"`, `"state": "up"`, `"state": "down"`, `10.77.0.0/24`} {
		if !strings.Contains(got, want) {
			t.Errorf("process events lack %s:\n%s", want, got)
		}
	}
}
