package bench

import (
	"testing"
)

// TestWalkersAgree keeps the comparison fair: on a sample of the
// capture, ze's walk and GoBGP's (and the raw reference walk) read the
// same number of prefixes, ASNs, communities, next hops… with the same
// values.
func TestWalkersAgree(t *testing.T) {
	c := loadCorpus(t)
	z, opt := newZeSession(c.ctx), gobgpOption(c.ctx)
	step := 10
	if testing.Short() {
		step = 100
	}
	raw := len(c.ctx.AddPathFamilies()) == 0 // rawWalk reads no path identifiers
	var ze, gb, rw sink
	for i := 0; i < len(c.updates); i += step {
		m := c.updates[i]
		if err := zeWalk(m, z, &ze); err != nil {
			t.Fatalf("ze, update %d: %v", i, err)
		}
		if err := gobgpWalk(m, opt, &gb); err != nil {
			t.Fatalf("gobgp, update %d: %v", i, err)
		}
		if raw {
			if err := rawWalk(m, c.ctx, &rw); err != nil {
				t.Fatalf("raw, update %d: %v", i, err)
			}
		}
	}
	if ze != gb {
		t.Errorf("walks disagree\n ze    %+v\n gobgp %+v", ze, gb)
	}
	if raw && ze != rw {
		t.Errorf("walks disagree\n ze  %+v\n raw %+v", ze, rw)
	}
	if ze.Prefixes == 0 || ze.ASNs == 0 || ze.Communities == 0 || ze.Large == 0 || ze.Ext == 0 || ze.NextHops == 0 {
		t.Errorf("sample misses a field: %+v", ze)
	}
	t.Logf("sample of %d UPDATEs: %+v", (len(c.updates)+step-1)/step, ze)
}

// TestZeWalkAllocs checks that reading an UPDATE completely allocates
// nothing (the 0 allocs/op target of BenchmarkZeWalk).
func TestZeWalkAllocs(t *testing.T) {
	c := loadCorpus(t)
	z := newZeSession(c.ctx)
	sample := c.updates[:min(len(c.updates), 2000)]
	var s sink
	allocs := testing.AllocsPerRun(3, func() {
		for _, m := range sample {
			if err := zeWalk(m, z, &s); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per pass over %d UPDATEs, want 0", allocs, len(sample))
	}
}
