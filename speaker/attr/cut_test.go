package attr

import (
	"bytes"
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// cutAll walks list with Cut and CutError.
func cutAll(list []byte) (codes []Code, flags []Flags, values [][]byte, err error) {
	for rest := list; len(rest) != 0; {
		c, f, v, r, ok := Cut(rest)
		if !ok {
			return codes, flags, values, CutError(rest)
		}
		rest = r
		codes, flags, values = append(codes, c), append(flags, f), append(values, v)
	}
	return codes, flags, values, nil
}

// cutAtAll walks list with CutAt and CutError, on offsets, with list
// placed after a few octets of something else (as an attribute list sits
// in an UPDATE).
func cutAtAll(list []byte) (codes []Code, flags []Flags, values [][]byte, err error) {
	b := append([]byte{0xFF, 0x50, 0xFF}, list...)
	for off := 3; off < len(b); {
		c, f, vs, ve, ok := CutAt(b, off)
		if !ok {
			if vs != off || ve != off {
				return codes, flags, values, errors.New("CutAt failed but moved on")
			}
			return codes, flags, values, CutError(b[off:])
		}
		if vs < off+3 || ve < vs {
			return codes, flags, values, errors.New("CutAt returned offsets out of order")
		}
		off = ve
		codes, flags, values = append(codes, c), append(flags, f), append(values, b[vs:ve])
	}
	return codes, flags, values, nil
}

// iterAll walks list with an Iterator.
func iterAll(list []byte) (codes []Code, flags []Flags, values [][]byte, err error) {
	it := NewIterator(list)
	for it.Next() {
		codes, flags, values = append(codes, it.Code()), append(flags, it.Flags()), append(values, it.Value())
	}
	return codes, flags, values, it.Err()
}

// sameErr reports whether a and b are both nil or both errors with the
// same text.
func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Error() == b.Error()
}

// checkCut fails t unless Cut and CutAt read list as the Iterator does.
func checkCut(t *testing.T, list []byte) {
	t.Helper()
	c1, f1, v1, e1 := cutAll(list)
	c2, f2, v2, e2 := iterAll(list)
	if !slices.Equal(c1, c2) || !slices.Equal(f1, f2) || !slices.EqualFunc(v1, v2, bytes.Equal) || !sameErr(e1, e2) {
		t.Fatalf("Cut read %v %v % X, %v; Iterator %v %v % X, %v", c1, f1, v1, e1, c2, f2, v2, e2)
	}
	c3, f3, v3, e3 := cutAtAll(list)
	if !slices.Equal(c3, c2) || !slices.Equal(f3, f2) || !slices.EqualFunc(v3, v2, bytes.Equal) || !sameErr(e3, e2) {
		t.Fatalf("CutAt read %v %v % X, %v; Iterator %v %v % X, %v", c3, f3, v3, e3, c2, f2, v2, e2)
	}
	// Whole is the list up to the break: it walks without error to the
	// same attributes.
	w := Whole(list)
	c4, _, v4, e4 := iterAll(w)
	if e4 != nil || !slices.Equal(c4, c2) || !slices.EqualFunc(v4, v2, bytes.Equal) || (e2 == nil && len(w) != len(list)) {
		t.Fatalf("Whole kept % X (%v %v); Iterator read %v to %v", w, c4, e4, c2, e2)
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		name  string
		list  []byte
		codes []Code
		sub   uint8 // error subcode, 0 for none
	}{
		{"empty", nil, nil, 0},
		{"two", []byte{
			0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
			0x50, 0x02, 0x00, 0x06, // AS_PATH, extended length 6
			0x02, 0x01, 0x00, 0x00, 0xFD, 0xE9, // AS_SEQUENCE 65001
		}, []Code{CodeOrigin, CodeASPath}, 0},
		{"empty-value-last", []byte{
			0x40, 0x06, 0x00, // ATOMIC_AGGREGATE, no value
		}, []Code{CodeAtomicAggregate}, 0},
		{"header-truncated", []byte{
			0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
			0x40, 0x02, // flags, code: no length
		}, []Code{CodeOrigin}, wire.SubMalformedAttributeList},
		{"extended-length-truncated", []byte{
			0x50, 0x02, 0x00, // extended length with one length octet
		}, nil, wire.SubMalformedAttributeList},
		{"value-runs-past", []byte{
			0x40, 0x03, 0x04, 0xC0, 0x00, 0x02, // NEXT_HOP with 3 of 4 octets
		}, nil, wire.SubAttributeLengthError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkCut(t, tt.list)
			codes, _, _, err := cutAll(tt.list)
			if w := Whole(tt.list); (err == nil) != (len(w) == len(tt.list)) {
				t.Errorf("Whole kept %d of %d octets, error %v", len(w), len(tt.list), err)
			}
			if !slices.Equal(codes, tt.codes) {
				t.Errorf("codes %v, want %v", codes, tt.codes)
			}
			var e *wire.Error
			switch {
			case tt.sub == 0 && err != nil:
				t.Errorf("err = %v", err)
			case tt.sub != 0 && (!errors.As(err, &e) || e.Code != wire.CodeUpdate || e.Subcode != tt.sub):
				t.Errorf("err = %v, want subcode %d", err, tt.sub)
			}
		})
	}
	if _, _, _, rest, ok := Cut(nil); ok || rest != nil {
		t.Error("Cut(nil) succeeded")
	}
	if _, _, vs, ve, ok := CutAt([]byte{0x40, 0x01, 0x01, 0x00}, 4); ok || vs != 4 || ve != 4 {
		t.Error("CutAt at the end succeeded")
	}
}

func TestCommunitiesAll(t *testing.T) {
	cs, err := ParseCommunities([]byte{0xFD, 0xE8, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0x01}) // 65000:1 no-export
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Collect(cs.All()); !slices.Equal(got, []Community{65000<<16 | 1, CommunityNoExport}) {
		t.Errorf("All = %v", got)
	}
	for c := range cs.All() {
		if c != cs.At(0) {
			t.Errorf("first = %v", c)
		}
		break
	}
	ls, err := ParseLargeCommunities([]byte{
		0x00, 0x00, 0xFD, 0xE8, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // 65000:1:2
		0xFA, 0x56, 0xEA, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, // 4200000000:3:4
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []LargeCommunity{{65000, 1, 2}, {4200000000, 3, 4}}
	if got := slices.Collect(ls.All()); !slices.Equal(got, want) {
		t.Errorf("All = %v", got)
	}
	for l := range ls.All() {
		if l != want[0] {
			t.Errorf("first = %v", l)
		}
		break
	}
}

// checkCutSegment fails t unless CutSegment and ASNs (Len, At, All) read
// the AS_PATH value v as the ASPathIterator does.
func checkCutSegment(t *testing.T, v []byte, asn4 bool) {
	t.Helper()
	var want, got [][]uint32
	var wantT, gotT []SegmentType
	it := NewASPathIterator(v, asn4)
	for it.Next() {
		s := make([]uint32, it.Len())
		for i := range s {
			s[i] = it.ASN(i)
		}
		want, wantT = append(want, s), append(wantT, it.Type())
		a := it.ASNs()
		if a.Len() != len(s) || !slices.Equal(slices.Collect(a.All()), s) {
			t.Fatalf("ASPathIterator.ASNs = %v", slices.Collect(a.All()))
		}
	}
	var err error
	for rest := v; len(rest) != 0; {
		typ, asns, r, ok := CutSegment(rest, asn4)
		if !ok {
			if len(r) != len(rest) {
				t.Fatal("CutSegment failed but moved on")
			}
			err = CutSegmentError(rest, asn4)
			break
		}
		rest = r
		all := slices.Collect(asns.All())
		for i := range asns.Len() {
			if asns.At(i) != all[i] {
				t.Fatalf("At(%d) = %d, All gives %d", i, asns.At(i), all[i])
			}
		}
		got, gotT = append(got, all), append(gotT, typ)
	}
	if !slices.EqualFunc(got, want, slices.Equal) || !slices.Equal(gotT, wantT) || !sameErr(err, it.Err()) {
		t.Fatalf("CutSegment read %v %v, %v; ASPathIterator %v %v, %v", gotT, got, err, wantT, want, it.Err())
	}
}

func TestCutSegment(t *testing.T) {
	tests := []struct {
		name string
		v    []byte
		asn4 bool
		want [][]uint32
		err  bool
	}{
		{"empty", nil, true, nil, false},
		{"asn4", []byte{
			0x02, 0x02, // AS_SEQUENCE, 2 ASNs
			0x00, 0x00, 0xFD, 0xE9, // 65001
			0xFA, 0x56, 0xEA, 0x00, // 4200000000
			0x01, 0x01, // AS_SET, 1 ASN
			0x00, 0x00, 0xFD, 0xEA, // 65002
		}, true, [][]uint32{{65001, 4200000000}, {65002}}, false},
		{"asn2", []byte{
			0x02, 0x02, // AS_SEQUENCE, 2 ASNs
			0xFD, 0xE9, // 65001
			0x5B, 0xA0, // 23456 (AS_TRANS)
		}, false, [][]uint32{{65001, 23456}}, false},
		{"bad-type", []byte{0x05, 0x01, 0xFD, 0xE9}, false, nil, true},
		{"empty-segment", []byte{0x02, 0x00}, false, nil, true},
		{"overrun", []byte{0x02, 0x02, 0x00, 0x00, 0xFD, 0xE9}, true, nil, true},
		{"header-truncated", []byte{0x02, 0x01, 0xFD, 0xE9, 0x02}, false, [][]uint32{{65001}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkCutSegment(t, tt.v, tt.asn4)
			var got [][]uint32
			var err error
			for rest := tt.v; len(rest) != 0; {
				_, asns, r, ok := CutSegment(rest, tt.asn4)
				if !ok {
					err = CutSegmentError(rest, tt.asn4)
					break
				}
				rest = r
				got = append(got, slices.Collect(asns.All()))
			}
			if !slices.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			var e *wire.Error
			if tt.err != (err != nil) || err != nil && (!errors.As(err, &e) || e.Subcode != wire.SubMalformedASPath || e.Action != wire.ActionTreatAsWithdraw) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestASNsAllStops(t *testing.T) {
	_, asns, _, _ := CutSegment([]byte{0x02, 0x03, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03}, false)
	var got []uint32
	for a := range asns.All() {
		got = append(got, a)
		if a == 2 {
			break
		}
	}
	if !slices.Equal(got, []uint32{1, 2}) {
		t.Errorf("got %v", got)
	}
}

func TestSplitMPReach(t *testing.T) {
	v := []byte{
		0x00, 0x02, 0x01, // AFI IPv6, SAFI unicast
		0x10,                                                          // next hop length 16
		0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // 2001:db8::1
		0x00,                         // reserved
		0x20, 0x20, 0x01, 0x0D, 0xB8, // /32: 2001:db8::
		0x30, 0x20, 0x01, 0x0D, 0xB8, 0x00, 0x01, // /48: 2001:db8:1::
	}
	f, nh, nl, err := SplitMPReach(v)
	if err != nil || f != wire.IPv6Unicast || !bytes.Equal(nh, v[4:20]) || !bytes.Equal(nl, v[21:]) {
		t.Fatalf("SplitMPReach = %v % X % X %v", f, nh, nl, err)
	}
	m, err := ParseMPReach(v)
	if err != nil || m.Family != f || !bytes.Equal(m.NextHop, nh) || !bytes.Equal(m.NLRI, nl) {
		t.Fatalf("ParseMPReach = %+v, %v", m, err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("2001:db8:1::/48")}
	prefixes := func(m MPReach) []netip.Prefix {
		var out []netip.Prefix
		it := m.Prefixes(false)
		for it.Next() {
			out = append(out, it.Prefix())
		}
		if it.Err() != nil {
			t.Fatal(it.Err())
		}
		return out
	}
	if got := prefixes(m); !slices.Equal(got, want) {
		t.Errorf("Prefixes = %v", got)
	}
	// An MPReach built by hand: the NLRI does not follow the next hop.
	hand := MPReach{Family: wire.IPv6Unicast, NextHop: slices.Clone(nh), NLRI: slices.Clone(nl)}
	if got := prefixes(hand); !slices.Equal(got, want) {
		t.Errorf("Prefixes (by hand) = %v", got)
	}

	for _, tt := range []struct {
		v    []byte
		want error
	}{
		{[]byte{0x00, 0x02, 0x01, 0x10}, ErrMPReachShort},
		{[]byte{0x00, 0x02, 0x01, 0x10, 0x20, 0x01, 0x00}, ErrMPReachNextHop},
	} {
		if _, _, _, err := SplitMPReach(tt.v); err != tt.want {
			t.Errorf("SplitMPReach(% X) = %v, want %v", tt.v, err, tt.want)
		}
		if _, err := ParseMPReach(tt.v); err != tt.want {
			t.Errorf("ParseMPReach(% X) = %v, want %v", tt.v, err, tt.want)
		}
	}
	if e := ErrMPReachNextHop; e.Code != wire.CodeUpdate || e.Subcode != wire.SubOptionalAttributeError || e.Action != wire.ActionSessionReset {
		t.Errorf("ErrMPReachNextHop = %+v", e)
	}
}

func TestMPUnreachPrefixes(t *testing.T) {
	m, err := ParseMPUnreach([]byte{
		0x00, 0x01, 0x01, // AFI IPv4, SAFI unicast
		0x08, 0x0A, // /8: 10.0.0.0
	})
	if err != nil {
		t.Fatal(err)
	}
	it := m.Prefixes(false)
	if !it.Next() || it.Prefix() != netip.MustParsePrefix("10.0.0.0/8") || it.Next() || it.Err() != nil {
		t.Errorf("Prefixes: %v %v", it.Prefix(), it.Err())
	}
}

func TestParseNextHopError(t *testing.T) {
	if _, err := ParseNextHop([]byte{192, 0, 2}); err != ErrNextHopLength {
		t.Fatalf("err = %v", err)
	}
	if e := ErrNextHopLength; e.Code != wire.CodeUpdate || e.Subcode != wire.SubAttributeLengthError || e.Action != wire.ActionTreatAsWithdraw {
		t.Errorf("ErrNextHopLength = %+v", e)
	}
}
