package exabgp

import (
	"encoding/binary"
	"errors"
	"strconv"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// ExaBGP keeps the attributes of an UPDATE in a table keyed by type code:
// the first attribute of each code wins, later duplicates are skipped
// (duplicated MP_REACH/MP_UNREACH are an error). A known code whose flags
// differ from the ones ExaBGP registered for it (partial bit ignored for
// optional attributes, extended-length bit always ignored) is dropped, or
// turns the UPDATE into a withdrawal for the attributes RFC 7606 says so.
// Unknown transitive attributes are kept with the partial bit added;
// unknown non-transitive ones are dropped.

// regFlags are the flags ExaBGP 4.2 registered per known code; 0 means
// unknown. Bit 0x80 marks the optional ones, whose partial bit is ignored.
var regFlags = [256]attr.Flags{
	attr.CodeOrigin: 0x40, attr.CodeASPath: 0x40, attr.CodeNextHop: 0x40, attr.CodeMED: 0x80,
	attr.CodeLocalPref: 0x40, attr.CodeAtomicAggregate: 0x40, attr.CodeAggregator: 0xC0,
	attr.CodeCommunities: 0xC0, attr.CodeOriginatorID: 0x80, attr.CodeClusterList: 0x80,
	attr.CodeMPReach: 0x80, attr.CodeMPUnreach: 0x80, attr.CodeExtCommunities: 0xC0,
	attr.CodeAS4Path: 0xC0, attr.CodeAS4Aggregator: 0xC0, attr.CodePMSITunnel: 0xC0,
	attr.CodeIPv6ExtCommunities: 0xC0, attr.CodeAIGP: 0x80, attr.CodeBGPLS: 0x80,
	attr.CodeLargeCommunities: 0xC0, attr.CodePrefixSID: 0xC0,
}

// treatAsWithdraw lists the codes whose bad flags or failed decoding make
// ExaBGP withdraw the routes instead of resetting the session.
func treatAsWithdraw(c attr.Code) bool {
	switch c {
	case attr.CodeOrigin, attr.CodeASPath, attr.CodeNextHop, attr.CodeMED, attr.CodeLocalPref, attr.CodeLargeCommunities:
		return true
	}
	return false
}

// ExaBGP's names of the codes, used in "treat-as-withdraw due to NAME".
var exaCodeNames = map[attr.Code]string{
	1: "origin", 2: "as-path", 3: "next-hop", 4: "med", 5: "local-preference", 6: "atomic-aggregate",
	7: "aggregator", 8: "community", 9: "originator-id", 10: "cluster-list", 14: "mp-reach-nlri",
	15: "mp-unreach-nlri", 16: "extended-community", 17: "as4-path", 18: "as4-aggregator",
	22: "pmsi-tunnel", 25: "extended-community-ipv6", 26: "aigp", 29: "bgp-ls", 32: "large-community",
	40: "bgp-prefix-sid",
}

type slotKind uint8

const (
	slotNone    slotKind = iota
	slotKnown            // decoded by its code's rules
	slotGeneric          // unknown transitive attribute, shown as hex
)

type slot struct {
	kind  slotKind
	flags attr.Flags
	v     []byte
}

// attrTable is ExaBGP's attribute table for one UPDATE.
type attrTable struct {
	slots   [256]slot
	count   int // entries, MP_REACH/MP_UNREACH not counted (ExaBGP pops them)
	taw     bool
	tawCode int // -1: no code named
	discard bool
	// merged AS_PATH (AS_PATH and AS4_PATH both present, RFC 6793 §4.2.3
	// as ExaBGP applies it), used instead of slots[AS_PATH] when merged.
	merged             bool
	mSeq, mSet         []uint32
	reach, unrch       []byte // MP_REACH_NLRI / MP_UNREACH_NLRI values
	hasReach, hasUnrch bool
}

func (t *attrTable) addTaW(code int) {
	if !t.taw {
		t.taw, t.tawCode = true, code
		t.count++
	}
}

func badAttr(c attr.Code, why string) error {
	return wire.Errorf(wire.CodeUpdate, wire.SubMalformedAttributeList, nil, "exabgp: %s %s", c, why)
}

// parse fills t from the path attributes field, applying ExaBGP's rules.
func (r *renderer) parse(t *attrTable, list []byte) error {
	t.tawCode = -1
	it := attr.NewIterator(list)
	for it.Next() {
		c, f, v := it.Code(), it.Flags(), it.Value()
		reg := regFlags[c]
		if reg&attr.FlagOptional != 0 {
			f &^= attr.FlagPartial
		}
		switch {
		case c == attr.CodeMPReach && t.hasReach, c == attr.CodeMPUnreach && t.hasUnrch:
			return badAttr(c, "appears twice")
		case t.slots[c].kind != slotNone:
			continue // first wins
		}
		if reg == 0 {
			if f&attr.FlagTransitive != 0 {
				t.slots[c] = slot{slotGeneric, f | attr.FlagPartial, v}
				t.count++
			}
			continue
		}
		if f|attr.FlagExtendedLength != reg|attr.FlagExtendedLength {
			if treatAsWithdraw(c) {
				t.addTaW(-1)
			}
			continue
		}
		if len(v) == 0 && c != attr.CodeAtomicAggregate && c != attr.CodeASPath {
			t.addTaW(int(c))
			continue
		}
		switch c {
		case attr.CodeMPReach:
			t.reach, t.hasReach = v, true
			continue
		case attr.CodeMPUnreach:
			t.unrch, t.hasUnrch = v, true
			continue
		}
		switch err := r.check(c, v); err {
		case nil:
			t.slots[c] = slot{slotKnown, f, v}
			t.count++
		case errNone:
		case errTaW:
			t.addTaW(-1)
		case errDiscard:
			if !t.discard {
				t.discard = true
				t.count++
			}
		default:
			return err
		}
	}
	if err := it.Err(); err != nil {
		return err
	}
	if !t.taw && t.slots[attr.CodeASPath].kind == slotKnown && t.slots[attr.CodeAS4Path].kind == slotKnown {
		r.merge(t)
	}
	return nil
}

// Sentinel outcomes of check besides nil (keep) and real errors (reset).
var (
	errNone    = errors.New("exabgp: attribute decodes to nothing")
	errTaW     = errors.New("exabgp: treat as withdraw")
	errDiscard = errors.New("exabgp: discard")
)

// check validates a known attribute's value as ExaBGP's decoder would.
func (r *renderer) check(c attr.Code, v []byte) error {
	switch c {
	case attr.CodeOrigin:
		if len(v) != 1 {
			return badAttr(c, "length")
		}
	case attr.CodeASPath:
		if len(v) == 0 {
			return errNone
		}
		if !walkPath(v, r.ctx.ASN4, nil) {
			return errTaW
		}
	case attr.CodeAS4Path:
		if !walkPath(v, true, nil) {
			return badAttr(c, "malformed")
		}
	case attr.CodeNextHop:
		if len(v) != 4 && len(v) != 16 {
			return badAttr(c, "length")
		}
	case attr.CodeMED, attr.CodeLocalPref, attr.CodeOriginatorID:
		if len(v) != 4 {
			return badAttr(c, "length")
		}
	case attr.CodeAtomicAggregate:
		if len(v) != 0 {
			return errDiscard
		}
	case attr.CodeAggregator, attr.CodeAS4Aggregator:
		if len(v) < 4 {
			return badAttr(c, "length")
		}
	case attr.CodeCommunities, attr.CodeClusterList:
		if len(v)%4 != 0 {
			return badAttr(c, "length")
		}
	case attr.CodeLargeCommunities:
		if len(v)%12 != 0 {
			return errTaW
		}
	case attr.CodeExtCommunities:
		if len(v)%8 != 0 {
			return badAttr(c, "length")
		}
		for i := 0; i < len(v); i += 8 {
			if _, ok := appendExtCommunity(nil, r.v, v[i:i+8]); !ok {
				return badAttr(c, "value")
			}
		}
	case attr.CodeIPv6ExtCommunities:
		if len(v)%20 != 0 {
			return badAttr(c, "length")
		}
		for i := 0; i < len(v); i += 20 {
			if v[i]&0x0F == 0 && v[i+1] == 0x0B {
				return badAttr(c, "redirect") // ExaBGP's decoder fails on it
			}
		}
	case attr.CodePMSITunnel:
		if len(v) < 5 || (v[1] == 6 && len(v) != 9) {
			return badAttr(c, "length")
		}
	case attr.CodePrefixSID:
		if _, ok := appendPrefixSID(nil, v); !ok {
			return badAttr(c, "malformed")
		}
	case attr.CodeAIGP:
		return errNone // ExaBGP 4.2 only decodes it when configured, and then fails
	}
	return nil
}

// walkPath walks AS_PATH segments (2- or 4-octet ASNs) as ExaBGP does (no
// check of the segment count), calling fn per segment when not nil. It
// reports false for an unknown segment type or a truncated segment.
func walkPath(v []byte, asn4 bool, fn func(typ byte, asns []byte)) bool {
	size := 2
	if asn4 {
		size = 4
	}
	for len(v) > 0 {
		if len(v) < 2 || v[0] < 1 || v[0] > 4 {
			return false
		}
		n := 2 + int(v[1])*size
		if len(v) < n {
			return false
		}
		if fn != nil {
			fn(v[0], v[2:n])
		}
		v = v[n:]
	}
	return true
}

// flatten returns the ASNs of each segment type of an AS_PATH, in order:
// ExaBGP 4 keeps one list per type (AS_SET 1, AS_SEQUENCE 2,
// AS_CONFED_SEQUENCE 3, AS_CONFED_SET 4).
func flatten(v []byte, asn4 bool) (lists [5][]uint32) {
	walkPath(v, asn4, func(typ byte, b []byte) {
		for len(b) > 0 {
			if asn4 {
				lists[typ] = append(lists[typ], binary.BigEndian.Uint32(b))
				b = b[4:]
			} else {
				lists[typ] = append(lists[typ], uint32(binary.BigEndian.Uint16(b)))
				b = b[2:]
			}
		}
	})
	return lists
}

// merge replaces AS_PATH by its merge with AS4_PATH, as ExaBGP does it:
// per list (sequence, set), keep AS_PATH's when it is shorter than
// AS4_PATH's, else drop as many trailing ASNs from it as AS4_PATH's list
// holds and append AS4_PATH's (an empty AS4_PATH list, through Python's
// [:-0], empties the result). Confederation segments are lost.
func (r *renderer) merge(t *attrTable) {
	p2 := flatten(t.slots[attr.CodeASPath].v, r.ctx.ASN4)
	p4 := flatten(t.slots[attr.CodeAS4Path].v, true)
	mergeList := func(a, b []uint32) []uint32 {
		if len(a) < len(b) {
			return a
		}
		keep := 0
		if len(b) > 0 {
			keep = len(a) - len(b)
		}
		return append(append([]uint32(nil), a[:keep]...), b...)
	}
	t.mSeq = mergeList(p2[attr.ASSequence], p4[attr.ASSequence])
	t.mSet = mergeList(p2[attr.ASSet], p4[attr.ASSet])
	t.merged = true
	t.slots[attr.CodeAS4Path] = slot{}
	t.count--
}

// appendAttributes appends the attribute table as ExaBGP's "attribute"
// object body (without braces): in code order, then "error" entries.
func (r *renderer) appendAttributes(dst []byte, t *attrTable) []byte {
	first := true
	key := func(k string) {
		if !first {
			dst = append(dst, ", "...)
		}
		first = false
		dst = append(dst, '"')
		dst = append(dst, k...)
		dst = append(dst, `": `...)
	}
	for i := 1; i < 256; i++ {
		c := attr.Code(i)
		s := &t.slots[c]
		if c == attr.CodeASPath && t.merged {
			if r.v == V4 {
				dst = appendPathV4(dst, &first, [5][]uint32{attr.ASSet: t.mSet, attr.ASSequence: t.mSeq})
			} else {
				key("as-path")
				dst = appendPathV5(dst, mergedSegs(t.mSeq, t.mSet))
			}
			continue
		}
		if s.kind == slotNone || c == attr.CodeNextHop {
			continue
		}
		if s.kind == slotGeneric {
			dst = appendGenericKey(dst, &first, c, s.flags)
			dst = append(dst, "0x"...)
			dst = appendHex(dst, s.v, hexLower)
			dst = append(dst, '"')
			continue
		}
		v := s.v
		switch c {
		case attr.CodeOrigin:
			key("origin")
			dst = append(dst, '"')
			switch v[0] {
			case 0:
				dst = append(dst, "igp"...)
			case 1:
				dst = append(dst, "egp"...)
			case 2:
				dst = append(dst, "incomplete"...)
			default:
				dst = append(dst, "invalid"...)
			}
			dst = append(dst, '"')
		case attr.CodeASPath:
			if r.v == V4 {
				dst = appendPathV4(dst, &first, flatten(v, r.ctx.ASN4))
			} else {
				key("as-path")
				dst = appendPathV5(dst, segments(v, r.ctx.ASN4))
			}
		case attr.CodeAS4Path:
			// Not in ExaBGP's table of names: shown like an unknown attribute.
			dst = appendGenericKey(dst, &first, c, regFlags[c])
			if r.v == V4 {
				dst = appendPathText(dst, flatten(v, true))
			} else {
				dst = appendPathTextV5(dst, segments(v, true))
			}
			dst = append(dst, '"')
		case attr.CodeMED:
			key("med")
			dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v)), 10)
		case attr.CodeLocalPref:
			key("local-preference")
			dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v)), 10)
		case attr.CodeAtomicAggregate:
			key("atomic-aggregate")
			dst = append(dst, "true"...)
		case attr.CodeAggregator, attr.CodeAS4Aggregator:
			// ExaBGP reads both with the session's ASN size, the speaker
			// from the last four octets.
			key("aggregator")
			dst = append(dst, '"')
			if r.ctx.ASN4 {
				dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v)), 10)
			} else {
				dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint16(v)), 10)
			}
			dst = append(dst, ':')
			dst, _ = appendIP(dst, v[len(v)-4:])
			dst = append(dst, '"')
		case attr.CodeCommunities:
			key("community")
			dst = append(dst, "[ "...)
			for i := 0; i < len(v); i += 4 {
				if i > 0 {
					dst = append(dst, ", "...)
				}
				dst = append(dst, "[ "...)
				dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint16(v[i:])), 10)
				dst = append(dst, ", "...)
				dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint16(v[i+2:])), 10)
				dst = append(dst, " ]"...)
			}
			dst = append(dst, " ]"...)
		case attr.CodeOriginatorID:
			key("originator-id")
			dst = append(dst, '"')
			dst, _ = appendIP(dst, v)
			dst = append(dst, '"')
		case attr.CodeClusterList:
			key("cluster-list")
			dst = append(dst, "[ "...)
			for i := 0; i < len(v); i += 4 {
				if i > 0 {
					dst = append(dst, ", "...)
				}
				dst = append(dst, '"')
				dst, _ = appendIP(dst, v[i:i+4])
				dst = append(dst, '"')
			}
			dst = append(dst, " ]"...)
		case attr.CodeExtCommunities:
			key("extended-community")
			dst = append(dst, "[ "...)
			for i := 0; i < len(v); i += 8 {
				if i > 0 {
					dst = append(dst, ", "...)
				}
				dst = append(dst, `{ "value": `...)
				dst = strconv.AppendUint(dst, binary.BigEndian.Uint64(v[i:]), 10)
				dst = append(dst, `, "string": "`...)
				dst, _ = appendExtCommunity(dst, r.v, v[i:i+8])
				dst = append(dst, `" }`...)
			}
			dst = append(dst, " ]"...)
		case attr.CodeIPv6ExtCommunities:
			dst = appendGenericKey(dst, &first, c, regFlags[c])
			dst = appendIPv6ExtText(dst, v)
			dst = append(dst, '"')
		case attr.CodeLargeCommunities:
			key("large-community")
			dst = append(dst, "[ "...)
			n := 0
			for i := 0; i < len(v); i += 12 {
				dup := false
				for j := 0; j < i && !dup; j += 12 {
					dup = string(v[j:j+12]) == string(v[i:i+12])
				}
				if dup {
					continue // ExaBGP keeps one of each
				}
				if n > 0 {
					dst = append(dst, ", "...)
				}
				n++
				dst = append(dst, "[ "...)
				dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v[i:])), 10)
				dst = append(dst, ", "...)
				dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v[i+4:])), 10)
				dst = append(dst, " , "...)
				dst = strconv.AppendUint(dst, uint64(binary.BigEndian.Uint32(v[i+8:])), 10)
				dst = append(dst, " ]"...)
			}
			dst = append(dst, " ]"...)
		case attr.CodePMSITunnel:
			key("pmsi")
			dst = append(dst, '"')
			dst = appendPMSI(dst, v)
			dst = append(dst, '"')
		case attr.CodePrefixSID:
			key("bgp-prefix-sid")
			dst, _ = appendPrefixSID(dst, v)
		case attr.CodeBGPLS:
			key("bgp-ls")
			dst = append(dst, `{ "parsed": false, "raw": "`...)
			dst = appendHex(dst, v, hexUpper)
			dst = append(dst, `" }`...)
		}
	}
	if t.discard {
		key("error")
		dst = append(dst, `"discard"`...)
	}
	if t.taw {
		key("error")
		dst = append(dst, `"treat-as-withdraw`...)
		if t.tawCode >= 0 {
			dst = append(dst, " due to "...)
			if n, ok := exaCodeNames[attr.Code(t.tawCode)]; ok {
				dst = append(dst, n...)
			} else {
				dst = append(dst, "unknown-attribute-0x"...)
				dst = strconv.AppendUint(dst, uint64(t.tawCode), 16)
			}
		}
		dst = append(dst, '"')
	}
	return dst
}

// appendGenericKey appends `"attribute-0xCC-0xFF": "` (ExaBGP's key for
// attributes it has no name for).
func appendGenericKey(dst []byte, first *bool, c attr.Code, f attr.Flags) []byte {
	if !*first {
		dst = append(dst, ", "...)
	}
	*first = false
	dst = append(dst, `"attribute-0x`...)
	dst = append(dst, hexUpper[c>>4], hexUpper[c&0xF])
	dst = append(dst, "-0x"...)
	dst = append(dst, hexUpper[f>>4], hexUpper[f&0xF])
	return append(dst, `": "`...)
}
