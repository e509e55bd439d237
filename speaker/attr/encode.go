package attr

import (
	"encoding/binary"
	"net/netip"
)

// Standard flags of each attribute (RFC 4271 §5, RFC 1997, RFC 4456,
// RFC 4360, RFC 5701, RFC 6793, RFC 7311, RFC 8092, RFC 9234).
const (
	wellKnown          = FlagTransitive                // well-known (mandatory or discretionary)
	optionalTransitive = FlagOptional | FlagTransitive // optional transitive
	optionalNonTrans   = FlagOptional                  // optional non-transitive
)

// AppendOrigin appends a whole ORIGIN attribute (well-known mandatory,
// RFC 4271 §5.1.1).
func AppendOrigin(dst []byte, o Origin) []byte {
	return append(dst, byte(wellKnown), byte(CodeOrigin), 1, byte(o))
}

// appendSegments appends AS path segments with 2- or 4-octet ASNs.
// Segments of more than 255 ASNs are split into several of the same type;
// empty segments are left out. With 2-octet ASNs, an ASN above 65535 is
// written as AS_TRANS (RFC 6793 §4.2.2).
func appendSegments(dst []byte, segs []Segment, asn4 bool) []byte {
	for _, s := range segs {
		asns := s.ASNs
		for len(asns) > 0 {
			n := min(len(asns), 255)
			dst = append(dst, byte(s.Type), byte(n))
			for _, a := range asns[:n] {
				if asn4 {
					dst = binary.BigEndian.AppendUint32(dst, a)
				} else {
					if a > 0xFFFF {
						a = ASTrans
					}
					dst = binary.BigEndian.AppendUint16(dst, uint16(a))
				}
			}
			asns = asns[n:]
		}
	}
	return dst
}

func segmentsLen(segs []Segment, size int) int {
	n := 0
	for _, s := range segs {
		k := len(s.ASNs)
		n += 2*((k+254)/255) + k*size
	}
	return n
}

// AppendASPath appends a whole AS_PATH attribute (well-known mandatory,
// RFC 4271 §5.1.2) with 4-octet ASNs when asn4 (RFC 6793), else 2-octet
// ASNs with AS_TRANS standing in for larger ones. Segments longer than
// 255 ASNs are split.
func AppendASPath(dst []byte, segs []Segment, asn4 bool) []byte {
	size := 2
	if asn4 {
		size = 4
	}
	dst = AppendHeader(dst, wellKnown, CodeASPath, segmentsLen(segs, size))
	return appendSegments(dst, segs, asn4)
}

// AppendAS4Path appends a whole AS4_PATH attribute (optional transitive,
// 4-octet ASNs, RFC 6793 §3).
func AppendAS4Path(dst []byte, segs []Segment) []byte {
	dst = AppendHeader(dst, optionalTransitive, CodeAS4Path, segmentsLen(segs, 4))
	return appendSegments(dst, segs, true)
}

func append4(dst []byte, a netip.Addr) []byte {
	a = a.Unmap()
	if !a.Is4() {
		return append(dst, 0, 0, 0, 0)
	}
	b := a.As4()
	return append(dst, b[:]...)
}

// AppendNextHop appends a whole NEXT_HOP attribute (well-known mandatory,
// RFC 4271 §5.1.3). a must be IPv4 (an IPv4-mapped IPv6 address is
// unmapped); anything else writes 0.0.0.0.
func AppendNextHop(dst []byte, a netip.Addr) []byte {
	dst = append(dst, byte(wellKnown), byte(CodeNextHop), 4)
	return append4(dst, a)
}

// AppendMED appends a whole MULTI_EXIT_DISC attribute (optional
// non-transitive, RFC 4271 §5.1.4).
func AppendMED(dst []byte, med uint32) []byte {
	dst = append(dst, byte(optionalNonTrans), byte(CodeMED), 4)
	return binary.BigEndian.AppendUint32(dst, med)
}

// AppendLocalPref appends a whole LOCAL_PREF attribute (well-known,
// RFC 4271 §5.1.5).
func AppendLocalPref(dst []byte, pref uint32) []byte {
	dst = append(dst, byte(wellKnown), byte(CodeLocalPref), 4)
	return binary.BigEndian.AppendUint32(dst, pref)
}

// AppendAtomicAggregate appends a whole ATOMIC_AGGREGATE attribute
// (well-known discretionary, empty, RFC 4271 §5.1.6).
func AppendAtomicAggregate(dst []byte) []byte {
	return append(dst, byte(wellKnown), byte(CodeAtomicAggregate), 0)
}

// AppendAggregator appends a whole AGGREGATOR attribute (optional
// transitive, RFC 4271 §5.1.7): 4-octet ASN when asn4 (RFC 6793), else a
// 2-octet ASN with AS_TRANS for larger ones. The address must be IPv4.
func AppendAggregator(dst []byte, a Aggregator, asn4 bool) []byte {
	if asn4 {
		dst = append(dst, byte(optionalTransitive), byte(CodeAggregator), 8)
		dst = binary.BigEndian.AppendUint32(dst, a.ASN)
	} else {
		asn := a.ASN
		if asn > 0xFFFF {
			asn = ASTrans
		}
		dst = append(dst, byte(optionalTransitive), byte(CodeAggregator), 6)
		dst = binary.BigEndian.AppendUint16(dst, uint16(asn))
	}
	return append4(dst, a.Address)
}

// AppendAS4Aggregator appends a whole AS4_AGGREGATOR attribute (optional
// transitive, RFC 6793 §3).
func AppendAS4Aggregator(dst []byte, a Aggregator) []byte {
	dst = append(dst, byte(optionalTransitive), byte(CodeAS4Aggregator), 8)
	dst = binary.BigEndian.AppendUint32(dst, a.ASN)
	return append4(dst, a.Address)
}

// AppendCommunities appends a whole COMMUNITIES attribute (optional
// transitive, RFC 1997).
func AppendCommunities(dst []byte, cs []Community) []byte {
	dst = AppendHeader(dst, optionalTransitive, CodeCommunities, 4*len(cs))
	for _, c := range cs {
		dst = binary.BigEndian.AppendUint32(dst, uint32(c))
	}
	return dst
}

// AppendOriginatorID appends a whole ORIGINATOR_ID attribute (optional
// non-transitive, RFC 4456 §8).
func AppendOriginatorID(dst []byte, id netip.Addr) []byte {
	dst = append(dst, byte(optionalNonTrans), byte(CodeOriginatorID), 4)
	return append4(dst, id)
}

// AppendClusterList appends a whole CLUSTER_LIST attribute (optional
// non-transitive, RFC 4456 §8).
func AppendClusterList(dst []byte, ids []netip.Addr) []byte {
	dst = AppendHeader(dst, optionalNonTrans, CodeClusterList, 4*len(ids))
	for _, id := range ids {
		dst = append4(dst, id)
	}
	return dst
}

// AppendLargeCommunities appends a whole LARGE_COMMUNITY attribute
// (optional transitive, RFC 8092 §3).
func AppendLargeCommunities(dst []byte, ls []LargeCommunity) []byte {
	dst = AppendHeader(dst, optionalTransitive, CodeLargeCommunities, 12*len(ls))
	for _, l := range ls {
		dst = binary.BigEndian.AppendUint32(dst, l.Global)
		dst = binary.BigEndian.AppendUint32(dst, l.Local1)
		dst = binary.BigEndian.AppendUint32(dst, l.Local2)
	}
	return dst
}
