package rib

import (
	"encoding/binary"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/wire"
)

// NLRI names one route of an IP family: the prefix (host bits cleared)
// and, with ADD-PATH, its path identifier (RFC 7911 §3; 0 without).
type NLRI struct {
	Family wire.Family
	Prefix netip.Prefix
	PathID uint32
}

// Families the tables store, by index: IPv4/IPv6 × unicast/multicast.
var families = [...]wire.Family{wire.IPv4Unicast, wire.IPv4Multicast, wire.IPv6Unicast, wire.IPv6Multicast}

// famIndex returns f's index in families, or -1 for a family not stored.
func famIndex(f wire.Family) int {
	if f.SAFI != wire.SAFIUnicast && f.SAFI != wire.SAFIMulticast {
		return -1
	}
	switch f.AFI {
	case wire.AFIIPv4:
		return int(f.SAFI) - 1
	case wire.AFIIPv6:
		return int(f.SAFI) + 1
	}
	return -1
}

// key4 and key6 name one route exactly: the keys of the maps that hold
// the routes without a block key (table.go), 12 and 24 octets.
type key4 struct {
	addr uint32
	id   uint32
	bits uint8
}

type key6 struct {
	hi, lo uint64
	id     uint32
	bits   uint8
}

func mk4(p netip.Prefix, id uint32) key4 {
	a := p.Addr().As4()
	bits := p.Bits()
	v := binary.BigEndian.Uint32(a[:])
	if bits < 32 {
		v &^= 0xFFFFFFFF >> bits
	}
	return key4{addr: v, id: id, bits: uint8(bits)}
}

func mk6(p netip.Prefix, id uint32) key6 {
	a := p.Addr().As16()
	bits := p.Bits()
	hi, lo := binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])
	switch {
	case bits < 64:
		hi &^= ^uint64(0) >> bits
		lo = 0
	case bits < 128:
		lo &^= ^uint64(0) >> (bits - 64)
	}
	return key6{hi: hi, lo: lo, id: id, bits: uint8(bits)}
}

func (k key4) prefix() netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(k.addr >> 24), byte(k.addr >> 16), byte(k.addr >> 8), byte(k.addr)}), int(k.bits))
}

func (k key6) prefix() netip.Prefix {
	var a [16]byte
	binary.BigEndian.PutUint64(a[:8], k.hi)
	binary.BigEndian.PutUint64(a[8:], k.lo)
	return netip.PrefixFrom(netip.AddrFrom16(a), int(k.bits))
}
