package router

import (
	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/rib"
	"github.com/ze-bgp/ze/speaker/wire"
)

// updateFixed is the size of an UPDATE without its three variable
// fields: header, Withdrawn Routes Length, Total Path Attribute Length.
const updateFixed = wire.HeaderLen + 4

// maxPrefix is the largest encoded prefix: path ID, length, 16 octets.
const maxPrefix = 4 + 1 + 16

// encoder builds UPDATEs from pooled attribute sets. Its buffers are
// reused between calls; each message in out is its own allocation (a
// Session keeps it).
type encoder struct {
	pool *rib.Pool
	out  [][]byte

	attrs, low, high, as4, nh, nl, ab []byte
	segs                              []attr.Segment
	asns                              []uint32
}

// group appends to e.out the UPDATEs for routes es of family f that
// all have attributes h (0: withdrawals), packed up to ctx.MaxLen(). It
// returns the number of routes it could not encode (attributes or next
// hop that do not fit ctx).
func (e *encoder) group(f wire.Family, h rib.Attrs, es []entry, ctx wire.Context) int {
	max := ctx.MaxLen()
	ap := ctx.AddPath(f)
	classic := f == wire.IPv4Unicast
	var fixed int
	if h == 0 {
		fixed = updateFixed
		if !classic {
			fixed += 4 + 3 // MP_UNREACH_NLRI header, AFI, SAFI
		}
	} else {
		var ok bool
		if classic, ok = e.prepare(f, h, ctx); !ok {
			return len(es)
		}
		fixed = updateFixed + len(e.low) + len(e.high)
		if !classic {
			fixed += 4 + 5 + len(e.nh) // MP_REACH_NLRI header, AFI, SAFI, next hop length, next hop, reserved
		}
	}
	room := max - fixed
	if room < maxPrefix {
		return len(es)
	}
	e.nl = e.nl[:0]
	for i := range es {
		n := &es[i].n
		l := len(e.nl)
		e.nl = nlri.AppendPrefix(e.nl, n.Prefix, n.PathID, ap)
		if len(e.nl) > room {
			e.build(f, h, classic, e.nl[:l])
			k := copy(e.nl, e.nl[l:])
			e.nl = e.nl[:k]
		}
	}
	if len(e.nl) > 0 {
		e.build(f, h, classic, e.nl)
	}
	return 0
}

// build appends one UPDATE with NLRI field nl to e.out.
func (e *encoder) build(f wire.Family, h rib.Attrs, classic bool, nl []byte) {
	switch {
	case h == 0 && classic:
		e.emit(nl, nil, nil)
	case h == 0:
		e.ab = attr.AppendMPUnreach(e.ab[:0], f, nl)
		e.emit(nil, e.ab, nil)
	case classic:
		e.ab = append(append(e.ab[:0], e.low...), e.high...)
		e.emit(nil, e.ab, nl)
	default:
		e.ab = append(e.ab[:0], e.low...)
		e.ab = attr.AppendMPReach(e.ab, f, e.nh, nl)
		e.ab = append(e.ab, e.high...)
		e.emit(nil, e.ab, nil)
	}
}

// emit appends one UPDATE, in a buffer of its own, to e.out.
func (e *encoder) emit(withdrawn, attrs, nl []byte) {
	m := make([]byte, 0, updateFixed+len(withdrawn)+len(attrs)+len(nl))
	e.out = append(e.out, message.AppendUpdate(m, withdrawn, attrs, nl))
}

// prepare splits h's attributes for ctx into e.low (codes below
// MP_REACH_NLRI) and e.high (above MP_UNREACH_NLRI), with e.nh the
// MP_REACH_NLRI next hop, and reports whether routes of f go in the
// classic NLRI field (RFC 4271 §4.3) rather than MP_REACH_NLRI (RFC 4760
// §3). ok is false when h cannot be sent in ctx: an IPv6 next hop for
// IPv4 NLRI without extended next hop (RFC 8950 §4).
//
// For a 2-octet-AS context AS_PATH and AGGREGATOR are rewritten with
// AS_TRANS and AS4_PATH / AS4_AGGREGATOR added when an ASN needs them
// (RFC 6793 §4.2.2), AGGREGATOR as AS_TRANS whenever AS4_PATH is added
// (§4.2.3: a receiver ignores AS4_PATH otherwise). Attributes stay in
// ascending type order.
func (e *encoder) prepare(f wire.Family, h rib.Attrs, ctx wire.Context) (classic, ok bool) {
	e.attrs = e.pool.AppendAttrs(e.attrs[:0], h)
	var mp bool
	e.nh, mp = e.pool.MPNextHop(e.nh[:0], h)
	classic = f == wire.IPv4Unicast
	var nextHop []byte // a NEXT_HOP to add (IPv4 unicast received in MP_REACH_NLRI)
	switch {
	case !mp && !classic:
		return false, false // cannot happen: only IPv4 unicast uses NEXT_HOP
	case mp && classic && len(e.nh) == 4:
		nextHop = attr.AppendHeader(e.ab[:0], attr.FlagTransitive, attr.CodeNextHop, 4)
		nextHop = append(nextHop, e.nh...)
	case mp && f.AFI == wire.AFIIPv4 && len(e.nh) != 4:
		if !ctx.ExtNextHop(f) {
			return false, false
		}
		classic = false
	}
	e.low, e.high, e.as4 = e.low[:0], e.high[:0], e.as4[:0]
	for it := attr.NewIterator(e.attrs); it.Next(); {
		c := it.Code()
		if nextHop != nil && c > attr.CodeNextHop {
			e.low, nextHop = append(e.low, nextHop...), nil
		}
		if len(e.as4) > 0 && c > attr.CodeAS4Aggregator {
			e.high, e.as4 = append(e.high, e.as4...), e.as4[:0]
		}
		dst := &e.low
		if c > attr.CodeMPUnreach {
			dst = &e.high
		}
		switch {
		case c == attr.CodeASPath && !ctx.ASN4:
			*dst = e.asPath2(*dst, it.Value())
		case c == attr.CodeAggregator && !ctx.ASN4:
			*dst = e.aggregator2(*dst, it.Value())
		default:
			*dst = append(*dst, it.Raw()...)
		}
	}
	if nextHop != nil {
		e.low = append(e.low, nextHop...)
	}
	e.high = append(e.high, e.as4...)
	return classic, true
}

// asPath2 appends AS_PATH value v (4-octet ASNs) as a 2-octet AS_PATH
// and queues AS4_PATH in e.as4 when an ASN exceeds 65535 (RFC 6793
// §4.2.2; confederation segments stay out of AS4_PATH, §3).
func (e *encoder) asPath2(dst, v []byte) []byte {
	e.segs, e.asns = e.segs[:0], e.asns[:0]
	big := false
	it := attr.NewASPathIterator(v, true)
	for it.Next() {
		start := len(e.asns)
		for i := range it.Len() {
			a := it.ASN(i)
			big = big || a > 0xFFFF
			e.asns = append(e.asns, a)
		}
		e.segs = append(e.segs, attr.Segment{Type: it.Type(), ASNs: e.asns[start:len(e.asns):len(e.asns)]})
	}
	// e.asns may have moved while growing: re-slice the segments.
	off := 0
	for i := range e.segs {
		n := len(e.segs[i].ASNs)
		e.segs[i].ASNs = e.asns[off : off+n]
		off += n
	}
	dst = attr.AppendASPath(dst, e.segs, false)
	if big {
		keep := e.segs[:0:0]
		for _, s := range e.segs {
			if s.Type == attr.ASSet || s.Type == attr.ASSequence {
				keep = append(keep, s)
			}
		}
		e.as4 = attr.AppendAS4Path(e.as4, keep)
	}
	return dst
}

// aggregator2 appends AGGREGATOR value v (4-octet ASN) in its 2-octet
// form and queues AS4_AGGREGATOR when the ASN exceeds 65535 or an
// AS4_PATH is queued (then AGGREGATOR holds AS_TRANS).
func (e *encoder) aggregator2(dst, v []byte) []byte {
	a, err := attr.ParseAggregator(attr.CodeAggregator, v, true)
	if err != nil {
		return dst // the pool keeps what was received: leave a bad one out
	}
	// With AS4_PATH queued (AS_PATH, code 2, came first: the pool keeps
	// attributes in ascending order), AGGREGATOR must be AS_TRANS too: a
	// receiver ignores AS4_PATH unless it is (RFC 6793 §4.2.3).
	if a.ASN > 0xFFFF || len(e.as4) > 0 {
		e.as4 = attr.AppendAS4Aggregator(e.as4, a)
		a.ASN = attr.ASTrans
	}
	return attr.AppendAggregator(dst, a, false)
}
