package attr

import (
	"encoding/binary"

	"github.com/ze-bgp/ze/speaker/wire"
)

// AIGPTypeMetric is the AIGP TLV type that carries the metric (RFC 7311 §3.1).
const AIGPTypeMetric = 1

// ParseAIGP reads an AIGP value (RFC 7311 §3): a list of TLVs
//
//	+----------+-------------+----------------------+
//	| Type (1) | Length (2,  | Value (Length - 3)   |
//	|          | whole TLV)  |                      |
//	+----------+-------------+----------------------+
//
// and returns the 8-octet metric of the first AIGP TLV (type 1, length
// 11). Unknown TLV types are skipped. A TLV that runs past the value, a
// length below 3, an AIGP TLV whose length is not 11, or no AIGP TLV at
// all is malformed: Optional Attribute Error with attribute-discard
// (RFC 7311 §3.2, RFC 7606 §2).
func ParseAIGP(v []byte) (uint64, error) {
	found := false
	var metric uint64
	for off := 0; off < len(v); {
		if len(v)-off < 3 {
			return 0, aigpError("tlv header truncated")
		}
		t := v[off]
		l := int(binary.BigEndian.Uint16(v[off+1:]))
		if l < 3 || l > len(v)-off {
			return 0, aigpError("tlv length " + itoa(uint64(l)) + " is invalid")
		}
		if t == AIGPTypeMetric {
			if l != 11 {
				return 0, aigpError("aigp tlv length " + itoa(uint64(l)) + " is not 11")
			}
			if !found {
				metric, found = binary.BigEndian.Uint64(v[off+3:]), true
			}
		}
		off += l
	}
	if !found {
		return 0, aigpError("no aigp tlv")
	}
	return metric, nil
}

func aigpError(msg string) error {
	return wire.Errorf(wire.CodeUpdate, wire.SubOptionalAttributeError, nil, "attr: aigp %s", msg).WithAction(wire.ActionAttributeDiscard)
}

// AppendAIGP appends a whole AIGP attribute (optional non-transitive,
// RFC 7311 §3) holding one AIGP TLV with metric m.
func AppendAIGP(dst []byte, m uint64) []byte {
	dst = AppendHeader(dst, FlagOptional, CodeAIGP, 11)
	dst = append(dst, AIGPTypeMetric, 0, 11)
	return binary.BigEndian.AppendUint64(dst, m)
}
