package peer

import (
	"maps"
	"sync/atomic"
	"time"

	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/wire"
)

// numTypes is the message types counted: 1-5 and index 0 for the others.
const numTypes = int(wire.TypeRouteRefresh) + 1

// counters are updated by the session's goroutines; Stats copies them.
type counters struct {
	in, out       [numTypes]atomic.Uint64 // messages by type
	octetsIn      atomic.Uint64
	octetsOut     atomic.Uint64
	queueFull     atomic.Uint64 // Send refused with ErrQueueFull
	rejected      atomic.Uint64 // incoming connections refused
	connects      atomic.Uint64 // outgoing connection attempts
	connectFails  atomic.Uint64
	rfc7606       atomic.Uint64 // UPDATEs delivered with a milder-than-reset verdict
	maxPrefixHits atomic.Uint64

	withdrawUpdates  atomic.Uint64 // UPDATEs received that withdraw prefixes
	withdrawPrefixes atomic.Uint64 // the prefixes they withdraw
}

func typeIndex(t wire.Type) int {
	if int(t) < numTypes {
		return int(t)
	}
	return 0
}

// Stats is a snapshot of a session's counters. speaker/metrics exports
// them (docs/metrics.md): In and Out as bgp_received_X_total /
// bgp_sent_X_total, WithdrawUpdates and WithdrawPrefixes as
// bgp_received_withdraw_update_total / _prefix_total, State as
// bgp_peer_state and ze_peer_state, Uptime as bgp_peer_uptime,
// SendQueue as ze_peer_send_queue_depth, and the rest as ze_peer_*
// counters.
type Stats struct {
	State       fsm.State
	Established time.Time     // when the session came up; zero when it is not up
	Uptime      time.Duration // since Established, 0 when not up
	In, Out     map[string]uint64
	OctetsIn    uint64
	OctetsOut   uint64
	// Prefixes is the driver's own count per family (announced minus
	// withdrawn; see SetPrefixes).
	Prefixes        map[wire.Family]int64
	QueueFull       uint64
	Rejected        uint64
	ConnectAttempts uint64
	ConnectFailures uint64
	RFC7606         uint64
	MaxPrefixHits   uint64
	FSM             fsm.Counters // the current connection's machine
	// SendQueue is the number of messages waiting in the outgoing queue
	// of the peer's connection (0 without one); SendQueueCap is
	// Config.QueueLen.
	SendQueue, SendQueueCap int
	// Stopped is set once Stop was called.
	Stopped bool

	// WithdrawUpdates counts the UPDATEs received (and not rejected
	// with a session reset) that withdraw at least one prefix, in the
	// Withdrawn Routes field or MP_UNREACH_NLRI (an End-of-RIB does
	// not); WithdrawPrefixes counts those prefixes (paths, with
	// ADD-PATH). GoBGP's WithdrawUpdate and WithdrawPrefix, except that
	// the prefixes of an UPDATE with both fields are all counted (GoBGP
	// counts the Withdrawn Routes only).
	WithdrawUpdates, WithdrawPrefixes uint64
}

// Stats returns a snapshot of the counters.
func (s *Session) Stats() Stats {
	st := Stats{In: map[string]uint64{}, Out: map[string]uint64{}}
	for i := range numTypes {
		name := "unknown"
		if i > 0 {
			name = wire.Type(i).String()
		}
		st.In[name] = s.ctr.in[i].Load()
		st.Out[name] = s.ctr.out[i].Load()
	}
	st.OctetsIn, st.OctetsOut = s.ctr.octetsIn.Load(), s.ctr.octetsOut.Load()
	st.QueueFull, st.Rejected = s.ctr.queueFull.Load(), s.ctr.rejected.Load()
	st.ConnectAttempts, st.ConnectFailures = s.ctr.connects.Load(), s.ctr.connectFails.Load()
	st.RFC7606, st.MaxPrefixHits = s.ctr.rfc7606.Load(), s.ctr.maxPrefixHits.Load()
	st.WithdrawUpdates, st.WithdrawPrefixes = s.ctr.withdrawUpdates.Load(), s.ctr.withdrawPrefixes.Load()

	s.mu.Lock()
	defer s.mu.Unlock()
	st.State = s.main.m.State()
	st.FSM = s.main.m.Counters()
	st.Prefixes = maps.Clone(s.prefixes)
	st.SendQueueCap, st.Stopped = s.cfg.QueueLen, s.stopping
	if c := s.main.c; c != nil {
		st.SendQueue = len(c.out)
	}
	if st.State == fsm.Established {
		st.Established = s.upSince
		st.Uptime = s.clock.Now().Sub(s.upSince)
	}
	return st
}
