package control

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/speaker/api"
	"github.com/ze-bgp/ze/speaker/router"
	"github.com/ze-bgp/ze/speaker/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name (rewritten with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./speaker/control -update)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// TestAnswers: every command's text and JSON answer for a fixed
// backend, against the golden files (input: the request; output:
// testdata/NAME.txt or .json).
func TestAnswers(t *testing.T) {
	b := newFakeBackend(t)
	b.reload = ReloadResult{Config: "/etc/ze/ze.conf", Added: []string{"c"}, Removed: []string{"old"}, Reset: []string{"inject"},
		Updated: []string{"sink"}, Unchanged: []string{"d", "e"}, ProcessesRestarted: []string{"watch"}, MRT: true, ListenOpened: []string{"192.0.2.1:179"},
		Notes: []string{"log format text kept (json needs a restart)"}}
	b.status = Status{Started: t0.Add(-25 * 3600e9), Config: "/etc/ze/ze.conf", Neighbors: b.neighbors,
		RIB:       []router.RIBCount{{Family: wire.IPv4Unicast, Prefixes: 30, Paths: 31}, {Family: wire.IPv6Unicast}},
		Processes: []Process{{Name: "watch", Stats: api.Stats{Running: true, PID: 4242, QueueDepth: 3, QueueCap: 4096, QueueMaxDepth: 9, Commands: 5}}}}
	for _, tc := range []struct{ name, line string }{
		{"summary", "show neighbor summary"},
		{"neighbor", "show neighbor inject"},
		{"neighbor-down", "show neighbor 127.0.0.3"},
		{"rib", "show rib"},
		{"adj-rib-in", "show adj-rib-in inject 10.0.0.0/24"},
		{"status", "show status"},
		{"reload", "reload"},
		{"help", "help"},
		{"clear-hard", "clear neighbor inject"},
		{"clear-soft-in", "clear neighbor 127.0.0.2 soft in"},
	} {
		for _, j := range []bool{false, true} {
			name, line := tc.name+".txt", tc.line
			if j {
				name, line = tc.name+".json", line+" json"
			}
			t.Run(name, func(t *testing.T) {
				req, err := ParseRequest(line)
				if err != nil {
					t.Fatal(err)
				}
				body, err := execute(b, req, t0)
				if err != nil {
					t.Fatal(err)
				}
				if j && !json.Valid(body) {
					t.Fatalf("not JSON: %s", body)
				}
				golden(t, name, body)
			})
		}
	}
	// The queries the route commands made.
	want := []router.Query{
		{Table: router.LocRIB}, {Table: router.LocRIB},
		{Table: router.AdjRIBIn, Peer: "inject", Prefix: netipPrefix("10.0.0.0/24")},
		{Table: router.AdjRIBIn, Peer: "inject", Prefix: netipPrefix("10.0.0.0/24")},
	}
	if len(b.queries) != len(want) {
		t.Fatalf("queries %+v", b.queries)
	}
	for i := range want {
		if b.queries[i] != want[i] {
			t.Errorf("query %d = %+v, want %+v", i, b.queries[i], want[i])
		}
	}
}

// TestRouteAttributes: a route's attributes in both renderings, as
// textfmt and zejson show received UPDATEs.
func TestRouteAttributes(t *testing.T) {
	b := newFakeBackend(t)
	rt := b.routes[1]
	if got, want := attrText(&rt), "next-hop 192.0.2.7 origin igp as-path [65001] med 10 community [65001:7] large-community [65001:1:2]"; got != want {
		t.Errorf("text %q\nwant %q", got, want)
	}
	var a map[string]any
	if err := json.Unmarshal(attrJSON(&rt), &a); err != nil {
		t.Fatal(err)
	}
	if a["med"] != 10.0 || a["origin"] != "igp" || a["next-hop"] != "192.0.2.7" {
		t.Errorf("JSON attributes %v", a)
	}
	v6 := b.routes[2]
	if got := attrText(&v6); got != "next-hop 2001:db8::7 origin igp as-path [65001]" {
		t.Errorf("IPv6 text %q", got)
	}
	bad := router.Route{Family: wire.IPv4Unicast, Prefix: netipPrefix("10.0.0.0/8"), Attrs: []byte{0x40, 0x01, 0x05}}
	if got := attrText(&bad); got != "attributes 400105" {
		t.Errorf("undecodable: %q", got)
	}
	if got := string(attrJSON(&bad)); got != `{"hex":"400105"}` {
		t.Errorf("undecodable JSON: %s", got)
	}
}

func TestExecuteErrors(t *testing.T) {
	b := newFakeBackend(t)
	b.reloadErr = errors.New("ze.conf:3:5: unknown key \"holdtime\" (did you mean hold-time?)\nze.conf:7:1: peer \"a\": missing local-as")
	for _, tc := range []struct {
		line, body, err string
	}{
		{"show neighbor nope", "", `unknown neighbour "nope" (want a name or remote address: inject, sink)`},
		{"show adj-rib-out 192.0.2.99", "", `unknown neighbour "192.0.2.99"`},
		{"show rib bogus", "", `unexpected "bogus"`},
		{"reload", "ze.conf:3:5: unknown key \"holdtime\" (did you mean hold-time?)\nze.conf:7:1: peer \"a\": missing local-as\n",
			"reload failed (2 problems); the running configuration is kept"},
	} {
		body, err := Execute(b, tc.line)
		if err == nil || !strings.Contains(err.Error(), tc.err) || string(body) != tc.body {
			t.Errorf("%q: body %q, err %v; want %q and %q", tc.line, body, err, tc.body, tc.err)
		}
	}
	b.neighbors = append(b.neighbors, Neighbor{Name: "broken"})
	if _, err := Execute(b, "show adj-rib-in broken"); err == nil || err.Error() != "router: broken" {
		t.Errorf("backend error: %v", err)
	}
}

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		d    float64 // seconds
		want string
	}{
		{0, "00:00:00"}, {59.6, "00:01:00"}, {3723, "01:02:03"}, {86399, "23:59:59"},
		{86400 + 3*3600 + 4*60, "1d03h04m"}, {8*86400 + 5*3600, "1w1d05h"}, {-5, "00:00:00"},
	} {
		if got := duration(timeSeconds(tc.d)); got != tc.want {
			t.Errorf("duration(%vs) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestClearAll: "clear neighbor all soft" tries every peer; the one not
// established is named in the body and the status counts it.
func TestClearAll(t *testing.T) {
	b := newFakeBackend(t)
	body, err := Execute(b, "clear neighbor all soft")
	if err == nil || err.Error() != "clear failed for 1 of 2 peers" {
		t.Errorf("err = %v", err)
	}
	if want := "inject: cleared soft\nsink: not cleared: not established\n"; string(body) != want {
		t.Errorf("body %q, want %q", body, want)
	}
	if want := []string{"inject soft", "sink soft"}; !slices.Equal(b.cleared, want) {
		t.Errorf("cleared %q, want %q", b.cleared, want)
	}
	body, err = Execute(b, "clear neighbor nobody json")
	if !errors.Is(err, ErrUnknownNeighbor) || body != nil {
		t.Errorf("unknown peer: %q, %v", body, err)
	}
}
