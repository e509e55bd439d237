package daemon

import (
	"time"

	"github.com/ze-bgp/ze/speaker/api"
)

// stallPoll is how often a stalled session's outgoing queue is looked
// at; resyncBelow is the fraction of the queue that must be free before
// the router is asked to send what the session missed.
const (
	stallPoll   = 2 * time.Millisecond
	resyncBelow = 2 // resync once at most capacity/resyncBelow messages wait
)

// stalled is the router's Options.Stalled: a Send to the named peer
// failed because its outgoing queue was full, and the router now holds
// that peer's changes. It is called with the router locked, and a
// reload holds d.mu while it calls into the router: so it takes no lock
// itself and only starts a goroutine that finds the session and (once
// per stall) waits for its queue to drain, then calls Router.Resync —
// again and again while a resync fills the queue once more — until the
// session is in step or down.
func (d *Daemon) stalled(name string) {
	go func() {
		for _, s := range d.snapshot() {
			if s.cfg.Name != name {
				continue
			}
			if s.resyncing.CompareAndSwap(false, true) {
				d.resync(s)
			}
			return
		}
	}()
}

// resync waits until s's outgoing queue has room, then asks the router
// to send s what changed while it was stalled.
// It ends when the session is no longer stalled in the router (in step,
// or down: a session that comes up again starts afresh), or stops.
func (d *Daemon) resync(s *session) {
	t := time.NewTicker(stallPoll)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			s.resyncing.Store(false)
			return
		case <-t.C:
		}
		n, capacity := s.drv.Queued()
		if n > capacity/resyncBelow {
			continue
		}
		if !d.router.IsStalled(s) || d.router.Resync(s) {
			s.resyncing.Store(false)
			// A Send may have failed between the last check and the
			// flag's reset, its stalled call finding the flag set:
			// look again, or that stall would never end.
			if d.router.IsStalled(s) && s.resyncing.CompareAndSwap(false, true) {
				continue
			}
			return
		}
	}
}

// processStartWait bounds how long Run waits for the API processes to
// be running before it starts the sessions.
const processStartWait = 2 * time.Second

// waitProcesses waits until every process of ps runs (its program was
// started, so that events queue for it) or bound has passed.
func waitProcesses(ps []*api.Process, bound time.Duration) {
	deadline := time.Now().Add(bound)
	for _, p := range ps {
		for !p.Stats().Running && time.Now().Before(deadline) {
			time.Sleep(2 * time.Millisecond)
		}
	}
}
