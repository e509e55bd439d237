package testpeer

import (
	"encoding/binary"
	"errors"
	"slices"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// errOversize is a route whose attributes and NLRI entry do not fit in
// one UPDATE of the session's message size.
var errOversize = errors.New("testpeer: route does not fit in an UPDATE of the session's size")

// errDuplicateMP is an UPDATE with two MP_REACH_NLRI or two
// MP_UNREACH_NLRI attributes (RFC 7606 §3 g: malformed).
var errDuplicateMP = errors.New("testpeer: MP_REACH_NLRI or MP_UNREACH_NLRI more than once")

// nlriList is NLRI entries encoded for the session, back to back; ends
// holds the offset after each entry. A block of a family whose entries
// ze does not parse (copied unchanged) has no ends and is never split.
type nlriList struct {
	b    []byte
	ends []int
}

func (l *nlriList) reset() { l.b, l.ends = l.b[:0], l.ends[:0] }

// count returns the entries (1 for an opaque block).
func (l *nlriList) count() int {
	if len(l.ends) == 0 && len(l.b) > 0 {
		return 1
	}
	return len(l.ends)
}

// recoder takes a recorded UPDATE apart (decompose) and builds it again
// for the session's encoding context: 4-octet or 2-octet AS numbers
// (RFC 6793), path identifiers or none (RFC 7911), only negotiated
// families (RFC 4760), the session's message size (RFC 8654). Every
// UPDATE it appends is counted in msgs.
type recoder struct {
	send wire.Context
	fams []wire.Family // negotiated
	max  int           // message size limit

	// The last decomposed UPDATE. base holds its attributes except
	// MP_REACH_NLRI and MP_UNREACH_NLRI, as the session must get them.
	base          []byte
	wd4, ann4     nlriList
	wdMP, annMP   nlriList
	wdFam, annFam wire.Family
	hasWd, hasAnn bool   // MP_UNREACH_NLRI / MP_REACH_NLRI of a negotiated family present
	nh            []byte // MP_REACH_NLRI next hop (a view of the message)
	changed       bool   // anything differs from the recorded message
	dropped       bool   // a part of a family not negotiated was left out
	skipped       int    // prefixes of families not negotiated

	path, agg []byte // converted AS_PATH, AGGREGATOR attributes
	high      []byte // AS4_PATH, AS4_AGGREGATOR for a 2-octet session
	msgs      int64
}

func newRecoder(send wire.Context, fams []wire.Family) *recoder {
	return &recoder{send: send, fams: fams, max: send.MaxLen()}
}

func (rc *recoder) negotiated(f wire.Family) bool { return slices.Contains(rc.fams, f) }

// decompose takes u, recorded under the context from, apart; defID is
// the path identifier of entries recorded without one when the session
// sends path identifiers. Errors: the message's malformed NLRI or
// attributes (*wire.Error), or an AS path that cannot be converted.
func (rc *recoder) decompose(u *message.Update, from wire.Context, defID uint32) error {
	rc.base = rc.base[:0]
	rc.wd4.reset()
	rc.ann4.reset()
	rc.wdMP.reset()
	rc.annMP.reset()
	rc.hasWd, rc.hasAnn, rc.nh, rc.changed, rc.dropped, rc.skipped = false, false, nil, false, false, 0
	if err := rc.convert(&rc.wd4, u.Withdrawn, wire.IPv4Unicast, from, defID); err != nil {
		return err
	}
	if err := rc.convert(&rc.ann4, u.NLRI, wire.IPv4Unicast, from, defID); err != nil {
		return err
	}
	as := from.ASN4 != rc.send.ASN4
	if as {
		if err := rc.convertAS(u.Attrs, from.ASN4); err != nil {
			return err
		}
		rc.changed = true
	}
	reach, unreach := false, false
	it := attr.NewIterator(u.Attrs)
	for it.Next() {
		switch c := it.Code(); c {
		case attr.CodeMPReach:
			m, err := attr.ParseMPReach(it.Value())
			if err != nil {
				return err
			}
			if reach {
				return errDuplicateMP
			}
			reach = true
			if rc.annFam, rc.nh = m.Family, m.NextHop; !rc.negotiated(m.Family) {
				rc.changed, rc.dropped = true, true
				rc.skipped += countEntries(m.NLRI, m.Family, from)
				continue
			}
			rc.hasAnn = true
			if err := rc.convert(&rc.annMP, m.NLRI, m.Family, from, defID); err != nil {
				return err
			}
		case attr.CodeMPUnreach:
			m, err := attr.ParseMPUnreach(it.Value())
			if err != nil {
				return err
			}
			if unreach {
				return errDuplicateMP
			}
			unreach = true
			if rc.wdFam = m.Family; !rc.negotiated(m.Family) {
				rc.changed, rc.dropped = true, true
				rc.skipped += countEntries(m.NLRI, m.Family, from)
				continue
			}
			rc.hasWd = true
			if err := rc.convert(&rc.wdMP, m.NLRI, m.Family, from, defID); err != nil {
				return err
			}
		case attr.CodeASPath, attr.CodeAggregator:
			switch {
			case !as:
				rc.base = append(rc.base, it.Raw()...)
			case c == attr.CodeASPath: // the converted attribute takes its place
				rc.base = append(rc.base, rc.path...)
			default:
				rc.base = append(rc.base, rc.agg...)
			}
		case attr.CodeAS4Path, attr.CodeAS4Aggregator:
			if !as {
				rc.base = append(rc.base, it.Raw()...)
			}
		default:
			rc.base = append(rc.base, it.Raw()...)
		}
	}
	if err := it.Err(); err != nil {
		return err
	}
	if len(rc.high) > 0 {
		rc.base = insertAttrs(rc.base, rc.high)
	}
	return nil
}

// attrLen is the length of the whole attribute at the start of b (0
// when b is empty).
func attrLen(b []byte) int {
	if len(b) < 3 {
		return 0
	}
	if attr.Flags(b[0])&attr.FlagExtendedLength != 0 {
		return 4 + int(binary.BigEndian.Uint16(b[2:]))
	}
	return 3 + int(b[2])
}

// convertAS converts AS_PATH and AGGREGATOR between 4-octet (from4) and
// 2-octet AS numbers into rc.path and rc.agg (whole attributes) and rc.high (AS4_PATH and AS4_AGGREGATOR when the
// session has 2-octet AS numbers and the path needs them).
//
// Towards 2 octets (RFC 6793 §4.2.2): an AS above 65535 becomes AS_TRANS
// and the path (without confederation segments) goes into AS4_PATH, the
// aggregator into AS4_AGGREGATOR. Towards 4 octets (RFC 6793 §4.2.3):
// AS_PATH and AS4_PATH are merged, AS4_PATH ignored when AGGREGATOR
// holds an AS other than AS_TRANS; AS4_PATH and AS4_AGGREGATOR are
// dropped.
func (rc *recoder) convertAS(attrs []byte, from4 bool) error {
	rc.path, rc.agg, rc.high = rc.path[:0], rc.agg[:0], rc.high[:0]
	pathV, hasPath := attr.Find(attrs, attr.CodeASPath)
	aggV, hasAgg := attr.Find(attrs, attr.CodeAggregator)
	var segs []attr.Segment
	var agg attr.Aggregator
	var err error
	if from4 {
		if hasPath {
			if segs, err = attr.Segments(pathV, true); err != nil {
				return err
			}
		}
		if hasAgg {
			if agg, err = attr.ParseAggregator(attr.CodeAggregator, aggV, true); err != nil {
				return err
			}
		}
	} else {
		ignore4 := false
		if hasAgg {
			if agg, err = attr.ParseAggregator(attr.CodeAggregator, aggV, false); err != nil {
				return err
			}
			ignore4 = agg.ASN != attr.ASTrans
			if v4, ok := attr.Find(attrs, attr.CodeAS4Aggregator); ok {
				if a4, err := attr.ParseAggregator(attr.CodeAS4Aggregator, v4, true); err == nil {
					agg = attr.MergeAS4Aggregator(agg, a4)
				}
			}
		}
		if hasPath {
			var as4 []byte
			if !ignore4 {
				as4, _ = attr.Find(attrs, attr.CodeAS4Path)
			}
			if segs, err = attr.MergeAS4Path(pathV, as4); segs == nil && err != nil {
				return err
			}
		}
	}
	if hasPath {
		rc.path = attr.AppendASPath(rc.path, segs, rc.send.ASN4)
	}
	if hasAgg {
		rc.agg = attr.AppendAggregator(rc.agg, agg, rc.send.ASN4)
	}
	if rc.send.ASN4 {
		return nil
	}
	if hasPath && wideASN(segs) {
		var plain []attr.Segment
		for _, s := range segs {
			if s.Type == attr.ASSequence || s.Type == attr.ASSet {
				plain = append(plain, s)
			}
		}
		rc.high = attr.AppendAS4Path(rc.high, plain)
	}
	if hasAgg && agg.ASN > 0xFFFF {
		rc.high = attr.AppendAS4Aggregator(rc.high, agg)
	}
	return nil
}

// wideASN reports whether a path holds an AS that 2 octets cannot carry.
func wideASN(segs []attr.Segment) bool {
	for _, s := range segs {
		for _, a := range s.ASNs {
			if a > 0xFFFF {
				return true
			}
		}
	}
	return false
}

// insertAttrs inserts whole attributes (ascending type codes) into list
// so that type codes keep ascending where they did (RFC 4271 §5: the
// sender should order attributes by type code).
func insertAttrs(list, add []byte) []byte {
	for len(add) > 0 {
		n := min(attrLen(add), len(add))
		list = insertAttr(list, add[:n])
		add = add[n:]
	}
	return list
}

// insertAttr inserts one whole attribute before the first attribute of
// list with a higher type code (at the end when there is none).
func insertAttr(list, a []byte) []byte {
	pos := attrPos(list, attr.Code(a[1]))
	return slices.Insert(list, pos, a...)
}

// attrPos is the offset of the first attribute of list whose type code
// is above c, or len(list).
func attrPos(list []byte, c attr.Code) int {
	it := attr.NewIterator(list)
	off := 0
	for it.Next() {
		if it.Code() > c {
			return off
		}
		off += len(it.Raw())
	}
	return len(list)
}

// countEntries counts the NLRI entries of field (1 for a family ze does
// not parse; 0 when empty).
func countEntries(field []byte, f wire.Family, ctx wire.Context) int {
	if len(field) == 0 {
		return 0
	}
	if !f.IsIP() {
		return 1
	}
	n, _ := nlri.Count(field, f, ctx.AddPath(f))
	return n
}

// convert appends the entries of field (family f, recorded under from)
// to l as the session sends them: path identifiers added (defID) or
// removed as ADD-PATH was negotiated. A family not negotiated is counted
// in skipped and left out. A family ze does not parse is copied
// unchanged as one block, and left out when its path identifiers would
// have to change.
func (rc *recoder) convert(l *nlriList, field []byte, f wire.Family, from wire.Context, defID uint32) error {
	if len(field) == 0 {
		return nil
	}
	if !rc.negotiated(f) {
		rc.changed, rc.dropped = true, true
		rc.skipped += countEntries(field, f, from)
		return nil
	}
	fromAP, toAP := from.AddPath(f), rc.send.AddPath(f)
	if !f.IsIP() {
		if fromAP != toAP {
			rc.changed, rc.dropped = true, true
			rc.skipped++
			return nil
		}
		l.b = append(l.b, field...)
		return nil
	}
	if fromAP != toAP {
		rc.changed = true
	}
	it := nlri.NewIterator(field, f, fromAP)
	for it.Next() {
		raw := it.Raw()
		switch {
		case fromAP == toAP:
			l.b = append(l.b, raw...)
		case fromAP:
			l.b = append(l.b, raw[4:]...)
		default:
			l.b = binary.BigEndian.AppendUint32(l.b, defID)
			l.b = append(l.b, raw...)
		}
		l.ends = append(l.ends, len(l.b))
	}
	return it.Err()
}

// appendDecomposed appends the decomposed UPDATE as one message when it
// fits, else split: withdrawals first (classic field, then
// MP_UNREACH_NLRI), then announcements sharing the attributes. An
// UPDATE left with nothing of a negotiated family (no withdrawal, no
// announcement, no End-of-RIB) appends nothing. Errors: errOversize
// (what came before the entry that does not fit is kept).
func (rc *recoder) appendDecomposed(dst []byte) ([]byte, error) {
	if len(rc.wd4.b) == 0 && len(rc.ann4.b) == 0 && !rc.hasWd && !rc.hasAnn {
		if len(rc.base) > 0 || rc.dropped || !rc.negotiated(wire.IPv4Unicast) {
			return dst, nil // attributes alone announce nothing
		}
	}
	start := len(dst)
	dst = wire.AppendHeader(dst, wire.TypeUpdate)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(rc.wd4.b)))
	dst = append(dst, rc.wd4.b...)
	apos := len(dst)
	dst = append(dst, 0, 0)
	dst = rc.appendAttrs(dst, rc.hasAnn, rc.hasWd, rc.annMP.b, rc.wdMP.b)
	binary.BigEndian.PutUint16(dst[apos:], uint16(min(len(dst)-apos-2, 0xFFFF)))
	dst = append(dst, rc.ann4.b...)
	if len(dst)-start <= rc.max {
		wire.SetLength(dst[start:])
		rc.msgs++
		return dst, nil
	}
	dst = dst[:start]
	var err error
	if dst, err = rc.chunks(dst, &rc.wd4, wire.IPv4Unicast, false); err != nil {
		return dst, err
	}
	if dst, err = rc.chunks(dst, &rc.wdMP, rc.wdFam, false); err != nil {
		return dst, err
	}
	if dst, err = rc.chunks(dst, &rc.ann4, wire.IPv4Unicast, true); err != nil {
		return dst, err
	}
	return rc.chunks(dst, &rc.annMP, rc.annFam, true)
}

// appendAttrs appends rc.base with MP_REACH_NLRI (reach) and
// MP_UNREACH_NLRI (unreach) inserted in type-code order.
func (rc *recoder) appendAttrs(dst []byte, hasReach, hasUnreach bool, reach, unreach []byte) []byte {
	base := rc.base
	if hasReach {
		p := attrPos(base, attr.CodeMPReach)
		dst = append(dst, base[:p]...)
		dst = attr.AppendMPReach(dst, rc.annFam, rc.nh, reach)
		base = base[p:]
	}
	if hasUnreach {
		p := attrPos(base, attr.CodeMPUnreach)
		dst = append(dst, base[:p]...)
		dst = attr.AppendMPUnreach(dst, rc.wdFam, unreach)
		base = base[p:]
	}
	return append(dst, base...)
}

// chunks appends l's entries in as few UPDATEs as fit: withdrawals
// (announce false) alone, announcements with rc.base.
func (rc *recoder) chunks(dst []byte, l *nlriList, f wire.Family, announce bool) ([]byte, error) {
	if len(l.b) == 0 {
		return dst, nil
	}
	room := rc.room(f, announce, rc.base, rc.nh)
	if len(l.ends) == 0 {
		if len(l.b) > room {
			return dst, errOversize
		}
		return rc.appendPart(dst, l.b, f, announce, rc.base, rc.nh), nil
	}
	from := 0
	for i := 0; i < len(l.ends); {
		j := i
		for j < len(l.ends) && l.ends[j]-from <= room {
			j++
		}
		if j == i {
			return dst, errOversize
		}
		dst = rc.appendPart(dst, l.b[from:l.ends[j-1]], f, announce, rc.base, rc.nh)
		from, i = l.ends[j-1], j
	}
	return dst, nil
}

// room is how many octets of NLRI entries of family f fit in one UPDATE
// withdrawing them, or announcing them with the attributes base (and
// the MP_REACH_NLRI next hop nh).
func (rc *recoder) room(f wire.Family, announce bool, base, nh []byte) int {
	room := rc.max - wire.HeaderLen - 4
	if announce {
		room -= len(base)
	}
	if f != wire.IPv4Unicast {
		room -= 4 + 3 // MP attribute header (extended length), AFI, SAFI
		if announce {
			room -= 2 + len(nh) // next hop length, next hop, reserved
		}
	}
	return room
}

// appendPart appends one UPDATE withdrawing, or announcing with the
// attributes base (and the MP_REACH_NLRI next hop nh), the
// already-encoded entries of family f.
func (rc *recoder) appendPart(dst, entries []byte, f wire.Family, announce bool, base, nh []byte) []byte {
	start := len(dst)
	dst = wire.AppendHeader(dst, wire.TypeUpdate)
	v4 := f == wire.IPv4Unicast
	if !announce && v4 {
		dst = binary.BigEndian.AppendUint16(dst, uint16(len(entries)))
		dst = append(dst, entries...)
		dst = append(dst, 0, 0)
	} else {
		dst = append(dst, 0, 0)
		apos := len(dst)
		dst = append(dst, 0, 0)
		switch {
		case !announce:
			dst = attr.AppendMPUnreach(dst, f, entries)
		case v4:
			dst = append(dst, base...)
		default:
			p := attrPos(base, attr.CodeMPReach)
			dst = append(dst, base[:p]...)
			dst = attr.AppendMPReach(dst, f, nh, entries)
			dst = append(dst, base[p:]...)
		}
		binary.BigEndian.PutUint16(dst[apos:], uint16(len(dst)-apos-2))
		if announce && v4 {
			dst = append(dst, entries...)
		}
	}
	wire.SetLength(dst[start:])
	rc.msgs++
	return dst
}
