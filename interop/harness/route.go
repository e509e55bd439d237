package harness

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Route is one path for a prefix as one side of a session holds it:
// ze (from its API process events) or a daemon (from its JSON or text
// output), normalised so that the two can be compared.
type Route struct {
	Prefix string // "10.1.1.0/24", "fd00:1:1::/48"
	// PathID is the ADD-PATH path identifier (RFC 7911), "" when the
	// session does not use ADD-PATH or the daemon does not show it.
	PathID string
	ASPath []uint32 // every ASN of every segment, in order
	// NextHop holds the next hops shown (an IPv6 route may have a
	// global and a link-local one).
	NextHop   []string
	MED       string // "" when absent
	LocalPref string // "" when absent
	// Communities ("65001:100"), large communities ("4200000001:1:2")
	// and extended communities in the form "rt:65001:7" (route target,
	// RFC 4360 §4, 2-octet AS specific), each sorted.
	Communities []string
	Large       []string
	Ext         []string
}

func (r Route) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s", r.Prefix)
	if r.PathID != "" {
		fmt.Fprintf(&b, " path-id %s", r.PathID)
	}
	fmt.Fprintf(&b, " as-path %v next-hop %v", r.ASPath, r.NextHop)
	if r.MED != "" {
		fmt.Fprintf(&b, " med %s", r.MED)
	}
	if r.LocalPref != "" {
		fmt.Fprintf(&b, " local-pref %s", r.LocalPref)
	}
	for _, l := range []struct {
		name string
		v    []string
	}{{"community", r.Communities}, {"large-community", r.Large}, {"ext-community", r.Ext}} {
		if len(l.v) > 0 {
			fmt.Fprintf(&b, " %s %v", l.name, l.v)
		}
	}
	return b.String()
}

// Want is what a scenario expects of a route: fields left empty (nil,
// "") are not checked; NextHop must be one of the route's next hops.
type Want struct {
	ASPath      []uint32 // checked when not nil (use []uint32{} for an empty path)
	NextHop     string
	MED         string
	LocalPref   string
	Communities []string
	Large       []string
	Ext         []string
}

// Check returns what differs between r and w, "" when r meets w.
func (w Want) Check(r Route) string {
	var d []string
	if w.ASPath != nil && !slices.Equal(r.ASPath, w.ASPath) {
		d = append(d, fmt.Sprintf("as-path %v, want %v", r.ASPath, w.ASPath))
	}
	if w.NextHop != "" && !slices.Contains(r.NextHop, w.NextHop) {
		d = append(d, fmt.Sprintf("next-hop %v, want %s", r.NextHop, w.NextHop))
	}
	if w.MED != "" && r.MED != w.MED {
		d = append(d, fmt.Sprintf("med %q, want %q", r.MED, w.MED))
	}
	if w.LocalPref != "" && r.LocalPref != w.LocalPref {
		d = append(d, fmt.Sprintf("local-pref %q, want %q", r.LocalPref, w.LocalPref))
	}
	for _, l := range []struct {
		name      string
		got, want []string
	}{{"community", r.Communities, w.Communities}, {"large-community", r.Large, w.Large}, {"ext-community", r.Ext, w.Ext}} {
		if l.want != nil && !slices.Equal(sorted(l.got), sorted(l.want)) {
			d = append(d, fmt.Sprintf("%s %v, want %v", l.name, l.got, l.want))
		}
	}
	return strings.Join(d, "; ")
}

// CheckRoutes checks that routes (by prefix) has exactly one path for
// each prefix of want, meeting its Want; it returns "" or the problems.
func CheckRoutes(routes map[string][]Route, want map[string]Want) string {
	var d []string
	for _, p := range sortedKeys(want) {
		paths := routes[p]
		switch {
		case len(paths) == 0:
			d = append(d, p+": missing")
		case len(paths) > 1:
			d = append(d, fmt.Sprintf("%s: %d paths, want 1: %v", p, len(paths), paths))
		default:
			if s := want[p].Check(paths[0]); s != "" {
				d = append(d, p+": "+s)
			}
		}
	}
	return strings.Join(d, "\n")
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ASPathOf parses the ASNs of a space-separated AS path ("65001 65002",
// "{65003 65004}" sets and "(…)" confederation segments flattened).
func ASPathOf(s string) ([]uint32, error) {
	s = strings.NewReplacer("{", " ", "}", " ", "(", " ", ")", " ", "[", " ", "]", " ", ",", " ").Replace(s)
	out := []uint32{}
	for _, f := range strings.Fields(s) {
		n, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("as path %q: %v", s, err)
		}
		out = append(out, uint32(n))
	}
	return out, nil
}
