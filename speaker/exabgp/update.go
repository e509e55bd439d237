package exabgp

import (
	"encoding/binary"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// route is one NLRI as ExaBGP lists it; its JSON and next hop are ranges
// of the routes buffer.
type route struct {
	fam              wire.Family
	withdraw         bool
	nhStart, nhEnd   int
	jsonStart, jsonE int
}

// routes collects the NLRI of one UPDATE in ExaBGP's order: withdrawn
// routes field, NLRI field, MP_UNREACH_NLRI, MP_REACH_NLRI.
type routes struct {
	list []route
	buf  []byte
}

// add appends a route whose JSON is rendered by fn, under next hop nh.
func (rs *routes) add(f wire.Family, withdraw bool, nh []byte, fn func([]byte) []byte) {
	r := route{fam: f, withdraw: withdraw}
	r.nhStart = len(rs.buf)
	rs.buf = append(rs.buf, nh...)
	r.nhEnd = len(rs.buf)
	r.jsonStart = len(rs.buf)
	rs.buf = fn(rs.buf)
	r.jsonE = len(rs.buf)
	rs.list = append(rs.list, r)
}

// update renders an UPDATE (RFC 4271 §4.3, RFC 4760) as ExaBGP's
// "message" value: either an End-of-RIB (RFC 4724 §2)
//
//	"message": { "eor": { "afi" : "ipv4", "safi" : "unicast" } }
//
// or
//
//	"message": { "update": { "attribute": { … }, "announce": { "ipv4 unicast": { "NH": [ { "nlri": "P" }, … ] } }, "withdraw": { "ipv4 unicast": [ … ] } } }
func (r *renderer) update(dst []byte, msg []byte) ([]byte, error) {
	u, err := message.ParseUpdate(msg)
	if err != nil {
		return dst, err
	}
	var t attrTable
	if err := r.parse(&t, u.Attrs); err != nil {
		return dst, err
	}
	var rs routes
	// The NEXT_HOP attribute is the next hop of the NLRI field.
	nh := []byte("no-nexthop")
	if s := t.slots[attr.CodeNextHop]; s.kind == slotKnown {
		nh, _ = appendIP(nil, s.v)
	}
	if err := r.prefixes(&rs, wire.IPv4Unicast, u.Withdrawn, true, nil); err != nil {
		return dst, err
	}
	if err := r.prefixes(&rs, wire.IPv4Unicast, u.NLRI, false, [][]byte{nh}); err != nil {
		return dst, err
	}
	var unrchFam, reachFam wire.Family
	if t.hasUnrch {
		m, err := attr.ParseMPUnreach(t.unrch)
		if err != nil {
			return dst, err
		}
		unrchFam = m.Family
		if m.Family.IsIP() {
			err = r.prefixes(&rs, m.Family, m.NLRI, true, nil)
		} else if len(m.NLRI) > 0 {
			rs.add(m.Family, true, nil, rawNLRI(m.NLRI))
		}
		if err != nil {
			return dst, err
		}
	}
	if t.hasReach {
		m, err := attr.ParseMPReach(t.reach)
		if err != nil {
			return dst, err
		}
		reachFam = m.Family
		if t.reach[4+len(m.NextHop)] != 0 {
			return dst, wire.Errorf(wire.CodeUpdate, wire.SubOptionalAttributeError, nil, "exabgp: mp-reach-nlri reserved octet is not zero")
		}
		if err := r.reach(&rs, m); err != nil {
			return dst, err
		}
	}
	if t.count == 0 && len(rs.list) == 0 {
		f := wire.IPv4Unicast
		switch {
		case t.hasUnrch:
			f = unrchFam
		case t.hasReach:
			f = reachFam
		}
		dst = append(dst, `"message": { "eor": { "afi" : "`...)
		dst = append(dst, afiName(r.v, f.AFI)...)
		dst = append(dst, `", "safi" : "`...)
		dst = append(dst, safiName(r.v, f.SAFI)...)
		return append(dst, `" } }`...), nil
	}
	if t.taw {
		// A live ExaBGP session withdraws every route of an UPDATE it
		// treats as withdraw.
		for i := range rs.list {
			rs.list[i].withdraw = true
		}
	}
	dst = append(dst, `"message": { "update": { `...)
	if t.count > 0 {
		dst = append(dst, `"attribute": { `...)
		dst = r.appendAttributes(dst, &t)
		dst = append(dst, " }"...)
		if len(rs.list) > 0 {
			dst = append(dst, ", "...)
		}
	}
	dst = rs.appendJSON(dst, r.v)
	return append(dst, " } }"...), nil
}

// prefixes adds the IP prefixes of b (family f, ADD-PATH per the
// context), once per next hop in nhs (announcements) or as withdrawals.
func (r *renderer) prefixes(rs *routes, f wire.Family, b []byte, withdraw bool, nhs [][]byte) error {
	addPath := r.ctx.AddPath(f)
	it := nlri.NewIterator(b, f, addPath)
	for it.Next() {
		fn := func(dst []byte) []byte {
			dst = append(dst, `{ "nlri": "`...)
			dst = appendAddr(dst, it.Prefix().Addr())
			dst = append(dst, '/')
			dst = appendUint(dst, uint64(it.Bits()))
			if addPath {
				id := it.PathID()
				dst = append(dst, `", "path-information": "`...)
				dst = netipFrom4(dst, id)
			}
			return append(dst, `" }`...)
		}
		if withdraw {
			rs.add(f, true, nil, fn)
			continue
		}
		for _, nh := range nhs {
			rs.add(f, false, nh, fn)
		}
	}
	return it.Err()
}

// reach adds the routes of an MP_REACH_NLRI. For IP families every
// 16-octet slice of the next hop field is a next hop of every prefix
// (ExaBGP lists an IPv6 prefix with a link-local next hop twice); other
// families get one unparsed entry under the first next hop.
func (r *renderer) reach(rs *routes, m attr.MPReach) error {
	if !m.Family.IsIP() {
		var nh []byte
		if g, _, ok := attr.SplitNextHop(m.NextHop, m.Family.SAFI == wire.SAFIVPN); ok {
			nh = appendAddr(nil, g)
		} else if len(m.NextHop) == 0 {
			nh = []byte("no-nexthop")
		} else {
			nh = appendHex([]byte("0x"), m.NextHop, hexUpper)
		}
		if len(m.NLRI) > 0 {
			rs.add(m.Family, false, nh, rawNLRI(m.NLRI))
		}
		return nil
	}
	var nhs [][]byte
	switch len(m.NextHop) {
	case 4, 16, 32:
		for b := m.NextHop; len(b) > 0; {
			n := min(16, len(b))
			s, _ := appendIP(nil, b[:n])
			nhs = append(nhs, s)
			b = b[n:]
		}
	default:
		return wire.Errorf(wire.CodeUpdate, wire.SubOptionalAttributeError, nil,
			"exabgp: %s next hop of %d octets", m.Family, len(m.NextHop))
	}
	return r.prefixes(rs, m.Family, m.NLRI, false, nhs)
}

// rawNLRI renders an NLRI field this package does not parse.
func rawNLRI(b []byte) func([]byte) []byte {
	return func(dst []byte) []byte {
		dst = append(dst, `{ "parsed": false, "raw": "`...)
		dst = appendHex(dst, b, hexUpper)
		return append(dst, `" }`...)
	}
}

// appendJSON appends "announce" and "withdraw": families in order of
// first appearance, announcements grouped by next hop in order of first
// appearance.
func (rs *routes) appendJSON(dst []byte, v Version) []byte {
	var fams []wire.Family
	seen := func(f wire.Family) bool {
		for _, x := range fams {
			if x == f {
				return true
			}
		}
		return false
	}
	announced := false
	for _, withdraw := range [...]bool{false, true} {
		fams = fams[:0]
		for _, x := range rs.list {
			if x.withdraw == withdraw && !seen(x.fam) {
				fams = append(fams, x.fam)
			}
		}
		if len(fams) == 0 {
			continue
		}
		if withdraw {
			if announced {
				dst = append(dst, ", "...)
			}
			dst = append(dst, `"withdraw": { `...)
		} else {
			announced = true
			dst = append(dst, `"announce": { `...)
		}
		for i, f := range fams {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, '"')
			dst = appendFamily(dst, v, f, ' ')
			dst = append(dst, `": `...)
			if withdraw {
				dst = rs.appendList(dst, f, true, "")
				continue
			}
			dst = append(dst, "{ "...)
			var nhs []string
			for _, x := range rs.list {
				nh := string(rs.buf[x.nhStart:x.nhEnd])
				if x.withdraw || x.fam != f || contains(nhs, nh) {
					continue
				}
				if len(nhs) > 0 {
					dst = append(dst, ", "...)
				}
				nhs = append(nhs, nh)
				dst = append(dst, '"')
				dst = append(dst, nh...)
				dst = append(dst, `": `...)
				dst = rs.appendList(dst, f, false, nh)
			}
			dst = append(dst, " }"...)
		}
		dst = append(dst, " }"...)
	}
	return dst
}

// appendList appends "[ R, R ]" for the routes of family f (and next hop
// nh for announcements).
func (rs *routes) appendList(dst []byte, f wire.Family, withdraw bool, nh string) []byte {
	dst = append(dst, "[ "...)
	n := 0
	for _, x := range rs.list {
		if x.fam != f || x.withdraw != withdraw || (!withdraw && string(rs.buf[x.nhStart:x.nhEnd]) != nh) {
			continue
		}
		if n > 0 {
			dst = append(dst, ", "...)
		}
		n++
		dst = append(dst, rs.buf[x.jsonStart:x.jsonE]...)
	}
	return append(dst, " ]"...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func appendUint(dst []byte, n uint64) []byte {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}

// netipFrom4 appends a path identifier as ExaBGP shows it: dotted quad.
func netipFrom4(dst []byte, id uint32) []byte {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], id)
	dst, _ = appendIP(dst, b[:])
	return dst
}
