package rib

import "github.com/ze-bgp/ze/speaker/attr"

// PathHasAS reports whether the AS_PATH of h (4-octet ASNs, as the Pool
// keeps it) holds asn in any segment: an AS loop when asn is the local
// AS (RFC 4271 §9.1.2, §9.1.3 — such a route is not used; RFC 7606
// leaves a malformed path to the walk that interned it).
func (p *Pool) PathHasAS(h Attrs, asn uint32) bool {
	if h == 0 {
		return false
	}
	for it := newItems(p.sets.ents[h].s); it.next(); {
		if it.code != attr.CodeASPath || it.tag == itemNextHop {
			continue
		}
		v := value(p.raw(&it))
		for len(v) >= 2 {
			n := 2 + 4*int(v[1])
			if n > len(v) {
				return false
			}
			for i := 2; i < n; i += 4 {
				if uint32(v[i])<<24|uint32(v[i+1])<<16|uint32(v[i+2])<<8|uint32(v[i+3]) == asn {
					return true
				}
			}
			v = v[n:]
		}
		return false
	}
	return false
}
