package control

import (
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/peer"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/router"
	"github.com/ze-bgp/ze/speaker/wire"
)

// fakeRoute builds the router.Route of route text (speaker/route syntax)
// as the router copies it: attributes without MP_REACH_NLRI, the MP
// next hop apart.
func fakeRoute(t testing.TB, text, from string, best bool, why string) router.Route {
	t.Helper()
	r, err := route.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := r.AppendUpdate(nil, wire.Context{ASN4: true})
	if err != nil {
		t.Fatal(err)
	}
	u, err := message.ParseUpdate(msg)
	if err != nil {
		t.Fatal(err)
	}
	rt := router.Route{Family: r.Family, Prefix: r.Prefix, PathID: r.PathID, From: from, Best: best, Why: why, NextHop: r.NextHop}
	for it := u.Attributes(); it.Next(); {
		if it.Code() == attr.CodeMPReach {
			m, _, _ := u.MPReach()
			rt.MPNextHop = append([]byte(nil), m.NextHop...)
			continue
		}
		rt.Attrs = append(rt.Attrs, it.Raw()...)
	}
	return rt
}

// fakeBackend answers from fixed data and records the queries.
type fakeBackend struct {
	mu        sync.Mutex
	neighbors []Neighbor
	routes    []router.Route
	more      bool
	queries   []router.Query
	reload    ReloadResult
	reloadErr error
	status    Status
	block     chan struct{} // when set, Routes waits for it
	cleared   []string      // "NAME MODE" of each Clear
}

func (f *fakeBackend) Neighbors() []Neighbor { return append([]Neighbor(nil), f.neighbors...) }

func (f *fakeBackend) Routes(q router.Query) ([]router.Route, bool, error) {
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	if q.Peer == "broken" {
		return nil, false, errors.New("router: broken")
	}
	return append([]router.Route(nil), f.routes...), f.more, nil
}

func (f *fakeBackend) Reload() (ReloadResult, error) { return f.reload, f.reloadErr }
func (f *fakeBackend) Status() Status                { return f.status }

// Clear clears the established "inject"; "sink" is not established.
func (f *fakeBackend) Clear(name string, mode ClearMode) (string, error) {
	f.mu.Lock()
	f.cleared = append(f.cleared, name+" "+mode.String())
	f.mu.Unlock()
	if mode != ClearHard && name != "inject" {
		return "", errors.New("not established")
	}
	return "cleared " + mode.String(), nil
}

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// newFake returns a backend with an established route server client
// "inject" (127.0.0.2, AS 65001, 30 routes accepted) and a sink that was
// never up.
func newFakeBackend(t testing.TB) *fakeBackend {
	up := Neighbor{
		Name: "inject", Description: "the injector", RemoteAddr: netip.MustParseAddr("127.0.0.2"), RemotePort: 179,
		RemoteAS: 65001, LocalAS: 65000, LocalAddr: netip.MustParseAddr("127.0.0.1"), RouterID: netip.MustParseAddr("127.0.0.1"),
		HoldTime: 90 * time.Second, Capabilities: []string{"asn4", "route-refresh"}, Changed: t0.Add(-time.Hour - 2*time.Minute - 3*time.Second),
		Session: peer.Stats{
			State: fsm.Established, Established: t0.Add(-time.Hour - 2*time.Minute - 3*time.Second), Uptime: time.Hour + 2*time.Minute + 3*time.Second,
			In:  map[string]uint64{wire.TypeOpen.String(): 1, wire.TypeUpdate.String(): 7, wire.TypeKeepalive.String(): 4},
			Out: map[string]uint64{wire.TypeOpen.String(): 1, wire.TypeUpdate.String(): 2, wire.TypeKeepalive.String(): 4},
		},
		Router: router.Neighbor{
			Name: "inject", Up: true, Kind: "route-server-client", RemoteID: netip.MustParseAddr("10.0.0.2"),
			Families: []wire.Family{wire.IPv4Unicast},
			Stats: router.PeerStats{Name: "inject", Up: true, UpdatesReceived: 7, UpdatesSent: 2,
				Families: []router.FamilyStats{{Family: wire.IPv4Unicast, Received: 31, Accepted: 30, Advertised: 2}}},
		},
	}
	down := Neighbor{
		Name: "sink", RemoteAddr: netip.MustParseAddr("127.0.0.3"), RemotePort: 179, RemoteAS: 65002, LocalAS: 65000,
		RouterID: netip.MustParseAddr("127.0.0.1"), Session: peer.Stats{State: fsm.Active, In: map[string]uint64{}, Out: map[string]uint64{}},
	}
	return &fakeBackend{
		neighbors: []Neighbor{up, down},
		routes: []router.Route{
			fakeRoute(t, "route 10.0.0.0/24 next-hop 192.0.2.8 as-path [65002 65003] origin incomplete", "sink", false, "as-path length 2 > 1"),
			fakeRoute(t, "route 10.0.0.0/24 next-hop 192.0.2.7 as-path [65001] med 10 community [65001:7] large-community [65001:1:2]", "inject", true, ""),
			fakeRoute(t, "route 2001:db8::/32 next-hop 2001:db8::7 as-path [65001]", "inject", true, ""),
			fakeRoute(t, "route 9.0.0.0/8 next-hop 192.0.2.7 local-preference 200 path-information 4", "inject", true, ""),
		},
	}
}

func netipPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func timeSeconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
