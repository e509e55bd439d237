package route

import (
	"encoding/binary"
	"net/netip"
	"strconv"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// AppendUpdate appends r as one whole UPDATE message (header included)
// encoded for ctx, the sending direction's context:
//
//   - an IPv4 unicast route with an IPv4 next hop goes in the classic
//     NLRI field (or withdrawn-routes field) with a NEXT_HOP attribute
//     (RFC 4271 §4.3);
//   - any other family, or an IPv6 next hop for IPv4 NLRI (only when
//     ctx.ExtNextHop allows it, RFC 8950 §4), goes in MP_REACH_NLRI or
//     MP_UNREACH_NLRI (RFC 4760 §3-4); an IPv4 next hop for IPv6 NLRI is
//     sent IPv4-mapped (RFC 4798 §2);
//   - NLRI carry r.PathID when ctx.AddPath(r.Family) (RFC 7911 §3);
//   - AS_PATH and AGGREGATOR use 4-octet ASNs when ctx.ASN4; otherwise
//     ASNs above 65535 are sent as AS_TRANS and the real values follow
//     in AS4_PATH / AS4_AGGREGATOR (RFC 6793 §4.2.2); with AS4_PATH, the
//     AGGREGATOR is always AS_TRANS and AS4_AGGREGATOR (a receiver
//     ignores AS4_PATH otherwise, §4.2.3);
//   - attributes are written in ascending type code order.
//
// A withdrawal carries no path attributes besides MP_UNREACH_NLRI. The
// error is an *Error when the route cannot be sent in ctx or the message
// would exceed ctx.MaxLen(). On error dst is returned unchanged.
func (r Route) AppendUpdate(dst []byte, ctx wire.Context) ([]byte, error) {
	p, err := r.check(ctx)
	if err != nil {
		return dst, err
	}
	var pb [4 + 1 + 16]byte
	pfx := nlri.AppendPrefix(pb[:0], r.Prefix, r.PathID, ctx.AddPath(r.Family))
	start := len(dst)
	dst = wire.AppendHeader(dst, wire.TypeUpdate)
	var apos int // offset of the path attribute length field
	switch {
	case r.Withdraw && p.classic:
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(pfx)))
		dst = append(dst, pfx...)
		apos = len(dst)
		dst = append(dst, 0, 0)
	case r.Withdraw:
		dst = append(dst, 0, 0)
		apos = len(dst)
		dst = append(dst, 0, 0)
		dst = attr.AppendMPUnreach(dst, r.Family, pfx)
	default:
		dst = append(dst, 0, 0)
		apos = len(dst)
		dst = append(dst, 0, 0)
		dst = r.appendLow(dst, ctx, p)
		if !p.classic {
			var nb [16]byte
			dst = attr.AppendMPReach(dst, r.Family, nextHopField(&nb, p.nextHop), pfx)
		}
		dst = r.appendHigh(dst, ctx)
	}
	alen := len(dst) - apos - 2
	if p.classic && !r.Withdraw {
		dst = append(dst, pfx...)
	}
	if max := ctx.MaxLen(); len(dst)-start > max {
		return dst[:start], tooBig(r.Prefix, max)
	}
	binary.BigEndian.PutUint16(dst[apos:], uint16(alen))
	wire.SetLength(dst[start:])
	return dst, nil
}

func tooBig(p netip.Prefix, max int) error {
	return &Error{Msg: "route " + p.String() + " does not fit in a " + strconv.Itoa(max) + "-octet message"}
}

// plan is how a route goes on the wire in one context.
type plan struct {
	classic bool       // IPv4 unicast in the classic fields
	nextHop netip.Addr // next hop as sent: IPv4, or 16 octets for MP_REACH_NLRI
}

// nextHopField returns the octets of a next hop (4 or 16), in b.
func nextHopField(b *[16]byte, a netip.Addr) []byte {
	if a.Is4() {
		*(*[4]byte)(b[:4]) = a.As4()
		return b[:4]
	}
	*b = a.As16()
	return b[:]
}

// check validates r for ctx and decides its layout.
func (r *Route) check(ctx wire.Context) (plan, error) {
	var p plan
	if !r.Family.IsIP() {
		return p, &Error{Msg: "family " + r.Family.String() + " is not an IP unicast or multicast family"}
	}
	if !r.Prefix.IsValid() {
		return p, &Error{Msg: "route has no prefix"}
	}
	if v6 := r.Family.AFI == wire.AFIIPv6; v6 != r.Prefix.Addr().Is6() {
		return p, &Error{Msg: "prefix " + r.Prefix.String() + " is not in family " + r.Family.String()}
	}
	if r.Withdraw {
		p.classic = r.Family == wire.IPv4Unicast
		return p, nil
	}
	nh := r.NextHop
	if !nh.IsValid() {
		return p, &Error{Msg: "announcement of " + r.Prefix.String() + " has no next-hop"}
	}
	if r.Family.AFI == wire.AFIIPv4 {
		nh = nh.Unmap()
		if !nh.Is4() && !ctx.ExtNextHop(r.Family) {
			return p, &Error{Msg: "IPv6 next-hop " + nh.String() + " for " + r.Family.String() + " needs the extended next hop capability (RFC 8950)"}
		}
		p.classic = r.Family == wire.IPv4Unicast && nh.Is4()
	} else if nh.Is4() {
		nh = netip.AddrFrom16(nh.As16()) // IPv4-mapped, RFC 4798 §2
	}
	p.nextHop = nh.WithZone("")
	if a := r.Aggregator.Address; a.IsValid() && !a.Unmap().Is4() {
		return p, &Error{Msg: "aggregator address " + a.String() + " is not IPv4"}
	}
	if a := r.OriginatorID; a.IsValid() && !a.Unmap().Is4() {
		return p, &Error{Msg: "originator-id " + a.String() + " is not IPv4"}
	}
	for _, id := range r.ClusterList {
		if !id.Unmap().Is4() {
			return p, &Error{Msg: "cluster-list ID " + id.String() + " is not IPv4"}
		}
	}
	for _, s := range r.ASPath {
		if s.Type < attr.ASSet || s.Type > attr.ConfedSet {
			return p, &Error{Msg: "as-path segment type " + s.Type.String() + " is invalid"}
		}
	}
	return p, nil
}

// appendLow appends the attributes with codes 1-10, ascending (those
// that sort before MP_REACH_NLRI).
func (r *Route) appendLow(b []byte, ctx wire.Context, p plan) []byte {
	b = attr.AppendOrigin(b, r.Origin)
	b = attr.AppendASPath(b, r.ASPath, ctx.ASN4)
	if p.classic {
		b = attr.AppendNextHop(b, p.nextHop)
	}
	if r.HasMED {
		b = attr.AppendMED(b, r.MED)
	}
	if r.HasLocalPref {
		b = attr.AppendLocalPref(b, r.LocalPref)
	}
	if r.AtomicAggregate {
		b = attr.AppendAtomicAggregate(b)
	}
	if r.Aggregator.Address.IsValid() {
		a := r.Aggregator
		if r.as4Aggregator(ctx) {
			a.ASN = attr.ASTrans
		}
		b = attr.AppendAggregator(b, a, ctx.ASN4)
	}
	if len(r.Communities) > 0 {
		b = attr.AppendCommunities(b, r.Communities)
	}
	if r.OriginatorID.IsValid() {
		b = attr.AppendOriginatorID(b, r.OriginatorID)
	}
	if len(r.ClusterList) > 0 {
		b = attr.AppendClusterList(b, r.ClusterList)
	}
	return b
}

// appendHigh appends the attributes with codes 16 and up, ascending
// (those that sort after MP_UNREACH_NLRI).
func (r *Route) appendHigh(h []byte, ctx wire.Context) []byte {
	if len(r.ExtCommunities) > 0 {
		h = attr.AppendExtCommunities(h, r.ExtCommunities)
	}
	if !ctx.ASN4 && needsAS4Path(r.ASPath) {
		h = attr.AppendAS4Path(h, as4Segments(r.ASPath))
	}
	if r.as4Aggregator(ctx) {
		h = attr.AppendAS4Aggregator(h, r.Aggregator)
	}
	if r.HasAIGP {
		h = attr.AppendAIGP(h, r.AIGP)
	}
	if len(r.LargeCommunities) > 0 {
		h = attr.AppendLargeCommunities(h, r.LargeCommunities)
	}
	return h
}

// encoded is a route's attributes split around MP_REACH_NLRI, so that
// routes with equal encodings can share one UPDATE.
type encoded struct {
	withdraw bool
	family   wire.Family
	classic  bool   // IPv4 unicast in the classic fields
	nextHop  []byte // MP_REACH_NLRI next hop field (MP only)
	low      []byte // attributes with codes below MP_REACH_NLRI (14)
	high     []byte // attributes with codes above MP_UNREACH_NLRI (15)
}

// groupKey is the identity of routes that may share an UPDATE.
func (e *encoded) groupKey() string {
	b := make([]byte, 0, 8+len(e.nextHop)+len(e.low)+len(e.high))
	w := byte(0)
	if e.withdraw {
		w = 1
	}
	b = append(b, w, byte(e.family.AFI>>8), byte(e.family.AFI), byte(e.family.SAFI), byte(len(e.nextHop)))
	b = append(b, e.nextHop...)
	b = append(b, byte(len(e.low)>>8), byte(len(e.low)))
	b = append(b, e.low...)
	return string(append(b, e.high...))
}

// encode splits r's attributes for ctx.
func (r *Route) encode(ctx wire.Context) (encoded, error) {
	e := encoded{withdraw: r.Withdraw, family: r.Family}
	p, err := r.check(ctx)
	if err != nil {
		return e, err
	}
	e.classic = p.classic
	if r.Withdraw {
		return e, nil
	}
	if !p.classic {
		var nb [16]byte
		e.nextHop = append([]byte(nil), nextHopField(&nb, p.nextHop)...)
	}
	e.low = r.appendLow(nil, ctx, p)
	e.high = r.appendHigh(nil, ctx)
	return e, nil
}

// needsAS4Path reports whether a path holds an ASN that 2-octet AS_PATH
// cannot carry (RFC 6793 §4.2.2).
// as4Aggregator reports whether r's AGGREGATOR goes to a 2-octet-AS
// speaker as AS_TRANS followed by AS4_AGGREGATOR: when its ASN does not
// fit 2 octets (RFC 6793 §4.2.2), and also when AS4_PATH is sent — a
// receiver ignores AS4_PATH unless AGGREGATOR holds AS_TRANS (§4.2.3),
// and the path's 4-octet ASNs would be lost.
func (r *Route) as4Aggregator(ctx wire.Context) bool {
	return !ctx.ASN4 && r.Aggregator.Address.IsValid() && (r.Aggregator.ASN > 0xFFFF || needsAS4Path(r.ASPath))
}

func needsAS4Path(segs []attr.Segment) bool {
	for _, s := range segs {
		for _, a := range s.ASNs {
			if a > 0xFFFF {
				return true
			}
		}
	}
	return false
}

// as4Segments drops confederation segments, which RFC 6793 §3 keeps out
// of AS4_PATH.
func as4Segments(segs []attr.Segment) []attr.Segment {
	out := segs[:0:0]
	for _, s := range segs {
		if s.Type == attr.ASSet || s.Type == attr.ASSequence {
			out = append(out, s)
		}
	}
	return out
}

// attrHeaderLen is the header size AppendHeader uses for an n-octet value.
func attrHeaderLen(n int) int {
	if n > 255 {
		return 4
	}
	return 3
}

// batch collects the NLRI of routes with one encoding.
type batch struct {
	enc  encoded
	nlri []byte
	n    int // routes in nlri
}

// size returns the length of the UPDATE that batch b makes with k more
// NLRI octets.
func (b *batch) size(k int) int {
	n := wire.HeaderLen + 4 + len(b.nlri) + k
	e := &b.enc
	if e.withdraw {
		if !e.classic {
			v := 3 + len(b.nlri) + k
			n += attrHeaderLen(v) + 3
		}
		return n
	}
	n += len(e.low) + len(e.high)
	if !e.classic {
		v := 5 + len(e.nextHop) + len(b.nlri) + k
		n += attrHeaderLen(v) + 5 + len(e.nextHop)
	}
	return n
}

// appendTo appends the batch as one UPDATE.
func (b *batch) appendTo(dst []byte) []byte {
	e := &b.enc
	switch {
	case e.withdraw && e.classic:
		return message.AppendUpdate(dst, b.nlri, nil, nil)
	case e.withdraw:
		return message.AppendUpdate(dst, nil, attr.AppendMPUnreach(nil, e.family, b.nlri), nil)
	case e.classic:
		attrs := append(append(make([]byte, 0, len(e.low)+len(e.high)), e.low...), e.high...)
		return message.AppendUpdate(dst, nil, attrs, b.nlri)
	}
	attrs := make([]byte, 0, len(e.low)+len(e.high)+len(e.nextHop)+len(b.nlri)+16)
	attrs = append(attrs, e.low...)
	attrs = attr.AppendMPReach(attrs, e.family, e.nextHop, b.nlri)
	attrs = append(attrs, e.high...)
	return message.AppendUpdate(dst, nil, attrs, nil)
}

// AppendUpdates appends routes as UPDATE messages for ctx (see
// Route.AppendUpdate for the encoding), packing routes whose attributes,
// family and next hop encode identically into one UPDATE while it stays
// within ctx.MaxLen() (4096 octets, or 65535 with Extended Message).
// Withdrawals are packed per family. The order of announcements and
// withdrawals of one prefix (and path ID) is kept: a route that names an
// NLRI already waiting in a batch sends every batch first. The first
// error stops the encoding and returns dst unchanged.
func AppendUpdates(dst []byte, routes []Route, ctx wire.Context) ([]byte, error) {
	start := len(dst)
	max := ctx.MaxLen()
	var (
		order   []*batch
		byKey   = map[string]*batch{}
		pending = map[nlriKey]bool{}
	)
	flush := func() {
		for _, b := range order {
			if b.n > 0 {
				dst = b.appendTo(dst)
			}
		}
		order = order[:0]
		clear(byKey)
		clear(pending)
	}
	var one []byte
	for i := range routes {
		r := &routes[i]
		e, err := r.encode(ctx)
		if err != nil {
			return dst[:start], err
		}
		k := r.key()
		if pending[k] {
			flush()
		}
		one = nlri.AppendPrefix(one[:0], r.Prefix, r.PathID, ctx.AddPath(r.Family))
		gk := e.groupKey()
		b := byKey[gk]
		if b == nil {
			b = &batch{enc: e}
			byKey[gk] = b
			order = append(order, b)
		}
		if b.n > 0 && b.size(len(one)) > max {
			dst = b.appendTo(dst)
			b.nlri, b.n = b.nlri[:0], 0
		}
		if b.size(len(one)) > max {
			return dst[:start], tooBig(r.Prefix, max)
		}
		b.nlri = append(b.nlri, one...)
		b.n++
		pending[k] = true
	}
	flush()
	return dst, nil
}
