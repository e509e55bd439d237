package fsm

import "strconv"

// State is a BGP FSM state (RFC 4271 §8.2.2). The zero value is Idle.
type State uint8

// States, numbered as the BGP-4 MIB (RFC 4273 bgpPeerState) does, minus one.
const (
	Idle State = iota
	Connect
	Active
	OpenSent
	OpenConfirm
	Established
)

var stateNames = [...]string{"Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"}

// String returns the RFC 4271 name of the state ("OpenSent").
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// Valid reports whether s is one of the six states.
func (s State) Valid() bool { return s <= Established }

// Event is an FSM input, numbered as RFC 4271 §8.1 (events 1-28) and
// RFC 9687 §4.2 (event 29). Numbers are stable: BMP (RFC 7854 §4.9) and
// logs carry them.
type Event uint8

// Events (RFC 4271 §8.1.2-§8.1.5, RFC 9687 §4.2).
const (
	ManualStart                                            Event = 1
	ManualStop                                             Event = 2
	AutomaticStart                                         Event = 3
	ManualStartWithPassiveTCPEstablishment                 Event = 4
	AutomaticStartWithPassiveTCPEstablishment              Event = 5
	AutomaticStartWithDampPeerOscillations                 Event = 6
	AutomaticStartWithDampPeerOscillationsAndPassiveTCPEst Event = 7
	AutomaticStop                                          Event = 8
	ConnectRetryTimerExpires                               Event = 9
	HoldTimerExpires                                       Event = 10
	KeepaliveTimerExpires                                  Event = 11
	DelayOpenTimerExpires                                  Event = 12
	IdleHoldTimerExpires                                   Event = 13
	TCPConnectionValid                                     Event = 14
	TCPCRInvalid                                           Event = 15
	TCPCRAcked                                             Event = 16
	TCPConnectionConfirmed                                 Event = 17
	TCPConnectionFails                                     Event = 18
	BGPOpen                                                Event = 19
	BGPOpenWithDelayOpenTimer                              Event = 20
	BGPHeaderErr                                           Event = 21
	BGPOpenMsgErr                                          Event = 22
	OpenCollisionDump                                      Event = 23
	NotifMsgVerErr                                         Event = 24
	NotifMsg                                               Event = 25
	KeepAliveMsg                                           Event = 26
	UpdateMsg                                              Event = 27
	UpdateMsgErr                                           Event = 28
	SendHoldTimerExpires                                   Event = 29

	// MaxEvent is the highest defined event number.
	MaxEvent = SendHoldTimerExpires
)

var eventNames = [...]string{
	ManualStart:                            "ManualStart",
	ManualStop:                             "ManualStop",
	AutomaticStart:                         "AutomaticStart",
	ManualStartWithPassiveTCPEstablishment: "ManualStart_with_PassiveTcpEstablishment",
	AutomaticStartWithPassiveTCPEstablishment:              "AutomaticStart_with_PassiveTcpEstablishment",
	AutomaticStartWithDampPeerOscillations:                 "AutomaticStart_with_DampPeerOscillations",
	AutomaticStartWithDampPeerOscillationsAndPassiveTCPEst: "AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment",
	AutomaticStop:             "AutomaticStop",
	ConnectRetryTimerExpires:  "ConnectRetryTimer_Expires",
	HoldTimerExpires:          "HoldTimer_Expires",
	KeepaliveTimerExpires:     "KeepaliveTimer_Expires",
	DelayOpenTimerExpires:     "DelayOpenTimer_Expires",
	IdleHoldTimerExpires:      "IdleHoldTimer_Expires",
	TCPConnectionValid:        "TcpConnection_Valid",
	TCPCRInvalid:              "Tcp_CR_Invalid",
	TCPCRAcked:                "Tcp_CR_Acked",
	TCPConnectionConfirmed:    "TcpConnectionConfirmed",
	TCPConnectionFails:        "TcpConnectionFails",
	BGPOpen:                   "BGPOpen",
	BGPOpenWithDelayOpenTimer: "BGPOpen with DelayOpenTimer running",
	BGPHeaderErr:              "BGPHeaderErr",
	BGPOpenMsgErr:             "BGPOpenMsgErr",
	OpenCollisionDump:         "OpenCollisionDump",
	NotifMsgVerErr:            "NotifMsgVerErr",
	NotifMsg:                  "NotifMsg",
	KeepAliveMsg:              "KeepAliveMsg",
	UpdateMsg:                 "UpdateMsg",
	UpdateMsgErr:              "UpdateMsgErr",
	SendHoldTimerExpires:      "SendHoldTimer_Expires",
}

// String returns the RFC name of the event ("HoldTimer_Expires"), or
// "Event(N)" for a number no RFC defines.
func (e Event) String() string {
	if int(e) < len(eventNames) && eventNames[e] != "" {
		return eventNames[e]
	}
	return "Event(" + strconv.Itoa(int(e)) + ")"
}

// Valid reports whether e is one of the events 1-29.
func (e Event) Valid() bool { return e >= ManualStart && e <= MaxEvent }

// isMessage reports whether e is the receipt of a BGP message (RFC 6608
// §3 uses it to choose the FSM Error subcode).
func (e Event) isMessage() bool {
	switch e {
	case BGPOpen, BGPOpenWithDelayOpenTimer, BGPHeaderErr, BGPOpenMsgErr,
		NotifMsgVerErr, NotifMsg, KeepAliveMsg, UpdateMsg, UpdateMsgErr:
		return true
	}
	return false
}

// Timer names one of the FSM's timers (RFC 4271 §8.1.1, §8.1.3;
// RFC 9687 §4.1).
type Timer uint8

// Timers, in the order Expire fires simultaneous deadlines.
const (
	HoldTimer Timer = iota
	SendHoldTimer
	KeepaliveTimer
	DelayOpenTimer
	ConnectRetryTimer
	IdleHoldTimer
	numTimers
)

var timerNames = [...]string{"HoldTimer", "SendHoldTimer", "KeepaliveTimer", "DelayOpenTimer", "ConnectRetryTimer", "IdleHoldTimer"}

// String returns the RFC name of the timer ("ConnectRetryTimer").
func (t Timer) String() string {
	if int(t) < len(timerNames) {
		return timerNames[t]
	}
	return "Timer(" + strconv.Itoa(int(t)) + ")"
}

// expiry is the event a timer raises when it fires.
var expiry = [numTimers]Event{
	HoldTimer:         HoldTimerExpires,
	SendHoldTimer:     SendHoldTimerExpires,
	KeepaliveTimer:    KeepaliveTimerExpires,
	DelayOpenTimer:    DelayOpenTimerExpires,
	ConnectRetryTimer: ConnectRetryTimerExpires,
	IdleHoldTimer:     IdleHoldTimerExpires,
}

// Event returns the event the timer raises when it expires.
func (t Timer) Event() Event {
	if t < numTimers {
		return expiry[t]
	}
	return 0
}
