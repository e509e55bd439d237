package capability

import (
	"bytes"
	"slices"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

func TestGracefulRestart(t *testing.T) {
	tests := []struct {
		name  string
		v     []byte
		flags RestartFlags
		time  uint16
		fams  []RestartFamily
		err   bool
	}{
		{
			name:  "frr no families",
			v:     []byte{0xC0, 0x78}, // flags R+N, time 120
			flags: RestartState | RestartNotification, time: 120,
		},
		{
			name: "bird two families",
			v: []byte{
				0x00, 0x78, // flags 0, time 120
				0x00, 0x01, 0x01, 0x80, // ipv4/unicast, forwarding
				0x00, 0x02, 0x01, 0x00, // ipv6/unicast
			},
			time: 120,
			fams: []RestartFamily{{wire.IPv4Unicast, FlagForwarding}, {wire.IPv6Unicast, 0}},
		},
		{
			name:  "max time",
			v:     []byte{0x4F, 0xFF}, // flags N, time 4095
			flags: RestartNotification, time: 4095,
		},
		{name: "empty", v: nil, err: true},
		{name: "one octet", v: []byte{0x00}, err: true},
		{name: "partial family", v: []byte{0x00, 0x78, 0x00, 0x01, 0x01}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := ParseGracefulRestart(tt.v)
			if tt.err {
				wantOpenErr(t, err, 0, wire.ActionSessionReset)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.Flags() != tt.flags || g.Time() != tt.time || g.Len() != len(tt.fams) {
				t.Fatalf("flags %x time %d len %d", g.Flags(), g.Time(), g.Len())
			}
			if got := slices.Collect(g.All()); !slices.Equal(got, tt.fams) {
				t.Errorf("All() = %v, want %v", got, tt.fams)
			}
			enc := AppendGracefulRestart(nil, tt.flags, tt.time, tt.fams...)
			if !bytes.Equal(enc, append([]byte{byte(CodeGracefulRestart), byte(len(tt.v))}, tt.v...)) {
				t.Errorf("AppendGracefulRestart = % X", enc)
			}
		})
	}
	if !(RestartFamily{Flags: FlagForwarding}).Forwarding() || (RestartFamily{}).Forwarding() {
		t.Error("Forwarding")
	}
	// Clamping: time above 12 bits and flags above 4 bits.
	got := AppendGracefulRestart(nil, 0xFF, 5000)
	if !bytes.Equal(got, []byte{0x40, 0x02, 0xFF, 0xFF}) { // code 64, len 2, flags F, time 4095
		t.Errorf("clamped = % X", got)
	}
}

func TestLLGR(t *testing.T) {
	// BIRD's LLGR capability value from bird-openbgpd-ebgp-v4v6-addpath-role-vpn.
	v := []byte{
		0x00, 0x01, 0x01, 0x00, 0x00, 0x0E, 0x10, // ipv4/unicast, flags 0, stale 3600
		0x00, 0x01, 0x80, 0x00, 0x00, 0x0E, 0x10, // ipv4/mpls-vpn, flags 0, stale 3600
		0x00, 0x02, 0x01, 0x80, 0xFF, 0xFF, 0xFF, // ipv6/unicast, forwarding, stale 16777215
	}
	l, err := ParseLLGR(v)
	if err != nil {
		t.Fatal(err)
	}
	want := []LLGRFamily{
		{wire.IPv4Unicast, 0, 3600},
		{fam(1, 128), 0, 3600},
		{wire.IPv6Unicast, FlagForwarding, MaxStaleTime},
	}
	if got := slices.Collect(l.All()); !slices.Equal(got, want) {
		t.Fatalf("All() = %v, want %v", got, want)
	}
	if !l.At(2).Forwarding() || l.At(0).Forwarding() {
		t.Error("Forwarding")
	}
	if enc := AppendLLGR(nil, want...); !bytes.Equal(enc, append([]byte{0x47, 21}, v...)) { // code 71, len 21
		t.Errorf("AppendLLGR = % X", enc)
	}
	for _, bad := range [][]byte{{0x00}, v[:8]} {
		_, err := ParseLLGR(bad)
		wantOpenErr(t, err, 0, wire.ActionSessionReset)
	}
	if l, err := ParseLLGR(nil); err != nil || l.Len() != 0 {
		t.Errorf("empty LLGR: %v %v", l, err)
	}
	clamped := AppendLLGR(nil, LLGRFamily{wire.IPv4Unicast, 0, 1 << 30})
	if !bytes.Equal(clamped[6:], []byte{0xFF, 0xFF, 0xFF}) {
		t.Errorf("clamped stale time = % X", clamped)
	}
	many := make([]LLGRFamily, 40)
	if enc := AppendLLGR(nil, many...); enc[1] != 36*7 || len(enc) != 2+36*7 {
		t.Errorf("40 families: length %d", enc[1])
	}
}
