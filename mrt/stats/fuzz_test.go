package stats

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ze-bgp/ze/mrt"
)

// FuzzCollector protects the analysis of arbitrary MRT streams: whatever
// the records hold (lying lengths, malformed messages, attributes and
// AS paths, time going backwards), Add never panics and the report's
// totals agree with its per-peer and per-bucket figures. The text, JSON
// and SVG writers must accept the report too; they run on the seed
// corpus only (go test), not while fuzzing: the coverage of their
// number and JSON formatting keeps the fuzzer minimising new inputs
// instead of trying them.
func FuzzCollector(f *testing.F) {
	fuzzing := flag.Lookup("test.fuzz").Value.String() != ""
	// Slices of the synthetic records of every kind, small enough for the
	// fuzzer to mutate quickly: the peer index and RIB records, the
	// messages, the state changes and legacy records (one big RIB record
	// in between is left out).
	if b, err := os.ReadFile(filepath.Join(testdata, "synthetic.mrt")); err == nil && len(b) > 8548 {
		f.Add(b[:542])
		f.Add(b[7273:7987])
		f.Add(b[7987:8548])
		f.Add(b[8548:])
	}
	f.Add(record(1700000000, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4, bgp4mpAS4(65001), update(
		0x00, 0x00, // no withdrawn routes
		0x00, 0x0E, // attributes: 14 octets
		0x40, 0x02, 0x0A, 0x02, 0x02, 0x00, 0x00, 0xFD, 0xE9, 0x00, 0x00, 0xFD, 0xEA, // AS_PATH 65001 65002
		0x18, 0x0A, 0x01, 0x02, // 10.1.2.0/24
	)))
	f.Add(append(record(5, mrt.TypeBGP4MPET, mrt.BGP4MPMessage, []byte{0xFD, 0xE9, 0xFD, 0xE8, 0, 0, 0, 2}, make([]byte, 32), update(0, 0, 0, 0)),
		record(1, mrt.TypeTableDumpV2, mrt.RIBIPv4Unicast, []byte{0, 0, 0, 0, 8, 10, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0})...))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := mrt.NewReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		defer r.Close()
		c := New(Options{Top: 3})
		c.Read("fuzz", r)
		rep := c.Report()
		var rib, ann, wd uint64
		for _, p := range rep.Peers {
			rib, ann, wd = rib+p.RIBEntries, ann+p.Announcements, wd+p.Withdrawals
		}
		if rib != rep.Routes.RIBEntries || ann != rep.Routes.Announcements || wd != rep.Routes.Withdrawals {
			t.Fatalf("peers add up to %d/%d/%d, totals %+v", rib, ann, wd, rep.Routes)
		}
		if rep.Rate != nil {
			var ra, rw uint64
			for _, bk := range rep.Rate.Buckets {
				ra, rw = ra+bk.Announcements, rw+bk.Withdrawals
			}
			if ra != ann || rw != wd {
				t.Fatalf("rate adds up to %d/%d, totals %d/%d", ra, rw, ann, wd)
			}
		}
		if fuzzing {
			return
		}
		for _, w := range []func(io.Writer, *Report) error{WriteText, WriteJSON, WriteSVG} {
			if err := w(io.Discard, rep); err != nil {
				t.Fatal(err)
			}
		}
	})
}
