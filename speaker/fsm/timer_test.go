package fsm

import (
	"slices"
	"testing"
	"time"

	"github.com/ze-bgp/ze/internal/clock"
)

// established returns a Machine in Established at clk's time, negotiated
// with a peer proposing peerHold seconds.
func established(t *testing.T, cfg Config, clk *clock.Fake, peerHold uint16) *Machine {
	t.Helper()
	m, err := NewMachine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []Input{ev(ManualStart), ev(TCPCRAcked), peerOpen(peerHold), ev(KeepAliveMsg)} {
		m.Step(in, clk.Now())
	}
	if m.State() != Established {
		t.Fatalf("setup: %v", m.State())
	}
	return m
}

// kinds returns the kinds of the actions that are not timer bookkeeping.
func kinds(acts []Action) []string {
	var s []string
	for _, a := range acts {
		if a.Kind != ActionStartTimer && a.Kind != ActionStopTimer {
			s = append(s, a.String())
		}
	}
	return s
}

// The HoldTimer expires after the negotiated hold time without a message
// from the peer: NOTIFICATION Hold Timer Expired (4/0), routes deleted,
// Idle (RFC 4271 §8.2.2 Established, event 10).
func TestHoldTimerExpiry(t *testing.T) {
	clk := clock.NewFake(t0)
	m := established(t, Config{}, clk, 90)
	if at, _ := m.Deadline(HoldTimer); !at.Equal(t0.Add(90 * time.Second)) {
		t.Fatalf("HoldTimer deadline %v", at)
	}
	// A KEEPALIVE received at +60 s pushes the deadline to +150 s.
	m.Handle(KeepAliveMsg, clk.Advance(60*time.Second))
	if at, _ := m.Deadline(HoldTimer); !at.Equal(t0.Add(150 * time.Second)) {
		t.Fatalf("HoldTimer after KEEPALIVE %v", at)
	}
	// Nothing is due just before the deadline (the keepalives we send
	// every 30 s, at +30, +60, +90 and +120, are).
	var got []string
	last := t0.Add(150*time.Second - time.Nanosecond)
	for clk.Now().Before(last) {
		at, _ := m.NextDeadline()
		if at.After(last) {
			at = last
		}
		clk.Set(at)
		got = append(got, kinds(m.Expire(clk.Now()))...)
		m.Sent(clk.Now())
	}
	if m.State() != Established || !slices.Equal(got, []string{"send-keepalive", "send-keepalive", "send-keepalive", "send-keepalive"}) {
		t.Fatalf("before expiry: %v, %v", m.State(), got)
	}
	got = kinds(m.Expire(clk.Advance(time.Nanosecond)))
	want := []string{"send-notification 4/0", "left-established", "release", "drop"}
	if !slices.Equal(got, want) || m.State() != Idle {
		t.Fatalf("at expiry: %v in %v, want %v in Idle", got, m.State(), want)
	}
	if le := m.Counters().LastError; le.Event != HoldTimerExpires || le.State != Established || !le.Sent || le.Notification.Code != 4 {
		t.Errorf("LastError %+v", le)
	}
	if _, ok := m.NextDeadline(); ok {
		t.Error("a timer still runs in Idle")
	}
}

// The KEEPALIVE interval is a third of the negotiated hold time, or the
// configured interval when smaller (RFC 4271 §4.4, §10).
func TestKeepaliveInterval(t *testing.T) {
	for _, c := range []struct {
		name     string
		cfg      Config
		peer     uint16
		hold, ka time.Duration
	}{
		{"ours 90 theirs 180", Config{}, 180, 90 * time.Second, 30 * time.Second},
		{"ours 90 theirs 9", Config{}, 9, 9 * time.Second, 3 * time.Second},
		{"minimum 3", Config{}, 3, 3 * time.Second, time.Second},
		{"configured 10", Config{Keepalive: 10 * time.Second}, 90, 90 * time.Second, 10 * time.Second},
		{"configured above a third", Config{Keepalive: 60 * time.Second}, 90, 90 * time.Second, 30 * time.Second},
		{"ours 240", Config{HoldTime: 240}, 65535, 240 * time.Second, 80 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := clock.NewFake(t0)
			m := established(t, c.cfg, clk, c.peer)
			if m.HoldTime() != c.hold || m.KeepaliveInterval() != c.ka {
				t.Fatalf("hold %v keepalive %v, want %v %v", m.HoldTime(), m.KeepaliveInterval(), c.hold, c.ka)
			}
			// The peer keeps the session alive; we send a KEEPALIVE every
			// interval, restarted by Sent.
			for i := 1; i <= 4; i++ {
				at, _ := m.NextDeadline()
				if !at.Equal(t0.Add(time.Duration(i) * c.ka)) {
					t.Fatalf("keepalive %d due at %v, want +%v", i, at.Sub(t0), time.Duration(i)*c.ka)
				}
				clk.Set(at)
				m.Handle(KeepAliveMsg, at)
				if got := kinds(m.Expire(at)); !slices.Equal(got, []string{"send-keepalive"}) {
					t.Fatalf("keepalive %d: %v", i, got)
				}
				m.Sent(at)
			}
		})
	}
}

// The ConnectRetryTimer doubles on every retry up to its cap, each expiry
// asking for a new connection (RFC 4271 §8.2.2 Connect, event 9).
func TestConnectRetryBackoff(t *testing.T) {
	for _, c := range []struct {
		name   string
		cfg    Config
		delays []time.Duration
	}{
		{"double to cap", Config{ConnectRetry: 5 * time.Second, ConnectRetryMax: 40 * time.Second},
			[]time.Duration{5, 10, 20, 40, 40, 40}},
		{"cap not a power of two", Config{ConnectRetry: 5 * time.Second, ConnectRetryMax: 30 * time.Second},
			[]time.Duration{5, 10, 20, 30, 30}},
		{"defaults", Config{}, []time.Duration{5, 10, 20, 40, 80, 120, 120}},
		// RFC 4271 §10: jitter, injected; here a fixed 3/4.
		{"jitter", Config{ConnectRetry: 4 * time.Second, ConnectRetryMax: 16 * time.Second,
			Jitter: func(d time.Duration) time.Duration { return d * 3 / 4 }}, []time.Duration{3, 6, 12, 12}},
	} {
		t.Run(c.name, func(t *testing.T) {
			clk := clock.NewFake(t0)
			m, err := NewMachine(c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			m.Handle(ManualStart, clk.Now())
			for i, d := range c.delays {
				at, ok := m.NextDeadline()
				if want := clk.Now().Add(d * time.Second); !ok || !at.Equal(want) {
					t.Fatalf("attempt %d: retry at +%v, want +%v", i, at.Sub(clk.Now()), d*time.Second)
				}
				clk.Set(at)
				if got := kinds(m.Expire(at)); !slices.Equal(got, []string{"drop", "connect"}) || m.State() != Connect {
					t.Fatalf("attempt %d: %v in %v", i, got, m.State())
				}
			}
			// Reaching Established resets the backoff.
			for _, in := range []Input{ev(TCPCRAcked), peerOpen(90), ev(KeepAliveMsg), ev(ManualStop), ev(ManualStart)} {
				m.Step(in, clk.Now())
			}
			if at, _ := m.Deadline(ConnectRetryTimer); !at.Equal(clk.Now().Add(c.delays[0] * time.Second)) {
				t.Errorf("after Established, first retry at +%v", at.Sub(clk.Now()))
			}
		})
	}
}

// RFC 9687 §4.3: when nothing can be written for the SendHoldTime, the
// SendHoldTimer expires: NOTIFICATION Send Hold Timer Expired (8/0),
// routes deleted, connection closed, Idle. The peer's KEEPALIVEs keep our
// HoldTimer happy all along.
func TestSendHoldTimerExpiry(t *testing.T) {
	clk := clock.NewFake(t0)
	m := established(t, Config{}, clk, 90)
	if m.SendHoldTime() != MinSendHoldTime {
		t.Fatalf("SendHoldTime %v, want the 8-minute default", m.SendHoldTime())
	}
	deadline := t0.Add(MinSendHoldTime)
	var sent int
	for m.State() == Established {
		at, _ := m.NextDeadline()
		clk.Set(at)
		m.Handle(KeepAliveMsg, at) // the peer still talks…
		for _, a := range m.Expire(at) {
			if a.Kind == ActionSendKeepalive {
				sent++ // …our KEEPALIVEs are queued, never written: no Sent.
			}
			if a.Kind == ActionSendNotification && (a.Notification.Code != 8 || a.Notification.Subcode != 0) {
				t.Fatalf("NOTIFICATION %v", a)
			}
		}
	}
	if !clk.Now().Equal(deadline) || m.Counters().LastError.Event != SendHoldTimerExpires {
		t.Fatalf("left Established at +%v by %v, want +8m by SendHoldTimer_Expires", clk.Now().Sub(t0), m.Counters().LastError.Event)
	}
	if sent != 15 { // every 30 s for 8 minutes, the last one lost to the expiry
		t.Errorf("%d KEEPALIVEs asked for", sent)
	}

	// Writes that go through restart it: no expiry.
	clk = clock.NewFake(t0)
	m = established(t, Config{}, clk, 90)
	for clk.Now().Before(t0.Add(time.Hour)) {
		at, _ := m.NextDeadline()
		clk.Set(at)
		m.Handle(KeepAliveMsg, at)
		m.Expire(at)
		m.Sent(at)
	}
	if m.State() != Established {
		t.Fatalf("with writes going through: %v by %v", m.State(), m.Counters().LastError.Event)
	}
}

// RFC 9687 §6: the default SendHoldTime is the larger of 8 minutes and
// twice the negotiated hold time; a configured one is used as is;
// negative disables the timer.
func TestSendHoldTime(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		peer uint16
		want time.Duration
	}{
		{Config{}, 90, 8 * time.Minute},
		{Config{HoldTime: 300}, 300, 10 * time.Minute},
		{Config{HoldTime: 300}, 200, 8 * time.Minute},
		{Config{SendHoldTime: 100 * time.Second}, 90, 100 * time.Second},
		{Config{SendHoldTime: -1}, 90, 0},
	} {
		clk := clock.NewFake(t0)
		m := established(t, c.cfg, clk, c.peer)
		_, running := m.Deadline(SendHoldTimer)
		if m.SendHoldTime() != c.want || running != (c.want > 0) {
			t.Errorf("%+v peer %d: SendHoldTime %v (running %v), want %v", c.cfg, c.peer, m.SendHoldTime(), running, c.want)
		}
	}
}

// Timers due together fire in deadline order, and one that an earlier
// expiry stopped does not fire.
func TestExpireOrder(t *testing.T) {
	clk := clock.NewFake(t0)
	m := established(t, Config{}, clk, 90)
	got := kinds(m.Expire(t0.Add(time.Hour)))
	want := []string{"send-keepalive", "send-notification 4/0", "left-established", "release", "drop"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// AutoRestart: after a failure the IdleHoldTimer waits for the backoff,
// then the Machine starts again by itself; the wait grows with each
// failure. A stop does not restart.
func TestAutoRestart(t *testing.T) {
	clk := clock.NewFake(t0)
	cfg := Config{AutoRestart: true, ConnectRetry: 2 * time.Second, ConnectRetryMax: 8 * time.Second}
	m := established(t, cfg, clk, 90)
	m.Handle(HoldTimerExpires, clk.Now())
	for i, wait := range []time.Duration{2, 4, 8, 8} {
		at, ok := m.Deadline(IdleHoldTimer)
		if !ok || !at.Equal(clk.Now().Add(wait*time.Second)) || m.State() != Idle {
			t.Fatalf("failure %d: restart at %v (%v) in %v, want +%v", i, at.Sub(clk.Now()), ok, m.State(), wait*time.Second)
		}
		// An automatic start does not cut the wait short.
		if acts := m.Handle(AutomaticStart, clk.Now()); len(acts) != 0 {
			t.Fatalf("AutomaticStart during the wait: %v", strs(acts))
		}
		clk.Set(at)
		if got := kinds(m.Expire(at)); !slices.Equal(got, []string{"connect"}) || m.State() != Connect {
			t.Fatalf("failure %d: %v in %v", i, got, m.State())
		}
		m.Handle(TCPConnectionFails, clk.Now()) // refused: Idle again
	}
	// An operator start does not wait.
	if got := kinds(m.Handle(ManualStart, clk.Now())); !slices.Equal(got, []string{"connect"}) {
		t.Fatalf("ManualStart while waiting: %v", got)
	}
	m.Handle(ManualStop, clk.Now())
	if _, ok := m.NextDeadline(); ok || m.State() != Idle {
		t.Fatalf("after ManualStop: %v, timers running", m.State())
	}
	// Without AutoRestart nothing restarts.
	m = established(t, Config{}, clk, 90)
	m.Handle(HoldTimerExpires, clk.Now())
	if _, ok := m.NextDeadline(); ok {
		t.Fatal("a timer runs in Idle without AutoRestart")
	}
	if acts := m.Handle(IdleHoldTimerExpires, clk.Now()); len(acts) != 0 || m.State() != Idle {
		t.Fatalf("stray IdleHoldTimer_Expires: %v", strs(acts))
	}
}

// ModePassive never asks for a connection; the session comes up on the
// peer's (RFC 4271 §8.1.1 PassiveTcpEstablishment).
func TestPassive(t *testing.T) {
	clk := clock.NewFake(t0)
	m, _ := NewMachine(Config{Mode: ModePassive})
	var all []Action
	all = append(all, m.Handle(AutomaticStart, clk.Now())...)
	for range 5 {
		at, _ := m.NextDeadline()
		clk.Set(at)
		all = append(all, m.Expire(at)...)
	}
	if m.State() != Active {
		t.Fatalf("waiting in %v", m.State())
	}
	for _, in := range []Input{ev(TCPConnectionConfirmed), peerOpen(90), ev(KeepAliveMsg)} {
		all = append(all, m.Step(in, clk.Now())...)
	}
	if m.State() != Established {
		t.Fatalf("state %v", m.State())
	}
	for _, a := range all {
		if a.Kind == ActionConnect {
			t.Fatal("a passive peer asked to connect")
		}
	}
	if !ModePassive.Accepts() || ModePassive.Connects() || ModeActive.Accepts() || !ModeBoth.Connects() {
		t.Error("Mode.Accepts/Connects")
	}
}
