package corpus

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// rr is the capture copied under testdata (testdata/README.md).
const rr = "gobgp-rr-ibgp-evpn-mup-flowspec-addpath"

func TestLoad(t *testing.T) {
	msgs := MustLoad(t, "testdata", rr)
	if len(msgs) != 135 {
		t.Fatalf("%d messages, want 135", len(msgs))
	}
	// Row 0: 0 4 1795291995.620053 10.0.0.3:55093 10.0.0.2:179 0 OPEN 247
	m := msgs[0]
	if m.Index != 0 || m.Type != wire.TypeOpen || len(m.Data) != 247 || m.Frame != 4 || !m.Time.Equal(time.Unix(1795291995, 620053000)) ||
		m.Src != netip.MustParseAddrPort("10.0.0.3:55093") || m.Dst != netip.MustParseAddrPort("10.0.0.2:179") ||
		m.Stream != 0 || m.EoR != "" || m.Negotiated || m.Ctx != (wire.Context{}) {
		t.Errorf("message 0: %+v", m)
	}
	if m := msgs[4]; m.EoR != "2/1" || m.Type != wire.TypeUpdate {
		t.Errorf("message 4: End-of-RIB %q, type %v; want 2/1 UPDATE", m.EoR, m.Type)
	}
	c, b := netip.MustParseAddrPort("10.0.0.3:55093"), netip.MustParseAddrPort("10.0.0.2:179")
	var eors, fromB, fromC int
	for i, m := range msgs {
		if m.Index != i || len(m.Data) < wire.HeaderLen || wire.Type(m.Data[18]) != m.Type || cap(m.Data) != len(m.Data) {
			t.Fatalf("message %d: index %d, type %v, %d octets (cap %d)", i, m.Index, m.Type, len(m.Data), cap(m.Data))
		}
		if m.EoR != "" {
			eors++
		}
		// Stream 0: the OPENs are messages 0 (C) and 1 (B).
		if m.Stream != 0 {
			continue
		}
		if m.Negotiated != (i > 1) {
			t.Errorf("message %d: negotiated %v", i, m.Negotiated)
		}
		if !m.Negotiated {
			if m.Ctx != (wire.Context{}) {
				t.Errorf("message %d: context %+v before both OPENs", i, m.Ctx)
			}
			continue
		}
		// B sends ADD-PATH, C only receives it (RFC 7911 §4).
		switch {
		case m.Src == b && m.Dst == c:
			fromB++
			if !m.Ctx.ASN4 || !m.Ctx.AddPath(wire.IPv4Unicast) || !m.Ctx.AddPath(wire.IPv6Unicast) || !m.Ctx.ExtNextHop(wire.IPv4Unicast) {
				t.Errorf("message %d (B → C): context %+v", i, m.Ctx)
			}
		case m.Src == c && m.Dst == b:
			fromC++
			if !m.Ctx.ASN4 || m.Ctx.AddPath(wire.IPv4Unicast) || m.Ctx.AddPath(wire.IPv6Unicast) || !m.Ctx.ExtNextHop(wire.IPv4Unicast) {
				t.Errorf("message %d (C → B): context %+v", i, m.Ctx)
			}
		default:
			t.Errorf("message %d: %s → %s on stream 0", i, m.Src, m.Dst)
		}
	}
	// INDEX.md: 11 families × 6 End-of-RIB markers; 35 + 14 messages on
	// stream 0, less the two OPENs.
	if eors != 66 || fromB != 34 || fromC != 13 {
		t.Errorf("%d End-of-RIB, %d B → C, %d C → B; want 66, 34, 13", eors, fromB, fromC)
	}
}

func TestLoadN(t *testing.T) {
	all := MustLoad(t, "testdata", rr)
	for _, n := range []int{0, -1, 1, 3, 135, 500} {
		got, err := LoadN("testdata", rr, n)
		if err != nil {
			t.Fatalf("LoadN(%d): %v", n, err)
		}
		want := all
		if n > 0 && n < len(all) {
			want = all[:n]
		}
		if len(got) != len(want) {
			t.Fatalf("LoadN(%d): %d messages, want %d", n, len(got), len(want))
		}
		for i := range got {
			if string(got[i].Data) != string(want[i].Data) || got[i].Ctx != want[i].Ctx || got[i].Src != want[i].Src {
				t.Errorf("LoadN(%d): message %d differs from Load's", n, i)
			}
		}
	}
}

// openHex returns the hex of an OPEN of AS asn with the given
// capabilities.
func openHex(asn uint32, caps ...[]byte) string {
	var c []byte
	for _, x := range caps {
		c = append(c, x...)
	}
	msg := message.AppendOpen(nil, message.OpenParams{ASN: asn, HoldTime: 90, RouterID: netip.AddrFrom4([4]byte{192, 0, 2, byte(asn)}), Caps: c})
	return strings.ToUpper(hex.EncodeToString(msg))
}

// writeCapture writes NAME.hex.txt (and NAME.msgs.tsv when tsv is not
// "") into a new folder.
func writeCapture(t *testing.T, hexText, tsv string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "x.hex.txt"), []byte(hexText), 0o644); err != nil {
		t.Fatal(err)
	}
	if tsv != "" {
		if err := os.WriteFile(filepath.Join(dir, "x.msgs.tsv"), []byte(tsv), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const keepalive = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304"

func TestLoadWithoutRows(t *testing.T) {
	asn4 := func(asn uint32) []byte { return capability.AppendASN4(nil, asn) }
	ap := func(m capability.AddPathMode) []byte {
		return capability.AppendAddPath(nil, capability.AddPathFamily{Family: wire.IPv4Unicast, Mode: m})
	}
	t.Run("agreed", func(t *testing.T) {
		// Blank lines and surrounding space are skipped; lower case is hex too.
		text := openHex(1, asn4(1), ap(capability.AddPathBoth)) + "\n\n " + strings.ToLower(openHex(2, asn4(2), ap(capability.AddPathBoth))) + " \n" + keepalive + "\n"
		msgs, err := Load(writeCapture(t, text, ""), "x")
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 3 {
			t.Fatalf("%d messages, want 3", len(msgs))
		}
		for i, m := range msgs {
			if m.Stream != -1 || m.Src.IsValid() || m.Frame != 0 || !m.Time.IsZero() {
				t.Errorf("message %d: %+v has tsv fields", i, m)
			}
		}
		want := wire.Context{ASN4: true}
		want, _ = want.WithAddPath(wire.IPv4Unicast, true)
		if msgs[1].Negotiated || !msgs[2].Negotiated || msgs[2].Ctx != want {
			t.Errorf("contexts %v %+v, %v %+v; want the agreed one for the KEEPALIVE only", msgs[1].Negotiated, msgs[1].Ctx, msgs[2].Negotiated, msgs[2].Ctx)
		}
	})
	t.Run("one-way", func(t *testing.T) {
		text := openHex(1, asn4(1), ap(capability.AddPathSend)) + "\n" + openHex(2, asn4(2), ap(capability.AddPathReceive)) + "\n" + keepalive + "\n"
		if _, err := Load(writeCapture(t, text, ""), "x"); err == nil || !strings.Contains(err.Error(), "one direction only") {
			t.Errorf("got %v, want a one-way ADD-PATH error", err)
		}
	})
	t.Run("real", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join("testdata", rr+".hex.txt"))
		if err != nil {
			t.Fatal(err)
		}
		// Without its msgs.tsv the capture's ADD-PATH direction is lost.
		if _, err := Load(writeCapture(t, string(b), ""), "x"); err == nil {
			t.Error("loaded without msgs.tsv")
		}
	})
}

func TestLoadErrors(t *testing.T) {
	const header = "index\tframe\ttime_epoch\tsrc\tdst\ttcp_stream\ttype\tlength\teor\n"
	row := func(fields ...string) string { return strings.Join(fields, "\t") + "\n" }
	ok := row("0", "1", "10.5", "192.0.2.1:179", "192.0.2.2:1000", "0", "KEEPALIVE", "19", "")
	tests := []struct {
		name, hex, tsv, want string
	}{
		{"not hex", "FFZZ\n", "", "invalid byte"},
		{"odd hex", "FFF\n", "", "odd length"},
		{"columns", keepalive, header + "0\t1\n", "2 columns"},
		{"index", keepalive, header + row("1", "1", "10.5", "192.0.2.1:179", "192.0.2.2:1000", "0", "KEEPALIVE", "19", ""), "index 1, want 0"},
		{"type", keepalive, header + row("0", "1", "10.5", "192.0.2.1:179", "192.0.2.2:1000", "0", "UPDATE", "19", ""), "msgs.tsv says UPDATE"},
		{"length", keepalive, header + row("0", "1", "10.5", "192.0.2.1:179", "192.0.2.2:1000", "0", "KEEPALIVE", "23", ""), "of 23 octets"},
		{"address", keepalive, header + row("0", "1", "10.5", "192.0.2.1", "192.0.2.2:1000", "0", "KEEPALIVE", "19", ""), "not an ip:port"},
		{"time", keepalive, header + row("0", "1", "-10.5", "192.0.2.1:179", "192.0.2.2:1000", "0", "KEEPALIVE", "19", ""), "time"},
		{"few rows", keepalive + "\n" + keepalive, header + ok, "1 rows for 2 messages"},
		{"no rows", keepalive, header, "0 rows for 1 messages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeCapture(t, tt.hex, tt.tsv), "x")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := Load(writeCapture(t, keepalive, header+ok), "x"); err != nil {
		t.Errorf("good capture: %v", err)
	}
	if _, err := Load(t.TempDir(), "missing"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing capture: %v", err)
	}
}

func TestParseEpoch(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"1795292731.305620", time.Unix(1795292731, 305620000), true},
		{"1795292731", time.Unix(1795292731, 0), true},
		{"0.000000001", time.Unix(0, 1), true},
		{"1.123456789", time.Unix(1, 123456789), true},
		{"1.1234567891", time.Time{}, false},
		{"", time.Time{}, false},
		{".5", time.Time{}, false},
		{"1.", time.Time{}, false},
		{"+1.5", time.Time{}, false},
		{"1.-5", time.Time{}, false},
		{"1e9", time.Time{}, false},
		{"9999999999999999999", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := parseEpoch(tt.in)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseEpoch(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestNames(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"b.hex.txt", "a.hex.txt", "a.msgs.tsv", "c.pcapng", "README.md"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Names(dir)
	if err != nil || !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("Names = %q, %v; want [a b]", got, err)
	}
	if !Exists(dir, "a", ".msgs.tsv") || Exists(dir, "b", ".msgs.tsv") {
		t.Error("Exists is wrong")
	}
	if got, err := Names(filepath.Join(dir, "none")); err != nil || len(got) != 0 {
		t.Errorf("Names of a missing folder = %q, %v", got, err)
	}
}

func TestSharedDir(t *testing.T) {
	// From this package: ../shared/data beside the module root.
	t.Setenv(EnvDir, "")
	dir, ok := SharedDir()
	wd, _ := os.Getwd()
	want := filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(wd))), "shared", "data")
	if dir != want || ok != isDir(want) {
		t.Errorf("SharedDir() = %q, %v; want %q, %v", dir, ok, want, isDir(want))
	}

	tmp := t.TempDir()
	t.Setenv(EnvDir, tmp)
	if dir, ok := SharedDir(); dir != tmp || !ok {
		t.Errorf("with %s=%s: %q, %v", EnvDir, tmp, dir, ok)
	}
	if dir, ok := PcapDir(); dir != filepath.Join(tmp, "pcap") || ok {
		t.Errorf("PcapDir() without pcap/ = %q, %v", dir, ok)
	}
	if err := os.Mkdir(filepath.Join(tmp, "pcap"), 0o755); err != nil {
		t.Fatal(err)
	}
	if dir, ok := PcapDir(); dir != filepath.Join(tmp, "pcap") || !ok {
		t.Errorf("PcapDir() = %q, %v", dir, ok)
	}
	t.Setenv(EnvDir, filepath.Join(tmp, "none"))
	if _, ok := SharedDir(); ok {
		t.Error("a missing override is ok")
	}

	// Outside any module: not found.
	t.Setenv(EnvDir, "")
	t.Chdir(t.TempDir())
	if dir, ok := SharedDir(); ok || dir != "" && isDir(dir) {
		t.Errorf("outside a module: %q, %v", dir, ok)
	}
}

func TestGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	if err := Golden(path, []byte("a\nb\n"), false); err == nil || !strings.Contains(err.Error(), "-update") {
		t.Errorf("missing file: %v", err)
	}
	if err := Golden(path, []byte("a\nb\n"), true); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		got, want string
	}{
		{"a\nb\n", ""},
		{"a\nc\n", "line 2 differs:\n got c\nwant b"},
		{"a\nb\nc\n", "line 3 differs:\n got c\nwant "},
		{"a\nb", "got 2 lines, want 3"},
	}
	for _, tt := range tests {
		err := Golden(path, []byte(tt.got), false)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("Golden(%q) = %v, want %q", tt.got, err, tt.want)
		}
	}
}

// FuzzParseRow protects the msgs.tsv row parser: no panic on any row,
// and a row it accepts fills in what it says.
func FuzzParseRow(f *testing.F) {
	f.Add("0\t4\t1795291995.620053\t10.0.0.3:55093\t10.0.0.2:179\t0\tKEEPALIVE\t19\t", []byte{0xFF, 0, 19, 4})
	f.Add("0\t1\t1.5\t[fd00::1]:179\t[fd00::2]:1\t3\tUPDATE\t23\t2/1", []byte{0xFF, 0, 23, 2})
	f.Add("0\t1\t\t\t\t\t\t\t", []byte{})
	f.Fuzz(func(t *testing.T, row string, data []byte) {
		m := Message{Data: data}
		if len(data) >= wire.HeaderLen {
			m.Type = wire.Type(data[18])
		}
		if err := parseRow(row, 0, &m); err != nil {
			return
		}
		if len(data) < wire.HeaderLen && m.Type != 0 || !m.Src.IsValid() || !m.Dst.IsValid() || !strings.HasSuffix(row, "\t"+m.EoR) {
			t.Fatalf("accepted %q as %+v", row, m)
		}
	})
}

func TestGoldenCaptures(t *testing.T) {
	golden := t.TempDir()
	render := func(t *testing.T, out []byte, m Message) []byte {
		return fmt.Appendf(out, "%d %v %s\n", m.Index, m.Type, m.Src)
	}
	GoldenCaptures(t, "testdata", golden, ".golden.txt", true, render)
	b, err := os.ReadFile(filepath.Join(golden, rr+".golden.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(b), "\n"); lines != 135 || !strings.HasPrefix(string(b), "0 open 10.0.0.3:55093\n") {
		t.Errorf("golden file: %d lines starting %.40q", lines, b)
	}
	GoldenCaptures(t, "testdata", golden, ".golden.txt", false, render)
}
