package bgpdump

import (
	"strconv"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/mrt/filter"
)

// prefixList walks a prefix list as bgpdump's read_prefix_list does: an
// optional 4-octet path identifier, a length in bits, the prefix octets;
// a prefix cut by the end of the list ends the walk (and is damage).
// With mask, host bits beyond the length are cleared, as upstream
// bgpdump does for UPDATE prefixes (bgpdump 1.6.2 does not).
type prefixList struct {
	s       stream
	addPath bool
	mask    bool
	id      uint32
	bits    byte
	addr    [16]byte
	cut     bool
}

func (p *prefixList) next() bool {
	if p.s.left() == 0 {
		return false
	}
	p.id = 0
	if p.addPath {
		p.id = p.s.getl()
	}
	p.bits = p.s.getc()
	n := (int(p.bits) + 7) / 8
	if p.s.left() < n {
		p.cut = true
		return false
	}
	p.addr = [16]byte{}
	copy(p.addr[:], p.s.b[p.s.pos:p.s.pos+min(n, 16)])
	p.s.pos += n
	if p.mask && p.bits < 128 {
		i := p.bits / 8
		p.addr[i] &= byte(uint16(0xFF00) >> (p.bits % 8))
		clear(p.addr[i+1:])
	}
	return true
}

// damaged reports a short or cut list.
func (p *prefixList) damaged() error {
	if p.cut {
		return ErrPrefixCut
	}
	if p.s.short {
		return ErrShortRecord
	}
	return nil
}

// tableDump prints a TABLE_DUMP record (table_line_mrtd_route).
func (d *Dumper) tableDump(dst []byte, rec *mrt.Record) []byte {
	n, asn := 4, 2
	switch rec.Subtype {
	case 1:
	case 2:
		n = 16
	case 3:
		asn = 4
	case 4:
		n, asn = 16, 4
	default:
		return dst
	}
	d.counts = true
	s := stream{b: rec.Body}
	s.skip(4) // view, sequence
	var prefix, peerIP [16]byte
	s.get(prefix[:], n)
	mask := s.getc()
	s.skip(1) // status
	originated := s.getl()
	s.get(peerIP[:], n)
	peerAS := s.asn(asn)
	if s.short {
		d.fail(ErrShortRecord)
	}
	d.decodeAttrs(&s, asn)
	// bgpdump formats as IPv6 only subtype 2 (its IPv6 4-octet AS
	// subtype prints the first four octets as IPv4).
	v6 := rec.Subtype == 2
	d.setTime(d.ribTime(rec, originated), 0, false)
	var peerText [64]byte
	d.setHead("TABLE_DUMP", "B", appendAddr(peerText[:0], peerIP[:], v6), peerAS)
	var nh [64]byte
	var nhText []byte
	if m := &d.a.announce[2][1]; d.a.has(codeMPReach) && m.present {
		nhText = appendIPv6(nh[:0], m.nh[:])
	} else {
		nhText = appendIPv4(nh[:0], d.a.nextHop[:])
	}
	d.setTail(nhText, false)
	if d.filter != nil {
		d.route = filter.Route{Kind: filter.RIB, Time: int64(rec.Timestamp), PeerIP: addrOf(peerIP[:], v6), PeerASN: peerAS,
			Prefix: prefixOf(&prefix, mask, v6), ASPath: d.path, Communities: d.a.comm, LargeCommunities: d.a.lcomm}
	}
	start := len(dst)
	dst = append(dst, d.head...)
	dst = appendPrefix(dst, prefix[:], mask, v6)
	dst = append(dst, '|')
	dst = append(dst, d.tail...)
	return d.emit(dst, start)
}

// ribTime is the time column of a RIB line: the record's, or with -t
// change the route's originated time.
func (d *Dumper) ribTime(rec *mrt.Record, originated uint32) uint32 {
	if d.changeTime {
		return originated
	}
	return rec.Timestamp
}

func appendAddr(dst []byte, a []byte, v6 bool) []byte {
	if v6 {
		return appendIPv6(dst, a)
	}
	return appendIPv4(dst, a)
}

// loadPeers reads a PEER_INDEX_TABLE as bgpdump does (a view name longer
// than 254 octets is not skipped, and the peer count is then read from
// it) and formats the peer addresses once.
func (d *Dumper) loadPeers(rec *mrt.Record) {
	s := stream{b: rec.Body}
	s.skip(4) // collector BGP ID
	if vl := int(s.getw()); vl+1 <= 255 {
		s.skip(vl)
	}
	count := int(s.getw())
	d.peers = d.peers[:0]
	var buf []byte
	for range count {
		typ := s.getc()
		s.skip(4) // peer BGP ID
		var ip [16]byte
		v6 := typ&mrt.PeerTypeIPv6 != 0
		if v6 {
			s.get(ip[:], 16)
		} else {
			s.get(ip[:], 4)
		}
		asn := 2
		if typ&mrt.PeerTypeAS4 != 0 {
			asn = 4
		}
		as := s.asn(asn)
		start := len(buf)
		buf = appendAddr(buf, ip[:], v6)
		d.peers = append(d.peers, peer{text: buf[start:len(buf):len(buf)], ip: addrOf(ip[:], v6), as: as})
	}
	// The texts were appended to one buffer that may have moved: point
	// them at its final storage.
	off := 0
	for i := range d.peers {
		n := len(d.peers[i].text)
		d.peers[i].text = buf[off : off+n : off+n]
		off += n
	}
	d.loaded = true
	if s.short {
		d.fail(ErrShortRecord)
	}
}

// rib prints a RIB_IPV4/IPV6_UNICAST(_ADDPATH) record
// (table_line_dump_v2_prefix), one line per entry.
func (d *Dumper) rib(dst []byte, rec *mrt.Record) []byte {
	addPath := rec.Subtype == mrt.RIBIPv4UnicastAddPath || rec.Subtype == mrt.RIBIPv6UnicastAddPath
	v6 := rec.Subtype == mrt.RIBIPv6Unicast || rec.Subtype == mrt.RIBIPv6UnicastAddPath
	s := stream{b: rec.Body}
	s.skip(4) // sequence
	bits := s.getc()
	var prefix [16]byte
	s.get(prefix[:], (int(bits)+7)/8)
	if !v6 {
		clear(prefix[4:])
	}
	count := int(s.getw())
	if s.short {
		d.fail(ErrShortRecord)
	}
	if count > 0 && !d.loaded {
		d.fail(ErrNoPeerIndex)
		return dst
	}
	d.counts = true
	format := "TABLE_DUMP2"
	if addPath {
		format = "TABLE_DUMP2_AP"
	}
	d.setTime(rec.Timestamp, 0, false)
	d.lastNH = d.lastNH[:0]
	for range count {
		idx := int(s.getw())
		originated := s.getl()
		var id uint32
		if addPath {
			id = s.getl()
		}
		d.decodeAttrs(&s, 4)
		if idx >= len(d.peers) {
			d.fail(ErrPeerIndex)
			continue
		}
		p := &d.peers[idx]
		if d.changeTime {
			d.setTime(originated, 0, false)
		}
		d.setHead(format, "B", p.text, p.as)
		d.setTail(d.nextHopV2(), false)
		if d.filter != nil {
			d.route = filter.Route{Kind: filter.RIB, Time: int64(rec.Timestamp), PeerIP: p.ip, PeerASN: p.as,
				Prefix: prefixOf(&prefix, bits, v6), ASPath: d.path, Communities: d.a.comm, LargeCommunities: d.a.lcomm}
		}
		start := len(dst)
		dst = append(dst, d.head...)
		dst = appendPrefix(dst, prefix[:], bits, v6)
		dst = append(dst, '|')
		if addPath {
			dst = strconv.AppendUint(dst, uint64(id), 10)
			dst = append(dst, '|')
		}
		dst = append(dst, d.tail...)
		dst = d.emit(dst, start)
	}
	if s.short {
		d.fail(ErrShortRecord)
	}
	return dst
}

// nextHopV2 is the next hop column of a TABLE_DUMP2 line: the MP next
// hop of IPv6 unicast (the RFC 6396 §4.3.4 form lands there), else of
// IPv4 unicast, else NEXT_HOP. For an MP next hop of another length than
// 4, 16 or 32 bgpdump prints whatever its buffer held: the previous
// entry's next hop; so does this.
func (d *Dumper) nextHopV2() []byte {
	var m *mpNLRI
	switch {
	case d.a.has(codeMPReach) && d.a.announce[2][1].present:
		m = &d.a.announce[2][1]
	case d.a.has(codeMPReach) && d.a.announce[1][1].present:
		m = &d.a.announce[1][1]
	default:
		d.lastNH = appendIPv4(d.lastNH[:0], d.a.nextHop[:])
		return d.lastNH
	}
	switch m.nhLen {
	case 4:
		d.lastNH = appendIPv4(d.lastNH[:0], m.nh[:])
	case 16, 32:
		d.lastNH = appendIPv6(d.lastNH[:0], m.nh[:])
	}
	return d.lastNH
}
