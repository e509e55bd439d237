// Package fsm is the BGP-4 finite state machine of RFC 4271 §8, with the
// Send Hold Timer of RFC 9687 and the collision rules of RFC 4271 §6.8
// and RFC 6286 §2.3. It does no I/O, starts no goroutine and reads no
// clock: the session driver (speaker/peer) passes the time with every
// call, performs the Actions returned, and sleeps until NextDeadline.
//
// A Machine runs one connection (RFC 4271: one FSM per connection). The
// driver turns what happens on the socket into Events (RFC 4271 §8.1
// names and numbers) and calls Step, Handle, Expire when a deadline
// passes, and Sent when a message was written:
//
//	m, _ := fsm.NewMachine(fsm.Config{HoldTime: 90, AutoRestart: true})
//	acts := m.Handle(fsm.ManualStart, now) // connect, start ConnectRetryTimer
//	acts = m.Handle(fsm.TCPCRAcked, now)   // send OPEN, HoldTimer 4 min
//	acts = m.Step(fsm.Input{Event: fsm.BGPOpen, Open: fsm.Open{HoldTime: 30}}, now)
//	acts = m.Handle(fsm.KeepAliveMsg, now) // established
//
// The states and the main transitions. Every error, stop and timer
// expiry after Connect leads back to Idle; with DelayOpen the peer's OPEN
// in Connect or Active goes straight to OpenConfirm (ours and a KEEPALIVE
// are sent at once).
//
//	         ManualStart, AutomaticStart, IdleHoldTimer expires
//	+------+ ---------------------------------------> +---------+ --+
//	| Idle |   passive start                          | Connect |   | ConnectRetryTimer
//	+------+ ------------> +--------+ ConnectRetry -> +---------+ <-+ expires: reconnect
//	   ^                   | Active |   expires            |
//	   |                   +--------+                      |
//	   |                        | TCP up: send OPEN        | TCP up: send OPEN
//	   |                        v                          v
//	   |                  +----------------------------------+
//	   |<-----------------|             OpenSent             |
//	   |                  +----------------------------------+
//	   |                                   | BGPOpen: send KEEPALIVE,
//	   |                                   v   hold = min(ours, peer's)
//	   |                  +----------------------------------+
//	   |<-----------------|            OpenConfirm           | KeepaliveTimer: send
//	   |                  +----------------------------------+   KEEPALIVE
//	   |                                   | KeepAliveMsg
//	   |                                   v
//	   |                  +----------------------------------+ KeepAliveMsg, UpdateMsg:
//	   +------------------|            Established           |   restart HoldTimer
//	                      +----------------------------------+
//
// Timers (Timer) are deadlines: HoldTimer (4 minutes until the OPEN, then
// the negotiated hold time, restarted by every KEEPALIVE and UPDATE
// received), KeepaliveTimer (a third of the hold time), ConnectRetryTimer
// (exponential backoff from Config.ConnectRetry, capped, jitter injected),
// DelayOpenTimer, SendHoldTimer (RFC 9687: from Established on, restarted
// by Sent; the larger of 8 minutes and twice the hold time by default)
// and IdleHoldTimer (ze's automatic restart after a failure, in place of
// RFC 4271's optional peer oscillation damping, which is not done).
//
// Where ze departs from the letter of RFC 4271 §8.2.2, the code says so:
// a NotifMsg in OpenSent is not answered with a NOTIFICATION; a header
// error in Established sends the header error (§6.1) rather than an FSM
// error; an OPEN on a connection past OpenSent is an FSM error (collisions
// are between two Machines, see Resolve); a passive peer's
// ConnectRetryTimer never makes it connect; every timer stops in Idle.
// FSM Error subcodes follow RFC 6608.
package fsm
