package capture

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/google/gopacket/layers"
)

// ngBlock builds a little-endian pcapng block: type(4) length(4) body
// length(4), the body padded to 4 octets.
func ngBlock(typ uint32, body ...[]byte) []byte {
	b := cat(body...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	n := uint32(12 + len(b))
	out := binary.LittleEndian.AppendUint32(nil, typ)
	out = binary.LittleEndian.AppendUint32(out, n)
	out = append(out, b...)
	return binary.LittleEndian.AppendUint32(out, n)
}

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// shb: byte-order magic, version 1.0, section length -1, no options.
var shb = ngBlock(ngSHB, le32(ngByteOrderMagic), le16(1), le16(0), bytes.Repeat([]byte{0xFF}, 8))

// idb: Ethernet, snaplen 65535, then options.
func idb(opts ...[]byte) []byte {
	return ngBlock(ngIDB, le16(uint16(layers.LinkTypeEthernet)), le16(0), le32(65535), cat(opts...))
}

// epb: interface 0, time 0, captured and original lengths, data.
func epb(caplen, origlen uint32, data []byte) []byte {
	return ngBlock(ngEPB, le32(0), le32(0), le32(0), le32(caplen), le32(origlen), data)
}

func TestNgCheck(t *testing.T) {
	frame := frameOf(t, layers.LinkTypeEthernet, seg{from: hostA, to: hostB, seq: 1, flags: "PA", data: keepalive()})
	n := uint32(len(frame))
	tsresol := func(v byte) []byte { return cat(le16(ngOptTSResol), le16(1), []byte{v, 0, 0, 0}) }
	tests := []struct {
		name    string
		file    []byte
		msgs    int
		errText string // "" for no error
	}{
		{"valid", cat(shb, idb(), epb(n, n, frame)), 1, ""},
		{"nanosecond resolution", cat(shb, idb(tsresol(9)), epb(n, n, frame)), 1, ""},
		{"end of options", cat(shb, idb(le32(0)), epb(n, n, frame)), 1, ""},
		// pcapgo divides by 10^127 mod 2^64 = 0 for this one.
		{"resolution overflows", cat(shb, idb(tsresol(127)), epb(n, n, frame)), 0, "if_tsresol"},
		{"binary resolution overflows", cat(shb, idb(tsresol(0x80|64)), epb(n, n, frame)), 0, "if_tsresol"},
		// pcapgo would allocate 4 GiB before noticing.
		{"captured length beyond block", cat(shb, idb(), epb(0xFFFFFFF0, n, frame)), 0, "bad captured length"},
		{"option overruns block", cat(shb, idb(cat(le16(2), le16(200), []byte("eth0"))), epb(n, n, frame)), 0, "overruns"},
		{"first block not a section header", cat(idb(), shb), 0, "not a pcap or pcapng"},
		{"lengths differ", cat(shb[:len(shb)-4], le32(99)), 0, "lengths differ"},
		{"short block length", cat(shb, ngBlock(7)[:4], le32(8), le32(8)), 0, "bad block length"},
		{"packet before interface", cat(shb, ngBlock(ngSPB, le32(n), frame)), 0, "simple packet"},
		{"simple packet", cat(shb, idb(), ngBlock(ngSPB, le32(n), frame)), 1, ""},
		{"cut inside a block", cat(shb, idb(), epb(n, n, frame))[:len(shb)+30], 0, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := collect(t, tt.file, PcapOptions{})
			switch {
			case tt.errText == "" && err != nil:
				t.Fatal(err)
			case tt.errText != "" && (err == nil || !strings.Contains(err.Error(), tt.errText)):
				t.Fatalf("error %v, want one containing %q", err, tt.errText)
			}
			if len(got) != tt.msgs {
				t.Errorf("%d messages, want %d", len(got), tt.msgs)
			}
		})
	}
}

// TestPcapHugeSnaplen: a pcap header's snapshot length sizes pcapgo's
// frame buffer; a huge one must not become a huge allocation, and a huge
// record length is an error.
func TestPcapHugeSnaplen(t *testing.T) {
	hdr := cat(le32(0xa1b2c3d4), le16(2), le16(4), le32(0), le32(0), le32(0xFFFFFFFF), le32(1))
	rec := cat(le32(0), le32(0), le32(0x7FFFFFFF), le32(0x7FFFFFFF))
	_, err := collect(t, cat(hdr, rec), PcapOptions{})
	if err == nil || !strings.Contains(err.Error(), "snap length") {
		t.Errorf("error %v, want a snap length error", err)
	}
}

// TestLinuxSLLLongAddress: gopacket's LinuxSLL would slice past the
// frame for an address length over 10; ours reads the fixed layout.
func TestLinuxSLLLongAddress(t *testing.T) {
	file := pcapOf(t, layers.LinkTypeLinuxSLL, exchange("192.0.2.1:50000", "192.0.2.2:179")...)
	file = rewriteFrames(t, file, func(f []byte) []byte { f[4], f[5] = 0xFF, 0xFF; return f })
	got, err := collect(t, file, PcapOptions{})
	if err != nil || len(got) != 2 {
		t.Errorf("%d messages, %v", len(got), err)
	}
}
