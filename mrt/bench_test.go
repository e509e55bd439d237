package mrt

import (
	"bytes"
	"os"
	"testing"
)

// benchFile is the biggest file of the conformance set: 89,686 BGP4MP_ET
// records, 13.5 MB once decompressed.
const benchFile = "bgpdump/testdata/updates.et-header.2015.gz"

// BenchmarkIterate times reading every record: from memory (framing
// alone, the "plain record iteration" of make bench-mrt), from the gzip
// file (bounded by decompression, which runs in the reader's goroutine),
// and with every BGP4MP record's view parsed.
func BenchmarkIterate(b *testing.B) {
	r, err := Open(benchFile)
	if err != nil {
		b.Fatal(err)
	}
	var raw []byte
	for r.Next() {
		raw = append(raw, r.Record().Raw...)
	}
	r.Close()
	b.Run("memory", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		var n int
		for b.Loop() {
			r, _ := NewReader(bytes.NewReader(raw))
			for n = 0; r.Next(); n++ {
			}
			r.Close()
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("gzip", func(b *testing.B) {
		st, _ := os.Stat(benchFile)
		b.SetBytes(st.Size())
		var n int
		for b.Loop() {
			r, _ := Open(benchFile)
			for n = 0; r.Next(); n++ {
			}
			r.Close()
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("views", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			r, _ := NewReader(bytes.NewReader(raw))
			for r.Next() {
				if m, err := ParseBGP4MP(r.Record()); err == nil {
					_ = m.Message
				}
			}
			r.Close()
		}
	})
}
