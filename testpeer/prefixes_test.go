package testpeer

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/ze-bgp/ze/speaker/nlri"
)

func TestPrefixGen(t *testing.T) {
	tests := []struct {
		start string
		steps int
		want  string
	}{
		{"10.0.0.0/24", 0, "10.0.0.0/24"},
		{"10.0.0.0/24", 1, "10.0.1.0/24"},
		{"10.0.255.0/24", 1, "10.1.0.0/24"},
		{"10.0.0.7/32", 300, "10.0.1.51/32"},
		{"10.0.0.9/24", 2, "10.0.2.0/24"}, // host bits dropped
		{"2001:db8::/48", 1, "2001:db8:1::/48"},
		{"2001:db8:ffff::/48", 1, "2001:db9::/48"},
		{"2001:db8::/64", 65536, "2001:db8:1::/64"},
		{"2001:db8::ffff:ffff:ffff:ffff/128", 1, "2001:db8:0:1::/128"}, // carry into the high half
		{"2001:db8::/96", 3, "2001:db8::3:0:0/96"},
	}
	for _, tt := range tests {
		g := newPrefixGen(netip.MustParsePrefix(tt.start))
		for range tt.steps {
			g.advance()
		}
		if got := g.prefix().String(); got != tt.want {
			t.Errorf("%s + %d = %s, want %s", tt.start, tt.steps, got, tt.want)
		}
		start := newPrefixGen(netip.MustParsePrefix(tt.start))
		if i := start.index(g.prefix(), tt.steps+1); i != tt.steps {
			t.Errorf("index(%s) from %s = %d, want %d", g.prefix(), tt.start, i, tt.steps)
		}
		if i := start.index(g.prefix(), tt.steps); i != -1 {
			t.Errorf("index(%s) beyond count = %d", g.prefix(), i)
		}
	}
	g := newPrefixGen(netip.MustParsePrefix("10.0.0.0/24"))
	for _, p := range []string{"10.0.0.0/25", "9.255.255.0/24", "2001:db8::/24"} {
		if i := g.index(netip.MustParsePrefix(p), 1000); i != -1 {
			t.Errorf("index(%s) = %d, want -1", p, i)
		}
	}
}

func TestPrefixesFit(t *testing.T) {
	tests := []struct {
		start string
		count int
		want  bool
	}{
		{"10.0.0.0/24", 1 << 16, true},
		{"255.255.255.0/24", 1, true},
		{"255.255.255.0/24", 2, false},
		{"255.255.0.0/24", 256, true},
		{"255.255.0.0/24", 257, false},
		{"0.0.0.0/0", 1, true},
		{"0.0.0.0/0", 2, false},
		{"2001:db8::/48", 1 << 20, true},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/128", 16, true},
		{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff0/128", 17, false},
	}
	for _, tt := range tests {
		if got := prefixesFit(netip.MustParsePrefix(tt.start), tt.count); got != tt.want {
			t.Errorf("prefixesFit(%s, %d) = %v", tt.start, tt.count, got)
		}
	}
}

// TestAppendPrefixesFast: the injector's IPv4 fast path writes what
// nlri.AppendPrefix writes, for every prefix length.
func TestAppendPrefixesFast(t *testing.T) {
	for bits := 0; bits <= 32; bits++ {
		start := netip.PrefixFrom(netip.MustParseAddr("10.0.0.0"), bits).Masked()
		in := &injector{}
		g, want := newPrefixGen(start), newPrefixGen(start)
		got := in.appendPrefixes([]byte{0xAA}, &g, 7)
		exp := []byte{0xAA}
		for range 7 {
			exp = nlri.AppendPrefix(exp, want.prefix(), 0, false)
			want.advance()
		}
		if !bytes.Equal(got, exp) || g.prefix() != want.prefix() {
			t.Errorf("/%d: got %X next %s, want %X next %s", bits, got, g.prefix(), exp, want.prefix())
		}
	}
}
