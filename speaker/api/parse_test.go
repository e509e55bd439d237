package api

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

func TestParse(t *testing.T) {
	a := netip.MustParseAddr
	p := netip.MustParsePrefix
	tests := []struct {
		line  string
		check func(t *testing.T, c Command)
	}{
		{"announce route 10.0.0.0/24 next-hop 192.0.2.1 origin igp as-path [ 65001 65002 ] med 10 local-preference 200 community [ 65000:1 no-export ] large-community [ 65000:1:2 ] extended-community [ target:65000:1 ] path-information 7", func(t *testing.T, c Command) {
			want(t, c.Kind == KindAnnounce && len(c.Routes) == 1 && len(c.Neighbors) == 0 && !c.NextHopSelf)
			r := c.Routes[0]
			want(t, r.Prefix == p("10.0.0.0/24") && r.NextHop == a("192.0.2.1") && r.MED == 10 && r.LocalPref == 200 && r.PathID == 7)
			want(t, len(r.Communities) == 2 && len(r.LargeCommunities) == 1 && len(r.ExtCommunities) == 1 && len(r.ASPath) == 1)
		}},
		{"announce route 10.0.0.0/24 next-hop self", func(t *testing.T, c Command) {
			want(t, c.Kind == KindAnnounce && c.NextHopSelf && !c.Routes[0].NextHop.IsValid())
			rs := c.Resolve(a("198.51.100.1"))
			want(t, rs[0].NextHop == a("198.51.100.1") && !c.Routes[0].NextHop.IsValid())
		}},
		{"withdraw route 10.0.0.0/24 next-hop self", func(t *testing.T, c Command) {
			want(t, c.Kind == KindWithdraw && c.Routes[0].Withdraw && c.NextHopSelf)
		}},
		{"withdraw route 2001:db8::/32", func(t *testing.T, c Command) {
			want(t, c.Kind == KindWithdraw && c.Routes[0].Family == wire.IPv6Unicast)
		}},
		{"ANNOUNCE Route 10.0.0.1 next-hop 192.0.2.1", func(t *testing.T, c Command) {
			want(t, c.Kind == KindAnnounce && c.Routes[0].Prefix == p("10.0.0.1/32"))
		}},
		{"announce route 10.0.0.0/24 next-hop 192.0.2.1 watchdog dns withdraw", func(t *testing.T, c Command) {
			want(t, c.Kind == KindAnnounce && c.Watchdog == "dns" && c.WatchdogWithdrawn)
		}},
		{"announce ipv4 unicast 10.0.0.0/24 next-hop 192.0.2.1", func(t *testing.T, c Command) {
			want(t, c.Kind == KindAnnounce && c.Routes[0].Family == wire.IPv4Unicast)
		}},
		{"announce ipv4 multicast 10.0.0.0/24 next-hop 192.0.2.1", func(t *testing.T, c Command) {
			want(t, c.Routes[0].Family == wire.IPv4Multicast)
		}},
		{"announce attributes next-hop 192.0.2.1 med 5 nlri 10.0.0.0/24 10.0.1.0/24 10.0.2.1", func(t *testing.T, c Command) {
			want(t, c.Kind == KindAnnounce && len(c.Routes) == 3)
			want(t, c.Routes[1].Prefix == p("10.0.1.0/24") && c.Routes[2].Prefix == p("10.0.2.1/32") && c.Routes[2].MED == 5 && c.Routes[2].NextHop == a("192.0.2.1"))
		}},
		{"announce attribute next-hop self nlri 10.0.0.0/24 2001:db8::/32", func(t *testing.T, c Command) {
			want(t, len(c.Routes) == 2 && c.NextHopSelf && c.Routes[1].Family == wire.IPv6Unicast)
		}},
		{"withdraw attributes nlri 10.0.0.0/24 10.0.1.0/24", func(t *testing.T, c Command) {
			want(t, c.Kind == KindWithdraw && len(c.Routes) == 2 && c.Routes[1].Withdraw)
		}},
		{"neighbor 192.0.2.1 announce route 10.0.0.0/24 next-hop self", func(t *testing.T, c Command) {
			want(t, len(c.Neighbors) == 1 && c.Neighbors[0].Peer == a("192.0.2.1") && c.Kind == KindAnnounce)
		}},
		{"neighbor 192.0.2.1 local-ip 192.0.2.2 local-as 65001 peer-as 65002 router-id 1.1.1.1 family-allowed ipv4-unicast announce eor", func(t *testing.T, c Command) {
			s := c.Neighbors[0]
			want(t, s.LocalIP == a("192.0.2.2") && s.LocalAS == 65001 && s.PeerAS == 65002 && s.RouterID == a("1.1.1.1") && s.FamilyAllowed == "ipv4-unicast")
			want(t, c.Kind == KindEOR && c.Family == wire.IPv4Unicast)
		}},
		{"neighbor 192.0.2.1 peer-as 65002 , neighbor 2001:db8::1, neighbor 192.0.2.3 withdraw route 10.0.0.0/8", func(t *testing.T, c Command) {
			want(t, len(c.Neighbors) == 3 && c.Neighbors[0].PeerAS == 65002 && c.Neighbors[1].Peer == a("2001:db8::1") && c.Neighbors[2].Peer == a("192.0.2.3"))
		}},
		{"neighbor * announce route 10.0.0.0/24 next-hop 192.0.2.1", func(t *testing.T, c Command) {
			want(t, c.Neighbors[0].Any && c.Match(Neighbor{PeerAddress: a("203.0.113.9")}))
		}},
		{"announce eor ipv6 unicast", func(t *testing.T, c Command) { want(t, c.Kind == KindEOR && c.Family == wire.IPv6Unicast) }},
		{"announce eor ipv4/mpls-vpn", func(t *testing.T, c Command) {
			want(t, c.Family == wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIVPN})
		}},
		{"announce route-refresh ipv4 unicast", func(t *testing.T, c Command) {
			want(t, c.Kind == KindRouteRefresh && c.Family == wire.IPv4Unicast)
		}},
		{"announce watchdog dns", func(t *testing.T, c Command) { want(t, c.Kind == KindWatchdogUp && c.Watchdog == "dns") }},
		{"withdraw watchdog dns", func(t *testing.T, c Command) { want(t, c.Kind == KindWatchdogDown && c.Watchdog == "dns") }},
		{"show neighbor", func(t *testing.T, c Command) { want(t, c.Kind == KindShowNeighbor && c.Detail == "") }},
		{"show neighbor summary", func(t *testing.T, c Command) { want(t, c.Detail == "summary") }},
		{"show neighbor extensive 192.0.2.1", func(t *testing.T, c Command) {
			want(t, c.Detail == "extensive" && c.Peer == a("192.0.2.1"))
		}},
		{"show adj-rib in", func(t *testing.T, c Command) { want(t, c.Kind == KindShowAdjRIB && c.Direction == "in") }},
		{"show adj-rib out extensive ipv6 unicast", func(t *testing.T, c Command) {
			want(t, c.Direction == "out" && c.Detail == "extensive" && c.Family == wire.IPv6Unicast)
		}},
		{"neighbor 192.0.2.1 show adj-rib out", func(t *testing.T, c Command) { want(t, len(c.Neighbors) == 1) }},
		{"flush adj-rib out", func(t *testing.T, c Command) { want(t, c.Kind == KindFlushAdjRIBOut) }},
		{"clear adj-rib in", func(t *testing.T, c Command) { want(t, c.Kind == KindClearAdjRIB && c.Direction == "in") }},
		{"teardown", func(t *testing.T, c Command) { want(t, c.Kind == KindTeardown && c.Subcode == 2) }},
		{"neighbor 192.0.2.1 teardown 4 going away now", func(t *testing.T, c Command) {
			want(t, c.Subcode == 4 && c.Reason == "going away now" && len(c.Neighbors) == 1)
		}},
		{"shutdown", func(t *testing.T, c Command) { want(t, c.Kind == KindShutdown) }},
		{"reload", func(t *testing.T, c Command) { want(t, c.Kind == KindReload) }},
		{"restart", func(t *testing.T, c Command) { want(t, c.Kind == KindRestart) }},
		{"version", func(t *testing.T, c Command) { want(t, c.Kind == KindVersion) }},
		{"help", func(t *testing.T, c Command) { want(t, c.Kind == KindHelp) }},
		{"enable-ack", func(t *testing.T, c Command) { want(t, c.Kind == KindEnableAck) }},
		{"disable-ack", func(t *testing.T, c Command) { want(t, c.Kind == KindDisableAck) }},
		{"  silence-ack \r\n", func(t *testing.T, c Command) { want(t, c.Kind == KindSilenceAck) }},
		{"# a comment", func(t *testing.T, c Command) { want(t, c.Kind == KindComment && c.Text == "a comment") }},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			c, err := Parse(tc.line)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tc.check(t, c)
		})
	}
}

func want(t *testing.T, ok bool) {
	t.Helper()
	if !ok {
		t.Error("unexpected result")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ line, msg string }{
		{"", "empty command"},
		{"   ", "empty command"},
		{"bogus", `unknown command "bogus"`},
		{"announce", "announce needs what"},
		{"announce route", "route needs a prefix"},
		{"announce route 10.0.0.0/33 next-hop 1.2.3.4", `invalid prefix "10.0.0.0/33"`},
		{"announce route 10.0.0.0/24", "has no next-hop"},
		{"announce route 10.0.0.0/24 next-hop", "next-hop needs an address"},
		{"announce route 10.0.0.0/24 next-hop 1.2.3.4 med x", `invalid med "x"`},
		{"announce route 10.0.0.0/24 next-hop 1.2.3.4 lcoal-preference 5", "did you mean local-preference?"},
		{"announce route 10.0.0.0/24 next-hop 1.2.3.4 watchdog", "watchdog needs one name"},
		{"announce attributes next-hop 1.2.3.4", "needs nlri"},
		{"announce attributes next-hop 1.2.3.4 nlri", "needs nlri"},
		{"announce attributes next-hop 1.2.3.4 nlri 10.0.0.0/24 x", `invalid prefix "x" in nlri`},
		{"announce attributes next-hop 1.2.3.4 family ipv4/multicast nlri 10.0.0.0/24 2001:db8::/32", "not in family"},
		{"announce ipv4 flow x", "unsupported family"},
		{"announce flow route x", "not supported"},
		{"announce frobnicate", `unknown announce "frobnicate"`},
		{"announce eor ipv4", "invalid family"},
		{"announce eor bogus family", "invalid family"},
		{"withdraw eor", "withdraw eor is not a command"},
		{"announce route-refresh", "missing AFI SAFI"},
		{"announce watchdog", "needs one name"},
		{"neighbor", "neighbor needs an address"},
		{"neighbor 300.0.0.1 announce eor", "invalid neighbor address"},
		{"neighbor 192.0.2.1", "no command after"},
		{"neighbor 192.0.2.1 peer-as", "peer-as needs a value"},
		{"neighbor 192.0.2.1 peer-as x announce eor", `invalid peer-as "x"`},
		{"neighbor 192.0.2.1 router-id 2001:db8::1 announce eor", "invalid router-id"},
		{"neighbor 192.0.2.1 , announce eor", `expected "neighbor" after ","`},
		{"neighbor 192.0.2.1 shutdown", "does not take a neighbor"},
		{"shutdown now", "takes no argument"},
		{"show", "show needs neighbor or adj-rib"},
		{"show adj-rib", "needs in or out"},
		{"show adj-rib in ipv9 unicast", "invalid family"},
		{"show neighbor summary extensive", "takes one of"},
		{"show neighbor bogus", `unexpected "bogus"`},
		{"flush adj-rib in", "expected flush adj-rib out"},
		{"clear adj-rib", "expected clear adj-rib in|out"},
		{"teardown 256", "invalid teardown subcode"},
		{strings.Repeat("a", MaxLine+1), "longer than"},
	}
	for _, tc := range tests {
		name := tc.line
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tc.line)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded", tc.line)
			}
			if _, ok := err.(*Error); !ok {
				t.Errorf("error %T, want *Error", err)
			}
			if !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "api: ") {
				t.Errorf("error %q, want it to contain %q", err, tc.msg)
			}
		})
	}
}

func TestSelectorMatch(t *testing.T) {
	a := netip.MustParseAddr
	n := Neighbor{LocalAddress: a("192.0.2.2"), PeerAddress: a("192.0.2.1"), LocalAS: 65001, PeerAS: 65002, RouterID: a("1.1.1.1")}
	for _, tc := range []struct {
		line string
		ok   bool
	}{
		{"announce eor", true},
		{"neighbor 192.0.2.1 announce eor", true},
		{"neighbor 192.0.2.9 announce eor", false},
		{"neighbor 192.0.2.9, neighbor 192.0.2.1 announce eor", true},
		{"neighbor 192.0.2.1 peer-as 65002 local-as 65001 local-ip 192.0.2.2 router-id 1.1.1.1 announce eor", true},
		{"neighbor 192.0.2.1 peer-as 65009 announce eor", false},
		{"neighbor 192.0.2.1 local-as 65009 announce eor", false},
		{"neighbor 192.0.2.1 local-ip 192.0.2.9 announce eor", false},
		{"neighbor 192.0.2.1 router-id 9.9.9.9 announce eor", false},
		{"neighbor * peer-as 65002 announce eor", true},
	} {
		c, err := Parse(tc.line)
		if err != nil {
			t.Fatal(err)
		}
		if c.Match(n) != tc.ok {
			t.Errorf("%q: Match = %v", tc.line, !tc.ok)
		}
	}
}

func TestKindString(t *testing.T) {
	if KindShowAdjRIB.String() != "show-adj-rib" || Kind(200).String() != "kind-200" {
		t.Error("Kind.String")
	}
}
