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
type Iterator struct {
	b      []byte      // the NLRI; cut at the failing entry when err is set
	off    int         // end of the current entry, start of the next
	err    *wire.Error // nil at end of data
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
	var m uint8
	if addPath {
		m = modeAddPath
	}
	if f.AFI == wire.AFIIPv6 {
		m |= modeV6
	}
	return Iterator{b: b, mode: m}
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
	if it.mode == 0 && off < len(b) { // IPv4, no path identifier
		bits := b[off]
		end := off + 1 + (int(bits)+7)>>3
		if bits <= 32 && end <= len(b) {
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
	n := (int(bits) + 7) / 8
	if len(b)-off < n {
		return it.fail("nlri: prefix truncated")
	}
	it.bits, it.off = bits, off+n
	return true
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

// Raw returns the whole current entry, path identifier included (a view).
func (it *Iterator) Raw() []byte {
	if it.off == 0 { // before the first entry
		return it.b[:0]
	}
	start := it.off - it.octets() - 1
	if it.mode&modeAddPath != 0 {
		start -= 4
	}
	return it.b[start:it.off]
}

// Prefix returns the current prefix. Host bits beyond the length are kept
// as sent (call Masked() on the result to clear them). It does not allocate.
func (it *Iterator) Prefix() netip.Prefix {
	if it.mode&modeV6 != 0 {
		return it.prefix6()
	}
	off, b := it.off, it.b
	var a uint32
	if off >= 4 && off <= len(b) {
		// The 4 octets that end the entry, shifted so that the prefix
		// octets come first (a shift by 32 leaves 0 for a /0).
		a = binary.BigEndian.Uint32(b[off-4:off]) << (32 - 8*uint(it.octets()))
	} else {
		a = it.prefix4Short()
	}
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}), int(it.bits))
}

// prefix4Short reads an IPv4 prefix that starts the NLRI (too close to
// the start for Prefix's 4-octet read).
func (it *Iterator) prefix4Short() uint32 {
	var a [4]byte
	copy(a[:], it.Bytes())
	return binary.BigEndian.Uint32(a[:])
}

// prefix6 is Prefix for IPv6: the prefix octets are moved with at most
// four fixed-size loads (16, 8, 4, 2 and 1 octets, as n's bits say).
func (it *Iterator) prefix6() netip.Prefix {
	p := it.Bytes()
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
	return netip.PrefixFrom(netip.AddrFrom16(a), int(it.bits))
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
