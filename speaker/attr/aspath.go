package attr

import (
	"encoding/binary"
	"iter"

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
	rest []byte      // the segments after the current one; from the failing one when the walk stopped early
	seg  []byte      // the current segment, header included
	err  *wire.Error // built by Err
	w    uint8       // log2 of the ASN width: 1 (2 octets) or 2 (4 octets)
}

// NewASPathIterator returns an iterator over the AS_PATH value v.
func NewASPathIterator(v []byte, asn4 bool) ASPathIterator {
	// A single return, built in place by the inlined call (see
	// nlri.NewIterator).
	return ASPathIterator{rest: v, w: 1 + bit(asn4)}
}

// bit is 1 for true, 0 for false.
func bit(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// Next advances to the next segment. It makes no call, so that it is
// inlined into the caller's loop: a malformed segment stays at the
// start of what is left, and Err builds the error.
func (it *ASPathIterator) Next() bool {
	r := it.rest
	if len(r) >= 2 && r[0]-byte(ASSet) <= byte(ConfedSet-ASSet) && r[1] != 0 {
		if n := 2 + int(r[1])<<it.w; n <= len(r) {
			it.seg, it.rest = r[:n], r[n:]
			return true
		}
	}
	return false
}

// Err returns the error that stopped the walk, or nil.
func (it *ASPathIterator) Err() error {
	if len(it.rest) == 0 {
		return nil
	}
	return it.failure()
}

// failure returns (and keeps) the *wire.Error for the malformed segment
// that starts it.rest (see segmentError), or nil while the walk has not
// reached one. Out of line, so that Err inlines.
//
//go:noinline
func (it *ASPathIterator) failure() error {
	if it.err == nil {
		it.err = segmentError(it.rest, it.w)
		if it.err == nil {
			return nil
		}
	}
	return it.err
}

// segmentError returns the *wire.Error for the segment that starts r
// when it is malformed (UPDATE Message Error / Malformed AS_PATH,
// treat-as-withdraw), nil when it is well-formed or r is empty. w is
// log2 of the ASN width.
func segmentError(r []byte, w uint8) *wire.Error {
	var msg string
	switch {
	case len(r) == 0:
		return nil
	case len(r) < 2:
		msg = "attr: as-path segment header truncated"
	case SegmentType(r[0]) < ASSet || SegmentType(r[0]) > ConfedSet:
		msg = "attr: as-path segment type " + itoa(uint64(r[0])) + " is invalid"
	case r[1] == 0:
		msg = "attr: as-path segment is empty"
	case 2+int(r[1])<<w > len(r):
		msg = "attr: as-path segment overruns the attribute"
	default:
		return nil
	}
	return wire.Errorf(wire.CodeUpdate, wire.SubMalformedASPath, nil, "%s", msg).WithAction(wire.ActionTreatAsWithdraw)
}

// CutSegment splits the first segment off the AS_PATH (or AS4_PATH)
// value v: its type and ASNs, and the segments after it; asn4 selects
// 4-octet ASNs (always true for AS4_PATH). ok is false when v is empty or
// its first segment is malformed (CutSegmentError tells which). It is
// ASPathIterator's walk with the state in the caller's variables, which
// the compiler keeps in registers:
//
//	for rest := v; len(rest) != 0; {
//		t, asns, r, ok := attr.CutSegment(rest, asn4)
//		if !ok {
//			return attr.CutSegmentError(rest, asn4)
//		}
//		rest = r
//		…
//	}
func CutSegment(v []byte, asn4 bool) (t SegmentType, asns ASNs, rest []byte, ok bool) {
	w := 1 + bit(asn4)
	if len(v) >= 2 && v[0]-byte(ASSet) <= byte(ConfedSet-ASSet) && v[1] != 0 {
		if n := 2 + int(v[1])<<w; n <= len(v) {
			return SegmentType(v[0]), ASNs{b: v[2:n], w: w}, v[n:], true
		}
	}
	return 0, ASNs{w: w}, v, false
}

// CutSegmentError returns the error for the AS_PATH value v on which
// CutSegment returned ok false (the *wire.Error ASPathIterator's Err
// would give), or nil when v is empty or starts with a well-formed
// segment.
func CutSegmentError(v []byte, asn4 bool) error {
	if err := segmentError(v, 1+bit(asn4)); err != nil {
		return err
	}
	return nil
}

// Type returns the current segment's type (0 before the first).
func (it *ASPathIterator) Type() SegmentType {
	if len(it.seg) < 2 {
		return 0
	}
	return SegmentType(it.seg[0])
}

// Len returns the number of ASNs in the current segment.
func (it *ASPathIterator) Len() int {
	if len(it.seg) < 2 {
		return 0
	}
	return int(it.seg[1])
}

// ASN returns the i-th ASN of the current segment.
func (it *ASPathIterator) ASN(i int) uint32 {
	if it.w == 2 {
		return binary.BigEndian.Uint32(it.seg[2+4*i:])
	}
	return uint32(binary.BigEndian.Uint16(it.seg[2+2*i:]))
}

// ASNs returns the current segment's ASNs as a list view (empty before
// the first segment).
func (it *ASPathIterator) ASNs() ASNs {
	if len(it.seg) < 2 {
		return ASNs{w: it.w}
	}
	return ASNs{b: it.seg[2:], w: it.w}
}

// ASNs is the ASN list of one AS_PATH segment, in place: 2- or 4-octet
// ASNs (RFC 4271 §4.3, RFC 6793). It is a small value (a view and the
// width) that the compiler keeps in registers, so a loop over At reads
// the ASNs with no memory traffic of its own.
type ASNs struct {
	b []byte // the ASNs, Len()<<w octets
	w uint8  // log2 of the ASN width: 1 (2 octets) or 2 (4 octets)
}

// Len returns the number of ASNs.
func (a ASNs) Len() int { return len(a.b) >> a.w }

// At returns ASN i (0 ≤ i < Len()).
func (a ASNs) At(i int) uint32 {
	if a.w == 2 {
		return binary.BigEndian.Uint32(a.b[4*i:])
	}
	return uint32(binary.BigEndian.Uint16(a.b[2*i:]))
}

// All yields the ASNs in order. The loop it runs is specialised for the
// width, so a range over it compiles to a plain loop over the octets.
func (a ASNs) All() iter.Seq[uint32] {
	return func(yield func(uint32) bool) {
		// Indexed, not resliced: a[i:] would cost each ASN a masked
		// pointer and a second bounds check.
		b := a.b
		if a.w == 2 {
			for i := 0; i < len(b)-3; i += 4 {
				if !yield(binary.BigEndian.Uint32(b[i : i+4])) {
					return
				}
			}
			return
		}
		for i := 0; i < len(b)-1; i += 2 {
			if !yield(uint32(binary.BigEndian.Uint16(b[i : i+2]))) {
				return
			}
		}
	}
}

// Segment is one AS_PATH segment held in memory (for building and merging
// paths; the walk itself uses ASPathIterator).
type Segment struct {
	Type SegmentType
	ASNs []uint32
}

// ASTrans is the 2-octet stand-in for a 4-octet ASN (RFC 6793 §9).
const ASTrans = 23456
