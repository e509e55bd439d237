package attr

import "encoding/binary"

// ParseOTC reads an ONLY_TO_CUSTOMER value: a 4-octet ASN (RFC 9234 §5).
// Any other length is an Attribute Length Error with treat-as-withdraw
// (RFC 9234 §5, RFC 7606).
func ParseOTC(v []byte) (uint32, error) {
	return ParseUint32(CodeOTC, v)
}

// AppendOTC appends a whole OTC attribute (optional transitive, RFC 9234 §5).
func AppendOTC(dst []byte, asn uint32) []byte {
	dst = AppendHeader(dst, FlagOptional|FlagTransitive, CodeOTC, 4)
	return binary.BigEndian.AppendUint32(dst, asn)
}
