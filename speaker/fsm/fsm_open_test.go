package fsm

import (
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// RFC 4271 §8.2.2, OpenSent state. reach leaves only the HoldTimer running.
func TestOpenSent(t *testing.T) {
	var rows []row
	rows = append(rows, each(row{name: "ignored", want: OpenSent, crc: crcKeep}, starts...)...)
	rows = append(rows,
		// ManualStop: NOTIFICATION Cease, ConnectRetryTimer to zero,
		// release, drop, ConnectRetryCounter to zero, Idle.
		row{name: "manual stop", in: ev(ManualStop), want: Idle, acts: down("6/2", false, HoldTimer), crc: crcReset},
		// …the driver may choose the Cease (here Administrative Reset).
		row{name: "manual stop reset", in: withNotif(ManualStop, wire.CodeCease, wire.SubAdministrativeReset), want: Idle,
			acts: down("6/4", false, HoldTimer), crc: crcReset},
		// AutomaticStop: Cease, …, ConnectRetryCounter + 1, Idle.
		row{name: "automatic stop", in: ev(AutomaticStop), want: Idle, acts: down("6/0", false, HoldTimer), crc: crcInc},
		// HoldTimer_Expires: NOTIFICATION Hold Timer Expired, …, + 1, Idle.
		row{name: "hold expires", in: ev(HoldTimerExpires), want: Idle, acts: down("4/0", false, HoldTimer), crc: crcInc},
		// TcpConnection_Valid, Tcp_CR_Acked, TcpConnectionConfirmed: a
		// second connection, tracked until its OPEN (§6.8); Tcp_CR_Invalid
		// is ignored.
		row{name: "second connection", in: ev(TCPConnectionValid), want: OpenSent},
		row{name: "second connection", in: ev(TCPCRInvalid), want: OpenSent},
		row{name: "second connection", in: ev(TCPCRAcked), want: OpenSent},
		row{name: "second connection", in: ev(TCPConnectionConfirmed), want: OpenSent},
		// TcpConnectionFails: close the BGP connection, restart the
		// ConnectRetryTimer, keep listening, Active.
		row{name: "fails", in: ev(TCPConnectionFails), want: Active,
			acts: []string{"stop-timer HoldTimer", "release", "drop", "start-timer ConnectRetryTimer"}},
		// BGPOpen: DelayOpenTimer and ConnectRetryTimer to zero, send
		// KEEPALIVE, set the KeepaliveTimer, HoldTimer to the negotiated
		// value, OpenConfirm.
		row{name: "open", in: peerOpen(90), want: OpenConfirm,
			acts: []string{"send-keepalive", "start-timer KeepaliveTimer", "start-timer HoldTimer"}},
		// A negotiated hold time of 0: neither timer runs (§4.2).
		row{name: "open hold 0", in: peerOpen(0), want: OpenConfirm,
			acts: []string{"send-keepalive", "stop-timer HoldTimer"}},
		// A hold time of 1 or 2 s: OPEN Message Error / Unacceptable Hold
		// Time (§6.2), as BGPOpenMsgErr.
		row{name: "open hold 2", in: peerOpen(2), want: Idle, acts: down("2/6", false, HoldTimer), crc: crcInc},
		row{name: "open hold 1", in: peerOpen(1), want: Idle, acts: down("2/6", false, HoldTimer), crc: crcInc},
		// BGPHeaderErr / BGPOpenMsgErr: NOTIFICATION with the error, …,
		// + 1, Idle.
		row{name: "header error", in: withNotif(BGPHeaderErr, wire.CodeHeader, wire.SubBadMessageType), want: Idle,
			acts: down("1/3", false, HoldTimer), crc: crcInc},
		row{name: "open error", in: withNotif(BGPOpenMsgErr, wire.CodeOpen, wire.SubBadPeerAS), want: Idle,
			acts: down("2/2", false, HoldTimer), crc: crcInc},
		row{name: "open error default", in: ev(BGPOpenMsgErr), want: Idle, acts: down("2/0", false, HoldTimer), crc: crcInc},
		// OpenCollisionDump: Cease (RFC 4486: Connection Collision
		// Resolution), …, + 1, Idle.
		row{name: "collision dump", in: ev(OpenCollisionDump), want: Idle, acts: down("6/7", false, HoldTimer), crc: crcInc},
		// NotifMsgVerErr: release, drop, Idle; the counter is not touched.
		row{name: "version", in: ev(NotifMsgVerErr), want: Idle, acts: down("", false, HoldTimer), crc: crcKeep},
		// ze: a NOTIFICATION received is not answered with an FSM error.
		row{name: "notification", in: withNotif(NotifMsg, wire.CodeCease, wire.SubPeerDeconfigured), want: Idle,
			acts: down("", false, HoldTimer), crc: crcInc},
		// RFC 9687 §4.3 (defensive: the SendHoldTimer only runs in
		// Established): Send Hold Timer Expired, close.
		row{name: "send hold expires", in: ev(SendHoldTimerExpires), want: Idle, acts: down("8/0", false, HoldTimer), crc: crcInc},
	)
	// Any other event (9, 11-13, 20, 25-28): NOTIFICATION FSM Error, …, + 1,
	// Idle. RFC 6608 §3: subcode 1 for a message received in OpenSent, 0
	// for the timers.
	rows = append(rows, each(row{name: "other timer", want: Idle, acts: down("5/0", false, HoldTimer), crc: crcInc},
		ConnectRetryTimerExpires, KeepaliveTimerExpires, DelayOpenTimerExpires, IdleHoldTimerExpires)...)
	rows = append(rows, each(row{name: "other message", want: Idle, acts: down("5/1", false, HoldTimer), crc: crcInc},
		KeepAliveMsg, UpdateMsg, UpdateMsgErr)...)
	runRows(t, OpenSent, rows)
}

// RFC 4271 §8.2.2, OpenConfirm state. reach leaves the KeepaliveTimer and
// the HoldTimer running (hold 90 s).
func TestOpenConfirm(t *testing.T) {
	run := []Timer{HoldTimer, KeepaliveTimer}
	var rows []row
	rows = append(rows, each(row{name: "ignored", want: OpenConfirm, crc: crcKeep}, starts...)...)
	rows = append(rows,
		// ManualStop: Cease, release, drop, ConnectRetryCounter to zero,
		// ConnectRetryTimer to zero, Idle.
		row{name: "manual stop", in: ev(ManualStop), want: Idle, acts: down("6/2", false, run...), crc: crcReset},
		// AutomaticStop: Cease, …, + 1, Idle.
		row{name: "automatic stop", in: ev(AutomaticStop), want: Idle, acts: down("6/0", false, run...), crc: crcInc},
		// HoldTimer_Expires: Hold Timer Expired, …, + 1, Idle.
		row{name: "hold expires", in: ev(HoldTimerExpires), want: Idle, acts: down("4/0", false, run...), crc: crcInc},
		// KeepaliveTimer_Expires: send KEEPALIVE, restart the timer, stay.
		row{name: "keepalive due", in: ev(KeepaliveTimerExpires), want: OpenConfirm,
			acts: []string{"send-keepalive", "start-timer KeepaliveTimer"}},
		// A second connection is tracked (§6.8); Tcp_CR_Invalid ignored.
		row{name: "second connection", in: ev(TCPConnectionValid), want: OpenConfirm},
		row{name: "second connection", in: ev(TCPCRInvalid), want: OpenConfirm},
		row{name: "second connection", in: ev(TCPCRAcked), want: OpenConfirm},
		row{name: "second connection", in: ev(TCPConnectionConfirmed), want: OpenConfirm},
		// TcpConnectionFails / NotifMsg: release, drop, + 1, Idle.
		row{name: "fails", in: ev(TCPConnectionFails), want: Idle, acts: down("", false, run...), crc: crcInc},
		row{name: "notification", in: withNotif(NotifMsg, wire.CodeCease, wire.SubAdministrativeShutdown), want: Idle,
			acts: down("", false, run...), crc: crcInc},
		// NotifMsgVerErr: release, drop, Idle, counter untouched.
		row{name: "version", in: ev(NotifMsgVerErr), want: Idle, acts: down("", false, run...), crc: crcKeep},
		// ze: a second OPEN on this connection is an FSM error (RFC 6608
		// subcode 2); a colliding OPEN arrives on the other Machine.
		row{name: "open again", in: peerOpen(90), want: Idle, acts: down("5/2", false, run...), crc: crcInc},
		// BGPHeaderErr / BGPOpenMsgErr: the error's NOTIFICATION, + 1, Idle.
		row{name: "header error", in: withNotif(BGPHeaderErr, wire.CodeHeader, wire.SubConnNotSynchronized), want: Idle,
			acts: down("1/1", false, run...), crc: crcInc},
		row{name: "open error", in: ev(BGPOpenMsgErr), want: Idle, acts: down("2/0", false, run...), crc: crcInc},
		// OpenCollisionDump: Cease, …, + 1, Idle.
		row{name: "collision dump", in: ev(OpenCollisionDump), want: Idle, acts: down("6/7", false, run...), crc: crcInc},
		// KeepAliveMsg: restart the HoldTimer, Established. RFC 9687 §4.3:
		// start the SendHoldTimer.
		row{name: "keepalive", in: ev(KeepAliveMsg), want: Established,
			acts: []string{"start-timer HoldTimer", "start-timer SendHoldTimer", "established"}},
		// …with the SendHoldTimer disabled.
		row{name: "keepalive no send hold", cfg: Config{SendHoldTime: -1}, in: ev(KeepAliveMsg), want: Established,
			acts: []string{"start-timer HoldTimer", "established"}},
		row{name: "send hold expires", in: ev(SendHoldTimerExpires), want: Idle, acts: down("8/0", false, run...), crc: crcInc},
	)
	// Any other event (9, 12-13, 20, 27-28): FSM Error, + 1, Idle; RFC 6608
	// subcode 2 for a message received in OpenConfirm.
	rows = append(rows, each(row{name: "other timer", want: Idle, acts: down("5/0", false, run...), crc: crcInc},
		ConnectRetryTimerExpires, DelayOpenTimerExpires, IdleHoldTimerExpires)...)
	rows = append(rows, each(row{name: "other message", want: Idle, acts: down("5/2", false, run...), crc: crcInc},
		UpdateMsg, UpdateMsgErr)...)
	runRows(t, OpenConfirm, rows)
}

// RFC 4271 §8.2.2, Established state. reach leaves the HoldTimer, the
// SendHoldTimer and the KeepaliveTimer running.
func TestEstablished(t *testing.T) {
	run := []Timer{HoldTimer, SendHoldTimer, KeepaliveTimer}
	var rows []row
	rows = append(rows, each(row{name: "ignored", want: Established, crc: crcKeep}, starts...)...)
	rows = append(rows,
		// ManualStop: Cease, ConnectRetryTimer to zero, delete all routes,
		// release, drop, ConnectRetryCounter to zero, Idle.
		row{name: "manual stop", in: ev(ManualStop), want: Idle, acts: down("6/2", true, run...), crc: crcReset},
		// AutomaticStop: the same with the counter + 1.
		row{name: "automatic stop", in: ev(AutomaticStop), want: Idle, acts: down("6/0", true, run...), crc: crcInc},
		row{name: "max prefixes", in: withNotif(AutomaticStop, wire.CodeCease, wire.SubMaxPrefixes), want: Idle,
			acts: down("6/1", true, run...), crc: crcInc},
		// HoldTimer_Expires: Hold Timer Expired, …, + 1, Idle.
		row{name: "hold expires", in: ev(HoldTimerExpires), want: Idle, acts: down("4/0", true, run...), crc: crcInc},
		// KeepaliveTimer_Expires: send KEEPALIVE, restart the timer.
		row{name: "keepalive due", in: ev(KeepaliveTimerExpires), want: Established,
			acts: []string{"send-keepalive", "start-timer KeepaliveTimer"}},
		// TcpConnection_Valid, Tcp_CR_Acked, TcpConnectionConfirmed: a
		// second connection, tracked until its OPEN; Tcp_CR_Invalid ignored.
		row{name: "second connection", in: ev(TCPConnectionValid), want: Established},
		row{name: "second connection", in: ev(TCPCRInvalid), want: Established},
		row{name: "second connection", in: ev(TCPCRAcked), want: Established},
		row{name: "second connection", in: ev(TCPConnectionConfirmed), want: Established},
		// OpenCollisionDump (CollisionDetectEstablishedState): Cease, delete
		// routes, …, + 1, Idle.
		row{name: "collision dump", in: ev(OpenCollisionDump), want: Idle, acts: down("6/7", true, run...), crc: crcInc},
		// NotifMsgVerErr, NotifMsg, TcpConnectionFails: delete routes,
		// release, drop, + 1, Idle.
		row{name: "fails", in: ev(TCPConnectionFails), want: Idle, acts: down("", true, run...), crc: crcInc},
		row{name: "version", in: ev(NotifMsgVerErr), want: Idle, acts: down("", true, run...), crc: crcInc},
		row{name: "notification", in: withNotif(NotifMsg, wire.CodeCease, wire.SubHardReset), want: Idle,
			acts: down("", true, run...), crc: crcInc},
		// KeepAliveMsg / UpdateMsg: restart the HoldTimer, stay.
		row{name: "keepalive", in: ev(KeepAliveMsg), want: Established, acts: []string{"start-timer HoldTimer"}},
		row{name: "update", in: ev(UpdateMsg), want: Established, acts: []string{"start-timer HoldTimer"}},
		// UpdateMsgErr: the UPDATE error's NOTIFICATION, delete routes, …,
		// + 1, Idle.
		row{name: "update error", in: withNotif(UpdateMsgErr, wire.CodeUpdate, wire.SubMalformedASPath), want: Idle,
			acts: down("3/11", true, run...), crc: crcInc},
		row{name: "update error default", in: ev(UpdateMsgErr), want: Idle, acts: down("3/0", true, run...), crc: crcInc},
		// ze (RFC 4271 §6.1): a header error sends the header error.
		row{name: "header error", in: withNotif(BGPHeaderErr, wire.CodeHeader, wire.SubBadMessageLength), want: Idle,
			acts: down("1/2", true, run...), crc: crcInc},
		// RFC 9687 §4.3 SendHoldTimer_Expires: (best-effort) NOTIFICATION
		// Send Hold Timer Expired, release, drop, + 1, Idle.
		row{name: "send hold expires", in: ev(SendHoldTimerExpires), want: Idle, acts: down("8/0", true, run...), crc: crcInc},
	)
	// Any other event (9, 12-13, 20-22): delete routes, FSM Error, + 1, Idle;
	// RFC 6608 subcode 3 for a message received in Established (an OPEN
	// on this connection is one).
	rows = append(rows, each(row{name: "other timer", want: Idle, acts: down("5/0", true, run...), crc: crcInc},
		ConnectRetryTimerExpires, DelayOpenTimerExpires, IdleHoldTimerExpires)...)
	rows = append(rows, each(row{name: "other message", want: Idle, acts: down("5/3", true, run...), crc: crcInc},
		BGPOpen, BGPOpenMsgErr)...)
	runRows(t, Established, rows)
}

// With a negotiated hold time of 0 no message restarts a HoldTimer and no
// KEEPALIVE is scheduled (RFC 4271 §4.2, §4.4).
func TestHoldTimeZero(t *testing.T) {
	m, _ := NewMachine(Config{})
	for _, in := range []Input{ev(ManualStart), ev(TCPCRAcked), peerOpen(0), ev(KeepAliveMsg)} {
		m.Step(in, t0)
	}
	if m.State() != Established || m.HoldTime() != 0 || m.KeepaliveInterval() != 0 {
		t.Fatalf("state %v hold %v keepalive %v", m.State(), m.HoldTime(), m.KeepaliveInterval())
	}
	if got := strs(m.Handle(UpdateMsg, t0)); len(got) != 0 {
		t.Errorf("UpdateMsg with hold 0: %v", got)
	}
	if _, ok := m.Deadline(KeepaliveTimer); ok {
		t.Error("KeepaliveTimer runs with hold 0")
	}
	// RFC 9687 §6: the SendHoldTimer still runs, at its 8-minute floor.
	if at, ok := m.Deadline(SendHoldTimer); !ok || !at.Equal(t0.Add(MinSendHoldTime)) {
		t.Errorf("SendHoldTimer %v %v", at, ok)
	}
	// Our own hold time of 0 wins over the peer's.
	m, _ = NewMachine(Config{NoHoldTime: true})
	for _, in := range []Input{ev(ManualStart), ev(TCPCRAcked), peerOpen(180)} {
		m.Step(in, t0)
	}
	if m.HoldTime() != 0 {
		t.Errorf("local hold 0, peer 180: negotiated %v", m.HoldTime())
	}
}
