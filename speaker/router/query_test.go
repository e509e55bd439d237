package router

import (
	"errors"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/rib"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// routeNames lists an answer as "PREFIX FROM best|why" lines, sorted.
func routeNames(rs []Route) []string {
	var out []string
	for _, r := range rs {
		s := r.Prefix.String() + " " + r.From
		if r.Best {
			s += " best"
		} else if r.Why != "" {
			s += " (" + r.Why + ")"
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// queryRouter: eBGP peers a (AS 65001) and b (AS 65002) of a router in
// AS 65000, both sending 203.0.113.0/24 (a's AS_PATH shorter) and a
// also 203.0.0.0/16 and 2001:db8::/32.
func queryRouter(t *testing.T) (*Router, *fake, *fake) {
	r := New(Options{RouterID: rsID})
	a := newFake("a", "10.0.0.1", 65001, 65000, "10.0.0.254")
	b := newFake("b", "10.0.0.2", 65002, 65000, "10.0.0.254")
	up(r, a, "10.0.0.1")
	up(r, b, "10.0.0.2")
	send(t, r, a,
		"route 203.0.113.0/24 next-hop 10.0.0.1 as-path [65001] med 5 community [65001:7]",
		"route 203.0.0.0/16 next-hop 10.0.0.1 as-path [65001]",
		"route 2001:db8::/32 next-hop 2001:db8::1 as-path [65001]",
	)
	send(t, r, b, "route 203.0.113.0/24 next-hop 10.0.0.2 as-path [65002 65010]")
	return r, a, b
}

func TestRoutesLocRIB(t *testing.T) {
	r, _, _ := queryRouter(t)
	pfx := netip.MustParsePrefix
	for _, tc := range []struct {
		name string
		q    Query
		want []string
		more bool
	}{
		{"all", Query{}, []string{
			"2001:db8::/32 a best",
			"203.0.0.0/16 a best",
			"203.0.113.0/24 a best",
			"203.0.113.0/24 b (as-path length 2 > 1)",
		}, false},
		{"family", Query{Family: wire.IPv6Unicast}, []string{"2001:db8::/32 a best"}, false},
		{"exact", Query{Prefix: pfx("203.0.113.0/24")}, []string{"203.0.113.0/24 a best", "203.0.113.0/24 b (as-path length 2 > 1)"}, false},
		{"exact host bits cleared", Query{Prefix: pfx("203.0.113.9/24")}, []string{"203.0.113.0/24 a best", "203.0.113.0/24 b (as-path length 2 > 1)"}, false},
		{"exact absent", Query{Prefix: pfx("203.0.113.5/32")}, nil, false},
		{"longest /32", Query{Prefix: pfx("203.0.113.5/32"), Longest: true}, []string{"203.0.113.0/24 a best", "203.0.113.0/24 b (as-path length 2 > 1)"}, false},
		{"longest outside the /24", Query{Prefix: pfx("203.0.7.1/32"), Longest: true}, []string{"203.0.0.0/16 a best"}, false},
		{"longest none", Query{Prefix: pfx("198.51.100.1/32"), Longest: true}, nil, false},
		{"longest v6", Query{Prefix: pfx("2001:db8::5/128"), Longest: true}, []string{"2001:db8::/32 a best"}, false},
		{"limit", Query{Prefix: pfx("203.0.113.0/24"), Limit: 1}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, more, err := r.Routes(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if more != tc.more {
				t.Errorf("more = %v, want %v", more, tc.more)
			}
			if tc.q.Limit > 0 {
				if len(got) != tc.q.Limit {
					t.Errorf("%d routes, want the limit %d", len(got), tc.q.Limit)
				}
				return
			}
			if names := routeNames(got); !slices.Equal(names, tc.want) {
				t.Errorf("routes\n%s\nwant\n%s", strings.Join(names, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}

	// The copied attributes and next hop of a's path.
	got, _, _ := r.Routes(Query{Prefix: pfx("203.0.113.0/24")})
	for _, rt := range got {
		if rt.From != "a" {
			continue
		}
		if med, ok := u32(rt.Attrs, attr.CodeMED); !ok || med != 5 {
			t.Errorf("MED %d %v", med, ok)
		}
		if _, ok := attr.Find(rt.Attrs, attr.CodeCommunities); !ok {
			t.Error("no COMMUNITIES")
		}
		if rt.NextHop != netip.MustParseAddr("10.0.0.1") || rt.MPNextHop != nil {
			t.Errorf("next hop %v, MP %x", rt.NextHop, rt.MPNextHop)
		}
	}
	got, _, _ = r.Routes(Query{Family: wire.IPv6Unicast})
	if len(got) != 1 || got[0].NextHop != netip.MustParseAddr("2001:db8::1") || len(got[0].MPNextHop) != 16 {
		t.Errorf("IPv6 route %+v", got)
	}
}

func TestRoutesAdjRIB(t *testing.T) {
	r, _, _ := queryRouter(t)
	in, _, err := r.Routes(Query{Table: AdjRIBIn, Peer: "b"})
	if err != nil || len(in) != 1 || in[0].Prefix != netip.MustParsePrefix("203.0.113.0/24") || in[0].NextHop != netip.MustParseAddr("10.0.0.2") {
		t.Fatalf("b's Adj-RIB-In: %+v %v", in, err)
	}
	// b is sent a's /16, /24 and IPv6 route (its own /24 path lost),
	// as exported to it: next-hop self, AS 65000 prepended.
	out, _, err := r.Routes(Query{Table: AdjRIBOut, Peer: "b", Family: wire.IPv4Unicast})
	if err != nil || len(out) != 2 {
		t.Fatalf("b's Adj-RIB-Out: %+v %v", out, err)
	}
	for _, rt := range out {
		if rt.NextHop != netip.MustParseAddr("10.0.0.254") || !slices.Equal(asPath(t, rt.Attrs), []uint32{65000, 65001}) {
			t.Errorf("exported route %v: next hop %v, AS_PATH %v", rt.Prefix, rt.NextHop, asPath(t, rt.Attrs))
		}
	}
	out, _, _ = r.Routes(Query{Table: AdjRIBOut, Peer: "b", Prefix: netip.MustParsePrefix("203.0.113.77/32"), Longest: true})
	if len(out) != 1 || out[0].Prefix != netip.MustParsePrefix("203.0.113.0/24") {
		t.Errorf("longest match in b's Adj-RIB-Out: %+v", out)
	}

	if _, _, err := r.Routes(Query{Table: AdjRIBIn, Peer: "nope"}); !errors.Is(err, ErrUnknownPeer) {
		t.Errorf("unknown peer: %v", err)
	}
	if _, _, err := r.Routes(Query{Family: wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIVPN}}); err == nil {
		t.Error("a family the RIB does not keep: want an error")
	}
	// A peer that is down has empty Adj-RIBs.
	r.Down(r.up[0].s)
	if in, more, err := r.Routes(Query{Table: AdjRIBIn, Peer: "a"}); len(in) != 0 || more || err != nil {
		t.Errorf("a down: %+v %v %v", in, more, err)
	}
}

// TestRoutesAddPath: tables keyed by path identifier are walked; the
// longest match keeps every path of the longest covering prefix.
func TestRoutesAddPath(t *testing.T) {
	r := New(Options{RouterID: rsID})
	a := newFake("a", "10.0.0.1", 65001, 65000, "10.0.0.254")
	a.ctx, _ = asn4.WithAddPath(wire.IPv4Unicast, true)
	a.fams = v4
	up(r, a, "10.0.0.1")
	send(t, r, a,
		"route 198.51.100.0/24 next-hop 10.0.0.1 path-information 1",
		"route 198.51.100.0/24 next-hop 10.0.0.3 path-information 2",
		"route 198.51.0.0/16 next-hop 10.0.0.1 path-information 1",
	)
	got, _, err := r.Routes(Query{Table: AdjRIBIn, Peer: "a", Prefix: netip.MustParsePrefix("198.51.100.7/32"), Longest: true})
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint32
	for _, rt := range got {
		if rt.Prefix != netip.MustParsePrefix("198.51.100.0/24") {
			t.Errorf("route of %v", rt.Prefix)
		}
		ids = append(ids, rt.PathID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []uint32{1, 2}) {
		t.Errorf("path ids %v", ids)
	}
	got, _, _ = r.Routes(Query{Table: AdjRIBIn, Peer: "a", Prefix: netip.MustParsePrefix("198.51.0.0/16")})
	if len(got) != 1 || got[0].PathID != 1 {
		t.Errorf("exact /16: %+v", got)
	}
}

// TestWhy: the decision step each losing path is explained by.
func TestWhy(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		ibgpB      bool
		want       string
	}{
		{"as-path", "as-path [65001]", "as-path [65002 65003]", false, "as-path length 2 > 1"},
		{"origin", "as-path [65001] origin igp", "as-path [65002] origin incomplete", false, "origin incomplete > igp"},
		{"med same AS", "as-path [65001] med 5", "as-path [65001] med 50", false, "med 50 > 5"},
		{"router id", "as-path [65001]", "as-path [65002]", false, "router-id 10.0.0.2 > 10.0.0.1"},
		{"ebgp over ibgp", "as-path [65001]", "as-path [65002]", true, "ibgp < ebgp"},
		{"local-pref", "as-path [65001]", "as-path [65002] local-preference 50", true, "local-pref 50 < 100"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(Options{RouterID: rsID, Decision: rib.DefaultOptions()})
			a := newFake("a", "10.0.0.1", 65001, 65000, "10.0.0.254")
			b := newFake("b", "10.0.0.2", 65002, 65000, "10.0.0.254")
			if tc.ibgpB {
				b.cfg.Remote.AS = 65000
			}
			up(r, a, "10.0.0.1")
			up(r, b, "10.0.0.2")
			send(t, r, a, "route 192.0.2.0/24 next-hop 10.0.0.1 "+tc.a)
			send(t, r, b, "route 192.0.2.0/24 next-hop 10.0.0.2 "+tc.b)
			got, _, _ := r.Routes(Query{})
			want := []string{"192.0.2.0/24 a best", "192.0.2.0/24 b (" + tc.want + ")"}
			if names := routeNames(got); !slices.Equal(names, want) {
				t.Errorf("got %q, want %q", names, want)
			}
		})
	}
}

func TestNeighbors(t *testing.T) {
	r, a, _ := queryRouter(t)
	rsc := newFake("c", "10.0.0.3", 65003, 65000, "10.0.0.254")
	rsc.cfg.RouteServerClient = true
	rsc.ctx, _ = asn4.WithAddPath(wire.IPv4Unicast, true)
	up(r, rsc, "10.0.0.3")
	ns := r.Neighbors()
	var names []string
	for _, n := range ns {
		names = append(names, n.Name+" "+n.Kind)
	}
	if !slices.Equal(names, []string{"a ebgp", "b ebgp", "c route-server-client"}) {
		t.Errorf("neighbors %q", names)
	}
	n, ok := r.Neighbor("c")
	if !ok || !n.Up || n.RemoteID != netip.MustParseAddr("10.0.0.3") || !slices.Equal(n.AddPathSend, v4) || !slices.Equal(n.AddPathReceive, v4) || !slices.Equal(n.Families, dual) {
		t.Errorf("c: %+v", n)
	}
	n, _ = r.Neighbor("a")
	if len(n.Stats.Families) != 2 || n.Stats.Families[0].Received != 2 || n.Stats.UpdatesReceived != 3 {
		t.Errorf("a's stats: %+v", n.Stats)
	}
	r.Down(a)
	if n, _ := r.Neighbor("a"); n.Up || n.Families != nil {
		t.Errorf("a down: %+v", n)
	}
	counts := r.RIBCounts()
	if counts[0].Family != wire.IPv4Unicast || counts[0].Prefixes != 1 || counts[0].Paths != 1 {
		t.Errorf("RIB counts after a's routes left: %+v", counts)
	}
}

// TestRemove: a removed peer's routes are withdrawn from the others and
// the router forgets it.
func TestRemove(t *testing.T) {
	r, a, b := queryRouter(t)
	c := newFake("c", "10.0.0.3", 65003, 65000, "10.0.0.254")
	up(r, c, "10.0.0.3")
	before := len(c.sent)
	r.Remove("a")
	if len(c.sent) == before {
		t.Fatal("c was told nothing")
	}
	// c now has b's path for the /24 and nothing of a's.
	full := view(t, c, 0)
	if got, _, ok := full.get("203.0.113.0/24", 0); !ok || !slices.Equal(asPath(t, got), []uint32{65000, 65002, 65010}) {
		t.Errorf("c's /24 after a left: %v", ok)
	}
	if _, _, ok := full.get("203.0.0.0/16", 0); ok {
		t.Error("c still has a's /16")
	}
	if _, ok := r.Neighbor("a"); ok {
		t.Error("a is still known")
	}
	if statsOf(r, "a").Name != "" {
		t.Error("a is still in Stats")
	}
	if _, ok := r.bySess[a]; ok {
		t.Error("the removed session is still registered")
	}
	r.Remove("a") // again: nothing
	if n, ok := r.Neighbor("b"); !ok || !n.Up {
		t.Error("b went down")
	}
	_ = b
}

// TestPeerIDReuse: a flapping peer reuses its Loc-RIB peer ID.
func TestPeerIDReuse(t *testing.T) {
	r, a, _ := queryRouter(t)
	n := len(r.sources)
	for range 50 {
		r.Down(a)
		up(r, a, "10.0.0.1")
		send(t, r, a, "route 203.0.113.0/24 next-hop 10.0.0.1 as-path [65001]")
	}
	if len(r.sources) != n {
		t.Errorf("sources grew from %d to %d over 50 flaps", n, len(r.sources))
	}
	// A session with another router ID gets a new one.
	r.Down(a)
	up(r, a, "10.0.0.99")
	if len(r.sources) != n+1 {
		t.Errorf("sources %d, want %d", len(r.sources), n+1)
	}
}

// TestSetStatic: changing a peer's static routes while it is up sends
// the difference, no more.
func TestSetStatic(t *testing.T) {
	r := New(Options{RouterID: rsID})
	s := newFake("s", "10.0.0.1", 65001, 65000, "10.0.0.254")
	s.cfg.Static = []route.Route{
		mustRoute(t, "route 192.0.2.0/24 next-hop 10.0.0.254"),
		mustRoute(t, "route 192.0.2.128/25 next-hop 10.0.0.254"),
	}
	up(r, s, "10.0.0.1")
	if v := view(t, s, 0); len(v.attrs) != 2 {
		t.Fatalf("initial statics: %d routes", len(v.attrs))
	}
	before := len(s.sent)
	err := r.SetStatic("s", []route.Route{
		mustRoute(t, "route 192.0.2.0/24 next-hop 10.0.0.254"),
		mustRoute(t, "route 198.51.100.0/24 next-hop 10.0.0.254 community [65000:7]"),
	})
	if err != nil {
		t.Fatal(err)
	}
	v := view(t, s, 0)
	if _, _, ok := v.get("192.0.2.128/25", 0); ok {
		t.Error("the removed static is still announced")
	}
	if a, _, ok := v.get("198.51.100.0/24", 0); !ok {
		t.Error("the new static is not announced")
	} else if _, ok := attr.Find(a, attr.CodeCommunities); !ok {
		t.Error("the new static lost its community")
	}
	if _, _, ok := v.get("192.0.2.0/24", 0); !ok {
		t.Error("the kept static was withdrawn")
	}
	if sent := len(s.sent) - before; sent != 2 {
		t.Errorf("%d messages for the change, want 2 (a withdrawal, an announcement)", sent)
	}
	// The next session gets the new set.
	r.Down(s)
	up(r, s, "10.0.0.1")
	out, _, _ := r.Routes(Query{Table: AdjRIBOut, Peer: "s"})
	if len(out) != 2 {
		t.Errorf("after a flap: %d routes", len(out))
	}
}
