package fsm

import "time"

// Deadline returns when timer t expires; ok is false when it is stopped.
func (m *Machine) Deadline(t Timer) (at time.Time, ok bool) {
	if t >= numTimers || !m.running[t] {
		return time.Time{}, false
	}
	return m.deadline[t], true
}

// NextDeadline returns the earliest deadline of the running timers; ok is
// false when none runs. The driver sleeps until then and calls Expire.
func (m *Machine) NextDeadline() (at time.Time, ok bool) {
	for t := range numTimers {
		if m.running[t] && (!ok || m.deadline[t].Before(at)) {
			at, ok = m.deadline[t], true
		}
	}
	return at, ok
}

// Expire fires, in deadline order, every timer whose deadline is at or
// before now, and returns the actions of the events they raise
// (HoldTimer_Expires…). Timers with the same deadline fire in Timer
// order, the HoldTimer first. A timer stopped by an earlier one's event
// does not fire.
func (m *Machine) Expire(now time.Time) []Action {
	m.out = nil
	// Each timer fires at most once per call: a restarted timer's new
	// deadline is after now unless its interval is not positive, which
	// the Config defaults rule out; the bound is belt and braces.
	for range 2 * numTimers {
		t, ok := m.due(now)
		if !ok {
			break
		}
		m.running[t] = false
		m.step(Input{Event: t.Event()}, now)
	}
	return m.out
}

// due returns the running timer with the earliest deadline not after now.
func (m *Machine) due(now time.Time) (Timer, bool) {
	best, ok := Timer(0), false
	for t := range numTimers {
		if m.running[t] && !m.deadline[t].After(now) && (!ok || m.deadline[t].Before(m.deadline[best])) {
			best, ok = t, true
		}
	}
	return best, ok
}

// Sent tells the Machine that a message was written to the connection at
// now (the socket accepted it). In OpenConfirm and Established it restarts
// the KeepaliveTimer (RFC 4271 §8.2.2: each KEEPALIVE or UPDATE sent
// restarts it) and in Established the SendHoldTimer (RFC 9687 §4: it
// measures how long nothing could be sent). Call it for whole messages
// only, not for a write that is still blocked.
func (m *Machine) Sent(now time.Time) []Action {
	m.out = nil
	if (m.state == OpenConfirm || m.state == Established) && m.running[KeepaliveTimer] {
		m.start(KeepaliveTimer, m.keepalive, now)
	}
	if m.state == Established && m.running[SendHoldTimer] {
		m.start(SendHoldTimer, m.sendHold, now)
	}
	return m.out
}

// start (re)arms timer t to expire d after now.
func (m *Machine) start(t Timer, d time.Duration, now time.Time) {
	m.deadline[t], m.running[t] = now.Add(d), true
	m.push(Action{Kind: ActionStartTimer, Timer: t, Deadline: m.deadline[t]})
}

// stop disarms timer t if it runs.
func (m *Machine) stop(t Timer) {
	if !m.running[t] {
		return
	}
	m.deadline[t], m.running[t] = time.Time{}, false
	m.push(Action{Kind: ActionStopTimer, Timer: t})
}

// emit appends an action that has no fields but its kind.
func (m *Machine) emit(k ActionKind) { m.out = append(m.out, Action{Kind: k}) }

// push appends an action.
func (m *Machine) push(a Action) { m.out = append(m.out, a) }

// enter changes state, counting transitions and Established entries.
func (m *Machine) enter(s State) {
	if s == m.state {
		return
	}
	m.state = s
	m.counters.Transitions++
	if s == Established {
		m.counters.EstablishedCount++
	}
}
