package peer

import (
	"time"

	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/wire"
)

// StopNotify ends the session like Stop, but every connection past
// Connect is sent n instead of Cease / Administrative Shutdown: a Cease
// whose subcode says why the speaker drops the peer (RFC 4486 §4: 3 Peer
// De-configured when a reload removed it, 6 Other Configuration Change
// when a reload changed it). Run then returns once everything is
// closed; StopNotify does not wait, and does nothing after Stop or a
// previous StopNotify.
func (s *Session) StopNotify(n wire.Notification) {
	s.stop(n, "code", n.Code, "subcode", n.Subcode, "notification", wire.SubcodeString(n.Code, n.Subcode))
}

// stop is Stop and StopNotify: it marks the session stopping, closes the
// connections accepted before Run, logs "session stop" with
// logArgs and sends n (ManualStop) on every link.
func (s *Session) stop(n wire.Notification, logArgs ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return
	}
	s.stopping = true
	s.restartAt = time.Time{}
	for _, nc := range s.early {
		nc.Close()
	}
	s.early = nil
	s.log.Info("session stop", logArgs...)
	for _, l := range s.links() {
		s.step(l, fsm.Input{Event: fsm.ManualStop, Notification: n}, ErrStopped)
	}
	s.poke()
}
