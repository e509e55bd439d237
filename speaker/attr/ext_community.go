package attr

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// ExtCommunity is one extended community (RFC 4360 §2), 8 octets:
//
//	+----------+----------+------------------------------------+
//	| Type (1) | Subtype  | Value (6 octets)                   |
//	|          | (1)      |                                    |
//	+----------+----------+------------------------------------+
//
// Bit 0x40 of Type set means non-transitive (RFC 4360 §2). Every type
// this package knows has a subtype octet (RFC 7153 §2.1).
type ExtCommunity [8]byte

// Type returns the type octet (high-order octet).
func (e ExtCommunity) Type() uint8 { return e[0] }

// Subtype returns the subtype octet.
func (e ExtCommunity) Subtype() uint8 { return e[1] }

// IsTransitive reports whether the Transitive bit is set, i.e. bit 0x40 of
// the type octet is clear (RFC 4360 §2).
func (e ExtCommunity) IsTransitive() bool { return e[0]&0x40 == 0 }

// ExtCommunities is an EXTENDED_COMMUNITIES value viewed as a list; it
// aliases the message.
type ExtCommunities []byte

// ParseExtCommunities checks an EXTENDED_COMMUNITIES value: a non-zero
// multiple of 8 octets. RFC 7606 §7.14: otherwise treat-as-withdraw.
func ParseExtCommunities(v []byte) (ExtCommunities, error) {
	if len(v)%8 != 0 || len(v) == 0 {
		return nil, withdrawLengthError(CodeExtCommunities, len(v))
	}
	return ExtCommunities(v), nil
}

// Len returns the number of extended communities.
func (c ExtCommunities) Len() int { return len(c) / 8 }

// At returns extended community i.
func (c ExtCommunities) At(i int) ExtCommunity { return ExtCommunity(c[i*8 : i*8+8]) }

// AppendExtCommunities appends a whole EXTENDED_COMMUNITIES attribute
// (optional transitive, RFC 4360 §2).
func AppendExtCommunities(dst []byte, cs []ExtCommunity) []byte {
	dst = AppendHeader(dst, FlagOptional|FlagTransitive, CodeExtCommunities, 8*len(cs))
	for _, c := range cs {
		dst = append(dst, c[:]...)
	}
	return dst
}

// extKind says how the 6-octet value of a known extended community is
// shown.
type extKind uint8

const (
	extAS2Num    extKind = iota // 2-octet ASN : 4-octet number (RFC 4360 §3.1)
	extIPNum                    // IPv4 address : 2-octet number (RFC 4360 §3.2)
	extAS4Num                   // 4-octet ASN : 2-octet number (RFC 5668 §2)
	extRate                     // 2-octet ASN, IEEE float bytes/s (RFC 8955 §7.3)
	extRatePkts                 // 2-octet ASN, IEEE float packets/s (RFC 8955 §7.3)
	extAction                   // traffic-action flags (RFC 8955 §7.4)
	extMark                     // DSCP in the last octet (RFC 8955 §7.6)
	extL2Info                   // encaps type, control flags, MTU (RFC 4761 §3.2.4)
	extEncap                    // 2-octet tunnel type in the last octets (RFC 9012 §4.1)
	extColor                    // flags (2), color (4) (RFC 9012 §4.3)
	extMACMob                   // flags, reserved, sequence (RFC 7432 §7.7)
	extESILabel                 // flags, reserved (2), label (3) (RFC 7432 §7.5)
	extMAC                      // 6-octet MAC address (RFC 9135 §8.1, RFC 7432 §7.6)
	extBandwidth                // 2-octet ASN, IEEE float bytes/s (draft-ietf-idr-link-bandwidth)
)

type extName struct {
	name string
	kind extKind
}

// extNames maps (type, subtype) to the ExaBGP-style name and layout. Both
// the transitive and non-transitive forms of route target and origin
// print the same way.
var extNames = map[[2]byte]extName{
	{0x00, 0x02}: {"target", extAS2Num}, {0x40, 0x02}: {"target", extAS2Num},
	{0x01, 0x02}: {"target", extIPNum}, {0x41, 0x02}: {"target", extIPNum},
	{0x02, 0x02}: {"target", extAS4Num}, {0x42, 0x02}: {"target", extAS4Num},
	{0x00, 0x03}: {"origin", extAS2Num}, {0x40, 0x03}: {"origin", extAS2Num},
	{0x01, 0x03}: {"origin", extIPNum}, {0x41, 0x03}: {"origin", extIPNum},
	{0x02, 0x03}: {"origin", extAS4Num}, {0x42, 0x03}: {"origin", extAS4Num},
	{0x40, 0x04}: {"bandwidth", extBandwidth},
	{0x80, 0x06}: {"rate-limit", extRate},
	{0x80, 0x0C}: {"rate-limit", extRatePkts},
	{0x80, 0x07}: {"action", extAction},
	{0x80, 0x08}: {"redirect", extAS2Num},
	{0x81, 0x08}: {"redirect", extIPNum},
	{0x82, 0x08}: {"redirect", extAS4Num},
	{0x80, 0x09}: {"mark", extMark},
	{0x80, 0x0A}: {"l2info", extL2Info},
	{0x03, 0x0B}: {"color", extColor},
	{0x03, 0x0C}: {"encap", extEncap},
	{0x06, 0x00}: {"mac-mobility", extMACMob},
	{0x06, 0x01}: {"esi-label", extESILabel},
	{0x06, 0x03}: {"router-mac", extMAC},
}

// String returns an ExaBGP-like text form: "target:65000:1",
// "target:1.2.3.4:5", "target:4200000000:1" (a 4-octet-AS community whose
// ASN fits 16 bits gets an "L" suffix, "target:65000L:1", so the text
// maps back to the same bytes), "origin:…", "redirect:ASN:N",
// "rate-limit:N" (bytes/s, rounded down), "rate-limit:N:packets",
// "action sample-terminal", "mark N", "l2info:ENCAPS:FLAGS:MTU",
// "color:N", "encap:N", "mac-mobility:SEQ[:sticky]",
// "esi-label:LABEL[:single-active]", "router-mac:aa:bb:cc:dd:ee:ff",
// "bandwidth:ASN:BYTES_PER_S"; anything else "0x" and 16 upper-case hex
// digits.
func (e ExtCommunity) String() string {
	n, ok := extNames[[2]byte{e[0], e[1]}]
	if !ok {
		return e.hex()
	}
	v := e[2:]
	as2 := uint64(binary.BigEndian.Uint16(v))
	switch n.kind {
	case extAS2Num:
		return n.name + ":" + itoa(as2) + ":" + itoa(uint64(binary.BigEndian.Uint32(v[2:])))
	case extIPNum:
		return n.name + ":" + netip.AddrFrom4([4]byte(v[:4])).String() + ":" + itoa(uint64(binary.BigEndian.Uint16(v[4:])))
	case extAS4Num:
		asn := binary.BigEndian.Uint32(v)
		s := n.name + ":" + itoa(uint64(asn))
		if asn <= 0xFFFF {
			s += "L"
		}
		return s + ":" + itoa(uint64(binary.BigEndian.Uint16(v[4:])))
	case extRate:
		return n.name + ":" + floatInt(binary.BigEndian.Uint32(v[2:]))
	case extRatePkts:
		return n.name + ":" + floatInt(binary.BigEndian.Uint32(v[2:])) + ":packets"
	case extAction:
		var parts []string
		if v[5]&0x02 != 0 {
			parts = append(parts, "sample")
		}
		if v[5]&0x01 != 0 {
			parts = append(parts, "terminal")
		}
		if len(parts) == 0 {
			return n.name + " none"
		}
		return n.name + " " + strings.Join(parts, "-")
	case extMark:
		return n.name + " " + itoa(uint64(v[5]&0x3F))
	case extL2Info:
		return n.name + ":" + itoa(uint64(v[0])) + ":" + itoa(uint64(v[1])) + ":" + itoa(uint64(binary.BigEndian.Uint16(v[2:])))
	case extColor:
		return n.name + ":" + itoa(uint64(binary.BigEndian.Uint32(v[2:])))
	case extEncap:
		return n.name + ":" + itoa(uint64(binary.BigEndian.Uint16(v[4:])))
	case extMACMob:
		s := n.name + ":" + itoa(uint64(binary.BigEndian.Uint32(v[2:])))
		if v[0]&0x01 != 0 {
			s += ":sticky"
		}
		return s
	case extESILabel:
		s := n.name + ":" + itoa(uint64(v[3])<<12|uint64(v[4])<<4|uint64(v[5])>>4)
		if v[0]&0x01 != 0 {
			s += ":single-active"
		}
		return s
	case extMAC:
		return n.name + ":" + macString(v)
	case extBandwidth:
		f := math.Float32frombits(binary.BigEndian.Uint32(v[2:]))
		return n.name + ":" + itoa(as2) + ":" + strconv.FormatFloat(float64(f), 'f', -1, 32)
	}
	return e.hex()
}

func (e ExtCommunity) hex() string {
	return "0x" + strings.ToUpper(hex.EncodeToString(e[:]))
}

// floatInt shows an IEEE 754 single as an integer, rounded down; NaN,
// negatives and infinities show as 0 or the largest uint64.
func floatInt(bits uint32) string {
	f := math.Float32frombits(bits)
	switch {
	case f != f || f <= 0:
		return "0"
	case float64(f) >= math.MaxUint64:
		return itoa(math.MaxUint64)
	}
	return itoa(uint64(f))
}

func macString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 17)
	for i, c := range b[:6] {
		if i > 0 {
			out = append(out, ':')
		}
		out = append(out, digits[c>>4], digits[c&0xF])
	}
	return string(out)
}

// ParseExtCommunity parses the text forms String produces for route
// target/origin ("target:65000:1", "target:1.2.3.4:5",
// "target:4200000000:1", "target:65000L:1" for a 4-octet-AS community
// with a small ASN), "redirect:ASN:N", "redirect:IP:N",
// "rate-limit:BYTES_PER_S", "rate-limit:N:packets", "mark N", "color:N",
// "encap:N", "router-mac:MAC", "bandwidth:ASN:BYTES_PER_S", and a raw
// "0x" + 16 hex digits. An ASN above 65535 selects the 4-octet-AS type,
// whose local part must then fit 16 bits.
func ParseExtCommunity(s string) (ExtCommunity, error) {
	var e ExtCommunity
	s = strings.TrimSpace(s)
	if h, ok := strings.CutPrefix(strings.ToLower(s), "0x"); ok {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != 8 {
			return e, fmt.Errorf("attr: extended community %q is not 16 hex digits", s)
		}
		return ExtCommunity(b), nil
	}
	name, rest, ok := strings.Cut(s, ":")
	if !ok {
		name, rest, ok = strings.Cut(s, " ")
	}
	if !ok {
		return e, fmt.Errorf("attr: extended community %q has no value", s)
	}
	bad := func() (ExtCommunity, error) {
		return ExtCommunity{}, fmt.Errorf("attr: invalid extended community %q", s)
	}
	switch strings.ToLower(name) {
	case "target", "origin", "redirect":
		sub := byte(0x02)
		base := byte(0x00)
		switch strings.ToLower(name) {
		case "origin":
			sub = 0x03
		case "redirect":
			sub, base = 0x08, 0x80
		}
		i := strings.LastIndexByte(rest, ':')
		if i < 0 {
			return bad()
		}
		global, local := rest[:i], rest[i+1:]
		if ip, err := netip.ParseAddr(global); err == nil && ip.Is4() {
			n, err := strconv.ParseUint(local, 10, 16)
			if err != nil {
				return bad()
			}
			e[0], e[1] = base|0x01, sub
			a := ip.As4()
			copy(e[2:6], a[:])
			binary.BigEndian.PutUint16(e[6:], uint16(n))
			return e, nil
		}
		long := false
		if g, ok := strings.CutSuffix(global, "L"); ok {
			global, long = g, true
		}
		asn, err := strconv.ParseUint(global, 10, 32)
		if err != nil {
			return bad()
		}
		if long || asn > 0xFFFF {
			n, err := strconv.ParseUint(local, 10, 16)
			if err != nil {
				return bad()
			}
			e[0], e[1] = base|0x02, sub
			binary.BigEndian.PutUint32(e[2:], uint32(asn))
			binary.BigEndian.PutUint16(e[6:], uint16(n))
			return e, nil
		}
		n, err := strconv.ParseUint(local, 10, 32)
		if err != nil {
			return bad()
		}
		e[0], e[1] = base, sub
		binary.BigEndian.PutUint16(e[2:], uint16(asn))
		binary.BigEndian.PutUint32(e[4:], uint32(n))
		return e, nil
	case "rate-limit":
		num, unit, _ := strings.Cut(rest, ":")
		f, err := strconv.ParseFloat(num, 32)
		if err != nil || f < 0 {
			return bad()
		}
		e[0], e[1] = 0x80, 0x06
		switch unit {
		case "":
		case "packets":
			e[1] = 0x0C
		default:
			return bad()
		}
		binary.BigEndian.PutUint32(e[4:], math.Float32bits(float32(f)))
		return e, nil
	case "bandwidth":
		as, num, ok := strings.Cut(rest, ":")
		asn, err1 := strconv.ParseUint(as, 10, 16)
		f, err2 := strconv.ParseFloat(num, 32)
		if !ok || err1 != nil || err2 != nil || f < 0 {
			return bad()
		}
		e[0], e[1] = 0x40, 0x04
		binary.BigEndian.PutUint16(e[2:], uint16(asn))
		binary.BigEndian.PutUint32(e[4:], math.Float32bits(float32(f)))
		return e, nil
	case "mark":
		n, err := strconv.ParseUint(strings.TrimSpace(rest), 10, 8)
		if err != nil || n > 63 {
			return bad()
		}
		e[0], e[1], e[7] = 0x80, 0x09, byte(n)
		return e, nil
	case "color":
		n, err := strconv.ParseUint(rest, 10, 32)
		if err != nil {
			return bad()
		}
		e[0], e[1] = 0x03, 0x0B
		binary.BigEndian.PutUint32(e[4:], uint32(n))
		return e, nil
	case "encap":
		n, err := strconv.ParseUint(rest, 10, 16)
		if err != nil {
			return bad()
		}
		e[0], e[1] = 0x03, 0x0C
		binary.BigEndian.PutUint16(e[6:], uint16(n))
		return e, nil
	case "router-mac":
		parts := strings.Split(rest, ":")
		if len(parts) != 6 {
			return bad()
		}
		e[0], e[1] = 0x06, 0x03
		for i, p := range parts {
			n, err := strconv.ParseUint(p, 16, 8)
			if err != nil || len(p) != 2 {
				return bad()
			}
			e[2+i] = byte(n)
		}
		return e, nil
	}
	return bad()
}
