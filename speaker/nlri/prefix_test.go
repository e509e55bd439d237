package nlri_test

import (
	"bytes"
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// entry is one prefix the iterator must yield. prefix is written with
// the host bits as sent (netip.ParsePrefix keeps them).
type entry struct {
	pathID uint32
	prefix string
	raw    int // octets of the whole entry, path identifier included
}

// walk collects what the iterator yields. It checks that the other
// forms of the walk read the same (see walkForms).
func walk(t *testing.T, b []byte, f wire.Family, addPath bool) ([]entry, error) {
	t.Helper()
	var out []entry
	it := nlri.NewIterator(b, f, addPath)
	for it.Next() {
		out = append(out, entry{it.PathID(), it.Prefix().String(), len(it.Raw())})
	}
	walkForms(t, b, f, addPath, out, it.Err())
	return out, it.Err()
}

func TestIterator(t *testing.T) {
	tests := []struct {
		name    string
		f       wire.Family
		addPath bool
		b       []byte
		want    []entry
	}{
		{"empty", wire.IPv4Unicast, false, nil, nil},
		{"ipv4-lengths", wire.IPv4Unicast, false, []byte{
			0x00,       // /0
			0x01, 0x80, // /1: 128.0.0.0
			0x07, 0xFE, // /7: 254.0.0.0
			0x08, 0x0A, // /8: 10.0.0.0
			0x09, 0x0A, 0x80, // /9: 10.128.0.0
			0x18, 0xC0, 0x00, 0x02, // /24: 192.0.2.0
			0x20, 0xC6, 0x33, 0x64, 0x01, // /32: 198.51.100.1
		}, []entry{
			{0, "0.0.0.0/0", 1},
			{0, "128.0.0.0/1", 2},
			{0, "254.0.0.0/7", 2},
			{0, "10.0.0.0/8", 2},
			{0, "10.128.0.0/9", 3},
			{0, "192.0.2.0/24", 4},
			{0, "198.51.100.1/32", 5},
		}},
		{"ipv4-multicast", wire.IPv4Multicast, false, []byte{
			0x04, 0xE0, // /4: 224.0.0.0
		}, []entry{{0, "224.0.0.0/4", 2}}},
		{"ipv6-lengths", wire.IPv6Unicast, false, []byte{
			0x00,       // /0
			0x01, 0x80, // /1: 8000::
			0x07, 0xFC, // /7: fc00::
			0x08, 0xFF, // /8: ff00::
			0x09, 0xFE, 0x80, // /9: fe80::
			0x18, 0x20, 0x01, 0x0D, // /24: 2001:d00::
			0x20, 0x20, 0x01, 0x0D, 0xB8, // /32: 2001:db8::
			0x80, // /128: 2001:db8::1
			0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		}, []entry{
			{0, "::/0", 1},
			{0, "8000::/1", 2},
			{0, "fc00::/7", 2},
			{0, "ff00::/8", 2},
			{0, "fe80::/9", 3},
			{0, "2001:d00::/24", 4},
			{0, "2001:db8::/32", 5},
			{0, "2001:db8::1/128", 17},
		}},
		{"ipv4-addpath", wire.IPv4Unicast, true, []byte{
			0x00, 0x00, 0x00, 0x01, // path id 1
			0x08, 0x0A, // /8: 10.0.0.0
			0xFF, 0xFF, 0xFF, 0xFF, // path id 4294967295
			0x18, 0xC0, 0x00, 0x02, // /24: 192.0.2.0
			0x00, 0x00, 0x00, 0x00, // path id 0
			0x00, // /0
		}, []entry{
			{1, "10.0.0.0/8", 6},
			{0xFFFFFFFF, "192.0.2.0/24", 8},
			{0, "0.0.0.0/0", 5},
		}},
		{"ipv6-addpath", wire.IPv6Unicast, true, []byte{
			0x00, 0x00, 0x01, 0x00, // path id 256
			0x30, 0x20, 0x01, 0x0D, 0xB8, 0x00, 0x01, // /48: 2001:db8:1::
		}, []entry{{256, "2001:db8:1::/48", 11}}},
		{"host-bits-kept", wire.IPv4Unicast, false, []byte{
			0x09, 0x0A, 0xFF, // /9: 10.255.0.0 — host bits set in the last octet
			0x14, 0xC0, 0x00, 0x0F, // /20: 192.0.15.0 — low nibble is host bits
		}, []entry{
			{0, "10.255.0.0/9", 3},
			{0, "192.0.15.0/20", 4},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := walk(t, tt.b, tt.f, tt.addPath)
			if err != nil {
				t.Fatalf("Err = %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
			n, err := nlri.Count(tt.b, tt.f, tt.addPath)
			if err != nil || n != len(tt.want) {
				t.Errorf("Count = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}
}

func TestIteratorErrors(t *testing.T) {
	tests := []struct {
		name    string
		f       wire.Family
		addPath bool
		b       []byte
		want    []entry // yielded before the error
	}{
		{"ipv4-length-33", wire.IPv4Unicast, false, []byte{
			0x21, 0x0A, 0x00, 0x00, 0x00, 0x00, // /33: over the IPv4 maximum
		}, nil},
		{"ipv4-length-128", wire.IPv4Unicast, false, []byte{
			0x80, // /128 in an IPv4 field
			0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		}, nil},
		{"ipv6-length-129", wire.IPv6Unicast, false, []byte{
			0x81, // /129: over the IPv6 maximum
			0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
		}, nil},
		{"ipv4-length-255", wire.IPv4Unicast, false, []byte{
			0xFF, // /255
		}, nil},
		{"truncated-prefix", wire.IPv4Unicast, false, []byte{
			0x08, 0x0A, // /8: 10.0.0.0
			0x18, 0xC0, 0x00, // /24 with only 2 of 3 octets
		}, []entry{{0, "10.0.0.0/8", 2}}},
		{"truncated-prefix-no-octets", wire.IPv6Unicast, false, []byte{
			0x30, // /48 with no octets
		}, nil},
		{"truncated-path-id", wire.IPv4Unicast, true, []byte{
			0x00, 0x00, 0x00, 0x01, // path id 1
			0x08, 0x0A, // /8: 10.0.0.0
			0x00, 0x00, 0x00, // 3 octets of a path id
		}, []entry{{1, "10.0.0.0/8", 6}}},
		{"path-id-without-length", wire.IPv6Unicast, true, []byte{
			0x00, 0x00, 0x00, 0x07, // path id 7, then nothing
		}, nil},
		{"addpath-prefix-truncated", wire.IPv6Unicast, true, []byte{
			0x00, 0x00, 0x00, 0x07, // path id 7
			0x20, 0x20, 0x01, // /32 with 2 of 4 octets
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := walk(t, tt.b, tt.f, tt.addPath)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
			var e *wire.Error
			if !errors.As(err, &e) {
				t.Fatalf("Err = %v, want *wire.Error", err)
			}
			// RFC 7606 §5.3: malformed NLRI is Invalid Network Field and
			// cannot be treat-as-withdraw.
			if e.Code != wire.CodeUpdate || e.Subcode != wire.SubInvalidNetworkField || e.Action != wire.ActionSessionReset {
				t.Errorf("Err = %d/%d %v", e.Code, e.Subcode, e.Action)
			}
			n, cerr := nlri.Count(tt.b, tt.f, tt.addPath)
			if n != len(tt.want) || cerr == nil {
				t.Errorf("Count = %d, %v", n, cerr)
			}
			// Next stays false after the error.
			it := nlri.NewIterator(tt.b, tt.f, tt.addPath)
			for it.Next() {
			}
			if it.Next() || it.Err() == nil {
				t.Error("Next after error")
			}
		})
	}
}

func TestIteratorViews(t *testing.T) {
	b := []byte{
		0x00, 0x00, 0x00, 0x2A, // path id 42
		0x09, 0x0A, 0xFF, // /9: 10.255.0.0 (host bits set)
		0x00, 0x00, 0x00, 0x2B, // path id 43
		0x00, // /0
	}
	it := nlri.NewIterator(b, wire.IPv4Unicast, true)
	if !it.Next() {
		t.Fatal(it.Err())
	}
	if !bytes.Equal(it.Raw(), b[:7]) || &it.Raw()[0] != &b[0] {
		t.Errorf("Raw = % X, want a view of % X", it.Raw(), b[:7])
	}
	if !bytes.Equal(it.Bytes(), []byte{0x0A, 0xFF}) || &it.Bytes()[0] != &b[5] {
		t.Errorf("Bytes = % X, want a view of 0A FF", it.Bytes())
	}
	if it.Bits() != 9 || it.PathID() != 42 {
		t.Errorf("Bits %d PathID %d", it.Bits(), it.PathID())
	}
	p := it.Prefix()
	if p != netip.MustParsePrefix("10.255.0.0/9") {
		t.Errorf("Prefix = %v, want host bits kept", p)
	}
	if p.Masked() != netip.MustParsePrefix("10.128.0.0/9") {
		t.Errorf("Masked = %v", p.Masked())
	}
	if !it.Next() {
		t.Fatal(it.Err())
	}
	if !bytes.Equal(it.Raw(), b[7:]) || len(it.Bytes()) != 0 || it.Bits() != 0 || it.PathID() != 43 {
		t.Errorf("second entry: Raw % X Bytes % X Bits %d PathID %d", it.Raw(), it.Bytes(), it.Bits(), it.PathID())
	}
	if it.Prefix() != netip.MustParsePrefix("0.0.0.0/0") {
		t.Errorf("Prefix = %v", it.Prefix())
	}
	if it.Next() || it.Err() != nil {
		t.Errorf("end: Err = %v", it.Err())
	}
}

func TestAppendPrefix(t *testing.T) {
	tests := []struct {
		name    string
		p       netip.Prefix
		pathID  uint32
		addPath bool
		want    []byte
	}{
		{"ipv4-/0", netip.MustParsePrefix("0.0.0.0/0"), 0, false, []byte{
			0x00, // /0, no octets
		}},
		{"ipv4-/0-host-bits", netip.PrefixFrom(netip.MustParseAddr("192.0.2.1"), 0), 0, false, []byte{
			0x00, // /0: the address is not written
		}},
		{"ipv4-/1", netip.PrefixFrom(netip.MustParseAddr("255.255.255.255"), 1), 0, false, []byte{
			0x01, 0x80, // /1: 128.0.0.0, the other 7 bits masked
		}},
		{"ipv4-/7", netip.PrefixFrom(netip.MustParseAddr("255.1.2.3"), 7), 0, false, []byte{
			0x07, 0xFE, // /7: 254.0.0.0
		}},
		{"ipv4-/8", netip.PrefixFrom(netip.MustParseAddr("10.1.2.3"), 8), 0, false, []byte{
			0x08, 0x0A, // /8: 10.0.0.0
		}},
		{"ipv4-/9", netip.PrefixFrom(netip.MustParseAddr("10.255.255.255"), 9), 0, false, []byte{
			0x09, 0x0A, 0x80, // /9: 10.128.0.0
		}},
		{"ipv4-/24", netip.PrefixFrom(netip.MustParseAddr("192.0.2.77"), 24), 0, false, []byte{
			0x18, 0xC0, 0x00, 0x02, // /24: 192.0.2.0
		}},
		{"ipv4-/32", netip.MustParsePrefix("198.51.100.1/32"), 0, false, []byte{
			0x20, 0xC6, 0x33, 0x64, 0x01, // /32
		}},
		{"ipv4-addpath", netip.MustParsePrefix("10.0.0.0/8"), 0x01020304, true, []byte{
			0x01, 0x02, 0x03, 0x04, // path id 0x01020304
			0x08, 0x0A, // /8: 10.0.0.0
		}},
		{"pathid-ignored-without-addpath", netip.MustParsePrefix("10.0.0.0/8"), 7, false, []byte{
			0x08, 0x0A, // /8: 10.0.0.0
		}},
		{"ipv6-/0", netip.MustParsePrefix("::/0"), 0, false, []byte{
			0x00, // /0
		}},
		{"ipv6-/9", netip.PrefixFrom(netip.MustParseAddr("feff::1"), 9), 0, false, []byte{
			0x09, 0xFE, 0x80, // /9: fe80::
		}},
		{"ipv6-/32", netip.PrefixFrom(netip.MustParseAddr("2001:db8::1"), 32), 0, false, []byte{
			0x20, 0x20, 0x01, 0x0D, 0xB8, // /32: 2001:db8::
		}},
		{"ipv6-/128-addpath", netip.MustParsePrefix("2001:db8::1/128"), 0xFFFFFFFF, true, []byte{
			0xFF, 0xFF, 0xFF, 0xFF, // path id 4294967295
			0x80, // /128
			0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		}},
		{"invalid", netip.Prefix{}, 1, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []byte{0xEE}
			got := nlri.AppendPrefix(dst, tt.p, tt.pathID, tt.addPath)
			if got[0] != 0xEE || !bytes.Equal(got[1:], tt.want) {
				t.Fatalf("AppendPrefix = % X, want EE % X", got, tt.want)
			}
		})
	}
}

func TestAppendPrefixRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		f        wire.Family
		prefixes []string
	}{
		{wire.IPv4Unicast, []string{"0.0.0.0/0", "128.0.0.0/1", "254.0.0.0/7", "10.0.0.0/8",
			"10.255.0.0/9", "192.0.2.77/24", "198.51.100.1/32", "172.16.0.0/12"}},
		{wire.IPv6Unicast, []string{"::/0", "8000::/1", "fc00::/7", "ff00::/8", "feff::/9",
			"2001:db8::/32", "2001:db8:1:2::/64", "2001:db8::1/128", "2001:db8::ffff/127"}},
	} {
		for _, addPath := range []bool{false, true} {
			var b []byte
			var want []entry
			for i, s := range tc.prefixes {
				p := netip.MustParsePrefix(s)
				id := uint32(i * 1000)
				b = nlri.AppendPrefix(b, p, id, addPath)
				if !addPath {
					id = 0
				}
				want = append(want, entry{id, p.Masked().String(), 0})
			}
			it := nlri.NewIterator(b, tc.f, addPath)
			var got []entry
			for it.Next() {
				got = append(got, entry{it.PathID(), it.Prefix().String(), 0})
				if it.Prefix() != it.Prefix().Masked() {
					t.Errorf("AppendPrefix wrote host bits: %v", it.Prefix())
				}
			}
			if it.Err() != nil || !slices.Equal(got, want) {
				t.Errorf("%v addPath=%v: got %v, %v\nwant %v", tc.f, addPath, got, it.Err(), want)
			}
		}
	}
}

var (
	sinkPrefix netip.Prefix
	sinkN      int
)

func TestIteratorAllocs(t *testing.T) {
	var b []byte
	for i := range 50 {
		b = nlri.AppendPrefix(b, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i), 0, 0}), 16+i%17), uint32(i), true)
	}
	var b6 []byte
	for i := range 50 {
		b6 = nlri.AppendPrefix(b6, netip.PrefixFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(i)}), 32+i%97), uint32(i), true)
	}
	allocs := testing.AllocsPerRun(100, func() {
		for _, in := range []struct {
			b []byte
			f wire.Family
		}{{b, wire.IPv4Unicast}, {b6, wire.IPv6Unicast}} {
			it := nlri.NewIterator(in.b, in.f, true)
			for it.Next() {
				sinkPrefix = it.Prefix()
				sinkN += len(it.Raw()) + len(it.Bytes()) + it.Bits() + int(it.PathID())
			}
			if it.Err() != nil {
				panic(it.Err())
			}
		}
	})
	if allocs != 0 {
		t.Errorf("iterating allocates %.1f times per run, want 0", allocs)
	}
	if n, err := nlri.Count(b, wire.IPv4Unicast, true); err != nil || n != 50 {
		t.Errorf("Count = %d, %v", n, err)
	}
	if allocs := testing.AllocsPerRun(100, func() { sinkN, _ = nlri.Count(b6, wire.IPv6Unicast, true) }); allocs != 0 {
		t.Errorf("Count allocates %.1f times per run, want 0", allocs)
	}
}
