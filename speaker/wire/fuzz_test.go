package wire

import (
	"bytes"
	"errors"
	"slices"
	"testing"
	"unicode/utf8"
)

// checkHeaderResult checks what Header returned for b: either a valid
// header within the RFC 4271 §4.1 / RFC 8654 §4 bounds, ErrShort for a
// short b, or a Message Header Error whose data matches its subcode.
func checkHeaderResult(t *testing.T, b []byte, max, n int, typ Type, err error) {
	t.Helper()
	if err == nil {
		if len(b) < HeaderLen {
			t.Fatalf("accepted a %d-octet header", len(b))
		}
		if typ < TypeOpen || typ > TypeRouteRefresh {
			t.Fatalf("accepted type %d", typ)
		}
		if n < minLen(typ) || n > max || n > MaxExtendedLen {
			t.Fatalf("accepted %v length %d (max %d)", typ, n, max)
		}
		if typ == TypeOpen && n > MaxLen || typ == TypeKeepalive && n != HeaderLen {
			t.Fatalf("accepted %v length %d", typ, n)
		}
		if !bytes.Equal(b[:MarkerLen], marker) {
			t.Fatal("accepted a bad marker")
		}
		return
	}
	if err == ErrShort {
		if len(b) >= HeaderLen {
			t.Fatalf("ErrShort for %d octets", len(b))
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeHeader {
		t.Fatalf("err = %v, want a Message Header Error", err)
	}
	switch e.Subcode {
	case SubConnNotSynchronized:
	case SubBadMessageLength:
		if !bytes.Equal(e.Data, b[16:18]) {
			t.Fatalf("Bad Message Length data = % X, want the length field % X", e.Data, b[16:18])
		}
	case SubBadMessageType:
		if !bytes.Equal(e.Data, b[18:19]) {
			t.Fatalf("Bad Message Type data = % X, want the type % X", e.Data, b[18:19])
		}
	default:
		t.Fatalf("subcode %d", e.Subcode)
	}
}

// FuzzHeader protects the framing check every received octet goes
// through first: Header never panics on any input, and any header it
// accepts has a known type and a length within that type's bounds
// (per-type minimum, 4096 or 65535, OPEN ≤ 4096, KEEPALIVE = 19);
// rejections carry the RFC 4271 §6.1 subcode and data.
func FuzzHeader(f *testing.F) {
	f.Add(msg(0x00, 0x13, 0x04), false)
	f.Add(msg(0x00, 0x17, 0x02, 0x00, 0x00, 0x00, 0x00), false)
	f.Add(msg(0x10, 0x01, 0x02), true)
	f.Add(msg(0x10, 0x01, 0x01), true)
	f.Add(msg(0x00, 0x12, 0x04), false)
	f.Add(msg(0x00, 0x13, 0x09), false)
	f.Add([]byte{0xFF, 0xFF}, false)
	f.Fuzz(func(t *testing.T, b []byte, ext bool) {
		max := MaxLen
		if ext {
			max = MaxExtendedLen
		}
		b = b[:len(b):len(b)]
		n, typ, err := Header(b, max)
		checkHeaderResult(t, b, max, n, typ, err)
	})
}

// FuzzSplit protects the stream splitter a session's read loop runs on
// untrusted TCP data: Split never panics, every message it returns is a
// whole message whose length field equals its size and is within bounds,
// and messages plus the unsplit rest are exactly the input.
func FuzzSplit(f *testing.F) {
	keepalive := msg(0x00, 0x13, 0x04)
	refresh := msg(0x00, 0x17, 0x05, 0x00, 0x01, 0x00, 0x01)
	f.Add(slices.Concat(keepalive, refresh, keepalive), false)
	f.Add(slices.Concat(keepalive, refresh[:20]), false)
	f.Add(slices.Concat(refresh, msg(0x00, 0x13, 0x00)), true)
	f.Fuzz(func(t *testing.T, b []byte, ext bool) {
		max := MaxLen
		if ext {
			max = MaxExtendedLen
		}
		b = b[:len(b):len(b)]
		rest := b
		var got []byte
		for len(rest) > 0 {
			m, r, err := Split(rest, max)
			if err != nil {
				if m != nil || !bytes.Equal(r, rest) {
					t.Fatal("Split consumed input on error")
				}
				n, typ, herr := Header(rest, max)
				if err == ErrShort && herr == nil && len(rest) >= n {
					t.Fatalf("ErrShort with a whole %d-octet message in %d octets", n, len(rest))
				}
				if err != ErrShort {
					checkHeaderResult(t, rest, max, n, typ, herr)
				}
				break
			}
			n, typ, herr := Header(m, max)
			checkHeaderResult(t, m, max, n, typ, herr)
			if herr != nil || n != len(m) {
				t.Fatalf("Split returned a %d-octet message with length %d (%v)", len(m), n, herr)
			}
			got = append(got, m...)
			rest = r
		}
		if !bytes.Equal(append(got, rest...), b) {
			t.Fatal("messages + rest != input")
		}
	})
}

// FuzzNotification protects NOTIFICATION decoding (which runs on
// whatever a peer sends before it closes) and the RFC 9003 shutdown
// communication: neither panics; a parsed notification re-encodes to a
// message that parses back to the same value; an accepted communication
// is valid UTF-8 of 1-255 octets that lies within the data.
func FuzzNotification(f *testing.F) {
	f.Add(msg(0x00, 0x15, 0x03, 0x04, 0x00))
	f.Add(msg(0x00, 0x19, 0x03, 0x06, 0x02, 0x03, 'b', 'y', 'e'))
	f.Add(msg(0x00, 0x19, 0x03, 0x06, 0x04, 0x09, 'b', 'y', 'e'))
	f.Add(msg(0x00, 0x19, 0x03, 0x06, 0x04, 0x02, 0xC3, 0x28))
	f.Add(msg(0x00, 0x14, 0x03, 0x06))
	f.Fuzz(func(t *testing.T, b []byte) {
		b = b[:len(b):len(b)]
		n, err := ParseNotification(b)
		if err != nil {
			if len(b) >= HeaderLen+2 {
				t.Fatalf("rejected %d octets: %v", len(b), err)
			}
			return
		}
		text, rest, ok := n.Communication()
		if ok {
			if !n.HasCommunication() || len(text) == 0 || len(text) > MaxCommunicationLen || !utf8.ValidString(text) {
				t.Fatalf("accepted communication %q", text)
			}
			if 1+len(text)+len(rest) != len(n.Data) {
				t.Fatalf("communication %d + rest %d != data %d", len(text), len(rest), len(n.Data))
			}
		} else if text != "" {
			t.Fatalf("not ok but text %q", text)
		}
		if len(n.Data) > MaxExtendedLen-HeaderLen-2 {
			return // too big to frame again
		}
		m := AppendNotification(nil, n)
		n2, err := ParseNotification(m)
		if err != nil || n2.Code != n.Code || n2.Subcode != n.Subcode || !bytes.Equal(n2.Data, n.Data) {
			t.Fatalf("round trip: %+v, %v; want %+v", n2, err, n)
		}
		if _, _, err := Header(m, MaxExtendedLen); err != nil {
			t.Fatalf("AppendNotification wrote a bad header: %v", err)
		}
		// Any text survives AppendCommunication, truncated at a rune
		// boundary when it is valid UTF-8.
		s := string(n.Data)
		c := AppendCommunication(nil, s)
		if int(c[0]) != len(c)-1 || len(c)-1 > MaxCommunicationLen || !bytes.HasPrefix(n.Data, c[1:]) {
			t.Fatalf("AppendCommunication(%q) = % X", s, c)
		}
		if utf8.ValidString(s) && !utf8.Valid(c[1:]) {
			t.Fatalf("AppendCommunication split a rune: % X", c)
		}
	})
}

// FuzzRouteRefresh protects ROUTE-REFRESH decoding: it never panics,
// accepts only a 4-octet body (RFC 7313 §5; anything else is Invalid
// Message Length with the whole message as data), and what it accepts
// re-encodes to the same body.
func FuzzRouteRefresh(f *testing.F) {
	f.Add(msg(0x00, 0x17, 0x05, 0x00, 0x01, 0x00, 0x01))
	f.Add(msg(0x00, 0x17, 0x05, 0x00, 0x02, 0x01, 0x01))
	f.Add(msg(0x00, 0x18, 0x05, 0x00, 0x02, 0x02, 0x01, 0x00))
	f.Fuzz(func(t *testing.T, b []byte) {
		b = b[:len(b):len(b)]
		r, err := ParseRouteRefresh(b)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeRouteRefresh || e.Subcode != SubInvalidMessageLength || !bytes.Equal(e.Data, b) {
				t.Fatalf("err = %v", err)
			}
			if len(b) == HeaderLen+4 {
				t.Fatal("rejected a 4-octet body")
			}
			return
		}
		// Only a normal request may be longer (ORF entries, RFC 5291 §4).
		if len(b) < HeaderLen+4 || (len(b) != HeaderLen+4 && r.Subtype != RefreshNormal) {
			t.Fatalf("accepted a %d-octet message", len(b))
		}
		m := AppendRouteRefresh(nil, r)
		if !bytes.Equal(m[HeaderLen:], b[HeaderLen:HeaderLen+4]) {
			t.Fatalf("round trip body % X, want % X", m[HeaderLen:], b[HeaderLen:])
		}
		if _, typ, err := Header(m, MaxLen); err != nil || typ != TypeRouteRefresh {
			t.Fatalf("AppendRouteRefresh header: %v %v", typ, err)
		}
		_ = r.Subtype.String()
		_ = r.Family.String()
	})
}
