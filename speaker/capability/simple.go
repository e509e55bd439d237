package capability

import (
	"encoding/binary"
	"strconv"
	"unicode/utf8"

	"github.com/ze-bgp/ze/speaker/wire"
)

// ParseMultiprotocol decodes a Multiprotocol Extensions value (RFC 4760
// §8), exactly 4 octets:
//
//	+-------+-------+-------+-------+
//	|      AFI      | Res.  | SAFI  |
//	+-------+-------+-------+-------+
//
// The reserved octet is ignored. Any other length is OPEN Message Error
// / Unspecific.
func ParseMultiprotocol(v []byte) (wire.Family, error) {
	if len(v) != 4 {
		return wire.Family{}, malformed(CodeMultiprotocol, "value is %d octets, want 4", len(v))
	}
	return wire.Family{AFI: wire.AFI(binary.BigEndian.Uint16(v)), SAFI: wire.SAFI(v[3])}, nil
}

// AppendMultiprotocol appends a Multiprotocol capability for family f.
func AppendMultiprotocol(dst []byte, f wire.Family) []byte {
	return append(dst, byte(CodeMultiprotocol), 4, byte(f.AFI>>8), byte(f.AFI), 0, byte(f.SAFI))
}

// ParseASN4 decodes a 4-octet AS number capability value (RFC 6793 §3):
// the speaker's ASN, exactly 4 octets. Any other length is OPEN Message
// Error / Unspecific. ASN 0 is returned as is; the OPEN check rejects it
// (RFC 7607 §2).
func ParseASN4(v []byte) (uint32, error) {
	if len(v) != 4 {
		return 0, malformed(CodeASN4, "value is %d octets, want 4", len(v))
	}
	return binary.BigEndian.Uint32(v), nil
}

// AppendASN4 appends a 4-octet AS number capability.
func AppendASN4(dst []byte, asn uint32) []byte {
	dst = append(dst, byte(CodeASN4), 4)
	return binary.BigEndian.AppendUint32(dst, asn)
}

// Role is a BGP Role value (RFC 9234 §4.1).
type Role uint8

// BGP Roles (RFC 9234 §4.1).
const (
	RoleProvider Role = 0
	RoleRS       Role = 1 // route server
	RoleRSClient Role = 2 // route server client
	RoleCustomer Role = 3
	RolePeer     Role = 4 // lateral peer
)

var roleNames = [...]string{"provider", "rs", "rs-client", "customer", "peer"}

// String returns "provider", "rs", "rs-client", "customer", "peer" or
// "role-N".
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "role-" + strconv.Itoa(int(r))
}

// ParseRoleName parses a role name as String writes it.
func ParseRoleName(s string) (Role, bool) {
	for i, n := range roleNames {
		if n == s {
			return Role(i), true
		}
	}
	return 0, false
}

// RolesMatch reports whether a session between a speaker with role
// local and a peer with role remote is allowed (RFC 9234 §4.2 table 2):
// provider–customer, customer–provider, rs–rs-client, rs-client–rs,
// peer–peer. Otherwise the session is refused with OPEN Message Error /
// Role Mismatch.
func RolesMatch(local, remote Role) bool {
	switch local {
	case RoleProvider:
		return remote == RoleCustomer
	case RoleCustomer:
		return remote == RoleProvider
	case RoleRS:
		return remote == RoleRSClient
	case RoleRSClient:
		return remote == RoleRS
	case RolePeer:
		return remote == RolePeer
	}
	return false
}

// ParseRole decodes a BGP Role capability value (RFC 9234 §4.1):
// exactly one octet. Any other length is OPEN Message Error /
// Unspecific. Unassigned role values are returned as they are; RolesMatch
// rejects them.
func ParseRole(v []byte) (Role, error) {
	if len(v) != 1 {
		return 0, malformed(CodeRole, "value is %d octets, want 1", len(v))
	}
	return Role(v[0]), nil
}

// AppendRole appends a BGP Role capability.
func AppendRole(dst []byte, r Role) []byte {
	return append(dst, byte(CodeRole), 1, byte(r))
}

// ParseFQDN decodes an FQDN (hostname) capability value
// (draft-walton-bgp-hostname-capability §3):
//
//	+--------------------------------+
//	| Hostname Length (1 octet)      |
//	| Hostname (variable)            |
//	| Domain Name Length (1 octet)   |
//	| Domain Name (variable)         |
//	+--------------------------------+
//
// Lengths that do not add up to the value exactly are OPEN Message Error
// / Unspecific. The strings are copied; they are not checked for UTF-8.
func ParseFQDN(v []byte) (host, domain string, err error) {
	r := wire.NewReader(v)
	h := r.Bytes(int(r.U8()))
	d := r.Bytes(int(r.U8()))
	if r.Err() != nil {
		return "", "", malformed(CodeFQDN, "lengths run past the %d-octet value", len(v))
	}
	if r.Len() != 0 {
		return "", "", malformed(CodeFQDN, "%d trailing octets", r.Len())
	}
	return string(h), string(d), nil
}

// AppendFQDN appends an FQDN capability. host and domain are truncated
// (at a rune boundary) so that the value fits in 255 octets: the host
// name first to 253 octets, then the domain to what is left.
func AppendFQDN(dst []byte, host, domain string) []byte {
	host = truncate(host, MaxValueLen-2)
	domain = truncate(domain, MaxValueLen-2-len(host))
	dst = append(dst, byte(CodeFQDN), byte(2+len(host)+len(domain)), byte(len(host)))
	dst = append(dst, host...)
	dst = append(dst, byte(len(domain)))
	return append(dst, domain...)
}

// ParseSoftwareVersion decodes a Software Version capability value
// (draft-abraitis-bgp-version-capability §3): a length octet, then that
// many octets of (nominally UTF-8) text. A length that does not match
// the value exactly is OPEN Message Error / Unspecific. The string is
// copied and not checked for UTF-8.
func ParseSoftwareVersion(v []byte) (string, error) {
	if len(v) < 1 || int(v[0]) != len(v)-1 {
		return "", malformed(CodeSoftwareVersion, "version length does not match the %d-octet value", len(v))
	}
	return string(v[1:]), nil
}

// AppendSoftwareVersion appends a Software Version capability; s is
// truncated at a rune boundary to 254 octets so the value fits.
func AppendSoftwareVersion(dst []byte, s string) []byte {
	s = truncate(s, MaxValueLen-1)
	dst = append(dst, byte(CodeSoftwareVersion), byte(1+len(s)), byte(len(s)))
	return append(dst, s...)
}

// truncate shortens s to at most n octets without splitting a UTF-8
// sequence (invalid bytes are dropped one at a time).
func truncate(s string, n int) string {
	if n < 0 {
		n = 0
	}
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}
