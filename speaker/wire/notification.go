package wire

import (
	"unicode/utf8"
)

// Notification is a decoded NOTIFICATION message (RFC 4271 §4.5). Data is
// a view into the message bytes.
//
//	+---------------+---------------+--------...
//	| Error code    | Error subcode |   Data (variable)
//	+---------------+---------------+--------...
type Notification struct {
	Code    Code
	Subcode uint8
	Data    []byte
}

// ParseNotification decodes a NOTIFICATION; msg is the whole message,
// header included. A body shorter than 2 octets is a Message Header Error
// / Bad Message Length whose data is the header's length field (RFC 4271
// §6.1), or nil when msg is too short to hold one.
func ParseNotification(msg []byte) (Notification, error) {
	if len(msg) < HeaderLen+2 {
		return Notification{}, Errorf(CodeHeader, SubBadMessageLength, lengthField(msg), "wire: notification shorter than 21 octets")
	}
	b := msg[HeaderLen:]
	return Notification{Code: Code(b[0]), Subcode: b[1], Data: b[2:]}, nil
}

// AppendNotification appends a whole NOTIFICATION message.
func AppendNotification(dst []byte, n Notification) []byte {
	start := len(dst)
	dst = AppendHeader(dst, TypeNotification)
	dst = append(dst, byte(n.Code), n.Subcode)
	dst = append(dst, n.Data...)
	SetLength(dst[start:])
	return dst
}

// NotificationFor returns the NOTIFICATION an *Error implies.
func NotificationFor(e *Error) Notification {
	return Notification{Code: e.Code, Subcode: e.Subcode, Data: e.Data}
}

// HasCommunication reports whether the subcode may carry an RFC 9003
// shutdown communication (Cease / Administrative Shutdown or Reset).
func (n Notification) HasCommunication() bool {
	return n.Code == CodeCease && (n.Subcode == SubAdministrativeShutdown || n.Subcode == SubAdministrativeReset)
}

// MaxCommunicationLen is the longest shutdown communication (RFC 9003 §2).
const MaxCommunicationLen = 255

// Communication returns the RFC 9003 shutdown communication of a Cease
// Administrative Shutdown/Reset: a length octet then that many octets of
// UTF-8. When ok, rest is whatever follows the communication (a view).
// ok is false when there is none: another code or subcode, or no data
// (rest is nil); a zero length octet (rest is all of Data). It is also
// false when the data is not a valid communication (length beyond the
// data, invalid UTF-8): rest is then all of Data, for the caller to show
// as hex.
func (n Notification) Communication() (text string, rest []byte, ok bool) {
	if !n.HasCommunication() || len(n.Data) < 1 {
		return "", nil, false
	}
	l := int(n.Data[0])
	if l == 0 || 1+l > len(n.Data) || !utf8.Valid(n.Data[1:1+l]) {
		return "", n.Data, false
	}
	return string(n.Data[1 : 1+l]), n.Data[1+l:], true
}

// AppendCommunication appends an RFC 9003 communication (length octet and
// text, truncated to at most 255 octets at a rune boundary) to dst. text
// should be valid UTF-8; it is not checked.
func AppendCommunication(dst []byte, text string) []byte {
	if len(text) > MaxCommunicationLen {
		// Cut before the rune that straddles (or starts at) octet 255.
		i := MaxCommunicationLen
		for i > 0 && !utf8.RuneStart(text[i]) {
			i--
		}
		text = text[:i]
	}
	dst = append(dst, byte(len(text)))
	return append(dst, text...)
}

// RouteRefresh is a ROUTE-REFRESH message (RFC 2918 §3, RFC 7313 §3.2).
//
//	 0       7      15      23      31
//	+-------+-------+-------+-------+
//	|      AFI      | Subtype | SAFI|
//	+-------+-------+-------+-------+
type RouteRefresh struct {
	Family  Family
	Subtype RefreshSubtype
}

// RefreshSubtype is the former Reserved octet (RFC 7313 §3.2).
type RefreshSubtype uint8

// ROUTE-REFRESH subtypes (RFC 7313 §3.2).
const (
	RefreshNormal RefreshSubtype = 0
	RefreshBoRR   RefreshSubtype = 1 // Beginning of Route Refresh
	RefreshEoRR   RefreshSubtype = 2 // End of Route Refresh
)

func (s RefreshSubtype) String() string {
	switch s {
	case RefreshNormal:
		return "refresh"
	case RefreshBoRR:
		return "begin"
	case RefreshEoRR:
		return "end"
	}
	return "reserved"
}

// ParseRouteRefresh decodes a ROUTE-REFRESH; msg is the whole message.
// A body other than 4 octets is RFC 7313 §5's ROUTE-REFRESH Message
// Error / Invalid Message Length (data = a copy of the whole message).
func ParseRouteRefresh(msg []byte) (RouteRefresh, error) {
	// RFC 7313 §5: BoRR and EoRR must be exactly 4 octets long; a normal
	// request may carry ORF entries after them (RFC 5291 §4).
	if len(msg) < HeaderLen+4 || (len(msg) != HeaderLen+4 && msg[HeaderLen+2] != byte(RefreshNormal)) {
		return RouteRefresh{}, Errorf(CodeRouteRefresh, SubInvalidMessageLength, append([]byte(nil), msg...),
			"wire: route-refresh body is %d octets, want 4", len(msg)-HeaderLen)
	}
	b := msg[HeaderLen:]
	return RouteRefresh{
		Family:  Family{AFI(uint16(b[0])<<8 | uint16(b[1])), SAFI(b[3])},
		Subtype: RefreshSubtype(b[2]),
	}, nil
}

// AppendRouteRefresh appends a whole ROUTE-REFRESH message.
func AppendRouteRefresh(dst []byte, r RouteRefresh) []byte {
	start := len(dst)
	dst = AppendHeader(dst, TypeRouteRefresh)
	dst = append(dst, byte(r.Family.AFI>>8), byte(r.Family.AFI), byte(r.Subtype), byte(r.Family.SAFI))
	SetLength(dst[start:])
	return dst
}

// HardReset returns the NOTIFICATION a Cease / Hard Reset encapsulates
// (RFC 8538 §3: the data holds the error code, subcode and data of the
// original NOTIFICATION). ok is false for other NOTIFICATIONs and for a
// Hard Reset whose data is shorter than 2 octets. Data aliases n.Data.
func (n Notification) HardReset() (inner Notification, ok bool) {
	if n.Code != CodeCease || n.Subcode != SubHardReset || len(n.Data) < 2 {
		return Notification{}, false
	}
	return Notification{Code: Code(n.Data[0]), Subcode: n.Data[1], Data: n.Data[2:]}, true
}
