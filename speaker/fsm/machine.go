package fsm

import (
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

// Machine is the FSM of one BGP connection (RFC 4271 §8: one FSM per
// connection). A peer normally has one, reused from Idle to Established
// and back; while a connection collision is resolved (§6.8, Resolve) the
// session driver runs a second one for the other connection and drops
// the loser with OpenCollisionDump.
//
// A Machine does no I/O and starts no goroutine: the driver feeds it
// events with the current time and performs the returned actions in
// order; its timers are deadlines (NextDeadline) the driver sleeps until
// before calling Expire. It is not safe for concurrent use.
type Machine struct {
	cfg   Config
	state State

	deadline [numTimers]time.Time
	running  [numTimers]bool

	peer      Open // the peer's OPEN, once received
	havePeer  bool
	hold      time.Duration // negotiated hold time; 0: no hold or keepalive timers
	keepalive time.Duration // KEEPALIVE interval when hold is not 0
	sendHold  time.Duration // RFC 9687 SendHoldTime; 0: disabled

	attempts       int  // consecutive connection attempts without Established: the backoff exponent
	restartPending bool // the IdleHoldTimer was started by AutoRestart

	counters Counters
	out      []Action
}

// Counters are what a Machine has counted since NewMachine, for metrics.
type Counters struct {
	Transitions      uint64 // state changes
	EstablishedCount uint64 // entries into Established
	// ConnectRetryCounter is RFC 4271 §8.1.1's: failures since the last
	// start or ManualStop.
	ConnectRetryCounter   uint32
	NotificationsSent     uint64
	NotificationsReceived uint64
	// LastError is why the machine last fell back to Idle; zero Event
	// when it never has.
	LastError LastError
}

// LastError records one fall to Idle.
type LastError struct {
	At    time.Time
	State State // the state the machine left
	Event Event // the event that made it leave
	// Notification is the NOTIFICATION sent (Sent) or received (NotifMsg,
	// NotifMsgVerErr) on the way, zero Code when none. Data is a copy.
	Notification wire.Notification
	Sent         bool
}

// NewMachine returns a Machine in Idle with cfg, its zero fields set to
// the defaults. It fails when cfg.Validate does.
func NewMachine(cfg Config) (*Machine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Machine{cfg: cfg.withDefaults()}, nil
}

// Config returns the configuration in use, defaults filled in.
func (m *Machine) Config() Config { return m.cfg }

// State returns the current state.
func (m *Machine) State() State { return m.state }

// Counters returns a copy of the counters.
func (m *Machine) Counters() Counters { return m.counters }

// Peer returns the peer's OPEN as given with BGPOpen; ok is false before
// one was accepted on this connection.
func (m *Machine) Peer() (o Open, ok bool) {
	return m.peer, m.havePeer
}

// HoldTime returns the negotiated hold time: the smaller of ours and the
// peer's (RFC 4271 §4.2); 0 means no hold and no keepalive timer. It is
// meaningful from OpenConfirm on.
func (m *Machine) HoldTime() time.Duration { return m.hold }

// KeepaliveInterval returns the KEEPALIVE interval: a third of the
// negotiated hold time, or Config.Keepalive when smaller; 0 when the hold
// time is 0 (RFC 4271 §4.4).
func (m *Machine) KeepaliveInterval() time.Duration { return m.keepalive }

// SendHoldTime returns the RFC 9687 SendHoldTime in use, 0 when disabled.
func (m *Machine) SendHoldTime() time.Duration { return m.sendHold }

// Handle processes an event without payload; it is Step(Input{Event: ev}, now).
func (m *Machine) Handle(ev Event, now time.Time) []Action {
	return m.Step(Input{Event: ev}, now)
}

// Step processes one event at time now and returns the actions the driver
// must perform, in order. BGPOpen and BGPOpenWithDelayOpenTimer are the
// same input: the Machine knows whether its DelayOpenTimer runs. Events
// outside 1-29 are ignored. Step never panics and always leaves a valid
// State.
func (m *Machine) Step(in Input, now time.Time) []Action {
	m.out = nil
	m.step(in, now)
	return m.out
}

func (m *Machine) step(in Input, now time.Time) {
	if in.Event == BGPOpen || in.Event == BGPOpenWithDelayOpenTimer {
		in.Event = BGPOpen
		if m.running[DelayOpenTimer] {
			in.Event = BGPOpenWithDelayOpenTimer
		}
	}
	if !in.Event.Valid() {
		return
	}
	switch m.state {
	case Idle:
		m.idle(in, now)
	case Connect:
		m.connect(in, now)
	case Active:
		m.active(in, now)
	case OpenSent:
		m.openSent(in, now)
	case OpenConfirm:
		m.openConfirm(in, now)
	case Established:
		m.established(in, now)
	}
}

// isStart reports whether ev is one of the start events 1, 3-7, which
// every state but Idle ignores.
func isStart(ev Event) bool {
	return ev == ManualStart || (ev >= AutomaticStart && ev <= AutomaticStartWithDampPeerOscillationsAndPassiveTCPEst)
}

// idle implements RFC 4271 §8.2.2 Idle state.
func (m *Machine) idle(in Input, now time.Time) {
	switch ev := in.Event; ev {
	case ManualStart, ManualStartWithPassiveTCPEstablishment:
		// An operator start overrides a pending automatic restart and
		// the backoff.
		m.stop(IdleHoldTimer)
		m.restartPending = false
		m.attempts = 0
		m.begin(ev == ManualStartWithPassiveTCPEstablishment, ev, now)
	case AutomaticStart, AutomaticStartWithPassiveTCPEstablishment,
		AutomaticStartWithDampPeerOscillations, AutomaticStartWithDampPeerOscillationsAndPassiveTCPEst:
		// Damping is not implemented: events 6 and 7 are 3 and 5. An
		// automatic start waits for a pending IdleHoldTimer (backoff).
		if m.running[IdleHoldTimer] {
			return
		}
		m.begin(ev == AutomaticStartWithPassiveTCPEstablishment || ev == AutomaticStartWithDampPeerOscillationsAndPassiveTCPEst, ev, now)
	case IdleHoldTimerExpires:
		// AutoRestart's IdleHoldTimer ran out: an automatic start.
		if m.restartPending {
			m.begin(false, ev, now)
		}
	default:
		// RFC 4271 §8.2.2 Idle: ManualStop and AutomaticStop are
		// ignored, and so is any other event.
	}
}

// begin implements the start events in Idle: ConnectRetryCounter to zero,
// ConnectRetryTimer started, then either a TCP connection initiated and
// Connect, or (passive) Active to wait for the peer's.
func (m *Machine) begin(passive bool, ev Event, now time.Time) {
	m.restartPending = false
	m.counters.ConnectRetryCounter = 0
	m.peer, m.havePeer, m.hold, m.keepalive, m.sendHold = Open{}, false, 0, 0, 0
	m.start(ConnectRetryTimer, m.cfg.backoff(m.attempts), now)
	if passive || m.cfg.Mode == ModePassive {
		m.enter(Active)
		return
	}
	m.emit(ActionConnect)
	m.enter(Connect)
}

// connect implements RFC 4271 §8.2.2 Connect state.
func (m *Machine) connect(in Input, now time.Time) {
	switch ev := in.Event; {
	case isStart(ev):
		// Start events are ignored.
	case ev == ManualStop:
		// Drop the TCP connection, release resources, ConnectRetryCounter
		// and ConnectRetryTimer to zero, Idle.
		m.close(in, now, nil, crcReset)
	case ev == ConnectRetryTimerExpires:
		// Drop the TCP connection, restart the ConnectRetryTimer, clear
		// the DelayOpenTimer, initiate a new connection, stay in Connect.
		m.emit(ActionDrop)
		m.attempts++
		m.start(ConnectRetryTimer, m.cfg.backoff(m.attempts), now)
		m.stop(DelayOpenTimer)
		m.emit(ActionConnect)
	case ev == DelayOpenTimerExpires:
		m.sendOpen(now)
	case ev == TCPConnectionValid || ev == TCPCRInvalid:
		// The driver accepts or rejects the connection; no change.
	case ev == TCPCRAcked || ev == TCPConnectionConfirmed:
		m.connected(now)
	case ev == TCPConnectionFails:
		if m.running[DelayOpenTimer] {
			// Restart the ConnectRetryTimer, clear the DelayOpenTimer,
			// keep listening, Active.
			m.stop(DelayOpenTimer)
			m.start(ConnectRetryTimer, m.cfg.backoff(m.attempts), now)
			m.emit(ActionDrop)
			m.enter(Active)
			return
		}
		// ConnectRetryTimer to zero, drop, release, Idle (the counter
		// is left alone).
		m.close(in, now, nil, crcKeep)
	case ev == BGPOpenWithDelayOpenTimer:
		m.openWhileDelayed(in, now)
	default:
		m.noOpenYet(in, now)
	}
}

// active implements RFC 4271 §8.2.2 Active state.
func (m *Machine) active(in Input, now time.Time) {
	switch ev := in.Event; {
	case isStart(ev):
		// Start events are ignored.
	case ev == ManualStop:
		// With the DelayOpenTimer running and SendNOTIFICATIONwithoutOPEN,
		// a Cease first; then release, counters to zero, Idle.
		var n *wire.Notification
		if m.running[DelayOpenTimer] && m.cfg.SendNotificationWithoutOpen {
			c := ceaseFor(in)
			n = &c
		}
		m.close(in, now, n, crcReset)
	case ev == ConnectRetryTimerExpires:
		// Restart the ConnectRetryTimer, initiate a connection, Connect.
		// A passive-only peer keeps waiting in Active instead (ze).
		m.attempts++
		m.start(ConnectRetryTimer, m.cfg.backoff(m.attempts), now)
		if m.cfg.Mode == ModePassive {
			return
		}
		m.emit(ActionConnect)
		m.enter(Connect)
	case ev == DelayOpenTimerExpires:
		m.sendOpen(now)
	case ev == TCPConnectionValid || ev == TCPCRInvalid:
		// The driver accepts or rejects the connection; no change.
	case ev == TCPCRAcked || ev == TCPConnectionConfirmed:
		m.connected(now)
	case ev == TCPConnectionFails:
		// Clear the DelayOpenTimer, release, ConnectRetryCounter + 1, Idle.
		m.close(in, now, nil, crcInc)
	case ev == BGPOpenWithDelayOpenTimer:
		m.openWhileDelayed(in, now)
	default:
		m.noOpenYet(in, now)
	}
}

// connected implements events 16 and 17 in Connect and Active: with
// DelayOpen, stop the ConnectRetryTimer and start the DelayOpenTimer;
// without, send the OPEN and go to OpenSent.
func (m *Machine) connected(now time.Time) {
	if m.cfg.DelayOpen > 0 {
		m.stop(ConnectRetryTimer)
		m.start(DelayOpenTimer, m.cfg.DelayOpen, now)
		return
	}
	m.sendOpen(now)
}

// sendOpen stops the ConnectRetry and DelayOpen timers, sends the OPEN,
// sets the HoldTimer to the large pre-OPEN value and enters OpenSent.
func (m *Machine) sendOpen(now time.Time) {
	m.stop(ConnectRetryTimer)
	m.stop(DelayOpenTimer)
	m.emit(ActionSendOpen)
	m.start(HoldTimer, m.cfg.OpenHoldTime, now)
	m.enter(OpenSent)
}

// openWhileDelayed implements event 20 in Connect and Active: the peer's
// OPEN arrived before ours was sent. Send OPEN and KEEPALIVE, arm the
// negotiated timers, OpenConfirm.
func (m *Machine) openWhileDelayed(in Input, now time.Time) {
	if !m.negotiate(in.Open) {
		m.step(badHoldTime(), now)
		return
	}
	m.stop(ConnectRetryTimer)
	m.stop(DelayOpenTimer)
	m.emit(ActionSendOpen)
	m.emit(ActionSendKeepalive)
	m.armSession(now)
	m.enter(OpenConfirm)
}

// noOpenYet implements the error events of Connect and Active.
func (m *Machine) noOpenYet(in Input, now time.Time) {
	switch in.Event {
	case BGPHeaderErr, BGPOpenMsgErr:
		// NOTIFICATION only with SendNOTIFICATIONwithoutOPEN; release,
		// drop, ConnectRetryCounter + 1, Idle.
		var n *wire.Notification
		if m.cfg.SendNotificationWithoutOpen {
			c := errorFor(in)
			n = &c
		}
		m.close(in, now, n, crcInc)
	case NotifMsgVerErr:
		// The peer refused our version: with the DelayOpenTimer
		// running the counter is not incremented.
		op := crcInc
		if m.running[DelayOpenTimer] {
			op = crcKeep
		}
		m.close(in, now, nil, op)
	default:
		// Any other event (8, 10-11, 13, 19, 23, 25-29): release, drop,
		// ConnectRetryCounter + 1, Idle.
		m.close(in, now, nil, crcInc)
	}
}

// badHoldTime is the input an OPEN proposing 1 or 2 seconds becomes
// (RFC 4271 §6.2: OPEN Message Error / Unacceptable Hold Time).
func badHoldTime() Input {
	return Input{Event: BGPOpenMsgErr, Notification: wire.Notification{Code: wire.CodeOpen, Subcode: wire.SubUnacceptableHoldTime}}
}

// negotiate records the peer's OPEN and derives the session timers; false
// when its hold time is 1 or 2 seconds.
func (m *Machine) negotiate(o Open) bool {
	if o.HoldTime == 1 || o.HoldTime == 2 {
		return false
	}
	m.peer, m.havePeer = o, true
	m.hold = time.Duration(min(m.cfg.HoldTime, o.HoldTime)) * time.Second
	m.keepalive = 0
	if m.hold > 0 {
		m.keepalive = m.hold / 3
		if k := m.cfg.Keepalive; k > 0 && k < m.keepalive {
			m.keepalive = k
		}
	}
	m.sendHold = m.cfg.sendHold(m.hold)
	return true
}

// armSession starts the KeepaliveTimer and the HoldTimer at their
// negotiated values, or stops both when the hold time is 0.
func (m *Machine) armSession(now time.Time) {
	if m.hold == 0 {
		m.stop(KeepaliveTimer)
		m.stop(HoldTimer)
		return
	}
	m.start(KeepaliveTimer, m.keepalive, now)
	m.start(HoldTimer, m.hold, now)
}
