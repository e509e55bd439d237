package bench

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

var errRaw = errors.New("bench: raw walk: malformed UPDATE")

// rawPrefixes4 reads the IPv4 prefixes of b (no path identifiers). Like
// nlri.CutIPv4 it loads the 4 octets that end each entry, except for
// an entry that ends in b's first 3 octets.
func rawPrefixes4(b []byte, s *sink) error {
	for i := 0; i < len(b); {
		bits := int(b[i])
		n := (bits + 7) >> 3
		if bits > 32 || i+1+n > len(b) {
			return errRaw
		}
		i += 1 + n
		var a uint32
		if i >= 4 {
			a = binary.BigEndian.Uint32(b[i-4:i]) << (32 - 8*uint(n))
		} else {
			var x [4]byte
			copy(x[:], b[i-n:i])
			a = binary.BigEndian.Uint32(x[:])
		}
		s.Prefixes++
		s.PrefixBits += uint64(bits)
		s.PrefixOctets += 0xFFFF00000000 | uint64(a)
	}
	return nil
}

// rawPrefixes6 reads the IPv6 prefixes of b (no path identifiers),
// copying each into a 16-octet array.
func rawPrefixes6(b []byte, s *sink) error {
	for i := 0; i < len(b); {
		bits := int(b[i])
		n := (bits + 7) >> 3
		if bits > 128 || i+1+n > len(b) {
			return errRaw
		}
		var a [16]byte
		copy(a[:], b[i+1:i+1+n])
		s.Prefixes++
		s.PrefixBits += uint64(bits)
		s.PrefixOctets += binary.BigEndian.Uint64(a[:8]) + binary.BigEndian.Uint64(a[8:])
		i += 1 + n
	}
	return nil
}

// rawNH reads a next hop of 4, 16 or 32 (global + link-local) octets.
func rawNH(nh []byte, s *sink) {
	switch len(nh) {
	case 4:
		s.NextHops++
		s.NextHopOctets += 0xFFFF00000000 | uint64(binary.BigEndian.Uint32(nh))
	case 16, 32:
		s.NextHops++
		s.NextHopOctets += binary.BigEndian.Uint64(nh[:8]) + binary.BigEndian.Uint64(nh[8:16])
		if len(nh) == 32 {
			s.NextHops++
			s.NextHopOctets += binary.BigEndian.Uint64(nh[16:24]) + binary.BigEndian.Uint64(nh[24:32])
		}
	}
}

// rawWalk is zeWalk written on the bytes, with no codec package: the
// same reads and the same checks (lengths, ORIGIN value, AS_PATH segment
// types, prefix lengths), each in its simplest form, for a context
// without ADD-PATH (the capture's; callers check). BenchmarkRawWalk
// measures it beside BenchmarkZeWalk, as the cost of the work without an
// API.
func rawWalk(msg []byte, ctx wire.Context, s *sink) error {
	if len(msg) < 23 {
		return errRaw
	}
	b := msg[19:]
	wl := int(binary.BigEndian.Uint16(b))
	if 4+wl > len(b) {
		return errRaw
	}
	al := int(binary.BigEndian.Uint16(b[2+wl:]))
	if 4+wl+al > len(b) {
		return errRaw
	}
	if err := rawPrefixes4(b[2:2+wl], s); err != nil {
		return err
	}
	if err := rawPrefixes4(b[4+wl+al:], s); err != nil {
		return err
	}
	a := b[4+wl : 4+wl+al]
	for len(a) > 0 {
		if len(a) < 3 {
			return errRaw
		}
		h, l := 3, int(a[2])
		if a[0]&0x10 != 0 {
			if len(a) < 4 {
				return errRaw
			}
			h, l = 4, int(binary.BigEndian.Uint16(a[2:]))
		}
		if h+l > len(a) {
			return errRaw
		}
		c, v := a[1], a[h:h+l]
		a = a[h+l:]
		switch c {
		case 1:
			if len(v) != 1 || v[0] > 2 {
				return errRaw
			}
			s.Origin += uint64(v[0])
		case 2, 17:
			w := 2
			if ctx.ASN4 || c == 17 {
				w = 4
			}
			for len(v) > 0 {
				if len(v) < 2 || v[0] < 1 || v[0] > 4 || v[1] == 0 || 2+int(v[1])*w > len(v) {
					return errRaw
				}
				s.Segments++
				s.SegmentTypes += uint64(v[0])
				n := int(v[1])
				seg := v[2 : 2+n*w]
				v = v[2+n*w:]
				s.ASNs += uint64(n)
				var sum uint64
				if w == 4 {
					for i := 0; i < len(seg)-3; i += 4 {
						sum += uint64(binary.BigEndian.Uint32(seg[i : i+4]))
					}
				} else {
					for i := 0; i < len(seg)-1; i += 2 {
						sum += uint64(binary.BigEndian.Uint16(seg[i : i+2]))
					}
				}
				s.ASNSum += sum
			}
		case 3:
			if len(v) != 4 {
				return errRaw
			}
			rawNH(v, s)
		case 4:
			if len(v) != 4 {
				return errRaw
			}
			s.MED += uint64(binary.BigEndian.Uint32(v))
		case 5:
			if len(v) != 4 {
				return errRaw
			}
			s.LocalPref += uint64(binary.BigEndian.Uint32(v))
		case 8:
			if len(v) == 0 || len(v)%4 != 0 {
				return errRaw
			}
			s.Communities += uint64(len(v) / 4)
			var sum uint64
			for i := 0; i < len(v)-3; i += 4 {
				sum += uint64(binary.BigEndian.Uint32(v[i : i+4]))
			}
			s.CommunitySum += sum
		case 32:
			if len(v) == 0 || len(v)%12 != 0 {
				return errRaw
			}
			s.Large += uint64(len(v) / 12)
			var sum uint64
			for i := 0; i < len(v)-11; i += 12 {
				l := v[i : i+12]
				sum += uint64(binary.BigEndian.Uint32(l[0:4])) + uint64(binary.BigEndian.Uint32(l[4:8])) + uint64(binary.BigEndian.Uint32(l[8:12]))
			}
			s.LargeSum += sum
		case 16:
			if len(v) == 0 || len(v)%8 != 0 {
				return errRaw
			}
			s.Ext += uint64(len(v) / 8)
			for i := 0; i+8 <= len(v); i += 8 {
				e := v[i : i+8]
				s.ExtSum += extValue(e[0], e[1], e[2:])
			}
		case 14:
			if len(v) < 5 || 5+int(v[3]) > len(v) {
				return errRaw
			}
			nhl := int(v[3])
			rawNH(v[4:4+nhl], s)
			if v[1] == 2 {
				if err := rawPrefixes6(v[5+nhl:], s); err != nil {
					return err
				}
			} else if err := rawPrefixes4(v[5+nhl:], s); err != nil {
				return err
			}
		case 15:
			if len(v) < 3 {
				return errRaw
			}
			if v[1] == 2 {
				if err := rawPrefixes6(v[3:], s); err != nil {
					return err
				}
			} else if err := rawPrefixes4(v[3:], s); err != nil {
				return err
			}
		default:
			s.Other++
		}
	}
	return nil
}

// BenchmarkRawWalk is BenchmarkZeWalk with rawWalk: what reading the
// same fields costs with no API.
func BenchmarkRawWalk(b *testing.B) {
	c := loadCorpus(b)
	if len(c.ctx.AddPathFamilies()) != 0 {
		b.Skip("rawWalk reads no path identifiers")
	}
	var s sink
	b.SetBytes(c.bytes)
	b.ReportAllocs()
	var mt meter
	mt.start(b)
	for range b.N {
		for _, m := range c.updates {
			if err := rawWalk(m, c.ctx, &s); err != nil {
				b.Fatal(err)
			}
		}
	}
	mt.stop(b, len(c.updates))
	result = s
}
