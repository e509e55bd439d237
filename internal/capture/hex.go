package capture

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ze-bgp/ze/speaker/wire"
)

// maxHexLine bounds one line of hex text (a few maximal messages).
const maxHexLine = 8 << 20

// ParseHexLine decodes one line of hex text into bytes.
//
// Accepted: hex digits in either case; groups of digits separated by
// white space, ':', '-' or ','; a "0x" or "0X" prefix on any group. The
// total number of digits must be even (a byte is never split across a
// separator's worth of guessing). Errors name the offending character's
// 1-based column.
//
// Missing marker: when the bytes do not start with the 16-octet all-ones
// marker, and their first two octets, read as a message length, equal the
// byte count plus 16, and the third octet is a known message type (1 to
// 5), the bytes are one message written without its marker and the
// marker is prepended (RFC 4271 §4.1). Nothing else is guessed: a header-
// less body or several marker-less messages come back unchanged.
func ParseHexLine(line string) ([]byte, error) {
	out := make([]byte, 0, len(line)/2+wire.MarkerLen)
	var hi byte
	half := false
	groupStart := true
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch c {
		case ' ', '\t', '\r', '\n', '\v', '\f', ':', '-', ',':
			groupStart = true
			continue
		case '0':
			if groupStart && i+1 < len(line) && (line[i+1] == 'x' || line[i+1] == 'X') {
				i++
				groupStart = false
				continue
			}
		}
		groupStart = false
		v, ok := hexValue(c)
		if !ok {
			return nil, fmt.Errorf("capture: column %d: %q is not a hex digit", i+1, c)
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		return nil, errors.New("capture: odd number of hex digits")
	}
	return restoreMarker(out), nil
}

func hexValue(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// restoreMarker applies ParseHexLine's missing-marker rule.
func restoreMarker(b []byte) []byte {
	if len(b) < 3 || (len(b) >= wire.MarkerLen && markerPrefix(b)) {
		return b
	}
	n := int(binary.BigEndian.Uint16(b))
	t := wire.Type(b[2])
	if n != len(b)+wire.MarkerLen || t < wire.TypeOpen || t > wire.TypeRouteRefresh {
		return b
	}
	out := make([]byte, 0, n)
	for range wire.MarkerLen {
		out = append(out, 0xFF)
	}
	return append(out, b...)
}

// ReadHex reads hex text, one or more concatenated BGP messages per line,
// and calls fn for each message (Stream -1, Frame = the 1-based line
// number). Blank lines and lines whose first non-blank character is '#'
// are skipped. A line that is not valid hex (see ParseHexLine) stops the
// read with an error naming the line. Bytes of a valid line that do not
// frame as messages are passed to fn as one Message with Err wrapping
// ErrNotBGP (bad marker or length) or ErrTruncated (the line ends inside a
// message). An error returned by fn stops the read and is returned as is.
func ReadHex(r io.Reader, fn func(Message) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxHexLine)
	index, lineNo := 0, 0
	for sc.Scan() {
		lineNo++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		b, err := ParseHexLine(line)
		if err != nil {
			return fmt.Errorf("line %d: %w", lineNo, err)
		}
		for len(b) > 0 {
			n, err := frameLen(b)
			if err != nil || n == 0 {
				reason := ErrTruncated
				if err != nil {
					reason = ErrNotBGP
				}
				m := Message{Data: b, Index: -1, Stream: -1, Frame: lineNo,
					Err: fmt.Errorf("line %d: %w (%d bytes)", lineNo, reason, len(b))}
				if err := fn(m); err != nil {
					return err
				}
				break
			}
			if err := fn(Message{Data: b[:n:n], Index: index, Stream: -1, Frame: lineNo}); err != nil {
				return err
			}
			index++
			b = b[n:]
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", lineNo+1, err)
	}
	return nil
}
