package bench

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"

	"github.com/osrg/gobgp/v3/pkg/packet/bgp"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// sink accumulates what a walk reads, so that the compiler keeps every
// read and so that the two walks can be compared field by field.
type sink struct {
	Prefixes, PrefixBits, PrefixOctets uint64 // count, sum of lengths, sum of folded addresses (sink.addr)
	Segments, SegmentTypes             uint64
	ASNs, ASNSum                       uint64
	Origin, MED, LocalPref             uint64 // sums
	Communities, CommunitySum          uint64
	Large, LargeSum                    uint64
	Ext, ExtSum                        uint64
	NextHops, NextHopOctets            uint64
	Other                              uint64 // attributes not read element by element
}

// addr folds an address: the sum of the two 64-bit halves of its
// 16-octet form, an IPv4 address taken as IPv4-mapped (::ffff:a.b.c.d,
// RFC 4291 §2.5.5.2). ipFold is the same fold for GoBGP's net.IP. An
// IPv4 address is read with As4 (a 4-octet store and load); other forms
// with AsSlice (inlined, not allocating) rather than As16: the [16]byte
// that As16 returns is copied with loads that straddle its two 8-octet
// stores, a store-forwarding stall that cost more than the walk's
// parsing of the prefix.
func (s *sink) addr(a netip.Addr) uint64 {
	if a.Is4() {
		b := a.As4()
		return 0xFFFF00000000 | uint64(binary.BigEndian.Uint32(b[:]))
	}
	return ipFold(a.AsSlice())
}

// prefix4 counts an IPv4 prefix given as a number and a length.
func (s *sink) prefix4(a uint32, bits int) {
	s.Prefixes++
	s.PrefixBits += uint64(bits)
	s.PrefixOctets += 0xFFFF00000000 | uint64(a)
}

// prefix6 counts a prefix whose address is given as the two 64-bit
// halves of its 16-octet form.
func (s *sink) prefix6(hi, lo uint64, bits int) {
	s.Prefixes++
	s.PrefixBits += uint64(bits)
	s.PrefixOctets += hi + lo
}

func (s *sink) nextHop(a netip.Addr) {
	s.NextHops++
	s.NextHopOctets += s.addr(a)
}

// extValue reads the global and local administrator of the route
// target / route origin layouts (RFC 4360 §3.1-3.2, RFC 5668 §2).
func extValue(t, sub uint8, v []byte) uint64 {
	n := uint64(sub)
	switch t &^ 0x40 {
	case 0x00:
		return n + uint64(binary.BigEndian.Uint16(v)) + uint64(binary.BigEndian.Uint32(v[2:]))
	case 0x01:
		return n + uint64(binary.BigEndian.Uint32(v)) + uint64(binary.BigEndian.Uint16(v[4:]))
	case 0x02:
		return n + uint64(binary.BigEndian.Uint32(v)) + uint64(binary.BigEndian.Uint16(v[4:]))
	}
	return n
}

var errNotIP = errors.New("bench: MP_REACH_NLRI family is not IP")

// zeSession is what a receiving session knows before its first UPDATE.
type zeSession struct {
	ctx      wire.Context // negotiated
	addPath4 bool         // ctx.AddPath(wire.IPv4Unicast), looked up once
}

func newZeSession(ctx wire.Context) *zeSession {
	return &zeSession{ctx: ctx, addPath4: ctx.AddPath(wire.IPv4Unicast)}
}

// zeWalk reads one UPDATE completely with ze's codec packages, in the
// forms that keep the walk's state in registers: message.UpdateOffsets
// for the fields, nlri.CutIPv4 for the IPv4 prefixes (read in the whole
// message, whose octets before each field let every prefix be read with
// one word load), attr.CutAt for the attributes (on offsets: the walk's
// chain of dependent loads is shortest), attr.CutSegment and ASNs.All
// for AS paths, the Parse functions (which inline) for the values and
// the All iterators for their elements. The iterators (nlri.Iterator,
// attr.Iterator, ASPathIterator) read the same fields but live in
// memory, since their methods take their address; they are used for
// ADD-PATH only. The attributes read on most messages of the capture
// are handled here, the others in walkOther and walkMPReach: a smaller
// function leaves the compiler more registers for the common path.
//
// What the walk reads is summed in local variables and added to the
// sink once per list (gobgpWalk does the same): a sum kept in the sink
// would be a load and a store per element, each waiting for the last.
// The attribute codes are tested in a chain of comparisons in ascending
// order, the mandatory attributes first, rather than by a switch on the
// code: the switch compiles to an indirect jump, which the branch
// predictor guessed worse on this capture (about 1 ns per message).
//
// The session's context comes with what zeWalk asks of it on every
// message looked up once (as GoBGP's options are built once).
func zeWalk(msg []byte, z *zeSession, s *sink) error {
	ctx := z.ctx
	w, a, n, ok := message.UpdateOffsets(msg)
	if !ok {
		_, err := message.ParseUpdate(msg)
		return err
	}
	if z.addPath4 {
		if err := walkAddPath(msg, ctx, s); err != nil {
			return err
		}
	} else {
		// Both prefix fields are read in msg, whose octets before each
		// field let CutIPv4 read every prefix with one word load.
		for off, end := w, a-2; off < end; {
			addr, bits, next, ok := nlri.CutIPv4(msg[:end], off)
			if !ok {
				return nlri.CutError(msg[:end], off, wire.IPv4Unicast)
			}
			off = next
			s.prefix4(addr, bits)
		}
		for off := n; off < len(msg); {
			addr, bits, next, ok := nlri.CutIPv4(msg, off)
			if !ok {
				return nlri.CutError(msg, off, wire.IPv4Unicast)
			}
			off = next
			s.prefix4(addr, bits)
		}
	}
	list := msg[:n]
	for off := a; off < len(list); {
		c, _, vs, ve, ok := attr.CutAt(list, off)
		if !ok {
			return attr.CutError(list[off:])
		}
		off = ve
		v := list[vs:ve]
		switch {
		case c == attr.CodeOrigin:
			o, err := attr.ParseOrigin(v)
			if err != nil {
				return err
			}
			s.Origin += uint64(o)
		case c == attr.CodeASPath, c == attr.CodeAS4Path:
			asn4 := ctx.ASN4 || c == attr.CodeAS4Path
			for path := v; len(path) != 0; {
				t, asns, r, ok := attr.CutSegment(path, asn4)
				if !ok {
					return attr.CutSegmentError(path, asn4)
				}
				path = r
				s.Segments++
				s.SegmentTypes += uint64(t)
				s.ASNs += uint64(asns.Len())
				var sum uint64
				for asn := range asns.All() {
					sum += uint64(asn)
				}
				s.ASNSum += sum
			}
		case c == attr.CodeNextHop:
			a, err := attr.ParseNextHop(v) // always IPv4
			if err != nil {
				return err
			}
			b := a.As4()
			s.NextHops++
			s.NextHopOctets += 0xFFFF00000000 | uint64(binary.BigEndian.Uint32(b[:]))
		case c == attr.CodeMED, c == attr.CodeLocalPref:
			n, err := attr.ParseUint32(c, v)
			if err != nil {
				return err
			}
			if c == attr.CodeMED {
				s.MED += uint64(n)
			} else {
				s.LocalPref += uint64(n)
			}
		case c == attr.CodeCommunities:
			cs, err := attr.ParseCommunities(v)
			if err != nil {
				return err
			}
			s.Communities += uint64(cs.Len())
			var sum uint64
			for c := range cs.All() {
				sum += uint64(c)
			}
			s.CommunitySum += sum
		case c == attr.CodeMPReach:
			if err := walkMPReach(v, ctx, s); err != nil {
				return err
			}
		case c == attr.CodeLargeCommunities:
			ls, err := attr.ParseLargeCommunities(v)
			if err != nil {
				return err
			}
			s.Large += uint64(ls.Len())
			var sum uint64
			for l := range ls.All() {
				sum += uint64(l.Global) + uint64(l.Local1) + uint64(l.Local2)
			}
			s.LargeSum += sum
		default:
			if err := walkOther(c, v, ctx, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// walkOther reads the attributes that zeWalk does not read inline: on
// this capture, the less common ones.
func walkOther(c attr.Code, v []byte, ctx wire.Context, s *sink) error {
	switch c {
	case attr.CodeExtCommunities:
		es, err := attr.ParseExtCommunities(v)
		if err != nil {
			return err
		}
		s.Ext += uint64(es.Len())
		for i := range es.Len() {
			e := es.At(i)
			s.ExtSum += extValue(e.Type(), e.Subtype(), e[2:])
		}
	case attr.CodeMPUnreach:
		return walkMPUnreach(v, ctx, s)
	default:
		s.Other++
	}
	return nil
}

// walkAddPath reads the withdrawn routes and NLRI fields of the UPDATE
// msg with ADD-PATH path identifiers (nlri.Iterator).
func walkAddPath(msg []byte, ctx wire.Context, s *sink) error {
	var u message.Update
	if err := u.Parse(msg); err != nil {
		return err
	}
	for _, it := range [2]nlri.Iterator{u.WithdrawnRoutes(ctx), u.Announced(ctx)} {
		for it.Next() {
			s.prefix4(it.Addr4(), it.Bits())
		}
		if err := it.Err(); err != nil {
			return err
		}
	}
	return nil
}

// walkMPReach reads an MP_REACH_NLRI value: its next hops and prefixes.
func walkMPReach(v []byte, ctx wire.Context, s *sink) error {
	f, nh, prefixes, err := attr.SplitMPReach(v)
	if err != nil {
		return err
	}
	if !f.IsIP() {
		return errNotIP
	}
	g, ll, _ := attr.SplitNextHop(nh, false)
	s.nextHop(g)
	if ll.IsValid() {
		s.nextHop(ll)
	}
	// The prefixes are read from v, from the NLRI's start: the octets
	// before let CutIPv4/CutIPv6 read each with word loads.
	return walkPrefixes(v, len(v)-len(prefixes), f, ctx, s)
}

// walkMPUnreach reads an MP_UNREACH_NLRI value: its prefixes.
func walkMPUnreach(v []byte, ctx wire.Context, s *sink) error {
	m, err := attr.ParseMPUnreach(v)
	if err != nil {
		return err
	}
	if !m.Family.IsIP() {
		return errNotIP
	}
	return walkPrefixes(v, len(v)-len(m.NLRI), m.Family, ctx, s)
}

// walkPrefixes reads the prefixes of family f in b[off:].
func walkPrefixes(b []byte, off int, f wire.Family, ctx wire.Context, s *sink) error {
	switch {
	case ctx.AddPath(f):
		it := nlri.NewIteratorFrom(b, off, f, true)
		for it.Next() {
			hi, lo := it.Addr6()
			s.prefix6(hi, lo, it.Bits())
		}
		return it.Err()
	case f.AFI == wire.AFIIPv6:
		for off < len(b) {
			hi, lo, bits, next, ok := nlri.CutIPv6(b, off)
			if !ok {
				return nlri.CutError(b, off, f)
			}
			off = next
			s.prefix6(hi, lo, bits)
		}
	default:
		for off < len(b) {
			a, bits, next, ok := nlri.CutIPv4(b, off)
			if !ok {
				return nlri.CutError(b, off, f)
			}
			off = next
			s.prefix4(a, bits)
		}
	}
	return nil
}

// ipFold is sink.addr for a net.IP of 4 or 16 octets.
func ipFold(ip net.IP) uint64 {
	switch len(ip) {
	case 4:
		return 0xFFFF00000000 | uint64(binary.BigEndian.Uint32(ip))
	case 16:
		return binary.BigEndian.Uint64(ip[:8]) + binary.BigEndian.Uint64(ip[8:])
	}
	return 0
}

// ipOctets reads a net.IP of 4 octets as a number (the IPv4 address of
// an extended community), or one of 16 as the sum of its halves.
func ipOctets(ip net.IP) uint64 {
	switch len(ip) {
	case 4:
		return uint64(binary.BigEndian.Uint32(ip))
	case 16:
		return binary.BigEndian.Uint64(ip[:8]) + binary.BigEndian.Uint64(ip[8:])
	}
	return 0
}

func (s *sink) gPrefix(ip net.IP, bits uint8) {
	s.Prefixes++
	s.PrefixBits += uint64(bits)
	s.PrefixOctets += ipFold(ip)
}

func (s *sink) gNextHop(ip net.IP) {
	s.NextHops++
	s.NextHopOctets += ipFold(ip)
}

func (s *sink) gPrefixes(ps []bgp.AddrPrefixInterface) error {
	for _, p := range ps {
		switch p := p.(type) {
		case *bgp.IPAddrPrefix:
			s.gPrefix(p.Prefix, p.Length)
		case *bgp.IPv6AddrPrefix:
			s.gPrefix(p.Prefix, p.Length)
		default:
			return errNotIP
		}
	}
	return nil
}

var errNotUpdate = errors.New("bench: not an UPDATE")

// gobgpWalk parses one UPDATE with GoBGP and reads the same fields as
// zeWalk from its structs.
func gobgpWalk(msg []byte, opt *bgp.MarshallingOption, s *sink) error {
	m, err := bgp.ParseBGPMessage(msg, opt)
	if err != nil {
		return err
	}
	u, ok := m.Body.(*bgp.BGPUpdate)
	if !ok {
		return errNotUpdate
	}
	for _, p := range u.WithdrawnRoutes {
		s.gPrefix(p.Prefix, p.Length)
	}
	for _, p := range u.NLRI {
		s.gPrefix(p.Prefix, p.Length)
	}
	for _, pa := range u.PathAttributes {
		switch a := pa.(type) {
		case *bgp.PathAttributeOrigin:
			s.Origin += uint64(a.Value)
		case *bgp.PathAttributeAsPath:
			for _, seg := range a.Value {
				s.Segments++
				s.SegmentTypes += uint64(seg.GetType())
				asns := seg.GetAS()
				s.ASNs += uint64(len(asns))
				var sum uint64
				for _, as := range asns {
					sum += uint64(as)
				}
				s.ASNSum += sum
			}
		case *bgp.PathAttributeAs4Path:
			for _, seg := range a.Value {
				s.Segments++
				s.SegmentTypes += uint64(seg.Type)
				s.ASNs += uint64(len(seg.AS))
				var sum uint64
				for _, as := range seg.AS {
					sum += uint64(as)
				}
				s.ASNSum += sum
			}
		case *bgp.PathAttributeNextHop:
			s.gNextHop(a.Value)
		case *bgp.PathAttributeMultiExitDisc:
			s.MED += uint64(a.Value)
		case *bgp.PathAttributeLocalPref:
			s.LocalPref += uint64(a.Value)
		case *bgp.PathAttributeCommunities:
			s.Communities += uint64(len(a.Value))
			var sum uint64
			for _, c := range a.Value {
				sum += uint64(c)
			}
			s.CommunitySum += sum
		case *bgp.PathAttributeLargeCommunities:
			s.Large += uint64(len(a.Values))
			for _, l := range a.Values {
				s.LargeSum += uint64(l.ASN) + uint64(l.LocalData1) + uint64(l.LocalData2)
			}
		case *bgp.PathAttributeExtendedCommunities:
			s.Ext += uint64(len(a.Value))
			for _, e := range a.Value {
				_, sub := e.GetTypes()
				n := uint64(sub)
				switch e := e.(type) {
				case *bgp.TwoOctetAsSpecificExtended:
					n += uint64(e.AS) + uint64(e.LocalAdmin)
				case *bgp.IPv4AddressSpecificExtended:
					n += ipOctets(e.IPv4.To4()) + uint64(e.LocalAdmin)
				case *bgp.FourOctetAsSpecificExtended:
					n += uint64(e.AS) + uint64(e.LocalAdmin)
				}
				s.ExtSum += n
			}
		case *bgp.PathAttributeMpReachNLRI:
			s.gNextHop(a.Nexthop)
			if len(a.LinkLocalNexthop) > 0 {
				s.gNextHop(a.LinkLocalNexthop)
			}
			if err := s.gPrefixes(a.Value); err != nil {
				return err
			}
		case *bgp.PathAttributeMpUnreachNLRI:
			if err := s.gPrefixes(a.Value); err != nil {
				return err
			}
		default:
			s.Other++
		}
	}
	return nil
}
