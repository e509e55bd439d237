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
	b       []byte
	off     int
	addPath bool
	v6      bool
	err     error

	pathID uint32
	bits   uint8
	start  int // offset of the current entry
	pstart int // offset of the current prefix octets
	plen   int // number of prefix octets
}

// NewIterator returns an iterator over b, the NLRI of family f (which
// must satisfy f.IsIP(): IPv4 or IPv6 unicast/multicast); addPath says
// whether each entry starts with a path identifier.
func NewIterator(b []byte, f wire.Family, addPath bool) Iterator {
	return Iterator{b: b, addPath: addPath, v6: f.AFI == wire.AFIIPv6}
}

// Next advances to the next prefix.
func (it *Iterator) Next() bool {
	if it.err != nil || it.off >= len(it.b) {
		return false
	}
	b, off := it.b, it.off
	it.start = off
	if it.addPath {
		if len(b)-off < 5 {
			return it.fail("nlri: path identifier truncated")
		}
		it.pathID = binary.BigEndian.Uint32(b[off:])
		off += 4
	}
	bits := b[off]
	off++
	max := uint8(32)
	if it.v6 {
		max = 128
	}
	if bits > max {
		return it.fail("nlri: prefix length exceeds family maximum")
	}
	n := (int(bits) + 7) / 8
	if len(b)-off < n {
		return it.fail("nlri: prefix truncated")
	}
	it.bits, it.pstart, it.plen = bits, off, n
	it.off = off + n
	return true
}

func (it *Iterator) fail(msg string) bool {
	it.err = wire.Errorf(wire.CodeUpdate, wire.SubInvalidNetworkField, nil, "%s", msg)
	return false
}

// Err returns the error that stopped the iteration, or nil at end of data.
func (it *Iterator) Err() error { return it.err }

// PathID returns the current path identifier (0 without ADD-PATH).
func (it *Iterator) PathID() uint32 { return it.pathID }

// Bits returns the current prefix length in bits.
func (it *Iterator) Bits() int { return int(it.bits) }

// Bytes returns the current prefix's significant octets (a view).
func (it *Iterator) Bytes() []byte { return it.b[it.pstart : it.pstart+it.plen] }

// Raw returns the whole current entry, path identifier included (a view).
func (it *Iterator) Raw() []byte { return it.b[it.start:it.off] }

// Prefix returns the current prefix. Host bits beyond the length are kept
// as sent (call Masked() on the result to clear them). It does not allocate.
func (it *Iterator) Prefix() netip.Prefix {
	p := it.b[it.pstart : it.pstart+it.plen]
	if it.v6 {
		var a [16]byte
		copy(a[:], p)
		return netip.PrefixFrom(netip.AddrFrom16(a), int(it.bits))
	}
	var a [4]byte
	copy(a[:], p)
	return netip.PrefixFrom(netip.AddrFrom4(a), int(it.bits))
}

// Count returns how many entries b holds, or the error that stops the walk.
func Count(b []byte, f wire.Family, addPath bool) (int, error) {
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
