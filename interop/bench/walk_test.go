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
// RFC 4291 §2.5.5.2). ipFold is the same fold for GoBGP's net.IP.
// AsSlice (inlined, not allocating) rather than As16: the [16]byte that
// As16 returns is copied with loads that straddle its two 8-octet
// stores, a store-forwarding stall that cost more than the walk's
// parsing of the prefix.
func (s *sink) addr(a netip.Addr) uint64 {
	return ipFold(a.AsSlice())
}

func (s *sink) prefix(p netip.Prefix) {
	s.Prefixes++
	s.PrefixBits += uint64(p.Bits())
	s.PrefixOctets += s.addr(p.Addr())
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

// zeWalk reads one UPDATE completely with ze's codec packages. It fills
// an Update in place (Update.Parse, the copy-free form of ParseUpdate)
// and builds the iterators from its fields as Update.WithdrawnRoutes,
// Announced and Attributes do: those take the 96-octet Update by value,
// a copy per call on this path.
func zeWalk(msg []byte, ctx wire.Context, s *sink) error {
	var u message.Update
	if err := u.Parse(msg); err != nil {
		return err
	}
	addPath := ctx.AddPath(wire.IPv4Unicast)
	it := nlri.NewIterator(u.Withdrawn, wire.IPv4Unicast, addPath)
	for it.Next() {
		s.prefix(it.Prefix())
	}
	if err := it.Err(); err != nil {
		return err
	}
	it = nlri.NewIterator(u.NLRI, wire.IPv4Unicast, addPath)
	for it.Next() {
		s.prefix(it.Prefix())
	}
	if err := it.Err(); err != nil {
		return err
	}
	ai := attr.NewIterator(u.Attrs)
	for ai.Next() {
		v := ai.Value()
		switch c := ai.Code(); c {
		case attr.CodeOrigin:
			o, err := attr.ParseOrigin(v)
			if err != nil {
				return err
			}
			s.Origin += uint64(o)
		case attr.CodeASPath, attr.CodeAS4Path:
			pi := attr.NewASPathIterator(v, ctx.ASN4 || c == attr.CodeAS4Path)
			for pi.Next() {
				s.Segments++
				s.SegmentTypes += uint64(pi.Type())
				for i := range pi.Len() {
					s.ASNs++
					s.ASNSum += uint64(pi.ASN(i))
				}
			}
			if err := pi.Err(); err != nil {
				return err
			}
		case attr.CodeNextHop:
			a, err := attr.ParseNextHop(v)
			if err != nil {
				return err
			}
			s.nextHop(a)
		case attr.CodeMED:
			n, err := attr.ParseUint32(c, v)
			if err != nil {
				return err
			}
			s.MED += uint64(n)
		case attr.CodeLocalPref:
			n, err := attr.ParseUint32(c, v)
			if err != nil {
				return err
			}
			s.LocalPref += uint64(n)
		case attr.CodeCommunities:
			cs, err := attr.ParseCommunities(v)
			if err != nil {
				return err
			}
			for i := range cs.Len() {
				s.Communities++
				s.CommunitySum += uint64(cs.At(i))
			}
		case attr.CodeLargeCommunities:
			ls, err := attr.ParseLargeCommunities(v)
			if err != nil {
				return err
			}
			for i := range ls.Len() {
				l := ls.At(i)
				s.Large++
				s.LargeSum += uint64(l.Global) + uint64(l.Local1) + uint64(l.Local2)
			}
		case attr.CodeExtCommunities:
			es, err := attr.ParseExtCommunities(v)
			if err != nil {
				return err
			}
			for i := range es.Len() {
				e := es.At(i)
				s.Ext++
				s.ExtSum += extValue(e.Type(), e.Subtype(), e[2:])
			}
		case attr.CodeMPReach:
			m, err := attr.ParseMPReach(v)
			if err != nil {
				return err
			}
			if !m.Family.IsIP() {
				return errNotIP
			}
			g, ll, _ := m.NextHops()
			s.nextHop(g)
			if ll.IsValid() {
				s.nextHop(ll)
			}
			ni := nlri.NewIterator(m.NLRI, m.Family, ctx.AddPath(m.Family))
			for ni.Next() {
				s.prefix(ni.Prefix())
			}
			if err := ni.Err(); err != nil {
				return err
			}
		case attr.CodeMPUnreach:
			m, err := attr.ParseMPUnreach(v)
			if err != nil {
				return err
			}
			if !m.Family.IsIP() {
				return errNotIP
			}
			ni := nlri.NewIterator(m.NLRI, m.Family, ctx.AddPath(m.Family))
			for ni.Next() {
				s.prefix(ni.Prefix())
			}
			if err := ni.Err(); err != nil {
				return err
			}
		default:
			s.Other++
		}
	}
	return ai.Err()
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
				for _, as := range seg.GetAS() {
					s.ASNs++
					s.ASNSum += uint64(as)
				}
			}
		case *bgp.PathAttributeAs4Path:
			for _, seg := range a.Value {
				s.Segments++
				s.SegmentTypes += uint64(seg.Type)
				for _, as := range seg.AS {
					s.ASNs++
					s.ASNSum += uint64(as)
				}
			}
		case *bgp.PathAttributeNextHop:
			s.gNextHop(a.Value)
		case *bgp.PathAttributeMultiExitDisc:
			s.MED += uint64(a.Value)
		case *bgp.PathAttributeLocalPref:
			s.LocalPref += uint64(a.Value)
		case *bgp.PathAttributeCommunities:
			for _, c := range a.Value {
				s.Communities++
				s.CommunitySum += uint64(c)
			}
		case *bgp.PathAttributeLargeCommunities:
			for _, l := range a.Values {
				s.Large++
				s.LargeSum += uint64(l.ASN) + uint64(l.LocalData1) + uint64(l.LocalData2)
			}
		case *bgp.PathAttributeExtendedCommunities:
			for _, e := range a.Value {
				s.Ext++
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
