package peer

import (
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Graceful restart, the session's part (RFC 4724, RFC 8538). The
// driver advertises the Graceful Restart capability when
// Capabilities.GracefulRestart is set: the restart time, the N flag
// (RFC 8538 §2: NOTIFICATIONs are covered too), R clear and every
// family without the F bit (ze keeps no forwarding state across its
// own restart; setting R after a restart of ze is not done). It
// decides, when a session ends, whether the end is graceful — whether
// the receiving speaker keeps the peer's routes (DownError.Graceful):
//
//   - both OPENs carried a Graceful Restart capability, and
//   - the connection ended without a NOTIFICATION (RFC 4724 §4.2: the
//     TCP session terminated), or with one other than Cease / Hard
//     Reset, sent or received, when both OPENs set N (RFC 8538 §4).
//     Without N every NOTIFICATION ends the session for good, hold
//     timer expiry included.
//
// With N exchanged, a Cease ze sends whose subcode RFC 8538 §5.1 marks
// "MUST use Hard Reset" is sent encapsulated in Cease / Hard Reset
// (§3: the data holds the original code, subcode and data), so that the
// peer drops ze's routes: Maximum Number of Prefixes Reached,
// Administrative Shutdown, Peer De-configured and, ze's choice where
// the RFC leaves it to the operator, Administrative Reset. Connection
// Rejected, Other Configuration Change, Connection Collision Resolution
// and Out of Resources are sent as they are (graceful for the peer).

// restartOf reads the Graceful Restart capability of the peer's OPEN:
// whether it has one, and its N flag.
func restartOf(o message.Open) (gr, n bool) {
	it := o.Capabilities()
	for it.Next() {
		if it.Code() != capability.CodeGracefulRestart {
			continue
		}
		g, err := capability.ParseGracefulRestart(it.Value())
		if err != nil {
			continue
		}
		return true, g.Flags()&capability.RestartNotification != 0
	}
	return false, false
}

// hardResetSubcode reports whether a Cease of subcode sub goes out as a
// Hard Reset when N was exchanged (RFC 8538 §5.1).
func hardResetSubcode(sub uint8) bool {
	switch sub {
	case wire.SubMaxPrefixes, wire.SubAdministrativeShutdown, wire.SubPeerDeconfigured, wire.SubAdministrativeReset:
		return true
	}
	return false
}

// hardReset returns the NOTIFICATION to send for n when N was
// exchanged: n encapsulated in Cease / Hard Reset when its subcode asks
// for it (RFC 8538 §3, §5.1), else n. Data is a new slice.
func hardReset(n wire.Notification) wire.Notification {
	if n.Code != wire.CodeCease || !hardResetSubcode(n.Subcode) {
		return n
	}
	data := make([]byte, 0, 2+len(n.Data))
	data = append(data, byte(n.Code), n.Subcode)
	data = append(data, n.Data...)
	return wire.Notification{Code: wire.CodeCease, Subcode: wire.SubHardReset, Data: data}
}

// gracefulEnd applies the rules above to the end of a session whose
// OPENs said gr (both carried the capability) and n (both set N), n
// being the NOTIFICATION sent or received (zero Code: none).
func gracefulEnd(gr, nflag bool, n wire.Notification) bool {
	switch {
	case !gr:
		return false
	case n.Code == 0:
		return true
	case !nflag:
		return false
	}
	return n.Code != wire.CodeCease || n.Subcode != wire.SubHardReset
}
