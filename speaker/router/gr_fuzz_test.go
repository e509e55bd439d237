package router

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// FuzzRestartOf reads arbitrary capability lists as an OPEN's and
// checks RestartOf against the capability parsers: it protects the
// capability walk of the daemon's Established (an OPEN that passed the
// session's checks, but RestartOf must not panic on any).
func FuzzRestartOf(f *testing.F) {
	f.Add([]byte{0x40, 0x06, 0x40, 0x78, 0x00, 0x01, 0x01, 0x80})                         // GR: N, 120 s, IPv4 unicast F
	f.Add([]byte{0x47, 0x07, 0x00, 0x02, 0x01, 0x80, 0x00, 0x0E, 0x10})                   // LLGR: IPv6 unicast F, 3600 s
	f.Add([]byte{0x40, 0x02, 0x80, 0x00, 0x40, 0x06, 0x00, 0x10, 0x00, 0x01, 0x01, 0x00}) // two GR capabilities
	f.Add([]byte{0x40, 0x03, 0x00, 0x00, 0x00})                                           // malformed GR
	f.Fuzz(func(t *testing.T, caps []byte) {
		if len(caps) > 255 {
			return
		}
		msg := message.AppendOpen(nil, message.OpenParams{ASN: 65001, HoldTime: 90, RouterID: netip.MustParseAddr("10.0.0.1"), Caps: caps})
		o, err := message.ParseOpen(msg)
		if err != nil {
			return
		}
		gr := RestartOf(o)
		var first capability.GracefulRestart
		it := o.Capabilities()
		for it.Next() {
			if it.Code() == capability.CodeGracefulRestart && first == nil {
				if g, err := capability.ParseGracefulRestart(it.Value()); err == nil {
					first = g
				}
			}
		}
		if gr.Advertised != (first != nil) {
			t.Fatalf("Advertised %v, capability %x", gr.Advertised, first)
		}
		if first != nil && (gr.Time != first.Time() || gr.Flags != first.Flags() || len(gr.Families) != first.Len()) {
			t.Fatalf("Restart %+v, capability %x", gr, first)
		}
		if gr.Time > capability.MaxRestartTime {
			t.Fatalf("restart time %d", gr.Time)
		}
	})
}

// FuzzGR runs arbitrary sequences of a graceful restart peer's life —
// routes, withdrawals, End-of-RIBs, graceful and plain ends, sessions
// back with any Graceful Restart capability, timers firing — through a
// route server whose other client watches. After every step the
// watcher must hold exactly the routes of the peer's Adj-RIB-In (stale
// or not: kept routes stay announced), and Remove must leave it nothing
// and no timer. It protects the keep / sweep bookkeeping of gr.go.
func FuzzGR(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 3, 3, 5, 0xFF, 0, 0, 2, 0, 2, 1})
	f.Add([]byte{0, 0, 0, 3, 3, 5, 0x03, 6, 3, 5, 0x0F, 0, 2, 6})
	f.Add([]byte{0, 1, 0, 2, 3, 6, 5, 0x1F, 4, 5, 0x1F, 0, 3, 1, 3})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 64 {
			return
		}
		tm := &manualTimers{}
		r := New(Options{RouterID: rsID, AfterFunc: tm.after})
		w := newFake("w", "10.0.0.2", 65002, 65000, "10.0.0.254")
		w.cfg.RouteServerClient = true
		up(r, w, "10.0.0.2")
		speaker := capability.Speaker{RouterID: netip.MustParseAddr("10.0.0.1")}
		g := newGRFake()
		r.UpRestart(g, g.ctx, speaker, grRestart(true, wire.IPv4Unicast, wire.IPv6Unicast))
		isUp := true
		arg := func(i *int) byte {
			*i++
			if *i < len(ops) {
				return ops[*i]
			}
			return 0
		}
		for i := 0; i < len(ops); i++ {
			switch ops[i] % 7 {
			case 0, 1: // announce (0) or withdraw (1) route n, attributes variant v
				a := arg(&i)
				if !isUp {
					continue
				}
				text := grRoutes[int(a)%len(grRoutes)]
				if ops[i-1]%7 == 1 {
					text = "withdraw " + text
				} else if a&0x80 != 0 {
					text += " med 7"
				}
				send(t, r, g, text)
			case 2: // End-of-RIB
				a := arg(&i)
				if !isUp {
					continue
				}
				fam := wire.IPv4Unicast
				if a&1 != 0 {
					fam = wire.IPv6Unicast
				}
				u, _ := message.ParseUpdate(EndOfRIB(fam))
				if err := r.Update(g, u, nil); err != nil {
					t.Fatal(err)
				}
			case 3: // graceful end
				if isUp {
					r.DownGraceful(g)
					isUp = false
				}
			case 4: // plain end
				if isUp {
					r.Down(g)
					isUp = false
				}
			case 5: // back, with the capability bits of the next byte
				a := arg(&i)
				if isUp {
					continue
				}
				var gr Restart
				if a&0x10 != 0 {
					gr = Restart{Advertised: true, Time: 120}
					for bit, f := range []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast} {
						if a&(1<<bit) == 0 {
							continue
						}
						e := capability.RestartFamily{Family: f}
						if a&(4<<bit) != 0 {
							e.Flags = capability.FlagForwarding
						}
						gr.Families = append(gr.Families, e)
					}
				}
				g = newGRFake()
				r.UpRestart(g, g.ctx, speaker, gr)
				isUp = true
			case 6: // the pending timer fires
				if p := tm.pending(); len(p) > 0 {
					p[0].fired = true
					p[0].fn()
				}
			}
			checkWatcher(t, r, w)
		}
		r.Remove("g")
		if v := view(t, w, 0); len(v.attrs) != 0 {
			t.Fatalf("after Remove the watcher holds %d routes", len(v.attrs))
		}
		if p := tm.pending(); len(p) != 0 {
			t.Fatalf("%d timers pending after Remove", len(p))
		}
	})
}

// checkWatcher fails unless w holds exactly the routes of g's
// Adj-RIB-In.
func checkWatcher(t *testing.T, r *Router, w *fake) {
	t.Helper()
	in, _, err := r.Routes(Query{Table: AdjRIBIn, Peer: "g"})
	if err != nil {
		t.Fatal(err)
	}
	v := view(t, w, 0)
	if len(in) != len(v.attrs) {
		t.Fatalf("g's Adj-RIB-In holds %d routes, the watcher %d", len(in), len(v.attrs))
	}
	for _, rt := range in {
		got, ok := v.attrs[routeKey{rt.Family, rt.Prefix, 0}]
		if !ok {
			t.Fatalf("the watcher lacks %s (stale %v)", rt.Prefix, rt.Stale)
		}
		if !bytes.Equal(got, rt.Attrs) { // RFC 7947: sent unchanged
			t.Fatalf("the watcher has %s with %x, g sent %x", rt.Prefix, got, rt.Attrs)
		}
	}
}
