package zejson

import (
	"net/netip"
	"strconv"
	"time"
	"unicode/utf8"
)

// writer appends JSON to b and inserts the commas itself: every value
// or key written inside a container is preceded by a comma unless it is
// the container's first. Containers nest at most 64 deep (the renderer
// never goes beyond 8).
type writer struct {
	b        []byte
	depth    int
	started  uint64 // bit d: the container at depth d already holds a member
	afterKey bool
}

// sep writes the comma that precedes a member, if one is needed.
func (w *writer) sep() {
	if w.afterKey {
		w.afterKey = false
		return
	}
	if w.depth == 0 {
		return
	}
	bit := uint64(1) << (w.depth & 63)
	if w.started&bit != 0 {
		w.b = append(w.b, ',')
	} else {
		w.started |= bit
	}
}

func (w *writer) push(c byte) {
	w.sep()
	w.b = append(w.b, c)
	w.depth++
	w.started &^= uint64(1) << (w.depth & 63)
}

func (w *writer) pop(c byte) {
	w.depth--
	w.b = append(w.b, c)
}

func (w *writer) obj()    { w.push('{') }
func (w *writer) endObj() { w.pop('}') }
func (w *writer) arr()    { w.push('[') }
func (w *writer) endArr() { w.pop(']') }

// key writes a member name; keys are constant kebab-case ASCII and need
// no escaping.
func (w *writer) key(k string) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
	w.afterKey = true
}

func (w *writer) str(s string) {
	w.sep()
	w.b = appendQuoted(w.b, s)
}

func (w *writer) strBytes(s []byte) {
	w.sep()
	w.b = appendQuotedBytes(w.b, s)
}

func (w *writer) uint(v uint64) {
	w.sep()
	w.b = strconv.AppendUint(w.b, v, 10)
}

func (w *writer) int(v int) {
	w.sep()
	w.b = strconv.AppendInt(w.b, int64(v), 10)
}

func (w *writer) bool(v bool) {
	w.sep()
	w.b = strconv.AppendBool(w.b, v)
}

// hex writes b as a string of upper-case hex digits ("" for none).
func (w *writer) hex(b []byte) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = AppendHex(w.b, b)
	w.b = append(w.b, '"')
}

// hexByte writes "0xNN".
func (w *writer) hexByte(v uint8) {
	w.sep()
	w.b = append(w.b, '"', '0', 'x', hexDigits[v>>4], hexDigits[v&0xF], '"')
}

func (w *writer) addr(a netip.Addr) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = a.AppendTo(w.b)
	w.b = append(w.b, '"')
}

func (w *writer) prefix(p netip.Prefix) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = p.AppendTo(w.b)
	w.b = append(w.b, '"')
}

func (w *writer) addrPort(a netip.AddrPort) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = a.AppendTo(w.b)
	w.b = append(w.b, '"')
}

func (w *writer) time(t time.Time) {
	w.sep()
	w.b = append(w.b, '"')
	w.b = t.UTC().AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
}

// Convenience: key then value.
func (w *writer) kstr(k, v string)         { w.key(k); w.str(v) }
func (w *writer) kuint(k string, v uint64) { w.key(k); w.uint(v) }
func (w *writer) kint(k string, v int)     { w.key(k); w.int(v) }
func (w *writer) kbool(k string, v bool)   { w.key(k); w.bool(v) }
func (w *writer) khex(k string, v []byte)  { w.key(k); w.hex(v) }
func (w *writer) kaddr(k string, a netip.Addr) {
	w.key(k)
	w.addr(a)
}

const hexDigits = "0123456789ABCDEF"

// AppendHex appends b as upper-case hex digits, two per octet.
func AppendHex(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xF])
	}
	return dst
}

// appendQuoted appends s as a JSON string. Invalid UTF-8 becomes U+FFFD;
// control characters, quote, backslash and the JavaScript line
// separators U+2028/U+2029 are escaped.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscape(dst, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\uFFFD`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\u202`...)
			dst = append(dst, hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendQuotedBytes is appendQuoted for a byte slice (NOTIFICATION data
// shown as text: a rare path, so the string copy does not matter).
func appendQuotedBytes(dst []byte, s []byte) []byte {
	return appendQuoted(dst, string(s))
}

func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

// mark is a point of the output a writer can be rolled back to.
type mark struct {
	n        int
	depth    int
	started  uint64
	afterKey bool
}

func (w *writer) mark() mark { return mark{len(w.b), w.depth, w.started, w.afterKey} }

func (w *writer) reset(m mark) {
	w.b = w.b[:m.n]
	w.depth, w.started, w.afterKey = m.depth, m.started, m.afterKey
}

func appendUint(dst []byte, n uint64) []byte { return strconv.AppendUint(dst, n, 10) }
