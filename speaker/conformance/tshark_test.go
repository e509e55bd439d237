package conformance

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// tshark field names (TShark 4.0.17, "-T json"); shortened below.
const (
	tsPA     = "bgp.update.path_attribute"
	tsMPR    = "bgp.update.path_attribute.mp_reach_nlri"
	tsMPU    = "bgp.update.path_attribute.mp_unreach_nlri"
	tsSeg    = "bgp.update.path_attribute.as_path_segment"
	tsComms  = "bgp.update.path_attribute.communities"
	tsComm   = "bgp.update.path_attribute.community"
	tsExtCom = "bgp.ext_com"
)

// tsDecode turns one tshark "bgp" layer (one message) into fields named
// like zeDecode's. It reports the problems it meets in the dissection
// (a field it cannot read) as an error, after the fields it could read.
func tsDecode(b *node) (*fields, error) {
	f := newFields()
	typ, _ := b.str("bgp.type")
	f.add("type", typ)
	if l, ok := b.str("bgp.length"); ok {
		f.add("length", l)
	}
	switch typ {
	case "1":
		return f, tsOpen(f, b)
	case "2":
		return f, tsUpdate(f, b)
	case "3":
		return f, tsNotification(f, b)
	case "5":
		fam, err := tsFamily(b, "bgp.route_refresh.afi", "bgp.route_refresh.safi")
		if err != nil {
			return f, err
		}
		f.add("refresh.family", fam)
		if s, ok := b.str("bgp.route_refresh.subtype"); ok {
			f.add("refresh.subtype", s)
		}
	}
	return f, nil
}

// tsFamily reads an AFI and a SAFI field into "afi/safi".
func tsFamily(n *node, afiKey, safiKey string) (string, error) {
	a, ok1 := n.str(afiKey)
	s, ok2 := n.str(safiKey)
	if !ok1 || !ok2 {
		return "", fmt.Errorf("no %s/%s", afiKey, safiKey)
	}
	return a + "/" + s, nil
}

func tsNotification(f *fields, b *node) error {
	code, ok := b.str("bgp.notify.major_error")
	if !ok {
		return fmt.Errorf("notification without bgp.notify.major_error")
	}
	f.add("notification.code", code)
	// The subcode field is named after the code:
	// bgp.notify.minor_error_cease, …_update, …_expired, …_unknown, or
	// plain bgp.notify.minor_error.
	for _, k := range b.withPrefix("bgp.notify.minor_error") {
		if strings.HasSuffix(k.Key, "_tree") || k.Obj {
			continue
		}
		f.add("notification.subcode", k.Val)
		break
	}
	if s, ok := b.str("bgp.notify.communication"); ok {
		f.add("notification.communication", s)
	}
	if s, ok := b.str("bgp.notify.minor_data"); ok {
		f.add("notification.data", strings.ReplaceAll(s, ":", ""))
	}
	return nil
}

// tsPrefixes reads prefix entries: children of container c that hold a
// bgp.prefix_length, the address in the first field named in addrKeys,
// and an optional bgp.nlri_path_id.
func tsPrefixes(f *fields, name string, containers []*node, addrKeys ...string) error {
	i := 0
	for _, c := range containers {
		for _, e := range c.Kids {
			bits, ok := e.str("bgp.prefix_length")
			if !ok {
				continue
			}
			var addr string
			for _, k := range addrKeys {
				if a, ok := e.str(k); ok {
					addr = a
					break
				}
			}
			a, err := netip.ParseAddr(addr)
			if err != nil {
				return fmt.Errorf("%s[%d]: address %q: %w", name, i, addr, err)
			}
			n, err := strconv.Atoi(bits)
			if err != nil {
				return fmt.Errorf("%s[%d]: prefix length %q", name, i, bits)
			}
			id, hasID := e.str("bgp.nlri_path_id")
			idn, _ := strconv.ParseUint(id, 10, 32)
			f.add(name+"["+strconv.Itoa(i)+"]", prefixString(netip.PrefixFrom(a, n), uint32(idn), hasID))
			i++
		}
	}
	return nil
}

func tsUpdate(f *fields, b *node) error {
	if err := tsPrefixes(f, "update.withdrawn", b.all("bgp.update.withdrawn_routes"), "bgp.withdrawn_prefix"); err != nil {
		return err
	}
	attrs := b.path("bgp.update.path_attributes").all(tsPA)
	codes := make([]string, 0, len(attrs))
	for _, a := range attrs {
		c, _ := a.str(tsPA + ".type_code")
		codes = append(codes, c)
	}
	if b.get("bgp.update.path_attributes.length") != nil {
		f.add("update.attrs", strings.Join(codes, ","))
	}
	for _, a := range attrs {
		if err := tsAttr(f, a); err != nil {
			return err
		}
	}
	if err := tsPrefixes(f, "update.nlri", b.all("bgp.update.nlri"), "bgp.nlri_prefix"); err != nil {
		return err
	}
	// End-of-RIB (RFC 4724 §2), applied to tshark's dissection: no
	// withdrawn routes, no attributes, no NLRI (IPv4 unicast), or a lone
	// MP_UNREACH_NLRI without prefixes.
	wl, _ := b.str("bgp.update.withdrawn_routes.length")
	al, _ := b.str("bgp.update.path_attributes.length")
	hasNLRI := b.get("bgp.update.nlri") != nil
	switch {
	case wl == "0" && al == "0" && !hasNLRI:
		f.add("update.eor", "1/1")
	case wl == "0" && !hasNLRI && len(attrs) == 1 && codes[0] == "15":
		if v, ok := attrs[0].str(tsMPU); ok && v == "" {
			fam, err := tsFamily(attrs[0], tsMPU+".afi", tsMPU+".safi")
			if err != nil {
				return err
			}
			f.add("update.eor", fam)
		}
	}
	return nil
}

// tsAttr adds the fields of one bgp.update.path_attribute.
func tsAttr(f *fields, a *node) error {
	cs, _ := a.str(tsPA + ".type_code")
	cn, err := strconv.Atoi(cs)
	if err != nil {
		return fmt.Errorf("attribute type code %q", cs)
	}
	c := attr.Code(cn)
	p := attrName(c)
	if v, ok := a.str(tsPA + ".flags"); ok {
		f.add(p+".flags", v)
	}
	if v, ok := a.str(tsPA + ".length"); ok {
		f.add(p+".length", v)
	}
	scalar := func(key string) {
		if v, ok := a.str(key); ok {
			f.add(p, v)
		}
	}
	switch c {
	case attr.CodeOrigin:
		scalar(tsPA + ".origin")
	case attr.CodeASPath, attr.CodeAS4Path:
		for j, s := range a.all(tsSeg) {
			q := p + "[" + strconv.Itoa(j) + "]"
			if t, ok := s.str(tsSeg + ".type"); ok {
				f.add(q+".type", t)
			}
			var asns []string
			for _, k := range s.Kids {
				if k.Key == tsSeg+".as2" || k.Key == tsSeg+".as4" {
					asns = append(asns, k.Val)
				}
			}
			f.add(q+".asns", strings.Join(asns, " "))
		}
	case attr.CodeNextHop:
		scalar(tsPA + ".next_hop")
	case attr.CodeMED:
		scalar(tsPA + ".multi_exit_disc")
	case attr.CodeLocalPref:
		scalar(tsPA + ".local_pref")
	case attr.CodeAggregator, attr.CodeAS4Aggregator:
		as, ok1 := a.str(tsPA + ".aggregator_as")
		ad, ok2 := a.str(tsPA + ".aggregator_origin")
		if ok1 && ok2 {
			f.add(p, as+" "+ad)
		}
	case attr.CodeCommunities:
		k := 0
		for _, cm := range a.path(tsComms).Kids {
			var v string
			switch cm.Key {
			case tsComm:
				as, _ := cm.str(tsComm + "_as")
				val, _ := cm.str(tsComm + "_value")
				v = as + ":" + val
			case tsComm + "_wellknown":
				x, err := strconv.ParseUint(strings.TrimPrefix(cm.Val, "0x"), 16, 32)
				if err != nil {
					return fmt.Errorf("community %q", cm.Val)
				}
				v = fmt.Sprintf("%d:%d", x>>16, x&0xFFFF)
			default:
				continue
			}
			f.add(p+"["+strconv.Itoa(k)+"]", v)
			k++
		}
	case attr.CodeOriginatorID:
		scalar(tsPA + ".originator_id")
	case attr.CodeClusterList:
		for k, id := range a.path("bgp.path_attribute.cluster_list").all("bgp.path_attribute.cluster_id") {
			f.add(p+"["+strconv.Itoa(k)+"]", id.Val)
		}
	case attr.CodeLargeCommunities:
		for k, t := range a.all("bgp.large_communities_tree") {
			g, _ := t.str("bgp.large_communities.ga")
			l1, _ := t.str("bgp.large_communities.ldp1")
			l2, _ := t.str("bgp.large_communities.ldp2")
			f.add(p+"["+strconv.Itoa(k)+"]", g+":"+l1+":"+l2)
		}
	case attr.CodeExtCommunities:
		for k, e := range a.path("bgp.ext_communities").all("bgp.ext_community") {
			if err := tsExtCommunity(f, p+"["+strconv.Itoa(k)+"]", e); err != nil {
				return err
			}
		}
	case attr.CodeMPReach:
		fam, err := tsFamily(a, tsMPR+".afi", tsMPR+".safi")
		if err != nil {
			return err
		}
		f.add(p+".family", fam)
		if v, ok := a.str(tsMPR + ".next_hop"); ok {
			f.add(p+".next_hop_raw", strings.ReplaceAll(v, ":", ""))
		}
		if !tsIPFamily(fam) {
			return nil
		}
		k := 0
		for _, h := range a.path(tsMPR + ".next_hop_tree").Kids {
			if h.Key == tsMPR+".next_hop.ipv4" || h.Key == tsMPR+".next_hop.ipv6" {
				f.add(p+".next_hop["+strconv.Itoa(k)+"]", h.Val)
				k++
			}
		}
		return tsPrefixes(f, p+".nlri", a.all(tsMPR), "bgp.mp_reach_nlri_ipv4_prefix", "bgp.mp_reach_nlri_ipv6_prefix")
	case attr.CodeMPUnreach:
		fam, err := tsFamily(a, tsMPU+".afi", tsMPU+".safi")
		if err != nil {
			return err
		}
		f.add(p+".family", fam)
		if !tsIPFamily(fam) {
			return nil
		}
		return tsPrefixes(f, p+".nlri", a.all(tsMPU), "bgp.mp_unreach_nlri_ipv4_prefix", "bgp.mp_unreach_nlri_ipv6_prefix")
	}
	return nil
}

func tsIPFamily(fam string) bool {
	switch fam {
	case "1/1", "1/2", "2/1", "2/2":
		return true
	}
	return false
}

// tsExtCommunity adds one extended community: type, subtype and, for
// the kinds extValueCompared names, the value rebuilt in ze's text form
// ("target:65000:1", "origin:10.0.0.1:7", "target:65001L:1",
// "rate-limit:1000").
func tsExtCommunity(f *fields, q string, e *node) error {
	ts, ok := e.str(tsExtCom + ".type")
	if !ok {
		return fmt.Errorf("%s: no type", q)
	}
	f.add(q+".type", ts)
	var sub string
	for _, k := range e.withPrefix(tsExtCom + ".stype") {
		if !strings.HasSuffix(k.Key, "_tree") {
			sub = k.Val
			break
		}
	}
	if sub == "" {
		return fmt.Errorf("%s: no subtype", q)
	}
	f.add(q+".subtype", sub)
	typ, err1 := strconv.ParseUint(strings.TrimPrefix(ts, "0x"), 16, 8)
	st, err2 := strconv.ParseUint(strings.TrimPrefix(sub, "0x"), 16, 8)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("%s: type %q subtype %q", q, ts, sub)
	}
	if !extValueCompared(uint8(typ), uint8(st)) {
		return nil
	}
	name := "target"
	if st == 0x03 {
		name = "origin"
	}
	v := func(k string) string { s, _ := e.str(tsExtCom + ".value_" + k); return s }
	switch uint8(typ) &^ 0x40 {
	case 0x00:
		f.add(q+".value", name+":"+v("as2")+":"+v("an4"))
	case 0x01:
		f.add(q+".value", name+":"+v("IP4")+":"+v("an2"))
	case 0x02:
		as := v("as4")
		if n, err := strconv.ParseUint(as, 10, 32); err == nil && n <= math.MaxUint16 {
			as += "L"
		}
		f.add(q+".value", name+":"+as+":"+v("an2"))
	default: // 0x80/0x06 traffic-rate
		r, _ := e.str("bgp.ext_com_flow.rate_limit")
		x, err := strconv.ParseFloat(r, 64)
		if err != nil {
			return fmt.Errorf("%s: rate %q", q, r)
		}
		f.add(q+".value", "rate-limit:"+strconv.FormatUint(uint64(x), 10))
	}
	return nil
}

// tsOpen adds the fields of an OPEN.
func tsOpen(f *fields, b *node) error {
	for _, k := range [][2]string{
		{"bgp.open.version", "open.version"},
		{"bgp.open.myas", "open.my_as"},
		{"bgp.open.holdtime", "open.hold_time"},
		{"bgp.open.identifier", "open.bgp_id"},
	} {
		if v, ok := b.str(k[0]); ok {
			f.add(k[1], v)
		}
	}
	i := 0
	for _, p := range b.path("bgp.open.opt").all("bgp.open.opt.param") {
		for _, c := range p.all("bgp.cap") {
			tsCap(f, "open.cap["+strconv.Itoa(i)+"]", c)
			i++
		}
	}
	return nil
}

// tsCap adds one capability: its code and, per code, the values the
// brief compares.
func tsCap(f *fields, q string, c *node) {
	code, _ := c.str("bgp.cap.type")
	f.add(q+".code", code)
	pair := func(name, afi, safi string, extra ...string) {
		as, ss := c.all(afi), c.all(safi)
		var xs [][]*node
		for _, e := range extra {
			xs = append(xs, c.all(e))
		}
		for j := range as {
			if j >= len(ss) {
				break
			}
			v := as[j].Val + "/" + ss[j].Val
			for _, x := range xs {
				if j < len(x) {
					v += "/" + x[j].Val
				}
			}
			f.add(q+"."+name+"["+strconv.Itoa(j)+"]", v)
		}
	}
	switch code {
	case "1":
		pair("family", "bgp.cap.mp.afi", "bgp.cap.mp.safi")
	case "65":
		if v, ok := c.str("bgp.cap.4as"); ok {
			f.add(q+".asn", v)
		}
	case "69":
		pair("add_path", "bgp.cap.ap.afi", "bgp.cap.ap.safi", "bgp.cap.ap.sendreceive")
	case "64":
		if v, ok := c.path("bgp.cap.gr.timers_tree").str("bgp.cap.gr.timers.restart_time"); ok {
			f.add(q+".restart_time", v)
		}
	case "73":
		if v, ok := c.str("bgp.cap.orf.fqdn.hostname"); ok {
			f.add(q+".hostname", v)
		}
	}
}

// familyFromString parses "afi/safi" as written by familyString.
func familyFromString(s string) (wire.Family, bool) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return wire.Family{}, false
	}
	x, err1 := strconv.ParseUint(a, 10, 16)
	y, err2 := strconv.ParseUint(b, 10, 8)
	if err1 != nil || err2 != nil {
		return wire.Family{}, false
	}
	return wire.Family{AFI: wire.AFI(x), SAFI: wire.SAFI(y)}, true
}
