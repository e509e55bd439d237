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
//   - An attribute list that cannot be walked to its end (an attribute
//     running past the Total Path Attribute Length, or a header cut
//     short): Malformed Attribute List, treat-as-withdraw of every
//     prefix the message carries where it can be found (RFC 7606 §4).
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
	_, err := CheckCount(u, ctx)
	return err
}

// Counts are the prefixes of an UPDATE, counted by CheckCount while it
// checks them. MP counts are for the families of MP_REACH_NLRI and
// MP_UNREACH_NLRI when those are IP unicast/multicast (other families'
// NLRI are not parsed yet: their counts stay 0).
type Counts struct {
	Withdrawn, Announced int // IPv4 unicast, Withdrawn Routes and NLRI fields
	MPReach, MPUnreach   wire.Family
	MPAnnounced          int // prefixes in MP_REACH_NLRI
	MPWithdrawn          int // prefixes in MP_UNREACH_NLRI
}

// CheckCount is Check that also returns what it counted on its one walk
// of every NLRI. The counts are complete unless the error is a session
// reset.
func CheckCount(u Update, ctx wire.Context) (Counts, error) {
	var n Counts
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
	field := func(b []byte, f wire.Family, count *int) bool {
		c, err := networkField(b, f, ctx)
		*count = c
		return note(err)
	}

	var seen [256]bool
	hasMPReach := false
	it := u.Attributes()
	for it.Next() {
		c, v := it.Code(), it.Value()
		if seen[c] {
			if c == attr.CodeMPReach || c == attr.CodeMPUnreach {
				return n, wire.Errorf(wire.CodeUpdate, wire.SubMalformedAttributeList, nil, "message: %s appears more than once", c)
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
			return n, worst
		}
		switch c {
		case attr.CodeMPReach:
			hasMPReach = true
			if m, err := attr.ParseMPReach(v); err == nil && m.Family.IsIP() {
				n.MPReach = m.Family
				if field(m.NLRI, m.Family, &n.MPAnnounced) {
					return n, worst
				}
			}
		case attr.CodeMPUnreach:
			if m, err := attr.ParseMPUnreach(v); err == nil && m.Family.IsIP() {
				n.MPUnreach = m.Family
				if field(m.NLRI, m.Family, &n.MPWithdrawn) {
					return n, worst
				}
			}
		}
	}
	if err := it.Err(); err != nil {
		// RFC 7606 §4: an attribute whose length runs past the Total
		// Path Attribute Length, or fewer octets left than a header
		// needs, is treat-as-withdraw; the fields around the list are
		// located by that total. An MP_REACH_NLRI or MP_UNREACH_NLRI
		// past the break cannot be seen: senders put them first (RFC
		// 7606 §5.1), and those before it were checked above.
		note(wire.Errorf(wire.CodeUpdate, wire.SubMalformedAttributeList, nil, "message: %s", err.Error()).WithAction(wire.ActionTreatAsWithdraw))
	}
	if field(u.Withdrawn, wire.IPv4Unicast, &n.Withdrawn) || field(u.NLRI, wire.IPv4Unicast, &n.Announced) {
		return n, worst
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
		return n, nil
	}
	return n, worst
}

// networkField counts NLRI b of IP family f; a malformed entry is
// Invalid Network Field, session reset (RFC 7606 §5.3).
func networkField(b []byte, f wire.Family, ctx wire.Context) (int, error) {
	return nlri.Count(b, f, ctx.AddPath(f))
}
