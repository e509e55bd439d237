package mrt

import (
	"fmt"
	"strconv"
)

// Damage is one problem found in an MRT stream: where (the offset of the
// record, or of the damaged octets, in the decompressed stream) and why.
type Damage struct {
	Offset int64
	Reason string
}

// String returns "offset N: REASON".
func (d Damage) String() string {
	return "offset " + strconv.FormatInt(d.Offset, 10) + ": " + d.Reason
}

// maxDamageKept bounds the damage a DamageLog remembers in detail; the
// count goes on.
const maxDamageKept = 100

// DamageLog counts damage and keeps the first cases (up to 100) for the
// summary. The zero value is ready to use.
type DamageLog struct {
	Count int      // every case, also those not kept
	Kept  []Damage // the first cases, in stream order
}

// Add records one case.
func (l *DamageLog) Add(off int64, reason string) {
	l.Count++
	if len(l.Kept) < maxDamageKept {
		l.Kept = append(l.Kept, Damage{Offset: off, Reason: reason})
	}
}

// Addf records one case with a formatted reason.
func (l *DamageLog) Addf(off int64, format string, args ...any) {
	l.Add(off, fmt.Sprintf(format, args...))
}
