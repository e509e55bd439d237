package stats

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/mrt"
)

// The figures below were cross-checked with the reference bgpdump 1.6.2
// (bgpdump -m FILE > m.txt, in ../bgpdump/testdata); the command that
// gives each is in the comment beside it. awk splits the AS path on
// blanks, so an AS_SET ({a,b}) counts as one, as here.

func TestUpdateFile(t *testing.T) {
	r := analyse(t, 3, "updates.20020722.2238.gz")
	want := Routes{
		Announcements: 825,  // awk -F'|' '$3=="A"' m.txt | wc -l
		Withdrawals:   2419, // awk -F'|' '$3=="W"' m.txt | wc -l
	}
	if r.Routes != want {
		t.Errorf("routes %+v, want %+v", r.Routes, want)
	}
	if r.StateChanges != 93 { // awk -F'|' '$3=="STATE"' m.txt | wc -l
		t.Errorf("state changes %d", r.StateChanges)
	}
	if r.Records != 1121 || len(r.Types) != 2 || r.Types[0] != (TypeCount{"BGP4MP", "STATE_CHANGE", 93}) ||
		r.Types[1] != (TypeCount{"BGP4MP", "MESSAGE", 1028}) {
		t.Errorf("records %d, types %+v", r.Records, r.Types)
	}
	wantMsgs := []MessageCount{{"open", 13}, {"update", 393}, {"notification", 7}, {"keepalive", 615}}
	if !reflect.DeepEqual(r.Messages, wantMsgs) {
		t.Errorf("messages %+v", r.Messages)
	}
	if r.IPv4.Prefixes != 598 || r.IPv6.Prefixes != 0 { // awk -F'|' '$3=="A"{print $6}' m.txt | sort -u | wc -l
		t.Errorf("prefixes %d %d", r.IPv4.Prefixes, r.IPv6.Prefixes)
	}
	if r.IPv4.Lengths[8] != (LengthCount{24, 502}) { // awk -F'|' '$3=="A"{print $6}' m.txt | sort -u | grep -c /24
		t.Errorf("lengths %+v", r.IPv4.Lengths)
	}
	if r.ASPaths.Unique != 215 { // awk -F'|' '$3=="A"{print $7}' m.txt | sort -u | wc -l
		t.Errorf("unique paths %d", r.ASPaths.Unique)
	}
	// awk -F'|' '$3=="A"{print split($7,a," ")}' m.txt | sort -n | uniq -c
	routes := map[int]uint64{3: 124, 4: 119, 5: 375, 6: 100, 7: 38, 8: 32, 9: 22, 10: 5, 11: 7, 12: 3}
	for _, l := range r.ASPaths.Lengths {
		if routes[l.Length] != l.Routes {
			t.Errorf("paths of length %d: %d routes, want %d", l.Length, l.Routes, routes[l.Length])
		}
	}
	// awk -F'|' '$3=="A"{n=split($7,a," "); print $6, a[n]}' m.txt | sort -u |
	//   awk '{print $2}' | sort | uniq -c | sort -k1,1nr -k2,2n | head -3
	if r.Origins.ASNs != 126 || !reflect.DeepEqual(r.Origins.Top, []OriginCount{{8708, 93}, {16183, 38}, {5639, 31}}) {
		t.Errorf("origins %d %+v", r.Origins.ASNs, r.Origins.Top)
	}
	// … | sort -u | awk '{print $1}' | uniq -d
	moas := []MOASPrefix{{netip.MustParsePrefix("210.80.60.0/24"), []uint32{9513, 9908}}}
	if r.MOAS.Prefixes != 1 || !reflect.DeepEqual(r.MOAS.Top, moas) {
		t.Errorf("moas %+v", r.MOAS)
	}
	// awk -F'|' '$3=="A"||$3=="W"{print $4, $3}' m.txt | sort | uniq -c
	p := r.Peers[:3]
	if p[0].IP.String() != "193.203.0.81" || p[0].Withdrawals != 1974 || p[0].Announcements != 0 ||
		p[1].IP.String() != "193.203.0.1" || p[1].Announcements != 825 || p[1].Withdrawals != 112 ||
		p[2].IP.String() != "193.203.0.6" || p[2].Withdrawals != 333 {
		t.Errorf("peers %+v", p)
	}
	if len(r.Peers) != 43 || r.Peers[3].StateChanges != 28 { // awk -F'|' '$3=="STATE"{print $4}' m.txt | sort | uniq -c
		t.Errorf("%d peers; the fourth %+v", len(r.Peers), r.Peers[3])
	}
	// A 15-minute file: one-minute buckets, 22:38 to 22:53.
	// awk -F'|' '$3=="A"{print strftime("%H:%M", $2, 1)}' m.txt | uniq -c | head -2
	rt := r.Rate
	if rt == nil || rt.BucketSeconds != 60 || len(rt.Buckets) != 16 || rt.Start.Format("15:04") != "22:38" ||
		rt.Buckets[0].Announcements != 54 || rt.Buckets[0].Withdrawals != 42 || rt.Buckets[1].Announcements != 60 {
		t.Fatalf("rate %+v", rt)
	}
	var sa, sw uint64
	for i, b := range rt.Buckets {
		var pa, pw uint64
		for _, p := range rt.Peers {
			pa += p.Announcements[i]
			pw += p.Withdrawals[i]
		}
		if pa != b.Announcements || pw != b.Withdrawals {
			t.Errorf("bucket %d: peers add up to %d/%d, bucket says %d/%d", i, pa, pw, b.Announcements, b.Withdrawals)
		}
		sa, sw = sa+b.Announcements, sw+b.Withdrawals
	}
	if sa != 825 || sw != 2419 || r.Chart.BucketSeconds != 10 {
		t.Errorf("rate totals %d/%d, chart buckets of %ds", sa, sw, r.Chart.BucketSeconds)
	}
	if r.Damage.Count != 0 {
		t.Errorf("damage %+v", r.Damage)
	}
}

func TestRIBAddPath(t *testing.T) {
	r := analyse(t, 10, "bview.ipv4_unicast_add_path.gz")
	// wc -l m.txt; awk -F'|' '{print $6}' m.txt | sort -u | wc -l;
	// awk -F'|' '{print $8}' m.txt | sort -u | wc -l (ADD-PATH lines have the path id in $7)
	if r.Routes.RIBEntries != 62 || r.IPv4.Prefixes != 31 || r.ASPaths.Unique != 32 {
		t.Errorf("rib %d, prefixes %d, paths %d", r.Routes.RIBEntries, r.IPv4.Prefixes, r.ASPaths.Unique)
	}
	// awk -F'|' '{print $4, $5}' m.txt | sort | uniq -c
	want := []Peer{
		{IP: netip.MustParseAddr("10.0.16.2"), ASN: 65017, RIBEntries: 31},
		{IP: netip.MustParseAddr("10.0.15.1"), ASN: 65015, RIBEntries: 29},
		{IP: netip.MustParseAddr("0.0.0.0"), ASN: 0, RIBEntries: 2},
	}
	if !reflect.DeepEqual(r.Peers, want) {
		t.Errorf("peers %+v", r.Peers)
	}
	// origins: the last ASN of $8 per prefix; 29 prefixes have two
	if r.Origins.ASNs != 31 || r.MOAS.Prefixes != 29 || r.Rate != nil {
		t.Errorf("origins %d, moas %d, rate %v", r.Origins.ASNs, r.MOAS.Prefixes, r.Rate)
	}
	// two entries have an empty AS path (peer 0.0.0.0): length 0
	if r.ASPaths.Lengths[0] != (PathCount{0, 2, 1}) {
		t.Errorf("path lengths %+v", r.ASPaths.Lengths[:2])
	}
}

func TestTableDumpV1(t *testing.T) {
	r := analyse(t, 2, "bview.20020722.2337.gz")
	// wc -l m.txt; awk -F'|' '{print $6}' m.txt | sort -u | wc -l;
	// awk -F'|' '{print $7}' m.txt | sort -u | wc -l — 18451 paths: 187
	// routes carry a prepend as a second AS_SEQUENCE segment, which
	// bgpdump prints like one segment, and which is one path here too.
	if r.Routes.RIBEntries != 115521 || r.IPv4.Prefixes != 112988 || r.ASPaths.Unique != 18451 {
		t.Errorf("rib %d, prefixes %d, paths %d", r.Routes.RIBEntries, r.IPv4.Prefixes, r.ASPaths.Unique)
	}
	if r.Origins.ASNs != 13409 || r.MOAS.Prefixes != 4 || len(r.MOAS.Top) != 2 || len(r.Peers) != 36 {
		t.Errorf("origins %d, moas %d (%d listed), %d peers", r.Origins.ASNs, r.MOAS.Prefixes, len(r.MOAS.Top), len(r.Peers))
	}
}

func TestCommunities(t *testing.T) {
	r := analyse(t, 4, "bview.64k_stream_overflow.gz")
	// awk -F'|' '{n=split($12,c," "); for(i=1;i<=n;i++) print c[i]}' m.txt | sort | uniq -c | sort -rn
	want := CommunityCounts{Distinct: 46, Top: []CommunityCount{{"2914:410", 2}, {"2914:1004", 2}, {"2914:2000", 2}, {"2914:3000", 2}}}
	if !reflect.DeepEqual(r.Communities, want) {
		t.Errorf("communities %+v", r.Communities)
	}
	// bgpdump 1.6.2 does not print large communities:
	// ze mrt dump --json FILE | grep -o '"large-communities":[^]]*'
	wantLarge := CommunityCounts{Distinct: 2, Top: []CommunityCount{{"15562:4300:1", 1}, {"202365:6939:202365", 1}}}
	if !reflect.DeepEqual(r.LargeCommunities, wantLarge) {
		t.Errorf("large communities %+v", r.LargeCommunities)
	}
	if r.IPv6.Prefixes != 1 || r.IPv6.Lengths[0] != (LengthCount{46, 1}) || r.Routes.RIBEntries != 23 {
		t.Errorf("ipv6 %+v, rib %d", r.IPv6, r.Routes.RIBEntries)
	}
}

// TestSynthetic reads bgpdump's synthetic records of every kind
// (../bgpdump/synth_test.go): the legacy BGP type, TABLE_DUMP v1,
// _LOCAL and _ADDPATH messages, and three damaged records.
func TestSynthetic(t *testing.T) {
	r := analyse(t, 10, "synthetic.mrt")
	if r.Routes.Local != 3 || r.Routes.Announcements != 14 || r.Routes.Withdrawals != 3 || r.Routes.RIBEntries != 12 {
		t.Errorf("routes %+v", r.Routes)
	}
	if r.StateChanges != 4 || r.Records != 26 {
		t.Errorf("state changes %d, records %d", r.StateChanges, r.Records)
	}
	reasons := []string{
		"MESSAGE_AS4_ADDPATH record: stats: MP_REACH_NLRI appears more than once",
		"MESSAGE_AS4 record: stats: MP_REACH_NLRI appears more than once",
		"STATE_CHANGE record: mrt: octets after the last field",
	}
	if r.Damage.Count != 3 {
		t.Fatalf("damage %+v", r.Damage)
	}
	for i, d := range r.Damage.First {
		if !strings.HasSuffix(d.Reason, reasons[i]) || d.File != "synthetic.mrt" {
			t.Errorf("damage %d: %+v", i, d)
		}
	}
}

// TestReadDamage: the reader's own damage (a file cut inside a record)
// is counted with the records' and names the file.
func TestReadDamage(t *testing.T) {
	rec := record(1, mrt.TypeBGP4MP, mrt.BGP4MPStateChange,
		[]byte{0xFD, 0xE9, 0xFD, 0xE8, 0, 0, 0, 1, 192, 0, 2, 1, 192, 0, 2, 254}, // AS 65001 → 65000, IPv4 addresses
		[]byte{0, 1, 0, 2}) // Idle → Connect
	in := append(append([]byte{}, rec...), rec[:10]...)
	r := analyseBytes(t, "cut.mrt", in)
	if r.Records != 1 || r.StateChanges != 1 || r.Damage.Count != 1 ||
		!strings.Contains(r.Damage.First[0].Reason, "stream ends inside a record header") || r.Damage.First[0].Offset != int64(len(rec)) {
		t.Errorf("records %d, damage %+v", r.Records, r.Damage)
	}
}
