package route

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Error is a syntax error in a route's text. Pos is the 1-based number of
// the word (brackets and parentheses count as words) where the problem
// was found, 0 when it concerns the whole route.
type Error struct {
	Pos   int
	Token string
	Msg   string // lower case, without the "route: " prefix or position
	Hint  string // a suggestion ("did you mean next-hop?"), or ""
}

// Error returns "route: MSG at POS (HINT)".
func (e *Error) Error() string {
	s := "route: " + e.Msg
	if e.Pos != 0 {
		s += " at " + strconv.Itoa(e.Pos)
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// keywords are the attribute words Parse knows, in the order String
// writes them.
var keywords = []string{
	"next-hop", "origin", "as-path", "med", "local-preference", "atomic-aggregate",
	"aggregator", "community", "originator-id", "cluster-list", "extended-community",
	"aigp", "large-community", "path-information", "family",
}

type token struct {
	s   string
	pos int
}

// tokenize splits s on white space; "[", "]", "(" and ")" are words of
// their own even when written against a value ("[65001").
func tokenize(s string) []token {
	var out []token
	start := -1
	emit := func(end int) {
		if start >= 0 {
			out = append(out, token{s: s[start:end], pos: len(out) + 1})
			start = -1
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			emit(i)
		case '[', ']', '(', ')':
			emit(i)
			out = append(out, token{s: s[i : i+1], pos: len(out) + 1})
		default:
			if start < 0 {
				start = i
			}
		}
	}
	emit(len(s))
	return out
}

type parser struct {
	toks []token
	i    int
	seen map[string]int
}

func (p *parser) errAt(t token, format string, args ...any) error {
	return &Error{Pos: t.pos, Token: t.s, Msg: fmt.Sprintf(format, args...)}
}

// next returns the next word, or an error naming what was expected.
func (p *parser) next(after token, want string) (token, error) {
	if p.i >= len(p.toks) {
		return token{}, p.errAt(after, "%s needs %s", after.s, want)
	}
	t := p.toks[p.i]
	p.i++
	return t, nil
}

// list reads either one value or "[ v1 v2 … ]" after keyword kw.
func (p *parser) list(kw token, want string) ([]token, error) {
	t, err := p.next(kw, want)
	if err != nil {
		return nil, err
	}
	if t.s != "[" {
		if isBracket(t.s) {
			return nil, p.errAt(t, "unexpected %q after %s", t.s, kw.s)
		}
		return []token{t}, nil
	}
	var out []token
	for {
		if p.i >= len(p.toks) {
			return nil, p.errAt(t, "%s list is not closed with ]", kw.s)
		}
		v := p.toks[p.i]
		p.i++
		if v.s == "]" {
			return out, nil
		}
		if isBracket(v.s) {
			return nil, p.errAt(v, "unexpected %q in %s list", v.s, kw.s)
		}
		out = append(out, v)
	}
}

func isBracket(s string) bool { return s == "[" || s == "]" || s == "(" || s == ")" }

// Parse reads one route in ExaBGP API syntax (see the package doc):
// an optional "announce" or "withdraw", the word "route", a prefix (a
// bare address means a host route), then attribute keywords in any
// order, each at most once. Lists take brackets, which may be left out
// around a single value. A withdrawal needs no attributes (any given are
// checked and kept but not encoded); an announcement needs next-hop.
// Errors are *Error naming the word and its position.
func Parse(s string) (Route, error) {
	p := &parser{toks: tokenize(s), seen: map[string]int{}}
	if n := len(p.toks); n > 0 && p.toks[n-1].s == ";" {
		p.toks = p.toks[:n-1]
	}
	var r Route
	if len(p.toks) == 0 {
		return r, &Error{Msg: "empty route"}
	}
	t := p.toks[0]
	switch strings.ToLower(t.s) {
	case "announce":
		p.i++
	case "withdraw":
		r.Withdraw = true
		p.i++
	}
	if p.i >= len(p.toks) {
		return r, p.errAt(t, "%s needs route", t.s)
	}
	t = p.toks[p.i]
	p.i++
	if !strings.EqualFold(t.s, "route") {
		return r, p.errAt(t, "expected \"route\", found %q", t.s)
	}
	pt, err := p.next(t, "a prefix")
	if err != nil {
		return r, err
	}
	if r.Prefix, err = ParsePrefix(pt.s); err != nil {
		return r, p.errAt(pt, "invalid prefix %q", pt.s)
	}
	for p.i < len(p.toks) {
		kw := p.toks[p.i]
		p.i++
		name := strings.ToLower(kw.s)
		if prev, dup := p.seen[name]; dup {
			return r, p.errAt(kw, "%s given twice (first at %d)", name, prev)
		}
		if err := p.attribute(&r, kw, name); err != nil {
			return r, err
		}
		p.seen[name] = kw.pos
	}
	return r, p.finish(&r, pt)
}

// attribute parses the value(s) of keyword kw into r.
func (p *parser) attribute(r *Route, kw token, name string) error {
	switch name {
	case "next-hop":
		t, err := p.next(kw, "an address")
		if err != nil {
			return err
		}
		a, err := netip.ParseAddr(t.s)
		if err != nil || a.Zone() != "" {
			if strings.EqualFold(t.s, "self") {
				return p.errAt(t, "next-hop self needs a session; give an address")
			}
			return p.errAt(t, "invalid next-hop %q", t.s)
		}
		r.NextHop = a
	case "origin":
		t, err := p.next(kw, "igp, egp or incomplete")
		if err != nil {
			return err
		}
		switch strings.ToLower(t.s) {
		case "igp":
			r.Origin = attr.OriginIGP
		case "egp":
			r.Origin = attr.OriginEGP
		case "incomplete":
			r.Origin = attr.OriginIncomplete
		default:
			return p.errAt(t, "invalid origin %q (igp, egp or incomplete)", t.s)
		}
	case "as-path":
		segs, err := p.asPath(kw)
		if err != nil {
			return err
		}
		r.ASPath = segs
	case "med", "local-preference":
		t, err := p.next(kw, "a number")
		if err != nil {
			return err
		}
		n, err := strconv.ParseUint(t.s, 10, 32)
		if err != nil {
			return p.errAt(t, "invalid %s %q (0-4294967295)", name, t.s)
		}
		if name == "med" {
			r.MED, r.HasMED = uint32(n), true
		} else {
			r.LocalPref, r.HasLocalPref = uint32(n), true
		}
	case "aigp":
		t, err := p.next(kw, "a number")
		if err != nil {
			return err
		}
		n, err := strconv.ParseUint(t.s, 10, 64)
		if err != nil {
			return p.errAt(t, "invalid aigp %q", t.s)
		}
		r.AIGP, r.HasAIGP = n, true
	case "atomic-aggregate":
		r.AtomicAggregate = true
	case "aggregator":
		return p.aggregator(r, kw)
	case "community":
		vs, err := p.list(kw, "a community")
		if err != nil {
			return err
		}
		for _, v := range vs {
			c, err := attr.ParseCommunity(v.s)
			if err != nil {
				return p.errAt(v, "invalid community %q", v.s)
			}
			r.Communities = append(r.Communities, c)
		}
	case "large-community":
		vs, err := p.list(kw, "a large community")
		if err != nil {
			return err
		}
		for _, v := range vs {
			c, err := attr.ParseLargeCommunity(v.s)
			if err != nil {
				return p.errAt(v, "invalid large-community %q", v.s)
			}
			r.LargeCommunities = append(r.LargeCommunities, c)
		}
	case "extended-community":
		vs, err := p.list(kw, "an extended community")
		if err != nil {
			return err
		}
		for _, v := range vs {
			c, err := attr.ParseExtCommunity(v.s)
			if err != nil {
				return p.errAt(v, "invalid extended-community %q", v.s)
			}
			r.ExtCommunities = append(r.ExtCommunities, c)
		}
	case "originator-id":
		t, err := p.next(kw, "an IPv4 address")
		if err != nil {
			return err
		}
		a, ok := parseID(t.s)
		if !ok {
			return p.errAt(t, "invalid originator-id %q", t.s)
		}
		r.OriginatorID = a
	case "cluster-list":
		vs, err := p.list(kw, "a cluster ID")
		if err != nil {
			return err
		}
		for _, v := range vs {
			a, ok := parseID(v.s)
			if !ok {
				return p.errAt(v, "invalid cluster-list ID %q", v.s)
			}
			r.ClusterList = append(r.ClusterList, a)
		}
	case "path-information":
		t, err := p.next(kw, "a number")
		if err != nil {
			return err
		}
		a, ok := parseID(t.s)
		if !ok {
			return p.errAt(t, "invalid path-information %q", t.s)
		}
		b := a.As4()
		r.PathID = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	case "family":
		t, err := p.next(kw, "afi/safi")
		if err != nil {
			return err
		}
		s := t.s
		if !strings.Contains(s, "/") && p.i < len(p.toks) {
			s += "/" + p.toks[p.i].s
			p.i++
		}
		f, err := wire.ParseFamily(s)
		if err != nil || !f.IsIP() {
			return p.errAt(t, "unsupported family %q (ipv4 or ipv6, unicast or multicast)", s)
		}
		r.Family = f
	default:
		e := &Error{Pos: kw.pos, Token: kw.s, Msg: fmt.Sprintf("unknown keyword %q", kw.s)}
		if m := suggest(name); m != "" {
			e.Hint = "did you mean " + m + "?"
		}
		return e
	}
	return nil
}
