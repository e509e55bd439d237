package mrt

import (
	"encoding/binary"
	"errors"
	"math"
	"net/netip"
	"time"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Encoders for the records the speaker writes: the common header, BGP4MP
// (and BGP4MP_ET) messages and state changes, and the TABLE_DUMP_V2
// peer index table and RIB records. They append to dst and never
// allocate beyond growing it; a record's length is backfilled once its
// body is written.

// Errors of the encoders.
var (
	errEncodeAddr    = errors.New("mrt: peer address is not an IPv4 or IPv6 address")
	errEncodeFamily  = errors.New("mrt: no TABLE_DUMP_V2 RIB subtype for this family")
	errEncodePrefix  = errors.New("mrt: prefix does not belong to the record's family")
	errEncodeEntries = errors.New("mrt: more than 65535 RIB entries or peers in one record")
	errEncodeAttrs   = errors.New("mrt: path attributes longer than 65535 octets")
	errEncodeView    = errors.New("mrt: view name longer than 65535 octets")
	errEncodeLength  = errors.New("mrt: record longer than 4294967295 octets")
	errEncodeSubtype = errors.New("mrt: not a BGP4MP message subtype")
	errEncodeNextHop = errors.New("mrt: MP_REACH_NLRI next hop longer than 255 octets")
)

// encASTrans is AS_TRANS (RFC 6793 §9), written for a 4-octet AS in a
// 2-octet AS field.
const encASTrans = 23456

// AppendHeader appends the MRT common header (RFC 6396 §2) of a record
// whose body is bodyLen octets, and for the _ET types (§3) the
// microsecond timestamp, which the Length field then counts too:
//
//	+---------------------------------------------------------------+
//	|                           Timestamp (4, seconds since 1970 UTC)|
//	+-------------------------------+-------------------------------+
//	|             Type (2)          |            Subtype (2)        |
//	+-------------------------------+-------------------------------+
//	|                             Length (4)                        |
//	+---------------------------------------------------------------+
//	|           Microsecond Timestamp (4, _ET types only)           |
//	+---------------------------------------------------------------+
//
// The timestamp is t's Unix time cut to 32 bits.
func AppendHeader(dst []byte, t time.Time, typ Type, subtype uint16, bodyLen int) []byte {
	n := uint32(bodyLen)
	if typ.HasMicroseconds() {
		n += 4
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(t.Unix()))
	dst = binary.BigEndian.AppendUint16(dst, uint16(typ))
	dst = binary.BigEndian.AppendUint16(dst, subtype)
	dst = binary.BigEndian.AppendUint32(dst, n)
	if typ.HasMicroseconds() {
		dst = binary.BigEndian.AppendUint32(dst, uint32(t.Nanosecond()/1000))
	}
	return dst
}

// encBegin appends a header with a zero length and returns where the
// record starts; encEnd fills the length in.
func encBegin(dst []byte, t time.Time, typ Type, subtype uint16) ([]byte, int) {
	return AppendHeader(dst, t, typ, subtype, 0), len(dst)
}

// encEnd backfills the Length of the record starting at start (the
// microseconds of an _ET header are already counted by AppendHeader's 4).
func encEnd(dst []byte, start int) ([]byte, error) {
	body := len(dst) - start - HeaderLen
	if body > math.MaxUint32 {
		return dst[:start], errEncodeLength
	}
	binary.BigEndian.PutUint32(dst[start+8:], uint32(body))
	return dst, nil
}

// Endpoints are the two ends of a BGP session as BGP4MP records name
// them (RFC 6396 §4.4.1, §4.4.2): the peer's AS and address, the
// collector's (local) AS and address, and the interface index. PeerIP
// sets the record's Address Family; a LocalIP of the other family, or
// none, is written as the unspecified address of PeerIP's family.
type Endpoints struct {
	PeerAS, LocalAS uint32
	Interface       uint16
	PeerIP, LocalIP netip.Addr
}

// append writes the fields of RFC 6396 §4.4.1 up to Local IP Address,
// with 4-octet ASNs when as4 (else 2-octet, AS_TRANS for a larger AS
// when trans, an error otherwise).
//
//	Peer AS (2/4) | Local AS (2/4) | Interface Index (2) | Address Family (2)
//	Peer IP Address (4/16) | Local IP Address (4/16)
func (e Endpoints) append(dst []byte, as4 bool) ([]byte, error) {
	peer := e.PeerIP.Unmap()
	if !peer.Is4() && !peer.Is6() {
		return dst, errEncodeAddr
	}
	local := e.LocalIP.Unmap()
	if !local.IsValid() || local.Is4() != peer.Is4() {
		local = netip.IPv4Unspecified()
		if peer.Is6() {
			local = netip.IPv6Unspecified()
		}
	}
	if as4 {
		dst = binary.BigEndian.AppendUint32(dst, e.PeerAS)
		dst = binary.BigEndian.AppendUint32(dst, e.LocalAS)
	} else {
		dst = binary.BigEndian.AppendUint16(dst, encAS2(e.PeerAS))
		dst = binary.BigEndian.AppendUint16(dst, encAS2(e.LocalAS))
	}
	dst = binary.BigEndian.AppendUint16(dst, e.Interface)
	afi := uint16(wire.AFIIPv4)
	if peer.Is6() {
		afi = uint16(wire.AFIIPv6)
	}
	dst = binary.BigEndian.AppendUint16(dst, afi)
	dst = encAddr(dst, peer)
	return encAddr(dst, local), nil
}

// encAddr appends a's 4 or 16 octets.
func encAddr(dst []byte, a netip.Addr) []byte {
	if a.Is4() {
		b := a.As4()
		return append(dst, b[:]...)
	}
	b := a.As16()
	return append(dst, b[:]...)
}

// encAS2 returns a as a 2-octet AS: AS_TRANS when it does not fit (RFC
// 6793 §4.2.2 does the same on the wire).
func encAS2(a uint32) uint16 {
	if a > math.MaxUint16 {
		return encASTrans
	}
	return uint16(a)
}

// encMessageAS4 reports whether a BGP4MP message subtype carries 4-octet
// ASNs; ok is false for a subtype that is no message.
func encMessageAS4(subtype uint16) (as4, ok bool) {
	switch subtype {
	case BGP4MPMessage, BGP4MPMessageLocal, BGP4MPMessageAddPath, BGP4MPMessageLocalAddPath:
		return false, true
	case BGP4MPMessageAS4, BGP4MPMessageAS4Local, BGP4MPMessageAS4AddPath, BGP4MPMessageAS4LocalAddPath:
		return true, true
	}
	return false, false
}

// AppendBGP4MPMessage appends a BGP4MP_ET record (RFC 6396 §3, §4.4.2,
// §4.4.3; RFC 8050 §3) of the given message subtype — BGP4MPMessage,
// BGP4MPMessageAS4, their _LOCAL and _ADDPATH variants; see
// MessageSubtype — holding msg, a whole BGP message (marker and header
// included) as it was received (or, _LOCAL, sent):
//
//	common header (type 17, 16 octets with microseconds)
//	Endpoints (2-octet ASNs for the subtypes without AS4)
//	BGP Message (variable)
//
// Errors: a subtype that is no message, an Endpoints without a peer
// address; dst is then returned unchanged.
func AppendBGP4MPMessage(dst []byte, t time.Time, subtype uint16, e Endpoints, msg []byte) ([]byte, error) {
	as4, ok := encMessageAS4(subtype)
	if !ok {
		return dst, errEncodeSubtype
	}
	dst, start := encBegin(dst, t, TypeBGP4MPET, subtype)
	dst, err := e.append(dst, as4)
	if err != nil {
		return dst[:start], err
	}
	dst = append(dst, msg...)
	return encEnd(dst, start)
}

// AppendBGP4MPStateChange appends a BGP4MP_ET STATE_CHANGE_AS4 record
// (RFC 6396 §4.4.4): the session moved from state old to state new
// (StateIdle … StateEstablished).
//
//	common header (type 17, subtype 5, 16 octets)
//	Endpoints (4-octet ASNs) | Old State (2) | New State (2)
func AppendBGP4MPStateChange(dst []byte, t time.Time, e Endpoints, old, new uint16) ([]byte, error) {
	dst, start := encBegin(dst, t, TypeBGP4MPET, BGP4MPStateChangeAS4)
	dst, err := e.append(dst, true)
	if err != nil {
		return dst[:start], err
	}
	dst = binary.BigEndian.AppendUint16(dst, old)
	dst = binary.BigEndian.AppendUint16(dst, new)
	return encEnd(dst, start)
}

// MessageSubtype returns the BGP4MP subtype a message read (or, local,
// sent) under ctx is recorded with (RFC 6396 §4.4, RFC 8050 §3):
// MESSAGE_AS4 when ctx.ASN4 (the message's AS_PATH then holds 4-octet
// ASNs, as §4.4.3 requires), else MESSAGE; the _LOCAL variant for a
// message ze sent; and the _ADDPATH variant when the message is an
// UPDATE whose NLRI carry path identifiers: ctx has ADD-PATH for one of
// the families it announces or withdraws (the IPv4 unicast fields,
// MP_REACH_NLRI, MP_UNREACH_NLRI). An UPDATE mixing families with and
// without ADD-PATH cannot be told apart by a reader; it gets _ADDPATH.
func MessageSubtype(msg []byte, ctx wire.Context, local bool) uint16 {
	var sub uint16
	switch {
	case ctx.ASN4 && local:
		sub = BGP4MPMessageAS4Local
	case ctx.ASN4:
		sub = BGP4MPMessageAS4
	case local:
		sub = BGP4MPMessageLocal
	default:
		sub = BGP4MPMessage
	}
	if !encAddPath(msg, ctx) {
		return sub
	}
	switch sub {
	case BGP4MPMessage:
		return BGP4MPMessageAddPath
	case BGP4MPMessageAS4:
		return BGP4MPMessageAS4AddPath
	case BGP4MPMessageLocal:
		return BGP4MPMessageLocalAddPath
	}
	return BGP4MPMessageAS4LocalAddPath
}

// encAddPath reports whether msg is an UPDATE one of whose families
// uses ADD-PATH under ctx.
func encAddPath(msg []byte, ctx wire.Context) bool {
	if ctx.AddPathFamilies() == nil {
		return false // no ADD-PATH negotiated: no need to look
	}
	if len(msg) < wire.HeaderLen || wire.Type(msg[wire.HeaderLen-1]) != wire.TypeUpdate {
		return false
	}
	var u message.Update
	if u.Parse(msg) != nil {
		return false
	}
	if (len(u.Withdrawn) > 0 || len(u.NLRI) > 0) && ctx.AddPath(wire.IPv4Unicast) {
		return true
	}
	it := u.Attributes()
	for it.Next() {
		switch it.Code() {
		case attr.CodeMPReach:
			if m, err := attr.ParseMPReach(it.Value()); err == nil && ctx.AddPath(m.Family) {
				return true
			}
		case attr.CodeMPUnreach:
			if m, err := attr.ParseMPUnreach(it.Value()); err == nil && ctx.AddPath(m.Family) {
				return true
			}
		}
	}
	return false
}
