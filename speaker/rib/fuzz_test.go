package rib

import (
	"fmt"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// FuzzApply protects AdjIn.Apply, Pool.Intern, LocRIB.Apply and the
// route tables under them: any UPDATE body (with or without ADD-PATH,
// 2- or 4-octet ASNs, under the verdict message.Check gives) never
// panics, and afterwards every
// attribute set's reference count equals the table entries holding it;
// withdrawing everything empties the pool.
func FuzzApply(f *testing.F) {
	nh := make([]byte, 16)
	f.Add(message.AppendUpdate(nil, nil, base().bytes(), prefixes(false, 0, "10.0.0.0/8")), uint8(1))
	f.Add(message.AppendUpdate(nil, prefixes(false, 0, "10.0.0.0/8"), nil, nil), uint8(1))
	f.Add(message.AppendUpdate(nil, nil, attr.AppendMPReach(base().bytes(), wire.IPv6Unicast, nh, prefixes(false, 0, "2001:db8::/32")), nil), uint8(3))
	f.Add(message.AppendUpdate(nil, nil, with(func(a *pa) { a.community = true; a.clusters = 3 }).bytes(), prefixes(true, 7, "10.0.0.0/8")), uint8(2))
	// A run of neighbouring /24s: two table blocks, one full.
	var run []string
	for i := range 70 {
		run = append(run, fmt.Sprintf("20.0.%d.0/24", i))
	}
	f.Add(message.AppendUpdate(nil, nil, base().bytes(), prefixes(false, 0, run...)), uint8(1))
	f.Add(message.AppendUpdate(nil, nil, base().bytes(), prefixes(true, 3, run...)), uint8(3))
	f.Fuzz(func(t *testing.T, msg []byte, mode uint8) {
		ctx := wire.Context{ASN4: mode&1 != 0}
		if mode&2 != 0 {
			ctx, _ = ctx.WithAddPath(wire.IPv4Unicast, true)
			ctx, _ = ctx.WithAddPath(wire.IPv6Unicast, true)
		}
		var u message.Update
		if u.Parse(msg) != nil {
			return
		}
		p := NewPool()
		in := NewAdjIn(p, ctx)
		l := NewLocRIB(p, DefaultOptions())
		id := l.AddPeer(Peer{})
		for range 2 { // twice: the second time replaces or repeats
			cs, _ := in.Apply(nil, u, message.Check(u, ctx))
			l.Apply(nil, id, cs)
			checkRefs(t, p, []*AdjIn{in}, []*LocRIB{l}, nil)
		}
		for fi := range families {
			in.Routes(families[fi], func(n NLRI, h Attrs, _ bool) {
				p.AppendAttrs(nil, h)
				if out, ok := (&EBGP{LocalAS: 1}).Export(p, n.Family, Peer{}, h); ok {
					p.Release(out)
				}
			})
		}
		l.Apply(nil, id, in.Clear(nil))
		in.flush()
		l.flush()
		if p.Len() != 0 {
			t.Fatalf("%d sets left after Clear", p.Len())
		}
	})
}
