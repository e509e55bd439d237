package conformance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/internal/corpus"
	"github.com/ze-bgp/ze/speaker/wire"
)

// tally counts what one capture's comparison did.
type tally struct {
	messages   int // messages compared with tshark
	fields     int // fields equal on both sides
	exceptions int // differing fields covered by an exception
}

// TestTsharkConformance decodes every message of every capture that has
// a tshark dissection and compares it with tshark field by field. A
// difference fails the test unless an entry of exceptions covers it.
func TestTsharkConformance(t *testing.T) {
	used := make([]bool, len(exceptions))
	for _, name := range captureNames(t) {
		t.Run(name, func(t *testing.T) {
			if !exists(name+".tshark.json") || !exists(name+".msgs.tsv") {
				t.Skip("no tshark JSON or msgs.tsv (TestDecodeAll compares its INDEX.md counts)")
			}
			c := loadCapture(t, name)
			var n tally
			// Messages per frame, in capture order.
			var frames []int
			byFrame := map[int][]int{}
			for i, m := range c.Msgs {
				if _, ok := byFrame[m.Frame]; !ok {
					frames = append(frames, m.Frame)
				}
				byFrame[m.Frame] = append(byFrame[m.Frame], i)
			}
			for f := range c.Frames {
				if _, ok := byFrame[f]; !ok {
					t.Errorf("frame %d: tshark has %d BGP messages, msgs.tsv none", f, len(c.Frames[f]))
				}
			}
			report := func(msg int, d diff) {
				if k := findException(name, msg, c.Msgs[msg].Frame, d.Field); k >= 0 {
					used[k] = true
					n.exceptions++
					return
				}
				t.Errorf("message %d (frame %d) %s: ze %q, tshark %q", msg, c.Msgs[msg].Frame, d.Field, d.Ze, d.Tshark)
			}
			for _, f := range frames {
				ts := c.Frames[f]
				j := 0
				for _, i := range byFrame[f] {
					msg, ctx := c.Msgs[i].Data, c.Msgs[i].Ctx
					checkRow(t, c.Msgs[i])
					typ, length := strconv.Itoa(int(msg[18])), strconv.Itoa(len(msg))
					k := j
					for k < len(ts) && !tsIs(ts[k], typ, length) {
						k++
					}
					if k == len(ts) {
						report(i, diff{"message", "type " + typ + " length " + length, absent})
						continue
					}
					for ; j < k; j++ {
						report(i, diff{"message", absent, "unmatched tshark message before this one"})
					}
					j = k + 1
					zf, zerr := zeDecode(msg, ctx)
					checkMalformed(t, name, i, zerr, false)
					tf, terr := tsDecode(ts[k])
					if terr != nil {
						report(i, diff{"tshark", "", terr.Error()})
					}
					same, diffs := compare(zf, tf)
					n.messages++
					n.fields += same
					for _, d := range diffs {
						report(i, d)
					}
				}
				for ; j < len(ts); j++ {
					t.Errorf("frame %d: tshark message %d has no ze message", f, j)
				}
			}
			t.Logf("%s: %d messages compared, %d fields equal, %d differing fields covered by %d exceptions",
				name, n.messages, n.fields, n.exceptions, countExceptions(name))
		})
	}
	for k, e := range exceptions {
		if !used[k] {
			t.Errorf("stale exception: %s message %d fields %q (%s)", e.Capture, e.Msg, e.Fields, e.Reason)
		}
	}
}

// exists reports whether the corpus has file name.
func exists(name string) bool {
	_, err := os.Stat(filepath.Join(pcapDir, name))
	return err == nil
}

// tsIs reports whether tshark layer b is a message of this type and length.
// A layer without bgp.type (tshark rejected the length, see
// reasonRFC8654) matches by length alone.
func tsIs(b *node, typ, length string) bool {
	t, ok := b.str("bgp.type")
	l, _ := b.str("bgp.length")
	return (t == typ || !ok) && l == length
}

// checkRow checks ze's view of m against its msgs.tsv row: the
// End-of-RIB family (corpus.Load has checked type and length).
func checkRow(t *testing.T, m corpus.Message) {
	t.Helper()
	zf, _ := zeDecode(m.Data, m.Ctx)
	eor := zf.vals["update.eor"]
	if eor != m.EoR {
		t.Errorf("message %d: End-of-RIB ze %q, msgs.tsv %q", m.Index, eor, m.EoR)
	}
}

func findException(capture string, msg, frame int, field string) int {
	for k, e := range exceptions {
		if e.Capture != capture || e.Msg != msg {
			continue
		}
		if e.Frame != frame {
			panic(fmt.Sprintf("exception %s message %d: frame %d, msgs.tsv says %d", capture, msg, e.Frame, frame))
		}
		for _, p := range e.Fields {
			if strings.HasPrefix(field, p) {
				return k
			}
		}
	}
	return -1
}

func countExceptions(capture string) int {
	n := 0
	for _, e := range exceptions {
		if e.Capture == capture {
			n++
		}
	}
	return n
}

// checkMalformed checks err, ze's decoding error for message msg of
// capture: nil unless the message is listed in malformedMsgs, and then a
// *wire.Error with the listed code and subcode (and action, when
// withAction is set).
func checkMalformed(t *testing.T, capture string, msg int, err error, withAction bool) {
	t.Helper()
	for _, m := range malformedMsgs {
		if m.Capture != capture || m.Msg != msg {
			continue
		}
		var we *wire.Error
		if !errors.As(err, &we) {
			t.Errorf("message %d: want *wire.Error %d/%d (%s), got %v", msg, m.Code, m.Subcode, m.Reason, err)
			return
		}
		if we.Code != m.Code || we.Subcode != m.Subcode || (withAction && we.Action != m.Action) {
			t.Errorf("message %d: want error %d/%d %v (%s), got %d/%d %v: %v", msg, m.Code, m.Subcode, m.Action, m.Reason, we.Code, we.Subcode, we.Action, we)
		}
		return
	}
	if err != nil {
		t.Errorf("message %d: %v", msg, err)
	}
}
