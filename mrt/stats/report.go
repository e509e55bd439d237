package stats

import (
	"cmp"
	"net/netip"
	"slices"
	"time"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/speaker/attr"
)

// Report is the result of an analysis: plain values, ready for the text,
// JSON and SVG writers. Lists are sorted (the largest count first, ties
// in a fixed order), so that a Report of the same input is always the
// same.
type Report struct {
	Files     []string   `json:"files"`
	Records   int64      `json:"records"`
	FirstTime *time.Time `json:"first-time,omitempty"` // of the records (UTC, seconds)
	LastTime  *time.Time `json:"last-time,omitempty"`

	Types        []TypeCount    `json:"record-types"`
	Messages     []MessageCount `json:"bgp-messages"`
	StateChanges uint64         `json:"state-changes"`
	Routes       Routes         `json:"routes"`
	Peers        []Peer         `json:"peers"`

	IPv4 Family `json:"ipv4"`
	IPv6 Family `json:"ipv6"`

	ASPaths          Paths           `json:"as-paths"`
	Origins          Origins         `json:"origins"`
	MOAS             MOAS            `json:"moas"`
	Communities      CommunityCounts `json:"communities"`
	LargeCommunities CommunityCounts `json:"large-communities"`
	Rate             *Rate           `json:"rate,omitempty"`
	Chart            *Rate           `json:"-"` // Rate at a finer width, for WriteSVG
	Damage           DamageSummary   `json:"damage"`
	Top              int             `json:"top"`
}

// TypeCount is how many records of one MRT type and subtype were read.
type TypeCount struct {
	Type    string `json:"type"`    // "TABLE_DUMP_V2"
	Subtype string `json:"subtype"` // "RIB_IPV4_UNICAST"
	Records uint64 `json:"records"`
}

// MessageCount is how many BGP messages of one type BGP4MP (and legacy
// BGP) records held, sent by the collector's peers or by the collector.
type MessageCount struct {
	Type     string `json:"type"` // "open", "update", "notification", "keepalive", "route-refresh", "other"
	Messages uint64 `json:"messages"`
}

// Routes are the route totals over every peer.
type Routes struct {
	RIBEntries    uint64 `json:"rib-entries"`   // TABLE_DUMP(_V2) entries
	Announcements uint64 `json:"announcements"` // prefixes announced in UPDATEs
	Withdrawals   uint64 `json:"withdrawals"`   // prefixes withdrawn in UPDATEs
	EndOfRIB      uint64 `json:"end-of-rib"`    // End-of-RIB markers (RFC 4724 §2)
	Local         uint64 `json:"local-messages"`
	OtherFamily   uint64 `json:"other-family"` // RIB records and MP attributes of non-IP families (not counted as prefixes)
}

// Peer is one of the collector's peers.
type Peer struct {
	IP            netip.Addr `json:"peer-ip"`
	ASN           uint32     `json:"peer-asn"`
	RIBEntries    uint64     `json:"rib-entries"`
	Announcements uint64     `json:"announcements"`
	Withdrawals   uint64     `json:"withdrawals"`
	Messages      uint64     `json:"messages"` // BGP messages from the peer (BGP4MP, legacy BGP)
	Updates       uint64     `json:"updates"`  // UPDATE messages among them
	StateChanges  uint64     `json:"state-changes"`
}

// Family counts the distinct prefixes of one address family (unicast
// and multicast together) and their lengths.
type Family struct {
	Prefixes uint64        `json:"prefixes"`
	Lengths  []LengthCount `json:"lengths"` // lengths with at least one prefix, shortest first
}

// LengthCount is how many distinct prefixes have one length.
type LengthCount struct {
	Length   int    `json:"length"`
	Prefixes uint64 `json:"prefixes"`
}

// Paths counts the unique AS paths and the path lengths.
type Paths struct {
	Unique  uint64      `json:"unique"`
	Lengths []PathCount `json:"lengths"` // shortest first
}

// PathCount is, for one AS path length (AS_SET counting one), how many
// routes had a path of that length and how many unique paths there were.
type PathCount struct {
	Length int    `json:"length"`
	Routes uint64 `json:"routes"`
	Paths  uint64 `json:"paths"`
}

// Origins counts the origin ASNs.
type Origins struct {
	ASNs uint64        `json:"asns"` // distinct origin ASNs
	Top  []OriginCount `json:"top"`
}

// OriginCount is how many distinct prefixes one AS originated.
type OriginCount struct {
	ASN      uint32 `json:"asn"`
	Prefixes uint64 `json:"prefixes"`
}

// MOAS lists the prefixes originated by more than one AS.
type MOAS struct {
	Prefixes uint64       `json:"prefixes"`
	Top      []MOASPrefix `json:"top"` // most origins first
}

// MOASPrefix is one MOAS prefix and its origins (ascending).
type MOASPrefix struct {
	Prefix  netip.Prefix `json:"prefix"`
	Origins []uint32     `json:"origins"`
}

// CommunityCounts counts the communities of one kind.
type CommunityCounts struct {
	Distinct uint64           `json:"distinct"`
	Top      []CommunityCount `json:"top"`
}

// CommunityCount is how many routes carried one community.
type CommunityCount struct {
	Community string `json:"community"` // "65000:1", "no-export", large "1:2:3"
	Routes    uint64 `json:"routes"`
}

// Rate is the announcements and withdrawals over time: per bucket of
// BucketSeconds, starting at Start, for all peers and per peer.
type Rate struct {
	BucketSeconds int64        `json:"bucket-seconds"`
	Start         time.Time    `json:"start"`
	Buckets       []RateBucket `json:"buckets"`
	Peers         []RatePeer   `json:"peers"` // busiest first
}

// RateBucket is one bucket's totals.
type RateBucket struct {
	Time          time.Time `json:"time"`
	Announcements uint64    `json:"announcements"`
	Withdrawals   uint64    `json:"withdrawals"`
}

// RatePeer is one peer's counts per bucket (aligned with Rate.Buckets).
type RatePeer struct {
	IP            netip.Addr `json:"peer-ip"`
	ASN           uint32     `json:"peer-asn"`
	Announcements []uint64   `json:"announcements"`
	Withdrawals   []uint64   `json:"withdrawals"`
	Total         uint64     `json:"total"`
}

// DamageSummary counts the damaged records (and stretches of files) and
// lists the first ones.
type DamageSummary struct {
	Count int      `json:"count"`
	First []Damage `json:"first"`
}

// Bucket limits of the report's rate series: the table (and JSON) keep
// the span within TableBuckets buckets (one minute for a 15-minute
// file, one hour for a day), the chart within ChartBuckets.
const (
	TableBuckets = 24
	ChartBuckets = 120
)

var messageNames = [...]string{"other", "open", "update", "notification", "keepalive", "route-refresh"}

// Report builds the report of what was added so far. The Collector may
// go on afterwards.
func (c *Collector) Report() *Report {
	r := &Report{
		Files:        slices.Clone(c.files),
		Records:      c.records.Load(),
		StateChanges: c.states,
		Top:          c.opt.Top,
		Routes: Routes{RIBEntries: c.routes.rib, Announcements: c.routes.announce, Withdrawals: c.routes.withdraw,
			EndOfRIB: c.eor, Local: c.local, OtherFamily: c.otherNLRI},
		Damage: DamageSummary{Count: c.damageN, First: slices.Clone(c.damage)},
	}
	if r.Files == nil {
		r.Files = []string{}
	}
	if r.Damage.First == nil {
		r.Damage.First = []Damage{}
	}
	if c.hasTime {
		f, l := time.Unix(int64(c.first), 0).UTC(), time.Unix(int64(c.last), 0).UTC()
		r.FirstTime, r.LastTime = &f, &l
	}
	tk := make([]typeKey, 0, len(c.types))
	for k := range c.types {
		tk = append(tk, k)
	}
	slices.SortFunc(tk, func(a, b typeKey) int { return cmp.Or(cmp.Compare(a.typ, b.typ), cmp.Compare(a.sub, b.sub)) })
	r.Types = make([]TypeCount, 0, len(tk))
	for _, k := range tk {
		r.Types = append(r.Types, TypeCount{k.typ.String(), mrt.SubtypeString(k.typ, k.sub), c.types[k]})
	}
	r.Messages = []MessageCount{}
	for t := 1; t <= len(messageNames); t++ {
		i := t % len(messageNames) // "other" last
		if c.messages[i] > 0 {
			r.Messages = append(r.Messages, MessageCount{messageNames[i], c.messages[i]})
		}
	}
	r.Peers = c.peerList()
	c.families(r)
	c.pathReport(r)
	r.Communities = topCommunities(c.comms, c.opt.Top, func(k attr.Community) string { return k.String() },
		func(a, b attr.Community) int { return cmp.Compare(a, b) })
	r.LargeCommunities = topCommunities(c.large, c.opt.Top, func(k attr.LargeCommunity) string { return k.String() },
		func(a, b attr.LargeCommunity) int {
			return cmp.Or(cmp.Compare(a.Global, b.Global), cmp.Compare(a.Local1, b.Local1), cmp.Compare(a.Local2, b.Local2))
		})
	if c.rate.any {
		r.Rate = c.rateAt(c.rate.width(TableBuckets))
		r.Chart = c.rateAt(c.rate.width(ChartBuckets))
	}
	return r
}

// peerList returns every peer: those with the most routes first, then
// those with the most messages and state changes.
func (c *Collector) peerList() []Peer {
	out := make([]Peer, 0, len(c.peers))
	for _, p := range c.peers {
		out = append(out, Peer{IP: p.key.ip, ASN: p.key.asn, RIBEntries: p.rib, Announcements: p.announce,
			Withdrawals: p.withdraw, Messages: p.messages, Updates: p.updates, StateChanges: p.states})
	}
	slices.SortFunc(out, func(a, b Peer) int {
		ta, tb := a.RIBEntries+a.Announcements+a.Withdrawals, b.RIBEntries+b.Announcements+b.Withdrawals
		ea, eb := a.Messages+a.StateChanges, b.Messages+b.StateChanges
		return cmp.Or(cmp.Compare(tb, ta), cmp.Compare(eb, ea), a.IP.Compare(b.IP), cmp.Compare(a.ASN, b.ASN))
	})
	return out
}

// families fills the prefix counts, length distributions, origins and
// MOAS prefixes.
func (c *Collector) families(r *Report) {
	var l4 [33]uint64
	var l6 [129]uint64
	origins := map[uint32]uint64{}
	count := func(o uint32) { origins[o]++ }
	for k, v := range c.pfx.v4 {
		l4[k&0xFF]++
		c.pfx.eachOrigin(v, func() netip.Prefix { return prefix4(k) }, count)
	}
	for k, v := range c.pfx.v6 {
		l6[k.bits]++
		c.pfx.eachOrigin(v, func() netip.Prefix { return prefix6(k) }, count)
	}
	r.IPv4 = family(l4[:], uint64(len(c.pfx.v4)))
	r.IPv6 = family(l6[:], uint64(len(c.pfx.v6)))
	r.Origins.ASNs = uint64(len(origins))
	r.Origins.Top = []OriginCount{}
	for asn, n := range origins {
		r.Origins.Top = append(r.Origins.Top, OriginCount{asn, n})
	}
	slices.SortFunc(r.Origins.Top, func(a, b OriginCount) int {
		return cmp.Or(cmp.Compare(b.Prefixes, a.Prefixes), cmp.Compare(a.ASN, b.ASN))
	})
	r.Origins.Top = r.Origins.Top[:min(len(r.Origins.Top), c.opt.Top)]
	r.MOAS.Prefixes = uint64(len(c.pfx.moas))
	r.MOAS.Top = []MOASPrefix{}
	for p, o := range c.pfx.moas {
		r.MOAS.Top = append(r.MOAS.Top, MOASPrefix{p, slices.Clone(o)})
	}
	slices.SortFunc(r.MOAS.Top, func(a, b MOASPrefix) int {
		return cmp.Or(cmp.Compare(len(b.Origins), len(a.Origins)), comparePrefix(a.Prefix, b.Prefix))
	})
	r.MOAS.Top = r.MOAS.Top[:min(len(r.MOAS.Top), c.opt.Top)]
}

// comparePrefix orders IPv4 before IPv6, then by address, then length.
func comparePrefix(a, b netip.Prefix) int {
	return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
}

func family(lens []uint64, n uint64) Family {
	f := Family{Prefixes: n, Lengths: []LengthCount{}}
	for l, k := range lens {
		if k > 0 {
			f.Lengths = append(f.Lengths, LengthCount{l, k})
		}
	}
	return f
}

func (c *Collector) pathReport(r *Report) {
	r.ASPaths = Paths{Unique: uint64(len(c.paths)), Lengths: []PathCount{}}
	for l, k := range c.lens {
		if k.routes > 0 {
			r.ASPaths.Lengths = append(r.ASPaths.Lengths, PathCount{l, k.routes, k.paths})
		}
	}
}

// topCommunities ranks communities by routes, then by value.
func topCommunities[K comparable](m map[K]uint64, top int, name func(K) string, order func(a, b K) int) CommunityCounts {
	type kv struct {
		k K
		n uint64
	}
	all := make([]kv, 0, len(m))
	for k, n := range m {
		all = append(all, kv{k, n})
	}
	slices.SortFunc(all, func(a, b kv) int { return cmp.Or(cmp.Compare(b.n, a.n), order(a.k, b.k)) })
	out := CommunityCounts{Distinct: uint64(len(m)), Top: []CommunityCount{}}
	for _, e := range all[:min(len(all), top)] {
		out.Top = append(out.Top, CommunityCount{name(e.k), e.n})
	}
	return out
}

// rateAt builds the rate series at width w (seconds).
func (c *Collector) rateAt(w int64) *Rate {
	fine := ladder[c.rate.step]
	first, last := int64(c.rate.lo)/w, int64(c.rate.hi)/w
	n := int(last-first) + 1
	r := &Rate{BucketSeconds: w, Start: time.Unix(first*w, 0).UTC(), Buckets: make([]RateBucket, n), Peers: []RatePeer{}}
	for i := range r.Buckets {
		r.Buckets[i].Time = time.Unix((first+int64(i))*w, 0).UTC()
	}
	for _, p := range c.peers {
		if len(p.series.ann) == 0 {
			continue
		}
		ann, wd := p.series.regroup(fine, w, first, n)
		for i := range n {
			r.Buckets[i].Announcements += ann[i]
			r.Buckets[i].Withdrawals += wd[i]
		}
		r.Peers = append(r.Peers, RatePeer{IP: p.key.ip, ASN: p.key.asn, Announcements: ann, Withdrawals: wd,
			Total: p.series.ann64 + p.series.wd64})
	}
	slices.SortFunc(r.Peers, func(a, b RatePeer) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), a.IP.Compare(b.IP), cmp.Compare(a.ASN, b.ASN))
	})
	return r
}
