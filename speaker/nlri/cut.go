package nlri

import (
	"encoding/binary"

	"github.com/ze-bgp/ze/speaker/wire"
)

// CutIPv4 reads the IPv4 prefix (RFC 4271 §4.3, no path identifier)
// whose length octet is b[off]: its address as a number
// (a.b.c.d is a<<24 | b<<16 | c<<8 | d; host bits as sent), its length
// in bits and the offset of the entry after it. ok is false at the end
// of b (off ≥ len(b)) and for a malformed entry, whose error CutError
// gives; off must not be negative (it panics, as an index would: the
// check would cost CutIPv4 its inlining). It is the Iterator's IPv4 walk with the state in the caller's
// variables, which the compiler keeps in registers (an Iterator lives
// in memory: its methods take its address). It reads the address with
// one word load that ends where the entry ends, so b should hold the 3
// octets before the NLRI when there are (walk an UPDATE's fields in the
// whole message, from the offsets message.UpdateOffsets gives):
//
//	for off := start; off < len(b); {
//		a, bits, next, ok := nlri.CutIPv4(b, off)
//		if !ok {
//			return nlri.CutError(b, off, wire.IPv4Unicast)
//		}
//		off = next
//		…
//	}
//
// It inlines: keep it within the compiler's budget (go build
// -gcflags=-m shows its cost; interop/bench's TestInlined checks it):
// out of line, each call spills the caller's registers.
func CutIPv4(b []byte, off int) (addr uint32, bits, next int, ok bool) {
	if off < len(b) {
		bits = int(b[off])
		next = off + 1 + (bits+7)>>3
		if bits <= 32 && next <= len(b) {
			if next >= 4 {
				addr = binary.BigEndian.Uint32(b[next-4:])
			} else if next >= 2 { // at most 2 prefix octets: the entry's last 2 octets hold them
				addr = uint32(binary.BigEndian.Uint16(b[next-2:]))
			}
			// Shifted so that the prefix octets come first (a shift by 32
			// leaves 0 for a /0).
			return addr << (32 - 8*uint(next-off-1)), bits, next, true
		}
	}
	return 0, 0, off, false
}

// CutIPv6 is CutIPv4 for an IPv6 prefix: its address as two 64-bit
// numbers (the high-order half first). It reads the 16 octets that end
// the entry, so b should hold the 15 octets before the NLRI (an
// MP_REACH_NLRI value holds them: walk it from len(v)-len(nlri));
// entries that end in b's first 15 octets are copied first. It does not
// inline, but its state still stays in the caller's registers.
func CutIPv6(b []byte, off int) (hi, lo uint64, bits, next int, ok bool) {
	if uint(off) < uint(len(b)) { // also false for a negative off
		bits = int(b[off])
		n := (bits + 7) >> 3
		next = off + 1 + n
		if bits <= 128 && next <= len(b) {
			w := b[:next]
			if next < 16 {
				var a [16]byte
				copy(a[16-n:], b[off+1:next])
				w = a[:]
			}
			hi, lo = word16(w[len(w)-16:], n)
			return hi, lo, bits, next, true
		}
	}
	return 0, 0, 0, off, false
}

// CutError returns the error for the entry of family f (no path
// identifier) whose length octet is b[off], on which CutIPv4 or CutIPv6
// returned ok false: the *wire.Error an Iterator would give (see Iterator), or nil
// at the end of b or for a well-formed entry.
func CutError(b []byte, off int, f wire.Family) error {
	it := NewIteratorFrom(b, off, f, false)
	for it.Next() {
		return nil
	}
	return it.Err()
}
