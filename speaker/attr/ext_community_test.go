package attr

import (
	"errors"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

func TestExtCommunityString(t *testing.T) {
	tests := []struct {
		name string
		in   ExtCommunity
		want string
	}{
		// type 0x00 (transitive 2-octet AS), subtype 0x02 (RT), AS 65000, number 1
		{"rt-as2", ExtCommunity{0x00, 0x02, 0xFD, 0xE8, 0x00, 0x00, 0x00, 0x01}, "target:65000:1"},
		// type 0x40 (non-transitive 2-octet AS), subtype 0x02, AS 4, number 100
		{"rt-as2-nontrans", ExtCommunity{0x40, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x64}, "target:4:100"},
		// type 0x01 (IPv4), subtype 0x02, 1.2.3.4, number 5
		{"rt-ipv4", ExtCommunity{0x01, 0x02, 1, 2, 3, 4, 0x00, 0x05}, "target:1.2.3.4:5"},
		// type 0x02 (4-octet AS), subtype 0x02, AS 4200000000, number 1
		{"rt-as4", ExtCommunity{0x02, 0x02, 0xFA, 0x56, 0xEA, 0x00, 0x00, 0x01}, "target:4200000000:1"},
		// type 0x02, subtype 0x02, AS 65000 (fits 16 bits: "L" marks the 4-octet form), number 7
		{"rt-as4-small", ExtCommunity{0x02, 0x02, 0x00, 0x00, 0xFD, 0xE8, 0x00, 0x07}, "target:65000L:7"},
		// type 0x00, subtype 0x03 (route origin), AS 65001, number 2
		{"ro-as2", ExtCommunity{0x00, 0x03, 0xFD, 0xE9, 0x00, 0x00, 0x00, 0x02}, "origin:65001:2"},
		// type 0x01, subtype 0x03, 10.0.0.1, number 3
		{"ro-ipv4", ExtCommunity{0x01, 0x03, 10, 0, 0, 1, 0x00, 0x03}, "origin:10.0.0.1:3"},
		// type 0x02, subtype 0x03, AS 4200000001, number 9
		{"ro-as4", ExtCommunity{0x02, 0x03, 0xFA, 0x56, 0xEA, 0x01, 0x00, 0x09}, "origin:4200000001:9"},
		// 0x80/0x06 traffic-rate: AS 0, float32 0.0
		{"rate-0", ExtCommunity{0x80, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, "rate-limit:0"},
		// 0x80/0x06 traffic-rate: AS 0, float32 1000000.0 (0x49742400)
		{"rate-1M", ExtCommunity{0x80, 0x06, 0x00, 0x00, 0x49, 0x74, 0x24, 0x00}, "rate-limit:1000000"},
		// 0x80/0x0C traffic-rate-packets: float32 0
		{"rate-pkts", ExtCommunity{0x80, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, "rate-limit:0:packets"},
		// 0x80/0x07 traffic-action: flags 0x03 (sample + terminal)
		{"action-both", ExtCommunity{0x80, 0x07, 0, 0, 0, 0, 0, 0x03}, "action sample-terminal"},
		// 0x80/0x07 traffic-action: flags 0x01 (terminal)
		{"action-terminal", ExtCommunity{0x80, 0x07, 0, 0, 0, 0, 0, 0x01}, "action terminal"},
		// 0x80/0x07 traffic-action: flags 0
		{"action-none", ExtCommunity{0x80, 0x07, 0, 0, 0, 0, 0, 0x00}, "action none"},
		// 0x80/0x08 redirect: AS 65000, number 100
		{"redirect", ExtCommunity{0x80, 0x08, 0xFD, 0xE8, 0x00, 0x00, 0x00, 0x64}, "redirect:65000:100"},
		// 0x81/0x08 redirect IPv4: 192.0.2.1, number 10
		{"redirect-ip", ExtCommunity{0x81, 0x08, 192, 0, 2, 1, 0x00, 0x0A}, "redirect:192.0.2.1:10"},
		// 0x80/0x09 traffic-marking: DSCP 46
		{"mark", ExtCommunity{0x80, 0x09, 0, 0, 0, 0, 0, 46}, "mark 46"},
		// 0x80/0x0A l2info: encaps 19, control flags 0x02, MTU 1500, reserved
		{"l2info", ExtCommunity{0x80, 0x0A, 19, 0x02, 0x05, 0xDC, 0, 0}, "l2info:19:2:1500"},
		// 0x03/0x0B color: flags 0, color 100
		{"color", ExtCommunity{0x03, 0x0B, 0, 0, 0, 0, 0, 100}, "color:100"},
		// 0x03/0x0C encapsulation: reserved 4, tunnel type 8 (VXLAN)
		{"encap", ExtCommunity{0x03, 0x0C, 0, 0, 0, 0, 0x00, 0x08}, "encap:8"},
		// 0x06/0x00 MAC mobility: flags 0x01 (sticky), reserved, sequence 5
		{"mac-mobility", ExtCommunity{0x06, 0x00, 0x01, 0x00, 0, 0, 0, 5}, "mac-mobility:5:sticky"},
		// 0x06/0x00 MAC mobility: flags 0, sequence 0
		{"mac-mobility-0", ExtCommunity{0x06, 0x00, 0x00, 0x00, 0, 0, 0, 0}, "mac-mobility:0"},
		// 0x06/0x01 ESI label: flags 0x01 (single-active), reserved 2, label 16 (0x000101: 20-bit label + BoS)
		{"esi-label", ExtCommunity{0x06, 0x01, 0x01, 0, 0, 0x00, 0x01, 0x01}, "esi-label:16:single-active"},
		// 0x06/0x03 router's MAC: 00:11:22:aa:bb:cc
		{"router-mac", ExtCommunity{0x06, 0x03, 0x00, 0x11, 0x22, 0xAA, 0xBB, 0xCC}, "router-mac:00:11:22:aa:bb:cc"},
		// 0x40/0x04 link bandwidth: AS 65000, float32 125000000.0 (0x4CEE6B28)
		{"bandwidth", ExtCommunity{0x40, 0x04, 0xFD, 0xE8, 0x4C, 0xEE, 0x6B, 0x28}, "bandwidth:65000:125000000"},
		// unknown type 0x43/0x99
		{"unknown", ExtCommunity{0x43, 0x99, 0x01, 0x02, 0x03, 0x04, 0x05, 0xAB}, "0x43990102030405AB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExtCommunityAccessors(t *testing.T) {
	e := ExtCommunity{0x40, 0x04, 0, 0, 0, 0, 0, 0}
	if e.Type() != 0x40 || e.Subtype() != 0x04 || e.IsTransitive() {
		t.Errorf("got type %#x subtype %#x transitive %v", e.Type(), e.Subtype(), e.IsTransitive())
	}
	if !(ExtCommunity{0x00, 0x02}).IsTransitive() {
		t.Error("0x00 should be transitive")
	}
}

func TestParseExtCommunity(t *testing.T) {
	tests := []struct {
		in   string
		want ExtCommunity
	}{
		{"target:65000:1", ExtCommunity{0x00, 0x02, 0xFD, 0xE8, 0, 0, 0, 1}},
		{"target:65000:4294967295", ExtCommunity{0x00, 0x02, 0xFD, 0xE8, 0xFF, 0xFF, 0xFF, 0xFF}},
		{"target:1.2.3.4:5", ExtCommunity{0x01, 0x02, 1, 2, 3, 4, 0, 5}},
		{"target:4200000000:1", ExtCommunity{0x02, 0x02, 0xFA, 0x56, 0xEA, 0x00, 0, 1}},
		{"target:65000L:7", ExtCommunity{0x02, 0x02, 0, 0, 0xFD, 0xE8, 0, 7}},
		{"origin:65001:2", ExtCommunity{0x00, 0x03, 0xFD, 0xE9, 0, 0, 0, 2}},
		{"origin:10.0.0.1:3", ExtCommunity{0x01, 0x03, 10, 0, 0, 1, 0, 3}},
		{"origin:4200000001:9", ExtCommunity{0x02, 0x03, 0xFA, 0x56, 0xEA, 0x01, 0, 9}},
		{"redirect:65000:100", ExtCommunity{0x80, 0x08, 0xFD, 0xE8, 0, 0, 0, 100}},
		{"redirect:192.0.2.1:10", ExtCommunity{0x81, 0x08, 192, 0, 2, 1, 0, 10}},
		{"redirect:4200000000:10", ExtCommunity{0x82, 0x08, 0xFA, 0x56, 0xEA, 0x00, 0, 10}},
		{"rate-limit:1000000", ExtCommunity{0x80, 0x06, 0, 0, 0x49, 0x74, 0x24, 0x00}},
		{"rate-limit:0", ExtCommunity{0x80, 0x06, 0, 0, 0, 0, 0, 0}},
		{"rate-limit:0:packets", ExtCommunity{0x80, 0x0C, 0, 0, 0, 0, 0, 0}},
		{"mark 46", ExtCommunity{0x80, 0x09, 0, 0, 0, 0, 0, 46}},
		{"mark:46", ExtCommunity{0x80, 0x09, 0, 0, 0, 0, 0, 46}},
		{"color:100", ExtCommunity{0x03, 0x0B, 0, 0, 0, 0, 0, 100}},
		{"encap:8", ExtCommunity{0x03, 0x0C, 0, 0, 0, 0, 0, 8}},
		{"router-mac:00:11:22:aa:bb:cc", ExtCommunity{0x06, 0x03, 0x00, 0x11, 0x22, 0xAA, 0xBB, 0xCC}},
		{"bandwidth:65000:125000000", ExtCommunity{0x40, 0x04, 0xFD, 0xE8, 0x4C, 0xEE, 0x6B, 0x28}},
		{"0x43990102030405AB", ExtCommunity{0x43, 0x99, 1, 2, 3, 4, 5, 0xAB}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseExtCommunity(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got % X, want % X", got[:], tt.want[:])
			}
		})
	}
	for _, bad := range []string{"", "target", "target:65000", "target:x:1", "target:4200000000:65536",
		"target:1.2.3.4:65536", "target:65000:4294967296", "rate-limit:x", "rate-limit:1:bytes", "mark 64",
		"router-mac:00:11", "0x1234", "bogus:1:2", "bandwidth:65000", "color:-1"} {
		if _, err := ParseExtCommunity(bad); err == nil {
			t.Errorf("ParseExtCommunity(%q) = nil error", bad)
		}
	}
}

// TestExtCommunityTextRoundTrip: String then ParseExtCommunity gives the
// same bytes for every transitive form ParseExtCommunity knows.
func TestExtCommunityTextRoundTrip(t *testing.T) {
	for _, e := range []ExtCommunity{
		{0x00, 0x02, 0xFD, 0xE8, 0, 0, 0, 1}, {0x01, 0x02, 1, 2, 3, 4, 0, 5}, {0x02, 0x02, 0, 0, 0, 1, 0, 2},
		{0x02, 0x03, 0xFA, 0x56, 0xEA, 0x01, 0, 9}, {0x80, 0x08, 0, 1, 0, 0, 0, 2}, {0x81, 0x08, 9, 9, 9, 9, 0, 1},
		{0x80, 0x06, 0, 0, 0x49, 0x74, 0x24, 0x00}, {0x80, 0x09, 0, 0, 0, 0, 0, 10}, {0x03, 0x0C, 0, 0, 0, 0, 0, 13},
		{0x06, 0x03, 1, 2, 3, 4, 5, 6}, {0x40, 0x04, 0, 1, 0x4C, 0xEE, 0x6B, 0x28}, {0x43, 0x99, 1, 2, 3, 4, 5, 6},
	} {
		got, err := ParseExtCommunity(e.String())
		if err != nil || got != e {
			t.Errorf("%s: got % X, %v", e, got[:], err)
		}
	}
}

func TestParseExtCommunities(t *testing.T) {
	v := []byte{
		0x00, 0x02, 0xFD, 0xE8, 0x00, 0x00, 0x00, 0x01, // target:65000:1
		0x80, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2E, // mark 46
	}
	c, err := ParseExtCommunities(v)
	if err != nil || c.Len() != 2 || c.At(1).String() != "mark 46" || c.At(0).String() != "target:65000:1" {
		t.Fatalf("got %v %v", c, err)
	}
	for _, n := range []int{0, 7, 9} {
		_, err := ParseExtCommunities(make([]byte, n))
		var we *wire.Error
		if !errors.As(err, &we) || we.Action != wire.ActionTreatAsWithdraw {
			t.Errorf("length %d: got %v", n, err)
		}
	}
}

func TestIPv6ExtCommunity(t *testing.T) {
	v := []byte{
		0x00, 0x02, // type 0x00 (transitive), subtype 0x02 (route target)
		0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // 2001:db8::1
		0x00, 0x05, // local administrator 5
		0x40, 0x03, // type 0x40 (non-transitive), subtype 0x03 (route origin)
		0xFD, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, // fd00::2
		0x01, 0x00, // 256
		0x00, 0x0B, // type 0, subtype 0x0B (VRF route import, shown raw)
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // ::
		0x00, 0x01, // 1
	}
	c, err := ParseIPv6ExtCommunities(v)
	if err != nil || c.Len() != 3 {
		t.Fatalf("got %d %v", c.Len(), err)
	}
	e := c.At(0)
	if e.Type() != 0 || e.Subtype() != 2 || !e.IsTransitive() || e.Address().String() != "2001:db8::1" || e.Local() != 5 {
		t.Errorf("got %v", e)
	}
	want := []string{"target:2001:db8::1:5", "origin:fd00::2:256", "0x000B000000000000000000000000000000000001"}
	for i, w := range want {
		if got := c.At(i).String(); got != w {
			t.Errorf("At(%d) = %q, want %q", i, got, w)
		}
	}
	if c.At(1).IsTransitive() {
		t.Error("0x40 is non-transitive")
	}
	for _, n := range []int{0, 19, 21} {
		if _, err := ParseIPv6ExtCommunities(make([]byte, n)); err == nil {
			t.Errorf("length %d accepted", n)
		}
	}
	out := AppendIPv6ExtCommunities(nil, []IPv6ExtCommunity{c.At(0), c.At(1), c.At(2)})
	if string(out[3:]) != string(v) || out[0] != 0xC0 || out[1] != 25 || out[2] != 60 {
		t.Errorf("encode: % X", out)
	}
}
