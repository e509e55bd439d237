package bgpdump

import (
	"errors"
	"net/netip"
	"strconv"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/mrt/filter"
)

// Options choose the output.
type Options struct {
	// Compact selects bgpdump -M: times as "MM/DD/YY HH:MM:SS" (UTC) and
	// announcements without the fields after the origin. The default is
	// bgpdump -m.
	Compact bool
	// Filter selects the lines printed (nil or inactive: all).
	Filter *filter.Filter

	// The options bgpdump 1.6.2 has for -m and -M (docs/mrt.md):

	// ChangeTime is bgpdump -t change: the time column of a RIB line
	// (TABLE_DUMP, TABLE_DUMP_V2) is the route's originated time, not
	// the dump's. Other lines keep the record's time. (bgpdump 1.6.2
	// prints uninitialised memory for TABLE_DUMP_V2 entries; this is
	// what the option is documented to do.)
	ChangeTime bool
	// PacketIndex is bgpdump -p: "|INDEX" after the first column, the
	// number of the record among those bgpdump reads as a route, message
	// or state change record (from 0; a PEER_INDEX_TABLE, a record of
	// a type or subtype bgpdump does not read and one it refuses as
	// malformed are not counted). Every line of a record has its index.
	PacketIndex bool
	// LargeCommunities is bgpdump -l: with -m, a column "g:l1:l2 …" of
	// the LARGE_COMMUNITY values (RFC 8092) after the communities of
	// TABLE_DUMP, TABLE_DUMP_V2 and BGP4MP announcements.
	LargeCommunities bool
	// Unassigned is bgpdump -u: with -m, a column after the aggregator
	// of the same lines listing the attributes bgpdump does not decode,
	// "TYPE:FLAGS:VALUE" in hex (" 63:c0:010203"), space-separated, in
	// the order of the list.
	Unassigned bool
}

// Errors AppendRecord returns for damaged records (wrapped with detail
// where useful). The lines bgpdump would print for what could be read
// are appended anyway.
var (
	ErrShortRecord   = errors.New("bgpdump: record shorter than its fields")
	ErrNoPeerIndex   = errors.New("bgpdump: RIB record before any PEER_INDEX_TABLE")
	ErrPeerIndex     = errors.New("bgpdump: RIB entry refers to a peer beyond the PEER_INDEX_TABLE")
	ErrBadMarker     = errors.New("bgpdump: BGP message with a bad marker")
	ErrMessageType   = errors.New("bgpdump: unknown BGP message type")
	ErrPrefixCut     = errors.New("bgpdump: prefix list ends inside a prefix")
	ErrStateLength   = errors.New("bgpdump: STATE_CHANGE of an unexpected length")
	ErrAddressFamily = errors.New("bgpdump: unknown address family")
)

// peer is one entry of the last PEER_INDEX_TABLE, its address text
// formatted once.
type peer struct {
	text []byte
	ip   netip.Addr
	as   uint32
}

// Dumper turns MRT records into bgpdump's one-line text. It keeps the
// last PEER_INDEX_TABLE between records, and buffers that it reuses: in
// the steady state AppendRecord does not allocate. A Dumper is not safe
// for concurrent use.
type Dumper struct {
	compact bool
	filter  *filter.Filter
	peers   []peer
	loaded  bool // a PEER_INDEX_TABLE was read

	// bgpdump's -t change, -p, -l, -u
	changeTime, packetIndex, large, unassigned bool

	index  int64 // the packet index of the record (-p)
	counts bool  // the record advances the packet index

	a       attrs
	time    []byte // the record's time column
	head    []byte // "TYPE|TIME|KIND|PEER|AS|"
	tail    []byte // the columns after the prefix
	path    []byte // AS path text
	comm    []byte // community text (with bgpdump's leading space)
	lcomm   []byte // large community text (-l, with a leading space)
	merged  []byte // AS4_PATH merge output
	lastNH  []byte // previous TABLE_DUMP2 next hop text (bgpdump reuses it, see nextHopV2)
	route   filter.Route
	lines   int
	counted bool // count lines only, print nothing (Match)
	err     error
}

// New returns a Dumper.
func New(o Options) *Dumper {
	d := &Dumper{compact: o.Compact, changeTime: o.ChangeTime, packetIndex: o.PacketIndex,
		large: o.LargeCommunities && !o.Compact, unassigned: o.Unassigned && !o.Compact}
	d.a.wantUnassigned = d.unassigned
	if o.Filter != nil && o.Filter.Active() {
		d.filter = o.Filter
	}
	return d
}

// AppendRecord appends the lines bgpdump -m (or -M) prints for rec: one
// per route of a RIB record, per prefix announced or withdrawn in an
// UPDATE, per state change; nothing for other records (peer index
// tables, OPEN, KEEPALIVE, types bgpdump does not read). See the package
// documentation for the fields.
//
// Damage found in the record (fields cut short, a prefix cut, a peer
// index beyond the table, a bad marker) is returned as an error; the
// lines for what could be read are appended all the same, as bgpdump
// prints them.
func (d *Dumper) AppendRecord(dst []byte, rec *mrt.Record) ([]byte, error) {
	d.lines, d.err, d.counts = 0, nil, false
	switch rec.Type {
	case mrt.TypeTableDump:
		dst = d.tableDump(dst, rec)
	case mrt.TypeTableDumpV2:
		switch rec.Subtype {
		case mrt.PeerIndexTable:
			d.loadPeers(rec)
		case mrt.RIBIPv4Unicast, mrt.RIBIPv6Unicast, mrt.RIBIPv4UnicastAddPath, mrt.RIBIPv6UnicastAddPath:
			dst = d.rib(dst, rec)
		}
	case mrt.TypeBGP4MP, mrt.TypeBGP4MPET:
		dst = d.bgp4mp(dst, rec)
	case mrt.TypeBGP:
		d.counts = true
		dst = d.legacy(dst, rec)
	}
	if d.counts {
		d.index++
	}
	return dst, d.err
}

// Lines returns how many lines the last AppendRecord (or Match) produced.
func (d *Dumper) Lines() int { return d.lines }

// Match reports whether AppendRecord would print at least one line for
// rec (with the Dumper's filter): the selection the other output formats
// of `ze mrt dump` apply to whole records. It updates the peer index
// table like AppendRecord.
func (d *Dumper) Match(rec *mrt.Record, scratch []byte) ([]byte, bool, error) {
	d.counted = true
	scratch, err := d.AppendRecord(scratch[:0], rec)
	d.counted = false
	return scratch[:0], d.lines > 0, err
}

// fail keeps the first damage of the record.
func (d *Dumper) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// refuse keeps err for a record bgpdump refuses as a whole: it prints
// nothing for it and does not count it (-p).
func (d *Dumper) refuse(err error) {
	d.fail(err)
	d.counts = false
}

// setTime formats the record's time column.
func (d *Dumper) setTime(sec, us uint32, et bool) {
	if d.compact {
		d.time = appendHuman(d.time[:0], sec)
	} else {
		d.time = appendUnix(d.time[:0], sec)
	}
	if et {
		d.time = appendMicro(d.time, us)
	}
}

// setHead builds "FORMAT|TIME|KIND|PEER|AS|" ("FORMAT|INDEX|TIME|…"
// with -p).
func (d *Dumper) setHead(format, kind string, peerText []byte, as uint32) {
	h := append(d.head[:0], format...)
	h = append(h, '|')
	if d.packetIndex {
		h = strconv.AppendInt(h, d.index, 10)
		h = append(h, '|')
	}
	h = append(h, d.time...)
	h = append(h, '|')
	h = append(h, kind...)
	h = append(h, '|')
	h = append(h, peerText...)
	h = append(h, '|')
	h = strconv.AppendUint(h, uint64(as), 10)
	d.head = append(h, '|')
}

// emit appends one line: line is everything after the head. It applies
// the filter to d.route first.
func (d *Dumper) emit(dst []byte, lineStart int) []byte {
	if d.filter != nil && !d.filter.Match(&d.route) {
		return dst[:lineStart]
	}
	d.lines++
	if d.counted {
		return dst[:lineStart]
	}
	return dst
}

// decodeAttrs reads an attribute list and prepares the AS path and
// community texts; asn is the ASN width, 2 for the sessions whose
// AS4_PATH bgpdump merges.
func (d *Dumper) decodeAttrs(s *stream, asn int) {
	d.a.decode(s, asn)
	path, width := d.a.path, asn
	if asn == 2 {
		path, width, d.merged = d.a.mergeAS4(d.merged)
	}
	d.path = d.path[:0]
	if d.a.hasPath {
		d.path, _ = pathText(d.path, path, width)
	}
	d.comm = d.comm[:0]
	if d.a.has(codeCommunities) {
		d.comm = appendCommunities(d.comm, d.a.comm)
	}
	d.lcomm = d.lcomm[:0]
	if d.large && d.a.has(codeLargeComm) {
		d.lcomm = appendLargeCommunities(d.lcomm, d.a.lcomm)
	}
	if d.a.short {
		d.fail(ErrShortRecord)
	}
	d.route.ASPath, d.route.Communities, d.route.LargeCommunities = d.path, d.a.comm, d.a.lcomm
}

// origin is bgpdump's origin column.
func (d *Dumper) origin() string {
	switch d.a.origin {
	case 0:
		return "IGP"
	case 1:
		return "EGP"
	}
	return "INCOMPLETE"
}

// setTail builds the columns after the prefix (and path identifier):
// "ASPATH|ORIGIN|" then, for -m, "NEXTHOP|PREF|MED|" (when nh is not nil;
// signed prints the two numbers as bgpdump's %d does), "COMMUNITIES|",
// ("LARGE|" with -l), "AG|" or "NAG|", "AGGREGATOR|" ("UNASSIGNED|"
// with -u); a newline ends it.
func (d *Dumper) setTail(nh []byte, signed bool) {
	d.setTailFrom(nh, signed, true)
}

// setTailFrom is setTail; without path, an -m tail whose next hop is
// missing also lacks the AS path and origin (bgpdump's IPv6 MP lines
// print the three in one go).
func (d *Dumper) setTailFrom(nh []byte, signed, path bool) {
	if !path && nh == nil && !d.compact {
		d.tail = d.appendRest(d.tail[:0], true)
		return
	}
	t := append(d.tail[:0], d.path...)
	t = append(t, '|')
	t = append(t, d.origin()...)
	if d.compact {
		d.tail = append(t, '\n')
		return
	}
	t = append(t, '|')
	if nh != nil {
		pref, med := d.prefMED()
		t = append(t, nh...)
		t = append(t, '|')
		t = appendNumber(t, pref, signed)
		t = append(t, '|')
		t = appendNumber(t, med, signed)
		t = append(t, '|')
	}
	d.tail = d.appendRest(t, true)
}

// prefMED returns the LOCAL_PREF and MED of the attributes, 0 for one
// that is absent.
func (d *Dumper) prefMED() (pref, med uint32) {
	if d.a.has(codeLocalPref) {
		pref = d.a.pref
	}
	if d.a.has(codeMED) {
		med = d.a.med
	}
	return pref, med
}

// appendRest appends "COMMUNITIES|AG|AGGREGATOR|\n"; with ext (all
// lines but the legacy BGP type's) the -l and -u columns too:
// "COMMUNITIES|LARGE|AG|AGGREGATOR|UNASSIGNED|\n".
func (d *Dumper) appendRest(t []byte, ext bool) []byte {
	if d.a.has(codeCommunities) && len(d.comm) > 0 {
		t = append(t, d.comm[1:]...)
	}
	t = append(t, '|')
	if ext && d.large {
		if len(d.lcomm) > 0 {
			t = append(t, d.lcomm[1:]...)
		}
		t = append(t, '|')
	}
	if d.a.has(codeAtomicAgg) {
		t = append(t, "AG|"...)
	} else {
		t = append(t, "NAG|"...)
	}
	return d.appendAggregator(t, ext)
}

// appendAggregator appends "AS ADDRESS|" or "|" (bgpdump leaves the
// aggregator out when its address is 255.255.255.255, its "none"), with
// ext the -u column, and the newline.
func (d *Dumper) appendAggregator(t []byte, ext bool) []byte {
	if d.a.aggAddr != [4]byte{255, 255, 255, 255} {
		t = strconv.AppendUint(t, uint64(d.a.aggAS), 10)
		t = append(t, ' ')
		t = appendIPv4(t, d.a.aggAddr[:])
	}
	t = append(t, '|')
	if ext && d.unassigned {
		if len(d.a.unassigned) > 0 {
			t = append(t, d.a.unassigned[1:]...)
		}
		t = append(t, '|')
	}
	return append(t, '\n')
}

func appendNumber(dst []byte, v uint32, signed bool) []byte {
	if signed {
		return strconv.AppendInt(dst, int64(int32(v)), 10)
	}
	return strconv.AppendUint(dst, uint64(v), 10)
}

// appendPrefix appends "ADDRESS/LEN" for a v4 or v6 prefix.
func appendPrefix(dst []byte, addr []byte, bits byte, v6 bool) []byte {
	if v6 {
		dst = appendIPv6(dst, addr)
	} else {
		dst = appendIPv4(dst, addr)
	}
	return appendUint8(append(dst, '/'), bits)
}

// prefixOf builds the filter's prefix.
func prefixOf(addr *[16]byte, bits byte, v6 bool) netip.Prefix {
	if v6 {
		return netip.PrefixFrom(netip.AddrFrom16(*addr), int(bits))
	}
	return netip.PrefixFrom(netip.AddrFrom4([4]byte(addr[:4])), int(bits))
}

// addrOf builds an address from 4 or 16 octets.
func addrOf(b []byte, v6 bool) netip.Addr {
	if v6 {
		return netip.AddrFrom16([16]byte(b[:16]))
	}
	return netip.AddrFrom4([4]byte(b[:4]))
}
