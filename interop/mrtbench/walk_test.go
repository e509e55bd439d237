//go:build mrtbench

package mrtbench

import (
	"bytes"
	"fmt"

	gmrt "github.com/osrg/gobgp/v3/pkg/packet/mrt"

	"github.com/osrg/gobgp/v3/pkg/packet/bgp"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// tally is what a walk read; both walks must read the same (so that the
// comparison is fair: TestWalkersAgree).
type tally struct {
	Records  int64 // MRT records
	Entries  int64 // RIB entries (routes) and BGP messages
	Attrs    int64 // path attributes
	ASNs     int64 // AS numbers in AS_PATH
	Prefixes int64 // prefixes of UPDATEs (withdrawn, NLRI, MP_REACH/MP_UNREACH)
}

// zeRecord walks one record with package mrt and the codec, in place:
// PEER_INDEX_TABLE peers; RIB records and their entries' attributes;
// TABLE_DUMP routes; BGP4MP(_ET) messages — for an UPDATE every
// attribute, AS path and prefix.
func zeRecord(rec *mrt.Record, t *tally) error {
	t.Records++
	switch rec.Type {
	case mrt.TypeTableDumpV2:
		if rec.Subtype == mrt.PeerIndexTable {
			pi, err := mrt.ParsePeerIndex(rec)
			if err != nil {
				return err
			}
			it := pi.Peers()
			for it.Next() {
				_ = it.Peer()
			}
			return it.Err()
		}
		rib, err := mrt.ParseRIB(rec)
		if err != nil {
			return err
		}
		it := rib.Entries()
		for it.Next() {
			t.Entries++
			if err := zeAttrs(it.Attrs(), true, false, true, t); err != nil {
				return err
			}
		}
		return it.Err()
	case mrt.TypeTableDump:
		td, err := mrt.ParseTableDump(rec)
		if err != nil {
			return err
		}
		t.Entries++
		return zeAttrs(td.Attrs, td.AS4(), false, false, t)
	case mrt.TypeBGP4MP, mrt.TypeBGP4MPET:
		m, err := mrt.ParseBGP4MP(rec)
		if err != nil || m.IsStateChange() {
			return err
		}
		t.Entries++
		if len(m.Message) <= wire.HeaderLen || wire.Type(m.Message[18]) != wire.TypeUpdate {
			return nil
		}
		u, err := message.ParseUpdate(m.Message)
		if err != nil {
			return err
		}
		ctx := m.Context()
		if err := zePrefixes(u.Withdrawn, wire.IPv4Unicast, ctx.AddPath(wire.IPv4Unicast), t); err != nil {
			return err
		}
		if err := zePrefixes(u.NLRI, wire.IPv4Unicast, ctx.AddPath(wire.IPv4Unicast), t); err != nil {
			return err
		}
		return zeAttrs(u.Attrs, ctx.ASN4, m.AddPath(), false, t)
	}
	return nil
}

// zeAttrs walks a path attribute list: the AS numbers of AS_PATH, the
// prefixes of MP_REACH_NLRI and MP_UNREACH_NLRI (a RIB entry's
// MP_REACH_NLRI, rib, holds only the next hop), the values of the
// others.
func zeAttrs(b []byte, asn4, addPath, rib bool, t *tally) error {
	it := attr.NewIterator(b)
	for it.Next() {
		t.Attrs++
		switch it.Code() {
		case attr.CodeASPath:
			p := attr.NewASPathIterator(it.Value(), asn4)
			for p.Next() {
				for i := range p.Len() {
					_ = p.ASN(i)
				}
				t.ASNs += int64(p.Len())
			}
			if err := p.Err(); err != nil {
				return err
			}
		case attr.CodeMPReach:
			if rib {
				continue
			}
			m, err := attr.ParseMPReach(it.Value())
			if err != nil || !m.Family.IsIP() {
				continue
			}
			if err := zePrefixes(m.NLRI, m.Family, addPath, t); err != nil {
				return err
			}
		case attr.CodeMPUnreach:
			m, err := attr.ParseMPUnreach(it.Value())
			if err != nil || !m.Family.IsIP() {
				continue
			}
			if err := zePrefixes(m.NLRI, m.Family, addPath, t); err != nil {
				return err
			}
		case attr.CodeCommunities:
			c, err := attr.ParseCommunities(it.Value())
			if err != nil {
				return err
			}
			for i := range c.Len() {
				_ = c.At(i)
			}
		}
	}
	return it.Err()
}

func zePrefixes(b []byte, f wire.Family, addPath bool, t *tally) error {
	it := nlri.NewIterator(b, f, addPath)
	for it.Next() {
		_ = it.Prefix()
		t.Prefixes++
	}
	return it.Err()
}

// gobgpFile decodes every record of a plain MRT file as GoBGP's
// pkg/packet/mrt does: the common header, then ParseMRTBody, which
// decodes the whole body (peers, RIB entries and their path attributes,
// BGP messages) into its structs; the tally reads them. GoBGP knows
// neither TABLE_DUMP (version 1) nor BGP4MP_ET: an _ET record is handed
// over as BGP4MP without its microseconds; a TABLE_DUMP record is an
// error.
func gobgpFile(b []byte, t *tally) error {
	for len(b) >= gmrt.MRT_COMMON_HEADER_LEN {
		var h gmrt.MRTHeader
		if err := h.DecodeFromBytes(b); err != nil {
			return err
		}
		n := gmrt.MRT_COMMON_HEADER_LEN + int(h.Len)
		if n > len(b) {
			return fmt.Errorf("record of %d octets in %d", n, len(b))
		}
		body := b[gmrt.MRT_COMMON_HEADER_LEN:n]
		b = b[n:]
		if h.Type == gmrt.MRTType(mrt.TypeBGP4MPET) {
			h.Type, h.Len, body = gmrt.BGP4MP, h.Len-4, body[4:]
		}
		m, err := gmrt.ParseMRTBody(&h, body)
		if err != nil {
			return err
		}
		t.Records++
		gobgpBody(m.Body, t)
	}
	return nil
}

func gobgpBody(body gmrt.Body, t *tally) {
	switch v := body.(type) {
	case *gmrt.Rib:
		for _, e := range v.Entries {
			t.Entries++
			gobgpAttrs(e.PathAttributes, t)
		}
	case *gmrt.BGP4MPMessage:
		t.Entries++
		if u, ok := v.BGPMessage.Body.(*bgp.BGPUpdate); ok {
			t.Prefixes += int64(len(u.WithdrawnRoutes) + len(u.NLRI))
			gobgpAttrs(u.PathAttributes, t)
		}
	}
}

func gobgpAttrs(as []bgp.PathAttributeInterface, t *tally) {
	for _, a := range as {
		t.Attrs++
		switch v := a.(type) {
		case *bgp.PathAttributeAsPath:
			for _, p := range v.Value {
				t.ASNs += int64(len(p.GetAS()))
			}
		case *bgp.PathAttributeMpReachNLRI:
			t.Prefixes += int64(len(v.Value))
		case *bgp.PathAttributeMpUnreachNLRI:
			t.Prefixes += int64(len(v.Value))
		}
	}
}

// zeFile iterates a whole MRT stream with ze's Reader.
func zeFile(r *mrt.Reader, t *tally) error {
	defer r.Close()
	for r.Next() {
		if err := zeRecord(r.Record(), t); err != nil {
			return fmt.Errorf("record at %d: %w", r.Record().Offset, err)
		}
	}
	if r.Damage().Count > 0 {
		return fmt.Errorf("%d damaged: %v", r.Damage().Count, r.Damage().Kept[0])
	}
	return nil
}

// zeBytes iterates a plain MRT file held in memory.
func zeBytes(b []byte, t *tally) error {
	r, err := mrt.NewReader(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return zeFile(r, t)
}
