package conformance

import (
	"fmt"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/wire"
)

// checkOpens checks what the contexts corpus.Load gave c's messages rest
// on (the one negotiated, capability.ContextFromOpens, from the two OPENs
// of the message's TCP stream, for its direction; the zero RFC 4271
// context before both were seen): every OPEN parses, with no capability
// error at all (openSet), and no endpoint sends a second OPEN on a
// stream.
//
// A capture without msgs.tsv has no stream or direction per message: it
// must then have two OPENs (the first two are checked), and corpus.Load
// has checked that they give the same context both ways.
func checkOpens(c *capture) error {
	type end struct {
		stream int
		addr   netip.AddrPort
	}
	seen := map[end]bool{}
	opens := 0
	for _, m := range c.Msgs {
		if m.Type != wire.TypeOpen {
			continue
		}
		if !c.HasRows && opens == 2 {
			break
		}
		opens++
		if _, err := openSet(m.Data); err != nil {
			return fmt.Errorf("message %d: %w", m.Index, err)
		}
		k := end{m.Stream, m.Src}
		if c.HasRows && seen[k] {
			return fmt.Errorf("message %d: second OPEN from %s on stream %d", m.Index, m.Src, m.Stream)
		}
		seen[k] = true
	}
	if !c.HasRows && opens != 2 {
		return fmt.Errorf("%d OPENs, want 2", opens)
	}
	return nil
}
