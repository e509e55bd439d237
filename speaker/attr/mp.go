package attr

import (
	"encoding/binary"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// MPReach is a view of an MP_REACH_NLRI value (RFC 4760 §3):
//
//	+---------------------------------------------------------+
//	| AFI (2) | SAFI (1) | Next Hop Length (1)                |
//	| Next Hop (variable) | Reserved (1) | NLRI (variable)    |
//	+---------------------------------------------------------+
//
// NextHop and NLRI alias the message.
type MPReach struct {
	Family  wire.Family
	NextHop []byte
	NLRI    []byte
}

// MPUnreach is a view of an MP_UNREACH_NLRI value (RFC 4760 §4):
// AFI (2), SAFI (1), withdrawn NLRI. An empty NLRI is an End-of-RIB
// marker (RFC 4724 §2).
type MPUnreach struct {
	Family wire.Family
	NLRI   []byte
}

// ParseMPReach reads an MP_REACH_NLRI value. A value too short for its
// fixed fields or next hop is an Optional Attribute Error with RFC 7606
// §7.11's session reset (or AFI/SAFI disable; the caller may soften it):
// ErrMPReachShort, ErrMPReachNextHop.
func ParseMPReach(v []byte) (MPReach, error) {
	f, nh, nlri, err := SplitMPReach(v)
	return MPReach{Family: f, NextHop: nh, NLRI: nlri}, err
}

// SplitMPReach is ParseMPReach with the fields as results, which stay in
// registers (an MPReach is copied through memory). On ErrMPReachNextHop
// f is set. The shared errors let it make no call, so that it inlines.
func SplitMPReach(v []byte) (f wire.Family, nextHop, nlri []byte, err error) {
	if len(v) < 5 {
		return wire.Family{}, nil, nil, ErrMPReachShort
	}
	f = wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(v)), SAFI: wire.SAFI(v[2])}
	n := int(v[3])
	if len(v) < 5+n {
		return f, nil, nil, ErrMPReachNextHop
	}
	return f, v[4 : 4+n], v[5+n:], nil
}

// ParseMPReach's errors: UPDATE Message Error / Optional Attribute
// Error, session reset (RFC 7606 §7.11). They are shared: copy one
// before changing a field.
var (
	ErrMPReachShort   = wire.Errorf(wire.CodeUpdate, wire.SubOptionalAttributeError, nil, "attr: mp-reach-nlri shorter than 5 octets")
	ErrMPReachNextHop = wire.Errorf(wire.CodeUpdate, wire.SubOptionalAttributeError, nil, "attr: mp-reach-nlri next hop runs past the attribute")
)

// ParseMPUnreach reads an MP_UNREACH_NLRI value.
func ParseMPUnreach(v []byte) (MPUnreach, error) {
	if len(v) < 3 {
		return MPUnreach{}, mpUnreachError()
	}
	return MPUnreach{Family: wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(v)), SAFI: wire.SAFI(v[2])}, NLRI: v[3:]}, nil
}

// mpUnreachError is ParseMPUnreach's failure, out of line.
//
//go:noinline
func mpUnreachError() error {
	return wire.Errorf(wire.CodeUpdate, wire.SubOptionalAttributeError, nil, "attr: mp-unreach-nlri shorter than 3 octets")
}

// NextHops splits an IP next hop field: 4 octets (IPv4), 16 (IPv6
// global), 32 (IPv6 global + link-local, RFC 2545 §3). VPN families'
// next hops start with an 8-octet zero route distinguisher per address
// (RFC 4364 §4.3.2, RFC 4659 §3.2.1), which is skipped. ok is false for
// any other length.
func (m MPReach) NextHops() (global, linkLocal netip.Addr, ok bool) {
	return SplitNextHop(m.NextHop, m.Family.SAFI == wire.SAFIVPN)
}

// Prefixes iterates the NLRI (an IP family: f.IsIP()); addPath says
// whether each entry starts with a path identifier (RFC 7911 §3). When
// the NLRI follows the next hop in memory, as ParseMPReach leaves them,
// the iterator runs over both from the NLRI's start
// (nlri.NewIteratorFrom), so that every prefix is read with word loads.
func (m MPReach) Prefixes(addPath bool) nlri.Iterator {
	b, start := m.NLRI, 0
	if n := len(m.NextHop) + 1; len(b) != 0 && cap(m.NextHop)-n >= len(b) {
		if all := m.NextHop[:n+len(b)]; &all[n] == &b[0] {
			b, start = all, n
		}
	}
	return nlri.NewIteratorFrom(b, start, m.Family, addPath)
}

// Prefixes iterates the withdrawn NLRI (an IP family: f.IsIP()); addPath
// says whether each entry starts with a path identifier.
func (m MPUnreach) Prefixes(addPath bool) nlri.Iterator {
	return nlri.NewIterator(m.NLRI, m.Family, addPath)
}

// SplitNextHop is MPReach.NextHops for a bare next-hop field; rd says
// each address is preceded by an 8-octet route distinguisher.
func SplitNextHop(nh []byte, rd bool) (global, linkLocal netip.Addr, ok bool) {
	if rd {
		switch len(nh) {
		case 12:
			return netip.AddrFrom4([4]byte(nh[8:12])), netip.Addr{}, true
		case 24:
			return netip.AddrFrom16([16]byte(nh[8:24])), netip.Addr{}, true
		case 48:
			return netip.AddrFrom16([16]byte(nh[8:24])), netip.AddrFrom16([16]byte(nh[32:48])), true
		}
		return netip.Addr{}, netip.Addr{}, false
	}
	switch len(nh) {
	case 4:
		return netip.AddrFrom4([4]byte(nh)), netip.Addr{}, true
	case 16:
		return netip.AddrFrom16([16]byte(nh)), netip.Addr{}, true
	case 32:
		return netip.AddrFrom16([16]byte(nh[:16])), netip.AddrFrom16([16]byte(nh[16:32])), true
	}
	return netip.Addr{}, netip.Addr{}, false
}

// AppendMPReach appends a whole MP_REACH_NLRI attribute (optional,
// non-transitive) with next hop bytes nh and already-encoded NLRI.
func AppendMPReach(dst []byte, f wire.Family, nh []byte, nlri []byte) []byte {
	n := 5 + len(nh) + len(nlri)
	dst = AppendHeader(dst, FlagOptional, CodeMPReach, n)
	dst = binary.BigEndian.AppendUint16(dst, uint16(f.AFI))
	dst = append(dst, byte(f.SAFI), byte(len(nh)))
	dst = append(dst, nh...)
	dst = append(dst, 0)
	return append(dst, nlri...)
}

// AppendMPUnreach appends a whole MP_UNREACH_NLRI attribute (optional,
// non-transitive); empty nlri makes an End-of-RIB marker.
func AppendMPUnreach(dst []byte, f wire.Family, nlri []byte) []byte {
	dst = AppendHeader(dst, FlagOptional, CodeMPUnreach, 3+len(nlri))
	dst = binary.BigEndian.AppendUint16(dst, uint16(f.AFI))
	dst = append(dst, byte(f.SAFI))
	return append(dst, nlri...)
}
