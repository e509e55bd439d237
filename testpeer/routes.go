package testpeer

import (
	"bytes"
	"slices"
	"strings"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/textfmt"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

// routeMatch is an `expect route …` line: the prefix (and announce or
// withdraw) always match; attributes only when the line names them.
type routeMatch struct {
	text  string // the line as written (after `expect`), blanks squeezed
	r     route.Route
	keys  []string // attribute keywords the line names
	exact bool     // the line names a keyword this matcher does not know: compare whole routes
}

// routeKeywords are the attribute keywords of package route's syntax
// that routeMatch compares one by one.
var routeKeywords = []string{"next-hop", "origin", "as-path", "med", "local-preference", "atomic-aggregate",
	"aggregator", "community", "large-community", "extended-community", "originator-id", "cluster-list",
	"aigp", "path-information", "family"}

// parseRouteMatch parses an expected route. An announcement may leave
// out next-hop (route.Parse requires one to encode; here it is only not
// compared).
func parseRouteMatch(s string) (routeMatch, error) {
	m := routeMatch{text: strings.Join(strings.Fields(s), " ")}
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '[' || r == ']' || r == '(' || r == ')' })
	named := map[string]bool{}
	for _, w := range words {
		named[strings.ToLower(w)] = true
	}
	text := s
	if !named["next-hop"] && !named["withdraw"] {
		text += " next-hop 0.0.0.0"
	}
	r, err := route.Parse(text)
	if err != nil {
		return m, err
	}
	m.r = r
	for _, k := range routeKeywords {
		if named[k] {
			m.keys = append(m.keys, k)
		}
	}
	// A keyword route.Parse knows but this matcher does not: compare
	// the whole route (words after the prefix that are not values are
	// keywords; route.Parse already checked them).
	for i := 2; i < len(words); i++ {
		w := strings.ToLower(words[i])
		if isKeywordLike(w) && !slices.Contains(routeKeywords, w) && !named["withdraw"] {
			m.exact = true
		}
	}
	return m, nil
}

// isKeywordLike reports whether w looks like an attribute keyword rather
// than a value (letters and dashes only, not a value word).
func isKeywordLike(w string) bool {
	switch w {
	case "igp", "egp", "incomplete", "route", "announce", "withdraw", "no-export", "no-advertise",
		"no-export-subconfed", "no-peer", "blackhole", "graceful-shutdown", "accept-own", "llgr-stale", "no-llgr":
		return false
	}
	if strings.Contains(w, ":") || strings.Contains(w, "/") || strings.Contains(w, ".") {
		return false
	}
	for _, c := range w {
		if (c < 'a' || c > 'z') && c != '-' {
			return false
		}
	}
	return true
}

// match reports whether got satisfies the expectation.
func (m *routeMatch) match(got route.Route) bool {
	if m.r.Withdraw != got.Withdraw || m.r.Prefix.Masked() != got.Prefix.Masked() || m.r.Family != got.Family {
		return false
	}
	if m.exact {
		x := m.r
		x.Prefix = x.Prefix.Masked()
		g := got
		g.Prefix = g.Prefix.Masked()
		return x.String() == g.String()
	}
	for _, k := range m.keys {
		if !fieldEqual(k, m.r, got) {
			return false
		}
	}
	return true
}

func fieldEqual(k string, a, b route.Route) bool {
	switch k {
	case "next-hop":
		return a.NextHop == b.NextHop
	case "origin":
		return a.Origin == b.Origin
	case "as-path":
		return slices.EqualFunc(a.ASPath, b.ASPath, func(x, y attr.Segment) bool {
			return x.Type == y.Type && slices.Equal(x.ASNs, y.ASNs)
		})
	case "med":
		return a.HasMED == b.HasMED && a.MED == b.MED
	case "local-preference":
		return a.HasLocalPref == b.HasLocalPref && a.LocalPref == b.LocalPref
	case "atomic-aggregate":
		return a.AtomicAggregate == b.AtomicAggregate
	case "aggregator":
		return a.Aggregator == b.Aggregator
	case "community":
		return slices.Equal(a.Communities, b.Communities)
	case "large-community":
		return slices.Equal(a.LargeCommunities, b.LargeCommunities)
	case "extended-community":
		return slices.Equal(a.ExtCommunities, b.ExtCommunities)
	case "originator-id":
		return a.OriginatorID == b.OriginatorID
	case "cluster-list":
		return slices.Equal(a.ClusterList, b.ClusterList)
	case "aigp":
		return a.HasAIGP == b.HasAIGP && a.AIGP == b.AIGP
	case "path-information":
		return a.PathID == b.PathID
	case "family":
		return a.Family == b.Family
	}
	return false
}

// String returns the expected route as the script line names it (only
// the attributes it names: the others are not compared).
func (m *routeMatch) String() string { return m.text }

// routeLine is one route of a received UPDATE, as text and parsed.
type routeLine struct {
	text string
	r    route.Route
	ok   bool // the text parsed back into a route
}

// updateRoutes returns the routes of an UPDATE in textfmt's order
// (withdrawals, then announcements), or the decoding error. An
// End-of-RIB has none.
func updateRoutes(msg []byte, ctx wire.Context) ([]routeLine, error) {
	b, err := textfmt.AppendMessage(nil, msg, ctx, zejson.Meta{})
	if err != nil {
		return nil, err
	}
	var out []routeLine
	for _, l := range bytes.Split(b, []byte{'\n'}) {
		s := string(l)
		if !strings.HasPrefix(s, "announce route ") && !strings.HasPrefix(s, "withdraw route ") {
			continue
		}
		r, err := route.Parse(s)
		out = append(out, routeLine{text: s, r: r, ok: err == nil})
	}
	return out, nil
}

// textAppend appends msg as text lines (for --decode text).
func textAppend(dst []byte, msg []byte, ctx wire.Context, m zejson.Meta) ([]byte, error) {
	return textfmt.AppendMessage(dst, msg, ctx, m)
}
