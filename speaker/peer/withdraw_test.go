package peer

import (
	"testing"
	"time"
)

// TestWithdrawCounters: Stats.WithdrawUpdates counts the UPDATEs that
// withdraw (Withdrawn Routes or MP_UNREACH_NLRI) and WithdrawPrefixes
// their prefixes; announcements, End-of-RIB and treat-as-withdraw do not
// count (GoBGP's bgp_received_withdraw_update/prefix_total).
func TestWithdrawCounters(t *testing.T) {
	checkLeaks(t)
	// Two IPv4 prefixes withdrawn in one UPDATE:
	//   FF×16 marker, 001F length 31, 02 UPDATE,
	//   0008 withdrawn routes length, 18 0A0001 (10.0.1.0/24), 18 0A0002 (10.0.2.0/24),
	//   0000 path attribute length, no NLRI.
	// Treat-as-withdraw (RFC 7606 §7.1: ORIGIN 5 is undefined):
	//   FF×16, 0029 length 41, 02,
	//   0000 no withdrawn routes, 000E attribute length 14,
	//   40 01 01 05 ORIGIN 5, 40 02 00 AS_PATH empty, 40 03 04 7F000001 NEXT_HOP,
	//   18 0A0003 NLRI 10.0.3.0/24.
	p, cfg := dualStackCheck(t, `
send route 10.0.0.0/24 next-hop 127.0.0.1 as-path [65002]
send route 10.0.1.0/24 next-hop 127.0.0.1 as-path [65002]
send withdraw route 10.0.0.0/24
send hex FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001F020008180A0001180A00020000
send hex FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0029020000000E400101054002004003047F000001180A0003
send route 2001:db8::/32 next-hop ::ffff:127.0.0.1 as-path [65002]
send withdraw route 2001:db8::/32
send eor ipv4/unicast
send eor ipv6/unicast
expect silence 100ms
`)
	rec := newRecorder()
	s := start(t, cfg, rec)
	rec.wait(t, "established", 3*time.Second)
	for range 9 {
		rec.wait(t, "update", 3*time.Second)
	}
	st := s.Stats()
	if st.WithdrawUpdates != 3 || st.WithdrawPrefixes != 4 {
		t.Errorf("withdraw updates %d prefixes %d, want 3 and 4", st.WithdrawUpdates, st.WithdrawPrefixes)
	}
	if st.In["update"] != 9 || st.RFC7606 != 1 {
		t.Errorf("%d updates, %d RFC 7606 verdicts, want 9 and 1", st.In["update"], st.RFC7606)
	}
	if err := p.Wait(); err != nil {
		t.Fatalf("check: %v\n%s", err, p.Stderr())
	}
}
