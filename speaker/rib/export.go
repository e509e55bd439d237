package rib

import (
	"encoding/binary"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Exporter turns a Loc-RIB path into the attributes sent to one peer
// (RFC 4271 §9.1.3 and §5: policy, AS_PATH prepend, next hop). Export
// returns a handle holding one new reference (for AdjOut.Set), or false
// when the path is not sent. from is the peer the path was learned from.
// Implementations must not keep h.
type Exporter interface {
	Export(p *Pool, f wire.Family, from Peer, h Attrs) (Attrs, bool)
}

// Transparent is the route server export (RFC 7947 §2.2): AS_PATH,
// NEXT_HOP, MED and every other attribute unchanged, the very handle the
// route came with.
type Transparent struct{}

// Export returns h with one more reference.
func (Transparent) Export(p *Pool, _ wire.Family, _ Peer, h Attrs) (Attrs, bool) {
	p.Acquire(h)
	return h, h != 0
}

// EBGP is the export to an external peer (RFC 4271 §5.1): the local AS
// prepended to AS_PATH (§5.1.2 b), next hop set to NextHop (IPv4
// families) or NextHop6 (IPv6 families) when valid (§5.1.3; an invalid
// one keeps the next hop, for third-party next hops), LOCAL_PREF
// removed (§5.1.5), MED removed unless KeepMED (§5.1.4), ORIGINATOR_ID
// and CLUSTER_LIST removed (RFC 4456 §8: they do not leave the AS).
type EBGP struct {
	LocalAS           uint32
	NextHop, NextHop6 netip.Addr
	KeepMED           bool
	r                 rewriter
	m                 memo[ebgpConf]
}

// ebgpConf is what an EBGP export depends on besides the path.
type ebgpConf struct {
	as      uint32
	nh, nh6 netip.Addr
	keepMED bool
	family  wire.Family
}

// Export rewrites h for the external peer. The prefixes of one UPDATE
// share their attributes: the last result is reused while h, the family
// and the fields are the same (memo).
func (e *EBGP) Export(p *Pool, f wire.Family, _ Peer, h Attrs) (Attrs, bool) {
	if h == 0 {
		return 0, false
	}
	c := ebgpConf{as: e.LocalAS, nh: e.NextHop, nh6: e.NextHop6, keepMED: e.KeepMED, family: f}
	if out, ok := e.m.get(p, h, c); ok {
		return out, true
	}
	out, ok := e.export(p, f, h)
	e.m.put(p, h, c, out, ok)
	return out, ok
}

func (e *EBGP) export(p *Pool, f wire.Family, h Attrs) (Attrs, bool) {
	r := &e.r
	r.start(p, h)
	prepended := false
	for it := attr.NewIterator(r.src); it.Next(); {
		switch it.Code() {
		case attr.CodeASPath:
			r.out = PrependAS(r.out, it.Flags(), it.Value(), e.LocalAS)
			prepended = true
		case attr.CodeNextHop:
			if e.NextHop.Is4() {
				r.out = attr.AppendNextHop(r.out, e.NextHop)
			} else {
				r.out = append(r.out, it.Raw()...)
			}
		case attr.CodeLocalPref, attr.CodeOriginatorID, attr.CodeClusterList:
		case attr.CodeMED:
			if e.KeepMED {
				r.out = append(r.out, it.Raw()...)
			}
		default:
			r.out = append(r.out, it.Raw()...)
		}
	}
	if !prepended {
		r.out = PrependAS(r.out, attr.FlagTransitive, nil, e.LocalAS)
	}
	nh := e.NextHop
	if f.AFI == wire.AFIIPv6 {
		nh = e.NextHop6
	}
	return r.finish(p, nh)
}

// IBGP is the export to an internal peer (RFC 4271 §5.1.5): LOCAL_PREF
// added as LocalPref when absent; with NextHopSelf the next hop set to
// NextHop / NextHop6. With Reflect it is a route reflector's export to a
// client or non-client (RFC 4456 §8): ORIGINATOR_ID set to the router ID
// of the peer the path came from when absent, ClusterID prepended to
// CLUSTER_LIST.
type IBGP struct {
	LocalPref         uint32
	NextHopSelf       bool
	NextHop, NextHop6 netip.Addr
	Reflect           bool
	ClusterID         uint32
	r                 rewriter
	m                 memo[ibgpConf]
}

// ibgpConf is what an IBGP export depends on besides the path.
type ibgpConf struct {
	lp, cluster     uint32
	nhSelf, reflect bool
	nh, nh6         netip.Addr
	family          wire.Family
	from            uint32 // the source's router ID (ORIGINATOR_ID when reflecting)
}

// Export rewrites h for the internal peer; like EBGP's, the last result
// is reused while nothing it depends on changed.
func (e *IBGP) Export(p *Pool, f wire.Family, from Peer, h Attrs) (Attrs, bool) {
	if h == 0 {
		return 0, false
	}
	c := ibgpConf{lp: e.LocalPref, cluster: e.ClusterID, nhSelf: e.NextHopSelf, reflect: e.Reflect,
		nh: e.NextHop, nh6: e.NextHop6, family: f, from: from.RouterID}
	if out, ok := e.m.get(p, h, c); ok {
		return out, true
	}
	out, ok := e.export(p, f, from, h)
	e.m.put(p, h, c, out, ok)
	return out, ok
}

func (e *IBGP) export(p *Pool, f wire.Family, from Peer, h Attrs) (Attrs, bool) {
	r := &e.r
	r.start(p, h)
	in := p.Info(h)
	var hasCluster bool
	for it := attr.NewIterator(r.src); it.Next(); {
		switch it.Code() {
		case attr.CodeNextHop:
			if e.NextHopSelf && e.NextHop.Is4() {
				r.out = attr.AppendNextHop(r.out, e.NextHop)
			} else {
				r.out = append(r.out, it.Raw()...)
			}
		case attr.CodeClusterList:
			if e.Reflect {
				hasCluster = true
				v := it.Value()
				r.out = attr.AppendHeader(r.out, it.Flags()&^attr.FlagExtendedLength, attr.CodeClusterList, 4+len(v))
				r.out = binary.BigEndian.AppendUint32(r.out, e.ClusterID)
				r.out = append(r.out, v...)
			} else {
				r.out = append(r.out, it.Raw()...)
			}
		default:
			r.out = append(r.out, it.Raw()...)
		}
	}
	if in.Has&HasLocalPref == 0 {
		r.out = attr.AppendLocalPref(r.out, e.LocalPref)
	}
	if e.Reflect {
		if in.Has&HasOriginatorID == 0 {
			r.out = attr.AppendHeader(r.out, attr.FlagOptional, attr.CodeOriginatorID, 4)
			r.out = binary.BigEndian.AppendUint32(r.out, from.RouterID)
		}
		if !hasCluster {
			r.out = attr.AppendHeader(r.out, attr.FlagOptional, attr.CodeClusterList, 4)
			r.out = binary.BigEndian.AppendUint32(r.out, e.ClusterID)
		}
	}
	var nh netip.Addr
	if e.NextHopSelf {
		nh = e.NextHop
		if f.AFI == wire.AFIIPv6 {
			nh = e.NextHop6
		}
	}
	return r.finish(p, nh)
}

// ReflectionLoop reports whether a route reflector with BGP Identifier
// routerID and cluster clusterID must ignore the path h (RFC 4456 §8):
// its ORIGINATOR_ID is routerID, or its CLUSTER_LIST holds clusterID.
func (p *Pool) ReflectionLoop(h Attrs, routerID, clusterID uint32) bool {
	in := p.Info(h)
	if in.Has&HasOriginatorID != 0 && in.OriginatorID == routerID {
		return true
	}
	if in.ClusterLen == 0 {
		return false
	}
	for it := newItems(p.sets.ents[h].s); it.next(); {
		if it.code == attr.CodeClusterList && it.tag != itemNextHop {
			v := value(p.raw(&it))
			for i := 0; i+4 <= len(v); i += 4 {
				if uint32(v[i])<<24|uint32(v[i+1])<<16|uint32(v[i+2])<<8|uint32(v[i+3]) == clusterID {
					return true
				}
			}
		}
	}
	return false
}

// PrependAS appends an AS_PATH attribute (4-octet ASNs) with flags
// whose value is asn followed by the path v (RFC 4271 §5.1.2 b): asn
// joins a leading AS_SEQUENCE with room for it, else starts a new one.
func PrependAS(dst []byte, flags attr.Flags, v []byte, asn uint32) []byte {
	flags &^= attr.FlagExtendedLength
	if len(v) >= 2 && attr.SegmentType(v[0]) == attr.ASSequence && v[1] < 255 {
		dst = attr.AppendHeader(dst, flags, attr.CodeASPath, len(v)+4)
		dst = append(dst, v[0], v[1]+1)
		dst = binary.BigEndian.AppendUint32(dst, asn)
		return append(dst, v[2:]...)
	}
	dst = attr.AppendHeader(dst, flags, attr.CodeASPath, len(v)+6)
	dst = append(dst, byte(attr.ASSequence), 1)
	dst = binary.BigEndian.AppendUint32(dst, asn)
	return append(dst, v...)
}

// rewriter holds an Exporter's scratch buffers, reused between calls.
type rewriter struct {
	src, out, nh []byte
	mp           bool
}

// asn4 is the context of the Pool's canonical form.
var asn4 = wire.Context{ASN4: true}

func (r *rewriter) start(p *Pool, h Attrs) {
	r.src = p.AppendAttrs(r.src[:0], h)
	r.out = r.out[:0]
	r.nh, r.mp = p.MPNextHop(r.nh[:0], h)
}

// finish interns the rewritten list; a valid nh replaces an MP next hop.
func (r *rewriter) finish(p *Pool, nh netip.Addr) (Attrs, bool) {
	if r.mp && nh.IsValid() {
		if nh.Is4() {
			a := nh.As4()
			r.nh = append(r.nh[:0], a[:]...)
		} else {
			a := nh.As16()
			r.nh = append(r.nh[:0], a[:]...)
		}
	}
	h, err := p.Intern(r.out, r.mp, r.nh, asn4, false)
	return h, err == nil
}
