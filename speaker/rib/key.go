package rib

import (
	"encoding/binary"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/wire"
)

// NLRI names one route of an IP family: the prefix (host bits cleared)
// and, with ADD-PATH, its path identifier (RFC 7911 §3; 0 without).
type NLRI struct {
	Family wire.Family
	Prefix netip.Prefix
	PathID uint32
}

// Families the tables store, by index: IPv4/IPv6 × unicast/multicast.
var families = [...]wire.Family{wire.IPv4Unicast, wire.IPv4Multicast, wire.IPv6Unicast, wire.IPv6Multicast}

// famIndex returns f's index in families, or -1 for a family not stored.
func famIndex(f wire.Family) int {
	if f.SAFI != wire.SAFIUnicast && f.SAFI != wire.SAFIMulticast {
		return -1
	}
	switch f.AFI {
	case wire.AFIIPv4:
		return int(f.SAFI) - 1
	case wire.AFIIPv6:
		return int(f.SAFI) + 1
	}
	return -1
}

// key4 and key6 are the map keys of one route: 12 and 24 octets.
type key4 struct {
	addr uint32
	id   uint32
	bits uint8
}

type key6 struct {
	hi, lo uint64
	id     uint32
	bits   uint8
}

func mk4(p netip.Prefix, id uint32) key4 {
	a := p.Addr().As4()
	bits := p.Bits()
	v := binary.BigEndian.Uint32(a[:])
	if bits < 32 {
		v &^= 0xFFFFFFFF >> bits
	}
	return key4{addr: v, id: id, bits: uint8(bits)}
}

func mk6(p netip.Prefix, id uint32) key6 {
	a := p.Addr().As16()
	bits := p.Bits()
	hi, lo := binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])
	switch {
	case bits < 64:
		hi &^= ^uint64(0) >> bits
		lo = 0
	case bits < 128:
		lo &^= ^uint64(0) >> (bits - 64)
	}
	return key6{hi: hi, lo: lo, id: id, bits: uint8(bits)}
}

func (k key4) prefix() netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(k.addr >> 24), byte(k.addr >> 16), byte(k.addr >> 8), byte(k.addr)}), int(k.bits))
}

func (k key6) prefix() netip.Prefix {
	var a [16]byte
	binary.BigEndian.PutUint64(a[:8], k.hi)
	binary.BigEndian.PutUint64(a[8:], k.lo)
	return netip.PrefixFrom(netip.AddrFrom16(a), int(k.bits))
}

// tables are per-family exact-match maps from a route key to V. Exact
// match is all a RIB needs, so a hash map of fixed-size keys beats a
// trie in both time and memory.
type tables[V any] struct {
	m4 [2]map[key4]V
	m6 [2]map[key6]V
}

func newTables[V any]() tables[V] {
	var t tables[V]
	for i := range t.m4 {
		t.m4[i] = make(map[key4]V)
		t.m6[i] = make(map[key6]V)
	}
	return t
}

// A prefix of the wrong address family for its table is stored under
// the table's family anyway: callers build prefixes from the family's
// NLRI, so that cannot happen.

func (t *tables[V]) get(fi int, p netip.Prefix, id uint32) (V, bool) {
	if fi < 2 {
		v, ok := t.m4[fi][mk4(p, id)]
		return v, ok
	}
	v, ok := t.m6[fi-2][mk6(p, id)]
	return v, ok
}

func (t *tables[V]) set(fi int, p netip.Prefix, id uint32, v V) {
	if fi < 2 {
		t.m4[fi][mk4(p, id)] = v
		return
	}
	t.m6[fi-2][mk6(p, id)] = v
}

func (t *tables[V]) del(fi int, p netip.Prefix, id uint32) {
	if fi < 2 {
		delete(t.m4[fi], mk4(p, id))
		return
	}
	delete(t.m6[fi-2], mk6(p, id))
}

func (t *tables[V]) len(fi int) int {
	if fi < 2 {
		return len(t.m4[fi])
	}
	return len(t.m6[fi-2])
}

// each calls fn for every entry of family fi; fn must not add entries
// (it may change or delete the current one through set/del).
func (t *tables[V]) each(fi int, fn func(p netip.Prefix, id uint32, v V)) {
	if fi < 2 {
		for k, v := range t.m4[fi] {
			fn(k.prefix(), k.id, v)
		}
		return
	}
	for k, v := range t.m6[fi-2] {
		fn(k.prefix(), k.id, v)
	}
}
