package nlri_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// FuzzNLRI protects the prefix iterator that runs on every withdrawn
// routes, NLRI and MP_(UN)REACH_NLRI field a peer sends: it never
// panics and never reads past its input (the input's capacity is cut to
// its length, so any over-read would panic); the entries it yields tile
// the input from the start, each within the family's maximum length; it
// stops only at the end or with an Invalid Network Field error; and
// AppendPrefix re-encodes what it accepted into input that yields the
// same (masked) prefixes and path ids — byte for byte the same input when
// no host bits were set. The other forms of the walk (NewIteratorFrom
// after a few octets, CutIPv4/CutIPv6, the Addr accessors) read the
// same entries and stop with the same error.
func FuzzNLRI(f *testing.F) {
	f.Add([]byte{0x00, 0x01, 0x80, 0x09, 0x0A, 0x80, 0x18, 0xC0, 0x00, 0x02, 0x20, 0xC6, 0x33, 0x64, 0x01}, false, false)
	f.Add([]byte{0x80, 0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}, true, false)
	f.Add([]byte{0x00, 0x00, 0x00, 0x01, 0x08, 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x00}, false, true)
	f.Add([]byte{0x00, 0x00, 0x01, 0x00, 0x30, 0x20, 0x01, 0x0D, 0xB8, 0x00, 0x01}, true, true)
	f.Add([]byte{0x09, 0x0A, 0xFF, 0x21, 0x00}, false, false)
	f.Add([]byte{0x00, 0x00, 0x00}, true, true)
	f.Fuzz(func(t *testing.T, b []byte, v6, addPath bool) {
		fam, max := wire.IPv4Unicast, 32
		if v6 {
			fam, max = wire.IPv6Unicast, 128
		}
		b = b[:len(b):len(b)]
		// NewIteratorFrom, CutIPv4/CutIPv6 and Addr/Addr4/Addr6 read what
		// the Iterator reads.
		{
			var want []entry
			it := nlri.NewIterator(b, fam, addPath)
			for it.Next() {
				want = append(want, entry{it.PathID(), it.Prefix().String(), len(it.Raw())})
			}
			walkForms(t, b, fam, addPath, want, it.Err())
		}
		// Count (a tight loop on well-formed fields) agrees with the
		// Iterator on the number of entries and on the error.
		{
			it := nlri.NewIterator(b, fam, addPath)
			n := 0
			for it.Next() {
				n++
			}
			cn, cerr := nlri.Count(b, fam, addPath)
			if (cerr == nil) != (it.Err() == nil) || (cerr == nil && cn != n) {
				t.Fatalf("Count = %d, %v; Iterator walked %d, %v", cn, cerr, n, it.Err())
			}
		}
		type got struct {
			id     uint32
			prefix string
		}
		var entries []got
		masked := true
		off := 0
		it := nlri.NewIterator(b, fam, addPath)
		for it.Next() {
			raw := it.Raw()
			if len(raw) == 0 || !bytes.Equal(raw, b[off:off+len(raw)]) || &raw[0] != &b[off] {
				t.Fatalf("entry at %d is not the next slice of the input", off)
			}
			off += len(raw)
			bits := it.Bits()
			if bits > max {
				t.Fatalf("accepted /%d for %v", bits, fam)
			}
			if len(it.Bytes()) != (bits+7)/8 {
				t.Fatalf("/%d with %d octets", bits, len(it.Bytes()))
			}
			hdr := 1
			if addPath {
				hdr = 5
			}
			if len(raw) != hdr+len(it.Bytes()) {
				t.Fatalf("raw %d octets, prefix %d", len(raw), len(it.Bytes()))
			}
			if !addPath && it.PathID() != 0 {
				t.Fatalf("path id %d without ADD-PATH", it.PathID())
			}
			p := it.Prefix()
			if !p.IsValid() || p.Bits() != bits || p.Addr().Is6() != v6 {
				t.Fatalf("Prefix() = %v for /%d", p, bits)
			}
			if p != p.Masked() {
				masked = false
			}
			entries = append(entries, got{it.PathID(), p.Masked().String()})
		}
		n, cerr := nlri.Count(b, fam, addPath)
		if n != len(entries) || (cerr == nil) != (it.Err() == nil) {
			t.Fatalf("Count = %d, %v; iterator %d, %v", n, cerr, len(entries), it.Err())
		}
		if err := it.Err(); err != nil {
			var e *wire.Error
			if !errors.As(err, &e) || e.Code != wire.CodeUpdate || e.Subcode != wire.SubInvalidNetworkField {
				t.Fatalf("Err = %v", err)
			}
			if off >= len(b) {
				t.Fatal("error after consuming all input")
			}
			return
		}
		if off != len(b) {
			t.Fatalf("stopped at %d of %d without an error", off, len(b))
		}

		// Round trip through AppendPrefix.
		var out []byte
		it = nlri.NewIterator(b, fam, addPath)
		for it.Next() {
			out = nlri.AppendPrefix(out, it.Prefix(), it.PathID(), addPath)
		}
		if masked && !bytes.Equal(out, b) {
			t.Fatalf("re-encoded % X, want % X", out, b)
		}
		i := 0
		it = nlri.NewIterator(out, fam, addPath)
		for it.Next() {
			if i >= len(entries) || (got{it.PathID(), it.Prefix().String()}) != entries[i] {
				t.Fatalf("re-encoded entry %d = %d %v", i, it.PathID(), it.Prefix())
			}
			i++
		}
		if it.Err() != nil || i != len(entries) {
			t.Fatalf("re-encoded: %d entries, %v; want %d", i, it.Err(), len(entries))
		}
	})
}
