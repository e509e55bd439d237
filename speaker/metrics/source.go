package metrics

import (
	"net/netip"
	"time"

	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Source gives the collector a snapshot of the speaker on each scrape.
// Both methods may be called from any goroutine, concurrently with the
// sessions; they return copies the collector may keep. Nothing is
// counted twice: the counters stay where the hot path keeps them (the
// session driver, the router, the API processes) and are read here.
type Source interface {
	Peers() []Peer
	Processes() []Process
}

// Peer is one configured peer as a scrape sees it. Counters count since
// the speaker started; gauges are current values.
type Peer struct {
	// Name is the configured peer name (label name of ze_peer_info).
	Name string
	// Address is the remote address; its text form is the "peer" label
	// of every per-peer metric, as GoBGP uses the neighbor address. An
	// invalid Address falls back to Name.
	Address  netip.Addr
	RemoteAS uint32
	// State is the FSM state of the peer's session (RFC 4271 §8.2.2).
	State fsm.State
	// AdminDown is set once the operator stopped the session (GoBGP's
	// admin_state DOWN); otherwise the admin state is UP.
	AdminDown bool
	// Uptime is the time since the session became Established; 0 when
	// it is not.
	Uptime time.Duration
	// Families are the per-family route counts, one entry per family
	// (a repeated family is ignored).
	Families []Family

	// Received and Sent count BGP messages by type, on every
	// connection of the peer.
	Received, Sent Messages
	// OctetsReceived and OctetsSent count message octets, headers
	// included.
	OctetsReceived, OctetsSent uint64
	// WithdrawUpdates counts the UPDATEs received that withdraw at
	// least one prefix (Withdrawn Routes or MP_UNREACH_NLRI; not
	// End-of-RIB), WithdrawPrefixes the prefixes they withdraw.
	WithdrawUpdates, WithdrawPrefixes uint64

	// SendQueue is the number of messages waiting in the session's
	// outgoing queue; SendQueueCap its capacity (messages).
	SendQueue, SendQueueCap int
	// SendQueueFull counts messages refused because the queue was full.
	SendQueueFull uint64
	// Stalled is set while the router holds back changes for the peer
	// because a send failed (it resyncs once the queue drains).
	Stalled bool
	// ZeroCopy counts received UPDATEs forwarded to this peer
	// unchanged (same encoding context, no re-encoding).
	ZeroCopy uint64
	// Unsendable counts routes that could not be encoded for the peer
	// (too big for a message, no usable next hop).
	Unsendable uint64
	// Malformed counts UPDATEs kept under an RFC 7606 verdict milder
	// than a session reset (treat-as-withdraw, attribute discard).
	Malformed uint64
	// MaxPrefix counts maximum-prefix limits crossed (RFC 4486).
	MaxPrefix uint64
	// ConnectAttempts and ConnectFailures count outgoing TCP
	// connections; Rejected counts incoming ones refused.
	ConnectAttempts, ConnectFailures, Rejected uint64
}

// Messages count BGP messages of one direction by type (RFC 4271 §4.1,
// RFC 2918 §3). Discarded counts messages of any other type. Their sum
// is GoBGP's message total.
type Messages struct {
	Open, Update, Notification, Keepalive, Refresh, Discarded uint64
}

// Total returns the number of messages of every type.
func (m Messages) Total() uint64 {
	return m.Open + m.Update + m.Notification + m.Keepalive + m.Refresh + m.Discarded
}

// Family is one address family's route counts of a peer (gauges, in
// routes: prefixes, or paths with ADD-PATH).
type Family struct {
	Family wire.Family
	// Received are the routes in the peer's Adj-RIB-In.
	Received int
	// Accepted are the received routes eligible for the Loc-RIB (not
	// rejected by a loop check).
	Accepted int
	// Advertised are the routes in the peer's Adj-RIB-Out.
	Advertised int
}

// Process is one API process (speaker/api) as a scrape sees it.
type Process struct {
	Name    string
	Running bool
	// QueueDepth is the number of lines waiting for the program's
	// standard input; QueueCap the most the queue holds; QueueMaxDepth
	// the largest depth the running program's queue reached.
	QueueDepth, QueueCap, QueueMaxDepth int
	// Dropped counts lines not queued: full queue, or no program
	// running.
	Dropped uint64
	// Kills counts programs killed because their queue was full
	// (policy drop-process); Restarts counts respawns.
	Kills, Restarts uint64
	// Commands counts command lines read; Errors those answered
	// "error".
	Commands, Errors uint64
}
