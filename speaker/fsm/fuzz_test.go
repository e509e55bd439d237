package fsm

import (
	"net/netip"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

// FuzzMachine drives a Machine with a random configuration and a random
// sequence of events, timer expiries and writes at random (even
// backward) times. It protects the FSM's invariants: no panic; the state
// is always one of the six; Established is entered only from OpenConfirm
// on KeepAliveMsg, with ActionEstablished; every NOTIFICATION is followed
// by a Drop; in Idle only the IdleHoldTimer may run; after Expire(now) no
// timer is overdue; the timer actions agree with Deadline.
//
// Input: byte 0 configures (mode, DelayOpen, AutoRestart,
// SendNOTIFICATIONwithoutOPEN, hold 0, SendHoldTimer off), then 3 bytes
// per step: operation/event, time delta, payload (peer hold time or
// notification subcode).
func FuzzMachine(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 16, 0, 0, 19, 0, 90, 26, 0, 0, 27, 10, 0, 11, 40, 0})
	f.Add([]byte{0x3f, 4, 0, 0, 17, 0, 0, 19, 1, 2, 12, 9, 0, 19, 0, 0, 26, 0, 0, 29, 255, 0})
	f.Add([]byte{0x08, 3, 0, 0, 18, 0, 0, 0xe0, 200, 0, 0xe0, 200, 0, 0xf0, 1, 0})
	f.Add([]byte{0x21, 5, 0, 0, 14, 0, 0, 17, 5, 0, 19, 0, 0, 26, 0, 0, 0xf0, 100, 0, 0xe0, 255, 0, 2, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		c := data[0]
		cfg := Config{
			Mode:                        Mode(c & 3 % 3),
			AutoRestart:                 c&0x04 != 0,
			SendNotificationWithoutOpen: c&0x08 != 0,
			NoHoldTime:                  c&0x10 != 0,
			ConnectRetry:                time.Second,
			ConnectRetryMax:             30 * time.Second,
		}
		if c&0x20 != 0 {
			cfg.DelayOpen = 3 * time.Second
		}
		if c&0x40 != 0 {
			cfg.SendHoldTime = -1
		}
		if c&0x80 != 0 {
			cfg.Jitter = func(d time.Duration) time.Duration { return d - d/4 }
		}
		m, err := NewMachine(cfg)
		if err != nil {
			t.Fatal(err)
		}
		now := t0
		var established uint64
		for b := data[1:]; len(b) >= 3; b = b[3:] {
			op, dt, arg := b[0], int8(b[1]), b[2]
			now = now.Add(time.Duration(dt) * time.Second)
			before := m.State()
			var acts []Action
			var in Input
			stepped := false
			switch {
			case op >= 0xf0:
				acts = m.Expire(now)
			case op >= 0xe0:
				acts = m.Sent(now)
			default:
				in = Input{Event: Event(op % 32)}
				switch in.Event {
				case BGPOpen, BGPOpenWithDelayOpenTimer:
					in.Open = Open{HoldTime: uint16(arg), RouterID: netip.AddrFrom4([4]byte{192, 0, 2, arg}), ASN: uint32(arg)}
				case BGPHeaderErr, BGPOpenMsgErr, UpdateMsgErr, NotifMsg, NotifMsgVerErr, ManualStop, AutomaticStop:
					if arg&1 != 0 {
						in.Notification = wire.Notification{Code: wire.Code(arg >> 4), Subcode: arg & 0x0f, Data: []byte{arg}}
					}
				}
				acts = m.Step(in, now)
				stepped = true
			}
			after := m.State()
			if !after.Valid() {
				t.Fatalf("invalid state %d", after)
			}
			entered := after == Established && before != Established
			if entered {
				established++
				if !stepped || before != OpenConfirm || in.Event != KeepAliveMsg {
					t.Fatalf("Established from %v by %v (stepped %v)", before, in.Event, stepped)
				}
			}
			sawEst, pendingDrop := false, false
			for _, a := range acts {
				switch a.Kind {
				case ActionEstablished:
					sawEst = true
				case ActionSendNotification:
					pendingDrop = true
				case ActionDrop:
					pendingDrop = false
				}
			}
			if sawEst != entered {
				t.Fatalf("ActionEstablished %v, entered Established %v", sawEst, entered)
			}
			if pendingDrop {
				t.Fatalf("NOTIFICATION without a Drop: %v", acts)
			}
			if m.Counters().EstablishedCount != established {
				t.Fatalf("EstablishedCount %d, saw %d", m.Counters().EstablishedCount, established)
			}
			if after == Idle {
				for tm := range numTimers {
					if _, ok := m.Deadline(tm); ok && tm != IdleHoldTimer {
						t.Fatalf("%v runs in Idle", tm)
					}
				}
			}
			if op >= 0xf0 {
				if at, ok := m.NextDeadline(); ok && !at.After(now) {
					t.Fatalf("overdue timer after Expire: %v <= %v", at, now)
				}
			}
			// The last start or stop of each timer says where it is now.
			var last [numTimers]*Action
			for i := range acts {
				if a := &acts[i]; a.Kind == ActionStartTimer || a.Kind == ActionStopTimer {
					last[a.Timer] = a
				}
			}
			for tm, a := range last {
				if a == nil {
					continue
				}
				at, ok := m.Deadline(Timer(tm))
				if ok != (a.Kind == ActionStartTimer) || (ok && !at.Equal(a.Deadline)) {
					t.Fatalf("%v: last action %v, Deadline %v %v", Timer(tm), a, at, ok)
				}
			}
		}
	})
}
