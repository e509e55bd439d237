package wire

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

// marker is the 16-octet all-ones header marker (RFC 4271 §4.1).
var marker = bytes.Repeat([]byte{0xFF}, MarkerLen)

// msg returns marker followed by the given octets.
func msg(rest ...byte) []byte { return append(slices.Clone(marker), rest...) }

// wantErr checks that err is a *Error with the given code and subcode and
// returns it.
func wantErr(t *testing.T, err error, code Code, sub uint8) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *wire.Error %d/%d", err, err, code, sub)
	}
	if e.Code != code || e.Subcode != sub {
		t.Fatalf("err = %d/%d (%s), want %d/%d", e.Code, e.Subcode, e.Msg, code, sub)
	}
	if e.Action != ActionSessionReset {
		t.Errorf("action = %v, want session-reset", e.Action)
	}
	return e
}

func TestHeaderGood(t *testing.T) {
	tests := []struct {
		name string
		max  int
		b    []byte
		len  int
		typ  Type
	}{
		{"open-min", MaxLen, msg(
			0x00, 0x1D, // length 29
			0x01, // type OPEN
		), 29, TypeOpen},
		{"open-4096", MaxExtendedLen, msg(
			0x10, 0x00, // length 4096: OPEN stays within 4096 even with RFC 8654
			0x01, // type OPEN
		), 4096, TypeOpen},
		{"update-min", MaxLen, msg(
			0x00, 0x17, // length 23
			0x02, // type UPDATE
		), 23, TypeUpdate},
		{"update-4096", MaxLen, msg(
			0x10, 0x00, // length 4096
			0x02, // type UPDATE
		), 4096, TypeUpdate},
		{"update-extended", MaxExtendedLen, msg(
			0x10, 0x01, // length 4097: allowed with Extended Message
			0x02, // type UPDATE
		), 4097, TypeUpdate},
		{"update-65535", MaxExtendedLen, msg(
			0xFF, 0xFF, // length 65535
			0x02, // type UPDATE
		), 65535, TypeUpdate},
		{"notification-min", MaxLen, msg(
			0x00, 0x15, // length 21
			0x03, // type NOTIFICATION
		), 21, TypeNotification},
		{"notification-extended", MaxExtendedLen, msg(
			0x13, 0x88, // length 5000: RFC 8654 applies to NOTIFICATION
			0x03, // type NOTIFICATION
		), 5000, TypeNotification},
		{"keepalive", MaxLen, msg(
			0x00, 0x13, // length 19
			0x04, // type KEEPALIVE
		), 19, TypeKeepalive},
		{"keepalive-extended", MaxExtendedLen, msg(
			0x00, 0x13, // length 19
			0x04, // type KEEPALIVE
		), 19, TypeKeepalive},
		{"route-refresh", MaxLen, msg(
			0x00, 0x17, // length 23
			0x05, // type ROUTE-REFRESH
		), 23, TypeRouteRefresh},
		{"body-follows", MaxLen, msg(
			0x00, 0x17, // length 23
			0x05,                   // type ROUTE-REFRESH
			0x00, 0x01, 0x00, 0x01, // body (ignored by Header)
		), 23, TypeRouteRefresh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, typ, err := Header(tt.b, tt.max)
			if err != nil {
				t.Fatalf("Header: %v", err)
			}
			if n != tt.len || typ != tt.typ {
				t.Errorf("Header = %d %v, want %d %v", n, typ, tt.len, tt.typ)
			}
		})
	}
}

func TestHeaderErrors(t *testing.T) {
	badMarker := msg(0x00, 0x13, 0x04)
	badMarker[5] = 0xFE // one marker octet is not 0xFF
	zeroMarker := append(make([]byte, MarkerLen),
		0x00, 0x13, // length 19
		0x04, // type KEEPALIVE
	)
	tests := []struct {
		name string
		max  int
		b    []byte
		sub  uint8
		data []byte
	}{
		{"bad-marker", MaxLen, badMarker, SubConnNotSynchronized, nil},
		{"zero-marker", MaxLen, zeroMarker, SubConnNotSynchronized, nil},
		{"length-below-19", MaxLen, msg(
			0x00, 0x12, // length 18
			0x04, // type KEEPALIVE
		), SubBadMessageLength, []byte{0x00, 0x12}},
		{"length-zero", MaxLen, msg(
			0x00, 0x00, // length 0
			0x02, // type UPDATE
		), SubBadMessageLength, []byte{0x00, 0x00}},
		{"open-below-29", MaxLen, msg(
			0x00, 0x1C, // length 28
			0x01, // type OPEN
		), SubBadMessageLength, []byte{0x00, 0x1C}},
		{"update-below-23", MaxLen, msg(
			0x00, 0x16, // length 22
			0x02, // type UPDATE
		), SubBadMessageLength, []byte{0x00, 0x16}},
		{"notification-below-21", MaxLen, msg(
			0x00, 0x14, // length 20
			0x03, // type NOTIFICATION
		), SubBadMessageLength, []byte{0x00, 0x14}},
		{"route-refresh-below-23", MaxLen, msg(
			0x00, 0x16, // length 22
			0x05, // type ROUTE-REFRESH
		), SubBadMessageLength, []byte{0x00, 0x16}},
		{"keepalive-20", MaxLen, msg(
			0x00, 0x14, // length 20: KEEPALIVE is exactly 19
			0x04, // type KEEPALIVE
		), SubBadMessageLength, []byte{0x00, 0x14}},
		{"keepalive-20-extended", MaxExtendedLen, msg(
			0x00, 0x14, // length 20
			0x04, // type KEEPALIVE
		), SubBadMessageLength, []byte{0x00, 0x14}},
		{"update-4097", MaxLen, msg(
			0x10, 0x01, // length 4097 without Extended Message
			0x02, // type UPDATE
		), SubBadMessageLength, []byte{0x10, 0x01}},
		{"notification-4097", MaxLen, msg(
			0x10, 0x01, // length 4097
			0x03, // type NOTIFICATION
		), SubBadMessageLength, []byte{0x10, 0x01}},
		{"open-4097-extended", MaxExtendedLen, msg(
			0x10, 0x01, // length 4097: RFC 8654 §4 keeps OPEN within 4096
			0x01, // type OPEN
		), SubBadMessageLength, []byte{0x10, 0x01}},
		{"open-65535-extended", MaxExtendedLen, msg(
			0xFF, 0xFF, // length 65535
			0x01, // type OPEN
		), SubBadMessageLength, []byte{0xFF, 0xFF}},
		{"keepalive-4097-extended", MaxExtendedLen, msg(
			0x10, 0x01, // length 4097
			0x04, // type KEEPALIVE
		), SubBadMessageLength, []byte{0x10, 0x01}},
		{"type-0", MaxLen, msg(
			0x00, 0x13, // length 19
			0x00, // type 0: unassigned
		), SubBadMessageType, []byte{0x00}},
		{"type-6", MaxLen, msg(
			0x00, 0x17, // length 23
			0x06, // type 6: not known to this codec
		), SubBadMessageType, []byte{0x06}},
		{"type-255", MaxLen, msg(
			0x00, 0x13, // length 19
			0xFF, // type 255
		), SubBadMessageType, []byte{0xFF}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Header(tt.b, tt.max)
			e := wantErr(t, err, CodeHeader, tt.sub)
			if !bytes.Equal(e.Data, tt.data) {
				t.Errorf("data = % X, want % X", e.Data, tt.data)
			}
			if e.Msg == "" {
				t.Error("empty Msg")
			}
			// The data is a copy: the input buffer may be reused.
			if len(e.Data) > 0 && len(tt.b) > 0 && &e.Data[0] == &tt.b[MarkerLen] {
				t.Error("data aliases the input")
			}
		})
	}
}

func TestHeaderShort(t *testing.T) {
	full := msg(0x00, 0x13, 0x04)
	for n := 0; n < HeaderLen; n++ {
		if _, _, err := Header(full[:n], MaxLen); err != ErrShort {
			t.Errorf("Header(%d octets) err = %v, want ErrShort", n, err)
		}
	}
}

func TestSplit(t *testing.T) {
	keepalive := msg(
		0x00, 0x13, // length 19
		0x04, // type KEEPALIVE
	)
	refresh := msg(
		0x00, 0x17, // length 23
		0x05,       // type ROUTE-REFRESH
		0x00, 0x02, // AFI 2 (IPv6)
		0x00, // subtype: normal
		0x01, // SAFI 1 (unicast)
	)
	update := msg(
		0x00, 0x17, // length 23
		0x02,       // type UPDATE
		0x00, 0x00, // withdrawn routes length 0
		0x00, 0x00, // total path attribute length 0
	)
	stream := slices.Concat(keepalive, refresh, update, keepalive)

	t.Run("back-to-back", func(t *testing.T) {
		want := [][]byte{keepalive, refresh, update, keepalive}
		rest := stream
		for i, w := range want {
			var m []byte
			var err error
			m, rest, err = Split(rest, MaxLen)
			if err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			if !bytes.Equal(m, w) {
				t.Fatalf("message %d = % X, want % X", i, m, w)
			}
		}
		if len(rest) != 0 {
			t.Errorf("rest = % X, want empty", rest)
		}
	})

	t.Run("partial", func(t *testing.T) {
		for n := 0; n < len(refresh); n++ {
			in := slices.Concat(keepalive, refresh[:n])
			m, rest, err := Split(in, MaxLen)
			if err != nil || !bytes.Equal(m, keepalive) {
				t.Fatalf("first Split = % X, %v", m, err)
			}
			m, rest2, err := Split(rest, MaxLen)
			if err != ErrShort {
				t.Fatalf("Split(%d octets) err = %v, want ErrShort", n, err)
			}
			if m != nil || !bytes.Equal(rest2, rest) {
				t.Errorf("Split(%d octets) = % X, rest % X; want nil and the input", n, m, rest2)
			}
		}
	})

	t.Run("views", func(t *testing.T) {
		m, rest, err := Split(stream, MaxLen)
		if err != nil {
			t.Fatal(err)
		}
		if &m[0] != &stream[0] || &rest[0] != &stream[HeaderLen] {
			t.Error("Split copied instead of slicing")
		}
	})

	t.Run("bad-header", func(t *testing.T) {
		bad := slices.Concat(msg(
			0x00, 0x13, // length 19
			0x07, // type 7: unknown
		), keepalive)
		m, rest, err := Split(bad, MaxLen)
		wantErr(t, err, CodeHeader, SubBadMessageType)
		if m != nil || !bytes.Equal(rest, bad) {
			t.Errorf("Split = % X, rest % X; want nil and the input", m, rest)
		}
	})

	t.Run("extended", func(t *testing.T) {
		big := msg(
			0x13, 0x88, // length 5000
			0x02, // type UPDATE
		)
		big = append(big, make([]byte, 5000-HeaderLen)...)
		if _, _, err := Split(big, MaxLen); err == nil {
			t.Fatal("5000-octet UPDATE accepted without Extended Message")
		}
		m, rest, err := Split(slices.Concat(big, keepalive), MaxExtendedLen)
		if err != nil || len(m) != 5000 || !bytes.Equal(rest, keepalive) {
			t.Fatalf("Split = %d octets, rest % X, %v", len(m), rest, err)
		}
	})
}

func TestAppendHeader(t *testing.T) {
	t.Run("keepalive", func(t *testing.T) {
		prefix := []byte{0xAA, 0xBB}
		got := AppendKeepalive(slices.Clone(prefix))
		want := slices.Concat(prefix, msg(
			0x00, 0x13, // length 19
			0x04, // type KEEPALIVE
		))
		if !bytes.Equal(got, want) {
			t.Fatalf("AppendKeepalive = % X, want % X", got, want)
		}
		n, typ, err := Header(got[2:], MaxLen)
		if err != nil || n != HeaderLen || typ != TypeKeepalive {
			t.Errorf("Header = %d %v %v", n, typ, err)
		}
	})
	t.Run("round-trip", func(t *testing.T) {
		for _, typ := range []Type{TypeOpen, TypeUpdate, TypeNotification, TypeRouteRefresh} {
			for _, body := range []int{minLen(typ) - HeaderLen, 100, MaxLen - HeaderLen} {
				dst := []byte{0x01}
				start := len(dst)
				dst = AppendHeader(dst, typ)
				if got := dst[start:]; !bytes.Equal(got, msg(0, 0, byte(typ))) {
					t.Fatalf("AppendHeader(%v) = % X", typ, got)
				}
				dst = append(dst, make([]byte, body)...)
				SetLength(dst[start:])
				m, rest, err := Split(dst[start:], MaxLen)
				if err != nil {
					t.Fatalf("%v body %d: %v", typ, body, err)
				}
				if len(m) != HeaderLen+body || len(rest) != 0 {
					t.Errorf("%v body %d: message %d octets, rest %d", typ, body, len(m), len(rest))
				}
				if _, got, _ := Header(m, MaxLen); got != typ {
					t.Errorf("type = %v, want %v", got, typ)
				}
			}
		}
	})
	t.Run("set-length", func(t *testing.T) {
		b := msg(0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00)
		SetLength(b)
		if b[16] != 0x00 || b[17] != 0x17 {
			t.Errorf("length field = % X, want 00 17", b[16:18])
		}
	})
}

func TestTypeString(t *testing.T) {
	tests := map[Type]string{
		0:                "unknown-0",
		TypeOpen:         "open",
		TypeUpdate:       "update",
		TypeNotification: "notification",
		TypeKeepalive:    "keepalive",
		TypeRouteRefresh: "route-refresh",
		6:                "unknown-6",
		255:              "unknown-255",
	}
	for typ, want := range tests {
		if got := typ.String(); got != want {
			t.Errorf("Type(%d).String() = %q, want %q", uint8(typ), got, want)
		}
	}
}
