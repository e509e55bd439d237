package conformance

import (
	"fmt"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/wire"
)

// contexts returns the encoding context of every message of c: the one
// negotiated (capability.ContextFromOpens) from the two OPENs of its TCP
// stream, for its direction. Messages of a stream without both OPENs
// get the zero (RFC 4271) context.
//
// A capture without msgs.tsv has no stream or direction per message: its
// first two OPENs must then give the same context both ways, used for
// every message.
func contexts(c *capture) ([]wire.Context, error) {
	out := make([]wire.Context, len(c.Msgs))
	if c.Rows == nil {
		var sets []capability.Set
		for i, m := range c.Msgs {
			if len(m) > wire.HeaderLen && wire.Type(m[18]) == wire.TypeOpen {
				s, err := openSet(m)
				if err != nil {
					return nil, fmt.Errorf("message %d: %w", i, err)
				}
				sets = append(sets, s)
				if len(sets) == 2 {
					break
				}
			}
		}
		if len(sets) != 2 {
			return nil, fmt.Errorf("%d OPENs, want 2", len(sets))
		}
		ab, ba := capability.ContextFromOpens(sets[0], sets[1])
		if ab != ba {
			return nil, fmt.Errorf("no msgs.tsv and the two directions negotiate different contexts (%+v, %+v)", ab, ba)
		}
		for i := range out {
			out[i] = ab
		}
		return out, nil
	}
	type end struct {
		stream int
		addr   string
	}
	opens := map[end]capability.Set{}
	for i, r := range c.Rows {
		if r.Type != "OPEN" {
			continue
		}
		k := end{r.Stream, r.Src}
		if _, dup := opens[k]; dup {
			return nil, fmt.Errorf("message %d: second OPEN from %s on stream %d", i, r.Src, r.Stream)
		}
		s, err := openSet(c.Msgs[i])
		if err != nil {
			return nil, fmt.Errorf("message %d: %w", i, err)
		}
		opens[k] = s
	}
	for i, r := range c.Rows {
		a, ok1 := opens[end{r.Stream, r.Src}]
		b, ok2 := opens[end{r.Stream, r.Dst}]
		if ok1 && ok2 {
			out[i], _ = capability.ContextFromOpens(a, b)
		}
	}
	return out, nil
}
