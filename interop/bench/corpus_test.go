package bench

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// captureDir is the shared capture folder, relative to this package;
// ZE_PCAP_DIR overrides it.
const captureDir = "../../../shared/data/pcap"

// captureName is the throughput capture: BIRD (AS 64496) sends a
// full-table-like feed to FRR (AS 64497).
const captureName = "bird-frr-large-200k-ipv4-50k-ipv6.hex.txt"

// senderASN is the AS of the speaker that sends the UPDATEs (BIRD).
const senderASN = 64496

// corpus is every UPDATE of the capture, in capture order.
type corpus struct {
	updates [][]byte     // whole messages, views into one arena
	bytes   int64        // total octets of updates
	ctx     wire.Context // the sender → receiver context, from the two OPENs
}

var loaded struct {
	once sync.Once
	c    *corpus
	err  error
}

// loadCorpus reads the capture once per test binary. It skips tb when
// the capture is not there.
func loadCorpus(tb testing.TB) *corpus {
	tb.Helper()
	dir := captureDir
	if d := os.Getenv("ZE_PCAP_DIR"); d != "" {
		dir = d
	}
	path := filepath.Join(dir, captureName)
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("capture not available: %v", err)
	}
	loaded.once.Do(func() { loaded.c, loaded.err = readCorpus(path) })
	if loaded.err != nil {
		tb.Fatal(loaded.err)
	}
	return loaded.c
}

// readCorpus decodes the hex lines into one arena and derives the
// context of the UPDATEs' direction from the OPENs (4-octet AS and
// ADD-PATH as negotiated, RFC 6793 §4 and RFC 7911 §4).
func readCorpus(path string) (*corpus, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	arena := make([]byte, 0, st.Size()/2)
	type span struct{ off, n int }
	var spans []span
	var sender, receiver *capability.Set
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		h := sc.Bytes()
		if len(h) == 0 {
			continue
		}
		off := len(arena)
		arena = append(arena, make([]byte, hex.DecodedLen(len(h)))...)
		if _, err := hex.Decode(arena[off:], h); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		msg := arena[off:]
		_, typ, err := wire.Header(msg, wire.MaxExtendedLen)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		switch typ {
		case wire.TypeUpdate:
			spans = append(spans, span{off, len(msg)})
		case wire.TypeOpen:
			o, err := message.ParseOpen(msg)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", path, line, err)
			}
			set, err := o.CapabilitySet()
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", path, line, err)
			}
			if o.ASN() == senderASN {
				sender = &set
			} else {
				receiver = &set
			}
			arena = arena[:off]
		default:
			arena = arena[:off]
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if sender == nil || receiver == nil {
		return nil, fmt.Errorf("%s: missing OPEN of AS %d or of its peer", path, senderASN)
	}
	c := &corpus{}
	c.ctx, _ = capability.ContextFromOpens(*sender, *receiver)
	c.updates = make([][]byte, len(spans))
	for i, s := range spans {
		c.updates[i] = arena[s.off : s.off+s.n : s.off+s.n]
		c.bytes += int64(s.n)
	}
	return c, nil
}

func TestCorpusContext(t *testing.T) {
	c := loadCorpus(t)
	if !c.ctx.ASN4 {
		t.Error("capture negotiated 4-octet AS; context says no")
	}
	if fs := c.ctx.AddPathFamilies(); len(fs) != 0 {
		t.Errorf("ADD-PATH on for %v; BIRD does not send it in this capture", fs)
	}
	if len(c.updates) != 175865 {
		t.Errorf("%d UPDATEs, want 175865", len(c.updates))
	}
}
