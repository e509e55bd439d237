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
}

func typeIndex(t wire.Type) int {
	if int(t) < numTypes {
		return int(t)
	}
	return 0
}

// Stats is a snapshot of a session's counters, for metrics:
//
//	ze_peer_messages_in_total{type}, ze_peer_messages_out_total{type}
//	ze_peer_octets_in_total, ze_peer_octets_out_total
//	ze_peer_updates_in_total (Messages In["update"])
//	ze_peer_prefixes{family}            (Prefixes)
//	ze_peer_state                      (State, RFC 4273 numbering minus one)
//	ze_peer_uptime_seconds             (Uptime)
//	ze_peer_established_total          (FSM.EstablishedCount)
//	ze_peer_queue_full_total, ze_peer_rejected_total,
//	ze_peer_connect_attempts_total, ze_peer_connect_failures_total,
//	ze_peer_rfc7606_total, ze_peer_max_prefix_total
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

	s.mu.Lock()
	defer s.mu.Unlock()
	st.State = s.main.m.State()
	st.FSM = s.main.m.Counters()
	st.Prefixes = maps.Clone(s.prefixes)
	if st.State == fsm.Established {
		st.Established = s.upSince
		st.Uptime = s.clock.Now().Sub(s.upSince)
	}
	return st
}
