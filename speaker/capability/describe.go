package capability

import (
	"fmt"
	"strconv"
	"strings"
)

// Describe returns a one-line human-readable form of capability c with
// value v, for decoders and logs:
//
//	multiprotocol ipv4/unicast
//	asn4 4200000001
//	add-path ipv4/unicast send/receive, ipv6/unicast receive
//	extended-next-hop ipv4/unicast nh ipv6
//	graceful-restart time 120, restarting, notification, ipv4/unicast forwarding
//	llgr ipv4/unicast stale-time 3600
//	role customer
//	fqdn host "frr-1" domain "example.net"
//	software-version "ExaBGP/5.0.0"
//	capability-200 0A0B
//
// A known capability whose value does not decode is shown as its name,
// "malformed" and the value in upper-case hex; codes without a decoder
// (unknown codes, dynamic capability) as name and hex value.
func Describe(c Code, v []byte) string {
	var b strings.Builder
	b.WriteString(c.String())
	if !describeValue(&b, c, v) {
		b.Reset()
		b.WriteString(c.String())
		if c.Known() && c != CodeDynamic && c != CodeDynamicOld {
			b.WriteString(" malformed")
		}
		if len(v) > 0 {
			fmt.Fprintf(&b, " %X", v)
		}
	}
	return b.String()
}

// describeValue writes " …" for the value of a known capability and
// reports whether it could.
func describeValue(b *strings.Builder, c Code, v []byte) bool {
	sep := func(i int) {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(" ")
	}
	switch c {
	case CodeMultiprotocol:
		f, err := ParseMultiprotocol(v)
		if err != nil {
			return false
		}
		b.WriteString(" " + f.String())
	case CodeRouteRefresh, CodeRouteRefreshCisco, CodeEnhancedRouteRefresh, CodeExtendedMessage, CodeLinkLocalNextHop:
		return ParseEmpty(c, v) == nil
	case CodeASN4:
		asn, err := ParseASN4(v)
		if err != nil {
			return false
		}
		b.WriteString(" " + strconv.FormatUint(uint64(asn), 10))
	case CodeRole:
		r, err := ParseRole(v)
		if err != nil {
			return false
		}
		b.WriteString(" " + r.String())
	case CodeAddPath:
		a, err := ParseAddPath(v)
		if err != nil {
			return false
		}
		for i := range a.Len() {
			e := a.At(i)
			sep(i)
			b.WriteString(e.Family.String() + " " + e.Mode.String())
		}
	case CodeExtendedNextHop:
		x, err := ParseExtendedNextHop(v)
		if err != nil {
			return false
		}
		for i := range x.Len() {
			e := x.At(i)
			sep(i)
			b.WriteString(e.Family.String() + " nh " + e.NextHopAFI.String())
		}
	case CodeGracefulRestart:
		g, err := ParseGracefulRestart(v)
		if err != nil {
			return false
		}
		b.WriteString(" time " + strconv.Itoa(int(g.Time())))
		if g.Flags()&RestartState != 0 {
			b.WriteString(", restarting")
		}
		if g.Flags()&RestartNotification != 0 {
			b.WriteString(", notification")
		}
		for e := range g.All() {
			b.WriteString(", " + e.Family.String())
			if e.Forwarding() {
				b.WriteString(" forwarding")
			}
		}
	case CodeLLGR:
		l, err := ParseLLGR(v)
		if err != nil {
			return false
		}
		for i := range l.Len() {
			e := l.At(i)
			sep(i)
			b.WriteString(e.Family.String() + " stale-time " + strconv.FormatUint(uint64(e.StaleTime), 10))
			if e.Forwarding() {
				b.WriteString(" forwarding")
			}
		}
	case CodeFQDN:
		h, d, err := ParseFQDN(v)
		if err != nil {
			return false
		}
		fmt.Fprintf(b, " host %q domain %q", h, d)
	case CodeSoftwareVersion:
		s, err := ParseSoftwareVersion(v)
		if err != nil {
			return false
		}
		fmt.Fprintf(b, " %q", s)
	default:
		return false
	}
	return true
}
