package mrt

import (
	"encoding/binary"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/wire"
)

// LegacyBGP is a view of a record of the deprecated BGP type (type 5,
// RFC 6396 §B.2.1), found in the oldest RIPE RIS update files: IPv4
// sessions, 2-octet ASNs, and BGP messages recorded without their
// marker and header.
//
// BGP_UPDATE, BGP_OPEN, BGP_NOTIFY and BGP_KEEPALIVE:
//
//	+-------------------------------+-------------------------------+
//	|  Peer AS (2)                  |  Peer IP Address (4) …        |
//	+-------------------------------+-------------------------------+
//	|  Local AS (2)                 |  Local IP Address (4) …       |
//	+-------------------------------+-------------------------------+
//	|  message body, without the 19-octet marker and header         |
//	+---------------------------------------------------------------+
//
// BGP_STATE_CHANGE:
//
//	+-------------------------------+-------------------------------+
//	|  Peer AS (2)                  |  Peer IP Address (4) …        |
//	+-------------------------------+-------------------------------+
//	|  Old State (2)                |  New State (2)                |
//	+-------------------------------+-------------------------------+
//
// Body aliases the record.
type LegacyBGP struct {
	Subtype            uint16
	PeerAS, LocalAS    uint32
	PeerIP, LocalIP    netip.Addr
	Body               []byte // the message body (no marker or header)
	OldState, NewState uint16
}

// MessageType returns the BGP message type of the recorded body (0 for
// a state change or another subtype).
func (m *LegacyBGP) MessageType() wire.Type {
	switch m.Subtype {
	case BGPUpdate:
		return wire.TypeUpdate
	case BGPOpen:
		return wire.TypeOpen
	case BGPNotify:
		return wire.TypeNotification
	case BGPKeepalive:
		return wire.TypeKeepalive
	}
	return 0
}

// Context returns the encoding context of the recorded messages:
// 2-octet ASNs.
func (m *LegacyBGP) Context() wire.Context { return subtypeContext(false, false) }

// AppendMessage appends the recorded message as a whole BGP message:
// the marker and header the record leaves out, then the body. It
// appends nothing for a subtype that holds no message. A body longer
// than a message can be (65535 − 19 octets) is cut there.
func (m *LegacyBGP) AppendMessage(dst []byte) []byte {
	t := m.MessageType()
	if t == 0 {
		return dst
	}
	body := m.Body
	if len(body) > 65535-wire.HeaderLen {
		body = body[:65535-wire.HeaderLen]
	}
	start := len(dst)
	dst = wire.AppendHeader(dst, t)
	dst = append(dst, body...)
	wire.SetLength(dst[start:])
	return dst
}

// ParseLegacyBGP reads a record of the BGP type. Errors: ErrWrongType,
// ErrSubtype (BGP_NULL, BGP_PREF_UPDATE, BGP_SYNC), ErrShort.
func ParseLegacyBGP(rec *Record) (LegacyBGP, error) {
	var m LegacyBGP
	if rec.Type != TypeBGP {
		return m, ErrWrongType
	}
	m.Subtype = rec.Subtype
	b := rec.Body
	switch rec.Subtype {
	case BGPUpdate, BGPOpen, BGPNotify, BGPKeepalive:
		if len(b) < 12 {
			return m, ErrShort
		}
		m.PeerAS, m.PeerIP = uint32(binary.BigEndian.Uint16(b)), addrFrom(b[2:6])
		m.LocalAS, m.LocalIP = uint32(binary.BigEndian.Uint16(b[6:])), addrFrom(b[8:12])
		m.Body = b[12:]
	case BGPStateChange:
		if len(b) < 10 {
			return m, ErrShort
		}
		m.PeerAS, m.PeerIP = uint32(binary.BigEndian.Uint16(b)), addrFrom(b[2:6])
		m.OldState, m.NewState = binary.BigEndian.Uint16(b[6:]), binary.BigEndian.Uint16(b[8:])
	default:
		return m, ErrSubtype
	}
	return m, nil
}
