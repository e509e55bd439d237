package mrt

import (
	"encoding/binary"
	"net/netip"
)

// Builders for test records. Tests write the fields of a record as byte
// literals where a breakdown helps; these only add the headers.

// record returns a whole MRT record: the common header (and, for the
// _ET types, the microseconds, counted in Length) and body.
func record(ts uint32, typ Type, sub uint16, body []byte) []byte {
	var b []byte
	b = binary.BigEndian.AppendUint32(b, ts)
	b = binary.BigEndian.AppendUint16(b, uint16(typ))
	b = binary.BigEndian.AppendUint16(b, sub)
	n := len(body)
	if typ.HasMicroseconds() {
		n += 4
	}
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	if typ.HasMicroseconds() {
		b = binary.BigEndian.AppendUint32(b, 123456)
	}
	return append(b, body...)
}

// stateRecord is a BGP4MP STATE_CHANGE (2-octet ASNs, IPv4): a small
// valid record to surround damage with.
func stateRecord(ts uint32, old, new uint16) []byte {
	return record(ts, TypeBGP4MP, BGP4MPStateChange, []byte{
		0xFD, 0xE9, // peer AS 65001
		0xFD, 0xEA, // local AS 65002
		0x00, 0x00, // interface index
		0x00, 0x01, // AFI IPv4
		192, 0, 2, 1, // peer IP
		192, 0, 2, 2, // local IP
		byte(old >> 8), byte(old), // old state
		byte(new >> 8), byte(new), // new state
	})
}

// bgpMessage returns a BGP message: marker, length, type, body.
func bgpMessage(typ byte, body []byte) []byte {
	b := make([]byte, 16, 19+len(body))
	for i := range b {
		b[i] = 0xFF
	}
	b = binary.BigEndian.AppendUint16(b, uint16(19+len(body)))
	b = append(b, typ)
	return append(b, body...)
}

// addr4 returns the 4 octets of an IPv4 address.
func addr4(s string) []byte {
	a := netip.MustParseAddr(s).As4()
	return a[:]
}

// addr16 returns the 16 octets of an IPv6 address.
func addr16(s string) []byte {
	a := netip.MustParseAddr(s).As16()
	return a[:]
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}
