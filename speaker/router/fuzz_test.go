package router

import (
	"testing"

	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// FuzzUpdate feeds arbitrary UPDATE bodies from one route server
// client through the router to a route server client, an external peer
// and a 2-octet-AS peer, and checks that whatever they are sent parses
// and passes message.CheckCount in their send context. It protects the
// re-encoding (packing, MP_REACH_NLRI, AS4_PATH) against inputs the
// checks let through.
func FuzzUpdate(f *testing.F) {
	for _, text := range []string{
		"route 203.0.113.0/24 next-hop 10.0.0.1 as-path [65001 4200000000] med 5 community [65001:7]",
		"route 2001:db8::/32 next-hop 2001:db8::1 as-path [65001] aggregator 4200000001:192.0.2.1",
		"withdraw route 203.0.113.0/24",
	} {
		rt, err := route.Parse(text)
		if err != nil {
			f.Fatal(err)
		}
		msg, _ := rt.AppendUpdate(nil, asn4)
		f.Add(msg[wire.HeaderLen:])
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 4096-wire.HeaderLen {
			return
		}
		msg := append(wire.AppendHeader(nil, wire.TypeUpdate), body...)
		wire.SetLength(msg)
		u, err := message.ParseUpdate(msg)
		if err != nil {
			return
		}
		r := New(Options{RouterID: rsID})
		src := newFake("src", "10.0.0.1", 65001, 65000, "10.0.0.254")
		src.cfg.RouteServerClient = true
		rs := newFake("rs", "10.0.0.2", 65002, 65000, "10.0.0.254")
		rs.cfg.RouteServerClient = true
		rs.ctx.ExtendedMessage = true
		eb := newFake("eb", "10.0.0.3", 65003, 65000, "10.0.0.254")
		two := newFake("two", "10.0.0.4", 65004, 65000, "10.0.0.254")
		two.ctx = wire.Context{}
		for _, s := range []*fake{src, rs, eb, two} {
			up(r, s, "10.9.0.1")
		}
		_ = r.Update(src, u, message.Check(u, src.ctx))
		for _, s := range []*fake{rs, eb, two} {
			view(t, s, 0)
		}
	})
}
