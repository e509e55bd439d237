package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// BGPPort is the TCP port BGP listens on (RFC 4271 §8.2.1).
const BGPPort = 179

// maxFrame bounds one captured frame (tcpdump's default snapshot length;
// an IP packet is at most 65535 octets plus the link header).
const maxFrame = 262144

// PcapOptions selects the TCP segments ReadPcapWith considers.
type PcapOptions struct {
	// AllPorts considers every TCP connection.
	AllPorts bool
	// Port is the port one side of the connection must use; 0 means
	// BGPPort (179).
	Port uint16
}

// ReadPcap reads a pcap or pcapng capture (gzip-compressed or not) and
// calls fn for each BGP message of the TCP connections on port 179, in
// capture order, then for the reports described in the package doc. It
// returns an error when the input is not a capture or cannot be read
// further (a file cut short still delivers what came before it); an error
// returned by fn stops the read and is returned as is.
func ReadPcap(r io.Reader, fn func(Message) error) error {
	return ReadPcapWith(r, PcapOptions{}, fn)
}

// ReadPcapWith is ReadPcap with a choice of TCP ports.
func ReadPcapWith(r io.Reader, opt PcapOptions, fn func(Message) error) error {
	if opt.Port == 0 {
		opt.Port = BGPPort
	}
	src, err := openCapture(r)
	if err != nil {
		return err
	}
	rd := newReassembler(opt, fn)
	for {
		data, ci, err := src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ferr := rd.finish(); ferr != nil {
				return ferr
			}
			return fmt.Errorf("capture: %s frame %d: %w", src.format(), rd.frame+1, err)
		}
		rd.frame++
		rd.now = ci.Timestamp
		if err := rd.packet(src.linkType(ci), data); err != nil {
			return err
		}
	}
	return rd.finish()
}

// source yields frames from either file format.
type source struct {
	pcap *pcapgo.Reader
	ng   *pcapgo.NgReader
}

func (s *source) next() ([]byte, gopacket.CaptureInfo, error) {
	if s.ng != nil {
		return s.ng.ReadPacketData()
	}
	return s.pcap.ZeroCopyReadPacketData()
}

func (s *source) format() string {
	if s.ng != nil {
		return "pcapng"
	}
	return "pcap"
}

func (s *source) linkType(ci gopacket.CaptureInfo) layers.LinkType {
	if s.ng != nil {
		if len(ci.AncillaryData) > 0 {
			if lt, ok := ci.AncillaryData[0].(layers.LinkType); ok {
				return lt
			}
		}
		return s.ng.LinkType()
	}
	return s.pcap.LinkType()
}

// File magics: pcap (µs and ns, both byte orders), pcapng SHB, gzip.
const (
	magicPcapUS   = 0xa1b2c3d4
	magicPcapNS   = 0xa1b23c4d
	magicPcapng   = 0x0a0d0d0a
	magicGzipHigh = 0x1f8b
)

// openCapture detects the format from the first four octets.
func openCapture(r io.Reader) (*source, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	for range 2 { // at most one gzip layer
		head, err := br.Peek(4)
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil, errors.New("capture: input too short for a capture file")
			}
			return nil, fmt.Errorf("capture: %w", err)
		}
		be, le := binary.BigEndian.Uint32(head), binary.LittleEndian.Uint32(head)
		switch {
		case be == magicPcapng:
			ng, err := pcapgo.NewNgReader(newNgCheck(br), pcapgo.NgReaderOptions{WantMixedLinkType: true})
			if err != nil {
				return nil, fmt.Errorf("capture: pcapng: %w", err)
			}
			return &source{ng: ng}, nil
		case be == magicPcapUS || le == magicPcapUS || be == magicPcapNS || le == magicPcapNS:
			p, err := pcapgo.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("capture: pcap: %w", err)
			}
			// pcapgo sizes its frame buffer by the header's snapshot
			// length: bound it.
			if s := p.Snaplen(); s == 0 || s > maxFrame {
				p.SetSnaplen(maxFrame)
			}
			return &source{pcap: p}, nil
		case binary.BigEndian.Uint16(head) == magicGzipHigh:
			zr, err := gzip.NewReader(br)
			if err != nil {
				return nil, fmt.Errorf("capture: gzip: %w", err)
			}
			br = bufio.NewReaderSize(zr, 64<<10)
			continue
		}
		break
	}
	return nil, errors.New("capture: not a pcap or pcapng file")
}

// Link types gopacket has no constant for. gopacket's LinkType is one
// octet, so LINKTYPE_LINUX_SLL2 (276) reaches us as 276 mod 256 = 20, a
// value no other link type uses.
const (
	linkTypeLinuxSLL2 layers.LinkType = 276 & 0xFF
	linkTypeIPv4      layers.LinkType = 228
	linkTypeIPv6      layers.LinkType = 229
	linkTypeRawAlt1   layers.LinkType = 12 // DLT_RAW on some BSDs
	linkTypeRawAlt2   layers.LinkType = 14
)

// network strips the link header and returns the IP packet, or nil.
func (rd *reassembler) network(lt layers.LinkType, data []byte) []byte {
	var etype layers.EthernetType
	switch lt {
	case layers.LinkTypeEthernet:
		if rd.eth.DecodeFromBytes(data, gopacket.NilDecodeFeedback) != nil {
			return nil
		}
		etype, data = rd.eth.EthernetType, rd.eth.Payload
		for range 4 { // 802.1Q / 802.1ad tags, possibly stacked
			if etype != layers.EthernetTypeDot1Q && etype != layers.EthernetTypeQinQ {
				break
			}
			if rd.dot1q.DecodeFromBytes(data, gopacket.NilDecodeFeedback) != nil {
				return nil
			}
			etype, data = rd.dot1q.Type, rd.dot1q.Payload
		}
	case layers.LinkTypeLinuxSLL:
		// Parsed by hand: gopacket's LinuxSLL slices by an unchecked
		// address length. Layout: type(2) arphrd(2) addrlen(2) addr(8) proto(2).
		if len(data) < 16 {
			return nil
		}
		etype, data = layers.EthernetType(binary.BigEndian.Uint16(data[14:])), data[16:]
	case linkTypeLinuxSLL2:
		// proto(2) reserved(2) ifindex(4) arphrd(2) type(1) addrlen(1) addr(8).
		if len(data) < 20 {
			return nil
		}
		etype, data = layers.EthernetType(binary.BigEndian.Uint16(data)), data[20:]
	case layers.LinkTypeNull, layers.LinkTypeLoop:
		if rd.loop.DecodeFromBytes(data, gopacket.NilDecodeFeedback) != nil {
			return nil
		}
		return rd.loop.Payload // AF_INET6 differs per OS: go by the IP version
	case layers.LinkTypeRaw, linkTypeIPv4, linkTypeIPv6, linkTypeRawAlt1, linkTypeRawAlt2:
		return data
	default:
		return nil
	}
	if etype != layers.EthernetTypeIPv4 && etype != layers.EthernetTypeIPv6 {
		return nil
	}
	return data
}

// packet decodes one frame down to TCP and feeds the reassembler.
func (rd *reassembler) packet(lt layers.LinkType, data []byte) error {
	ip := rd.network(lt, data)
	if len(ip) == 0 {
		return nil
	}
	var src, dst netip.Addr
	var seg []byte // TCP header and payload as captured
	lost := 0      // octets of the IP packet cut by the snapshot length
	switch ip[0] >> 4 {
	case 4:
		if len(ip) >= 4 {
			lost = int(binary.BigEndian.Uint16(ip[2:])) - len(ip)
		}
		if rd.ip4.DecodeFromBytes(ip, gopacket.NilDecodeFeedback) != nil ||
			rd.ip4.Protocol != layers.IPProtocolTCP ||
			rd.ip4.Flags&layers.IPv4MoreFragments != 0 || rd.ip4.FragOffset != 0 {
			return nil
		}
		src, dst = netip.AddrFrom4([4]byte(rd.ip4.SrcIP)), netip.AddrFrom4([4]byte(rd.ip4.DstIP))
		seg = rd.ip4.Payload
	case 6:
		if len(ip) >= 6 {
			lost = int(binary.BigEndian.Uint16(ip[4:])) + 40 - len(ip)
		}
		if rd.ip6.DecodeFromBytes(ip, gopacket.NilDecodeFeedback) != nil {
			return nil
		}
		src, dst = netip.AddrFrom16([16]byte(rd.ip6.SrcIP)), netip.AddrFrom16([16]byte(rd.ip6.DstIP))
		next := rd.ip6.NextHeader
		if rd.ip6.HopByHop != nil {
			next = rd.ip6.HopByHop.NextHeader
		}
		seg = ipv6Transport(next, rd.ip6.Payload)
		if seg == nil {
			return nil
		}
	default:
		return nil
	}
	if lost < 0 {
		lost = 0
	}
	return rd.tcpSegment(src, dst, seg, lost)
}

// ipv6Transport skips IPv6 extension headers (RFC 8200 §4) and returns
// the TCP segment, or nil for fragments and other protocols.
func ipv6Transport(next layers.IPProtocol, p []byte) []byte {
	for range 8 {
		switch next {
		case layers.IPProtocolTCP:
			return p
		case layers.IPProtocolIPv6Routing, layers.IPProtocolIPv6Destination, layers.IPProtocolIPv6HopByHop:
			if len(p) < 8 {
				return nil
			}
			n := (int(p[1]) + 1) * 8
			if n > len(p) {
				return nil
			}
			next, p = layers.IPProtocol(p[0]), p[n:]
		case layers.IPProtocolAH: // RFC 4302 §2.2: length in 4-octet units, minus 2
			if len(p) < 8 {
				return nil
			}
			n := (int(p[1]) + 2) * 4
			if n > len(p) {
				return nil
			}
			next, p = layers.IPProtocol(p[0]), p[n:]
		default:
			return nil
		}
	}
	return nil
}

// tcpSegment decodes the TCP header (RFC 9293 §3.1) and hands the segment
// to its half-connection. lost is how many octets of the segment the
// snapshot length cut.
func (rd *reassembler) tcpSegment(src, dst netip.Addr, seg []byte, lost int) error {
	if len(seg) < 20 {
		return nil
	}
	t := &rd.tcp
	var payload []byte
	if err := t.DecodeFromBytes(seg, gopacket.NilDecodeFeedback); err == nil {
		payload = t.Payload
	} else {
		// Malformed options or a header cut by the snapshot length: the
		// fixed fields were decoded; go by the data offset.
		if t.DataOffset < 5 {
			return nil
		}
		off := int(t.DataOffset) * 4
		if off <= len(seg) {
			payload = seg[off:]
		} else {
			lost -= off - len(seg)
			if lost < 0 {
				lost = 0
			}
		}
	}
	sp, dp := uint16(t.SrcPort), uint16(t.DstPort)
	if !rd.opt.AllPorts && sp != rd.opt.Port && dp != rd.opt.Port {
		return nil
	}
	return rd.segment(segment{
		src: netip.AddrPortFrom(src, sp), dst: netip.AddrPortFrom(dst, dp),
		seq: t.Seq, ack: t.Ack,
		syn: t.SYN, fin: t.FIN, rst: t.RST, hasAck: t.ACK,
		data: payload, lost: lost,
	})
}

// segment is one decoded TCP segment; data aliases the frame.
type segment struct {
	src, dst      netip.AddrPort
	seq, ack      uint32
	syn, fin, rst bool
	hasAck        bool
	data          []byte
	lost          int
}
