package mrt

import (
	"encoding/binary"
	"math"
	"net/netip"
	"time"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// IndexPeer is one entry of a PEER_INDEX_TABLE (RFC 6396 §4.3.1): a peer
// the RIB entries that follow name by its index in the table.
type IndexPeer struct {
	BGPID netip.Addr // the peer's BGP Identifier (IPv4); zero: 0.0.0.0
	IP    netip.Addr // the peer's address; zero: 0.0.0.0
	AS    uint32
}

// Peer Type bits of a PEER_INDEX_TABLE entry (RFC 6396 §4.3.1).
const (
	encPeerIPv6 = 0x01 // the peer address is IPv6
	encPeerAS4  = 0x02 // the peer AS is 4 octets
)

// AppendPeerIndexTable appends a TABLE_DUMP_V2 PEER_INDEX_TABLE record
// (RFC 6396 §4.3.1), which must precede the RIB records of a dump:
//
//	common header (type 13, subtype 1)
//	Collector BGP ID (4) | View Name Length (2) | View Name (variable)
//	Peer Count (2)
//	per peer: Peer Type (1) | Peer BGP ID (4) | Peer IP (4/16) | Peer AS (4)
//
// Peer ASNs are always written as 4 octets (Peer Type bit 1). Errors: more
// than 65535 peers, a view name longer than 65535 octets.
func AppendPeerIndexTable(dst []byte, t time.Time, collectorID netip.Addr, view string, peers []IndexPeer) ([]byte, error) {
	if len(peers) > math.MaxUint16 {
		return dst, errEncodeEntries
	}
	if len(view) > math.MaxUint16 {
		return dst, errEncodeView
	}
	dst, start := encBegin(dst, t, TypeTableDumpV2, PeerIndexTable)
	dst = encID(dst, collectorID)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(view)))
	dst = append(dst, view...)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(peers)))
	for _, p := range peers {
		ip := p.IP.Unmap()
		typ := byte(encPeerAS4)
		if ip.Is6() {
			typ |= encPeerIPv6
		} else if !ip.Is4() {
			ip = netip.IPv4Unspecified()
		}
		dst = append(dst, typ)
		dst = encID(dst, p.BGPID)
		dst = encAddr(dst, ip)
		dst = binary.BigEndian.AppendUint32(dst, p.AS)
	}
	return encEnd(dst, start)
}

// encID appends a BGP Identifier: an IPv4 address, 0.0.0.0 for any
// other.
func encID(dst []byte, id netip.Addr) []byte {
	if id = id.Unmap(); !id.Is4() {
		id = netip.IPv4Unspecified()
	}
	return encAddr(dst, id)
}

// RIBPath is one RIB entry of a TABLE_DUMP_V2 RIB record (RFC 6396
// §4.3.4, RFC 8050 §4): one peer's path to the record's prefix.
type RIBPath struct {
	PeerIndex  uint16    // the peer's index in the PEER_INDEX_TABLE
	Originated time.Time // when the path was received (seconds written)
	PathID     uint32    // ADD-PATH path identifier, written by the _ADDPATH subtypes only
	// Attrs are the path attributes (RFC 4271 §4.3), AS_PATH with
	// 4-octet ASNs (RFC 6396 §4.3.4). A whole MP_REACH_NLRI among them
	// is cut down to its next hop (see AppendRIBAttrs).
	Attrs []byte
	// NextHop is the MP_REACH_NLRI next hop field, for a path whose
	// Attrs hold none (a path learned from MP_REACH_NLRI, stored without
	// it); nil for a path with NEXT_HOP.
	NextHop []byte
}

// RIBSubtype returns the TABLE_DUMP_V2 subtype of the RIB records of
// family f (RFC 6396 §4.3.2, RFC 8050 §4): RIB_IPV4_UNICAST,
// RIB_IPV4_MULTICAST, RIB_IPV6_UNICAST, RIB_IPV6_MULTICAST or their
// _ADDPATH variants when addPath. ok is false for other families (which
// RIB_GENERIC would carry).
func RIBSubtype(f wire.Family, addPath bool) (subtype uint16, ok bool) {
	switch f {
	case wire.IPv4Unicast:
		subtype = RIBIPv4Unicast
	case wire.IPv4Multicast:
		subtype = RIBIPv4Multicast
	case wire.IPv6Unicast:
		subtype = RIBIPv6Unicast
	case wire.IPv6Multicast:
		subtype = RIBIPv6Multicast
	default:
		return 0, false
	}
	if addPath {
		subtype += RIBIPv4UnicastAddPath - RIBIPv4Unicast
	}
	return subtype, true
}

// AppendRIB appends a TABLE_DUMP_V2 RIB record for prefix p of family f
// (an IP unicast or multicast family, see RIBSubtype) with one entry per
// path:
//
//	common header (type 13, subtype RIBSubtype(f, addPath))
//	Sequence Number (4) | Prefix Length (1) | Prefix (ceil(len/8))
//	Entry Count (2)
//	per path: Peer Index (2) | Originated Time (4)
//	          [Path Identifier (4), _ADDPATH only] | Attribute Length (2)
//	          | BGP Attributes (AppendRIBAttrs)
//
// seq counts the RIB records of a dump from 0 (§4.3.2). Errors: another
// family, a prefix not of f's AFI, more than 65535 paths, attributes that
// cannot be walked or exceed 65535 octets; dst is then returned
// unchanged.
func AppendRIB(dst []byte, t time.Time, seq uint32, f wire.Family, addPath bool, p netip.Prefix, paths []RIBPath) ([]byte, error) {
	subtype, ok := RIBSubtype(f, addPath)
	if !ok {
		return dst, errEncodeFamily
	}
	a := p.Addr()
	if !p.IsValid() || a.Is4() != (f.AFI == wire.AFIIPv4) {
		return dst, errEncodePrefix
	}
	if len(paths) > math.MaxUint16 {
		return dst, errEncodeEntries
	}
	dst, start := encBegin(dst, t, TypeTableDumpV2, subtype)
	dst = binary.BigEndian.AppendUint32(dst, seq)
	bits := p.Bits()
	dst = append(dst, byte(bits))
	dst = encAddr(dst, p.Masked().Addr())
	dst = dst[:len(dst)-a.BitLen()/8+(bits+7)/8] // keep the prefix's octets only
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(paths)))
	for i := range paths {
		e := &paths[i]
		dst = binary.BigEndian.AppendUint16(dst, e.PeerIndex)
		dst = binary.BigEndian.AppendUint32(dst, uint32(e.Originated.Unix()))
		if addPath {
			dst = binary.BigEndian.AppendUint32(dst, e.PathID)
		}
		at := len(dst)
		dst = append(dst, 0, 0)
		var err error
		if dst, err = AppendRIBAttrs(dst, e.Attrs, e.NextHop); err != nil {
			return dst[:start], err
		}
		n := len(dst) - at - 2
		if n > math.MaxUint16 {
			return dst[:start], errEncodeAttrs
		}
		binary.BigEndian.PutUint16(dst[at:], uint16(n))
	}
	return encEnd(dst, start)
}

// AppendRIBAttrs appends path attributes attrs as a TABLE_DUMP_V2 RIB
// entry holds them (RFC 6396 §4.3.4): an MP_REACH_NLRI keeps only its
// Next Hop Length and Next Hop fields (the AFI, SAFI and NLRI are the
// record's), and MP_UNREACH_NLRI is left out. When attrs hold no
// MP_REACH_NLRI and nextHop is not nil, such a shortened MP_REACH_NLRI
// holding nextHop is added in attribute code order. The output holds at
// most one MP_REACH_NLRI: of several in attrs (malformed, RFC 7606 §3 g)
// the first is kept. Errors: attrs that cannot be walked (the attribute
// iterator's *wire.Error), a next hop longer than 255 octets.
func AppendRIBAttrs(dst, attrs, nextHop []byte) ([]byte, error) {
	start := len(dst)
	added := nextHop == nil
	if !added {
		// attrs' own is kept, wherever it is in the list.
		_, added = attr.Find(attrs, attr.CodeMPReach)
	}
	reached := false
	it := attr.NewIterator(attrs)
	for it.Next() {
		c := it.Code()
		if !added && c > attr.CodeMPReach {
			var err error
			if dst, err = encShortMPReach(dst, nextHop); err != nil {
				return dst[:start], err
			}
			added = true
		}
		switch c {
		case attr.CodeMPUnreach:
		case attr.CodeMPReach:
			if reached {
				continue
			}
			reached = true
			m, err := attr.ParseMPReach(it.Value())
			if err != nil {
				return dst[:start], err
			}
			if dst, err = encShortMPReach(dst, m.NextHop); err != nil {
				return dst[:start], err
			}
			added = true
		default:
			dst = append(dst, it.Raw()...)
		}
	}
	if err := it.Err(); err != nil {
		return dst[:start], err
	}
	if !added {
		var err error
		if dst, err = encShortMPReach(dst, nextHop); err != nil {
			return dst[:start], err
		}
	}
	return dst, nil
}

// encShortMPReach appends the MP_REACH_NLRI attribute of a RIB entry:
// optional, non-transitive, value Next Hop Length (1) | Next Hop.
func encShortMPReach(dst, nh []byte) ([]byte, error) {
	if len(nh) > math.MaxUint8 {
		return dst, errEncodeNextHop
	}
	dst = attr.AppendHeader(dst, attr.FlagOptional, attr.CodeMPReach, 1+len(nh))
	dst = append(dst, byte(len(nh)))
	return append(dst, nh...), nil
}
