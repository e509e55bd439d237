package exabgp

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ze-bgp/ze/speaker/wire"
)

// notification renders a NOTIFICATION (RFC 4271 §4.5):
//
//	"notification": { "code": 6, "subcode": 2, "data": "0x…" }
//
// (with the trailing space ExaBGP leaves before the closing brace of
// "neighbor"). data is "0x" and the upper-case hex of the data field,
// except for Cease / Administrative Shutdown and Reset (RFC 9003), where
// ExaBGP replaces the data by a text about the shutdown communication
// and prints that text's octets in hex:
//
//	Shutdown Communication: "TEXT"[, trailing data: 0xHEX]
//	empty Shutdown Communication.
//	invalid Shutdown Communication (buffer underrun|too large|invalid UTF-8) length : N [0xHEX]
//
// (ExaBGP 4.2 on Python 3 raises while building the last three and the
// first; the text is the one it means to print.)
func (r *renderer) notification(dst []byte, msg []byte) ([]byte, error) {
	n, err := wire.ParseNotification(msg)
	if err != nil {
		return dst, err
	}
	dst = append(dst, `"notification": { "code": `...)
	dst = strconv.AppendUint(dst, uint64(n.Code), 10)
	dst = append(dst, `, "subcode": `...)
	dst = strconv.AppendUint(dst, uint64(n.Subcode), 10)
	dst = append(dst, `, "data": "0x`...)
	if n.HasCommunication() && len(n.Data) > 0 {
		dst = appendHex(dst, []byte(shutdownText(n.Data)), hexUpper)
	} else {
		dst = appendHex(dst, n.Data, hexUpper)
	}
	return append(dst, `" } `...), nil
}

// shutdownText is ExaBGP's reading of a non-empty Cease shutdown data
// field: a length octet, then that many octets of UTF-8 (at most 128, the
// draft limit ExaBGP kept).
func shutdownText(data []byte) string {
	l := int(data[0])
	rest := data[1:]
	hex := func(b []byte) string { return "0x" + string(appendHex(nil, b, hexUpper)) }
	switch {
	case l == 0:
		return "empty Shutdown Communication."
	case len(rest) < l:
		return "invalid Shutdown Communication (buffer underrun) length : " + strconv.Itoa(l) + " [" + hex(rest) + "]"
	case l > 128:
		return "invalid Shutdown Communication (too large) length : " + strconv.Itoa(l) + " [" + hex(rest) + "]"
	case !utf8.Valid(rest[:l]):
		return "invalid Shutdown Communication (invalid UTF-8) length : " + strconv.Itoa(l) + " [" + hex(rest) + "]"
	}
	text := strings.NewReplacer("\r", " ", "\n", " ").Replace(string(rest[:l]))
	s := `Shutdown Communication: "` + text + `"`
	if len(rest) > l {
		s += ", trailing data: " + hex(rest[l:])
	}
	return s
}
