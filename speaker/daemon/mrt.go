package daemon

import (
	"context"
	"fmt"

	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/recorder"
	"github.com/ze-bgp/ze/speaker/wire"
)

// MRT recording (speaker/recorder), from the config's mrt block: the
// sessions hand the recorder what they receive and their state changes;
// Run runs it from before the first session to after the last one
// stopped. A reload that changes the mrt block replaces the recorder
// (reloadRecorder): the old one writes what it queued and closes its
// files, the new one takes on the sessions that are up.

// newRecorder builds the recorder of cfg's mrt block (nil when it
// records nothing).
func (d *Daemon) newRecorder(cfg *config.Config) (*recorder.Recorder, error) {
	if !cfg.MRT.Enabled() {
		return nil, nil
	}
	rec, err := recorder.New(cfg.MRT, d.router, recorder.Options{Logger: d.log})
	if err != nil {
		return nil, fmt.Errorf("mrt: %w", err)
	}
	return rec, nil
}

// startRecorder runs rec (none: nothing); the function it returns
// stops it and waits until the files are written and closed.
func (d *Daemon) startRecorder(rec *recorder.Recorder) (stop func()) {
	if rec == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		rec.Run(ctx) //nolint:errcheck // always nil: errors are logged and counted
	}()
	return func() {
		cancel()
		<-done
	}
}

// reloadRecorder makes rec (built by newRecorder from the new mrt
// block; nil: record nothing) the running recorder, told of the
// sessions that are up, and stops the old one in the background (Run
// waits for it before it returns). Called with d.mu held, after
// d.sessions took the new configuration's sessions.
func (d *Daemon) reloadRecorder(rec *recorder.Recorder) {
	old := d.rec.Swap(rec)
	if rec != nil {
		for _, s := range d.sessions {
			if s.drv.State() != fsm.Established {
				continue
			}
			recv, _, _ := s.drv.Contexts()
			rec.Resume(s.recorderPeer(recv))
		}
	}
	stop := d.recStop
	d.recStop = d.startRecorder(rec)
	if old != nil {
		d.recWG.Add(1)
		go func() {
			defer d.recWG.Done()
			stop()
		}()
	}
}

// MRTStats returns the recorder's counters, and false when the config
// records nothing.
func (d *Daemon) MRTStats() (recorder.Stats, bool) {
	rec := d.rec.Load()
	if rec == nil {
		return recorder.Stats{}, false
	}
	return rec.Stats(), true
}

// recordUp records that the session came up (recv: the context its
// UPDATEs are read with).
func (s *session) recordUp(recv wire.Context) {
	if rec := s.d.rec.Load(); rec != nil {
		rec.Established(s.recorderPeer(recv))
	}
}

// recorderPeer describes the session to the recorder.
func (s *session) recorderPeer(recv wire.Context) recorder.Peer {
	return recorder.Peer{
		Name: s.cfg.Name, PeerAS: s.cfg.Remote.AS, LocalAS: s.cfg.LocalAS,
		PeerIP: s.cfg.Remote.IP, LocalIP: s.LocalAddr(), Recv: recv,
	}
}

// recordUpdate records a received UPDATE (msg: the whole message).
func (s *session) recordUpdate(msg []byte) {
	if rec := s.d.rec.Load(); rec != nil {
		rec.Update(s.cfg.Name, msg)
	}
}

// recordDown records that the session went down.
func (s *session) recordDown() {
	if rec := s.d.rec.Load(); rec != nil {
		rec.Down(s.cfg.Name)
	}
}
