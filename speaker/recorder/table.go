package recorder

import (
	"errors"
	"fmt"
	"time"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/router"
	"github.com/ze-bgp/ze/speaker/wire"
)

// errNoTable is returned by Dump for a table the config does not record.
var errNoTable = errors.New("recorder: this table is not recorded (no table or loc-rib in the mrt block)")

// locRIBView is the PEER_INDEX_TABLE view name of Loc-RIB dumps.
const locRIBView = "loc-rib"

// Dump writes a TABLE_DUMP_V2 dump of table (router.AdjRIBIn: the
// config's table; router.LocRIB: its loc-rib) now, to the file of the
// current period, replacing a dump of the same period. Run calls it on
// schedule. Errors: a table not configured, the file, a record that
// cannot be encoded (more than 65535 peers). A prefix that cannot be
// encoded (more than 65535 paths) is left out and logged.
func (r *Recorder) Dump(table router.Table) error {
	return r.dump(table, r.opt.Now())
}

// dump writes the dump of table stamped at.
func (r *Recorder) dump(table router.Table, at time.Time) (err error) {
	var rec config.Recording
	view := ""
	switch table {
	case router.AdjRIBIn:
		rec = r.cfg.Table
	case router.LocRIB:
		rec, view = r.cfg.LocRIB, locRIBView
	}
	if rec.File == "" {
		return errNoTable
	}
	r.tableMu.Lock()
	defer r.tableMu.Unlock()
	defer func() {
		r.mu.Lock()
		if err != nil {
			r.stats.Errors++
		} else {
			r.stats.Tables++
		}
		r.mu.Unlock()
	}()

	w, err := mrt.NewWriter(rec.File, mrt.WriterOptions{Every: rec.Every, Atomic: true})
	if err != nil {
		return err
	}
	snap := r.router.Snapshot(router.SnapshotOptions{Table: table, Peers: r.cfg.Peers})
	defer snap.Close()

	peers := snap.Peers()
	index := make([]mrt.IndexPeer, len(peers))
	since := make([]time.Time, len(peers))
	var addPath [4]bool // by family, see famSlot
	r.mu.Lock()
	for i, p := range peers {
		index[i] = mrt.IndexPeer{BGPID: p.RouterID, IP: p.Address, AS: p.AS}
		since[i] = at
		if ps := r.peers[p.Name]; ps != nil && !p.Local {
			since[i] = ps.since
		}
		for fi, f := range famSlots {
			// RFC 8050 §4: the _ADDPATH subtypes when a peer's paths of
			// the family carry identifiers. A Loc-RIB dump has one path
			// per prefix: never.
			addPath[fi] = addPath[fi] || table == router.AdjRIBIn && p.Recv.AddPath(f)
		}
	}
	r.mu.Unlock()

	buf, err := mrt.AppendPeerIndexTable(nil, at, snap.RouterID(), view, index)
	if err != nil {
		return err
	}
	if err := w.Write(at, buf); err != nil {
		return err
	}
	defer func() {
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}()
	var seq uint32
	var paths []mrt.RIBPath
	var skipped int
	var skipErr error
	for snap.Next() {
		for _, p := range snap.Batch() {
			paths = paths[:0]
			for _, sp := range p.Paths {
				paths = append(paths, mrt.RIBPath{PeerIndex: uint16(sp.Peer), Originated: since[sp.Peer],
					PathID: sp.PathID, Attrs: sp.Attrs, NextHop: sp.NextHop})
			}
			var eerr error
			buf, eerr = mrt.AppendRIB(buf[:0], at, seq, p.Family, addPath[famSlot(p.Family)], p.Prefix, paths)
			if eerr != nil { // more than 65535 paths: left out, the dump goes on
				skipped, skipErr = skipped+1, fmt.Errorf("%s %s: %w", p.Family, p.Prefix, eerr)
				continue
			}
			seq++
			if err := w.Write(at, buf); err != nil {
				return err // the Writer dropped the partial file
			}
		}
	}
	if skipped > 0 {
		r.log.Warn("mrt: prefixes left out of the table dump", "table", table.String(), "prefixes", skipped, "last", skipErr)
	}
	return nil
}

// famSlots are the families a dump holds, in the RIB's order.
var famSlots = [4]wire.Family{wire.IPv4Unicast, wire.IPv4Multicast, wire.IPv6Unicast, wire.IPv6Multicast}

// famSlot returns f's index in famSlots (0 for another family, which
// snapshots never hold).
func famSlot(f wire.Family) int {
	for i, g := range famSlots {
		if g == f {
			return i
		}
	}
	return 0
}
