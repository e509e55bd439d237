package peer

import (
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/testpeer"
)

// waitState polls until s's session is in state st.
func waitState(t *testing.T, s *Session, st fsm.State, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for s.State() != st {
		if time.Now().After(deadline) {
			t.Fatalf("state %v after %v, want %v", s.State(), d, st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCollisionOpenConfirm: ze's outgoing connection waits in
// OpenConfirm (the peer sent OPEN but no KEEPALIVE) when the same peer
// (router ID 10.0.0.2) connects in; RFC 4271 §6.8 keeps the connection
// opened by the higher BGP identifier and dumps the other with Cease /
// Connection Collision Resolution (6/7).
func TestCollisionOpenConfirm(t *testing.T) {
	for _, tt := range []struct {
		name    string
		localID string
		keep    fsm.Direction
	}{
		{"peer higher keeps incoming", "10.0.0.1", fsm.Incoming},
		{"ze higher keeps outgoing", "10.0.0.3", fsm.Outgoing},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkLeaks(t)
			var sp atomic.Pointer[Session]
			ln := listen(t, &sp)

			// Connection 1: ze dials; the peer answers OPEN only, and a
			// KEEPALIVE later if the connection still stands.
			p1c := peerConfig(testpeer.ModeCheck)
			first := "expect notification 6/7\n"
			if tt.keep == fsm.Outgoing {
				first = "sleep 300ms\nsend keepalive\nexpect silence 200ms\n"
			}
			p1c.Script = script(t, "handshake manual\nsend open\nexpect open\nexpect keepalive\n"+first)
			p1 := testpeer.Start(t, p1c)

			cfg := baseConfig(p1.Addr())
			cfg.RouterID = netip.MustParseAddr(tt.localID)
			rec := newRecorder()
			s := start(t, cfg, rec)
			sp.Store(s)
			waitState(t, s, fsm.OpenConfirm, 3*time.Second)

			// Connection 2: the same peer dials ze.
			p2c := peerConfig(testpeer.ModeSink)
			if tt.keep == fsm.Outgoing {
				p2c = peerConfig(testpeer.ModeCheck)
				p2c.Script = script(t, "expect notification 6/7\n")
			}
			p2c.Dial = tcpAddr(ln).String()
			p2 := testpeer.Start(t, p2c)

			rec.wait(t, "established", 3*time.Second)
			if tt.keep == fsm.Outgoing {
				if err := p2.Wait(); err != nil {
					t.Fatalf("second connection: %v\n%s", err, p2.Stderr())
				}
			}
			if err := p1.Wait(); err != nil {
				t.Fatalf("first connection: %v\n%s", err, p1.Stderr())
			}
			s.mu.Lock()
			dir, extra := s.main.dir, s.extra
			s.mu.Unlock()
			if dir != tt.keep || extra != nil {
				t.Errorf("kept %v (second link %v), want %v alone", dir, extra != nil, tt.keep)
			}
		})
	}
}

// TestCollisionBothDial: two ze sessions dial each other at once; both
// end Established on one and the same TCP connection.
func TestCollisionBothDial(t *testing.T) {
	checkLeaks(t)
	var pa, pb atomic.Pointer[Session]
	la, lb := listen(t, &pa), listen(t, &pb)
	ca := baseConfig(tcpAddr(lb))
	cb := baseConfig(tcpAddr(la))
	cb.LocalASN, cb.RouterID = 65002, netip.MustParseAddr("10.0.0.2")
	ra, rb := newRecorder(), newRecorder()
	a := start(t, ca, ra)
	pa.Store(a)
	b := start(t, cb, rb)
	pb.Store(b)

	deadline := time.Now().Add(5 * time.Second)
	for {
		a.mu.Lock()
		b.mu.Lock()
		ok := a.main.m.State() == fsm.Established && b.main.m.State() == fsm.Established &&
			a.extra == nil && b.extra == nil && a.main.c != nil && b.main.c != nil &&
			a.main.c.nc.LocalAddr().String() == b.main.c.nc.RemoteAddr().String()
		da, db := a.main.dir, b.main.dir
		b.mu.Unlock()
		a.mu.Unlock()
		if ok {
			t.Logf("kept: a %v, b %v", da, db)
			if da == db {
				t.Errorf("both sides call the connection %v", da)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no single established connection: a %v, b %v", a.State(), b.State())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if a.Stats().FSM.EstablishedCount == 0 || b.Stats().FSM.EstablishedCount == 0 {
		t.Error("established count 0")
	}
}
