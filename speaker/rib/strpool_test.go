package rib

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestStrPoolModel interns and releases random strings against a plain
// map: every string in use is found under its handle, handles are
// reused only once freed (gen changes), and releasing everything
// leaves an empty index (backward-shift deletion left no word behind).
func TestStrPoolModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var p strPool
	p.init()
	refs := map[string]uint32{}
	handle := map[string]uint32{}
	gens := map[uint32]uint32{}
	for step := range 20000 {
		s := fmt.Sprint("v", rng.IntN(3000))
		if rng.IntN(3) != 0 || refs[s] == 0 {
			h, isNew := p.intern([]byte(s))
			if isNew != (refs[s] == 0) {
				t.Fatalf("step %d: %q isNew %v with %d refs", step, s, isNew, refs[s])
			}
			if isNew {
				if g, ok := gens[h]; ok && g == p.ents[h].gen {
					t.Fatalf("step %d: handle %d reused with the same gen %d", step, h, g)
				}
				gens[h] = p.ents[h].gen
				handle[s] = h
			} else if h != handle[s] {
				t.Fatalf("step %d: %q handle %d, was %d", step, s, h, handle[s])
			}
			p.ents[h].refs++
			refs[s]++
		} else {
			freed := p.release(handle[s])
			if refs[s]--; freed != (refs[s] == 0) {
				t.Fatalf("step %d: %q freed %v with %d refs left", step, s, freed, refs[s])
			}
			if refs[s] == 0 {
				delete(refs, s)
				delete(handle, s)
			}
		}
		if step%1000 == 0 || step == 19999 {
			if p.n != len(refs) {
				t.Fatalf("step %d: n %d, want %d", step, p.n, len(refs))
			}
			for s, h := range handle {
				if got, _ := p.find([]byte(s), p.tag([]byte(s))); got != h {
					t.Fatalf("step %d: find(%q) = %d, want %d", step, s, got, h)
				}
			}
			n := 0
			p.live(func(h uint32, s string) {
				n++
				if handle[s] != h {
					t.Fatalf("step %d: live %d %q, want handle %d", step, h, s, handle[s])
				}
			})
			if n != len(refs) {
				t.Fatalf("step %d: live saw %d, want %d", step, n, len(refs))
			}
		}
	}
	for s, n := range refs {
		for range n {
			p.release(handle[s])
		}
	}
	for i, w := range p.slots {
		if w != 0 {
			t.Fatalf("slot %d holds %x after releasing everything", i, w)
		}
	}
	if p.n != 0 {
		t.Fatalf("n = %d after releasing everything", p.n)
	}
}
