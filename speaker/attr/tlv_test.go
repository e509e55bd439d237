package attr

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

func wantAction(t *testing.T, err error, a wire.Action) {
	t.Helper()
	var we *wire.Error
	if !errors.As(err, &we) {
		t.Fatalf("got %v, want a *wire.Error with action %v", err, a)
	}
	if we.Action != a {
		t.Fatalf("got action %v (%v), want %v", we.Action, err, a)
	}
}

func TestParseAIGP(t *testing.T) {
	good := []byte{
		0x01, 0x00, 0x0B, // TLV type 1 (AIGP), length 11
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, // metric 256
	}
	if m, err := ParseAIGP(good); err != nil || m != 256 {
		t.Fatalf("got %d %v", m, err)
	}
	withUnknown := []byte{
		0x7F, 0x00, 0x04, 0xAA, // unknown TLV type 127, length 4, 1 octet of value
		0x01, 0x00, 0x0B, 0, 0, 0, 0, 0, 0, 0, 0x05, // AIGP TLV, metric 5
	}
	if m, err := ParseAIGP(withUnknown); err != nil || m != 5 {
		t.Fatalf("got %d %v", m, err)
	}
	for name, v := range map[string][]byte{
		"empty":         {},
		"short-header":  {0x01, 0x00},
		"aigp-len-10":   {0x01, 0x00, 0x0A, 0, 0, 0, 0, 0, 0, 0},
		"overrun":       {0x01, 0x00, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0},
		"len-below-3":   {0x02, 0x00, 0x02, 0x01, 0x00, 0x0B, 0, 0, 0, 0, 0, 0, 0, 0},
		"no-aigp-tlv":   {0x02, 0x00, 0x03},
		"trailing-byte": append(append([]byte{}, good...), 0x00),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseAIGP(v)
			wantAction(t, err, wire.ActionAttributeDiscard)
		})
	}
}

func TestParseOTC(t *testing.T) {
	if a, err := ParseOTC([]byte{0x00, 0x00, 0xFD, 0xE8}); err != nil || a != 65000 { // ASN 65000
		t.Fatalf("got %d %v", a, err)
	}
	for _, n := range []int{0, 3, 5} {
		_, err := ParseOTC(make([]byte, n))
		wantAction(t, err, wire.ActionTreatAsWithdraw)
	}
}

func TestParsePMSITunnel(t *testing.T) {
	v := []byte{
		0x01,             // flags: leaf information required
		0x06,             // tunnel type 6: ingress replication
		0x00, 0x06, 0x41, // MPLS label 100 (0x00064 << 4), BoS bit set
		192, 0, 2, 1, // tunnel identifier: originating router 192.0.2.1
	}
	p, err := ParsePMSITunnel(v)
	if err != nil || p.Flags != 1 || p.TunnelType != PMSIIngressReplica || p.Label != 100 || p.LabelField != 0x000641 ||
		string(p.ID) != string([]byte{192, 0, 2, 1}) {
		t.Fatalf("got %+v %v", p, err)
	}
	_, err = ParsePMSITunnel([]byte{0, 6, 0, 0})
	wantAction(t, err, wire.ActionTreatAsWithdraw)
}

func TestPrefixSID(t *testing.T) {
	v := []byte{
		0x01, 0x00, 0x07, // TLV 1 Label-Index, length 7
		0x00,       // reserved
		0x00, 0x00, // flags
		0x00, 0x00, 0x00, 0x64, // label index 100
		0x03, 0x00, 0x0E, // TLV 3 Originator SRGB, length 14
		0x00, 0x00, // flags
		0x00, 0x3E, 0x80, 0x00, 0x1F, 0x40, // SRGB base 16000, range 8000
		0x01, 0x86, 0xA0, 0x00, 0x03, 0xE8, // SRGB base 100000, range 1000
		0x63, 0x00, 0x02, 0xAB, 0xCD, // TLV 99 (unknown, kept raw), length 2
	}
	it := NewPrefixSIDIterator(v)
	var types []uint8
	for it.Next() {
		types = append(types, it.Type())
		switch it.Type() {
		case PrefixSIDLabelIndex:
			if n, err := ParseLabelIndex(it.Value()); err != nil || n != 100 {
				t.Errorf("label index %d %v", n, err)
			}
		case PrefixSIDOriginatorSRGB:
			flags, s, err := ParseOriginatorSRGB(it.Value())
			if err != nil || flags != 0 || s.Len() != 2 || s.At(0) != (SRGB{16000, 8000}) || s.At(1) != (SRGB{100000, 1000}) {
				t.Errorf("srgb %v %v", s, err)
			}
		case 99:
			if string(it.Value()) != "\xAB\xCD" {
				t.Errorf("raw tlv % X", it.Value())
			}
		}
	}
	if it.Err() != nil || len(types) != 3 {
		t.Fatalf("types %v err %v", types, it.Err())
	}
	if err := CheckPrefixSID(v); err != nil {
		t.Fatal(err)
	}
}

// srv6L3 is an SRv6 L3 Service TLV as GoBGP and FRR send it for an
// End.DT4 SID with a SID Structure (RFC 9252 §3.1, §3.2.1).
var srv6L3 = []byte{
	0x05, 0x00, 0x22, // TLV 5 SRv6 L3 Service, length 34
	0x00,             // reserved
	0x01, 0x00, 0x1E, // sub-TLV 1 SRv6 SID Information, length 30
	0x00,                                                                                           // reserved1
	0x20, 0x01, 0x0D, 0xB8, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // SID 2001:db8:1:2::
	0x00,       // SID flags
	0x00, 0x13, // endpoint behavior 19 (End.DT4)
	0x00,             // reserved2
	0x01, 0x00, 0x06, // sub-sub-TLV 1 SID Structure, length 6
	0x28, 0x18, 0x10, 0x00, // locator block 40, node 24, function 16, argument 0
	0x10, 0x40, // transposition length 16, offset 64
}

func TestSRv6Service(t *testing.T) {
	it := NewPrefixSIDIterator(srv6L3)
	if !it.Next() || it.Type() != PrefixSIDSRv6L3Service {
		t.Fatalf("tlv: %v", it.Err())
	}
	sub, err := SRv6ServiceSubTLVs(it.Value())
	if err != nil || !sub.Next() || sub.Type() != SRv6SIDInformation {
		t.Fatalf("sub-tlv: %v %v", err, sub.Err())
	}
	info, err := ParseSRv6SIDInfo(sub.Value())
	if err != nil || info.SID != netip.MustParseAddr("2001:db8:1:2::") || info.Flags != 0 || info.Behavior != 19 {
		t.Fatalf("info %+v %v", info, err)
	}
	st, ok, err := info.Structure()
	want := SRv6Structure{40, 24, 16, 0, 16, 64}
	if err != nil || !ok || st != want {
		t.Fatalf("structure %+v %v %v", st, ok, err)
	}
	if sub.Next() || it.Next() {
		t.Fatal("trailing data")
	}
	if err := CheckPrefixSID(srv6L3); err != nil {
		t.Fatal(err)
	}
}

func TestPrefixSIDMalformed(t *testing.T) {
	bad := map[string][]byte{
		"tlv-overrun":       {0x01, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0},
		"tlv-header-short":  {0x01, 0x00},
		"label-index-len-6": {0x01, 0x00, 0x06, 0, 0, 0, 0, 0, 0},
		"srgb-no-entry":     {0x03, 0x00, 0x02, 0, 0},
		"srgb-len-9":        {0x03, 0x00, 0x09, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"srv6-empty":        {0x05, 0x00, 0x00},
		"srv6-sub-overrun":  {0x05, 0x00, 0x04, 0x00, 0x01, 0x00, 0x10},
		"srv6-info-short":   {0x06, 0x00, 0x05, 0x00, 0x01, 0x00, 0x01, 0x00},
		"srv6-structure-5": func() []byte {
			b := append([]byte{}, srv6L3...)
			b[2], b[6], b[len(b)-8] = 0x21, 0x1D, 0x05 // shrink the structure sub-sub-TLV to 5 octets
			return b[:len(b)-1]
		}(),
	}
	for name, v := range bad {
		t.Run(name, func(t *testing.T) {
			wantAction(t, CheckPrefixSID(v), wire.ActionAttributeDiscard)
		})
	}
	if _, err := ParseSRv6Structure([]byte{1, 2, 3, 4, 5, 6, 7}); err == nil {
		t.Error("structure of 7 accepted")
	}
}
