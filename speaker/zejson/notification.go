package zejson

import (
	"unicode"
	"unicode/utf8"

	"github.com/ze-bgp/ze/speaker/wire"
)

// notification writes the "notification" member of a NOTIFICATION
// (RFC 4271 §4.5).
func (w *writer) notification(msg []byte) error {
	n, err := wire.ParseNotification(msg)
	if err != nil {
		return err
	}
	w.key("notification")
	w.notificationBody(n)
	return nil
}

// notificationBody writes {"code","subcode","code-name","subcode-name",
// "data"} and, for a Cease / Administrative Shutdown or Reset carrying an
// RFC 9003 shutdown communication, "communication" (and the octets after
// it, if any, as "communication-trailing"). Other data that is wholly
// printable UTF-8 (some daemons put a reason there) is repeated as
// "data-text". A Cease / Hard Reset shows the NOTIFICATION it
// encapsulates (RFC 8538 §3) as "hard-reset", in the same shape.
func (w *writer) notificationBody(n wire.Notification) {
	w.obj()
	w.kuint("code", uint64(n.Code))
	w.kuint("subcode", uint64(n.Subcode))
	w.kstr("code-name", n.Code.String())
	w.kstr("subcode-name", wire.SubcodeString(n.Code, n.Subcode))
	w.khex("data", n.Data)
	if text, rest, ok := n.Communication(); ok {
		w.kstr("communication", text)
		if len(rest) > 0 {
			w.khex("communication-trailing", rest)
		}
	} else if inner, ok := n.HardReset(); ok {
		w.key("hard-reset")
		w.notificationBody(inner)
	} else if Printable(n.Data) {
		w.key("data-text")
		w.strBytes(n.Data)
	}
	w.endObj()
}

// Printable reports whether b is non-empty, valid UTF-8 and holds only
// printable characters (spaces included, other white space not).
func Printable(b []byte) bool {
	if len(b) == 0 || !utf8.Valid(b) {
		return false
	}
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if !unicode.IsPrint(r) {
			return false
		}
		b = b[n:]
	}
	return true
}

// routeRefresh writes the "route-refresh" member (RFC 2918 §3, RFC 7313
// §3.2): family and subtype ("refresh", "begin", "end"; a reserved value
// as "reserved" plus "subtype-code").
func (w *writer) routeRefresh(msg []byte) error {
	r, err := wire.ParseRouteRefresh(msg)
	if err != nil {
		return err
	}
	w.key("route-refresh")
	w.obj()
	w.kstr("family", r.Family.String())
	w.kstr("subtype", r.Subtype.String())
	if r.Subtype > wire.RefreshEoRR {
		w.kuint("subtype-code", uint64(r.Subtype))
	}
	w.endObj()
	return nil
}
