package testpeer

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// replayMRT runs inject mode's MRT replay on an Established session:
// replay, End-of-RIB, report, linger, close.
func (p *Peer) replayMRT(ctx context.Context, s *session) {
	ic := &p.cfg.Inject
	r, err := mrt.Open(ic.MRT.File)
	if err != nil {
		p.injectFailed(s, err.Error())
		return
	}
	defer r.Close()
	s.mu.Lock()
	send, fams := s.sendCtx, capability.CommonFamilies(s.localSet, s.remoteSet)
	s.mu.Unlock()
	rp := newReplayer(send, fams, &ic.MRT, s.write)
	run := injectRun{start: time.Now()}
	if err := rp.run(ctx, r); err != nil {
		p.injectFailed(s, "replaying "+ic.MRT.File+": "+waitError(ctx, err))
		return
	}
	run.end = time.Now()
	run.count, run.updates, run.octets = rp.sent, int(rp.rc.msgs), rp.octets
	if rp.damage.Count > 0 {
		var sb strings.Builder
		fmt.Fprintf(&sb, "note %s: inject: %s: %d damaged records or routes", s.name, ic.MRT.File, rp.damage.Count)
		for i, d := range rp.damage.Kept {
			if i == 5 {
				sb.WriteString("\n  …")
				break
			}
			sb.WriteString("\n  " + d.String())
		}
		p.out.problem(sb.String())
	}
	p.inject.add(run, false, false)
	p.inject.addMRT(&rp.rep)
	p.injectDone(ctx, s, nil)
}

// peerKey is a recorded peer.
type peerKey struct {
	ip  netip.Addr
	asn uint32
}

// tablePeer is a PEER_INDEX_TABLE entry and whether it is selected.
type tablePeer struct {
	key      peerKey
	selected bool
}

// replayer replays one MRT file into one session.
type replayer struct {
	write  func([]byte) error
	cfg    *MRTReplay
	rc     *recoder
	pk     *ribPacker
	fams   []wire.Family
	buf    []byte
	octets int64
	sent   int64 // prefixes announced
	rep    MRTReport
	damage mrt.DamageLog

	table     []tablePeer     // the PEER_INDEX_TABLE
	haveTable bool            //
	index     map[peerKey]int // TABLE_DUMP and update files: index by first appearance
	used      map[peerKey]struct{}
	scratch   []byte
	u         message.Update

	// Pacing (Speed > 0): the first record's time and when it was sent.
	paced bool
	first int64 // nanoseconds since 1970
	wall  time.Time
}

// newReplayer returns a replayer for a session whose send context is
// send and whose negotiated families are fams; write sends octets.
func newReplayer(send wire.Context, fams []wire.Family, cfg *MRTReplay, write func([]byte) error) *replayer {
	rc := newRecoder(send, fams)
	return &replayer{
		write: write, cfg: cfg, rc: rc, pk: newRIBPacker(rc), fams: fams,
		buf:   make([]byte, 0, 64<<10), // grows to flushAt and a message
		index: make(map[peerKey]int), used: make(map[peerKey]struct{}),
	}
}

// run replays every record of r, then End-of-RIB for every negotiated
// family (RFC 4724 §2). The error is a write error or ctx's.
func (rp *replayer) run(ctx context.Context, r *mrt.Reader) error {
	for r.Next() {
		rec := r.Record()
		rp.rep.Records++
		if rp.cfg.Speed > 0 {
			if err := rp.pace(ctx, rec); err != nil {
				return err
			}
		}
		switch rec.Type {
		case mrt.TypeTableDumpV2:
			rp.tableDumpV2(rec)
		case mrt.TypeTableDump:
			rp.tableDump(rec)
		case mrt.TypeBGP4MP, mrt.TypeBGP4MPET:
			rp.bgp4mp(rec)
		case mrt.TypeBGP:
			rp.legacy(rec)
		default:
			rp.rep.Skipped.Other++
		}
		if len(rp.buf) >= flushAt {
			if err := rp.flush(); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	for _, d := range r.Damage().Kept {
		rp.damage.Add(d.Offset, d.Reason)
	}
	rp.damage.Count += r.Damage().Count - len(r.Damage().Kept)
	rp.buf = rp.pk.flush(rp.buf)
	for _, f := range rp.fams {
		rp.buf = appendEOR(rp.buf, f)
	}
	rp.rep.Peers = len(rp.used)
	rp.rep.Damaged = int64(rp.damage.Count)
	return rp.flush()
}

// flush writes what was gathered.
func (rp *replayer) flush() error {
	if len(rp.buf) == 0 {
		return nil
	}
	rp.octets += int64(len(rp.buf))
	err := rp.write(rp.buf)
	rp.buf = rp.buf[:0]
	return err
}

// pace waits until rec is due: its recorded time after the first
// record's, divided by the speed. Records that go back in time are sent
// at once.
func (rp *replayer) pace(ctx context.Context, rec *mrt.Record) error {
	t := int64(rec.Timestamp)*1e9 + int64(rec.Microseconds)*1e3
	if !rp.paced {
		rp.paced, rp.first, rp.wall = true, t, time.Now()
		return nil
	}
	due := rp.wall.Add(time.Duration(float64(t-rp.first) / rp.cfg.Speed))
	wait := time.Until(due)
	if wait <= time.Millisecond {
		return nil
	}
	rp.buf = rp.pk.flush(rp.buf)
	if err := rp.flush(); err != nil {
		return err
	}
	tm := time.NewTimer(wait)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// damaged records one case of damage.
func (rp *replayer) damaged(rec *mrt.Record, what string, err error) {
	rp.damage.Addf(rec.Offset, "%s/%s %s: %v", rec.Type, mrt.SubtypeString(rec.Type, rec.Subtype), what, err)
}

// recordError counts a record mrt could not parse: skipped when it is
// of a subtype mrt does not read (mrt.ErrSubtype), else damaged.
func (rp *replayer) recordError(rec *mrt.Record, err error) {
	if errors.Is(err, mrt.ErrSubtype) {
		rp.rep.Skipped.Other++
		return
	}
	rp.damaged(rec, "record", err)
}

// selectPeer returns the key of a peer of a TABLE_DUMP record or an
// update file and its index (peerIndex), and whether MRTReplay.Peer
// selects it; a peer not selected is counted as skipped.
func (rp *replayer) selectPeer(ip netip.Addr, asn uint32) (k peerKey, idx int, ok bool) {
	k = peerKey{ip.Unmap(), asn}
	idx = rp.peerIndex(k)
	if !rp.cfg.Peer.match(idx, k.ip, k.asn) {
		rp.rep.Skipped.Peer++
		return k, idx, false
	}
	return k, idx, true
}

// peerIndex returns the index of a peer of a TABLE_DUMP record or an
// update file: the order in which peers first appear.
func (rp *replayer) peerIndex(k peerKey) int {
	i, ok := rp.index[k]
	if !ok {
		i = len(rp.index)
		rp.index[k] = i
	}
	return i
}

// tableDumpV2 replays the routes of a RIB record (RFC 6396 §4.3) and
// reads the PEER_INDEX_TABLE they refer to.
func (rp *replayer) tableDumpV2(rec *mrt.Record) {
	switch rec.Subtype {
	case mrt.PeerIndexTable:
		t, err := mrt.ParsePeerIndex(rec)
		if err != nil {
			rp.damaged(rec, "record", err)
			return
		}
		rp.table, rp.haveTable = rp.table[:0], true
		it := t.Peers()
		for it.Next() {
			e := it.Peer()
			k := peerKey{e.IP.Unmap(), e.AS}
			rp.table = append(rp.table, tablePeer{key: k, selected: rp.cfg.Peer.match(e.Index, k.ip, k.asn)})
		}
		return
	case mrt.GeoPeerTable:
		rp.rep.Skipped.Other++
		return
	}
	rib, err := mrt.ParseRIB(rec)
	if err != nil {
		rp.recordError(rec, err)
		return
	}
	negotiated := rp.rc.negotiated(rib.Family)
	ctx := rib.Context()
	it := rib.Entries()
	for it.Next() {
		idx := int(it.PeerIndex())
		tp := tablePeer{selected: true}
		switch {
		case idx < len(rp.table):
			tp = rp.table[idx]
		case rp.haveTable:
			rp.damaged(rec, fmt.Sprintf("entry of peer %d", idx), mrt.ErrPeerIndex)
			continue
		case rp.cfg.Peer != MRTPeer{}:
			rp.damaged(rec, "entry", mrt.ErrNoPeerIndex)
			continue
		}
		if !tp.selected {
			rp.rep.Skipped.Peer++
			continue
		}
		if !negotiated {
			rp.rep.Skipped.Family++
			continue
		}
		rp.scratch, err = rib.AppendUpdate(rp.scratch[:0], it.Attrs(), it.PathID())
		if err != nil {
			rp.routeError(rec, err)
			continue
		}
		rp.route(rec, ctx, uint32(idx)+1, tp.key)
	}
	if err := it.Err(); err != nil {
		rp.damaged(rec, "entries", err)
	}
}

// tableDump replays the route of a TABLE_DUMP record (RFC 6396 §4.2).
func (rp *replayer) tableDump(rec *mrt.Record) {
	t, err := mrt.ParseTableDump(rec)
	if err != nil {
		rp.recordError(rec, err)
		return
	}
	k, idx, ok := rp.selectPeer(t.PeerIP, t.PeerAS)
	if !ok {
		return
	}
	if !rp.rc.negotiated(t.Family) {
		rp.rep.Skipped.Family++
		return
	}
	if rp.scratch, err = t.AppendUpdate(rp.scratch[:0]); err != nil {
		rp.routeError(rec, err)
		return
	}
	rp.route(rec, t.Context(), uint32(idx)+1, k)
}

// routeError counts a RIB route mrt could not build an UPDATE for.
func (rp *replayer) routeError(rec *mrt.Record, err error) {
	if errors.Is(err, mrt.ErrUpdateTooLong) {
		rp.rep.Skipped.Oversize++
		return
	}
	rp.damaged(rec, "route", err)
}

// route packs the one-route UPDATE in rp.scratch, recorded under ctx.
func (rp *replayer) route(rec *mrt.Record, ctx wire.Context, defID uint32, k peerKey) {
	if err := rp.u.Parse(rp.scratch); err != nil {
		rp.damaged(rec, "route", err)
		return
	}
	if err := rp.rc.decompose(&rp.u, ctx, defID); err != nil {
		rp.damaged(rec, "route", err)
		return
	}
	n := rp.rc.ann4.count() + rp.rc.annMP.count()
	var err error
	if rp.buf, err = rp.pk.add(rp.buf); err != nil {
		rp.rep.Skipped.Oversize++
		return
	}
	if n > 0 {
		rp.rep.Routes++
		rp.sent += int64(n)
		rp.used[k] = struct{}{}
	}
}

// bgp4mp replays the UPDATE of a BGP4MP or BGP4MP_ET record (RFC 6396
// §4.4, RFC 8050 §3).
func (rp *replayer) bgp4mp(rec *mrt.Record) {
	m, err := mrt.ParseBGP4MP(rec)
	if err != nil {
		rp.recordError(rec, err)
		return
	}
	if m.IsStateChange() || m.Local() {
		rp.rep.Skipped.Other++
		return
	}
	k, _, ok := rp.selectPeer(m.PeerIP, m.PeerAS)
	if !ok {
		return
	}
	rp.message(rec, m.Message, m.Context(), k)
}

// legacy replays the UPDATE of a record of the deprecated BGP type (RFC
// 6396 §B.2.1).
func (rp *replayer) legacy(rec *mrt.Record) {
	m, err := mrt.ParseLegacyBGP(rec)
	if err != nil {
		rp.recordError(rec, err)
		return
	}
	if m.MessageType() != wire.TypeUpdate {
		rp.rep.Skipped.Other++
		return
	}
	k, _, ok := rp.selectPeer(m.PeerIP, m.PeerAS)
	if !ok {
		return
	}
	rp.scratch = m.AppendMessage(rp.scratch[:0])
	rp.message(rec, rp.scratch, m.Context(), k)
}

// message replays one recorded BGP message: an UPDATE as recorded when
// the session's context is the recorded one (and the marker and length
// are sound), else rebuilt; other types are skipped.
func (rp *replayer) message(rec *mrt.Record, msg []byte, ctx wire.Context, k peerKey) {
	if len(msg) < wire.HeaderLen {
		rp.damaged(rec, "message", mrt.ErrShort)
		return
	}
	n := int(msg[16])<<8 | int(msg[17])
	if n < wire.HeaderLen || n > len(msg) {
		rp.damaged(rec, "message", fmt.Errorf("BGP message length %d in %d octets", n, len(msg)))
		return
	}
	msg = msg[:n]
	if wire.Type(msg[18]) != wire.TypeUpdate {
		rp.rep.Skipped.Other++
		return
	}
	if err := rp.u.Parse(msg); err != nil {
		rp.damaged(rec, "UPDATE", err)
		return
	}
	rc := rp.rc
	if err := rc.decompose(&rp.u, ctx, uint32(rp.peerIndex(k))+1); err != nil {
		rp.damaged(rec, "UPDATE", err)
		return
	}
	rp.rep.Skipped.Family += int64(rc.skipped)
	before := rc.msgs
	if !rc.changed && len(msg) <= rc.max && markerOK(msg) {
		rp.buf = append(rp.buf, msg...)
		rc.msgs++
	} else {
		var err error
		rp.buf, err = rc.appendDecomposed(rp.buf)
		if err != nil {
			rp.rep.Skipped.Oversize++
		}
		if rc.msgs > before {
			rp.rep.Recoded++
		}
	}
	if rc.msgs == before {
		return
	}
	rp.rep.Messages++
	rp.sent += int64(rc.ann4.count() + rc.annMP.count())
	rp.rep.Withdrawn += int64(rc.wd4.count() + rc.wdMP.count())
	rp.used[k] = struct{}{}
}

// markerOK reports whether msg starts with the all-ones marker (RFC 4271
// §4.1).
func markerOK(msg []byte) bool {
	for _, b := range msg[:wire.MarkerLen] {
		if b != 0xFF {
			return false
		}
	}
	return true
}
