package capability

import (
	"slices"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// birdCaps is the capability list of BIRD's OPEN (AS 4200000031) in
// bird-openbgpd-ebgp-v4v6-addpath-role-vpn.
var birdCaps = []byte{
	0x01, 0x04, 0x00, 0x01, 0x00, 0x01, // multiprotocol ipv4/unicast
	0x01, 0x04, 0x00, 0x01, 0x00, 0x80, // multiprotocol ipv4/mpls-vpn
	0x01, 0x04, 0x00, 0x02, 0x00, 0x01, // multiprotocol ipv6/unicast
	0x02, 0x00, // route-refresh
	0x06, 0x00, // extended-message
	0x09, 0x01, 0x03, // role customer
	0x40, 0x0E, 0x00, 0x78, // graceful-restart, len 14, flags 0, time 120
	0x00, 0x01, 0x01, 0x00, //   ipv4/unicast
	0x00, 0x01, 0x80, 0x00, //   ipv4/mpls-vpn
	0x00, 0x02, 0x01, 0x00, //   ipv6/unicast
	0x41, 0x04, 0xFA, 0x56, 0xEA, 0x1F, // asn4 4200000031
	0x45, 0x08, // add-path, len 8
	0x00, 0x01, 0x01, 0x03, //   ipv4/unicast send/receive
	0x00, 0x02, 0x01, 0x03, //   ipv6/unicast send/receive
	0x46, 0x00, // enhanced-route-refresh
	0x47, 0x15, // llgr, len 21
	0x00, 0x01, 0x01, 0x00, 0x00, 0x0E, 0x10, //   ipv4/unicast stale 3600
	0x00, 0x01, 0x80, 0x00, 0x00, 0x0E, 0x10, //   ipv4/mpls-vpn stale 3600
	0x00, 0x02, 0x01, 0x00, 0x00, 0x0E, 0x10, //   ipv6/unicast stale 3600
	0x49, 0x0B, 0x09, 'b', 'i', 'r', 'd', '-', 'e', 'd', 'g', 'e', 0x00, // fqdn "bird-edge", ""
}

func TestParseSet(t *testing.T) {
	s, err := ParseSet(birdCaps)
	if err != nil {
		t.Fatal(err)
	}
	want := Set{
		ASN4: true, ASN: 4200000031, ExtendedMessage: true, RouteRefresh: true,
		EnhancedRouteRefresh: true, GracefulRestart: true, LLGR: true, HasRole: true, Role: RoleCustomer,
		Families: []wire.Family{wire.IPv4Unicast, fam(1, 128), wire.IPv6Unicast},
		AddPath:  []AddPathFamily{{wire.IPv4Unicast, AddPathBoth}, {wire.IPv6Unicast, AddPathBoth}},
	}
	if !setEqual(s, want) {
		t.Fatalf("ParseSet =\n%+v\nwant\n%+v", s, want)
	}
	if !s.HasFamily(wire.IPv6Unicast) || s.HasFamily(wire.IPv4Multicast) {
		t.Error("HasFamily")
	}
	if (Set{}).HasFamily(wire.IPv4Unicast) != true || (Set{}).HasFamily(wire.IPv6Unicast) {
		t.Error("HasFamily without multiprotocol must mean ipv4/unicast only")
	}
}

func setEqual(a, b Set) bool {
	return a.ASN4 == b.ASN4 && a.ASN == b.ASN && a.ExtendedMessage == b.ExtendedMessage &&
		a.RouteRefresh == b.RouteRefresh && a.EnhancedRouteRefresh == b.EnhancedRouteRefresh &&
		a.GracefulRestart == b.GracefulRestart && a.LLGR == b.LLGR && a.HasRole == b.HasRole && a.Role == b.Role &&
		slices.Equal(a.Families, b.Families) && slices.Equal(a.AddPath, b.AddPath) && slices.Equal(a.ExtNextHop, b.ExtNextHop)
}

func TestSetAdd(t *testing.T) {
	tests := []struct {
		name   string
		caps   []byte
		want   Set
		sub    uint8 // expected OPEN subcode when fail
		fail   bool
		framed bool // error from the iterator, not Add
	}{
		{
			name: "duplicates",
			caps: []byte{
				0x01, 0x04, 0x00, 0x01, 0x00, 0x01, // multiprotocol ipv4/unicast
				0x01, 0x04, 0x00, 0x01, 0x00, 0x01, // again
				0x45, 0x04, 0x00, 0x01, 0x01, 0x01, // add-path ipv4/unicast receive
				0x45, 0x04, 0x00, 0x01, 0x01, 0x03, // add-path ipv4/unicast send/receive: replaces
				0x05, 0x06, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02, // ext-nh ipv4/unicast nh ipv6
				0x05, 0x06, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02, // again
				0x09, 0x01, 0x04, // role peer
				0x09, 0x01, 0x04, // role peer again: fine
				0x80, 0x00, // route-refresh-cisco
			},
			want: Set{
				Families: []wire.Family{wire.IPv4Unicast}, RouteRefresh: true, HasRole: true, Role: RolePeer,
				AddPath:    []AddPathFamily{{wire.IPv4Unicast, AddPathBoth}},
				ExtNextHop: []NextHopFamily{{wire.IPv4Unicast, wire.AFIIPv6}},
			},
		},
		{
			name: "ignored add-path and unknown",
			caps: []byte{
				0x45, 0x04, 0x00, 0x01, 0x01, 0x07, // add-path with mode 7: ignored
				0xC8, 0x01, 0xFF, // unknown 200
				0x43, 0x00, // dynamic capability
				0x4B, 0x02, 0x01, 'x', // software-version "x"
			},
			want: Set{},
		},
		{
			name: "role mismatch",
			caps: []byte{0x09, 0x01, 0x00, 0x09, 0x01, 0x03}, // role provider, role customer
			fail: true, sub: wire.SubRoleMismatch,
		},
		{
			name: "asn 0",
			caps: []byte{0x41, 0x04, 0x00, 0x00, 0x00, 0x00}, // asn4 0
			fail: true, sub: wire.SubBadPeerAS,
		},
		{name: "bad multiprotocol", caps: []byte{0x01, 0x02, 0x00, 0x01}, fail: true},
		{name: "bad route-refresh", caps: []byte{0x02, 0x01, 0x00}, fail: true},
		{name: "bad graceful-restart", caps: []byte{0x40, 0x01, 0x00}, fail: true},
		{name: "bad llgr", caps: []byte{0x47, 0x01, 0x00}, fail: true},
		{name: "bad fqdn", caps: []byte{0x49, 0x01, 0x05}, fail: true},
		{name: "bad software-version", caps: []byte{0x4B, 0x00}, fail: true},
		{name: "bad role", caps: []byte{0x09, 0x00}, fail: true},
		{name: "bad ext-nh", caps: []byte{0x05, 0x01, 0x00}, fail: true},
		{name: "bad add-path", caps: []byte{0x45, 0x01, 0x00}, fail: true},
		{name: "bad asn4", caps: []byte{0x41, 0x01, 0x00}, fail: true},
		{name: "framing", caps: []byte{0x41, 0x04, 0x00}, fail: true, framed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSet(tt.caps)
			if tt.fail {
				wantOpenErr(t, err, tt.sub, wire.ActionSessionReset)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !setEqual(s, tt.want) {
				t.Errorf("got %+v, want %+v", s, tt.want)
			}
		})
	}
}

func TestNegotiate(t *testing.T) {
	v4, v6, vpn := wire.IPv4Unicast, wire.IPv6Unicast, fam(1, 128)
	ap := func(e ...AddPathFamily) Set { return Set{AddPath: e} }
	type dir struct {
		asn4, extMsg bool
		addPath      []wire.Family
		extNH        []wire.Family
	}
	tests := []struct {
		name          string
		local, remote Set
		recv, send    dir
	}{
		{name: "nothing", local: Set{}, remote: Set{}},
		{
			name:  "asn4 both, ext msg local only",
			local: Set{ASN4: true, ExtendedMessage: true}, remote: Set{ASN4: true},
			recv: dir{asn4: true}, send: dir{asn4: true},
		},
		{
			name:  "ext msg both",
			local: Set{ExtendedMessage: true}, remote: Set{ExtendedMessage: true},
			recv: dir{extMsg: true}, send: dir{extMsg: true},
		},
		{
			name:  "local receive, remote send",
			local: ap(AddPathFamily{v4, AddPathReceive}), remote: ap(AddPathFamily{v4, AddPathSend}),
			recv: dir{addPath: []wire.Family{v4}},
		},
		{
			name:  "local send, remote receive",
			local: ap(AddPathFamily{v4, AddPathSend}), remote: ap(AddPathFamily{v4, AddPathReceive}),
			send: dir{addPath: []wire.Family{v4}},
		},
		{
			name:  "both send/receive, two families",
			local: ap(AddPathFamily{v4, AddPathBoth}, AddPathFamily{v6, AddPathBoth}), remote: ap(AddPathFamily{v6, AddPathBoth}, AddPathFamily{v4, AddPathBoth}),
			recv: dir{addPath: []wire.Family{v4, v6}}, send: dir{addPath: []wire.Family{v4, v6}},
		},
		{
			name:  "both receive only",
			local: ap(AddPathFamily{v4, AddPathReceive}), remote: ap(AddPathFamily{v4, AddPathReceive}),
		},
		{
			name:  "local both, remote receive",
			local: ap(AddPathFamily{v4, AddPathBoth}), remote: ap(AddPathFamily{v4, AddPathReceive}),
			send: dir{addPath: []wire.Family{v4}},
		},
		{
			name:  "local both, remote silent",
			local: ap(AddPathFamily{v4, AddPathBoth}), remote: Set{},
		},
		{
			name:  "different families",
			local: ap(AddPathFamily{v4, AddPathBoth}), remote: ap(AddPathFamily{v6, AddPathBoth}),
		},
		{
			name:   "extended next hop, same entry",
			local:  Set{ExtNextHop: []NextHopFamily{{v4, wire.AFIIPv6}, {vpn, wire.AFIIPv6}}},
			remote: Set{ExtNextHop: []NextHopFamily{{v4, wire.AFIIPv6}}},
			recv:   dir{extNH: []wire.Family{v4}}, send: dir{extNH: []wire.Family{v4}},
		},
		{
			name:   "extended next hop, other next-hop AFI",
			local:  Set{ExtNextHop: []NextHopFamily{{v4, wire.AFIIPv6}}},
			remote: Set{ExtNextHop: []NextHopFamily{{v4, wire.AFIIPv4}}},
		},
	}
	check := func(t *testing.T, what string, c wire.Context, d dir) {
		t.Helper()
		if c.ASN4 != d.asn4 || c.ExtendedMessage != d.extMsg {
			t.Errorf("%s: ASN4 %v ExtendedMessage %v, want %v %v", what, c.ASN4, c.ExtendedMessage, d.asn4, d.extMsg)
		}
		for _, f := range []wire.Family{v4, v6, vpn} {
			if c.AddPath(f) != slices.Contains(d.addPath, f) {
				t.Errorf("%s: AddPath(%s) = %v", what, f, c.AddPath(f))
			}
			if c.ExtNextHop(f) != slices.Contains(d.extNH, f) {
				t.Errorf("%s: ExtNextHop(%s) = %v", what, f, c.ExtNextHop(f))
			}
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recv, send := Negotiate(tt.local, tt.remote)
			check(t, "recv", recv, tt.recv)
			check(t, "send", send, tt.send)
			// The remote's view is the mirror image.
			rrecv, rsend := Negotiate(tt.remote, tt.local)
			if rrecv != send || rsend != recv {
				t.Error("Negotiate(remote, local) is not the mirror of Negotiate(local, remote)")
			}
			aToB, bToA := ContextFromOpens(tt.local, tt.remote)
			if aToB != send || bToA != recv {
				t.Error("ContextFromOpens(local, remote) != (send, recv)")
			}
		})
	}
}

func TestCommonFamilies(t *testing.T) {
	v4, v6, vpn := wire.IPv4Unicast, wire.IPv6Unicast, fam(1, 128)
	tests := []struct {
		local, remote []wire.Family
		want          []wire.Family
	}{
		{nil, nil, []wire.Family{v4}},
		{[]wire.Family{v6, v4, vpn}, []wire.Family{v4, vpn}, []wire.Family{v4, vpn}},
		{[]wire.Family{v6}, nil, nil},
		{nil, []wire.Family{v4, v6}, []wire.Family{v4}},
	}
	for _, tt := range tests {
		got := CommonFamilies(Set{Families: tt.local}, Set{Families: tt.remote})
		if !slices.Equal(got, tt.want) {
			t.Errorf("CommonFamilies(%v, %v) = %v, want %v", tt.local, tt.remote, got, tt.want)
		}
	}
}
