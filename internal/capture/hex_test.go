package capture

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

// ka is a KEEPALIVE: marker(16) length(2)=19 type(1)=4.
var ka = []byte{
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // marker
	0x00, 0x13, // length 19
	0x04, // type KEEPALIVE
}

// rr is a ROUTE-REFRESH for ipv4/unicast: header, AFI(2)=1, subtype(1)=0, SAFI(1)=1.
var rr = []byte{
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // marker
	0x00, 0x17, // length 23
	0x05,       // type ROUTE-REFRESH
	0x00, 0x01, // AFI IPv4
	0x00, // subtype normal
	0x01, // SAFI unicast
}

const kaHex = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304"

func TestParseHexLine(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []byte
	}{
		{"upper", kaHex, ka},
		{"lower", strings.ToLower(kaHex), ka},
		{"spaced bytes", "ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff 00 13 04", ka},
		{"tabs and padding", "\tFFFFFFFF FFFFFFFF\tFFFFFFFF FFFFFFFF  0013 04 ", ka},
		{"colons", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0013:04", ka},
		{"dashes", "FF-FF-FF-FF-FF-FF-FF-FF-FF-FF-FF-FF-FF-FF-FF-FF-00-13-04", ka},
		{"0x on every byte, commas", "0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x04", ka},
		{"0x once", "0X" + kaHex, ka},
		{"mixed case and groups", "0xFfFfFfFf ffffFFFF:FFFFFFFF-ffffffff 0x0013 0X04", ka},
		{"marker restored, keepalive", "001304", ka},
		{"marker restored, route refresh", "0017 05 0001 00 01", rr},
		{"two messages", kaHex + " " + kaHex, cat(ka, ka)},
		// Header-less UPDATE body (withdrawn length 0, attribute length 0):
		// 0x0000 is not len+16, so nothing is added.
		{"body kept as is", "00000000", []byte{0, 0, 0, 0}},
		// Length matches but type 6 is unknown: unchanged.
		{"unknown type kept", "001306", []byte{0x00, 0x13, 0x06}},
		// Length does not count the missing marker: unchanged.
		{"length without marker kept", "000304", []byte{0x00, 0x03, 0x04}},
		{"empty", "", []byte{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHexLine(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got %X, want %X", got, tt.want)
			}
		})
	}
}

func TestParseHexLineErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"FFF", "odd number"},
		{"FF F", "odd number"},
		{"FFGG", "column 3"},
		{"FF 0xx1", "column 6"},
		{"FF;FF", "column 3"},
		{"FF0x12", "column 4"}, // 0x only starts a group
	}
	for _, tt := range tests {
		_, err := ParseHexLine(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestReadHex(t *testing.T) {
	in := strings.Join([]string{
		"# a comment",
		"",
		kaHex,                   // line 3
		"   # indented comment", //
		kaHex + kaHex,           // line 5: two messages
		"0017050001 0001",       // line 6: marker restored
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0015090102", // line 7: unknown type 9, framed
		kaHex + "FFFF", // line 8: KEEPALIVE, then a cut message
		"0102030405",   // line 9: not BGP
		"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0005040000", // line 10: length 5
		"\t" + strings.ToLower(kaHex) + "\r",         // line 11
	}, "\n")
	var got []string
	err := ReadHex(strings.NewReader(in), func(m Message) error {
		got = append(got, summary(m))
		if m.Err == nil && m.Src.IsValid() {
			t.Errorf("hex message with an address: %v", m.Src)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"msg 0 f3 s-1 invalid AddrPort>invalid AddrPort 19",
		"msg 1 f5 s-1 invalid AddrPort>invalid AddrPort 19",
		"msg 2 f5 s-1 invalid AddrPort>invalid AddrPort 19",
		"msg 3 f6 s-1 invalid AddrPort>invalid AddrPort 23",
		"msg 4 f7 s-1 invalid AddrPort>invalid AddrPort 21",
		"msg 5 f8 s-1 invalid AddrPort>invalid AddrPort 19",
		"err truncated f8 s-1 2",
		"err notbgp f9 s-1 5",
		"err notbgp f10 s-1 21",
		"msg 6 f11 s-1 invalid AddrPort>invalid AddrPort 19",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func TestReadHexErrors(t *testing.T) {
	err := ReadHex(strings.NewReader(kaHex+"\n\n"+"FFZZ\n"), func(Message) error { return nil })
	if err == nil || !strings.HasPrefix(err.Error(), "line 3: ") {
		t.Errorf("error %v, want one naming line 3", err)
	}
	stop := errors.New("stop")
	if err := ReadHex(strings.NewReader(kaHex+"\n"+kaHex), func(Message) error { return stop }); err != stop {
		t.Errorf("error %v, want the callback's", err)
	}
	long := strings.Repeat("FF", maxHexLine)
	if err := ReadHex(strings.NewReader(long), func(Message) error { return nil }); err == nil {
		t.Error("no error for a line over the limit")
	}
}
