package route

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// asPath reads "ASN", "( ASN … )" or "[ item … ]" where an item is an ASN
// or a parenthesised AS_SET. Runs of ASNs become one AS_SEQUENCE
// segment, each parenthesised group one AS_SET (RFC 4271 §4.3).
func (p *parser) asPath(kw token) ([]attr.Segment, error) {
	t, err := p.next(kw, "an AS path")
	if err != nil {
		return nil, err
	}
	switch t.s {
	case "[":
	case "(":
		set, err := p.asSet(t)
		if err != nil {
			return nil, err
		}
		return []attr.Segment{set}, nil
	default:
		asn, ok := parseASN(t.s)
		if !ok {
			return nil, p.errAt(t, "invalid ASN %q in as-path", t.s)
		}
		return []attr.Segment{{Type: attr.ASSequence, ASNs: []uint32{asn}}}, nil
	}
	var segs []attr.Segment
	for {
		if p.i >= len(p.toks) {
			return nil, p.errAt(t, "as-path list is not closed with ]")
		}
		v := p.toks[p.i]
		p.i++
		switch v.s {
		case "]":
			return segs, nil
		case "(":
			set, err := p.asSet(v)
			if err != nil {
				return nil, err
			}
			segs = append(segs, set)
		case "[", ")":
			return nil, p.errAt(v, "unexpected %q in as-path", v.s)
		default:
			asn, ok := parseASN(v.s)
			if !ok {
				return nil, p.errAt(v, "invalid ASN %q in as-path", v.s)
			}
			if n := len(segs); n > 0 && segs[n-1].Type == attr.ASSequence {
				segs[n-1].ASNs = append(segs[n-1].ASNs, asn)
			} else {
				segs = append(segs, attr.Segment{Type: attr.ASSequence, ASNs: []uint32{asn}})
			}
		}
	}
}

// asSet reads the ASNs of an AS_SET after its "(".
func (p *parser) asSet(open token) (attr.Segment, error) {
	set := attr.Segment{Type: attr.ASSet}
	for {
		if p.i >= len(p.toks) {
			return set, p.errAt(open, "as-path set is not closed with )")
		}
		v := p.toks[p.i]
		p.i++
		if v.s == ")" {
			if len(set.ASNs) == 0 {
				return set, p.errAt(open, "as-path set is empty")
			}
			return set, nil
		}
		asn, ok := parseASN(v.s)
		if !ok {
			return set, p.errAt(v, "invalid ASN %q in as-path set", v.s)
		}
		set.ASNs = append(set.ASNs, asn)
	}
}

// aggregator reads "ASN:ADDRESS", optionally in parentheses.
func (p *parser) aggregator(r *Route, kw token) error {
	t, err := p.next(kw, "ASN:address")
	if err != nil {
		return err
	}
	paren := t.s == "("
	if paren {
		if t, err = p.next(t, "ASN:address"); err != nil {
			return err
		}
	}
	as, ip, ok := strings.Cut(t.s, ":")
	asn, ok1 := parseASN(as)
	a, err := netip.ParseAddr(ip)
	if !ok || !ok1 || err != nil || !a.Is4() {
		return p.errAt(t, "invalid aggregator %q (ASN:IPv4)", t.s)
	}
	if paren {
		if p.i >= len(p.toks) {
			return p.errAt(t, "aggregator needs )")
		}
		c := p.toks[p.i]
		p.i++
		if c.s != ")" {
			return p.errAt(c, "expected \")\" after aggregator, found %q", c.s)
		}
	}
	r.Aggregator = attr.Aggregator{ASN: asn, Address: a}
	return nil
}

// finish checks the route as a whole once every word is read.
func (p *parser) finish(r *Route, pt token) error {
	afi := wire.AFIIPv4
	if r.Prefix.Addr().Is6() {
		afi = wire.AFIIPv6
	}
	if r.Family == (wire.Family{}) {
		r.Family = wire.Family{AFI: afi, SAFI: wire.SAFIUnicast}
	} else if r.Family.AFI != afi {
		return p.errAt(pt, "prefix %s is not in family %s", r.Prefix, r.Family)
	}
	if !r.Withdraw && !r.NextHop.IsValid() {
		return &Error{Msg: "announcement of " + r.Prefix.String() + " has no next-hop"}
	}
	return nil
}

// ParsePrefix reads a destination as the route syntax writes it:
// "10.0.0.0/24", "2001:db8::/32", or a bare address for a host route.
// Host bits are kept as written.
func ParsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, strconv.ErrSyntax
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.ParsePrefix(s)
}

// parseID reads a 4-octet identifier written as an IPv4 address or a
// decimal number.
func parseID(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, a.Is4()
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}

// parseASN reads a decimal ASN ("65001", "AS65001") or asdot
// ("1.10" = 65546, RFC 5396).
func parseASN(s string) (uint32, bool) {
	if len(s) > 2 && strings.EqualFold(s[:2], "as") {
		s = s[2:]
	}
	if hi, lo, ok := strings.Cut(s, "."); ok {
		h, err1 := strconv.ParseUint(hi, 10, 16)
		l, err2 := strconv.ParseUint(lo, 10, 16)
		if err1 != nil || err2 != nil {
			return 0, false
		}
		return uint32(h)<<16 | uint32(l), true
	}
	n, err := strconv.ParseUint(s, 10, 32)
	return uint32(n), err == nil
}

// suggest returns the keyword closest to an unknown word, or "": one
// within two edits, or one that the word abbreviates once hyphens are
// ignored ("localpref" → local-preference).
func suggest(w string) string {
	best, bestD := "", 3
	flat := strings.ReplaceAll(w, "-", "")
	for _, k := range keywords {
		if d := distance(w, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return best
	}
	if len(flat) >= 3 {
		for _, k := range keywords {
			if strings.HasPrefix(strings.ReplaceAll(k, "-", ""), flat) {
				return k
			}
		}
	}
	return ""
}

// distance is the Levenshtein edit distance between a and b (short words).
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
