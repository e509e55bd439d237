package capability

import (
	"bytes"
	"slices"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

func TestAddPathMode(t *testing.T) {
	tests := []struct {
		m          AddPathMode
		s          string
		recv, send bool
	}{
		{AddPathReceive, "receive", true, false},
		{AddPathSend, "send", false, true},
		{AddPathBoth, "send/receive", true, true},
		{0, "mode-0", false, false},
		{4, "mode-4", false, false},
	}
	for _, tt := range tests {
		if tt.m.String() != tt.s || tt.m.CanReceive() != tt.recv || tt.m.CanSend() != tt.send {
			t.Errorf("mode %d: %q %v %v", tt.m, tt.m.String(), tt.m.CanReceive(), tt.m.CanSend())
		}
	}
}

func TestAddPath(t *testing.T) {
	tests := []struct {
		name   string
		v      []byte
		want   []AddPathFamily
		err    bool
		ignore bool
	}{
		{
			name: "gobgp send/receive v4 v6",
			v: []byte{
				0x00, 0x01, 0x01, 0x03, // ipv4/unicast send/receive
				0x00, 0x02, 0x01, 0x03, // ipv6/unicast send/receive
			},
			want: []AddPathFamily{{wire.IPv4Unicast, AddPathBoth}, {wire.IPv6Unicast, AddPathBoth}},
		},
		{
			name: "frr receive",
			v:    []byte{0x00, 0x01, 0x01, 0x01}, // ipv4/unicast receive
			want: []AddPathFamily{{wire.IPv4Unicast, AddPathReceive}},
		},
		{name: "empty", v: []byte{}, want: nil},
		{name: "bad length", v: []byte{0x00, 0x01, 0x01}, err: true},
		{name: "mode 0", v: []byte{0x00, 0x01, 0x01, 0x00}, err: true, ignore: true},
		{name: "mode 4", v: []byte{0x00, 0x01, 0x01, 0x03, 0x00, 0x02, 0x01, 0x04}, err: true, ignore: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAddPath(tt.v)
			if tt.err {
				action := wire.ActionSessionReset
				if tt.ignore {
					action = wire.ActionNone
				}
				wantOpenErr(t, err, 0, action)
				if Ignorable(err) != tt.ignore {
					t.Errorf("Ignorable = %v", Ignorable(err))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Collect(a.All()); !slices.Equal(got, tt.want) {
				t.Fatalf("All() = %v, want %v", got, tt.want)
			}
			for _, e := range tt.want {
				if a.Mode(e.Family) != e.Mode {
					t.Errorf("Mode(%s) = %s", e.Family, a.Mode(e.Family))
				}
			}
			if a.Mode(fam(2, 128)) != 0 {
				t.Error("Mode of an unlisted family")
			}
			enc := AppendAddPath(nil, tt.want...)
			if !bytes.Equal(enc, append([]byte{byte(CodeAddPath), byte(len(tt.v))}, tt.v...)) {
				t.Errorf("AppendAddPath = % X", enc)
			}
		})
	}
	many := make([]AddPathFamily, 70)
	if enc := AppendAddPath(nil, many...); enc[1] != 252 || len(enc) != 254 {
		t.Errorf("70 entries: length field %d", enc[1])
	}
}

func TestExtendedNextHop(t *testing.T) {
	// GoBGP's capability from exabgp-gobgp-multifamily-ebgp-asn4 (first three entries).
	v := []byte{
		0x00, 0x01, 0x00, 0x01, 0x00, 0x02, // ipv4/unicast, nh ipv6
		0x00, 0x01, 0x00, 0x80, 0x00, 0x02, // ipv4/mpls-vpn, nh ipv6
		0x00, 0x19, 0x00, 0x46, 0x00, 0x02, // l2vpn/evpn, nh ipv6
	}
	x, err := ParseExtendedNextHop(v)
	if err != nil {
		t.Fatal(err)
	}
	want := []NextHopFamily{
		{wire.IPv4Unicast, wire.AFIIPv6},
		{fam(1, 128), wire.AFIIPv6},
		{fam(25, 70), wire.AFIIPv6},
	}
	if got := slices.Collect(x.All()); !slices.Equal(got, want) {
		t.Fatalf("All() = %v, want %v", got, want)
	}
	if !x.Has(want[1]) || x.Has(NextHopFamily{wire.IPv4Unicast, wire.AFIIPv4}) {
		t.Error("Has")
	}
	if enc := AppendExtendedNextHop(nil, want...); !bytes.Equal(enc, append([]byte{0x05, 18}, v...)) { // code 5, len 18
		t.Errorf("AppendExtendedNextHop = % X", enc)
	}
	_, err = ParseExtendedNextHop(v[:5])
	wantOpenErr(t, err, 0, wire.ActionSessionReset)
	_, err = ParseExtendedNextHop([]byte{0x00, 0x01, 0x01, 0x01, 0x00, 0x02}) // NLRI SAFI 257
	wantOpenErr(t, err, 0, wire.ActionNone)
}
