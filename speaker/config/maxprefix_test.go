package config

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/speaker/config/syntax"
	"github.com/ze-bgp/ze/speaker/wire"
)

// TestMaxPrefix: the forms of maximum-prefix, at the peer level.
func TestMaxPrefix(t *testing.T) {
	tests := []struct {
		stmt string
		want PrefixLimit
	}{
		{"", PrefixLimit{Limit: 0, Action: ActionTeardown}},
		{"maximum-prefix 0;", PrefixLimit{Limit: 0, Action: ActionTeardown}},
		{"maximum-prefix 1000;", PrefixLimit{Limit: 1000, Action: ActionTeardown}},
		{"maximum-prefix 1000 teardown;", PrefixLimit{Limit: 1000, Action: ActionTeardown}},
		{"maximum-prefix 1000 warning-only;", PrefixLimit{Limit: 1000, Action: ActionWarningOnly}},
		{"maximum-prefix 1000 Warning-Only;", PrefixLimit{Limit: 1000, Action: ActionWarningOnly}},
		{"maximum-prefix 1000 restart 60;", PrefixLimit{Limit: 1000, Action: ActionRestart, RestartAfter: 60}},
		{"maximum-prefix 1000 restart 5m;", PrefixLimit{Limit: 1000, Action: ActionRestart, RestartAfter: 300}},
		{"maximum-prefix 1000 restart 1h30m;", PrefixLimit{Limit: 1000, Action: ActionRestart, RestartAfter: 5400}},
		{"maximum-prefix 4294967295 restart 1s;", PrefixLimit{Limit: 4294967295, Action: ActionRestart, RestartAfter: 1}},
		{"maximum-prefix 10 restart 168h;", PrefixLimit{Limit: 10, Action: ActionRestart, RestartAfter: 604800}},
	}
	for _, tt := range tests {
		t.Run(tt.stmt, func(t *testing.T) {
			cfg := mustParse(t, strings.Replace(base, "%s", tt.stmt, 1))
			p := cfg.Peers[0]
			got := PrefixLimit{Limit: p.MaximumPrefix, Action: p.MaximumPrefixAction, RestartAfter: p.MaximumPrefixRestart}
			if got != tt.want || p.PrefixLimit(wire.IPv4Unicast) != tt.want || p.FamilyMaximumPrefix != nil {
				t.Errorf("got %+v (family %+v, own %v), want %+v", got, p.PrefixLimit(wire.IPv4Unicast), p.FamilyMaximumPrefix, tt.want)
			}
		})
	}
}

// TestMaxPrefixFamily: a family's own limit replaces the peer's for that
// family only; the family block (with its limits) is inherited and
// replaced whole, like the rest of it.
func TestMaxPrefixFamily(t *testing.T) {
	cfg := mustParse(t, `
bgp {
  local-as 65001;
  maximum-prefix 100 warning-only;
  family {
    ipv4 unicast { maximum-prefix 1000 restart 2m; }
    ipv6 unicast;
    ipv4 multicast { maximum-prefix 0; }
    ipv6 multicast { }
  }
  peer inherits { remote { ip 192.0.2.1; as 65002; } }
  peer replaces {
    remote { ip 192.0.2.2; as 65002; }
    maximum-prefix 50;
    family { ipv6 unicast { maximum-prefix 10 warning-only; } ipv4 unicast; }
  }
}`)
	in, re := cfg.Peers[0], cfg.Peers[1]
	v4m := wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIMulticast}
	v6m := wire.Family{AFI: wire.AFIIPv6, SAFI: wire.SAFIMulticast}
	tests := []struct {
		name string
		p    Peer
		f    wire.Family
		want PrefixLimit
	}{
		{"own restart", in, wire.IPv4Unicast, PrefixLimit{1000, ActionRestart, 120}},
		{"peer's", in, wire.IPv6Unicast, PrefixLimit{100, ActionWarningOnly, 0}},
		{"own 0: no limit", in, v4m, PrefixLimit{0, ActionTeardown, 0}},
		{"empty braces: peer's", in, v6m, PrefixLimit{100, ActionWarningOnly, 0}},
		{"replaced: own", re, wire.IPv6Unicast, PrefixLimit{10, ActionWarningOnly, 0}},
		{"replaced: the peer's, not bgp's family limit", re, wire.IPv4Unicast, PrefixLimit{50, ActionTeardown, 0}},
	}
	for _, tt := range tests {
		if got := tt.p.PrefixLimit(tt.f); got != tt.want {
			t.Errorf("%s: %s %s: got %+v, want %+v", tt.name, tt.p.Name, tt.f, got, tt.want)
		}
	}
	wantFams := []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast, v4m, v6m}
	if !reflect.DeepEqual(in.Families, wantFams) || len(in.FamilyMaximumPrefix) != 2 || len(re.FamilyMaximumPrefix) != 1 {
		t.Errorf("families %v, own limits %v and %v", in.Families, in.FamilyMaximumPrefix, re.FamilyMaximumPrefix)
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		`"maximum-prefix":100,`, `"maximum-prefix-action":"warning-only"`,
		`"family-maximum-prefix":{"ipv4/multicast":{"limit":0,"action":"teardown"},"ipv4/unicast":{"limit":1000,"action":"restart","restart-after":120}}`,
	} {
		if !strings.Contains(string(b), w) {
			t.Errorf("JSON %s\nlacks %s", b, w)
		}
	}
	if in.Equal(re) || !in.Equal(in) {
		t.Error("Equal")
	}
}

// TestMaxPrefixErrors: every malformed maximum-prefix is reported where
// it is written.
func TestMaxPrefixErrors(t *testing.T) {
	peer := func(s string) string { return strings.Replace(base, "%s", s, 1) }
	tests := []struct {
		name, src string
		want      []string
	}{
		{"no value", peer("maximum-prefix;"), []string{`1:81: maximum-prefix needs a value: maximum-prefix LIMIT [teardown | warning-only | restart DELAY]`}},
		{"word", peer("maximum-prefix many;"), []string{`1:82: invalid maximum-prefix "many" (want a number of prefixes, 0..4294967295)`}},
		{"negative", peer("maximum-prefix -1;"), []string{`invalid maximum-prefix "-1"`}},
		{"too big", peer("maximum-prefix 4294967296;"), []string{`invalid maximum-prefix "4294967296"`}},
		{"list", peer("maximum-prefix [ 1 ];"), []string{`1:82: maximum-prefix takes words, not a list`}},
		{"action typo", peer("maximum-prefix 10 restrat 5;"), []string{`1:85: invalid maximum-prefix action "restrat" (want teardown, warning-only, restart; did you mean restart?)`}},
		{"warning", peer("maximum-prefix 10 warning;"), []string{`invalid maximum-prefix action "warning" (want teardown, warning-only, restart; did you mean warning-only?)`}},
		{"unknown action", peer("maximum-prefix 10 shutdown;"), []string{`invalid maximum-prefix action "shutdown" (want teardown, warning-only, restart)`}},
		{"restart without delay", peer("maximum-prefix 10 restart;"), []string{`1:92: maximum-prefix 10 restart needs a delay`}},
		{"restart delay word", peer("maximum-prefix 10 restart soon;"), []string{`1:93: maximum-prefix: invalid restart delay "soon"`}},
		{"restart 0", peer("maximum-prefix 10 restart 0;"), []string{`restart delay "0" is out of range (want whole seconds from 1s to 168h)`}},
		{"restart fraction", peer("maximum-prefix 10 restart 1.5s;"), []string{`restart delay "1.5s" is out of range`}},
		{"restart too long", peer("maximum-prefix 10 restart 169h;"), []string{`restart delay "169h" is out of range`}},
		{"restart two delays", peer("maximum-prefix 10 restart 5 6;"), []string{`1:95: maximum-prefix takes one delay after restart, found another: 6`}},
		{"after warning-only", peer("maximum-prefix 10 warning-only 5;"), []string{`1:98: maximum-prefix warning-only takes nothing after it, found 5`}},
		{"twice", peer("maximum-prefix 1; maximum-prefix 2;"), []string{`maximum-prefix is given twice`}},
		{"block", peer("maximum-prefix { limit 1; }"), []string{`maximum-prefix takes a value, not a block`}},
		{"family option typo", peer("family { ipv4 unicast { maximum-prefixes 1; } }"), []string{`unknown key "maximum-prefixes" (did you mean maximum-prefix?)`}},
		{"family option unknown", peer("family { ipv4 unicast { hold-time 3; } }"), []string{`unknown key "hold-time" in family AFI SAFI (it belongs in bgp, a group or a peer)`}},
		{"family option bad", peer("family { ipv4 unicast { maximum-prefix 1 restart; } }"), []string{`maximum-prefix 1 restart needs a delay`}},
		{"family option twice", peer("family { ipv4 unicast { maximum-prefix 1; maximum-prefix 2; } }"), []string{`maximum-prefix is given twice`}},
		{"family with braces unknown", peer("family { ipv4 unicst { maximum-prefix 1; } }"), []string{`unknown family "ipv4 unicst"`}},
		{"family twice with braces", peer("family { ipv4 unicast; ipv4 unicast { maximum-prefix 1; } }"), []string{`ipv4/unicast is given twice`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkProblems(t, tt.src, tt.want) })
	}
}

// TestProcessKeys: the process block's keys and their defaults.
func TestProcessKeys(t *testing.T) {
	cfg := mustParse(t, `
process plain { run ./a; }
process tuned {
  run ./b;
  encoder ze-json;
  respawn 0;
  queue 16;
  on-full drop-events;
  withdraw-on-exit false;
}`)
	want := []Process{
		{Name: "plain", Run: []string{"./a"}, Encoder: "json", Respawn: 5, Queue: 4096, OnFull: "drop-process", WithdrawOnExit: true},
		{Name: "tuned", Run: []string{"./b"}, Encoder: "ze-json", Respawn: 0, Queue: 16, OnFull: "drop-events", WithdrawOnExit: false},
	}
	if !reflect.DeepEqual(cfg.Processes, want) {
		t.Errorf("got  %+v\nwant %+v", cfg.Processes, want)
	}
	for _, tt := range []struct{ src, want string }{
		{"process p { run x; encoder yaml; }", `invalid encoder "yaml" (want json, text, ze-json)`},
		{"process p { run x; encoder zejson; }", `did you mean ze-json?`},
		{"process p { run x; respawn -1; }", `invalid respawn "-1"`},
		{"process p { run x; respawn 1001; }", `respawn 1001 is out of range (want integer, 0..1000)`},
		{"process p { run x; queue 0; }", `queue 0 is out of range (want integer, 1..1048576)`},
		{"process p { run x; on-full block; }", `invalid on-full "block" (want drop-process, drop-events)`},
		{"process p { run x; withdraw-on-exit maybe; }", `invalid withdraw-on-exit "maybe"`},
		{"process p { run x; withdraw_on_exit; }", `unknown key "withdraw_on_exit" (did you mean withdraw-on-exit?)`},
	} {
		_, err := Parse("t.conf", []byte(tt.src))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %s", tt.src, err, tt.want)
		}
	}
}

// FuzzMaxPrefix protects the maximum-prefix reader: any words after the
// key give a PrefixLimit or errors inside the statement, never a panic;
// and a PrefixLimit read round-trips through String (the restart delay
// in seconds), so --dump and the file agree.
func FuzzMaxPrefix(f *testing.F) {
	for _, s := range []string{"1000", "0", "10 teardown", "10 warning-only", "10 restart 60", "10 restart 5m",
		"10 restart 1h30m", "4294967295 restart 168h", "10 restart", "x", "10 restrat 1", "10 restart 1.5s", "[ 1 ]", "10 warning-only 5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		src := "maximum-prefix " + args + ";"
		nodes, err := syntax.Parse([]byte(src))
		if err != nil || len(nodes) != 1 || nodes[0].Block {
			return
		}
		var c checker
		v, ok := c.maxPrefix(nodes[0])
		if !ok {
			if len(c.errs) == 0 {
				t.Fatal("rejected without an error")
			}
			for _, e := range c.errs {
				if e.Pos.Offset < 0 || e.Pos.Offset > len(src) {
					t.Fatalf("error %v outside the statement %q", e, src)
				}
			}
			return
		}
		l := v.(PrefixLimit)
		if l.Action == ActionRestart && (l.RestartAfter < 1 || l.RestartAfter > 168*3600) {
			t.Fatalf("%q: restart delay %d s out of range", src, l.RestartAfter)
		}
		again, err := syntax.Parse([]byte("maximum-prefix " + l.String() + ";"))
		if err != nil {
			t.Fatalf("%q: String %q does not parse: %v", src, l.String(), err)
		}
		var c2 checker
		v2, ok := c2.maxPrefix(again[0])
		if !ok || v2.(PrefixLimit) != l {
			t.Fatalf("%q: %+v → %q → %+v (%v)", src, l, l.String(), v2, c2.errs)
		}
	})
}
