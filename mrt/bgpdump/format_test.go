package bgpdump

import (
	"bytes"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/mrt/filter"
)

// TestIPv6 checks bgpdump's IPv6 text: its own test cases (bgpdump -T)
// and where it differs from RFC 5952.
func TestIPv6(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"fe80::", "fe80::"},
		{"2001:db8::1", "2001:db8::1"},
		{"::ffff:192.168.2.1", "::ffff:192.168.2.1"},
		{"::192.168.1.2", "::192.168.1.2"},
		{"2001:7f8:30::2:1:0:8447", "2001:7f8:30::2:1:0:8447"},
		{"::", "::"},
		{"::1", "::1"},
		{"2001:db8:0:1:1:1:1:1", "2001:db8::1:1:1:1:1"}, // one zero group shortened
		{"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},         // the longest run
		{"2001:0:0:1:0:0:1:1", "2001::1:0:0:1:1"},       // the first of equal runs
		{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
		{"abcd:ef01:2345:6789:a:b:c:d", "abcd:ef01:2345:6789:a:b:c:d"},
	} {
		a := netip.MustParseAddr(tc.in).As16()
		if got := string(appendIPv6(nil, a[:])); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestTimes(t *testing.T) {
	if got := string(appendHuman(nil, 1027381055)); got != "07/22/02 23:37:35" {
		t.Errorf("human %s", got)
	}
	for us, want := range map[uint32]string{0: ".000000", 5: ".000005", 654321: ".654321", 1234567: ".1234567"} {
		if got := string(appendMicro(nil, us)); got != want {
			t.Errorf("micro %d: %s", us, got)
		}
	}
}

func TestPathText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		v     []byte
		asn   int
		want  string
		count int
	}{
		{"sequence", []byte{2, 2, 0xFD, 0xE9, 0xFD, 0xEA}, 2, "65001 65002", 2},
		{"set after sequence", []byte{2, 1, 0, 1, 1, 2, 0, 2, 0, 3}, 2, "1 {2,3}", 2},
		{"sequence after set", []byte{1, 2, 0, 2, 0, 3, 2, 1, 0, 1}, 2, "{2,3} 1", 2},
		{"confederations", []byte{3, 2, 0, 1, 0, 2, 4, 1, 0, 3, 2, 1, 0, 4}, 2, "(1 2) [3] 4", 4},
		{"4-octet", []byte{2, 1, 0xFA, 0x56, 0xEA, 0x01}, 4, "4200000001", 1},
		{"empty sequence", []byte{2, 0, 2, 1, 0, 5}, 2, "5", 1},
		{"empty", nil, 2, "", 0},
		{"bad type", []byte{5, 1, 0, 1}, 2, "! Error !", 0},
		{"overrun", []byte{2, 3, 0, 1}, 2, "! Error !", 0},
		{"lone octet", []byte{2, 1, 0, 1, 2}, 2, "! Error !", 0},
	} {
		got, n := pathText(nil, tc.v, tc.asn)
		if string(got) != tc.want || n != tc.count {
			t.Errorf("%s: %q (%d), want %q (%d)", tc.name, got, n, tc.want, tc.count)
		}
	}
}

func TestCommunityText(t *testing.T) {
	v := []byte{0xFF, 0xFF, 0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0x04, 0xFD, 0xE8, 0x00, 0x01}
	if got := string(appendCommunities(nil, v)); got != " no-export 65535:65284 65000:1" {
		t.Errorf("%q", got)
	}
	var many []byte
	for range 1000 {
		many = append(many, 0xFD, 0xE8, 0xEA, 0x60) // 65000:60000
	}
	if got := appendCommunities(nil, many); len(got) != maxCommText || !bytes.HasPrefix(got, []byte(" 65000:60000 ")) {
		t.Errorf("%d characters", len(got))
	}
}

// TestFilter runs the Dumper over a RIB dump with filters and checks the
// lines it keeps.
func TestFilter(t *testing.T) {
	all, _ := dumpFile(t, "testdata/synthetic.mrt", Options{})
	count := func(f *filter.Filter, pred func(string) bool) {
		t.Helper()
		got, _ := dumpFile(t, "testdata/synthetic.mrt", Options{Filter: f})
		want := 0
		for _, l := range strings.Split(string(all), "\n") {
			if l != "" && pred(l) {
				want++
			}
		}
		if n := bytes.Count(got, []byte("\n")); n != want || want == 0 {
			t.Errorf("%+v: %d lines, want %d", f, n, want)
		}
	}
	field := func(l string, i int) string { return strings.Split(l, "|")[i] }
	count(&filter.Filter{Kinds: filter.State}, func(l string) bool { return field(l, 2) == "STATE" })
	count(&filter.Filter{Kinds: filter.Withdraw | filter.Announce}, func(l string) bool { return field(l, 2) == "W" || field(l, 2) == "A" })
	count(&filter.Filter{PeerASN: 65004, HasPeerASN: true}, func(l string) bool { return field(l, 4) == "65004" })
	count(&filter.Filter{PeerIP: netip.MustParseAddr("193.0.0.56")}, func(l string) bool { return field(l, 3) == "193.0.0.56" })
	count(&filter.Filter{Prefix: netip.MustParsePrefix("10.1.0.0/16")}, func(l string) bool { return field(l, 5) == "10.1.0.0/16" })
	count(&filter.Filter{Prefix: netip.MustParsePrefix("10.10.0.0/15"), IncludeSub: true}, func(l string) bool {
		return len(strings.Split(l, "|")) > 5 && (field(l, 5) == "10.10.0.0/16" || field(l, 5) == "10.11.0.0/16")
	})
	count(&filter.Filter{Prefix: netip.MustParsePrefix("2001:db8:20::/48"), IncludeSuper: true}, func(l string) bool {
		return len(strings.Split(l, "|")) > 5 && (field(l, 5) == "2001:db8:20::/48" || field(l, 5) == "::/0")
	})
	count(&filter.Filter{ASPath: regexp.MustCompile(`^65001 `)}, func(l string) bool {
		return len(strings.Split(l, "|")) > 6 && strings.HasPrefix(field(l, 6), "65001 ")
	})
	count(&filter.Filter{OriginASN: 65100, HasOriginASN: true}, func(l string) bool { return strings.Contains(l, "|4200000001 65100|") })
	count(&filter.Filter{Community: 0xFFFFFF01, HasCommunity: true}, func(l string) bool { return strings.Contains(l, "no-export") })
	count(&filter.Filter{Start: 1700000006, HasStart: true, End: 1700000007, HasEnd: true}, func(l string) bool {
		ts := field(l, 1)
		return strings.HasPrefix(ts, "1700000006") || strings.HasPrefix(ts, "1700000007")
	})
}

// FuzzAppendRecord protects the bgpdump formatter: whatever the record,
// it does not panic and ends every line it prints with a newline; with
// bgpdump's options (-t change, -p, -l, -u) it prints as many lines, and
// -p only inserts the index column (the same on every line).
func FuzzAppendRecord(f *testing.F) {
	for _, file := range []string{"testdata/synthetic.mrt", "testdata/options.mrt"} {
		r, _ := mrt.Open(file)
		for r != nil && r.Next() {
			rec := r.Record()
			f.Add(uint16(rec.Type), rec.Subtype, append([]byte(nil), rec.Body...))
		}
		if r != nil {
			r.Close()
		}
	}
	peers := New(Options{})
	r, _ := mrt.Open("testdata/synthetic.mrt")
	r.Next()
	peers.AppendRecord(nil, r.Record())
	r.Close()
	f.Fuzz(func(t *testing.T, typ, sub uint16, body []byte) {
		rec := &mrt.Record{Type: mrt.Type(typ), Subtype: sub, Body: body, Timestamp: 1}
		for _, compact := range []bool{false, true} {
			run := func(o Options) ([]byte, *Dumper) {
				o.Compact = compact
				d := New(o)
				// a copy: a PEER_INDEX_TABLE input is loaded in place
				d.peers, d.loaded = slices.Clone(peers.peers), true
				d.index = 42
				out, _ := d.AppendRecord(nil, rec)
				if len(out) > 0 && out[len(out)-1] != '\n' {
					t.Fatalf("%+v: output does not end a line: %q", o, out)
				}
				if n := bytes.Count(out, []byte("\n")); n != d.Lines() {
					t.Fatalf("%+v: %d lines, Lines() %d", o, n, d.Lines())
				}
				return out, d
			}
			plain, d := run(Options{})
			if rec.Type == mrt.TypeTableDumpV2 && rec.Subtype == mrt.PeerIndexTable {
				continue // no lines; up to 65535 peers to load (slow)
			}
			all, _ := run(Options{ChangeTime: true, PacketIndex: true, LargeCommunities: true, Unassigned: true})
			if d.Lines() != bytes.Count(all, []byte("\n")) {
				t.Fatalf("%d lines, %d with the options", d.Lines(), bytes.Count(all, []byte("\n")))
			}
			indexed, _ := run(Options{PacketIndex: true})
			stripped := bytes.ReplaceAll(indexed, []byte("|42|"), []byte("|"))
			if bytes.Count(indexed, []byte("|42|")) < d.Lines() || !bytes.Equal(stripped, plain) && !bytes.Contains(plain, []byte("|42|")) {
				t.Fatalf("-p:\n%s\nwithout:\n%s", indexed, plain)
			}
		}
	})
}
