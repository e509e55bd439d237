package capture

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sharedPcap is the shared capture corpus, beside the repository
// (X/main/internal/capture → X/shared/data/pcap).
const sharedPcap = "../../../shared/data/pcap"

// TestCorpusTestdata checks the capture copied into testdata/.
func TestCorpusTestdata(t *testing.T) {
	checkCorpus(t, "testdata/exabgp-frr-notification-hold-timer-expired.pcapng")
}

// TestCorpusShared checks every capture of the shared corpus: the
// messages, in order, must equal the lines of X.hex.txt byte for byte, and
// their frame, time, endpoints and stream the rows of X.msgs.tsv (when
// present).
func TestCorpusShared(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(sharedPcap, "*.pcapng"))
	if len(files) == 0 {
		t.Skipf("shared capture corpus not found at %s", sharedPcap)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".pcapng"), func(t *testing.T) {
			checkCorpus(t, f)
		})
	}
}

// tsvRow is one row of X.msgs.tsv.
type tsvRow struct {
	frame    int
	time     string // seconds with 6 decimals
	src, dst string
	stream   int
}

func checkCorpus(t *testing.T, pcapFile string) {
	stem := strings.TrimSuffix(pcapFile, ".pcapng")
	want := readHexLines(t, stem+".hex.txt")
	rows := readTSV(t, stem+".msgs.tsv")
	if rows != nil && len(rows) != len(want) {
		t.Fatalf("%d tsv rows for %d hex lines", len(rows), len(want))
	}
	f, err := os.Open(pcapFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	n := 0
	err = ReadPcap(bufio.NewReader(f), func(m Message) error {
		if m.Err != nil {
			t.Errorf("report %d: %v", n, m.Err)
			return nil
		}
		if m.Index != n {
			t.Errorf("message %d: Index %d", n, m.Index)
		}
		if n < len(want) && !bytes.Equal(m.Data, want[n]) {
			t.Errorf("message %d (frame %d):\n got %X\nwant %X", n, m.Frame, m.Data, want[n])
		}
		if n < len(rows) {
			r := rows[n]
			got := tsvRow{m.Frame, r.time, m.Src.String(), m.Dst.String(), m.Stream}
			if got != r {
				t.Errorf("message %d: got %+v, want %+v", n, got, r)
			}
			// tshark prints the epoch time through a float64 (about
			// 0.2 µs of precision here), rounded to the microsecond.
			if d := m.Time.Sub(parseEpoch(t, r.time)).Abs(); d > 1500*time.Nanosecond {
				t.Errorf("message %d: time %s, want %s", n, m.Time.Format(time.RFC3339Nano), r.time)
			}
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Errorf("%d messages, want %d", n, len(want))
	}
	t.Logf("%d messages in %v", n, time.Since(start))
}

// parseEpoch parses "seconds.micros" exactly.
func parseEpoch(t *testing.T, s string) time.Time {
	t.Helper()
	sec, frac, _ := strings.Cut(s, ".")
	a, err1 := strconv.ParseInt(sec, 10, 64)
	b, err2 := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("bad time %q", s)
	}
	return time.Unix(a, b)
}

func readHexLines(t *testing.T, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		b, err := hex.DecodeString(line)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, b)
	}
	return out
}

// readTSV returns the rows of a .msgs.tsv file, or nil if there is none.
func readTSV(t *testing.T, name string) []tsvRow {
	t.Helper()
	data, err := os.ReadFile(name)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var rows []tsvRow
	for i, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if i == 0 {
			continue // header: index frame time_epoch src dst tcp_stream type length eor
		}
		c := strings.Split(line, "\t")
		if len(c) < 6 {
			t.Fatalf("%s:%d: %d columns", name, i+1, len(c))
		}
		frame, err1 := strconv.Atoi(c[1])
		stream, err2 := strconv.Atoi(c[5])
		if err1 != nil || err2 != nil {
			t.Fatalf("%s:%d: bad row %q", name, i+1, line)
		}
		rows = append(rows, tsvRow{frame, c[2], c[3], c[4], stream})
	}
	return rows
}

// BenchmarkReadPcapLarge reads the largest shared capture (15 MB, 175870
// messages) from memory.
func BenchmarkReadPcapLarge(b *testing.B) {
	file, err := os.ReadFile(filepath.Join(sharedPcap, "bird-frr-large-200k-ipv4-50k-ipv6.pcapng"))
	if err != nil {
		b.Skip(err)
	}
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		if err := ReadPcap(bytes.NewReader(file), func(Message) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
