package testpeer

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// MRTReplay makes inject mode replay an MRT file (RFC 6396, RFC 8050)
// instead of generated routes (`ze-test peer --mode inject --mrt FILE`).
//
// A RIB dump (TABLE_DUMP, TABLE_DUMP_V2) is replayed as the routes of
// the selected peers with their recorded attributes, packed into
// UPDATEs that share attributes, then End-of-RIB. An update file
// (BGP4MP, BGP4MP_ET, the legacy BGP type) is replayed as the selected
// peers' UPDATEs in recorded order: unchanged when the session's
// encoding context is the recorded one, else re-encoded (4-octet or
// 2-octet AS numbers, path identifiers added or removed, families not
// negotiated left out, split to the message size), then End-of-RIB.
// State changes, OPEN, KEEPALIVE and NOTIFICATION messages and the
// messages the collector sent (_LOCAL) are not replayed.
type MRTReplay struct {
	// File is the MRT file: plain, gzip or bzip2.
	File string
	// Peer selects the recorded peers (the zero value: all of them).
	Peer MRTPeer
	// Speed scales the recorded timing: 1 sends each record at its
	// recorded time from the first one, 10 ten times faster; 0 as fast
	// as possible.
	Speed float64
}

// MRTPeer selects recorded peers by address, AS or index; the zero
// value selects every peer, and each field that is set must match.
// The index of a peer is its position in the PEER_INDEX_TABLE
// (TABLE_DUMP_V2), else the order in which peers first appear in the
// file (TABLE_DUMP, update files), from 0.
type MRTPeer struct {
	IP       netip.Addr // valid: the peer with this address
	ASN      uint32     // with HasASN: the peers of this AS
	HasASN   bool
	Index    int // with HasIndex: the peer at this index
	HasIndex bool
}

// ParseMRTPeer reads a peer selection: "all", an address, "as" and an
// AS number (as3333, AS3333), or an index (2).
func ParseMRTPeer(s string) (MRTPeer, error) {
	var m MRTPeer
	switch {
	case s == "" || s == "all":
		return m, nil
	case strings.HasPrefix(s, "as") || strings.HasPrefix(s, "AS"):
		n, err := strconv.ParseUint(s[2:], 10, 32)
		if err != nil {
			return m, fmt.Errorf("testpeer: mrt peer %q: AS number 0-4294967295 after \"as\"", s)
		}
		m.ASN, m.HasASN = uint32(n), true
	default:
		if a, err := netip.ParseAddr(s); err == nil {
			m.IP = a.Unmap()
			return m, nil
		}
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return m, fmt.Errorf("testpeer: mrt peer %q: want all, an address, asN or an index", s)
		}
		m.Index, m.HasIndex = int(n), true
	}
	return m, nil
}

// String returns the selection as ParseMRTPeer reads it ("all",
// "193.0.0.56", "as3333", "2"; several criteria joined by "+").
func (m MRTPeer) String() string {
	var parts []string
	if m.IP.IsValid() {
		parts = append(parts, m.IP.String())
	}
	if m.HasASN {
		parts = append(parts, "as"+strconv.FormatUint(uint64(m.ASN), 10))
	}
	if m.HasIndex {
		parts = append(parts, strconv.Itoa(m.Index))
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, "+")
}

// match reports whether the peer at index idx with address ip and AS
// asn is selected.
func (m *MRTPeer) match(idx int, ip netip.Addr, asn uint32) bool {
	return (!m.IP.IsValid() || m.IP == ip.Unmap()) && (!m.HasASN || m.ASN == asn) && (!m.HasIndex || m.Index == idx)
}

func (m *MRTReplay) validate(c *Config) error {
	ic := &c.Inject
	switch {
	case m.Speed < 0 || math.IsNaN(m.Speed) || math.IsInf(m.Speed, 0):
		return errors.New("testpeer: speed must be a positive number (or 0: as fast as possible)")
	case ic.Withdraw:
		return errors.New("testpeer: withdraw-after does not apply to an MRT replay")
	case ic.ExpectBack != "":
		return errors.New("testpeer: expect-back does not apply to an MRT replay")
	case ic.Rate > 0:
		return errors.New("testpeer: rate does not apply to an MRT replay (use speed)")
	case ic.UniqueAttrs || ic.NextHop.IsValid():
		return errors.New("testpeer: an MRT replay keeps the recorded attributes (no unique attributes or next hop)")
	}
	if _, err := os.Stat(m.File); err != nil {
		return fmt.Errorf("testpeer: mrt: %w", err)
	}
	return nil
}

// MRTReport is what an MRT replay did, the "mrt" object of the inject
// report. The inject report's sent and updates count the prefixes
// announced and the UPDATEs written (End-of-RIB excepted).
type MRTReport struct {
	Records  int64 `json:"records"`  // MRT records read
	Routes   int64 `json:"routes"`   // RIB routes replayed (TABLE_DUMP, TABLE_DUMP_V2)
	Messages int64 `json:"messages"` // recorded UPDATEs replayed (BGP4MP, BGP4MP_ET, BGP)
	// Recoded counts the recorded UPDATEs built again for the session's
	// encoding context.
	Recoded   int64      `json:"recoded"`
	Withdrawn int64      `json:"withdrawn"` // prefixes withdrawn by replayed UPDATEs
	Peers     int        `json:"peers"`     // recorded peers with something replayed
	Skipped   MRTSkipped `json:"skipped"`
	Damaged   int64      `json:"damaged"` // records or routes that could not be read
}

// MRTSkipped counts what an MRT replay left out.
type MRTSkipped struct {
	Peer   int64 `json:"peer"`   // routes and messages of peers not selected
	Family int64 `json:"family"` // prefixes of families the session did not negotiate
	// Other counts records that carry no route: state changes, OPEN,
	// KEEPALIVE, NOTIFICATION, messages the collector sent, other types.
	Other int64 `json:"other"`
	// Oversize counts routes too long for the session's message size.
	Oversize int64 `json:"oversize"`
}

func (r *MRTReport) add(o *MRTReport) {
	r.Records += o.Records
	r.Routes += o.Routes
	r.Messages += o.Messages
	r.Recoded += o.Recoded
	r.Withdrawn += o.Withdrawn
	r.Peers = max(r.Peers, o.Peers)
	r.Skipped.Peer += o.Skipped.Peer
	r.Skipped.Family += o.Skipped.Family
	r.Skipped.Other += o.Skipped.Other
	r.Skipped.Oversize += o.Skipped.Oversize
	r.Damaged += o.Damaged
}

// addMRT adds one session's MRT report to the totals.
func (t *injectTotals) addMRT(r *MRTReport) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rep.MRT == nil {
		t.rep.MRT = &MRTReport{}
	}
	t.rep.MRT.add(r)
}
