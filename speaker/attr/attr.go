package attr

import (
	"encoding/binary"
	"strconv"

	"github.com/ze-bgp/ze/speaker/wire"
)

// Code is a path attribute type code (IANA "BGP Path Attributes").
type Code uint8

// Attribute type codes.
const (
	CodeOrigin             Code = 1
	CodeASPath             Code = 2
	CodeNextHop            Code = 3
	CodeMED                Code = 4
	CodeLocalPref          Code = 5
	CodeAtomicAggregate    Code = 6
	CodeAggregator         Code = 7
	CodeCommunities        Code = 8
	CodeOriginatorID       Code = 9
	CodeClusterList        Code = 10
	CodeMPReach            Code = 14
	CodeMPUnreach          Code = 15
	CodeExtCommunities     Code = 16
	CodeAS4Path            Code = 17
	CodeAS4Aggregator      Code = 18
	CodePMSITunnel         Code = 22
	CodeIPv6ExtCommunities Code = 25
	CodeAIGP               Code = 26
	CodeBGPLS              Code = 29
	CodeLargeCommunities   Code = 32
	CodeOTC                Code = 35
	CodePrefixSID          Code = 40
)

var codeNames = map[Code]string{
	CodeOrigin: "origin", CodeASPath: "as-path", CodeNextHop: "next-hop", CodeMED: "med",
	CodeLocalPref: "local-preference", CodeAtomicAggregate: "atomic-aggregate", CodeAggregator: "aggregator",
	CodeCommunities: "community", CodeOriginatorID: "originator-id", CodeClusterList: "cluster-list",
	CodeMPReach: "mp-reach-nlri", CodeMPUnreach: "mp-unreach-nlri", CodeExtCommunities: "extended-community",
	CodeAS4Path: "as4-path", CodeAS4Aggregator: "as4-aggregator", CodePMSITunnel: "pmsi-tunnel",
	CodeIPv6ExtCommunities: "ipv6-extended-community", CodeAIGP: "aigp", CodeBGPLS: "bgp-ls",
	CodeLargeCommunities: "large-community", CodeOTC: "otc", CodePrefixSID: "prefix-sid",
}

// String returns the attribute's kebab-case name ("as-path") or "attribute-N".
func (c Code) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return "attribute-" + strconv.Itoa(int(c))
}

// Flags is the attribute flags octet (RFC 4271 §4.3).
type Flags uint8

// Attribute flag bits.
const (
	FlagOptional       Flags = 0x80
	FlagTransitive     Flags = 0x40
	FlagPartial        Flags = 0x20
	FlagExtendedLength Flags = 0x10
)

// Iterator walks a path attribute list in place:
//
//	+----------+----------+----------------------+-----------+
//	| Flags(1) | Code(1)  | Length (1, or 2 with | Value     |
//	|          |          | Extended Length)     |           |
//	+----------+----------+----------------------+-----------+
//
// Next returns false at the end of the list or at the first attribute
// whose length runs past the list; Err then returns an *wire.Error
// (UPDATE Message Error / Attribute Length Error or Malformed Attribute
// List, marked session reset; RFC 7606 §4 makes a list that breaks off
// treat-as-withdraw when the NLRI can be found, which message.Check
// decides). Whole gives the part before the break.
// Value and Raw are views into the list.
type Iterator struct {
	rest []byte      // the attributes after the current one; from the failing one when the walk stopped early
	raw  []byte      // the current attribute, header included
	err  *wire.Error // built by Err
}

// NewIterator returns an iterator over the attribute list b.
func NewIterator(b []byte) Iterator { return Iterator{rest: b} }

// Next advances to the next attribute. It makes no call, so that it is
// inlined into the caller's loop: a malformed attribute stays at the
// start of what is left (later calls stop on it again), and Err builds
// the error.
//
// A walk is a chain of header reads, each at the end of the previous
// attribute, so its latency is the walk's: the length octets are read
// at fixed offsets (2, and 2-3 with FlagExtendedLength) chosen by a
// branch, not at an offset computed from the flags octet, which would
// put a second dependent load on the chain.
func (it *Iterator) Next() bool {
	r := it.rest
	if len(r) >= 3 {
		n := 3 + int(r[2])
		if r[0]&byte(FlagExtendedLength) != 0 {
			n = len(r) + 1 // a truncated header fails below
			if len(r) >= 4 {
				n = 4 + int(binary.BigEndian.Uint16(r[2:]))
			}
		}
		if n <= len(r) {
			it.raw, it.rest = r[:n], r[n:]
			return true
		}
	}
	return false
}

// Err returns the error that stopped the walk, or nil at end of list.
func (it *Iterator) Err() error {
	if len(it.rest) == 0 {
		return nil
	}
	return it.failure()
}

// failure returns (and keeps) the *wire.Error for the malformed
// attribute that starts it.rest (see listError). It returns nil while
// the walk has not reached a malformed attribute (Err called before
// Next returned false). Out of line, so that Err inlines.
//
//go:noinline
func (it *Iterator) failure() error {
	if it.err == nil {
		it.err = listError(it.rest)
		if it.err == nil {
			return nil
		}
	}
	return it.err
}

// listError returns the *wire.Error for the attribute that starts r
// when it is malformed, nil when it is well-formed (or r is empty):
// UPDATE Message Error / Malformed Attribute List for a truncated
// header, Attribute Length Error for a value that runs past the list.
func listError(r []byte) *wire.Error {
	h := 3
	if len(r) >= 1 && Flags(r[0])&FlagExtendedLength != 0 {
		h = 4
	}
	switch {
	case len(r) == 0:
		return nil
	case len(r) < h:
		return wire.Errorf(wire.CodeUpdate, wire.SubMalformedAttributeList, nil, "attr: attribute header truncated")
	case h == 3 && 3+int(r[2]) > len(r), h == 4 && 4+int(binary.BigEndian.Uint16(r[2:])) > len(r):
		return wire.Errorf(wire.CodeUpdate, wire.SubAttributeLengthError, nil, "attr: %s length runs past the attribute list", Code(r[1]))
	}
	return nil
}

// Cut splits the first attribute off the attribute list b: its code,
// flags and value (a view), and the attributes after it. ok is false
// when b is empty or its first attribute is malformed (CutError tells
// which). It is the Iterator's walk with the state in the caller's
// variables, which the compiler keeps in registers (an Iterator lives
// in memory: its methods take its address):
//
//	for rest := list; len(rest) != 0; {
//		c, f, v, r, ok := attr.Cut(rest)
//		if !ok {
//			return attr.CutError(rest)
//		}
//		rest = r
//		…
//	}
//
// It inlines: keep it within the compiler's budget (go build
// -gcflags=-m shows its cost).
func Cut(b []byte) (c Code, f Flags, v, rest []byte, ok bool) {
	if len(b) >= 3 {
		h, n := 3, int(b[2])
		if b[0]&byte(FlagExtendedLength) != 0 {
			if len(b) < 4 {
				return 0, 0, nil, b, false
			}
			h, n = 4, int(binary.BigEndian.Uint16(b[2:]))
		}
		if e := h + n; e <= len(b) {
			return Code(b[1]), Flags(b[0]), b[h:e], b[e:], true
		}
	}
	return 0, 0, nil, b, false
}

// CutAt is Cut on offsets: it reads the attribute whose header starts
// at b[off] in the attribute list that ends at len(b) (an UPDATE cut at
// its NLRI field, from the offsets message.UpdateOffsets gives), and
// returns its code, its flags, the offsets of its value, b[start:end],
// and so the offset of the next attribute, end. ok is false at the end
// of b (off ≥ len(b)) and for a malformed attribute, whose error
// CutError(b[off:]) gives; off must not be negative. A walk on offsets
// is faster than one on slices: the next header's address is off plus
// a length, where a re-sliced list's pointer takes a few more
// instructions (masked so as never to point past the end), all on the
// chain of dependent loads that a walk is:
//
//	for off := start; off < len(b); {
//		c, f, vs, ve, ok := attr.CutAt(b, off)
//		if !ok {
//			return attr.CutError(b[off:])
//		}
//		off = ve
//		v := b[vs:ve]
//		…
//	}
//
// It inlines: keep it within the compiler's budget (go build
// -gcflags=-m shows its cost; interop/bench's TestInlined checks it).
func CutAt(b []byte, off int) (c Code, f Flags, start, end int, ok bool) {
	if off+3 <= len(b) {
		start, end = off+3, int(b[off+2])
		if b[off]&byte(FlagExtendedLength) != 0 {
			// A truncated header leaves start past len(b): it fails below.
			if start++; start <= len(b) {
				end = int(binary.BigEndian.Uint16(b[off+2:]))
			}
		}
		if end += start; end <= len(b) {
			return Code(b[off+1]), Flags(b[off]), start, end, true
		}
	}
	return 0, 0, off, off, false
}

// Whole returns the longest start of the attribute list b made of
// whole attributes: b itself when every header and value fits, else b
// up to the attribute whose header is cut short or whose length runs
// past the end (RFC 7606 §4: what precedes the break is still read when
// the UPDATE is treated as withdraw).
func Whole(b []byte) []byte {
	off := 0
	for off < len(b) {
		_, _, _, end, ok := CutAt(b, off)
		if !ok {
			break
		}
		off = end
	}
	return b[:off]
}

// CutError returns the error for the attribute list b on which Cut
// returned ok false: the *wire.Error the Iterator's Err would give (see
// Iterator), or nil when b is empty or starts with a well-formed
// attribute.
func CutError(b []byte) error {
	if err := listError(b); err != nil {
		return err
	}
	return nil
}

// Flags returns the current attribute's flags (0 before the first).
func (it *Iterator) Flags() Flags {
	if len(it.raw) < 3 {
		return 0
	}
	return Flags(it.raw[0])
}

// Code returns the current attribute's type code (0 before the first).
func (it *Iterator) Code() Code {
	if len(it.raw) < 3 {
		return 0
	}
	return Code(it.raw[1])
}

// Value returns the current attribute's value (a view; empty before
// the first).
func (it *Iterator) Value() []byte {
	r := it.raw
	if len(r) < 3 {
		return r
	}
	return r[3+int(r[0]>>4&1):]
}

// Raw returns the current attribute, header included (a view; empty
// before the first).
func (it *Iterator) Raw() []byte { return it.raw }

// Find returns the value of the first attribute with code c in list b.
func Find(b []byte, c Code) (v []byte, ok bool) {
	it := NewIterator(b)
	for it.Next() {
		if it.Code() == c {
			return it.Value(), true
		}
	}
	return nil, false
}

// AppendHeader appends an attribute header for a value of n octets,
// choosing the extended-length form when n > 255 (or when flags ask for it).
func AppendHeader(dst []byte, flags Flags, c Code, n int) []byte {
	if n > 255 || flags&FlagExtendedLength != 0 {
		return append(dst, byte(flags|FlagExtendedLength), byte(c), byte(n>>8), byte(n))
	}
	return append(dst, byte(flags), byte(c), byte(n))
}

// AppendRaw appends an attribute with the given flags, code and value bytes.
func AppendRaw(dst []byte, flags Flags, c Code, v []byte) []byte {
	dst = AppendHeader(dst, flags, c, len(v))
	return append(dst, v...)
}
