package capability

import (
	"bytes"
	"slices"
	"testing"
)

// FuzzIterator protects the capability list walker, Set.Add and Describe
// against any input: no panic, no endless loop, every capability's Raw
// lies inside the list and the capabilities tile the consumed prefix.
func FuzzIterator(f *testing.F) {
	f.Add(birdCaps)
	f.Add([]byte{0x41, 0x04, 0x00})
	f.Add([]byte{0x45, 0x04, 0x00, 0x01, 0x01, 0x07, 0x09, 0x01, 0x00, 0x09, 0x01, 0x03})
	f.Fuzz(func(t *testing.T, b []byte) {
		it := NewIterator(b)
		var s Set
		var tiled []byte
		for it.Next() {
			tiled = append(tiled, it.Raw()...)
			_ = s.Add(it.Code(), it.Value())
			_ = Describe(it.Code(), it.Value())
		}
		if !bytes.Equal(tiled, b[:len(tiled)]) {
			t.Fatal("capabilities do not tile the list")
		}
		if it.Err() == nil && len(tiled) != len(b) {
			t.Fatal("no error but the list was not consumed")
		}
		_, _ = ParseSet(b)
		Negotiate(s, s)
	})
}

// FuzzRoundTrip protects every typed capability codec: a value that a
// ParseX accepts must re-encode with AppendX to the same bytes (the
// Multiprotocol reserved octet excepted), and parsing never panics.
func FuzzRoundTrip(f *testing.F) {
	for it := NewIterator(birdCaps); it.Next(); {
		f.Add(byte(it.Code()), it.Value())
	}
	f.Add(byte(CodeExtendedNextHop), []byte{0x00, 0x01, 0x00, 0x01, 0x00, 0x02})
	f.Add(byte(CodeSoftwareVersion), append([]byte{0x1F}, "ExaBGP/main-c2a2ea8ebd-20240715"...))
	f.Fuzz(func(t *testing.T, code byte, v []byte) {
		if len(v) > MaxValueLen {
			v = v[:MaxValueLen]
		}
		c := Code(code)
		var enc []byte
		switch c {
		case CodeMultiprotocol:
			fam, err := ParseMultiprotocol(v)
			if err != nil {
				return
			}
			enc = AppendMultiprotocol(nil, fam)
			v = slices.Clone(v)
			v[2] = 0
		case CodeASN4:
			asn, err := ParseASN4(v)
			if err != nil {
				return
			}
			enc = AppendASN4(nil, asn)
		case CodeRole:
			r, err := ParseRole(v)
			if err != nil {
				return
			}
			enc = AppendRole(nil, r)
		case CodeFQDN:
			h, d, err := ParseFQDN(v)
			if err != nil {
				return
			}
			enc = AppendFQDN(nil, h, d)
		case CodeSoftwareVersion:
			s, err := ParseSoftwareVersion(v)
			if err != nil {
				return
			}
			enc = AppendSoftwareVersion(nil, s)
		case CodeAddPath:
			a, err := ParseAddPath(v)
			if err != nil {
				return
			}
			enc = AppendAddPath(nil, slices.Collect(a.All())...)
		case CodeExtendedNextHop:
			x, err := ParseExtendedNextHop(v)
			if err != nil {
				return
			}
			enc = AppendExtendedNextHop(nil, slices.Collect(x.All())...)
		case CodeGracefulRestart:
			g, err := ParseGracefulRestart(v)
			if err != nil {
				return
			}
			enc = AppendGracefulRestart(nil, g.Flags(), g.Time(), slices.Collect(g.All())...)
		case CodeLLGR:
			l, err := ParseLLGR(v)
			if err != nil {
				return
			}
			enc = AppendLLGR(nil, slices.Collect(l.All())...)
		default:
			if ParseEmpty(c, v) != nil {
				enc = Append(nil, c, v)
			} else {
				enc = AppendEmpty(nil, c)
			}
		}
		want := append([]byte{byte(c), byte(len(v))}, v...)
		if !bytes.Equal(enc, want) {
			t.Fatalf("%s: value % X re-encoded as % X", c, v, enc)
		}
	})
}
