package bgpdump

import (
	"bytes"
	"os"
	"testing"

	"github.com/ze-bgp/ze/mrt"
)

// The biggest file of the conformance set (13.5 MB of BGP4MP_ET updates
// once decompressed) and the biggest RIB dump (TABLE_DUMP, 6.9 MB).
const (
	benchUpdates = "testdata/updates.et-header.2015.gz"
	benchRIB     = "testdata/bview.20020722.2337.gz"
)

// BenchmarkDumpM times `ze mrt dump -m` on the biggest test file: reading
// and decompressing (in the reader's goroutine) and formatting, the
// output appended to a buffer that is reset every megabyte.
func BenchmarkDumpM(b *testing.B) {
	for _, f := range []string{benchUpdates, benchRIB} {
		b.Run(f[len("testdata/"):], func(b *testing.B) {
			st, err := os.Stat(f)
			if err != nil {
				b.Fatal(err)
			}
			var lines int
			for b.Loop() {
				r, err := mrt.Open(f)
				if err != nil {
					b.Fatal(err)
				}
				d := New(Options{})
				out := make([]byte, 0, 2<<20)
				lines = 0
				for r.Next() {
					out, _ = d.AppendRecord(out, r.Record())
					lines += d.Lines()
					if len(out) > 1<<20 {
						out = out[:0]
					}
				}
				r.Close()
			}
			b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
			b.SetBytes(st.Size())
		})
	}
}

// BenchmarkFormat times the formatting alone: the file is decompressed
// once, then read from memory (the reader still runs its goroutine).
func BenchmarkFormat(b *testing.B) {
	for _, f := range []string{benchUpdates, benchRIB} {
		b.Run(f[len("testdata/"):], func(b *testing.B) {
			raw := decompressed(b, f)
			b.SetBytes(int64(len(raw)))
			out := make([]byte, 0, 2<<20)
			for b.Loop() {
				r, err := mrt.NewReader(bytes.NewReader(raw))
				if err != nil {
					b.Fatal(err)
				}
				d := New(Options{})
				for r.Next() {
					out, _ = d.AppendRecord(out, r.Record())
					if len(out) > 1<<20 {
						out = out[:0]
					}
				}
				r.Close()
			}
		})
	}
}

func decompressed(b *testing.B, path string) []byte {
	b.Helper()
	r, err := mrt.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	var raw []byte
	for r.Next() {
		raw = append(raw, r.Record().Raw...)
	}
	return raw
}

// BenchmarkOptions times the formatting with bgpdump's -t change, -p,
// -l and -u on records held in memory (no reader): the cost of the extra
// columns, and 0 allocs/op (the Dumper's buffers are reused).
func BenchmarkOptions(b *testing.B) {
	for _, f := range []string{benchUpdates, benchRIB} {
		raw := decompressed(b, f)
		var recs []*mrt.Record
		r, err := mrt.NewReader(bytes.NewReader(raw))
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
			rec := *r.Record()
			rec.Body = bytes.Clone(rec.Body)
			recs = append(recs, &rec)
		}
		r.Close()
		for _, o := range []struct {
			name string
			o    Options
		}{{"m", Options{}}, {"m-t_change-p-l-u", Options{ChangeTime: true, PacketIndex: true, LargeCommunities: true, Unassigned: true}}} {
			b.Run(f[len("testdata/"):]+"/"+o.name, func(b *testing.B) {
				b.SetBytes(int64(len(raw)))
				d := New(o.o)
				out := make([]byte, 0, 2<<20)
				for _, rec := range recs { // grow the buffers
					out, _ = d.AppendRecord(out[:0], rec)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					for _, rec := range recs {
						if rec.Type == mrt.TypeTableDumpV2 && rec.Subtype == mrt.PeerIndexTable {
							continue // read once per dump, allocates
						}
						out, _ = d.AppendRecord(out[:0], rec)
					}
				}
			})
		}
	}
}
