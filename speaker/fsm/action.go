package fsm

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/ze-bgp/ze/speaker/wire"
)

// Open is what the FSM needs from the peer's OPEN (RFC 4271 §4.2): the
// session driver fills it from message.Open after ParseOpen and Validate.
type Open struct {
	HoldTime uint16     // seconds: 0, or at least 3 (1 and 2 are refused, RFC 4271 §6.2)
	RouterID netip.Addr // BGP Identifier, for collision detection (§6.8)
	ASN      uint32     // the peer's AS (RFC 6793 four-octet when it has one)
}

// Input is one event with its payload.
type Input struct {
	Event Event
	// Open is the peer's OPEN for BGPOpen and BGPOpenWithDelayOpenTimer.
	Open Open
	// Notification is, for BGPHeaderErr, BGPOpenMsgErr and UpdateMsgErr,
	// the NOTIFICATION to send (wire.NotificationFor of the parse error),
	// and for ManualStop and AutomaticStop the Cease to send (Hard Reset,
	// an RFC 9003 communication…). A zero Code means the event's default:
	// 1/0, 2/0, 3/0, Cease/Administrative Shutdown for ManualStop and
	// Cease/0 for AutomaticStop. For NotifMsg and NotifMsgVerErr it is
	// the NOTIFICATION received, recorded in Counters.LastError.
	Notification wire.Notification
}

// NotificationEvent returns the event a received NOTIFICATION raises:
// NotifMsgVerErr for OPEN Message Error / Unsupported Version Number
// (RFC 4271 §8.1.5 event 24), NotifMsg otherwise (event 25).
func NotificationEvent(n wire.Notification) Event {
	if n.Code == wire.CodeOpen && n.Subcode == wire.SubUnsupportedVersion {
		return NotifMsgVerErr
	}
	return NotifMsg
}

// ActionKind says what an Action asks the session driver to do.
type ActionKind uint8

// Actions, in no particular order; a Machine returns them in the order
// they must be done (a NOTIFICATION is always before its Drop).
const (
	// ActionConnect: initiate a TCP connection to the peer (a pending
	// one is replaced). Report the outcome as TCPCRAcked or
	// TCPConnectionFails.
	ActionConnect ActionKind = iota + 1
	// ActionDrop: close the TCP connection (or abandon the attempt).
	ActionDrop
	// ActionRelease: release the BGP resources of this connection
	// (buffers, negotiated capabilities; RFC 4271 "releases all BGP
	// resources").
	ActionRelease
	// ActionSendOpen: send our OPEN (hold time Config.HoldTime).
	ActionSendOpen
	// ActionSendKeepalive: send a KEEPALIVE.
	ActionSendKeepalive
	// ActionSendNotification: send Action.Notification, then the
	// connection is dropped (an ActionDrop follows).
	ActionSendNotification
	// ActionStartTimer: Action.Timer now expires at Action.Deadline.
	// Informational: the driver only needs NextDeadline and Expire.
	ActionStartTimer
	// ActionStopTimer: Action.Timer no longer runs. Informational.
	ActionStopTimer
	// ActionEstablished: the session is up; start the UPDATE exchange.
	ActionEstablished
	// ActionLeftEstablished: the session went down; delete every route
	// learned from the peer (RFC 4271 "deletes all routes associated
	// with this connection").
	ActionLeftEstablished
)

var actionNames = [...]string{"", "connect", "drop", "release", "send-open", "send-keepalive",
	"send-notification", "start-timer", "stop-timer", "established", "left-established"}

// String returns a short lower-case name ("send-open").
func (k ActionKind) String() string {
	if k > 0 && int(k) < len(actionNames) {
		return actionNames[k]
	}
	return "action(" + strconv.Itoa(int(k)) + ")"
}

// Action is one thing the session driver must do. Timer and Deadline are
// set for the timer actions, Notification for ActionSendNotification.
type Action struct {
	Kind         ActionKind
	Timer        Timer
	Deadline     time.Time
	Notification wire.Notification
}

// String describes the action ("start-timer HoldTimer", "send-notification 6/7").
func (a Action) String() string {
	switch a.Kind {
	case ActionStartTimer, ActionStopTimer:
		return a.Kind.String() + " " + a.Timer.String()
	case ActionSendNotification:
		return a.Kind.String() + " " + strconv.Itoa(int(a.Notification.Code)) + "/" + strconv.Itoa(int(a.Notification.Subcode))
	}
	return a.Kind.String()
}
