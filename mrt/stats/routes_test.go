package stats

import (
	"bytes"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/mrt"
)

func TestAttrs(t *testing.T) {
	tests := []struct {
		name   string
		attrs  []byte
		as4    bool
		path   []byte // 4-octet segments
		length int
		origin uint32 // 0: none
		err    string
	}{
		{
			name: "4-octet sequence",
			attrs: []byte{
				0x40, 0x02, 0x0A, // AS_PATH, transitive, 10 octets
				0x02, 0x02, // AS_SEQUENCE of 2
				0x00, 0x00, 0xFD, 0xE9, // 65001
				0xFA, 0x56, 0xEA, 0x01, // 4200000001
			},
			as4:    true,
			path:   []byte{0x02, 0x02, 0x00, 0x00, 0xFD, 0xE9, 0xFA, 0x56, 0xEA, 0x01},
			length: 2, origin: 4200000001,
		},
		{
			name: "2-octet sequence widened",
			attrs: []byte{
				0x40, 0x02, 0x06, // AS_PATH, 6 octets
				0x02, 0x02, 0xFD, 0xE9, 0xFD, 0xEA, // AS_SEQUENCE 65001 65002
			},
			path:   []byte{0x02, 0x02, 0x00, 0x00, 0xFD, 0xE9, 0x00, 0x00, 0xFD, 0xEA},
			length: 2, origin: 65002,
		},
		{
			name: "AS4_PATH merged (RFC 6793 §4.2.3)",
			attrs: []byte{
				0x40, 0x02, 0x06, // AS_PATH
				0x02, 0x02, 0xFD, 0xE9, 0x5B, 0xA0, // AS_SEQUENCE 65001 23456 (AS_TRANS)
				0xC0, 0x11, 0x06, // AS4_PATH, optional transitive, 6 octets
				0x02, 0x01, 0xFA, 0x56, 0xEA, 0x01, // AS_SEQUENCE 4200000001
			},
			path:   []byte{0x02, 0x02, 0x00, 0x00, 0xFD, 0xE9, 0xFA, 0x56, 0xEA, 0x01},
			length: 2, origin: 4200000001,
		},
		{
			name: "AS4_PATH ignored: AGGREGATOR of a 2-octet AS",
			attrs: []byte{
				0x40, 0x02, 0x06, 0x02, 0x02, 0xFD, 0xE9, 0x5B, 0xA0, // AS_PATH 65001 23456
				0xC0, 0x07, 0x06, 0xFD, 0xF1, 192, 0, 2, 9, // AGGREGATOR 65009 192.0.2.9
				0xC0, 0x11, 0x06, 0x02, 0x01, 0xFA, 0x56, 0xEA, 0x01, // AS4_PATH 4200000001
			},
			path:   []byte{0x02, 0x02, 0x00, 0x00, 0xFD, 0xE9, 0x00, 0x00, 0x5B, 0xA0},
			length: 2, origin: 23456,
		},
		{
			name: "prepend in a second segment: one canonical path",
			attrs: []byte{
				0x40, 0x02, 0x0A, // AS_PATH, 10 octets
				0x02, 0x01, 0x07, 0x3D, // AS_SEQUENCE 1853
				0x02, 0x02, 0x12, 0x97, 0x12, 0x97, // AS_SEQUENCE 4759 4759
			},
			path:   []byte{0x02, 0x03, 0x00, 0x00, 0x07, 0x3D, 0x00, 0x00, 0x12, 0x97, 0x00, 0x00, 0x12, 0x97},
			length: 3, origin: 4759,
		},
		{
			name: "AS_SET counts one; two members: no origin",
			attrs: []byte{
				0x40, 0x02, 0x0A, // AS_PATH, 10 octets
				0x02, 0x01, 0x07, 0x3D, // AS_SEQUENCE 1853
				0x01, 0x02, 0x35, 0x5B, 0x02, 0xBD, // AS_SET {13659, 701}
			},
			path:   []byte{0x02, 0x01, 0x00, 0x00, 0x07, 0x3D, 0x01, 0x02, 0x00, 0x00, 0x35, 0x5B, 0x00, 0x00, 0x02, 0xBD},
			length: 2,
		},
		{
			name: "one-member AS_SET: its member is the origin",
			attrs: []byte{
				0x40, 0x02, 0x08, // AS_PATH, 8 octets
				0x02, 0x01, 0x07, 0x3D, // AS_SEQUENCE 1853
				0x01, 0x01, 0x0E, 0x31, // AS_SET {3633}
			},
			path:   []byte{0x02, 0x01, 0x00, 0x00, 0x07, 0x3D, 0x01, 0x01, 0x00, 0x00, 0x0E, 0x31},
			length: 2, origin: 3633,
		},
		{
			name: "confederation segment counts none",
			attrs: []byte{
				0x40, 0x02, 0x0C, // AS_PATH, 12 octets of 4-octet ASNs
				0x03, 0x01, 0x00, 0x00, 0xFD, 0xE8, // AS_CONFED_SEQUENCE 65000
				0x02, 0x01, 0x00, 0x00, 0xFD, 0xE9, // AS_SEQUENCE 65001
			},
			as4:    true,
			path:   []byte{0x03, 0x01, 0x00, 0x00, 0xFD, 0xE8, 0x02, 0x01, 0x00, 0x00, 0xFD, 0xE9},
			length: 1, origin: 65001,
		},
		{
			name:  "no AS_PATH: the empty path",
			attrs: []byte{0x40, 0x01, 0x01, 0x00}, // ORIGIN IGP
			path:  []byte{},
		},
		{
			name: "malformed AS_PATH",
			attrs: []byte{
				0x40, 0x02, 0x04, // AS_PATH
				0x02, 0x02, 0xFD, 0xE9, // AS_SEQUENCE of 2 with one ASN
			},
			err: "overruns",
		},
		{
			name: "communities of a bad length",
			attrs: []byte{
				0xC0, 0x08, 0x03, 0x00, 0x01, 0x02, // COMMUNITIES, 3 octets
			},
			path: []byte{},
			err:  "length",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New(Options{})
			a, err := c.attrs(tc.attrs, tc.as4)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				if tc.path == nil {
					if a.pathOK {
						t.Errorf("path %x accepted", a.path)
					}
					return
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if !a.pathOK || !bytes.Equal(a.path, tc.path) || a.length != tc.length || a.hasOrigin != (tc.origin != 0) || a.origin != tc.origin && tc.origin != 0 {
				t.Errorf("path %x (ok %v), length %d, origin %d (%v); want %x, %d, %d", a.path, a.pathOK, a.length, a.origin, a.hasOrigin, tc.path, tc.length, tc.origin)
			}
		})
	}
}

func TestPrefixes(t *testing.T) {
	p := newPrefixes()
	p.add4(0x0A010203, 8, 65001, true)                               // 10.1.2.3/8: host bits cleared, 10.0.0.0/8
	p.add(netip.MustParsePrefix("10.0.0.0/8"), 65001, true)          // the same prefix, same origin
	p.add(netip.MustParsePrefix("10.0.0.0/8"), 0, false)             // no origin: nothing changes
	p.add(netip.MustParsePrefix("192.0.2.0/24"), 0, false)           // no origin yet …
	p.add(netip.MustParsePrefix("192.0.2.0/24"), 65003, true)        // … then one
	p.add(netip.MustParsePrefix("2001:db8::1/32"), 65002, true)      // IPv6, host bits cleared
	p.add(netip.MustParsePrefix("2001:db8::/32"), 65001, true)       // second origin: MOAS
	p.add(netip.MustParsePrefix("2001:db8::/32"), 64999, true)       // third
	p.add(netip.MustParsePrefix("2001:db8::/32"), 65001, true)       // known
	p.add(netip.MustParsePrefix("2001:db8:0:1::1/128"), 65005, true) // a host route
	if len(p.v4) != 2 || len(p.v6) != 2 {
		t.Fatalf("v4 %v, v6 %v", p.v4, p.v6)
	}
	want := map[netip.Prefix][]uint32{netip.MustParsePrefix("2001:db8::/32"): {64999, 65001, 65002}}
	if !reflect.DeepEqual(p.moas, want) {
		t.Errorf("moas %v", p.moas)
	}
	if v := p.v4[0x0A000000<<8|8]; v != hasOriginBit|65001 {
		t.Errorf("10.0.0.0/8 state %x", v)
	}
	if v := p.v4[0xC0000200<<8|24]; v != hasOriginBit|65003 {
		t.Errorf("192.0.2.0/24 state %x", v)
	}
	if k := (key6{0x20010DB800000001, 1, 128}); p.v6[k] != hasOriginBit|65005 {
		t.Errorf("host route %v", p.v6)
	}
}

func TestSeries(t *testing.T) {
	var s series
	s.add(10, 1, 0)
	s.add(12, 2, 1)
	s.add(7, 4, 0) // before the first bucket: prepended
	if s.base != 7 || !reflect.DeepEqual(s.ann, []uint32{4, 0, 0, 1, 0, 2}) || !reflect.DeepEqual(s.wd, []uint32{0, 0, 0, 0, 0, 1}) {
		t.Fatalf("series %+v", s)
	}
	s.widen(5) // buckets 7…12 at width w become 1…2 at 5w
	if s.base != 1 || !reflect.DeepEqual(s.ann, []uint32{4, 3}) || !reflect.DeepEqual(s.wd, []uint32{0, 1}) {
		t.Fatalf("widened %+v", s)
	}
	ann, wd := s.regroup(5, 10, 0, 2) // width 10 from bucket 0: [0,10) and [10,20)
	if !reflect.DeepEqual(ann, []uint64{4, 3}) || !reflect.DeepEqual(wd, []uint64{0, 1}) {
		t.Errorf("regrouped %v %v", ann, wd)
	}
	if satAdd(1<<32-2, 5) != 1<<32-1 {
		t.Error("satAdd wraps")
	}
}

// TestRateWidens: updates a day apart push the series from one-second
// buckets to wider ones, keeping every count.
func TestRateWidens(t *testing.T) {
	c := New(Options{})
	p := c.peer(netip.MustParseAddr("192.0.2.1"), 65001)
	c.rate.add(c, p, 1000, 1, 0)
	c.rate.add(c, p, 1500, 2, 0) // 500 one-second buckets: fits
	if c.rate.step != 0 {
		t.Fatalf("step %d", c.rate.step)
	}
	c.rate.add(c, p, 1000+86400, 0, 3)
	if w := ladder[c.rate.step]; w != 5*60 || len(p.series.ann) > maxFineBuckets {
		t.Fatalf("width %d, %d buckets", w, len(p.series.ann))
	}
	// 00:16:40 to 00:16:40 the next day spans 25 hours: two-hour buckets
	r := c.rateAt(c.rate.width(TableBuckets))
	if r.BucketSeconds != 7200 || len(r.Buckets) != 13 || r.Buckets[0].Announcements != 3 || r.Buckets[12].Withdrawals != 3 {
		t.Errorf("rate %+v", r)
	}
}

// TestUpdateRecord counts one hand-made UPDATE: IPv4 NLRI and withdrawn
// routes, an MP_REACH_NLRI for IPv6, and one of a non-IP family.
func TestUpdateRecord(t *testing.T) {
	msg := update(
		0x00, 0x03, // withdrawn routes length
		0x10, 0x0A, 0x63, // 10.99.0.0/16
		0x00, 0x35, // total path attribute length: 53
		0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
		0x40, 0x02, 0x0A, 0x02, 0x02, 0x00, 0x00, 0xFD, 0xE9, 0x00, 0x00, 0xFD, 0xEA, // AS_PATH 65001 65002
		0xC0, 0x08, 0x04, 0xFD, 0xE9, 0x00, 0x64, // COMMUNITIES 65001:100
		0x80, 0x0E, 0x1A, // MP_REACH_NLRI, 26 octets
		0x00, 0x02, 0x01, // IPv6 unicast
		0x10, 0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // next hop 2001:db8::1
		0x00,                         // reserved
		0x20, 0x20, 0x01, 0x0D, 0xB8, // 2001:db8::/32
		0x18, 0x0A, 0x01, 0x02, // NLRI 10.1.2.0/24
		0x18, 0x0A, 0x01, 0x03, // NLRI 10.1.3.0/24
	)
	other := update(
		0x00, 0x03, // withdrawn routes length
		0x10, 0x0A, 0x63, // 10.99.0.0/16
		0x00, 0x08, // attributes: 8 octets
		0x80, 0x0F, 0x05, // MP_UNREACH_NLRI, 5 octets
		0x00, 0x01, 0x85, // IPv4 flowspec (SAFI 133)
		0x01, 0x00, // a flowspec NLRI of 1 octet (not read)
	)
	in := append(record(1700000000, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4, bgp4mpAS4(65001), msg),
		record(1700000090, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4, bgp4mpAS4(65001), other)...)
	r := analyseBytes(t, "upd", in)
	if r.Damage.Count != 0 {
		t.Fatalf("damage %+v", r.Damage)
	}
	want := Routes{Announcements: 3, Withdrawals: 2, OtherFamily: 1}
	if r.Routes != want || r.IPv4.Prefixes != 2 || r.IPv6.Prefixes != 1 || r.IPv6.Lengths[0].Length != 32 {
		t.Errorf("routes %+v, prefixes %+v %+v", r.Routes, r.IPv4, r.IPv6)
	}
	if r.ASPaths.Unique != 1 || r.ASPaths.Lengths[0] != (PathCount{2, 3, 1}) {
		t.Errorf("paths %+v", r.ASPaths)
	}
	if !reflect.DeepEqual(r.Origins.Top, []OriginCount{{65002, 3}}) || r.Communities.Top[0] != (CommunityCount{"65001:100", 3}) {
		t.Errorf("origins %+v, communities %+v", r.Origins, r.Communities)
	}
	// 90 seconds: 5-second buckets in the table
	if r.Rate.BucketSeconds != 5 || len(r.Rate.Buckets) != 19 || r.Rate.Buckets[0].Announcements != 3 || r.Rate.Buckets[18].Withdrawals != 1 {
		t.Errorf("rate %+v", r.Rate)
	}
	if p := r.Peers[0]; p.Messages != 2 || p.Updates != 2 || p.Announcements != 3 || p.Withdrawals != 2 {
		t.Errorf("peer %+v", p)
	}
}
