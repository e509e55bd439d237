package rib

import (
	"net/netip"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// pa describes a test path's attributes; -1 leaves MED / LOCAL_PREF out.
type pa struct {
	origin    attr.Origin
	path      []attr.Segment
	lp, med   int
	originID  uint32
	clusters  int
	nextHop   string
	community bool
}

func seq(asns ...uint32) attr.Segment { return attr.Segment{Type: attr.ASSequence, ASNs: asns} }
func set(asns ...uint32) attr.Segment { return attr.Segment{Type: attr.ASSet, ASNs: asns} }

// bytes encodes the attribute list with the attr package's encoders.
func (a pa) bytes() []byte {
	b := attr.AppendOrigin(nil, a.origin)
	b = attr.AppendASPath(b, a.path, true)
	nh := a.nextHop
	if nh == "" {
		nh = "192.0.2.1"
	}
	b = attr.AppendNextHop(b, netip.MustParseAddr(nh))
	if a.med >= 0 {
		b = attr.AppendMED(b, uint32(a.med))
	}
	if a.lp >= 0 {
		b = attr.AppendLocalPref(b, uint32(a.lp))
	}
	if a.community {
		b = attr.AppendCommunities(b, []attr.Community{0xFDE80001, 0xFDE80002, 0xFDE80003})
	}
	if a.originID != 0 {
		b = attr.AppendOriginatorID(b, netip.AddrFrom4([4]byte{byte(a.originID >> 24), byte(a.originID >> 16), byte(a.originID >> 8), byte(a.originID)}))
	}
	if a.clusters > 0 {
		ids := make([]netip.Addr, a.clusters)
		for i := range ids {
			ids[i] = netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)})
		}
		b = attr.AppendClusterList(b, ids)
	}
	return b
}

// base is a path every test row starts from: IGP, one AS, no MED/LP.
func base() pa { return pa{path: []attr.Segment{seq(65001)}, lp: -1, med: -1} }

func TestDecision(t *testing.T) {
	ebgp := func(as, rid uint32, addr string) Peer {
		return Peer{AS: as, RouterID: rid, Address: netip.MustParseAddr(addr)}
	}
	ibgp := func(rid uint32, addr string) Peer {
		return Peer{AS: 65000, RouterID: rid, Address: netip.MustParseAddr(addr), IBGP: true}
	}
	with := func(f func(*pa)) pa { a := base(); f(&a); return a }
	mod := func(f func(*Options)) Options { o := DefaultOptions(); f(&o); return o }
	cost := func(nh netip.Addr) (uint32, bool) {
		switch nh.String() {
		case "192.0.2.9":
			return 0, false
		case "192.0.2.2":
			return 5, true
		}
		return 10, true
	}
	tests := []struct {
		name  string
		opt   Options
		peers []Peer
		paths []pa // path i comes from peers[i]
		want  int  // index of the best path, -1 for none
	}{
		{"local-pref higher wins", DefaultOptions(), []Peer{ibgp(1, "10.0.0.1"), ibgp(2, "10.0.0.2")},
			[]pa{with(func(a *pa) { a.lp = 100 }), with(func(a *pa) { a.lp = 200 })}, 1},
		{"ebgp local-pref ignored", DefaultOptions(), []Peer{ebgp(65001, 1, "10.0.0.1"), ibgp(2, "10.0.0.2")},
			[]pa{with(func(a *pa) { a.lp = 300 }), with(func(a *pa) { a.lp = 150 })}, 1},
		{"shorter as-path", DefaultOptions(), []Peer{ebgp(65001, 1, "10.0.0.1"), ebgp(65002, 2, "10.0.0.2")},
			[]pa{with(func(a *pa) { a.path = []attr.Segment{seq(65001, 1, 2)} }), with(func(a *pa) { a.path = []attr.Segment{seq(65002, 1)} })}, 1},
		{"as-set counts one", DefaultOptions(), []Peer{ebgp(65001, 1, "10.0.0.1"), ebgp(65002, 2, "10.0.0.2")},
			[]pa{with(func(a *pa) { a.path = []attr.Segment{seq(65001, 1), set(2, 3, 4, 5)} }), with(func(a *pa) { a.path = []attr.Segment{seq(65002, 1, 2, 3)} })}, 0},
		{"confed segments count zero", DefaultOptions(), []Peer{ibgp(1, "10.0.0.1"), ibgp(2, "10.0.0.2")},
			[]pa{with(func(a *pa) { a.path = []attr.Segment{seq(65002, 1)} }), with(func(a *pa) {
				a.path = []attr.Segment{{Type: attr.ConfedSequence, ASNs: []uint32{64512, 64513, 64514}}, seq(65001)}
			})}, 1},
		{"lower origin", DefaultOptions(), []Peer{ebgp(65001, 1, "10.0.0.1"), ebgp(65001, 2, "10.0.0.2")},
			[]pa{with(func(a *pa) { a.origin = attr.OriginIncomplete }), with(func(a *pa) { a.origin = attr.OriginEGP })}, 1},
		{"med same neighbour as", DefaultOptions(), []Peer{ebgp(65001, 1, "10.0.0.1"), ebgp(65001, 2, "10.0.0.2")},
			[]pa{with(func(a *pa) { a.med = 20 }), with(func(a *pa) { a.med = 10 })}, 1},
		{"med other as not compared", DefaultOptions(), []Peer{ebgp(65001, 1, "10.0.0.1"), ebgp(65002, 2, "10.0.0.2")},
			[]pa{with(func(a *pa) { a.med = 20 }), with(func(a *pa) { a.med = 10; a.path = []attr.Segment{seq(65002)} })}, 0},
		{"always-compare-med", mod(func(o *Options) { o.AlwaysCompareMED = true }), []Peer{ebgp(65001, 1, "10.0.0.1"), ebgp(65002, 2, "10.0.0.2")},
			[]pa{with(func(a *pa) { a.med = 20 }), with(func(a *pa) { a.med = 10; a.path = []attr.Segment{seq(65002)} })}, 1},
		{"missing med is 0", DefaultOptions(), []Peer{ebgp(65001, 1, "10.0.0.1"), ebgp(65001, 2, "10.0.0.2")},
			[]pa{with(func(a *pa) { a.med = 10 }), base()}, 1},
		{"missing med worst", mod(func(o *Options) { o.MissingMEDWorst = true }), []Peer{ebgp(65001, 1, "10.0.0.1"), ebgp(65001, 2, "10.0.0.2")},
			[]pa{with(func(a *pa) { a.med = 10 }), base()}, 0},
		{"ebgp over ibgp", DefaultOptions(), []Peer{ibgp(1, "10.0.0.1"), ebgp(65001, 2, "10.0.0.2")},
			[]pa{base(), base()}, 1},
		{"lower igp cost", mod(func(o *Options) { o.IGPCost = cost }), []Peer{ibgp(1, "10.0.0.1"), ibgp(2, "10.0.0.2")},
			[]pa{base(), with(func(a *pa) { a.nextHop = "192.0.2.2" })}, 1},
		{"unreachable next hop", mod(func(o *Options) { o.IGPCost = cost }), []Peer{ibgp(1, "10.0.0.1"), ibgp(2, "10.0.0.2")},
			[]pa{with(func(a *pa) { a.nextHop = "192.0.2.9" }), base()}, 1},
		{"only path unreachable", mod(func(o *Options) { o.IGPCost = cost }), []Peer{ibgp(1, "10.0.0.1")},
			[]pa{with(func(a *pa) { a.nextHop = "192.0.2.9" })}, -1},
		{"lower router id", DefaultOptions(), []Peer{ibgp(2, "10.0.0.1"), ibgp(1, "10.0.0.2")},
			[]pa{base(), base()}, 1},
		{"originator-id replaces router id", DefaultOptions(), []Peer{ibgp(2, "10.0.0.1"), ibgp(1, "10.0.0.2")},
			[]pa{base(), with(func(a *pa) { a.originID = 3 })}, 0},
		{"shorter cluster list", DefaultOptions(), []Peer{ibgp(1, "10.0.0.1"), ibgp(1, "10.0.0.2")},
			[]pa{with(func(a *pa) { a.clusters = 2 }), with(func(a *pa) { a.clusters = 1 })}, 1},
		{"lower peer address", DefaultOptions(), []Peer{ibgp(1, "10.0.0.2"), ibgp(1, "10.0.0.1")},
			[]pa{base(), base()}, 1},
		// MED is not transitive: a (AS 65001, MED 10, id 1), b (AS 65002,
		// id 2), c (AS 65001, MED 5, id 3). §9.1.2.2 removes a (c has the
		// lower MED in AS 65001), then b beats c on the router ID; pairwise
		// in arrival order a beats b (id), then c beats a (MED).
		{"deterministic med", DefaultOptions(), []Peer{ebgp(65001, 1, "10.0.0.1"), ebgp(65002, 2, "10.0.0.2"), ebgp(65001, 3, "10.0.0.3")},
			[]pa{with(func(a *pa) { a.med = 10 }), with(func(a *pa) { a.path = []attr.Segment{seq(65002)} }), with(func(a *pa) { a.med = 5 })}, 1},
		{"pairwise med", mod(func(o *Options) { o.DeterministicMED = false }), []Peer{ebgp(65001, 1, "10.0.0.1"), ebgp(65002, 2, "10.0.0.2"), ebgp(65001, 3, "10.0.0.3")},
			[]pa{with(func(a *pa) { a.med = 10 }), with(func(a *pa) { a.path = []attr.Segment{seq(65002)} }), with(func(a *pa) { a.med = 5 })}, 2},
	}
	pfx := netip.MustParsePrefix("203.0.113.0/24")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPool()
			l := NewLocRIB(p, tt.opt)
			var hs []Attrs
			for i, a := range tt.paths {
				id := l.AddPeer(tt.peers[i])
				h, err := p.Intern(a.bytes(), false, nil, asn4, false)
				if err != nil {
					t.Fatal(err)
				}
				hs = append(hs, h)
				l.Apply(nil, id, []Change{{NLRI: NLRI{wire.IPv4Unicast, pfx, 0}, New: h}})
			}
			best, ok := l.Best(wire.IPv4Unicast, pfx)
			if tt.want < 0 {
				if ok {
					t.Fatalf("best = %+v, want none", best)
				}
				return
			}
			if !ok || best.Peer != PeerID(tt.want) || best.Attrs != hs[tt.want] {
				t.Fatalf("best = %+v (ok %v), want path %d", best, ok, tt.want)
			}
		})
	}
}
