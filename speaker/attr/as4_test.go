package attr

import (
	"errors"
	"net/netip"
	"reflect"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

func seg(t SegmentType, asns ...uint32) Segment { return Segment{Type: t, ASNs: asns} }

func TestMergeAS4Path(t *testing.T) {
	enc2 := func(s ...Segment) []byte { return appendSegments(nil, s, false) }
	enc4 := func(s ...Segment) []byte { return appendSegments(nil, s, true) }
	tests := []struct {
		name          string
		asPath, as4   []byte
		want          []Segment
		wantErrAction wire.Action
	}{
		{
			name: "prepend-leading-asns",
			asPath: []byte{
				0x02, 0x03, // AS_SEQUENCE, 3 ASNs
				0xFD, 0xE9, // 65001
				0x5B, 0xA0, // AS_TRANS
				0x5B, 0xA0, // AS_TRANS
			},
			as4: []byte{
				0x02, 0x02, // AS_SEQUENCE, 2 ASNs
				0xFA, 0x56, 0xEA, 0x01, // 4200000001
				0xFA, 0x56, 0xEA, 0x02, // 4200000002
			},
			want: []Segment{seg(ASSequence, 65001, 4200000001, 4200000002)},
		},
		{
			name:   "as-path-shorter-ignores-as4",
			asPath: enc2(seg(ASSequence, ASTrans)),
			as4:    enc4(seg(ASSequence, 4200000001, 4200000002)),
			want:   []Segment{seg(ASSequence, ASTrans)},
		},
		{
			name:   "equal-counts",
			asPath: enc2(seg(ASSequence, ASTrans, ASTrans)),
			as4:    enc4(seg(ASSequence, 4200000001, 4200000002)),
			want:   []Segment{seg(ASSequence, 4200000001, 4200000002)},
		},
		{
			// AS_PATH counts 2+1 = 3 (the AS_SET is 1), AS4_PATH 1+1 = 2.
			name:   "as-set-counts-one",
			asPath: enc2(seg(ASSequence, 65001, ASTrans), seg(ASSet, ASTrans, 65002, 65003)),
			as4:    enc4(seg(ASSequence, 4200000001), seg(ASSet, 4200000002, 65002, 65003)),
			want:   []Segment{seg(ASSequence, 65001, 4200000001), seg(ASSet, 4200000002, 65002, 65003)},
		},
		{
			// A big AS_SET in AS4_PATH still counts 1: AS_PATH (1) is not shorter.
			name:   "as4-set-counts-one",
			asPath: enc2(seg(ASSet, ASTrans)),
			as4:    enc4(seg(ASSet, 4200000001, 4200000002, 4200000003)),
			want:   []Segment{seg(ASSet, 4200000001, 4200000002, 4200000003)},
		},
		{
			name:   "as-set-in-leading-part",
			asPath: enc2(seg(ASSet, 1, 2), seg(ASSequence, ASTrans)),
			as4:    enc4(seg(ASSequence, 4200000000)),
			want:   []Segment{seg(ASSet, 1, 2), seg(ASSequence, 4200000000)},
		},
		{
			// Confederation segments of AS4_PATH are dropped and not counted.
			name:   "as4-confed-ignored",
			asPath: enc2(seg(ASSequence, 65001, ASTrans)),
			as4:    enc4(seg(ConfedSequence, 65100, 65101, 65102), seg(ASSequence, 4200000001)),
			want:   []Segment{seg(ASSequence, 65001, 4200000001)},
		},
		{
			// Confederation segments of AS_PATH count 0 and a leading one is kept.
			name:   "as-path-leading-confed-kept",
			asPath: enc2(seg(ConfedSequence, 65100, 65101), seg(ASSequence, 65001, ASTrans)),
			as4:    enc4(seg(ASSequence, 4200000001)),
			want:   []Segment{seg(ConfedSequence, 65100, 65101), seg(ASSequence, 65001, 4200000001)},
		},
		{
			name:   "as-path-leading-confed-kept-nothing-needed",
			asPath: enc2(seg(ConfedSet, 65100), seg(ASSequence, ASTrans)),
			as4:    enc4(seg(ASSequence, 4200000001)),
			want:   []Segment{seg(ConfedSet, 65100), seg(ASSequence, 4200000001)},
		},
		{
			// A confederation segment after a kept segment is kept too; the
			// count 0 of confed segments makes AS_PATH count 2 here.
			name:   "as-path-adjacent-confed",
			asPath: enc2(seg(ASSet, 7), seg(ConfedSequence, 65100), seg(ASSequence, ASTrans)),
			as4:    enc4(seg(ASSequence, 4200000001)),
			want:   []Segment{seg(ASSet, 7), seg(ConfedSequence, 65100), seg(ASSequence, 4200000001)},
		},
		{
			name:   "no-as4-path",
			asPath: enc2(seg(ASSequence, 1, 2)),
			want:   []Segment{seg(ASSequence, 1, 2)},
		},
		{
			name:   "empty-as-path",
			asPath: nil,
			as4:    enc4(seg(ASSequence, 4200000001)),
			want:   nil,
		},
		{
			name:          "malformed-as4-path",
			asPath:        enc2(seg(ASSequence, 1, 2)),
			as4:           []byte{0x02, 0x02, 0x00, 0x00, 0x00, 0x01}, // AS_SEQUENCE of 2, only 1 ASN
			want:          []Segment{seg(ASSequence, 1, 2)},
			wantErrAction: wire.ActionAttributeDiscard,
		},
		{
			name:          "malformed-as-path",
			asPath:        []byte{0x05, 0x01, 0x00, 0x01}, // segment type 5 is invalid
			as4:           enc4(seg(ASSequence, 4200000001)),
			want:          nil,
			wantErrAction: wire.ActionTreatAsWithdraw,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MergeAS4Path(tt.asPath, tt.as4)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			var we *wire.Error
			switch {
			case tt.wantErrAction == wire.ActionNone && err != nil:
				t.Errorf("unexpected error %v", err)
			case tt.wantErrAction != wire.ActionNone && (!errors.As(err, &we) || we.Action != tt.wantErrAction):
				t.Errorf("got error %v, want action %v", err, tt.wantErrAction)
			}
		})
	}
}

func TestMergeAS4Aggregator(t *testing.T) {
	a := netip.MustParseAddr("10.0.0.1")
	b := netip.MustParseAddr("10.0.0.2")
	trans := Aggregator{ASTrans, a}
	as4 := Aggregator{4200000000, b}
	if got := MergeAS4Aggregator(trans, as4); got != as4 {
		t.Errorf("AS_TRANS: got %v", got)
	}
	if got := MergeAS4Aggregator(Aggregator{65000, a}, as4); got != (Aggregator{65000, a}) {
		t.Errorf("not AS_TRANS: got %v", got)
	}
	if got := MergeAS4Aggregator(trans, Aggregator{}); got != trans {
		t.Errorf("no AS4_AGGREGATOR: got %v", got)
	}
}

func TestSegments(t *testing.T) {
	v := []byte{
		0x02, 0x02, 0x00, 0x00, 0xFD, 0xE8, 0x00, 0x00, 0xFD, 0xE9, // AS_SEQUENCE 65000 65001
		0x03, 0x01, 0x00, 0x00, 0xFE, 0x4C, // AS_CONFED_SEQUENCE 65100
	}
	got, err := Segments(v, true)
	want := []Segment{seg(ASSequence, 65000, 65001), seg(ConfedSequence, 65100)}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v %v", got, err)
	}
	if _, err := Segments(v, false); err == nil {
		t.Error("4-octet path read as 2-octet should fail (segment type 0)")
	}
}
