package testpeer

import "github.com/ze-bgp/ze/speaker/wire"

// Bounds of what the RIB packer holds before it writes everything out:
// a RIB dump is sorted by prefix, so the routes that share attributes
// (one peer's, usually) arrive interleaved with everyone else's.
const (
	packHeld   = 4 << 20 // octets of NLRI entries held
	packGroups = 1 << 16 // attribute sets held
)

// ribPacker packs RIB routes into UPDATEs that share attributes: one
// group per family, next hop and attribute list (as the session gets
// them, after the recoder); a group is written as one UPDATE when the
// next route would not fit, and every group when the packer holds too
// much or the dump ends (flush). Groups are written in the order they
// were made, so a replay is deterministic.
type ribPacker struct {
	rc     *recoder
	groups map[string]*ribGroup
	order  []*ribGroup
	free   []*ribGroup
	held   int
	key    []byte
}

// ribGroup is the routes held for one attribute set.
type ribGroup struct {
	fam     wire.Family
	base    []byte // attributes, MP_REACH_NLRI excepted
	nh      []byte // MP_REACH_NLRI next hop
	entries []byte // NLRI entries, encoded for the session
	room    int    // octets of entries one UPDATE takes
}

func newRIBPacker(rc *recoder) *ribPacker {
	return &ribPacker{rc: rc, groups: make(map[string]*ribGroup)}
}

// add adds the route the recoder just decomposed (one announcement,
// classic or MP_REACH_NLRI) and returns dst with what had to be written
// first. Errors: errOversize when the route cannot fit in any UPDATE.
func (pk *ribPacker) add(dst []byte) ([]byte, error) {
	rc := pk.rc
	fam, entry, nh := wire.IPv4Unicast, rc.ann4.b, []byte(nil)
	if len(entry) == 0 {
		fam, entry, nh = rc.annFam, rc.annMP.b, rc.nh
	}
	if len(entry) == 0 {
		return dst, nil
	}
	k := append(pk.key[:0], byte(fam.AFI>>8), byte(fam.AFI), byte(fam.SAFI), byte(len(nh)))
	k = append(append(k, nh...), rc.base...)
	pk.key = k
	g := pk.groups[string(k)]
	if g == nil {
		room := rc.room(fam, true, rc.base, nh)
		if len(entry) > room {
			return dst, errOversize
		}
		if len(pk.order) >= packGroups {
			dst = pk.flush(dst)
		}
		g = pk.group()
		g.fam, g.room = fam, room
		g.base = append(g.base[:0], rc.base...)
		g.nh = append(g.nh[:0], nh...)
		pk.groups[string(k)] = g
		pk.order = append(pk.order, g)
	}
	if len(g.entries)+len(entry) > g.room {
		dst = rc.appendPart(dst, g.entries, g.fam, true, g.base, g.nh)
		pk.held -= len(g.entries)
		g.entries = g.entries[:0]
	}
	g.entries = append(g.entries, entry...)
	pk.held += len(entry)
	if pk.held > packHeld {
		dst = pk.flush(dst)
	}
	return dst, nil
}

// group returns an empty group, reusing a flushed one.
func (pk *ribPacker) group() *ribGroup {
	if n := len(pk.free); n > 0 {
		g := pk.free[n-1]
		pk.free = pk.free[:n-1]
		g.entries = g.entries[:0]
		return g
	}
	return &ribGroup{}
}

// flush writes every group's routes and forgets the groups.
func (pk *ribPacker) flush(dst []byte) []byte {
	for _, g := range pk.order {
		if len(g.entries) > 0 {
			dst = pk.rc.appendPart(dst, g.entries, g.fam, true, g.base, g.nh)
		}
		pk.free = append(pk.free, g)
	}
	clear(pk.groups)
	clear(pk.order)
	pk.order = pk.order[:0]
	pk.held = 0
	return dst
}
