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
	b     []byte      // the path; cut at the failing segment when err is set
	off   int         // end of the current segment, start of the next
	start int         // first ASN of the current segment
	n     int         // ASNs in the current segment
	err   *wire.Error // nil at end of path
	typ   SegmentType
	asn4  bool
}

// NewASPathIterator returns an iterator over the AS_PATH value v.
func NewASPathIterator(v []byte, asn4 bool) ASPathIterator {
	return ASPathIterator{b: v, asn4: asn4}
}

// Next advances to the next segment. The end-of-path test is inlined
// into the caller; the segment itself is read by next.
func (it *ASPathIterator) Next() bool {
	if it.off >= len(it.b) {
		return false
	}
	return it.next()
}

// next reads one segment header and checks it.
func (it *ASPathIterator) next() bool {
	b, off := it.b, it.off
	if len(b)-off < 2 {
		return it.fail("attr: as-path segment header truncated")
	}
	t := SegmentType(b[off])
	n := int(b[off+1])
	if t < ASSet || t > ConfedSet {
		return it.fail("attr: as-path segment type " + itoa(uint64(t)) + " is invalid")
	}
	if n == 0 {
		return it.fail("attr: as-path segment is empty")
	}
	size := n * 2
	if it.asn4 {
		size = n * 4
	}
	if len(b)-off-2 < size {
		return it.fail("attr: as-path segment overruns the attribute")
	}
	it.typ, it.n, it.start = t, n, off+2
	it.off = off + 2 + size
	return true
}

// fail records the error and cuts b at the failing segment, so that
// Next stops with one length test.
func (it *ASPathIterator) fail(msg string) bool {
	it.err = wire.Errorf(wire.CodeUpdate, wire.SubMalformedASPath, nil, "%s", msg).WithAction(wire.ActionTreatAsWithdraw)
	it.b = it.b[:it.off]
	return false
}

// Err returns the error that stopped the walk, or nil.
func (it *ASPathIterator) Err() error {
	if it.err == nil {
		return nil
	}
	return it.err
}

// Type returns the current segment's type.
func (it *ASPathIterator) Type() SegmentType { return it.typ }

// Len returns the number of ASNs in the current segment.
func (it *ASPathIterator) Len() int { return it.n }

// ASN returns the i-th ASN of the current segment.
func (it *ASPathIterator) ASN(i int) uint32 {
	if it.asn4 {
		return binary.BigEndian.Uint32(it.b[it.start+4*i:])
	}
	return uint32(binary.BigEndian.Uint16(it.b[it.start+2*i:]))
}

// Segment is one AS_PATH segment held in memory (for building and merging
// paths; the walk itself uses ASPathIterator).
type Segment struct {
	Type SegmentType
	ASNs []uint32
}

// ASTrans is the 2-octet stand-in for a 4-octet ASN (RFC 6793 §9).
const ASTrans = 23456
