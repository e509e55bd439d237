package filter

import (
	"net/netip"
	"regexp"
	"testing"
)

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{
		"announce": Announce, "withdraw": Withdraw, "rib": RIB, "state": State,
		"announce,withdraw": Announce | Withdraw, "A, W": Announce | Withdraw, "b": RIB,
	} {
		if got, err := ParseKind(in); err != nil || got != want {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	if _, err := ParseKind("update"); err == nil {
		t.Error("no error for an unknown type")
	}
	if s := (Announce | State).String(); s != "announce,state" {
		t.Errorf("String %q", s)
	}
}

func TestOriginIs(t *testing.T) {
	for _, tc := range []struct {
		path string
		asn  uint32
		want bool
	}{
		{"1 2 3", 3, true},
		{"1 2 3", 2, false},
		{"1 2 {3,4}", 4, true},
		{"1 2 {3,4}", 3, true},
		{"1 2 {3,4}", 2, false},
		{"(65001 65002) 3", 3, true},
		{"1 (65001)", 65001, true}, // the last ASN, even in a confederation segment
		{"", 0, false},
		{"! Error !", 0, false},
		{"1 4294967296", 0, false},
	} {
		if got := originIs([]byte(tc.path), tc.asn); got != tc.want {
			t.Errorf("originIs(%q, %d) = %v", tc.path, tc.asn, got)
		}
	}
}

func TestMatch(t *testing.T) {
	r := Route{
		Kind: Announce, Time: 100, PeerIP: netip.MustParseAddr("192.0.2.1"), PeerASN: 65001,
		Prefix: netip.MustParsePrefix("10.1.2.0/24"), ASPath: []byte("65001 65002 65003"),
		Communities:      []byte{0xFD, 0xE8, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0x01},
		LargeCommunities: []byte{0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3},
	}
	community := func(s string) Filter {
		var f Filter
		if err := f.SetCommunity(s); err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, tc := range []struct {
		name string
		f    Filter
		want bool
	}{
		{"none", Filter{}, true},
		{"kind", Filter{Kinds: Withdraw}, false},
		{"exact prefix", Filter{Prefix: netip.MustParsePrefix("10.1.2.0/24")}, true},
		{"other prefix", Filter{Prefix: netip.MustParsePrefix("10.1.0.0/16")}, false},
		{"sub", Filter{Prefix: netip.MustParsePrefix("10.1.0.0/16"), IncludeSub: true}, true},
		{"super", Filter{Prefix: netip.MustParsePrefix("10.1.2.128/25"), IncludeSuper: true}, true},
		{"super, not sub", Filter{Prefix: netip.MustParsePrefix("10.1.0.0/16"), IncludeSuper: true}, false},
		{"other family", Filter{Prefix: netip.MustParsePrefix("::/0"), IncludeSub: true}, false},
		{"origin", Filter{OriginASN: 65003, HasOriginASN: true}, true},
		{"not origin", Filter{OriginASN: 65002, HasOriginASN: true}, false},
		{"peer", Filter{PeerIP: netip.MustParseAddr("192.0.2.1"), PeerASN: 65001, HasPeerASN: true}, true},
		{"other peer", Filter{PeerIP: netip.MustParseAddr("192.0.2.2")}, false},
		{"path", Filter{ASPath: regexp.MustCompile(`^65001 .* 65003$`)}, true},
		{"community", community("65000:1"), true},
		{"well-known", community("no-export"), true},
		{"absent community", community("65000:2"), false},
		{"large", community("1:2:3"), true},
		{"absent large", community("1:2:4"), false},
		{"window", Filter{Start: 100, HasStart: true, End: 100, HasEnd: true}, true},
		{"before", Filter{Start: 101, HasStart: true}, false},
		{"after", Filter{End: 99, HasEnd: true}, false},
	} {
		if got := tc.f.Match(&r); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
	state := Route{Kind: State, Time: 100, PeerIP: r.PeerIP, PeerASN: r.PeerASN}
	if (&Filter{Prefix: r.Prefix}).Match(&state) || !(&Filter{Kinds: State, PeerASN: 65001, HasPeerASN: true}).Match(&state) {
		t.Error("state change filtering")
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]int64{"1445565678": 1445565678, "2015-10-23T02:01:18Z": 1445565678} {
		if got, err := ParseTime(in); err != nil || got != want {
			t.Errorf("%q: %d %v", in, got, err)
		}
	}
	if _, err := ParseTime("yesterday"); err == nil {
		t.Error("no error")
	}
	if p, err := ParsePrefix("10.1.2.3/8"); err != nil || p != netip.MustParsePrefix("10.0.0.0/8") {
		t.Errorf("%v %v", p, err)
	}
	if p, err := ParsePrefix("2001:db8::1"); err != nil || p.Bits() != 128 {
		t.Errorf("%v %v", p, err)
	}
}

// FuzzOriginIs protects the origin condition's reading of AS path text:
// no panic on any text.
func FuzzOriginIs(f *testing.F) {
	f.Add("1 2 {3,4}", uint32(3))
	f.Add("(1 2) [3,4] 5", uint32(5))
	f.Fuzz(func(t *testing.T, path string, asn uint32) {
		originIs([]byte(path), asn)
	})
}

// FuzzParseKind protects the --type parser.
func FuzzParseKind(f *testing.F) {
	f.Add("announce,withdraw")
	f.Fuzz(func(t *testing.T, s string) {
		if k, err := ParseKind(s); err == nil && k == 0 {
			t.Fatalf("%q parsed to no kind", s)
		}
	})
}
