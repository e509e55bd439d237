package mrt

import (
	"encoding/binary"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/wire"
)

// PeerIndex is a view of a TABLE_DUMP_V2 PEER_INDEX_TABLE record
// (RFC 6396 §4.3.1): the collector and the peers that the RIB records
// of the dump refer to by index.
//
//	+---------------------------------------------------------------+
//	|  Collector BGP ID (4)                                         |
//	+-------------------------------+-------------------------------+
//	|  View Name Length (2)         |  View Name (variable)         |
//	+-------------------------------+-------------------------------+
//	|  Peer Count (2)               |  Peer Entries (variable)      |
//	+-------------------------------+-------------------------------+
//
// Each peer entry:
//
//	+---------------+-----------------------------------------------+
//	| Peer Type (1) |  Peer BGP ID (4)                              |
//	+---------------+-----------------------------------------------+
//	|  Peer IP Address (4, or 16 when Peer Type bit 0 is set)       |
//	+---------------------------------------------------------------+
//	|  Peer AS (2, or 4 when Peer Type bit 1 is set)                |
//	+---------------------------------------------------------------+
//
// ViewName aliases the record.
type PeerIndex struct {
	CollectorID netip.Addr
	ViewName    []byte
	Count       int
	entries     []byte
}

// PeerIndexEntry is one peer of a PeerIndex.
type PeerIndexEntry struct {
	Index int   // position in the table, what RIB entries refer to
	Type  uint8 // Peer Type: bit 0 IPv6 address, bit 1 4-octet AS
	BGPID netip.Addr
	IP    netip.Addr
	AS    uint32
}

// Peer Type bits of a peer entry (RFC 6396 §4.3.1).
const (
	PeerTypeIPv6 uint8 = 1
	PeerTypeAS4  uint8 = 2
)

// ParsePeerIndex reads a PEER_INDEX_TABLE record and checks that its
// Peer Count entries fit. Errors: ErrWrongType, ErrShort, ErrTrailing.
func ParsePeerIndex(rec *Record) (PeerIndex, error) {
	var t PeerIndex
	if rec.Type != TypeTableDumpV2 || rec.Subtype != PeerIndexTable {
		return t, ErrWrongType
	}
	b := rec.Body
	if len(b) < 6 {
		return t, ErrShort
	}
	t.CollectorID = addrFrom(b[:4])
	vl := int(binary.BigEndian.Uint16(b[4:]))
	if len(b) < 6+vl+2 {
		return t, ErrShort
	}
	t.ViewName = b[6 : 6+vl : 6+vl]
	t.Count = int(binary.BigEndian.Uint16(b[6+vl:]))
	t.entries = b[8+vl:]
	it := t.Peers()
	for it.Next() {
	}
	if err := it.Err(); err != nil {
		return PeerIndex{}, err
	}
	if it.rest != 0 {
		return t, ErrTrailing
	}
	return t, nil
}

// Peers returns an iterator over the peer entries.
func (t *PeerIndex) Peers() PeerIterator {
	return PeerIterator{b: t.entries, left: t.Count}
}

// PeerIterator walks the entries of a PeerIndex:
//
//	it := t.Peers()
//	for it.Next() { p := it.Peer(); … }
//	if err := it.Err(); … // ErrShort when the record ends early
type PeerIterator struct {
	b    []byte
	off  int
	n    int
	left int
	rest int // octets left after the last entry, once done
	cur  PeerIndexEntry
	err  error
}

// Next advances to the next peer.
func (it *PeerIterator) Next() bool {
	if it.left == 0 || it.err != nil {
		it.rest = len(it.b) - it.off
		return false
	}
	b := it.b[it.off:]
	if len(b) < 5 {
		it.err = ErrShort
		return false
	}
	typ := b[0]
	n, asn := 4, 2
	if typ&PeerTypeIPv6 != 0 {
		n = 16
	}
	if typ&PeerTypeAS4 != 0 {
		asn = 4
	}
	if len(b) < 5+n+asn {
		it.err = ErrShort
		return false
	}
	it.cur = PeerIndexEntry{
		Index: it.n, Type: typ, BGPID: addrFrom(b[1:5]),
		IP: addrFrom(b[5 : 5+n]), AS: readASN(b[5+n:], asn),
	}
	it.n++
	it.off += 5 + n + asn
	it.left--
	return true
}

// Peer returns the current peer.
func (it *PeerIterator) Peer() PeerIndexEntry { return it.cur }

// Err returns the error that stopped the walk, or nil.
func (it *PeerIterator) Err() error { return it.err }

// RIB is a view of a TABLE_DUMP_V2 RIB record (RFC 6396 §4.3.2, §4.3.3;
// RFC 8050 §4): one prefix and the routes every peer has for it.
//
//	+---------------------------------------------------------------+
//	|  Sequence Number (4)                                          |
//	+---------------------------------------------------------------+
//	|  RIB_GENERIC only: AFI (2) | SAFI (1)                         |
//	+---------------------------------------------------------------+
//	|  Prefix Length (1) | Prefix (variable) — RIB_GENERIC: one NLRI |
//	|  entry in MP_REACH_NLRI form                                  |
//	+-------------------------------+-------------------------------+
//	|  Entry Count (2)              |  RIB Entries (variable)       |
//	+-------------------------------+-------------------------------+
//
// Each RIB entry (see RIBIterator):
//
//	+-------------------------------+-------------------------------+
//	|  Peer Index (2)               |  Originated Time (4) …        |
//	+-------------------------------+-------------------------------+
//	|  _ADDPATH subtypes: Path Identifier (4)                       |
//	+-------------------------------+-------------------------------+
//	|  Attribute Length (2)         |  BGP Attributes (variable)    |
//	+-------------------------------+-------------------------------+
//
// The attributes use 4-octet ASNs; an MP_REACH_NLRI among them holds
// only the next hop (its length octet and address, §4.3.4) — see
// AppendUpdate for the whole UPDATE. NLRI aliases the record.
type RIB struct {
	Subtype  uint16
	Sequence uint32
	Family   wire.Family
	// NLRI is the prefix as encoded: the length octet, then the
	// significant prefix octets (or, RIB_GENERIC, the NLRI entry).
	NLRI       []byte
	EntryCount int
	entries    []byte
}

// AddPath reports whether the entries carry path identifiers (the
// _ADDPATH subtypes of RFC 8050).
func (r *RIB) AddPath() bool {
	return r.Subtype >= RIBIPv4UnicastAddPath && r.Subtype <= RIBGenericAddPath
}

// Context returns the encoding context of the entries' attributes and of
// the UPDATEs AppendUpdate builds: 4-octet ASNs, and ADD-PATH for the
// _ADDPATH subtypes.
func (r *RIB) Context() wire.Context { return subtypeContext(true, r.AddPath()) }

// Prefix returns the prefix of an IP family (host bits as recorded); ok
// is false for other families.
func (r *RIB) Prefix() (netip.Prefix, bool) {
	if !r.Family.IsIP() || len(r.NLRI) == 0 {
		return netip.Prefix{}, false
	}
	var a [16]byte
	copy(a[:], r.NLRI[1:])
	bits := int(r.NLRI[0])
	if r.Family.AFI == wire.AFIIPv4 {
		return netip.PrefixFrom(netip.AddrFrom4([4]byte(a[:4])), bits), true
	}
	return netip.PrefixFrom(netip.AddrFrom16(a), bits), true
}

// ribFamily maps the AFI/SAFI subtypes to their family.
func ribFamily(sub uint16) (wire.Family, bool) {
	switch sub {
	case RIBIPv4Unicast, RIBIPv4UnicastAddPath:
		return wire.IPv4Unicast, true
	case RIBIPv4Multicast, RIBIPv4MulticastAddPath:
		return wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIMulticast}, true
	case RIBIPv6Unicast, RIBIPv6UnicastAddPath:
		return wire.IPv6Unicast, true
	case RIBIPv6Multicast, RIBIPv6MulticastAddPath:
		return wire.Family{AFI: wire.AFIIPv6, SAFI: wire.SAFIMulticast}, true
	}
	return wire.Family{}, false
}

// ParseRIB reads the fixed part of a RIB record; the entries are read by
// the iterator. Errors: ErrWrongType (also for PEER_INDEX_TABLE),
// ErrSubtype (GEO_PEER_TABLE), ErrShort, ErrPrefixLen, ErrAFI (a
// RIB_GENERIC family whose NLRI length ze cannot tell).
func ParseRIB(rec *Record) (RIB, error) {
	var r RIB
	if rec.Type != TypeTableDumpV2 || rec.Subtype == PeerIndexTable {
		return r, ErrWrongType
	}
	r.Subtype = rec.Subtype
	b := rec.Body
	if len(b) < 4 {
		return r, ErrShort
	}
	r.Sequence = binary.BigEndian.Uint32(b)
	b = b[4:]
	var n int
	if f, ok := ribFamily(rec.Subtype); ok {
		r.Family = f
		if len(b) < 1 {
			return r, ErrShort
		}
		max := 32
		if f.AFI == wire.AFIIPv6 {
			max = 128
		}
		if int(b[0]) > max {
			return r, ErrPrefixLen
		}
		n = 1 + (int(b[0])+7)/8
	} else if rec.Subtype == RIBGeneric || rec.Subtype == RIBGenericAddPath {
		if len(b) < 3 {
			return r, ErrShort
		}
		r.Family = wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(b)), SAFI: wire.SAFI(b[2])}
		b = b[3:]
		var err error
		if n, err = nlriLen(r.Family, b); err != nil {
			return r, err
		}
	} else {
		return r, ErrSubtype
	}
	if len(b) < n+2 {
		return r, ErrShort
	}
	r.NLRI = b[:n:n]
	r.EntryCount = int(binary.BigEndian.Uint16(b[n:]))
	r.entries = b[n+2:]
	return r, nil
}

// nlriLen tells how long the one NLRI entry at the start of b is, for
// the encodings whose length is in the entry: a length in bits (IP,
// labeled, VPN, route target), FlowSpec's 1- or 2-octet length (RFC
// 8955 §4), EVPN's and MVPN's type and length octets (RFC 7432, RFC
// 6514), BGP-LS's 2-octet type and length (RFC 7752), VPLS's 2-octet
// length (RFC 4761).
func nlriLen(f wire.Family, b []byte) (int, error) {
	if len(b) < 1 {
		return 0, ErrShort
	}
	var n int
	switch f.SAFI {
	case wire.SAFIUnicast, wire.SAFIMulticast, wire.SAFILabeled, wire.SAFIVPN, wire.SAFIRTC, 129:
		n = 1 + (int(b[0])+7)/8
	case wire.SAFIFlow, wire.SAFIFlowVPN:
		n = 1 + int(b[0])
		if b[0] >= 0xF0 {
			if len(b) < 2 {
				return 0, ErrShort
			}
			n = 2 + int(b[0]&0x0F)<<8 | int(b[1])
		}
	case wire.SAFIEVPN, wire.SAFIMVPN:
		if len(b) < 2 {
			return 0, ErrShort
		}
		n = 2 + int(b[1])
	case wire.SAFIBGPLS, wire.SAFIBGPLSVPN:
		if len(b) < 4 {
			return 0, ErrShort
		}
		n = 4 + int(binary.BigEndian.Uint16(b[2:]))
	case wire.SAFIVPLS:
		if len(b) < 2 {
			return 0, ErrShort
		}
		n = 2 + int(binary.BigEndian.Uint16(b))
	default:
		return 0, ErrAFI
	}
	if n > len(b) {
		return 0, ErrShort
	}
	return n, nil
}

// Entries returns an iterator over the RIB entries.
func (r *RIB) Entries() RIBIterator {
	return RIBIterator{b: r.entries, left: r.EntryCount, addPath: r.AddPath()}
}

// RIBIterator walks the entries of a RIB record in place:
//
//	it := rib.Entries()
//	for it.Next() { it.PeerIndex(); it.Attrs(); … }
//	if err := it.Err(); … // ErrShort, or ErrTrailing after the last entry
//
// Attrs returns a view into the record.
type RIBIterator struct {
	b       []byte
	left    int
	addPath bool
	peer    uint16
	orig    uint32
	pathID  uint32
	attrs   []byte
	err     error
}

// Next advances to the next entry.
func (it *RIBIterator) Next() bool {
	if it.left == 0 {
		if len(it.b) != 0 && it.err == nil {
			it.err = ErrTrailing
		}
		return false
	}
	if it.err != nil {
		return false
	}
	b := it.b
	h := 8
	if it.addPath {
		h = 12
	}
	if len(b) < h {
		it.err = ErrShort
		return false
	}
	it.peer, it.orig = binary.BigEndian.Uint16(b), binary.BigEndian.Uint32(b[2:])
	if it.addPath {
		it.pathID = binary.BigEndian.Uint32(b[6:])
	}
	al := int(binary.BigEndian.Uint16(b[h-2:]))
	if len(b) < h+al {
		it.err = ErrShort
		return false
	}
	it.attrs = b[h : h+al : h+al]
	it.b = b[h+al:]
	it.left--
	return true
}

// PeerIndex returns the current entry's index into the peer index table.
func (it *RIBIterator) PeerIndex() uint16 { return it.peer }

// Originated returns when the route was learnt (seconds since 1970).
func (it *RIBIterator) Originated() uint32 { return it.orig }

// PathID returns the path identifier (_ADDPATH subtypes; 0 otherwise).
func (it *RIBIterator) PathID() uint32 { return it.pathID }

// Attrs returns the entry's path attributes (a view).
func (it *RIBIterator) Attrs() []byte { return it.attrs }

// Err returns the error that stopped the walk, or nil.
func (it *RIBIterator) Err() error { return it.err }
