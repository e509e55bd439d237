package daemon

import (
	"context"
	"fmt"

	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/recorder"
	"github.com/ze-bgp/ze/speaker/wire"
)

// MRT recording (speaker/recorder), from the config's mrt block: the
// sessions hand the recorder what they receive and their state changes;
// Run runs it from before the first session to after the last one
// stopped. The mrt block is read at start only: a reload keeps the
// running recording.

// newRecorder builds the recorder of cfg's mrt block (none when it
// records nothing).
func (d *Daemon) newRecorder(cfg *config.Config) error {
	if !cfg.MRT.Enabled() {
		return nil
	}
	rec, err := recorder.New(cfg.MRT, d.router, recorder.Options{Logger: d.log})
	if err != nil {
		return fmt.Errorf("mrt: %w", err)
	}
	d.rec = rec
	return nil
}

// startRecorder runs the recorder; the function it returns stops it
// and waits until the files are written and closed.
func (d *Daemon) startRecorder() (stop func()) {
	if d.rec == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.rec.Run(ctx) //nolint:errcheck // always nil: errors are logged and counted
	}()
	return func() {
		cancel()
		<-done
	}
}

// MRTStats returns the recorder's counters, and false when the config
// records nothing.
func (d *Daemon) MRTStats() (recorder.Stats, bool) {
	if d.rec == nil {
		return recorder.Stats{}, false
	}
	return d.rec.Stats(), true
}

// recordUp records that the session came up (recv: the context its
// UPDATEs are read with).
func (s *session) recordUp(recv wire.Context) {
	if s.d.rec == nil {
		return
	}
	s.d.rec.Established(recorder.Peer{
		Name: s.cfg.Name, PeerAS: s.cfg.Remote.AS, LocalAS: s.cfg.LocalAS,
		PeerIP: s.cfg.Remote.IP, LocalIP: s.LocalAddr(), Recv: recv,
	})
}

// recordUpdate records a received UPDATE (msg: the whole message).
func (s *session) recordUpdate(msg []byte) {
	if s.d.rec != nil {
		s.d.rec.Update(s.cfg.Name, msg)
	}
}

// recordDown records that the session went down.
func (s *session) recordDown() {
	if s.d.rec != nil {
		s.d.rec.Down(s.cfg.Name)
	}
}
