package wire

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseNotification(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
		want Notification
	}{
		{"hold-timer", msg(
			0x00, 0x15, // length 21
			0x03, // type NOTIFICATION
			0x04, // code 4: Hold Timer Expired
			0x00, // subcode 0
		), Notification{Code: CodeHoldTimer, Subcode: 0, Data: []byte{}}},
		{"bad-length", msg(
			0x00, 0x17, // length 23
			0x03,       // type NOTIFICATION
			0x01,       // code 1: Message Header Error
			0x02,       // subcode 2: Bad Message Length
			0x00, 0x12, // data: the offending length field (18)
		), Notification{Code: CodeHeader, Subcode: SubBadMessageLength, Data: []byte{0x00, 0x12}}},
		{"shutdown", msg(
			0x00, 0x19, // length 25
			0x03,          // type NOTIFICATION
			0x06,          // code 6: Cease
			0x02,          // subcode 2: Administrative Shutdown
			0x03,          // communication length 3
			'b', 'y', 'e', // communication "bye"
		), Notification{Code: CodeCease, Subcode: SubAdministrativeShutdown, Data: []byte{0x03, 'b', 'y', 'e'}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNotification(tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			if n.Code != tt.want.Code || n.Subcode != tt.want.Subcode || !bytes.Equal(n.Data, tt.want.Data) {
				t.Errorf("ParseNotification = %+v, want %+v", n, tt.want)
			}
			if len(n.Data) > 0 && &n.Data[0] != &tt.msg[HeaderLen+2] {
				t.Error("Data is not a view into the message")
			}
			// AppendNotification rebuilds the same bytes.
			if got := AppendNotification(nil, n); !bytes.Equal(got, tt.msg) {
				t.Errorf("AppendNotification = % X, want % X", got, tt.msg)
			}
		})
	}
}

func TestParseNotificationShort(t *testing.T) {
	full := msg(
		0x00, 0x14, // length 20: one octet short of a body
		0x03, // type NOTIFICATION
		0x06, // code 6, no subcode
	)
	for _, n := range []int{0, 17, 18, 19, 20} {
		_, err := ParseNotification(full[:n])
		e := wantErr(t, err, CodeHeader, SubBadMessageLength)
		// RFC 4271 §6.1: the data is the length field, when there is one.
		var want []byte
		if n >= 18 {
			want = []byte{0x00, 0x14}
		}
		if !bytes.Equal(e.Data, want) {
			t.Errorf("%d octets: data = % X, want % X", n, e.Data, want)
		}
	}
}

func TestAppendNotification(t *testing.T) {
	prefix := []byte{0x99}
	got := AppendNotification(slices.Clone(prefix), Notification{Code: CodeCease, Subcode: SubAdministrativeReset, Data: AppendCommunication(nil, "maintenance")})
	want := slices.Concat(prefix, msg(
		0x00, 0x21, // length 33
		0x03, // type NOTIFICATION
		0x06, // code 6: Cease
		0x04, // subcode 4: Administrative Reset
		0x0B, // communication length 11
	), []byte("maintenance"))
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendNotification = % X\nwant % X", got, want)
	}
	if _, _, err := Header(got[1:], MaxLen); err != nil {
		t.Errorf("Header: %v", err)
	}
}

func TestHasCommunication(t *testing.T) {
	tests := []struct {
		code Code
		sub  uint8
		want bool
	}{
		{CodeCease, SubAdministrativeShutdown, true},
		{CodeCease, SubAdministrativeReset, true},
		{CodeCease, SubMaxPrefixes, false},
		{CodeCease, SubPeerDeconfigured, false},
		{CodeCease, SubHardReset, false},
		{CodeUpdate, SubAdministrativeShutdown, false},
		{CodeOpen, SubAdministrativeReset, false},
	}
	for _, tt := range tests {
		n := Notification{Code: tt.code, Subcode: tt.sub}
		if got := n.HasCommunication(); got != tt.want {
			t.Errorf("%v/%d HasCommunication = %v", tt.code, tt.sub, got)
		}
	}
}

func TestCommunication(t *testing.T) {
	tests := []struct {
		name string
		n    Notification
		text string
		rest []byte
		ok   bool
	}{
		{"valid", Notification{CodeCease, SubAdministrativeShutdown, []byte{
			0x05,                    // length 5
			'h', 'e', 'l', 'l', 'o', // "hello"
		}}, "hello", []byte{}, true},
		{"valid-utf8", Notification{CodeCease, SubAdministrativeReset, []byte{
			0x06,                            // length 6
			0xE2, 0x82, 0xAC, 'u', 'p', 'd', // "€upd"
		}}, "€upd", []byte{}, true},
		{"trailing-data", Notification{CodeCease, SubAdministrativeShutdown, []byte{
			0x02,     // length 2
			'o', 'k', // "ok"
			0xDE, 0xAD, // trailing octets
		}}, "ok", []byte{0xDE, 0xAD}, true},
		{"no-data", Notification{CodeCease, SubAdministrativeShutdown, []byte{}}, "", nil, false},
		{"zero-length", Notification{CodeCease, SubAdministrativeShutdown, []byte{
			0x00, // length 0: no communication
		}}, "", []byte{0x00}, false},
		{"length-beyond-data", Notification{CodeCease, SubAdministrativeShutdown, []byte{
			0x09,          // length 9
			'b', 'y', 'e', // only 3 octets
		}}, "", []byte{0x09, 'b', 'y', 'e'}, false},
		{"invalid-utf8", Notification{CodeCease, SubAdministrativeReset, []byte{
			0x02,       // length 2
			0xC3, 0x28, // invalid two-octet sequence
		}}, "", []byte{0x02, 0xC3, 0x28}, false},
		{"other-cease-subcode", Notification{CodeCease, SubPeerDeconfigured, []byte{
			0x02,     // looks like a length
			'o', 'k', // and text
		}}, "", nil, false},
		{"not-cease", Notification{CodeUpdate, SubAdministrativeShutdown, []byte{
			0x02,     // looks like a length
			'o', 'k', // and text
		}}, "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, rest, ok := tt.n.Communication()
			if text != tt.text || ok != tt.ok || !bytes.Equal(rest, tt.rest) {
				t.Errorf("Communication = %q, % X, %v; want %q, % X, %v", text, rest, ok, tt.text, tt.rest, tt.ok)
			}
		})
	}
}

func TestAppendCommunication(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name string
		in   string
		want string // text written after the length octet
	}{
		{"empty", "", ""},
		{"short", "bye", "bye"},
		{"255", a(255), a(255)},
		{"256", a(256), a(255)},
		{"1000", a(1000), a(255)},
		{"2-octet-rune-straddles", a(254) + "é", a(254)},        // é is C3 A9: would end at 256
		{"3-octet-rune-straddles", a(253) + "€", a(253)},        // € is E2 82 AC
		{"3-octet-rune-fits", a(252) + "€" + "b", a(252) + "€"}, // ends exactly at 255
		{"4-octet-rune-straddles", a(254) + "😀", a(254)},
		{"4-octet-rune-after-255", a(255) + "😀", a(255)},
		{"all-multibyte", strings.Repeat("€", 100), strings.Repeat("€", 85)}, // 85*3 = 255
		{"all-4-octet", strings.Repeat("😀", 70), strings.Repeat("😀", 63)},    // 63*4 = 252
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendCommunication([]byte{0x7F}, tt.in)
			if got[0] != 0x7F {
				t.Fatal("dst prefix overwritten")
			}
			if int(got[1]) != len(tt.want) || string(got[2:]) != tt.want {
				t.Fatalf("AppendCommunication = length %d %q, want %d %q", got[1], got[2:], len(tt.want), tt.want)
			}
			if !utf8.Valid(got[2:]) {
				t.Error("truncation split a rune")
			}
			// What was written parses back.
			n := Notification{Code: CodeCease, Subcode: SubAdministrativeShutdown, Data: got[1:]}
			text, rest, ok := n.Communication()
			if ok != (tt.want != "") || text != tt.want || (ok && len(rest) != 0) {
				t.Errorf("Communication = %q, % X, %v", text, rest, ok)
			}
		})
	}
}

func TestRouteRefresh(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
		want RouteRefresh
		str  string
	}{
		{"normal", msg(
			0x00, 0x17, // length 23
			0x05,       // type ROUTE-REFRESH
			0x00, 0x01, // AFI 1: IPv4
			0x00, // subtype 0: normal route refresh (RFC 2918)
			0x01, // SAFI 1: unicast
		), RouteRefresh{IPv4Unicast, RefreshNormal}, "refresh"},
		{"borr", msg(
			0x00, 0x17, // length 23
			0x05,       // type ROUTE-REFRESH
			0x00, 0x02, // AFI 2: IPv6
			0x01, // subtype 1: BoRR (RFC 7313)
			0x01, // SAFI 1: unicast
		), RouteRefresh{IPv6Unicast, RefreshBoRR}, "begin"},
		{"eorr", msg(
			0x00, 0x17, // length 23
			0x05,       // type ROUTE-REFRESH
			0x00, 0x19, // AFI 25: L2VPN
			0x02, // subtype 2: EoRR (RFC 7313)
			0x46, // SAFI 70: EVPN
		), RouteRefresh{Family{AFIL2VPN, SAFIEVPN}, RefreshEoRR}, "end"},
		{"reserved-subtype", msg(
			0x00, 0x17, // length 23
			0x05,       // type ROUTE-REFRESH
			0x40, 0x04, // AFI 16388: BGP-LS
			0xFF, // subtype 255: reserved (RFC 7313 §5: ignored by the session)
			0x47, // SAFI 71: BGP-LS
		), RouteRefresh{Family{AFIBGPLS, SAFIBGPLS}, 255}, "reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRouteRefresh(tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			if r != tt.want {
				t.Errorf("ParseRouteRefresh = %+v, want %+v", r, tt.want)
			}
			if r.Subtype.String() != tt.str {
				t.Errorf("Subtype.String() = %q, want %q", r.Subtype.String(), tt.str)
			}
			if got := AppendRouteRefresh(nil, r); !bytes.Equal(got, tt.msg) {
				t.Errorf("AppendRouteRefresh = % X, want % X", got, tt.msg)
			}
		})
	}
}

func TestRouteRefreshBadLength(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
	}{
		{"3-octet-body", msg(
			0x00, 0x16, // length 22
			0x05,       // type ROUTE-REFRESH
			0x00, 0x01, // AFI 1
			0x01, // subtype 1: BoRR; SAFI missing
		)},
		{"5-octet-body", msg(
			0x00, 0x18, // length 24
			0x05,       // type ROUTE-REFRESH
			0x00, 0x01, // AFI 1
			0x02, // subtype 2: EoRR
			0x01, // SAFI 1
			0x00, // one octet too many
		)},
		{"header-only", msg(
			0x00, 0x13, // length 19
			0x05, // type ROUTE-REFRESH
		)},
		{"empty", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRouteRefresh(tt.msg)
			// RFC 7313 §5: ROUTE-REFRESH Message Error / Invalid Message
			// Length, data = the complete message.
			e := wantErr(t, err, CodeRouteRefresh, SubInvalidMessageLength)
			if !bytes.Equal(e.Data, tt.msg) {
				t.Errorf("data = % X, want the message % X", e.Data, tt.msg)
			}
			if len(e.Data) > 0 && &e.Data[0] == &tt.msg[0] {
				t.Error("data aliases the input")
			}
		})
	}
}

func TestRefreshSubtypeString(t *testing.T) {
	for s, want := range map[RefreshSubtype]string{0: "refresh", 1: "begin", 2: "end", 3: "reserved", 255: "reserved"} {
		if got := s.String(); got != want {
			t.Errorf("RefreshSubtype(%d) = %q, want %q", s, got, want)
		}
	}
}

// A normal ROUTE-REFRESH may carry ORF entries after the 4 octets (RFC
// 5291 §4); only BoRR and EoRR must be exactly 4 octets (RFC 7313 §5).
func TestRouteRefreshWithORF(t *testing.T) {
	msg := AppendRouteRefresh(nil, RouteRefresh{Family: IPv4Unicast, Subtype: RefreshNormal})
	msg = append(msg, 0x01, 0x40, 0x00, 0x00) // when-to-refresh IMMEDIATE, ORF type 64, length 0
	SetLength(msg)
	if r, err := ParseRouteRefresh(msg); err != nil || r.Family != IPv4Unicast {
		t.Fatalf("normal refresh with ORF: %v %v", r, err)
	}
	bo := AppendRouteRefresh(nil, RouteRefresh{Family: IPv4Unicast, Subtype: RefreshBoRR})
	bo = append(bo, 0)
	SetLength(bo)
	if _, err := ParseRouteRefresh(bo); err == nil {
		t.Fatal("BoRR with 5 octets: want an error")
	}
}

// RFC 8538 §3: a Hard Reset carries the original NOTIFICATION in its data.
func TestHardReset(t *testing.T) {
	n := Notification{Code: CodeCease, Subcode: SubHardReset, Data: []byte{
		0x06, 0x02, // encapsulated Cease / Administrative Shutdown
		0x02, 'h', 'i', // RFC 9003 communication "hi"
	}}
	inner, ok := n.HardReset()
	if !ok || inner.Code != CodeCease || inner.Subcode != SubAdministrativeShutdown {
		t.Fatalf("HardReset() = %+v, %v", inner, ok)
	}
	if text, _, ok := inner.Communication(); !ok || text != "hi" {
		t.Errorf("inner communication %q %v", text, ok)
	}
	if _, ok := (Notification{Code: CodeCease, Subcode: SubHardReset, Data: []byte{6}}).HardReset(); ok {
		t.Error("1-octet data accepted")
	}
	if _, ok := (Notification{Code: CodeCease, Subcode: SubAdministrativeReset, Data: []byte{6, 2}}).HardReset(); ok {
		t.Error("not a hard reset, accepted")
	}
}
