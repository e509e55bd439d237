package rib

import (
	"runtime"
	"testing"
	"time"

	"github.com/ze-bgp/ze/internal/corpus"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// largeCapture is the 200k IPv4 + 50k IPv6 throughput capture of
// /work/shared/data/pcap (INDEX.md: BIRD sends 200,000 IPv4 and 50,000
// IPv6 prefixes to FRR, then End-of-RIB for both families).
const largeCapture = "bird-frr-large-200k-ipv4-50k-ipv6"

// loadUpdates returns the UPDATEs of the capture (skipping the test
// when the shared data is not there).
func loadUpdates(tb testing.TB, name string) []corpus.Message {
	tb.Helper()
	dir, ok := corpus.PcapDir()
	if !ok || !corpus.Exists(dir, name, ".hex.txt") {
		tb.Skipf("capture %s not found under %q", name, dir)
	}
	msgs := corpus.MustLoad(tb, dir, name)
	out := msgs[:0]
	for _, m := range msgs {
		if m.Type == wire.TypeUpdate {
			out = append(out, m)
		}
	}
	return out
}

// feed applies every UPDATE to in and l as peer id, returning the
// number of route changes.
func feed(tb testing.TB, msgs []corpus.Message, in *AdjIn, l *LocRIB, id PeerID) int {
	var u message.Update
	var cs []Change
	var bs []BestChange
	n := 0
	for i := range msgs {
		if err := u.Parse(msgs[i].Data); err != nil {
			tb.Fatalf("message %d: %v", msgs[i].Index, err)
		}
		var err error
		if cs, err = in.Apply(cs[:0], u, nil); err != nil {
			tb.Fatalf("message %d: %v", msgs[i].Index, err)
		}
		n += len(cs)
		if l != nil {
			bs = l.Apply(bs[:0], id, cs)
		}
	}
	return n
}

func TestCaptureLarge(t *testing.T) {
	msgs := loadUpdates(t, largeCapture)
	p := NewPool()
	in := NewAdjIn(p, msgs[0].Ctx)
	l := NewLocRIB(p, DefaultOptions())
	id := l.AddPeer(Peer{AS: 64496})
	if n := feed(t, msgs, in, l, id); n != 250000 {
		t.Errorf("changes = %d, want 250000", n)
	}
	for _, c := range []struct {
		f    wire.Family
		want int
	}{{wire.IPv4Unicast, 200000}, {wire.IPv6Unicast, 50000}} {
		if got := in.Len(c.f); got != c.want {
			t.Errorf("Adj-RIB-In %s: %d routes, want %d", c.f, got, c.want)
		}
		if got := l.Len(c.f); got != c.want {
			t.Errorf("Loc-RIB %s: %d prefixes, want %d", c.f, got, c.want)
		}
		if !in.EndOfRIB(c.f) {
			t.Errorf("no End-of-RIB for %s", c.f)
		}
	}
	t.Logf("attribute sets %d, AS_PATHs %d, community lists %d, pooled bytes %d",
		p.Len(), p.SubLen(2), p.SubLen(8), p.Bytes())
	checkRefs(t, p, []*AdjIn{in}, []*LocRIB{l}, nil)
	// Withdraw everything: the pool must be empty again.
	cs := in.Clear(nil)
	l.Apply(nil, id, cs)
	in.flush()
	l.flush()
	if p.Len() != 0 {
		t.Errorf("after Clear: %d attribute sets left", p.Len())
	}
	for i := range p.sub {
		if n := p.sub[i].n; n != 0 {
			t.Errorf("after Clear: sub-pool %s holds %d values", subCodes[i], n)
		}
	}
}

// BenchmarkCaptureLoad loads the 200k capture into an Adj-RIB-In and a
// Loc-RIB; it reports ns/route, the process's CPU time per route and
// the heap the tables hold per route (HeapInuse after minus before,
// after a GC).
//
//	go test -run=^$ -bench=CaptureLoad -benchmem ./speaker/rib/
func BenchmarkCaptureLoad(b *testing.B) {
	msgs := loadUpdates(b, largeCapture)
	for _, withLoc := range []bool{false, true} {
		name := "adjin"
		if withLoc {
			name = "adjin+locrib"
		}
		b.Run(name, func(b *testing.B) {
			var heap float64
			var cpu time.Duration
			routes := 0
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				p := NewPool()
				in := NewAdjIn(p, msgs[0].Ctx)
				var l *LocRIB
				if withLoc {
					l = NewLocRIB(p, DefaultOptions())
					l.AddPeer(Peer{AS: 64496})
				}
				t0 := cpuTime()
				b.StartTimer()
				routes = feed(b, msgs, in, l, 0)
				b.StopTimer()
				cpu += cpuTime() - t0
				runtime.GC()
				runtime.ReadMemStats(&after)
				heap = float64(after.HeapInuse) - float64(before.HeapInuse)
				runtime.KeepAlive(in)
				runtime.KeepAlive(l)
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(routes), "ns/route")
			b.ReportMetric(heap/float64(routes), "heap-B/route")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(routes), "cpu-ns/route")
		})
	}
}
