package peer

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/testpeer"
)

// Graceful Restart capability TLVs the test peer adds to its OPEN.
var (
	// 40 code 64, 06 length; 4 flags N, restart time 0x078 = 120 s
	// (0x40 0x78); AFI 0001 SAFI 01 flags 00 (F clear).
	grWithN = []byte{0x40, 0x06, 0x40, 0x78, 0x00, 0x01, 0x01, 0x00}
	// The same without N: flags 0, restart time 120.
	grNoN = []byte{0x40, 0x06, 0x00, 0x78, 0x00, 0x01, 0x01, 0x00}
)

func TestHardReset(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   wire.Notification
		want wire.Notification
	}{
		{"admin shutdown wrapped", wire.Notification{Code: wire.CodeCease, Subcode: wire.SubAdministrativeShutdown, Data: []byte{2, 'h', 'i'}},
			// Cease / Hard Reset, data: 06 code, 02 subcode, then the
			// original data (RFC 9003 length 2, "hi").
			wire.Notification{Code: wire.CodeCease, Subcode: wire.SubHardReset, Data: []byte{6, 2, 2, 'h', 'i'}}},
		{"max prefixes wrapped", wire.Notification{Code: wire.CodeCease, Subcode: wire.SubMaxPrefixes},
			wire.Notification{Code: wire.CodeCease, Subcode: wire.SubHardReset, Data: []byte{6, 1}}},
		{"peer de-configured wrapped", wire.Notification{Code: wire.CodeCease, Subcode: wire.SubPeerDeconfigured},
			wire.Notification{Code: wire.CodeCease, Subcode: wire.SubHardReset, Data: []byte{6, 3}}},
		{"admin reset wrapped", wire.Notification{Code: wire.CodeCease, Subcode: wire.SubAdministrativeReset},
			wire.Notification{Code: wire.CodeCease, Subcode: wire.SubHardReset, Data: []byte{6, 4}}},
		{"config change kept", wire.Notification{Code: wire.CodeCease, Subcode: wire.SubOtherConfigChange},
			wire.Notification{Code: wire.CodeCease, Subcode: wire.SubOtherConfigChange}},
		{"collision kept", wire.Notification{Code: wire.CodeCease, Subcode: wire.SubCollisionResolution},
			wire.Notification{Code: wire.CodeCease, Subcode: wire.SubCollisionResolution}},
		{"hold timer kept", wire.Notification{Code: wire.CodeHoldTimer},
			wire.Notification{Code: wire.CodeHoldTimer}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := hardReset(tc.in)
			if got.Code != tc.want.Code || got.Subcode != tc.want.Subcode || !bytes.Equal(got.Data, tc.want.Data) {
				t.Errorf("hardReset = %d/%d %x, want %d/%d %x", got.Code, got.Subcode, got.Data, tc.want.Code, tc.want.Subcode, tc.want.Data)
			}
			if inner, ok := got.HardReset(); ok && (inner.Code != tc.in.Code || inner.Subcode != tc.in.Subcode) {
				t.Errorf("encapsulated %d/%d, want %d/%d", inner.Code, inner.Subcode, tc.in.Code, tc.in.Subcode)
			}
		})
	}
}

func TestGracefulEnd(t *testing.T) {
	hard := wire.Notification{Code: wire.CodeCease, Subcode: wire.SubHardReset, Data: []byte{6, 2}}
	cease := wire.Notification{Code: wire.CodeCease, Subcode: wire.SubOtherConfigChange}
	hold := wire.Notification{Code: wire.CodeHoldTimer}
	for _, tc := range []struct {
		name      string
		gr, nflag bool
		n         wire.Notification
		want      bool
	}{
		{"no capability", false, false, wire.Notification{}, false},
		{"tcp failure", true, false, wire.Notification{}, true},
		{"tcp failure with N", true, true, wire.Notification{}, true},
		{"hold timer without N", true, false, hold, false},
		{"hold timer with N", true, true, hold, true},
		{"cease without N", true, false, cease, false},
		{"cease with N", true, true, cease, true},
		{"hard reset with N", true, true, hard, false},
	} {
		if got := gracefulEnd(tc.gr, tc.nflag, tc.n); got != tc.want {
			t.Errorf("%s: gracefulEnd = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRestartOf(t *testing.T) {
	for _, tc := range []struct {
		name  string
		caps  []byte
		gr, n bool
	}{
		{"none", nil, false, false},
		{"with N", grWithN, true, true},
		{"without N", grNoN, true, false},
		// A value of 3 octets (2 + 4n fails): skipped.
		{"malformed", []byte{0x40, 0x03, 0x40, 0x78, 0x00}, false, false},
	} {
		msg := message.AppendOpen(nil, message.OpenParams{ASN: 65001, HoldTime: 90, RouterID: netip.MustParseAddr("10.0.0.1"), Caps: tc.caps})
		o, err := message.ParseOpen(msg)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if gr, n := restartOf(o); gr != tc.gr || n != tc.n {
			t.Errorf("%s: restartOf = %v %v, want %v %v", tc.name, gr, n, tc.gr, tc.n)
		}
	}
}

// TestGracefulDown: how a session ends decides DownError.Graceful (RFC
// 4724 §4.2, RFC 8538 §4), against the test peer; with N exchanged,
// Stop sends its Cease as a Hard Reset (RFC 8538 §5.1).
func TestGracefulDown(t *testing.T) {
	for _, tc := range []struct {
		name     string
		peerCap  []byte // the test peer's Graceful Restart capability
		ours     uint16 // our restart time (0: not advertised)
		script   string
		stop     bool // Stop once established
		wantCode wire.Code
		wantSub  uint8
		wantSent bool
		graceful bool
	}{
		{"tcp close", grWithN, 120, "close\n", false, 0, 0, false, true},
		{"tcp close, peer without gr", nil, 120, "close\n", false, 0, 0, false, false},
		{"tcp close, we without gr", grWithN, 0, "close\n", false, 0, 0, false, false},
		{"cease without N", grNoN, 120, "send notification 6/6\n", false, wire.CodeCease, wire.SubOtherConfigChange, false, false},
		{"cease with N", grWithN, 120, "send notification 6/6\n", false, wire.CodeCease, wire.SubOtherConfigChange, false, true},
		{"hard reset received", grWithN, 120, "send notification 6/9 hex 0602\n", false, wire.CodeCease, wire.SubHardReset, false, false},
		{"stop with N", grWithN, 120, `expect notification {"notification":{"code":6,"subcode":9,"data":"060203627965","hard-reset":{"code":6,"subcode":2}}}` + "\n", true, wire.CodeCease, wire.SubHardReset, true, false},
		{"stop without N", grNoN, 120, "expect notification 6/2\n", true, wire.CodeCease, wire.SubAdministrativeShutdown, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkLeaks(t)
			pc := peerConfig(testpeer.ModeCheck)
			if tc.peerCap != nil {
				pc.AddCaps = [][]byte{tc.peerCap}
			}
			pc.Script = script(t, tc.script)
			p := testpeer.Start(t, pc)
			cfg := baseConfig(p.Addr())
			cfg.Capabilities.GracefulRestart = tc.ours
			cfg.ConnectRetry, cfg.ConnectRetryMax = time.Minute, time.Minute // no second connection during the test
			rec := newRecorder()
			s := start(t, cfg, rec)
			rec.wait(t, "established", 3*time.Second)
			if tc.stop { // the peer waits: still established
				if open := s.PeerOpen(); !bytes.Contains(open, tc.peerCap) {
					t.Errorf("PeerOpen %x does not hold the capability %x", open, tc.peerCap)
				}
				s.Stop("bye") // RFC 9003 text: length 03, "bye"
			}
			e := rec.wait(t, "down", 3*time.Second)
			var d *DownError
			if !errors.As(e.reason, &d) {
				t.Fatalf("reason %v is not a *DownError", e.reason)
			}
			if d.Notification.Code != tc.wantCode || d.Notification.Subcode != tc.wantSub || d.Sent != tc.wantSent {
				t.Errorf("notification %d/%d sent %v, want %d/%d sent %v", d.Notification.Code, d.Notification.Subcode, d.Sent,
					tc.wantCode, tc.wantSub, tc.wantSent)
			}
			if d.Graceful != tc.graceful {
				t.Errorf("Graceful = %v, want %v (%v)", d.Graceful, tc.graceful, d)
			}
			if s.PeerOpen() != nil {
				t.Error("PeerOpen is not nil once down")
			}
			if err := p.Wait(); err != nil {
				t.Fatalf("check: %v\n%s", err, p.Stderr())
			}
		})
	}
}

// FuzzRestartOf reads arbitrary capability lists as the peer's OPEN
// and checks restartOf against capability.ParseGracefulRestart: it
// protects the OPEN walk that decides the N flag (restart.go).
func FuzzRestartOf(f *testing.F) {
	f.Add(grWithN)
	f.Add(grNoN)
	f.Add(append(append([]byte{}, grNoN...), grWithN...)) // the first one counts
	f.Add([]byte{0x40, 0x01, 0x40})                       // truncated value
	f.Fuzz(func(t *testing.T, caps []byte) {
		if len(caps) > 255 {
			return
		}
		msg := message.AppendOpen(nil, message.OpenParams{ASN: 65001, HoldTime: 90, RouterID: netip.MustParseAddr("10.0.0.1"), Caps: caps})
		o, err := message.ParseOpen(msg)
		if err != nil {
			return
		}
		gr, n := restartOf(o)
		wantGR, wantN := false, false
		it := o.Capabilities()
		for it.Next() {
			if it.Code() != capability.CodeGracefulRestart {
				continue
			}
			if g, err := capability.ParseGracefulRestart(it.Value()); err == nil {
				wantGR, wantN = true, g.Flags()&capability.RestartNotification != 0
				break
			}
		}
		if gr != wantGR || n != wantN || (n && !gr) {
			t.Fatalf("restartOf = %v %v, want %v %v", gr, n, wantGR, wantN)
		}
	})
}
