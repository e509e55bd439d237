package bgpdump

import (
	"strconv"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/mrt/filter"
)

// bgp4mp prints a BGP4MP or BGP4MP_ET record: state changes and UPDATE
// messages (other messages print nothing, as in bgpdump).
func (d *Dumper) bgp4mp(dst []byte, rec *mrt.Record) []byte {
	et := rec.Type == mrt.TypeBGP4MPET
	switch rec.Subtype {
	case mrt.BGP4MPStateChange, mrt.BGP4MPStateChangeAS4:
		return d.stateChange(dst, rec, et)
	case mrt.BGP4MPMessage, mrt.BGP4MPMessageAS4, mrt.BGP4MPMessageLocal, mrt.BGP4MPMessageAS4Local,
		mrt.BGP4MPMessageAddPath, mrt.BGP4MPMessageAS4AddPath, mrt.BGP4MPMessageLocalAddPath,
		mrt.BGP4MPMessageAS4LocalAddPath:
		d.counts = true // unless message finds what bgpdump refuses
		return d.message(dst, rec, et)
	}
	return dst
}

// stateChange prints "BGP4MP|TIME|STATE|PEER|AS|OLD|NEW". bgpdump
// accepts only the lengths of the RFC 6396 layout (and Zebra's 8-octet
// form); other lengths print nothing.
func (d *Dumper) stateChange(dst []byte, rec *mrt.Record, et bool) []byte {
	asn := 2
	if rec.Subtype == mrt.BGP4MPStateChangeAS4 {
		asn = 4
	}
	s := stream{b: rec.Body}
	peerAS := s.asn(asn)
	s.asn(asn)
	var ip [16]byte
	v6 := false
	if len(rec.Body) != 8 {
		s.skip(2) // interface index
		switch s.getw() {
		case 1:
			if n := len(rec.Body); n != 20 && n != 24 {
				d.fail(ErrStateLength)
				return dst
			}
			s.get(ip[:], 4)
			s.skip(4)
		case 2:
			if n := len(rec.Body); n != 44 && n != 48 {
				d.fail(ErrStateLength)
				return dst
			}
			s.get(ip[:], 16)
			s.skip(16)
			v6 = true
		default:
			d.fail(ErrAddressFamily)
			return dst
		}
	}
	old, new := s.getw(), s.getw()
	if s.short {
		d.fail(ErrShortRecord)
	}
	d.counts = true // a state change bgpdump reads (not one of another length)
	format := "BGP4MP"
	if et {
		format = "BGP4MP_ET"
	}
	d.setTime(rec.Timestamp, rec.Microseconds, et)
	return d.stateLine(dst, rec, format, ip[:], v6, peerAS, old, new)
}

// stateLine prints "FORMAT|TIME|STATE|PEER|AS|OLD|NEW" (setTime done)
// for the peer ip (4 or 16 octets) of a state change record.
func (d *Dumper) stateLine(dst []byte, rec *mrt.Record, format string, ip []byte, v6 bool, peerAS uint32, old, new uint16) []byte {
	var text [64]byte
	d.setHead(format, "STATE", appendAddr(text[:0], ip, v6), peerAS)
	if d.filter != nil {
		d.route = filter.Route{Kind: filter.State, Time: int64(rec.Timestamp), PeerIP: addrOf(ip, v6), PeerASN: peerAS}
	}
	start := len(dst)
	dst = append(dst, d.head...)
	dst = strconv.AppendUint(dst, uint64(old), 10)
	dst = append(dst, '|')
	dst = strconv.AppendUint(dst, uint64(new), 10)
	dst = append(dst, '\n')
	return d.emit(dst, start)
}

// msgCtx is what the lines of one BGP4MP message share.
type msgCtx struct {
	format   string
	peerText []byte // the peer column
	peer6    []byte // the peer column of IPv6 withdrawals (differs for _LOCAL on IPv4 sessions)
	peerAS   uint32
	addPath  bool
	ts       int64
	ip       [16]byte
	v6       bool
	// legacy: the W lines of the BGP type show the peer address in
	// place of the prefix's (bgpdump formats both with inet_ntoa's one
	// static buffer in one printf).
	legacy bool
}

// message prints the W and A lines of a BGP4MP UPDATE.
func (d *Dumper) message(dst []byte, rec *mrt.Record, et bool) []byte {
	sub := rec.Subtype
	asn := 2
	switch sub {
	case mrt.BGP4MPMessageAS4, mrt.BGP4MPMessageAS4Local, mrt.BGP4MPMessageAS4AddPath, mrt.BGP4MPMessageAS4LocalAddPath:
		asn = 4
	}
	s := stream{b: rec.Body}
	firstAS, secondAS := s.asn(asn), s.asn(asn)
	ifIndex, afi := s.getw(), s.getw()
	var ip1, ip2 [16]byte
	var marker [16]byte
	v6 := false
	switch afi {
	case 1:
		s.get(ip1[:], 4)
		s.get(ip2[:], 4)
		s.get(marker[:], 16)
	case 2:
		s.get(ip1[:], 16)
		s.get(ip2[:], 16)
		s.get(marker[:], 16)
		v6 = true
	case 0xFFFF:
		if ifIndex != 0xFFFF {
			d.refuse(ErrAddressFamily)
			return dst
		}
		// Zebra's OPEN form: the marker starts at the interface index.
		copy(marker[:4], []byte{0xFF, 0xFF, 0xFF, 0xFF})
		s.get(marker[4:], 12)
	default:
		d.refuse(ErrAddressFamily)
		return dst
	}
	for _, c := range marker {
		if c != 0xFF {
			d.refuse(ErrBadMarker)
			return dst
		}
	}
	size := int(s.getw())
	msg := s.sub(size - 18)
	if s.short {
		d.fail(ErrShortRecord)
	}
	switch msg.getc() {
	case 2: // UPDATE
	case 1, 3, 4, 5, 128: // OPEN, NOTIFICATION, KEEPALIVE, ROUTE-REFRESH: no line
		return dst
	default:
		d.refuse(ErrMessageType)
		return dst
	}
	withdrawn := msg.sub(int(msg.getw()))
	d.decodeAttrs(&msg, asn)
	if msg.short || withdrawn.short {
		d.fail(ErrShortRecord)
	}

	c := msgCtx{addPath: sub >= mrt.BGP4MPMessageAddPath, ts: int64(rec.Timestamp), v6: v6}
	receive := sub != mrt.BGP4MPMessageLocal && sub != mrt.BGP4MPMessageAS4Local
	// bgpdump swaps the two ends of every _LOCAL subtype when reading,
	// but prints the far end only for MESSAGE_LOCAL and
	// MESSAGE_AS4_LOCAL: the _LOCAL_ADDPATH subtypes print the local end.
	c.peerAS, c.ip = firstAS, ip1
	if sub == mrt.BGP4MPMessageLocalAddPath || sub == mrt.BGP4MPMessageAS4LocalAddPath {
		c.peerAS, c.ip = secondAS, ip2
	}
	switch {
	case et && !receive:
		c.format = "BGP4MP_ET_LOCAL"
	case et && c.addPath:
		c.format = "BGP4MP_ET_AP"
	case et:
		c.format = "BGP4MP_ET"
	case !receive:
		c.format = "BGP4MP_LOCAL"
	case c.addPath:
		c.format = "BGP4MP_AP"
	default:
		c.format = "BGP4MP"
	}
	var text, text6 [64]byte
	c.peerText = appendAddr(text[:0], c.ip[:], v6)
	c.peer6 = c.peerText
	if !v6 && !receive {
		c.peer6 = appendIPv6(text6[:0], c.ip[:]) // bgpdump formats the IPv4 address as IPv6 there
	}
	d.setTime(rec.Timestamp, rec.Microseconds, et)

	// Withdrawals: the withdrawn routes field, then MP_UNREACH_NLRI by
	// AFI (IPv4, IPv6) and SAFI (unicast, multicast, both).
	dst = d.withdrawals(dst, &c, withdrawn, false, c.peerText)
	for afi := 1; afi <= 2; afi++ {
		for safi := 1; safi <= 3; safi++ {
			if m := &d.a.withdraw[afi][safi]; m.present {
				peerText := c.peerText
				if afi == 2 {
					peerText = c.peer6
				}
				dst = d.withdrawals(dst, &c, stream{b: m.nlri}, afi == 2, peerText)
			}
		}
	}
	// Announcements: the NLRI field, then MP_REACH_NLRI in the same order.
	var nh [64]byte
	if d.compact {
		d.setTail(nil, false)
	} else {
		d.setTail(appendIPv4(nh[:0], d.a.nextHop[:]), false)
	}
	dst = d.announcements(dst, &c, stream{b: msg.rest()}, false)
	for afi := 1; afi <= 2; afi++ {
		for safi := 1; safi <= 3; safi++ {
			m := &d.a.announce[afi][safi]
			if !m.present || len(m.nlri) == 0 {
				continue
			}
			var nhText []byte
			switch m.nhLen {
			case 4:
				nhText = appendIPv4(nh[:0], m.nh[:])
			case 16, 32:
				nhText = appendIPv6(nh[:0], m.nh[:])
			}
			// IPv4 MP announcements print LOCAL_PREF and MED as
			// signed numbers (%d), IPv6 ones as unsigned; an IPv6 one
			// without a next hop of 4, 16 or 32 octets has no AS path
			// and origin either.
			d.setTailFrom(nhText, afi == 1, afi == 1)
			dst = d.announcements(dst, &c, stream{b: m.nlri}, afi == 2)
		}
	}
	return dst
}

// withdrawals prints one W line per prefix of list.
func (d *Dumper) withdrawals(dst []byte, c *msgCtx, list stream, v6 bool, peerText []byte) []byte {
	if list.left() == 0 {
		return dst
	}
	d.setHead(c.format, "W", peerText, c.peerAS)
	p := prefixList{s: list, addPath: c.addPath, mask: true}
	for p.next() {
		if d.filter != nil {
			d.route = filter.Route{Kind: filter.Withdraw, Time: c.ts, PeerIP: addrOf(c.ip[:], c.v6), PeerASN: c.peerAS,
				Prefix: prefixOf(&p.addr, p.bits, v6)}
		}
		start := len(dst)
		dst = append(dst, d.head...)
		if c.legacy {
			dst = appendPrefix(dst, c.ip[:], p.bits, false)
		} else {
			dst = appendPrefix(dst, p.addr[:], p.bits, v6)
		}
		if c.addPath {
			dst = append(dst, '|')
			dst = strconv.AppendUint(dst, uint64(p.id), 10)
		}
		dst = append(dst, '\n')
		dst = d.emit(dst, start)
	}
	if err := p.damaged(); err != nil {
		d.fail(err)
	}
	return dst
}

// announcements prints one A line per prefix of list, with d.tail.
func (d *Dumper) announcements(dst []byte, c *msgCtx, list stream, v6 bool) []byte {
	if list.left() == 0 {
		return dst
	}
	d.setHead(c.format, "A", c.peerText, c.peerAS)
	p := prefixList{s: list, addPath: c.addPath, mask: true}
	for p.next() {
		if d.filter != nil {
			d.route = filter.Route{Kind: filter.Announce, Time: c.ts, PeerIP: addrOf(c.ip[:], c.v6), PeerASN: c.peerAS,
				Prefix: prefixOf(&p.addr, p.bits, v6), ASPath: d.path, Communities: d.a.comm, LargeCommunities: d.a.lcomm}
		}
		start := len(dst)
		dst = append(dst, d.head...)
		dst = appendPrefix(dst, p.addr[:], p.bits, v6)
		dst = append(dst, '|')
		if c.addPath {
			dst = strconv.AppendUint(dst, uint64(p.id), 10)
			dst = append(dst, '|')
		}
		dst = append(dst, d.tail...)
		dst = d.emit(dst, start)
	}
	if err := p.damaged(); err != nil {
		d.fail(err)
	}
	return dst
}

// legacy prints a record of the deprecated BGP type: BGP_UPDATE lines
// and BGP_STATE_CHANGE lines, as bgpdump does ("BGP|…").
func (d *Dumper) legacy(dst []byte, rec *mrt.Record) []byte {
	s := stream{b: rec.Body}
	d.setTime(rec.Timestamp, 0, false)
	var text [64]byte
	switch rec.Subtype {
	case mrt.BGPStateChange:
		as := uint32(s.getw())
		var ip [16]byte
		s.get(ip[:], 4)
		old, new := s.getw(), s.getw()
		if s.short {
			d.fail(ErrShortRecord)
		}
		return d.stateLine(dst, rec, "BGP", ip[:], false, as, old, new)
	case mrt.BGPUpdate:
	default:
		return dst
	}
	as := uint32(s.getw())
	var ip [16]byte
	s.get(ip[:], 4)
	s.skip(6) // local AS and address
	withdrawn := s.sub(int(s.getw()))
	d.decodeAttrs(&s, 2)
	if s.short || withdrawn.short {
		d.fail(ErrShortRecord)
	}
	c := msgCtx{format: "BGP", peerAS: as, ts: int64(rec.Timestamp), ip: ip, legacy: true}
	c.peerText = appendIPv4(text[:0], ip[:])
	dst = d.withdrawals(dst, &c, withdrawn, false, c.peerText)

	// bgpdump's legacy A line: "…|PREFIX|ASPATH|ORIGIN|NEXTHOP|PREF|MED"
	// runs straight into the communities (no separator) when there are
	// some.
	t := append(d.tail[:0], d.path...)
	t = append(t, '|')
	t = append(t, d.origin()...)
	if d.compact {
		t = append(t, '\n')
	} else {
		t = append(t, '|')
		t = appendIPv4(t, d.a.nextHop[:])
		t = append(t, '|')
		pref, med := d.prefMED()
		t = strconv.AppendUint(t, uint64(pref), 10)
		t = append(t, '|')
		t = strconv.AppendUint(t, uint64(med), 10)
		t = d.appendRest(t, false) // no -l and -u columns here
	}
	d.tail = t
	return d.announcements(dst, &c, stream{b: s.rest()}, false)
}
