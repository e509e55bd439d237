package bgpdump

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/mrt"
)

// dumpFile runs a Dumper over an MRT file and returns its output and the
// damage found.
func dumpFile(t testing.TB, path string, o Options) ([]byte, int) {
	t.Helper()
	r, err := mrt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d := New(o)
	var out []byte
	damage := r.Damage().Count
	for r.Next() {
		if out, err = d.AppendRecord(out, r.Record()); err != nil {
			damage++
		}
	}
	return out, damage
}

func readGzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestConformance checks ze's -m output against upstream bgpdump's on
// every file of bgpdump's test suite (testdata/README.md).
func TestConformance(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.gz")
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".bgp.gz") {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			got, _ := dumpFile(t, f, Options{})
			want := readGzip(t, f+".bgp.gz")
			if !bytes.Equal(got, want) {
				gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
				for i := 0; i < len(gl) && i < len(wl); i++ {
					if !bytes.Equal(gl[i], wl[i]) {
						t.Fatalf("line %d:\n got %s\nwant %s", i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("got %d lines, want %d", len(gl), len(wl))
			}
		})
	}
	if n != 12 {
		t.Errorf("found %d test files, want 12", n)
	}
}
