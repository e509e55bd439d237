package rib

import (
	"math/bits"
	"net/netip"
)

// Route tables: an exact-match map from a route (prefix, path
// identifier) to a small value, one per family. Routes are grouped by
// block key: the prefixes of one length (and path identifier) whose
// prefix numbers (the address's top length bits as a number) differ only
// in their 6 low bits, at most 64 routes, one bit (slot) each:
//
//	block key  IPv4: path ID (26 bits) | length (6) | prefix number >> 6 (26)
//	           IPv6, length < 64, path ID 0: length (6) | prefix number >> 6 (58)
//	slot       prefix number & 63
//
// A map from block key to one 64-bit word holds a block's only route
// inline (singleTag | slot << 57 | value), or the index of a block: a
// present mask and the values of the present slots packed in slot order
// (a value is at its bit's rank). A sparse table (random prefixes) is
// thus a Go map of 8-octet keys and values; a dense one (a full table:
// runs of neighbouring /24s) costs a few octets per route beyond the
// value, and the table remembers the block it found last, so that a run
// of neighbouring prefixes (one UPDATE) costs one map lookup per block,
// not per route, and its values share cache lines. Growing copies a
// block's values or the map's words (one per block), never the whole
// table's routes. Routes without a block key (IPv4 path IDs
// of 2^26 and more, IPv6 /64 and longer or with a path ID) are in a
// second map keyed by the whole route.

// routeValue is what the tables hold: up to 57 significant bits (singles
// are stored inline beside a tag and a slot).
type routeValue interface{ ~uint32 | ~uint64 }

const (
	blockBits = 6
	blockMask = 1<<blockBits - 1
	singleTag = 1 << 63
	valueMask = 1<<57 - 1
)

func single[V routeValue](s uint, v V) uint64 { return singleTag | uint64(s)<<57 | uint64(v)&valueMask }

// block is the routes of one block key when there are several.
type block[V routeValue] struct {
	present uint64 // slots holding a route
	vals    []V    // their values in slot order
}

// blockTable is one family's routes with a block key (see above).
type blockTable[V routeValue] struct {
	dir     map[uint64]uint64 // block key → single route or block index
	blocks  []block[V]
	free    []uint32 // unused indices of blocks
	n       int      // routes
	lastK   uint64   // block key of the block found last
	lastB   int      // its index + 1 (0: none)
	walking int      // each calls in progress: blocks are not folded back to singles
}

// lookup returns the word of block key k.
func (t *blockTable[V]) lookup(k uint64) (uint64, bool) {
	if t.lastB != 0 && t.lastK == k {
		return uint64(t.lastB - 1), true
	}
	w, ok := t.dir[k]
	if ok && w&singleTag == 0 {
		t.lastK, t.lastB = k, int(w)+1
	}
	return w, ok
}

// get returns the value of slot s of block key k.
func (t *blockTable[V]) get(k uint64, s uint) (V, bool) {
	w, ok := t.lookup(k)
	switch {
	case !ok:
	case w&singleTag != 0:
		if uint(w>>57)&blockMask == s {
			return V(w & valueMask), true
		}
	default:
		b := &t.blocks[w]
		bit := uint64(1) << s
		if b.present&bit != 0 {
			return b.vals[bits.OnesCount64(b.present&(bit-1))], true
		}
	}
	return 0, false
}

func (t *blockTable[V]) set(k uint64, s uint, v V) {
	w, ok := t.lookup(k)
	switch {
	case !ok:
		if t.dir == nil {
			t.dir = make(map[uint64]uint64)
		}
		t.dir[k] = single(s, v)
		t.n++
		return
	case w&singleTag != 0:
		s0 := uint(w>>57) & blockMask
		if s0 == s {
			t.dir[k] = single(s, v)
			return
		}
		v0 := V(w & valueMask)
		i := t.newBlock()
		b := &t.blocks[i]
		b.present = 1<<s0 | 1<<s
		b.vals = append(make([]V, 0, 2), v0, v)
		if s < s0 {
			b.vals[0], b.vals[1] = v, v0
		}
		t.dir[k] = uint64(i)
		t.lastK, t.lastB = k, i+1
		t.n++
		return
	}
	b := &t.blocks[w]
	bit := uint64(1) << s
	r := bits.OnesCount64(b.present & (bit - 1))
	if b.present&bit != 0 {
		b.vals[r] = v
		return
	}
	b.present |= bit
	t.n++
	if len(b.vals) == cap(b.vals) {
		// Grow by 4: a block that gets a third route is often being
		// filled in order (a table sent sorted); 2, 8, 32, 64 values.
		vals := make([]V, len(b.vals), min(4*cap(b.vals), 1<<blockBits))
		copy(vals, b.vals)
		b.vals = vals
	}
	b.vals = b.vals[:len(b.vals)+1]
	copy(b.vals[r+1:], b.vals[r:])
	b.vals[r] = v
}

func (t *blockTable[V]) newBlock() int {
	if n := len(t.free); n > 0 {
		i := t.free[n-1]
		t.free = t.free[:n-1]
		return int(i)
	}
	t.blocks = append(t.blocks, block[V]{})
	return len(t.blocks) - 1
}

// freeBlock forgets block i (its key no longer names it).
func (t *blockTable[V]) freeBlock(i int) {
	t.blocks[i] = block[V]{}
	t.free = append(t.free, uint32(i))
	if t.lastB == i+1 {
		t.lastB = 0
	}
}

func (t *blockTable[V]) del(k uint64, s uint) {
	w, ok := t.lookup(k)
	switch {
	case !ok:
		return
	case w&singleTag != 0:
		if uint(w>>57)&blockMask == s {
			delete(t.dir, k)
			t.n--
		}
		return
	}
	b := &t.blocks[w]
	bit := uint64(1) << s
	if b.present&bit == 0 {
		return
	}
	r := bits.OnesCount64(b.present & (bit - 1))
	b.present &^= bit
	t.n--
	copy(b.vals[r:], b.vals[r+1:])
	b.vals = b.vals[:len(b.vals)-1]
	switch {
	case b.present == 0:
		delete(t.dir, k)
		t.freeBlock(int(w))
	case b.present&(b.present-1) == 0 && t.walking == 0:
		t.dir[k] = single(uint(bits.TrailingZeros64(b.present)), b.vals[0])
		t.freeBlock(int(w))
	}
}

// each calls fn for every route; fn may change or delete the route it
// is given (set or del on it), nothing else.
func (t *blockTable[V]) each(fn func(k uint64, s uint, v V)) {
	t.walking++
	for k, w := range t.dir {
		if w&singleTag != 0 {
			fn(k, uint(w>>57)&blockMask, V(w&valueMask))
			continue
		}
		b := &t.blocks[w]
		for rem := b.present; rem != 0; rem &= rem - 1 {
			bit := rem & -rem
			if b.present&bit == 0 {
				continue
			}
			fn(k, uint(bits.TrailingZeros64(bit)), b.vals[bits.OnesCount64(b.present&(bit-1))])
		}
	}
	t.walking--
}

// Block keys of IPv4 and IPv6 routes (see above); ok is false for a
// route that has none.

func blockKey4(addr uint32, plen int, id uint32) (k uint64, s uint, ok bool) {
	if id >= 1<<26 {
		return 0, 0, false
	}
	num := uint64(addr) >> (32 - plen)
	return uint64(id)<<38 | uint64(plen)<<32 | num>>blockBits, uint(num & blockMask), true
}

func fromBlockKey4(k uint64, s uint) (addr uint32, plen int, id uint32) {
	plen = int(k >> 32 & 63)
	num := (k&(1<<32-1))<<blockBits | uint64(s)
	return uint32(num << (32 - plen)), plen, uint32(k >> 38)
}

func blockKey6(hi uint64, plen int, id uint32) (k uint64, s uint, ok bool) {
	if id != 0 || plen >= 64 {
		return 0, 0, false
	}
	num := hi >> (64 - plen)
	return uint64(plen)<<58 | num>>blockBits, uint(num & blockMask), true
}

func fromBlockKey6(k uint64, s uint) (hi uint64, plen int) {
	plen = int(k >> 58)
	num := (k&(1<<58-1))<<blockBits | uint64(s)
	return num << (64 - plen), plen
}

// tables are the route tables of the four families (famIndex): IPv4
// and IPv6 block tables and maps for the routes without a block key.
type tables[V routeValue] struct {
	b4 [2]blockTable[V]
	b6 [2]blockTable[V]
	m4 [2]map[key4]V
	m6 [2]map[key6]V
}

func newTables[V routeValue]() tables[V] { return tables[V]{} }

// A prefix of the wrong address family for its table is stored under
// the table's family anyway: callers build prefixes from the family's
// NLRI, so that cannot happen.

func (t *tables[V]) get(fi int, p netip.Prefix, id uint32) (V, bool) {
	if fi < 2 {
		k4 := mk4(p, id)
		if k, s, ok := blockKey4(k4.addr, int(k4.bits), id); ok {
			return t.b4[fi].get(k, s)
		}
		v, ok := t.m4[fi][k4]
		return v, ok
	}
	k6 := mk6(p, id)
	if k, s, ok := blockKey6(k6.hi, int(k6.bits), id); ok {
		return t.b6[fi-2].get(k, s)
	}
	v, ok := t.m6[fi-2][k6]
	return v, ok
}

func (t *tables[V]) set(fi int, p netip.Prefix, id uint32, v V) {
	if fi < 2 {
		k4 := mk4(p, id)
		if k, s, ok := blockKey4(k4.addr, int(k4.bits), id); ok {
			t.b4[fi].set(k, s, v)
			return
		}
		if t.m4[fi] == nil {
			t.m4[fi] = make(map[key4]V)
		}
		t.m4[fi][k4] = v
		return
	}
	k6 := mk6(p, id)
	if k, s, ok := blockKey6(k6.hi, int(k6.bits), id); ok {
		t.b6[fi-2].set(k, s, v)
		return
	}
	if t.m6[fi-2] == nil {
		t.m6[fi-2] = make(map[key6]V)
	}
	t.m6[fi-2][k6] = v
}

func (t *tables[V]) del(fi int, p netip.Prefix, id uint32) {
	if fi < 2 {
		k4 := mk4(p, id)
		if k, s, ok := blockKey4(k4.addr, int(k4.bits), id); ok {
			t.b4[fi].del(k, s)
			return
		}
		delete(t.m4[fi], k4)
		return
	}
	k6 := mk6(p, id)
	if k, s, ok := blockKey6(k6.hi, int(k6.bits), id); ok {
		t.b6[fi-2].del(k, s)
		return
	}
	delete(t.m6[fi-2], k6)
}

func (t *tables[V]) len(fi int) int {
	if fi < 2 {
		return t.b4[fi].n + len(t.m4[fi])
	}
	return t.b6[fi-2].n + len(t.m6[fi-2])
}

// each calls fn for every entry of family fi; fn must not add entries
// (it may change or delete the current one through set/del).
func (t *tables[V]) each(fi int, fn func(p netip.Prefix, id uint32, v V)) {
	if fi < 2 {
		t.b4[fi].each(func(k uint64, s uint, v V) {
			addr, plen, id := fromBlockKey4(k, s)
			fn(key4{addr: addr, bits: uint8(plen)}.prefix(), id, v)
		})
		for k, v := range t.m4[fi] {
			fn(k.prefix(), k.id, v)
		}
		return
	}
	t.b6[fi-2].each(func(k uint64, s uint, v V) {
		hi, plen := fromBlockKey6(k, s)
		fn(key6{hi: hi, bits: uint8(plen)}.prefix(), 0, v)
	})
	for k, v := range t.m6[fi-2] {
		fn(k.prefix(), k.id, v)
	}
}
