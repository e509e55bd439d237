package attr

import (
	"encoding/binary"
	"net/netip"
)

// IPv6ExtCommunity is one IPv6 address specific extended community
// (RFC 5701 §2), 20 octets:
//
//	+----------+----------+-----------------------------------------+
//	| Type (1) | Subtype  | Global Administrator (16, IPv6 address) |
//	|          | (1)      | Local Administrator (2)                 |
//	+----------+----------+-----------------------------------------+
//
// Type 0x00 is transitive, 0x40 non-transitive; subtypes follow the
// IPv4 address specific ones (0x02 route target, 0x03 route origin).
type IPv6ExtCommunity [20]byte

// Type returns the type octet.
func (e IPv6ExtCommunity) Type() uint8 { return e[0] }

// Subtype returns the subtype octet.
func (e IPv6ExtCommunity) Subtype() uint8 { return e[1] }

// IsTransitive reports whether bit 0x40 of the type octet is clear.
func (e IPv6ExtCommunity) IsTransitive() bool { return e[0]&0x40 == 0 }

// Address returns the Global Administrator.
func (e IPv6ExtCommunity) Address() netip.Addr { return netip.AddrFrom16([16]byte(e[2:18])) }

// Local returns the Local Administrator.
func (e IPv6ExtCommunity) Local() uint16 { return binary.BigEndian.Uint16(e[18:]) }

// String returns "target:2001:db8::1:5" or "origin:…" for route
// target/origin (subtypes 2 and 3 of types 0x00/0x40), else "0x" and 40
// upper-case hex digits.
func (e IPv6ExtCommunity) String() string {
	if e[0]&^0x40 == 0 {
		switch e[1] {
		case 0x02:
			return "target:" + e.Address().String() + ":" + itoa(uint64(e.Local()))
		case 0x03:
			return "origin:" + e.Address().String() + ":" + itoa(uint64(e.Local()))
		}
	}
	const digits = "0123456789ABCDEF"
	out := make([]byte, 2, 42)
	out[0], out[1] = '0', 'x'
	for _, c := range e {
		out = append(out, digits[c>>4], digits[c&0xF])
	}
	return string(out)
}

// IPv6ExtCommunities is an IPv6_ADDRESS_SPECIFIC_EXTENDED_COMMUNITY value
// viewed as a list; it aliases the message.
type IPv6ExtCommunities []byte

// ParseIPv6ExtCommunities checks the value: a non-zero multiple of 20
// octets. RFC 7606 §7.15: otherwise treat-as-withdraw.
func ParseIPv6ExtCommunities(v []byte) (IPv6ExtCommunities, error) {
	if len(v)%20 != 0 || len(v) == 0 {
		return nil, withdrawLengthError(CodeIPv6ExtCommunities, len(v))
	}
	return IPv6ExtCommunities(v), nil
}

// Len returns the number of communities.
func (c IPv6ExtCommunities) Len() int { return len(c) / 20 }

// At returns community i.
func (c IPv6ExtCommunities) At(i int) IPv6ExtCommunity {
	return IPv6ExtCommunity(c[i*20 : i*20+20])
}

// AppendIPv6ExtCommunities appends a whole
// IPv6_ADDRESS_SPECIFIC_EXTENDED_COMMUNITY attribute (optional
// transitive, RFC 5701 §2).
func AppendIPv6ExtCommunities(dst []byte, cs []IPv6ExtCommunity) []byte {
	dst = AppendHeader(dst, FlagOptional|FlagTransitive, CodeIPv6ExtCommunities, 20*len(cs))
	for _, c := range cs {
		dst = append(dst, c[:]...)
	}
	return dst
}
