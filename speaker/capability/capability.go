package capability

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/ze-bgp/ze/speaker/wire"
)

// Code is a capability code (IANA "Capability Codes", RFC 5492 §4).
type Code uint8

// Capability codes.
const (
	CodeMultiprotocol        Code = 1   // RFC 4760
	CodeRouteRefresh         Code = 2   // RFC 2918
	CodeExtendedNextHop      Code = 5   // RFC 8950
	CodeExtendedMessage      Code = 6   // RFC 8654
	CodeRole                 Code = 9   // RFC 9234
	CodeGracefulRestart      Code = 64  // RFC 4724
	CodeASN4                 Code = 65  // RFC 6793
	CodeDynamicOld           Code = 66  // deprecated dynamic capability
	CodeDynamic              Code = 67  // draft-ietf-idr-dynamic-cap
	CodeAddPath              Code = 69  // RFC 7911
	CodeEnhancedRouteRefresh Code = 70  // RFC 7313
	CodeLLGR                 Code = 71  // RFC 9494
	CodeFQDN                 Code = 73  // draft-walton-bgp-hostname-capability
	CodeSoftwareVersion      Code = 75  // draft-abraitis-bgp-version-capability
	CodeLinkLocalNextHop     Code = 77  // draft-ietf-idr-linklocal-capability
	CodeRouteRefreshCisco    Code = 128 // pre-standard route refresh
)

var codeNames = map[Code]string{
	CodeMultiprotocol:        "multiprotocol",
	CodeRouteRefresh:         "route-refresh",
	CodeExtendedNextHop:      "extended-next-hop",
	CodeExtendedMessage:      "extended-message",
	CodeRole:                 "role",
	CodeGracefulRestart:      "graceful-restart",
	CodeASN4:                 "asn4",
	CodeDynamicOld:           "dynamic-capability-old",
	CodeDynamic:              "dynamic-capability",
	CodeAddPath:              "add-path",
	CodeEnhancedRouteRefresh: "enhanced-route-refresh",
	CodeLLGR:                 "llgr",
	CodeFQDN:                 "fqdn",
	CodeSoftwareVersion:      "software-version",
	CodeLinkLocalNextHop:     "link-local-next-hop",
	CodeRouteRefreshCisco:    "route-refresh-cisco",
}

// String returns the capability's kebab-case name ("add-path") or
// "capability-N" for a code this package does not know.
func (c Code) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return "capability-" + strconv.Itoa(int(c))
}

// Known reports whether c is one of the codes this package names.
func (c Code) Known() bool {
	_, ok := codeNames[c]
	return ok
}

// MaxValueLen is the longest capability value: the length field is one
// octet (RFC 5492 §4).
const MaxValueLen = 255

// subUnspecific is the OPEN Message Error subcode for a problem without
// a subcode of its own (RFC 4271 §6.2).
const subUnspecific uint8 = 0

// malformed returns the session-reset error for a capability value that
// cannot be decoded: OPEN Message Error / Unspecific.
func malformed(c Code, format string, args ...any) *wire.Error {
	return wire.Errorf(wire.CodeOpen, subUnspecific, nil, "capability: %s: %s", c, fmt.Sprintf(format, args...))
}

// ignored returns the error for a capability the RFC says to ignore as
// not understood (RFC 5492 §3): it carries wire.ActionNone.
func ignored(c Code, format string, args ...any) *wire.Error {
	return malformed(c, format, args...).WithAction(wire.ActionNone)
}

// Ignorable reports whether err is a *wire.Error with action
// wire.ActionNone: the capability it is about should be ignored (and
// possibly logged) instead of resetting the session.
func Ignorable(err error) bool {
	var we *wire.Error
	return errors.As(err, &we) && we.Action == wire.ActionNone
}

// UnsupportedError returns the error a speaker sends when the peer
// lacks a capability it requires, or sent one it will not accept: OPEN
// Message Error / Unsupported Capability, data = the capabilities in
// question as whole TLVs (RFC 5492 §3), copied.
func UnsupportedError(caps []byte) *wire.Error {
	return wire.Errorf(wire.CodeOpen, wire.SubUnsupportedCapability, append([]byte(nil), caps...),
		"capability: unsupported capability % X", caps)
}

// Iterator walks a capability list (the value of one Capabilities
// optional parameter, RFC 5492 §4) in place:
//
//	+------------+--------------+-----------------+
//	| Code (1)   | Length (1)   | Value (Length)  |
//	+------------+--------------+-----------------+
//
// Use: for it.Next() { … it.Code(), it.Value() … }; if err := it.Err(); …
// Next returns false at the end of the list or at the first capability
// whose header or value runs past the list; Err then returns a
// session-reset *wire.Error (OPEN Message Error / Unspecific). Value and
// Raw are views into the list.
type Iterator struct {
	b     []byte
	off   int
	start int
	code  Code
	err   error
}

// NewIterator returns an iterator over the capability list b.
func NewIterator(b []byte) Iterator { return Iterator{b: b} }

// Next advances to the next capability.
func (it *Iterator) Next() bool {
	if it.err != nil || it.off >= len(it.b) {
		return false
	}
	b, off := it.b, it.off
	if len(b)-off < 2 {
		it.err = wire.Errorf(wire.CodeOpen, subUnspecific, nil, "capability: header truncated (%d octets left)", len(b)-off)
		return false
	}
	code, n := Code(b[off]), int(b[off+1])
	if len(b)-off-2 < n {
		it.err = wire.Errorf(wire.CodeOpen, subUnspecific, nil, "capability: %s length %d runs past the list", code, n)
		return false
	}
	it.start, it.code = off, code
	it.off = off + 2 + n
	return true
}

// Err returns the error that stopped the walk, or nil at end of list.
func (it *Iterator) Err() error { return it.err }

// Code returns the current capability's code.
func (it *Iterator) Code() Code { return it.code }

// Value returns the current capability's value (a view).
func (it *Iterator) Value() []byte { return it.b[it.start+2 : it.off] }

// Raw returns the current capability, code and length included (a view).
func (it *Iterator) Raw() []byte { return it.b[it.start:it.off] }

// Append appends a capability with code c and value v. A v longer than
// MaxValueLen cannot be encoded and is truncated to 255 octets.
func Append(dst []byte, c Code, v []byte) []byte {
	if len(v) > MaxValueLen {
		v = v[:MaxValueLen]
	}
	dst = append(dst, byte(c), byte(len(v)))
	return append(dst, v...)
}

// ParseEmpty checks the value of a capability whose value is empty:
// route-refresh (RFC 2918 §2), extended-message (RFC 8654 §3),
// enhanced-route-refresh (RFC 7313 §3.1), link-local-next-hop and
// route-refresh-cisco. A non-empty value is OPEN Message Error /
// Unspecific.
func ParseEmpty(c Code, v []byte) error {
	if len(v) != 0 {
		return malformed(c, "value is %d octets, want 0", len(v))
	}
	return nil
}

// AppendEmpty appends a capability with code c and no value.
func AppendEmpty(dst []byte, c Code) []byte { return append(dst, byte(c), 0) }

// family reads AFI (2 octets) and SAFI (1 octet) at b[0:3].
func family(b []byte) wire.Family {
	return wire.Family{AFI: wire.AFI(uint16(b[0])<<8 | uint16(b[1])), SAFI: wire.SAFI(b[2])}
}

// appendFamily appends AFI (2 octets) and SAFI (1 octet).
func appendFamily(dst []byte, f wire.Family) []byte {
	return append(dst, byte(f.AFI>>8), byte(f.AFI), byte(f.SAFI))
}

// fit returns how many entries of size octets (after a fixed head of
// head octets) fit in one capability value.
func fit(n, head, size int) int {
	return min(n, (MaxValueLen-head)/size)
}
