package filter

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ze-bgp/ze/speaker/attr"
)

// Kind is what a route line is: an announcement or a withdrawal from an
// update, a RIB entry, or a session state change. Kinds combine as bits.
type Kind uint8

// Kinds.
const (
	Announce Kind = 1 << iota // A lines: a route announced in an UPDATE
	Withdraw                  // W lines: a route withdrawn in an UPDATE
	RIB                       // B lines: a route of a RIB dump
	State                     // STATE lines: a session state change
)

var kindNames = []struct {
	k Kind
	s string
}{{Announce, "announce"}, {Withdraw, "withdraw"}, {RIB, "rib"}, {State, "state"}}

// String returns "announce", "withdraw", "rib", "state", or a
// comma-separated list for several.
func (k Kind) String() string {
	var out []string
	for _, n := range kindNames {
		if k&n.k != 0 {
			out = append(out, n.s)
		}
	}
	return strings.Join(out, ",")
}

// ParseKind reads "announce", "withdraw", "rib" or "state" (also "a",
// "w", "b" as bgpdump marks them), or a comma-separated list of them.
func ParseKind(s string) (Kind, error) {
	var k Kind
	for _, p := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(p)) {
		case "announce", "announcement", "a":
			k |= Announce
		case "withdraw", "withdrawal", "w":
			k |= Withdraw
		case "rib", "b":
			k |= RIB
		case "state", "state-change":
			k |= State
		default:
			return 0, fmt.Errorf("filter: unknown type %q (want announce, withdraw, rib or state)", p)
		}
	}
	return k, nil
}

// Route is what the filter looks at for one output line. Views may alias
// a record; the filter keeps nothing.
type Route struct {
	Kind    Kind
	Time    int64 // seconds since 1970
	PeerIP  netip.Addr
	PeerASN uint32
	// Prefix is the route's prefix (invalid for State).
	Prefix netip.Prefix
	// ASPath is the AS path as text: ASNs separated by spaces, AS_SET
	// members in {a,b} (bgpdump's form).
	ASPath []byte
	// Communities and LargeCommunities are the raw COMMUNITIES and
	// LARGE_COMMUNITY attribute values (nil when absent).
	Communities      []byte
	LargeCommunities []byte
}

// Filter selects routes, like bgpkit-parser's filters: every condition
// set must hold. The zero Filter selects everything.
//
// Prefix, origin, AS path and community conditions need a route: a
// state change never satisfies them. The time window is inclusive.
type Filter struct {
	Kinds Kind // 0: every kind

	Prefix       netip.Prefix // exact match (host bits ignored) …
	IncludeSuper bool         // … or a less specific prefix covering it
	IncludeSub   bool         // … or a more specific prefix inside it

	OriginASN    uint32 // the last ASN of the path (any member of a final AS_SET)
	HasOriginASN bool

	PeerIP     netip.Addr
	PeerASN    uint32
	HasPeerASN bool

	ASPath *regexp.Regexp // matched against Route.ASPath

	Community         attr.Community
	HasCommunity      bool
	LargeCommunity    attr.LargeCommunity
	HasLargeCommunity bool

	Start, End       int64 // seconds since 1970, inclusive
	HasStart, HasEnd bool
}

// Active reports whether any condition is set.
func (f *Filter) Active() bool {
	return f.Kinds != 0 || f.Prefix.IsValid() || f.HasOriginASN || f.PeerIP.IsValid() || f.HasPeerASN ||
		f.ASPath != nil || f.HasCommunity || f.HasLargeCommunity || f.HasStart || f.HasEnd
}

// needsRoute reports whether a condition needs a prefix or attributes.
func (f *Filter) needsRoute() bool {
	return f.Prefix.IsValid() || f.HasOriginASN || f.ASPath != nil || f.HasCommunity || f.HasLargeCommunity
}

// MatchEvent checks the conditions every route of one record shares (its
// kind, time and peer), so that a record can be skipped before its
// routes are built. Match checks them again.
func (f *Filter) MatchEvent(k Kind, t int64, peer netip.Addr, asn uint32) bool {
	if f.Kinds != 0 && f.Kinds&k == 0 {
		return false
	}
	if k == State && f.needsRoute() {
		return false
	}
	if (f.HasStart && t < f.Start) || (f.HasEnd && t > f.End) {
		return false
	}
	if f.PeerIP.IsValid() && peer.Unmap() != f.PeerIP.Unmap() {
		return false
	}
	if f.HasPeerASN && asn != f.PeerASN {
		return false
	}
	return true
}

// Match reports whether r satisfies every condition.
func (f *Filter) Match(r *Route) bool {
	if !f.MatchEvent(r.Kind, r.Time, r.PeerIP, r.PeerASN) {
		return false
	}
	if f.Prefix.IsValid() && !f.matchPrefix(r.Prefix) {
		return false
	}
	if f.HasOriginASN && !originIs(r.ASPath, f.OriginASN) {
		return false
	}
	if f.ASPath != nil && !f.ASPath.Match(r.ASPath) {
		return false
	}
	if f.HasCommunity && !hasCommunity(r.Communities, uint32(f.Community)) {
		return false
	}
	if f.HasLargeCommunity && !hasLargeCommunity(r.LargeCommunities, f.LargeCommunity) {
		return false
	}
	return true
}

func (f *Filter) matchPrefix(p netip.Prefix) bool {
	if !p.IsValid() {
		return false
	}
	p, want := p.Masked(), f.Prefix.Masked()
	if p.Addr().Is4() != want.Addr().Is4() {
		return false
	}
	if p == want {
		return true
	}
	if f.IncludeSuper && p.Bits() < want.Bits() && p.Contains(want.Addr()) {
		return true
	}
	return f.IncludeSub && p.Bits() > want.Bits() && want.Contains(p.Addr())
}

// originIs reports whether the AS path text ends with asn, or ends with
// an AS_SET ({a,b}) that holds it.
func originIs(path []byte, asn uint32) bool {
	i := len(path)
	for i > 0 && (path[i-1] == ' ' || path[i-1] == ')' || path[i-1] == ']') {
		i--
	}
	set := i > 0 && path[i-1] == '}'
	if set {
		i--
	}
	for i > 0 {
		j := i
		for j > 0 && path[j-1] >= '0' && path[j-1] <= '9' {
			j--
		}
		if j == i {
			return false
		}
		if v, err := strconv.ParseUint(string(path[j:i]), 10, 32); err == nil && uint32(v) == asn {
			return true
		}
		if !set || j == 0 || path[j-1] != ',' {
			return false
		}
		i = j - 1
	}
	return false
}

func hasCommunity(v []byte, c uint32) bool {
	for i := 0; i+4 <= len(v); i += 4 {
		if binary.BigEndian.Uint32(v[i:]) == c {
			return true
		}
	}
	return false
}

func hasLargeCommunity(v []byte, l attr.LargeCommunity) bool {
	for i := 0; i+12 <= len(v); i += 12 {
		if binary.BigEndian.Uint32(v[i:]) == l.Global && binary.BigEndian.Uint32(v[i+4:]) == l.Local1 &&
			binary.BigEndian.Uint32(v[i+8:]) == l.Local2 {
			return true
		}
	}
	return false
}

// SetCommunity sets the community condition from text: "65000:1" or a
// well-known name ("no-export") for COMMUNITIES, "1:2:3" for
// LARGE_COMMUNITY.
func (f *Filter) SetCommunity(s string) error {
	if strings.Count(s, ":") == 2 {
		l, err := attr.ParseLargeCommunity(s)
		if err != nil {
			return err
		}
		f.LargeCommunity, f.HasLargeCommunity = l, true
		return nil
	}
	c, err := attr.ParseCommunity(s)
	if err != nil {
		return err
	}
	f.Community, f.HasCommunity = c, true
	return nil
}

// ParseTime reads a time as Unix seconds ("1445565678") or RFC 3339
// ("2015-10-23T02:01:18Z").
func ParseTime(s string) (int64, error) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, errors.New("filter: time must be Unix seconds or RFC 3339 (2006-01-02T15:04:05Z)")
	}
	return t.Unix(), nil
}

// ParsePrefix reads a prefix ("10.0.0.0/8", "2001:db8::/32") or an
// address, taken as a host prefix.
func ParsePrefix(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("filter: %q is not a prefix", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
