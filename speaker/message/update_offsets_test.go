package message_test

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

func TestUpdateOffsets(t *testing.T) {
	tests := []struct {
		name           string
		msg            []byte
		w, a, n        int
		ok             bool
		withdrawnField []byte
	}{
		{"empty", updMsg(
			0x00, 0x17, // length 23
			0x02,       // UPDATE
			0x00, 0x00, // withdrawn routes length 0
			0x00, 0x00, // path attribute length 0
		), 21, 23, 23, true, nil},
		{"all fields", updMsg(
			0x00, 0x24, // length 36
			0x02,       // UPDATE
			0x00, 0x02, // withdrawn routes length 2
			0x08, 0x0A, // 10.0.0.0/8
			0x00, 0x04, // path attribute length 4
			0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
			0x18, 0xC0, 0x00, 0x02, // NLRI 192.0.2.0/24
			0x10, 0xC6, 0x33, // NLRI 198.51.0.0/16
		), 21, 25, 29, true, []byte{0x08, 0x0A}},
		{"short", updMsg(0x00, 0x16, 0x02, 0x00, 0x00), 0, 0, 0, false, nil},
		{"withdrawn runs past", updMsg(0x00, 0x17, 0x02, 0x00, 0x01, 0x00, 0x00), 0, 0, 0, false, nil},
		{"attributes run past", updMsg(0x00, 0x17, 0x02, 0x00, 0x00, 0x00, 0x01), 0, 0, 0, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, a, n, ok := message.UpdateOffsets(tt.msg)
			if w != tt.w || a != tt.a || n != tt.n || ok != tt.ok {
				t.Fatalf("UpdateOffsets = %d %d %d %v, want %d %d %d %v", w, a, n, ok, tt.w, tt.a, tt.n, tt.ok)
			}
			u, err := message.ParseUpdate(tt.msg)
			if (err == nil) != ok {
				t.Fatalf("ParseUpdate err = %v, UpdateOffsets ok = %v", err, ok)
			}
			if ok && (!bytes.Equal(tt.msg[w:a-2], u.Withdrawn) || !bytes.Equal(tt.msg[a:n], u.Attrs) || !bytes.Equal(tt.msg[n:], u.NLRI)) {
				t.Fatal("offsets and Update fields differ")
			}
			if ok && !bytes.Equal(u.Withdrawn, tt.withdrawnField) {
				t.Fatalf("withdrawn = % X", u.Withdrawn)
			}
		})
	}
}

// updCutCheck checks that the register forms of the walk
// (UpdateOffsets, nlri.CutIPv4 in the whole message, attr.Cut) read the
// same prefixes, attributes and errors as the iterators over u's fields
// (no ADD-PATH).
func updCutCheck(t *testing.T, msg []byte, u message.Update) {
	t.Helper()
	w, a, n, ok := message.UpdateOffsets(msg)
	if !ok {
		t.Fatal("UpdateOffsets refuses what ParseUpdate accepts")
	}
	fields := []struct {
		name string
		b    []byte
		off  int
		it   nlri.Iterator
	}{
		{"withdrawn", msg[:a-2], w, u.WithdrawnRoutes(wire.Context{})},
		{"nlri", msg, n, u.Announced(wire.Context{})},
	}
	for _, f := range fields {
		var want, got []netip.Prefix
		for f.it.Next() {
			want = append(want, f.it.Prefix())
		}
		var err error
		for off := f.off; off < len(f.b); {
			addr, bits, next, ok := nlri.CutIPv4(f.b, off)
			if !ok {
				err = nlri.CutError(f.b, off, wire.IPv4Unicast)
				if err == nil {
					t.Fatalf("%s: CutIPv4 stopped at %d with no error", f.name, off)
				}
				break
			}
			off = next
			got = append(got, netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(addr >> 24), byte(addr >> 16), byte(addr >> 8), byte(addr)}), bits))
		}
		if !slices.Equal(got, want) || !sameErr(err, f.it.Err()) {
			t.Fatalf("%s: CutIPv4 read %v, %v; Iterator %v, %v", f.name, got, err, want, f.it.Err())
		}
	}
	it := u.Attributes()
	rest := msg[a:n]
	for it.Next() {
		c, fl, v, r, ok := attr.Cut(rest)
		if !ok || c != it.Code() || fl != it.Flags() || !bytes.Equal(v, it.Value()) || len(r) != len(rest)-len(it.Raw()) {
			t.Fatalf("attr.Cut = %v %v % X %v; Iterator %v %v % X", c, fl, v, ok, it.Code(), it.Flags(), it.Value())
		}
		rest = r
	}
	if _, _, _, _, ok := attr.Cut(rest); ok || !sameErr(attr.CutError(rest), it.Err()) {
		t.Fatalf("attr.Cut at the end: ok %v, %v; Iterator %v", ok, attr.CutError(rest), it.Err())
	}
}

// sameErr reports whether a and b are both nil or both errors with the
// same text.
func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Error() == b.Error()
}
