package message

import (
	"encoding/binary"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Update is a view of an UPDATE message (RFC 4271 §4.3). All slices alias
// the message; the Update must not outlive it.
//
//	+-----------------------------------------------------+
//	|   Withdrawn Routes Length (2 octets)                |
//	|   Withdrawn Routes (variable)                       |
//	|   Total Path Attribute Length (2 octets)            |
//	|   Path Attributes (variable)                        |
//	|   Network Layer Reachability Information (variable) |
//	+-----------------------------------------------------+
type Update struct {
	Raw       []byte // the whole message, header included
	Withdrawn []byte // withdrawn routes field (IPv4 unicast prefixes)
	Attrs     []byte // path attributes field
	NLRI      []byte // NLRI field (IPv4 unicast prefixes)
}

// ParseUpdate splits an UPDATE message (header included) into its fields.
// Lengths that do not add up are UPDATE Message Error / Malformed
// Attribute List (RFC 4271 §6.3), session reset.
func ParseUpdate(msg []byte) (Update, error) {
	var u Update
	err := u.Parse(msg)
	return u, err
}

// Parse is ParseUpdate into u: it sets u's fields to views of msg, or
// clears u and returns the *wire.Error ParseUpdate would. Filling a
// caller's Update spares the copy of the 96-octet result on hot paths.
func (u *Update) Parse(msg []byte) error {
	if w, a, n, ok := UpdateOffsets(msg); ok {
		u.Raw, u.Withdrawn, u.Attrs, u.NLRI = msg, msg[w:a-2], msg[a:n], msg[n:]
		return nil
	}
	*u = Update{}
	return parseError(msg)
}

// UpdateOffsets returns where the fields of the UPDATE msg (header
// included) start: the withdrawn routes are msg[withdrawn:attrs-2], the
// path attributes msg[attrs:nlri] and the NLRI msg[nlri:]. ok is false
// when the lengths do not add up; ParseUpdate then gives the error. It
// is Parse without the Update: it makes no call and inlines, so a walk
// keeps the offsets in registers and reads the fields straight from msg
// (nlri.CutIPv4 from an offset, attr.Cut).
func UpdateOffsets(msg []byte) (withdrawn, attrs, nlri int, ok bool) {
	if len(msg) >= wire.HeaderLen+4 {
		withdrawn = wire.HeaderLen + 2
		attrs = withdrawn + 2 + int(binary.BigEndian.Uint16(msg[wire.HeaderLen:]))
		if attrs <= len(msg) {
			nlri = attrs + int(binary.BigEndian.Uint16(msg[attrs-2:]))
			if nlri <= len(msg) {
				return withdrawn, attrs, nlri, true
			}
		}
	}
	return 0, 0, 0, false
}

// parseError tells why ParseUpdate rejected msg; out of line so that
// ParseUpdate stays small.
func parseError(msg []byte) error {
	if len(msg) < wire.HeaderLen+4 {
		var lf []byte // RFC 4271 §6.1: the data is the erroneous length field
		if len(msg) >= wire.MarkerLen+2 {
			lf = []byte{msg[wire.MarkerLen], msg[wire.MarkerLen+1]}
		}
		return wire.Errorf(wire.CodeHeader, wire.SubBadMessageLength, lf, "message: update shorter than 23 octets")
	}
	b := msg[wire.HeaderLen:]
	wl := int(binary.BigEndian.Uint16(b))
	if 2+wl+2 > len(b) {
		return wire.Errorf(wire.CodeUpdate, wire.SubMalformedAttributeList, nil, "message: withdrawn routes length %d runs past the message", wl)
	}
	al := int(binary.BigEndian.Uint16(b[2+wl:]))
	return wire.Errorf(wire.CodeUpdate, wire.SubMalformedAttributeList, nil, "message: path attribute length %d runs past the message", al)
}

// WithdrawnRoutes iterates the withdrawn-routes field (IPv4 unicast).
func (u Update) WithdrawnRoutes(ctx wire.Context) nlri.Iterator {
	return nlri.NewIterator(u.Withdrawn, wire.IPv4Unicast, ctx.AddPath(wire.IPv4Unicast))
}

// Announced iterates the NLRI field (IPv4 unicast).
func (u Update) Announced(ctx wire.Context) nlri.Iterator {
	return nlri.NewIterator(u.NLRI, wire.IPv4Unicast, ctx.AddPath(wire.IPv4Unicast))
}

// Attributes iterates the path attributes.
func (u Update) Attributes() attr.Iterator { return attr.NewIterator(u.Attrs) }

// MPReach returns the MP_REACH_NLRI attribute, if present.
func (u Update) MPReach() (attr.MPReach, bool, error) {
	v, ok := attr.Find(u.Attrs, attr.CodeMPReach)
	if !ok {
		return attr.MPReach{}, false, nil
	}
	m, err := attr.ParseMPReach(v)
	return m, true, err
}

// MPUnreach returns the MP_UNREACH_NLRI attribute, if present.
func (u Update) MPUnreach() (attr.MPUnreach, bool, error) {
	v, ok := attr.Find(u.Attrs, attr.CodeMPUnreach)
	if !ok {
		return attr.MPUnreach{}, false, nil
	}
	m, err := attr.ParseMPUnreach(v)
	return m, true, err
}

// EndOfRIB reports whether u is an End-of-RIB marker (RFC 4724 §2): for
// IPv4 unicast an UPDATE with no withdrawn routes, no attributes and no
// NLRI; for other families an UPDATE whose only attribute is an empty
// MP_UNREACH_NLRI.
func (u Update) EndOfRIB() (wire.Family, bool) {
	if len(u.Withdrawn) != 0 || len(u.NLRI) != 0 {
		return wire.Family{}, false
	}
	if len(u.Attrs) == 0 {
		return wire.IPv4Unicast, true
	}
	it := u.Attributes()
	if !it.Next() || it.Code() != attr.CodeMPUnreach {
		return wire.Family{}, false
	}
	m, err := attr.ParseMPUnreach(it.Value())
	if err != nil || len(m.NLRI) != 0 || it.Next() || it.Err() != nil {
		// A second attribute, or trailing bytes that are not one.
		return wire.Family{}, false
	}
	return m.Family, true
}

// AppendUpdate appends a whole UPDATE from already-encoded fields.
func AppendUpdate(dst, withdrawn, attrs, nlriField []byte) []byte {
	start := len(dst)
	dst = wire.AppendHeader(dst, wire.TypeUpdate)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(withdrawn)))
	dst = append(dst, withdrawn...)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(attrs)))
	dst = append(dst, attrs...)
	dst = append(dst, nlriField...)
	wire.SetLength(dst[start:])
	return dst
}
