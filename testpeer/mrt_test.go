package testpeer

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/mrt/bgpdump"
	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// mrtFile is the path of a testdata MRT file.
func mrtFile(name string) string { return filepath.Join("testdata", "mrt", name) }

// replayTo replays r into a buffer as a session with context send and
// families fams would get it; it returns the replayer and the messages.
func replayTo(t testing.TB, r *mrt.Reader, send wire.Context, fams []wire.Family, cfg MRTReplay) (*replayer, [][]byte) {
	t.Helper()
	defer r.Close()
	var out []byte
	rp := newReplayer(send, fams, &cfg, func(b []byte) error { out = append(out, b...); return nil })
	if err := rp.run(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return rp, splitMessages(t, out, send.MaxLen())
}

func replayFile(t testing.TB, name string, send wire.Context, fams []wire.Family, cfg MRTReplay) (*replayer, [][]byte) {
	t.Helper()
	r, err := mrt.Open(mrtFile(name))
	if err != nil {
		t.Fatal(err)
	}
	return replayTo(t, r, send, fams, cfg)
}

// received is what a stream of UPDATEs announces and withdraws, as
// "prefix|AS path" counts (the path as bgpdump prints it; "*" for a path
// with sets or confederation segments), and its End-of-RIBs.
type received struct {
	ann, wd map[string]int
	eor     []wire.Family
	ids     map[string]int // "prefix#path id" counts, with ADD-PATH
	nextHop map[string]string
}

// decodeStream reads the UPDATEs a replay sent under ctx, independently
// of the recoder: AS4_PATH merged for a 2-octet context (RFC 6793
// §4.2.3).
func decodeStream(t testing.TB, msgs [][]byte, ctx wire.Context) received {
	t.Helper()
	rv := received{ann: map[string]int{}, wd: map[string]int{}, ids: map[string]int{}, nextHop: map[string]string{}}
	for _, m := range msgs {
		u, err := message.ParseUpdate(m)
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := u.EndOfRIB(); ok {
			rv.eor = append(rv.eor, f)
			continue
		}
		path := "*"
		if v, ok := attr.Find(u.Attrs, attr.CodeASPath); ok {
			var segs []attr.Segment
			if ctx.ASN4 {
				segs, err = attr.Segments(v, true)
			} else {
				as4, _ := attr.Find(u.Attrs, attr.CodeAS4Path)
				segs, err = attr.MergeAS4Path(v, as4)
			}
			if err != nil {
				t.Fatalf("AS path: %v", err)
			}
			path = pathString(segs)
		} else {
			path = ""
		}
		nh := ""
		if v, ok := attr.Find(u.Attrs, attr.CodeNextHop); ok && len(v) == 4 {
			nh = netip.AddrFrom4([4]byte(v)).String()
		}
		walk := func(field []byte, f wire.Family, into map[string]int, ann bool, nh string) {
			it := nlri.NewIterator(field, f, ctx.AddPath(f))
			for it.Next() {
				p := it.Prefix().Masked().String()
				if ann {
					into[p+"|"+path]++
					rv.nextHop[p] = nh
				} else {
					into[p]++
				}
				if ctx.AddPath(f) {
					rv.ids[p+"#"+strconv.Itoa(int(it.PathID()))]++
				}
			}
			if it.Err() != nil {
				t.Fatalf("NLRI: %v", it.Err())
			}
		}
		walk(u.Withdrawn, wire.IPv4Unicast, rv.wd, false, "")
		walk(u.NLRI, wire.IPv4Unicast, rv.ann, true, nh)
		if mp, ok, err := u.MPReach(); ok && err == nil {
			g, _, _ := mp.NextHops()
			walk(mp.NLRI, mp.Family, rv.ann, true, g.String())
		}
		if mp, ok, err := u.MPUnreach(); ok && err == nil {
			walk(mp.NLRI, mp.Family, rv.wd, false, "")
		}
	}
	return rv
}

// pathString renders AS_SEQUENCE segments as bgpdump -m does ("*" when
// there is another kind of segment).
func pathString(segs []attr.Segment) string {
	var parts []string
	for _, s := range segs {
		if s.Type != attr.ASSequence {
			return "*"
		}
		for _, a := range s.ASNs {
			parts = append(parts, strconv.FormatUint(uint64(a), 10))
		}
	}
	return strings.Join(parts, " ")
}

// expected returns what bgpdump -m (ze's mrt/bgpdump, byte for byte the
// reference) lists for a file: the routes and withdrawals of the peers
// keep selects, in families fams.
func expected(t testing.TB, name string, fams []wire.Family, keep func(peerIP, peerAS string) bool) received {
	t.Helper()
	r, err := mrt.Open(mrtFile(name))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d := bgpdump.New(bgpdump.Options{})
	var out []byte
	for r.Next() {
		out, _ = d.AppendRecord(out, r.Record())
	}
	rv := received{ann: map[string]int{}, wd: map[string]int{}}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		if len(f) < 6 || (f[2] != "A" && f[2] != "B" && f[2] != "W") || !keep(f[3], f[4]) {
			continue
		}
		fam := wire.IPv4Unicast
		if strings.Contains(f[5], ":") {
			fam = wire.IPv6Unicast
		}
		if !slices.Contains(fams, fam) {
			continue
		}
		p := netip.MustParsePrefix(f[5]).Masked().String()
		if f[2] == "W" {
			rv.wd[p]++
			continue
		}
		path := f[6]
		if strings.HasSuffix(f[0], "_AP") {
			path = f[7] // the path identifier comes first
		}
		if strings.ContainsAny(path, "{([") {
			path = "*"
		}
		rv.ann[p+"|"+path]++
	}
	return rv
}

func all(string, string) bool { return true }

// TestReplayMatchesBgpdump replays each testdata file in several session
// contexts and checks that the UPDATEs sent announce and withdraw
// exactly what bgpdump -m lists for the file (prefix and AS path, as
// often), then End-of-RIB for every negotiated family.
func TestReplayMatchesBgpdump(t *testing.T) {
	apBoth := func(c wire.Context) wire.Context {
		c, _ = c.WithAddPath(wire.IPv4Unicast, true)
		c, _ = c.WithAddPath(wire.IPv6Unicast, true)
		return c
	}
	contexts := []struct {
		name string
		ctx  wire.Context
		fams []wire.Family
	}{
		{"asn4", ctx4, v4v6},
		{"asn2", ctx2, v4v6},
		{"add-path", apBoth(ctx4), v4v6},
		{"ipv4 only", ctx4, v4},
		{"ipv6 only, extended", wire.Context{ASN4: true, ExtendedMessage: true}, []wire.Family{wire.IPv6Unicast}},
	}
	files := []string{
		"bview.20020722.2337.sample.gz", // TABLE_DUMP, 36 peers
		"bview.64k_stream_overflow.gz",  // TABLE_DUMP_V2 IPv6, 23 peers, ASNs above 65535
		"bview.ipv4_unicast_add_path.gz",
		"bview.ipv6_unicast_add_path.gz",
		"updates.20020722.2238.gz",   // BGP4MP, 2-octet ASNs, state changes
		"updates.long_withdrawal.gz", // one 36894-octet withdrawal of 4096 IPv6 prefixes
	}
	for _, file := range files {
		for _, c := range contexts {
			t.Run(file+"/"+c.name, func(t *testing.T) {
				rp, msgs := replayFile(t, file, c.ctx, c.fams, MRTReplay{})
				got := decodeStream(t, msgs, c.ctx)
				want := expected(t, file, c.fams, all)
				if !maps.Equal(got.ann, want.ann) {
					t.Errorf("announced: %d distinct, want %d\n%s", len(got.ann), len(want.ann), mapDiff(got.ann, want.ann))
				}
				if !maps.Equal(got.wd, want.wd) {
					t.Errorf("withdrawn: %d distinct, want %d\n%s", len(got.wd), len(want.wd), mapDiff(got.wd, want.wd))
				}
				if !slices.Equal(got.eor, c.fams) {
					t.Errorf("End-of-RIB %v, want %v", got.eor, c.fams)
				}
				if rp.rep.Damaged != 0 || rp.rep.Skipped.Oversize != 0 {
					t.Errorf("report %+v", rp.rep)
				}
				if n := int64(len(msgs) - len(c.fams)); n != rp.rc.msgs {
					t.Errorf("%d UPDATEs sent, %d counted", n, rp.rc.msgs)
				}
				if c.ctx.AddPath(wire.IPv4Unicast) && strings.HasPrefix(file, "bview") {
					for k, n := range got.ids {
						if n > 1 && !strings.Contains(file, "add_path") {
							t.Errorf("path %s sent %d times", k, n)
						}
					}
				}
			})
		}
	}
}

func mapDiff(got, want map[string]int) string {
	var sb strings.Builder
	n := 0
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != want[k] && n < 10 {
			sb.WriteString("  " + k + ": got " + strconv.Itoa(got[k]) + " want " + strconv.Itoa(want[k]) + "\n")
			n++
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok && n < 20 {
			sb.WriteString("  " + k + ": got " + strconv.Itoa(got[k]) + " want 0\n")
			n++
		}
	}
	return sb.String()
}

// TestReplayPeers selects recorded peers by index, AS and address: the
// TABLE_DUMP sample numbers its 36 peers as they first appear
// (193.203.0.1 AS1853 first with 150 routes, 193.203.0.3 AS2686 second
// with 10; AS8447 has two peers of 10 routes each).
func TestReplayPeers(t *testing.T) {
	tests := []struct {
		sel    string
		routes int64
		peers  int
		keep   func(ip, as string) bool
	}{
		{"all", 330, 36, all},
		{"0", 150, 1, func(ip, _ string) bool { return ip == "193.203.0.1" }},
		{"1", 10, 1, func(ip, _ string) bool { return ip == "193.203.0.3" }},
		{"as8447", 20, 2, func(_, as string) bool { return as == "8447" }},
		{"193.203.0.65", 10, 1, func(ip, _ string) bool { return ip == "193.203.0.65" }},
		{"99", 0, 0, func(string, string) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.sel, func(t *testing.T) {
			sel, err := ParseMRTPeer(tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			rp, msgs := replayFile(t, "bview.20020722.2337.sample.gz", ctx4, v4, MRTReplay{Peer: sel})
			if rp.rep.Routes != tt.routes || rp.sent != tt.routes || rp.rep.Peers != tt.peers || rp.rep.Skipped.Peer != 330-tt.routes {
				t.Errorf("report %+v, sent %d", rp.rep, rp.sent)
			}
			got := decodeStream(t, msgs, ctx4)
			if want := expected(t, "bview.20020722.2337.sample.gz", v4, tt.keep); !maps.Equal(got.ann, want.ann) {
				t.Errorf("announced:\n%s", mapDiff(got.ann, want.ann))
			}
		})
	}
	// TABLE_DUMP_V2: the index is the PEER_INDEX_TABLE's.
	table := peerTable(t, mrtFile("bview.64k_stream_overflow.gz"))
	i := slices.IndexFunc(table, func(e mrt.PeerIndexEntry) bool { return e.IP == netip.MustParseAddr("2a03:3f40:32::365") })
	sel, _ := ParseMRTPeer(strconv.Itoa(i))
	rp, msgs := replayFile(t, "bview.64k_stream_overflow.gz", ctx4, v4v6, MRTReplay{Peer: sel})
	got := decodeStream(t, msgs, ctx4)
	want := expected(t, "bview.64k_stream_overflow.gz", v4v6, func(ip, as string) bool { return ip == "2a03:3f40:32::365" })
	if i < 0 || rp.rep.Peers != 1 || !maps.Equal(got.ann, want.ann) || len(want.ann) != 1 {
		t.Errorf("peer %d: report %+v\n%s", i, rp.rep, mapDiff(got.ann, want.ann))
	}
}

func peerTable(t *testing.T, path string) []mrt.PeerIndexEntry {
	r, err := mrt.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for r.Next() {
		if pi, err := mrt.ParsePeerIndex(r.Record()); err == nil {
			var out []mrt.PeerIndexEntry
			it := pi.Peers()
			for it.Next() {
				out = append(out, it.Peer())
			}
			return out
		}
	}
	t.Fatal("no peer index table")
	return nil
}

// TestReplayPathIDs: with ADD-PATH, a dump recorded without path
// identifiers gets the recorded peer's index + 1, one distinct path per
// peer; an _ADDPATH dump keeps its recorded ones.
func TestReplayPathIDs(t *testing.T) {
	_, msgs := replayFile(t, "bview.20020722.2337.sample.gz", ctx4AP, v4, MRTReplay{})
	got := decodeStream(t, msgs, ctx4AP)
	ids := map[string]bool{}
	for k, n := range got.ids {
		if n != 1 {
			t.Errorf("%s sent %d times", k, n)
		}
		ids[k[strings.Index(k, "#")+1:]] = true
	}
	if len(ids) != 36 || !ids["1"] || !ids["36"] || ids["0"] {
		t.Errorf("path ids %v", slices.Sorted(maps.Keys(ids)))
	}
	_, msgs = replayFile(t, "bview.ipv4_unicast_add_path.gz", ctx4AP, v4, MRTReplay{})
	got = decodeStream(t, msgs, ctx4AP)
	// bgpdump -m: TABLE_DUMP2_AP|…|10.0.15.1|65015|10.0.10.0/24 path id 36.
	if got.ids["10.0.10.0/24#36"] != 1 {
		t.Errorf("recorded path id lost: %v", got.ids)
	}
}

// TestReplayAttributes compares one route's attributes as sent with the
// RIB entry's: TABLE_DUMP_V2 stores MP_REACH_NLRI with only its next
// hop (RFC 6396 §4.3.4), the session gets it whole; towards a 2-octet
// session AS 202365 becomes AS_TRANS with AS4_PATH.
func TestReplayAttributes(t *testing.T) {
	// bgpdump -m: TABLE_DUMP2|1537344000|B|2a03:3f40:32::365|202365|
	// 2001:579:1040::/46|202365 6939 22773|IGP|2a03:3f40:32::365|0|0||NAG||
	sel, _ := ParseMRTPeer("2a03:3f40:32::365")
	for _, ctx := range []wire.Context{ctx4, ctx2} {
		_, msgs := replayFile(t, "bview.64k_stream_overflow.gz", ctx, v4v6, MRTReplay{Peer: sel})
		var u message.Update
		for _, m := range msgs {
			if x, _ := message.ParseUpdate(m); len(x.Attrs) > 10 {
				u = x
			}
		}
		mp, ok, err := u.MPReach()
		g, _, _ := mp.NextHops()
		it := nlri.NewIterator(mp.NLRI, mp.Family, false)
		if !ok || err != nil || mp.Family != wire.IPv6Unicast || g != netip.MustParseAddr("2a03:3f40:32::365") || !it.Next() ||
			it.Prefix() != netip.MustParsePrefix("2001:579:1040::/46") {
			t.Fatalf("MP_REACH_NLRI %+v %v", mp, err)
		}
		origin, _ := attr.Find(u.Attrs, attr.CodeOrigin)
		path, _ := attr.Find(u.Attrs, attr.CodeASPath)
		as4, has4 := attr.Find(u.Attrs, attr.CodeAS4Path)
		segs, _ := attr.Segments(path, ctx.ASN4)
		if !bytes.Equal(origin, []byte{0}) || len(segs) != 1 || !slices.Equal(segs[0].ASNs, map[bool][]uint32{
			true: {202365, 6939, 22773}, false: {attr.ASTrans, 6939, 22773}}[ctx.ASN4]) {
			t.Fatalf("asn4 %v: origin % X, path %v", ctx.ASN4, origin, segs)
		}
		if s4, _ := attr.Segments(as4, true); has4 == ctx.ASN4 || (!ctx.ASN4 && !slices.Equal(s4[0].ASNs, []uint32{202365, 6939, 22773})) {
			t.Fatalf("asn4 %v: AS4_PATH % X", ctx.ASN4, as4)
		}
	}
}

// TestReplayUpdatesUnchanged: when the session's context is the
// recorded one, the recorded UPDATEs go out byte for byte, in order.
func TestReplayUpdatesUnchanged(t *testing.T) {
	// updates.20020722.2238.gz holds BGP4MP MESSAGE records: 2-octet
	// ASNs, no ADD-PATH, IPv4 unicast.
	rp, msgs := replayFile(t, "updates.20020722.2238.gz", ctx2, v4, MRTReplay{})
	r, _ := mrt.Open(mrtFile("updates.20020722.2238.gz"))
	defer r.Close()
	i := 0
	for r.Next() {
		m, err := mrt.ParseBGP4MP(r.Record())
		if err != nil || m.IsStateChange() || wire.Type(m.Message[18]) != wire.TypeUpdate {
			continue
		}
		if !bytes.Equal(msgs[i], m.Message) {
			t.Fatalf("UPDATE %d changed:\n% X\n% X", i, msgs[i], m.Message)
		}
		i++
	}
	if rp.rep.Recoded != 0 || int64(i) != rp.rep.Messages || i != len(msgs)-1 || rp.rep.Skipped.Other != 728 || rp.rep.Withdrawn != 2419 {
		t.Fatalf("%d UPDATEs of %d, report %+v", i, len(msgs), rp.rep)
	}
	// The same towards a 4-octet session: every one re-encoded.
	rp, _ = replayFile(t, "updates.20020722.2238.gz", ctx4, v4, MRTReplay{})
	if rp.rep.Recoded != rp.rep.Messages || rp.sent != 825 {
		t.Fatalf("report %+v", rp.rep)
	}
}

// mrtUpdates builds an update file (BGP4MP_ET records) of one UPDATE per
// offset from t0, each announcing 10.0.i.0/24.
func mrtUpdates(t testing.TB, t0 time.Time, offsets ...time.Duration) []byte {
	var b []byte
	e := mrt.Endpoints{PeerAS: 65001, LocalAS: 65000, PeerIP: netip.MustParseAddr("192.0.2.1"), LocalIP: netip.MustParseAddr("192.0.2.254")}
	for i, d := range offsets {
		msg := upd(nil, cat(tOrigin, tPath4, tNextHop), []byte{0x18, 10, 0, byte(i)})
		var err error
		if b, err = mrt.AppendBGP4MPMessage(b, t0.Add(d), mrt.BGP4MPMessageAS4, e, msg); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// TestReplaySpeed: --speed 1 keeps the recorded gaps (here 300 ms in
// all), --speed 3 a third of them, max none.
func TestReplaySpeed(t *testing.T) {
	file := mrtUpdates(t, time.Unix(1700000000, 0), 0, 100*time.Millisecond, 300*time.Millisecond)
	for _, tt := range []struct {
		speed    float64
		min, max time.Duration
	}{{1, 290 * time.Millisecond, 2 * time.Second}, {3, 90 * time.Millisecond, time.Second}, {0, 0, 80 * time.Millisecond}} {
		r, _ := mrt.NewReader(bytes.NewReader(file))
		start := time.Now()
		rp, msgs := replayTo(t, r, ctx4, v4, MRTReplay{Speed: tt.speed})
		if d := time.Since(start); d < tt.min || d > tt.max || len(msgs) != 4 || rp.rep.Messages != 3 {
			t.Errorf("speed %v: %v, %d messages", tt.speed, d, len(msgs))
		}
	}
	// A cancelled context stops the wait.
	r, _ := mrt.NewReader(bytes.NewReader(mrtUpdates(t, time.Unix(1700000000, 0), 0, time.Hour)))
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	rp := newReplayer(ctx4, v4, &MRTReplay{Speed: 1}, func([]byte) error { return nil })
	if err := rp.run(ctx, r); err == nil {
		t.Fatal("no error after cancel")
	}
}

// TestReplayLegacyAndDamage: the deprecated BGP type (RFC 6396 §B.2.1,
// a message without marker and header) is replayed; a cut record and a
// malformed UPDATE are counted as damage.
func TestReplayLegacyAndDamage(t *testing.T) {
	body := upd(nil, cat(tOrigin, tPath2Small, tNextHop), tNLRI)[wire.HeaderLen:]
	rec := func(sub uint16, b []byte) []byte {
		return append(mrt.AppendHeader(nil, time.Unix(1000000000, 0), mrt.TypeBGP, sub, len(b)), b...)
	}
	ends := []byte{0xFD, 0xE9, 192, 0, 2, 1, 0xFD, 0xE8, 192, 0, 2, 254} // peer AS 65001, 192.0.2.1; local AS 65000, 192.0.2.254
	var file []byte
	file = append(file, rec(mrt.BGPUpdate, cat(ends, body))...)
	file = append(file, rec(mrt.BGPStateChange, []byte{0xFD, 0xE9, 192, 0, 2, 1, 0, 1, 0, 6})...)
	file = append(file, rec(mrt.BGPUpdate, cat(ends, []byte{0, 0, 0, 0, 0x21, 1, 2, 3, 4, 5}))...) // prefix length 33
	file = append(file, mrtUpdates(t, time.Unix(1000000001, 0), 0)...)
	file = file[:len(file)-3] // cut inside the last record
	r, _ := mrt.NewReader(bytes.NewReader(file))
	rp, msgs := replayTo(t, r, ctx4, v4, MRTReplay{})
	got := decodeStream(t, msgs, ctx4)
	if got.ann["10.0.0.0/24|65001 65002"] != 1 || len(got.ann) != 1 || rp.rep.Messages != 1 || rp.rep.Recoded != 1 ||
		rp.rep.Skipped.Other != 1 || rp.rep.Damaged != 2 || len(rp.damage.Kept) != 2 {
		t.Fatalf("got %v, report %+v, damage %v", got.ann, rp.rep, rp.damage.Kept)
	}
}

// TestInjectMRTIntoSink runs the whole thing over TCP: an inject peer
// replays a RIB dump and an update file into a counting sink.
func TestInjectMRTIntoSink(t *testing.T) {
	tests := []struct {
		file      string
		fams      []wire.Family
		asn4      bool
		ann, wd   int64
		family    string
		recoded   bool
		skipFamly int64
	}{
		{"bview.64k_stream_overflow.gz", v4v6, true, 23, 0, "ipv6/unicast", false, 0},
		{"bview.64k_stream_overflow.gz", v4, true, 0, 0, "ipv6/unicast", false, 23},
		{"updates.20020722.2238.gz", v4, false, 825, 2419, "ipv4/unicast", false, 0},
		{"updates.20020722.2238.gz", v4, true, 825, 2419, "ipv4/unicast", true, 0},
		{"updates.long_withdrawal.gz", v4v6, true, 0, 4096, "ipv6/unicast", true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+strconv.Itoa(len(tt.fams))+"/"+strconv.FormatBool(tt.asn4), func(t *testing.T) {
			sc := testConfig(ModeSink)
			sc.SinkUntilEOR, sc.Families, sc.ASN4 = true, tt.fams, tt.asn4
			sink := Start(t, sc)
			ic := testConfig(ModeInject)
			ic.Dial, ic.ASN, ic.Families, ic.ASN4 = sink.Addr().String(), 65001, tt.fams, tt.asn4
			ic.Inject.MRT.File = mrtFile(tt.file)
			inj := Start(t, ic)
			if err := inj.Wait(); err != nil {
				t.Fatalf("inject: %v\n%s", err, inj.Stderr())
			}
			if err := sink.Wait(); err != nil {
				t.Fatalf("sink: %v\n%s", err, sink.Stderr())
			}
			sum := sink.Summary()
			fc := sum.Families[tt.family]
			if fc.Announced != tt.ann || fc.Withdrawn != tt.wd || sum.Errors != 0 || sum.RFC7606 != 0 {
				t.Errorf("sink summary %+v", sum)
			}
			rep := inj.InjectReport()
			if rep.Sent != tt.ann || rep.MRT == nil || rep.MRT.Withdrawn != tt.wd || (rep.MRT.Recoded > 0) != tt.recoded ||
				rep.MRT.Skipped.Family != tt.skipFamly || sum.Messages["update"] != rep.Updates+int64(len(tt.fams)) {
				t.Errorf("inject report %+v %+v; sink %+v", rep, rep.MRT, sum)
			}
			var line map[string]map[string]any
			if err := json.Unmarshal([]byte(lastLine(inj.Stdout())), &line); err != nil || line["inject"]["mrt"] == nil {
				t.Errorf("inject stdout %q (%v)", inj.Stdout(), err)
			}
		})
	}
}
