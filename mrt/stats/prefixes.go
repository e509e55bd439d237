package stats

import (
	"encoding/binary"
	"net/netip"
	"slices"
)

// prefixes holds every distinct prefix announced (or in a RIB) with
// the AS that originated it: one map entry of 16 octets of key and value
// per IPv4 prefix, 32 per IPv6 prefix. Host bits beyond the length are
// cleared, so 10.1.0.0/8 and 10.0.0.0/8 are one prefix. The few prefixes
// seen with more than one origin (MOAS) keep their origins aside.
type prefixes struct {
	v4   map[uint64]uint64 // address<<8 | length → origin state
	v6   map[key6]uint64
	moas map[netip.Prefix][]uint32 // every origin, sorted, of the MOAS prefixes
}

// key6 is an IPv6 prefix: the address as two 64-bit halves, the length.
type key6 struct {
	hi, lo uint64
	bits   uint8
}

// Origin state of a prefix: the first origin in the low 32 bits, then
// whether there is one, whether there are several (in moas).
const (
	hasOriginBit = 1 << 32
	multiBit     = 1 << 33
)

func newPrefixes() prefixes {
	return prefixes{v4: map[uint64]uint64{}, v6: map[key6]uint64{}, moas: map[netip.Prefix][]uint32{}}
}

// originState encodes an origin for a new prefix.
func originState(origin uint32, has bool) uint64 {
	if !has {
		return 0
	}
	return hasOriginBit | uint64(origin)
}

// add4 records an IPv4 prefix (address as a 32-bit number).
func (p *prefixes) add4(addr uint32, bits uint8, origin uint32, has bool) {
	if bits < 32 {
		addr &^= 1<<(32-bits) - 1
	}
	k := uint64(addr)<<8 | uint64(bits)
	v, seen := p.v4[k]
	if !seen {
		p.v4[k] = originState(origin, has)
		return
	}
	if nv, changed := p.merge(v, origin, has, func() netip.Prefix { return prefix4(k) }); changed {
		p.v4[k] = nv
	}
}

// add6 records an IPv6 prefix (address as two 64-bit halves).
func (p *prefixes) add6(hi, lo uint64, bits uint8, origin uint32, has bool) {
	switch {
	case bits == 0:
		hi, lo = 0, 0
	case bits <= 64:
		hi &^= 1<<(64-bits) - 1
		lo = 0
	case bits < 128:
		lo &^= 1<<(128-bits) - 1
	}
	k := key6{hi, lo, bits}
	v, seen := p.v6[k]
	if !seen {
		p.v6[k] = originState(origin, has)
		return
	}
	if nv, changed := p.merge(v, origin, has, func() netip.Prefix { return prefix6(k) }); changed {
		p.v6[k] = nv
	}
}

// add records a prefix of either family.
func (p *prefixes) add(pfx netip.Prefix, origin uint32, has bool) {
	a := pfx.Addr()
	if a.Is4() {
		b := a.As4()
		p.add4(binary.BigEndian.Uint32(b[:]), uint8(pfx.Bits()), origin, has)
		return
	}
	b := a.As16()
	p.add6(binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:]), uint8(pfx.Bits()), origin, has)
}

// merge adds an origin to a known prefix's state v; it returns the new
// state and whether it changed. A second distinct origin makes the
// prefix MOAS.
func (p *prefixes) merge(v uint64, origin uint32, has bool, pfx func() netip.Prefix) (uint64, bool) {
	switch {
	case !has:
		return v, false
	case v&hasOriginBit == 0:
		return originState(origin, true), true
	case v&multiBit == 0:
		first := uint32(v)
		if first == origin {
			return v, false
		}
		p.moas[pfx()] = []uint32{min(first, origin), max(first, origin)}
		return v | multiBit, true
	}
	k := pfx()
	list := p.moas[k]
	if i, found := slices.BinarySearch(list, origin); !found {
		p.moas[k] = slices.Insert(list, i, origin)
	}
	return v, false
}

func prefix4(k uint64) netip.Prefix {
	a := uint32(k >> 8)
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), int(k&0xFF))
}

func prefix6(k key6) netip.Prefix {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], k.hi)
	binary.BigEndian.PutUint64(b[8:], k.lo)
	return netip.PrefixFrom(netip.AddrFrom16(b), int(k.bits))
}

// eachOrigin calls fn with the origins of the prefix whose state is v.
func (p *prefixes) eachOrigin(v uint64, pfx func() netip.Prefix, fn func(uint32)) {
	switch {
	case v&multiBit != 0:
		for _, o := range p.moas[pfx()] {
			fn(o)
		}
	case v&hasOriginBit != 0:
		fn(uint32(v))
	}
}
