package wire

import (
	"strconv"
	"testing"
)

// familyNames lists every family Context knows, with its text form.
var familyNames = []struct {
	f    Family
	name string
}{
	{Family{1, 1}, "ipv4/unicast"},
	{Family{2, 1}, "ipv6/unicast"},
	{Family{1, 2}, "ipv4/multicast"},
	{Family{2, 2}, "ipv6/multicast"},
	{Family{1, 4}, "ipv4/nlri-mpls"},
	{Family{2, 4}, "ipv6/nlri-mpls"},
	{Family{1, 128}, "ipv4/mpls-vpn"},
	{Family{2, 128}, "ipv6/mpls-vpn"},
	{Family{1, 133}, "ipv4/flow"},
	{Family{2, 133}, "ipv6/flow"},
	{Family{1, 134}, "ipv4/flow-vpn"},
	{Family{2, 134}, "ipv6/flow-vpn"},
	{Family{25, 65}, "l2vpn/vpls"},
	{Family{25, 70}, "l2vpn/evpn"},
	{Family{1, 85}, "ipv4/mup"},
	{Family{2, 85}, "ipv6/mup"},
	{Family{1, 5}, "ipv4/mcast-vpn"},
	{Family{2, 5}, "ipv6/mcast-vpn"},
	{Family{1, 132}, "ipv4/rtc"},
	{Family{16388, 71}, "bgp-ls/bgp-ls"},
	{Family{16388, 72}, "bgp-ls/bgp-ls-vpn"},
	{Family{1, 73}, "ipv4/sr-policy"},
	{Family{2, 73}, "ipv6/sr-policy"},
	{Family{25, 134}, "l2vpn/flow-vpn"},
}

func TestFamilyString(t *testing.T) {
	if len(familyNames) != len(knownFamilies) {
		t.Fatalf("test lists %d families, knownFamilies %d", len(familyNames), len(knownFamilies))
	}
	for i, tt := range familyNames {
		if knownFamilies[i] != tt.f {
			t.Errorf("knownFamilies[%d] = %v, test has %v", i, knownFamilies[i], tt.f)
		}
		if got := tt.f.String(); got != tt.name {
			t.Errorf("%d/%d String() = %q, want %q", tt.f.AFI, tt.f.SAFI, got, tt.name)
		}
		got, err := ParseFamily(tt.name)
		if err != nil || got != tt.f {
			t.Errorf("ParseFamily(%q) = %v, %v", tt.name, got, err)
		}
	}
	other := map[Family]string{
		{0, 0}:       "afi-0/safi-0",
		{3, 1}:       "afi-3/unicast",
		{1, 3}:       "ipv4/safi-3",
		{65535, 255}: "afi-65535/safi-255",
		{25, 1}:      "l2vpn/unicast",
		{16388, 1}:   "bgp-ls/unicast",
	}
	for f, want := range other {
		if got := f.String(); got != want {
			t.Errorf("%d/%d String() = %q, want %q", f.AFI, f.SAFI, got, want)
		}
	}
	if IPv4Unicast != (Family{AFIIPv4, SAFIUnicast}) || IPv6Unicast != (Family{AFIIPv6, SAFIUnicast}) ||
		IPv4Multicast != (Family{AFIIPv4, SAFIMulticast}) || IPv6Multicast != (Family{AFIIPv6, SAFIMulticast}) {
		t.Error("common family variables are wrong")
	}
}

func TestFamilyIsIP(t *testing.T) {
	for _, tt := range familyNames {
		want := (tt.f.AFI == 1 || tt.f.AFI == 2) && (tt.f.SAFI == 1 || tt.f.SAFI == 2)
		if got := tt.f.IsIP(); got != want {
			t.Errorf("%v IsIP = %v", tt.f, got)
		}
	}
}

func TestParseFamily(t *testing.T) {
	good := []struct {
		in   string
		want Family
	}{
		{"1/1", IPv4Unicast},
		{"2/2", IPv6Multicast},
		{"afi-1/safi-1", IPv4Unicast},
		{"afi-25/safi-70", Family{25, 70}},
		{"16388/71", Family{16388, 71}},
		{"65535/255", Family{65535, 255}},
		{"0/0", Family{0, 0}},
		{"ipv6/128", Family{2, 128}},
		{"3/unicast", Family{3, 1}},
		{"ipv4 unicast", IPv4Unicast},
		{"IPv6 Unicast", IPv6Unicast},
		{"  ipv4/flow  ", Family{1, 133}},
		{"ipv4 / unicast", IPv4Unicast},
		{"ipv4  unicast", IPv4Unicast},
		{"ipv4/labeled-unicast", Family{1, 4}},
		{"ipv6/mpls-label", Family{2, 4}},
		{"ipv4/vpn", Family{1, 128}},
		{"ipv6/flowspec", Family{2, 133}},
		{"afi-7/vpn", Family{7, 128}},
	}
	for _, tt := range good {
		got, err := ParseFamily(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseFamily(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	bad := []string{
		"",
		"ipv4",
		"ipv4/",
		"/unicast",
		"ipv5/unicast",
		"ipv4/unicorn",
		"65536/1", // AFI is 16 bits
		"1/256",   // SAFI is 8 bits
		"-1/1",    // negative
		"afi-/1",  // no number
		"1/safi-", // no number
		"0x1/1",   // decimal only
		"ipv4/unicast/x",
	}
	for _, in := range bad {
		if got, err := ParseFamily(in); err == nil {
			t.Errorf("ParseFamily(%q) = %v, want an error", in, got)
		}
	}
}

func TestParseFamilyRoundTrip(t *testing.T) {
	// ParseFamily inverts String for every SAFI under a sample of AFIs.
	for _, afi := range []AFI{0, 1, 2, 3, 25, 16388, 65535} {
		for s := 0; s < 256; s++ {
			f := Family{afi, SAFI(s)}
			got, err := ParseFamily(f.String())
			if err != nil || got != f {
				t.Fatalf("ParseFamily(%q) = %v, %v; want %v", f.String(), got, err, f)
			}
			num := strconv.Itoa(int(afi)) + "/" + strconv.Itoa(s)
			if got, err := ParseFamily(num); err != nil || got != f {
				t.Fatalf("ParseFamily(%q) = %v, %v; want %v", num, got, err, f)
			}
		}
	}
}

func TestFamilyKnown(t *testing.T) {
	if !IPv4Unicast.Known() || !(Family{AFIL2VPN, SAFIEVPN}).Known() {
		t.Error("a supported family is not Known")
	}
	if (Family{AFIIPv4, 99}).Known() || (Family{7, SAFIUnicast}).Known() {
		t.Error("an unsupported family is Known")
	}
}
