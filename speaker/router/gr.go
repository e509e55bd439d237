package router

import (
	"slices"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/rib"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Graceful restart, receiving speaker (RFC 4724 §4.2, RFC 8538 §4).
//
// A peer whose session ends gracefully (DownGraceful: the session
// driver decided the end allows it) keeps its Loc-RIB source: its
// routes of the families its Graceful Restart capability listed are
// marked stale and stay best-path candidates (the RFC treats them like
// any route; a stale path does not lose ties), the others are withdrawn
// at once, and the restart timer (the peer's Restart Time) runs. When
// it fires, the stale routes are withdrawn.
//
// The next session of the peer (UpRestart) takes the source over when
// it describes the same peer (address, router ID, AS): the routes it
// announces replace the stale ones in place, so a route refreshed with
// the same attributes changes nothing and no other session is sent an
// UPDATE. The stale routes of a family are withdrawn at once when the
// new OPEN has no Graceful Restart capability, does not list the
// family, lists it without the F bit (forwarding state not preserved),
// or the family or its ADD-PATH mode changed; otherwise they wait for
// the peer's End-of-RIB of the family, then those not refreshed are
// withdrawn, or for the stale timer (the peer's capability stale-time,
// DefaultStaleTime) whichever comes first. A session that ends
// gracefully again before that marks every route of the retained
// families stale anew and restarts the restart timer.
//
// Not done: Long-Lived Graceful Restart (RFC 9494). RestartOf reads the
// peer's LLGR capability, but ze neither advertises it nor keeps routes
// past the restart timer with LLGR_STALE (which needs the decision
// process to rank such routes last and exports to skip peers without
// the capability); a peer's LLGR capability changes nothing.

// DefaultStaleTime bounds how long stale routes wait for the End-of-RIB
// of a peer that came back (RFC 4724 §4.2 allows such an upper bound;
// FRR's stalepath-time default).
const DefaultStaleTime = 360 * time.Second

// Restart is what a peer's OPEN said about graceful restart: its
// Graceful Restart capability (RFC 4724 §3, with RFC 8538 §2's N flag)
// and its Long-Lived Graceful Restart capability (RFC 9494 §3, read but
// not acted upon). The zero value: the peer advertised neither. The
// slices are copies.
type Restart struct {
	Advertised bool                       // a Graceful Restart capability was received
	Flags      capability.RestartFlags    // R (restarted), N (NOTIFICATION covered)
	Time       uint16                     // Restart Time in seconds (0–4095)
	Families   []capability.RestartFamily // families whose routes are retained, with their F bit
	LLGR       []capability.LLGRFamily    // RFC 9494 families and long-lived stale times
}

// RestartOf reads the Restart of OPEN o: its first well-formed
// Graceful Restart capability and its first well-formed LLGR
// capability (a malformed one resets the session before it is up, RFC
// 5492 §3, so none should reach here).
func RestartOf(o message.Open) Restart {
	var gr Restart
	llgr := false
	it := o.Capabilities()
	for it.Next() {
		switch it.Code() {
		case capability.CodeGracefulRestart:
			g, err := capability.ParseGracefulRestart(it.Value())
			if err != nil || gr.Advertised {
				continue
			}
			gr.Advertised, gr.Flags, gr.Time = true, g.Flags(), g.Time()
			for e := range g.All() {
				gr.Families = append(gr.Families, e)
			}
		case capability.CodeLLGR:
			l, err := capability.ParseLLGR(it.Value())
			if err != nil || llgr {
				continue
			}
			llgr = true
			for e := range l.All() {
				gr.LLGR = append(gr.LLGR, e)
			}
		}
	}
	return gr
}

// Family returns the entry of family f in the Graceful Restart
// capability.
func (g Restart) Family(f wire.Family) (capability.RestartFamily, bool) {
	for _, e := range g.Families {
		if e.Family == f {
			return e, true
		}
	}
	return capability.RestartFamily{}, false
}

// LongLived returns the entry of family f in the LLGR capability.
func (g Restart) LongLived(f wire.Family) (capability.LLGRFamily, bool) {
	for _, e := range g.LLGR {
		if e.Family == f {
			return e, true
		}
	}
	return capability.LLGRFamily{}, false
}

// UpRestart is Up for a session whose peer's OPEN said gr about
// graceful restart: when the peer's previous session ended gracefully
// and its stale routes are still kept, the new session takes them over
// (see the graceful restart notes in gr.go). Up is UpRestart with a
// zero Restart (stale routes, if any, withdrawn at once).
func (r *Router) UpRestart(s Session, recv wire.Context, remote capability.Speaker, gr Restart) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.upLocked(s, recv, remote, gr)
}

// DownGraceful takes s down after an end that allows graceful restart
// (RFC 4724 §4.2: the TCP connection failed with no NOTIFICATION; RFC
// 8538 §4: a NOTIFICATION other than Hard Reset with the N flag
// exchanged — the session driver decides). When both sides advertised
// Graceful Restart (s's config has capability graceful-restart, the
// Restart given to UpRestart is Advertised) its routes are kept as
// described in gr.go and the restart timer started; otherwise it is
// Down. It reports whether routes were kept.
func (r *Router) DownGraceful(s Session) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.bySess[s]
	if p == nil {
		return false
	}
	if !p.gr.Advertised || p.cfg.Capability.GracefulRestart == 0 || p.gr.Time == 0 {
		r.down(s)
		return false
	}
	r.detach(s, p)
	src := p.src
	var keep []wire.Family
	for _, f := range ribFamilies {
		if src.in.Len(f) == 0 {
			continue
		}
		src.in.MarkStale(f)
		if _, ok := p.gr.Family(f); ok && p.hasFamily(f) {
			keep = append(keep, f)
		} else {
			r.sweep(src, f)
		}
	}
	p.stop()
	p.stale, p.grDown = keep, true
	if len(keep) == 0 {
		r.endRestart(p)
		return false
	}
	r.logRestart(p, "graceful restart: routes kept stale", "restart-time", p.gr.Time, "families", famString(keep))
	r.arm(p, time.Duration(p.gr.Time)*time.Second, r.restartExpired)
	return true
}

// detach forgets s as an established session of p.
func (r *Router) detach(s Session, p *peer) {
	delete(r.bySess, s)
	if i := slices.Index(r.up, p); i >= 0 {
		r.up = slices.Delete(r.up, i, i+1)
	}
}

// sweep withdraws the stale routes of family f of src and tells the
// established sessions.
func (r *Router) sweep(src *source, f wire.Family) int {
	r.cs = src.in.SweepStale(r.cs[:0], f)
	n := len(r.cs)
	if n > 0 {
		r.propagate(src, r.cs, nil)
	}
	return n
}

// resume hands p's new session the source kept across its graceful
// restart (p.start done, p.gr the new session's Restart). Called with
// the router locked, before p is established in the router.
func (r *Router) resume(p *peer, kept *source, rejected map[rib.NLRI]struct{}) {
	r.disarm(p)
	p.grDown = false
	p.src = kept
	cfg := p.cfg
	desc := rib.Peer{Address: cfg.Remote.IP, RouterID: addrID(p.remoteID), AS: cfg.Remote.AS, IBGP: p.ibgp}
	if r.loc.Peer(kept.id) != desc {
		// Another speaker answers at that address: start afresh.
		r.logRestart(p, "graceful restart: peer changed, stale routes withdrawn")
		r.endRestart(p)
		r.addSource(p)
		return
	}
	p.rejected = rejected
	kept.rrc = cfg.RouteReflectorClient
	old := kept.in.Context()
	kept.in.SetContext(p.recv)
	var keep []wire.Family
	for _, f := range p.stale {
		e, ok := p.gr.Family(f)
		if ok && e.Forwarding() && p.hasFamily(f) && old.AddPath(f) == p.recv.AddPath(f) {
			keep = append(keep, f)
			continue
		}
		// RFC 4724 §4.2: no capability, family not listed or F bit
		// clear: the stale routes go at once.
		n := r.sweep(kept, f)
		r.logRestart(p, "graceful restart: forwarding state not preserved, stale routes withdrawn", "family", f, "routes", n)
	}
	p.stale = keep
	if len(keep) > 0 {
		r.arm(p, p.staleTime(), r.staleExpired)
	}
}

// endOfRIB handles the End-of-RIB of f received from p: its routes of
// f still stale are withdrawn (RFC 4724 §4.2).
func (r *Router) endOfRIB(p *peer, f wire.Family) {
	i := slices.Index(p.stale, f)
	if i < 0 {
		return
	}
	p.stale = slices.Delete(p.stale, i, i+1)
	n := r.sweep(p.src, f)
	r.logRestart(p, "graceful restart: end-of-rib, stale routes withdrawn", "family", f, "routes", n)
	if len(p.stale) == 0 {
		r.disarm(p)
	}
}

// staleExpired: the stale timer of an established p fired before its
// End-of-RIB: every route still stale is withdrawn.
func (r *Router) staleExpired(p *peer) {
	for _, f := range p.stale {
		n := r.sweep(p.src, f)
		r.logRestart(p, "graceful restart: stale timer expired, stale routes withdrawn", "family", f, "routes", n)
	}
	p.stale = nil
}

// restartExpired: p did not come back within its Restart Time: its
// stale routes are withdrawn.
func (r *Router) restartExpired(p *peer) {
	r.logRestart(p, "graceful restart: restart timer expired, stale routes withdrawn")
	r.endRestart(p)
}

// endRestart withdraws every route of the source p kept (stale or not)
// and frees it. Called with the router locked, p's session down.
func (r *Router) endRestart(p *peer) {
	r.disarm(p)
	src := p.src
	p.src, p.stale, p.grDown = nil, nil, false
	if src == nil {
		return
	}
	r.cs = src.in.Clear(r.cs[:0])
	r.propagate(src, r.cs, nil)
	r.cs = src.in.Clear(r.cs[:0]) // empty: releases the cleared routes' handles
	r.sources[src.id] = nil
	r.freeID(src.id)
	p.rejected = nil
}

// staleTime is how long p's stale routes wait for its End-of-RIB.
func (p *peer) staleTime() time.Duration {
	if t := p.cfg.Capability.StaleTime; t > 0 {
		return time.Duration(t) * time.Second
	}
	return DefaultStaleTime
}

// arm starts p's graceful restart timer (one at a time: the restart
// timer while down, the stale timer once back): fire is
// called with the router locked after d, unless disarmed first.
func (r *Router) arm(p *peer, d time.Duration, fire func(*peer)) {
	r.disarm(p)
	gen := p.timerGen
	fn := func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if p.timerGen != gen || r.peers[p.name] != p {
			return // disarmed or re-armed since, or the peer is gone
		}
		p.stopTimer = nil
		fire(p)
	}
	if r.opt.AfterFunc != nil {
		p.stopTimer = r.opt.AfterFunc(d, fn)
		return
	}
	t := time.AfterFunc(d, fn)
	p.stopTimer = func() { t.Stop() }
}

// disarm stops p's timer; a callback already waiting for the lock
// finds the generation moved and does nothing.
func (r *Router) disarm(p *peer) {
	p.timerGen++
	if p.stopTimer != nil {
		p.stopTimer()
		p.stopTimer = nil
	}
}

// logRestart logs a graceful restart event of p.
func (r *Router) logRestart(p *peer, msg string, args ...any) {
	if r.opt.Logger != nil {
		r.opt.Logger.Info(msg, append([]any{"peer", p.name}, args...)...)
	}
}

func famString(fs []wire.Family) string {
	s := ""
	for i, f := range fs {
		if i > 0 {
			s += ","
		}
		s += f.String()
	}
	return s
}
