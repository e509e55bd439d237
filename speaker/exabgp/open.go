package exabgp

import (
	"encoding/binary"
	"strconv"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// open renders an OPEN (RFC 4271 §4.2):
//
//	"open": { "version": 4, "asn": 65001, "hold_time": 180, "router_id": "10.0.0.1", "capabilities": { "1": { … }, … } }
//
// Capabilities are keyed by their code, in the order each code first
// appears; repeated codes merge as in ExaBGP (multiprotocol, next hop and
// ADD-PATH accumulate, graceful restart merges its families, the others
// keep the last value).
func (r *renderer) open(dst []byte, msg []byte) ([]byte, error) {
	o, err := message.ParseOpen(msg)
	if err != nil {
		return dst, err
	}
	if o.Version != 4 {
		return dst, wire.Errorf(wire.CodeOpen, wire.SubUnsupportedVersion, []byte{0, 4}, "exabgp: open version %d", o.Version)
	}
	// First pass: the distinct codes in order of first appearance.
	var order []capability.Code
	var seen [256]bool
	it := o.Capabilities()
	for it.Next() {
		if c := it.Code(); !seen[c] {
			seen[c] = true
			order = append(order, c)
		}
	}
	if err := it.Err(); err != nil {
		return dst, err
	}
	dst = append(dst, `"open": { "version": 4, "asn": `...)
	dst = strconv.AppendUint(dst, uint64(o.MyAS), 10)
	dst = append(dst, `, "hold_time": `...)
	dst = strconv.AppendUint(dst, uint64(o.HoldTime), 10)
	dst = append(dst, `, "router_id": "`...)
	dst = appendAddr(dst, o.BGPIdentifier)
	dst = append(dst, `", "capabilities": { `...)
	for i, c := range order {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, '"')
		dst = strconv.AppendUint(dst, uint64(c), 10)
		dst = append(dst, `": `...)
		if dst, err = r.capability(dst, o, c); err != nil {
			return dst, err
		}
	}
	return append(dst, " } }"...), nil
}

// values returns every value of capability c in o, in order.
func values(o message.Open, c capability.Code) [][]byte {
	var out [][]byte
	it := o.Capabilities()
	for it.Next() {
		if it.Code() == c {
			out = append(out, it.Value())
		}
	}
	return out
}

// lastOf returns whichever of codes a and b appears last in o.
func lastOf(o message.Open, a, b capability.Code) capability.Code {
	last := a
	it := o.Capabilities()
	for it.Next() {
		if c := it.Code(); c == a || c == b {
			last = c
		}
	}
	return last
}

func capError(c capability.Code) error {
	return wire.Errorf(wire.CodeOpen, 0, nil, "exabgp: malformed capability %d", c)
}

// addPathModes are ExaBGP's names of the ADD-PATH send/receive field.
var addPathModes = [...]string{"disabled", "receive", "send", "send/receive"}

// capability renders the merged value of capability code c.
func (r *renderer) capability(dst []byte, o message.Open, c capability.Code) ([]byte, error) {
	vs := values(o, c)
	last := vs[len(vs)-1]
	family := func(afi []byte, safi byte) wire.Family {
		return wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(afi)), SAFI: wire.SAFI(safi)}
	}
	switch c {
	case capability.CodeMultiprotocol:
		dst = append(dst, `{ "name": "multiprotocol", "families": [`...)
		for i, v := range vs {
			if len(v) < 4 {
				return dst, capError(c)
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, ` "`...)
			dst = appendFamily(dst, r.v, family(v[:2], v[3]), '/')
			dst = append(dst, '"')
		}
		return append(dst, " ] }"...), nil
	case capability.CodeRouteRefresh, capability.CodeRouteRefreshCisco:
		// ExaBGP registers one class for both codes, sets the class's
		// code to the code it last decoded, and names the variant from
		// it: both entries say "Cisco" when 128 came last.
		variant := "RFC"
		if lastOf(o, capability.CodeRouteRefresh, capability.CodeRouteRefreshCisco) == capability.CodeRouteRefreshCisco {
			variant = "Cisco"
		}
		return append(append(append(dst, `{ "name": "route-refresh", "variant": "`...), variant...), `" }`...), nil
	case capability.CodeEnhancedRouteRefresh:
		return append(dst, `{ "name": "enhanced-route-refresh" }`...), nil
	case capability.CodeExtendedMessage:
		return append(dst, `{ "name": "extended-message", "size": 65535 }`...), nil
	case 68, 131: // multisession (draft, and Cisco's code): content ignored, variant as for route refresh
		variant := "RFC"
		if lastOf(o, 68, 131) == 131 {
			variant = "Cisco"
		}
		return append(append(append(dst, `{ "name": "multisession", "variant": "`...), variant...), `", "capabilities": [ ] }`...), nil
	case 185: // ExaBGP's experimental operational capability
		return append(dst, `{ "name": "operational" }`...), nil
	case capability.CodeASN4:
		var asn uint64
		switch len(last) {
		case 4:
			asn = uint64(binary.BigEndian.Uint32(last))
		case 2:
			asn = uint64(binary.BigEndian.Uint16(last))
		default:
			return dst, capError(c)
		}
		dst = append(dst, `{ "name": "asn4", "asn4": `...)
		return append(strconv.AppendUint(dst, asn, 10), " }"...), nil
	case capability.CodeExtendedNextHop:
		type conv struct {
			f  wire.Family
			nh wire.AFI
		}
		var list []conv
		for _, v := range vs {
			if len(v)%6 != 0 {
				return dst, capError(c)
			}
			for ; len(v) > 0; v = v[6:] {
				e := conv{family(v[:2], v[3]), wire.AFI(binary.BigEndian.Uint16(v[4:6]))}
				dup := false
				for _, x := range list {
					dup = dup || x == e
				}
				if !dup {
					list = append(list, e)
				}
			}
		}
		dst = append(dst, `{ "name": "nexthop", "conversion": [`...)
		for i, e := range list {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, ` "`...)
			dst = appendFamily(dst, r.v, e.f, '/')
			dst = append(dst, '/')
			dst = append(dst, afiName(r.v, e.nh)...)
			dst = append(dst, '"')
		}
		return append(dst, " ] }"...), nil
	case capability.CodeAddPath:
		type mode struct {
			f  wire.Family
			sr byte
		}
		var list []mode
		for _, v := range vs {
			if len(v)%4 != 0 {
				return dst, capError(c)
			}
			for ; len(v) > 0; v = v[4:] {
				if v[3] > 3 {
					return dst, capError(c)
				}
				e := mode{family(v[:2], v[2]), v[3]}
				found := false
				for i := range list {
					if list[i].f == e.f {
						list[i].sr, found = e.sr, true
					}
				}
				if !found {
					list = append(list, e)
				}
			}
		}
		dst = append(dst, `{ "name": "addpath"`...)
		for i, e := range list {
			if i == 0 {
				dst = append(dst, ", "...)
			} else {
				dst = append(dst, ',')
			}
			dst = append(dst, '"')
			dst = appendFamily(dst, r.v, e.f, '/')
			dst = append(dst, `": "`...)
			dst = append(dst, addPathModes[e.sr]...)
			dst = append(dst, '"')
		}
		return append(dst, " }"...), nil
	case capability.CodeGracefulRestart:
		return r.graceful(dst, vs)
	case capability.CodeSoftwareVersion:
		if r.v == V5 {
			text := last
			if len(text) > 0 {
				if n := int(text[0]); 1+n <= len(text) {
					text = text[1 : 1+n]
				} else {
					text = text[1:]
				}
			}
			dst = append(dst, `{ "software": "`...)
			dst = appendString(dst, string(text))
			return append(dst, `" }`...), nil
		}
	}
	iana := "unknown"
	switch {
	case c >= 128:
		iana = "reserved"
	case c >= 70:
		iana = "unassigned"
	}
	dst = append(dst, `{ "name": "unknown", "iana": "`...)
	dst = append(dst, iana...)
	dst = append(dst, `", "value": `...)
	dst = strconv.AppendUint(dst, uint64(c), 10)
	dst = append(dst, `, "raw": "`...)
	dst = appendHex(dst, last, hexUpper)
	return append(dst, `" }`...), nil
}

// graceful renders the graceful restart capability (RFC 4724 §3) the way
// ExaBGP labels it: the R bit as "forwarding", each family's F bit as
// "restart".
//
//	{ "name": "graceful restart", "time": 120, "address-family-flags": { "ipv4/unicast": [ "restart" ] , … }, "restart-flags": [ "forwarding" ] }
func (r *renderer) graceful(dst []byte, vs [][]byte) ([]byte, error) {
	type fam struct {
		f    wire.Family
		flag byte
	}
	var list []fam
	var flags, restart uint16
	for _, v := range vs {
		if len(v) < 2 || (len(v)-2)%4 != 0 {
			return dst, capError(capability.CodeGracefulRestart)
		}
		h := binary.BigEndian.Uint16(v)
		flags, restart = h>>12, h&0x0FFF
		for v = v[2:]; len(v) > 0; v = v[4:] {
			e := fam{wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(v)), SAFI: wire.SAFI(v[2])}, v[3] & 0x80}
			found := false
			for i := range list {
				if list[i].f == e.f {
					list[i].flag, found = e.flag, true
				}
			}
			if !found {
				list = append(list, e)
			}
		}
	}
	dst = append(dst, `{ "name": "graceful restart", "time": `...)
	dst = strconv.AppendUint(dst, uint64(restart), 10)
	dst = append(dst, `, "address-family-flags": { `...)
	for i, e := range list {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = append(dst, '"')
		dst = appendFamily(dst, r.v, e.f, '/')
		dst = append(dst, `": [`...)
		if e.flag != 0 {
			dst = append(dst, ` "restart"`...)
		}
		dst = append(dst, " ] "...)
	}
	dst = append(dst, `}, "restart-flags": [`...)
	if flags&0x8 != 0 {
		dst = append(dst, ` "forwarding" `...)
	} else {
		dst = append(dst, ' ')
	}
	return append(dst, "] }"...), nil
}
