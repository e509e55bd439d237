//go:build interop

package exabgp

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// volatile matches the envelope values ExaBGP takes from its process
// and clock.
var volatile = regexp.MustCompile(`"time": [0-9.eE+-]+|"host" : "[^"]*"|"pid" : -?[0-9]+|"ppid" : -?[0-9]+|"counter": [0-9]+`)

// normalise blanks the volatile envelope values of a JSON object.
func normalise(s string) string {
	return volatile.ReplaceAllStringFunc(strings.TrimSpace(s), func(m string) string {
		k, _, _ := strings.Cut(m, ":")
		return k + ": _"
	})
}

// tally counts one capture's messages in one test.
type tally struct {
	messages   int // messages read
	compared   int // messages both sides were asked about
	equal      int // same JSON (or both refused)
	bothRefuse int // of equal: both refused the message
	fixedUp    int // of equal: after an exabgpFixups rewrite of ExaBGP's output
	excepted   int // differences listed in exabgpDefects
	zeBugs     int // differences listed in knownZeBugs
	different  int // unexplained differences: the test fails
	skipped    map[string]int
}

func (c *tally) add(o tally) {
	c.messages += o.messages
	c.compared += o.compared
	c.equal += o.equal
	c.bothRefuse += o.bothRefuse
	c.fixedUp += o.fixedUp
	c.excepted += o.excepted
	c.zeBugs += o.zeBugs
	c.different += o.different
	if c.skipped == nil {
		c.skipped = map[string]int{}
	}
	for k, v := range o.skipped {
		c.skipped[k] += v
	}
}

func (c tally) String() string {
	n := 0
	for _, v := range c.skipped {
		n += v
	}
	return fmt.Sprintf("messages %4d  compared %4d  equal %4d (both refuse %2d, fixed-up %2d)  exabgp-defects %3d  ze-bugs %3d  different %3d  not-compared %4d",
		c.messages, c.compared, c.equal, c.bothRefuse, c.fixedUp, c.excepted, c.zeBugs, c.different, n)
}

// judge compares one message's two results and counts it. Listed
// exceptions of test (see exception.only) excuse a difference; a listed
// message that agrees fails the test so that the entry gets removed.
type judge struct {
	t       *testing.T
	test    string // "decode" or "session"
	defects map[entry]exception
	bugs    map[entry]exception
	seen    map[entry]bool
	fixups  map[string]int // messages equal after each fix-up, by reason
}

func newJudge(t *testing.T, test string) *judge {
	return &judge{t: t, test: test, defects: index(exabgpDefects, test), bugs: index(knownZeBugs, test), seen: map[entry]bool{}, fixups: map[string]int{}}
}

// result is what one side made of a message: JSON, or an error text.
type result struct {
	json string
	err  string
}

func (r result) String() string {
	if r.err != "" {
		return "error: " + r.err
	}
	return r.json
}

// same reports whether ze and ExaBGP agree: the same JSON once
// normalised, or both refusing the message.
func same(ze, exa result) bool {
	if ze.err != "" || exa.err != "" {
		return ze.err != "" && exa.err != ""
	}
	return normalise(ze.json) == normalise(exa.json)
}

func (j *judge) compare(c *tally, e entry, what string, data []byte, ze, exa result) {
	c.compared++
	j.seen[e] = true
	eq := same(ze, exa)
	fixed := false
	if !eq && exa.json != "" {
		for _, f := range exabgpFixups {
			if f.only != "" && f.only != j.test {
				continue
			}
			if s := f.apply(exa.json); s != exa.json && same(ze, result{json: s}) {
				eq, fixed = true, true
				j.fixups[f.reason]++
				break
			}
		}
	}
	d, isDefect := j.defects[e]
	b, isBug := j.bugs[e]
	switch {
	case eq && (isDefect || isBug):
		j.t.Errorf("%s #%d: listed (%q) but ze and ExaBGP now agree: remove the entry", e.capture, e.index, d.reason+b.reason)
		c.equal++
	case eq:
		c.equal++
		if ze.err != "" {
			c.bothRefuse++
		}
		if fixed {
			c.fixedUp++
		}
	case isDefect:
		c.excepted++
	case isBug:
		c.zeBugs++
	default:
		c.different++
		j.t.Errorf("%s #%d differs (%s)\n  hex:    %X\n  ze:     %s\n  exabgp: %s", e.capture, e.index, what, data, ze, exa)
	}
}

// skippedText lists why messages were not compared.
func skippedText(m map[string]int) []string {
	var parts []string
	for why, n := range m {
		parts = append(parts, fmt.Sprintf("%4d  %s", n, why))
	}
	sort.Strings(parts)
	return parts
}

// finish logs the fix-ups used and fails the test for listed messages of
// the captures in names that it did not compare (a stale or mistyped
// entry).
func (j *judge) finish(names []string) {
	for _, f := range exabgpFixups {
		if n := j.fixups[f.reason]; n > 0 {
			j.t.Logf("fixed-up: %4d  %s", n, f.reason)
		}
	}
	for _, m := range []map[entry]exception{j.defects, j.bugs} {
		for e, x := range m {
			if slices.Contains(names, e.capture) && !j.seen[e] {
				j.t.Errorf("%s #%d is listed (%q) but was not compared by this test", e.capture, e.index, x.reason)
			}
		}
	}
}
