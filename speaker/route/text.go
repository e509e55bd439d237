package route

import (
	"strconv"
	"strings"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// String returns r in the syntax Parse reads, so that Parse(r.String())
// gives r back: "route PREFIX next-hop … " for an announcement,
// "withdraw route PREFIX …" for a withdrawal. Attributes follow in
// type-code order; family appears only when it is not the prefix's
// unicast family, path-information only when non-zero. An extended
// community whose text form would not parse back to the same octets is
// written as raw hex ("0x0002FDE800000001").
func (r Route) String() string {
	var b strings.Builder
	if r.Withdraw {
		b.WriteString("withdraw ")
	}
	b.WriteString("route ")
	b.WriteString(r.Prefix.String())
	if r.NextHop.IsValid() {
		b.WriteString(" next-hop ")
		b.WriteString(r.NextHop.String())
	}
	if !r.Withdraw || r.Origin != attr.OriginIGP {
		b.WriteString(" origin ")
		b.WriteString(r.Origin.String())
	}
	if len(r.ASPath) > 0 {
		b.WriteString(" as-path [")
		for _, s := range r.ASPath {
			set := s.Type == attr.ASSet
			if set {
				b.WriteString(" (")
			}
			for _, a := range s.ASNs {
				b.WriteByte(' ')
				b.WriteString(strconv.FormatUint(uint64(a), 10))
			}
			if set {
				b.WriteString(" )")
			}
		}
		b.WriteString(" ]")
	}
	if r.HasMED {
		b.WriteString(" med ")
		b.WriteString(strconv.FormatUint(uint64(r.MED), 10))
	}
	if r.HasLocalPref {
		b.WriteString(" local-preference ")
		b.WriteString(strconv.FormatUint(uint64(r.LocalPref), 10))
	}
	if r.AtomicAggregate {
		b.WriteString(" atomic-aggregate")
	}
	if r.Aggregator.Address.IsValid() {
		b.WriteString(" aggregator ")
		b.WriteString(strconv.FormatUint(uint64(r.Aggregator.ASN), 10))
		b.WriteByte(':')
		b.WriteString(r.Aggregator.Address.String())
	}
	if len(r.Communities) > 0 {
		b.WriteString(" community [")
		for _, c := range r.Communities {
			b.WriteByte(' ')
			b.WriteString(c.String())
		}
		b.WriteString(" ]")
	}
	if r.OriginatorID.IsValid() {
		b.WriteString(" originator-id ")
		b.WriteString(r.OriginatorID.String())
	}
	if len(r.ClusterList) > 0 {
		b.WriteString(" cluster-list [")
		for _, id := range r.ClusterList {
			b.WriteByte(' ')
			b.WriteString(id.String())
		}
		b.WriteString(" ]")
	}
	if len(r.ExtCommunities) > 0 {
		b.WriteString(" extended-community [")
		for _, e := range r.ExtCommunities {
			b.WriteByte(' ')
			b.WriteString(extText(e))
		}
		b.WriteString(" ]")
	}
	if r.HasAIGP {
		b.WriteString(" aigp ")
		b.WriteString(strconv.FormatUint(r.AIGP, 10))
	}
	if len(r.LargeCommunities) > 0 {
		b.WriteString(" large-community [")
		for _, l := range r.LargeCommunities {
			b.WriteByte(' ')
			b.WriteString(l.String())
		}
		b.WriteString(" ]")
	}
	if r.PathID != 0 {
		b.WriteString(" path-information ")
		b.WriteString(strconv.FormatUint(uint64(r.PathID), 10))
	}
	if r.Prefix.IsValid() {
		unicast := wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIUnicast}
		if r.Prefix.Addr().Is6() {
			unicast.AFI = wire.AFIIPv6
		}
		if r.Family != unicast {
			b.WriteString(" family ")
			b.WriteString(r.Family.String())
		}
	}
	return b.String()
}

// extText returns e's named form when it parses back to e, else hex.
func extText(e attr.ExtCommunity) string {
	s := e.String()
	if !strings.ContainsAny(s, " \t[]()") {
		if back, err := attr.ParseExtCommunity(s); err == nil && back == e {
			return s
		}
	}
	const digits = "0123456789ABCDEF"
	out := make([]byte, 2, 18)
	out[0], out[1] = '0', 'x'
	for _, c := range e {
		out = append(out, digits[c>>4], digits[c&0xF])
	}
	return string(out)
}
