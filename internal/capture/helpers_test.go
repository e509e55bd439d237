package capture

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"

	"github.com/ze-bgp/ze/speaker/wire"
)

// seg describes one hand-made TCP segment.
type seg struct {
	from, to string // "10.0.0.1:179"
	seq, ack uint32
	flags    string // any of S A F R P
	data     []byte
	snap     int           // > 0: keep only this many octets of the frame
	at       time.Duration // capture time after base; 0 means frame order in ms
}

var base = time.Unix(1700000000, 0).UTC()

// msg builds a BGP message of type t with the given body.
func msg(t wire.Type, body ...byte) []byte {
	b := wire.AppendHeader(nil, t)
	b = append(b, body...)
	wire.SetLength(b)
	return b
}

// keepalive is a 19-octet KEEPALIVE.
func keepalive() []byte { return wire.AppendKeepalive(nil) }

// update is an UPDATE of total length n (n >= 23): withdrawn length 0,
// attribute length 0, then n-23 octets of NLRI filler.
func update(n int) []byte {
	body := make([]byte, n-19)
	for i := 4; i < len(body); i++ {
		body[i] = byte(i)
	}
	return msg(wire.TypeUpdate, body...)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// ipTCP serializes the IP and TCP layers of s.
func ipTCP(t testing.TB, s seg) (gopacket.SerializeBuffer, bool) {
	t.Helper()
	src, dst := netip.MustParseAddrPort(s.from), netip.MustParseAddrPort(s.to)
	tcp := &layers.TCP{SrcPort: layers.TCPPort(src.Port()), DstPort: layers.TCPPort(dst.Port()),
		Seq: s.seq, Ack: s.ack, Window: 65535}
	for _, f := range s.flags {
		switch f {
		case 'S':
			tcp.SYN = true
		case 'A':
			tcp.ACK = true
		case 'F':
			tcp.FIN = true
		case 'R':
			tcp.RST = true
		case 'P':
			tcp.PSH = true
		}
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	var ip gopacket.SerializableLayer
	if src.Addr().Is4() {
		ip4 := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP,
			SrcIP: net.IP(src.Addr().AsSlice()), DstIP: net.IP(dst.Addr().AsSlice())}
		_ = tcp.SetNetworkLayerForChecksum(ip4)
		ip = ip4
	} else {
		ip6 := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolTCP,
			SrcIP: net.IP(src.Addr().AsSlice()), DstIP: net.IP(dst.Addr().AsSlice())}
		_ = tcp.SetNetworkLayerForChecksum(ip6)
		ip = ip6
	}
	if err := gopacket.SerializeLayers(buf, opts, ip, tcp, gopacket.Payload(s.data)); err != nil {
		t.Fatal(err)
	}
	return buf, src.Addr().Is4()
}

// frameOf builds the frame of s for link type lt.
func frameOf(t testing.TB, lt layers.LinkType, s seg) []byte {
	t.Helper()
	buf, v4 := ipTCP(t, s)
	ip := append([]byte(nil), buf.Bytes()...)
	etype := uint16(layers.EthernetTypeIPv4)
	if !v4 {
		etype = uint16(layers.EthernetTypeIPv6)
	}
	switch lt {
	case layers.LinkTypeEthernet:
		eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1}, DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2},
			EthernetType: layers.EthernetType(etype)}
		out := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(out, gopacket.SerializeOptions{}, eth, gopacket.Payload(ip)); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	case layers.LinkTypeLinuxSLL:
		// packet type(2) ARPHRD(2) address length(2) address(8) protocol(2)
		h := []byte{0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, byte(etype >> 8), byte(etype)}
		return append(h, ip...)
	case linkTypeLinuxSLL2:
		// protocol(2) reserved(2) ifindex(4) ARPHRD(2) packet type(1) address length(1) address(8)
		h := []byte{byte(etype >> 8), byte(etype), 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0}
		return append(h, ip...)
	case layers.LinkTypeNull:
		fam := byte(2) // AF_INET, host byte order (little endian here)
		if !v4 {
			fam = 30 // AF_INET6 on macOS
		}
		return append([]byte{fam, 0, 0, 0}, ip...)
	case layers.LinkTypeRaw:
		return ip
	}
	t.Fatalf("no builder for link type %v", lt)
	return nil
}

// captureInfo is the pcap record header for frame i of s.
func captureInfo(i int, s seg, frame []byte) (gopacket.CaptureInfo, []byte) {
	at := s.at
	if at == 0 {
		at = time.Duration(i) * time.Millisecond
	}
	ci := gopacket.CaptureInfo{Timestamp: base.Add(at), CaptureLength: len(frame), Length: len(frame)}
	if s.snap > 0 && s.snap < len(frame) {
		frame = frame[:s.snap]
		ci.CaptureLength = s.snap
	}
	return ci, frame
}

// pcapOf writes segs as a classic pcap file.
func pcapOf(t testing.TB, lt layers.LinkType, segs ...seg) []byte {
	t.Helper()
	var out bytes.Buffer
	w := pcapgo.NewWriterNanos(&out)
	if err := w.WriteFileHeader(65536*4, lt); err != nil {
		t.Fatal(err)
	}
	for i, s := range segs {
		ci, f := captureInfo(i, s, frameOf(t, lt, s))
		if err := w.WritePacket(ci, f); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

// pcapngOf writes segs as a pcapng file.
func pcapngOf(t testing.TB, lt layers.LinkType, segs ...seg) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := pcapgo.NewNgWriter(&out, lt)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range segs {
		ci, f := captureInfo(i, s, frameOf(t, lt, s))
		if err := w.WritePacket(ci, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// summary is one line per Message, for table comparisons:
// "msg <index> f<frame> s<stream> <src>><dst> <len>" or
// "err <reason> f<frame> s<stream> <len(Data)>".
func summary(m Message) string {
	if m.Err != nil {
		reason := "?"
		for _, r := range []error{ErrNotBGP, ErrMidStream, ErrGap, ErrTruncated} {
			if errors.Is(m.Err, r) {
				reason = map[error]string{ErrNotBGP: "notbgp", ErrMidStream: "midstream", ErrGap: "gap", ErrTruncated: "truncated"}[r]
			}
		}
		return fmt.Sprintf("err %s f%d s%d %d", reason, m.Frame, m.Stream, len(m.Data))
	}
	return fmt.Sprintf("msg %d f%d s%d %s>%s %d", m.Index, m.Frame, m.Stream, m.Src, m.Dst, len(m.Data))
}

// collect reads a capture and returns copies of its messages.
func collect(t testing.TB, file []byte, opt PcapOptions) ([]Message, error) {
	t.Helper()
	var out []Message
	err := ReadPcapWith(bytes.NewReader(file), opt, func(m Message) error {
		m.Data = append([]byte(nil), m.Data...)
		out = append(out, m)
		return nil
	})
	return out, err
}
