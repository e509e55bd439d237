package api

import (
	"bytes"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ze-bgp/ze/speaker/exabgp"
	"github.com/ze-bgp/ze/speaker/textfmt"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

// Encoder is the format of the events a process is sent.
type Encoder uint8

// Encoders.
const (
	EncoderJSON Encoder = iota // "json": ExaBGP 4.x JSON, one object per line
	EncoderText                // "text": ExaBGP's text lines
	EncoderZe                  // "ze-json": ze's JSON (docs/json.md inside an envelope)
)

// String returns "json", "text" or "ze-json".
func (e Encoder) String() string {
	switch e {
	case EncoderText:
		return "text"
	case EncoderZe:
		return "ze-json"
	}
	return "json"
}

// ParseEncoder reads "json", "text" or "ze-json" (config.Process.Encoder).
func ParseEncoder(s string) (Encoder, error) {
	switch s {
	case "json", "":
		return EncoderJSON, nil
	case "text":
		return EncoderText, nil
	case "ze-json":
		return EncoderZe, nil
	}
	return 0, errorf("unknown encoder %q (json, text or ze-json)", s)
}

// Direction is which way a message travelled.
type Direction uint8

// Directions.
const (
	Receive Direction = iota // from the peer
	Send                     // to the peer
)

// String returns ExaBGP's words, "receive" or "send".
func (d Direction) String() string {
	if d == Send {
		return "send"
	}
	return "receive"
}

// State is a session state change as ExaBGP reports it.
type State uint8

// States.
const (
	StateConnected State = iota // the TCP connection is up
	StateUp                     // the session is Established
	StateDown                   // the session went down
)

// String returns "connected", "up" or "down".
func (s State) String() string {
	switch s {
	case StateUp:
		return "up"
	case StateDown:
		return "down"
	}
	return "connected"
}

// Meta fills an event's envelope: the time, this host's name, the
// speaker's process ID and parent process ID, and the per-neighbor
// message counter ExaBGP prints (the speaker counts).
type Meta struct {
	Time      time.Time
	Host      string
	PID, PPID int
	Counter   int
}

// NowMeta returns a Meta for now, this host and this process, with
// counter.
func NowMeta(counter int) Meta {
	h, _ := os.Hostname()
	return Meta{Time: time.Now(), Host: h, PID: os.Getpid(), PPID: os.Getppid(), Counter: counter}
}

func (n Neighbor) exabgp(d string) exabgp.Neighbor {
	return exabgp.Neighbor{LocalAddress: n.LocalAddress, PeerAddress: n.PeerAddress, LocalAS: n.LocalAS, PeerAS: n.PeerAS, RouterID: n.RouterID, Direction: d}
}

func (m Meta) exabgp() exabgp.Meta {
	return exabgp.Meta{Time: m.Time, Host: m.Host, PID: m.PID, PPID: m.PPID, Counter: m.Counter}
}

// AppendMessage appends the event for msg, one whole BGP message sent
// or received on session n and decoded with ctx (the context of the
// direction it travelled), ending in '\n':
//
//   - EncoderJSON: exabgp.AppendMessage (ExaBGP 4.x), "direction" being
//     "receive" or "send";
//   - EncoderText: ExaBGP's text lines ("neighbor P receive update
//     start" … "end" around one line per route, see docs/api.md);
//   - EncoderZe: {"time":…,"neighbor":{…},"direction":…,"message":ZEJSON}.
//
// On error (a message the encoder cannot decode) dst is returned
// unchanged with the encoder's error.
func AppendMessage(dst []byte, enc Encoder, msg []byte, ctx wire.Context, n Neighbor, dir Direction, m Meta) ([]byte, error) {
	start := len(dst)
	var err error
	switch enc {
	case EncoderText:
		dst, err = appendText(dst, msg, ctx, n, dir)
	case EncoderZe:
		dst = zeHead(dst, "message", n, m)
		dst = append(dst, `,"direction":"`...)
		dst = append(dst, dir.String()...)
		dst = append(dst, `","message":`...)
		dst, err = zejson.AppendMessage(dst, msg, ctx, zejson.NoMeta)
		dst = append(dst, "}\n"...)
	default:
		dst, err = exabgp.AppendMessage(dst, exabgp.V4, msg, ctx, n.exabgp(dir.String()), m.exabgp())
		dst = append(dst, '\n')
	}
	if err != nil {
		return dst[:start], err
	}
	return dst, nil
}

// AppendState appends the event for a session state change, ending in
// '\n'. reason is printed for StateDown only. ExaBGP 4.x JSON:
//
//	{ "exabgp": "4.0.1", "time": T, "host" : "H", "pid" : P, "ppid" : PP, "counter": C, "type": "state", "neighbor": { "address": { "local": "L", "peer": "R" }, "asn": { "local": 1, "peer": 2 } , "state": "down", "reason": "…" } }
//
// (exabgp.AppendState, which turns brackets and braces of the reason
// into parentheses as ExaBGP does); text: "neighbor R up", "neighbor R connected", "neighbor R down -
// REASON"; ze JSON: {"time":…,"type":"state","neighbor":{…},"state":…,"reason":…}.
func AppendState(dst []byte, enc Encoder, n Neighbor, s State, reason string, m Meta) []byte {
	switch enc {
	case EncoderText:
		dst = append(dst, "neighbor "...)
		dst = n.PeerAddress.AppendTo(dst)
		dst = append(dst, ' ')
		dst = append(dst, s.String()...)
		if s == StateDown {
			dst = append(dst, " - "...)
			dst = append(dst, oneLine(reason)...)
		}
		return append(dst, '\n')
	case EncoderZe:
		dst = zeHead(dst, "state", n, m)
		dst = append(dst, `,"state":"`...)
		dst = append(dst, s.String()...)
		dst = append(dst, '"')
		if s == StateDown {
			dst = append(dst, `,"reason":`...)
			dst = appendJSONString(dst, reason)
		}
		return append(dst, "}\n"...)
	}
	dst = exabgp.AppendState(dst, exabgp.V4, n.exabgp(""), s.String(), reason, m.exabgp())
	return append(dst, '\n')
}

// AppendShutdown appends the event sent to every process when the
// speaker stops, ending in '\n'. ExaBGP 4.x JSON:
//
//	{ "exabgp": "4.0.1", "time": T, "host" : "H", "pid" : P, "ppid" : PP, "type": "notification", "notification": "shutdown" }
//
// text: "shutdown PID PPID"; ze JSON: {"time":…,"type":"shutdown"}.
func AppendShutdown(dst []byte, enc Encoder, m Meta) []byte {
	switch enc {
	case EncoderText:
		dst = append(dst, "shutdown "...)
		dst = strconv.AppendInt(dst, int64(m.PID), 10)
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(m.PPID), 10)
		return append(dst, '\n')
	case EncoderZe:
		return append(zeHead(dst, "shutdown", Neighbor{}, m), "}\n"...)
	}
	return append(exabgp.AppendShutdown(dst, exabgp.V4, m.exabgp()), '\n')
}

// shutdownEvent is the line a stopping Process sends.
func shutdownEvent(enc Encoder) []byte {
	return AppendShutdown(nil, enc, NowMeta(0))
}

// zeHead opens a ze JSON event: {"time":"RFC3339","type":"T"[,"neighbor":{…}]
func zeHead(dst []byte, typ string, n Neighbor, m Meta) []byte {
	dst = append(dst, `{"time":"`...)
	dst = m.Time.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","type":"`...)
	dst = append(dst, typ...)
	dst = append(dst, '"')
	if n.PeerAddress.IsValid() {
		dst = append(dst, `,"neighbor":{"local-address":`...)
		dst = appendAddr(dst, n.LocalAddress)
		dst = append(dst, `,"peer-address":`...)
		dst = appendAddr(dst, n.PeerAddress)
		dst = append(dst, `,"local-as":`...)
		dst = strconv.AppendUint(dst, uint64(n.LocalAS), 10)
		dst = append(dst, `,"peer-as":`...)
		dst = strconv.AppendUint(dst, uint64(n.PeerAS), 10)
		dst = append(dst, '}')
	}
	return dst
}

// appendAddr appends a quoted address, or null when a is invalid.
func appendAddr(dst []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return append(dst, "null"...)
	}
	dst = append(dst, '"')
	dst = a.AppendTo(dst)
	return append(dst, '"')
}

// appendJSONString appends s as a quoted JSON string.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xF])
		default:
			dst = append(dst, string(r)...)
		}
	}
	return append(dst, '"')
}

// oneLine replaces line breaks so that a text event stays one line.
func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

// appendText appends ExaBGP's text lines for msg.
func appendText(dst []byte, msg []byte, ctx wire.Context, n Neighbor, dir Direction) ([]byte, error) {
	_, typ, err := wire.Header(msg, wire.MaxExtendedLen)
	if err != nil {
		return dst, err
	}
	pre := append([]byte("neighbor "), n.PeerAddress.String()...)
	pre = append(append(pre, ' '), dir.String()...)
	pre = append(pre, ' ')
	switch typ {
	case wire.TypeKeepalive:
		return append(append(dst, pre...), "keepalive\n"...), nil
	case wire.TypeNotification:
		no, err := wire.ParseNotification(msg)
		if err != nil {
			return dst, err
		}
		dst = append(append(dst, pre...), "notification code "...)
		dst = strconv.AppendUint(dst, uint64(no.Code), 10)
		dst = append(dst, " subcode "...)
		dst = strconv.AppendUint(dst, uint64(no.Subcode), 10)
		dst = append(dst, " data "...)
		for _, b := range no.Data {
			dst = append(dst, "0123456789ABCDEF"[b>>4], "0123456789ABCDEF"[b&0xF])
		}
		return append(dst, '\n'), nil
	case wire.TypeRouteRefresh:
		rr, err := wire.ParseRouteRefresh(msg)
		if err != nil {
			return dst, err
		}
		afi, safi, _ := strings.Cut(rr.Family.String(), "/")
		dst = append(append(dst, pre...), "route-refresh afi "...)
		dst = append(dst, afi...)
		dst = append(dst, " safi "...)
		dst = append(dst, safi...)
		dst = append(dst, ' ')
		dst = append(dst, rr.Subtype.String()...)
		return append(dst, '\n'), nil
	}
	lines, err := textfmt.AppendMessage(nil, msg, ctx, zejson.Meta{Stream: -1})
	if err != nil {
		return dst, err
	}
	if typ != wire.TypeUpdate {
		for l := range bytes.Lines(lines) {
			dst = append(append(dst, pre...), l...)
		}
		return dst, nil
	}
	// ExaBGP frames an UPDATE's routes with start and end lines.
	pre = append(pre, "update "...)
	dst = append(append(dst, pre...), "start\n"...)
	for l := range bytes.Lines(lines) {
		dst = append(dst, pre...)
		if r, ok := bytes.CutPrefix(l, []byte("announce route ")); ok {
			dst = append(append(dst, "announced "...), r...)
		} else if r, ok := bytes.CutPrefix(l, []byte("withdraw route ")); ok {
			dst = append(append(dst, "withdrawn "...), r...)
		} else {
			dst = append(dst, l...)
		}
	}
	return append(append(dst, pre...), "end\n"...), nil
}
