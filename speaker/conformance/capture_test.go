package conformance

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// pcapDir is the shared capture corpus, relative to this package's
// directory (/work/main/speaker/conformance -> /work/shared/data/pcap).
// The files are read in place, not copied: the largest hex file is 30 MB.
const pcapDir = "../../../shared/data/pcap"

// row is one line of X.msgs.tsv: where message Index (line Index of
// X.hex.txt) was seen.
type row struct {
	Index    int
	Frame    int
	Src, Dst string
	Stream   int
	Type     string // OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH
	Length   int
	EoR      string // End-of-RIB family as written by the corpus tool, or ""
}

// capture is one shared capture: its messages, where each was seen, and
// tshark's dissection per frame (nil when the capture has no JSON).
type capture struct {
	Name   string
	Msgs   [][]byte
	Rows   []row           // nil when there is no msgs.tsv
	Frames map[int][]*node // frame number -> "bgp" layers in order
}

// captureNames lists the captures that have a hex file.
func captureNames(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(pcapDir, "*.hex.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m) == 0 {
		t.Skipf("no captures under %s", pcapDir)
	}
	var out []string
	for _, p := range m {
		out = append(out, strings.TrimSuffix(filepath.Base(p), ".hex.txt"))
	}
	sort.Strings(out)
	return out
}

// loadHex reads X.hex.txt: one message per line, upper-case hex.
func loadHex(name string) ([][]byte, error) {
	f, err := os.Open(filepath.Join(pcapDir, name+".hex.txt"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		b, err := hex.DecodeString(line)
		if err != nil {
			return nil, fmt.Errorf("%s.hex.txt line %d: %w", name, len(out)+1, err)
		}
		out = append(out, b)
	}
	return out, sc.Err()
}

// loadRows reads X.msgs.tsv; a missing file gives nil rows, no error.
func loadRows(name string) ([]row, error) {
	b, err := os.ReadFile(filepath.Join(pcapDir, name+".msgs.tsv"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	var out []row
	for i, l := range lines[1:] {
		c := strings.Split(l, "\t")
		if len(c) != 9 {
			return nil, fmt.Errorf("%s.msgs.tsv line %d: %d columns", name, i+2, len(c))
		}
		var r row
		var errs [4]error
		r.Index, errs[0] = strconv.Atoi(c[0])
		r.Frame, errs[1] = strconv.Atoi(c[1])
		r.Src, r.Dst = c[3], c[4]
		r.Stream, errs[2] = strconv.Atoi(c[5])
		r.Type = c[6]
		r.Length, errs[3] = strconv.Atoi(c[7])
		r.EoR = c[8]
		for _, e := range errs {
			if e != nil {
				return nil, fmt.Errorf("%s.msgs.tsv line %d: %w", name, i+2, e)
			}
		}
		if r.Index != i {
			return nil, fmt.Errorf("%s.msgs.tsv line %d: index %d out of order", name, i+2, r.Index)
		}
		out = append(out, r)
	}
	return out, nil
}

// loadFrames reads X.tshark.json into frame number -> bgp layers. A
// missing file gives nil, no error.
func loadFrames(name string) (map[int][]*node, error) {
	f, err := os.Open(filepath.Join(pcapDir, name+".tshark.json"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	root, err := parseTree(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("%s.tshark.json: %w", name, err)
	}
	out := map[int][]*node{}
	for _, pkt := range root.Kids {
		layers := pkt.path("_source", "layers")
		num, ok := layers.path("frame").str("frame.number")
		if !ok {
			return nil, fmt.Errorf("%s.tshark.json: packet without frame.number", name)
		}
		n, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("%s.tshark.json: frame.number %q", name, num)
		}
		out[n] = append(out[n], flatten(layers.all("bgp"))...)
	}
	return out, nil
}

func loadCapture(t *testing.T, name string) *capture {
	t.Helper()
	c := &capture{Name: name}
	var err error
	if c.Msgs, err = loadHex(name); err != nil {
		t.Fatal(err)
	}
	if c.Rows, err = loadRows(name); err != nil {
		t.Fatal(err)
	}
	if c.Rows != nil && len(c.Rows) != len(c.Msgs) {
		t.Fatalf("%s: %d hex lines but %d msgs.tsv rows", name, len(c.Msgs), len(c.Rows))
	}
	if c.Frames, err = loadFrames(name); err != nil {
		t.Fatal(err)
	}
	return c
}
