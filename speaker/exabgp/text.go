package exabgp

import (
	"encoding/binary"
	"math"
	"math/big"
	"net/netip"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/ze-bgp/ze/speaker/wire"
)

// appendAddr appends an address the way ExaBGP prints one: IPv4 dotted,
// IPv6 as glibc's inet_ntop does (RFC 5952 compression of the first
// longest run of two or more zero groups, and the deprecated
// "::a.b.c.d" / "::ffff:a.b.c.d" forms for IPv4-compatible and
// IPv4-mapped addresses). An invalid Addr appends nothing.
func appendAddr(dst []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return dst
	}
	if a.Is4() {
		return a.AppendTo(dst)
	}
	b := a.As16()
	var w [8]uint16
	for i := range w {
		w[i] = binary.BigEndian.Uint16(b[2*i:])
	}
	best, bestLen, cur, curLen := -1, 0, -1, 0
	for i, v := range w {
		if v == 0 {
			if cur < 0 {
				cur, curLen = i, 0
			}
			curLen++
			if curLen > bestLen {
				best, bestLen = cur, curLen
			}
		} else {
			cur = -1
		}
	}
	if bestLen < 2 {
		best = -1
	}
	for i := 0; i < 8; i++ {
		if i == best {
			dst = append(dst, ':')
			if i+bestLen == 8 {
				dst = append(dst, ':')
			}
			i += bestLen - 1
			continue
		}
		if i != 0 {
			dst = append(dst, ':')
		}
		// glibc: an embedded IPv4 address after ::, or after ::ffff:.
		if i == 6 && best == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xFFFF)) {
			return netip.AddrFrom4([4]byte(b[12:16])).AppendTo(dst)
		}
		dst = strconv.AppendUint(dst, uint64(w[i]), 16)
	}
	return dst
}

// appendIP appends a 4- or 16-octet address; other lengths are an error.
func appendIP(dst []byte, b []byte) ([]byte, bool) {
	switch len(b) {
	case 4:
		return netip.AddrFrom4([4]byte(b)).AppendTo(dst), true
	case 16:
		return appendAddr(dst, netip.AddrFrom16([16]byte(b))), true
	}
	return dst, false
}

// appendPyFloat appends f as Python's repr() prints a float: the shortest
// decimal that reads back as f, with ".0" for integral values.
func appendPyFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	exp := 0
	if f != 0 {
		exp = int(math.Floor(math.Log10(math.Abs(f))))
	}
	if exp < -4 || exp >= 16 {
		// Python switches to scientific notation: 1e+16, 1.5e-05.
		s := strconv.FormatFloat(f, 'e', -1, 64)
		mant, e, _ := cut(s, 'e')
		dst = append(dst, mant...)
		dst = append(dst, 'e')
		if e[0] == '-' || e[0] == '+' {
			dst = append(dst, e[0])
			e = e[1:]
		}
		for len(e) > 2 && e[0] == '0' {
			e = e[1:]
		}
		return append(dst, e...)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
	for _, c := range dst[start:] {
		if c == '.' {
			return dst
		}
	}
	return append(dst, ".0"...)
}

func cut(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// appendTime appends a time as the float of seconds ExaBGP prints; the
// zero time prints 0.0.
func appendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, "0.0"...)
	}
	return appendPyFloat(dst, float64(t.Unix())+float64(t.Nanosecond())/1e9)
}

// appendFloatInt appends Python's "%d" % f: f truncated toward zero,
// every digit written. ok is false for NaN and infinities (Python raises).
func appendFloatInt(dst []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, false
	}
	if math.Abs(f) < 1<<62 {
		return strconv.AppendInt(dst, int64(f), 10), true
	}
	i, _ := new(big.Float).SetFloat64(f).Int(nil)
	return i.Append(dst, 10), true
}

const hexUpper = "0123456789ABCDEF"
const hexLower = "0123456789abcdef"

func appendHex(dst []byte, b []byte, digits string) []byte {
	for _, c := range b {
		dst = append(dst, digits[c>>4], digits[c&0xF])
	}
	return dst
}

// appendString appends s as the body of a JSON string (no quotes).
// ExaBGP writes strings raw; the escaping here only matters for text
// ExaBGP would have turned into invalid JSON (quotes, backslashes,
// control characters, invalid UTF-8).
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexLower[c>>4], hexLower[c&0xF])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// afiName is ExaBGP's name of an AFI.
func afiName(v Version, a wire.AFI) string {
	switch a {
	case 0:
		return "undefined"
	case wire.AFIIPv4:
		return "ipv4"
	case wire.AFIIPv6:
		return "ipv6"
	case wire.AFIL2VPN:
		return "l2vpn"
	case wire.AFIBGPLS:
		return "bgp-ls"
	}
	if v == V4 {
		// ExaBGP 4.2 prefixes Python's hex() with a second "0x".
		return "unknown-afi-0x0x" + strconv.FormatUint(uint64(a), 16)
	}
	return "unknown-afi-0x" + strconv.FormatUint(uint64(a), 16)
}

// safiName is ExaBGP's name of a SAFI; 4.2 does not know mcast-vpn and
// mup.
func safiName(v Version, s wire.SAFI) string {
	switch s {
	case wire.SAFIUnicast:
		return "unicast"
	case wire.SAFIMulticast:
		return "multicast"
	case wire.SAFILabeled:
		return "nlri-mpls"
	case wire.SAFIVPLS:
		return "vpls"
	case wire.SAFIEVPN:
		return "evpn"
	case wire.SAFIBGPLS:
		return "bgp-ls"
	case wire.SAFIBGPLSVPN:
		return "bgp-ls-vpn"
	case wire.SAFIVPN:
		return "mpls-vpn"
	case wire.SAFIRTC:
		return "rtc"
	case wire.SAFIFlow:
		return "flow"
	case wire.SAFIFlowVPN:
		return "flow-vpn"
	}
	if v != V4 {
		switch s {
		case 0:
			return "undefined"
		case wire.SAFIMVPN:
			return "mcast-vpn"
		case wire.SAFIMUP:
			return "mup"
		}
	}
	return "unknown safi " + strconv.Itoa(int(s))
}

// appendFamily appends "afi safi" (announce/withdraw keys) or, with sep
// '/', "afi/safi" (capabilities).
func appendFamily(dst []byte, v Version, f wire.Family, sep byte) []byte {
	dst = append(dst, afiName(v, f.AFI)...)
	dst = append(dst, sep)
	return append(dst, safiName(v, f.SAFI)...)
}
