package config

import (
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

func mustParse(t *testing.T, src string) *Config {
	t.Helper()
	cfg, err := Parse("t.conf", []byte(src))
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	return cfg
}

func TestExample(t *testing.T) {
	src, err := os.ReadFile("testdata/example.conf")
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustParse(t, string(src))
	if len(cfg.Peers) != 1 {
		t.Fatalf("peers %v", cfg.Peers)
	}
	p := cfg.Peers[0]
	want := Peer{
		Name: "peer-east", Group: "my-peers", LocalAS: 65001,
		RouterID:   netip.MustParseAddr("192.168.1.1"),
		LocalAddr:  netip.MustParseAddr("192.168.1.1"),
		Remote:     Remote{IP: netip.MustParseAddr("192.168.1.2"), AS: 65002, Port: 179},
		HoldTime:   90,
		Capability: Capability{ASN4: true, RouteRefresh: true, AddPath: "disable", StaleTime: 360},
		Families:   []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast},
		API:        API{Processes: []string{}},

		MaximumPrefixAction: "teardown",
	}
	if !p.Equal(want) {
		t.Errorf("got  %+v\nwant %+v", p, want)
	}
	if p.Pos.Line != 6 || p.Pos.Col != 5 {
		t.Errorf("pos %v", p.Pos)
	}
	if cfg.Environment.Log != (Log{"info", "text"}) || !reflect.DeepEqual(cfg.Plugins, []string{"bgp-rib"}) {
		t.Errorf("environment %+v plugins %v", cfg.Environment, cfg.Plugins)
	}
}

// TestEveryKey writes every key once and checks where each lands.
func TestEveryKey(t *testing.T) {
	cfg := mustParse(t, `
environment { log { level debug; format json; } }
process w { run "/usr/bin/env" python3 w.py; encoder text; }
plugin { internal bgp-rib; }
bgp {
  description "all of them";
  router-id 10.0.0.1;
  local-as 1.10;
  local-address 2001:db8::1;
  remote { ip 2001:db8::2; as 4200000000; port 1179; }
  hold-time 0;
  passive;
  ttl-security 1;
  md5-password 'se cret';
  capability { asn4 false; route-refresh disable; extended-message; add-path send/receive; graceful-restart 120; stale-time 60; }
  family { ipv6 unicast; ipv4/flow; }
  maximum-prefix 1000;
  route-server-client true;
  route-reflector-client enable;
  cluster-id 10.0.0.9;
  static { route 2001:db8:1::/48 next-hop 2001:db8::1 as-path [ 65001 65002 ] community [65000:1]; }
  api { processes [ w ]; receive { parsed; packets; open; update; notification; keepalive; refresh; state; } send { update; } }
  peer all { }
}`)
	p := cfg.Peers[0]
	all := Messages{true, true, true, true, true, true, true, true}
	want := Peer{
		Name: "all", Description: "all of them", RouterID: netip.MustParseAddr("10.0.0.1"), LocalAS: 65546,
		LocalAddr: netip.MustParseAddr("2001:db8::1"),
		Remote:    Remote{IP: netip.MustParseAddr("2001:db8::2"), AS: 4200000000, Port: 1179},
		Passive:   true, TTLSecurity: 1, MD5Password: "se cret",
		Capability:    Capability{ExtendedMessage: true, AddPath: "send/receive", GracefulRestart: 120, StaleTime: 60},
		Families:      []wire.Family{wire.IPv6Unicast, {AFI: wire.AFIIPv4, SAFI: wire.SAFIFlow}},
		MaximumPrefix: 1000, MaximumPrefixAction: "teardown", RouteServerClient: true, RouteReflectorClient: true,
		ClusterID: netip.MustParseAddr("10.0.0.9"),
		API:       API{Processes: []string{"w"}, Receive: all, Send: Messages{Update: true}},
	}
	got := p
	got.Static = nil
	if !got.Equal(want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if len(p.Static) != 1 || p.Static[0].String() != "route 2001:db8:1::/48 next-hop 2001:db8::1 origin igp as-path [ 65001 65002 ] community [ 65000:1 ]" {
		t.Errorf("static %v", p.Static)
	}
	if cfg.Environment.Log != (Log{"debug", "json"}) {
		t.Errorf("log %+v", cfg.Environment.Log)
	}
	if w := cfg.Processes[0]; !reflect.DeepEqual(w, Process{Name: "w", Run: []string{"/usr/bin/env", "python3", "w.py"}, Encoder: "text",
		Respawn: 5, Queue: 4096, OnFull: "drop-process", WithdrawOnExit: true}) {
		t.Errorf("process %+v", w)
	}
}

const base = "bgp { local-as 65001; peer a { remote { ip 192.0.2.1; as 65002; } %s } }"

func TestErrors(t *testing.T) {
	peer := func(s string) string { return strings.Replace(base, "%s", s, 1) }
	tests := []struct {
		name, src string
		want      []string
	}{
		{"unknown key suggestion", peer("holdtime 90;"), []string{`t.conf:1:67: unknown key "holdtime" (did you mean hold-time?)`}},
		{"unknown key list", peer("foo 1;"), []string{`1:67: unknown key "foo" in peer (want description, router-id,`}},
		{"exabgp hint", "neighbor 192.0.2.1 { }", []string{`1:1: unknown key "neighbor" (ExaBGP's neighbor is peer NAME`}},
		{"key elsewhere", "local-as 65001;", []string{`1:1: unknown key "local-as" at the top level (it belongs in bgp, a group or a peer)`}},
		{"capabilities", peer("capabilities { }"), []string{`unknown key "capabilities" (did you mean capability?)`}},
		{"hold-time range", peer("hold-time 2;"), []string{`1:77: hold-time 2 is out of range (want seconds, 0 or 3..65535)`}},
		{"hold-time word", peer("hold-time x;"), []string{`1:77: invalid hold-time "x" (want seconds, 0 or 3..65535)`}},
		{"hold-time twice", peer("hold-time 3; hold-time 4;"), []string{`1:80: hold-time is given twice in this block (first at line 1)`}},
		{"hold-time no value", peer("hold-time;"), []string{`1:76: hold-time needs a value (seconds, 0 or 3..65535)`}},
		{"hold-time two values", peer("hold-time 3 4;"), []string{`1:79: hold-time takes one value, found another: 4`}},
		{"missing semicolon", "bgp { local-as 65001\n  hold-time 3; }", []string{`2:3: local-as takes one value (missing ; at the end of line 1?)`}},
		{"hold-time list", peer("hold-time [ 3 ];"), []string{`hold-time takes one value, not a list`}},
		{"asn zero", "bgp { local-as 0; }", []string{`1:16: local-as 0 is reserved (RFC 7607)`}},
		{"asn trans", "bgp { local-as 23456; }", []string{`local-as 23456 is AS_TRANS`}},
		{"asn too big", "bgp { local-as 4294967296; }", []string{`invalid local-as "4294967296"`}},
		{"asdot too big", "bgp { local-as 65536.1; }", []string{`invalid local-as "65536.1"`}},
		{"ip", peer("local-address 192.0.2.300;"), []string{`invalid local-address "192.0.2.300" (want an IP address)`}},
		{"ipv4 only", "bgp { router-id 2001:db8::1; }", []string{`invalid router-id "2001:db8::1" (want an IPv4 address)`}},
		{"enum", "environment { log { level inf; } }", []string{`1:27: invalid level "inf" (want debug, info, warning, error; did you mean info?)`}},
		{"flag value", peer("passive maybe;"), []string{`invalid passive "maybe" (want nothing, true or false)`}},
		{"block as value", peer("remote 1;"), []string{`remote is a block: remote { … }`}},
		{"value as block", peer("hold-time { }"), []string{`hold-time takes a value, not a block`}},
		{"named block without name", "bgp { peer { } }", []string{`1:7: peer needs one name: peer NAME { … }`}},
		{"unnamed block with name", "bgp { capability x { } }", []string{`1:18: capability takes no name`}},
		{"family unknown", peer("family { ipv4 unicst; }"), []string{`1:76: unknown family "ipv4 unicst" (did you mean ipv4 unicast?)`}},
		{"family numeric unknown", peer("family { afi-9 safi-9; }"), []string{`unknown family "afi-9 safi-9"`}},
		{"family twice", peer("family { ipv4 unicast; ipv4/unicast; }"), []string{`ipv4/unicast is given twice`}},
		{"family three words", peer("family { ipv4 unicast x; }"), []string{`a family is two words`}},
		{"route keyword", peer("static { route 10.0.0.0/24 nexthop 192.0.2.1; }"), []string{`1:94: route: unknown keyword "nexthop" (did you mean next-hop?)`}},
		{"route prefix", peer("static {\n route 10.0.0.0/33 next-hop 192.0.2.1; }"), []string{`2:8: route: invalid prefix "10.0.0.0/33"`}},
		{"route in list", peer("static { route 10.0.0.0/24 next-hop 192.0.2.1 community [65000:1 no-exprt]; }"), []string{`1:132: route: invalid community "no-exprt"`}},
		{"route family", peer("static { route 2001:db8::/32 next-hop 2001:db8::1; }"), []string{`1:76: peer "a": route 2001:db8::/32 is ipv6/unicast, not one of the peer's families`}},
		{"route withdraw", peer("static { route 10.0.0.0/24; }"), []string{`route: `}},
		{"missing local-as", "bgp { peer a { remote { ip 192.0.2.1; as 65002; } } }", []string{`1:7: peer "a": missing local-as`}},
		{"missing remote", "bgp { local-as 1; peer a { } }", []string{`1:19: peer "a": missing remote`}},
		{"missing remote as", "bgp { local-as 1; peer a { remote { ip 192.0.2.1; } } }", []string{`1:19: peer "a": missing remote as`}},
		{"missing run", "process p { encoder json; }", []string{`1:1: process "p": missing run`}},
		{"duplicate peer name", "bgp { local-as 1; group g { peer a { remote { ip 192.0.2.1; as 2; } } } peer a { remote { ip 192.0.2.2; as 2; } } }", []string{`1:78: peer name "a" is already used (line 1)`}},
		{"duplicate remote ip", "bgp { local-as 1; peer a { remote { ip 192.0.2.1; as 2; } }\n peer b { remote { ip 192.0.2.1; as 2; } } }", []string{`2:20: remote ip 192.0.2.1 is already peer "a"'s (line 1)`}},
		{"duplicate group", "bgp { group g { } group g { } }", []string{`group g is given twice`}},
		{"multihop and gtsm", peer("multihop 2; ttl-security 1;"), []string{`peer "a": multihop and ttl-security exclude each other`}},
		{"address versions", peer("local-address 2001:db8::1;"), []string{`local-address 2001:db8::1 and remote ip 192.0.2.1 are not of the same IP version`}},
		{"md5 too long", peer("md5-password " + strings.Repeat("x", 81) + ";"), []string{`md5-password is longer than 80 characters`}},
		{"unknown process", "process watch { run x; }\n" + peer("api { processes [ wach ]; }"), []string{`peer "a": no process "wach" (did you mean watch?)`}},
		{"unknown plugin", "plugin { internal bgp-ribs; }", []string{`invalid internal "bgp-ribs" (want bgp-rib; did you mean bgp-rib?)`}},
		{"rejected, not also missing", "bgp { local-as 0; peer a { remote { ip 192.0.2.1; as x; } } }", []string{`1:16: local-as 0 is reserved`, `1:54: invalid as "x"`}},
		{"syntax", "bgp { local-as 1 }", []string{`t.conf:1:18: missing ; after local-as`}},
		{"several, in order", "bgp { holdtime 1; local-as 0; }\nfoo;", []string{`1:7: unknown key "holdtime"`, `1:28: local-as 0 is reserved`, `2:1: unknown key "foo"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkProblems(t, tt.src, tt.want) })
	}
}

// checkProblems checks that Parse rejects src with exactly the problems
// want, in order: one line of the error each, holding its text.
func checkProblems(t *testing.T, src string, want []string) {
	t.Helper()
	_, err := Parse("t.conf", []byte(src))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("problem %d:\ngot  %s\nwant %s", i, lines[i], w)
		}
	}
}

func TestInheritance(t *testing.T) {
	cfg := mustParse(t, `
bgp {
  local-as 65001;
  hold-time 30;
  capability { extended-message; }
  family { ipv4 unicast; ipv6 unicast; }
  api { processes [ p ]; receive { update; } }
  group g {
    hold-time 60;
    passive;
    capability { add-path send; }
    remote { as 65002; }
    peer inherits { remote { ip 192.0.2.1; } }
    peer overrides {
      remote { ip 192.0.2.2; as 65003; port 1179; }
      hold-time 90;
      passive false;
      capability { extended-message false; }
      family { ipv6 unicast; }
      api { receive { notification; } }
      local-as 65010;
    }
  }
  peer direct { remote { ip 192.0.2.3; as 65004; } }
}
process p { run x; }`)
	if len(cfg.Peers) != 3 {
		t.Fatalf("peers %v", cfg.Peers)
	}
	in, ov, di := cfg.Peers[0], cfg.Peers[1], cfg.Peers[2]
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	check("group wins over bgp", in.HoldTime, uint16(60))
	check("peer wins over group", ov.HoldTime, uint16(90))
	check("bgp reaches a direct peer", di.HoldTime, uint16(30))
	check("flag from group", in.Passive, true)
	check("flag turned off closer", ov.Passive, false)
	check("local-as from bgp", in.LocalAS, uint32(65001))
	check("local-as closer", ov.LocalAS, uint32(65010))
	check("remote merges: as from group", in.Remote, Remote{netip.MustParseAddr("192.0.2.1"), 65002, 179})
	check("remote merges: peer's as", ov.Remote, Remote{netip.MustParseAddr("192.0.2.2"), 65003, 1179})
	check("capability merges", in.Capability, Capability{ASN4: true, RouteRefresh: true, ExtendedMessage: true, AddPath: "send", StaleTime: 360})
	check("capability key overridden", ov.Capability, Capability{ASN4: true, RouteRefresh: true, AddPath: "send", StaleTime: 360})
	check("direct peer not in group", di.Group+"/"+di.Capability.AddPath, "/disable")
	check("families inherited", in.Families, []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast})
	check("families replaced", ov.Families, []wire.Family{wire.IPv6Unicast})
	check("api inherited", in.API, API{Processes: []string{"p"}, Receive: Messages{Update: true}})
	check("api replaced whole", ov.API, API{Processes: []string{}, Receive: Messages{Notification: true}})
	if in.Equal(ov) || !in.Equal(in) {
		t.Error("Equal")
	}
}

func TestDefaultFamily(t *testing.T) {
	cfg := mustParse(t, "bgp { local-as 1; peer a { remote { ip 2001:db8::1; as 2; } } }")
	if !reflect.DeepEqual(cfg.Peers[0].Families, []wire.Family{wire.IPv6Unicast}) {
		t.Errorf("%v", cfg.Peers[0].Families)
	}
}

func TestSuggest(t *testing.T) {
	keys := peerBlock.names()
	for in, want := range map[string]string{
		"holdtime": "hold-time", "hold_time": "hold-time", "localas": "local-as", "local-address": "local-address",
		"pasive": "passive", "md5": "", "x": "", "routerid": "router-id", "capabilities": "capability",
	} {
		if got := suggest(in, keys); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}
