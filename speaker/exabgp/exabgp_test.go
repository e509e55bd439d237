package exabgp

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

var marker = bytes.Repeat([]byte{0xFF}, 16)

// msgOf builds a message: marker, length, then typ and body.
func msgOf(typ byte, body ...byte) []byte {
	n := 19 + len(body)
	return append(append(append([]byte(nil), marker...), byte(n>>8), byte(n), typ), body...)
}

var testMeta = Meta{Time: time.Unix(1700000000, 500000000), Host: "ze", PID: 10, PPID: 1, Counter: 7}

// TestAppendMessage renders hand-made messages and compares whole lines.
func TestAppendMessage(t *testing.T) {
	v6 := Neighbor{
		LocalAddress: netip.MustParseAddr("2001:db8::1"), PeerAddress: netip.MustParseAddr("::ffff:10.0.0.2"),
		LocalAS: 4200000001, PeerAS: 65002, RouterID: netip.MustParseAddr("10.0.0.1"),
	}
	head4 := `{ "exabgp": "4.0.1", "time": 1700000000.5, "host" : "ze", "pid" : 10, "ppid" : 1, "counter": 7, `
	head5 := `{ "exabgp": "5.0.0", "time": 1700000000.5, "host" : "ze", "pid" : 10, "ppid" : 1, "counter": 7, `
	nb4 := `"neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65533, "peer": 65533 } , "direction": "in", `
	nb5 := `"neighbor": {     "address": { "local": "127.0.0.1", "peer": "127.0.0.1" },     "asn": { "local": 65533, "peer": 65533 }, "router-id": "127.0.0.1" , "direction": "in", `
	// AS_PATH (2-octet ASNs) AS_SEQUENCE 65001 23456 23456, AS4_PATH 4200000001 4200000002.
	as4Update := msgOf(2,
		0x00, 0x00, // withdrawn routes length
		0x00, 0x1C, // path attributes length: 28
		0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
		0x40, 0x02, 0x08, 0x02, 0x03, 0xFD, 0xE9, 0x5B, 0xA0, 0x5B, 0xA0, // AS_PATH: sequence of 3
		0xC0, 0x11, 0x0A, 0x02, 0x02, 0xFA, 0x56, 0xEA, 0x01, 0xFA, 0x56, 0xEA, 0x02, // AS4_PATH: sequence of 2
		0x18, 0x0A, 0x01, 0x02, // NLRI 10.1.2.0/24, no NEXT_HOP
	)
	addPath4, _ := wire.Context{}.WithAddPath(wire.IPv4Unicast, true)
	tests := []struct {
		name string
		v    Version
		ctx  wire.Context
		n    Neighbor
		msg  []byte
		want string
	}{
		{"keepalive v4", V4, wire.Context{}, testNeighbor, msgOf(4),
			head4 + `"type": "keepalive", ` + strings.TrimSuffix(nb4, ", ") + `  } }`},
		{"keepalive v5", V5, wire.Context{}, testNeighbor, msgOf(4),
			head5 + `"type": "keepalive", ` + strings.TrimSuffix(nb5, ", ") + `  } }`},
		{"no direction, IPv6 addresses", V4, wire.Context{}, v6, msgOf(4),
			head4 + `"type": "keepalive", "neighbor": { "address": { "local": "2001:db8::1", "peer": "::ffff:10.0.0.2" }, "asn": { "local": 4200000001, "peer": 65002 }   } }`},
		{"as4 merge v4", V4, wire.Context{}, testNeighbor, as4Update,
			head4 + `"type": "update", ` + nb4 + `"message": { "update": { "attribute": { "origin": "igp", "as-path": [ 65001, 4200000001, 4200000002 ], "confederation-path": [] }, "announce": { "ipv4 unicast": { "no-nexthop": [ { "nlri": "10.1.2.0/24" } ] } } } } } }`},
		{"as4 merge v5", V5, wire.Context{}, testNeighbor, as4Update,
			head5 + `"type": "update", ` + nb5 + `"message": { "update": { "attribute": { "origin": "igp", "as-path": {"0": {"element": "as-sequence", "value": [65001, 4200000001, 4200000002]}} }, "announce": { "ipv4 unicast": { "no-nexthop": [ { "nlri": "10.1.2.0/24" } ] } } } } } }`},
		{"route refresh v5 enhanced begin", V5, wire.Context{}, testNeighbor, msgOf(5,
			0x00, 0x02, // AFI IPv6
			0x01, // subtype: BoRR
			0x01, // SAFI unicast
		), head5 + `"type": "refresh", ` + nb5 + `"route-refresh": { "afi": "ipv6", "safi": "unicast", "subtype": "begin" } } }`},
		{"withdraw with add-path", V4, addPath4, testNeighbor, msgOf(2,
			0x00, 0x07, // withdrawn routes length
			0x00, 0x00, 0x00, 0x05, 0x10, 0x0A, 0x02, // path identifier 0.0.0.5, 10.2.0.0/16
			0x00, 0x00, // path attributes length
		), head4 + `"type": "update", ` + nb4 + `"message": { "update": { "withdraw": { "ipv4 unicast": [ { "nlri": "10.2.0.0/16", "path-information": "0.0.0.5" } ] } } } } }`},
		{"ipv6 link-local next hop lists each prefix twice", V4, wire.Context{}, testNeighbor, msgOf(2,
			0x00, 0x00, // withdrawn routes length
			0x00, 0x31, // path attributes length: 49
			0x40, 0x01, 0x01, 0x02, // ORIGIN INCOMPLETE
			0x80, 0x0E, 0x2A, // MP_REACH_NLRI, 42 octets
			0x00, 0x02, 0x01, 0x20, // IPv6 unicast, next hop length 32
			0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // 2001:db8::1
			0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // fe80::1
			0x00,                         // reserved
			0x20, 0x20, 0x01, 0x0D, 0xB8, // 2001:db8::/32
		), head4 + `"type": "update", ` + nb4 + `"message": { "update": { "attribute": { "origin": "incomplete" }, "announce": { "ipv6 unicast": { "2001:db8::1": [ { "nlri": "2001:db8::/32" } ], "fe80::1": [ { "nlri": "2001:db8::/32" } ] } } } } } }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := AppendMessage([]byte("x"), tt.v, tt.msg, tt.ctx, tt.n, testMeta)
			if err != nil {
				t.Fatal(err)
			}
			if string(out[1:]) != tt.want || out[0] != 'x' {
				t.Errorf("mismatch:%s", firstDiff(string(out[1:]), tt.want))
			}
		})
	}
}

// TestAppendMessageErrors checks the messages ExaBGP itself refuses: dst
// must come back unchanged with an error.
func TestAppendMessageErrors(t *testing.T) {
	tests := []struct {
		name string
		v    Version
		msg  []byte
	}{
		{"unknown dialect", Version(6), msgOf(4)},
		{"short header", V4, marker},
		{"length field beyond the message", V4, append(msgOf(4), 0x00)},
		{"open version 3", V4, msgOf(1,
			0x03,       // version 3
			0xFD, 0xE9, // My AS 65001
			0x00, 0xB4, // hold time 180
			0x0A, 0x00, 0x00, 0x01, // BGP identifier
			0x00, // no optional parameters
		)},
		{"route refresh subtype 3", V4, msgOf(5, 0x00, 0x01, 0x03, 0x01)},
		{"communities not a multiple of 4", V4, msgOf(2,
			0x00, 0x00, // withdrawn routes length
			0x00, 0x06, // path attributes length
			0xC0, 0x08, 0x03, 0x00, 0x01, 0x02, // COMMUNITIES, 3 octets
		)},
		{"ipv6 next hop of 12 octets", V4, msgOf(2,
			0x00, 0x00, // withdrawn routes length
			0x00, 0x16, // path attributes length: 22
			0x80, 0x0E, 0x13, // MP_REACH_NLRI, 19 octets
			0x00, 0x02, 0x01, 0x0C, // IPv6 unicast, next hop length 12
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // next hop
			0x00,             // reserved
			0x10, 0x20, 0x01, // 2001::/16
		)},
		{"truncated prefix", V4, msgOf(2,
			0x00, 0x00, // withdrawn routes length
			0x00, 0x00, // path attributes length
			0x18, 0x0A, // 10.x.x.x/24 cut short
		)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := AppendMessage([]byte("x"), tt.v, tt.msg, wire.Context{}, testNeighbor, testMeta)
			if err == nil {
				t.Fatalf("no error, got %s", out)
			}
			if string(out) != "x" {
				t.Errorf("dst changed: %q", out)
			}
		})
	}
}

// BenchmarkAppendMessage renders a typical full-table UPDATE (AS_PATH,
// communities, large communities, extended communities, one prefix).
func BenchmarkAppendMessage(b *testing.B) {
	entries := readGolden(b, "testdata/exabgp4/bird-frr-large-200k-ipv4-50k-ipv6.golden")
	var msg []byte
	var ctx wire.Context
	for _, e := range entries {
		if m := decodeHex(b, e.hex); m[18] == 2 && len(m) > 150 {
			msg, ctx = m, e.ctx
			break
		}
	}
	var dst []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var err error
		dst, err = AppendMessage(dst[:0], V4, msg, ctx, testNeighbor, testMeta)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(msg)))
}
