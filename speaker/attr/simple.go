package attr

import (
	"encoding/binary"
	"iter"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/wire"
)

func lengthError(c Code, n int) error {
	return wire.Errorf(wire.CodeUpdate, wire.SubAttributeLengthError, nil, "attr: %s has bad length %d", c, n)
}

// withdrawLengthError is lengthError with RFC 7606's treat-as-withdraw.
// Parsers call it out of line so that their success path inlines.
//
//go:noinline
func withdrawLengthError(c Code, n int) error {
	return lengthError(c, n).(*wire.Error).WithAction(wire.ActionTreatAsWithdraw)
}

// originError reports an ORIGIN value of the wrong length or out of
// range (RFC 7606 §7.1: treat-as-withdraw); out of line, as above.
//
//go:noinline
func originError(v []byte) error {
	if len(v) != 1 {
		return withdrawLengthError(CodeOrigin, len(v))
	}
	return wire.Errorf(wire.CodeUpdate, wire.SubInvalidOrigin, nil, "attr: invalid origin %d", v[0]).WithAction(wire.ActionTreatAsWithdraw)
}

// Origin is the ORIGIN value (RFC 4271 §5.1.1).
type Origin uint8

// ORIGIN values.
const (
	OriginIGP        Origin = 0
	OriginEGP        Origin = 1
	OriginIncomplete Origin = 2
)

// String returns "igp", "egp", "incomplete" or "origin-N".
func (o Origin) String() string {
	switch o {
	case OriginIGP:
		return "igp"
	case OriginEGP:
		return "egp"
	case OriginIncomplete:
		return "incomplete"
	}
	return "origin-" + itoa(uint64(o))
}

// ParseOrigin reads an ORIGIN value: one octet, 0-2. RFC 7606 §7.1: a bad
// length or value means treat-as-withdraw.
func ParseOrigin(v []byte) (Origin, error) {
	if len(v) == 1 && v[0] <= byte(OriginIncomplete) {
		return Origin(v[0]), nil
	}
	return 0, originError(v)
}

// ParseNextHop reads a NEXT_HOP value: an IPv4 address (RFC 4271 §5.1.3).
// RFC 7606 §7.3: a length other than 4 means treat-as-withdraw
// (ErrNextHopLength: a shared error, so that ParseNextHop makes no call
// and inlines).
func ParseNextHop(v []byte) (netip.Addr, error) {
	if len(v) != 4 {
		return netip.Addr{}, ErrNextHopLength
	}
	return netip.AddrFrom4([4]byte(v)), nil
}

// ErrNextHopLength is ParseNextHop's error: UPDATE Message Error /
// Attribute Length Error, treat-as-withdraw (RFC 7606 §7.3). It is
// shared: copy it before changing a field.
var ErrNextHopLength = wire.Errorf(wire.CodeUpdate, wire.SubAttributeLengthError, nil, "attr: next-hop length is not 4 octets").WithAction(wire.ActionTreatAsWithdraw)

// ParseUint32 reads a 4-octet value: MED (RFC 4271 §5.1.4), LOCAL_PREF
// (§5.1.5), OTC (RFC 9234 §5). RFC 7606 §7.4-7.5 and RFC 9234 §5: a bad
// length means treat-as-withdraw.
func ParseUint32(c Code, v []byte) (uint32, error) {
	if len(v) != 4 {
		return 0, withdrawLengthError(c, len(v))
	}
	return binary.BigEndian.Uint32(v), nil
}

// ParseOriginatorID reads ORIGINATOR_ID: a 4-octet router ID shown as an
// IPv4 address (RFC 4456 §8). Bad length: treat-as-withdraw (RFC 7606 §7.9).
func ParseOriginatorID(v []byte) (netip.Addr, error) {
	if len(v) != 4 {
		return netip.Addr{}, withdrawLengthError(CodeOriginatorID, len(v))
	}
	return netip.AddrFrom4([4]byte(v)), nil
}

// Aggregator is an AGGREGATOR or AS4_AGGREGATOR value (RFC 4271 §5.1.7,
// RFC 6793 §3): the aggregating AS and its BGP identifier.
type Aggregator struct {
	ASN     uint32
	Address netip.Addr
}

// ParseAggregator reads AGGREGATOR (6 octets, or 8 with asn4) or, with
// asn4 true, AS4_AGGREGATOR. RFC 7606 §7.7: a bad length means
// attribute-discard.
func ParseAggregator(c Code, v []byte, asn4 bool) (Aggregator, error) {
	switch {
	case asn4 && len(v) == 8:
		return Aggregator{binary.BigEndian.Uint32(v), netip.AddrFrom4([4]byte(v[4:8]))}, nil
	case !asn4 && len(v) == 6:
		return Aggregator{uint32(binary.BigEndian.Uint16(v)), netip.AddrFrom4([4]byte(v[2:6]))}, nil
	}
	return Aggregator{}, lengthError(c, len(v)).(*wire.Error).WithAction(wire.ActionAttributeDiscard)
}

// Community is a standard community (RFC 1997): high 16 bits the AS,
// low 16 bits the value.
type Community uint32

// Well-known communities (RFC 1997, RFC 3765, RFC 7999, RFC 8326, IANA).
const (
	CommunityGracefulShutdown  Community = 0xFFFF0000
	CommunityAcceptOwn         Community = 0xFFFF0001
	CommunityLLGRStale         Community = 0xFFFF0006
	CommunityNoLLGR            Community = 0xFFFF0007
	CommunityBlackhole         Community = 0xFFFF029A
	CommunityNoExport          Community = 0xFFFFFF01
	CommunityNoAdvertise       Community = 0xFFFFFF02
	CommunityNoExportSubconfed Community = 0xFFFFFF03
	CommunityNoPeer            Community = 0xFFFFFF04
)

var communityNames = map[Community]string{
	CommunityGracefulShutdown: "graceful-shutdown", CommunityAcceptOwn: "accept-own",
	CommunityLLGRStale: "llgr-stale", CommunityNoLLGR: "no-llgr", CommunityBlackhole: "blackhole",
	CommunityNoExport: "no-export", CommunityNoAdvertise: "no-advertise",
	CommunityNoExportSubconfed: "no-export-subconfed", CommunityNoPeer: "no-peer",
}

// Name returns the well-known name ("no-export"), or "" for others.
func (c Community) Name() string { return communityNames[c] }

// String returns the well-known name, or "ASN:VALUE".
func (c Community) String() string {
	if n, ok := communityNames[c]; ok {
		return n
	}
	return itoa(uint64(c>>16)) + ":" + itoa(uint64(c&0xFFFF))
}

// Communities is a COMMUNITIES value viewed as a list (RFC 1997).
type Communities []byte

// ParseCommunities checks a COMMUNITIES value: a non-zero multiple of 4
// octets. RFC 7606 §7.8: otherwise treat-as-withdraw.
func ParseCommunities(v []byte) (Communities, error) {
	if len(v)%4 != 0 || len(v) == 0 {
		return nil, withdrawLengthError(CodeCommunities, len(v))
	}
	return Communities(v), nil
}

// Len returns the number of communities.
func (c Communities) Len() int { return len(c) / 4 }

// At returns community i.
func (c Communities) At(i int) Community { return Community(binary.BigEndian.Uint32(c[i*4:])) }

// All yields the communities in order (a plain indexed loop once a
// range over it is inlined: cheaper per community than At).
func (c Communities) All() iter.Seq[Community] {
	return func(yield func(Community) bool) {
		for i := 0; i < len(c)-3; i += 4 {
			if !yield(Community(binary.BigEndian.Uint32(c[i : i+4]))) {
				return
			}
		}
	}
}

// ClusterList is a CLUSTER_LIST value (RFC 4456 §8): 4-octet cluster IDs.
type ClusterList []byte

// ParseClusterList checks a CLUSTER_LIST: a non-zero multiple of 4
// octets. RFC 7606 §7.10: otherwise treat-as-withdraw.
func ParseClusterList(v []byte) (ClusterList, error) {
	if len(v)%4 != 0 || len(v) == 0 {
		return nil, withdrawLengthError(CodeClusterList, len(v))
	}
	return ClusterList(v), nil
}

// Len returns the number of cluster IDs.
func (c ClusterList) Len() int { return len(c) / 4 }

// At returns cluster ID i as an IPv4-shaped address.
func (c ClusterList) At(i int) netip.Addr { return netip.AddrFrom4([4]byte(c[i*4 : i*4+4])) }

// LargeCommunity is an RFC 8092 large community.
type LargeCommunity struct {
	Global, Local1, Local2 uint32
}

// String returns "GLOBAL:LOCAL1:LOCAL2".
func (l LargeCommunity) String() string {
	return itoa(uint64(l.Global)) + ":" + itoa(uint64(l.Local1)) + ":" + itoa(uint64(l.Local2))
}

// LargeCommunities is a LARGE_COMMUNITY value viewed as a list.
type LargeCommunities []byte

// ParseLargeCommunities checks a LARGE_COMMUNITY value: a non-zero
// multiple of 12 octets. RFC 8092 §6: otherwise treat-as-withdraw.
func ParseLargeCommunities(v []byte) (LargeCommunities, error) {
	if len(v)%12 != 0 || len(v) == 0 {
		return nil, withdrawLengthError(CodeLargeCommunities, len(v))
	}
	return LargeCommunities(v), nil
}

// Len returns the number of large communities.
func (l LargeCommunities) Len() int { return len(l) / 12 }

// At returns large community i.
func (l LargeCommunities) At(i int) LargeCommunity {
	b := l[i*12:]
	return LargeCommunity{binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]), binary.BigEndian.Uint32(b[8:])}
}

// All yields the large communities in order (see Communities.All).
func (l LargeCommunities) All() iter.Seq[LargeCommunity] {
	return func(yield func(LargeCommunity) bool) {
		for i := 0; i < len(l)-11; i += 12 {
			b := l[i : i+12]
			if !yield(LargeCommunity{binary.BigEndian.Uint32(b[0:4]), binary.BigEndian.Uint32(b[4:8]), binary.BigEndian.Uint32(b[8:12])}) {
				return
			}
		}
	}
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return string(b[i:])
}
