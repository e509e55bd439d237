package harness

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// DecodedRoutes folds the UPDATE lines of a `ze-test peer --decode`
// output (ze JSON, docs/json.md) into the routes announced and not
// withdrawn since, by prefix (one Route per ADD-PATH path identifier),
// and counts the End-of-RIB markers. Unlike SinkRoutes it keeps every
// attribute the scenarios check, and 4-octet ASNs exactly.
func DecodedRoutes(out string) (routes map[string][]Route, eor int, err error) {
	type pk struct{ prefix, id string }
	cur := map[pk]Route{}
	var order []pk
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "{") {
			continue
		}
		var m struct {
			Update *struct {
				EndOfRIB   string          `json:"end-of-rib"`
				Attributes json.RawMessage `json:"attributes"`
				Announce   []zeGroup       `json:"announce"`
				Withdraw   []zeGroup       `json:"withdraw"`
			} `json:"update"`
		}
		if json.Unmarshal([]byte(l), &m) != nil || m.Update == nil {
			continue
		}
		u := m.Update
		if u.EndOfRIB != "" {
			eor++
			continue
		}
		for _, g := range u.Withdraw {
			for _, n := range g.NLRI {
				delete(cur, pk{n.Prefix, n.id()})
			}
		}
		var base Route
		if len(u.Attributes) > 0 {
			if base, err = zeAttributes(u.Attributes); err != nil {
				return nil, eor, err
			}
		}
		for _, g := range u.Announce {
			for _, n := range g.NLRI {
				r := base
				r.Prefix, r.PathID = n.Prefix, n.id()
				r.NextHop = append([]string(nil), g.NextHop...)
				k := pk{n.Prefix, n.id()}
				if _, ok := cur[k]; !ok {
					order = append(order, k)
				}
				cur[k] = r
			}
		}
	}
	routes = map[string][]Route{}
	for _, k := range order {
		if r, ok := cur[k]; ok {
			routes[k.prefix] = append(routes[k.prefix], r)
			delete(cur, k)
		}
	}
	return routes, eor, nil
}

// zeGroup is one family's NLRI of a ze JSON UPDATE.
type zeGroup struct {
	Family  string   `json:"family"`
	NextHop []string `json:"next-hop"`
	NLRI    []zeNLRI `json:"nlri"`
}

// zeNLRI is one prefix of a zeGroup.
type zeNLRI struct {
	Prefix string  `json:"prefix"`
	PathID *uint32 `json:"path-id"`
}

// id is the path identifier as text, "" without ADD-PATH.
func (n zeNLRI) id() string {
	if n.PathID == nil {
		return ""
	}
	return strconv.FormatUint(uint64(*n.PathID), 10)
}

// zeAttributes reads the attributes object of a ze JSON UPDATE.
func zeAttributes(raw json.RawMessage) (Route, error) {
	var a struct {
		ASPath []struct {
			ASNs []uint32 `json:"asns"`
		} `json:"as-path"`
		NextHop   string   `json:"next-hop"`
		MED       *uint32  `json:"med"`
		LocalPref *uint32  `json:"local-preference"`
		Community []string `json:"community"`
		Large     []string `json:"large-community"`
		Ext       []string `json:"extended-community"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return Route{}, fmt.Errorf("attributes %s: %v", raw, err)
	}
	r := Route{ASPath: []uint32{}, Communities: a.Community, Large: a.Large}
	for _, s := range a.ASPath {
		r.ASPath = append(r.ASPath, s.ASNs...)
	}
	if a.MED != nil {
		r.MED = strconv.FormatUint(uint64(*a.MED), 10)
	}
	if a.LocalPref != nil {
		r.LocalPref = strconv.FormatUint(uint64(*a.LocalPref), 10)
	}
	for _, e := range a.Ext {
		r.Ext = append(r.Ext, strings.Replace(e, "target:", "rt:", 1))
	}
	return r, nil
}

// SinkOnce runs one `ze-test peer` sink session from src (AS as) to
// ze at dial in ns until ze's End-of-RIB (--sink-until-eor, at most
// 10 s) and returns what it decoded: ze's initial table for a new peer.
// A session that fails (ze refusing the connection…) fails the test.
func SinkOnce(t *testing.T, ns Netns, dir, zeTestBin, label, dial, src string, as int) (map[string][]Route, string) {
	t.Helper()
	sink := ns.Start(t, dir, label, zeTestBin, "peer", "--dial", dial, "--source-addresses", src,
		"--asn", strconv.Itoa(as), "--family", "ipv4/unicast,ipv6/unicast",
		"--decode", "--sink-until-eor", "--timeout", "10s")
	if err := sink.Wait(t, 15*time.Second); err != nil {
		t.Fatalf("sink: %v\n%s\n%s", err, Tail(sink.Out()), sink.ErrOut())
	}
	routes, eor, err := DecodedRoutes(sink.Out())
	if err != nil {
		t.Fatalf("sink: %v\n%s", err, Tail(sink.Out()))
	}
	if eor == 0 {
		t.Fatalf("sink: no End-of-RIB\n%s", Tail(sink.Out()))
	}
	return routes, sink.Out()
}
