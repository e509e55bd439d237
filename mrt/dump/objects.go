package dump

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/mrt/bgpdump"
	"github.com/ze-bgp/ze/mrt/filter"
	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

// objects prints records as ze JSON objects (one per route of a RIB
// record, per BGP message, per state change) or as hex BGP messages (one
// per line, RIB routes as the UPDATE that announces them).
type objects struct {
	hex    bool
	filter *filter.Filter
	match  *bgpdump.Dumper // decides for whole records, as -m would
	peers  []indexedPeer   // the last PEER_INDEX_TABLE
	loaded bool
	upd    []byte // UPDATE built for a RIB route
	msg    []byte // message rebuilt for the legacy BGP type
	tmp    []byte
	route  filter.Route
	path   []byte
	lines  int
	ctx    wire.Context // hex: the context of the last comment line
	ctxSet bool
}

type indexedPeer struct {
	ip netip.Addr
	as uint32
}

func newObjects(f *filter.Filter, hex bool) *objects {
	o := &objects{hex: hex}
	if f != nil && f.Active() {
		o.filter = f
		o.match = bgpdump.New(bgpdump.Options{Filter: f})
	}
	return o
}

func (o *objects) Lines() int { return o.lines }

// matches applies the filter to a whole record the way -m selects lines.
func (o *objects) matches(rec *mrt.Record) bool {
	if o.filter == nil {
		return true
	}
	var ok bool
	o.tmp, ok, _ = o.match.Match(rec, o.tmp)
	return ok
}

// AppendRecord appends the objects (or hex lines) of one record.
func (o *objects) AppendRecord(dst []byte, rec *mrt.Record) ([]byte, error) {
	o.lines = 0
	switch rec.Type {
	case mrt.TypeTableDump:
		return o.tableDump(dst, rec)
	case mrt.TypeTableDumpV2:
		switch rec.Subtype {
		case mrt.PeerIndexTable:
			return dst, o.loadPeers(rec)
		case mrt.GeoPeerTable:
			return dst, nil
		}
		return o.rib(dst, rec)
	case mrt.TypeBGP4MP, mrt.TypeBGP4MPET:
		return o.bgp4mp(dst, rec)
	case mrt.TypeBGP:
		return o.legacy(dst, rec)
	}
	return dst, nil
}

func (o *objects) loadPeers(rec *mrt.Record) error {
	t, err := mrt.ParsePeerIndex(rec)
	o.peers = o.peers[:0]
	it := t.Peers()
	for it.Next() {
		p := it.Peer()
		o.peers = append(o.peers, indexedPeer{ip: p.IP, as: p.AS})
	}
	o.loaded = true
	return err
}

// head appends the members every object starts with.
func head(dst []byte, rec *mrt.Record) []byte {
	dst = append(dst, `{"time":"`...)
	dst = rec.Time().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","type":"`...)
	dst = append(dst, rec.Type.String()...)
	dst = append(dst, `","subtype":"`...)
	dst = append(dst, mrt.SubtypeString(rec.Type, rec.Subtype)...)
	dst = append(dst, `","offset":`...)
	return strconv.AppendInt(dst, rec.Offset, 10)
}

func kint(dst []byte, key string, v uint64) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, '"', ':')
	return strconv.AppendUint(dst, v, 10)
}

func kaddr(dst []byte, key string, a netip.Addr) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, `":"`...)
	dst = a.AppendTo(dst)
	return append(dst, '"')
}

func ktime(dst []byte, key string, sec uint32) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, `":"`...)
	dst = time.Unix(int64(sec), 0).UTC().AppendFormat(dst, time.RFC3339)
	return append(dst, '"')
}

// message appends `,"message":{…}}` and the newline (JSON), or the
// message as a hex line (preceded by a context comment when the context
// changes).
func (o *objects) message(dst []byte, obj int, msg []byte, ctx wire.Context) ([]byte, error) {
	o.lines++
	if o.hex {
		dst = dst[:obj]
		if !o.ctxSet || ctx != o.ctx {
			o.ctx, o.ctxSet = ctx, true
			dst = appendContextComment(dst, ctx)
		}
		dst = zejson.AppendHex(dst, msg)
		return append(dst, '\n'), nil
	}
	dst = append(dst, `,"message":`...)
	dst, err := zejson.AppendMessage(dst, msg, ctx, zejson.Meta{})
	return append(dst, '}', '\n'), err
}

// appendContextComment writes the ze bgp decode flags that decode the
// following hex lines: "# context: --no-asn4 --add-path ipv4/unicast,…".
func appendContextComment(dst []byte, ctx wire.Context) []byte {
	dst = append(dst, "# context: "...)
	if ctx.ASN4 {
		dst = append(dst, "--asn4"...)
	} else {
		dst = append(dst, "--no-asn4"...)
	}
	if fs := ctx.AddPathFamilies(); len(fs) > 0 {
		names := make([]string, len(fs))
		for i, f := range fs {
			names[i] = f.String()
		}
		dst = append(dst, " --add-path "...)
		dst = append(dst, strings.Join(names, ",")...)
	}
	return append(dst, '\n')
}

// tableDump prints a TABLE_DUMP route.
func (o *objects) tableDump(dst []byte, rec *mrt.Record) ([]byte, error) {
	t, err := mrt.ParseTableDump(rec)
	if err != nil || !o.matches(rec) {
		return dst, err
	}
	obj := len(dst)
	dst = head(dst, rec)
	dst = kint(dst, "view", uint64(t.View))
	dst = kint(dst, "sequence", uint64(t.Sequence))
	dst = kint(dst, "status", uint64(t.Status))
	dst = kint(dst, "peer-asn", uint64(t.PeerAS))
	dst = kaddr(dst, "peer-ip", t.PeerIP)
	dst = ktime(dst, "originated", t.Originated)
	var uerr error
	o.upd, uerr = t.AppendUpdate(o.upd[:0])
	dst, err = o.message(dst, obj, o.upd, t.Context())
	if uerr != nil {
		return dst, uerr
	}
	return dst, err
}

// rib prints each route of a TABLE_DUMP_V2 RIB record that passes the
// filter.
func (o *objects) rib(dst []byte, rec *mrt.Record) ([]byte, error) {
	r, err := mrt.ParseRIB(rec)
	if err != nil {
		return dst, err
	}
	if r.EntryCount > 0 && !o.loaded {
		return dst, mrt.ErrNoPeerIndex
	}
	prefix, _ := r.Prefix()
	var firstErr error
	it := r.Entries()
	for it.Next() {
		idx := int(it.PeerIndex())
		if idx >= len(o.peers) {
			firstErr = mrt.ErrPeerIndex
			continue
		}
		p := o.peers[idx]
		if o.filter != nil {
			o.route = filter.Route{Kind: filter.RIB, Time: int64(rec.Timestamp), PeerIP: p.ip, PeerASN: p.as, Prefix: prefix}
			if v, ok := attr.Find(it.Attrs(), attr.CodeASPath); ok {
				o.path = bgpdump.AppendASPath(o.path[:0], v, true)
				o.route.ASPath = o.path
			}
			o.route.Communities, _ = attr.Find(it.Attrs(), attr.CodeCommunities)
			o.route.LargeCommunities, _ = attr.Find(it.Attrs(), attr.CodeLargeCommunities)
			if !o.filter.Match(&o.route) {
				continue
			}
		}
		obj := len(dst)
		dst = head(dst, rec)
		dst = kint(dst, "sequence", uint64(r.Sequence))
		dst = kint(dst, "peer-index", uint64(idx))
		dst = kint(dst, "peer-asn", uint64(p.as))
		dst = kaddr(dst, "peer-ip", p.ip)
		dst = ktime(dst, "originated", it.Originated())
		if r.AddPath() {
			dst = kint(dst, "path-id", uint64(it.PathID()))
		}
		var uerr error
		o.upd, uerr = r.AppendUpdate(o.upd[:0], it.Attrs(), it.PathID())
		if uerr != nil && firstErr == nil {
			firstErr = uerr
		}
		if dst, err = o.message(dst, obj, o.upd, r.Context()); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if err := it.Err(); err != nil && firstErr == nil {
		firstErr = err
	}
	return dst, firstErr
}

// stateNames are the JSON names of the FSM states (RFC 6396 §4.4.1).
var stateNames = [...]string{1: "idle", 2: "connect", 3: "active", 4: "open-sent", 5: "open-confirm", 6: "established"}

func appendState(dst []byte, key string, s uint16) []byte {
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, `":"`...)
	if int(s) < len(stateNames) && stateNames[s] != "" {
		dst = append(dst, stateNames[s]...)
	} else {
		dst = append(dst, "state-"...)
		dst = strconv.AppendUint(dst, uint64(s), 10)
	}
	return append(dst, '"')
}

// bgp4mp prints a BGP4MP message or state change.
func (o *objects) bgp4mp(dst []byte, rec *mrt.Record) ([]byte, error) {
	m, err := mrt.ParseBGP4MP(rec)
	if err != nil || !o.matches(rec) {
		return dst, err
	}
	if m.IsStateChange() && o.hex {
		return dst, nil
	}
	obj := len(dst)
	dst = head(dst, rec)
	dst = kint(dst, "peer-asn", uint64(m.PeerAS))
	dst = kaddr(dst, "peer-ip", m.PeerIP)
	dst = kint(dst, "local-asn", uint64(m.LocalAS))
	dst = kaddr(dst, "local-ip", m.LocalIP)
	dst = kint(dst, "interface", uint64(m.Interface))
	if m.IsStateChange() {
		o.lines++
		dst = appendState(dst, "old-state", m.OldState)
		dst = appendState(dst, "new-state", m.NewState)
		return append(dst, '}', '\n'), nil
	}
	return o.message(dst, obj, m.Message, m.Context())
}

// legacy prints a record of the deprecated BGP type.
func (o *objects) legacy(dst []byte, rec *mrt.Record) ([]byte, error) {
	m, err := mrt.ParseLegacyBGP(rec)
	if err != nil || !o.matches(rec) {
		if err == mrt.ErrSubtype {
			err = nil // BGP_NULL, BGP_PREF_UPDATE, BGP_SYNC: nothing to print
		}
		return dst, err
	}
	if m.Subtype == mrt.BGPStateChange && o.hex {
		return dst, nil
	}
	obj := len(dst)
	dst = head(dst, rec)
	dst = kint(dst, "peer-asn", uint64(m.PeerAS))
	dst = kaddr(dst, "peer-ip", m.PeerIP)
	if m.Subtype == mrt.BGPStateChange {
		o.lines++
		dst = appendState(dst, "old-state", m.OldState)
		dst = appendState(dst, "new-state", m.NewState)
		return append(dst, '}', '\n'), nil
	}
	dst = kint(dst, "local-asn", uint64(m.LocalAS))
	dst = kaddr(dst, "local-ip", m.LocalIP)
	o.msg = m.AppendMessage(o.msg[:0])
	return o.message(dst, obj, o.msg, m.Context())
}
