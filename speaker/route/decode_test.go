package route

import (
	"fmt"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// decodeUpdate reads an UPDATE back into routes with the codec packages'
// parsers and iterators only, checking the encoding rules along the way:
// attributes in ascending code order, no duplicates, the right flags,
// AS_TRANS where AS4_PATH/AS4_AGGREGATOR carry the real ASN.
func decodeUpdate(msg []byte, ctx wire.Context) ([]Route, error) {
	if _, _, err := wire.Header(msg, ctx.MaxLen()); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	u, err := message.ParseUpdate(msg)
	if err != nil {
		return nil, err
	}
	var out []Route
	it := u.WithdrawnRoutes(ctx)
	for it.Next() {
		out = append(out, Route{Withdraw: true, Family: wire.IPv4Unicast, Prefix: it.Prefix(), PathID: it.PathID()})
	}
	if err := it.Err(); err != nil {
		return nil, err
	}
	var (
		tmpl           Route
		as2, as4       []attr.Segment
		aggr, aggr4    attr.Aggregator
		hasAS4, hasAgg bool
		mp             *attr.MPReach
		last           attr.Code
	)
	ai := u.Attributes()
	for ai.Next() {
		c, v := ai.Code(), ai.Value()
		if c <= last {
			return nil, fmt.Errorf("attribute %s after %s", c, last)
		}
		last = c
		if want := wantFlags[c]; ai.Flags()&^attr.FlagExtendedLength != want {
			return nil, fmt.Errorf("%s flags %#x, want %#x", c, ai.Flags(), want)
		}
		switch c {
		case attr.CodeOrigin:
			if tmpl.Origin, err = attr.ParseOrigin(v); err != nil {
				return nil, err
			}
		case attr.CodeASPath:
			if as2, err = segments(v, ctx.ASN4); err != nil {
				return nil, err
			}
		case attr.CodeAS4Path:
			hasAS4 = true
			if as4, err = segments(v, true); err != nil {
				return nil, err
			}
		case attr.CodeNextHop:
			if tmpl.NextHop, err = attr.ParseNextHop(v); err != nil {
				return nil, err
			}
		case attr.CodeMED:
			tmpl.HasMED = true
			if tmpl.MED, err = attr.ParseUint32(c, v); err != nil {
				return nil, err
			}
		case attr.CodeLocalPref:
			tmpl.HasLocalPref = true
			if tmpl.LocalPref, err = attr.ParseUint32(c, v); err != nil {
				return nil, err
			}
		case attr.CodeAtomicAggregate:
			if len(v) != 0 {
				return nil, fmt.Errorf("atomic-aggregate of %d octets", len(v))
			}
			tmpl.AtomicAggregate = true
		case attr.CodeAggregator:
			hasAgg = true
			if aggr, err = attr.ParseAggregator(c, v, ctx.ASN4); err != nil {
				return nil, err
			}
		case attr.CodeAS4Aggregator:
			if aggr4, err = attr.ParseAggregator(c, v, true); err != nil {
				return nil, err
			}
		case attr.CodeCommunities:
			cs, err := attr.ParseCommunities(v)
			if err != nil {
				return nil, err
			}
			for i := range cs.Len() {
				tmpl.Communities = append(tmpl.Communities, cs.At(i))
			}
		case attr.CodeOriginatorID:
			if tmpl.OriginatorID, err = attr.ParseOriginatorID(v); err != nil {
				return nil, err
			}
		case attr.CodeClusterList:
			cl, err := attr.ParseClusterList(v)
			if err != nil {
				return nil, err
			}
			for i := range cl.Len() {
				tmpl.ClusterList = append(tmpl.ClusterList, cl.At(i))
			}
		case attr.CodeExtCommunities:
			es, err := attr.ParseExtCommunities(v)
			if err != nil {
				return nil, err
			}
			for i := range es.Len() {
				tmpl.ExtCommunities = append(tmpl.ExtCommunities, es.At(i))
			}
		case attr.CodeLargeCommunities:
			ls, err := attr.ParseLargeCommunities(v)
			if err != nil {
				return nil, err
			}
			for i := range ls.Len() {
				tmpl.LargeCommunities = append(tmpl.LargeCommunities, ls.At(i))
			}
		case attr.CodeAIGP:
			tmpl.HasAIGP = true
			if tmpl.AIGP, err = attr.ParseAIGP(v); err != nil {
				return nil, err
			}
		case attr.CodeMPReach:
			m, err := attr.ParseMPReach(v)
			if err != nil {
				return nil, err
			}
			mp = &m
		case attr.CodeMPUnreach:
			m, err := attr.ParseMPUnreach(v)
			if err != nil {
				return nil, err
			}
			if !m.Family.IsIP() {
				return nil, fmt.Errorf("mp-unreach family %s", m.Family)
			}
			pi := nlri.NewIterator(m.NLRI, m.Family, ctx.AddPath(m.Family))
			for pi.Next() {
				out = append(out, Route{Withdraw: true, Family: m.Family, Prefix: pi.Prefix(), PathID: pi.PathID()})
			}
			if err := pi.Err(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("unexpected attribute %s", c)
		}
	}
	if err := ai.Err(); err != nil {
		return nil, err
	}
	if len(u.Attrs) == 0 || mp == nil && len(u.NLRI) == 0 {
		if len(u.NLRI) != 0 {
			return nil, fmt.Errorf("nlri without attributes")
		}
		return out, nil
	}

	// RFC 6793 §4.2.3: the real ASNs come from AS4_PATH / AS4_AGGREGATOR.
	tmpl.ASPath = as2
	if hasAS4 {
		if ctx.ASN4 {
			return nil, fmt.Errorf("as4-path sent on a 4-octet-AS session")
		}
		if hasAgg && aggr.ASN != attr.ASTrans {
			// A receiver would ignore AS4_PATH (RFC 6793 §4.2.3).
			return nil, fmt.Errorf("as4-path with aggregator %d, not AS_TRANS", aggr.ASN)
		}
		if err := checkTrans(as2, as4); err != nil {
			return nil, err
		}
		tmpl.ASPath = as4
	}
	if hasAgg {
		tmpl.Aggregator = aggr
		if aggr4.Address.IsValid() {
			if aggr.ASN != attr.ASTrans {
				return nil, fmt.Errorf("aggregator %d with as4-aggregator", aggr.ASN)
			}
			tmpl.Aggregator = aggr4
		}
	}
	if len(u.NLRI) > 0 {
		if !tmpl.NextHop.IsValid() {
			return nil, fmt.Errorf("nlri without next-hop")
		}
		pi := u.Announced(ctx)
		for pi.Next() {
			r := clone(tmpl)
			r.Family, r.Prefix, r.PathID = wire.IPv4Unicast, pi.Prefix(), pi.PathID()
			out = append(out, r)
		}
		if err := pi.Err(); err != nil {
			return nil, err
		}
	}
	if mp != nil {
		if tmpl.NextHop.IsValid() {
			return nil, fmt.Errorf("next-hop attribute with mp-reach-nlri only")
		}
		if !mp.Family.IsIP() {
			return nil, fmt.Errorf("mp-reach family %s", mp.Family)
		}
		nh, ll, ok := mp.NextHops()
		if !ok || ll.IsValid() {
			return nil, fmt.Errorf("mp-reach next hop of %d octets", len(mp.NextHop))
		}
		pi := nlri.NewIterator(mp.NLRI, mp.Family, ctx.AddPath(mp.Family))
		for pi.Next() {
			r := clone(tmpl)
			r.Family, r.Prefix, r.PathID, r.NextHop = mp.Family, pi.Prefix(), pi.PathID(), nh
			out = append(out, r)
		}
		if err := pi.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var wantFlags = map[attr.Code]attr.Flags{
	attr.CodeOrigin: attr.FlagTransitive, attr.CodeASPath: attr.FlagTransitive,
	attr.CodeNextHop: attr.FlagTransitive, attr.CodeMED: attr.FlagOptional,
	attr.CodeLocalPref: attr.FlagTransitive, attr.CodeAtomicAggregate: attr.FlagTransitive,
	attr.CodeAggregator: attr.FlagOptional | attr.FlagTransitive, attr.CodeCommunities: attr.FlagOptional | attr.FlagTransitive,
	attr.CodeOriginatorID: attr.FlagOptional, attr.CodeClusterList: attr.FlagOptional,
	attr.CodeMPReach: attr.FlagOptional, attr.CodeMPUnreach: attr.FlagOptional,
	attr.CodeExtCommunities: attr.FlagOptional | attr.FlagTransitive, attr.CodeAS4Path: attr.FlagOptional | attr.FlagTransitive,
	attr.CodeAS4Aggregator: attr.FlagOptional | attr.FlagTransitive, attr.CodeAIGP: attr.FlagOptional,
	attr.CodeLargeCommunities: attr.FlagOptional | attr.FlagTransitive,
}

// segments reads an AS path with ASPathIterator, merging segments split
// at 255 ASNs back together.
func segments(v []byte, asn4 bool) ([]attr.Segment, error) {
	var out []attr.Segment
	it := attr.NewASPathIterator(v, asn4)
	prevFull := false
	for it.Next() {
		var s attr.Segment
		if n := len(out); n > 0 && prevFull && out[n-1].Type == it.Type() {
			s = out[n-1]
			out = out[:n-1]
		} else {
			s.Type = it.Type()
		}
		for i := range it.Len() {
			s.ASNs = append(s.ASNs, it.ASN(i))
		}
		prevFull = it.Len() == 255
		out = append(out, s)
	}
	return out, it.Err()
}

// checkTrans checks that the 2-octet path is the 4-octet one with
// AS_TRANS for every ASN above 65535.
func checkTrans(as2, as4 []attr.Segment) error {
	if len(as2) != len(as4) {
		return fmt.Errorf("as-path has %d segments, as4-path %d", len(as2), len(as4))
	}
	for i := range as2 {
		if as2[i].Type != as4[i].Type || len(as2[i].ASNs) != len(as4[i].ASNs) {
			return fmt.Errorf("as-path segment %d differs from as4-path", i)
		}
		for j, a := range as4[i].ASNs {
			want := a
			if a > 0xFFFF {
				want = attr.ASTrans
			}
			if as2[i].ASNs[j] != want {
				return fmt.Errorf("as-path ASN %d, want %d", as2[i].ASNs[j], want)
			}
		}
	}
	return nil
}

func clone(r Route) Route {
	r.ASPath = append([]attr.Segment(nil), r.ASPath...)
	return r
}

// normalize turns a parsed route into what the wire carries for ctx.
func normalize(r Route, ctx wire.Context) Route {
	if !ctx.AddPath(r.Family) {
		r.PathID = 0
	}
	r.Prefix = r.Prefix.Masked()
	if r.Withdraw {
		return Route{Withdraw: true, Family: r.Family, Prefix: r.Prefix, PathID: r.PathID}
	}
	if r.Family.AFI == wire.AFIIPv4 {
		r.NextHop = r.NextHop.Unmap()
	} else if r.NextHop.Is4() {
		r.NextHop = netip.AddrFrom16(r.NextHop.As16())
	}
	return r
}
