package config

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ze-bgp/ze/speaker/config/syntax"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// value checks the values of statement n against k and returns the
// parsed value: bool (KindFlag), uint64 (KindUint, KindSeconds, KindASN),
// netip.Addr (KindIP, KindIPv4), string (KindString, KindEnum), []string
// (KindCommand, KindList), wire.Family, route.Route, or the block's name
// (KindBlock; the caller reads the children). Problems go to c.errs and
// ok is false.
func (c *checker) value(k *Key, n *syntax.Node) (v any, ok bool) {
	name := n.Key.Text
	if k.Kind == KindBlock {
		if !n.Block {
			if k.Named {
				return c.fail(n.Key.Pos, "%s is a block: %s NAME { … }", name, name)
			}
			return c.fail(n.Key.Pos, "%s is a block: %s { … }", name, name)
		}
		if !k.Named {
			if len(n.Args) > 0 {
				return c.fail(n.Args[0].Pos, "%s takes no name: %s { … }", name, name)
			}
			return "", true
		}
		if len(n.Args) != 1 || n.Args[0].IsList || n.Args[0].Text == "" {
			return c.fail(n.Key.Pos, "%s needs one name: %s NAME { … }", name, name)
		}
		return n.Args[0].Text, true
	}
	if n.Block && (k.Kind != KindFamily || k.Block == nil) {
		return c.fail(n.Key.Pos, "%s takes a value, not a block", name)
	}
	switch k.Kind {
	case KindFlag:
		if len(n.Args) == 0 {
			return true, true
		}
		a, ok := c.one(k, n)
		if !ok {
			return nil, false
		}
		switch strings.ToLower(a.Text) {
		case "true", "enable":
			return true, true
		case "false", "disable":
			return false, true
		}
		return c.fail(a.Pos, "invalid %s %q (want nothing, true or false)", name, a.Text)
	case KindFamily:
		return c.family(n)
	case KindRoute:
		return c.route(n)
	case KindCommand:
		if len(n.Args) == 0 {
			return c.fail(n.End, "%s needs a command line", name)
		}
		var argv []string
		for _, a := range n.Args {
			if a.IsList {
				return c.fail(a.Pos, "%s takes words or strings, not a list", name)
			}
			argv = append(argv, a.Text)
		}
		return argv, true
	case KindFileEvery:
		return c.fileEvery(n)
	case KindMaxPrefix:
		return c.maxPrefix(n)
	case KindList:
		if len(n.Args) == 0 {
			return c.fail(n.End, "%s needs [ names ]", name)
		}
		if len(n.Args) > 1 {
			return c.fail(n.Args[1].Pos, "%s takes one list: %s [ a b ]", name, name)
		}
		a := n.Args[0]
		if !a.IsList {
			return []string{a.Text}, true
		}
		names := []string{}
		for _, e := range a.List {
			if e.IsList {
				return c.fail(e.Pos, "%s takes names, not lists", name)
			}
			names = append(names, e.Text)
		}
		return names, true
	}
	a, ok := c.one(k, n)
	if !ok {
		return nil, false
	}
	v, err := parseScalar(k, a.Text)
	if err != nil {
		return c.fail(a.Pos, "%s", err)
	}
	return v, true
}

func (c *checker) fail(p syntax.Pos, format string, args ...any) (any, bool) {
	c.errs.Add(p, format, args...)
	return nil, false
}

// one returns the single non-list value of n.
func (c *checker) one(k *Key, n *syntax.Node) (syntax.Value, bool) {
	name := n.Key.Text
	switch {
	case len(n.Args) == 0:
		c.errs.Add(n.End, "%s needs a value (%s)", name, want(k))
		return syntax.Value{}, false
	case len(n.Args) > 1:
		extra := n.Args[1]
		if extra.Pos.Line > n.Key.Pos.Line {
			c.errs.Add(extra.Pos, "%s takes one value (missing ; at the end of line %d?)", name, n.Key.Pos.Line)
		} else {
			c.errs.Add(extra.Pos, "%s takes one value, found another: %s", name, extra)
		}
		return syntax.Value{}, false
	case n.Args[0].IsList:
		c.errs.Add(n.Args[0].Pos, "%s takes one value, not a list", name)
		return syntax.Value{}, false
	}
	return n.Args[0], true
}

// want describes the values k accepts: "seconds, 0 or 3..65535".
func want(k *Key) string {
	switch k.Kind {
	case KindUint, KindSeconds:
		r := fmt.Sprintf("%d..%d", k.Min, k.Max)
		if k.ZeroOK {
			r = "0 or " + r
		}
		return k.Kind.String() + ", " + r
	case KindASN:
		return "AS number, 1..4294967295 or asdot"
	case KindEnum:
		return "one of " + strings.Join(k.Enum, ", ")
	}
	return k.Kind.String()
}

// parseScalar parses one word for the single-value kinds.
func parseScalar(k *Key, s string) (any, error) {
	switch k.Kind {
	case KindUint, KindSeconds:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid %s %q (want %s)", k.Name, s, want(k))
		}
		if (n < k.Min || n > k.Max) && !(n == 0 && k.ZeroOK) {
			return nil, fmt.Errorf("%s %d is out of range (want %s)", k.Name, n, want(k))
		}
		return n, nil
	case KindASN:
		return parseASN(k.Name, s)
	case KindIP, KindIPv4:
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("invalid %s %q (want an %s)", k.Name, s, k.Kind)
		}
		if k.Kind == KindIPv4 && !a.Is4() {
			return nil, fmt.Errorf("invalid %s %q (want an IPv4 address)", k.Name, s)
		}
		return a, nil
	case KindString:
		return s, nil
	case KindEnum:
		for _, e := range k.Enum {
			if strings.EqualFold(e, s) {
				return e, nil
			}
		}
		msg := fmt.Sprintf("invalid %s %q (want %s", k.Name, s, strings.Join(k.Enum, ", "))
		if sug := suggest(strings.ToLower(s), k.Enum); sug != "" {
			msg += "; did you mean " + sug + "?"
		}
		return nil, errors.New(msg + ")")
	}
	return nil, fmt.Errorf("%s: kind %s has no single value", k.Name, k.Kind)
}

// parseASN reads "65001" or asdot "1.10" (RFC 5396); 0 and AS_TRANS are
// refused.
func parseASN(key, s string) (uint64, error) {
	var n uint64
	hi, lo, dot := strings.Cut(s, ".")
	h, err := strconv.ParseUint(hi, 10, 32)
	if err == nil && dot {
		var l uint64
		l, err = strconv.ParseUint(lo, 10, 16)
		if err == nil && h > 65535 {
			err = errors.New("range")
		}
		h = h<<16 | l
	}
	n = h
	if err != nil {
		return 0, fmt.Errorf("invalid %s %q (want an AS number, 1..4294967295 or asdot like 1.10)", key, s)
	}
	if n == 0 {
		return 0, fmt.Errorf("%s 0 is reserved (RFC 7607)", key)
	}
	if n == 23456 {
		return 0, fmt.Errorf("%s 23456 is AS_TRANS (RFC 6793), not an AS", key)
	}
	return n, nil
}

// family reads a family statement: `ipv4 unicast;` (or `ipv4/unicast;`).
func (c *checker) family(n *syntax.Node) (any, bool) {
	words := []string{n.Key.Text}
	for _, a := range n.Args {
		if a.IsList {
			return c.fail(a.Pos, "a family is AFI SAFI, not a list")
		}
		words = append(words, a.Text)
	}
	s := strings.Join(words, " ")
	if len(words) > 2 {
		return c.fail(n.Args[1].Pos, "a family is two words, AFI SAFI: found %q", s)
	}
	f, err := wire.ParseFamily(s)
	if err == nil && knownFamily(f) {
		return f, true
	}
	msg := fmt.Sprintf("unknown family %q", s)
	if sug := suggest(strings.ToLower(strings.ReplaceAll(s, "/", " ")), familyList()); sug != "" {
		msg += " (did you mean " + sug + "?)"
	}
	return c.fail(n.Key.Pos, "%s", msg)
}

// route reads a static route: the statement's words are given to
// route.Parse, and its error position (a word number) is turned back
// into the line and column of that word.
func (c *checker) route(n *syntax.Node) (any, bool) {
	type span struct {
		off int
		pos syntax.Pos
	}
	var b strings.Builder
	var spans []span
	add := func(s string, p syntax.Pos) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		spans = append(spans, span{b.Len(), p})
		b.WriteString(s)
	}
	var flat func(v syntax.Value)
	flat = func(v syntax.Value) {
		if !v.IsList {
			add(v.Text, v.Pos)
			return
		}
		add("[", v.Pos)
		for _, e := range v.List {
			flat(e)
		}
		add("]", v.End)
	}
	add(n.Key.Text, n.Key.Pos)
	for _, a := range n.Args {
		flat(a)
	}
	text := b.String()
	r, err := route.Parse(text)
	if err == nil {
		if r.Withdraw {
			return c.fail(n.Key.Pos, "a static route cannot be a withdrawal")
		}
		return r, true
	}
	var re *route.Error
	if !errors.As(err, &re) {
		return c.fail(n.Key.Pos, "%s", err)
	}
	msg := "route: " + re.Msg
	if re.Hint != "" {
		msg += " (" + re.Hint + ")"
	}
	p := n.Key.Pos
	if off, ok := wordOffset(text, re.Pos); ok {
		for _, s := range spans {
			if s.off <= off {
				p = s.pos
				p.Col += off - s.off
				p.Offset += off - s.off
			}
		}
	}
	return c.fail(p, "%s", msg)
}

// wordOffset returns the byte offset in s of the n-th word (from 1) as
// route.Parse counts them: blank-separated, with [ ] ( ) words of their own.
func wordOffset(s string, n int) (int, bool) {
	count, inWord := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			inWord = false
			continue
		case '[', ']', '(', ')':
			inWord = false
		default:
			if inWord {
				continue
			}
			inWord = true
		}
		count++
		if count == n {
			return i, true
		}
	}
	return 0, false
}

// knownFamilies lists the families ze can negotiate, as written in a
// family block.
var knownFamilies = func() []wire.Family {
	var out []wire.Family
	for _, a := range []wire.AFI{wire.AFIIPv4, wire.AFIIPv6, wire.AFIL2VPN, wire.AFIBGPLS} {
		for _, s := range []wire.SAFI{wire.SAFIUnicast, wire.SAFIMulticast, wire.SAFILabeled, wire.SAFIMVPN,
			wire.SAFIVPLS, wire.SAFIEVPN, wire.SAFIBGPLS, wire.SAFIBGPLSVPN, wire.SAFISRPolicy, wire.SAFIMUP,
			wire.SAFIVPN, wire.SAFIRTC, wire.SAFIFlow, wire.SAFIFlowVPN} {
			f := wire.Family{AFI: a, SAFI: s}
			if f.Known() {
				out = append(out, f)
			}
		}
	}
	return out
}()

func knownFamily(f wire.Family) bool {
	for _, k := range knownFamilies {
		if k == f {
			return true
		}
	}
	return false
}

// familyList returns the known families as written: "ipv4 unicast".
func familyList() []string {
	var s []string
	for _, f := range knownFamilies {
		s = append(s, f.AFI.String()+" "+f.SAFI.String())
	}
	return s
}

func familyNames() string { return "`" + strings.Join(familyList(), "`, `") + "`" }
