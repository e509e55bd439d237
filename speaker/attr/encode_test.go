package attr

import (
	"bytes"
	"net/netip"
	"reflect"
	"testing"
)

func TestEncoders(t *testing.T) {
	ip := netip.MustParseAddr
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"origin", AppendOrigin(nil, OriginEGP), []byte{
			0x40, 1, 1, // well-known transitive, ORIGIN, length 1
			1, // EGP
		}},
		{"as-path-asn4", AppendASPath(nil, []Segment{{ASSequence, []uint32{65000, 4200000000}}, {ASSet, []uint32{1}}}, true), []byte{
			0x40, 2, 16, // well-known transitive, AS_PATH, length 16
			2, 2, 0x00, 0x00, 0xFD, 0xE8, 0xFA, 0x56, 0xEA, 0x00, // AS_SEQUENCE, 2 ASNs: 65000 4200000000
			1, 1, 0x00, 0x00, 0x00, 0x01, // AS_SET, 1 ASN: 1
		}},
		{"as-path-asn2", AppendASPath(nil, []Segment{{ASSequence, []uint32{65000, 4200000000}}}, false), []byte{
			0x40, 2, 6, // well-known transitive, AS_PATH, length 6
			2, 2, 0xFD, 0xE8, 0x5B, 0xA0, // AS_SEQUENCE, 2 ASNs: 65000 AS_TRANS(23456)
		}},
		{"as-path-empty", AppendASPath(nil, nil, true), []byte{0x40, 2, 0}},
		{"as4-path", AppendAS4Path(nil, []Segment{{ASSequence, []uint32{4200000000}}}), []byte{
			0xC0, 17, 6, // optional transitive, AS4_PATH, length 6
			2, 1, 0xFA, 0x56, 0xEA, 0x00, // AS_SEQUENCE, 1 ASN: 4200000000
		}},
		{"next-hop", AppendNextHop(nil, ip("192.0.2.1")), []byte{0x40, 3, 4, 192, 0, 2, 1}},
		{"next-hop-v6", AppendNextHop(nil, ip("2001:db8::1")), []byte{0x40, 3, 4, 0, 0, 0, 0}},
		{"med", AppendMED(nil, 100), []byte{0x80, 4, 4, 0, 0, 0, 100}},
		{"local-pref", AppendLocalPref(nil, 200), []byte{0x40, 5, 4, 0, 0, 0, 200}},
		{"atomic-aggregate", AppendAtomicAggregate(nil), []byte{0x40, 6, 0}},
		{"aggregator-asn4", AppendAggregator(nil, Aggregator{4200000000, ip("10.0.0.1")}, true), []byte{
			0xC0, 7, 8, // optional transitive, AGGREGATOR, length 8
			0xFA, 0x56, 0xEA, 0x00, 10, 0, 0, 1, // ASN 4200000000, 10.0.0.1
		}},
		{"aggregator-asn2", AppendAggregator(nil, Aggregator{4200000000, ip("10.0.0.1")}, false), []byte{
			0xC0, 7, 6, // optional transitive, AGGREGATOR, length 6
			0x5B, 0xA0, 10, 0, 0, 1, // AS_TRANS, 10.0.0.1
		}},
		{"as4-aggregator", AppendAS4Aggregator(nil, Aggregator{4200000000, ip("10.0.0.1")}), []byte{
			0xC0, 18, 8, 0xFA, 0x56, 0xEA, 0x00, 10, 0, 0, 1,
		}},
		{"communities", AppendCommunities(nil, []Community{0xFDE80001, CommunityNoExport}), []byte{
			0xC0, 8, 8, // optional transitive, COMMUNITIES, length 8
			0xFD, 0xE8, 0x00, 0x01, // 65000:1
			0xFF, 0xFF, 0xFF, 0x01, // no-export
		}},
		{"originator-id", AppendOriginatorID(nil, ip("1.1.1.1")), []byte{0x80, 9, 4, 1, 1, 1, 1}},
		{"cluster-list", AppendClusterList(nil, []netip.Addr{ip("1.1.1.1"), ip("2.2.2.2")}), []byte{
			0x80, 10, 8, 1, 1, 1, 1, 2, 2, 2, 2,
		}},
		{"ext-communities", AppendExtCommunities(nil, []ExtCommunity{{0x00, 0x02, 0xFD, 0xE8, 0, 0, 0, 1}}), []byte{
			0xC0, 16, 8, // optional transitive, EXTENDED_COMMUNITIES, length 8
			0x00, 0x02, 0xFD, 0xE8, 0, 0, 0, 1, // target:65000:1
		}},
		{"large-communities", AppendLargeCommunities(nil, []LargeCommunity{{65000, 1, 2}}), []byte{
			0xC0, 32, 12, // optional transitive, LARGE_COMMUNITY, length 12
			0, 0, 0xFD, 0xE8, 0, 0, 0, 1, 0, 0, 0, 2, // 65000:1:2
		}},
		{"aigp", AppendAIGP(nil, 1000), []byte{
			0x80, 26, 11, // optional non-transitive, AIGP, length 11
			1, 0, 11, // TLV type 1 (AIGP), length 11
			0, 0, 0, 0, 0, 0, 0x03, 0xE8, // metric 1000
		}},
		{"otc", AppendOTC(nil, 65000), []byte{0xC0, 35, 4, 0, 0, 0xFD, 0xE8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Equal(tt.got, tt.want) {
				t.Errorf("got  % X\nwant % X", tt.got, tt.want)
			}
		})
	}
}

func TestEncoderExtendedLength(t *testing.T) {
	cs := make([]Community, 100) // 400 octets
	b := AppendCommunities([]byte{0xAA}, cs)
	if b[0] != 0xAA || b[1] != 0xD0 || b[2] != 8 || b[3] != 0x01 || b[4] != 0x90 || len(b) != 1+4+400 {
		t.Fatalf("header % X, len %d", b[:5], len(b))
	}
	it := NewIterator(b[1:])
	if !it.Next() || len(it.Value()) != 400 || it.Flags() != 0xD0 {
		t.Fatal("iterator disagrees")
	}
	// A segment of 300 ASNs is split into 255 + 45.
	asns := make([]uint32, 300)
	b = AppendASPath(nil, []Segment{{ASSequence, asns}}, true)
	segs, err := Segments(b[4:], true)
	if err != nil || len(segs) != 2 || len(segs[0].ASNs) != 255 || len(segs[1].ASNs) != 45 || b[0] != 0x50 {
		t.Fatalf("got %d segments %v, flags %#x", len(segs), err, b[0])
	}
}

// value walks a single encoded attribute and returns flags, code and value.
func value(t *testing.T, b []byte) (Flags, Code, []byte) {
	t.Helper()
	it := NewIterator(b)
	if !it.Next() {
		t.Fatalf("cannot walk % X: %v", b, it.Err())
	}
	if it.Next() || it.Err() != nil {
		t.Fatalf("trailing data in % X", b)
	}
	return it.Flags(), it.Code(), it.Value()
}

func TestEncodeParseRoundTrip(t *testing.T) {
	ip := netip.MustParseAddr
	segs := []Segment{{ASSequence, []uint32{1, 2, 70000}}, {ASSet, []uint32{5, 6}}, {ConfedSequence, []uint32{9}}}
	for _, asn4 := range []bool{true, false} {
		_, _, v := value(t, AppendASPath(nil, segs, asn4))
		got, err := Segments(v, asn4)
		want := segs
		if !asn4 {
			want = []Segment{{ASSequence, []uint32{1, 2, ASTrans}}, {ASSet, []uint32{5, 6}}, {ConfedSequence, []uint32{9}}}
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("as-path asn4=%v: %v %v", asn4, got, err)
		}
	}
	if _, _, v := value(t, AppendAS4Path(nil, segs)); true {
		got, err := Segments(v, true)
		if err != nil || !reflect.DeepEqual(got, segs) {
			t.Errorf("as4-path: %v %v", got, err)
		}
	}
	if _, _, v := value(t, AppendOrigin(nil, OriginIncomplete)); true {
		if o, err := ParseOrigin(v); err != nil || o != OriginIncomplete {
			t.Errorf("origin %v %v", o, err)
		}
	}
	if _, _, v := value(t, AppendNextHop(nil, ip("10.1.2.3"))); true {
		if a, err := ParseNextHop(v); err != nil || a != ip("10.1.2.3") {
			t.Errorf("next-hop %v %v", a, err)
		}
	}
	if _, c, v := value(t, AppendMED(nil, 7)); true {
		if n, err := ParseUint32(c, v); err != nil || n != 7 {
			t.Errorf("med %v %v", n, err)
		}
	}
	if _, c, v := value(t, AppendLocalPref(nil, 8)); true {
		if n, err := ParseUint32(c, v); err != nil || n != 8 {
			t.Errorf("local-pref %v %v", n, err)
		}
	}
	agg := Aggregator{4200000000, ip("10.0.0.9")}
	if _, c, v := value(t, AppendAggregator(nil, agg, true)); true {
		if a, err := ParseAggregator(c, v, true); err != nil || a != agg {
			t.Errorf("aggregator %v %v", a, err)
		}
	}
	if _, c, v := value(t, AppendAS4Aggregator(nil, agg)); true {
		if a, err := ParseAggregator(c, v, true); err != nil || a != agg {
			t.Errorf("as4-aggregator %v %v", a, err)
		}
	}
	cs := []Community{1, CommunityNoPeer, 0xFDE80064}
	if _, _, v := value(t, AppendCommunities(nil, cs)); true {
		got, err := ParseCommunities(v)
		if err != nil || got.Len() != 3 || got.At(0) != 1 || got.At(1) != CommunityNoPeer || got.At(2) != 0xFDE80064 {
			t.Errorf("communities %v %v", got, err)
		}
	}
	if _, _, v := value(t, AppendOriginatorID(nil, ip("9.9.9.9"))); true {
		if a, err := ParseOriginatorID(v); err != nil || a != ip("9.9.9.9") {
			t.Errorf("originator-id %v %v", a, err)
		}
	}
	if _, _, v := value(t, AppendClusterList(nil, []netip.Addr{ip("1.2.3.4"), ip("5.6.7.8")})); true {
		cl, err := ParseClusterList(v)
		if err != nil || cl.Len() != 2 || cl.At(1) != ip("5.6.7.8") {
			t.Errorf("cluster-list %v %v", cl, err)
		}
	}
	ext := []ExtCommunity{{0x00, 0x02, 0, 1, 0, 0, 0, 2}, {0x80, 0x09, 0, 0, 0, 0, 0, 1}}
	if _, _, v := value(t, AppendExtCommunities(nil, ext)); true {
		got, err := ParseExtCommunities(v)
		if err != nil || got.Len() != 2 || got.At(0) != ext[0] || got.At(1) != ext[1] {
			t.Errorf("ext-communities %v %v", got, err)
		}
	}
	lc := []LargeCommunity{{1, 2, 3}, {4200000000, 0, 4294967295}}
	if _, _, v := value(t, AppendLargeCommunities(nil, lc)); true {
		got, err := ParseLargeCommunities(v)
		if err != nil || got.Len() != 2 || got.At(0) != lc[0] || got.At(1) != lc[1] {
			t.Errorf("large-communities %v %v", got, err)
		}
	}
	if _, _, v := value(t, AppendAIGP(nil, 1<<40)); true {
		if m, err := ParseAIGP(v); err != nil || m != 1<<40 {
			t.Errorf("aigp %v %v", m, err)
		}
	}
	if _, _, v := value(t, AppendOTC(nil, 4200000000)); true {
		if a, err := ParseOTC(v); err != nil || a != 4200000000 {
			t.Errorf("otc %v %v", a, err)
		}
	}
}

// TestEncodersPassCheck: every encoder writes the standard flags, so
// Check accepts what it writes.
func TestEncodersPassCheck(t *testing.T) {
	ip := netip.MustParseAddr
	var b []byte
	b = AppendOrigin(b, OriginIGP)
	b = AppendASPath(b, []Segment{{ASSequence, []uint32{1}}}, true)
	b = AppendAS4Path(b, []Segment{{ASSequence, []uint32{1}}})
	b = AppendNextHop(b, ip("10.0.0.1"))
	b = AppendMED(b, 1)
	b = AppendLocalPref(b, 1)
	b = AppendAtomicAggregate(b)
	b = AppendAggregator(b, Aggregator{1, ip("1.1.1.1")}, true)
	b = AppendAS4Aggregator(b, Aggregator{1, ip("1.1.1.1")})
	b = AppendCommunities(b, []Community{1})
	b = AppendOriginatorID(b, ip("1.1.1.1"))
	b = AppendClusterList(b, []netip.Addr{ip("1.1.1.1")})
	b = AppendExtCommunities(b, []ExtCommunity{{}})
	b = AppendIPv6ExtCommunities(b, []IPv6ExtCommunity{{}})
	b = AppendLargeCommunities(b, []LargeCommunity{{}})
	b = AppendAIGP(b, 1)
	b = AppendOTC(b, 1)
	it := NewIterator(b)
	n := 0
	for it.Next() {
		n++
		if err := Check(it.Code(), it.Flags(), it.Value(), asn4Ctx); err != nil {
			t.Errorf("%s: %v", it.Code(), err)
		}
	}
	if n != 17 || it.Err() != nil {
		t.Errorf("walked %d: %v", n, it.Err())
	}
}
