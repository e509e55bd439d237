package capability

import (
	"bytes"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

func TestMultiprotocol(t *testing.T) {
	tests := []struct {
		name string
		v    []byte
		want wire.Family
		err  bool
	}{
		{name: "ipv4/unicast", v: []byte{0x00, 0x01, 0x00, 0x01}, want: wire.IPv4Unicast},     // AFI 1, reserved, SAFI 1
		{name: "ipv6/mpls-vpn", v: []byte{0x00, 0x02, 0x00, 0x80}, want: fam(2, 128)},         // AFI 2, reserved, SAFI 128
		{name: "l2vpn/evpn", v: []byte{0x00, 0x19, 0x00, 0x46}, want: fam(25, 70)},            // AFI 25, reserved, SAFI 70
		{name: "reserved ignored", v: []byte{0x00, 0x01, 0xFF, 0x01}, want: wire.IPv4Unicast}, // reserved octet set
		{name: "short", v: []byte{0x00, 0x01, 0x00}, err: true},
		{name: "long", v: []byte{0x00, 0x01, 0x00, 0x01, 0x00}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMultiprotocol(tt.v)
			if tt.err {
				wantOpenErr(t, err, 0, wire.ActionSessionReset)
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseMultiprotocol = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	got := AppendMultiprotocol(nil, fam(wire.AFIIPv6, wire.SAFIFlow))
	want := []byte{0x01, 0x04, 0x00, 0x02, 0x00, 0x85} // code 1, len 4, AFI 2, reserved, SAFI 133
	if !bytes.Equal(got, want) {
		t.Errorf("AppendMultiprotocol = % X, want % X", got, want)
	}
}

func TestASN4(t *testing.T) {
	v := []byte{0xFA, 0x56, 0xEA, 0x1F} // 4200000031 (BIRD in bird-openbgpd capture)
	asn, err := ParseASN4(v)
	if err != nil || asn != 4200000031 {
		t.Fatalf("ParseASN4 = %d, %v", asn, err)
	}
	if got := AppendASN4(nil, 4200000031); !bytes.Equal(got, append([]byte{0x41, 0x04}, v...)) { // code 65, len 4
		t.Errorf("AppendASN4 = % X", got)
	}
	for _, bad := range [][]byte{nil, {0, 0, 0xFD}, {0, 0, 0xFD, 0xE9, 0}} {
		_, err := ParseASN4(bad)
		wantOpenErr(t, err, 0, wire.ActionSessionReset)
	}
}

func TestRole(t *testing.T) {
	names := map[Role]string{RoleProvider: "provider", RoleRS: "rs", RoleRSClient: "rs-client", RoleCustomer: "customer", RolePeer: "peer", 9: "role-9"}
	for r, n := range names {
		if r.String() != n {
			t.Errorf("Role(%d).String() = %q, want %q", r, r.String(), n)
		}
		if got, ok := ParseRoleName(n); r < 5 && (!ok || got != r) {
			t.Errorf("ParseRoleName(%q) = %v, %v", n, got, ok)
		}
	}
	if _, ok := ParseRoleName("role-9"); ok {
		t.Error("ParseRoleName accepted role-9")
	}
	r, err := ParseRole([]byte{0x03}) // customer
	if err != nil || r != RoleCustomer {
		t.Fatalf("ParseRole = %v, %v", r, err)
	}
	for _, bad := range [][]byte{nil, {0x03, 0x00}} {
		_, err := ParseRole(bad)
		wantOpenErr(t, err, 0, wire.ActionSessionReset)
	}
	if got := AppendRole(nil, RoleProvider); !bytes.Equal(got, []byte{0x09, 0x01, 0x00}) { // code 9, len 1, provider
		t.Errorf("AppendRole = % X", got)
	}
	match := [][2]Role{{RoleProvider, RoleCustomer}, {RoleCustomer, RoleProvider}, {RoleRS, RoleRSClient}, {RoleRSClient, RoleRS}, {RolePeer, RolePeer}}
	for l := Role(0); l < 7; l++ {
		for rr := Role(0); rr < 7; rr++ {
			want := false
			for _, m := range match {
				want = want || (m[0] == l && m[1] == rr)
			}
			if got := RolesMatch(l, rr); got != want {
				t.Errorf("RolesMatch(%s, %s) = %v", l, rr, got)
			}
		}
	}
}

func TestFQDN(t *testing.T) {
	tests := []struct {
		name         string
		v            []byte
		host, domain string
		err          bool
	}{
		{
			name: "frr",
			v: []byte{
				0x0A, 'f', 'r', 'r', '-', 'b', 'o', 'r', 'd', 'e', 'r', // host len 10
				0x12, 'c', 'o', 'r', 'p', 'u', 's', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'n', 'e', 't', // domain len 18
			},
			host: "frr-border", domain: "corpus.example.net",
		},
		{
			name: "gobgp empty domain",
			v:    []byte{0x02, 'v', 'm', 0x00}, // host len 2 "vm", domain len 0
			host: "vm",
		},
		{name: "empty", v: nil, err: true},
		{name: "no domain length", v: []byte{0x02, 'v', 'm'}, err: true},
		{name: "host runs past", v: []byte{0x05, 'v', 'm', 0x00}, err: true},
		{name: "trailing", v: []byte{0x00, 0x00, 0x00}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, d, err := ParseFQDN(tt.v)
			if tt.err {
				wantOpenErr(t, err, 0, wire.ActionSessionReset)
				return
			}
			if err != nil || h != tt.host || d != tt.domain {
				t.Fatalf("ParseFQDN = %q, %q, %v", h, d, err)
			}
			enc := AppendFQDN(nil, h, d)
			if enc[0] != byte(CodeFQDN) || int(enc[1]) != len(tt.v) || !bytes.Equal(enc[2:], tt.v) {
				t.Errorf("AppendFQDN = % X, want value % X", enc, tt.v)
			}
		})
	}
	long := AppendFQDN(nil, string(bytes.Repeat([]byte("h"), 300)), "example.net")
	h, d, err := ParseFQDN(long[2:])
	if err != nil || len(h) != 253 || d != "" || int(long[1]) != len(long)-2 {
		t.Errorf("AppendFQDN long: host %d octets, domain %q, err %v", len(h), d, err)
	}
}

func TestSoftwareVersion(t *testing.T) {
	// From exabgp/decoding/bgp-open-sofware-version: code 75, len 32, then:
	v := append([]byte{0x1F}, "ExaBGP/main-c2a2ea8ebd-20240715"...) // version len 31, text
	s, err := ParseSoftwareVersion(v)
	if err != nil || s != "ExaBGP/main-c2a2ea8ebd-20240715" {
		t.Fatalf("ParseSoftwareVersion = %q, %v", s, err)
	}
	if got := AppendSoftwareVersion(nil, s); !bytes.Equal(got, append([]byte{0x4B, 0x20}, v...)) {
		t.Errorf("AppendSoftwareVersion = % X", got)
	}
	for _, bad := range [][]byte{nil, {0x02, 'a'}, {0x00, 'a'}} {
		_, err := ParseSoftwareVersion(bad)
		wantOpenErr(t, err, 0, wire.ActionSessionReset)
	}
	// 300 octets of two-octet runes: truncated to 254 octets, whole runes.
	long := AppendSoftwareVersion(nil, string(bytes.Repeat([]byte("é"), 150)))
	got, err := ParseSoftwareVersion(long[2:])
	if err != nil || len(got) != 254 || long[1] != 255 {
		t.Errorf("long version: %d octets, len field %d, %v", len(got), long[1], err)
	}
}
