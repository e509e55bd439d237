package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

// Message is one whole BGP message read from a capture or from hex text,
// or one report of bytes that could not be read as messages (Err set).
type Message struct {
	// Data is the whole message, 19-octet header included. When Err is
	// set it holds the first bytes that were skipped (at most
	// wire.MaxExtendedLen of them; nil when all of them were missing from
	// the capture). Data is a view valid only until the callback returns.
	Data []byte
	// Err is nil for a message; else it wraps ErrNotBGP, ErrMidStream,
	// ErrGap or ErrTruncated and says how many bytes were skipped.
	Err error
	// Index is the 0-based position of the message among the messages
	// of this read; -1 when Err is set.
	Index int
	// Stream is the TCP connection number, 0-based in the order the
	// connections were first seen (like tshark's tcp.stream, counting
	// only the connections the port filter lets through); -1 for hex.
	Stream int
	// Src and Dst are the TCP endpoints the message went from and to;
	// zero for hex input.
	Src, Dst netip.AddrPort
	// Time is the capture time of Frame; zero for hex input.
	Time time.Time
	// Frame is the 1-based number of the frame that completed the message
	// (counting every frame in the file, like tshark's frame.number); for
	// what comes out only at the end of the input (messages held behind
	// a hole, reports), the last frame of its direction; for hex input,
	// the 1-based line number.
	Frame int
}

// Reasons a Message carries in Err, to test with errors.Is.
var (
	// ErrNotBGP: bytes that do not start with a 16-octet all-ones marker
	// and a length of at least 19 (RFC 4271 §6.1, connection not
	// synchronized). They are skipped up to the next valid header.
	ErrNotBGP = errors.New("capture: bytes are not a BGP message")
	// ErrMidStream: the capture starts inside a TCP connection (its SYN
	// was not captured); the bytes before the first valid header are
	// skipped.
	ErrMidStream = errors.New("capture: connection start not captured")
	// ErrGap: bytes of the connection are missing from the capture (not
	// captured, cut by the snapshot length, or beyond the out-of-order
	// buffer); the message they belong to is skipped.
	ErrGap = errors.New("capture: bytes missing from the capture")
	// ErrTruncated: the input ends inside a message (end of capture, end
	// of the TCP connection, or end of a hex line).
	ErrTruncated = errors.New("capture: input ends inside a message")
)

// frameLen returns the length of the BGP message at the start of b: 0
// with a nil error when b is a possible but incomplete start, ErrNotBGP
// when b cannot start a message. The marker and length field decide
// (see the package doc); wire.Split does the common case.
func frameLen(b []byte) (int, error) {
	msg, _, err := wire.Split(b, wire.MaxExtendedLen)
	if err == nil {
		return len(msg), nil
	}
	if !markerPrefix(b) {
		return 0, ErrNotBGP
	}
	if len(b) < wire.HeaderLen {
		return 0, nil // marker so far, header incomplete
	}
	n := int(binary.BigEndian.Uint16(b[wire.MarkerLen:]))
	switch {
	case n < wire.HeaderLen:
		return 0, ErrNotBGP
	case len(b) < n:
		return 0, nil
	}
	// Unknown type or a length wrong for the type: still a whole message.
	return n, nil
}

// markerPrefix reports whether the first min(len(b), 16) octets are 0xFF.
func markerPrefix(b []byte) bool {
	if len(b) > wire.MarkerLen {
		b = b[:wire.MarkerLen]
	}
	for _, c := range b {
		if c != 0xFF {
			return false
		}
	}
	return true
}

// findHeader looks for a place to resynchronise in b: the first i where
// wire.Header accepts b[i:] (found), or where b[i:] is shorter than a
// header and could still become one (not found, keep b[i:]). When
// nothing qualifies it returns len(b), false.
func findHeader(b []byte) (i int, found bool) {
	for i < len(b) {
		j := bytes.IndexByte(b[i:], 0xFF)
		if j < 0 {
			return len(b), false
		}
		i += j
		rest := b[i:]
		if len(rest) < wire.HeaderLen {
			if markerPrefix(rest) {
				return i, false
			}
		} else if _, _, err := wire.Header(rest, wire.MaxExtendedLen); err == nil {
			return i, true
		}
		i++
	}
	return len(b), false
}
