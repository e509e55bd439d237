package conformance

import (
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// bigCapture is the 30 MB throughput capture (175,870 messages), decoded
// only without -short.
const bigCapture = "bird-frr-large-200k-ipv4-50k-ipv6"

// TestDecodeAll decodes every message of every capture with ze, walking
// each UPDATE fully (every attribute parsed, every IP prefix iterated),
// runs the RFC 7606 verdict (message.Check) on each UPDATE, and expects
// no error at all, except for the messages of malformedMsgs, which must
// fail with their *wire.Error code, subcode and action. It needs no
// tshark data. For a capture without tshark JSON it also compares ze's
// counts over the capture with INDEX.md (checkIndex).
func TestDecodeAll(t *testing.T) {
	for _, name := range captureNames(t) {
		t.Run(name, func(t *testing.T) {
			if name == bigCapture && testing.Short() {
				t.Skip("large capture skipped with -short")
			}
			start := time.Now()
			c := loadCapture(t, name)
			loaded := time.Since(start)
			counts := map[wire.Type]int{}
			nfields, v6 := 0, 0
			s := summary{}
			for i, m := range c.Msgs {
				msg := m.Data
				f, err := zeDecode(msg, m.Ctx)
				nfields += len(f.names)
				s.summarize(f)
				if strings.HasPrefix(f.vals["update.mp-reach-nlri.family"], "2/") {
					for _, n := range f.names {
						if strings.HasPrefix(n, "update.mp-reach-nlri.nlri[") {
							v6++
						}
					}
				}
				checkMalformed(t, name, i, err, false)
				if wire.Type(msg[18]) == wire.TypeUpdate {
					u, err := message.ParseUpdate(msg)
					if err == nil {
						err = message.Check(u, m.Ctx)
					}
					checkMalformed(t, name, i, err, true)
				}
				counts[wire.Type(msg[18])]++
			}
			if c.Frames == nil {
				checkIndex(t, name, s, v6)
			}
			t.Logf("%s: %d messages (%d open, %d update, %d notification, %d keepalive, %d route-refresh), %d fields decoded; load %v, decode %v",
				name, len(c.Msgs), counts[wire.TypeOpen], counts[wire.TypeUpdate], counts[wire.TypeNotification],
				counts[wire.TypeKeepalive], counts[wire.TypeRouteRefresh], nfields, loaded.Round(time.Millisecond),
				(time.Since(start) - loaded).Round(time.Millisecond))
		})
	}
}
