package wire

import (
	"encoding/binary"
	"fmt"
)

// Message header layout (RFC 4271 §4.1):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                     Marker (16 octets of 0xFF)                |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|          Length               |      Type     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
const (
	MarkerLen = 16
	HeaderLen = 19
	// MaxLen is the largest message without Extended Message (RFC 4271 §4.1).
	MaxLen = 4096
	// MaxExtendedLen is the largest message once Extended Message was
	// negotiated (RFC 8654 §4).
	MaxExtendedLen = 65535
)

// Type is the BGP message type octet.
type Type uint8

// Message types (RFC 4271 §4.1, RFC 2918 §3).
const (
	TypeOpen         Type = 1
	TypeUpdate       Type = 2
	TypeNotification Type = 3
	TypeKeepalive    Type = 4
	TypeRouteRefresh Type = 5
)

var typeNames = [...]string{"", "open", "update", "notification", "keepalive", "route-refresh"}

// String returns the lower-case message name ("update"), or "unknown-N".
func (t Type) String() string {
	if int(t) < len(typeNames) && t != 0 {
		return typeNames[t]
	}
	return fmt.Sprintf("unknown-%d", uint8(t))
}

// minLen is the smallest legal total length per type (RFC 4271 §4.2-4.5,
// RFC 2918 §3).
func minLen(t Type) int {
	switch t {
	case TypeOpen:
		return 29
	case TypeUpdate:
		return 23
	case TypeNotification:
		return 21
	case TypeKeepalive:
		return 19
	case TypeRouteRefresh:
		return 23
	}
	return HeaderLen
}

// Header checks the 19-octet header at the start of b and returns the
// message's total length and type. max is the largest length allowed
// (MaxLen, or MaxExtendedLen with RFC 8654). Errors are *Error carrying
// Message Header Error subcodes (RFC 4271 §6.1): connection not
// synchronized (bad marker), bad message length (data = the length
// field), bad message type (data = the type octet). A b shorter than the
// header returns ErrShort.
func Header(b []byte, max int) (length int, typ Type, err error) {
	if len(b) < HeaderLen {
		return 0, 0, ErrShort
	}
	for _, m := range b[:MarkerLen] {
		if m != 0xFF {
			return 0, 0, Errorf(CodeHeader, SubConnNotSynchronized, nil, "wire: marker is not all ones")
		}
	}
	length = int(binary.BigEndian.Uint16(b[16:18]))
	typ = Type(b[18])
	if typ < TypeOpen || typ > TypeRouteRefresh {
		return length, typ, Errorf(CodeHeader, SubBadMessageType, []byte{b[18]}, "wire: unknown message type %d", b[18])
	}
	if length < minLen(typ) || length > max || (typ == TypeKeepalive && length != HeaderLen) {
		return length, typ, Errorf(CodeHeader, SubBadMessageLength, lengthField(b), "wire: bad %s length %d", typ, length)
	}
	if typ == TypeOpen && length > MaxLen {
		// RFC 8654 §4: OPEN and KEEPALIVE stay within 4096 octets.
		return length, typ, Errorf(CodeHeader, SubBadMessageLength, lengthField(b), "wire: bad open length %d", length)
	}
	return length, typ, nil
}

// lengthField returns a copy of the 2-octet length field of the message
// starting at msg[0] (the data of Bad Message Length, RFC 4271 §6.1), or
// nil when msg is too short to hold it.
func lengthField(msg []byte) []byte {
	if len(msg) < MarkerLen+2 {
		return nil
	}
	return []byte{msg[MarkerLen], msg[MarkerLen+1]}
}

// Split returns the first whole message in b (header included; a view
// into b) and the rest. It returns ErrShort when b does not yet hold a
// whole message, and a header *Error for malformed headers.
func Split(b []byte, max int) (msg, rest []byte, err error) {
	n, _, err := Header(b, max)
	if err != nil {
		return nil, b, err
	}
	if len(b) < n {
		return nil, b, ErrShort
	}
	return b[:n], b[n:], nil
}

// AppendHeader appends a header for type t with a zero length; call
// SetLength(dst[start:]) once the body is appended, where start is
// len(dst) before the call.
func AppendHeader(dst []byte, t Type) []byte {
	dst = append(dst, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, byte(t))
	return dst
}

// SetLength backfills the length field of the message that starts at
// msg[0] and ends at the end of msg. msg must hold at least the header;
// a message longer than 65535 octets cannot be framed (its length is
// written modulo 65536), so callers bound bodies by Context.MaxLen.
func SetLength(msg []byte) {
	binary.BigEndian.PutUint16(msg[16:18], uint16(len(msg)))
}

// AppendKeepalive appends a KEEPALIVE (RFC 4271 §4.4): a bare header.
func AppendKeepalive(dst []byte) []byte {
	start := len(dst)
	dst = AppendHeader(dst, TypeKeepalive)
	SetLength(dst[start:])
	return dst
}
