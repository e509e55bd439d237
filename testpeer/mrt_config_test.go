package testpeer

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

func TestMRTConfig(t *testing.T) {
	good := func(c *Config) { c.Dial, c.Inject.MRT.File = "127.0.0.1:179", mrtFile("updates.long_withdrawal.gz") }
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"ok", func(c *Config) {}, ""},
		{"IPv6 prefix-start not offered: does not apply", func(c *Config) { c.Inject.PrefixStart = netip.MustParsePrefix("2001:db8::/32") }, ""},
		{"missing file", func(c *Config) { c.Inject.MRT.File = mrtFile("nope.gz") }, "no such file"},
		{"negative speed", func(c *Config) { c.Inject.MRT.Speed = -1 }, "speed"},
		{"withdraw", func(c *Config) { c.Inject.Withdraw = true }, "withdraw-after"},
		{"expect-back", func(c *Config) { c.Inject.ExpectBack = "127.0.0.1:1" }, "expect-back"},
		{"rate", func(c *Config) { c.Inject.Rate = 5 }, "use speed"},
		{"next hop", func(c *Config) { c.Inject.NextHop = netip.MustParseAddr("192.0.2.1") }, "recorded attributes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testConfig(ModeInject)
			good(&c)
			tt.edit(&c)
			err := c.Validate()
			if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseMRTPeer(t *testing.T) {
	tests := []struct {
		in   string
		want MRTPeer
		err  bool
	}{
		{"all", MRTPeer{}, false},
		{"", MRTPeer{}, false},
		{"193.0.0.56", MRTPeer{IP: netip.MustParseAddr("193.0.0.56")}, false},
		{"::ffff:193.0.0.56", MRTPeer{IP: netip.MustParseAddr("193.0.0.56")}, false},
		{"2001:db8::1", MRTPeer{IP: netip.MustParseAddr("2001:db8::1")}, false},
		{"as4200000000", MRTPeer{ASN: 4200000000, HasASN: true}, false},
		{"AS0", MRTPeer{HasASN: true}, false},
		{"7", MRTPeer{Index: 7, HasIndex: true}, false},
		{"as", MRTPeer{}, true},
		{"as4294967296", MRTPeer{}, true},
		{"65536", MRTPeer{}, true}, // indexes are 16 bits
		{"-1", MRTPeer{}, true},
		{"peer", MRTPeer{}, true},
	}
	for _, tt := range tests {
		got, err := ParseMRTPeer(tt.in)
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("%q: got %+v, %v", tt.in, got, err)
		}
		if !tt.err && tt.in != "" && !strings.HasPrefix(tt.in, "::ffff") {
			if back, _ := ParseMRTPeer(got.String()); back != got {
				t.Errorf("%q: String %q reads back as %+v", tt.in, got.String(), back)
			}
		}
	}
}

func ExampleMRTPeer_String() {
	for _, s := range []string{"all", "193.0.0.56", "AS3333", "2"} {
		p, _ := ParseMRTPeer(s)
		fmt.Println(p)
	}
	// Output:
	// all
	// 193.0.0.56
	// as3333
	// 2
}
