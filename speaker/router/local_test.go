package router

import (
	"context"
	"net/netip"
	"slices"
	"testing"

	"github.com/ze-bgp/ze/speaker/api"
	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

func mustCommand(t *testing.T, line string) api.Command {
	t.Helper()
	c, err := api.Parse(line)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestStaticAndAPI(t *testing.T) {
	r := New(Options{RouterID: rsID})
	a := newFake("a", "10.0.0.1", 65001, 65000, "10.0.0.254")
	b := newFake("b", "10.0.0.2", 65002, 65000, "10.0.0.254")
	a.cfg.Static = []route.Route{mustRoute(t, "route 172.16.0.0/16 next-hop 10.0.0.254 as-path []")}
	up(r, a, "10.0.0.1")
	up(r, b, "10.0.0.2")
	va, vb := view(t, a, 0), view(t, b, 0)
	if got, _, ok := va.get("172.16.0.0/16", 0); !ok || !slices.Equal(asPath(t, got), []uint32{65000}) {
		t.Errorf("static route to a: %x %v", got, ok)
	}
	if _, _, ok := vb.get("172.16.0.0/16", 0); ok {
		t.Error("a's static route sent to b")
	}

	ctx := context.Background()
	steps := []struct {
		line   string
		a, b   bool // the route is at a, at b
		prefix string
	}{
		{"announce route 172.17.0.0/16 next-hop 192.0.2.1", true, true, "172.17.0.0/16"},
		{"neighbor 10.0.0.2 announce route 172.18.0.0/16 next-hop 192.0.2.1", false, true, "172.18.0.0/16"},
		{"neighbor 10.0.0.1 announce route 172.19.0.0/16 next-hop self", true, false, "172.19.0.0/16"},
		{"withdraw route 172.17.0.0/16", false, false, "172.17.0.0/16"},
		{"neighbor 10.0.0.2 withdraw route 172.18.0.0/16", false, false, "172.18.0.0/16"},
	}
	for _, st := range steps {
		if err := r.Handle(ctx, nil, mustCommand(t, st.line)); err != nil {
			t.Fatalf("%s: %v", st.line, err)
		}
		for _, x := range []struct {
			s    *fake
			want bool
		}{{a, st.a}, {b, st.b}} {
			got, nh, ok := view(t, x.s, 0).get(st.prefix, 0)
			if ok != x.want {
				t.Errorf("%s: %s has route %v, want %v", st.line, x.s.cfg.Name, ok, x.want)
			}
			if ok && st.prefix == "172.19.0.0/16" && nh != a.local {
				t.Errorf("next-hop self: %v %x", nh, got)
			}
			if ok && st.prefix == "172.17.0.0/16" && nh != netip.MustParseAddr("192.0.2.1") {
				t.Errorf("local route next hop changed: %v", nh)
			}
		}
	}
	if err := r.Handle(ctx, nil, mustCommand(t, "neighbor 10.9.9.9 announce route 172.20.0.0/16 next-hop 192.0.2.1")); err == nil {
		t.Error("selector matching nobody accepted")
	}
	if err := r.Handle(ctx, nil, mustCommand(t, "shutdown")); err == nil {
		t.Error("shutdown handled by the router")
	}

	// eor and route-refresh go to the selected session.
	n := len(b.sent)
	for _, line := range []string{"neighbor 10.0.0.2 announce eor ipv6 unicast", "neighbor 10.0.0.2 announce route-refresh ipv4 unicast"} {
		if err := r.Handle(ctx, nil, mustCommand(t, line)); err != nil {
			t.Fatal(err)
		}
	}
	v := view(t, b, n)
	if !slices.Equal(v.eor, []wire.Family{wire.IPv6Unicast}) || len(v.refresh) != 1 || v.refresh[0].Family != wire.IPv4Unicast {
		t.Errorf("eor %v refresh %v", v.eor, v.refresh)
	}

	// The process exits: its routes are withdrawn.
	if err := r.Handle(ctx, nil, mustCommand(t, "announce route 172.21.0.0/16 next-hop 192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	r.Exited(nil, nil, []api.Announcement{{Route: mustRoute(t, "route 172.21.0.0/16 next-hop 192.0.2.1")}})
	if _, _, ok := view(t, b, 0).get("172.21.0.0/16", 0); ok {
		t.Error("route of exited process kept")
	}
}

func TestRouteRefresh(t *testing.T) {
	for _, enhanced := range []bool{false, true} {
		r := New(Options{RouterID: rsID})
		a := newFake("a", "10.0.0.1", 65001, 65000, "10.0.0.254")
		if err := r.Originate("static", manyRoutes(t, 10)); err != nil {
			t.Fatal(err)
		}
		sp := capability.Speaker{RouterID: netip.MustParseAddr("10.0.0.1")}
		sp.Caps.EnhancedRouteRefresh = enhanced
		r.Up(a, a.ctx, sp)
		n := len(a.sent)
		if err := r.Refresh(a, wire.RouteRefresh{Family: wire.IPv4Unicast}); err != nil {
			t.Fatal(err)
		}
		v := view(t, a, n)
		want := 0
		if enhanced {
			want = 2 // BoRR, EoRR (RFC 7313 §4)
		}
		if len(v.attrs) != 10 || len(v.refresh) != want {
			t.Errorf("enhanced=%v: %d routes, %d refresh messages", enhanced, len(v.attrs), len(v.refresh))
		}
		if enhanced && (v.refresh[0].Subtype != wire.RefreshBoRR || v.refresh[1].Subtype != wire.RefreshEoRR) {
			t.Errorf("subtypes %v", v.refresh)
		}
		if got, _, _ := v.get("10.0.0.5/32", 0); !slices.Equal(asPath(t, got), []uint32{65000, 65010, 65020}) {
			t.Errorf("refreshed route %x", got)
		}
		if _, ok := attr.Find(v.attrs[routeKey{wire.IPv4Unicast, netip.MustParsePrefix("10.0.0.5/32"), 0}], attr.CodeCommunities); !ok {
			t.Error("community lost")
		}
	}
}
