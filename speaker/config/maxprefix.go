package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ze-bgp/ze/speaker/config/syntax"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Maximum-prefix limits (RFC 4486 §4), written for every family of a
// peer, or for one family inside its family statement:
//
//	maximum-prefix 1000;                      # teardown
//	maximum-prefix 1000 warning-only;         # log, keep the session
//	maximum-prefix 1000 restart 300;          # teardown, start again after 300 s
//	family {
//	    ipv4 unicast { maximum-prefix 900000 restart 5m; }
//	    ipv6 unicast;                         # the peer's limit
//	}

// KindMaxPrefix is `maximum-prefix LIMIT [teardown | warning-only |
// restart DELAY];` (maxPrefix).
const KindMaxPrefix = KindFileEvery + 1

// Maximum-prefix actions, as written after the limit.
const (
	ActionTeardown    = "teardown"
	ActionWarningOnly = "warning-only"
	ActionRestart     = "restart"
)

var maxPrefixActions = []string{ActionTeardown, ActionWarningOnly, ActionRestart}

// Bounds of a restart delay.
const (
	minRestart = time.Second
	maxRestart = 168 * time.Hour
)

const maxPrefixDoc = "`maximum-prefix LIMIT [ACTION];`: the most prefixes (paths, with ADD-PATH) the peer may send in each family, then the ACTION: " +
	"`teardown` (the default) sends Cease / Maximum Number of Prefixes Reached (RFC 4486 subcode 1, with the family and the limit) and keeps the session down until `ze cli clear neighbor NAME`, a reload that changes the peer, or ze restarts; " +
	"`warning-only` logs a warning (once per crossing) and keeps the session; " +
	"`restart DELAY` tears down like teardown, then starts the session again after DELAY, whole seconds (`300`) or with a unit (`30s`, `5m`, `1h`), 1s to 168h " +
	"(FRR's `restart` counts minutes, ze's seconds); " +
	"e.g. `maximum-prefix 1000 restart 5m;`; 0: no limit. A family's own `maximum-prefix` (in `family { }`) replaces this one for that family"

// familyOptionsBlock holds what a family statement may set in its
// braces: `ipv4 unicast { maximum-prefix 1000; }`.
var familyOptionsBlock = &Block{Name: "family AFI SAFI", Doc: "Settings of one family, in braces after it: `ipv4 unicast { maximum-prefix 1000 restart 60; }`. A family written without braces has none.", Keys: []*Key{
	{Name: "maximum-prefix", Kind: KindMaxPrefix, Doc: "this family's limit, replacing the peer's `maximum-prefix` (same syntax); 0: no limit for this family"},
}}

// PrefixLimit is one maximum-prefix setting.
type PrefixLimit struct {
	Limit        uint32 `json:"limit"`                   // prefixes; 0: no limit
	Action       string `json:"action"`                  // teardown, warning-only or restart ("" is teardown)
	RestartAfter uint32 `json:"restart-after,omitempty"` // restart: seconds before the session starts again
}

// String writes l as its statement's value: "1000", "1000 warning-only",
// "1000 restart 300" (teardown, the default, is left out).
func (l PrefixLimit) String() string {
	s := strconv.FormatUint(uint64(l.Limit), 10)
	switch l.Action {
	case ActionWarningOnly:
		s += " " + ActionWarningOnly
	case ActionRestart:
		s += " restart " + strconv.FormatUint(uint64(l.RestartAfter), 10)
	}
	return s
}

// PrefixLimit returns the maximum-prefix setting of family f: the one
// written in its family statement, else the peer's.
func (p Peer) PrefixLimit(f wire.Family) PrefixLimit {
	if l, ok := p.FamilyMaximumPrefix[f]; ok {
		return l
	}
	return PrefixLimit{Limit: p.MaximumPrefix, Action: p.MaximumPrefixAction, RestartAfter: p.MaximumPrefixRestart}
}

// maxPrefix reads `maximum-prefix LIMIT [teardown | warning-only |
// restart DELAY];` into a PrefixLimit.
func (c *checker) maxPrefix(n *syntax.Node) (any, bool) {
	name := n.Key.Text
	usage := name + " LIMIT [teardown | warning-only | restart DELAY]"
	if len(n.Args) == 0 {
		return c.fail(n.End, "%s needs a value: %s", name, usage)
	}
	for _, a := range n.Args {
		if a.IsList {
			return c.fail(a.Pos, "%s takes words, not a list: %s", name, usage)
		}
	}
	n0, err := strconv.ParseUint(n.Args[0].Text, 10, 32)
	if err != nil {
		return c.fail(n.Args[0].Pos, "invalid %s %q (want a number of prefixes, 0..4294967295)", name, n.Args[0].Text)
	}
	l := PrefixLimit{Limit: uint32(n0), Action: ActionTeardown}
	if len(n.Args) == 1 {
		return l, true
	}
	a := n.Args[1]
	act := strings.ToLower(a.Text)
	switch act {
	case ActionTeardown, ActionWarningOnly:
		l.Action = act
		if len(n.Args) > 2 {
			return c.fail(n.Args[2].Pos, "%s %s takes nothing after it, found %s", name, act, n.Args[2])
		}
		return l, true
	case ActionRestart:
		if len(n.Args) < 3 {
			return c.fail(n.End, "%s %d restart needs a delay: restart 300, restart 5m", name, l.Limit)
		}
		if len(n.Args) > 3 {
			return c.fail(n.Args[3].Pos, "%s takes one delay after restart, found another: %s", name, n.Args[3])
		}
		d, err := parseRestart(n.Args[2].Text)
		if err != nil {
			return c.fail(n.Args[2].Pos, "%s: %s", name, err)
		}
		l.Action, l.RestartAfter = ActionRestart, uint32(d/time.Second)
		return l, true
	}
	msg := fmt.Sprintf("invalid %s action %q (want %s", name, a.Text, strings.Join(maxPrefixActions, ", "))
	if sug := suggest(act, maxPrefixActions); sug != "" {
		msg += "; did you mean " + sug + "?"
	} else if act == "warning" || act == "warn" {
		msg += "; did you mean warning-only?"
	}
	return c.fail(a.Pos, "%s)", msg)
}

// parseRestart reads a restart delay: whole seconds, or a Go duration
// of whole seconds, 1s..168h.
func parseRestart(s string) (time.Duration, error) {
	var d time.Duration
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		d = time.Duration(n) * time.Second
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, fmt.Errorf("invalid restart delay %q (want seconds, or a number with a unit: 30s, 5m, 1h)", s)
	}
	if d < minRestart || d > maxRestart || d%time.Second != 0 {
		return 0, fmt.Errorf("restart delay %q is out of range (want whole seconds from 1s to 168h)", s)
	}
	return d, nil
}

// prefixLimits sets p's maximum-prefix settings from its merged
// settings s: the peer's, and each family's own.
func prefixLimits(p *Peer, s *section) {
	l, _ := s.val("maximum-prefix").(PrefixLimit)
	p.MaximumPrefix, p.MaximumPrefixAction, p.MaximumPrefixRestart = l.Limit, l.Action, l.RestartAfter
	for _, f := range s.sub("family").items {
		if f.opts == nil {
			continue
		}
		if it := f.opts.get("maximum-prefix"); it != nil {
			if p.FamilyMaximumPrefix == nil {
				p.FamilyMaximumPrefix = map[wire.Family]PrefixLimit{}
			}
			p.FamilyMaximumPrefix[f.val.(wire.Family)] = it.val.(PrefixLimit)
		}
	}
}
