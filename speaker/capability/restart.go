package capability

import (
	"encoding/binary"
	"iter"

	"github.com/ze-bgp/ze/speaker/wire"
)

// RestartFlags is the 4-bit Restart Flags field of a Graceful Restart
// capability (RFC 4724 §3, RFC 8538 §2), right-aligned.
type RestartFlags uint8

// Restart flags.
const (
	// RestartState (R): the speaker has restarted (RFC 4724 §3).
	RestartState RestartFlags = 0x8
	// RestartNotification (N): graceful restart also covers NOTIFICATION
	// messages (RFC 8538 §2).
	RestartNotification RestartFlags = 0x4
)

// FlagForwarding is the per-family F bit of Graceful Restart and
// Long-Lived Graceful Restart entries: forwarding state was preserved
// (RFC 4724 §3, RFC 9494 §3).
const FlagForwarding uint8 = 0x80

// MaxRestartTime is the largest restart time in seconds (12 bits).
const MaxRestartTime = 4095

// RestartFamily is one per-family entry of a Graceful Restart capability.
type RestartFamily struct {
	Family wire.Family
	Flags  uint8 // FlagForwarding; other bits reserved
}

// Forwarding reports whether forwarding state was preserved.
func (f RestartFamily) Forwarding() bool { return f.Flags&FlagForwarding != 0 }

// GracefulRestart is a checked view of a Graceful Restart capability
// value (RFC 4724 §3). It aliases the value bytes.
//
//	+-------+-----------------------+
//	| Flags | Restart Time (12 bits)|   2 octets
//	| (4)   | seconds               |
//	+-------+-----------------------+
//	|      AFI      | SAFI  | Flags |   4 octets, repeated
//	+-------+-------+-------+-------+
type GracefulRestart []byte

// ParseGracefulRestart checks a Graceful Restart value: 2 octets plus a
// multiple of 4. Any other length is OPEN Message Error / Unspecific.
func ParseGracefulRestart(v []byte) (GracefulRestart, error) {
	if len(v) < 2 || (len(v)-2)%4 != 0 {
		return nil, malformed(CodeGracefulRestart, "value is %d octets, want 2+4n", len(v))
	}
	return GracefulRestart(v), nil
}

// Flags returns the restart flags.
func (g GracefulRestart) Flags() RestartFlags { return RestartFlags(g[0] >> 4) }

// Time returns the restart time in seconds (0–4095).
func (g GracefulRestart) Time() uint16 { return binary.BigEndian.Uint16(g) & 0x0FFF }

// Len returns the number of per-family entries.
func (g GracefulRestart) Len() int { return (len(g) - 2) / 4 }

// At returns entry i (0 ≤ i < Len).
func (g GracefulRestart) At(i int) RestartFamily {
	e := g[2+4*i : 6+4*i]
	return RestartFamily{Family: family(e), Flags: e[3]}
}

// All iterates the per-family entries in order.
func (g GracefulRestart) All() iter.Seq[RestartFamily] {
	return func(yield func(RestartFamily) bool) {
		for i := range g.Len() {
			if !yield(g.At(i)) {
				return
			}
		}
	}
}

// AppendGracefulRestart appends a Graceful Restart capability. seconds
// above MaxRestartTime are clamped to it; flags above 4 bits are masked;
// entries beyond the 63 that fit are dropped.
func AppendGracefulRestart(dst []byte, flags RestartFlags, seconds uint16, fams ...RestartFamily) []byte {
	n := fit(len(fams), 2, 4)
	seconds = min(seconds, MaxRestartTime)
	dst = append(dst, byte(CodeGracefulRestart), byte(2+4*n), byte(flags&0xF)<<4|byte(seconds>>8), byte(seconds))
	for _, e := range fams[:n] {
		dst = appendFamily(dst, e.Family)
		dst = append(dst, e.Flags)
	}
	return dst
}

// MaxStaleTime is the largest long-lived stale time in seconds (24 bits).
const MaxStaleTime = 1<<24 - 1

// LLGRFamily is one entry of a Long-Lived Graceful Restart capability.
type LLGRFamily struct {
	Family    wire.Family
	Flags     uint8  // FlagForwarding; other bits reserved
	StaleTime uint32 // seconds, 24 bits
}

// Forwarding reports whether forwarding state was preserved.
func (f LLGRFamily) Forwarding() bool { return f.Flags&FlagForwarding != 0 }

// LLGR is a checked view of a Long-Lived Graceful Restart capability
// value (RFC 9494 §3): a list of 7-octet entries. It aliases the value.
//
//	+-------+-------+-------+-------+-------+-------+-------+
//	|      AFI      | SAFI  | Flags |  Long-lived Stale Time|   repeated
//	+-------+-------+-------+-------+-------+-------+-------+
type LLGR []byte

// ParseLLGR checks a Long-Lived Graceful Restart value. A length that is
// not a multiple of 7 is OPEN Message Error / Unspecific.
func ParseLLGR(v []byte) (LLGR, error) {
	if len(v)%7 != 0 {
		return nil, malformed(CodeLLGR, "value is %d octets, not a multiple of 7", len(v))
	}
	return LLGR(v), nil
}

// Len returns the number of entries.
func (l LLGR) Len() int { return len(l) / 7 }

// At returns entry i (0 ≤ i < Len).
func (l LLGR) At(i int) LLGRFamily {
	e := l[7*i : 7*i+7]
	return LLGRFamily{
		Family:    family(e),
		Flags:     e[3],
		StaleTime: uint32(e[4])<<16 | uint32(e[5])<<8 | uint32(e[6]),
	}
}

// All iterates the entries in order.
func (l LLGR) All() iter.Seq[LLGRFamily] {
	return func(yield func(LLGRFamily) bool) {
		for i := range l.Len() {
			if !yield(l.At(i)) {
				return
			}
		}
	}
}

// AppendLLGR appends a Long-Lived Graceful Restart capability. Stale
// times above MaxStaleTime are clamped; entries beyond the 36 that fit
// are dropped.
func AppendLLGR(dst []byte, fams ...LLGRFamily) []byte {
	n := fit(len(fams), 0, 7)
	dst = append(dst, byte(CodeLLGR), byte(7*n))
	for _, e := range fams[:n] {
		t := min(e.StaleTime, MaxStaleTime)
		dst = appendFamily(dst, e.Family)
		dst = append(dst, e.Flags, byte(t>>16), byte(t>>8), byte(t))
	}
	return dst
}
