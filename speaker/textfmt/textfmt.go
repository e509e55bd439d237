package textfmt

import (
	"errors"
	"strconv"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

// AppendMessage appends the text lines for msg, one whole BGP message
// (header included) decoded with ctx, the context of the direction it
// was received in. Every line ends in '\n' and starts with the known
// parts of m: "TIME STREAM SRC>DST " (time in UTC, RFC 3339).
//
// An UPDATE gives one line per route (withdrawals first, then
// announcements, in wire order), "eor FAMILY" for an End-of-RIB, and a
// first line "rfc7606 ACTION "ERROR"" when RFC 7606 says to treat the
// routes as withdrawn or to discard an attribute. Other messages give
// one line each.
//
// On malformed input it appends one line
//
//	error "MESSAGE" action ACTION notification CODE/SUBCODE NAME/SUBNAME raw HEX
//
// and returns the *wire.Error (see zejson.AppendMessage).
func AppendMessage(dst []byte, msg []byte, ctx wire.Context, m zejson.Meta) ([]byte, error) {
	start := len(dst)
	length, typ, err := wire.Header(msg, ctx.MaxLen())
	if err == nil && length != len(msg) {
		err = wire.Errorf(wire.CodeHeader, wire.SubBadMessageLength, append([]byte(nil), msg[16:18]...),
			"textfmt: header length %d but the message has %d octets", length, len(msg))
	}
	if err == nil {
		pre := appendMeta(nil, m)
		switch typ {
		case wire.TypeOpen:
			dst, err = appendOpen(dst, pre, msg)
		case wire.TypeUpdate:
			dst, err = appendUpdate(dst, pre, msg, ctx)
		case wire.TypeNotification:
			var n wire.Notification
			if n, err = wire.ParseNotification(msg); err == nil {
				dst = append(dst, pre...)
				dst = appendNotification(append(dst, "notification "...), n)
				dst = append(dst, '\n')
			}
		case wire.TypeKeepalive:
			dst = append(append(dst, pre...), "keepalive\n"...)
		case wire.TypeRouteRefresh:
			var r wire.RouteRefresh
			if r, err = wire.ParseRouteRefresh(msg); err == nil {
				dst = append(append(dst, pre...), "route-refresh "...)
				dst = append(dst, r.Family.String()...)
				dst = append(dst, ' ')
				dst = append(dst, r.Subtype.String()...)
				dst = append(dst, '\n')
			}
		}
		if err == nil {
			return dst, nil
		}
	}
	return appendError(dst[:start], msg, err, m)
}

// appendMeta appends "TIME STREAM SRC>DST " for the parts of m that are
// known.
func appendMeta(dst []byte, m zejson.Meta) []byte {
	if m == (zejson.Meta{}) {
		return dst
	}
	if !m.Time.IsZero() {
		dst = m.Time.UTC().AppendFormat(dst, time.RFC3339Nano)
		dst = append(dst, ' ')
	}
	if m.Stream >= 0 {
		dst = strconv.AppendInt(dst, int64(m.Stream), 10)
		dst = append(dst, ' ')
	}
	if m.Src.IsValid() || m.Dst.IsValid() {
		if m.Src.IsValid() {
			dst = m.Src.AppendTo(dst)
		}
		dst = append(dst, '>')
		if m.Dst.IsValid() {
			dst = m.Dst.AppendTo(dst)
		}
		dst = append(dst, ' ')
	}
	return dst
}

// appendNotification appends "CODE/SUBCODE CODENAME/SUBCODENAME" and
// either the RFC 9003 communication, quoted, or "data HEX" followed by
// the data quoted when it is printable text. A Cease / Hard Reset is
// followed by "hard-reset" and the NOTIFICATION it encapsulates (RFC 8538
// §3) in the same form.
func appendNotification(dst []byte, n wire.Notification) []byte {
	dst = strconv.AppendUint(dst, uint64(n.Code), 10)
	dst = append(dst, '/')
	dst = strconv.AppendUint(dst, uint64(n.Subcode), 10)
	dst = append(dst, ' ')
	dst = append(dst, n.Code.String()...)
	dst = append(dst, '/')
	dst = append(dst, wire.SubcodeString(n.Code, n.Subcode)...)
	if text, rest, ok := n.Communication(); ok {
		dst = append(dst, ' ')
		dst = strconv.AppendQuote(dst, text)
		if len(rest) > 0 {
			dst = append(dst, " trailing "...)
			dst = zejson.AppendHex(dst, rest)
		}
	} else if inner, ok := n.HardReset(); ok {
		dst = append(dst, " hard-reset "...)
		dst = appendNotification(dst, inner)
	} else if len(n.Data) > 0 {
		dst = append(dst, " data "...)
		dst = zejson.AppendHex(dst, n.Data)
		if zejson.Printable(n.Data) {
			dst = append(dst, ' ')
			dst = strconv.AppendQuote(dst, string(n.Data))
		}
	}
	return dst
}

// appendOpen appends "open version V asn ASN my-as AS hold-time T
// router-id ID [extended-optional-parameters] caps [CAP; CAP…]" with
// each capability as capability.Describe writes it.
func appendOpen(dst, pre, msg []byte) ([]byte, error) {
	o, err := message.ParseOpen(msg)
	if err != nil {
		return dst, err
	}
	dst = append(dst, pre...)
	dst = append(dst, "open version "...)
	dst = strconv.AppendUint(dst, uint64(o.Version), 10)
	dst = append(dst, " asn "...)
	dst = strconv.AppendUint(dst, uint64(o.ASN()), 10)
	dst = append(dst, " my-as "...)
	dst = strconv.AppendUint(dst, uint64(o.MyAS), 10)
	dst = append(dst, " hold-time "...)
	dst = strconv.AppendUint(dst, uint64(o.HoldTime), 10)
	dst = append(dst, " router-id "...)
	dst = o.BGPIdentifier.AppendTo(dst)
	if o.Extended {
		dst = append(dst, " extended-optional-parameters"...)
	}
	dst = append(dst, " caps ["...)
	it := o.Capabilities()
	for i := 0; it.Next(); i++ {
		if i > 0 {
			dst = append(dst, "; "...)
		}
		dst = append(dst, capability.Describe(it.Code(), it.Value())...)
	}
	if err := it.Err(); err != nil {
		return dst, err
	}
	dst = append(dst, ']')
	pi := o.Parameters()
	for pi.Next() {
		if pi.Type() != message.ParamCapabilities {
			dst = append(dst, " parameter "...)
			dst = strconv.AppendUint(dst, uint64(pi.Type()), 10)
			dst = append(dst, ' ')
			dst = zejson.AppendHex(dst, pi.Value())
		}
	}
	return append(dst, '\n'), pi.Err()
}

// appendError appends the error line and returns err as a *wire.Error.
func appendError(dst, msg []byte, err error, m zejson.Meta) ([]byte, error) {
	var we *wire.Error
	if !errors.As(err, &we) {
		// Only the header check returns a plain error: a short message.
		we = wire.Errorf(wire.CodeHeader, wire.SubBadMessageLength, nil, "textfmt: message shorter than the %d-octet header", wire.HeaderLen)
	}
	dst = appendMeta(dst, m)
	dst = append(dst, "error "...)
	dst = strconv.AppendQuote(dst, we.Msg)
	dst = append(dst, " action "...)
	dst = append(dst, we.Action.String()...)
	dst = append(dst, " notification "...)
	dst = appendNotification(dst, wire.NotificationFor(we))
	dst = append(dst, " raw "...)
	dst = zejson.AppendHex(dst, msg)
	return append(dst, '\n'), we
}
