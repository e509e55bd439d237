package rib

// memo is an Exporter's last result: the export of attribute set h of
// pool under conf (what else the export depends on). The prefixes of
// an UPDATE share one attribute set, so an Exporter called once per
// prefix rewrites and interns it once. The memo holds no reference: a
// handle and its generation (entry.gen) name one set for as long as it
// lives, so a memo whose sets were freed since simply misses.
type memo[C comparable] struct {
	pool         *Pool
	h, out       Attrs
	hGen, outGen uint32
	conf         C
}

// get returns the memoised export of h under c with one new reference.
func (m *memo[C]) get(p *Pool, h Attrs, c C) (Attrs, bool) {
	if m.pool != p || m.h != h || m.h == 0 || m.conf != c {
		return 0, false
	}
	ents := p.sets.ents
	if ents[h].gen != m.hGen || ents[m.out].gen != m.outGen || ents[m.out].refs == 0 {
		return 0, false
	}
	ents[m.out].refs++
	return m.out, true
}

// put remembers out (ok: a live handle) as the export of h under c.
func (m *memo[C]) put(p *Pool, h Attrs, c C, out Attrs, ok bool) {
	if !ok || out == 0 {
		m.h = 0
		return
	}
	*m = memo[C]{pool: p, h: h, out: out, hGen: p.sets.ents[h].gen, outGen: p.sets.ents[out].gen, conf: c}
}
