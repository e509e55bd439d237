package capture

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket/layers"
)

// exchange is a small IPv4 or IPv6 session: handshake, then one
// KEEPALIVE each way.
func exchange(a, b string) []seg {
	return []seg{
		{from: a, to: b, seq: 10, flags: "S"},
		{from: b, to: a, seq: 20, ack: 11, flags: "SA"},
		{from: a, to: b, seq: 11, ack: 21, flags: "PA", data: keepalive()},
		{from: b, to: a, seq: 21, ack: 30, flags: "PA", data: keepalive()},
	}
}

func TestLinkTypes(t *testing.T) {
	v4 := exchange("192.0.2.1:50000", "192.0.2.2:179")
	v6 := exchange("[2001:db8::1]:50000", "[2001:db8::2]:179")
	vlan := func(f []byte) []byte { // insert an 802.1Q tag (VLAN 100) after the MACs
		return cat(f[:12], []byte{0x81, 0x00, 0x00, 100}, f[12:])
	}
	tests := []struct {
		name string
		file []byte
		src  string
	}{
		{"ethernet ipv4", pcapOf(t, layers.LinkTypeEthernet, v4...), "192.0.2.1:50000"},
		{"ethernet ipv6", pcapOf(t, layers.LinkTypeEthernet, v6...), "[2001:db8::1]:50000"},
		{"linux sll", pcapOf(t, layers.LinkTypeLinuxSLL, v4...), "192.0.2.1:50000"},
		{"linux sll2", pcapOf(t, linkTypeLinuxSLL2, v6...), "[2001:db8::1]:50000"},
		{"null loopback ipv4", pcapOf(t, layers.LinkTypeNull, v4...), "192.0.2.1:50000"},
		{"null loopback ipv6", pcapOf(t, layers.LinkTypeNull, v6...), "[2001:db8::1]:50000"},
		{"raw ip", pcapOf(t, layers.LinkTypeRaw, v6...), "[2001:db8::1]:50000"},
		{"pcapng", pcapngOf(t, layers.LinkTypeEthernet, v4...), "192.0.2.1:50000"},
		{"vlan", rewriteFrames(t, pcapOf(t, layers.LinkTypeEthernet, v4...), vlan), "192.0.2.1:50000"},
		{"gzip pcapng", gzipped(t, pcapngOf(t, layers.LinkTypeEthernet, v4...)), "192.0.2.1:50000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, tt.file, PcapOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("%d messages, want 2: %v", len(got), got)
			}
			src := netip.MustParseAddrPort(tt.src)
			if got[0].Src != src || got[1].Dst != src || got[0].Frame != 3 || got[1].Frame != 4 ||
				!bytes.Equal(got[0].Data, keepalive()) || got[0].Err != nil || got[1].Err != nil {
				t.Errorf("got %s / %s", summary(got[0]), summary(got[1]))
			}
			if want := base.Add(3 * time.Millisecond); !got[1].Time.Equal(want) {
				t.Errorf("time %v, want %v", got[1].Time, want)
			}
		})
	}
}

// rewriteFrames applies f to every frame of a classic pcap file written
// by pcapOf (nanosecond magic, little endian).
func rewriteFrames(t *testing.T, file []byte, f func([]byte) []byte) []byte {
	t.Helper()
	le := func(b []byte) int { return int(b[0]) | int(b[1])<<8 | int(b[2])<<16 | int(b[3])<<24 }
	put := func(b []byte, v int) { b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24) }
	out := append([]byte(nil), file[:24]...)
	for p := file[24:]; len(p) >= 16; {
		n := le(p[8:])
		hdr := append([]byte(nil), p[:16]...)
		frame := f(append([]byte(nil), p[16:16+n]...))
		put(hdr[8:], len(frame))
		put(hdr[12:], len(frame))
		out = append(append(out, hdr...), frame...)
		p = p[16+n:]
	}
	return out
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestFileErrors(t *testing.T) {
	good := pcapOf(t, layers.LinkTypeEthernet, exchange("192.0.2.1:50000", "192.0.2.2:179")...)
	tests := []struct {
		name    string
		file    []byte
		msgs    int
		errText string
	}{
		{"empty", nil, 0, "too short"},
		{"text", []byte("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304\n"), 0, "not a pcap or pcapng"},
		{"bad gzip", []byte{0x1f, 0x8b, 0, 0, 0, 0}, 0, "gzip"},
		// Cut inside the fourth record: the first KEEPALIVE still comes out.
		{"cut short", good[:len(good)-10], 1, "frame 4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, tt.file, PcapOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("error %v, want one containing %q", err, tt.errText)
			}
			if len(got) != tt.msgs {
				t.Errorf("%d messages, want %d", len(got), tt.msgs)
			}
		})
	}
}

func TestCallbackErrorStops(t *testing.T) {
	file := pcapOf(t, layers.LinkTypeEthernet, exchange("192.0.2.1:50000", "192.0.2.2:179")...)
	stop := errors.New("stop")
	n := 0
	err := ReadPcap(bytes.NewReader(file), func(Message) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("err %v after %d calls, want stop after 1", err, n)
	}
}

// TestOutOfOrderLimit holds more than MaxBuffered bytes behind a hole:
// the hole is declared lost before the end of the capture, and every
// message not touched by it comes out.
func TestOutOfOrderLimit(t *testing.T) {
	var stream []byte
	var msgs int
	for len(stream) < MaxBuffered+200_000 {
		stream = append(stream, update(4000)...)
		msgs++
	}
	const chunk = 60_000
	segs := handshake()
	for off := 0; off < len(stream); off += chunk {
		if off == chunk {
			continue // the hole: octets 60000-119999 never captured
		}
		segs = append(segs, a2b(off, stream[off:min(off+chunk, len(stream))]))
	}
	last := len(segs)
	got, err := collect(t, pcapOf(t, layers.LinkTypeEthernet, segs...), PcapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var gaps []Message
	n := 0
	for _, m := range got {
		if m.Err != nil {
			gaps = append(gaps, m)
			continue
		}
		n++
	}
	if len(gaps) != 1 || !errors.Is(gaps[0].Err, ErrGap) || gaps[0].Frame >= last {
		t.Fatalf("want one gap before frame %d, got %v", last, gaps)
	}
	// Messages 0-14 end before octet 60000; 15 starts at 60000; 30 ends
	// after 120000 (4000-octet messages): 15 through 29 are lost.
	if lost := msgs - n; lost != 15 {
		t.Errorf("%d messages lost, want 15 (%v)", lost, gaps[0].Err)
	}
	if want := fmt.Sprintf("%d bytes not captured", chunk); !strings.Contains(gaps[0].Err.Error(), want) {
		t.Errorf("report %q does not say %q", gaps[0].Err, want)
	}
}

// TestTestdataGzip reads the testdata capture compressed.
func TestTestdataGzip(t *testing.T) {
	b, err := os.ReadFile("testdata/exabgp-frr-notification-hold-timer-expired.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	got, err := collect(t, gzipped(t, b), PcapOptions{})
	if err != nil || len(got) != 19 {
		t.Fatalf("%d messages, %v", len(got), err)
	}
}
