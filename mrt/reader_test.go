package mrt

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// readAll reads every record of b and returns copies of their Raw octets
// and the damage log.
func readAll(t testing.TB, b []byte) ([][]byte, *DamageLog) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var recs [][]byte
	last := int64(-1)
	for r.Next() {
		rec := r.Record()
		if rec.Offset <= last {
			t.Fatalf("offset %d after %d", rec.Offset, last)
		}
		last = rec.Offset
		recs = append(recs, append([]byte(nil), rec.Raw...))
	}
	return recs, r.Damage()
}

func TestReaderPlain(t *testing.T) {
	a, b, c := stateRecord(100, 1, 2), stateRecord(101, 2, 3), record(102, TypeBGP4MPET, BGP4MPStateChange, stateRecord(0, 3, 4)[12:])
	recs, dmg := readAll(t, cat(a, b, c))
	if dmg.Count != 0 {
		t.Fatalf("damage: %v", dmg.Kept)
	}
	if len(recs) != 3 || !bytes.Equal(recs[0], a) || !bytes.Equal(recs[1], b) || !bytes.Equal(recs[2], c) {
		t.Fatalf("records differ: %x", recs)
	}
	r, _ := NewReader(bytes.NewReader(c))
	defer r.Close()
	if !r.Next() {
		t.Fatal("no record")
	}
	rec := r.Record()
	if rec.Type != TypeBGP4MPET || rec.Microseconds != 123456 || len(rec.Body) != 20 || rec.Length != 24 {
		t.Fatalf("ET record: %+v", rec)
	}
	if got := rec.Time().Format("2006-01-02T15:04:05.000000Z07:00"); got != "1970-01-01T00:01:42.123456Z" {
		t.Errorf("time %s", got)
	}
}

func TestReaderEmpty(t *testing.T) {
	recs, dmg := readAll(t, nil)
	if len(recs) != 0 || dmg.Count != 0 {
		t.Fatalf("empty stream: %d records, %v", len(recs), dmg.Kept)
	}
}

// TestReaderCompressed reads the same records plain, gzip (two members),
// bzip2, and refuses zstd and xz by name.
func TestReaderCompressed(t *testing.T) {
	plain := cat(stateRecord(1, 1, 2), stateRecord(2, 2, 3), stateRecord(3, 3, 4))
	var gz bytes.Buffer
	for _, part := range [][]byte{plain[:24], plain[24:]} {
		w := gzip.NewWriter(&gz)
		w.Write(part)
		w.Close()
	}
	bz, err := os.ReadFile("testdata/three-states.mrt.bz2")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   []byte
		c    Compression
	}{{"plain", plain, CompressionNone}, {"gzip", gz.Bytes(), CompressionGzip}, {"bzip2", bz, CompressionBzip2}} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var got []byte
			for r.Next() {
				got = append(got, r.Record().Raw...)
			}
			if r.Compression() != tc.c || !bytes.Equal(got, plain) || r.Damage().Count != 0 {
				t.Fatalf("compression %v, %d octets, damage %v", r.Compression(), len(got), r.Damage().Kept)
			}
			if r.BytesRead() != int64(len(tc.in)) {
				t.Errorf("BytesRead %d, want %d", r.BytesRead(), len(tc.in))
			}
		})
	}
	for _, tc := range []struct {
		magic []byte
		name  string
	}{{[]byte{0x28, 0xB5, 0x2F, 0xFD, 0, 0}, "zstd"}, {[]byte{0xFD, '7', 'z', 'X', 'Z', 0}, "xz"}} {
		_, err := NewReader(bytes.NewReader(tc.magic))
		if !errors.Is(err, ErrUnsupportedCompression) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: err %v", tc.name, err)
		}
	}
}

// TestReaderDamage feeds damaged streams: each case says what must be
// read and what must be reported.
func TestReaderDamage(t *testing.T) {
	a, b, c := stateRecord(100, 1, 2), stateRecord(101, 2, 3), stateRecord(102, 3, 4)
	long := append([]byte(nil), a...)
	long[11] = byte(len(a) - 12 + len(b)) // a declares itself and b
	longer := append([]byte(nil), a...)
	longer[11] = byte(len(a) - 12 + 10) // a declares itself and 10 octets of b
	short := append([]byte(nil), a...)
	short[11] = 10 // a declares 10 of its 20 octets
	huge := append([]byte(nil), a...)
	copy(huge[8:12], []byte{0x7F, 0xFF, 0xFF, 0xFF})
	badType := append([]byte(nil), b...)
	badType[5] = 99
	tests := []struct {
		name   string
		in     []byte
		want   [][]byte // records read (Raw)
		reason string   // in the first damage
		offset int64
	}{
		{"cut mid-record", cat(a, b, c[:20]), [][]byte{a, b}, "stream ends inside a BGP4MP record (20 of 32 octets)", 64},
		{"cut mid-header", cat(a, b, c[:5]), [][]byte{a, b}, "stream ends inside a record header (5 of 12 octets)", 64},
		{"garbage between records", cat(a, []byte("garbage!"), b, c), [][]byte{a, b, c}, "unknown record type", 32},
		{"unknown type", cat(a, badType, c), [][]byte{a, c}, "unknown record type 99", 32},
		{"length beyond the limit", cat(a, huge[:12], b, c), [][]byte{a, b, c}, "exceeds the 64 MiB limit", 32},
		// a's length covers b: a state change is 20 octets, so a is cut
		// where b starts, b and c are read
		{"length too long", cat(long, b, c), [][]byte{long[:32], b, c}, "BGP4MP record declares a length of 52 but the next record starts after 20", 0},
		// a's length runs into b: b is found inside a
		{"length too long by a part", cat(longer, b, c), [][]byte{longer[:32], b, c}, "BGP4MP record declares a length of 30 but the next record starts after 20", 0},
		// a's length stops inside a: the rest of a is skipped up to b
		{"length too short", cat(short, b, c), [][]byte{short[:22], b, c}, "skipped 10 octets", 22},
		{"zeros after the last record", cat(a, b, make([]byte, 40)), [][]byte{a, b}, "unknown record type 0", 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, dmg := readAll(t, tt.in)
			if len(got) != len(tt.want) {
				t.Fatalf("read %d records, want %d (damage %v)", len(got), len(tt.want), dmg.Kept)
			}
			for i := range got {
				if !bytes.Equal(got[i], tt.want[i]) {
					t.Errorf("record %d:\n got %x\nwant %x", i, got[i], tt.want[i])
				}
			}
			if dmg.Count == 0 || !strings.Contains(dmg.Kept[0].Reason, tt.reason) || dmg.Kept[0].Offset != tt.offset {
				t.Errorf("damage %v, want %q at %d", dmg.Kept, tt.reason, tt.offset)
			}
		})
	}
}

// TestReaderBadGzipTail: a gzip stream cut short, and one followed by
// garbage, give their records and report the decompression error.
func TestReaderBadGzipTail(t *testing.T) {
	plain := cat(stateRecord(1, 1, 2), stateRecord(2, 2, 3))
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(plain)
	w.Close()
	for _, tc := range []struct {
		name string
		in   []byte
		recs int
	}{
		{"garbage after the member", append(append([]byte(nil), gz.Bytes()...), "not gzip at all"...), 2},
		{"member cut before its trailer", gz.Bytes()[:gz.Len()-4], 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, dmg := readAll(t, tc.in)
			if len(recs) != tc.recs || dmg.Count != 1 || !strings.Contains(dmg.Kept[0].Reason, "gzip stream ends with an error") {
				t.Fatalf("%d records, damage %v", len(recs), dmg.Kept)
			}
		})
	}
}

// TestReaderChunks reads a stream of records of many sizes, one larger
// than three chunks, through the chunked window: every record comes out
// whole, none is damaged.
func TestReaderChunks(t *testing.T) {
	var in []byte
	var want [][]byte
	for i := range 4000 {
		n := 20 + (i*7919)%3000
		if i == 1500 {
			n = 3*chunkSize + 12345
		}
		body := make([]byte, n)
		for j := range body {
			body[j] = byte(i + j)
		}
		rec := record(uint32(1000+i), TypeTableDumpV2, RIBGeneric, body)
		want = append(want, rec)
		in = append(in, rec...)
	}
	got, dmg := readAll(t, in)
	if dmg.Count != 0 || len(got) != len(want) {
		t.Fatalf("%d records, damage %v", len(got), dmg.Kept)
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d differs", i)
		}
	}
}

// TestReaderAllocs: in the steady state Next does not allocate.
func TestReaderAllocs(t *testing.T) {
	var in []byte
	for i := range 20000 {
		in = append(in, stateRecord(uint32(i), 1, 2)...)
	}
	r, err := NewReader(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for range 100 {
		r.Next()
	}
	allocs := testing.AllocsPerRun(10000, func() { r.Next() })
	if allocs > 0.01 {
		t.Errorf("%.3f allocations per record", allocs)
	}
}

// TestOpen reads a file and stdin ("-" is for callers: Open opens it).
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.mrt")
	os.WriteFile(p, stateRecord(1, 1, 2), 0o644)
	r, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() || r.Next() {
		t.Error("want one record")
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
	if _, err := Open(filepath.Join(dir, "missing")); err == nil {
		t.Error("no error for a missing file")
	}
}

// TestReaderConformanceFiles reads the real dumps without damage.
func TestReaderConformanceFiles(t *testing.T) {
	files, _ := filepath.Glob("bgpdump/testdata/*.gz")
	for _, f := range files {
		if strings.HasSuffix(f, ".bgp.gz") {
			continue
		}
		r, err := Open(f)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for r.Next() {
			n++
		}
		if r.Damage().Count != 0 || n == 0 {
			t.Errorf("%s: %d records, damage %v", f, n, r.Damage().Kept)
		}
		r.Close()
	}
}

// TestReaderStopsEarly: closing before the end stops the goroutine.
func TestReaderStopsEarly(t *testing.T) {
	r, err := NewReader(io.MultiReader(bytes.NewReader(bytes.Repeat(stateRecord(1, 1, 2), 200000))))
	if err != nil {
		t.Fatal(err)
	}
	r.Next()
	r.Close()
}

func TestBzip2Fixture(t *testing.T) {
	if _, err := exec.LookPath("bzip2"); err != nil {
		t.Skip("bzip2 not installed")
	}
	want := cat(stateRecord(1, 1, 2), stateRecord(2, 2, 3), stateRecord(3, 3, 4))
	cmd := exec.Command("bzip2", "-dc", "testdata/three-states.mrt.bz2")
	got, err := cmd.Output()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("fixture does not hold the three records: %v", err)
	}
}
