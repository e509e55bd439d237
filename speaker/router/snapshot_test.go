package router

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/route"
)

// snapLine renders one path of a snapshot: "prefix peer path-id as-path
// next-hop" (MP next hop, or NEXT_HOP).
func snapLine(t *testing.T, s *Snapshot, p SnapshotPrefix, sp SnapshotPath) string {
	t.Helper()
	nh := "mp:none"
	if sp.NextHop != nil {
		g, _, _ := attr.SplitNextHop(sp.NextHop, false)
		nh = "mp:" + g.String()
	} else if v, ok := attr.Find(sp.Attrs, attr.CodeNextHop); ok {
		a, _ := attr.ParseNextHop(v)
		nh = a.String()
	}
	if _, ok := attr.Find(sp.Attrs, attr.CodeMPReach); ok {
		t.Errorf("%s: MP_REACH_NLRI in the attributes", p.Prefix)
	}
	return fmt.Sprintf("%s %s %s %d %v %s", p.Family, p.Prefix, s.Peers()[sp.Peer].Name, sp.PathID, asPath(t, sp.Attrs), nh)
}

// walkAll runs a snapshot to its end and returns its lines, sorted.
func walkAll(t *testing.T, s *Snapshot) []string {
	t.Helper()
	var out []string
	for s.Next() {
		if len(s.Batch()) == 0 {
			t.Error("empty batch")
		}
		for _, p := range s.Batch() {
			for _, sp := range p.Paths {
				out = append(out, snapLine(t, s, p, sp))
			}
		}
	}
	s.Close()
	sort.Strings(out)
	return out
}

func snapshotSetup(t *testing.T) (*Router, *fake, *fake) {
	r := New(Options{RouterID: rsID})
	a, b, _ := rsClients()
	up(r, a, "10.0.0.1")
	up(r, b, "10.0.0.2")
	send(t, r, a,
		"route 203.0.113.0/24 next-hop 10.0.0.1 as-path [65001]",
		"route 198.51.100.0/24 next-hop 10.0.0.1 as-path [65001 65100]",
		"route 2001:db8::/32 next-hop 2001:db8::1 as-path [65001]")
	send(t, r, b, "route 203.0.113.0/24 next-hop 10.0.0.2 as-path [65002 65010]")
	if err := r.Originate("static", []route.Route{mustRoute(t, "route 192.0.2.0/24 next-hop 10.0.0.254 as-path [65000]")}); err != nil {
		t.Fatal(err)
	}
	return r, a, b
}

func TestSnapshot(t *testing.T) {
	r, _, _ := snapshotSetup(t)
	tests := []struct {
		name  string
		opt   SnapshotOptions
		peers []string
		want  []string
	}{
		{"adj-rib-in", SnapshotOptions{Table: AdjRIBIn, Batch: 1}, []string{"a", "b"}, []string{
			"ipv4/unicast 198.51.100.0/24 a 0 [65001 65100] 10.0.0.1",
			"ipv4/unicast 203.0.113.0/24 a 0 [65001] 10.0.0.1",
			"ipv4/unicast 203.0.113.0/24 b 0 [65002 65010] 10.0.0.2",
			"ipv6/unicast 2001:db8::/32 a 0 [65001] mp:2001:db8::1",
		}},
		{"adj-rib-in of b", SnapshotOptions{Table: AdjRIBIn, Peers: []string{"b"}}, []string{"b"}, []string{
			"ipv4/unicast 203.0.113.0/24 b 0 [65002 65010] 10.0.0.2",
		}},
		{"loc-rib: best paths, local routes too", SnapshotOptions{Table: LocRIB, Batch: 2}, []string{"a", "b", "static"}, []string{
			"ipv4/unicast 192.0.2.0/24 static 0 [65000] 10.0.0.254",
			"ipv4/unicast 198.51.100.0/24 a 0 [65001 65100] 10.0.0.1",
			"ipv4/unicast 203.0.113.0/24 a 0 [65001] 10.0.0.1",
			"ipv6/unicast 2001:db8::/32 a 0 [65001] mp:2001:db8::1",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := r.Snapshot(tt.opt)
			var names []string
			for _, p := range s.Peers() {
				names = append(names, p.Name)
			}
			if !slices.Equal(names, tt.peers) {
				t.Errorf("peers %v, want %v", names, tt.peers)
			}
			if got := walkAll(t, s); !slices.Equal(got, tt.want) {
				t.Errorf("got\n%v\nwant\n%v", got, tt.want)
			}
			if s.Next() {
				t.Error("Next after the end")
			}
		})
	}
	s := r.Snapshot(SnapshotOptions{Table: LocRIB})
	if s.RouterID() != rsID {
		t.Errorf("router ID %s", s.RouterID())
	}
	for _, p := range s.Peers() {
		if p.Name == "a" && (p.AS != 65001 || p.Address != netip.MustParseAddr("10.0.0.1") || p.RouterID != netip.MustParseAddr("10.0.0.1") || p.LocalAS != 65000 || p.Local) {
			t.Errorf("peer a: %+v", p)
		}
		if p.Name == "static" && (!p.Local || p.RouterID != rsID) {
			t.Errorf("peer static: %+v", p)
		}
	}
	s.Close()
}

func TestSnapshotRejected(t *testing.T) {
	r, _, is := ibgpSetup(t, true, true)
	// RFC 4456 §8: our cluster ID in CLUSTER_LIST: kept in the
	// Adj-RIB-In, not in the Loc-RIB.
	send(t, r, is[1], "route 192.0.2.32/27 next-hop 10.1.0.2 as-path [] local-preference 100 originator-id 10.1.0.9 cluster-list [192.0.2.100]")
	send(t, r, is[0], "route 192.0.2.32/27 next-hop 10.1.0.1 as-path [] local-preference 100")
	send(t, r, is[1], "route 192.0.2.64/27 next-hop 10.1.0.2 as-path [] local-preference 100 cluster-list [192.0.2.100]")
	got := walkAll(t, r.Snapshot(SnapshotOptions{Table: AdjRIBIn}))
	want := []string{
		"ipv4/unicast 192.0.2.32/27 i1 0 [] 10.1.0.1",
		"ipv4/unicast 192.0.2.32/27 i2 0 [] 10.1.0.2",
		"ipv4/unicast 192.0.2.64/27 i2 0 [] 10.1.0.2",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%v\nwant\n%v", got, want)
	}
	if got := walkAll(t, r.Snapshot(SnapshotOptions{Table: LocRIB})); len(got) != 1 {
		t.Errorf("loc-rib %v, want i1's path only", got)
	}
}

// TestSnapshotChanges changes the tables between batches: a session
// that goes down loses its paths, one that comes up is not walked, and
// Close in the middle ends the walk.
func TestSnapshotChanges(t *testing.T) {
	r, a, b := snapshotSetup(t)
	s := r.Snapshot(SnapshotOptions{Table: AdjRIBIn, Batch: 1})
	if !s.Next() {
		t.Fatal("no first batch")
	}
	r.Down(a)
	c := newFake("c", "10.0.0.3", 65003, 65000, "10.0.0.254")
	up(r, c, "10.0.0.3")
	send(t, r, c, "route 203.0.113.0/24 next-hop 10.0.0.3 as-path [65003]")
	up(r, a, "10.0.0.1") // back up, maybe under the same PeerID: a new session
	send(t, r, a, "route 198.51.100.0/24 next-hop 10.0.0.1 as-path [65001]")
	for s.Next() {
		for _, p := range s.Batch() {
			for _, sp := range p.Paths {
				if name := s.Peers()[sp.Peer].Name; name != "b" {
					t.Errorf("after a went down, a path of %s: %s", name, snapLine(t, s, p, sp))
				}
			}
		}
	}
	s.Close()
	_ = b

	s = r.Snapshot(SnapshotOptions{Table: LocRIB, Batch: 1})
	if !s.Next() {
		t.Fatal("no first batch")
	}
	s.Close()
	if s.Next() {
		t.Error("Next after Close")
	}
	s.Close()
}

// TestSnapshotConcurrent walks while another goroutine changes the
// Loc-RIB (run with -race).
func TestSnapshotConcurrent(t *testing.T) {
	r, a, _ := snapshotSetup(t)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 200 {
			pfx := fmt.Sprintf("10.%d.%d.0/24", i/256, i%256)
			texts := []string{"route " + pfx + " next-hop 10.0.0.1 as-path [65001]"}
			if i%3 == 0 {
				texts = append(texts, "withdraw route "+pfx)
			}
			for _, text := range texts {
				rt, err := route.Parse(text)
				if err != nil {
					t.Error(err)
					return
				}
				msg, _ := rt.AppendUpdate(nil, a.ctx)
				u, _ := message.ParseUpdate(msg)
				if err := r.Update(a, u, nil); err != nil {
					t.Error(err)
				}
			}
		}
	}()
	for range 5 {
		s := r.Snapshot(SnapshotOptions{Table: AdjRIBIn, Batch: 3})
		for s.Next() {
			for _, p := range s.Batch() {
				if len(p.Paths) == 0 {
					t.Error("prefix without paths")
				}
			}
		}
	}
	wg.Wait()
}
