package exabgp

import (
	"bytes"
	"encoding/binary"
	"math"
	"net/netip"
	"sort"
	"strconv"
)

// appendExtCommunity appends ExaBGP's text for one extended community
// (RFC 4360, 8 octets), the "string" of its JSON form. ExaBGP picks the
// decoder by (type & 0x0F, subtype), so transitive and non-transitive
// forms print alike; a community it has no decoder for prints as an
// empty string. ok is false where ExaBGP fails (a rate that is NaN or
// infinite).
//
// The texts, with ExaBGP's quirks kept: "target:ASN:N", "target:IP:N",
// "target:ASNL:N"; "origin:ASN:IP" for the 2-octet-AS form (the 4-octet
// number shown as an address) and "origin:N:IP" for the IPv4 form (fields
// swapped); "origin:ASNL:N"; "rtrecord:…" like target; "rate-limit:N"
// (bytes/s truncated); "action sample-terminal"; "redirect:ASN:N"; "mark
// N"; "l2info:ENCAPS:CONTROL:MTU:RESERVED"; "encap:VXLAN" (or
// "encap:encap:UNKNOWN-N"); "mac-mobility:SEQ[:sticky]";
// "interface-set:DIR:ASN:TARGET"; "copy-to-nexthop" /
// "redirect-to-nexthop"; "copy-to-nexthop-ietf IP (with copy)" /
// "redirect-to-nexthop-ietf IP"; "consistentHashSortOrder:N".
func appendExtCommunity(dst []byte, v Version, b []byte) ([]byte, bool) {
	u16 := func(i int) uint64 { return uint64(binary.BigEndian.Uint16(b[i:])) }
	u32 := func(i int) uint64 { return uint64(binary.BigEndian.Uint32(b[i:])) }
	num := func(dst []byte, n uint64) []byte { return strconv.AppendUint(dst, n, 10) }
	ip := func(dst []byte, i int) []byte { return netip.AddrFrom4([4]byte(b[i : i+4])).AppendTo(dst) }
	rt := func(dst []byte, name string, typ byte) []byte {
		dst = append(dst, name...)
		dst = append(dst, ':')
		switch typ {
		case 0:
			dst = append(num(dst, u16(2)), ':')
			return num(dst, u32(4))
		case 1:
			dst = append(ip(dst, 2), ':')
			return num(dst, u16(6))
		}
		dst = append(num(dst, u32(2)), "L:"...)
		return num(dst, u16(6))
	}
	typ, sub := b[0]&0x0F, b[1]
	switch {
	case sub == 0x02 && typ <= 2:
		return rt(dst, "target", typ), true
	case sub == 0x13 && typ <= 2:
		return rt(dst, "rtrecord", typ), true
	case sub == 0x03 && typ == 0:
		dst = append(num(append(dst, "origin:"...), u16(2)), ':')
		return ip(dst, 4), true
	case sub == 0x03 && typ == 1:
		dst = append(num(append(dst, "origin:"...), u16(6)), ':')
		return ip(dst, 2), true
	case sub == 0x03 && typ == 2:
		dst = append(num(append(dst, "origin:"...), u32(2)), "L:"...)
		return num(dst, u16(6)), true
	case typ == 0 && (sub == 0x06 || (sub == 0x0C && v == V5)):
		dst = append(dst, "rate-limit:"...)
		var ok bool
		dst, ok = appendFloatInt(dst, float64(math.Float32frombits(uint32(u32(4)))))
		if sub == 0x0C {
			dst = append(dst, ":packets"...)
		}
		return dst, ok
	case typ == 0 && sub == 0x07:
		dst = append(dst, "action "...)
		if b[7]&0x02 != 0 {
			dst = append(dst, "sample"...)
			if b[7]&0x01 != 0 {
				dst = append(dst, '-')
			}
		}
		if b[7]&0x01 != 0 {
			dst = append(dst, "terminal"...)
		}
		return dst, true
	case typ == 0 && sub == 0x08:
		dst = append(num(append(dst, "redirect:"...), u16(2)), ':')
		return num(dst, u32(4)), true
	case typ == 2 && sub == 0x08:
		// ExaBGP 4.2 recurses forever on this one; this is its __str__.
		dst = append(num(append(dst, "redirect:"...), u32(2)), ':')
		return num(dst, u16(6)), true
	case typ == 0 && sub == 0x09:
		return num(append(dst, "mark "...), uint64(b[7])), true
	case typ == 0 && sub == 0x0A:
		dst = append(num(append(dst, "l2info:"...), uint64(b[2])), ':')
		dst = append(num(dst, uint64(b[3])), ':')
		dst = append(num(dst, u16(4)), ':')
		return num(dst, u16(6)), true
	case typ == 1 && sub == 0x0C:
		if u16(6)&1 != 0 {
			return append(ip(append(dst, "copy-to-nexthop-ietf "...), 2), " (with copy)"...), true
		}
		return ip(append(dst, "redirect-to-nexthop-ietf "...), 2), true
	case typ == 3 && sub == 0x0C:
		dst = append(dst, "encap:"...)
		t := u16(6)
		if name, ok := encapNames[t]; ok {
			return append(dst, name...), true
		}
		return num(append(dst, "encap:UNKNOWN-"...), t), true
	case typ == 3 && sub == 0x14:
		return num(append(dst, "consistentHashSortOrder:"...), u32(2)), true
	case typ == 6 && sub == 0x00:
		dst = num(append(dst, "mac-mobility:"...), u32(4))
		if b[2] == 1 {
			dst = append(dst, ":sticky"...)
		}
		return dst, true
	case typ == 7 && sub == 0x02:
		t := u16(6)
		dst = append(dst, "interface-set:"...)
		switch t >> 14 {
		case 1:
			dst = append(dst, "input"...)
		case 2:
			dst = append(dst, "output"...)
		case 3:
			dst = append(dst, "input-output"...)
		default:
			dst = append(dst, '0')
		}
		dst = append(num(append(dst, ':'), u32(2)), ':')
		return num(dst, t&0x1FFF), true
	case typ == 8 && sub == 0x00:
		if b[7]&1 != 0 {
			return append(dst, "copy-to-nexthop"...), true
		}
		return append(dst, "redirect-to-nexthop"...), true
	}
	return dst, true
}

// encapNames are ExaBGP's names of tunnel types (RFC 9012 §3.4.1 subset).
var encapNames = map[uint64]string{
	0: "Default", 1: "L2TPv3", 2: "GRE", 7: "IP-in-IP", 8: "VXLAN", 9: "NVGRE", 10: "MPLS",
	12: "VXLAN-GPE", 13: "MPLS-in-UDP",
}

// appendIPv6ExtText appends ExaBGP's text of an IPv6 address-specific
// extended communities attribute (RFC 5701): one community as is, more
// sorted by their octets inside "[ … ]". Only the IETF next-hop redirect
// has a name; others print as "0x" and at least 16 upper-case hex digits
// of their value.
func appendIPv6ExtText(dst []byte, v []byte) []byte {
	var cs [][]byte
	for i := 0; i+20 <= len(v); i += 20 {
		cs = append(cs, v[i:i+20])
	}
	one := func(dst []byte, c []byte) []byte {
		if c[0]&0x0F == 0 && c[1] == 0x0C {
			a := appendAddr(nil, netip.AddrFrom16([16]byte(c[2:18])))
			if binary.BigEndian.Uint16(c[18:])&1 != 0 {
				return append(append(append(dst, "copy-to-nexthop-ietf "...), a...), " (with copy)"...)
			}
			return append(append(dst, "redirect-to-nexthop-ietf "...), a...)
		}
		h := appendHex(nil, c, hexUpper)
		for len(h) > 16 && h[0] == '0' {
			h = h[1:]
		}
		return append(append(dst, "0x"...), h...)
	}
	if len(cs) == 1 {
		return one(dst, cs[0])
	}
	sort.SliceStable(cs, func(i, j int) bool { return bytes.Compare(cs[i], cs[j]) < 0 })
	dst = append(dst, "[ "...)
	for i, c := range cs {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = one(dst, c)
	}
	return append(dst, " ]"...)
}

// pmsiNames are ExaBGP's names of PMSI tunnel types (RFC 6514 §5), spaces
// removed and lower-cased as it prints them.
var pmsiNames = [...]string{"notunnel", "rsvp-tep2mplsp", "mldpp2mplsp", "pim-ssmtree", "pim-smtree",
	"bidir-pimtree", "ingressreplication", "mldpmp2mplsp"}

// appendPMSI appends ExaBGP's text of a PMSI_TUNNEL value (RFC 6514 §5):
// "pmsi:TYPE:FLAGS:LABEL:TUNNEL", LABEL being "label(raw 3 octets)" for
// ingress replication when the raw field is not zero, TUNNEL the IPv4
// endpoint for ingress replication, empty for "no tunnel", else "0x" and
// upper-case hex. The caller has checked the length (at least 5 octets,
// exactly 9 for ingress replication).
func appendPMSI(dst []byte, v []byte) []byte {
	flags, typ := v[0], v[1]
	raw := uint64(v[2])<<16 | uint64(v[3])<<8 | uint64(v[4])
	label := raw >> 4
	dst = append(dst, "pmsi:"...)
	if int(typ) < len(pmsiNames) {
		dst = append(dst, pmsiNames[typ]...)
	} else {
		dst = append(dst, "unknown"...)
	}
	dst = append(strconv.AppendUint(append(dst, ':'), uint64(flags), 10), ':')
	if typ == 6 && raw != 0 {
		dst = strconv.AppendUint(dst, label, 10)
		dst = append(dst, '(')
		dst = strconv.AppendUint(dst, raw, 10)
		dst = append(dst, ')')
	} else {
		dst = strconv.AppendUint(dst, label, 10)
	}
	dst = append(dst, ':')
	switch {
	case typ == 6:
		return netip.AddrFrom4([4]byte(v[5:9])).AppendTo(dst)
	case typ == 0 || len(v) == 5:
		return dst
	}
	return appendHex(append(dst, "0x"...), v[5:], hexUpper)
}

// appendPrefixSID appends ExaBGP's BGP Prefix-SID object (RFC 8669,
// RFC 9252 as ExaBGP 4.2 reads them):
//
//	{ "sr-label-index": 777, "sr-srgbs": [[800000, 4096]], "srv6-l3vpn-sid": "2001:db8::1" }
//
// ok is false where ExaBGP's decoder fails: a TLV header or value cut
// short, a fixed-size TLV of the wrong length, an SRGB not made of 6-octet
// entries, any TLV of another type.
func appendPrefixSID(dst []byte, v []byte) ([]byte, bool) {
	dst = append(dst, "{ "...)
	for n := 0; len(v) > 0; n++ {
		if len(v) < 3 {
			return dst, false
		}
		t, l := v[0], int(binary.BigEndian.Uint16(v[1:]))
		if len(v)-3 < l {
			return dst, false
		}
		d := v[3 : 3+l]
		v = v[3+l:]
		if n > 0 {
			dst = append(dst, ", "...)
		}
		sid := func(name string, b []byte) {
			dst = append(dst, '"')
			dst = append(dst, name...)
			dst = append(dst, `": "`...)
			dst = appendAddr(dst, netip.AddrFrom16([16]byte(b)))
			dst = append(dst, '"')
		}
		switch t {
		case 1:
			if l != 7 {
				return dst, false
			}
			dst = append(dst, `"sr-label-index": `...)
			dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(d[3:])), 10)
		case 2, 4:
			if l != 19 {
				return dst, false
			}
			name := "sr-v6-sid"
			if t == 4 {
				name = "srv6-vpn-sid"
			}
			sid(name, d[3:19])
		case 5:
			if l != 21 {
				return dst, false
			}
			sid("srv6-l3vpn-sid", d[1:17])
		case 3:
			if l >= 2 {
				d = d[2:]
			} else {
				d = nil
			}
			if len(d)%6 != 0 {
				return dst, false
			}
			dst = append(dst, `"sr-srgbs": [`...)
			for i := 0; i < len(d); i += 6 {
				if i > 0 {
					dst = append(dst, ", "...)
				}
				dst = append(dst, '[')
				dst = strconv.AppendUint(dst, uint64(d[i])<<16|uint64(d[i+1])<<8|uint64(d[i+2]), 10)
				dst = append(dst, ", "...)
				dst = strconv.AppendUint(dst, uint64(d[i+3])<<16|uint64(d[i+4])<<8|uint64(d[i+5]), 10)
				dst = append(dst, ']')
			}
			dst = append(dst, ']')
		default:
			// ExaBGP 4.2 keeps unknown TLVs in a class it cannot
			// re-encode, and fails building the attribute.
			return dst, false
		}
	}
	return append(dst, " }"...), true
}
