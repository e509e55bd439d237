package rib

import (
	"encoding/binary"
	"errors"
	"hash/maphash"
	"slices"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Attrs is a handle to an interned attribute set in a Pool. 0 is "no
// attributes" (no route); any other value holds references counted by
// Acquire and Release.
type Attrs uint32

// entry is one interned byte string and its reference count.
type entry struct {
	s    string // the bytes
	refs uint32
	gen  uint32 // odd while the handle is in use, even while free: a handle and gen name one string for good
}

// strPool interns byte strings: a hit is one hash and no allocation;
// a string is stored once, in its entry. Handle 0 is never used. The
// index is an open addressing (linear probing) hash table of 8-octet
// words, hash tag << 32 | handle (0: empty), so that it holds no
// pointers and grows without rehashing the strings.
type strPool struct {
	slots []uint64
	n     int // strings in use
	ents  []entry
	free  []uint32
	seed  maphash.Seed
}

func (p *strPool) init() {
	p.ents = make([]entry, 1)
	p.seed = maphash.MakeSeed()
	p.slots = make([]uint64, 8)
}

// tag is b's hash as stored in the index; its low bits are the home
// slot.
func (p *strPool) tag(b []byte) uint32 { return fold(maphash.Bytes(p.seed, b)) }

func fold(h uint64) uint32 { return uint32(h) ^ uint32(h>>32) }

// find returns the handle of b (0: absent) and the slot it is in, or
// the empty slot that ends its probe sequence.
func (p *strPool) find(b []byte, tag uint32) (h uint32, slot int) {
	mask := len(p.slots) - 1
	for i := int(tag) & mask; ; i = (i + 1) & mask {
		w := p.slots[i]
		switch {
		case w == 0:
			return 0, i
		case uint32(w>>32) == tag && p.ents[uint32(w)].s == string(b):
			return uint32(w), i
		}
	}
}

// intern returns the handle of b, inserting it with 0 references when new.
func (p *strPool) intern(b []byte) (h uint32, isNew bool) {
	tag := p.tag(b)
	h, slot := p.find(b, tag)
	if h != 0 {
		return h, false
	}
	if (p.n+1)*4 > len(p.slots)*3 {
		p.grow()
		_, slot = p.find(b, tag)
	}
	if n := len(p.free); n > 0 {
		h = p.free[n-1]
		p.free = p.free[:n-1]
	} else {
		h = uint32(len(p.ents))
		p.ents = append(p.ents, entry{})
	}
	e := &p.ents[h]
	e.s, e.refs = string(b), 0
	e.gen++
	p.slots[slot] = uint64(tag)<<32 | uint64(h)
	p.n++
	return h, true
}

// grow doubles the index.
func (p *strPool) grow() {
	old := p.slots
	p.slots = make([]uint64, 2*len(old))
	mask := len(p.slots) - 1
	for _, w := range old {
		if w == 0 {
			continue
		}
		i := int(w>>32) & mask
		for p.slots[i] != 0 {
			i = (i + 1) & mask
		}
		p.slots[i] = w
	}
}

// release drops one reference to h and reports whether h was freed.
func (p *strPool) release(h uint32) bool {
	e := &p.ents[h]
	e.refs--
	if e.refs != 0 {
		return false
	}
	p.unindex(h)
	e.s = ""
	e.gen++
	p.free = append(p.free, h)
	p.n--
	return true
}

// unindex removes h from the index (backward shift: the words after it
// in its probe run move up when their home slot allows, so that no
// tombstone is left).
func (p *strPool) unindex(h uint32) {
	mask := len(p.slots) - 1
	i := int(fold(maphash.String(p.seed, p.ents[h].s))) & mask // tag of the same bytes
	for uint32(p.slots[i]) != h {
		i = (i + 1) & mask
	}
	for j := i; ; {
		j = (j + 1) & mask
		w := p.slots[j]
		if w == 0 {
			break
		}
		k := int(w>>32) & mask // w's home slot
		if (i <= j && i < k && k <= j) || (i > j && (i < k || k <= j)) {
			continue // w's home is after i: it stays
		}
		p.slots[i] = w
		i = j
	}
	p.slots[i] = 0
}

// live calls fn for every handle in use.
func (p *strPool) live(fn func(h uint32, s string)) {
	for h := 1; h < len(p.ents); h++ {
		if e := &p.ents[h]; e.gen&1 != 0 {
			fn(uint32(h), e.s)
		}
	}
}

// Attribute codes that get their own sub-pool (the large ones that
// routes share most).
var subCodes = [...]attr.Code{attr.CodeASPath, attr.CodeCommunities, attr.CodeClusterList, attr.CodeExtCommunities, attr.CodeLargeCommunities}

// subIndex maps an attribute code to its sub-pool + 1 (0: not pooled).
var subIndex = func() (t [256]uint8) {
	for i, c := range subCodes {
		t[c] = uint8(i + 1)
	}
	return t
}()

// Items of an attribute set's key (the set pool's bytes), in ascending
// attribute code order. A plain attribute is stored whole with a
// canonical header (flags' low nibble clear, extended length iff the
// value exceeds 255 octets), so its first octet's low nibble is 0; the
// other items use that nibble as a tag:
//
//	plain:    flags | code | length (1 or 2) | value
//	ref:      0x01  | code | handle (4, sub-pool of code)
//	next hop: 0x02  | 14   | length (1) | MP_REACH_NLRI next hop
const (
	itemRef     = 0x01
	itemNextHop = 0x02
	minPooled   = 9 // a plain attribute shorter than this stays inline (a ref is 6 octets)
)

// Pool interns attribute sets (see the package doc). The zero Pool is
// not usable: call NewPool.
type Pool struct {
	sets strPool
	info []Info // by set handle: what the decision process reads
	sub  [len(subCodes)]strPool

	key   []byte   // scratch: the set key being built
	items [][]byte // scratch: the attributes of the list being interned
	norm  []byte   // scratch: normalised AS_PATH / AGGREGATOR
	out   []byte   // scratch: expanded attributes for Info
}

// NewPool returns an empty Pool.
func NewPool() *Pool {
	p := &Pool{info: make([]Info, 1)}
	p.sets.init()
	for i := range p.sub {
		p.sub[i].init()
	}
	return p
}

// errAttrList is returned by Intern for an attribute list that cannot
// be walked.
var errAttrList = errors.New("rib: attribute list cannot be walked")

// Intern returns a handle, holding one new reference, for the path
// attribute list attrs (the UPDATE's Path Attributes field, RFC 4271
// §4.3) received under ctx.
//
// MP_REACH_NLRI and MP_UNREACH_NLRI are left out. With mp true the set
// is the one of MP_REACH_NLRI's routes (RFC 4760 §3): NEXT_HOP is left
// out and nextHop (MP_REACH_NLRI's next hop field) is kept; with mp
// false nextHop is ignored and NEXT_HOP kept. Of an attribute that
// appears twice the first is kept (RFC 7606 §3.g). Attributes are put in
// ascending type order and their headers made canonical. On a 2-octet-AS
// session (!ctx.ASN4) AS_PATH and AGGREGATOR are rebuilt with 4-octet
// ASNs from AS4_PATH / AS4_AGGREGATOR (RFC 6793 §4.2.3); AS4_PATH and
// AS4_AGGREGATOR are always left out (RFC 6793 §4.1). With discardBad,
// attributes attr.Check finds malformed with an attribute-discard
// verdict are left out (RFC 7606 §2).
//
// Errors: an attribute list that cannot be walked, a malformed AS_PATH
// on a 2-octet-AS session; the caller treats the routes as withdrawn
// (RFC 7606 §2). A hit allocates nothing.
func (p *Pool) Intern(attrs []byte, mp bool, nextHop []byte, ctx wire.Context, discardBad bool) (Attrs, error) {
	items := p.items[:0]
	var seen [4]uint64
	sorted := true
	last := attr.Code(0)
	it := attr.NewIterator(attrs)
	for it.Next() {
		c := it.Code()
		if seen[c>>6]&(1<<(c&63)) != 0 {
			continue
		}
		seen[c>>6] |= 1 << (c & 63)
		switch c {
		case attr.CodeMPReach, attr.CodeMPUnreach, attr.CodeAS4Path, attr.CodeAS4Aggregator:
			continue
		case attr.CodeNextHop:
			if mp {
				continue
			}
		}
		if discardBad && discarded(c, it.Flags(), it.Value(), ctx) {
			continue
		}
		if c < last {
			sorted = false
		}
		last = c
		items = append(items, it.Raw())
	}
	p.items = items
	if it.Err() != nil {
		return 0, errAttrList
	}
	if !sorted {
		slices.SortStableFunc(items, func(a, b []byte) int { return int(a[1]) - int(b[1]) })
	}
	var asPath, aggregator []byte // normalised values, when rebuilt
	if !ctx.ASN4 {
		var err error
		if asPath, aggregator, err = p.normalise(attrs); err != nil {
			return 0, err
		}
	}
	key := p.key[:0]
	nhDone := !mp
	for _, raw := range items {
		c := attr.Code(raw[1])
		if !nhDone && c > attr.CodeMPReach {
			key = appendNextHopItem(key, nextHop)
			nhDone = true
		}
		v := raw[3+int(raw[0]>>4&1):]
		switch {
		case c == attr.CodeASPath && asPath != nil:
			v = asPath
		case c == attr.CodeAggregator && aggregator != nil:
			v = aggregator
		}
		start := len(key)
		key = attr.AppendRaw(key, attr.Flags(raw[0])&(attr.FlagOptional|attr.FlagTransitive|attr.FlagPartial), c, v)
		if si := subIndex[c]; si != 0 && len(key)-start >= minPooled {
			h, _ := p.sub[si-1].intern(key[start:])
			key = append(key[:start], itemRef, byte(c))
			key = binary.BigEndian.AppendUint32(key, h)
		}
	}
	if !nhDone {
		key = appendNextHopItem(key, nextHop)
	}
	p.key = key
	h, isNew := p.sets.intern(key)
	p.sets.ents[h].refs++
	if isNew {
		p.created(h)
	}
	return Attrs(h), nil
}

func appendNextHopItem(key, nh []byte) []byte {
	if len(nh) > 255 {
		nh = nh[:255]
	}
	key = append(key, itemNextHop, byte(attr.CodeMPReach), byte(len(nh)))
	return append(key, nh...)
}

// discarded reports whether attribute c is malformed with a verdict no
// harsher than attribute-discard (RFC 7606 §2).
func discarded(c attr.Code, f attr.Flags, v []byte, ctx wire.Context) bool {
	err := attr.Check(c, f, v, ctx)
	var we *wire.Error
	return err != nil && errors.As(err, &we) && we.Action == wire.ActionAttributeDiscard
}

// normalise rebuilds AS_PATH and AGGREGATOR of a 2-octet-AS session's
// list with 4-octet ASNs (RFC 6793 §4.2.3). Either result is nil when
// the attribute is absent.
func (p *Pool) normalise(attrs []byte) (asPath, aggregator []byte, err error) {
	var path, path4, agg, agg4 []byte
	it := attr.NewIterator(attrs)
	for it.Next() {
		switch it.Code() {
		case attr.CodeASPath:
			path = nonNil(path, it.Value())
		case attr.CodeAS4Path:
			path4 = nonNil(path4, it.Value())
		case attr.CodeAggregator:
			agg = nonNil(agg, it.Value())
		case attr.CodeAS4Aggregator:
			agg4 = nonNil(agg4, it.Value())
		}
	}
	out := p.norm[:0]
	if agg != nil {
		a, aerr := attr.ParseAggregator(attr.CodeAggregator, agg, false)
		if aerr == nil {
			if a.ASN != attr.ASTrans {
				path4 = nil // RFC 6793 §4.2.3
			}
			if a4, err4 := attr.ParseAggregator(attr.CodeAS4Aggregator, agg4, true); err4 == nil {
				a = attr.MergeAS4Aggregator(a, a4)
			}
			out = attr.AppendAggregator(out, a, true)
			aggregator = out[3:]
		}
	}
	if path != nil {
		segs, perr := attr.MergeAS4Path(path, path4)
		var we *wire.Error
		if perr != nil && !(errors.As(perr, &we) && we.Action == wire.ActionAttributeDiscard) {
			return nil, nil, perr
		}
		start := len(out)
		out = attr.AppendASPath(out, segs, true)
		asPath = out[start+3+int(out[start]>>4&1):]
	}
	p.norm = out // aggregator may alias an older array of out: still valid
	return asPath, aggregator, nil
}

// nonNil keeps the first occurrence; an empty value becomes a non-nil
// empty slice so that "present" stays visible.
func nonNil(cur, v []byte) []byte {
	if cur != nil {
		return cur
	}
	if v == nil {
		return []byte{}
	}
	return v
}

// Acquire adds a reference to h (0 is ignored).
func (p *Pool) Acquire(h Attrs) {
	if h != 0 {
		p.sets.ents[h].refs++
	}
}

// Release drops a reference to h (0 is ignored); the last one frees the
// set and the sub-pool values only it used.
func (p *Pool) Release(h Attrs) {
	if h == 0 {
		return
	}
	e := &p.sets.ents[h]
	if e.refs > 1 {
		e.refs--
		return
	}
	key := e.s
	p.sets.release(uint32(h))
	p.info[h] = Info{}
	for it := newItems(key); it.next(); {
		if it.tag == itemRef {
			p.sub[subIndex[it.code]-1].release(it.ref)
		}
	}
}

// Refs returns h's reference count (0 for a freed or zero handle).
func (p *Pool) Refs(h Attrs) uint32 {
	if h == 0 || int(h) >= len(p.sets.ents) {
		return 0
	}
	return p.sets.ents[h].refs
}

// Len returns the number of live attribute sets.
func (p *Pool) Len() int { return p.sets.n }

// SubLen returns the number of live values in the sub-pool of code c
// (0 for codes without one).
func (p *Pool) SubLen(c attr.Code) int {
	if si := subIndex[c]; si != 0 {
		return p.sub[si-1].n
	}
	return 0
}

// Bytes returns the octets the pool's interned strings take (set keys
// and sub-pool values, without map and slice overhead).
func (p *Pool) Bytes() int {
	n := 0
	add := func(_ uint32, s string) { n += len(s) }
	p.sets.live(add)
	for i := range p.sub {
		p.sub[i].live(add)
	}
	return n
}
