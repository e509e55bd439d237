package exabgp

import (
	"unicode/utf8"
)

// AppendState appends the JSON object (no trailing newline) ExaBGP's
// process API sends when the session n changes state: state is
// "connected", "up" or "down", and reason (printed for "down" only) says
// why, with its brackets and braces turned into parentheses as ExaBGP
// does. n.Direction, when not empty, is printed as in AppendMessage
// (ExaBGP prints none). V4:
//
//	{ "exabgp": "4.0.1", "time": T, "host" : "H", "pid" : P, "ppid" : PP, "counter": C, "type": "state", "neighbor": { "address": { "local": "L", "peer": "R" }, "asn": { "local": 1, "peer": 2 } , "state": "down", "reason": "…" }
//
// V5 lays the "neighbor" object out as AppendMessage does (router ID
// included); any v other than V4 is rendered as V5.
func AppendState(dst []byte, v Version, n Neighbor, state string, reason string, m Meta) []byte {
	r := renderer{v: v}
	dst = r.envelope(dst, m)
	dst = r.typed(dst, m, "state")
	content := make([]byte, 0, 32+len(reason))
	content = append(content, `"state": "`...)
	content = appendString(content, state)
	content = append(content, '"')
	if state == "down" {
		content = append(content, `, "reason": `...)
		content = appendReason(content, reason)
	}
	dst = r.neighbor(dst, n, content)
	return append(dst, " }"...)
}

// AppendShutdown appends the JSON object (no trailing newline) ExaBGP's
// process API sends to every process when the speaker stops; it has no
// counter and no neighbor. V4:
//
//	{ "exabgp": "4.0.1", "time": T, "host" : "H", "pid" : P, "ppid" : PP, "type": "notification", "notification": "shutdown" }
//
// Any v other than V4 is rendered as V5 ("exabgp": "5.0.0").
func AppendShutdown(dst []byte, v Version, m Meta) []byte {
	r := renderer{v: v}
	dst = r.envelope(dst, m)
	return append(dst, `, "type": "notification", "notification": "shutdown" }`...)
}

// appendReason appends reason as a quoted JSON string, ExaBGP's brackets
// and braces turned into parentheses: '"' and '\' escaped, control
// characters as \u00XX, everything else as UTF-8 (an invalid byte as
// U+FFFD).
func appendReason(dst []byte, reason string) []byte {
	dst = append(dst, '"')
	for _, c := range reason {
		switch {
		case c == '[' || c == '{':
			dst = append(dst, '(')
		case c == ']' || c == '}':
			dst = append(dst, ')')
		case c == '"' || c == '\\':
			dst = append(dst, '\\', byte(c))
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexLower[c>>4], hexLower[c&0xF])
		default:
			dst = utf8.AppendRune(dst, c)
		}
	}
	return append(dst, '"')
}
