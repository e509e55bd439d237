package router

import (
	"iter"
	"net/netip"
	"slices"

	"github.com/ze-bgp/ze/speaker/rib"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Snapshots: whole-table walks for MRT table dumps (speaker/recorder),
// done in batches so that the router is never locked for more than one
// batch. The walk is a map iteration over the Loc-RIB that pauses
// between batches (a pull iterator); Go allows a map to change while it
// is iterated, so the routes that change meanwhile are seen in their old
// state, their new one, or not at all — a snapshot of a live table is
// not one instant, as with any router's table dump.

// DefaultSnapshotBatch is the number of prefixes a Snapshot copies per
// lock hold when SnapshotOptions.Batch is 0.
const DefaultSnapshotBatch = 1024

// SnapshotOptions select what a Snapshot walks.
type SnapshotOptions struct {
	// Table is AdjRIBIn (every path each session's peer sent, the ones
	// ignored on receipt for a reflection loop included, RFC 4456 §8) or
	// LocRIB (the best path of each prefix, RFC 4271 §9.1.2).
	Table Table
	// Peers are the sessions walked (AdjRIBIn), by configured name;
	// empty: every session.
	Peers []string
	// Families are walked in order; empty: the IP unicast and multicast
	// families the RIB keeps.
	Families []wire.Family
	// Batch is the number of prefixes looked at per lock hold (0:
	// DefaultSnapshotBatch).
	Batch int
}

// SnapshotPeer is a source of a snapshot's paths (an MRT dump's
// PEER_INDEX_TABLE entry), as it was when the snapshot started.
type SnapshotPeer struct {
	Name     string     // the configured peer name; for a local pseudo-peer ("static", "api:NAME") that name
	Local    bool       // a local pseudo-peer: no session, no address
	AS       uint32     // the peer's AS (0 for a local pseudo-peer)
	Address  netip.Addr // the peer's address (zero for a local pseudo-peer)
	RouterID netip.Addr // its BGP Identifier (OPEN); the router's own for a local pseudo-peer
	LocalAS  uint32     // the session's local AS (0 for a local pseudo-peer)
	// Recv is the encoding context its UPDATEs were read with: whether
	// the paths of a family carry ADD-PATH identifiers (RFC 7911).
	Recv wire.Context
}

// SnapshotPath is one path of a snapshot prefix.
type SnapshotPath struct {
	Peer   int    // the source's index in Snapshot.Peers
	PathID uint32 // the path identifier it was received with (RFC 7911; 0 without ADD-PATH)
	// Attrs are the path attributes as the pool keeps them
	// (rib.Pool.AppendAttrs: 4-octet ASNs, no MP_REACH_NLRI).
	Attrs []byte
	// NextHop is MP_REACH_NLRI's next hop field for a path learned from
	// MP_REACH_NLRI (rib.Pool.MPNextHop); nil for one with NEXT_HOP.
	NextHop []byte
}

// SnapshotPrefix is one prefix of a snapshot and its paths.
type SnapshotPrefix struct {
	Family wire.Family
	Prefix netip.Prefix
	Paths  []SnapshotPath
}

// Snapshot walks one table in batches (see Router.Snapshot):
//
//	s := r.Snapshot(router.SnapshotOptions{Table: router.AdjRIBIn})
//	defer s.Close()
//	peers := s.Peers()
//	for s.Next() {
//		for _, p := range s.Batch() { … }
//	}
type Snapshot struct {
	r        *Router
	opt      SnapshotOptions
	routerID netip.Addr
	peers    []SnapshotPeer
	srcs     map[rib.PeerID]snapSource
	rej      map[snapKey][]snapRejected // AdjRIBIn: paths not in the Loc-RIB

	next func() (struct{}, bool)
	stop func()
	done bool

	batch []SnapshotPrefix
	paths []SnapshotPath // backing of the batch's Paths
	buf   []byte         // backing of the batch's Attrs and NextHop
}

// snapSource is a captured source: the object (a session that goes down
// and comes back gets a new one, maybe under the same PeerID) and its
// index in Snapshot.peers.
type snapSource struct {
	src *source
	idx int
}

type snapKey struct {
	f wire.Family
	p netip.Prefix
}

type snapRejected struct {
	src snapSource
	id  uint32
}

// Snapshot starts a walk of table opt.Table. The sources (Peers) are
// captured now, under the lock; the prefixes are copied batch by batch
// by Next, each under one short lock hold. Paths of sessions that went
// down (or came up) after the start are left out. Close must be called
// unless Next returned false.
func (r *Router) Snapshot(opt SnapshotOptions) *Snapshot {
	if opt.Batch <= 0 {
		opt.Batch = DefaultSnapshotBatch
	}
	if len(opt.Families) == 0 {
		opt.Families = ribFamilies
	}
	s := &Snapshot{r: r, opt: opt, srcs: map[rib.PeerID]snapSource{}}
	r.mu.Lock()
	defer r.mu.Unlock()
	s.routerID = r.opt.RouterID
	for id, src := range r.sources {
		if src == nil {
			continue
		}
		var sp SnapshotPeer
		if p := src.peer; p != nil {
			if opt.Table == AdjRIBIn && len(opt.Peers) > 0 && !slices.Contains(opt.Peers, p.name) {
				continue
			}
			sp = SnapshotPeer{Name: p.name, AS: p.cfg.Remote.AS, Address: p.cfg.Remote.IP,
				RouterID: p.remoteID, LocalAS: p.cfg.LocalAS, Recv: p.recv}
		} else {
			if opt.Table == AdjRIBIn {
				continue // a local pseudo-peer has no Adj-RIB-In of a session
			}
			sp = SnapshotPeer{Name: src.name, Local: true, RouterID: r.opt.RouterID}
		}
		ss := snapSource{src: src, idx: len(s.peers)}
		s.srcs[rib.PeerID(id)] = ss
		s.peers = append(s.peers, sp)
		if opt.Table == AdjRIBIn && src.peer.rejected != nil {
			for n := range src.peer.rejected {
				if slices.Contains(opt.Families, n.Family) {
					if s.rej == nil {
						s.rej = map[snapKey][]snapRejected{}
					}
					k := snapKey{n.Family, n.Prefix}
					s.rej[k] = append(s.rej[k], snapRejected{ss, n.PathID})
				}
			}
		}
	}
	s.next, s.stop = iter.Pull(s.walk)
	return s
}

// RouterID returns the router's BGP Identifier (an MRT dump's collector
// ID).
func (s *Snapshot) RouterID() netip.Addr { return s.routerID }

// Peers returns the sources paths name by index. It does not change
// during the walk.
func (s *Snapshot) Peers() []SnapshotPeer { return s.peers }

// Next copies the next batch of prefixes, holding the router's lock at
// most for as many prefixes as SnapshotOptions.Batch, and reports
// whether there is one (a batch is never empty). After false the walk
// is over (and closed).
func (s *Snapshot) Next() bool {
	s.batch, s.paths, s.buf = s.batch[:0], s.paths[:0], s.buf[:0]
	for !s.done && len(s.batch) == 0 {
		s.r.mu.Lock()
		_, ok := s.next()
		s.r.mu.Unlock()
		if !ok {
			s.done = true
		}
	}
	return len(s.batch) > 0
}

// Batch returns the prefixes Next copied. They, their Paths and their
// bytes are valid until the next call to Next.
func (s *Snapshot) Batch() []SnapshotPrefix { return s.batch }

// Close ends the walk early; it may be called more than once, and after
// Next returned false.
func (s *Snapshot) Close() {
	if s.done {
		s.stop()
		return
	}
	s.done = true
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.stop() // the paused walk runs to its end (skipping), under the lock
}

// walk is the pull iterator's body: it runs only inside s.next() or
// s.stop(), which the caller calls with the router locked. It yields
// after every opt.Batch prefixes looked at.
func (s *Snapshot) walk(yield func(struct{}) bool) {
	seen := 0
	stopped := false
	pause := func() {
		seen++
		if seen >= s.opt.Batch {
			seen = 0
			stopped = !yield(struct{}{})
		}
	}
	for _, f := range s.opt.Families {
		s.r.loc.Each(f, func(p netip.Prefix, best rib.Path, paths []rib.Path) {
			if stopped {
				return
			}
			s.add(f, p, best, paths)
			pause()
		})
		// Prefixes whose only paths were ignored on receipt.
		for k := range s.rej {
			if stopped {
				return
			}
			if k.f == f {
				s.add(f, k.p, rib.Path{}, nil)
				pause()
			}
		}
		if stopped {
			return
		}
	}
	if seen > 0 {
		yield(struct{}{})
	}
}

// add copies prefix p's paths to the batch: for LocRIB its best path,
// for AdjRIBIn its candidates and the paths ignored on receipt, of the
// captured sources still up.
func (s *Snapshot) add(f wire.Family, p netip.Prefix, best rib.Path, paths []rib.Path) {
	start := len(s.paths)
	if s.opt.Table == LocRIB {
		if best.Attrs != 0 {
			s.addPath(best.Peer, best.PathID, best.Attrs)
		}
	} else {
		for _, c := range paths {
			s.addPath(c.Peer, c.PathID, c.Attrs)
		}
		k := snapKey{f, p}
		for _, rj := range s.rej[k] {
			sp := rj.src.src.peer
			if s.r.sources[rj.src.src.id] != rj.src.src || sp.rejected == nil {
				continue
			}
			n := rib.NLRI{Family: f, Prefix: p, PathID: rj.id}
			if _, still := sp.rejected[n]; !still {
				continue
			}
			if h, _ := rj.src.src.in.Lookup(n); h != 0 {
				s.copyPath(rj.src.idx, rj.id, h)
			}
		}
		delete(s.rej, k)
	}
	if len(s.paths) > start {
		s.batch = append(s.batch, SnapshotPrefix{Family: f, Prefix: p, Paths: s.paths[start:len(s.paths):len(s.paths)]})
	}
}

// addPath copies the path (id, pathID, h) when its source is captured
// and still the same session.
func (s *Snapshot) addPath(id rib.PeerID, pathID uint32, h rib.Attrs) {
	ss, ok := s.srcs[id]
	if !ok || int(id) >= len(s.r.sources) || s.r.sources[id] != ss.src {
		return
	}
	s.copyPath(ss.idx, pathID, h)
}

// copyPath appends a path with a copy of h's bytes.
func (s *Snapshot) copyPath(idx int, pathID uint32, h rib.Attrs) {
	pool := s.r.pool
	at := len(s.buf)
	s.buf = pool.AppendAttrs(s.buf, h)
	attrs := s.buf[at:len(s.buf):len(s.buf)]
	var nh []byte
	at = len(s.buf)
	if b, ok := pool.MPNextHop(s.buf, h); ok {
		s.buf = b
		nh = s.buf[at:len(s.buf):len(s.buf)]
		if nh == nil {
			nh = []byte{}
		}
	}
	s.paths = append(s.paths, SnapshotPath{Peer: idx, PathID: pathID, Attrs: attrs, NextHop: nh})
}
