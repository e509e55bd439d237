package zejson

import (
	"errors"
	"net/netip"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

// Meta is what is known about a message besides its bytes. Zero fields
// are left out of the output: Index 0, a zero Time, invalid Src/Dst and
// a negative Stream. The zero Meta stands for "nothing known" and also
// leaves Stream out.
type Meta struct {
	// Index is the message's position in its source, counting from 1
	// (a capture line, a message number in a session).
	Index int
	// Stream is the TCP stream (session) number, -1 if unknown.
	Stream int
	// Src and Dst are the sender and the receiver.
	Src, Dst netip.AddrPort
	// Time is when the message was seen; it is written in UTC, RFC 3339
	// with nanoseconds.
	Time time.Time
}

// NoMeta is the Meta of a message nothing is known about.
var NoMeta = Meta{Stream: -1}

func (w *writer) meta(m Meta) {
	if m == (Meta{}) {
		return
	}
	if m.Index > 0 {
		w.kint("index", m.Index)
	}
	if !m.Time.IsZero() {
		w.key("time")
		w.time(m.Time)
	}
	if m.Stream >= 0 {
		w.kint("stream", m.Stream)
	}
	if m.Src.IsValid() {
		w.key("src")
		w.addrPort(m.Src)
	}
	if m.Dst.IsValid() {
		w.key("dst")
		w.addrPort(m.Dst)
	}
}

// AppendMessage appends one JSON object (no newline) describing msg, one
// whole BGP message (header included), decoded with ctx, the encoding
// context of the direction it was received in. The object starts with
// the Meta fields, then "type" and "length", then one member named after
// the type ("open", "update", "notification", "route-refresh"; none for
// a KEEPALIVE). docs/json.md describes every member.
//
// On malformed input it still appends a JSON object — the Meta fields,
// "type" and "length" when the header has them, "parsed":false,
// "error", "action", the "notification" the error implies and the
// message as "raw" upper-case hex — and returns the *wire.Error.
// Problems RFC 7606 handles without a session reset (treat-as-withdraw,
// attribute-discard) are shown inside the UPDATE instead and do not
// make an error.
//
// The output is valid JSON and depends only on the arguments. dst may
// be nil; AppendMessage allocates only to grow dst and for a few rare
// attributes.
func AppendMessage(dst []byte, msg []byte, ctx wire.Context, m Meta) ([]byte, error) {
	start := len(dst)
	length, typ, err := wire.Header(msg, ctx.MaxLen())
	if err == nil && length != len(msg) {
		err = wire.Errorf(wire.CodeHeader, wire.SubBadMessageLength, append([]byte(nil), msg[16:18]...),
			"zejson: header length %d but the message has %d octets", length, len(msg))
	}
	if err != nil {
		return appendError(dst, msg, err, m)
	}
	w := writer{b: dst}
	w.obj()
	w.meta(m)
	w.kstr("type", typ.String())
	w.kint("length", length)
	switch typ {
	case wire.TypeOpen:
		err = w.open(msg)
	case wire.TypeUpdate:
		err = w.update(msg, ctx)
	case wire.TypeNotification:
		err = w.notification(msg)
	case wire.TypeRouteRefresh:
		err = w.routeRefresh(msg)
	}
	if err != nil {
		return appendError(w.b[:start], msg, err, m)
	}
	w.endObj()
	return w.b, nil
}

// appendError appends the object for a message that could not be
// decoded and returns err as a *wire.Error.
func appendError(dst []byte, msg []byte, err error, m Meta) ([]byte, error) {
	we := asWireError(err, msg)
	w := writer{b: dst}
	w.obj()
	w.meta(m)
	if len(msg) >= wire.HeaderLen {
		w.kstr("type", wire.Type(msg[18]).String())
		w.kint("length", int(msg[16])<<8|int(msg[17]))
	}
	w.kbool("parsed", false)
	w.kstr("error", we.Msg)
	w.kstr("action", we.Action.String())
	w.key("notification")
	w.notificationBody(wire.NotificationFor(we))
	w.khex("raw", msg)
	w.endObj()
	return w.b, we
}

// asWireError returns err as a *wire.Error; other errors (a short read)
// become the error the message type implies for a bad length.
func asWireError(err error, msg []byte) *wire.Error {
	var we *wire.Error
	if errors.As(err, &we) {
		return we
	}
	if len(msg) < wire.HeaderLen {
		return wire.Errorf(wire.CodeHeader, wire.SubBadMessageLength, nil, "zejson: message shorter than the %d-octet header", wire.HeaderLen)
	}
	switch wire.Type(msg[18]) {
	case wire.TypeOpen:
		return wire.Errorf(wire.CodeOpen, 0, nil, "zejson: open: %v", err)
	case wire.TypeUpdate:
		return wire.Errorf(wire.CodeUpdate, wire.SubMalformedAttributeList, nil, "zejson: update: %v", err)
	}
	return wire.Errorf(wire.CodeHeader, wire.SubBadMessageLength, nil, "zejson: %v", err)
}
