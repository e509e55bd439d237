package attr

import (
	"encoding/binary"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/wire"
)

// BGP Prefix-SID TLV types (RFC 8669 §3, RFC 9252 §2).
const (
	PrefixSIDLabelIndex     = 1
	PrefixSIDOriginatorSRGB = 3
	PrefixSIDSRv6L3Service  = 5
	PrefixSIDSRv6L2Service  = 6
)

// SRv6 service sub-TLV and sub-sub-TLV types (RFC 9252 §3.1, §3.2.1).
const (
	SRv6SIDInformation = 1 // sub-TLV of an SRv6 service TLV
	SRv6SIDStructure   = 1 // sub-sub-TLV of the SID Information sub-TLV
)

// PrefixSIDIterator walks the TLVs of a BGP Prefix-SID value (RFC 8669
// §3); the same layout is used by the SRv6 service sub-TLVs and
// sub-sub-TLVs (RFC 9252 §3), so it walks those too:
//
//	+----------+--------------------+----------------------+
//	| Type (1) | Length (2, value)  | Value (Length)       |
//	+----------+--------------------+----------------------+
//
// A TLV that runs past the data stops the walk with an *wire.Error
// (Optional Attribute Error, attribute-discard: RFC 8669 §6). Unknown
// types are returned like known ones; Value aliases the input.
type PrefixSIDIterator struct {
	b   []byte
	off int
	typ uint8
	val []byte
	err error
}

// NewPrefixSIDIterator returns an iterator over the TLVs in v.
func NewPrefixSIDIterator(v []byte) PrefixSIDIterator { return PrefixSIDIterator{b: v} }

// Next advances to the next TLV.
func (it *PrefixSIDIterator) Next() bool {
	if it.err != nil || it.off >= len(it.b) {
		return false
	}
	if len(it.b)-it.off < 3 {
		it.err = prefixSIDError("tlv header truncated")
		return false
	}
	l := int(binary.BigEndian.Uint16(it.b[it.off+1:]))
	if len(it.b)-it.off-3 < l {
		it.err = prefixSIDError("tlv type " + itoa(uint64(it.b[it.off])) + " runs past the attribute")
		return false
	}
	it.typ = it.b[it.off]
	it.val = it.b[it.off+3 : it.off+3+l : it.off+3+l]
	it.off += 3 + l
	return true
}

// Type returns the current TLV's type.
func (it *PrefixSIDIterator) Type() uint8 { return it.typ }

// Value returns the current TLV's value (a view).
func (it *PrefixSIDIterator) Value() []byte { return it.val }

// Err returns the error that stopped the walk, or nil.
func (it *PrefixSIDIterator) Err() error { return it.err }

func prefixSIDError(msg string) *wire.Error {
	return wire.Errorf(wire.CodeUpdate, wire.SubOptionalAttributeError, nil, "attr: prefix-sid %s", msg).WithAction(wire.ActionAttributeDiscard)
}

// ParseLabelIndex reads a Label-Index TLV value (RFC 8669 §3.1): exactly
// 7 octets, Reserved (1), Flags (2), Label Index (4).
func ParseLabelIndex(v []byte) (uint32, error) {
	if len(v) != 7 {
		return 0, prefixSIDError("label-index tlv length " + itoa(uint64(len(v))) + " is not 7")
	}
	return binary.BigEndian.Uint32(v[3:]), nil
}

// SRGB is one Segment Routing Global Block: the first label and the
// number of labels.
type SRGB struct {
	Base, Range uint32
}

// SRGBs is the list part of an Originator SRGB TLV; it aliases the input.
type SRGBs []byte

// Len returns the number of SRGBs.
func (s SRGBs) Len() int { return len(s) / 6 }

// At returns SRGB i.
func (s SRGBs) At(i int) SRGB {
	b := s[i*6:]
	return SRGB{
		Base:  uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]),
		Range: uint32(b[3])<<16 | uint32(b[4])<<8 | uint32(b[5]),
	}
}

// ParseOriginatorSRGB reads an Originator SRGB TLV value (RFC 8669 §3.2):
//
//	+----------------+--------------------------------------+
//	| Flags (2)      | SRGB 1: Base (3), Range (3) | SRGB 2 …|
//	+----------------+--------------------------------------+
//
// At least one SRGB; the length must be 2 + 6n.
func ParseOriginatorSRGB(v []byte) (flags uint16, srgbs SRGBs, err error) {
	if len(v) < 8 || (len(v)-2)%6 != 0 {
		return 0, nil, prefixSIDError("originator-srgb tlv length " + itoa(uint64(len(v))) + " is not 2+6n")
	}
	return binary.BigEndian.Uint16(v), SRGBs(v[2:]), nil
}

// SRv6ServiceSubTLVs returns an iterator over the sub-TLVs of an SRv6 L3
// or L2 Service TLV value (RFC 9252 §2): a Reserved octet, then sub-TLVs.
func SRv6ServiceSubTLVs(v []byte) (PrefixSIDIterator, error) {
	if len(v) < 1 {
		return PrefixSIDIterator{}, prefixSIDError("srv6 service tlv is empty")
	}
	return NewPrefixSIDIterator(v[1:]), nil
}

// SRv6SIDInfo is an SRv6 SID Information sub-TLV (RFC 9252 §3.1):
//
//	+--------------+-----------------+-----------+---------------+
//	| Reserved1(1) | SRv6 SID (16)   | Flags (1) | Endpoint      |
//	|              |                 |           | Behavior (2)  |
//	+--------------+-----------------+-----------+---------------+
//	| Reserved2(1) | Sub-Sub-TLVs (variable)                     |
//	+--------------+---------------------------------------------+
//
// SubSubTLVs aliases the input; walk it with NewPrefixSIDIterator.
type SRv6SIDInfo struct {
	SID        netip.Addr
	Flags      uint8
	Behavior   uint16
	SubSubTLVs []byte
}

// ParseSRv6SIDInfo reads an SRv6 SID Information sub-TLV value (at least
// 21 octets).
func ParseSRv6SIDInfo(v []byte) (SRv6SIDInfo, error) {
	if len(v) < 21 {
		return SRv6SIDInfo{}, prefixSIDError("srv6 sid information sub-tlv shorter than 21 octets")
	}
	return SRv6SIDInfo{
		SID:        netip.AddrFrom16([16]byte(v[1:17])),
		Flags:      v[17],
		Behavior:   binary.BigEndian.Uint16(v[18:]),
		SubSubTLVs: v[21:],
	}, nil
}

// Structure returns the SID Structure sub-sub-TLV, if present.
func (s SRv6SIDInfo) Structure() (SRv6Structure, bool, error) {
	it := NewPrefixSIDIterator(s.SubSubTLVs)
	for it.Next() {
		if it.Type() == SRv6SIDStructure {
			st, err := ParseSRv6Structure(it.Value())
			return st, err == nil, err
		}
	}
	return SRv6Structure{}, false, it.Err()
}

// SRv6Structure is the SRv6 SID Structure sub-sub-TLV (RFC 9252 §3.2.1),
// six one-octet fields, lengths in bits.
type SRv6Structure struct {
	LocatorBlockLen, LocatorNodeLen, FunctionLen, ArgumentLen uint8
	TranspositionLen, TranspositionOffset                     uint8
}

// ParseSRv6Structure reads a SID Structure value: exactly 6 octets.
func ParseSRv6Structure(v []byte) (SRv6Structure, error) {
	if len(v) != 6 {
		return SRv6Structure{}, prefixSIDError("srv6 sid structure length " + itoa(uint64(len(v))) + " is not 6")
	}
	return SRv6Structure{v[0], v[1], v[2], v[3], v[4], v[5]}, nil
}

// CheckPrefixSID validates a whole BGP Prefix-SID value: the TLV walk,
// Label-Index and Originator SRGB lengths, and for SRv6 service TLVs the
// sub-TLV and SID Information / SID Structure layouts. Unknown TLV and
// sub-TLV types are accepted. Errors carry attribute-discard (RFC 8669
// §6, RFC 9252 §6).
func CheckPrefixSID(v []byte) error {
	it := NewPrefixSIDIterator(v)
	for it.Next() {
		switch it.Type() {
		case PrefixSIDLabelIndex:
			if _, err := ParseLabelIndex(it.Value()); err != nil {
				return err
			}
		case PrefixSIDOriginatorSRGB:
			if _, _, err := ParseOriginatorSRGB(it.Value()); err != nil {
				return err
			}
		case PrefixSIDSRv6L3Service, PrefixSIDSRv6L2Service:
			sub, err := SRv6ServiceSubTLVs(it.Value())
			if err != nil {
				return err
			}
			for sub.Next() {
				if sub.Type() != SRv6SIDInformation {
					continue
				}
				info, err := ParseSRv6SIDInfo(sub.Value())
				if err != nil {
					return err
				}
				ss := NewPrefixSIDIterator(info.SubSubTLVs)
				for ss.Next() {
					if ss.Type() == SRv6SIDStructure {
						if _, err := ParseSRv6Structure(ss.Value()); err != nil {
							return err
						}
					}
				}
				if err := ss.Err(); err != nil {
					return err
				}
			}
			if err := sub.Err(); err != nil {
				return err
			}
		}
	}
	return it.Err()
}
