package textfmt

import (
	"bufio"
	"encoding/hex"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

// captureDir holds the shared captures; they are kept once, with
// zejson's golden files (see its testdata/README.md).
const captureDir = "../zejson/testdata"

// captured is one message of a shared capture with what the capture's
// .msgs.tsv says about it and the receive context learnt from the
// stream's OPENs.
type captured struct {
	msg  []byte
	meta zejson.Meta
	ctx  wire.Context
}

// loadCapture reads testdata/NAME.hex.txt (one message per line) and
// NAME.msgs.tsv (index, frame, time, src, dst, stream, type, length,
// eor) and gives each message the context of its direction.
func loadCapture(t testing.TB, name string) []captured {
	t.Helper()
	hexLines := readLines(t, filepath.Join(captureDir, name+".hex.txt"))
	rows := readLines(t, filepath.Join(captureDir, name+".msgs.tsv"))[1:]
	if len(rows) != len(hexLines) {
		t.Fatalf("%s: %d hex lines, %d tsv rows", name, len(hexLines), len(rows))
	}
	out := make([]captured, len(hexLines))
	for i, h := range hexLines {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("%s line %d: %v", name, i+1, err)
		}
		f := strings.Split(rows[i], "\t")
		idx, _ := strconv.Atoi(f[0])
		sec, _ := strconv.ParseFloat(f[2], 64)
		whole, frac := math.Modf(sec)
		stream, _ := strconv.Atoi(f[5])
		out[i] = captured{msg: b, meta: zejson.Meta{
			Index:  idx + 1,
			Time:   time.Unix(int64(whole), int64(math.Round(frac*1e6))*1000),
			Src:    netip.MustParseAddrPort(f[3]),
			Dst:    netip.MustParseAddrPort(f[4]),
			Stream: stream,
		}}
	}
	learnContexts(out)
	return out
}

func readLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	s := bufio.NewScanner(f)
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		if l := strings.TrimSpace(s.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// learnContexts sets each message's receive context from the last OPENs
// each side of its stream sent (capability.ContextFromOpens).
func learnContexts(ms []captured) {
	type side struct {
		stream int
		src    netip.AddrPort
	}
	opens := map[side]capability.Set{}
	for _, m := range ms {
		if o, err := message.ParseOpen(m.msg); err == nil {
			if set, err := o.CapabilitySet(); err == nil {
				opens[side{m.meta.Stream, m.meta.Src}] = set
			}
		}
	}
	for i := range ms {
		m := &ms[i]
		tx, ok1 := opens[side{m.meta.Stream, m.meta.Src}]
		rx, ok2 := opens[side{m.meta.Stream, m.meta.Dst}]
		if ok1 && ok2 {
			m.ctx, _ = capability.ContextFromOpens(tx, rx)
		}
	}
}
