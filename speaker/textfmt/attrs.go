package textfmt

import (
	"strconv"
	"strings"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

// maxNamed bounds the type codes appendAttrs looks up by code.
const maxNamed = attr.CodeLargeCommunities + 1

// attrs holds the first occurrence of each attribute with a code below
// maxNamed.
type attrs struct {
	has   [maxNamed]bool
	flags [maxNamed]attr.Flags
	val   [maxNamed][]byte
}

func (a *attrs) get(c attr.Code) ([]byte, bool) {
	if c >= maxNamed || !a.has[c] {
		return nil, false
	}
	return a.val[c], true
}

// appendAttrs appends the attribute words of an announcement, each with
// a leading space, in the order package route writes them: origin,
// as-path, med, local-preference, atomic-aggregate, aggregator,
// community, originator-id, cluster-list, extended-community, aigp,
// large-community; then, in wire order, otc, ipv6-extended-community and
// "attribute [0xCODE 0xFLAGS 0xHEX]" for any other attribute and for
// one whose value does not decode. NEXT_HOP and the MP attributes are
// left to the route lines; repeats of a code are left out. On a
// 2-octet-AS session, AS4_PATH and AS4_AGGREGATOR are merged into
// as-path and aggregator (RFC 6793 §4.2.3) instead of being shown.
func appendAttrs(dst []byte, u message.Update, ctx wire.Context) []byte {
	var a attrs
	var seen [256]bool
	it := u.Attributes()
	for it.Next() {
		c := it.Code()
		if c < maxNamed && !a.has[c] {
			a.has[c], a.flags[c], a.val[c] = true, it.Flags(), it.Value()
		}
	}
	merge := !ctx.ASN4 && (a.has[attr.CodeAS4Path] || a.has[attr.CodeAS4Aggregator])

	if v, ok := a.get(attr.CodeOrigin); ok {
		if o, err := attr.ParseOrigin(v); err == nil {
			dst = append(dst, " origin "...)
			dst = append(dst, o.String()...)
		} else {
			dst = appendRaw(dst, a.flags[attr.CodeOrigin], attr.CodeOrigin, v)
		}
	}
	if v, ok := a.get(attr.CodeASPath); ok {
		dst = appendASPath(dst, &a, v, ctx, merge)
	}
	for _, c := range [...]attr.Code{attr.CodeMED, attr.CodeLocalPref} {
		if v, ok := a.get(c); ok {
			if n, err := attr.ParseUint32(c, v); err == nil {
				dst = append(dst, ' ')
				dst = append(dst, c.String()...)
				dst = append(dst, ' ')
				dst = strconv.AppendUint(dst, uint64(n), 10)
			} else {
				dst = appendRaw(dst, a.flags[c], c, v)
			}
		}
	}
	if v, ok := a.get(attr.CodeAtomicAggregate); ok {
		if len(v) == 0 {
			dst = append(dst, " atomic-aggregate"...)
		} else {
			dst = appendRaw(dst, a.flags[attr.CodeAtomicAggregate], attr.CodeAtomicAggregate, v)
		}
	}
	if v, ok := a.get(attr.CodeAggregator); ok {
		if g, err := attr.ParseAggregator(attr.CodeAggregator, v, ctx.ASN4); err == nil {
			if v4, ok := a.get(attr.CodeAS4Aggregator); ok && merge {
				if g4, err := attr.ParseAggregator(attr.CodeAS4Aggregator, v4, true); err == nil {
					g = attr.MergeAS4Aggregator(g, g4)
				}
			}
			dst = append(dst, " aggregator "...)
			dst = strconv.AppendUint(dst, uint64(g.ASN), 10)
			dst = g.Address.AppendTo(append(dst, ':'))
		} else {
			dst = appendRaw(dst, a.flags[attr.CodeAggregator], attr.CodeAggregator, v)
		}
	}
	if v, ok := a.get(attr.CodeCommunities); ok {
		if cs, err := attr.ParseCommunities(v); err == nil {
			dst = append(dst, " community ["...)
			for i := range cs.Len() {
				if i > 0 {
					dst = append(dst, ' ')
				}
				dst = append(dst, cs.At(i).String()...)
			}
			dst = append(dst, ']')
		} else {
			dst = appendRaw(dst, a.flags[attr.CodeCommunities], attr.CodeCommunities, v)
		}
	}
	if v, ok := a.get(attr.CodeOriginatorID); ok {
		if id, err := attr.ParseOriginatorID(v); err == nil {
			dst = id.AppendTo(append(dst, " originator-id "...))
		} else {
			dst = appendRaw(dst, a.flags[attr.CodeOriginatorID], attr.CodeOriginatorID, v)
		}
	}
	if v, ok := a.get(attr.CodeClusterList); ok {
		if cl, err := attr.ParseClusterList(v); err == nil {
			dst = appendAddrList(append(dst, " cluster-list"...), cl.Len(), cl.At)
		} else {
			dst = appendRaw(dst, a.flags[attr.CodeClusterList], attr.CodeClusterList, v)
		}
	}
	if v, ok := a.get(attr.CodeExtCommunities); ok {
		if es, err := attr.ParseExtCommunities(v); err == nil {
			dst = append(dst, " extended-community ["...)
			for i := range es.Len() {
				if i > 0 {
					dst = append(dst, ' ')
				}
				dst = appendExt(dst, es.At(i))
			}
			dst = append(dst, ']')
		} else {
			dst = appendRaw(dst, a.flags[attr.CodeExtCommunities], attr.CodeExtCommunities, v)
		}
	}
	if v, ok := a.get(attr.CodeAIGP); ok {
		if n, err := attr.ParseAIGP(v); err == nil {
			dst = strconv.AppendUint(append(dst, " aigp "...), n, 10)
		} else {
			dst = appendRaw(dst, a.flags[attr.CodeAIGP], attr.CodeAIGP, v)
		}
	}
	if v, ok := a.get(attr.CodeLargeCommunities); ok {
		if ls, err := attr.ParseLargeCommunities(v); err == nil {
			dst = append(dst, " large-community ["...)
			for i := range ls.Len() {
				if i > 0 {
					dst = append(dst, ' ')
				}
				dst = append(dst, ls.At(i).String()...)
			}
			dst = append(dst, ']')
		} else {
			dst = appendRaw(dst, a.flags[attr.CodeLargeCommunities], attr.CodeLargeCommunities, v)
		}
	}

	// The rest, in wire order.
	it = u.Attributes()
	for it.Next() {
		c, f, v := it.Code(), it.Flags(), it.Value()
		if seen[c] {
			continue
		}
		seen[c] = true
		switch c {
		case attr.CodeOrigin, attr.CodeASPath, attr.CodeNextHop, attr.CodeMED, attr.CodeLocalPref,
			attr.CodeAtomicAggregate, attr.CodeAggregator, attr.CodeCommunities, attr.CodeOriginatorID,
			attr.CodeClusterList, attr.CodeExtCommunities, attr.CodeAIGP, attr.CodeLargeCommunities,
			attr.CodeMPReach, attr.CodeMPUnreach:
			continue
		case attr.CodeAS4Path, attr.CodeAS4Aggregator:
			if merge {
				continue
			}
		case attr.CodeOTC:
			if n, err := attr.ParseOTC(v); err == nil {
				dst = strconv.AppendUint(append(dst, " otc "...), uint64(n), 10)
				continue
			}
		case attr.CodeIPv6ExtCommunities:
			if es, err := attr.ParseIPv6ExtCommunities(v); err == nil {
				dst = append(dst, " ipv6-extended-community ["...)
				for i := range es.Len() {
					if i > 0 {
						dst = append(dst, ' ')
					}
					dst = append(dst, es.At(i).String()...)
				}
				dst = append(dst, ']')
				continue
			}
		}
		dst = appendRaw(dst, f, c, v)
	}
	return dst
}

// appendRaw appends " attribute [0xCODE 0xFLAGS 0xHEX]" (ExaBGP's
// generic attribute syntax).
func appendRaw(dst []byte, f attr.Flags, c attr.Code, v []byte) []byte {
	const digits = "0123456789ABCDEF"
	dst = append(dst, " attribute [0x"...)
	dst = append(dst, digits[c>>4], digits[c&0xF])
	dst = append(dst, " 0x"...)
	dst = append(dst, digits[f>>4], digits[f&0xF])
	dst = append(dst, " 0x"...)
	dst = zejson.AppendHex(dst, v)
	return append(dst, ']')
}

// appendASPath appends " as-path [65001 65002 (65003 65004)]": an
// AS_SET in parentheses, an AS_CONFED_SEQUENCE in braces and an
// AS_CONFED_SET as "{(…)}". With merge, AS4_PATH is merged in (RFC 6793
// §4.2.3; ignored when AGGREGATOR names an ASN other than AS_TRANS). A
// path that does not decode is written raw.
func appendASPath(dst []byte, a *attrs, v []byte, ctx wire.Context, merge bool) []byte {
	var segs []attr.Segment
	var err error
	if merge {
		as4, _ := a.get(attr.CodeAS4Path)
		if agg, ok := a.get(attr.CodeAggregator); ok {
			if g, err := attr.ParseAggregator(attr.CodeAggregator, agg, false); err == nil && g.ASN != attr.ASTrans {
				as4 = nil
			}
		}
		segs, err = attr.MergeAS4Path(v, as4)
		if segs == nil && err != nil {
			return appendRaw(dst, a.flags[attr.CodeASPath], attr.CodeASPath, v)
		}
	} else if segs, err = attr.Segments(v, ctx.ASN4); err != nil {
		return appendRaw(dst, a.flags[attr.CodeASPath], attr.CodeASPath, v)
	}
	dst = append(dst, " as-path ["...)
	for i, s := range segs {
		if i > 0 {
			dst = append(dst, ' ')
		}
		open, close := "", ""
		switch s.Type {
		case attr.ASSet:
			open, close = "(", ")"
		case attr.ConfedSequence:
			open, close = "{", "}"
		case attr.ConfedSet:
			open, close = "{(", ")}"
		}
		dst = append(dst, open...)
		for j, n := range s.ASNs {
			if j > 0 {
				dst = append(dst, ' ')
			}
			dst = strconv.AppendUint(dst, uint64(n), 10)
		}
		dst = append(dst, close...)
	}
	return append(dst, ']')
}

// appendExt appends an extended community's named form when that form
// is one word that parses back to the same octets, else "0x" and hex.
func appendExt(dst []byte, e attr.ExtCommunity) []byte {
	s := e.String()
	if !strings.ContainsAny(s, " \t[](){}") {
		if back, err := attr.ParseExtCommunity(s); err == nil && back == e {
			return append(dst, s...)
		}
	}
	dst = append(dst, "0x"...)
	return zejson.AppendHex(dst, e[:])
}
