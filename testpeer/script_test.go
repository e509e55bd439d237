package testpeer

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

func TestParseScriptErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		want       string
	}{
		{"unknown directive", "expect open\n\nfrobnicate 3\n", 3, `unknown directive "frobnicate"`},
		{"expect nothing", "expect\n", 1, "expect needs what"},
		{"expect unknown", "expect banana\n", 1, `expect "banana": unknown`},
		{"bad json", "# c\nexpect update {\"update\":\n", 2, "invalid JSON"},
		{"json not object", "expect update [1]\n", 1, "expected a JSON object"},
		{"text after json", "expect open {} {}\n", 1, "text after the JSON object"},
		{"keepalive arg", "expect keepalive {}\n", 1, "takes nothing after it"},
		{"odd hex", "send hex FFF\n", 1, "odd number of hex digits"},
		{"bad hex", "expect hex FFZZ\n", 1, "not a hex digit"},
		{"route without next-hop", "send route 10.0.0.0/24\n", 1, "has no next-hop"},
		{"bad route", "expect route 10.0.0.0/33\n", 1, "invalid prefix"},
		{"bad notification", "send notification 6\n", 1, "want CODE/SUBCODE"},
		{"bad expected notification", "expect notification six\n", 1, "want CODE, CODE/SUBCODE"},
		{"bad family", "expect eor ipv9/unicast\n", 1, "unknown AFI"},
		{"bad refresh", "send route-refresh ipv4/unicast sideways\n", 1, "subtype"},
		{"late handshake", "expect open\nhandshake manual\n", 2, "handshake must come before"},
		{"bad handshake", "handshake sometimes\n", 1, "auto or manual"},
		{"unclosed unordered", "unordered\nexpect keepalive\n", 1, "not closed with end"},
		{"end alone", "end\n", 1, "end without unordered"},
		{"empty unordered", "unordered\nend\n", 2, "empty unordered block"},
		{"send in unordered", "unordered\nsend keepalive\nend\n", 2, "only expect lines"},
		{"close in unordered", "unordered\nexpect close\nend\n", 2, "cannot go inside unordered"},
		{"step after close", "close\nexpect open\n", 2, "after the connection was closed"},
		{"malformed bad type", "expect malformed banana\n", 1, `want a message type (open, update, notification, keepalive, route-refresh) or a JSON object, not "banana"`},
		{"malformed unknown type", "expect malformed unknown\n", 1, "want a message type"},
		{"malformed bad json", "expect malformed update {\n", 1, "invalid JSON"},
		{"step after expect close", "expect close\nsend keepalive\n", 2, "after the connection was closed"},
		{"bad sleep", "sleep soon\n", 1, "sleep needs a duration"},
		{"bad silence", "expect silence 0s\n", 1, "needs a duration"},
		{"bad ignore", "ignore updates\n", 1, `unknown message type "updates"`},
		{"connection arg", "connection 2\n", 1, "takes no argument"},
		{"close arg", "close now\n", 1, "takes no argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseScriptString("x.ci", tt.text)
			var se *ScriptError
			if !errors.As(err, &se) {
				t.Fatalf("err %v, want a *ScriptError", err)
			}
			if se.Line != tt.line || !strings.Contains(se.Msg, tt.want) || !strings.HasPrefix(err.Error(), "x.ci:") {
				t.Errorf("err %q (line %d), want line %d with %q", err, se.Line, tt.line, tt.want)
			}
		})
	}
}

func TestParseScript(t *testing.T) {
	s := mustScript(t, `
# comment line
expect open {"open":{"router-id":"1.2.3.4"}}   # trailing comment
expect update {"attributes":{"community":["65000:1"]}} # body form, wrapped
expect notification {"communication":"a # is not a comment"}
send notification 6/2 "maintenance # still text"
sleep 10ms
close
sleep 5ms
connection
handshake manual
send open
ignore update,route-refresh
unordered
  expect route 10.0.0.0/24 med 5
  expect withdraw route 10.1.0.0/16
end
expect eor ipv6/unicast
expect notification 6
expect silence 1s
connection
`)
	if s.Connections() != 2 || s.Expectations() != 8 {
		t.Fatalf("connections %d expectations %d", s.Connections(), s.Expectations())
	}
	b0, b1 := s.blocks[0], s.blocks[1]
	if b0.manual || !b1.manual || len(b0.steps) != 7 || len(b1.steps) != 6 {
		t.Fatalf("blocks %+v %+v", b0, b1)
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	if got := js(b0.steps[0].expect.json); got != `{"open":{"router-id":"1.2.3.4"}}` {
		t.Errorf("open doc %s", got)
	}
	if got := js(b0.steps[1].expect.json); got != `{"update":{"attributes":{"community":["65000:1"]}}}` {
		t.Errorf("update doc %s", got)
	}
	if got := js(b0.steps[2].expect.json); got != `{"notification":{"communication":"a # is not a comment"}}` {
		t.Errorf("notification doc %s", got)
	}
	msg := b0.steps[3].send.raw
	n, err := wire.ParseNotification(msg)
	if text, _, ok := n.Communication(); err != nil || !ok || text != "maintenance # still text" {
		t.Errorf("notification % X: %q %v", msg, text, err)
	}
	if b1.steps[0].send.kind != sendOpen || b1.steps[1].ignore.has(wire.TypeOpen) || !b1.steps[1].ignore.has(wire.TypeRouteRefresh) {
		t.Errorf("manual block steps %+v %+v", b1.steps[0], b1.steps[1])
	}
	g := b1.steps[2].group
	if len(g) != 2 || g[0].expect.kind != expRoute || !g[1].expect.route.r.Withdraw || len(g[0].expect.route.keys) != 1 {
		t.Errorf("unordered group %+v", g)
	}
	if e := b1.steps[4].expect; e.code != 6 || e.sub != -1 {
		t.Errorf("notification shorthand %+v", e)
	}
}

func TestStripComment(t *testing.T) {
	for in, want := range map[string]string{
		"# all":                    "",
		"send keepalive # why":     "send keepalive ",
		`expect update {"a":"#"}`:  `expect update {"a":"#"}`,
		`x "q\"#" # c`:             `x "q\"#" `,
		"expect hex FF#FF":         "expect hex FF#FF",
		"send route 1.2.3.0/24\t#": "send route 1.2.3.0/24\t",
	} {
		if got := stripComment(in); got != want {
			t.Errorf("stripComment(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRouteMatch(t *testing.T) {
	got := routeLine{}
	parse := func(s string) routeMatch {
		m, e := parseRouteMatch(s)
		if e != nil {
			t.Fatalf("%s: %v", s, e)
		}
		return m
	}
	recv := parse("route 10.0.0.0/24 next-hop 192.0.2.1 as-path [65001] med 10 community [65000:1]")
	got.r = recv.r
	for text, want := range map[string]bool{
		"route 10.0.0.0/24":                                     true,
		"route 10.0.0.0/24 med 10":                              true,
		"route 10.0.0.0/24 med 11":                              false,
		"route 10.0.0.0/24 next-hop 192.0.2.2":                  false,
		"route 10.0.0.0/24 as-path [65001] community [65000:1]": true,
		"route 10.0.0.0/24 local-preference 100":                false,
		"route 10.0.1.0/24":                                     false,
		"withdraw route 10.0.0.0/24":                            false,
		"route 10.0.0.0/24 family ipv4/multicast":               false,
	} {
		m := parse(text)
		if m.match(got.r) != want {
			t.Errorf("%s: match %v, want %v", text, !want, want)
		}
	}
}
