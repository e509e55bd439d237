package router

import (
	"net/netip"
	"testing"

	"github.com/ze-bgp/ze/internal/corpus"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/rib"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Captures of /work/shared/data/pcap (see its INDEX.md); tests skip
// when the shared data is not there.
const (
	largeCapture   = "bird-frr-large-200k-ipv4-50k-ipv6" // 200k IPv4 + 50k IPv6 prefixes, BIRD → FRR
	addPathCapture = "exabgp-gobgp-ibgp-addpath-v4v6"    // iBGP, ADD-PATH both ways, IPv4 + IPv6
)

// loadUpdates returns the first n messages (0: all) of a capture that
// are UPDATEs.
func loadUpdates(tb testing.TB, name string, n int) []corpus.Message {
	tb.Helper()
	dir, ok := corpus.PcapDir()
	if !ok || !corpus.Exists(dir, name, ".hex.txt") {
		tb.Skipf("capture %s not found under %q", name, dir)
	}
	var msgs []corpus.Message
	var err error
	if n > 0 {
		msgs, err = corpus.LoadN(dir, name, n)
	} else {
		msgs, err = corpus.Load(dir, name)
	}
	if err != nil {
		tb.Fatal(err)
	}
	out := msgs[:0]
	for _, m := range msgs {
		if m.Type == wire.TypeUpdate {
			out = append(out, m)
		}
	}
	return out
}

// feedAll gives the router every message as received by s.
func feedAll(tb testing.TB, r *Router, s Session, msgs []corpus.Message) {
	var u message.Update
	for i := range msgs {
		if err := u.Parse(msgs[i].Data); err != nil {
			tb.Fatalf("message %d: %v", msgs[i].Index, err)
		}
		if err := r.Update(s, u, message.Check(u, msgs[i].Ctx)); err != nil {
			tb.Fatalf("message %d: %v", msgs[i].Index, err)
		}
	}
}

// sinks returns route server clients in several send contexts: the
// source's (forwarded unchanged), the source's with Extended Message
// flipped (re-encoded), and 2-octet AS without ADD-PATH.
func sinks(src wire.Context) []*fake {
	other := src
	other.ExtendedMessage = !other.ExtendedMessage
	out := []*fake{}
	for i, ctx := range []wire.Context{src, other, {}} {
		s := newFake("sink"+string(rune('0'+i)), "10.2.0."+string(rune('1'+i)), 65200+uint32(i), 65000, "10.2.0.254")
		s.cfg.RouteServerClient, s.ctx = true, ctx
		out = append(out, s)
	}
	return out
}

func TestCaptureAddPath(t *testing.T) {
	msgs := loadUpdates(t, addPathCapture, 0)
	r := New(Options{RouterID: rsID})
	bySrc := map[netip.AddrPort][]corpus.Message{}
	var order []netip.AddrPort
	for _, m := range msgs {
		if m.Stream != 0 {
			continue
		}
		if bySrc[m.Src] == nil {
			order = append(order, m.Src)
		}
		bySrc[m.Src] = append(bySrc[m.Src], m)
	}
	var ss []*fake
	for i, src := range order {
		s := newFake("src"+string(rune('0'+i)), src.Addr().String(), 65100, 65000, "10.2.0.254")
		s.cfg.RouteServerClient = true
		r.Up(s, bySrc[src][0].Ctx, capability.Speaker{RouterID: src.Addr()})
		ss = append(ss, s)
	}
	outs := sinks(bySrc[order[0]][0].Ctx)
	for _, s := range outs {
		up(r, s, "10.3.0.1")
	}
	for i, src := range order {
		feedAll(t, r, ss[i], bySrc[src])
	}
	paths, prefixes := 0, map[routeKey]bool{}
	for _, st := range r.Stats() {
		for _, f := range st.Families {
			paths += f.Received
		}
	}
	for _, src := range r.sources {
		if src == nil {
			continue
		}
		for _, f := range dual {
			src.in.Routes(f, func(n rib.NLRI, _ rib.Attrs, _ bool) {
				prefixes[routeKey{n.Family, n.Prefix, 0}] = true
			})
		}
	}
	for _, s := range outs {
		v := view(t, s, 0) // every message re-parsed and checked
		want := len(prefixes)
		if len(s.ctx.AddPathFamilies()) > 0 {
			want = paths
		}
		if len(v.attrs) != want {
			t.Errorf("%s: %d routes, want %d", s.cfg.Name, len(v.attrs), want)
		}
	}
	if paths == 0 {
		t.Fatal("no routes received")
	}
	t.Logf("%d paths, %d prefixes", paths, len(prefixes))
}

func TestCaptureLarge(t *testing.T) {
	msgs := loadUpdates(t, largeCapture, 5000)
	r := New(Options{RouterID: rsID})
	src := newFake("bird", "10.0.0.1", 64496, 65000, "10.0.0.2")
	src.cfg.RouteServerClient = true
	r.Up(src, msgs[0].Ctx, capability.Speaker{RouterID: netip.MustParseAddr("10.0.0.1")})
	outs := sinks(msgs[0].Ctx)
	for _, s := range outs {
		up(r, s, "10.3.0.1")
	}
	feedAll(t, r, src, msgs)
	st := statsOf(r, "bird")
	received := 0
	for _, f := range st.Families {
		received += f.Received
	}
	for _, s := range outs {
		v := view(t, s, 0)
		if len(v.attrs) != received {
			t.Errorf("%s: %d routes, want %d", s.cfg.Name, len(v.attrs), received)
		}
		ss := statsOf(r, s.cfg.Name)
		t.Logf("%s: %d messages (%d forwarded unchanged) for %d routes", s.cfg.Name, ss.UpdatesSent, ss.UpdatesZeroCopy, received)
	}
	if statsOf(r, "sink0").UpdatesZeroCopy == 0 {
		t.Error("nothing forwarded unchanged to the sink sharing the source's context")
	}
}

// counter is a Session sink that counts what it is sent.
type counter struct {
	cfg        config.Peer
	ctx        wire.Context
	msgs, size int
}

func (c *counter) Config() *config.Peer      { return &c.cfg }
func (c *counter) LocalAddr() netip.Addr     { return netip.MustParseAddr("10.2.0.254") }
func (c *counter) SendContext() wire.Context { return c.ctx }
func (c *counter) Families() []wire.Family   { return dual }
func (c *counter) Send(msg []byte) error     { c.msgs++; c.size += len(msg); return nil }

// BenchmarkPropagation pushes the whole 200k capture (250,000 routes)
// from one route server client to another: ns/prefix, and the octets
// the sink is sent per route. "forward" shares the source's context
// (UPDATEs forwarded unchanged), "reencode" does not (every UPDATE
// rebuilt from the pool).
func BenchmarkPropagation(b *testing.B) {
	msgs := loadUpdates(b, largeCapture, 0)
	for _, tc := range []struct {
		name string
		ctx  wire.Context
	}{{"forward", msgs[0].Ctx}, {"reencode", wire.Context{ASN4: true, ExtendedMessage: !msgs[0].Ctx.ExtendedMessage}}} {
		b.Run(tc.name, func(b *testing.B) {
			routes, size, sent := 0, 0, 0
			b.ReportAllocs()
			for b.Loop() {
				r := New(Options{RouterID: rsID})
				src := &counter{cfg: config.Peer{Name: "bird", LocalAS: 65000, Remote: config.Remote{IP: netip.MustParseAddr("10.0.0.1"), AS: 64496}, RouteServerClient: true}, ctx: msgs[0].Ctx}
				sink := &counter{cfg: config.Peer{Name: "sink", LocalAS: 65000, Remote: config.Remote{IP: netip.MustParseAddr("10.0.0.3"), AS: 64499}, RouteServerClient: true}, ctx: tc.ctx}
				r.Up(src, msgs[0].Ctx, speak)
				r.Up(sink, tc.ctx, speak)
				feedAll(b, r, src, msgs)
				routes = 0
				for _, f := range statsOf(r, "sink").Families {
					routes += f.Advertised
				}
				size, sent = sink.size, sink.msgs
			}
			if routes == 0 {
				b.Fatal("nothing propagated")
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(routes), "ns/prefix")
			b.ReportMetric(float64(size)/float64(routes), "bytes/route")
			b.ReportMetric(float64(sent), "msgs")
		})
	}
}
