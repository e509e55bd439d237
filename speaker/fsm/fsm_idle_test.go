package fsm

import (
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// RFC 4271 §8.2.2, Idle state.
func TestIdle(t *testing.T) {
	var rows []row
	// ManualStart / AutomaticStart: initialise resources, ConnectRetryCounter
	// to zero, start the ConnectRetryTimer, initiate a TCP connection and
	// listen, go to Connect.
	rows = append(rows, each(row{name: "start", want: Connect, acts: []string{"start-timer ConnectRetryTimer", "connect"}, crc: crcReset},
		ManualStart, AutomaticStart)...)
	// The passive variants do the same without initiating a connection and
	// go to Active.
	rows = append(rows, each(row{name: "passive start", want: Active, acts: []string{"start-timer ConnectRetryTimer"}, crc: crcReset},
		ManualStartWithPassiveTCPEstablishment, AutomaticStartWithPassiveTCPEstablishment)...)
	// Damping is not implemented: events 6 and 7 behave as 3 and 5.
	rows = append(rows,
		row{name: "damped start as automatic", in: ev(AutomaticStartWithDampPeerOscillations), want: Connect,
			acts: []string{"start-timer ConnectRetryTimer", "connect"}, crc: crcReset},
		row{name: "damped passive start as passive", in: ev(AutomaticStartWithDampPeerOscillationsAndPassiveTCPEst), want: Active,
			acts: []string{"start-timer ConnectRetryTimer"}, crc: crcReset},
		// A passive-only peer (ze's ModePassive) takes every start as passive.
		row{name: "passive mode", cfg: Config{Mode: ModePassive}, in: ev(ManualStart), want: Active,
			acts: []string{"start-timer ConnectRetryTimer"}, crc: crcReset},
		row{name: "passive mode automatic", cfg: Config{Mode: ModePassive}, in: ev(AutomaticStart), want: Active,
			acts: []string{"start-timer ConnectRetryTimer"}, crc: crcReset},
	)
	// ManualStop and AutomaticStop are ignored in Idle, and so is any other
	// event (9-28, and 29); 13 without an automatic restart pending too.
	rows = append(rows, each(row{name: "ignored", want: Idle, crc: crcKeep},
		ManualStop, AutomaticStop, ConnectRetryTimerExpires, HoldTimerExpires, KeepaliveTimerExpires,
		DelayOpenTimerExpires, IdleHoldTimerExpires, TCPConnectionValid, TCPCRInvalid, TCPCRAcked,
		TCPConnectionConfirmed, TCPConnectionFails, BGPOpen, BGPOpenWithDelayOpenTimer, BGPHeaderErr,
		BGPOpenMsgErr, OpenCollisionDump, NotifMsgVerErr, NotifMsg, KeepAliveMsg, UpdateMsg, UpdateMsgErr,
		SendHoldTimerExpires)...)
	// Numbers no RFC defines are ignored everywhere.
	rows = append(rows, each(row{name: "undefined event", want: Idle, crc: crcKeep}, 0, 30, 255)...)
	runRows(t, Idle, rows)
}

// RFC 4271 §8.2.2, Connect state.
func TestConnect(t *testing.T) {
	var rows []row
	// Start events are ignored in Connect.
	rows = append(rows, each(row{name: "ignored", want: Connect, crc: crcKeep}, starts...)...)
	rows = append(rows,
		// ManualStop: drop the connection, release all resources,
		// ConnectRetryCounter to zero, ConnectRetryTimer to zero, Idle.
		row{name: "manual stop", in: ev(ManualStop), want: Idle, acts: down("", false, ConnectRetryTimer), crc: crcReset},
		// ConnectRetryTimer_Expires: drop the connection, restart the
		// ConnectRetryTimer, stop the DelayOpenTimer, initiate a TCP
		// connection, stay in Connect.
		row{name: "retry", in: ev(ConnectRetryTimerExpires), want: Connect,
			acts: []string{"drop", "start-timer ConnectRetryTimer", "connect"}},
		row{name: "retry clears delay-open", delay: true, in: ev(ConnectRetryTimerExpires), want: Connect,
			acts: []string{"drop", "start-timer ConnectRetryTimer", "stop-timer DelayOpenTimer", "connect"}},
		// DelayOpenTimer_Expires: send OPEN, HoldTimer to a large value,
		// OpenSent.
		row{name: "delay-open expires", delay: true, in: ev(DelayOpenTimerExpires), want: OpenSent,
			acts: []string{"stop-timer DelayOpenTimer", "send-open", "start-timer HoldTimer"}},
		// TcpConnection_Valid: the connection is processed, stay.
		// Tcp_CR_Invalid: the connection is rejected, stay.
		row{name: "valid", in: ev(TCPConnectionValid), want: Connect},
		row{name: "invalid", in: ev(TCPCRInvalid), want: Connect},
		// Tcp_CR_Acked / TcpConnectionConfirmed without DelayOpen: stop the
		// ConnectRetryTimer, complete initialisation, send OPEN, HoldTimer
		// to a large value (4 minutes), OpenSent.
		row{name: "up", in: ev(TCPCRAcked), want: OpenSent,
			acts: []string{"stop-timer ConnectRetryTimer", "send-open", "start-timer HoldTimer"}},
		row{name: "up", in: ev(TCPConnectionConfirmed), want: OpenSent,
			acts: []string{"stop-timer ConnectRetryTimer", "send-open", "start-timer HoldTimer"}},
		// …with DelayOpen: stop the ConnectRetryTimer, start the
		// DelayOpenTimer, stay in Connect.
		row{name: "up delay-open", cfg: Config{DelayOpen: 1}, in: ev(TCPCRAcked), want: Connect,
			acts: []string{"stop-timer ConnectRetryTimer", "start-timer DelayOpenTimer"}},
		// TcpConnectionFails with the DelayOpenTimer running: restart the
		// ConnectRetryTimer, stop the DelayOpenTimer, keep listening, Active.
		row{name: "fails delayed", delay: true, in: ev(TCPConnectionFails), want: Active,
			acts: []string{"stop-timer DelayOpenTimer", "start-timer ConnectRetryTimer", "drop"}},
		// …without: stop the ConnectRetryTimer, drop, release, Idle.
		row{name: "fails", in: ev(TCPConnectionFails), want: Idle, acts: down("", false, ConnectRetryTimer)},
		// BGPOpen with the DelayOpenTimer running: stop both timers, send
		// OPEN and KEEPALIVE, KeepaliveTimer and HoldTimer at the
		// negotiated values, OpenConfirm.
		row{name: "open while delayed", delay: true, in: peerOpen(90), want: OpenConfirm,
			acts: []string{"stop-timer DelayOpenTimer", "send-open", "send-keepalive", "start-timer KeepaliveTimer", "start-timer HoldTimer"}},
		// …a hold time of 0 starts neither timer.
		row{name: "open while delayed hold 0", delay: true, in: peerOpen(0), want: OpenConfirm,
			acts: []string{"stop-timer DelayOpenTimer", "send-open", "send-keepalive"}},
		// An unacceptable hold time (1 or 2 s) is an OPEN error (RFC 4271
		// §6.2); without SendNOTIFICATIONwithoutOPEN nothing is sent.
		row{name: "open hold 2", delay: true, in: peerOpen(2), want: Idle, acts: down("", false, DelayOpenTimer), crc: crcInc},
		row{name: "open hold 1 notify", cfg: Config{SendNotificationWithoutOpen: true}, delay: true, in: peerOpen(1), want: Idle,
			acts: down("2/6", false, DelayOpenTimer), crc: crcInc},
		// BGPHeaderErr / BGPOpenMsgErr: NOTIFICATION only with
		// SendNOTIFICATIONwithoutOPEN; stop the ConnectRetryTimer, release,
		// drop, ConnectRetryCounter + 1, Idle.
		row{name: "header error", in: withNotif(BGPHeaderErr, wire.CodeHeader, wire.SubBadMessageLength), want: Idle,
			acts: down("", false, ConnectRetryTimer), crc: crcInc},
		row{name: "header error notify", cfg: Config{SendNotificationWithoutOpen: true}, in: withNotif(BGPHeaderErr, wire.CodeHeader, wire.SubBadMessageLength),
			want: Idle, acts: down("1/2", false, ConnectRetryTimer), crc: crcInc},
		row{name: "open error notify", cfg: Config{SendNotificationWithoutOpen: true}, in: ev(BGPOpenMsgErr),
			want: Idle, acts: down("2/0", false, ConnectRetryTimer), crc: crcInc},
		// NotifMsgVerErr with the DelayOpenTimer running: stop timers,
		// release, drop, Idle, counter unchanged; without: counter + 1.
		row{name: "version delayed", delay: true, in: ev(NotifMsgVerErr), want: Idle, acts: down("", false, DelayOpenTimer), crc: crcKeep},
		row{name: "version", in: ev(NotifMsgVerErr), want: Idle, acts: down("", false, ConnectRetryTimer), crc: crcInc},
	)
	// Any other event (8, 10-11, 13, 19, 23, 25-28, and 29): stop the
	// timers, release, drop, ConnectRetryCounter + 1, Idle.
	rows = append(rows, each(row{name: "other", want: Idle, acts: down("", false, ConnectRetryTimer), crc: crcInc},
		AutomaticStop, HoldTimerExpires, KeepaliveTimerExpires, IdleHoldTimerExpires, BGPOpen, OpenCollisionDump,
		NotifMsg, KeepAliveMsg, UpdateMsg, UpdateMsgErr, SendHoldTimerExpires)...)
	runRows(t, Connect, rows)
}

// RFC 4271 §8.2.2, Active state.
func TestActive(t *testing.T) {
	var rows []row
	rows = append(rows, each(row{name: "ignored", want: Active, crc: crcKeep}, starts...)...)
	rows = append(rows,
		// ManualStop: (Cease if the DelayOpenTimer runs and
		// SendNOTIFICATIONwithoutOPEN), release, DelayOpenTimer to zero,
		// drop, ConnectRetryCounter and ConnectRetryTimer to zero, Idle.
		row{name: "manual stop", in: ev(ManualStop), want: Idle, acts: down("", false, ConnectRetryTimer), crc: crcReset},
		row{name: "manual stop delayed", delay: true, in: ev(ManualStop), want: Idle, acts: down("", false, DelayOpenTimer), crc: crcReset},
		row{name: "manual stop delayed notify", cfg: Config{SendNotificationWithoutOpen: true}, delay: true, in: ev(ManualStop),
			want: Idle, acts: down("6/2", false, DelayOpenTimer), crc: crcReset},
		// ConnectRetryTimer_Expires: restart it, initiate a connection,
		// Connect.
		row{name: "retry", in: ev(ConnectRetryTimerExpires), want: Connect, acts: []string{"start-timer ConnectRetryTimer", "connect"}},
		// ze: a passive-only peer never connects; it keeps waiting.
		row{name: "retry passive mode", cfg: Config{Mode: ModePassive}, in: ev(ConnectRetryTimerExpires), want: Active,
			acts: []string{"start-timer ConnectRetryTimer"}},
		// DelayOpenTimer_Expires: stop the timers, send OPEN, HoldTimer
		// large, OpenSent.
		row{name: "delay-open expires", delay: true, in: ev(DelayOpenTimerExpires), want: OpenSent,
			acts: []string{"stop-timer DelayOpenTimer", "send-open", "start-timer HoldTimer"}},
		row{name: "valid", in: ev(TCPConnectionValid), want: Active},
		row{name: "invalid", in: ev(TCPCRInvalid), want: Active},
		// Tcp_CR_Acked / TcpConnectionConfirmed: as in Connect.
		row{name: "up", in: ev(TCPConnectionConfirmed), want: OpenSent,
			acts: []string{"stop-timer ConnectRetryTimer", "send-open", "start-timer HoldTimer"}},
		row{name: "up", in: ev(TCPCRAcked), want: OpenSent,
			acts: []string{"stop-timer ConnectRetryTimer", "send-open", "start-timer HoldTimer"}},
		row{name: "up delay-open", cfg: Config{DelayOpen: 1}, in: ev(TCPConnectionConfirmed), want: Active,
			acts: []string{"stop-timer ConnectRetryTimer", "start-timer DelayOpenTimer"}},
		// TcpConnectionFails: release, ConnectRetryCounter + 1, Idle.
		row{name: "fails", in: ev(TCPConnectionFails), want: Idle, acts: down("", false, ConnectRetryTimer), crc: crcInc},
		// BGPOpen with the DelayOpenTimer running: as in Connect.
		row{name: "open while delayed", delay: true, in: peerOpen(30), want: OpenConfirm,
			acts: []string{"stop-timer DelayOpenTimer", "send-open", "send-keepalive", "start-timer KeepaliveTimer", "start-timer HoldTimer"}},
		// BGPHeaderErr / BGPOpenMsgErr: as in Connect.
		row{name: "open error", in: ev(BGPOpenMsgErr), want: Idle, acts: down("", false, ConnectRetryTimer), crc: crcInc},
		row{name: "header error notify delayed", cfg: Config{SendNotificationWithoutOpen: true}, delay: true, in: ev(BGPHeaderErr),
			want: Idle, acts: down("1/0", false, DelayOpenTimer), crc: crcInc},
		// NotifMsgVerErr: as in Connect.
		row{name: "version delayed", delay: true, in: ev(NotifMsgVerErr), want: Idle, acts: down("", false, DelayOpenTimer), crc: crcKeep},
		row{name: "version", in: ev(NotifMsgVerErr), want: Idle, acts: down("", false, ConnectRetryTimer), crc: crcInc},
	)
	// Any other event (8, 10-11, 13, 19, 23, 25-28, 29): Idle, counter + 1.
	rows = append(rows, each(row{name: "other", want: Idle, acts: down("", false, ConnectRetryTimer), crc: crcInc},
		AutomaticStop, HoldTimerExpires, KeepaliveTimerExpires, IdleHoldTimerExpires, BGPOpen, OpenCollisionDump,
		NotifMsg, KeepAliveMsg, UpdateMsg, UpdateMsgErr, SendHoldTimerExpires)...)
	runRows(t, Active, rows)
}
