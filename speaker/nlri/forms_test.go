package nlri_test

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"

	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// pads are the octets put before an NLRI for NewIteratorFrom and
// CutIPv4/CutIPv6: none (every entry near the start is read octet by
// octet), fewer than a word load needs, and enough for every entry.
var pads = [][]byte{nil, {0xEE, 0xEE, 0xEE}, bytes.Repeat([]byte{0xEE}, 16)}

// walkForms checks that every form of the walk over the NLRI b reads
// want (the iterator's entries) and stops with the iterator's error
// werr: NewIteratorFrom after each pad, with Addr, Addr4 and Addr6
// agreeing with Prefix, and, without ADD-PATH, CutIPv4 or CutIPv6 with
// CutError.
func walkForms(t *testing.T, b []byte, f wire.Family, addPath bool, want []entry, werr error) {
	t.Helper()
	v6 := f.AFI == wire.AFIIPv6
	for _, pad := range pads {
		all := append(slices.Clone(pad), b...)
		it := nlri.NewIteratorFrom(all, len(pad), f, addPath)
		if len(it.Raw()) != 0 || len(it.Bytes()) != 0 {
			t.Fatalf("pad %d: Raw/Bytes before the first entry: % X / % X", len(pad), it.Raw(), it.Bytes())
		}
		var got []entry
		for it.Next() {
			p := it.Prefix()
			got = append(got, entry{it.PathID(), p.String(), len(it.Raw())})
			hi, lo := it.Addr6()
			if it.Addr() != p.Addr() || netip.AddrFrom16(addr16(hi, lo)).Unmap() != p.Addr().Unmap() {
				t.Fatalf("pad %d: Addr %v, Addr6 %x %x; Prefix %v", len(pad), it.Addr(), hi, lo, p)
			}
			if a4 := it.Addr4(); v6 && a4 != 0 || !v6 && netip.AddrFrom4(addr4(a4)) != p.Addr() {
				t.Fatalf("pad %d: Addr4 %#x; Prefix %v", len(pad), a4, p)
			}
		}
		if !slices.Equal(got, want) || !sameErr(it.Err(), werr) {
			t.Fatalf("pad %d: NewIteratorFrom read %v, %v; want %v, %v", len(pad), got, it.Err(), want, werr)
		}
		if addPath {
			continue
		}
		got = nil
		var err error
		for off := len(pad); off < len(all); {
			var p netip.Prefix
			var next int
			var ok bool
			if v6 {
				var hi, lo uint64
				var bits int
				hi, lo, bits, next, ok = nlri.CutIPv6(all, off)
				p = netip.PrefixFrom(netip.AddrFrom16(addr16(hi, lo)), bits)
			} else {
				var a uint32
				var bits int
				a, bits, next, ok = nlri.CutIPv4(all, off)
				p = netip.PrefixFrom(netip.AddrFrom4(addr4(a)), bits)
			}
			if !ok {
				if next != off {
					t.Fatalf("pad %d: Cut failed at %d but moved to %d", len(pad), off, next)
				}
				if err = nlri.CutError(all, off, f); err == nil {
					t.Fatalf("pad %d: Cut failed at %d, CutError is nil", len(pad), off)
				}
				break
			}
			got = append(got, entry{0, p.String(), next - off})
			off = next
		}
		if !slices.Equal(got, want) || !sameErr(err, werr) {
			t.Fatalf("pad %d: Cut read %v, %v; want %v, %v", len(pad), got, err, want, werr)
		}
	}
}

func addr4(a uint32) [4]byte { return [4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)} }

func addr16(hi, lo uint64) [16]byte {
	var b [16]byte
	for i := range 8 {
		b[i], b[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
	}
	return b
}

// sameErr reports whether a and b are both nil or both errors with the
// same text.
func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Error() == b.Error()
}

func TestNewIteratorFromStart(t *testing.T) {
	b := []byte{
		0x18, 0xC0, 0x00, 0x02, // /24: 192.0.2.0 — before start, not NLRI
		0x08, 0x0A, // /8: 10.0.0.0
	}
	tests := []struct {
		start int
		want  []string
	}{
		{0, []string{"192.0.2.0/24", "10.0.0.0/8"}},
		{4, []string{"10.0.0.0/8"}},
		{6, nil},  // empty NLRI
		{7, nil},  // past the end: nothing
		{-1, nil}, // before the start: nothing
	}
	for _, tt := range tests {
		var got []string
		it := nlri.NewIteratorFrom(b, tt.start, wire.IPv4Unicast, false)
		for it.Next() {
			got = append(got, it.Prefix().String())
		}
		if it.Err() != nil || !slices.Equal(got, tt.want) {
			t.Errorf("start %d: %v, %v; want %v", tt.start, got, it.Err(), tt.want)
		}
	}
}

func TestCutEnd(t *testing.T) {
	b := []byte{0x08, 0x0A} // /8: 10.0.0.0
	if _, _, next, ok := nlri.CutIPv4(b, 2); ok || next != 2 {
		t.Errorf("CutIPv4 at the end: %d %v", next, ok)
	}
	if _, _, _, next, ok := nlri.CutIPv6(b, 5); ok || next != 5 {
		t.Errorf("CutIPv6 past the end: %d %v", next, ok)
	}
	if err := nlri.CutError(b, 2, wire.IPv4Unicast); err != nil {
		t.Errorf("CutError at the end = %v", err)
	}
	if err := nlri.CutError(b, 0, wire.IPv4Unicast); err != nil {
		t.Errorf("CutError on a well-formed entry = %v", err)
	}
}
