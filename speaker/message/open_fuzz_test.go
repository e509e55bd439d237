package message

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/ze-bgp/ze/speaker/capability"
)

// FuzzParseOpen protects ParseOpen, Validate and the parameter and
// capability iterators against any input: no panic, no endless loop, and
// an OPEN that parses has parameters that tile its Params field.
func FuzzParseOpen(f *testing.F) {
	f.Add(openMinimal)
	f.Add(openExtended)
	f.Add(openWith(4, 65001, 90, [4]byte{10, 0, 0, 1}, 0x02, 0x03, 0x09, 0x01, 0x03))
	f.Add(openMsg(0x00, 0x1E, 0x01, 0x04, 0xFD, 0xE9, 0x00, 0x5A, 0x0A, 0x00, 0x00, 0x01, 0xFF, 0xFF))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := ParseOpen(b)
		if err != nil {
			return
		}
		_ = o.Validate()
		_ = o.ASN()
		_, _ = o.CapabilitySet()
		h := 2
		if o.Extended {
			h = 3
		}
		n := 0
		it := o.Parameters()
		for it.Next() {
			n += h + len(it.Value())
		}
		if it.Err() != nil || n != len(o.Params) {
			t.Fatalf("parameters cover %d of %d octets, err %v", n, len(o.Params), it.Err())
		}
		for ci := o.Capabilities(); ci.Next(); {
			_ = capability.Describe(ci.Code(), ci.Value())
		}
	})
}

// FuzzOpenRoundTrip protects AppendOpen/ParseOpen: whatever is appended
// parses back to the same fields and the same capability bytes, in the
// RFC 4271 or the RFC 9072 form.
func FuzzOpenRoundTrip(f *testing.F) {
	f.Add(uint32(65001), uint16(90), uint32(0x0A000001), capability.AppendASN4(nil, 65001))
	f.Add(uint32(4200000001), uint16(180), uint32(0xC0000201), bytes.Repeat([]byte{0x02, 0x00}, 200))
	f.Add(uint32(0), uint16(0), uint32(0), []byte{0x41, 0x04, 0x00})
	f.Fuzz(func(t *testing.T, asn uint32, hold uint16, id uint32, caps []byte) {
		if len(caps) > 4000 {
			caps = caps[:4000]
		}
		rid := netip.AddrFrom4([4]byte{byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)})
		b := AppendOpen(nil, OpenParams{ASN: asn, HoldTime: hold, RouterID: rid, Caps: caps})
		o, err := ParseOpen(b)
		if err != nil {
			t.Fatalf("ParseOpen(AppendOpen): %v", err)
		}
		myAS := uint16(asn)
		if asn > 0xFFFF {
			myAS = 23456
		}
		if o.Version != 4 || o.MyAS != myAS || o.HoldTime != hold || o.BGPIdentifier != rid || o.Extended != (len(caps) > 253) {
			t.Fatalf("fields %+v", o)
		}
		it := o.Parameters()
		var got []byte
		for it.Next() {
			if it.Type() != ParamCapabilities {
				t.Fatalf("parameter type %d", it.Type())
			}
			got = append(got, it.Value()...)
		}
		if it.Err() != nil || !bytes.Equal(got, caps) {
			t.Fatalf("capabilities % X, want % X (%v)", got, caps, it.Err())
		}
	})
}
