package message

import (
	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Check returns the RFC 7606 verdict for a whole UPDATE received under
// ctx: nil when it is clean, else the harshest problem found as a
// *wire.Error (Action ordering: attribute-discard < treat-as-withdraw <
// session reset; among equals, the first found). Its Code/Subcode/Data
// are the NOTIFICATION RFC 4271 §6.3 would send.
//
//   - An attribute list that cannot be walked: Malformed Attribute List,
//     session reset (RFC 7606 §4).
//   - The same attribute twice: all but the first are discarded
//     (attribute-discard, Malformed Attribute List), except
//     MP_REACH_NLRI / MP_UNREACH_NLRI twice: session reset (RFC 7606
//     §3.g).
//   - Each attribute: attr.Check. A bad NEXT_HOP in an UPDATE whose NLRI
//     field is empty is only discarded: the attribute is ignored then
//     (RFC 4760 §3).
//   - Withdrawn routes, NLRI field, and the NLRI of MP_REACH_NLRI /
//     MP_UNREACH_NLRI of IP unicast/multicast families that cannot be
//     walked: Invalid Network Field, session reset (RFC 7606 §5.3).
//   - Reachable NLRI (NLRI field or MP_REACH_NLRI present) without
//     ORIGIN or AS_PATH, or a non-empty NLRI field without NEXT_HOP:
//     Missing Well-known Attribute, data = the type code,
//     treat-as-withdraw (RFC 7606 §3.d, RFC 4760 §3). LOCAL_PREF is not
//     checked (it depends on the session being iBGP).
//
// An UPDATE with only withdrawals, or an End-of-RIB, needs no attribute.
func Check(u Update, ctx wire.Context) error {
	var worst *wire.Error
	note := func(err error) bool {
		if err == nil {
			return false
		}
		we, ok := err.(*wire.Error)
		if !ok {
			we = wire.Errorf(wire.CodeUpdate, wire.SubMalformedAttributeList, nil, "%s", err.Error())
		}
		if worst == nil || we.Action > worst.Action {
			worst = we
		}
		return worst.Action == wire.ActionSessionReset
	}

	var seen [256]bool
	hasMPReach := false
	it := u.Attributes()
	for it.Next() {
		c, v := it.Code(), it.Value()
		if seen[c] {
			if c == attr.CodeMPReach || c == attr.CodeMPUnreach {
				return wire.Errorf(wire.CodeUpdate, wire.SubMalformedAttributeList, nil, "message: %s appears more than once", c)
			}
			note(wire.Errorf(wire.CodeUpdate, wire.SubMalformedAttributeList, nil, "message: %s appears more than once", c).WithAction(wire.ActionAttributeDiscard))
			continue
		}
		seen[c] = true
		err := attr.Check(c, it.Flags(), v, ctx)
		if err != nil && c == attr.CodeNextHop && len(u.NLRI) == 0 {
			if we, ok := err.(*wire.Error); ok && we.Action < wire.ActionSessionReset {
				err = we.WithAction(wire.ActionAttributeDiscard)
			}
		}
		if note(err) {
			return worst
		}
		switch c {
		case attr.CodeMPReach:
			hasMPReach = true
			if m, err := attr.ParseMPReach(v); err == nil && m.Family.IsIP() {
				if note(networkField(m.NLRI, m.Family, ctx)) {
					return worst
				}
			}
		case attr.CodeMPUnreach:
			if m, err := attr.ParseMPUnreach(v); err == nil && m.Family.IsIP() {
				if note(networkField(m.NLRI, m.Family, ctx)) {
					return worst
				}
			}
		}
	}
	if err := it.Err(); err != nil {
		return wire.Errorf(wire.CodeUpdate, wire.SubMalformedAttributeList, nil, "message: %s", err.Error())
	}
	if note(networkField(u.Withdrawn, wire.IPv4Unicast, ctx)) || note(networkField(u.NLRI, wire.IPv4Unicast, ctx)) {
		return worst
	}
	if len(u.NLRI) > 0 || hasMPReach {
		for _, c := range [...]attr.Code{attr.CodeOrigin, attr.CodeASPath, attr.CodeNextHop} {
			if c == attr.CodeNextHop && len(u.NLRI) == 0 {
				continue
			}
			if !seen[c] {
				note(wire.Errorf(wire.CodeUpdate, wire.SubMissingWellKnown, []byte{byte(c)}, "message: missing well-known attribute %s", c).WithAction(wire.ActionTreatAsWithdraw))
			}
		}
	}
	if worst == nil {
		return nil
	}
	return worst
}

// networkField walks NLRI b of IP family f; a malformed entry is Invalid
// Network Field, session reset (RFC 7606 §5.3).
func networkField(b []byte, f wire.Family, ctx wire.Context) error {
	_, err := nlri.Count(b, f, ctx.AddPath(f))
	return err
}
