package conformance

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// zeDecode decodes msg (a whole message) with ze's codecs under the
// encoding context ctx of its direction and returns its fields. On a
// decoding error it returns the fields found so far and the error.
// Every UPDATE is walked fully: each attribute ze knows is parsed, each
// IP prefix iterated.
func zeDecode(msg []byte, ctx wire.Context) (*fields, error) {
	f := newFields()
	n, typ, err := wire.Header(msg, ctx.MaxLen())
	if err != nil {
		return f, err
	}
	f.add("type", strconv.Itoa(int(typ)))
	f.add("length", strconv.Itoa(n))
	if n != len(msg) {
		return f, fmt.Errorf("header length %d but message has %d octets", n, len(msg))
	}
	switch typ {
	case wire.TypeOpen:
		return f, zeOpen(f, msg)
	case wire.TypeUpdate:
		return f, zeUpdate(f, msg, ctx)
	case wire.TypeNotification:
		nt, err := wire.ParseNotification(msg)
		if err != nil {
			return f, err
		}
		f.add("notification.code", strconv.Itoa(int(nt.Code)))
		f.add("notification.subcode", strconv.Itoa(int(nt.Subcode)))
		data := nt.Data
		if text, rest, ok := nt.Communication(); ok {
			f.add("notification.communication", text)
			data = rest
		}
		if len(data) > 0 {
			f.add("notification.data", hex.EncodeToString(data))
		}
	case wire.TypeRouteRefresh:
		rr, err := wire.ParseRouteRefresh(msg)
		if err != nil {
			return f, err
		}
		f.add("refresh.family", familyString(rr.Family))
		f.add("refresh.subtype", strconv.Itoa(int(rr.Subtype)))
	}
	return f, nil
}

// zeUpdate adds the fields of an UPDATE.
func zeUpdate(f *fields, msg []byte, ctx wire.Context) error {
	u, err := message.ParseUpdate(msg)
	if err != nil {
		return err
	}
	it := u.WithdrawnRoutes(ctx)
	if err := zePrefixes(f, "update.withdrawn", &it, ctx.AddPath(wire.IPv4Unicast)); err != nil {
		return err
	}
	var codes []byte
	ai := u.Attributes()
	for ai.Next() {
		codes = strconv.AppendInt(codes, int64(ai.Code()), 10)
		codes = append(codes, ',')
	}
	if len(codes) > 0 {
		codes = codes[:len(codes)-1]
	}
	f.add("update.attrs", string(codes))
	if err := ai.Err(); err != nil {
		return err
	}
	// A malformed attribute does not stop the walk (RFC 7606 §3: the
	// list itself is sound, so the rest can still be read); the first
	// such error is returned at the end.
	var first error
	ai = u.Attributes()
	for ai.Next() {
		if err := zeAttr(f, ai.Code(), ai.Flags(), ai.Value(), ctx); err != nil && first == nil {
			first = err
		}
	}
	it = u.Announced(ctx)
	if err := zePrefixes(f, "update.nlri", &it, ctx.AddPath(wire.IPv4Unicast)); err != nil {
		return err
	}
	if fam, ok := u.EndOfRIB(); ok {
		f.add("update.eor", familyString(fam))
	}
	return first
}

func zePrefixes(f *fields, name string, it *nlri.Iterator, addPath bool) error {
	i := 0
	for it.Next() {
		f.add(name+"["+strconv.Itoa(i)+"]", prefixString(it.Prefix(), it.PathID(), addPath))
		i++
	}
	return it.Err()
}

// zeAttr adds the fields of one path attribute.
func zeAttr(f *fields, c attr.Code, flags attr.Flags, v []byte, ctx wire.Context) error {
	p := attrName(c)
	f.addf(p+".flags", "0x%02x", uint8(flags))
	f.add(p+".length", strconv.Itoa(len(v)))
	switch c {
	case attr.CodeOrigin:
		o, err := attr.ParseOrigin(v)
		if err != nil {
			return err
		}
		f.add(p, strconv.Itoa(int(o)))
	case attr.CodeASPath, attr.CodeAS4Path:
		it := attr.NewASPathIterator(v, ctx.ASN4 || c == attr.CodeAS4Path)
		j := 0
		for it.Next() {
			asns := make([]uint32, it.Len())
			for k := range asns {
				asns[k] = it.ASN(k)
			}
			q := p + "[" + strconv.Itoa(j) + "]"
			f.add(q+".type", strconv.Itoa(int(it.Type())))
			f.add(q+".asns", joinU32(asns))
			j++
		}
		return it.Err()
	case attr.CodeNextHop:
		a, err := attr.ParseNextHop(v)
		if err != nil {
			return err
		}
		f.add(p, a.String())
	case attr.CodeMED, attr.CodeLocalPref:
		x, err := attr.ParseUint32(c, v)
		if err != nil {
			return err
		}
		f.add(p, strconv.FormatUint(uint64(x), 10))
	case attr.CodeAggregator, attr.CodeAS4Aggregator:
		a, err := attr.ParseAggregator(c, v, ctx.ASN4 || c == attr.CodeAS4Aggregator)
		if err != nil {
			return err
		}
		f.addf(p, "%d %s", a.ASN, a.Address)
	case attr.CodeCommunities:
		cs, err := attr.ParseCommunities(v)
		if err != nil {
			return err
		}
		for k := 0; k < cs.Len(); k++ {
			x := cs.At(k)
			f.addf(p+"["+strconv.Itoa(k)+"]", "%d:%d", x>>16, x&0xFFFF)
		}
	case attr.CodeOriginatorID:
		a, err := attr.ParseOriginatorID(v)
		if err != nil {
			return err
		}
		f.add(p, a.String())
	case attr.CodeClusterList:
		cl, err := attr.ParseClusterList(v)
		if err != nil {
			return err
		}
		for k := 0; k < cl.Len(); k++ {
			f.add(p+"["+strconv.Itoa(k)+"]", cl.At(k).String())
		}
	case attr.CodeLargeCommunities:
		lc, err := attr.ParseLargeCommunities(v)
		if err != nil {
			return err
		}
		for k := 0; k < lc.Len(); k++ {
			f.add(p+"["+strconv.Itoa(k)+"]", lc.At(k).String())
		}
	case attr.CodeExtCommunities:
		ec, err := attr.ParseExtCommunities(v)
		if err != nil {
			return err
		}
		for k := 0; k < ec.Len(); k++ {
			e := ec.At(k)
			q := p + "[" + strconv.Itoa(k) + "]"
			f.addf(q+".type", "0x%02x", e.Type())
			f.addf(q+".subtype", "0x%02x", e.Subtype())
			if extValueCompared(e.Type(), e.Subtype()) {
				f.add(q+".value", e.String())
			}
		}
	case attr.CodeMPReach:
		m, err := attr.ParseMPReach(v)
		if err != nil {
			return err
		}
		f.add(p+".family", familyString(m.Family))
		f.add(p+".next_hop_raw", hex.EncodeToString(append([]byte{byte(len(m.NextHop))}, m.NextHop...)))
		if !m.Family.IsIP() {
			return nil
		}
		g, ll, ok := m.NextHops()
		if !ok {
			return errors.New("next hop of unexpected length")
		}
		f.add(p+".next_hop[0]", g.String())
		if ll.IsValid() {
			f.add(p+".next_hop[1]", ll.String())
		}
		it := nlri.NewIterator(m.NLRI, m.Family, ctx.AddPath(m.Family))
		return zePrefixes(f, p+".nlri", &it, ctx.AddPath(m.Family))
	case attr.CodeMPUnreach:
		m, err := attr.ParseMPUnreach(v)
		if err != nil {
			return err
		}
		f.add(p+".family", familyString(m.Family))
		if !m.Family.IsIP() {
			return nil
		}
		it := nlri.NewIterator(m.NLRI, m.Family, ctx.AddPath(m.Family))
		return zePrefixes(f, p+".nlri", &it, ctx.AddPath(m.Family))
	}
	return nil
}

// extValueCompared reports whether the value of an extended community
// of this type/subtype is compared (tshark shows it in a form ze's
// String can be matched against): route target and route origin with a
// 2-octet AS, IPv4 address or 4-octet AS (RFC 4360 §3, RFC 5668), and
// FlowSpec traffic-rate (RFC 8955 §7.3). Other kinds are compared by
// type and subtype only.
func extValueCompared(typ, sub uint8) bool {
	switch typ &^ 0x40 {
	case 0x00, 0x01, 0x02:
		return sub == 0x02 || sub == 0x03
	}
	return typ == 0x80 && sub == 0x06
}
