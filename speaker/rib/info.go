package rib

import (
	"encoding/binary"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/attr"
)

// Info is what the decision process (RFC 4271 §9.1.2.2, RFC 4456 §9)
// reads of an attribute set, decoded once when the set is interned.
type Info struct {
	// NextHop is NEXT_HOP, or the global address of MP_REACH_NLRI's
	// next hop (RFC 4760 §3, RFC 2545 §3); invalid when absent.
	NextHop      netip.Addr
	LocalPref    uint32 // LOCAL_PREF (RFC 4271 §5.1.5), when Has&HasLocalPref
	MED          uint32 // MULTI_EXIT_DISC (§5.1.4), when Has&HasMED
	NeighborAS   uint32 // §9.1.2.2 c: first AS of the path; 0 for an empty path or one starting with an AS_SET (the local AS)
	OriginatorID uint32 // ORIGINATOR_ID (RFC 4456 §8), when Has&HasOriginatorID
	PathLen      uint16 // §9.1.2.2 a: AS_SET counts 1, confederation segments 0 (RFC 5065 §5.3)
	ClusterLen   uint16 // CLUSTER_LIST entries (RFC 4456 §9)
	Origin       attr.Origin
	Has          uint8 // HasLocalPref | HasMED | HasOriginatorID
}

// Bits of Info.Has.
const (
	HasLocalPref    = 1 << iota // LOCAL_PREF present
	HasMED                      // MULTI_EXIT_DISC present
	HasOriginatorID             // ORIGINATOR_ID present
)

// Info returns the decoded attributes of h (the zero Info for 0).
func (p *Pool) Info(h Attrs) *Info { return &p.info[h] }

// items walks a set key (see itemRef). Keys are built by Intern, so the
// walk trusts their layout.
type items struct {
	s    string
	off  int
	tag  byte      // 0 (plain), itemRef or itemNextHop
	code attr.Code // attribute code
	ref  uint32    // sub-pool handle of an itemRef
	val  string    // plain: the whole attribute; next hop: its bytes
}

func newItems(s string) items { return items{s: s} }

func (it *items) next() bool {
	if it.off >= len(it.s) {
		return false
	}
	s := it.s[it.off:]
	it.code = attr.Code(s[1])
	switch s[0] & 0x0F {
	case itemRef:
		it.tag = itemRef
		it.ref = uint32(s[2])<<24 | uint32(s[3])<<16 | uint32(s[4])<<8 | uint32(s[5])
		it.off += 6
	case itemNextHop:
		n := int(s[2])
		it.tag, it.val = itemNextHop, s[3:3+n]
		it.off += 3 + n
	default:
		n := 3 + int(s[2])
		if s[0]&byte(attr.FlagExtendedLength) != 0 {
			n = 4 + int(s[2])<<8 + int(s[3])
		}
		it.tag, it.val = 0, s[:n]
		it.off += n
	}
	return true
}

// raw returns the current item's whole attribute (plain or ref).
func (p *Pool) raw(it *items) string {
	if it.tag == itemRef {
		return p.sub[subIndex[it.code]-1].ents[it.ref].s
	}
	return it.val
}

// value strips the attribute header off raw.
func value(raw string) string {
	if raw[0]&byte(attr.FlagExtendedLength) != 0 {
		return raw[4:]
	}
	return raw[3:]
}

// created takes the sub-pool references of new set h and decodes its Info.
func (p *Pool) created(h uint32) {
	for int(h) >= len(p.info) {
		p.info = append(p.info, Info{})
	}
	var in Info
	for it := newItems(p.sets.ents[h].s); it.next(); {
		if it.tag == itemRef {
			p.sub[subIndex[it.code]-1].ents[it.ref].refs++
		}
		if it.tag == itemNextHop {
			if g, _, ok := attr.SplitNextHop([]byte(it.val), false); ok {
				in.NextHop = g
			}
			continue
		}
		v := value(p.raw(&it))
		switch it.code {
		case attr.CodeOrigin:
			if len(v) == 1 {
				in.Origin = attr.Origin(v[0])
			}
		case attr.CodeASPath:
			in.PathLen, in.NeighborAS = pathInfo(v)
		case attr.CodeNextHop:
			if len(v) == 4 {
				in.NextHop = netip.AddrFrom4([4]byte([]byte(v)))
			}
		case attr.CodeMED:
			if len(v) == 4 {
				in.MED, in.Has = binary.BigEndian.Uint32([]byte(v)), in.Has|HasMED
			}
		case attr.CodeLocalPref:
			if len(v) == 4 {
				in.LocalPref, in.Has = binary.BigEndian.Uint32([]byte(v)), in.Has|HasLocalPref
			}
		case attr.CodeOriginatorID:
			if len(v) == 4 {
				in.OriginatorID, in.Has = binary.BigEndian.Uint32([]byte(v)), in.Has|HasOriginatorID
			}
		case attr.CodeClusterList:
			in.ClusterLen = uint16(len(v) / 4)
		}
	}
	p.info[h] = in
}

// pathInfo returns the RFC 4271 §9.1.2.2 a length of a 4-octet AS_PATH
// value (AS_SET 1, confederation segments 0 per RFC 5065 §5.3) and its
// neighbour AS (§9.1.2.2 c: the first AS of a leading AS_SEQUENCE after
// any confederation segments; 0, the local AS, otherwise).
func pathInfo(v string) (n uint16, neighbor uint32) {
	// Segments walked in the string itself (no []byte copy): type (1),
	// count (1), count 4-octet ASNs; a malformed segment ends the walk.
	first := true
	for len(v) >= 2 {
		t, k := attr.SegmentType(v[0]), int(v[1])
		if t < attr.ASSet || t > attr.ConfedSet || k == 0 || 2+4*k > len(v) {
			break
		}
		switch t {
		case attr.ASSequence:
			n += uint16(k)
			if first {
				neighbor = uint32(v[2])<<24 | uint32(v[3])<<16 | uint32(v[4])<<8 | uint32(v[5])
			}
			first = false
		case attr.ASSet:
			n++
			first = false
		}
		v = v[2+4*k:]
	}
	return n, neighbor
}

// AppendAttrs appends h's attributes in wire form (4-octet ASNs, no
// MP_REACH_NLRI) to dst.
func (p *Pool) AppendAttrs(dst []byte, h Attrs) []byte {
	if h == 0 {
		return dst
	}
	for it := newItems(p.sets.ents[h].s); it.next(); {
		if it.tag != itemNextHop {
			dst = append(dst, p.raw(&it)...)
		}
	}
	return dst
}

// MPNextHop appends h's MP_REACH_NLRI next hop field to dst; ok is
// false when h was interned with mp false.
func (p *Pool) MPNextHop(dst []byte, h Attrs) ([]byte, bool) {
	if h == 0 {
		return dst, false
	}
	for it := newItems(p.sets.ents[h].s); it.next(); {
		if it.tag == itemNextHop {
			return append(dst, it.val...), true
		}
	}
	return dst, false
}

// IsMP reports whether h was interned for MP_REACH_NLRI routes.
func (p *Pool) IsMP(h Attrs) bool {
	if h == 0 {
		return false
	}
	for it := newItems(p.sets.ents[h].s); it.next(); {
		if it.tag == itemNextHop {
			return true
		}
	}
	return false
}
