package bench

import (
	"runtime"
	"testing"

	"github.com/osrg/gobgp/v3/pkg/packet/bgp"

	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// result keeps each benchmark's sink alive.
var result sink

// meter takes the process's memory and CPU statistics around the timed
// loop of a benchmark.
type meter struct {
	mem runtime.MemStats
	cpu int64
}

// start collects garbage left by earlier work, takes the starting
// statistics and resets the benchmark timer.
func (m *meter) start(b *testing.B) {
	runtime.GC()
	runtime.ReadMemStats(&m.mem)
	m.cpu = cpuTime()
	b.ResetTimer()
}

// stop reports, per message over b.N passes of msgs messages: ns/msg
// (wall clock), cpu-ns/msg (CPU time of all threads, garbage collection
// included: steadier than wall clock on a busy machine), allocs/msg and
// B/msg.
func (m *meter) stop(b *testing.B, msgs int) {
	b.StopTimer()
	cpu := cpuTime() - m.cpu
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	total := float64(b.N) * float64(msgs)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/msg")
	if cpu > 0 {
		b.ReportMetric(float64(cpu)/total, "cpu-ns/msg")
	}
	b.ReportMetric(float64(after.Mallocs-m.mem.Mallocs)/total, "allocs/msg")
	b.ReportMetric(float64(after.TotalAlloc-m.mem.TotalAlloc)/total, "B/msg")
}

// BenchmarkZeWalk reads every UPDATE of the capture completely with
// ze's codec (see zeWalk). One op is one pass over all messages.
func BenchmarkZeWalk(b *testing.B) {
	c := loadCorpus(b)
	z := newZeSession(c.ctx)
	var s sink
	b.SetBytes(c.bytes)
	b.ReportAllocs()
	var mt meter
	mt.start(b)
	for range b.N {
		for _, m := range c.updates {
			if err := zeWalk(m, z, &s); err != nil {
				b.Fatal(err)
			}
		}
	}
	mt.stop(b, len(c.updates))
	result = s
}

// BenchmarkGoBGPParse parses every UPDATE of the capture with GoBGP
// 3.30 (4-octet AS paths are detected from the bytes; no ADD-PATH, as
// negotiated) and reads the same fields as BenchmarkZeWalk.
func BenchmarkGoBGPParse(b *testing.B) {
	c := loadCorpus(b)
	opt := gobgpOption(c.ctx)
	var s sink
	b.SetBytes(c.bytes)
	b.ReportAllocs()
	var mt meter
	mt.start(b)
	for range b.N {
		for _, m := range c.updates {
			if err := gobgpWalk(m, opt, &s); err != nil {
				b.Fatal(err)
			}
		}
	}
	mt.stop(b, len(c.updates))
	result = s
}

// BenchmarkZeWalkParallel is BenchmarkZeWalk on every core at once
// (see walkParallel): a speaker decoding many sessions.
func BenchmarkZeWalkParallel(b *testing.B) {
	c := loadCorpus(b)
	z := newZeSession(c.ctx) // read only: shared by the goroutines
	walkParallel(b, c, func(m []byte, s *sink) error { return zeWalk(m, z, s) })
}

// BenchmarkGoBGPParseParallel is BenchmarkGoBGPParse on every core at
// once: GoBGP's garbage collector then shares the cores with the
// parsing, as in a busy speaker.
func BenchmarkGoBGPParseParallel(b *testing.B) {
	c := loadCorpus(b)
	opt := gobgpOption(c.ctx)
	walkParallel(b, c, func(m []byte, s *sink) error { return gobgpWalk(m, opt, s) })
}

// walkParallel runs walk over every UPDATE of c on every core at once
// (b.RunParallel, one sink per goroutine). ns/msg is wall clock per
// message of all goroutines together: the machine's throughput. The
// call through walk costs a predicted indirect call per message, the
// same for both codecs.
func walkParallel(b *testing.B, c *feed, walk func(m []byte, s *sink) error) {
	b.SetBytes(c.bytes)
	b.ReportAllocs()
	var mt meter
	mt.start(b)
	b.RunParallel(func(pb *testing.PB) {
		var s sink
		for pb.Next() {
			for _, m := range c.updates {
				if err := walk(m, &s); err != nil {
					b.Error(err)
					return
				}
			}
		}
	})
	mt.stop(b, len(c.updates))
}

// gobgpOption gives GoBGP the ADD-PATH modes of ctx (GoBGP has no
// 4-octet-AS option: it tells 2- from 4-octet AS_PATHs by their bytes).
func gobgpOption(ctx wire.Context) *bgp.MarshallingOption {
	opt := &bgp.MarshallingOption{}
	for _, f := range ctx.AddPathFamilies() {
		if opt.AddPath == nil {
			opt.AddPath = map[bgp.RouteFamily]bgp.BGPAddPathMode{}
		}
		opt.AddPath[bgp.AfiSafiToRouteFamily(uint16(f.AFI), uint8(f.SAFI))] = bgp.BGP_ADD_PATH_BOTH
	}
	return opt
}

// routeText is a typical API announcement.
const routeText = "announce route 10.0.0.0/24 next-hop 192.0.2.1 origin igp as-path [65001 65002 4200000000] med 10 local-preference 100 community [65000:1 no-export] large-community [65000:1:2] extended-community [target:65000:1]"

// BenchmarkZeRouteEncode measures speaker/route: "encode" writes an
// already parsed route as an UPDATE into a reused buffer; "parse+encode"
// is the whole API path from text.
func BenchmarkZeRouteEncode(b *testing.B) {
	ctx := wire.Context{ASN4: true}
	r, err := route.Parse(routeText)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 4096)
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			out, err := r.AppendUpdate(buf[:0], ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(out)))
		}
	})
	b.Run("parse+encode", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			r, err := route.Parse(routeText)
			if err != nil {
				b.Fatal(err)
			}
			out, err := r.AppendUpdate(buf[:0], ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(out)))
		}
	})
}
