package bgpdump

import (
	"bytes"
	"encoding/binary"
	"flag"
	"net/netip"
	"os"
	"os/exec"
	"testing"

	"github.com/ze-bgp/ze/mrt"
)

var update = flag.Bool("update", false, "rewrite testdata/synthetic.mrt and, with bgpdump installed, its golden output")

// Builders of the synthetic records: each returns wire octets.

func be16(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func ip(s string) []byte { return netip.MustParseAddr(s).AsSlice() }

// prefix encodes a prefix as NLRI: length in bits, significant octets.
func prefix(s string) []byte {
	p := netip.MustParsePrefix(s)
	b := p.Addr().AsSlice()
	return append([]byte{byte(p.Bits())}, b[:(p.Bits()+7)/8]...)
}

// pattr encodes a path attribute (extended length when needed).
func pattr(flags, code byte, v []byte) []byte {
	if len(v) > 255 {
		return join([]byte{flags | 0x10, code}, be16(uint16(len(v))), v)
	}
	return join([]byte{flags, code, byte(len(v))}, v)
}

// seg encodes an AS path segment.
func seg(typ byte, asn4 bool, asns ...uint32) []byte {
	b := []byte{typ, byte(len(asns))}
	for _, a := range asns {
		if asn4 {
			b = append(b, be32(a)...)
		} else {
			b = append(b, be16(uint16(a))...)
		}
	}
	return b
}

func origin(o byte) []byte         { return pattr(0x40, 1, []byte{o}) }
func aspath(segs ...[]byte) []byte { return pattr(0x40, 2, join(segs...)) }
func nexthop(s string) []byte      { return pattr(0x40, 3, ip(s)) }
func med(v uint32) []byte          { return pattr(0x80, 4, be32(v)) }
func localPref(v uint32) []byte    { return pattr(0x40, 5, be32(v)) }
func communities(cs ...uint32) []byte {
	var b []byte
	for _, c := range cs {
		b = append(b, be32(c)...)
	}
	return pattr(0xC0, 8, b)
}

// mrtRecord builds a record; the _ET types get microseconds.
func mrtRecord(ts uint32, typ mrt.Type, sub uint16, body []byte) []byte {
	n := len(body)
	if typ.HasMicroseconds() {
		n += 4
	}
	b := join(be32(ts), be16(uint16(typ)), be16(sub), be32(uint32(n)))
	if typ.HasMicroseconds() {
		b = append(b, be32(654321)...)
	}
	return append(b, body...)
}

// bgpMsg builds a BGP message with marker and header.
func bgpMsg(typ byte, body []byte) []byte {
	return join(bytes.Repeat([]byte{0xFF}, 16), be16(uint16(19+len(body))), []byte{typ}, body)
}

func updateMsg(withdrawn, attrs, nlri []byte) []byte {
	return bgpMsg(2, join(be16(uint16(len(withdrawn))), withdrawn, be16(uint16(len(attrs))), attrs, nlri))
}

// bgp4mp builds a BGP4MP(_ET) record: endpoints then msg (or states).
func bgp4mp(ts uint32, typ mrt.Type, sub uint16, peerAS, localAS uint32, peer, local string, rest []byte) []byte {
	as4 := sub == mrt.BGP4MPMessageAS4 || sub == mrt.BGP4MPStateChangeAS4 || sub == mrt.BGP4MPMessageAS4Local ||
		sub == mrt.BGP4MPMessageAS4AddPath || sub == mrt.BGP4MPMessageAS4LocalAddPath
	var b []byte
	if as4 {
		b = join(be32(peerAS), be32(localAS))
	} else {
		b = join(be16(uint16(peerAS)), be16(uint16(localAS)))
	}
	afi := uint16(1)
	if netip.MustParseAddr(peer).Is6() {
		afi = 2
	}
	b = join(b, be16(0), be16(afi), ip(peer), ip(local), rest)
	return mrtRecord(ts, typ, sub, b)
}

// synthetic returns records that exercise bgpdump's corner cases; the
// golden output in testdata/synthetic.m.txt (and .M.txt) is what
// bgpdump 1.6.2 prints for them.
func synthetic() []byte {
	var out []byte
	add := func(b []byte) { out = append(out, b...) }
	const ts = 1700000000

	// TABLE_DUMP_V2: peers of both families and AS widths.
	add(mrtRecord(ts, mrt.TypeTableDumpV2, mrt.PeerIndexTable, join(ip("10.0.0.1"), be16(4), []byte("test"), be16(4),
		[]byte{0}, ip("10.0.0.2"), ip("192.0.2.2"), be16(65002),
		[]byte{2}, ip("10.0.0.3"), ip("192.0.2.3"), be32(4200000003),
		[]byte{1}, ip("10.0.0.4"), ip("2001:db8:0:1:1:1:1:1"), be16(65004),
		[]byte{3}, ip("10.0.0.5"), ip("::192.0.2.5"), be32(65005))))
	entry := func(peer uint16, attrs []byte) []byte {
		return join(be16(peer), be32(ts-100), be16(uint16(len(attrs))), attrs)
	}
	// IPv4: AS_SET, confederations, atomic aggregate, aggregator, the
	// well-known communities, an MP next hop of 4 octets, no NEXT_HOP.
	add(mrtRecord(ts, mrt.TypeTableDumpV2, mrt.RIBIPv4Unicast, join(be32(0), prefix("10.1.0.0/16"), be16(4),
		entry(0, join(origin(0), aspath(seg(2, true, 65002, 65010), seg(1, true, 65020, 65021)), nexthop("192.0.2.2"),
			med(5), localPref(200), pattr(0x40, 6, nil), pattr(0xC0, 7, join(be32(65010), ip("192.0.2.10"))),
			communities(0xFFFFFF01, 0xFFFFFF02, 0xFFFFFF03, 65002<<16|7))),
		entry(1, join(origin(1), aspath(seg(3, true, 64512, 64513), seg(4, true, 64514), seg(2, true, 4200000003, 65030)),
			nexthop("192.0.2.3"))),
		entry(2, join(origin(2), aspath(seg(2, true, 65004)), pattr(0x80, 14, join([]byte{4}, ip("192.0.2.4"))))),
		entry(3, join(aspath(), pattr(0xC0, 99, []byte{1, 2, 3})))))) // no ORIGIN, empty path, unknown attribute
	// IPv6: next hops of 32 octets (global + link-local), IPv4-mapped,
	// IPv4-compatible; prefixes of odd lengths.
	v6nh := func(nh ...string) []byte {
		var b []byte
		for _, s := range nh {
			b = append(b, ip(s)...)
		}
		return pattr(0x80, 14, join([]byte{byte(len(b))}, b))
	}
	add(mrtRecord(ts, mrt.TypeTableDumpV2, mrt.RIBIPv6Unicast, join(be32(1), prefix("2001:db8:8000::/33"), be16(3),
		entry(2, join(origin(0), aspath(seg(2, true, 65004, 65040)), v6nh("2001:db8::4", "fe80::4"))),
		entry(3, join(origin(0), aspath(seg(2, true, 65005)), v6nh("::ffff:192.0.2.5"))),
		entry(0, join(origin(0), aspath(seg(2, true, 65002)), v6nh("::192.0.2.2"), med(0x80000001))))))
	add(mrtRecord(ts, mrt.TypeTableDumpV2, mrt.RIBIPv6Unicast, join(be32(2), prefix("2001:0:0:1::/64"), be16(1),
		entry(2, join(origin(0), aspath(seg(2, true, 65004)), v6nh("2001:db8:1:0:1:0:0:1"))))))
	// ADD-PATH RIB, a long AS path (bgpdump cuts its text at 7900
	// characters) and many communities (cut at 8191).
	var long []uint32
	for i := range 760 {
		long = append(long, 4000000000+uint32(i))
	}
	var many []uint32
	for i := range 900 {
		many = append(many, 65000<<16|uint32(60000+i))
	}
	add(mrtRecord(ts, mrt.TypeTableDumpV2, mrt.RIBIPv4UnicastAddPath, join(be32(3), prefix("10.2.0.0/24"), be16(2),
		join(be16(0), be32(ts-50), be32(17), be16(uint16(len(join(origin(0), aspath(seg(2, true, long[:255]...),
			seg(2, true, long[255:510]...), seg(2, true, long[510:]...)), nexthop("192.0.2.2"))))),
			join(origin(0), aspath(seg(2, true, long[:255]...), seg(2, true, long[255:510]...), seg(2, true, long[510:]...)), nexthop("192.0.2.2"))),
		join(be16(1), be32(ts-50), be32(18), be16(uint16(len(join(origin(0), aspath(seg(2, true, 65003)), nexthop("192.0.2.3"), communities(many...))))),
			join(origin(0), aspath(seg(2, true, 65003)), nexthop("192.0.2.3"), communities(many...))))))

	// BGP4MP (2-octet ASNs): AS4_PATH and AS4_AGGREGATOR.
	as2 := func(attrs []byte, nlri ...string) []byte {
		var n []byte
		for _, p := range nlri {
			n = append(n, prefix(p)...)
		}
		return bgp4mp(ts+1, mrt.TypeBGP4MP, mrt.BGP4MPMessage, 65001, 65000, "192.0.2.1", "192.0.2.254", updateMsg(nil, attrs, n))
	}
	as4path := func(segs ...[]byte) []byte { return pattr(0xC0, 17, join(segs...)) }
	// AGGREGATOR AS_TRANS: AS4_AGGREGATOR replaces it; AS4_PATH merged.
	add(as2(join(origin(0), aspath(seg(2, false, 65001, 23456, 23456)), nexthop("192.0.2.1"),
		pattr(0xC0, 7, join(be16(23456), ip("192.0.2.9"))), as4path(seg(2, true, 4200000001, 4200000002)),
		pattr(0xC0, 18, join(be32(4200000009), ip("192.0.2.9")))), "10.10.0.0/16"))
	// AGGREGATOR of another ASN: AS4_PATH is ignored.
	add(as2(join(origin(0), aspath(seg(2, false, 65001, 23456)), nexthop("192.0.2.1"),
		pattr(0xC0, 7, join(be16(65009), ip("192.0.2.9"))), as4path(seg(2, true, 4200000001)),
		pattr(0xC0, 18, join(be32(4200000009), ip("192.0.2.9")))), "10.11.0.0/16"))
	// The first segment is shorter than the ASNs to keep: bgpdump copies
	// it again and again.
	add(as2(join(origin(0), aspath(seg(2, false, 65001), seg(2, false, 65002, 65003), seg(1, false, 65004, 65005)),
		nexthop("192.0.2.1"), as4path(seg(1, true, 4200000004))), "10.12.0.0/16"))
	// AS4_PATH longer than AS_PATH: ignored. Host bits set (cleared).
	add(as2(join(origin(0), aspath(seg(2, false, 65001)), nexthop("192.0.2.1"),
		as4path(seg(2, true, 4200000001, 4200000002))), "10.13.255.0/16", "10.14.1.1/32"))

	// BGP4MP_ET MESSAGE_AS4_ADDPATH: withdrawals and announcements in the
	// fields and in MP_(UN)REACH_NLRI, with path identifiers; IPv4 MP
	// routes print LOCAL_PREF and MED signed.
	pid := func(id uint32, p string) []byte { return join(be32(id), prefix(p)) }
	mpReach := func(afi uint16, safi byte, nh []byte, nlri []byte) []byte {
		return pattr(0x80, 14, join(be16(afi), []byte{safi, byte(len(nh))}, nh, []byte{0}, nlri))
	}
	mpUnreach := func(afi uint16, safi byte, nlri []byte) []byte {
		return pattr(0x80, 15, join(be16(afi), []byte{safi}, nlri))
	}
	add(bgp4mp(ts+2, mrt.TypeBGP4MPET, mrt.BGP4MPMessageAS4AddPath, 4200000001, 65000, "192.0.2.1", "192.0.2.254",
		updateMsg(pid(1, "10.20.0.0/16"), join(origin(0), aspath(seg(2, true, 4200000001, 65100)), nexthop("192.0.2.1"),
			localPref(0xFFFFFFF0), med(0x90000000),
			mpReach(2, 1, join(ip("2001:db8::1"), ip("fe80::1")), join(pid(5, "2001:db8:20::/48"), pid(6, "2001:db8:21::/48"))),
			mpUnreach(2, 1, pid(7, "2001:db8:22::/48")),
			mpReach(1, 2, ip("192.0.2.1"), pid(8, "10.21.0.0/16"))), pid(2, "10.22.0.0/24"))))
	// MESSAGE_LOCAL on an IPv4 session with IPv6 routes (bgpdump writes
	// the IPv4 peer as IPv6 in the withdrawals), then an MP next hop of
	// 12 octets (bgpdump leaves the next hop, LOCAL_PREF and MED out).
	add(bgp4mp(ts+3, mrt.TypeBGP4MP, mrt.BGP4MPMessageLocal, 65001, 65000, "192.0.2.1", "192.0.2.254",
		updateMsg(nil, join(origin(0), aspath(seg(2, false, 65000)), mpUnreach(2, 1, prefix("2001:db8:30::/48")),
			mpReach(2, 1, ip("2001:db8::254"), prefix("2001:db8:31::/48"))), prefix("10.30.0.0/16"))))
	add(bgp4mp(ts+3, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4, 65001, 65000, "192.0.2.1", "192.0.2.254",
		updateMsg(nil, join(origin(0), aspath(seg(2, true, 65001)), mpReach(1, 1, make([]byte, 12), prefix("10.31.0.0/16")),
			mpReach(2, 1, make([]byte, 12), prefix("2001:db8:32::/48"))), nil)))
	// MESSAGE_AS4_LOCAL_ADDPATH (bgpdump prints the local end) and
	// BGP4MP_ET MESSAGE_AS4_LOCAL.
	add(bgp4mp(ts+4, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4LocalAddPath, 65001, 65000, "2001:db8::1", "2001:db8::fe",
		updateMsg(nil, join(origin(0), aspath(seg(2, true, 65000)),
			mpReach(2, 1, ip("2001:db8::fe"), pid(9, "2001:db8:40::/48"))), nil)))
	add(bgp4mp(ts+4, mrt.TypeBGP4MPET, mrt.BGP4MPMessageAS4Local, 65001, 65000, "192.0.2.1", "192.0.2.254",
		updateMsg(prefix("10.40.0.0/16"), nil, nil)))
	// Messages that print nothing.
	add(bgp4mp(ts+5, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4, 65001, 65000, "192.0.2.1", "192.0.2.254", bgpMsg(4, nil)))
	add(bgp4mp(ts+5, mrt.TypeBGP4MP, mrt.BGP4MPMessageAS4, 65001, 65000, "192.0.2.1", "192.0.2.254",
		bgpMsg(3, []byte{6, 2})))
	// State changes: IPv6, AS4, Zebra's 8 octets, and one of a length
	// bgpdump refuses (no line).
	add(bgp4mp(ts+6, mrt.TypeBGP4MP, mrt.BGP4MPStateChange, 65001, 65000, "2001:db8::1", "2001:db8::fe", join(be16(1), be16(2))))
	add(bgp4mp(ts+6, mrt.TypeBGP4MPET, mrt.BGP4MPStateChangeAS4, 4200000001, 65000, "192.0.2.1", "192.0.2.254", join(be16(6), be16(1))))
	add(mrtRecord(ts+6, mrt.TypeBGP4MP, mrt.BGP4MPStateChange, join(be16(65001), be16(65000), be16(3), be16(4))))
	add(bgp4mp(ts+6, mrt.TypeBGP4MP, mrt.BGP4MPStateChange, 65001, 65000, "192.0.2.1", "192.0.2.254", join(be16(1), be16(2), be16(0))))

	// The legacy BGP type: an UPDATE with communities (bgpdump writes
	// them right after the MED), one without, a state change, a
	// keepalive.
	legacy := func(sub uint16, rest []byte) []byte {
		return mrtRecord(ts+7, mrt.TypeBGP, sub, join(be16(3333), ip("193.0.0.56"), be16(12654), ip("193.0.4.28"), rest))
	}
	upd := func(withdrawn, attrs, nlri []byte) []byte {
		return join(be16(uint16(len(withdrawn))), withdrawn, be16(uint16(len(attrs))), attrs, nlri)
	}
	add(legacy(mrt.BGPUpdate, upd(prefix("10.50.0.0/16"), join(origin(0), aspath(seg(2, false, 3333, 1103)), nexthop("193.0.0.56"),
		communities(3333<<16|1, 0xFFFFFF01)), join(prefix("10.51.0.0/16"), prefix("10.52.0.0/16")))))
	add(legacy(mrt.BGPUpdate, upd(nil, join(origin(1), aspath(seg(2, false, 3333)), nexthop("193.0.0.56"), pattr(0x40, 6, nil)),
		prefix("10.53.0.0/16"))))
	add(mrtRecord(ts+7, mrt.TypeBGP, mrt.BGPStateChange, join(be16(3333), ip("193.0.0.56"), be16(6), be16(1))))
	add(legacy(mrt.BGPKeepalive, nil))

	// TABLE_DUMP: IPv4 with AS4_PATH, IPv6 with an MP next hop.
	add(mrtRecord(ts+8, mrt.TypeTableDump, 1, join(be16(0), be16(1), ip("10.60.0.0"), []byte{16, 1}, be32(ts-10),
		ip("192.0.2.1"), be16(65001), func() []byte {
			a := join(origin(0), aspath(seg(2, false, 65001, 23456)), nexthop("192.0.2.1"), as4path(seg(2, true, 4200000060)))
			return join(be16(uint16(len(a))), a)
		}())))
	add(mrtRecord(ts+8, mrt.TypeTableDump, 2, join(be16(0), be16(2), ip("2001:db8:60::"), []byte{48, 1}, be32(ts-10),
		ip("2001:db8::1"), be16(65001), func() []byte {
			a := join(origin(0), aspath(seg(2, false, 65001)), mpReach(2, 1, ip("2001:db8::1"), nil))
			return join(be16(uint16(len(a))), a)
		}())))
	return out
}

// TestSynthetic compares the output for synthetic records with bgpdump
// 1.6.2's (testdata/synthetic.*.txt, written by -update with bgpdump
// installed). The records are in testdata/synthetic.mrt for the interop
// test, which runs the installed bgpdump on them.
func TestSynthetic(t *testing.T) {
	checkRecords(t, "synthetic", synthetic(), "Synthetic")
	goldenModes(t, "synthetic", Options{})
}

// checkRecords requires testdata/NAME.mrt to hold data. With -update it
// writes it first, and, with bgpdump installed, bgpdump's -m and -M
// output for it (with flags) as testdata/NAME.m.txt and NAME.M.txt; run
// names the test for the message.
func checkRecords(t *testing.T, name string, data []byte, run string, flags ...string) {
	t.Helper()
	file := "testdata/" + name + ".mrt"
	if *update {
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := exec.LookPath("bgpdump"); err == nil {
			for _, mode := range []string{"m", "M"} {
				args := append(append([]string{"-q", "-" + mode}, flags...), file)
				out, err := exec.Command("bgpdump", args...).Output()
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile("testdata/"+name+"."+mode+".txt", out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if onDisk, err := os.ReadFile(file); err != nil || !bytes.Equal(onDisk, data) {
		t.Fatalf("%s is not what the test builds: run go test -run %s -update (%v)", file, run, err)
	}
}

// goldenModes dumps testdata/NAME.mrt with o, as -m and as -M, and
// compares the output with bgpdump 1.6.2's, testdata/NAME.m.txt and
// NAME.M.txt.
func goldenModes(t *testing.T, name string, o Options) {
	for _, tc := range []struct {
		mode    string
		compact bool
	}{{"m", false}, {"M", true}} {
		t.Run(tc.mode, func(t *testing.T) {
			want, err := os.ReadFile("testdata/" + name + "." + tc.mode + ".txt")
			if err != nil {
				t.Fatal(err)
			}
			o.Compact = tc.compact
			got, _ := dumpFile(t, "testdata/"+name+".mrt", o)
			compareLines(t, got, want)
		})
	}
}

func compareLines(t *testing.T, got, want []byte) {
	t.Helper()
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(gl) && i < len(wl); i++ {
		if !bytes.Equal(gl[i], wl[i]) {
			g, w := gl[i], wl[i]
			if len(g) > 300 {
				g = g[len(g)-300:]
			}
			if len(w) > 300 {
				w = w[len(w)-300:]
			}
			t.Fatalf("line %d:\n got …%s\nwant …%s", i+1, g, w)
		}
	}
	if len(gl) != len(wl) {
		t.Fatalf("got %d lines, want %d", len(gl), len(wl))
	}
}
