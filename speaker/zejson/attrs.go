package zejson

import (
	"errors"
	"strconv"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// attrState is what the attribute pass learns for the merged members.
type attrState struct {
	seen                          [4]uint64 // bit per type code
	asPath, as4Path, agg, as4Agg  []byte
	hasAS, hasAS4, hasAgg, hasA4g bool
}

// first marks c as seen and reports whether it was not seen before.
func (s *attrState) first(c attr.Code) bool {
	i, bit := c>>6, uint64(1)<<(c&63)
	if s.seen[i]&bit != 0 {
		return false
	}
	s.seen[i] |= bit
	return true
}

// attributes writes "attributes": one member per path attribute in wire
// order, named as attr.Code.String() names it ("origin", "as-path"…,
// "attribute-N" for unknown codes); MP_REACH_NLRI and MP_UNREACH_NLRI
// are shown as "announce" and "withdraw" groups instead. On a 2-octet-AS
// session carrying AS4_PATH / AS4_AGGREGATOR it adds "as-path-merged"
// and "aggregator-merged" (RFC 6793 §4.2.3).
// Repeats of a type code are left to duplicates.
func (w *writer) attributes(u message.Update, ctx wire.Context, st *attrState) error {
	opened := false
	it := u.Attributes()
	for it.Next() {
		c, f, v := it.Code(), it.Flags(), it.Value()
		if !st.first(c) {
			continue
		}
		switch c {
		case attr.CodeMPReach, attr.CodeMPUnreach:
			continue
		case attr.CodeASPath:
			st.asPath, st.hasAS = v, true
		case attr.CodeAS4Path:
			st.as4Path, st.hasAS4 = v, true
		case attr.CodeAggregator:
			st.agg, st.hasAgg = v, true
		case attr.CodeAS4Aggregator:
			st.as4Agg, st.hasA4g = v, true
		}
		if !opened {
			w.key("attributes")
			w.obj()
			opened = true
		}
		w.attrKey(c)
		m := w.mark()
		if err := w.attrValue(f, c, v, ctx); err != nil {
			w.reset(m)
			w.attrError(f, c, v, err)
		}
	}
	if err := it.Err(); err != nil {
		return err
	}
	if opened {
		if !ctx.ASN4 {
			w.merged(st)
		}
		w.endObj()
	}
	return nil
}

// attrKey writes an attribute's member name without allocating.
func (w *writer) attrKey(c attr.Code) {
	if attr.Known(c) {
		w.key(c.String())
		return
	}
	w.sep()
	w.b = append(w.b, `"attribute-`...)
	w.b = strconv.AppendUint(w.b, uint64(c), 10)
	w.b = append(w.b, '"', ':')
	w.afterKey = true
}

// attrError writes an attribute whose value cannot be decoded:
// {"error","action","code","flags","hex"}.
func (w *writer) attrError(f attr.Flags, c attr.Code, v []byte, err error) {
	w.obj()
	var we *wire.Error
	if errors.As(err, &we) {
		w.kstr("error", we.Msg)
		w.kstr("action", we.Action.String())
	} else {
		w.kstr("error", err.Error())
	}
	w.kuint("code", uint64(c))
	w.key("flags")
	w.hexByte(uint8(f))
	w.khex("hex", v)
	w.endObj()
}

// rawAttr writes an attribute this package does not decode: its code,
// flags and value in hex.
func (w *writer) rawAttr(f attr.Flags, c attr.Code, v []byte) {
	w.obj()
	w.kuint("code", uint64(c))
	w.key("flags")
	w.hexByte(uint8(f))
	w.khex("hex", v)
	w.endObj()
}

// attrValue writes one attribute's value (docs/json.md lists the shapes).
func (w *writer) attrValue(f attr.Flags, c attr.Code, v []byte, ctx wire.Context) error {
	switch c {
	case attr.CodeOrigin:
		o, err := attr.ParseOrigin(v)
		if err != nil {
			return err
		}
		w.str(o.String())
	case attr.CodeASPath:
		return w.asPath(v, ctx.ASN4)
	case attr.CodeAS4Path:
		return w.asPath(v, true)
	case attr.CodeNextHop:
		a, err := attr.ParseNextHop(v)
		if err != nil {
			return err
		}
		w.addr(a)
	case attr.CodeMED, attr.CodeLocalPref, attr.CodeOTC:
		n, err := attr.ParseUint32(c, v)
		if err != nil {
			return err
		}
		w.uint(uint64(n))
	case attr.CodeAtomicAggregate:
		if len(v) != 0 {
			return attr.Check(c, f, v, ctx)
		}
		w.bool(true)
	case attr.CodeAggregator, attr.CodeAS4Aggregator:
		a, err := attr.ParseAggregator(c, v, ctx.ASN4 || c == attr.CodeAS4Aggregator)
		if err != nil {
			return err
		}
		w.aggregator(a)
	case attr.CodeCommunities:
		cs, err := attr.ParseCommunities(v)
		if err != nil {
			return err
		}
		w.arr()
		for i := range cs.Len() {
			w.sep()
			w.b = append(w.b, '"')
			w.b = appendCommunity(w.b, cs.At(i))
			w.b = append(w.b, '"')
		}
		w.endArr()
	case attr.CodeLargeCommunities:
		ls, err := attr.ParseLargeCommunities(v)
		if err != nil {
			return err
		}
		w.arr()
		for i := range ls.Len() {
			l := ls.At(i)
			w.sep()
			w.b = append(w.b, '"')
			w.b = strconv.AppendUint(w.b, uint64(l.Global), 10)
			w.b = append(w.b, ':')
			w.b = strconv.AppendUint(w.b, uint64(l.Local1), 10)
			w.b = append(w.b, ':')
			w.b = strconv.AppendUint(w.b, uint64(l.Local2), 10)
			w.b = append(w.b, '"')
		}
		w.endArr()
	case attr.CodeExtCommunities:
		es, err := attr.ParseExtCommunities(v)
		if err != nil {
			return err
		}
		w.arr()
		for i := range es.Len() {
			w.str(es.At(i).String())
		}
		w.endArr()
	case attr.CodeIPv6ExtCommunities:
		es, err := attr.ParseIPv6ExtCommunities(v)
		if err != nil {
			return err
		}
		w.arr()
		for i := range es.Len() {
			w.str(es.At(i).String())
		}
		w.endArr()
	case attr.CodeOriginatorID:
		a, err := attr.ParseOriginatorID(v)
		if err != nil {
			return err
		}
		w.addr(a)
	case attr.CodeClusterList:
		cl, err := attr.ParseClusterList(v)
		if err != nil {
			return err
		}
		w.arr()
		for i := range cl.Len() {
			w.addr(cl.At(i))
		}
		w.endArr()
	case attr.CodeAIGP:
		n, err := attr.ParseAIGP(v)
		if err != nil {
			return err
		}
		w.uint(n)
	case attr.CodePMSITunnel:
		return w.pmsi(v)
	case attr.CodePrefixSID:
		return w.prefixSID(v)
	default:
		w.rawAttr(f, c, v)
	}
	return nil
}

// appendCommunity appends a community's well-known name or "ASN:VALUE".
func appendCommunity(dst []byte, c attr.Community) []byte {
	if n := c.Name(); n != "" {
		return append(dst, n...)
	}
	dst = strconv.AppendUint(dst, uint64(c>>16), 10)
	dst = append(dst, ':')
	return strconv.AppendUint(dst, uint64(c&0xFFFF), 10)
}

func (w *writer) aggregator(a attr.Aggregator) {
	w.obj()
	w.kuint("asn", uint64(a.ASN))
	w.kaddr("address", a.Address)
	w.endObj()
}

// asPath writes [{"type":"as-sequence","asns":[…]}…] from the wire.
func (w *writer) asPath(v []byte, asn4 bool) error {
	it := attr.NewASPathIterator(v, asn4)
	w.arr()
	for it.Next() {
		w.obj()
		w.kstr("type", it.Type().String())
		w.key("asns")
		w.arr()
		for i := range it.Len() {
			w.uint(uint64(it.ASN(i)))
		}
		w.endArr()
		w.endObj()
	}
	w.endArr()
	return it.Err()
}

// segments writes an in-memory AS path like asPath.
func (w *writer) segments(segs []attr.Segment) {
	w.arr()
	for _, s := range segs {
		w.obj()
		w.kstr("type", s.Type.String())
		w.key("asns")
		w.arr()
		for _, a := range s.ASNs {
			w.uint(uint64(a))
		}
		w.endArr()
		w.endObj()
	}
	w.endArr()
}

// merged writes "as-path-merged" and "aggregator-merged" for a route
// from a 2-octet-AS speaker (RFC 6793 §4.2.3): AS4_PATH is ignored when
// an AGGREGATOR names an ASN other than AS_TRANS.
func (w *writer) merged(st *attrState) {
	if st.hasAS4 && st.hasAS {
		as4 := st.as4Path
		if st.hasAgg {
			if a, err := attr.ParseAggregator(attr.CodeAggregator, st.agg, false); err == nil && a.ASN != attr.ASTrans {
				as4 = nil
			}
		}
		if segs, err := attr.MergeAS4Path(st.asPath, as4); err == nil || segs != nil {
			w.key("as-path-merged")
			w.segments(segs)
		}
	}
	if st.hasA4g && st.hasAgg {
		a, err := attr.ParseAggregator(attr.CodeAggregator, st.agg, false)
		if err != nil {
			return
		}
		a4, err := attr.ParseAggregator(attr.CodeAS4Aggregator, st.as4Agg, true)
		if err != nil {
			a4 = attr.Aggregator{}
		}
		w.key("aggregator-merged")
		w.aggregator(attr.MergeAS4Aggregator(a, a4))
	}
}

// attributeFlags writes "attribute-flags": the flags octet of each
// attribute whose Optional/Transitive bits contradict its type (an
// Attribute Flags Error, RFC 4271 §6.3, treat-as-withdraw per RFC 7606
// §3.c).
func (w *writer) attributeFlags(u message.Update, ctx wire.Context) {
	var st attrState
	opened := false
	it := u.Attributes()
	for it.Next() {
		c, f := it.Code(), it.Flags()
		if !st.first(c) {
			continue
		}
		var we *wire.Error
		if err := attr.Check(c, f, it.Value(), ctx); errors.As(err, &we) && we.Subcode == wire.SubAttributeFlagsError {
			if !opened {
				w.key("attribute-flags")
				w.obj()
				opened = true
			}
			w.attrKey(c)
			w.hexByte(uint8(f))
		}
	}
	if opened {
		w.endObj()
	}
}

// duplicates writes "duplicate-attributes": every repeat of a type code
// other than MP_REACH_NLRI / MP_UNREACH_NLRI, which RFC 7606 §3.g
// discards: [{"code","name","flags","hex"}…].
func (w *writer) duplicates(u message.Update) {
	var st attrState
	opened := false
	it := u.Attributes()
	for it.Next() {
		c := it.Code()
		if st.first(c) || c == attr.CodeMPReach || c == attr.CodeMPUnreach {
			continue
		}
		if !opened {
			w.key("duplicate-attributes")
			w.arr()
			opened = true
		}
		w.obj()
		w.kuint("code", uint64(c))
		w.kstr("name", c.String())
		w.key("flags")
		w.hexByte(uint8(it.Flags()))
		w.khex("hex", it.Value())
		w.endObj()
	}
	if opened {
		w.endArr()
	}
}
