package mrt

import (
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// wBgpdump runs `bgpdump -m` (the reference MRT reader, when
// installed) on file and returns its output lines.
func wBgpdump(t *testing.T, file string) []string {
	t.Helper()
	bin, err := exec.LookPath("bgpdump")
	if err != nil {
		t.Skip("bgpdump is not installed")
	}
	out, err := exec.Command(bin, "-m", file).Output()
	if err != nil {
		t.Fatalf("bgpdump -m %s: %v", file, err)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n")
}

// TestBgpdumpReadsWrittenFiles writes an update file and a table dump
// with the encoders and the Writer, gzip and plain, and checks that
// bgpdump prints every route and event as written.
func TestBgpdumpReadsWrittenFiles(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2024, 1, 31, 23, 55, 7, 250000000, time.UTC)
	e4 := Endpoints{PeerAS: 65001, LocalAS: 65000, PeerIP: netip.MustParseAddr("192.0.2.2"), LocalIP: netip.MustParseAddr("192.0.2.1")}
	e6 := Endpoints{PeerAS: 4200000001, LocalAS: 65000, PeerIP: netip.MustParseAddr("2001:db8::2")}

	// An UPDATE announcing 10.0.0.0/24 and 10.0.1.0/24 and withdrawing
	// 10.9.0.0/16, on a 4-octet-AS session.
	upd4 := message.AppendUpdate(nil, []byte{0x10, 0x0a, 0x09}, wcat(wOrigin, wASPath, wNextHop, wMED),
		[]byte{0x18, 0x0a, 0x00, 0x00, 0x18, 0x0a, 0x00, 0x01})
	// An UPDATE announcing 2001:db8:1::/48 with path identifier 7 (ADD-PATH).
	reach := wcat([]byte{0x90, 0x0e, 0x00, 0x20, 0x00, 0x02, 0x01, 0x10}, wNH6, []byte{0x00, // MP_REACH_NLRI (32 octets) ipv6/unicast, next hop, reserved
		0x00, 0x00, 0x00, 0x07, // path identifier 7
		0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, // 2001:db8:1::/48
	})
	upd6 := message.AppendUpdate(nil, nil, wcat(wOrigin, wASPath, reach), nil)
	ctx6, _ := wire.Context{ASN4: true}.WithAddPath(wire.IPv6Unicast, true)

	var recs []byte
	add := func(b []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		recs = b
	}
	add(AppendBGP4MPStateChange(recs, at, e4, StateOpenConfirm, StateEstablished))
	add(AppendBGP4MPMessage(recs, at, MessageSubtype(upd4, wire.Context{ASN4: true}, false), e4, upd4))
	add(AppendBGP4MPMessage(recs, at, MessageSubtype(upd6, ctx6, false), e6, upd6))
	add(AppendBGP4MPStateChange(recs, at, e4, StateEstablished, StateIdle))

	var table []byte
	addT := func(b []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		table = b
	}
	addT(AppendPeerIndexTable(table, at, netip.MustParseAddr("192.0.2.1"), "", []IndexPeer{
		{BGPID: netip.MustParseAddr("10.0.0.2"), IP: e4.PeerIP, AS: e4.PeerAS},
		{BGPID: netip.MustParseAddr("10.0.0.3"), IP: e6.PeerIP, AS: e6.PeerAS},
	}))
	orig := time.Unix(1706745000, 0)
	addT(AppendRIB(table, at, 0, wire.IPv4Unicast, false, netip.MustParsePrefix("10.0.0.0/24"), []RIBPath{
		{PeerIndex: 0, Originated: orig, Attrs: wcat(wOrigin, wASPath, wNextHop, wMED)},
	}))
	addT(AppendRIB(table, at, 1, wire.IPv6Unicast, false, netip.MustParsePrefix("2001:db8:1::/48"), []RIBPath{
		{PeerIndex: 1, Originated: orig, Attrs: wcat(wOrigin, wASPath, wLarge), NextHop: wNH6},
	}))

	for _, name := range []string{"updates.%Y%m%d.%H%M", "updates.%Y%m%d.%H%M.gz"} {
		t.Run(name, func(t *testing.T) {
			w, err := NewWriter(filepath.Join(dir, name), WriterOptions{Every: 5 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(at, recs); err != nil {
				t.Fatal(err)
			}
			file := w.Name()
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(filepath.Base(file), "updates.20240131.2355") {
				t.Errorf("file %s, want updates.20240131.2355…", file)
			}
			want := []string{
				"BGP4MP_ET|1706745307.250000|STATE|192.0.2.2|65001|5|6",
				"BGP4MP_ET|1706745307.250000|W|192.0.2.2|65001|10.9.0.0/16",
				"BGP4MP_ET|1706745307.250000|A|192.0.2.2|65001|10.0.0.0/24|65001|IGP|192.0.2.1|0|10||NAG||",
				"BGP4MP_ET|1706745307.250000|A|192.0.2.2|65001|10.0.1.0/24|65001|IGP|192.0.2.1|0|10||NAG||",
				"BGP4MP_ET_AP|1706745307.250000|A|2001:db8::2|4200000001|2001:db8:1::/48|7|65001|IGP|2001:db8::1|0|0||NAG||",
				"BGP4MP_ET|1706745307.250000|STATE|192.0.2.2|65001|6|1",
			}
			wCheckLines(t, wBgpdump(t, file), want)
		})
	}
	t.Run("table", func(t *testing.T) {
		w, err := NewWriter(filepath.Join(dir, "bview.%Y%m%d.%H%M.gz"), WriterOptions{Every: 8 * time.Hour, Atomic: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(at, table); err != nil {
			t.Fatal(err)
		}
		file := w.Name()
		if _, err := os.Stat(file); err == nil {
			t.Errorf("%s exists before Close (Atomic)", file)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if filepath.Base(file) != "bview.20240131.1600.gz" {
			t.Errorf("file %s, want bview.20240131.1600.gz (8h periods)", file)
		}
		want := []string{
			"TABLE_DUMP2|1706745307|B|192.0.2.2|65001|10.0.0.0/24|65001|IGP|192.0.2.1|0|10||NAG||",
			// bgpdump -m prints standard communities only.
			"TABLE_DUMP2|1706745307|B|2001:db8::2|4200000001|2001:db8:1::/48|65001|IGP|2001:db8::1|0|0||NAG||",
		}
		wCheckLines(t, wBgpdump(t, file), want)
	})
}

func wCheckLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("bgpdump -m printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
