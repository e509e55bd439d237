package rib

import (
	"net/netip"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// forwardShape is one of make bench-propagation's injections
// (interop/propagation): count consecutive /24s from 20.0.0.0/24, per
// prefixes per UPDATE, one attribute set for all or one per UPDATE
// (MED = UPDATE number).
type forwardShape struct {
	name   string
	per    int
	unique bool
}

// forwardUpdates builds the shape's UPDATE messages (4-octet ASNs):
// ORIGIN IGP, AS_PATH [65003], NEXT_HOP 10.98.0.3, and the MED.
func forwardUpdates(s forwardShape, count int) [][]byte {
	var msgs [][]byte
	var nl []byte
	for i, u := 0, 0; i < count; u++ {
		a := attr.AppendOrigin(nil, attr.OriginIGP)
		a = attr.AppendASPath(a, []attr.Segment{seq(65003)}, true)
		a = attr.AppendNextHop(a, netip.MustParseAddr("10.98.0.3"))
		if s.unique {
			a = attr.AppendMED(a, uint32(u))
		}
		nl = nl[:0]
		for j := 0; j < s.per && i < count; j, i = j+1, i+1 {
			v := 20<<16 + i // the /24's top 24 bits
			nl = append(nl, 24, byte(v>>16), byte(v>>8), byte(v))
		}
		msgs = append(msgs, message.AppendUpdate(nil, nil, a, nl))
	}
	return msgs
}

// forwarder is the RIB work of speaker/router for one eBGP source and
// one eBGP target (no ADD-PATH): Adj-RIB-In, Loc-RIB, the target's
// override table lookup, best path, export, Adj-RIB-Out, and the
// Adj-RIB-Out read of each route to send.
type forwarder struct {
	pool     *Pool
	in, ov   *AdjIn
	loc      *LocRIB
	out      *AdjOut
	exp      EBGP
	src, dst PeerID
	cs       []Change
	bs       []BestChange
	pending  []NLRI
	sent     int
}

func newForwarder() *forwarder {
	p := NewPool()
	opt := DefaultOptions()
	opt.ReportAll = true
	f := &forwarder{pool: p, in: NewAdjIn(p, asn4), ov: NewAdjIn(p, asn4), loc: NewLocRIB(p, opt), out: NewAdjOut(p)}
	f.src = f.loc.AddPeer(Peer{Address: netip.MustParseAddr("10.98.0.3"), AS: 65003})
	f.dst = f.loc.AddPeer(Peer{Address: netip.MustParseAddr("10.98.0.4"), AS: 65004})
	f.exp = EBGP{LocalAS: 65000, NextHop: netip.MustParseAddr("10.98.0.1")}
	return f
}

func (f *forwarder) update(tb testing.TB, msg []byte) {
	u, err := message.ParseUpdate(msg)
	if err != nil {
		tb.Fatal(err)
	}
	if f.cs, err = f.in.Apply(f.cs[:0], u, nil); err != nil {
		tb.Fatal(err)
	}
	f.bs = f.loc.Apply(f.bs[:0], f.src, f.cs)
	f.pending = f.pending[:0]
	for i := range f.bs {
		b := &f.bs[i]
		n := NLRI{Family: b.Family, Prefix: b.Prefix}
		var h Attrs
		if ov, _ := f.ov.Lookup(n); ov == 0 {
			if best, ok := f.loc.Best(b.Family, b.Prefix); ok && best.Peer != f.dst {
				h, _ = f.exp.Export(f.pool, b.Family, f.loc.Peer(best.Peer), best.Attrs)
			}
		}
		if f.out.Set(n, h) {
			f.pending = append(f.pending, n)
		}
	}
	for _, n := range f.pending {
		if f.out.Get(n) != 0 {
			f.sent++
		}
	}
}

// BenchmarkForward replays make bench-propagation's two shapes through
// the RIB work the router does per route (forwarder), 1M prefixes; it
// reports ns/route, the process's CPU time per route (cpu-ns/route:
// steadier than the wall clock on a shared machine) and the heap the
// tables and pool hold per route.
//
//	go test -run=^$ -bench=Forward -benchmem ./speaker/rib/
func BenchmarkForward(b *testing.B) {
	const count = 1_000_000
	for _, s := range []forwardShape{{"500-shared", 500, false}, {"10-unique", 10, true}} {
		b.Run(s.name, func(b *testing.B) {
			msgs := forwardUpdates(s, count)
			var heap float64
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				f := newForwarder()
				t0 := cpuTime()
				b.StartTimer()
				for _, m := range msgs {
					f.update(b, m)
				}
				b.StopTimer()
				cpu += cpuTime() - t0
				if f.sent != count || f.out.Len(wire.IPv4Unicast) != count {
					b.Fatalf("sent %d, Adj-RIB-Out %d, want %d", f.sent, f.out.Len(wire.IPv4Unicast), count)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				heap = float64(after.HeapInuse) - float64(before.HeapInuse)
				runtime.KeepAlive(f)
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/count, "ns/route")
			b.ReportMetric(heap/count, "heap-B/route")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/count, "cpu-ns/route")
		})
	}
}

// cpuTime is the process's user + system CPU time so far: on a shared
// machine a steadier figure than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
