package mrt

import (
	"encoding/binary"
	"errors"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/wire"
)

// ErrUpdateTooLong is returned when a route's UPDATE would exceed 65535
// octets.
var ErrUpdateTooLong = errors.New("mrt: route does not fit in one UPDATE")

// AppendUpdate appends a whole UPDATE message (marker and header
// included) announcing the record's prefix with the path attributes of
// one of its entries (attrs, from RIBIterator.Attrs; pathID, from
// RIBIterator.PathID, is used by the _ADDPATH subtypes): the UPDATE the
// peer sent, as far as a RIB dump can tell, decodable under Context.
//
// RFC 6396 §4.3.4 stores MP_REACH_NLRI with only its next hop (length
// octet and address) and no AFI, SAFI or NLRI. For IPv4 unicast the
// prefix goes into the NLRI field and MP_REACH_NLRI is dropped (its next
// hop becomes NEXT_HOP when there is none); for other families
// MP_REACH_NLRI is rebuilt in full at its place (at the end when the
// entry has none, with the unspecified address, 0.0.0.0 or ::, as next
// hop). An MP_REACH_NLRI already
// in full form (some writers do that) is read as such. Other attributes
// are copied unchanged.
//
// Errors: ErrShort for a truncated MP_REACH_NLRI, the attribute
// iterator's *wire.Error for a malformed attribute list (what precedes
// it is kept, the rest copied as is), ErrUpdateTooLong; dst comes back
// unchanged only for ErrUpdateTooLong.
func (r *RIB) AppendUpdate(dst []byte, attrs []byte, pathID uint32) ([]byte, error) {
	return appendRouteUpdate(dst, r.Family, r.AddPath(), pathID, r.NLRI, attrs)
}

// AppendUpdate appends a whole UPDATE message announcing the record's
// route, as RIB.AppendUpdate does; it decodes under t.Context.
func (t *TableDump) AppendUpdate(dst []byte) ([]byte, error) {
	var e [17]byte
	e[0] = t.PrefixLen
	n := min((int(t.PrefixLen)+7)/8, len(t.PrefixBytes))
	copy(e[1:], t.PrefixBytes[:n])
	return appendRouteUpdate(dst, t.Family, false, 0, e[:1+n], t.Attrs)
}

// appendRouteUpdate builds the UPDATE for one route of family f whose
// NLRI entry (without path identifier) is nlriEntry.
func appendRouteUpdate(dst []byte, f wire.Family, addPath bool, pathID uint32, nlriEntry, attrs []byte) ([]byte, error) {
	start := len(dst)
	dst = wire.AppendHeader(dst, wire.TypeUpdate)
	dst = append(dst, 0, 0, 0, 0) // withdrawn routes length; path attribute length, backfilled
	attrStart := len(dst)
	var nh []byte
	hasNextHop, placed := false, false
	var firstErr error
	walked := 0
	it := attr.NewIterator(attrs)
	for it.Next() {
		walked += len(it.Raw())
		switch it.Code() {
		case attr.CodeNextHop:
			hasNextHop = true
		case attr.CodeMPReach:
			v, err := reachNextHop(it.Value(), f)
			if err != nil && firstErr == nil {
				firstErr = err
			}
			nh = v
			if f != wire.IPv4Unicast && !placed {
				dst = appendMPReach(dst, f, nh, addPath, pathID, nlriEntry)
				placed = true
			}
			continue
		}
		dst = append(dst, it.Raw()...)
	}
	if err := it.Err(); err != nil {
		if firstErr == nil {
			firstErr = err
		}
		dst = append(dst, attrs[walked:]...)
	}
	if f == wire.IPv4Unicast {
		if !hasNextHop && len(nh) == 4 {
			dst = attr.AppendRaw(dst, attr.FlagTransitive, attr.CodeNextHop, nh)
		}
	} else if !placed {
		dst = appendMPReach(dst, f, unspecified(f.AFI), addPath, pathID, nlriEntry)
	}
	al := len(dst) - attrStart
	binary.BigEndian.PutUint16(dst[attrStart-2:], uint16(al))
	if f == wire.IPv4Unicast {
		if addPath {
			dst = binary.BigEndian.AppendUint32(dst, pathID)
		}
		dst = append(dst, nlriEntry...)
	}
	if len(dst)-start > 65535 || al > 65535 {
		return dst[:start], ErrUpdateTooLong
	}
	wire.SetLength(dst[start:])
	return dst, firstErr
}

// unspecified is the next hop of a route whose entry has none: the
// unspecified address of the family (0.0.0.0, ::), empty for non-IP
// families.
func unspecified(afi wire.AFI) []byte {
	switch afi {
	case wire.AFIIPv4:
		return zeros[:4]
	case wire.AFIIPv6:
		return zeros[:16]
	}
	return nil
}

var zeros [16]byte

// appendMPReach appends a full MP_REACH_NLRI for one NLRI entry.
func appendMPReach(dst []byte, f wire.Family, nh []byte, addPath bool, pathID uint32, nlriEntry []byte) []byte {
	var id [4]byte
	n := len(nlriEntry)
	if addPath {
		n += 4
	}
	dst = attr.AppendHeader(dst, attr.FlagOptional, attr.CodeMPReach, 5+len(nh)+n)
	dst = binary.BigEndian.AppendUint16(dst, uint16(f.AFI))
	dst = append(dst, byte(f.SAFI), byte(len(nh)))
	dst = append(dst, nh...)
	dst = append(dst, 0)
	if addPath {
		binary.BigEndian.PutUint32(id[:], pathID)
		dst = append(dst, id[:]...)
	}
	return append(dst, nlriEntry...)
}

// reachNextHop returns the next hop of an MP_REACH_NLRI value as a RIB
// entry stores it: the RFC 6396 §4.3.4 form (next hop length, next hop),
// or the full RFC 4760 form when the value starts with family f's AFI and
// SAFI and its next hop fits.
func reachNextHop(v []byte, f wire.Family) ([]byte, error) {
	if len(v) >= 5 && binary.BigEndian.Uint16(v) == uint16(f.AFI) && v[2] == byte(f.SAFI) && 4+int(v[3]) <= len(v) {
		return v[4 : 4+int(v[3])], nil
	}
	if len(v) == 0 || 1+int(v[0]) > len(v) {
		return nil, ErrShort
	}
	return v[1 : 1+int(v[0])], nil
}
