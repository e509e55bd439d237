package capture

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket/layers"

	"github.com/ze-bgp/ze/speaker/wire"
)

// FuzzParseHexLine protects the hex tokenizer (0x prefixes, separators,
// odd digit counts) and the missing-marker rule from panics, and checks
// that parsing is idempotent: the upper-case hex of a result parses back
// to the same bytes.
func FuzzParseHexLine(f *testing.F) {
	for _, s := range []string{kaHex, "001304", "0x", "0x0x", "ff:0xff, -", "0017 05 0001 00 01", "FFF", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		b, err := ParseHexLine(line)
		if err != nil {
			return
		}
		again, err := ParseHexLine(strings.ToUpper(hex.EncodeToString(b)))
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("%q → %X → %X, %v", line, b, again, err)
		}
	})
}

// FuzzReadHex protects the line reader and the per-line framing: no
// panic, and every message it returns is exactly one framed message.
func FuzzReadHex(f *testing.F) {
	f.Add(kaHex + "\n# c\n\n" + kaHex + kaHex + "\n001304\n")
	f.Add("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0005040000\n0102\n" + kaHex + "FF")
	f.Fuzz(func(t *testing.T, text string) {
		next := 0
		_ = ReadHex(strings.NewReader(text), func(m Message) error {
			checkMessage(t, m, &next)
			return nil
		})
	})
}

// FuzzReadPcap protects the capture reader (format detection, the pcapng
// block checks in front of pcapgo, link/IP/TCP decoding, reassembly and
// resynchronisation) from panics and hangs, and checks that every message
// it returns is exactly one framed BGP message.
func FuzzReadPcap(f *testing.F) {
	if b, err := os.ReadFile("testdata/exabgp-frr-notification-hold-timer-expired.pcapng"); err == nil {
		f.Add(b)
	}
	m1, m2 := update(40), keepalive()
	f.Add(pcapOf(f, layers.LinkTypeEthernet, withHS(a2b(40, m2), a2b(0, cat(m1, m2[:5])), a2b(5+40, m2[5:]))...))
	f.Add(pcapOf(f, layers.LinkTypeLinuxSLL, exchange("192.0.2.1:50000", "192.0.2.2:179")...))
	f.Add(pcapngOf(f, layers.LinkTypeNull, exchange("[2001:db8::1]:50000", "[2001:db8::2]:179")...))
	f.Add(pcapOf(f, layers.LinkTypeRaw, seg{from: hostA, to: hostB, seq: 7, flags: "PA", data: []byte("garbage on port 179")}))
	f.Fuzz(func(t *testing.T, file []byte) {
		for _, opt := range []PcapOptions{{}, {AllPorts: true}} {
			next := 0
			_ = ReadPcapWith(bytes.NewReader(file), opt, func(m Message) error {
				checkMessage(t, m, &next)
				return nil
			})
		}
	})
}

// checkMessage verifies one Message: a message is one whole framed BGP
// message with the next index; a report has index -1 and a reason.
func checkMessage(t *testing.T, m Message, next *int) {
	t.Helper()
	if m.Err != nil {
		if m.Index != -1 || len(m.Data) > wire.MaxExtendedLen {
			t.Fatalf("bad report: index %d, %d bytes, %v", m.Index, len(m.Data), m.Err)
		}
		return
	}
	if m.Index != *next {
		t.Fatalf("index %d, want %d", m.Index, *next)
	}
	*next++
	if len(m.Data) < wire.HeaderLen || !markerPrefix(m.Data) ||
		int(binary.BigEndian.Uint16(m.Data[16:])) != len(m.Data) {
		t.Fatalf("not one framed message: %X", m.Data)
	}
}

// FuzzReassembly protects the TCP reassembly (out-of-order, duplicate and
// overlapping segments, sequence wrap, holes, FIN, RST, acknowledged
// holes) with two properties. Each 4-octet group of the input is one
// segment: start offset (2), length (1), flags (1: bit 1 drop it, bit 2
// FIN, bit 3 RST, bit 4 an acknowledgement from the peer up to the start
// two seconds later, bit 5 the second half cut by the snapshot length).
// Without bits 2-5, a final segment carries everything: the messages must
// come out whole, once each, in stream order, with no report. With them,
// what comes out must be a subsequence of the messages (the stream has no
// false marker, so resynchronisation can only land on a real header).
func FuzzReassembly(f *testing.F) {
	f.Add(uint32(0), []byte{0, 0, 19, 0, 0, 19, 40, 0})
	f.Add(uint32(0xFFFFFF00), []byte{0, 50, 100, 0, 0, 0, 60, 0, 0, 20, 200, 0, 0, 0, 255, 2})
	f.Add(uint32(7), []byte{0, 0, 30, 0, 0, 60, 100, 32, 0, 200, 10, 16, 1, 0, 100, 4})
	f.Fuzz(func(t *testing.T, isn uint32, spec []byte) {
		msgs := [][]byte{keepalive(), update(40), update(100), msg(3, 6, 2), update(23), keepalive(), update(200)}
		stream := cat(msgs...)
		a, b := netip.MustParseAddrPort(hostA), netip.MustParseAddrPort(hostB)
		chaos := false
		for i := 0; i+4 <= len(spec); i += 4 {
			chaos = chaos || spec[i+3]&0x3C != 0
		}
		var got [][]byte
		rd := newReassembler(PcapOptions{}, func(m Message) error {
			if m.Err != nil {
				if !chaos {
					t.Fatalf("report: %v", m.Err)
				}
				return nil
			}
			got = append(got, append([]byte(nil), m.Data...))
			return nil
		})
		feed := func(s segment) {
			rd.frame++
			rd.now = rd.now.Add(time.Millisecond)
			if err := rd.segment(s); err != nil {
				t.Fatal(err)
			}
		}
		feed(segment{src: a, dst: b, seq: isn, syn: true})
		for i := 0; i+4 <= len(spec) && i < 4*200; i += 4 {
			start := int(binary.BigEndian.Uint16(spec[i:])) % len(stream)
			end := min(start+int(spec[i+2]), len(stream))
			fl := spec[i+3]
			if fl&2 != 0 {
				continue
			}
			seq := isn + 1 + uint32(start)
			if fl&16 != 0 {
				rd.now = rd.now.Add(2 * time.Second)
				feed(segment{src: b, dst: a, seq: 1, hasAck: true, ack: seq})
				continue
			}
			data, lost := stream[start:end], 0
			if fl&32 != 0 {
				data, lost = data[:len(data)/2], len(data)-len(data)/2
			}
			feed(segment{src: a, dst: b, seq: seq, hasAck: true, data: data, lost: lost, fin: fl&4 != 0, rst: fl&8 != 0})
		}
		feed(segment{src: a, dst: b, seq: isn + 1, hasAck: true, data: stream}) // everything, at last
		if err := rd.finish(); err != nil {
			t.Fatal(err)
		}
		if chaos {
			j := 0
			for _, m := range got {
				for j < len(msgs) && !bytes.Equal(m, msgs[j]) {
					j++
				}
				if j == len(msgs) {
					t.Fatalf("message %X is not the next of the stream", m)
				}
				j++
			}
			return
		}
		if len(got) != len(msgs) {
			t.Fatalf("%d messages, want %d", len(got), len(msgs))
		}
		for i := range msgs {
			if !bytes.Equal(got[i], msgs[i]) {
				t.Fatalf("message %d: %X, want %X", i, got[i], msgs[i])
			}
		}
	})
}
