package router

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// fake is a Session that records what it is sent. With limit > 0, Send
// fails once limit messages are queued (a full queue).
type fake struct {
	cfg   config.Peer
	local netip.Addr
	ctx   wire.Context
	fams  []wire.Family
	sent  [][]byte
	limit int
}

func (f *fake) Config() *config.Peer      { return &f.cfg }
func (f *fake) LocalAddr() netip.Addr     { return f.local }
func (f *fake) SendContext() wire.Context { return f.ctx }
func (f *fake) Families() []wire.Family   { return f.fams }

var errFull = errors.New("fake: queue full")

func (f *fake) Send(msg []byte) error {
	if f.limit > 0 && len(f.sent) >= f.limit {
		return errFull
	}
	f.sent = append(f.sent, msg)
	return nil
}

var (
	asn4  = wire.Context{ASN4: true}
	dual  = []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast}
	v4    = []wire.Family{wire.IPv4Unicast}
	rsID  = netip.MustParseAddr("192.0.2.100")
	speak = capability.Speaker{RouterID: netip.MustParseAddr("10.9.9.9")}
)

// newFake returns a session of peer name at remote (AS remoteAS) for a
// router of AS localAS; local is its local address.
func newFake(name, remote string, remoteAS, localAS uint32, local string) *fake {
	return &fake{
		cfg: config.Peer{
			Name:    name,
			LocalAS: localAS,
			Remote:  config.Remote{IP: netip.MustParseAddr(remote), AS: remoteAS},
		},
		local: netip.MustParseAddr(local),
		ctx:   asn4,
		fams:  dual,
	}
}

// up brings s up with its send context as receive context and the
// given remote router ID.
func up(r *Router, s *fake, routerID string) {
	r.Up(s, s.ctx, capability.Speaker{RouterID: netip.MustParseAddr(routerID)})
}

// routeKey names a route in a view.
type routeKey struct {
	f  wire.Family
	p  netip.Prefix
	id uint32
}

// seen is what a peer knows after the messages it was sent: each
// route's attribute field (MP attributes left out) and next hop.
type seen struct {
	attrs   map[routeKey][]byte
	nh      map[routeKey]netip.Addr
	eor     []wire.Family
	updates int
	refresh []wire.RouteRefresh
}

// view decodes everything s was sent (from message from on), checking
// each UPDATE with message.CheckCount in s's send context.
func view(t testing.TB, s *fake, from int) *seen {
	t.Helper()
	v := &seen{attrs: map[routeKey][]byte{}, nh: map[routeKey]netip.Addr{}}
	for i, msg := range s.sent[from:] {
		if len(msg) > s.ctx.MaxLen() {
			t.Fatalf("%s: message %d is %d octets, over %d", s.cfg.Name, i, len(msg), s.ctx.MaxLen())
		}
		if wire.Type(msg[18]) == wire.TypeRouteRefresh {
			rr, err := wire.ParseRouteRefresh(msg)
			if err != nil {
				t.Fatal(err)
			}
			v.refresh = append(v.refresh, rr)
			continue
		}
		u, err := message.ParseUpdate(msg)
		if err != nil {
			t.Fatalf("%s: message %d: %v", s.cfg.Name, i, err)
		}
		if _, err := message.CheckCount(u, s.ctx); err != nil {
			t.Fatalf("%s: message %d %x: %v", s.cfg.Name, i, msg, err)
		}
		v.updates++
		if f, ok := u.EndOfRIB(); ok {
			v.eor = append(v.eor, f)
			continue
		}
		v.apply(u, s.ctx)
	}
	return v
}

func (v *seen) apply(u message.Update, ctx wire.Context) {
	drop := func(it nlri.Iterator, f wire.Family) {
		for it.Next() {
			k := routeKey{f, it.Prefix(), it.PathID()}
			delete(v.attrs, k)
			delete(v.nh, k)
		}
	}
	drop(u.WithdrawnRoutes(ctx), wire.IPv4Unicast)
	var plain []byte
	for it := u.Attributes(); it.Next(); {
		if c := it.Code(); c != attr.CodeMPReach && c != attr.CodeMPUnreach {
			plain = append(plain, it.Raw()...)
		}
	}
	if m, ok, _ := u.MPUnreach(); ok {
		drop(nlri.NewIterator(m.NLRI, m.Family, ctx.AddPath(m.Family)), m.Family)
	}
	add := func(it nlri.Iterator, f wire.Family, nh netip.Addr) {
		for it.Next() {
			k := routeKey{f, it.Prefix(), it.PathID()}
			v.attrs[k], v.nh[k] = plain, nh
		}
	}
	if len(u.NLRI) > 0 {
		nv, _ := attr.Find(u.Attrs, attr.CodeNextHop)
		nh, _ := attr.ParseNextHop(nv)
		add(u.Announced(ctx), wire.IPv4Unicast, nh)
	}
	if m, ok, _ := u.MPReach(); ok {
		nh, _, _ := m.NextHops()
		add(nlri.NewIterator(m.NLRI, m.Family, ctx.AddPath(m.Family)), m.Family, nh)
	}
}

// get returns the attribute field and next hop of a route.
func (v *seen) get(pfx string, id uint32) ([]byte, netip.Addr, bool) {
	p := netip.MustParsePrefix(pfx)
	f := wire.IPv4Unicast
	if p.Addr().Is6() {
		f = wire.IPv6Unicast
	}
	k := routeKey{f, p, id}
	a, ok := v.attrs[k]
	return a, v.nh[k], ok
}

// mustRoute parses route text.
func mustRoute(t testing.TB, text string) route.Route {
	t.Helper()
	rt, err := route.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

// send has s send the routes (as one UPDATE each) to the router.
func send(t testing.TB, r *Router, s *fake, texts ...string) {
	t.Helper()
	for _, text := range texts {
		msg, err := mustRoute(t, text).AppendUpdate(nil, s.ctx)
		if err != nil {
			t.Fatal(err)
		}
		u, err := message.ParseUpdate(msg)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Update(s, u, message.Check(u, s.ctx)); err != nil {
			t.Fatal(err)
		}
	}
}

// asPath returns a route's AS_PATH as ASNs (4-octet encoding).
func asPath(t testing.TB, attrs []byte) []uint32 {
	t.Helper()
	v, ok := attr.Find(attrs, attr.CodeASPath)
	if !ok {
		t.Fatal("no AS_PATH")
	}
	var out []uint32
	it := attr.NewASPathIterator(v, true)
	for it.Next() {
		for i := range it.Len() {
			out = append(out, it.ASN(i))
		}
	}
	return out
}

// u32 returns a 4-octet attribute's value.
func u32(attrs []byte, c attr.Code) (uint32, bool) {
	v, ok := attr.Find(attrs, c)
	if !ok || len(v) != 4 {
		return 0, false
	}
	return uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3]), true
}

// statsOf returns the stats of peer name.
func statsOf(r *Router, name string) PeerStats {
	for _, s := range r.Stats() {
		if s.Name == name {
			return s
		}
	}
	return PeerStats{}
}
