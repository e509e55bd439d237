package router

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// manualTimers is an Options.AfterFunc whose timers fire only when the
// test says so.
type manualTimers struct{ list []*manualTimer }

type manualTimer struct {
	d       time.Duration
	fn      func()
	stopped bool
	fired   bool
}

func (m *manualTimers) after(d time.Duration, fn func()) func() {
	t := &manualTimer{d: d, fn: fn}
	m.list = append(m.list, t)
	return func() { t.stopped = true }
}

// pending returns the timers neither stopped nor fired.
func (m *manualTimers) pending() []*manualTimer {
	var out []*manualTimer
	for _, t := range m.list {
		if !t.stopped && !t.fired {
			out = append(out, t)
		}
	}
	return out
}

// fire runs the one pending timer, checking it was set for d.
func (m *manualTimers) fire(t *testing.T, d time.Duration) {
	t.Helper()
	p := m.pending()
	if len(p) != 1 {
		t.Fatalf("%d timers pending, want 1", len(p))
	}
	if p[0].d != d {
		t.Fatalf("timer of %v, want %v", p[0].d, d)
	}
	p[0].fired = true
	p[0].fn()
}

// grRestart is a Graceful Restart capability of restart time 120 s
// listing fams, with the F bit when forwarding.
func grRestart(forwarding bool, fams ...wire.Family) Restart {
	gr := Restart{Advertised: true, Flags: capability.RestartNotification, Time: 120}
	for _, f := range fams {
		e := capability.RestartFamily{Family: f}
		if forwarding {
			e.Flags = capability.FlagForwarding
		}
		gr.Families = append(gr.Families, e)
	}
	return gr
}

// grSetup is a route server with two clients: g, which advertised
// graceful restart (both sides), and watcher w. g has sent three IPv4
// routes and one IPv6 route, w has seen them.
type grSetup struct {
	r     *Router
	tm    *manualTimers
	g, w  *fake
	mark  int // len(w.sent) after the initial routes
	gr    Restart
	texts []string
}

var grRoutes = []string{
	"route 198.51.100.0/24 next-hop 10.0.0.1 as-path [65001]",
	"route 198.51.101.0/24 next-hop 10.0.0.1 as-path [65001]",
	"route 198.51.102.0/24 next-hop 10.0.0.1 as-path [65001]",
	"route 2001:db8:1::/48 next-hop 2001:db8::1 as-path [65001]",
}

func newGRSetup(t *testing.T, gr Restart) *grSetup {
	t.Helper()
	tm := &manualTimers{}
	r := New(Options{RouterID: rsID, AfterFunc: tm.after})
	g := newGRFake()
	w := newFake("w", "10.0.0.2", 65002, 65000, "10.0.0.254")
	w.cfg.RouteServerClient = true
	r.UpRestart(g, g.ctx, capability.Speaker{RouterID: netip.MustParseAddr("10.0.0.1")}, gr)
	up(r, w, "10.0.0.2")
	send(t, r, g, grRoutes...)
	v := view(t, w, 0)
	for _, text := range grRoutes {
		if _, _, ok := v.get(mustRoute(t, text).Prefix.String(), 0); !ok {
			t.Fatalf("w did not get %s", text)
		}
	}
	return &grSetup{r: r, tm: tm, g: g, w: w, mark: len(w.sent), gr: gr}
}

// newGRFake is a new session of peer g (graceful restart configured).
func newGRFake() *fake {
	g := newFake("g", "10.0.0.1", 65001, 65000, "10.0.0.254")
	g.cfg.RouteServerClient = true
	g.cfg.Capability.GracefulRestart = 120
	return g
}

// reconnect brings a new session of g up with gr.
func (s *grSetup) reconnect(gr Restart) *fake {
	g := newGRFake()
	s.r.UpRestart(g, g.ctx, capability.Speaker{RouterID: netip.MustParseAddr("10.0.0.1")}, gr)
	s.g = g
	return g
}

// eor has g send End-of-RIB for f.
func (s *grSetup) eor(t *testing.T, f wire.Family) {
	t.Helper()
	u, err := message.ParseUpdate(EndOfRIB(f))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.r.Update(s.g, u, nil); err != nil {
		t.Fatal(err)
	}
}

// newSent returns what w saw since the mark and moves the mark.
func (s *grSetup) newSent(t *testing.T) (*seen, int) {
	t.Helper()
	n := len(s.w.sent) - s.mark
	v := view(t, s.w, s.mark)
	s.mark = len(s.w.sent)
	return v, n
}

// has reports whether w currently has the route of prefix pfx.
func (s *grSetup) has(t *testing.T, pfx string) bool {
	t.Helper()
	_, _, ok := view(t, s.w, 0).get(pfx, 0)
	return ok
}

// staleIn returns the prefixes of g's Adj-RIB-In marked stale.
func (s *grSetup) staleIn(t *testing.T) map[string]bool {
	t.Helper()
	rts, _, err := s.r.Routes(Query{Table: AdjRIBIn, Peer: "g"})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, rt := range rts {
		if rt.Stale {
			out[rt.Prefix.String()] = true
		}
	}
	return out
}

// TestGRKeepsRoutes: a graceful end keeps the peer's routes in the
// Loc-RIB, stale, with no UPDATE to the others (RFC 4724 §4.2); the
// restart timer (the peer's Restart Time) withdraws them.
func TestGRKeepsRoutes(t *testing.T) {
	s := newGRSetup(t, grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
	if !s.r.DownGraceful(s.g) {
		t.Fatal("DownGraceful kept nothing")
	}
	if _, n := s.newSent(t); n != 0 {
		t.Errorf("w was sent %d messages on the graceful down", n)
	}
	if st := s.staleIn(t); len(st) != 4 {
		t.Errorf("stale routes %v, want the 4", st)
	}
	locs, _, _ := s.r.Routes(Query{Table: LocRIB})
	if len(locs) != 4 {
		t.Errorf("Loc-RIB holds %d routes, want 4", len(locs))
	}
	if nb, _ := s.r.Neighbor("g"); nb.Up || !nb.Restarting || len(nb.StaleFamilies) != 2 {
		t.Errorf("neighbor g: up %v restarting %v stale %v", nb.Up, nb.Restarting, nb.StaleFamilies)
	}
	s.tm.fire(t, 120*time.Second)
	for _, text := range grRoutes {
		if p := mustRoute(t, text).Prefix.String(); s.has(t, p) {
			t.Errorf("w still has %s after the restart timer", p)
		}
	}
	if nb, _ := s.r.Neighbor("g"); nb.Restarting {
		t.Error("g still restarting")
	}
	if len(s.tm.pending()) != 0 {
		t.Error("a timer is still pending")
	}
}

// TestGREndOfRIB: the peer comes back with the F bit set: the routes it
// sends again unchanged cause no UPDATE, its End-of-RIB withdraws the
// ones it did not send again, per family; the stale timer is stopped.
func TestGREndOfRIB(t *testing.T) {
	s := newGRSetup(t, grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
	s.r.DownGraceful(s.g)
	s.reconnect(grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
	if _, n := s.newSent(t); n != 0 {
		t.Errorf("w was sent %d messages when g came back", n)
	}
	if p := s.tm.pending(); len(p) != 1 || p[0].d != DefaultStaleTime {
		t.Fatalf("pending timers %d, want the stale timer", len(p))
	}
	send(t, s.r, s.g, grRoutes[0], grRoutes[1]) // identical: no UPDATE
	if _, n := s.newSent(t); n != 0 {
		t.Errorf("w was sent %d messages for routes refreshed identically", n)
	}
	if st := s.staleIn(t); len(st) != 2 || !st["198.51.102.0/24"] || !st["2001:db8:1::/48"] {
		t.Errorf("stale %v, want 198.51.102.0/24 and 2001:db8:1::/48", st)
	}
	s.eor(t, wire.IPv4Unicast)
	v, n := s.newSent(t)
	if n != 1 || s.has(t, "198.51.102.0/24") || !s.has(t, "198.51.100.0/24") || !s.has(t, "198.51.101.0/24") {
		t.Errorf("after End-of-RIB: %d messages %v; want 198.51.102.0/24 withdrawn only", n, v.attrs)
	}
	if !s.has(t, "2001:db8:1::/48") || len(s.tm.pending()) != 1 {
		t.Error("IPv6 stale route gone, or stale timer stopped, before IPv6's End-of-RIB")
	}
	s.eor(t, wire.IPv6Unicast)
	if s.has(t, "2001:db8:1::/48") || len(s.tm.pending()) != 0 {
		t.Error("IPv6 stale route kept, or stale timer left, after its End-of-RIB")
	}
	if st := s.staleIn(t); len(st) != 0 {
		t.Errorf("still stale: %v", st)
	}
}

// TestGRChangedRefresh: a route sent again with other attributes is an
// ordinary change for the others.
func TestGRChangedRefresh(t *testing.T) {
	s := newGRSetup(t, grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
	s.r.DownGraceful(s.g)
	s.reconnect(grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
	send(t, s.r, s.g, "route 198.51.100.0/24 next-hop 10.0.0.1 as-path [65001 65010]")
	got, _, ok := view(t, s.w, 0).get("198.51.100.0/24", 0)
	if _, n := s.newSent(t); n != 1 || !ok || len(asPath(t, got)) != 2 {
		t.Errorf("w got %d messages, route %v %x; want the new path", n, ok, got)
	}
}

// TestGRNoForwarding: the new OPEN's capability without the F bit for a
// family, without the family, or no capability at all: that family's
// stale routes are withdrawn at once (RFC 4724 §4.2).
func TestGRNoForwarding(t *testing.T) {
	for _, tc := range []struct {
		name     string
		gr       Restart
		v4, v6   bool // stale routes kept at Up
		timerSet bool
	}{
		{"F bit clear", grRestart(false, wire.IPv4Unicast, wire.IPv6Unicast), false, false, false},
		{"F bit on IPv6 only", func() Restart {
			gr := grRestart(true, wire.IPv6Unicast)
			gr.Families = append(gr.Families, capability.RestartFamily{Family: wire.IPv4Unicast})
			return gr
		}(), false, true, true},
		{"IPv4 not listed", grRestart(true, wire.IPv6Unicast), false, true, true},
		{"no capability", Restart{}, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newGRSetup(t, grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
			s.r.DownGraceful(s.g)
			s.reconnect(tc.gr)
			if got := s.has(t, "198.51.100.0/24"); got != tc.v4 {
				t.Errorf("IPv4 route kept %v, want %v", got, tc.v4)
			}
			if got := s.has(t, "2001:db8:1::/48"); got != tc.v6 {
				t.Errorf("IPv6 route kept %v, want %v", got, tc.v6)
			}
			if got := len(s.tm.pending()) == 1; got != tc.timerSet {
				t.Errorf("stale timer set %v, want %v", got, tc.timerSet)
			}
			// The routes sent again are announced again.
			send(t, s.r, s.g, grRoutes[0])
			if !s.has(t, "198.51.100.0/24") {
				t.Error("route sent again not announced")
			}
		})
	}
}

// TestGRStaleTimer: the peer came back but sent no End-of-RIB: the
// stale timer (capability stale-time) withdraws what was not sent again.
func TestGRStaleTimer(t *testing.T) {
	s := newGRSetup(t, grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
	s.r.DownGraceful(s.g)
	g := newGRFake()
	g.cfg.Capability.StaleTime = 30
	s.r.UpRestart(g, g.ctx, capability.Speaker{RouterID: netip.MustParseAddr("10.0.0.1")}, grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
	s.g = g
	send(t, s.r, g, grRoutes[0])
	s.tm.fire(t, 30*time.Second)
	if !s.has(t, "198.51.100.0/24") || s.has(t, "198.51.101.0/24") || s.has(t, "198.51.102.0/24") || s.has(t, "2001:db8:1::/48") {
		t.Error("after the stale timer, w should have 198.51.100.0/24 only")
	}
	s.eor(t, wire.IPv4Unicast) // late: nothing left to do
}

// TestGRNotNegotiated: without the capability on both sides, or for a
// family the peer's capability does not list, routes go at once.
func TestGRNotNegotiated(t *testing.T) {
	t.Run("peer without capability", func(t *testing.T) {
		s := newGRSetup(t, Restart{})
		if s.r.DownGraceful(s.g) {
			t.Error("routes kept")
		}
		if s.has(t, "198.51.100.0/24") || len(s.tm.pending()) != 0 {
			t.Error("routes not withdrawn")
		}
	})
	t.Run("we without capability", func(t *testing.T) {
		tm := &manualTimers{}
		r := New(Options{RouterID: rsID, AfterFunc: tm.after})
		g := newGRFake()
		g.cfg.Capability.GracefulRestart = 0
		w := newFake("w", "10.0.0.2", 65002, 65000, "10.0.0.254")
		w.cfg.RouteServerClient = true
		r.UpRestart(g, g.ctx, capability.Speaker{RouterID: netip.MustParseAddr("10.0.0.1")}, grRestart(true, wire.IPv4Unicast))
		up(r, w, "10.0.0.2")
		send(t, r, g, grRoutes[0])
		if r.DownGraceful(g) {
			t.Error("routes kept")
		}
		if _, _, ok := view(t, w, 0).get("198.51.100.0/24", 0); ok {
			t.Error("route not withdrawn")
		}
	})
	t.Run("family not listed", func(t *testing.T) {
		s := newGRSetup(t, grRestart(true, wire.IPv6Unicast))
		if !s.r.DownGraceful(s.g) {
			t.Error("IPv6 routes not kept")
		}
		if s.has(t, "198.51.100.0/24") || !s.has(t, "2001:db8:1::/48") {
			t.Error("want the IPv4 routes withdrawn, the IPv6 one kept")
		}
	})
	t.Run("restart time 0", func(t *testing.T) {
		gr := grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast)
		gr.Time = 0
		s := newGRSetup(t, gr)
		if s.r.DownGraceful(s.g) || s.has(t, "198.51.100.0/24") {
			t.Error("routes kept with a restart time of 0")
		}
	})
}

// TestGRDownAgain: a session that ends gracefully again before its
// End-of-RIB marks every route stale anew and restarts the restart
// timer; Remove withdraws the kept routes.
func TestGRDownAgain(t *testing.T) {
	s := newGRSetup(t, grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
	s.r.DownGraceful(s.g)
	s.reconnect(grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
	send(t, s.r, s.g, grRoutes[0])
	if !s.r.DownGraceful(s.g) {
		t.Fatal("second graceful end kept nothing")
	}
	if st := s.staleIn(t); len(st) != 4 {
		t.Errorf("stale %v, want all 4", st)
	}
	if p := s.tm.pending(); len(p) != 1 || p[0].d != 120*time.Second {
		t.Fatal("want the restart timer alone")
	}
	s.r.Remove("g")
	for _, text := range grRoutes {
		if p := mustRoute(t, text).Prefix.String(); s.has(t, p) {
			t.Errorf("w still has %s after Remove", p)
		}
	}
	if len(s.tm.pending()) != 0 {
		t.Error("timer left after Remove")
	}
}

// TestGRPeerChanged: the address answers with another router ID: the
// kept routes belong to another speaker and are withdrawn at once.
func TestGRPeerChanged(t *testing.T) {
	s := newGRSetup(t, grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
	s.r.DownGraceful(s.g)
	g := newGRFake()
	s.r.UpRestart(g, g.ctx, capability.Speaker{RouterID: netip.MustParseAddr("10.0.0.99")}, grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
	if s.has(t, "198.51.100.0/24") || len(s.tm.pending()) != 0 {
		t.Error("routes of the former speaker kept")
	}
}

// TestGRDown: a plain Down of a session whose stale routes wait for
// its End-of-RIB withdraws them too.
func TestGRDown(t *testing.T) {
	s := newGRSetup(t, grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
	s.r.DownGraceful(s.g)
	s.reconnect(grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
	s.r.Down(s.g)
	if s.has(t, "198.51.100.0/24") || len(s.tm.pending()) != 0 {
		t.Error("stale routes or timer left after Down")
	}
}

// TestGRRealTimer: with the default time.AfterFunc the restart timer
// fires on its own goroutine, under the router's lock (run with -race).
func TestGRRealTimer(t *testing.T) {
	r := New(Options{RouterID: rsID})
	g := newGRFake()
	w := newFake("w", "10.0.0.2", 65002, 65000, "10.0.0.254")
	w.cfg.RouteServerClient = true
	gr := grRestart(true, wire.IPv4Unicast)
	gr.Time = 1
	r.UpRestart(g, g.ctx, capability.Speaker{RouterID: netip.MustParseAddr("10.0.0.1")}, gr)
	up(r, w, "10.0.0.2")
	send(t, r, g, grRoutes[0])
	if !r.DownGraceful(g) {
		t.Fatal("routes not kept")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		nb, _ := r.Neighbor("g") // locks: what the timer sent is visible after
		if !nb.Restarting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the restart timer did not fire")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, _, ok := view(t, w, 0).get("198.51.100.0/24", 0); ok {
		t.Error("route kept after the restart timer")
	}
}
