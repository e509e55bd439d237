package bgpdump

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/mrt"
)

// largeCommunities encodes a LARGE_COMMUNITY attribute (RFC 8092 §3):
// per value, global administrator and two local data parts.
func largeCommunities(vs ...[3]uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = join(b, be32(v[0]), be32(v[1]), be32(v[2]))
	}
	return pattr(0xC0, 32, b)
}

// optionRecords returns the records of testdata/options.mrt, which
// exercise bgpdump's -t change, -p, -l and -u: RIB entries, UPDATEs and
// a TABLE_DUMP route with large communities and attributes bgpdump does
// not decode; records bgpdump does not count for -p (a
// PEER_INDEX_TABLE, a multicast RIB, an OSPF record) between records it
// counts but prints nothing for (a KEEPALIVE); the legacy BGP type,
// whose lines have no -l and -u columns.
func optionRecords() []byte {
	const ts = 1700000000
	var out []byte
	add := func(b []byte) { out = append(out, b...) }
	// record 0, not counted: PEER_INDEX_TABLE
	add(mrtRecord(ts, mrt.TypeTableDumpV2, mrt.PeerIndexTable, join(ip("10.0.0.1"), be16(0), be16(2),
		[]byte{0}, ip("10.0.0.2"), ip("192.0.2.2"), be16(65002), // IPv4 peer, 2-octet AS
		[]byte{3}, ip("10.0.0.3"), ip("2001:db8::3"), be32(4200000003)))) // IPv6 peer, 4-octet AS
	entry := func(peer uint16, originated uint32, attrs []byte) []byte {
		return join(be16(peer), be32(originated), be16(uint16(len(attrs))), attrs)
	}
	// index 0: two entries, originated 100 and 200 seconds before the dump
	add(mrtRecord(ts, mrt.TypeTableDumpV2, mrt.RIBIPv4Unicast, join(be32(0), prefix("10.1.0.0/16"), be16(2),
		entry(0, ts-100, join(origin(0), aspath(seg(2, true, 65002, 65010)), nexthop("192.0.2.2"),
			communities(65002<<16|7),
			largeCommunities([3]uint32{65002, 1, 2}, [3]uint32{4200000000, 4294967295, 0}),
			pattr(0xC0, 99, []byte{1, 2, 3}),               // unknown to bgpdump: 63:c0:010203
			join([]byte{0xD0, 200}, be16(1), []byte{0xAB}), // extended length: c8:d0:ab
		)),
		entry(1, ts-200, join(origin(2), aspath(seg(2, true, 4200000003)), nexthop("192.0.2.3"),
			pattr(0xC0, 35, be32(65010)),    // OTC (RFC 9234), unknown to bgpdump 1.6.2
			pattr(0x80, 9, ip("192.0.2.9")), // ORIGINATOR_ID: decoded, not listed
		)))))
	// not counted: RIB_IPV4_MULTICAST, which bgpdump does not read
	add(mrtRecord(ts, mrt.TypeTableDumpV2, mrt.RIBIPv4Multicast, join(be32(1), prefix("224.0.0.0/4"), be16(0))))
	// index 1: ADD-PATH, IPv6; a LARGE_COMMUNITY with 8 octets after its
	// value (ignored) and an attribute of no value (80:40:)
	add(mrtRecord(ts, mrt.TypeTableDumpV2, mrt.RIBIPv6UnicastAddPath, join(be32(2), prefix("2001:db8::/32"), be16(1),
		join(be16(1), be32(ts-300), be32(7), func() []byte {
			a := join(origin(0), aspath(seg(2, true, 4200000003)), pattr(0x80, 14, join([]byte{16}, ip("2001:db8::3"))),
				pattr(0xC0, 32, join(be32(1), be32(2), be32(3), be32(4), be32(5))), pattr(0x40, 128, nil))
			return join(be16(uint16(len(a))), a)
		}()))))
	// index 2: an UPDATE: one withdrawal, two announcements (one index)
	add(bgp4mp(ts+1, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4, 65001, 65000, "192.0.2.1", "192.0.2.254",
		updateMsg(prefix("10.3.0.0/16"), join(origin(0), aspath(seg(2, true, 65001, 65100)), nexthop("192.0.2.1"),
			communities(0xFFFFFF01), largeCommunities([3]uint32{65001, 0, 1}),
			pattr(0xC0, 40, []byte{0, 1}), pattr(0xC0, 16, join(be16(2), be16(65001), be32(1)))), // Prefix-SID, extended communities
			join(prefix("10.4.0.0/16"), prefix("10.5.0.0/16")))))
	// index 3: a KEEPALIVE, no line; then not counted: an OSPFv2 record
	add(bgp4mp(ts+2, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4, 65001, 65000, "192.0.2.1", "192.0.2.254", bgpMsg(4, nil)))
	add(mrtRecord(ts+2, mrt.TypeOSPFv2, 0, make([]byte, 12)))
	// index 4: a state change
	add(bgp4mp(ts+3, mrt.TypeBGP4MPET, mrt.BGP4MPStateChangeAS4, 65001, 65000, "192.0.2.1", "192.0.2.254", join(be16(3), be16(6))))
	// index 5: the legacy BGP type: no -l and -u columns
	add(mrtRecord(ts+4, mrt.TypeBGP, mrt.BGPUpdate, join(be16(3333), ip("193.0.0.56"), be16(12654), ip("193.0.4.28"),
		be16(0), func() []byte {
			a := join(origin(0), aspath(seg(2, false, 3333)), nexthop("193.0.0.56"), pattr(0xC0, 99, []byte{9}))
			return join(be16(uint16(len(a))), a)
		}(), prefix("10.6.0.0/16"))))
	// index 6: TABLE_DUMP, originated 1000 seconds before the dump
	add(mrtRecord(ts+5, mrt.TypeTableDump, 1, join(be16(0), be16(1), ip("10.7.0.0"), []byte{16, 1}, be32(ts-1000),
		ip("192.0.2.1"), be16(65001), func() []byte {
			a := join(origin(0), aspath(seg(2, false, 65001)), nexthop("192.0.2.1"),
				largeCommunities([3]uint32{65001, 7, 7}), pattr(0xC0, 99, nil))
			return join(be16(uint16(len(a))), a)
		}())))
	return out
}

// TestOptions checks each option's lines on testdata/options.mrt.
func TestOptions(t *testing.T) {
	checkOptionRecords(t)
	for _, tc := range []struct {
		name string
		o    Options
		want []string // lines, in order (others may come between)
	}{
		{"none", Options{}, []string{
			"TABLE_DUMP2|1700000000|B|192.0.2.2|65002|10.1.0.0/16|65002 65010|IGP|192.0.2.2|0|0|65002:7|NAG||",
			"BGP4MP|1700000001|A|192.0.2.1|65001|10.4.0.0/16|65001 65100|IGP|192.0.2.1|0|0|no-export|NAG||",
		}},
		// -p: the record's index, from 0, in every line of the record;
		// the PEER_INDEX_TABLE, the multicast RIB and the OSPF record
		// are not counted, the KEEPALIVE is.
		{"p", Options{PacketIndex: true}, []string{
			"TABLE_DUMP2|0|1700000000|B|192.0.2.2|65002|10.1.0.0/16|",
			"TABLE_DUMP2|0|1700000000|B|2001:db8::3|4200000003|10.1.0.0/16|",
			"TABLE_DUMP2_AP|1|1700000000|B|2001:db8::3|4200000003|2001:db8::/32|7|",
			"BGP4MP|2|1700000001|W|192.0.2.1|65001|10.3.0.0/16",
			"BGP4MP|2|1700000001|A|192.0.2.1|65001|10.4.0.0/16|",
			"BGP4MP|2|1700000001|A|192.0.2.1|65001|10.5.0.0/16|",
			"BGP4MP_ET|4|1700000003.654321|STATE|192.0.2.1|65001|3|6",
			"BGP|5|1700000004|A|193.0.0.56|3333|10.6.0.0/16|",
			"TABLE_DUMP|6|1700000005|B|192.0.2.1|65001|10.7.0.0/16|",
		}},
		{"p compact", Options{PacketIndex: true, Compact: true}, []string{
			"TABLE_DUMP2|0|11/14/23 22:13:20|B|192.0.2.2|65002|10.1.0.0/16|65002 65010|IGP",
			"BGP4MP_ET|4|11/14/23 22:13:23.654321|STATE|192.0.2.1|65001|3|6",
		}},
		// -l: a column after the communities, empty without
		// LARGE_COMMUNITY; not on legacy BGP lines, not with -M.
		{"l", Options{LargeCommunities: true}, []string{
			"TABLE_DUMP2|1700000000|B|192.0.2.2|65002|10.1.0.0/16|65002 65010|IGP|192.0.2.2|0|0|65002:7|65002:1:2 4200000000:4294967295:0|NAG||",
			"TABLE_DUMP2|1700000000|B|2001:db8::3|4200000003|10.1.0.0/16|4200000003|INCOMPLETE|192.0.2.3|0|0|||NAG||",
			"TABLE_DUMP2_AP|1700000000|B|2001:db8::3|4200000003|2001:db8::/32|7|4200000003|IGP|2001:db8::3|0|0||1:2:3|NAG||",
			"BGP4MP|1700000001|A|192.0.2.1|65001|10.5.0.0/16|65001 65100|IGP|192.0.2.1|0|0|no-export|65001:0:1|NAG||",
			"BGP|1700000004|A|193.0.0.56|3333|10.6.0.0/16|3333|IGP|193.0.0.56|0|0|NAG||",
			"TABLE_DUMP|1700000005|B|192.0.2.1|65001|10.7.0.0/16|65001|IGP|192.0.2.1|0|0||65001:7:7|NAG||",
		}},
		{"l compact", Options{LargeCommunities: true, Compact: true}, []string{
			"TABLE_DUMP2|11/14/23 22:13:20|B|192.0.2.2|65002|10.1.0.0/16|65002 65010|IGP",
		}},
		// -u: a column after the aggregator: type, flags, value in hex.
		{"u", Options{Unassigned: true}, []string{
			"TABLE_DUMP2|1700000000|B|192.0.2.2|65002|10.1.0.0/16|65002 65010|IGP|192.0.2.2|0|0|65002:7|NAG||63:c0:010203 c8:d0:ab|",
			"TABLE_DUMP2|1700000000|B|2001:db8::3|4200000003|10.1.0.0/16|4200000003|INCOMPLETE|192.0.2.3|0|0||NAG||23:c0:0000fdf2|",
			"TABLE_DUMP2_AP|1700000000|B|2001:db8::3|4200000003|2001:db8::/32|7|4200000003|IGP|2001:db8::3|0|0||NAG||80:40:|",
			"BGP4MP|1700000001|A|192.0.2.1|65001|10.4.0.0/16|65001 65100|IGP|192.0.2.1|0|0|no-export|NAG||28:c0:0001 10:c0:0002fde900000001|",
			"BGP|1700000004|A|193.0.0.56|3333|10.6.0.0/16|3333|IGP|193.0.0.56|0|0|NAG||",
			"TABLE_DUMP|1700000005|B|192.0.2.1|65001|10.7.0.0/16|65001|IGP|192.0.2.1|0|0||NAG||63:c0:|",
		}},
		{"u compact", Options{Unassigned: true, Compact: true}, []string{
			"BGP4MP|11/14/23 22:13:21|A|192.0.2.1|65001|10.4.0.0/16|65001 65100|IGP",
		}},
		// -t change: RIB lines show the originated time; BGP4MP lines
		// keep theirs.
		{"t change", Options{ChangeTime: true}, []string{
			"TABLE_DUMP2|1699999900|B|192.0.2.2|65002|10.1.0.0/16|",
			"TABLE_DUMP2|1699999800|B|2001:db8::3|4200000003|10.1.0.0/16|",
			"TABLE_DUMP2_AP|1699999700|B|2001:db8::3|4200000003|2001:db8::/32|7|",
			"BGP4MP|1700000001|A|192.0.2.1|65001|10.4.0.0/16|",
			"TABLE_DUMP|1699999000|B|192.0.2.1|65001|10.7.0.0/16|",
		}},
		{"t change compact", Options{ChangeTime: true, Compact: true}, []string{
			"TABLE_DUMP2|11/14/23 22:11:40|B|192.0.2.2|65002|10.1.0.0/16|",
			"TABLE_DUMP|11/14/23 21:56:40|B|192.0.2.1|65001|10.7.0.0/16|",
		}},
		{"all", Options{ChangeTime: true, PacketIndex: true, LargeCommunities: true, Unassigned: true}, []string{
			"TABLE_DUMP2|0|1699999900|B|192.0.2.2|65002|10.1.0.0/16|65002 65010|IGP|192.0.2.2|0|0|65002:7|65002:1:2 4200000000:4294967295:0|NAG||63:c0:010203 c8:d0:ab|",
			"BGP4MP|2|1700000001|W|192.0.2.1|65001|10.3.0.0/16",
			"TABLE_DUMP|6|1699999000|B|192.0.2.1|65001|10.7.0.0/16|65001|IGP|192.0.2.1|0|0||65001:7:7|NAG||63:c0:|",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, damage := dumpFile(t, "testdata/options.mrt", tc.o)
			if damage != 0 {
				t.Errorf("%d damaged records", damage)
			}
			lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
			if len(lines) != 9 {
				t.Errorf("%d lines, want 9:\n%s", len(lines), out)
			}
			i := 0
			for _, w := range tc.want {
				for i < len(lines) && !strings.HasPrefix(lines[i], w) {
					i++
				}
				if i == len(lines) {
					t.Fatalf("no line (in order) starts with\n%s\nin\n%s", w, out)
				}
			}
		})
	}
}

// checkOptionRecords requires testdata/options.mrt to be optionRecords()
// (written, with bgpdump's output, by go test -run Options -update).
func checkOptionRecords(t *testing.T) {
	t.Helper()
	checkRecords(t, "options", optionRecords(), "Options", "-p", "-l", "-u")
}

// TestOptionsGolden compares -p -l -u output (with -m and -M) with
// bgpdump 1.6.2's (testdata/options.*.txt).
func TestOptionsGolden(t *testing.T) {
	checkOptionRecords(t)
	goldenModes(t, "options", Options{PacketIndex: true, LargeCommunities: true, Unassigned: true})
}

// TestPacketIndexRefused: a record bgpdump refuses as a whole (here a
// BGP4MP message with a bad marker, one of an unknown address family and
// a state change of a length it does not know) prints nothing and is not
// counted; one it reads in part (an UPDATE cut inside its attributes) is.
func TestPacketIndexRefused(t *testing.T) {
	const ts = 1700000000
	update := updateMsg(nil, join(origin(0), aspath(seg(2, true, 65001)), nexthop("192.0.2.1")), prefix("10.9.0.0/16"))
	badMarker := append([]byte{0xFE}, update[1:]...)
	records := [][]byte{
		bgp4mp(ts, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4, 65001, 65000, "192.0.2.1", "192.0.2.254", update), // 0
		bgp4mp(ts, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4, 65001, 65000, "192.0.2.1", "192.0.2.254", badMarker),
		mrtRecord(ts, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4, join(be32(65001), be32(65000), be16(0), be16(3), update)),
		bgp4mp(ts, mrt.TypeBGP4MP, mrt.BGP4MPStateChangeAS4, 65001, 65000, "192.0.2.1", "192.0.2.254", join(be16(1), be16(2), be16(3))),
		bgp4mp(ts, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4, 65001, 65000, "192.0.2.1", "192.0.2.254", update[:30]), // 1
		bgp4mp(ts, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4, 65001, 65000, "192.0.2.1", "192.0.2.254", update),      // 2
	}
	r, err := mrt.NewReader(bytes.NewReader(join(records...)))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d := New(Options{PacketIndex: true})
	var out []byte
	damaged := 0
	for r.Next() {
		if out, err = d.AppendRecord(out, r.Record()); err != nil {
			damaged++
		}
	}
	want := "BGP4MP|0|1700000000|A|192.0.2.1|65001|10.9.0.0/16|65001|IGP|192.0.2.1|0|0||NAG||\n" +
		"BGP4MP|2|1700000000|A|192.0.2.1|65001|10.9.0.0/16|65001|IGP|192.0.2.1|0|0||NAG||\n"
	if string(out) != want || damaged != 4 {
		t.Errorf("%d damaged, got\n%swant\n%s", damaged, out, want)
	}
}

// TestOptionsAllocs: with every option, AppendRecord does not allocate
// once its buffers have grown (a PEER_INDEX_TABLE, read once per RIB
// dump, does).
func TestOptionsAllocs(t *testing.T) {
	var recs []*mrt.Record
	r, err := mrt.NewReader(bytes.NewReader(optionRecords()))
	if err != nil {
		t.Fatal(err)
	}
	d := New(Options{ChangeTime: true, PacketIndex: true, LargeCommunities: true, Unassigned: true})
	out := make([]byte, 0, 64<<10)
	for r.Next() {
		rec := *r.Record()
		if rec.Type == mrt.TypeTableDumpV2 && rec.Subtype == mrt.PeerIndexTable {
			d.AppendRecord(out, &rec)
			continue
		}
		rec.Body = bytes.Clone(rec.Body)
		recs = append(recs, &rec)
	}
	r.Close()
	run := func() {
		for _, rec := range recs {
			out, _ = d.AppendRecord(out[:0], rec)
		}
	}
	run()
	if n := testing.AllocsPerRun(20, run); n != 0 {
		t.Errorf("%v allocations per run of %d records", n, len(recs))
	}
}
