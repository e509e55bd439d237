package recorder

import (
	"context"
	"encoding/binary"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/router"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Defaults of Options.
const (
	DefaultQueueBytes = 8 << 20
	DefaultFlushEvery = time.Second
)

// Options configure a Recorder.
type Options struct {
	// Logger receives file errors and drop reports (nil: discarded).
	Logger *slog.Logger
	// Now is the clock records are stamped with (nil: time.Now).
	Now func() time.Time
	// QueueBytes bounds the encoded records waiting to be written
	// (0: DefaultQueueBytes); past it records are dropped.
	QueueBytes int
	// FlushEvery is how often written records are flushed to the
	// update file, which is also closed once its period is over (0:
	// DefaultFlushEvery).
	FlushEvery time.Duration
}

// Peer is an established session as BGP4MP records name it.
type Peer struct {
	Name            string // the configured peer name
	PeerAS, LocalAS uint32
	PeerIP, LocalIP netip.Addr
	// Recv is the encoding context of what the peer sends: 4-octet
	// ASNs and ADD-PATH decide the record subtype.
	Recv wire.Context
}

// Stats are a Recorder's counters since New.
type Stats struct {
	Queued  uint64 // records queued (UPDATEs and state changes)
	Dropped uint64 // records dropped: the queue was full
	Written uint64 // records written to the update files
	Errors  uint64 // records lost to file errors, and failed table dumps
	Tables  uint64 // table dumps written (table and loc-rib)
}

// Recorder records UPDATEs, state changes and table dumps (see the
// package doc). Its methods are safe for concurrent use.
type Recorder struct {
	cfg    config.MRT
	router *router.Router
	opt    Options
	log    *slog.Logger
	upd    *mrt.Writer // nil: updates not recorded (owned by Run)

	mu       sync.Mutex
	peers    map[string]*peerState // established sessions, by name
	buf      []byte                // queued records
	stats    Stats
	reported uint64 // Dropped when last logged

	wake    chan struct{}
	tableMu sync.Mutex // one table dump at a time
}

// peerState is an established session.
type peerState struct {
	e        mrt.Endpoints
	recv     wire.Context
	since    time.Time
	recorded bool // selected by the config's peers
}

// New returns a Recorder for cfg reading tables from r. Errors: a bad
// file pattern (the config checks them already).
func New(cfg config.MRT, r *router.Router, opt Options) (*Recorder, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.QueueBytes <= 0 {
		opt.QueueBytes = DefaultQueueBytes
	}
	if opt.FlushEvery <= 0 {
		opt.FlushEvery = DefaultFlushEvery
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rec := &Recorder{cfg: cfg, router: r, opt: opt, log: log, peers: map[string]*peerState{}, wake: make(chan struct{}, 1)}
	for _, t := range []config.Recording{cfg.Table, cfg.LocRIB} {
		if t.File != "" {
			if err := mrt.CheckPattern(t.File); err != nil {
				return nil, err
			}
		}
	}
	if cfg.Updates.File != "" {
		w, err := mrt.NewWriter(cfg.Updates.File, mrt.WriterOptions{Every: cfg.Updates.Every, Done: rec.closed})
		if err != nil {
			return nil, err
		}
		rec.upd = w
	}
	return rec, nil
}

// closed logs a completed update file.
func (r *Recorder) closed(name string, err error) {
	if err != nil {
		r.log.Error("mrt: closing file", "file", name, "err", err)
		return
	}
	r.log.Debug("mrt: file complete", "file", name)
}

// recorded reports whether the config's peers select name.
func (r *Recorder) recorded(name string) bool {
	if len(r.cfg.Peers) == 0 {
		return true
	}
	for _, n := range r.cfg.Peers {
		if n == name {
			return true
		}
	}
	return false
}

// Established records that p's session came up (STATE_CHANGE_AS4
// OpenConfirm → Established); its UPDATEs are recorded from now on.
func (r *Recorder) Established(p Peer) {
	now := r.opt.Now()
	ps := r.newPeerState(p, now)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.peers[p.Name] = ps
	r.state(now, ps, mrt.StateOpenConfirm, mrt.StateEstablished)
}

// Resume takes on p's established session without recording a state
// change: a recorder that replaces another (a reload changed the mrt
// block) is told of the sessions already up, and records their UPDATEs
// from now on.
func (r *Recorder) Resume(p Peer) {
	ps := r.newPeerState(p, r.opt.Now())
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.peers[p.Name] == nil {
		r.peers[p.Name] = ps
	}
}

// newPeerState is what the recorder keeps of p's session, up since now.
func (r *Recorder) newPeerState(p Peer, now time.Time) *peerState {
	return &peerState{
		e:     mrt.Endpoints{PeerAS: p.PeerAS, LocalAS: p.LocalAS, PeerIP: p.PeerIP, LocalIP: p.LocalIP},
		recv:  p.Recv,
		since: now, recorded: r.recorded(p.Name),
	}
}

// Down records that the session of peer name went down (Established →
// Idle).
func (r *Recorder) Down(name string) {
	now := r.opt.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	ps := r.peers[name]
	if ps == nil {
		return
	}
	delete(r.peers, name)
	r.state(now, ps, mrt.StateEstablished, mrt.StateIdle)
}

// state queues a state change; r.mu is held.
func (r *Recorder) state(now time.Time, ps *peerState, old, new uint16) {
	if r.upd == nil || !ps.recorded {
		return
	}
	if !r.room(64) {
		return
	}
	b, err := mrt.AppendBGP4MPStateChange(r.buf, now, ps.e, old, new)
	r.queued(b, err)
}

// Update records UPDATE msg (a whole message, header included) received
// from peer name. It copies msg and never blocks.
func (r *Recorder) Update(name string, msg []byte) {
	if r.upd == nil {
		return
	}
	now := r.opt.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	ps := r.peers[name]
	if ps == nil || !ps.recorded {
		return
	}
	if !r.room(len(msg) + 64) {
		return
	}
	b, err := mrt.AppendBGP4MPMessage(r.buf, now, mrt.MessageSubtype(msg, ps.recv, false), ps.e, msg)
	r.queued(b, err)
}

// room reports whether n more octets fit in the queue, counting a drop
// when not; r.mu is held.
func (r *Recorder) room(n int) bool {
	if len(r.buf)+n > r.opt.QueueBytes {
		r.stats.Dropped++
		return false
	}
	return true
}

// queued takes an encoder's result and wakes Run; r.mu is held.
func (r *Recorder) queued(b []byte, err error) {
	if err != nil {
		r.stats.Errors++ // an endpoint without address: nothing to record
		return
	}
	r.buf = b
	r.stats.Queued++
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Stats returns the counters.
func (r *Recorder) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// Run writes the queued records and makes the table dumps until ctx is
// done; then it writes what is queued, closes the update file and
// returns (nil: errors are logged and counted). Stop the sessions first
// so that their last state changes are recorded.
func (r *Recorder) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, tt := range []struct {
		rec   config.Recording
		table router.Table
	}{{r.cfg.Table, router.AdjRIBIn}, {r.cfg.LocRIB, router.LocRIB}} {
		if tt.rec.File == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.schedule(ctx, tt.rec.Every, tt.table)
		}()
	}
	tick := time.NewTicker(r.opt.FlushEvery)
	defer tick.Stop()
	var spare []byte
	for {
		select {
		case <-ctx.Done():
			r.drain(&spare)
			if r.upd != nil {
				r.upd.Close()
			}
			wg.Wait()
			return nil
		case <-r.wake:
			r.drain(&spare)
		case <-tick.C:
			r.drain(&spare)
			if r.upd != nil {
				if err := r.upd.Flush(); err != nil {
					r.log.Error("mrt: writing updates", "file", r.cfg.Updates.File, "err", err)
				}
				r.upd.Rotate(r.opt.Now())
			}
			r.reportDrops()
		}
	}
}

// drain writes the queued records to the update file; *spare is the
// other buffer of the double buffer.
func (r *Recorder) drain(spare *[]byte) {
	r.mu.Lock()
	recs := r.buf
	r.buf = (*spare)[:0]
	r.mu.Unlock()
	*spare = recs
	if len(recs) == 0 || r.upd == nil {
		return
	}
	var written, lost uint64
	var werr error
	for len(recs) >= mrt.HeaderLen {
		n := mrt.HeaderLen + int(binary.BigEndian.Uint32(recs[8:]))
		rec := recs[:n] // records were encoded by Update and state: lengths are right
		recs = recs[n:]
		if werr != nil {
			lost++
			continue
		}
		// Every queued record is BGP4MP_ET: seconds, then microseconds after the header.
		at := time.Unix(int64(binary.BigEndian.Uint32(rec)), int64(binary.BigEndian.Uint32(rec[12:]))*1000)
		if werr = r.upd.Write(at, rec); werr != nil {
			lost++
			continue
		}
		written++
	}
	if werr != nil {
		r.log.Error("mrt: writing updates; records lost", "file", r.cfg.Updates.File, "records", lost, "err", werr)
	}
	r.mu.Lock()
	r.stats.Written += written
	r.stats.Errors += lost
	r.mu.Unlock()
}

// reportDrops logs the records dropped since the last report.
func (r *Recorder) reportDrops() {
	r.mu.Lock()
	d, total := r.stats.Dropped-r.reported, r.stats.Dropped
	r.reported = total
	r.mu.Unlock()
	if d > 0 {
		r.log.Warn("mrt: queue full, records dropped", "dropped", d, "total", total, "queue-bytes", r.opt.QueueBytes)
	}
}

// schedule dumps table at every multiple of every (aligned to the
// clock) until ctx is done.
func (r *Recorder) schedule(ctx context.Context, every time.Duration, table router.Table) {
	for {
		now := r.opt.Now()
		next := now.Truncate(every).Add(every)
		t := time.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		at := r.opt.Now()
		if at.Before(next) {
			at = next // the timer ran by another clock: stay in the period due
		}
		if err := r.dump(table, at); err != nil {
			r.log.Error("mrt: table dump", "table", table.String(), "err", err)
		}
	}
}
