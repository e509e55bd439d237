package zejson

import (
	"testing"

	"github.com/ze-bgp/ze/internal/corpus"
)

// BenchmarkAppendMessage renders every message of two captures (mostly
// UPDATEs: IPv4/IPv6 with ADD-PATH, EVPN, VPN, labeled) into a reused
// buffer; ns/op and allocs/op are per message.
func BenchmarkAppendMessage(b *testing.B) {
	var msgs []corpus.Message
	for _, name := range []string{"exabgp-gobgp-ibgp-addpath-v4v6", "exabgp-gobgp-multifamily-ebgp-asn4"} {
		msgs = append(msgs, corpus.MustLoad(b, captureDir, name)...)
	}
	buf := make([]byte, 0, 64<<10)
	var n int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := &msgs[i%len(msgs)]
		buf, _ = AppendMessage(buf[:0], c.Data, c.Ctx, captureMeta(*c))
		n += int64(len(buf))
	}
	b.ReportMetric(float64(n)/float64(b.N), "B-out/msg")
}
