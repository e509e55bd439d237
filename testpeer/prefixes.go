package testpeer

import (
	"math/big"
	"math/bits"
	"net/netip"
)

// prefixGen walks consecutive prefixes of one length: 10.0.0.0/24,
// 10.0.1.0/24, … The address is held as 128 bits (hi, lo); IPv4 uses
// the low 32 bits of lo.
type prefixGen struct {
	is4            bool
	length         int
	hi, lo         uint64
	stepHi, stepLo uint64
}

func newPrefixGen(p netip.Prefix) prefixGen {
	p = p.Masked()
	g := prefixGen{is4: p.Addr().Is4(), length: p.Bits()}
	g.hi, g.lo = addrBits(p.Addr())
	shift := p.Addr().BitLen() - p.Bits() // host bits: the step is 1 << shift
	switch {
	case shift >= 128:
		// /0: a single prefix; the step does not matter.
	case shift >= 64:
		g.stepHi = 1 << (shift - 64)
	default:
		g.stepLo = 1 << shift
	}
	return g
}

func addrBits(a netip.Addr) (hi, lo uint64) {
	if a.Is4() {
		b := a.As4()
		return 0, uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
	}
	b := a.As16()
	for i := range 8 {
		hi = hi<<8 | uint64(b[i])
		lo = lo<<8 | uint64(b[8+i])
	}
	return hi, lo
}

// prefix returns the current prefix.
func (g *prefixGen) prefix() netip.Prefix {
	if g.is4 {
		v := uint32(g.lo)
		return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), g.length)
	}
	var b [16]byte
	for i := range 8 {
		b[i] = byte(g.hi >> (56 - 8*i))
		b[8+i] = byte(g.lo >> (56 - 8*i))
	}
	return netip.PrefixFrom(netip.AddrFrom16(b), g.length)
}

// advance moves to the next prefix.
func (g *prefixGen) advance() {
	var carry uint64
	g.lo, carry = bits.Add64(g.lo, g.stepLo, 0)
	g.hi, _ = bits.Add64(g.hi, g.stepHi, carry)
}

// index returns the position of p in the sequence that starts at g, or
// -1 when p is not one of the first count prefixes.
func (g *prefixGen) index(p netip.Prefix, count int) int {
	if p.Bits() != g.length || p.Addr().Is4() != g.is4 {
		return -1
	}
	hi, lo := addrBits(p.Masked().Addr())
	dlo, borrow := bits.Sub64(lo, g.lo, 0)
	dhi, borrow := bits.Sub64(hi, g.hi, borrow)
	if borrow != 0 {
		return -1 // before the start
	}
	shift := p.Addr().BitLen() - g.length
	var idx uint64
	switch {
	case shift >= 128:
		if dhi != 0 || dlo != 0 {
			return -1
		}
	case shift >= 64:
		idx = dhi >> (shift - 64)
	case shift == 0:
		if dhi != 0 {
			return -1
		}
		idx = dlo
	default:
		if dhi>>shift != 0 {
			return -1
		}
		idx = dhi<<(64-shift) | dlo>>shift
	}
	if idx >= uint64(count) {
		return -1
	}
	return int(idx)
}

// prefixesFit reports whether count consecutive prefixes starting at p
// stay within the address space.
func prefixesFit(p netip.Prefix, count int) bool {
	if count <= 1 {
		return true
	}
	p = p.Masked()
	hi, lo := addrBits(p.Addr())
	addr := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
	addr.Or(addr, new(big.Int).SetUint64(lo))
	shift := uint(p.Addr().BitLen() - p.Bits())
	idx := new(big.Int).Rsh(addr, shift)
	last := idx.Add(idx, big.NewInt(int64(count-1)))
	return last.BitLen() <= p.Bits()
}
