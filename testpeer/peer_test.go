package testpeer

import (
	"encoding/json"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/wire"
)

func TestInjectIntoSink(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Config)
		family string
		count  int64
		upd    int64 // UPDATEs the sink counts (two End-of-RIBs included)
	}{
		{"ipv4 shared", func(c *Config) { c.Inject.Count, c.Inject.PerUpdate = 10000, 100 }, "ipv4/unicast", 10000, 102},
		{"ipv4 unique, one per update", func(c *Config) { c.Inject.Count, c.Inject.UniqueAttrs = 300, true }, "ipv4/unicast", 300, 302},
		{"ipv6 packed", func(c *Config) {
			c.Inject.Count, c.Inject.PerUpdate = 5000, 500
			c.Inject.PrefixStart = netip.MustParsePrefix("2001:db8::/48")
		}, "ipv6/unicast", 5000, 12},
		{"ipv4 add-path", func(c *Config) {
			c.Inject.Count, c.Inject.PerUpdate = 1000, 1000 // capped by 4096 octets
		}, "ipv4/unicast", 1000, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			both := func(c *Config) {
				c.Families = []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast}
				if strings.Contains(tt.name, "add-path") {
					c.AddPath = []capability.AddPathFamily{{Family: wire.IPv4Unicast, Mode: capability.AddPathBoth}}
				}
			}
			sc := testConfig(ModeSink)
			sc.SinkUntilEOR = true
			both(&sc)
			sink := Start(t, sc)
			ic := testConfig(ModeInject)
			ic.Dial, ic.ASN = sink.Addr().String(), 65001
			both(&ic)
			tt.edit(&ic)
			inj := Start(t, ic)
			if err := inj.Wait(); err != nil {
				t.Fatalf("inject: %v\n%s", err, inj.Stderr())
			}
			if err := sink.Wait(); err != nil {
				t.Fatalf("sink: %v\n%s", err, sink.Stderr())
			}
			sum := sink.Summary()
			fc := sum.Families[tt.family]
			if fc.Announced != tt.count || fc.EOR != 1 || (tt.upd > 0 && sum.Messages["update"] != tt.upd) {
				t.Errorf("sink summary %+v", sum)
			}
			if sum.Errors != 0 || sum.RFC7606 != 0 {
				t.Errorf("errors in %+v", sum)
			}
			rep := inj.InjectReport()
			if rep.Sent != tt.count || rep.Sessions != 1 {
				t.Errorf("inject report %+v", rep)
			}
			var line map[string]InjectReport
			out := inj.Stdout()
			if err := json.Unmarshal([]byte(lastLine(out)), &line); err != nil || line["inject"].Sent != tt.count {
				t.Errorf("inject stdout %q (%v)", out, err)
			}
			if !strings.Contains(sink.Stdout(), `{"sink":{`) || !strings.HasPrefix(sink.Stdout(), "listening 127.0.0.1:") {
				t.Errorf("sink stdout %q", sink.Stdout())
			}
		})
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestInjectWithdrawExpectBack: a reflecting peer hands the routes of
// the inject session to its expect-back session; the announcements and
// the withdrawals come back.
func TestInjectWithdrawExpectBack(t *testing.T) {
	rc := testConfig(ModeReflect)
	refl := Start(t, rc)
	ic := testConfig(ModeInject)
	ic.Dial, ic.ASN = refl.Addr().String(), 65001
	ic.Inject.Count, ic.Inject.PerUpdate = 2000, 250
	ic.Inject.Withdraw, ic.Inject.WithdrawAfter = true, 10*time.Millisecond
	ic.Inject.ExpectBack = refl.Addr().String()
	inj := Start(t, ic)
	if err := inj.Wait(); err != nil {
		t.Fatalf("inject: %v\n%s", err, inj.Stderr())
	}
	rep := inj.InjectReport()
	if rep.Back == nil || rep.Back.Received != 2000 || rep.Back.Withdrawn != 2000 || rep.Withdrawn != 2000 {
		t.Fatalf("report %+v back %+v", rep, rep.Back)
	}
	if err := refl.Stop(); err != nil {
		t.Fatalf("reflect: %v\n%s", err, refl.Stderr())
	}
	if s := refl.Summary(); s.Echoed < 16 || s.Families["ipv4/unicast"].Withdrawn != 2000 {
		t.Errorf("reflect summary %+v", s)
	}
}

// TestEcho: a check peer dials an echo peer, sends routes and expects
// them back unchanged.
func TestEcho(t *testing.T) {
	echo := Start(t, testConfig(ModeEcho))
	cc := testConfig(ModeCheck)
	cc.Dial = echo.Addr().String()
	cc.Script = mustScript(t, `
send route 10.9.0.0/16 next-hop 192.0.2.9 as-path [65000 65010] community [65000:7]
send eor
expect route 10.9.0.0/16 next-hop 192.0.2.9 community [65000:7]
expect eor ipv4/unicast
send notification 6/2 "done"
`)
	check := Start(t, cc)
	if err := check.Wait(); err != nil {
		t.Fatalf("check: %v\n%s", err, check.Stderr())
	}
	if err := echo.Stop(); err != nil {
		t.Fatalf("echo: %v\n%s", err, echo.Stderr())
	}
	if s := echo.Summary(); s.Echoed != 2 {
		t.Errorf("echo summary %+v", s)
	}
}

// TestManyPeers dials 50 sessions from 127.0.0.2… into one sink.
func TestManyPeers(t *testing.T) {
	sc := testConfig(ModeSink)
	sc.Peers, sc.SinkUntilEOR, sc.Quiet = 50, true, true
	sink := Start(t, sc)
	ic := testConfig(ModeInject)
	ic.Dial, ic.Peers, ic.ASN, ic.Quiet = sink.Addr().String(), 50, 65001, true
	ic.Inject.Count, ic.Inject.PerUpdate = 100, 10
	inj := Start(t, ic)
	if err := inj.Wait(); err != nil {
		t.Fatalf("inject: %v\n%s", err, inj.Stderr())
	}
	if err := sink.Wait(); err != nil {
		t.Fatalf("sink: %v\n%s", err, sink.Stderr())
	}
	s := sink.Summary()
	if s.Established != 50 || s.Families["ipv4/unicast"].Announced != 5000 || s.Families["ipv4/unicast"].EOR != 50 {
		t.Errorf("summary %+v", s)
	}
	srcs := map[netip.Addr]bool{}
	for _, ss := range sink.snapshot() {
		srcs[ss.remote.Addr()] = true
	}
	if len(srcs) != 50 || !srcs[netip.MustParseAddr("127.0.0.2")] || !srcs[netip.MustParseAddr("127.0.0.51")] {
		t.Errorf("source addresses %v", srcs)
	}
}

// TestInjectIPv6ExpectBackRate: IPv6 routes at a bounded rate come back
// through a reflector.
func TestInjectIPv6ExpectBackRate(t *testing.T) {
	fams := []wire.Family{wire.IPv6Unicast}
	rc := testConfig(ModeReflect)
	rc.Families = fams
	refl := Start(t, rc)
	ic := testConfig(ModeInject)
	ic.Dial, ic.ASN, ic.Families = refl.Addr().String(), 65001, fams
	ic.Inject.PrefixStart = netip.MustParsePrefix("2001:db8:ffff:fff0::/60")
	ic.Inject.Count, ic.Inject.PerUpdate, ic.Inject.Rate = 300, 7, 3000
	ic.Inject.ExpectBack = refl.Addr().String()
	start := time.Now()
	inj := Start(t, ic)
	if err := inj.Wait(); err != nil {
		t.Fatalf("inject: %v\n%s", err, inj.Stderr())
	}
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Errorf("300 prefixes at 3000/s took %s", d)
	}
	if rep := inj.InjectReport(); rep.Back == nil || rep.Back.Received != 300 || rep.Updates != 43 {
		t.Errorf("report %+v", rep)
	}
}

// TestNoGoroutineLeak: once both peers of a run stopped, every goroutine
// they started is gone.
func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	func() {
		sc := testConfig(ModeReflect)
		sc.Quiet = true
		sink := Start(t, sc)
		ic := testConfig(ModeInject)
		ic.Dial, ic.ASN, ic.Peers, ic.Quiet = sink.Addr().String(), 65001, 5, true
		ic.Inject.Count, ic.Inject.Linger = 100, -1
		inj := Start(t, ic)
		if err := sink.WaitEstablished(5, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		inj.Stop()  //nolint:errcheck
		sink.Stop() //nolint:errcheck
	}()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
