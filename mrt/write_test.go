package mrt

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

// wTime is 2024-01-31 23:55:07.123456 UTC: 0x65BADDDB seconds, 123456 µs
// (0x0001E240).
var wTime = time.Date(2024, 1, 31, 23, 55, 7, 123456789, time.UTC)

func wcat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// Attributes used below, in wire form.
var (
	wOrigin  = []byte{0x40, 0x01, 0x01, 0x00}                                        // ORIGIN IGP
	wASPath  = []byte{0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfd, 0xe9}          // AS_PATH AS_SEQUENCE [65001], 4-octet
	wNextHop = []byte{0x40, 0x03, 0x04, 0xc0, 0x00, 0x02, 0x01}                      // NEXT_HOP 192.0.2.1
	wMED     = []byte{0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x0a}                      // MULTI_EXIT_DISC 10
	wLarge   = []byte{0xc0, 0x20, 0x0c, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 0, 0, 0, 2}    // LARGE_COMMUNITY 65000:1:2
	wNH6     = []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01} // 2001:db8::1
)

// wKeepalive is a whole KEEPALIVE message.
var wKeepalive = wcat(bytes.Repeat([]byte{0xff}, 16), []byte{0x00, 0x13, 0x04})

func TestAppendHeader(t *testing.T) {
	tests := []struct {
		name string
		typ  Type
		sub  uint16
		body int
		want []byte
	}{
		{"table dump v2", TypeTableDumpV2, RIBIPv4Unicast, 20, []byte{
			0x65, 0xba, 0xdd, 0xdb, // timestamp
			0x00, 0x0d, // type 13 TABLE_DUMP_V2
			0x00, 0x02, // subtype 2 RIB_IPV4_UNICAST
			0x00, 0x00, 0x00, 0x14, // length 20
		}},
		{"bgp4mp_et counts the microseconds", TypeBGP4MPET, BGP4MPMessageAS4, 20, []byte{
			0x65, 0xba, 0xdd, 0xdb, // timestamp
			0x00, 0x11, // type 17 BGP4MP_ET
			0x00, 0x04, // subtype 4 MESSAGE_AS4
			0x00, 0x00, 0x00, 0x18, // length 20 + 4
			0x00, 0x01, 0xe2, 0x40, // microseconds 123456
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AppendHeader([]byte{0xaa}, wTime, tt.typ, tt.sub, tt.body)
			if want := wcat([]byte{0xaa}, tt.want); !bytes.Equal(got, want) {
				t.Errorf("got  % x\nwant % x", got, want)
			}
		})
	}
}

func TestAppendBGP4MPMessage(t *testing.T) {
	v4 := Endpoints{PeerAS: 65001, LocalAS: 4200000000, Interface: 7,
		PeerIP: netip.MustParseAddr("192.0.2.2"), LocalIP: netip.MustParseAddr("192.0.2.1")}
	tests := []struct {
		name string
		sub  uint16
		e    Endpoints
		want []byte
	}{
		{"as4 ipv4", BGP4MPMessageAS4, v4, wcat([]byte{
			0x65, 0xba, 0xdd, 0xdb, 0x00, 0x11, 0x00, 0x04, // timestamp, BGP4MP_ET, MESSAGE_AS4
			0x00, 0x00, 0x00, 0x2b, // length: 4 µs + 20 + 19
			0x00, 0x01, 0xe2, 0x40, // microseconds
			0x00, 0x00, 0xfd, 0xe9, // peer AS 65001
			0xfa, 0x56, 0xea, 0x00, // local AS 4200000000
			0x00, 0x07, // interface index 7
			0x00, 0x01, // AFI IPv4
			0xc0, 0x00, 0x02, 0x02, // peer IP 192.0.2.2
			0xc0, 0x00, 0x02, 0x01, // local IP 192.0.2.1
		}, wKeepalive)},
		{"2-octet AS: AS_TRANS for a large AS", BGP4MPMessage, v4, wcat([]byte{
			0x65, 0xba, 0xdd, 0xdb, 0x00, 0x11, 0x00, 0x01, // timestamp, BGP4MP_ET, MESSAGE
			0x00, 0x00, 0x00, 0x27, // length: 4 + 16 + 19
			0x00, 0x01, 0xe2, 0x40, // microseconds
			0xfd, 0xe9, // peer AS 65001
			0x5b, 0xa0, // local AS 23456 (AS_TRANS)
			0x00, 0x07, // interface index
			0x00, 0x01, // AFI IPv4
			0xc0, 0x00, 0x02, 0x02, // peer IP
			0xc0, 0x00, 0x02, 0x01, // local IP
		}, wKeepalive)},
		{"ipv6 peer, local address of the other family", BGP4MPMessageAS4Local, Endpoints{PeerAS: 1, LocalAS: 2,
			PeerIP: netip.MustParseAddr("2001:db8::1"), LocalIP: netip.MustParseAddr("192.0.2.1")}, wcat([]byte{
			0x65, 0xba, 0xdd, 0xdb, 0x00, 0x11, 0x00, 0x07, // timestamp, BGP4MP_ET, MESSAGE_AS4_LOCAL
			0x00, 0x00, 0x00, 0x43, // length: 4 + 44 + 19
			0x00, 0x01, 0xe2, 0x40, // microseconds
			0x00, 0x00, 0x00, 0x01, // peer AS 1
			0x00, 0x00, 0x00, 0x02, // local AS 2
			0x00, 0x00, // interface index
			0x00, 0x02, // AFI IPv6
		}, wNH6, make([]byte, 16), wKeepalive)}, // peer IP 2001:db8::1, local IP ::
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendBGP4MPMessage(nil, wTime, tt.sub, tt.e, wKeepalive)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got  % x\nwant % x", got, tt.want)
			}
		})
	}
}

func TestAppendBGP4MPErrors(t *testing.T) {
	e := Endpoints{PeerIP: netip.MustParseAddr("192.0.2.2")}
	if _, err := AppendBGP4MPMessage(nil, wTime, BGP4MPStateChangeAS4, e, wKeepalive); err == nil {
		t.Error("a state change subtype was accepted for a message")
	}
	dst := []byte{1, 2}
	got, err := AppendBGP4MPMessage(dst, wTime, BGP4MPMessageAS4, Endpoints{}, wKeepalive)
	if err == nil || !bytes.Equal(got, dst) {
		t.Errorf("no peer address: got % x, %v; want dst unchanged and an error", got, err)
	}
	if got, err := AppendBGP4MPStateChange(dst, wTime, Endpoints{}, 1, 2); err == nil || !bytes.Equal(got, dst) {
		t.Errorf("state change without a peer address: got % x, %v", got, err)
	}
}

func TestAppendBGP4MPStateChange(t *testing.T) {
	e := Endpoints{PeerAS: 65001, LocalAS: 65000, PeerIP: netip.MustParseAddr("192.0.2.2")}
	got, err := AppendBGP4MPStateChange(nil, wTime, e, StateOpenConfirm, StateEstablished)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x65, 0xba, 0xdd, 0xdb, 0x00, 0x11, 0x00, 0x05, // timestamp, BGP4MP_ET, STATE_CHANGE_AS4
		0x00, 0x00, 0x00, 0x1c, // length: 4 + 20 + 4
		0x00, 0x01, 0xe2, 0x40, // microseconds
		0x00, 0x00, 0xfd, 0xe9, // peer AS
		0x00, 0x00, 0xfd, 0xe8, // local AS
		0x00, 0x00, 0x00, 0x01, // interface 0, AFI IPv4
		0xc0, 0x00, 0x02, 0x02, // peer IP
		0x00, 0x00, 0x00, 0x00, // local IP: none
		0x00, 0x05, 0x00, 0x06, // OpenConfirm → Established
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got  % x\nwant % x", got, want)
	}
}

func TestAppendPeerIndexTable(t *testing.T) {
	peers := []IndexPeer{
		{BGPID: netip.MustParseAddr("10.0.0.2"), IP: netip.MustParseAddr("192.0.2.2"), AS: 65001},
		{BGPID: netip.MustParseAddr("10.0.0.3"), IP: netip.MustParseAddr("2001:db8::1"), AS: 4200000000},
		{}, // a local pseudo-peer: no address, no identifier
	}
	got, err := AppendPeerIndexTable(nil, wTime, netip.MustParseAddr("10.0.0.1"), "ze", peers)
	if err != nil {
		t.Fatal(err)
	}
	want := wcat([]byte{
		0x65, 0xba, 0xdd, 0xdb, 0x00, 0x0d, 0x00, 0x01, // timestamp, TABLE_DUMP_V2, PEER_INDEX_TABLE
		0x00, 0x00, 0x00, 0x3d, // length 61
		0x0a, 0x00, 0x00, 0x01, // collector BGP ID
		0x00, 0x02, 'z', 'e', // view name "ze"
		0x00, 0x03, // peer count
		0x02,                   // peer type: AS4, IPv4
		0x0a, 0x00, 0x00, 0x02, // BGP ID
		0xc0, 0x00, 0x02, 0x02, // IP
		0x00, 0x00, 0xfd, 0xe9, // AS 65001
		0x03,                   // peer type: AS4, IPv6
		0x0a, 0x00, 0x00, 0x03, // BGP ID
	}, wNH6, []byte{
		0xfa, 0x56, 0xea, 0x00, // AS 4200000000
		0x02,                   // peer type: AS4, IPv4
		0x00, 0x00, 0x00, 0x00, // BGP ID 0.0.0.0
		0x00, 0x00, 0x00, 0x00, // IP 0.0.0.0
		0x00, 0x00, 0x00, 0x00, // AS 0
	})
	if !bytes.Equal(got, want) {
		t.Errorf("got  % x\nwant % x", got, want)
	}
}

func TestAppendRIB(t *testing.T) {
	orig := time.Unix(0x65000000, 0)
	tests := []struct {
		name    string
		f       wire.Family
		addPath bool
		prefix  string
		paths   []RIBPath
		want    []byte
	}{
		{"ipv4 unicast", wire.IPv4Unicast, false, "10.1.2.0/23", []RIBPath{
			{PeerIndex: 1, Originated: orig, PathID: 9, Attrs: wcat(wOrigin, wASPath, wNextHop)},
		}, wcat([]byte{
			0x65, 0xba, 0xdd, 0xdb, 0x00, 0x0d, 0x00, 0x02, // timestamp, TABLE_DUMP_V2, RIB_IPV4_UNICAST
			0x00, 0x00, 0x00, 0x26, // length 38
			0x00, 0x00, 0x00, 0x05, // sequence 5
			0x17, 0x0a, 0x01, 0x02, // prefix 10.1.2.0/23: length, 3 octets
			0x00, 0x01, // entry count
			0x00, 0x01, // peer index 1
			0x65, 0x00, 0x00, 0x00, // originated time
			0x00, 0x14, // attribute length 20 (no path ID: not ADD-PATH)
		}, wOrigin, wASPath, wNextHop)},
		{"ipv6 unicast add-path, next hop inserted in code order", wire.IPv6Unicast, true, "2001:db8::/32", []RIBPath{
			{PeerIndex: 0, Originated: orig, PathID: 9, Attrs: wcat(wOrigin, wASPath, wLarge), NextHop: wNH6},
		}, wcat([]byte{
			0x65, 0xba, 0xdd, 0xdb, 0x00, 0x0d, 0x00, 0x0a, // timestamp, TABLE_DUMP_V2, RIB_IPV6_UNICAST_ADDPATH
			0x00, 0x00, 0x00, 0x47, // length 71
			0x00, 0x00, 0x00, 0x05, // sequence
			0x20, 0x20, 0x01, 0x0d, 0xb8, // prefix 2001:db8::/32
			0x00, 0x01, // entry count
			0x00, 0x00, // peer index
			0x65, 0x00, 0x00, 0x00, // originated time
			0x00, 0x00, 0x00, 0x09, // path identifier 9
			0x00, 0x30, // attribute length 48
		}, wOrigin, wASPath,
			[]byte{0x80, 0x0e, 0x11, 0x10}, wNH6, // MP_REACH_NLRI: next hop length 16, next hop only
			wLarge)},
		{"default route, two paths", wire.IPv4Multicast, false, "0.0.0.0/0", []RIBPath{
			{PeerIndex: 2, Originated: orig},
			{PeerIndex: 3, Originated: orig, Attrs: wMED},
		}, wcat([]byte{
			0x65, 0xba, 0xdd, 0xdb, 0x00, 0x0d, 0x00, 0x03, // RIB_IPV4_MULTICAST
			0x00, 0x00, 0x00, 0x1e, // length 30
			0x00, 0x00, 0x00, 0x05, // sequence
			0x00,       // prefix length 0, no octets
			0x00, 0x02, // entry count
			0x00, 0x02, 0x65, 0x00, 0x00, 0x00, 0x00, 0x00, // peer 2, no attributes
			0x00, 0x03, 0x65, 0x00, 0x00, 0x00, 0x00, 0x07, // peer 3, 7 octets
		}, wMED)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendRIB(nil, wTime, 5, tt.f, tt.addPath, netip.MustParsePrefix(tt.prefix), tt.paths)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got  % x\nwant % x", got, tt.want)
			}
		})
	}
}

func TestAppendRIBErrors(t *testing.T) {
	dst := []byte{1}
	tests := []struct {
		name   string
		f      wire.Family
		prefix string
		paths  []RIBPath
	}{
		{"family without a RIB subtype", wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIVPN}, "10.0.0.0/8", nil},
		{"ipv6 prefix in an ipv4 record", wire.IPv4Unicast, "2001:db8::/32", nil},
		{"attributes that cannot be walked", wire.IPv4Unicast, "10.0.0.0/8", []RIBPath{{Attrs: []byte{0x40, 0x01, 0x05, 0x00}}}},
		{"next hop too long", wire.IPv6Unicast, "2001:db8::/32", []RIBPath{{NextHop: make([]byte, 256)}}},
		{"too many paths", wire.IPv4Unicast, "10.0.0.0/8", make([]RIBPath, 65536)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendRIB(dst, wTime, 0, tt.f, false, netip.MustParsePrefix(tt.prefix), tt.paths)
			if err == nil || !bytes.Equal(got, dst) {
				t.Errorf("got % x, %v; want dst unchanged and an error", got, err)
			}
		})
	}
	if _, err := AppendRIB(nil, wTime, 0, wire.IPv4Unicast, false, netip.Prefix{}, nil); err == nil {
		t.Error("an invalid prefix was accepted")
	}
}

func TestAppendRIBAttrs(t *testing.T) {
	fullReach := []byte{
		0x90, 0x0e, 0x00, 0x1a, // MP_REACH_NLRI, extended length 26
		0x00, 0x02, 0x01, 0x10, // AFI 2, SAFI 1, next hop length 16
	}
	fullReach = wcat(fullReach, wNH6, []byte{0x00, 0x20, 0x20, 0x01, 0x0d, 0xb8}) // reserved, NLRI 2001:db8::/32 (5 octets)
	unreach := []byte{0x80, 0x0f, 0x03, 0x00, 0x02, 0x01}                         // MP_UNREACH_NLRI, empty
	short := wcat([]byte{0x80, 0x0e, 0x11, 0x10}, wNH6)
	tests := []struct {
		name      string
		attrs, nh []byte
		want      []byte
		wantErr   bool
	}{
		{"no MP: unchanged", wcat(wOrigin, wNextHop), nil, wcat(wOrigin, wNextHop), false},
		{"full MP_REACH_NLRI cut down, MP_UNREACH_NLRI dropped", wcat(wOrigin, fullReach, unreach, wLarge), nil, wcat(wOrigin, short, wLarge), false},
		{"next hop appended after lower codes", wcat(wOrigin, wMED), wNH6, wcat(wOrigin, wMED, short), false},
		{"next hop first", wLarge, wNH6, wcat(short, wLarge), false},
		{"next hop given and MP_REACH_NLRI present: the attribute's wins", wcat(fullReach), []byte{1, 2, 3, 4}, short, false},
		{"next hop given and MP_REACH_NLRI after a higher code: only the attribute's", wcat(wLarge, fullReach), []byte{1, 2, 3, 4}, wcat(wLarge, short), false},
		{"two MP_REACH_NLRI (RFC 7606 §3 g): the first kept", wcat(fullReach, wLarge, fullReach), nil, wcat(short, wLarge), false},
		{"malformed list", []byte{0x40, 0x01}, nil, nil, true},
		{"malformed MP_REACH_NLRI", []byte{0x80, 0x0e, 0x02, 0x00, 0x02}, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendRIBAttrs([]byte{0xaa}, tt.attrs, tt.nh)
			if tt.wantErr {
				if err == nil || !bytes.Equal(got, []byte{0xaa}) {
					t.Errorf("got % x, %v; want dst unchanged and an error", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := wcat([]byte{0xaa}, tt.want); !bytes.Equal(got, want) {
				t.Errorf("got  % x\nwant % x", got, want)
			}
		})
	}
}

func TestRIBSubtype(t *testing.T) {
	tests := []struct {
		f       wire.Family
		addPath bool
		want    uint16
		ok      bool
	}{
		{wire.IPv4Unicast, false, RIBIPv4Unicast, true},
		{wire.IPv4Multicast, true, RIBIPv4MulticastAddPath, true},
		{wire.IPv6Unicast, true, RIBIPv6UnicastAddPath, true},
		{wire.IPv6Multicast, false, RIBIPv6Multicast, true},
		{wire.Family{AFI: wire.AFIL2VPN, SAFI: wire.SAFIEVPN}, false, 0, false},
	}
	for _, tt := range tests {
		if got, ok := RIBSubtype(tt.f, tt.addPath); got != tt.want || ok != tt.ok {
			t.Errorf("RIBSubtype(%s, %v) = %d, %v; want %d, %v", tt.f, tt.addPath, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMessageSubtype(t *testing.T) {
	hdr := func(body []byte) []byte {
		m := wcat(bytes.Repeat([]byte{0xff}, 16), []byte{0, byte(19 + len(body)), 0x02}, body)
		return m
	}
	v4 := hdr([]byte{0x00, 0x00, 0x00, 0x00, 0x18, 0x0a, 0x00, 0x00}) // no withdrawn, no attributes, NLRI 10.0.0.0/24
	v6 := hdr(wcat([]byte{0x00, 0x00, 0x00, 0x09}, []byte{
		0x80, 0x0f, 0x06, // MP_UNREACH_NLRI, 6 octets
		0x00, 0x02, 0x01, // ipv6/unicast
		0x08, 0x20, 0x01, // NLRI (not read here)
	}))
	as4 := wire.Context{ASN4: true}
	ap4, _ := as4.WithAddPath(wire.IPv4Unicast, true)
	ap6, _ := as4.WithAddPath(wire.IPv6Unicast, true)
	tests := []struct {
		name  string
		msg   []byte
		ctx   wire.Context
		local bool
		want  uint16
	}{
		{"2-octet", v4, wire.Context{}, false, BGP4MPMessage},
		{"as4", v4, as4, false, BGP4MPMessageAS4},
		{"2-octet local", v4, wire.Context{}, true, BGP4MPMessageLocal},
		{"as4 local", v4, as4, true, BGP4MPMessageAS4Local},
		{"add-path ipv4", v4, ap4, false, BGP4MPMessageAS4AddPath},
		{"add-path ipv4 local", v4, ap4, true, BGP4MPMessageAS4LocalAddPath},
		{"add-path for another family", v4, ap6, false, BGP4MPMessageAS4},
		{"add-path ipv6 in MP_UNREACH_NLRI", v6, ap6, false, BGP4MPMessageAS4AddPath},
		{"wKeepalive of an add-path session", wKeepalive, ap4, false, BGP4MPMessageAS4},
		{"garbage", []byte{1, 2, 3}, ap4, false, BGP4MPMessageAS4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MessageSubtype(tt.msg, tt.ctx, tt.local); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
	nap, _ := wire.Context{}.WithAddPath(wire.IPv4Unicast, true)
	if got := MessageSubtype(v4, nap, false); got != BGP4MPMessageAddPath {
		t.Errorf("2-octet add-path: got %d", got)
	}
	if got := MessageSubtype(v4, nap, true); got != BGP4MPMessageLocalAddPath {
		t.Errorf("2-octet add-path local: got %d", got)
	}
}
