package stats

import (
	"encoding/binary"
	"errors"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// errShortMessage is the damage of a BGP4MP message too short for the
// BGP header.
var errShortMessage = errors.New("stats: BGP message shorter than its header")

// Damage of an UPDATE with two MP_REACH_NLRI or two MP_UNREACH_NLRI
// attributes (RFC 7606 §3.g).
var (
	errDuplicateReach   = errors.New("stats: MP_REACH_NLRI appears more than once")
	errDuplicateUnreach = errors.New("stats: MP_UNREACH_NLRI appears more than once")
)

// routeAttrs is what the statistics read from a route's path attributes.
// Slices are views of the attributes or of the Collector's scratch.
type routeAttrs struct {
	path      []byte // AS path as 4-octet AS_PATH segments (type, count, ASNs)
	pathOK    bool   // path is well formed (a missing AS_PATH is the empty path)
	length    int    // RFC 4271 §9.1.2.2 a: AS_SET counts 1, confederation segments 0
	origin    uint32 // the last ASN of the last AS_SEQUENCE, or of a one-member final AS_SET
	hasOrigin bool
	comms     []byte // COMMUNITIES value (a multiple of 4 octets)
	large     []byte // LARGE_COMMUNITY value (a multiple of 12 octets)
}

// attrs walks a path attribute list once. as4 tells whether AS_PATH
// holds 4-octet ASNs; with 2-octet ASNs, AS4_PATH is merged in (RFC 6793
// §4.2.3, also skipped when AGGREGATOR holds an ASN other than
// AS_TRANS). The error is the first malformed attribute's; what was read
// is returned all the same.
func (c *Collector) attrs(b []byte, as4 bool) (routeAttrs, error) {
	var a routeAttrs
	var asPath, as4Path, agg []byte
	var hasAgg bool
	var firstErr error
	it := attr.NewIterator(b)
	for it.Next() {
		switch it.Code() {
		case attr.CodeASPath:
			asPath = it.Value()
		case attr.CodeAS4Path:
			as4Path = it.Value()
		case attr.CodeAggregator:
			agg, hasAgg = it.Value(), true
		case attr.CodeCommunities:
			if v, err := attr.ParseCommunities(it.Value()); err == nil {
				a.comms = v
			} else if firstErr == nil {
				firstErr = err
			}
		case attr.CodeLargeCommunities:
			if v, err := attr.ParseLargeCommunities(it.Value()); err == nil {
				a.large = v
			} else if firstErr == nil {
				firstErr = err
			}
		}
	}
	if err := it.Err(); err != nil && firstErr == nil {
		firstErr = err
	}
	var pathErr, err error // pathErr: no usable path; err: damage only
	switch {
	case as4:
		a.path = asPath
		pathErr = checkPath(a.path)
	case len(as4Path) > 0 && !(hasAgg && aggregatorASN(agg) != attr.ASTrans):
		c.segs, err = attr.MergeAS4Path(asPath, as4Path)
		if c.segs == nil && err != nil {
			pathErr, err = err, nil // AS_PATH itself is malformed
			break
		}
		c.path = appendSegments(c.path[:0], c.segs)
		a.path = c.path
	default:
		c.path, pathErr = widen(c.path[:0], asPath)
		a.path = c.path
	}
	if pathErr == nil {
		a.pathOK = true
		a.length, a.origin, a.hasOrigin = pathFacts(a.path)
		if splitSequence(a.path) {
			c.canon = canonical(c.canon[:0], a.path)
			a.path = c.canon
		}
	} else {
		err = pathErr
	}
	if err != nil && firstErr == nil {
		firstErr = err
	}
	return a, firstErr
}

// aggregatorASN reads the ASN of a 2-octet AGGREGATOR (AS_TRANS-less
// values of other lengths read as 0).
func aggregatorASN(v []byte) uint32 {
	if len(v) < 2 {
		return 0
	}
	return uint32(binary.BigEndian.Uint16(v))
}

// checkPath checks a 4-octet AS path.
func checkPath(v []byte) error {
	it := attr.NewASPathIterator(v, true)
	for it.Next() {
	}
	return it.Err()
}

// widen appends the 2-octet AS path v in 4-octet form.
func widen(dst, v []byte) ([]byte, error) {
	it := attr.NewASPathIterator(v, false)
	for it.Next() {
		dst = append(dst, byte(it.Type()), byte(it.Len()))
		for i := range it.Len() {
			dst = binary.BigEndian.AppendUint32(dst, it.ASN(i))
		}
	}
	return dst, it.Err()
}

// appendSegments encodes segments as a 4-octet AS path (segments longer
// than 255 ASNs are split).
func appendSegments(dst []byte, segs []attr.Segment) []byte {
	for _, s := range segs {
		asns := s.ASNs
		for len(asns) > 0 {
			n := min(len(asns), 255)
			dst = append(dst, byte(s.Type), byte(n))
			for _, a := range asns[:n] {
				dst = binary.BigEndian.AppendUint32(dst, a)
			}
			asns = asns[n:]
		}
	}
	return dst
}

// splitSequence reports whether a well-formed 4-octet AS path has two
// AS_SEQUENCE segments in a row (prepending often comes as a segment of
// its own): the same path as one segment would be.
func splitSequence(v []byte) bool {
	prev := attr.SegmentType(0)
	it := attr.NewASPathIterator(v, true)
	for it.Next() {
		if it.Type() == attr.ASSequence && prev == attr.ASSequence {
			return true
		}
		prev = it.Type()
	}
	return false
}

// canonical appends the well-formed 4-octet AS path v with its runs of
// AS_SEQUENCE segments joined (and split again every 255 ASNs), so that
// one path has one key however its segments were cut.
func canonical(dst, v []byte) []byte {
	var run []byte // ASNs of the current AS_SEQUENCE run
	flush := func() {
		for len(run) > 0 {
			n := min(len(run)/4, 255)
			dst = append(dst, byte(attr.ASSequence), byte(n))
			dst = append(dst, run[:4*n]...)
			run = run[4*n:]
		}
	}
	it := attr.NewASPathIterator(v, true)
	for it.Next() {
		if it.Type() == attr.ASSequence {
			for i := range it.Len() {
				run = binary.BigEndian.AppendUint32(run, it.ASN(i))
			}
			continue
		}
		flush()
		dst = append(dst, byte(it.Type()), byte(it.Len()))
		for i := range it.Len() {
			dst = binary.BigEndian.AppendUint32(dst, it.ASN(i))
		}
	}
	flush()
	return dst
}

// pathFacts returns the length of a well-formed 4-octet AS path (RFC
// 4271 §9.1.2.2 a: an AS_SET counts as one, confederation segments as
// none) and its origin: the last ASN of a final AS_SEQUENCE, or the
// member of a final one-member AS_SET; none when the path is empty or
// ends with a larger AS_SET (an aggregate's origins are not one AS).
// Confederation segments after the last AS segment are passed over.
func pathFacts(v []byte) (length int, origin uint32, ok bool) {
	it := attr.NewASPathIterator(v, true)
	for it.Next() {
		switch it.Type() {
		case attr.ASSequence:
			length += it.Len()
			origin, ok = it.ASN(it.Len()-1), true
		case attr.ASSet:
			length++
			origin, ok = it.ASN(0), it.Len() == 1
		}
	}
	return length, origin, ok
}

// route counts n routes sharing the attributes a: their AS path and its
// length, their communities.
func (c *Collector) route(a routeAttrs, n uint64) {
	if a.pathOK {
		for len(c.lens) <= a.length {
			c.lens = append(c.lens, pathLen{})
		}
		c.lens[a.length].routes += n
		if _, ok := c.paths[string(a.path)]; !ok {
			c.paths[string(a.path)] = struct{}{}
			c.lens[a.length].paths++
		}
	}
	for i := 0; i+4 <= len(a.comms); i += 4 {
		c.comms[attr.Community(binary.BigEndian.Uint32(a.comms[i:]))] += n
	}
	for i := 0; i+12 <= len(a.large); i += 12 {
		l := attr.LargeCommunities(a.large[i:]).At(0)
		c.large[l] += n
	}
}

// message counts a BGP message of peer p: by type, and for an UPDATE
// its announcements and withdrawals (RFC 4271 §4.3, RFC 4760). Messages
// the collector sent (local) count by type only.
func (c *Collector) message(rec *mrt.Record, p *peerStats, msg []byte, as4, addPath, local bool) error {
	if len(msg) < wire.HeaderLen {
		return errShortMessage
	}
	t := msg[wire.MarkerLen+2]
	if t >= 1 && t <= 5 {
		c.messages[t]++
	} else {
		c.messages[0]++
	}
	if local {
		c.local++
		return nil
	}
	p.messages++
	if wire.Type(t) != wire.TypeUpdate {
		return nil
	}
	p.updates++
	if err := c.upd.Parse(msg); err != nil {
		return err
	}
	if _, ok := c.upd.EndOfRIB(); ok {
		c.eor++
		return nil
	}
	a, firstErr := c.attrs(c.upd.Attrs, as4)
	keep := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	// The withdrawn routes and NLRI fields (IPv4 unicast), then every
	// MP_UNREACH_NLRI and MP_REACH_NLRI: RFC 7606 §3.g makes a second
	// one a session reset (damage here), but its routes still count.
	n, err := nlri.Count(c.upd.Withdrawn, wire.IPv4Unicast, addPath)
	keep(err)
	wd := uint64(n)
	an, err := c.announce(c.upd.NLRI, wire.IPv4Unicast, addPath, a)
	keep(err)
	reaches, unreaches := 0, 0
	it := attr.NewIterator(c.upd.Attrs)
	for it.Next() {
		switch it.Code() {
		case attr.CodeMPUnreach:
			unreaches++
			m, err := attr.ParseMPUnreach(it.Value())
			switch {
			case err != nil:
				keep(err)
			case m.Family.IsIP():
				n, err := nlri.Count(m.NLRI, m.Family, addPath)
				keep(err)
				wd += uint64(n)
			default:
				c.otherNLRI++
			}
		case attr.CodeMPReach:
			reaches++
			m, err := attr.ParseMPReach(it.Value())
			switch {
			case err != nil:
				keep(err)
			case m.Family.IsIP():
				k, err := c.announce(m.NLRI, m.Family, addPath, a)
				keep(err)
				an += k
			default:
				c.otherNLRI++
			}
		}
	}
	if reaches > 1 {
		keep(errDuplicateReach)
	}
	if unreaches > 1 {
		keep(errDuplicateUnreach)
	}
	p.withdraw += wd
	p.announce += an
	c.routes.withdraw += wd
	c.routes.announce += an
	if an > 0 {
		c.route(a, an)
	}
	if an > 0 || wd > 0 {
		c.rate.add(c, p, rec.Timestamp, an, wd)
	}
	return firstErr
}

// announce records the prefixes of an NLRI field with the origin of a
// and returns how many there were (up to a malformed entry, whose error
// is returned).
func (c *Collector) announce(b []byte, f wire.Family, addPath bool, a routeAttrs) (uint64, error) {
	var n uint64
	it := nlri.NewIterator(b, f, addPath)
	if f.AFI == wire.AFIIPv6 {
		for it.Next() {
			hi, lo := it.Addr6()
			c.pfx.add6(hi, lo, uint8(it.Bits()), a.origin, a.hasOrigin)
			n++
		}
	} else {
		for it.Next() {
			c.pfx.add4(it.Addr4(), uint8(it.Bits()), a.origin, a.hasOrigin)
			n++
		}
	}
	return n, it.Err()
}
