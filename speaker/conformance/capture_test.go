package conformance

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ze-bgp/ze/internal/corpus"
)

// pcapDir is the shared capture corpus (corpus.PcapDir: /work/shared/data/pcap
// beside the repository, or $ZE_SHARED_DATA/pcap). The files are read in
// place, not copied: the largest hex file is 30 MB.
var pcapDir, havePcap = corpus.PcapDir()

// capture is one shared capture: its messages, each with its msgs.tsv
// row and the context its stream negotiated for its direction
// (corpus.Load), and tshark's dissection per frame (nil when the
// capture has no JSON).
type capture struct {
	Name    string
	Msgs    []corpus.Message
	HasRows bool            // X.msgs.tsv exists: Msgs have frames, endpoints and streams
	Frames  map[int][]*node // frame number -> "bgp" layers in order
}

// captureNames lists the captures that have a hex file; it skips t when
// the shared corpus is not there.
func captureNames(t *testing.T) []string {
	t.Helper()
	if !havePcap {
		t.Skipf("shared captures not found (%q; set %s)", pcapDir, corpus.EnvDir)
	}
	names, err := corpus.Names(pcapDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Skipf("no captures under %s", pcapDir)
	}
	return names
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
	c := &capture{Name: name, Msgs: corpus.MustLoad(t, pcapDir, name), HasRows: exists(name + ".msgs.tsv")}
	if err := checkOpens(c); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var err error
	if c.Frames, err = loadFrames(name); err != nil {
		t.Fatal(err)
	}
	return c
}
