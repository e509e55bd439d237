package textfmt

import (
	"errors"
	"net/netip"
	"strconv"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

// appendUpdate appends the lines of an UPDATE (RFC 4271 §4.3):
//
//	eor FAMILY                                          End-of-RIB (RFC 4724 §2)
//	rfc7606 ACTION "ERROR"                              a non-reset RFC 7606 verdict
//	withdraw route PREFIX [path-information N] [family F]
//	withdraw FAMILY raw HEX                             NLRI of a family not decoded yet
//	announce route PREFIX [next-hop IP [link-local IP]] ATTRIBUTES [path-information N] [family F]
//	announce FAMILY raw HEX [next-hop …] ATTRIBUTES
//	update ATTRIBUTES                                   attributes without any route
//
// "family" is written only for multicast. A session-reset problem is
// returned as the error.
func appendUpdate(dst, pre, msg []byte, ctx wire.Context) ([]byte, error) {
	u, err := message.ParseUpdate(msg)
	if err != nil {
		return dst, err
	}
	var verdict *wire.Error
	if err := message.Check(u, ctx); err != nil {
		if !errors.As(err, &verdict) || verdict.Action >= wire.ActionSessionReset {
			return dst, err
		}
		// An attribute list that breaks off (RFC 7606 §4) is shown up
		// to the break; the verdict says what broke.
		u.Attrs = attr.Whole(u.Attrs)
	}
	if f, ok := u.EndOfRIB(); ok {
		dst = append(dst, pre...)
		dst = append(dst, "eor "...)
		dst = append(dst, f.String()...)
		return append(dst, '\n'), nil
	}
	if verdict != nil {
		dst = append(dst, pre...)
		dst = append(dst, "rfc7606 "...)
		dst = append(dst, verdict.Action.String()...)
		dst = append(dst, ' ')
		dst = strconv.AppendQuote(dst, verdict.Msg)
		dst = append(dst, '\n')
	}
	lines := 0

	// Withdrawals: the withdrawn-routes field, then MP_UNREACH_NLRI.
	if dst, err = appendRoutes(dst, pre, "withdraw", u.Withdrawn, wire.IPv4Unicast, ctx, nil, nil, &lines); err != nil {
		return dst, err
	}
	it := u.Attributes()
	for it.Next() {
		if it.Code() != attr.CodeMPUnreach {
			continue
		}
		m, err := attr.ParseMPUnreach(it.Value())
		if err != nil {
			return dst, err
		}
		if dst, err = appendRoutes(dst, pre, "withdraw", m.NLRI, m.Family, ctx, nil, nil, &lines); err != nil {
			return dst, err
		}
	}
	if err := it.Err(); err != nil {
		return dst, err
	}

	// Announcements: MP_REACH_NLRI, then the NLRI field.
	attrs := appendAttrs(nil, u, ctx)
	it = u.Attributes()
	for it.Next() {
		if it.Code() != attr.CodeMPReach {
			continue
		}
		m, err := attr.ParseMPReach(it.Value())
		if err != nil {
			return dst, err
		}
		nh := mpNextHop(nil, m)
		if dst, err = appendRoutes(dst, pre, "announce", m.NLRI, m.Family, ctx, nh, attrs, &lines); err != nil {
			return dst, err
		}
	}
	if err := it.Err(); err != nil {
		return dst, err
	}
	var nh []byte
	if v, ok := attr.Find(u.Attrs, attr.CodeNextHop); ok {
		if a, err := attr.ParseNextHop(v); err == nil {
			nh = a.AppendTo(append(nh, " next-hop "...))
		}
	}
	if dst, err = appendRoutes(dst, pre, "announce", u.NLRI, wire.IPv4Unicast, ctx, nh, attrs, &lines); err != nil {
		return dst, err
	}
	if lines == 0 {
		dst = append(dst, pre...)
		dst = append(dst, "update"...)
		dst = append(dst, attrs...)
		dst = append(dst, '\n')
	}
	return dst, nil
}

// appendRoutes appends one line per NLRI in b (none for an empty b).
// nh and attrs are the already-formatted " next-hop …" and attribute
// words of an announcement.
func appendRoutes(dst, pre []byte, verb string, b []byte, f wire.Family, ctx wire.Context, nh, attrs []byte, lines *int) ([]byte, error) {
	if len(b) == 0 {
		return dst, nil
	}
	if !f.IsIP() {
		*lines++
		dst = append(dst, pre...)
		dst = append(dst, verb...)
		dst = append(dst, ' ')
		dst = append(dst, f.String()...)
		dst = append(dst, " raw "...)
		dst = zejson.AppendHex(dst, b)
		dst = append(dst, nh...)
		dst = append(dst, attrs...)
		return append(dst, '\n'), nil
	}
	addPath := ctx.AddPath(f)
	it := nlri.NewIterator(b, f, addPath)
	for it.Next() {
		*lines++
		dst = append(dst, pre...)
		dst = append(dst, verb...)
		dst = append(dst, " route "...)
		dst = it.Prefix().AppendTo(dst)
		dst = append(dst, nh...)
		dst = append(dst, attrs...)
		if addPath {
			dst = append(dst, " path-information "...)
			dst = strconv.AppendUint(dst, uint64(it.PathID()), 10)
		}
		if f.SAFI != wire.SAFIUnicast {
			dst = append(dst, " family "...)
			dst = append(dst, f.String()...)
		}
		dst = append(dst, '\n')
	}
	return dst, it.Err()
}

// mpNextHop appends " next-hop IP [link-local IP]", " next-hop-raw HEX"
// for a next hop that is not one or two addresses, or nothing for an
// empty one.
func mpNextHop(dst []byte, m attr.MPReach) []byte {
	if len(m.NextHop) == 0 {
		return dst
	}
	g, ll, ok := m.NextHops()
	if !ok {
		dst = append(dst, " next-hop-raw "...)
		return zejson.AppendHex(dst, m.NextHop)
	}
	dst = g.AppendTo(append(dst, " next-hop "...))
	if ll.IsValid() {
		dst = ll.AppendTo(append(dst, " link-local "...))
	}
	return dst
}

// appendAddrList appends " [A B …]" for n IPv4-shaped addresses.
func appendAddrList(dst []byte, n int, at func(int) netip.Addr) []byte {
	dst = append(dst, " ["...)
	for i := range n {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = at(i).AppendTo(dst)
	}
	return append(dst, ']')
}
