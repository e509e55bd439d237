package stats

import (
	"fmt"
	"net/netip"
	"sync/atomic"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
)

// Options tune a Collector.
type Options struct {
	// Top is how many entries each top list holds (origin ASNs, MOAS
	// prefixes, communities, large communities); 0 means DefaultTop.
	Top int
}

// DefaultTop is the length of the top lists when Options.Top is 0.
const DefaultTop = 10

// maxDamageKept bounds the damage cases a Collector lists in detail (the
// count goes on), as mrt.DamageLog does.
const maxDamageKept = 100

// Collector accumulates the statistics of MRT records, one record at a
// time (Add, or Read for a whole stream). It keeps counts and the
// distinct prefixes, AS paths and communities, never the records. A
// Collector is not safe for concurrent use, except Records.
type Collector struct {
	opt     Options
	files   []string
	file    string // the file being read, for damage reports
	records atomic.Int64

	types     map[typeKey]uint64
	messages  [6]uint64 // BGP messages of BGP4MP and BGP records by type (1…5; 0 other)
	states    uint64    // state changes
	local     uint64    // messages the collector sent (_LOCAL subtypes): not counted as routes
	otherNLRI uint64    // MP_REACH/MP_UNREACH attributes of non-IP families
	eor       uint64    // End-of-RIB markers

	first, last uint32 // timestamps of the records, when hasTime
	hasTime     bool

	peers  map[peerKey]*peerStats
	index  []*peerStats // the peers of the last PEER_INDEX_TABLE
	loaded bool

	pfx    prefixes
	paths  map[string]struct{} // unique AS paths, 4-octet segment encoding
	lens   []pathLen           // by AS path length
	comms  map[attr.Community]uint64
	large  map[attr.LargeCommunity]uint64
	rate   rateState
	routes routeCounts

	damage     []Damage
	damageN    int
	recDamaged bool // the current record has been reported once

	// Scratch buffers, reused from record to record.
	upd     message.Update
	msg     []byte
	path    []byte
	canon   []byte
	segs    []attr.Segment
	origins []uint32
}

// routeCounts are the totals over every peer.
type routeCounts struct {
	rib, announce, withdraw uint64
}

// typeKey is an MRT type and subtype.
type typeKey struct {
	typ mrt.Type
	sub uint16
}

// peerKey identifies a collector's peer: its address and AS.
type peerKey struct {
	ip  netip.Addr
	asn uint32
}

// peerStats are one peer's counts and rate series.
type peerStats struct {
	key                     peerKey
	rib, announce, withdraw uint64
	messages, updates       uint64 // BGP messages (not those the collector sent), UPDATEs among them
	states                  uint64
	series                  series
}

// pathLen counts the routes and the unique paths of one AS path length.
type pathLen struct {
	routes, paths uint64
}

// Damage is one damaged record or stretch of a file: the file, the
// offset in its decompressed stream, and why.
type Damage struct {
	File   string `json:"file"`
	Offset int64  `json:"offset"`
	Reason string `json:"reason"`
}

// New returns an empty Collector.
func New(o Options) *Collector {
	if o.Top <= 0 {
		o.Top = DefaultTop
	}
	return &Collector{
		opt:   o,
		types: map[typeKey]uint64{},
		peers: map[peerKey]*peerStats{},
		pfx:   newPrefixes(),
		paths: map[string]struct{}{},
		comms: map[attr.Community]uint64{},
		large: map[attr.LargeCommunity]uint64{},
	}
}

// Records returns how many records have been added so far; it may be
// called from any goroutine (for a progress bar).
func (c *Collector) Records() int64 { return c.records.Load() }

// Read adds every record of r under the name file (used in damage
// reports and the report's file list), then the damage r found itself
// (framing, decompression). A PEER_INDEX_TABLE of an earlier file does
// not carry over.
func (c *Collector) Read(file string, r *mrt.Reader) {
	c.files = append(c.files, file)
	c.file = file
	c.index, c.loaded = c.index[:0], false
	for r.Next() {
		c.Add(r.Record())
	}
	d := r.Damage()
	for _, k := range d.Kept {
		c.addDamage(k.Offset, k.Reason)
	}
	c.damageN += d.Count - len(d.Kept) // those the reader did not keep
}

// Add counts one record. A record its view refuses, or whose BGP message
// or attributes are malformed, is counted as damaged (once) and
// contributes what could be read before the fault.
func (c *Collector) Add(rec *mrt.Record) {
	c.records.Add(1)
	c.recDamaged = false
	c.types[typeKey{rec.Type, rec.Subtype}]++
	if !c.hasTime || rec.Timestamp < c.first {
		c.first = rec.Timestamp
	}
	if !c.hasTime || rec.Timestamp > c.last {
		c.last = rec.Timestamp
	}
	c.hasTime = true
	var err error
	switch rec.Type {
	case mrt.TypeTableDumpV2:
		switch rec.Subtype {
		case mrt.PeerIndexTable:
			err = c.loadPeers(rec)
		case mrt.GeoPeerTable:
		default:
			err = c.rib(rec)
		}
	case mrt.TypeTableDump:
		err = c.tableDump(rec)
	case mrt.TypeBGP4MP, mrt.TypeBGP4MPET:
		err = c.bgp4mp(rec)
	case mrt.TypeBGP:
		err = c.legacy(rec)
	}
	if err != nil {
		c.fault(rec, err)
	}
}

// fault reports damage in rec, once per record.
func (c *Collector) fault(rec *mrt.Record, err error) {
	if c.recDamaged {
		return
	}
	c.recDamaged = true
	c.addDamage(rec.Offset, fmt.Sprintf("%s/%s record: %v", rec.Type, mrt.SubtypeString(rec.Type, rec.Subtype), err))
}

func (c *Collector) addDamage(off int64, reason string) {
	c.damageN++
	if len(c.damage) < maxDamageKept {
		c.damage = append(c.damage, Damage{File: c.file, Offset: off, Reason: reason})
	}
}

// peer returns the stats of a peer, made on first sight.
func (c *Collector) peer(ip netip.Addr, asn uint32) *peerStats {
	k := peerKey{ip.Unmap(), asn}
	p := c.peers[k]
	if p == nil {
		p = &peerStats{key: k}
		c.peers[k] = p
	}
	return p
}

// loadPeers reads a PEER_INDEX_TABLE (RFC 6396 §4.3.1): the peers the
// RIB records that follow refer to by index.
func (c *Collector) loadPeers(rec *mrt.Record) error {
	t, err := mrt.ParsePeerIndex(rec)
	c.index, c.loaded = c.index[:0], true
	it := t.Peers()
	for it.Next() {
		p := it.Peer()
		c.index = append(c.index, c.peer(p.IP, p.AS))
	}
	return err
}

// rib counts the routes of a TABLE_DUMP_V2 RIB record (RFC 6396 §4.3.2,
// RFC 8050 §4): one prefix, one route per entry, 4-octet ASNs.
func (c *Collector) rib(rec *mrt.Record) error {
	r, err := mrt.ParseRIB(rec)
	if err != nil {
		return err
	}
	if r.EntryCount > 0 && !c.loaded {
		return mrt.ErrNoPeerIndex
	}
	prefix, ip := r.Prefix()
	if !ip {
		c.otherNLRI++
	}
	var firstErr error
	it := r.Entries()
	for it.Next() {
		idx := int(it.PeerIndex())
		if idx >= len(c.index) {
			firstErr = mrt.ErrPeerIndex
			continue
		}
		p := c.index[idx]
		p.rib++
		c.routes.rib++
		if !ip {
			continue
		}
		a, err := c.attrs(it.Attrs(), true)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		c.route(a, 1)
		c.pfx.add(prefix, a.origin, a.hasOrigin)
	}
	if err := it.Err(); err != nil && firstErr == nil {
		firstErr = err
	}
	return firstErr
}

// tableDump counts the route of a TABLE_DUMP record (RFC 6396 §4.2).
func (c *Collector) tableDump(rec *mrt.Record) error {
	t, err := mrt.ParseTableDump(rec)
	if err != nil {
		return err
	}
	p := c.peer(t.PeerIP, t.PeerAS)
	p.rib++
	c.routes.rib++
	prefix := t.Prefix()
	if !prefix.IsValid() {
		return mrt.ErrPrefixLen
	}
	a, err := c.attrs(t.Attrs, t.AS4())
	c.route(a, 1)
	c.pfx.add(prefix, a.origin, a.hasOrigin)
	return err
}

// bgp4mp counts a BGP4MP(_ET) message or state change (RFC 6396 §4.4).
func (c *Collector) bgp4mp(rec *mrt.Record) error {
	m, err := mrt.ParseBGP4MP(rec)
	if err != nil {
		return err
	}
	p := c.peer(m.PeerIP, m.PeerAS)
	if m.IsStateChange() {
		p.states++
		c.states++
		return nil
	}
	return c.message(rec, p, m.Message, m.AS4(), m.AddPath(), m.Local())
}

// legacy counts a record of the deprecated BGP type (RFC 6396 §B.2.1).
func (c *Collector) legacy(rec *mrt.Record) error {
	m, err := mrt.ParseLegacyBGP(rec)
	if err == mrt.ErrSubtype {
		return nil // BGP_NULL, BGP_PREF_UPDATE, BGP_SYNC: nothing to count
	}
	if err != nil {
		return err
	}
	p := c.peer(m.PeerIP, m.PeerAS)
	if m.Subtype == mrt.BGPStateChange {
		p.states++
		c.states++
		return nil
	}
	c.msg = m.AppendMessage(c.msg[:0])
	return c.message(rec, p, c.msg, false, false, false)
}
