package fsm

import (
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

func TestNames(t *testing.T) {
	// Event numbers are RFC 4271 §8.1's and RFC 9687's; BMP carries them.
	for _, c := range []struct {
		e    Event
		n    uint8
		name string
	}{
		{ManualStart, 1, "ManualStart"},
		{AutomaticStartWithDampPeerOscillationsAndPassiveTCPEst, 7, "AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment"},
		{ConnectRetryTimerExpires, 9, "ConnectRetryTimer_Expires"},
		{TCPCRAcked, 16, "Tcp_CR_Acked"},
		{BGPOpenWithDelayOpenTimer, 20, "BGPOpen with DelayOpenTimer running"},
		{OpenCollisionDump, 23, "OpenCollisionDump"},
		{UpdateMsgErr, 28, "UpdateMsgErr"},
		{SendHoldTimerExpires, 29, "SendHoldTimer_Expires"},
		{0, 0, "Event(0)"},
		{30, 30, "Event(30)"},
	} {
		if uint8(c.e) != c.n || c.e.String() != c.name {
			t.Errorf("event %d = %q, want %d %q", c.e, c.e, c.n, c.name)
		}
	}
	for e := ManualStart; e <= MaxEvent; e++ {
		if !e.Valid() || strings.HasPrefix(e.String(), "Event(") {
			t.Errorf("event %d has no name", e)
		}
	}
	states := []string{"Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established", "State(6)"}
	for i, want := range states {
		if got := State(i).String(); got != want || State(i).Valid() != (i < 6) {
			t.Errorf("State(%d) = %q", i, got)
		}
	}
	for tm := range numTimers {
		if tm.Event() == 0 || !strings.HasSuffix(tm.Event().String(), "_Expires") || !strings.HasSuffix(tm.String(), "Timer") {
			t.Errorf("timer %d: %q raises %q", tm, tm, tm.Event())
		}
	}
	if Timer(9).String() != "Timer(9)" || Timer(9).Event() != 0 {
		t.Error("unknown timer")
	}
	if ActionKind(0).String() != "action(0)" || ActionSendOpen.String() != "send-open" {
		t.Error("ActionKind.String")
	}
	if Mode(7).String() != "mode-7" || ModeBoth.String() != "both" || Incoming.String() != "incoming" || Direction(0).String() != "none" {
		t.Error("Mode/Direction String")
	}
}

// RFC 4271 §8.1.5: a NOTIFICATION with OPEN Message Error / Unsupported
// Version Number is event 24, any other event 25.
func TestNotificationEvent(t *testing.T) {
	if e := NotificationEvent(wire.Notification{Code: wire.CodeOpen, Subcode: wire.SubUnsupportedVersion}); e != NotifMsgVerErr {
		t.Errorf("version: %v", e)
	}
	if e := NotificationEvent(wire.Notification{Code: wire.CodeOpen, Subcode: wire.SubBadPeerAS}); e != NotifMsg {
		t.Errorf("bad peer AS: %v", e)
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []Config{
		{HoldTime: 1},
		{HoldTime: 2},
		{NoHoldTime: true, HoldTime: 30},
		{Keepalive: -1},
		{ConnectRetry: time.Minute, ConnectRetryMax: time.Second},
		{SendHoldTime: 90 * time.Second},               // not above the default hold 90 s
		{HoldTime: 600, SendHoldTime: 8 * time.Minute}, // RFC 9687 §4.4
		{Mode: 3},
	}
	for _, c := range bad {
		if _, err := NewMachine(c); err == nil || !strings.HasPrefix(err.Error(), "fsm: ") {
			t.Errorf("%+v accepted (%v)", c, err)
		}
	}
	good := []Config{{}, {HoldTime: 3}, {NoHoldTime: true}, {SendHoldTime: 91 * time.Second}, {SendHoldTime: -1},
		{ConnectRetry: 10 * time.Minute}}
	for _, c := range good {
		m, err := NewMachine(c)
		if err != nil {
			t.Errorf("%+v: %v", c, err)
			continue
		}
		if cfg := m.Config(); cfg.ConnectRetryMax < cfg.ConnectRetry || cfg.OpenHoldTime != DefaultOpenHoldTime {
			t.Errorf("defaults %+v", cfg)
		}
	}
}

// Counters and LastError over a session's life.
func TestCounters(t *testing.T) {
	m, _ := NewMachine(Config{})
	for _, in := range []Input{ev(ManualStart), ev(TCPCRAcked), peerOpen(90), ev(KeepAliveMsg)} {
		m.Step(in, t0)
	}
	data := []byte{5, 'b', 'y', 'e', '!', '!'}
	m.Step(Input{Event: NotifMsg, Notification: wire.Notification{Code: wire.CodeCease, Subcode: wire.SubAdministrativeShutdown, Data: data}}, t0.Add(time.Minute))
	data[1] = 'X' // the record is a copy
	c := m.Counters()
	if c.Transitions != 5 || c.EstablishedCount != 1 || c.ConnectRetryCounter != 1 || c.NotificationsReceived != 1 || c.NotificationsSent != 0 {
		t.Errorf("counters %+v", c)
	}
	le := c.LastError
	if le.Event != NotifMsg || le.State != Established || le.Sent || !le.At.Equal(t0.Add(time.Minute)) {
		t.Errorf("LastError %+v", le)
	}
	if text, _, ok := le.Notification.Communication(); !ok || text != "bye!!" {
		t.Errorf("communication %q %v", text, ok)
	}
	if _, ok := m.Peer(); !ok {
		t.Error("Peer not kept after the session")
	}
	m.Handle(ManualStart, t0)
	if _, ok := m.Peer(); ok {
		t.Error("Peer kept across a restart")
	}
}
