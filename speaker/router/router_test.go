package router

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// rsClients returns three route server clients of a route server in
// AS 65000.
func rsClients() (a, b, c *fake) {
	a = newFake("a", "10.0.0.1", 65001, 65000, "10.0.0.254")
	b = newFake("b", "10.0.0.2", 65002, 65000, "10.0.0.254")
	c = newFake("c", "10.0.0.3", 65003, 65000, "10.0.0.254")
	for _, s := range []*fake{a, b, c} {
		s.cfg.RouteServerClient = true
	}
	return a, b, c
}

func TestRouteServer(t *testing.T) {
	for _, tc := range []struct {
		name     string
		extended bool // c's send context differs: re-encoded, not forwarded
	}{{"zero-copy", false}, {"re-encoded", true}} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(Options{RouterID: rsID})
			a, b, c := rsClients()
			c.ctx.ExtendedMessage = tc.extended
			up(r, a, "10.0.0.1")
			up(r, b, "10.0.0.2")
			up(r, c, "10.0.0.3")
			base := [3]int{len(a.sent), len(b.sent), len(c.sent)}

			in := "route 203.0.113.0/24 next-hop 10.0.0.1 as-path [65001] med 5 community [65001:7]"
			send(t, r, a, in)
			want, _ := mustRoute(t, in).AppendUpdate(nil, asn4)
			wantAttrs := want[23 : len(want)-4] // header, lengths; NLRI 203.0.113/24 is 4 octets
			for _, s := range []*fake{b, c} {
				got, nh, ok := view(t, s, 0).get("203.0.113.0/24", 0)
				// RFC 7947 §2.2: attributes unchanged, no AS prepend, next hop and MED kept.
				if !ok || !bytes.Equal(got, wantAttrs) || nh != netip.MustParseAddr("10.0.0.1") {
					t.Errorf("%s got %x nh %v, want %x", s.cfg.Name, got, nh, wantAttrs)
				}
			}
			if len(a.sent) != base[0] {
				t.Error("the announcing client was sent its own path")
			}
			zc := statsOf(r, "c").UpdatesZeroCopy
			if tc.extended == (zc != 0) || statsOf(r, "b").UpdatesZeroCopy != 1 {
				t.Errorf("zero-copy counts b=%d c=%d", statsOf(r, "b").UpdatesZeroCopy, zc)
			}

			// b's longer path: a (whose own path is excluded, RFC 7947
			// §2.3.2) now gets b's; b and c keep a's.
			send(t, r, b, "route 203.0.113.0/24 next-hop 10.0.0.2 as-path [65002 65010]")
			if got, _, _ := view(t, a, 0).get("203.0.113.0/24", 0); !slices.Equal(asPath(t, got), []uint32{65002, 65010}) {
				t.Errorf("a's best = %v, want b's path", asPath(t, got))
			}
			if len(b.sent) != base[1]+1 || len(c.sent) != base[2]+1 { // a's path only
				t.Errorf("b sent %d, c sent %d new messages", len(b.sent)-base[1], len(c.sent)-base[2])
			}

			// a withdraws: b has no other path, c falls back to b's.
			send(t, r, a, "withdraw route 203.0.113.0/24")
			if _, _, ok := view(t, b, 0).get("203.0.113.0/24", 0); ok {
				t.Error("b still has the route")
			}
			if got, _, _ := view(t, c, 0).get("203.0.113.0/24", 0); !slices.Equal(asPath(t, got), []uint32{65002, 65010}) {
				t.Errorf("c's best after withdraw = %v", asPath(t, got))
			}
		})
	}
}

func TestEBGP(t *testing.T) {
	for _, tc := range []struct {
		name string
		ctx  wire.Context
		want []uint32 // AS_PATH as decoded with 4-octet ASNs
	}{
		{"asn4", asn4, []uint32{65000, 4200000000, 65001}},
		// 2-octet peer: AS_TRANS in AS_PATH, the real path in AS4_PATH (RFC 6793 §4.2.2).
		{"asn2", wire.Context{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(Options{RouterID: rsID})
			x := newFake("x", "10.0.0.1", 4200000000, 65000, "10.0.0.254")
			y := newFake("y", "10.0.1.1", 65002, 65000, "10.0.1.254")
			y.ctx = tc.ctx
			up(r, x, "10.0.0.1")
			up(r, y, "10.0.1.1")
			send(t, r, x, "route 198.51.100.0/24 next-hop 10.0.0.1 as-path [4200000000 65001] med 5 local-preference 300 aggregator 65001:192.0.2.9")
			got, nh, ok := view(t, y, 0).get("198.51.100.0/24", 0)
			if !ok || nh != netip.MustParseAddr("10.0.1.254") {
				t.Fatalf("next hop %v %v, want self 10.0.1.254", nh, ok)
			}
			if _, has := attr.Find(got, attr.CodeMED); has {
				t.Error("MED sent to another AS")
			}
			if _, has := attr.Find(got, attr.CodeLocalPref); has {
				t.Error("LOCAL_PREF sent to an external peer")
			}
			if tc.ctx.ASN4 {
				if p := asPath(t, got); !slices.Equal(p, tc.want) {
					t.Errorf("AS_PATH %v, want %v", p, tc.want)
				}
				return
			}
			v, _ := attr.Find(got, attr.CodeASPath)
			want := []byte{2, 3, 0xFD, 0xE8, 0x5B, 0xA0, 0xFD, 0xE9} // AS_SEQUENCE of 3: 65000, AS_TRANS, 65001
			if !bytes.Equal(v, want) {
				t.Errorf("2-octet AS_PATH %x, want %x", v, want)
			}
			v4, ok := attr.Find(got, attr.CodeAS4Path)
			if !ok || !bytes.Equal(v4, []byte{2, 3, 0, 0, 0xFD, 0xE8, 0xFA, 0x56, 0xEA, 0, 0, 0, 0xFD, 0xE9}) {
				t.Errorf("AS4_PATH %x", v4)
			}
			// With AS4_PATH, AGGREGATOR is AS_TRANS and the real ASN goes
			// in AS4_AGGREGATOR, or the receiver ignores AS4_PATH (RFC
			// 6793 §4.2.3).
			agg, _ := attr.Find(got, attr.CodeAggregator)
			if want := []byte{0x5B, 0xA0, 192, 0, 2, 9}; !bytes.Equal(agg, want) { // AS_TRANS, 192.0.2.9
				t.Errorf("AGGREGATOR %x, want %x", agg, want)
			}
			agg4, _ := attr.Find(got, attr.CodeAS4Aggregator)
			if want := []byte{0, 0, 0xFD, 0xE9, 192, 0, 2, 9}; !bytes.Equal(agg4, want) { // 65001, 192.0.2.9
				t.Errorf("AS4_AGGREGATOR %x, want %x", agg4, want)
			}
		})
	}
}

// ibgpSetup returns a router of AS 65000 with an external peer e and
// internal peers i1..i3 (clients as given), all up.
func ibgpSetup(t *testing.T, clients ...bool) (*Router, *fake, []*fake) {
	r := New(Options{RouterID: rsID})
	e := newFake("e", "10.0.0.1", 65001, 65000, "10.0.0.254")
	up(r, e, "10.0.0.1")
	var is []*fake
	for i, cl := range clients {
		s := newFake("i"+string(rune('1'+i)), "10.1.0."+string(rune('1'+i)), 65000, 65000, "10.1.0.254")
		s.cfg.RouteReflectorClient = cl
		up(r, s, "10.1.0."+string(rune('1'+i)))
		is = append(is, s)
	}
	return r, e, is
}

func TestIBGP(t *testing.T) {
	r, e, is := ibgpSetup(t, false, false)
	send(t, r, e, "route 192.0.2.0/24 next-hop 10.0.0.1 as-path [65001]")
	for _, s := range is {
		got, nh, ok := view(t, s, 0).get("192.0.2.0/24", 0)
		lp, hasLP := u32(got, attr.CodeLocalPref)
		if !ok || !hasLP || lp != 100 || nh != netip.MustParseAddr("10.0.0.1") || !slices.Equal(asPath(t, got), []uint32{65001}) {
			t.Errorf("%s: %x nh %v lp %d", s.cfg.Name, got, nh, lp)
		}
	}
	// From one internal peer: to the external peer, not the other internal one.
	n := len(is[1].sent)
	send(t, r, is[0], "route 192.0.2.128/25 next-hop 10.1.0.1 as-path [] local-preference 200")
	if len(is[1].sent) != n {
		t.Error("iBGP path re-advertised to an iBGP peer without reflection")
	}
	if got, _, ok := view(t, e, 0).get("192.0.2.128/25", 0); !ok || !slices.Equal(asPath(t, got), []uint32{65000}) {
		t.Errorf("external peer got %x", got)
	}
}

func TestRouteReflector(t *testing.T) {
	r, _, is := ibgpSetup(t, true, true, false) // i1, i2 clients; i3 not
	cluster := addrID(rsID)
	send(t, r, is[0], "route 192.0.2.0/24 next-hop 10.1.0.1 as-path [] local-preference 100")
	for _, s := range is[1:] { // RFC 4456 §6: from a client to every peer
		got, _, ok := view(t, s, 0).get("192.0.2.0/24", 0)
		oid, _ := u32(got, attr.CodeOriginatorID)
		cl, _ := u32(got, attr.CodeClusterList)
		if !ok || oid != addrID(netip.MustParseAddr("10.1.0.1")) || cl != cluster {
			t.Errorf("%s: originator %x cluster %x (%v)", s.cfg.Name, oid, cl, ok)
		}
	}
	// From a non-client: to clients only.
	send(t, r, is[2], "route 192.0.2.64/26 next-hop 10.1.0.3 as-path [] local-preference 100")
	for i, want := range []bool{true, true, false} {
		if _, _, ok := view(t, is[i], 0).get("192.0.2.64/26", 0); ok != want {
			t.Errorf("%s got the non-client path: %v, want %v", is[i].cfg.Name, ok, want)
		}
	}
	// Loop (RFC 4456 §8): our cluster ID in CLUSTER_LIST is ignored.
	n := len(is[2].sent)
	send(t, r, is[1], "route 192.0.2.32/27 next-hop 10.1.0.2 as-path [] local-preference 100 originator-id 10.1.0.9 cluster-list [192.0.2.100]")
	if len(is[2].sent) != n {
		t.Error("looped path reflected")
	}
	st := statsOf(r, "i2").Families[0]
	if st.Received != 1 || st.Accepted != 0 {
		t.Errorf("i2 stats %+v", st)
	}
}

func TestInitialSyncAndDown(t *testing.T) {
	r := New(Options{RouterID: rsID})
	a := newFake("a", "10.0.0.1", 65001, 65000, "10.0.0.254")
	up(r, a, "10.0.0.1")
	send(t, r, a,
		"route 10.1.0.0/16 next-hop 10.0.0.1 as-path [65001]",
		"route 10.2.0.0/16 next-hop 10.0.0.1 as-path [65001]",
		"route 2001:db8::/32 next-hop 2001:db8::1 as-path [65001]")
	b := newFake("b", "10.0.0.2", 65002, 65000, "10.0.0.254")
	b.local = netip.MustParseAddr("2001:db8::fe")
	up(r, b, "10.0.0.2")
	v := view(t, b, 0)
	if len(v.attrs) != 3 || !slices.Equal(v.eor, dual) {
		t.Fatalf("initial sync: %d routes, EoR %v", len(v.attrs), v.eor)
	}
	if v.updates != 2+2 { // the two IPv4 routes share attributes: one UPDATE; one IPv6; two EoR
		t.Errorf("initial sync in %d UPDATEs, want 4", v.updates)
	}
	if _, nh, _ := v.get("2001:db8::/32", 0); nh != b.local {
		t.Errorf("IPv6 next hop %v, want self", nh)
	}
	if st := statsOf(r, "b").Families; st[0].Advertised != 2 || st[1].Advertised != 1 {
		t.Errorf("stats %+v", st)
	}
	r.Down(a)
	if v := view(t, b, 0); len(v.attrs) != 0 {
		t.Errorf("after a went down b still has %d routes", len(v.attrs))
	}
	if st := statsOf(r, "a"); st.Up || st.UpdatesReceived != 3 {
		t.Errorf("a stats %+v", st)
	}
}

// manyRoutes returns n /32 routes in 10.0.0.0/8 sharing attributes.
func manyRoutes(t *testing.T, n int) []route.Route {
	base := mustRoute(t, "route 10.0.0.0/32 next-hop 192.0.2.1 as-path [65010 65020] community [65010:1]")
	rs := make([]route.Route, n)
	for i := range rs {
		rs[i] = base
		rs[i].Prefix = netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 32)
	}
	return rs
}

func TestPacking(t *testing.T) {
	const n = 3000
	for _, tc := range []struct {
		name    string
		ctx     wire.Context
		maxMsgs int
	}{
		{"4096", asn4, 6}, // 5 octets a prefix, ~815 a message
		{"extended", wire.Context{ASN4: true, ExtendedMessage: true}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := New(Options{RouterID: rsID})
			if err := r.Originate("static", manyRoutes(t, n)); err != nil {
				t.Fatal(err)
			}
			s := newFake("s", "10.0.0.1", 65001, 65000, "10.0.0.254")
			s.ctx, s.fams = tc.ctx, v4
			up(r, s, "10.0.0.1")
			v := view(t, s, 0) // checks every message against MaxLen
			if len(v.attrs) != n || v.updates-1 > tc.maxMsgs {
				t.Errorf("%d routes in %d UPDATEs (+EoR), want %d in at most %d", len(v.attrs), v.updates-1, n, tc.maxMsgs)
			}
			// Withdrawals pack too.
			at := len(s.sent)
			if err := r.Withdraw("static", manyRoutes(t, n)); err != nil {
				t.Fatal(err)
			}
			if w := len(s.sent) - at; w > tc.maxMsgs {
				t.Errorf("withdrawals in %d UPDATEs", w)
			}
			if v := view(t, s, 0); len(v.attrs) != 0 {
				t.Errorf("%d routes left", len(v.attrs))
			}
		})
	}
}

func TestFullQueue(t *testing.T) {
	var stalled []string
	r := New(Options{RouterID: rsID, Stalled: func(name string) { stalled = append(stalled, name) }})
	a := newFake("a", "10.0.0.1", 65001, 65000, "10.0.0.254")
	b := newFake("b", "10.0.0.2", 65002, 65000, "10.0.0.254")
	b.fams = v4
	up(r, a, "10.0.0.1")
	up(r, b, "10.0.0.2")
	b.limit = len(b.sent) + 1 // room for one more message
	send(t, r, a,
		"route 10.1.0.0/16 next-hop 10.0.0.1 as-path [65001]",
		"route 10.2.0.0/16 next-hop 10.0.0.1 as-path [65001 65005]",
		"route 10.3.0.0/16 next-hop 10.0.0.1 as-path [65001 65006]",
		"withdraw route 10.1.0.0/16")
	if !slices.Equal(stalled, []string{"b"}) || !statsOf(r, "b").Stalled {
		t.Fatalf("stalled %v", stalled)
	}
	b.limit = 0
	if !r.Resync(b) {
		t.Fatal("still stalled")
	}
	v := view(t, b, 0)
	_, _, has1 := v.get("10.1.0.0/16", 0)
	_, _, has3 := v.get("10.3.0.0/16", 0)
	if has1 || !has3 || len(v.attrs) != 2 {
		t.Errorf("after resync: %v", v.attrs)
	}
}

func TestAddPathSend(t *testing.T) {
	r := New(Options{RouterID: rsID})
	a, b, c := rsClients()
	c.ctx, _ = c.ctx.WithAddPath(wire.IPv4Unicast, true)
	up(r, a, "10.0.0.1")
	up(r, b, "10.0.0.2")
	up(r, c, "10.0.0.3")
	send(t, r, a, "route 203.0.113.0/24 next-hop 10.0.0.1 as-path [65001]")
	send(t, r, b, "route 203.0.113.0/24 next-hop 10.0.0.2 as-path [65002 65010]")
	v := view(t, c, 0)
	ids := map[uint32]bool{}
	for k := range v.attrs {
		ids[k.id] = true
	}
	if len(v.attrs) != 2 || len(ids) != 2 {
		t.Fatalf("add-path client got %v", v.attrs)
	}
	send(t, r, a, "withdraw route 203.0.113.0/24")
	if v := view(t, c, 0); len(v.attrs) != 1 {
		t.Errorf("after withdraw: %v", v.attrs)
	}
	// A late add-path session gets every path at sync.
	d := newFake("d", "10.0.0.4", 65004, 65000, "10.0.0.254")
	d.cfg.RouteServerClient = true
	d.ctx = c.ctx
	up(r, d, "10.0.0.4")
	if v := view(t, d, 0); len(v.attrs) != 1 {
		t.Errorf("sync: %v", v.attrs)
	}
}
