package attr

import (
	"github.com/ze-bgp/ze/speaker/wire"
)

// spec is what this package knows of an attribute type: its defined
// Optional/Transitive bits and its value check.
type spec struct {
	flags Flags // expected FlagOptional|FlagTransitive bits
	check func(v []byte, ctx wire.Context) error
}

var specs = map[Code]spec{
	CodeOrigin: {wellKnown, func(v []byte, _ wire.Context) error { _, err := ParseOrigin(v); return err }},
	CodeASPath: {wellKnown, func(v []byte, ctx wire.Context) error {
		it := NewASPathIterator(v, ctx.ASN4)
		for it.Next() {
		}
		return it.Err()
	}},
	CodeNextHop: {wellKnown, checkNextHop},
	CodeMED:     {optionalNonTrans, func(v []byte, _ wire.Context) error { _, err := ParseUint32(CodeMED, v); return err }},
	CodeLocalPref: {wellKnown, func(v []byte, _ wire.Context) error {
		_, err := ParseUint32(CodeLocalPref, v)
		return err
	}},
	CodeAtomicAggregate: {wellKnown, func(v []byte, _ wire.Context) error {
		if len(v) != 0 {
			// RFC 7606 §7.6: attribute-discard.
			return lengthError(CodeAtomicAggregate, len(v)).(*wire.Error).WithAction(wire.ActionAttributeDiscard)
		}
		return nil
	}},
	CodeAggregator: {optionalTransitive, func(v []byte, ctx wire.Context) error {
		_, err := ParseAggregator(CodeAggregator, v, ctx.ASN4)
		return err
	}},
	CodeCommunities: {optionalTransitive, func(v []byte, _ wire.Context) error { _, err := ParseCommunities(v); return err }},
	CodeOriginatorID: {optionalNonTrans, func(v []byte, _ wire.Context) error {
		_, err := ParseOriginatorID(v)
		return err
	}},
	CodeClusterList: {optionalNonTrans, func(v []byte, _ wire.Context) error { _, err := ParseClusterList(v); return err }},
	CodeMPReach:     {optionalNonTrans, checkMPReach},
	CodeMPUnreach: {optionalNonTrans, func(v []byte, _ wire.Context) error {
		_, err := ParseMPUnreach(v)
		return err
	}},
	CodeExtCommunities: {optionalTransitive, func(v []byte, _ wire.Context) error {
		_, err := ParseExtCommunities(v)
		return err
	}},
	CodeAS4Path: {optionalTransitive, func(v []byte, _ wire.Context) error {
		it := NewASPathIterator(v, true)
		for it.Next() {
		}
		if err := it.Err(); err != nil {
			// RFC 7606 §7.2 / RFC 6793 §6: a malformed AS4_PATH is discarded.
			return asPathDiscard(err)
		}
		return nil
	}},
	CodeAS4Aggregator: {optionalTransitive, func(v []byte, _ wire.Context) error {
		_, err := ParseAggregator(CodeAS4Aggregator, v, true)
		return err
	}},
	CodePMSITunnel: {optionalTransitive, func(v []byte, _ wire.Context) error { _, err := ParsePMSITunnel(v); return err }},
	CodeIPv6ExtCommunities: {optionalTransitive, func(v []byte, _ wire.Context) error {
		_, err := ParseIPv6ExtCommunities(v)
		return err
	}},
	CodeAIGP:  {optionalNonTrans, func(v []byte, _ wire.Context) error { _, err := ParseAIGP(v); return err }},
	CodeBGPLS: {optionalNonTrans, nil},
	CodeLargeCommunities: {optionalTransitive, func(v []byte, _ wire.Context) error {
		_, err := ParseLargeCommunities(v)
		return err
	}},
	CodeOTC:       {optionalTransitive, func(v []byte, _ wire.Context) error { _, err := ParseOTC(v); return err }},
	CodePrefixSID: {optionalTransitive, func(v []byte, _ wire.Context) error { return CheckPrefixSID(v) }},
}

// Known reports whether this package knows attribute type c (its flags
// and value layout).
func Known(c Code) bool {
	_, ok := specs[c]
	return ok
}

// Check returns the RFC 7606 verdict for one attribute with flags f and
// value v received under ctx: nil when it is well-formed, else a
// *wire.Error whose Code/Subcode/Data form the NOTIFICATION RFC 4271 §6.3
// would send and whose Action is what RFC 7606 asks for instead.
//
//   - Unknown type with the Optional bit clear: Unrecognized Well-known
//     Attribute, session reset, data = the attribute (RFC 4271 §6.3).
//     Unknown optional attributes are fine.
//   - Optional or Transitive bit in conflict with the type's definition:
//     Attribute Flags Error, treat-as-withdraw (RFC 7606 §3.c).
//   - Bad length or value: per RFC 7606 §7 and the attribute's RFC —
//     ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, COMMUNITIES,
//     ORIGINATOR_ID, CLUSTER_LIST, EXTENDED_COMMUNITIES, IPv6 extended
//     communities, LARGE_COMMUNITY, OTC, PMSI_TUNNEL: treat-as-withdraw;
//     ATOMIC_AGGREGATE, AGGREGATOR, AS4_PATH, AS4_AGGREGATOR, AIGP,
//     PREFIX_SID: attribute-discard; MP_REACH_NLRI (fixed fields, next
//     hop length for IP, labeled and VPN families) and MP_UNREACH_NLRI:
//     session reset (RFC 7606 §7.11-7.12; the caller may choose AFI/SAFI
//     disable instead).
//
// Data is the whole attribute (header included) for Attribute Flags,
// Attribute Length, Invalid ORIGIN, Invalid NEXT_HOP, Optional Attribute
// and Unrecognized Well-known errors, nil for Malformed AS_PATH (RFC 4271
// §6.3). The NLRI inside MP_REACH/MP_UNREACH are not walked here.
//
// AS4_PATH and AS4_AGGREGATOR received on a 4-octet-AS session are
// well-formed here; the caller ignores them (RFC 6793 §4.1).
func Check(c Code, f Flags, v []byte, ctx wire.Context) error {
	s, ok := specs[c]
	if !ok {
		if f&FlagOptional == 0 {
			return wire.Errorf(wire.CodeUpdate, wire.SubUnrecognizedWellKnown, AppendRaw(nil, f, c, v),
				"attr: unrecognized well-known attribute %d", uint8(c))
		}
		return nil
	}
	if f&(FlagOptional|FlagTransitive) != s.flags {
		return wire.Errorf(wire.CodeUpdate, wire.SubAttributeFlagsError, AppendRaw(nil, f, c, v),
			"attr: %s has flags 0x%02x, want optional/transitive bits 0x%02x", c, uint8(f), uint8(s.flags)).WithAction(wire.ActionTreatAsWithdraw)
	}
	if s.check == nil {
		return nil
	}
	err := s.check(v, ctx)
	if err == nil {
		return nil
	}
	we, ok := err.(*wire.Error)
	if !ok {
		return err
	}
	switch we.Subcode {
	case wire.SubAttributeLengthError, wire.SubInvalidOrigin, wire.SubInvalidNextHop, wire.SubOptionalAttributeError:
		// RFC 4271 §6.3: these carry the erroneous attribute.
		if we.Code == wire.CodeUpdate && we.Data == nil {
			cp := *we
			cp.Data = AppendRaw(nil, f, c, v)
			we = &cp
		}
	}
	return we
}

// checkNextHop: RFC 7606 §7.3, a length other than 4 is treat-as-withdraw;
// RFC 4271 §6.3, an address that cannot be a host's (0.0.0.0, multicast
// 224.0.0.0/4, limited broadcast 255.255.255.255) is an Invalid NEXT_HOP
// whose route is ignored, i.e. treat-as-withdraw.
func checkNextHop(v []byte, _ wire.Context) error {
	a, err := ParseNextHop(v)
	if err != nil {
		return err
	}
	if a.IsUnspecified() || a.IsMulticast() || a.As4() == [4]byte{255, 255, 255, 255} {
		return wire.Errorf(wire.CodeUpdate, wire.SubInvalidNextHop, nil, "attr: next-hop %s is not a host address", a).WithAction(wire.ActionTreatAsWithdraw)
	}
	return nil
}

// checkMPReach: RFC 7606 §7.11, an MP_REACH_NLRI whose fixed fields or
// next hop do not fit, or whose next-hop length is inconsistent with the
// family, means session reset (or AFI/SAFI disable). Next-hop lengths
// checked: IPv4 unicast/multicast/labeled 4 (16 or 32 with RFC 8950
// extended next hop), IPv6 unicast/multicast/labeled 16 or 32, VPN-IPv4
// 12 (24 or 48 with extended next hop), VPN-IPv6 24 or 48 (RFC 4760 §3,
// RFC 2545 §3, RFC 8277 §2, RFC 4364 §4.3.2, RFC 4659 §3.2.1, RFC 8950 §3).
// Other families are not checked.
func checkMPReach(v []byte, ctx wire.Context) error {
	m, err := ParseMPReach(v)
	if err != nil {
		return err
	}
	var ok []int
	f := m.Family
	ext := ctx.ExtNextHop(f)
	switch f.AFI {
	case wire.AFIIPv4:
		switch f.SAFI {
		case wire.SAFIUnicast, wire.SAFIMulticast, wire.SAFILabeled:
			ok = []int{4}
			if ext {
				ok = []int{4, 16, 32}
			}
		case wire.SAFIVPN:
			ok = []int{12}
			if ext {
				ok = []int{12, 24, 48}
			}
		}
	case wire.AFIIPv6:
		switch f.SAFI {
		case wire.SAFIUnicast, wire.SAFIMulticast, wire.SAFILabeled:
			ok = []int{16, 32}
		case wire.SAFIVPN:
			ok = []int{24, 48}
		}
	}
	if ok == nil {
		return nil
	}
	for _, n := range ok {
		if len(m.NextHop) == n {
			return nil
		}
	}
	return wire.Errorf(wire.CodeUpdate, wire.SubOptionalAttributeError, nil,
		"attr: mp-reach-nlri next hop of %d octets is invalid for %s", len(m.NextHop), f)
}
