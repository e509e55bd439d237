package api

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

func errorf(format string, args ...any) error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// MaxLine is the longest command line Parse and Process accept, in
// octets (an "announce attributes … nlri …" line may hold thousands of
// prefixes).
const MaxLine = 1 << 20

// tokenize splits s on white space; "[", "]", "(" and ")" are words of
// their own, as in package route.
func tokenize(s string) []string {
	var out []string
	start := -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		case '[', ']', '(', ')':
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			out = append(out, s[i:i+1])
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// Parse reads one command line in ExaBGP's API syntax (docs/api.md):
//
//	[neighbor IP [local-ip IP] [local-as ASN] [peer-as ASN] [router-id ID] [family-allowed F] [, neighbor …]] COMMAND
//
// where COMMAND is one of
//
//	announce|withdraw route PREFIX ATTRIBUTES   (package route's syntax, plus next-hop self, watchdog NAME, withdraw)
//	announce|withdraw attributes ATTRIBUTES nlri PREFIX…
//	announce|withdraw ipv4|ipv6 unicast|multicast PREFIX ATTRIBUTES
//	announce eor [AFI SAFI]      announce route-refresh AFI SAFI
//	announce|withdraw watchdog NAME
//	show neighbor [summary|extensive|configuration] [IP]
//	show adj-rib in|out [extensive] [AFI SAFI]
//	flush adj-rib out            clear adj-rib in|out
//	teardown [SUBCODE [REASON…]]
//	shutdown | reload | restart | version | help
//	enable-ack | disable-ack | silence-ack
//	# COMMENT
//
// Keywords are case-insensitive. Errors are *Error with a message meant
// for the process's operator (route syntax errors keep package route's
// wording, the word position counted from "route").
func Parse(line string) (Command, error) {
	var c Command
	if len(line) > MaxLine {
		return c, errorf("command longer than %d octets", MaxLine)
	}
	line = strings.TrimSpace(line)
	if line == "" {
		return c, errorf("empty command")
	}
	if line[0] == '#' {
		c.Kind, c.Text = KindComment, strings.TrimSpace(line[1:])
		return c, nil
	}
	w := tokenize(line)
	i := 0
	if strings.EqualFold(w[0], "neighbor") {
		var err error
		if c.Neighbors, i, err = selectors(w); err != nil {
			return Command{}, err
		}
		if i == len(w) {
			return Command{}, errorf("no command after the neighbor selection")
		}
	}
	if err := c.command(w[i:]); err != nil {
		return Command{}, err
	}
	return c, nil
}

// selectorKeys are the words ExaBGP accepts after "neighbor IP".
var selectorKeys = map[string]bool{"local-ip": true, "local-as": true, "peer-as": true, "router-id": true, "family-allowed": true}

// selectors reads "neighbor IP [KEY VALUE]… [, neighbor …]" at the start
// of w and returns the selectors and the index of the command's first
// word. A comma may stand alone or end a value.
func selectors(w []string) ([]Selector, int, error) {
	var out []Selector
	i := 0
	for {
		if i >= len(w) || !strings.EqualFold(w[i], "neighbor") {
			return nil, 0, errorf("expected \"neighbor\" after \",\"")
		}
		if i+1 >= len(w) {
			return nil, 0, errorf("neighbor needs an address")
		}
		v, comma := strings.CutSuffix(w[i+1], ",")
		var s Selector
		if v == "*" {
			s.Any = true
		} else if a, err := netip.ParseAddr(v); err == nil && a.Zone() == "" {
			s.Peer = a
		} else {
			return nil, 0, errorf("invalid neighbor address %q", v)
		}
		i += 2
		for !comma && i < len(w) {
			k := strings.ToLower(w[i])
			if k == "," {
				comma = true
				i++
				break
			}
			if !selectorKeys[k] {
				break
			}
			if i+1 >= len(w) {
				return nil, 0, errorf("%s needs a value", k)
			}
			v, comma = strings.CutSuffix(w[i+1], ",")
			if err := s.set(k, v); err != nil {
				return nil, 0, err
			}
			i += 2
		}
		out = append(out, s)
		if !comma {
			return out, i, nil
		}
	}
}

// set stores one selector key.
func (s *Selector) set(k, v string) error {
	switch k {
	case "local-ip", "router-id":
		a, err := netip.ParseAddr(v)
		if err != nil || a.Zone() != "" || (k == "router-id" && !a.Is4()) {
			return errorf("invalid %s %q", k, v)
		}
		if k == "local-ip" {
			s.LocalIP = a
		} else {
			s.RouterID = a
		}
	case "local-as", "peer-as":
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n == 0 {
			return errorf("invalid %s %q (1-4294967295)", k, v)
		}
		if k == "local-as" {
			s.LocalAS = uint32(n)
		} else {
			s.PeerAS = uint32(n)
		}
	default:
		s.FamilyAllowed = v
	}
	return nil
}

// command reads the command words (after any selectors) into c.
func (c *Command) command(w []string) error {
	verb := strings.ToLower(w[0])
	args := w[1:]
	word := func(i int) string {
		if i < len(args) {
			return strings.ToLower(args[i])
		}
		return ""
	}
	global := func(k Kind) error {
		if len(c.Neighbors) != 0 {
			return errorf("%s does not take a neighbor selection", verb)
		}
		if len(args) != 0 {
			return errorf("%s takes no argument, found %q", verb, args[0])
		}
		c.Kind = k
		return nil
	}
	switch verb {
	case "announce", "withdraw":
		withdraw := verb == "withdraw"
		switch sub := word(0); sub {
		case "route":
			return c.routes(args, withdraw, nil)
		case "attribute", "attributes":
			return c.attributes(args[1:], withdraw)
		case "ipv4", "ipv6":
			// "announce ipv4 unicast PREFIX …" is "announce route PREFIX … family ipv4/unicast".
			if len(args) < 3 {
				return errorf("%s %s needs a SAFI and a prefix", verb, sub)
			}
			f, err := wire.ParseFamily(args[0] + "/" + args[1])
			if err != nil || !f.IsIP() {
				return errorf("unsupported family %s %s (unicast or multicast)", args[0], args[1])
			}
			rw := append([]string{"route"}, args[2:]...)
			return c.routes(append(rw, "family", f.String()), withdraw, nil)
		case "watchdog":
			if len(args) != 2 {
				return errorf("%s watchdog needs one name", verb)
			}
			c.Kind, c.Watchdog = KindWatchdogUp, args[1]
			if withdraw {
				c.Kind = KindWatchdogDown
			}
			return nil
		case "eor", "route-refresh":
			if withdraw {
				return errorf("withdraw %s is not a command (announce %s)", sub, sub)
			}
			c.Kind = KindEOR
			if sub == "route-refresh" {
				c.Kind = KindRouteRefresh
			}
			f, err := family(args[1:], sub == "eor")
			if err != nil {
				return err
			}
			c.Family = f
			return nil
		case "":
			return errorf("%s needs what to %s (route, attributes, eor, route-refresh, watchdog)", verb, verb)
		case "flow", "vpls", "operational", "l2vpn", "ipv4-flow", "ipv6-flow":
			return errorf("%s %s is not supported", verb, sub)
		default:
			return errorf("unknown %s %q (route, attributes, eor, route-refresh, watchdog)", verb, args[0])
		}
	case "show":
		switch word(0) {
		case "neighbor", "neighbors":
			c.Kind = KindShowNeighbor
			for _, a := range args[1:] {
				switch l := strings.ToLower(a); l {
				case "summary", "extensive", "configuration":
					if c.Detail != "" {
						return errorf("show neighbor takes one of summary, extensive, configuration")
					}
					c.Detail = l
				default:
					ip, err := netip.ParseAddr(a)
					if err != nil || c.Peer.IsValid() {
						return errorf("unexpected %q in show neighbor", a)
					}
					c.Peer = ip
				}
			}
			return nil
		case "adj-rib":
			c.Kind = KindShowAdjRIB
			if d := word(1); d != "in" && d != "out" {
				return errorf("show adj-rib needs in or out")
			}
			c.Direction = word(1)
			rest := args[2:]
			if len(rest) > 0 && strings.EqualFold(rest[0], "extensive") {
				c.Detail, rest = "extensive", rest[1:]
			}
			if len(rest) > 0 {
				f, err := family(rest, false)
				if err != nil {
					return err
				}
				c.Family = f
			}
			return nil
		}
		return errorf("show needs neighbor or adj-rib")
	case "flush":
		if word(0) != "adj-rib" || word(1) != "out" || len(args) != 2 {
			return errorf("expected flush adj-rib out")
		}
		c.Kind = KindFlushAdjRIBOut
		return nil
	case "clear":
		if word(0) != "adj-rib" || (word(1) != "in" && word(1) != "out") || len(args) != 2 {
			return errorf("expected clear adj-rib in|out")
		}
		c.Kind, c.Direction = KindClearAdjRIB, word(1)
		return nil
	case "teardown":
		c.Kind, c.Subcode = KindTeardown, 2
		if len(args) > 0 {
			n, err := strconv.ParseUint(args[0], 10, 8)
			if err != nil {
				return errorf("invalid teardown subcode %q (0-255)", args[0])
			}
			c.Subcode = uint8(n)
			c.Reason = strings.Join(args[1:], " ")
		}
		return nil
	case "shutdown":
		return global(KindShutdown)
	case "reload":
		return global(KindReload)
	case "restart":
		return global(KindRestart)
	case "version":
		return global(KindVersion)
	case "help":
		return global(KindHelp)
	case "enable-ack":
		return global(KindEnableAck)
	case "disable-ack":
		return global(KindDisableAck)
	case "silence-ack":
		return global(KindSilenceAck)
	}
	return errorf("unknown command %q", w[0])
}

// family reads "AFI SAFI" or "AFI/SAFI" (ExaBGP's names). With none
// given it returns ipv4/unicast if dflt, else an error.
func family(w []string, dflt bool) (wire.Family, error) {
	switch len(w) {
	case 0:
		if dflt {
			return wire.IPv4Unicast, nil
		}
		return wire.Family{}, errorf("missing AFI SAFI")
	case 1, 2:
		f, err := wire.ParseFamily(strings.Join(w, " "))
		if err == nil && f.Known() {
			return f, nil
		}
	}
	return wire.Family{}, errorf("invalid family %q", strings.Join(w, " "))
}

// routes parses "route PREFIX ATTRIBUTES" (w[0] is "route"). When more
// is not nil, the parsed route is repeated for each of those prefixes
// (announce attributes … nlri …).
func (c *Command) routes(w []string, withdraw bool, more []string) error {
	c.Kind = KindAnnounce
	if withdraw {
		c.Kind = KindWithdraw
	}
	text := make([]string, 0, len(w)+1)
	if withdraw {
		text = append(text, "withdraw")
	}
	explicit := false
	for i := 0; i < len(w); i++ {
		k := strings.ToLower(w[i])
		switch {
		case i < 2:
		case k == "next-hop" && i+1 < len(w) && strings.EqualFold(w[i+1], "self"):
			// Any valid address lets route.Parse check the rest; Resolve
			// puts the session's address in its place.
			c.NextHopSelf = true
			text = append(text, w[i], "0.0.0.0")
			i++
			continue
		case k == "watchdog":
			if i+1 >= len(w) || c.Watchdog != "" {
				return errorf("watchdog needs one name")
			}
			c.Watchdog = w[i+1]
			i++
			continue
		case k == "withdraw":
			c.WatchdogWithdrawn = true
			continue
		case k == "family":
			explicit = true
		}
		text = append(text, w[i])
	}
	r, err := route.Parse(strings.Join(text, " "))
	if err != nil {
		var re *route.Error
		if errors.As(err, &re) {
			e := &Error{Msg: re.Msg}
			if re.Hint != "" {
				e.Msg += " (" + re.Hint + ")"
			}
			return e
		}
		return errorf("%v", err)
	}
	if c.NextHopSelf {
		r.NextHop = netip.Addr{}
	}
	c.Routes = make([]route.Route, 0, 1+len(more))
	c.Routes = append(c.Routes, r)
	for _, s := range more {
		p, err := route.ParsePrefix(s)
		if err != nil {
			return errorf("invalid prefix %q in nlri", s)
		}
		afi := wire.AFIIPv4
		if p.Addr().Is6() {
			afi = wire.AFIIPv6
		}
		n := r
		n.Prefix = p
		if !explicit {
			n.Family = wire.Family{AFI: afi, SAFI: wire.SAFIUnicast}
		} else if r.Family.AFI != afi {
			return errorf("prefix %s is not in family %s", p, r.Family)
		}
		c.Routes = append(c.Routes, n)
	}
	return nil
}

// attributes parses "ATTRIBUTES nlri PREFIX…" (the words after
// "announce attributes").
func (c *Command) attributes(w []string, withdraw bool) error {
	k := -1
	for i, s := range w {
		if strings.EqualFold(s, "nlri") {
			k = i
			break
		}
	}
	if k < 0 || k == len(w)-1 {
		return errorf("attributes needs nlri and at least one prefix")
	}
	rw := make([]string, 0, k+2)
	rw = append(rw, "route", w[k+1])
	rw = append(rw, w[:k]...)
	return c.routes(rw, withdraw, w[k+2:])
}
