package message

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/wire"
)

// openMarker is the 16-octet all-ones header marker.
var openMarker = bytes.Repeat([]byte{0xFF}, 16)

// openMsg returns openMarker + body; the length and type octets are part of body.
func openMsg(body ...byte) []byte { return append(slices.Clone(openMarker), body...) }

// wantOpenErr checks err is a *wire.Error with the given code and subcode.
func wantOpenErr(t *testing.T, err error, code wire.Code, sub uint8) *wire.Error {
	t.Helper()
	var we *wire.Error
	if !errors.As(err, &we) {
		t.Fatalf("error %v (%T) is not a *wire.Error", err, err)
	}
	if we.Code != code || we.Subcode != sub {
		t.Fatalf("error %q = %d/%d, want %d/%d", we, we.Code, we.Subcode, code, sub)
	}
	return we
}

// openMinimal: ExaBGP's OPEN from exabgp-frr-bird-asn2-asn4-as4path-as-trans
// (asn4 disabled), 49 octets.
var openMinimal = openMsg(
	0x00, 0x31, 0x01, // length 49, type OPEN
	0x04,       // version 4
	0xFD, 0xE9, // my AS 65001
	0x00, 0x5A, // hold time 90
	0x0A, 0x00, 0x00, 0x01, // BGP identifier 10.0.0.1
	0x14,       // optional parameters length 20
	0x02, 0x06, // parameter 2 (capabilities), length 6
	0x01, 0x04, 0x00, 0x01, 0x00, 0x01, //   multiprotocol ipv4/unicast
	0x02, 0x02, // parameter 2, length 2
	0x02, 0x00, //   route-refresh
	0x02, 0x02, // parameter 2, length 2
	0x46, 0x00, //   enhanced-route-refresh
	0x02, 0x02, // parameter 2, length 2
	0x06, 0x00, //   extended-message
)

// openExtended: an RFC 9072 OPEN (hand-made), 44 octets.
var openExtended = openMsg(
	0x00, 0x2C, 0x01, // length 44, type OPEN
	0x04,       // version 4
	0x5B, 0xA0, // my AS 23456 (AS_TRANS)
	0x00, 0xB4, // hold time 180
	0xC0, 0x00, 0x02, 0x01, // BGP identifier 192.0.2.1
	0xFF,       // non-ext OP len 255
	0xFF,       // non-ext OP type 255
	0x00, 0x0C, // extended optional parameters length 12
	0x02, 0x00, 0x06, // parameter 2, 2-octet length 6
	0x41, 0x04, 0xFA, 0x56, 0xEA, 0x01, //   asn4 4200000001
	0x02, 0x00, 0x00, // parameter 2, length 0
)

func TestParseOpen(t *testing.T) {
	o, err := ParseOpen(openMinimal)
	if err != nil {
		t.Fatal(err)
	}
	if o.Version != 4 || o.MyAS != 65001 || o.HoldTime != 90 || o.BGPIdentifier != netip.MustParseAddr("10.0.0.1") || o.Extended {
		t.Errorf("fields: %+v", o)
	}
	if o.ASN() != 65001 {
		t.Errorf("ASN() = %d", o.ASN())
	}
	var codes []capability.Code
	for it := o.Capabilities(); it.Next(); {
		codes = append(codes, it.Code())
	}
	if want := []capability.Code{1, 2, 70, 6}; !slices.Equal(codes, want) {
		t.Errorf("capabilities %v, want %v", codes, want)
	}
	if err := o.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}

	o, err = ParseOpen(openExtended)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Extended || o.MyAS != 23456 || o.ASN() != 4200000001 || len(o.Params) != 12 {
		t.Errorf("extended: %+v ASN %d", o, o.ASN())
	}
	var params []ParamType
	it := o.Parameters()
	for it.Next() {
		params = append(params, it.Type())
	}
	if it.Err() != nil || !slices.Equal(params, []ParamType{2, 2}) {
		t.Errorf("parameters %v, %v", params, it.Err())
	}
	if err := o.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	if ParamCapabilities.String() != "capabilities" || ParamType(7).String() != "parameter-7" {
		t.Error("ParamType.String")
	}
}

func TestParseOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		code wire.Code
		sub  uint8
	}{
		{
			name: "short",
			in:   openMsg(0x00, 0x1C, 0x01, 0x04, 0xFD, 0xE9, 0x00, 0x5A, 0x0A, 0x00, 0x00, 0x01), // 28 octets, no opt len
			code: wire.CodeHeader, sub: wire.SubBadMessageLength,
		},
		{
			name: "opt len past end",
			in: openMsg(0x00, 0x1F, 0x01, 0x04, 0xFD, 0xE9, 0x00, 0x5A, 0x0A, 0x00, 0x00, 0x01,
				0x04,       // opt len 4
				0x02, 0x00, // only 2 octets follow
			),
			code: wire.CodeHeader, sub: wire.SubBadMessageLength,
		},
		{
			name: "trailing octets",
			in: openMsg(0x00, 0x1F, 0x01, 0x04, 0xFD, 0xE9, 0x00, 0x5A, 0x0A, 0x00, 0x00, 0x01,
				0x00,       // opt len 0
				0x02, 0x00, // but 2 octets follow
			),
			code: wire.CodeHeader, sub: wire.SubBadMessageLength,
		},
		{
			name: "extended length truncated",
			in: openMsg(0x00, 0x1F, 0x01, 0x04, 0xFD, 0xE9, 0x00, 0x5A, 0x0A, 0x00, 0x00, 0x01,
				0xFF, 0xFF, 0x00, // non-ext len, non-ext type, half a length
			),
			code: wire.CodeHeader, sub: wire.SubBadMessageLength,
		},
		{
			name: "extended length mismatch",
			in: openMsg(0x00, 0x22, 0x01, 0x04, 0xFD, 0xE9, 0x00, 0x5A, 0x0A, 0x00, 0x00, 0x01,
				0xFF, 0xFF, 0x00, 0x05, // extended length 5
				0x02, 0x00, 0x00, // 3 octets follow
			),
			code: wire.CodeHeader, sub: wire.SubBadMessageLength,
		},
		{
			name: "parameter runs past",
			in: openMsg(0x00, 0x20, 0x01, 0x04, 0xFD, 0xE9, 0x00, 0x5A, 0x0A, 0x00, 0x00, 0x01,
				0x03,             // opt len 3
				0x02, 0x04, 0x02, // parameter 2 length 4, one octet
			),
			code: wire.CodeOpen, sub: 0,
		},
		{
			name: "parameter header truncated",
			in: openMsg(0x00, 0x1E, 0x01, 0x04, 0xFD, 0xE9, 0x00, 0x5A, 0x0A, 0x00, 0x00, 0x01,
				0x01, // opt len 1
				0x02, // parameter type only
			),
			code: wire.CodeOpen, sub: 0,
		},
		{
			name: "extended parameter runs past",
			in: openMsg(0x00, 0x24, 0x01, 0x04, 0xFD, 0xE9, 0x00, 0x5A, 0x0A, 0x00, 0x00, 0x01,
				0xFF, 0xFF, 0x00, 0x04, // extended length 4
				0x02, 0x00, 0x02, 0x02, // parameter 2, length 2, one octet
			),
			code: wire.CodeOpen, sub: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOpen(tt.in)
			we := wantOpenErr(t, err, tt.code, tt.sub)
			if we.Action != wire.ActionSessionReset {
				t.Errorf("action %s", we.Action)
			}
			if tt.code == wire.CodeHeader && !bytes.Equal(we.Data, tt.in[16:18]) {
				t.Errorf("data % X, want the length field", we.Data)
			}
		})
	}
	if _, err := ParseOpen(nil); err == nil {
		t.Error("ParseOpen(nil) succeeded")
	}
}

// openWith builds an OPEN from its fixed fields and the raw optional
// parameters (RFC 4271 form).
func openWith(version uint8, myAS, hold uint16, id [4]byte, params ...byte) []byte {
	b := openMsg(0, 0, 0x01, version, byte(myAS>>8), byte(myAS), byte(hold>>8), byte(hold))
	b = append(b, id[:]...)
	b = append(b, byte(len(params)))
	b = append(b, params...)
	wire.SetLength(b)
	return b
}

func TestOpenValidate(t *testing.T) {
	id := [4]byte{10, 0, 0, 1}
	caps := func(c ...byte) []byte { return append([]byte{0x02, byte(len(c))}, c...) }
	tests := []struct {
		name string
		in   []byte
		ok   bool
		sub  uint8
		data []byte
	}{
		{name: "ok hold 0", in: openWith(4, 65001, 0, id), ok: true},
		{name: "ok hold 3", in: openWith(4, 65001, 3, id), ok: true},
		{name: "version 3", in: openWith(3, 65001, 90, id), sub: wire.SubUnsupportedVersion, data: []byte{0x00, 0x04}},
		{name: "my AS 0", in: openWith(4, 0, 90, id), sub: wire.SubBadPeerAS},
		{name: "hold 1", in: openWith(4, 65001, 1, id), sub: wire.SubUnacceptableHoldTime},
		{name: "hold 2", in: openWith(4, 65001, 2, id), sub: wire.SubUnacceptableHoldTime},
		{name: "identifier 0", in: openWith(4, 65001, 90, [4]byte{}), sub: wire.SubBadBGPIdentifier},
		{name: "identifier any non-zero", in: openWith(4, 65001, 90, [4]byte{255, 255, 255, 255}), ok: true},
		{
			name: "authentication parameter",
			in:   openWith(4, 65001, 90, id, 0x01, 0x01, 0x00), // parameter 1 (deprecated authentication), length 1
			sub:  wire.SubUnsupportedOptParam,
		},
		{
			name: "capability list framing",
			in:   openWith(4, 65001, 90, id, caps(0x41, 0x04, 0x00)...), // asn4 length 4, one octet
			sub:  0,
		},
		{
			name: "malformed capability",
			in:   openWith(4, 65001, 90, id, caps(0x01, 0x03, 0x00, 0x01, 0x01)...), // multiprotocol length 3
			sub:  0,
		},
		{
			name: "asn4 0",
			in:   openWith(4, 23456, 90, id, caps(0x41, 0x04, 0x00, 0x00, 0x00, 0x00)...),
			sub:  wire.SubBadPeerAS,
		},
		{
			name: "roles differ",
			in:   openWith(4, 65001, 90, id, caps(0x09, 0x01, 0x00, 0x09, 0x01, 0x04)...), // provider, peer
			sub:  wire.SubRoleMismatch,
		},
		{
			name: "ignored add-path",
			in:   openWith(4, 65001, 90, id, caps(0x45, 0x04, 0x00, 0x01, 0x01, 0x09)...), // mode 9
			ok:   true,
		},
		{
			name: "unknown capability",
			in:   openWith(4, 65001, 90, id, caps(0xC8, 0x01, 0x00)...),
			ok:   true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOpen(tt.in)
			if err != nil {
				t.Fatalf("ParseOpen: %v", err)
			}
			err = o.Validate()
			if tt.ok {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			we := wantOpenErr(t, err, wire.CodeOpen, tt.sub)
			if !bytes.Equal(we.Data, tt.data) || we.Action != wire.ActionSessionReset {
				t.Errorf("data % X action %s", we.Data, we.Action)
			}
		})
	}
}

func TestAppendOpen(t *testing.T) {
	caps := capability.AppendMultiprotocol(nil, wire.IPv4Unicast)
	caps = capability.AppendASN4(caps, 65001)
	got := AppendOpen(nil, OpenParams{ASN: 65001, HoldTime: 90, RouterID: netip.MustParseAddr("10.0.0.1"), Caps: caps})
	want := openMsg(
		0x00, 0x2B, 0x01, // length 43, OPEN
		0x04, 0xFD, 0xE9, 0x00, 0x5A, // version 4, AS 65001, hold 90
		0x0A, 0x00, 0x00, 0x01, // 10.0.0.1
		0x0E,       // opt len 14
		0x02, 0x0C, // capabilities, length 12
		0x01, 0x04, 0x00, 0x01, 0x00, 0x01, // multiprotocol ipv4/unicast
		0x41, 0x04, 0x00, 0x00, 0xFD, 0xE9, // asn4 65001
	)
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendOpen =\n% X\nwant\n% X", got, want)
	}

	// Appends after existing bytes; no capabilities; IPv4-mapped router ID.
	got = AppendOpen([]byte{0xAA}, OpenParams{ASN: 64512, HoldTime: 180, RouterID: netip.MustParseAddr("::ffff:192.0.2.1")})
	o, err := ParseOpen(got[1:])
	if err != nil || got[0] != 0xAA || len(got) != 1+29 || o.BGPIdentifier != netip.MustParseAddr("192.0.2.1") || len(o.Params) != 0 {
		t.Fatalf("no caps: % X, %v", got, err)
	}
	// Not IPv4: written as 0.0.0.0 (and rejected by Validate).
	o, _ = ParseOpen(AppendOpen(nil, OpenParams{ASN: 1, RouterID: netip.MustParseAddr("2001:db8::1")}))
	if o.BGPIdentifier != netip.IPv4Unspecified() {
		t.Errorf("IPv6 router ID written as %s", o.BGPIdentifier)
	}
}

func TestOpenRoundTrip(t *testing.T) {
	big := capability.AppendASN4(nil, 4200000001)
	for _, f := range []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast, {AFI: 1, SAFI: 128}, {AFI: 2, SAFI: 128}, {AFI: 25, SAFI: 70}} {
		big = capability.AppendMultiprotocol(big, f)
	}
	big = capability.AppendFQDN(big, strings.Repeat("h", 230), "example.net")
	tests := []struct {
		name     string
		p        OpenParams
		extended bool
	}{
		{name: "2-octet", p: OpenParams{ASN: 65001, HoldTime: 90, RouterID: netip.MustParseAddr("10.0.0.1"), Caps: capability.AppendASN4(nil, 65001)}},
		{name: "4-octet", p: OpenParams{ASN: 4200000001, HoldTime: 30, RouterID: netip.MustParseAddr("10.0.0.2"), Caps: capability.AppendASN4(nil, 4200000001)}},
		{name: "253 octets of caps", p: OpenParams{ASN: 1, HoldTime: 3, RouterID: netip.MustParseAddr("1.1.1.1"), Caps: capability.Append(nil, 200, make([]byte, 251))}},
		{name: "254 octets of caps", p: OpenParams{ASN: 1, HoldTime: 3, RouterID: netip.MustParseAddr("1.1.1.1"), Caps: capability.Append(nil, 200, make([]byte, 252))}, extended: true},
		{name: "rfc 9072", p: OpenParams{ASN: 4200000001, HoldTime: 180, RouterID: netip.MustParseAddr("10.0.0.3"), Caps: big}, extended: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := AppendOpen(nil, tt.p)
			if n, typ, err := wire.Header(b, wire.MaxLen); err != nil || n != len(b) || typ != wire.TypeOpen {
				t.Fatalf("header: %d %s %v", n, typ, err)
			}
			o, err := ParseOpen(b)
			if err != nil {
				t.Fatal(err)
			}
			if err := o.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			wantMyAS := uint16(tt.p.ASN)
			if tt.p.ASN > 65535 {
				wantMyAS = 23456
			}
			if o.MyAS != wantMyAS || o.ASN() != tt.p.ASN || o.HoldTime != tt.p.HoldTime || o.BGPIdentifier != tt.p.RouterID || o.Extended != tt.extended {
				t.Errorf("got %+v ASN %d", o, o.ASN())
			}
			var caps []byte
			it := o.Capabilities()
			for it.Next() {
				caps = append(caps, it.Raw()...)
			}
			if it.Err() != nil || !bytes.Equal(caps, tt.p.Caps) {
				t.Errorf("capabilities % X, %v", caps, it.Err())
			}
		})
	}
}

// readOpenHex returns the messages of a one-hex-message-per-line file.
func readOpenHex(t *testing.T, path string) [][]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, line := range strings.Fields(string(raw)) {
		b, err := hex.DecodeString(line)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, b)
	}
	return out
}

// pcapOpens maps a capture name to what INDEX.md says about its OPENs.
var pcapOpens = map[string]struct {
	caps  []capability.Code
	myAS  []uint16
	holds []uint16
}{
	"bird-frr-extended-message-large-updates":                      {[]capability.Code{1, 2, 6, 64, 65, 69, 70, 71, 73, 128}, []uint16{65001, 65002}, []uint16{180, 240}},
	"bird-frr-large-200k-ipv4-50k-ipv6":                            {[]capability.Code{1, 2, 6, 64, 65, 69, 70, 71, 73, 128}, []uint16{64496, 64497}, []uint16{240}},
	"bird-frr-notification-cease-config-change":                    {[]capability.Code{1, 2, 6, 64, 65, 69, 70, 71, 73, 128}, []uint16{65002, 65003}, []uint16{60, 90, 180}},
	"bird-openbgpd-ebgp-v4v6-addpath-role-vpn":                     {[]capability.Code{1, 2, 6, 9, 64, 65, 69, 70, 71, 73}, []uint16{23456, 65030}, []uint16{30}},
	"exabgp-frr-bird-asn2-asn4-as4path-as-trans":                   {[]capability.Code{1, 2, 6, 64, 65, 69, 70, 71, 73, 128}, []uint16{23456, 65001}, []uint16{90, 180, 240}},
	"exabgp-frr-notification-hold-timer-expired":                   {[]capability.Code{1, 2, 6, 64, 65, 69, 70, 71, 73, 128}, []uint16{65001, 65002}, []uint16{9}},
	"exabgp-frr-notification-update-malformed-attribute-list":      {[]capability.Code{1, 2, 6, 64, 65, 69, 70, 71, 73, 128}, []uint16{65001, 65002}, []uint16{180}},
	"exabgp-gobgp-ibgp-addpath-v4v6":                               {[]capability.Code{1, 2, 5, 6, 65, 69, 70, 73}, []uint16{65100}, []uint16{60, 90}},
	"exabgp-gobgp-multifamily-ebgp-asn4":                           {[]capability.Code{1, 2, 5, 6, 64, 65, 70, 71, 73}, []uint16{23456, 65002}, []uint16{90}},
	"frr-bird-ebgp-ipv6-transport-extnh-role-addpath-vpn-flowspec": {[]capability.Code{1, 2, 5, 6, 9, 64, 65, 69, 70, 71, 73, 128}, []uint16{65020, 65021}, []uint16{30}},
	"frr-frr-ebgp-rfc9072-extended-optparams-9-families":           {[]capability.Code{1, 2, 6, 64, 65, 66, 67, 69, 70, 71, 73, 128}, []uint16{65051, 65052}, []uint16{180}},
	"gobgp-rr-ibgp-evpn-mup-flowspec-addpath":                      {[]capability.Code{1, 2, 5, 64, 65, 69, 71, 73}, []uint16{65100}, []uint16{30}},
}

// TestPcapOpens decodes every OPEN of every capture and compares the
// capability codes, My AS values and hold times with INDEX.md.
func TestPcapOpens(t *testing.T) {
	files, err := filepath.Glob("testdata/open/pcap/*.hex.txt")
	if err != nil || len(files) != len(pcapOpens) {
		t.Fatalf("%d capture files, want %d (%v)", len(files), len(pcapOpens), err)
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".hex.txt")
		t.Run(name, func(t *testing.T) {
			want, ok := pcapOpens[name]
			if !ok {
				t.Fatal("no expectation")
			}
			var codes []capability.Code
			var myAS, holds []uint16
			for i, m := range readOpenHex(t, path) {
				if n, typ, err := wire.Header(m, wire.MaxLen); err != nil || typ != wire.TypeOpen || n != len(m) {
					t.Fatalf("OPEN %d: header %d %s %v", i, n, typ, err)
				}
				o, err := ParseOpen(m)
				if err != nil {
					t.Fatalf("OPEN %d: %v", i, err)
				}
				if err := o.Validate(); err != nil {
					t.Fatalf("OPEN %d: Validate: %v", i, err)
				}
				if o.Extended != strings.Contains(name, "rfc9072") {
					t.Errorf("OPEN %d: Extended = %v", i, o.Extended)
				}
				it := o.Capabilities()
				for it.Next() {
					if d := capability.Describe(it.Code(), it.Value()); strings.Contains(d, "malformed") {
						t.Errorf("OPEN %d: %s", i, d)
					}
					if !slices.Contains(codes, it.Code()) {
						codes = append(codes, it.Code())
					}
				}
				if it.Err() != nil {
					t.Fatalf("OPEN %d: %v", i, it.Err())
				}
				if !slices.Contains(myAS, o.MyAS) {
					myAS = append(myAS, o.MyAS)
				}
				if !slices.Contains(holds, o.HoldTime) {
					holds = append(holds, o.HoldTime)
				}
			}
			slices.Sort(codes)
			slices.Sort(myAS)
			slices.Sort(holds)
			if !slices.Equal(codes, want.caps) || !slices.Equal(myAS, want.myAS) || !slices.Equal(holds, want.holds) {
				t.Errorf("capabilities %v, my AS %v, hold times %v;\nwant %v, %v, %v", codes, myAS, holds, want.caps, want.myAS, want.holds)
			}
		})
	}
}

// capturedOpen returns OPEN i of a capture.
func capturedOpen(t *testing.T, name string, i int) Open {
	t.Helper()
	msgs := readOpenHex(t, filepath.Join("testdata/open/pcap", name+".hex.txt"))
	o, err := ParseOpen(msgs[i])
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func capturedSet(t *testing.T, o Open) capability.Set {
	t.Helper()
	s, err := o.CapabilitySet()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPcapOpenDetails(t *testing.T) {
	// BIRD, AS 4200000031: My AS is AS_TRANS, role customer, 4 families.
	bird := capturedOpen(t, "bird-openbgpd-ebgp-v4v6-addpath-role-vpn", 1)
	s := capturedSet(t, bird)
	if bird.MyAS != 23456 || bird.ASN() != 4200000031 || !s.HasRole || s.Role != capability.RoleCustomer ||
		bird.BGPIdentifier != netip.MustParseAddr("10.0.0.11") {
		t.Errorf("BIRD OPEN: %+v ASN %d set %+v", bird, bird.ASN(), s)
	}
	// OpenBGPD, AS 65030: role provider.
	obgpd := capturedSet(t, capturedOpen(t, "bird-openbgpd-ebgp-v4v6-addpath-role-vpn", 0))
	if obgpd.Role != capability.RoleProvider || !capability.RolesMatch(obgpd.Role, s.Role) {
		t.Errorf("OpenBGPD role %s", obgpd.Role)
	}

	// FRR RFC 9072 OPEN: 9 families, hostname.
	frr := capturedOpen(t, "frr-frr-ebgp-rfc9072-extended-optparams-9-families", 0)
	fs := capturedSet(t, frr)
	if len(fs.Families) != 9 || !frr.Extended || frr.ASN() != 65052 {
		t.Errorf("FRR RFC 9072: %d families %v, ASN %d", len(fs.Families), fs.Families, frr.ASN())
	}
	var host string
	for it := frr.Capabilities(); it.Next(); {
		if it.Code() == capability.CodeFQDN {
			h, d, err := capability.ParseFQDN(it.Value())
			if err != nil || d != "corpus.example.net" {
				t.Errorf("fqdn %q %q %v", h, d, err)
			}
			host = h
		}
	}
	if host != "frr-2-rfc9072-demo-router" {
		t.Errorf("hostname %q", host)
	}

	// GoBGP's extended next hop list (INDEX.md: 1/1 1/128 1/2 1/4 2/128 2/4 25/65 25/70, nh 2).
	gobgp := capturedSet(t, capturedOpen(t, "exabgp-gobgp-multifamily-ebgp-asn4", 0))
	var nh []string
	for _, e := range gobgp.ExtNextHop {
		nh = append(nh, e.Family.String()+" nh "+e.NextHopAFI.String())
	}
	wantNH := []string{"ipv4/unicast nh ipv6", "ipv4/multicast nh ipv6", "ipv4/nlri-mpls nh ipv6", "ipv4/mpls-vpn nh ipv6",
		"ipv6/nlri-mpls nh ipv6", "ipv6/mpls-vpn nh ipv6", "l2vpn/vpls nh ipv6", "l2vpn/evpn nh ipv6"}
	slices.Sort(nh)
	slices.Sort(wantNH)
	if !slices.Equal(nh, wantNH) {
		t.Errorf("extended next hop %v, want %v", nh, wantNH)
	}
}

func TestPcapContextFromOpens(t *testing.T) {
	v4, v6, vpn4 := wire.IPv4Unicast, wire.IPv6Unicast, wire.Family{AFI: 1, SAFI: 128}
	tests := []struct {
		name         string
		asn4, extMsg bool
		addPath      [2][]wire.Family // a→b, b→a
		extNH        []wire.Family
	}{
		// GoBGP ↔ ExaBGP, both send/receive for v4 and v6.
		{name: "exabgp-gobgp-ibgp-addpath-v4v6", asn4: true, addPath: [2][]wire.Family{{v4, v6}, {v4, v6}}},
		// BIRD (no ADD-PATH) ↔ FRR (receive only).
		{name: "bird-frr-extended-message-large-updates", asn4: true, extMsg: true},
		// BIRD ↔ FRR: both send/receive for v4/v6 unicast; ext-nh only for ipv4/unicast (BIRD lists no VPN).
		{name: "frr-bird-ebgp-ipv6-transport-extnh-role-addpath-vpn-flowspec", asn4: true, extMsg: true,
			addPath: [2][]wire.Family{{v4, v6}, {v4, v6}}, extNH: []wire.Family{v4}},
		// FRR (4-octet) ↔ ExaBGP with asn4 disabled.
		{name: "exabgp-frr-bird-asn2-asn4-as4path-as-trans", extMsg: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := capturedSet(t, capturedOpen(t, tt.name, 0)), capturedSet(t, capturedOpen(t, tt.name, 1))
			aToB, bToA := capability.ContextFromOpens(a, b)
			for d, c := range []wire.Context{aToB, bToA} {
				if c.ASN4 != tt.asn4 || c.ExtendedMessage != tt.extMsg {
					t.Errorf("direction %d: ASN4 %v ExtendedMessage %v", d, c.ASN4, c.ExtendedMessage)
				}
				for _, f := range []wire.Family{v4, v6, vpn4} {
					if c.AddPath(f) != slices.Contains(tt.addPath[d], f) {
						t.Errorf("direction %d: AddPath(%s) = %v", d, f, c.AddPath(f))
					}
					if c.ExtNextHop(f) != slices.Contains(tt.extNH, f) {
						t.Errorf("direction %d: ExtNextHop(%s) = %v", d, f, c.ExtNextHop(f))
					}
				}
			}
		})
	}
}

// TestExaBGPSoftwareVersion decodes ExaBGP's bgp-open-sofware-version
// vector and compares with ExaBGP's JSON.
func TestExaBGPSoftwareVersion(t *testing.T) {
	raw, err := os.ReadFile("testdata/open/exabgp/bgp-open-sofware-version")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	if len(lines) < 2 || strings.TrimSpace(lines[0]) != "open" {
		t.Fatalf("unexpected vector layout: %q", lines[0])
	}
	m, err := hex.DecodeString(strings.TrimSpace(lines[1]))
	if err != nil {
		t.Fatal(err)
	}
	o, err := ParseOpen(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	// JSON: "version": 4, "asn": 65533, "hold_time": 180, "router_id": "10.0.0.2".
	if o.Version != 4 || o.ASN() != 65533 || o.HoldTime != 180 || o.BGPIdentifier != netip.MustParseAddr("10.0.0.2") {
		t.Errorf("fields %+v ASN %d", o, o.ASN())
	}
	var got []string
	for it := o.Capabilities(); it.Next(); {
		got = append(got, capability.Describe(it.Code(), it.Value()))
	}
	want := []string{"multiprotocol ipv4/unicast", "asn4 65533", `software-version "ExaBGP/main-c2a2ea8ebd-20240715"`}
	if !slices.Equal(got, want) {
		t.Errorf("capabilities %q, want %q", got, want)
	}
}
