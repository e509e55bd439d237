package nlri

import (
	"encoding/binary"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/wire"
)

// Iterator walks IP prefixes encoded as RFC 4271 §4.3 (length in bits,
// then the minimum number of octets), each optionally preceded by a
// 4-octet path identifier (RFC 7911 §3):
//
//	+--------------------------------+
//	| Path Identifier (4 octets)     |  only with ADD-PATH
//	+--------------------------------+
//	| Length (1 octet, bits)         |
//	+--------------------------------+
//	| Prefix (variable)              |
//	+--------------------------------+
//
// Use: for it.Next() { … it.Prefix() … }; if err := it.Err(); … — Next
// returns false at the end of data or at the first malformed entry, which
// Err then reports as a session-reset *wire.Error (UPDATE Message Error /
// Invalid Network Field, RFC 7606 §5.3). Views returned by Raw and Bytes
// alias the input.
//
// Next reads the whole entry, address included, so that the accessors
// (Bits, Addr4, Addr, Prefix) only read fields. It reads an address with
// one or two word loads that end where the entry ends; an iterator made
// by NewIteratorFrom, whose NLRI is preceded by at least 16 octets of
// its slice, never needs the slower octet-by-octet form that the first
// entries of a bare NLRI slice may take.
type Iterator struct {
	b      []byte      // the NLRI, from b[0] or from the start given to NewIteratorFrom; cut at the failing entry when err is set
	off    int         // end of the current entry, start of the next
	start  int         // where the NLRI starts in b
	err    *wire.Error // nil at end of data
	hi, lo uint64      // current address: IPv6 as its two big-endian halves, IPv4 in lo
	pathID uint32
	bits   uint8 // current prefix length
	mode   uint8 // modeAddPath | modeV6
}

const (
	modeAddPath = 1
	modeV6      = 2 // also the shift that turns 32 into 128, the family maximum
)

// NewIterator returns an iterator over b, the NLRI of family f (which
// must satisfy f.IsIP(): IPv4 or IPv6 unicast/multicast); addPath says
// whether each entry starts with a path identifier.
func NewIterator(b []byte, f wire.Family, addPath bool) Iterator {
	// A single return, built in place by the inlined call: returning
	// NewIteratorFrom's result would copy the Iterator through a
	// temporary (16-octet loads of 8-octet stores, which stall).
	return Iterator{b: b, mode: mode(f, addPath)}
}

// mode returns the Iterator mode bits for family f.
func mode(f wire.Family, addPath bool) uint8 {
	var m uint8
	if addPath {
		m = modeAddPath
	}
	if f.AFI == wire.AFIIPv6 {
		m |= modeV6
	}
	return m
}

// NewIteratorFrom is NewIterator over b[start:]: the octets before start
// (the rest of the message or attribute the NLRI ends) are never read
// as NLRI, but let Next read the first prefixes with word loads. Raw and
// Bytes stay views of b. A start outside 0..len(b) iterates nothing.
func NewIteratorFrom(b []byte, start int, f wire.Family, addPath bool) Iterator {
	if uint(start) > uint(len(b)) {
		start = len(b)
	}
	return Iterator{b: b, off: start, start: start, mode: mode(f, addPath)}
}

// Next advances to the next prefix. The end-of-data test is inlined
// into the caller; the entry itself is read by next.
func (it *Iterator) Next() bool {
	if it.off >= len(it.b) {
		return false
	}
	return it.next()
}

// next reads one entry of any form and reports malformed ones.
func (it *Iterator) next() bool {
	b, off := it.b, it.off
	switch it.mode {
	case 0: // IPv4, no path identifier
		bits := b[off]
		n := (int(bits) + 7) >> 3
		end := off + 1 + n
		if bits <= 32 && end <= len(b) {
			if end >= 4 {
				// The 4 octets that end the entry, shifted so that the
				// prefix octets come first (a shift by 32 leaves 0 for a /0).
				it.lo = uint64(binary.BigEndian.Uint32(b[end-4:end]) << (32 - 8*uint(n)))
			} else {
				it.lo = uint64(short4(b[end-n : end]))
			}
			it.bits, it.off = bits, end
			return true
		}
	case modeV6: // IPv6, no path identifier, 16 octets before the entry's end
		bits := b[off]
		n := (int(bits) + 7) >> 3
		end := off + 1 + n
		if bits <= 128 && end <= len(b) && end >= 16 {
			it.hi, it.lo = word16(b[end-16:end], n)
			it.bits, it.off = bits, end
			return true
		}
	}
	if it.mode&modeAddPath != 0 {
		if len(b)-off < 5 {
			return it.fail("nlri: path identifier truncated")
		}
		it.pathID = binary.BigEndian.Uint32(b[off:])
		off += 4
	}
	bits := b[off]
	off++
	if int(bits) > 32<<(it.mode&modeV6) {
		return it.fail("nlri: prefix length exceeds family maximum")
	}
	n := (int(bits) + 7) >> 3
	if len(b)-off < n {
		return it.fail("nlri: prefix truncated")
	}
	end := off + n
	switch {
	case it.mode&modeV6 == 0 && end >= 4:
		it.lo = uint64(binary.BigEndian.Uint32(b[end-4:end]) << (32 - 8*uint(n)))
	case it.mode&modeV6 == 0:
		it.lo = uint64(short4(b[off:end]))
	case end >= 16:
		it.hi, it.lo = word16(b[end-16:end], n)
	default:
		it.hi, it.lo = short16(b[off:end])
	}
	it.bits, it.off = bits, end
	return true
}

// word16 reads the 16 octets w, whose last n end a prefix, as a 128-bit
// number shifted left by k = 128-8n bits so that the prefix octets come
// first. Shifts of 64 or more give 0, which covers every k from 0 to 128.
func word16(w []byte, n int) (hi, lo uint64) {
	hi, lo = binary.BigEndian.Uint64(w[:8]), binary.BigEndian.Uint64(w[8:16])
	k := uint(128 - 8*n)
	return hi<<k | lo>>(64-k) | lo<<(k-64), lo << k
}

// short4 reads p (at most 4 octets) as the high-order octets of a
// 32-bit number.
func short4(p []byte) uint32 {
	var a uint32
	for i, c := range p[:min(len(p), 4)] {
		a |= uint32(c) << (24 - 8*i)
	}
	return a
}

// short16 reads p (at most 16 octets) as the high-order octets of a
// 128-bit number, with at most four fixed-size loads (8, 4, 2 and 1
// octets, as len(p)'s bits say).
func short16(p []byte) (hi, lo uint64) {
	var a [16]byte
	if len(p) == 16 {
		a = [16]byte(p)
	} else {
		i := 0
		if len(p)&8 != 0 {
			binary.BigEndian.PutUint64(a[:], binary.BigEndian.Uint64(p))
			i = 8
		}
		if len(p)&4 != 0 {
			binary.BigEndian.PutUint32(a[i&15:], binary.BigEndian.Uint32(p[i:]))
			i += 4
		}
		if len(p)&2 != 0 {
			binary.BigEndian.PutUint16(a[i&15:], binary.BigEndian.Uint16(p[i:]))
			i += 2
		}
		if len(p)&1 != 0 {
			a[i&15] = p[i]
		}
	}
	return binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])
}

// fail records the error and cuts b at the failing entry, so that Next
// stops with one length test.
func (it *Iterator) fail(msg string) bool {
	it.err = wire.Errorf(wire.CodeUpdate, wire.SubInvalidNetworkField, nil, "%s", msg)
	it.b = it.b[:it.off]
	return false
}

// Err returns the error that stopped the iteration, or nil at end of data.
func (it *Iterator) Err() error {
	if it.err == nil {
		return nil
	}
	return it.err
}

// PathID returns the current path identifier (0 without ADD-PATH).
func (it *Iterator) PathID() uint32 { return it.pathID }

// Bits returns the current prefix length in bits.
func (it *Iterator) Bits() int { return int(it.bits) }

// octets is the number of prefix octets of the current entry.
func (it *Iterator) octets() int { return (int(it.bits) + 7) >> 3 }

// Bytes returns the current prefix's significant octets (a view).
func (it *Iterator) Bytes() []byte { return it.b[it.off-it.octets() : it.off] }

// Raw returns the whole current entry, path identifier included (a view;
// empty before the first entry).
func (it *Iterator) Raw() []byte {
	n := it.octets() + 1
	if it.mode&modeAddPath != 0 {
		n += 4
	}
	if it.off == it.start { // before the first entry
		return it.b[it.off:it.off]
	}
	return it.b[it.off-n : it.off]
}

// Addr4 returns the current prefix's address as a 32-bit number
// (a.b.c.d is a<<24 | b<<16 | c<<8 | d), host bits as sent, for IPv4
// iterators (0 for IPv6 ones). With Bits it is a compact key for IPv4
// tables, and spares building a netip.Prefix.
func (it *Iterator) Addr4() uint32 {
	if it.mode&modeV6 != 0 {
		return 0
	}
	return uint32(it.lo)
}

// Addr6 returns the current IPv6 prefix's address as two 64-bit
// numbers (the high-order half first), host bits as sent; an IPv4
// prefix is returned in its IPv4-mapped form (::ffff:a.b.c.d, RFC 4291
// §2.5.5.2).
func (it *Iterator) Addr6() (hi, lo uint64) {
	if it.mode&modeV6 == 0 {
		return 0, 0xFFFF00000000 | it.lo
	}
	return it.hi, it.lo
}

// Addr returns the current prefix's address, host bits as sent.
func (it *Iterator) Addr() netip.Addr {
	if it.mode&modeV6 == 0 {
		a := uint32(it.lo)
		return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
	}
	var a [16]byte
	binary.BigEndian.PutUint64(a[:8], it.hi)
	binary.BigEndian.PutUint64(a[8:], it.lo)
	return netip.AddrFrom16(a)
}

// Prefix returns the current prefix. Host bits beyond the length are kept
// as sent (call Masked() on the result to clear them). It does not allocate.
func (it *Iterator) Prefix() netip.Prefix {
	return netip.PrefixFrom(it.Addr(), int(it.bits))
}

// Count returns how many entries b holds, or the error that stops the
// walk (the Iterator's). Well-formed fields take a tight counting loop;
// only a field that loop refuses is walked again by the Iterator, for
// the error.
func Count(b []byte, f wire.Family, addPath bool) (int, error) {
	maxBits := 32
	if f.AFI == wire.AFIIPv6 {
		maxBits = 128
	}
	if n, ok := countFast(b, maxBits, addPath); ok {
		return n, nil
	}
	it := NewIterator(b, f, addPath)
	n := 0
	for it.Next() {
		n++
	}
	return n, it.Err()
}

// AppendPrefix appends p (with pathID first when addPath) in RFC 4271
// §4.3 form: host bits beyond the length are not written. An IPv4 prefix
// is written in IPv4 form, anything else (IPv4-mapped IPv6 included) in
// IPv6 form. An invalid p (the zero netip.Prefix) appends nothing.
func AppendPrefix(dst []byte, p netip.Prefix, pathID uint32, addPath bool) []byte {
	if !p.IsValid() {
		return dst
	}
	if addPath {
		dst = binary.BigEndian.AppendUint32(dst, pathID)
	}
	bits := p.Bits()
	dst = append(dst, byte(bits))
	n := (bits + 7) / 8
	if n == 0 {
		return dst
	}
	start := len(dst)
	if p.Addr().Is4() {
		a := p.Addr().As4()
		dst = append(dst, a[:n]...)
	} else {
		a := p.Addr().As16()
		dst = append(dst, a[:n]...)
	}
	if r := bits % 8; r != 0 {
		dst[start+n-1] &= byte(0xFF << (8 - r))
	}
	return dst
}

// countFast counts the entries of an NLRI field whose prefix lengths do
// not exceed maxBits; ok is false when an entry is malformed (a length
// above maxBits, a truncated entry). Entries are found one length octet
// after the other, a chain of dependent loads; when the next entries
// have the length of the one just read (the common case: a run of /24s),
// four are checked at once from independent loads.
func countFast(b []byte, maxBits int, addPath bool) (n int, ok bool) {
	pre := 0
	if addPath {
		pre = 4
	}
	for i := 0; i < len(b); {
		if len(b)-i <= pre {
			return n, false
		}
		bits := b[i+pre]
		if int(bits) > maxBits {
			return n, false
		}
		k := pre + 1 + (int(bits)+7)>>3
		if k > len(b)-i {
			return n, false
		}
		i += k
		n++
		for 4*k <= len(b)-i {
			e := b[i : i+4*k]
			if e[pre] != bits || e[pre+k] != bits || e[pre+2*k] != bits || e[pre+3*k] != bits {
				break
			}
			i += 4 * k
			n += 4
		}
	}
	return n, true
}
