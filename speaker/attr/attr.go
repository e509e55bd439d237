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
// (UPDATE Message Error / Attribute Length Error, session reset: RFC 7606
// §4 says an attribute list that cannot be parsed means session reset
// unless the caller can apply treat-as-withdraw, which it decides).
// Value and Raw are views into the list.
type Iterator struct {
	b      []byte      // the list; cut at the failing attribute when err is set
	off    int         // end of the current attribute, start of the next
	vstart int         // start of the current value
	err    *wire.Error // nil at end of list
	flags  Flags
	code   Code
}

// NewIterator returns an iterator over the attribute list b.
func NewIterator(b []byte) Iterator { return Iterator{b: b} }

// Next advances to the next attribute. The end-of-list test is inlined
// into the caller; the attribute itself is read by next.
func (it *Iterator) Next() bool {
	if it.off >= len(it.b) {
		return false
	}
	return it.next()
}

// next reads one attribute header and checks its length.
func (it *Iterator) next() bool {
	b, off := it.b, it.off
	if len(b)-off < 3 {
		return it.fail(wire.SubMalformedAttributeList, "attr: attribute header truncated")
	}
	flags := Flags(b[off])
	n, h := int(b[off+2]), 3
	if flags&FlagExtendedLength != 0 {
		if len(b)-off < 4 {
			return it.fail(wire.SubMalformedAttributeList, "attr: attribute header truncated")
		}
		n, h = int(binary.BigEndian.Uint16(b[off+2:])), 4
	}
	if len(b)-off-h < n {
		it.code = Code(b[off+1])
		return it.fail(wire.SubAttributeLengthError, "attr: "+it.code.String()+" length runs past the attribute list")
	}
	it.vstart, it.flags, it.code = off+h, flags, Code(b[off+1])
	it.off = off + h + n
	return true
}

// fail records the error and cuts b at the failing attribute, so that
// Next stops with one length test.
func (it *Iterator) fail(sub uint8, msg string) bool {
	it.err = wire.Errorf(wire.CodeUpdate, sub, nil, "%s", msg)
	it.b = it.b[:it.off]
	return false
}

// Err returns the error that stopped the walk, or nil at end of list.
func (it *Iterator) Err() error {
	if it.err == nil {
		return nil
	}
	return it.err
}

// Flags returns the current attribute's flags.
func (it *Iterator) Flags() Flags { return it.flags }

// Code returns the current attribute's type code.
func (it *Iterator) Code() Code { return it.code }

// Value returns the current attribute's value (a view).
func (it *Iterator) Value() []byte { return it.b[it.vstart:it.off] }

// Raw returns the current attribute, header included (a view).
func (it *Iterator) Raw() []byte {
	if it.off == 0 { // before the first attribute
		return it.b[:0]
	}
	start := it.vstart - 3
	if it.flags&FlagExtendedLength != 0 {
		start--
	}
	return it.b[start:it.off]
}

// Find returns the value of the first attribute with code c in list b.
func Find(b []byte, c Code) (v []byte, ok bool) {
	it := NewIterator(b)
	for it.Next() {
		if it.code == c {
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
