package attr

import "github.com/ze-bgp/ze/speaker/wire"

// pathCount returns how many ASNs a segment adds to the path length for
// RFC 6793 §4.2.3: an AS_SET counts as 1, confederation segments as 0.
func pathCount(s Segment) int {
	switch s.Type {
	case ASSequence:
		return len(s.ASNs)
	case ASSet:
		return 1
	}
	return 0
}

// Segments decodes an AS_PATH (asn4 false: 2-octet ASNs) or AS4_PATH /
// 4-octet AS_PATH value into segments. Errors are those of
// ASPathIterator (Malformed AS_PATH, treat-as-withdraw).
func Segments(v []byte, asn4 bool) ([]Segment, error) {
	var out []Segment
	it := NewASPathIterator(v, asn4)
	for it.Next() {
		s := Segment{Type: it.Type(), ASNs: make([]uint32, it.Len())}
		for i := range s.ASNs {
			s.ASNs[i] = it.ASN(i)
		}
		out = append(out, s)
	}
	return out, it.Err()
}

// MergeAS4Path rebuilds the AS path of a route received from a 2-octet-AS
// speaker (RFC 6793 §4.2.3). asPath is the AS_PATH value (2-octet ASNs),
// as4Path the AS4_PATH value (4-octet ASNs, nil when absent).
//
// ASNs are counted with an AS_SET as 1 and confederation segments as 0.
// Confederation segments of AS4_PATH are dropped (RFC 6793 §6). If
// AS_PATH counts fewer ASNs than AS4_PATH, AS4_PATH is ignored;
// otherwise the leading AS_PATH segments (cut inside an AS_SEQUENCE if
// needed) that make up the difference are put before AS4_PATH; a
// confederation segment of AS_PATH is kept when it leads the path or
// follows a kept segment. A kept partial AS_SEQUENCE and a leading
// AS4_PATH AS_SEQUENCE are joined into one segment (up to 255 ASNs).
//
// A malformed AS_PATH returns nil and its *wire.Error (treat-as-withdraw,
// RFC 7606 §7.2). A malformed AS4_PATH returns the AS_PATH segments and
// an *wire.Error with attribute-discard (RFC 7606 §7.2 and RFC 6793 §6:
// AS4_PATH is then ignored).
//
// The caller must also ignore AS4_PATH when an AGGREGATOR is present
// whose ASN is not AS_TRANS (RFC 6793 §4.2.3); see MergeAS4Aggregator.
func MergeAS4Path(asPath []byte, as4Path []byte) ([]Segment, error) {
	path, err := Segments(asPath, false)
	if err != nil {
		return nil, err
	}
	if len(as4Path) == 0 {
		return path, nil
	}
	all4, err := Segments(as4Path, true)
	if err != nil {
		return path, asPathDiscard(err)
	}
	var as4 []Segment
	n4 := 0
	for _, s := range all4 {
		if s.Type == ConfedSequence || s.Type == ConfedSet {
			continue
		}
		as4 = append(as4, s)
		n4 += pathCount(s)
	}
	n2 := 0
	for _, s := range path {
		n2 += pathCount(s)
	}
	if n2 < n4 {
		return path, nil
	}
	need := n2 - n4
	out := make([]Segment, 0, len(path)+len(as4))
	prevKept := false
	for i, s := range path {
		if s.Type == ConfedSequence || s.Type == ConfedSet {
			if i == 0 || prevKept {
				out = append(out, s)
				prevKept = true
				continue
			}
			break
		}
		if need == 0 {
			break
		}
		switch s.Type {
		case ASSet:
			out = append(out, s)
			need--
		case ASSequence:
			k := min(need, len(s.ASNs))
			out = append(out, Segment{Type: ASSequence, ASNs: s.ASNs[:k:k]})
			need -= k
		}
		prevKept = true
	}
	for i, s := range as4 {
		if i == 0 && len(out) > 0 {
			last := &out[len(out)-1]
			if last.Type == ASSequence && s.Type == ASSequence && len(last.ASNs)+len(s.ASNs) <= 255 {
				joined := make([]uint32, 0, len(last.ASNs)+len(s.ASNs))
				joined = append(append(joined, last.ASNs...), s.ASNs...)
				last.ASNs = joined
				continue
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func asPathDiscard(err error) error {
	if we, ok := err.(*wire.Error); ok {
		return we.WithAction(wire.ActionAttributeDiscard)
	}
	return err
}

// MergeAS4Aggregator returns the aggregator of a route received from a
// 2-octet-AS speaker (RFC 6793 §4.2.3): as4agg when agg's ASN is AS_TRANS
// and as4agg is present (valid Address), else agg. When agg's ASN is not
// AS_TRANS the caller must also ignore AS4_PATH.
func MergeAS4Aggregator(agg, as4agg Aggregator) Aggregator {
	if agg.ASN == ASTrans && as4agg.Address.IsValid() {
		return as4agg
	}
	return agg
}
