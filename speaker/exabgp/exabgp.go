package exabgp

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

// Version selects the ExaBGP JSON dialect.
type Version int

// Dialects.
const (
	V4 Version = 4 // ExaBGP 4.x: "exabgp": "4.0.1"
	V5 Version = 5 // ExaBGP 5.x: "exabgp": "5.0.0"
)

// String returns the value of the "exabgp" key: "4.0.1" or "5.0.0".
func (v Version) String() string {
	if v == V4 {
		return "4.0.1"
	}
	return "5.0.0"
}

// Neighbor is the session a message belongs to, as the "neighbor" object
// shows it. Direction is "in" or "out" (ExaBGP's process API says
// "receive"/"send"; any non-empty text is printed as given, an empty one
// leaves the key out as ExaBGP does). RouterID is printed by V5 only.
type Neighbor struct {
	LocalAddress, PeerAddress netip.Addr
	LocalAS, PeerAS           uint32
	RouterID                  netip.Addr
	Direction                 string
}

// Meta holds the values ExaBGP takes from its process: the time the
// message was rendered (printed as float seconds), the host name, the
// process and parent process IDs, and the per-neighbor message counter.
type Meta struct {
	Time      time.Time
	Host      string
	PID, PPID int
	Counter   int
}

// AppendMessage appends one JSON object (no trailing newline) for msg, a
// whole BGP message (header included), decoded with ctx: the receiving
// direction's negotiated encoding context (4-octet ASNs, ADD-PATH per
// family). The output is ExaBGP v's rendering of the message as its API
// shows a parsed message, with n and m filling the envelope.
//
// Errors: a malformed header (wire.Header's *wire.Error), and any message
// ExaBGP itself fails to decode (it resets the session instead of
// printing): a short or inconsistent body, a malformed attribute that is
// not treated as withdraw, a bad next hop, a malformed prefix. On error
// dst is returned unchanged.
func AppendMessage(dst []byte, v Version, msg []byte, ctx wire.Context, n Neighbor, m Meta) ([]byte, error) {
	if v != V4 && v != V5 {
		return dst, fmt.Errorf("exabgp: unknown version %d", int(v))
	}
	length, typ, err := wire.Header(msg, wire.MaxExtendedLen)
	if err != nil {
		return dst, err
	}
	if length != len(msg) {
		return dst, wire.Errorf(wire.CodeHeader, wire.SubBadMessageLength, nil,
			"exabgp: message length field %d, %d octets given", length, len(msg))
	}
	r := renderer{v: v, ctx: ctx}
	var body []byte
	switch typ {
	case wire.TypeUpdate:
		body, err = r.update(nil, msg)
	case wire.TypeOpen:
		body, err = r.open(nil, msg)
	case wire.TypeNotification:
		body, err = r.notification(nil, msg)
	case wire.TypeKeepalive:
	case wire.TypeRouteRefresh:
		body, err = r.refresh(nil, msg)
	}
	if err != nil {
		return dst, err
	}
	dst = r.header(dst, typ, n, m)
	dst = r.neighbor(dst, n, body)
	return append(dst, " }"...), nil
}

// renderer carries the dialect and context through one message.
type renderer struct {
	v   Version
	ctx wire.Context
}

// header appends the envelope of message typ up to and including the
// "type" key:
//
//	{ "exabgp": "4.0.1", "time": 1.5, "host" : "h", "pid" : 1, "ppid" : 1, "counter": 1, "type": "update",
func (r *renderer) header(dst []byte, typ wire.Type, n Neighbor, m Meta) []byte {
	name := typ.String()
	if typ == wire.TypeRouteRefresh {
		name = "refresh"
	}
	dst = r.envelope(dst, m)
	return r.typed(dst, m, name)
}

// envelope appends the envelope's keys every event has, up to the PPID:
//
//	{ "exabgp": "4.0.1", "time": 1.5, "host" : "h", "pid" : 1, "ppid" : 1
func (r *renderer) envelope(dst []byte, m Meta) []byte {
	dst = append(dst, `{ "exabgp": "`...)
	dst = append(dst, r.v.String()...)
	dst = append(dst, `", "time": `...)
	dst = appendTime(dst, m.Time)
	dst = append(dst, `, "host" : "`...)
	dst = appendString(dst, m.Host)
	dst = append(dst, `", "pid" : `...)
	dst = strconv.AppendInt(dst, int64(m.PID), 10)
	dst = append(dst, `, "ppid" : `...)
	return strconv.AppendInt(dst, int64(m.PPID), 10)
}

// typed appends the counter and the type after envelope:
//
//	, "counter": 1, "type": "update",
func (r *renderer) typed(dst []byte, m Meta, typ string) []byte {
	dst = append(dst, `, "counter": `...)
	dst = strconv.AppendInt(dst, int64(m.Counter), 10)
	dst = append(dst, `, "type": "`...)
	dst = append(dst, typ...)
	return append(dst, `", `...)
}

// neighbor appends the "neighbor" object with content (the message's
// key and value, or nothing for a KEEPALIVE) inside it. V4:
//
//	"neighbor": { "address": { … }, "asn": { … } , "direction": "in", CONTENT }
//
// V5 indents with the spaces its template keeps and adds the router ID:
//
//	"neighbor": {     "address": { … },     "asn": { … }, "router-id": "R" , "direction": "in", CONTENT }
func (r *renderer) neighbor(dst []byte, n Neighbor, content []byte) []byte {
	indent := " "
	if r.v == V5 {
		indent = "     "
	}
	dst = append(dst, `"neighbor": {`...)
	dst = append(dst, indent...)
	dst = append(dst, `"address": { "local": "`...)
	dst = appendAddr(dst, n.LocalAddress)
	dst = append(dst, `", "peer": "`...)
	dst = appendAddr(dst, n.PeerAddress)
	dst = append(dst, `" },`...)
	dst = append(dst, indent...)
	dst = append(dst, `"asn": { "local": `...)
	dst = strconv.AppendUint(dst, uint64(n.LocalAS), 10)
	dst = append(dst, `, "peer": `...)
	dst = strconv.AppendUint(dst, uint64(n.PeerAS), 10)
	dst = append(dst, ` }`...)
	if r.v == V5 {
		dst = append(dst, `, "router-id": "`...)
		dst = appendAddr(dst, n.RouterID)
		dst = append(dst, '"')
	}
	dst = append(dst, ' ')
	if n.Direction != "" {
		dst = append(dst, `, "direction": "`...)
		dst = appendString(dst, n.Direction)
		dst = append(dst, '"')
	}
	if len(content) != 0 {
		dst = append(dst, ", "...)
		dst = append(dst, content...)
	} else {
		dst = append(dst, ' ')
	}
	return append(dst, " }"...)
}

// refresh renders a ROUTE-REFRESH (RFC 2918 §3, RFC 7313 §3.2):
//
//	"route-refresh": { "afi": "ipv4", "safi": "unicast", "subtype": "query" }
//
// ExaBGP 4.2 quotes the three values twice (""ipv4""), which is not JSON;
// both dialects here quote them once. A subtype other than 0-2 is an
// error, as in ExaBGP.
func (r *renderer) refresh(dst []byte, msg []byte) ([]byte, error) {
	rr, err := wire.ParseRouteRefresh(msg)
	if err != nil {
		return dst, err
	}
	var sub string
	switch rr.Subtype {
	case wire.RefreshNormal:
		sub = "query"
	case wire.RefreshBoRR:
		sub = "begin"
	case wire.RefreshEoRR:
		sub = "end"
	default:
		return dst, wire.Errorf(wire.CodeRouteRefresh, 2, nil, "exabgp: route-refresh subtype %d", rr.Subtype)
	}
	dst = append(dst, `"route-refresh": { "afi": "`...)
	dst = append(dst, afiName(r.v, rr.Family.AFI)...)
	dst = append(dst, `", "safi": "`...)
	dst = append(dst, safiName(r.v, rr.Family.SAFI)...)
	dst = append(dst, `", "subtype": "`...)
	dst = append(dst, sub...)
	return append(dst, `" }`...), nil
}
