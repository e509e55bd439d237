package bgpdump

import (
	"strconv"
	"time"
)

// appendIPv4 appends the dotted quad of the first four octets of a.
func appendIPv4(dst []byte, a []byte) []byte {
	for i := range 4 {
		if i > 0 {
			dst = append(dst, '.')
		}
		dst = appendUint8(dst, a[i])
	}
	return dst
}

func appendUint8(dst []byte, v byte) []byte {
	switch {
	case v >= 100:
		return append(dst, '0'+v/100, '0'+v/10%10, '0'+v%10)
	case v >= 10:
		return append(dst, '0'+v/10, '0'+v%10)
	}
	return append(dst, '0'+v)
}

const hexDigits = "0123456789abcdef"

// appendIPv6 appends a (16 octets) as bgpdump writes IPv6 addresses,
// which differs from RFC 5952 in two ways: IPv4-mapped (::ffff:a.b.c.d)
// and IPv4-compatible (::a.b.c.d, the last 32 bits above 1) addresses
// keep the dotted quad, and the longest run of zero groups is shortened
// to "::" even when it is a single group (the first such run on a tie).
func appendIPv6(dst []byte, a []byte) []byte {
	zero96 := true
	for _, c := range a[:10] {
		if c != 0 {
			zero96 = false
			break
		}
	}
	if zero96 {
		mapped := a[10] == 0xFF && a[11] == 0xFF
		last := uint32(a[12])<<24 | uint32(a[13])<<16 | uint32(a[14])<<8 | uint32(a[15])
		if mapped || (a[10] == 0 && a[11] == 0 && last > 1) {
			dst = append(dst, ':', ':')
			if mapped {
				dst = append(dst, "ffff:"...)
			}
			return appendIPv4(dst, a[12:16])
		}
	}
	// The longest run of zero groups, the first one on a tie.
	best, bestLen, run := -1, 0, 0
	for i := 7; i >= 0; i-- {
		if a[2*i] == 0 && a[2*i+1] == 0 {
			run++
		} else {
			run = 0
		}
		if run >= bestLen && run > 0 {
			best, bestLen = i, run
		}
	}
	for i := 0; i < 8; i++ {
		if i == best {
			if i == 0 {
				dst = append(dst, ':')
			}
			dst = append(dst, ':')
			i += bestLen - 1
			continue
		}
		g := uint16(a[2*i])<<8 | uint16(a[2*i+1])
		switch {
		case g >= 0x1000:
			dst = append(dst, hexDigits[g>>12], hexDigits[g>>8&15], hexDigits[g>>4&15], hexDigits[g&15])
		case g >= 0x100:
			dst = append(dst, hexDigits[g>>8], hexDigits[g>>4&15], hexDigits[g&15])
		case g >= 0x10:
			dst = append(dst, hexDigits[g>>4], hexDigits[g&15])
		default:
			dst = append(dst, hexDigits[g])
		}
		if i != 7 {
			dst = append(dst, ':')
		}
	}
	return dst
}

// appendUnix appends seconds as bgpdump -m does ("%lld").
func appendUnix(dst []byte, sec uint32) []byte {
	return strconv.AppendUint(dst, uint64(sec), 10)
}

// appendHuman appends seconds as bgpdump -M does: "MM/DD/YY HH:MM:SS"
// in UTC.
func appendHuman(dst []byte, sec uint32) []byte {
	t := time.Unix(int64(sec), 0).UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = append2(dst, int(mo))
	dst = append(dst, '/')
	dst = append2(dst, d)
	dst = append(dst, '/')
	dst = append2(dst, y%100)
	dst = append(dst, ' ')
	dst = append2(dst, h)
	dst = append(dst, ':')
	dst = append2(dst, mi)
	dst = append(dst, ':')
	return append2(dst, s)
}

func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// appendMicro appends ".%06d".
func appendMicro(dst []byte, us uint32) []byte {
	dst = append(dst, '.')
	for p := uint32(100000); p > 1 && us < p; p /= 10 {
		dst = append(dst, '0')
	}
	return strconv.AppendUint(dst, uint64(us), 10)
}
