package fsm

import (
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

// openSent implements RFC 4271 §8.2.2 OpenSent state.
func (m *Machine) openSent(in Input, now time.Time) {
	switch ev := in.Event; {
	case isStart(ev):
		// Start events are ignored.
	case ev == ManualStop:
		// Cease, ConnectRetryTimer to zero, release, drop,
		// ConnectRetryCounter to zero, Idle.
		c := ceaseFor(in)
		m.close(in, now, &c, crcReset)
	case ev == AutomaticStop:
		c := ceaseFor(in)
		m.close(in, now, &c, crcInc)
	case ev == HoldTimerExpires:
		// Hold Timer Expired, then as AutomaticStop.
		n := wire.Notification{Code: wire.CodeHoldTimer}
		m.close(in, now, &n, crcInc)
	case ev == TCPConnectionValid || ev == TCPCRInvalid || ev == TCPCRAcked || ev == TCPConnectionConfirmed:
		// A second connection: the driver tracks it (§6.8) until its
		// OPEN arrives. No change here.
	case ev == TCPConnectionFails:
		// Close the BGP connection, restart the ConnectRetryTimer,
		// keep listening, Active.
		m.stop(HoldTimer)
		m.emit(ActionRelease)
		m.emit(ActionDrop)
		m.start(ConnectRetryTimer, m.cfg.backoff(m.attempts), now)
		m.enter(Active)
	case ev == BGPOpen:
		// DelayOpenTimer and ConnectRetryTimer to zero, send KEEPALIVE,
		// KeepaliveTimer and HoldTimer at their negotiated values,
		// OpenConfirm. An unacceptable hold time is an OPEN error.
		if !m.negotiate(in.Open) {
			m.step(badHoldTime(), now)
			return
		}
		m.stop(DelayOpenTimer)
		m.stop(ConnectRetryTimer)
		m.emit(ActionSendKeepalive)
		m.armSession(now)
		m.enter(OpenConfirm)
	case ev == BGPHeaderErr || ev == BGPOpenMsgErr:
		// The error's NOTIFICATION, release, drop, counter + 1, Idle.
		n := errorFor(in)
		m.close(in, now, &n, crcInc)
	case ev == OpenCollisionDump:
		m.collisionDump(in, now)
	case ev == NotifMsgVerErr:
		// Release, drop, Idle; the counter is left alone.
		m.close(in, now, nil, crcKeep)
	case ev == NotifMsg:
		// RFC 4271 lists event 25 with the FSM errors here; ze does not
		// answer a NOTIFICATION with one (§6.4: the peer already closes).
		m.close(in, now, nil, crcInc)
	case ev == SendHoldTimerExpires:
		m.sendHoldExpired(in, now)
	default:
		// Any other event (9, 11-13, 20, 26-28): FSM Error, with RFC
		// 6608's "unexpected message in OpenSent" subcode for messages.
		m.fsmError(in, now, 1)
	}
}

// openConfirm implements RFC 4271 §8.2.2 OpenConfirm state.
func (m *Machine) openConfirm(in Input, now time.Time) {
	switch ev := in.Event; {
	case isStart(ev):
		// Start events are ignored.
	case ev == ManualStop:
		c := ceaseFor(in)
		m.close(in, now, &c, crcReset)
	case ev == AutomaticStop:
		c := ceaseFor(in)
		m.close(in, now, &c, crcInc)
	case ev == HoldTimerExpires:
		n := wire.Notification{Code: wire.CodeHoldTimer}
		m.close(in, now, &n, crcInc)
	case ev == KeepaliveTimerExpires:
		// Send KEEPALIVE, restart the KeepaliveTimer, stay.
		m.keepaliveDue(now)
	case ev == TCPConnectionValid || ev == TCPCRInvalid || ev == TCPCRAcked || ev == TCPConnectionConfirmed:
		// A second connection, tracked by the driver (§6.8).
	case ev == TCPConnectionFails || ev == NotifMsg:
		// Release, drop, counter + 1, Idle.
		m.close(in, now, nil, crcInc)
	case ev == NotifMsgVerErr:
		m.close(in, now, nil, crcKeep)
	case ev == BGPOpen:
		// RFC 4271 runs collision detection here. With one Machine per
		// connection an OPEN that collides arrives on the other
		// Machine, and the driver dumps the loser (Resolve,
		// OpenCollisionDump); a second OPEN on this connection is
		// unexpected (RFC 6608 subcode 2).
		m.fsmError(in, now, 2)
	case ev == BGPHeaderErr || ev == BGPOpenMsgErr:
		n := errorFor(in)
		m.close(in, now, &n, crcInc)
	case ev == OpenCollisionDump:
		m.collisionDump(in, now)
	case ev == KeepAliveMsg:
		// Restart the HoldTimer, Established. RFC 9687 §4.3: start the
		// SendHoldTimer.
		if m.hold > 0 {
			m.start(HoldTimer, m.hold, now)
		}
		if m.sendHold > 0 {
			m.start(SendHoldTimer, m.sendHold, now)
		}
		m.attempts = 0
		m.enter(Established)
		m.emit(ActionEstablished)
	case ev == SendHoldTimerExpires:
		m.sendHoldExpired(in, now)
	default:
		// Any other event (9, 12-13, 20, 27-28): FSM Error, RFC 6608
		// subcode 2 for messages.
		m.fsmError(in, now, 2)
	}
}

// established implements RFC 4271 §8.2.2 Established state.
func (m *Machine) established(in Input, now time.Time) {
	switch ev := in.Event; {
	case isStart(ev):
		// Start events are ignored.
	case ev == ManualStop:
		// Cease, delete the peer's routes, release, drop, counter to
		// zero, Idle.
		c := ceaseFor(in)
		m.close(in, now, &c, crcReset)
	case ev == AutomaticStop:
		c := ceaseFor(in)
		m.close(in, now, &c, crcInc)
	case ev == HoldTimerExpires:
		n := wire.Notification{Code: wire.CodeHoldTimer}
		m.close(in, now, &n, crcInc)
	case ev == KeepaliveTimerExpires:
		m.keepaliveDue(now)
	case ev == TCPConnectionValid || ev == TCPCRInvalid || ev == TCPCRAcked || ev == TCPConnectionConfirmed:
		// A second connection, tracked by the driver (§6.8,
		// CollisionDetectEstablishedState).
	case ev == OpenCollisionDump:
		m.collisionDump(in, now)
	case ev == TCPConnectionFails || ev == NotifMsgVerErr || ev == NotifMsg:
		// Delete routes, release, drop, counter + 1, Idle.
		m.close(in, now, nil, crcInc)
	case ev == KeepAliveMsg || ev == UpdateMsg:
		// Restart the HoldTimer unless the hold time is 0; stay.
		if m.hold > 0 {
			m.start(HoldTimer, m.hold, now)
		}
	case ev == UpdateMsgErr:
		// The UPDATE error's NOTIFICATION, delete routes, Idle.
		n := errorFor(in)
		m.close(in, now, &n, crcInc)
	case ev == BGPHeaderErr:
		// RFC 4271 §8.2.2 lists event 21 with the FSM errors; ze sends
		// the header error itself, as §6.1 requires.
		n := errorFor(in)
		m.close(in, now, &n, crcInc)
	case ev == SendHoldTimerExpires:
		m.sendHoldExpired(in, now)
	default:
		// Any other event (9, 12-13, 19-20, 22): FSM Error, RFC 6608
		// subcode 3 for messages. (An OPEN on this connection is one;
		// a colliding OPEN arrives on another Machine.)
		m.fsmError(in, now, 3)
	}
}

// keepaliveDue implements KeepaliveTimer_Expires in OpenConfirm and
// Established: send KEEPALIVE, restart the KeepaliveTimer.
func (m *Machine) keepaliveDue(now time.Time) {
	m.emit(ActionSendKeepalive)
	if m.keepalive > 0 {
		m.start(KeepaliveTimer, m.keepalive, now)
	}
}

// collisionDump implements OpenCollisionDump (event 23): Cease /
// Connection Collision Resolution (RFC 4486 §4), then Idle.
func (m *Machine) collisionDump(in Input, now time.Time) {
	n := wire.Notification{Code: wire.CodeCease, Subcode: wire.SubCollisionResolution}
	m.close(in, now, &n, crcInc)
}

// sendHoldExpired implements RFC 9687 §4.3 SendHoldTimer_Expires: a
// (best-effort) NOTIFICATION Send Hold Timer Expired, release, drop,
// counter + 1, Idle. The driver should not wait on the write: the peer
// is not reading.
func (m *Machine) sendHoldExpired(in Input, now time.Time) {
	n := wire.Notification{Code: wire.CodeSendHoldTimer}
	m.close(in, now, &n, crcInc)
}

// fsmError sends a Finite State Machine Error and falls to Idle. The
// subcode is sub (RFC 6608 §3) when the event is a received message, 0
// otherwise.
func (m *Machine) fsmError(in Input, now time.Time, sub uint8) {
	n := wire.Notification{Code: wire.CodeFSM}
	if in.Event.isMessage() {
		n.Subcode = sub
	}
	m.close(in, now, &n, crcInc)
}

// ceaseFor returns the Cease a stop event sends: the input's own, or
// Administrative Shutdown (ManualStop) / unspecific (AutomaticStop).
func ceaseFor(in Input) wire.Notification {
	if in.Notification.Code != 0 {
		return in.Notification
	}
	if in.Event == ManualStop {
		return wire.Notification{Code: wire.CodeCease, Subcode: wire.SubAdministrativeShutdown}
	}
	return wire.Notification{Code: wire.CodeCease}
}

// errorFor returns the NOTIFICATION an error event sends: the input's
// own, or the generic one of its error code.
func errorFor(in Input) wire.Notification {
	if in.Notification.Code != 0 {
		return in.Notification
	}
	switch in.Event {
	case BGPHeaderErr:
		return wire.Notification{Code: wire.CodeHeader}
	case BGPOpenMsgErr:
		return wire.Notification{Code: wire.CodeOpen}
	}
	return wire.Notification{Code: wire.CodeUpdate}
}

// crcOp is what a fall to Idle does to the ConnectRetryCounter.
type crcOp uint8

const (
	crcKeep crcOp = iota
	crcInc
	crcReset
)

// close is the common fall to Idle: send n when not nil, stop every
// timer, delete the peer's routes when Established, release resources,
// drop the connection, update the ConnectRetryCounter, record why, enter
// Idle, and with AutoRestart (unless stopped) start the IdleHoldTimer.
func (m *Machine) close(in Input, now time.Time, n *wire.Notification, op crcOp) {
	le := LastError{At: now, State: m.state, Event: in.Event}
	if n != nil {
		m.push(Action{Kind: ActionSendNotification, Notification: *n})
		m.counters.NotificationsSent++
		le.Notification, le.Sent = copyNotification(*n), true
	} else if in.Event == NotifMsg || in.Event == NotifMsgVerErr {
		le.Notification = copyNotification(in.Notification)
	}
	if in.Event == NotifMsg || in.Event == NotifMsgVerErr {
		m.counters.NotificationsReceived++
	}
	for t := range numTimers {
		m.stop(t)
	}
	if m.state == Established {
		m.emit(ActionLeftEstablished)
	}
	m.emit(ActionRelease)
	m.emit(ActionDrop)
	switch op {
	case crcInc:
		m.counters.ConnectRetryCounter++
	case crcReset:
		m.counters.ConnectRetryCounter = 0
	}
	m.counters.LastError = le
	m.restartPending = false
	m.enter(Idle)
	if in.Event == ManualStop {
		m.attempts = 0
	}
	if m.cfg.AutoRestart && in.Event != ManualStop && in.Event != AutomaticStop {
		m.start(IdleHoldTimer, m.cfg.backoff(m.attempts), now)
		m.attempts++
		m.restartPending = true
	}
}

func copyNotification(n wire.Notification) wire.Notification {
	if n.Data != nil {
		n.Data = append([]byte(nil), n.Data...)
	}
	return n
}
