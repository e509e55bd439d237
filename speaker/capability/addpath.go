package capability

import (
	"encoding/binary"
	"iter"
	"strconv"

	"github.com/ze-bgp/ze/speaker/wire"
)

// AddPathMode is the Send/Receive field of an ADD-PATH entry (RFC 7911
// §4): what the sender of the capability is able to do for the family.
type AddPathMode uint8

// ADD-PATH modes (RFC 7911 §4).
const (
	AddPathReceive AddPathMode = 1 // willing to receive multiple paths
	AddPathSend    AddPathMode = 2 // would like to send multiple paths
	AddPathBoth    AddPathMode = 3 // both
)

// String returns "receive", "send", "send/receive" or "mode-N".
func (m AddPathMode) String() string {
	switch m {
	case AddPathReceive:
		return "receive"
	case AddPathSend:
		return "send"
	case AddPathBoth:
		return "send/receive"
	}
	return "mode-" + strconv.Itoa(int(m))
}

// CanReceive reports whether the mode includes receive (1 or 3).
func (m AddPathMode) CanReceive() bool { return m == AddPathReceive || m == AddPathBoth }

// CanSend reports whether the mode includes send (2 or 3).
func (m AddPathMode) CanSend() bool { return m == AddPathSend || m == AddPathBoth }

// AddPathFamily is one entry of an ADD-PATH capability.
type AddPathFamily struct {
	Family wire.Family
	Mode   AddPathMode
}

// AddPath is a checked view of an ADD-PATH capability value (RFC 7911
// §4): a list of 4-octet entries. It aliases the value bytes.
//
//	+-------+-------+-------+-------+
//	|      AFI      | SAFI  | S/R   |   repeated
//	+-------+-------+-------+-------+
type AddPath []byte

// ParseAddPath checks an ADD-PATH value. A length that is not a multiple
// of 4 is OPEN Message Error / Unspecific; a Send/Receive value other
// than 1, 2 or 3 makes the whole capability one to ignore (RFC 7911 §4:
// treated as not understood), reported as an Ignorable error.
func ParseAddPath(v []byte) (AddPath, error) {
	if len(v)%4 != 0 {
		return nil, malformed(CodeAddPath, "value is %d octets, not a multiple of 4", len(v))
	}
	for i := 3; i < len(v); i += 4 {
		if m := AddPathMode(v[i]); m < AddPathReceive || m > AddPathBoth {
			return nil, ignored(CodeAddPath, "send/receive value %d for %s", v[i], family(v[i-3:]))
		}
	}
	return AddPath(v), nil
}

// Len returns the number of entries.
func (a AddPath) Len() int { return len(a) / 4 }

// At returns entry i (0 ≤ i < Len).
func (a AddPath) At(i int) AddPathFamily {
	e := a[4*i : 4*i+4]
	return AddPathFamily{Family: family(e), Mode: AddPathMode(e[3])}
}

// All iterates the entries in order.
func (a AddPath) All() iter.Seq[AddPathFamily] {
	return func(yield func(AddPathFamily) bool) {
		for i := range a.Len() {
			if !yield(a.At(i)) {
				return
			}
		}
	}
}

// Mode returns the mode advertised for f, or 0 when f is not listed. If
// f is listed more than once the last entry wins.
func (a AddPath) Mode(f wire.Family) AddPathMode {
	var m AddPathMode
	for e := range a.All() {
		if e.Family == f {
			m = e.Mode
		}
	}
	return m
}

// AppendAddPath appends an ADD-PATH capability with the given entries;
// entries beyond the 63 that fit in one capability are dropped.
func AppendAddPath(dst []byte, fams ...AddPathFamily) []byte {
	n := fit(len(fams), 0, 4)
	dst = append(dst, byte(CodeAddPath), byte(4*n))
	for _, e := range fams[:n] {
		dst = appendFamily(dst, e.Family)
		dst = append(dst, byte(e.Mode))
	}
	return dst
}

// NextHopFamily is one entry of an Extended Next Hop Encoding
// capability: NLRI of Family may carry a next hop of NextHopAFI.
type NextHopFamily struct {
	Family     wire.Family
	NextHopAFI wire.AFI
}

// ExtendedNextHop is a checked view of an Extended Next Hop Encoding
// capability value (RFC 8950): a list of 6-octet entries. Note the
// NLRI SAFI is 2 octets here. It aliases the value bytes.
//
//	+-------+-------+-------+-------+-------+-------+
//	|   NLRI AFI    |   NLRI SAFI   |  Next Hop AFI |   repeated
//	+-------+-------+-------+-------+-------+-------+
type ExtendedNextHop []byte

// ParseExtendedNextHop checks an Extended Next Hop value. A length that
// is not a multiple of 6 is OPEN Message Error / Unspecific; an NLRI
// SAFI above 255 (no such SAFI exists) makes the capability one to
// ignore, reported as an Ignorable error.
func ParseExtendedNextHop(v []byte) (ExtendedNextHop, error) {
	if len(v)%6 != 0 {
		return nil, malformed(CodeExtendedNextHop, "value is %d octets, not a multiple of 6", len(v))
	}
	for i := 0; i < len(v); i += 6 {
		if v[i+2] != 0 {
			return nil, ignored(CodeExtendedNextHop, "NLRI SAFI %d does not fit in a SAFI", binary.BigEndian.Uint16(v[i+2:]))
		}
	}
	return ExtendedNextHop(v), nil
}

// Len returns the number of entries.
func (x ExtendedNextHop) Len() int { return len(x) / 6 }

// At returns entry i (0 ≤ i < Len).
func (x ExtendedNextHop) At(i int) NextHopFamily {
	e := x[6*i : 6*i+6]
	return NextHopFamily{
		Family:     wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(e)), SAFI: wire.SAFI(e[3])},
		NextHopAFI: wire.AFI(binary.BigEndian.Uint16(e[4:])),
	}
}

// All iterates the entries in order.
func (x ExtendedNextHop) All() iter.Seq[NextHopFamily] {
	return func(yield func(NextHopFamily) bool) {
		for i := range x.Len() {
			if !yield(x.At(i)) {
				return
			}
		}
	}
}

// Has reports whether e is listed.
func (x ExtendedNextHop) Has(e NextHopFamily) bool {
	for g := range x.All() {
		if g == e {
			return true
		}
	}
	return false
}

// AppendExtendedNextHop appends an Extended Next Hop Encoding capability;
// entries beyond the 42 that fit in one capability are dropped.
func AppendExtendedNextHop(dst []byte, entries ...NextHopFamily) []byte {
	n := fit(len(entries), 0, 6)
	dst = append(dst, byte(CodeExtendedNextHop), byte(6*n))
	for _, e := range entries[:n] {
		dst = append(dst, byte(e.Family.AFI>>8), byte(e.Family.AFI), 0, byte(e.Family.SAFI),
			byte(e.NextHopAFI>>8), byte(e.NextHopAFI))
	}
	return dst
}
