package api

import "testing"

// FuzzParse protects Parse: no input may panic it, every failure is an
// *Error, and a success is a well-formed Command (a known Kind; route
// commands carry routes of the right action, no next hop when "self").
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"announce route 10.0.0.0/24 next-hop self med 5",
		"neighbor 192.0.2.1 local-as 1 , neighbor * announce attributes next-hop 1.2.3.4 nlri 10.0.0.0/8 2001:db8::/32",
		"withdraw route 10.0.0.0/24 next-hop self watchdog x withdraw",
		"announce eor ipv6 unicast", "announce route-refresh l2vpn evpn", "show adj-rib out extensive ipv4 unicast",
		"teardown 2 bye", "silence-ack", "# x", "neighbor 1.2.3.4, neighbor", "announce ipv6 multicast ::/0 next-hop ::1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c, err := Parse(line)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T", err)
			}
			return
		}
		if c.Kind == KindInvalid {
			t.Fatal("success with KindInvalid")
		}
		if c.Kind == KindAnnounce || c.Kind == KindWithdraw {
			if len(c.Routes) == 0 {
				t.Fatal("route command without routes")
			}
			for _, r := range c.Routes {
				if r.Withdraw != (c.Kind == KindWithdraw) || (c.NextHopSelf && r.NextHop.IsValid()) {
					t.Fatalf("bad route %+v", r)
				}
			}
		}
	})
}
