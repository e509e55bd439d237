package attr

import (
	"encoding/binary"

	"github.com/ze-bgp/ze/speaker/wire"
)

// SegmentType is an AS_PATH segment type (RFC 4271 §4.3, RFC 5065 §3).
type SegmentType uint8

// Segment types.
const (
	ASSet          SegmentType = 1
	ASSequence     SegmentType = 2
	ConfedSequence SegmentType = 3
	ConfedSet      SegmentType = 4
)

// String returns "as-set", "as-sequence", "confed-sequence", "confed-set"
// or "segment-N".
func (t SegmentType) String() string {
	switch t {
	case ASSet:
		return "as-set"
	case ASSequence:
		return "as-sequence"
	case ConfedSequence:
		return "confed-sequence"
	case ConfedSet:
		return "confed-set"
	}
	return "segment-" + itoa(uint64(t))
}

// ASPathIterator walks AS_PATH (or AS4_PATH) segments in place:
//
//	+--------------+----------------+-------------------------------+
//	| Type (1)     | Count (1, ASNs)| ASNs (Count × 2 or 4 octets)  |
//	+--------------+----------------+-------------------------------+
//
// asn4 selects 4-octet ASNs (RFC 6793; always true for AS4_PATH). A
// malformed path stops the walk with an *wire.Error (UPDATE Message Error
// / Malformed AS_PATH, treat-as-withdraw per RFC 7606 §7.2).
type ASPathIterator struct {
	b     []byte
	off   int
	size  int
	typ   SegmentType
	start int
	n     int
	err   error
}

// NewASPathIterator returns an iterator over the AS_PATH value v.
func NewASPathIterator(v []byte, asn4 bool) ASPathIterator {
	s := 2
	if asn4 {
		s = 4
	}
	return ASPathIterator{b: v, size: s}
}

// Next advances to the next segment.
func (it *ASPathIterator) Next() bool {
	if it.err != nil || it.off >= len(it.b) {
		return false
	}
	if len(it.b)-it.off < 2 {
		return it.fail("attr: as-path segment header truncated")
	}
	t := SegmentType(it.b[it.off])
	n := int(it.b[it.off+1])
	if t < ASSet || t > ConfedSet {
		return it.fail("attr: as-path segment type " + itoa(uint64(t)) + " is invalid")
	}
	if n == 0 {
		return it.fail("attr: as-path segment is empty")
	}
	if len(it.b)-it.off-2 < n*it.size {
		return it.fail("attr: as-path segment overruns the attribute")
	}
	it.typ, it.n, it.start = t, n, it.off+2
	it.off += 2 + n*it.size
	return true
}

func (it *ASPathIterator) fail(msg string) bool {
	it.err = wire.Errorf(wire.CodeUpdate, wire.SubMalformedASPath, nil, "%s", msg).WithAction(wire.ActionTreatAsWithdraw)
	return false
}

// Err returns the error that stopped the walk, or nil.
func (it *ASPathIterator) Err() error { return it.err }

// Type returns the current segment's type.
func (it *ASPathIterator) Type() SegmentType { return it.typ }

// Len returns the number of ASNs in the current segment.
func (it *ASPathIterator) Len() int { return it.n }

// ASN returns the i-th ASN of the current segment.
func (it *ASPathIterator) ASN(i int) uint32 {
	p := it.start + i*it.size
	if it.size == 2 {
		return uint32(binary.BigEndian.Uint16(it.b[p:]))
	}
	return binary.BigEndian.Uint32(it.b[p:])
}

// Segment is one AS_PATH segment held in memory (for building and merging
// paths; the walk itself uses ASPathIterator).
type Segment struct {
	Type SegmentType
	ASNs []uint32
}

// ASTrans is the 2-octet stand-in for a 4-octet ASN (RFC 6793 §9).
const ASTrans = 23456
