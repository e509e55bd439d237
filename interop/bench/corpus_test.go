package bench

import (
	"fmt"
	"sync"
	"testing"

	"github.com/ze-bgp/ze/internal/corpus"
	"github.com/ze-bgp/ze/speaker/wire"
)

// captureName is the throughput capture, read from corpus.PcapDir():
// BIRD (AS 64496) sends a full-table-like feed to FRR (AS 64497).
const captureName = "bird-frr-large-200k-ipv4-50k-ipv6"

// feed is every UPDATE of the capture, in capture order.
type feed struct {
	updates [][]byte     // whole messages, views into one array
	bytes   int64        // total octets of updates
	ctx     wire.Context // the sender → receiver context, from the two OPENs
}

var loaded struct {
	once sync.Once
	f    *feed
	err  error
}

// loadCorpus reads the capture once per test binary. It skips tb when
// the capture is not there.
func loadCorpus(tb testing.TB) *feed {
	tb.Helper()
	dir, ok := corpus.PcapDir()
	if !ok || !corpus.Exists(dir, captureName, ".hex.txt") {
		tb.Skipf("capture %s not available in %q (set %s)", captureName, dir, corpus.EnvDir)
	}
	loaded.once.Do(func() { loaded.f, loaded.err = readFeed(dir) })
	if loaded.err != nil {
		tb.Fatal(loaded.err)
	}
	return loaded.f
}

// readFeed keeps the UPDATEs of the capture with their context, derived
// from the OPENs (4-octet AS and ADD-PATH as negotiated, RFC 6793 §4 and
// RFC 7911 §4). The capture has no msgs.tsv, so corpus.Load gives every
// message the context both directions agree on, and fails when ADD-PATH
// is on in one direction only: what it gives is the BIRD → FRR context.
func readFeed(dir string) (*feed, error) {
	msgs, err := corpus.Load(dir, captureName)
	if err != nil {
		return nil, err
	}
	f := &feed{}
	for _, m := range msgs {
		if _, _, err := wire.Header(m.Data, wire.MaxExtendedLen); err != nil {
			return nil, fmt.Errorf("%s message %d: %v", captureName, m.Index, err)
		}
		if m.Type != wire.TypeUpdate {
			continue
		}
		if !m.Negotiated {
			return nil, fmt.Errorf("%s message %d: UPDATE before both OPENs", captureName, m.Index)
		}
		f.ctx = m.Ctx
		f.updates = append(f.updates, m.Data)
		f.bytes += int64(len(m.Data))
	}
	return f, nil
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
