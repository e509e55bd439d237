package config

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ze-bgp/ze/speaker/config/syntax"
)

// The mrt block: what the speaker records to MRT files (RFC 6396), as
// route collectors publish them (speaker/recorder does the recording).
//
//	mrt {
//	    updates /var/lib/ze/updates.%Y%m%d.%H%M.gz every 5m;
//	    table   /var/lib/ze/bview.%Y%m%d.%H%M.gz every 8h;
//	    loc-rib /var/lib/ze/locrib.%Y%m%d.%H%M.gz every 1h;
//	    peers [ peer-east peer-west ];
//	}

// KindFileEvery is `key FILE-PATTERN every DURATION;`: a file name
// pattern with strftime fields and a period (parseEvery).
const KindFileEvery = KindBlock + 1

var mrtBlock = &Block{Name: "mrt", Doc: "Recording to MRT files (RFC 6396), as RIPE RIS and RouteViews publish BGP history: " +
	"`ze mrt dump` and bgpdump read them. FILE-PATTERN is a file name whose strftime fields are replaced, in UTC, by the start of the file's period: " +
	"%Y %y %m %d %H %M %S, %j (day of year), %s (Unix seconds), %% (a percent sign); missing directories are created; a name ending in .gz is gzip-compressed. " +
	"DURATION is whole seconds (`300`) or a number with a unit, `30s`, `5m`, `1h`, `1h30m`, from 1s to 168h; " +
	"periods are aligned to the clock (with `every 5m` files start at :00, :05…).", Keys: []*Key{
	{Name: "updates", Kind: KindFileEvery, Doc: "every UPDATE received and every session going up or down (BGP4MP_ET MESSAGE_AS4 and STATE_CHANGE_AS4, the _ADDPATH subtypes of RFC 8050 for ADD-PATH sessions), a new file every DURATION: `updates /var/lib/ze/updates.%Y%m%d.%H%M.gz every 5m;`"},
	{Name: "table", Kind: KindFileEvery, Doc: "every DURATION, a dump of each recorded peer's Adj-RIB-In (TABLE_DUMP_V2, one entry per peer and path, as a RIS bview): `table /var/lib/ze/bview.%Y%m%d.%H%M.gz every 8h;`"},
	{Name: "loc-rib", Kind: KindFileEvery, Doc: "every DURATION, a dump of the Loc-RIB's best paths (TABLE_DUMP_V2, view name loc-rib; local routes under peer 0.0.0.0)"},
	{Name: "peers", Kind: KindList, Doc: "the peers whose UPDATEs and Adj-RIB-In are recorded (names of peer blocks); absent: every peer"},
}}

// MRT is what the speaker records; a Recording whose File is "" is off.
type MRT struct {
	Updates Recording `json:"updates,omitzero"`
	Table   Recording `json:"table,omitzero"`
	LocRIB  Recording `json:"loc-rib,omitzero"`
	Peers   []string  `json:"peers"` // empty: every peer
}

// Enabled reports whether anything is recorded.
func (m MRT) Enabled() bool {
	return m.Updates.File != "" || m.Table.File != "" || m.LocRIB.File != ""
}

// Recording is one series of files: a FILE-PATTERN and its period.
type Recording struct {
	File  string        // the pattern, strftime fields not expanded
	Every time.Duration // whole seconds, 1s..168h
}

// MarshalJSON writes {"file":…,"every":"5m0s"}.
func (r Recording) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		File  string `json:"file"`
		Every string `json:"every"`
	}{r.File, r.Every.String()})
}

// Bounds of a recording period.
const (
	minEvery = time.Second
	maxEvery = 168 * time.Hour
)

// fileEvery reads `key FILE-PATTERN every DURATION;`.
func (c *checker) fileEvery(n *syntax.Node) (any, bool) {
	name := n.Key.Text
	for _, a := range n.Args {
		if a.IsList {
			return c.fail(a.Pos, "%s takes FILE-PATTERN every DURATION, not a list", name)
		}
	}
	if len(n.Args) != 3 || n.Args[1].Text != "every" {
		p := n.End
		if len(n.Args) > 1 {
			p = n.Args[1].Pos
		}
		return c.fail(p, "%s takes FILE-PATTERN every DURATION (%s /var/lib/ze/%s.%%Y%%m%%d.%%H%%M.gz every 5m;)", name, name, name)
	}
	file := n.Args[0].Text
	if err := checkPattern(file); err != nil {
		return c.fail(n.Args[0].Pos, "%s: %s", name, err)
	}
	every, err := parseEvery(n.Args[2].Text)
	if err != nil {
		return c.fail(n.Args[2].Pos, "%s: %s", name, err)
	}
	return Recording{File: file, Every: every}, true
}

// patternFields are the strftime fields of a file pattern; they are the
// ones mrt.ExpandPattern replaces (speaker/recorder's tests check that
// both agree).
const patternFields = "YymdHMSjs%"

// checkPattern checks a file pattern's % fields.
func checkPattern(s string) error {
	if s == "" || strings.HasSuffix(s, "/") {
		return fmt.Errorf("file pattern %q names no file", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+1 == len(s) {
			return fmt.Errorf("file pattern %q ends with %%", s)
		}
		i++
		if !strings.ContainsRune(patternFields, rune(s[i])) {
			return fmt.Errorf("file pattern %q: unknown field %%%c (want %%Y %%y %%m %%d %%H %%M %%S %%j %%s %%%%)", s, s[i])
		}
	}
	return nil
}

// parseEvery reads a DURATION: whole seconds ("300") or a number with
// units ("5m", "1h30m", Go's time.ParseDuration), in [minEvery, maxEvery]
// and whole seconds.
func parseEvery(s string) (time.Duration, error) {
	var d time.Duration
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		d = time.Duration(n) * time.Second
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, fmt.Errorf("invalid DURATION %q (want seconds, or a number with a unit: 30s, 5m, 1h)", s)
	}
	if d < minEvery || d > maxEvery || d%time.Second != 0 {
		return 0, fmt.Errorf("DURATION %q is out of range (want whole seconds from 1s to 168h)", s)
	}
	return d, nil
}

// mrt resolves the mrt block: the recordings, and the peers named,
// which must be configured.
func (c *checker) mrt(s *section, peers []Peer) MRT {
	m := MRT{Peers: []string{}}
	rec := func(key string) Recording {
		if it := s.get(key); it != nil {
			return it.val.(Recording)
		}
		return Recording{}
	}
	m.Updates, m.Table, m.LocRIB = rec("updates"), rec("table"), rec("loc-rib")
	if len(s.items) > 0 && !m.Enabled() && len(s.bad) == 0 {
		c.errs.Add(s.pos("peers"), "mrt records nothing: give updates, table or loc-rib")
	}
	files := map[string]string{}
	for _, key := range []string{"updates", "table", "loc-rib"} {
		r := rec(key)
		if r.File == "" {
			continue
		}
		if prev, dup := files[r.File]; dup {
			c.errs.Add(s.pos(key), "mrt %s writes the same files as %s (%s)", key, prev, r.File)
		}
		files[r.File] = key
	}
	known := make([]string, len(peers))
	for i, p := range peers {
		known[i] = p.Name
	}
	for _, name := range s.strs("peers") {
		if !slices.Contains(known, name) {
			msg := fmt.Sprintf("mrt: no peer %q", name)
			if sug := suggest(name, known); sug != "" {
				msg += " (did you mean " + sug + "?)"
			}
			c.errs.Add(s.pos("peers"), "%s", msg)
			continue
		}
		m.Peers = append(m.Peers, name)
	}
	return m
}
