package testpeer

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Attributes of the recoder tests, each whole (flags, code, length,
// value).
var (
	tOrigin = []byte{0x40, 0x01, 0x01, 0x00} // ORIGIN IGP
	// AS_PATH, 4-octet ASNs: AS_SEQUENCE of 2, 65001 and 200000.
	tPath4 = []byte{0x40, 0x02, 0x0A, 0x02, 0x02, 0x00, 0x00, 0xFD, 0xE9, 0x00, 0x03, 0x0D, 0x40}
	// AS_PATH, 2-octet ASNs: AS_SEQUENCE of 2, 65001 and AS_TRANS (23456).
	tPath2 = []byte{0x40, 0x02, 0x06, 0x02, 0x02, 0xFD, 0xE9, 0x5B, 0xA0}
	// AS_PATH, 2-octet ASNs: AS_SEQUENCE of 2, 65001 and 65002 (no AS4_PATH needed).
	tPath2Small = []byte{0x40, 0x02, 0x06, 0x02, 0x02, 0xFD, 0xE9, 0xFD, 0xEA}
	// The same with 4-octet ASNs.
	tPath4Small = []byte{0x40, 0x02, 0x0A, 0x02, 0x02, 0x00, 0x00, 0xFD, 0xE9, 0x00, 0x00, 0xFD, 0xEA}
	tNextHop    = []byte{0x40, 0x03, 0x04, 0xC0, 0x00, 0x02, 0x01} // NEXT_HOP 192.0.2.1
	// AGGREGATOR, 4-octet AS 200000, 192.0.2.2.
	tAgg4 = []byte{0xC0, 0x07, 0x08, 0x00, 0x03, 0x0D, 0x40, 0xC0, 0x00, 0x02, 0x02}
	// AGGREGATOR, 2-octet AS_TRANS, 192.0.2.2.
	tAgg2 = []byte{0xC0, 0x07, 0x06, 0x5B, 0xA0, 0xC0, 0x00, 0x02, 0x02}
	tComm = []byte{0xC0, 0x08, 0x04, 0xFD, 0xE9, 0x00, 0x01} // COMMUNITIES 65001:1
	// AS4_PATH: AS_SEQUENCE of 2, 65001 and 200000.
	tAS4Path = []byte{0xC0, 0x11, 0x0A, 0x02, 0x02, 0x00, 0x00, 0xFD, 0xE9, 0x00, 0x03, 0x0D, 0x40}
	// AS4_AGGREGATOR: 200000, 192.0.2.2.
	tAS4Agg = []byte{0xC0, 0x12, 0x08, 0x00, 0x03, 0x0D, 0x40, 0xC0, 0x00, 0x02, 0x02}
	// LARGE_COMMUNITY 65001:1:2, code 32: after AS4_PATH and AS4_AGGREGATOR.
	tLarge = []byte{0xC0, 0x20, 0x0C, 0x00, 0x00, 0xFD, 0xE9, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02}

	tNLRI   = []byte{0x18, 0x0A, 0x00, 0x00}                         // 10.0.0.0/24
	tNLRIAP = []byte{0x00, 0x00, 0x00, 0x07, 0x18, 0x0A, 0x00, 0x00} // path id 7, 10.0.0.0/24
	tNLRI1  = []byte{0x00, 0x00, 0x00, 0x01, 0x18, 0x0A, 0x00, 0x00} // path id 1 (defID), 10.0.0.0/24
	// MP_REACH_NLRI IPv6 unicast, next hop 2001:db8::1, NLRI 2001:db8:1::/48.
	tReach6 = []byte{0x80, 0x0E, 0x1C, 0x00, 0x02, 0x01, 0x10,
		0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,
		0x00, 0x30, 0x20, 0x01, 0x0D, 0xB8, 0x00, 0x01}
	// MP_UNREACH_NLRI IPv6 unicast, empty: End-of-RIB.
	tEOR6 = []byte{0x80, 0x0F, 0x03, 0x00, 0x02, 0x01}
)

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func upd(withdrawn, attrs, nlri []byte) []byte {
	return message.AppendUpdate(nil, withdrawn, attrs, nlri)
}

var (
	ctx4   = wire.Context{ASN4: true}
	ctx2   = wire.Context{}
	ctx4AP = func() wire.Context { c, _ := ctx4.WithAddPath(wire.IPv4Unicast, true); return c }()
	ctxExt = wire.Context{ASN4: true, ExtendedMessage: true}
	v4     = []wire.Family{wire.IPv4Unicast}
	v4v6   = []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast}
)

// recode runs one recorded UPDATE through a recoder: the messages it
// appends, split.
func recode(t *testing.T, send, from wire.Context, fams []wire.Family, msg []byte) ([][]byte, *recoder, error) {
	t.Helper()
	rc := newRecoder(send, fams)
	u, err := message.ParseUpdate(msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.decompose(&u, from, 1); err != nil {
		return nil, rc, err
	}
	var out []byte
	if !rc.changed && len(msg) <= rc.max {
		out = append(out, msg...)
	} else if out, err = rc.appendDecomposed(nil); err != nil {
		return nil, rc, err
	}
	return splitMessages(t, out, rc.max), rc, nil
}

// splitMessages cuts a stream of whole BGP messages apart, checking each
// one's marker, length (at most max) and type (UPDATE).
func splitMessages(t testing.TB, b []byte, max int) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) > 0 {
		if len(b) < wire.HeaderLen || !markerOK(b) {
			t.Fatalf("not a message: % X", b[:min(len(b), 32)])
		}
		n := int(b[16])<<8 | int(b[17])
		if n < wire.HeaderLen || n > len(b) || n > max || wire.Type(b[18]) != wire.TypeUpdate {
			t.Fatalf("message of length %d (max %d), type %d, %d octets left", n, max, b[18], len(b))
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

func TestRecodeOne(t *testing.T) {
	tests := []struct {
		name       string
		send, from wire.Context
		fams       []wire.Family
		in         []byte
		want       []byte // one UPDATE, or nil for none
		changed    bool
		skipped    int
	}{
		{"same context: unchanged", ctx4, ctx4, v4,
			upd(nil, cat(tOrigin, tPath4, tNextHop, tComm), tNLRI),
			upd(nil, cat(tOrigin, tPath4, tNextHop, tComm), tNLRI), false, 0},
		// RFC 6793 §4.2.2: AS_TRANS in AS_PATH and AGGREGATOR, the real
		// ones in AS4_PATH and AS4_AGGREGATOR, inserted by type code
		// (before LARGE_COMMUNITY, 32).
		{"4-octet to 2-octet", ctx2, ctx4, v4,
			upd(nil, cat(tOrigin, tPath4, tNextHop, tAgg4, tComm, tLarge), tNLRI),
			upd(nil, cat(tOrigin, tPath2, tNextHop, tAgg2, tComm, tAS4Path, tAS4Agg, tLarge), tNLRI), true, 0},
		{"4-octet to 2-octet, small ASNs: no AS4_PATH", ctx2, ctx4, v4,
			upd(nil, cat(tOrigin, tPath4Small, tNextHop), tNLRI),
			upd(nil, cat(tOrigin, tPath2Small, tNextHop), tNLRI), true, 0},
		// RFC 6793 §4.2.3: AS_PATH and AS4_PATH merged, AS4_* dropped.
		{"2-octet to 4-octet", ctx4, ctx2, v4,
			upd(nil, cat(tOrigin, tPath2, tNextHop, tAgg2, tComm, tAS4Path, tAS4Agg, tLarge), tNLRI),
			upd(nil, cat(tOrigin, tPath4, tNextHop, tAgg4, tComm, tLarge), tNLRI), true, 0},
		{"add a path identifier", ctx4AP, ctx4, v4,
			upd(nil, cat(tOrigin, tPath4, tNextHop), tNLRI),
			upd(nil, cat(tOrigin, tPath4, tNextHop), tNLRI1), true, 0},
		{"remove the path identifier", ctx4, ctx4AP, v4,
			upd(tNLRIAP, cat(tOrigin, tPath4, tNextHop), tNLRIAP),
			upd(tNLRI, cat(tOrigin, tPath4, tNextHop), tNLRI), true, 0},
		{"keep the path identifier", ctx4AP, ctx4AP, v4,
			upd(nil, cat(tOrigin, tPath4, tNextHop), tNLRIAP),
			upd(nil, cat(tOrigin, tPath4, tNextHop), tNLRIAP), false, 0},
		{"IPv6 not negotiated: left out, IPv4 kept", ctx4, ctx4, v4,
			upd(nil, cat(tOrigin, tPath4, tNextHop, tReach6), tNLRI),
			upd(nil, cat(tOrigin, tPath4, tNextHop), tNLRI), true, 1},
		{"IPv6 not negotiated, nothing else: nothing sent", ctx4, ctx4, v4,
			upd(nil, cat(tOrigin, tPath4, tReach6), nil), nil, true, 1},
		// An IPv6 End-of-RIB must not turn into an IPv4 one.
		{"IPv6 End-of-RIB, not negotiated: nothing sent", ctx4, ctx4, v4,
			upd(nil, tEOR6, nil), nil, true, 0},
		{"IPv6 End-of-RIB negotiated", ctx4, ctx4, v4v6,
			upd(nil, tEOR6, nil), upd(nil, tEOR6, nil), false, 0},
		{"IPv4 End-of-RIB", ctx2, ctx4, v4, upd(nil, nil, nil), upd(nil, nil, nil), true, 0},
		{"IPv4 not negotiated: NLRI left out", ctx4, ctx4, []wire.Family{wire.IPv6Unicast},
			upd(tNLRI, cat(tOrigin, tPath4, tNextHop, tReach6), tNLRI),
			upd(nil, cat(tOrigin, tPath4, tNextHop, tReach6), nil), true, 2},
		// MP_REACH_NLRI goes back between NEXT_HOP (3) and AS4_PATH (17).
		{"IPv6 with 2-octet conversion", ctx2, ctx4, v4v6,
			upd(nil, cat(tOrigin, tPath4, tReach6, tLarge), nil),
			upd(nil, cat(tOrigin, tPath2, tReach6, tAS4Path, tLarge), nil), true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, rc, err := recode(t, tt.send, tt.from, tt.fams, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if rc.changed != tt.changed || rc.skipped != tt.skipped {
				t.Errorf("changed %v skipped %d, want %v %d", rc.changed, rc.skipped, tt.changed, tt.skipped)
			}
			if tt.want == nil {
				if len(msgs) != 0 {
					t.Fatalf("sent % X, want nothing", msgs)
				}
				return
			}
			if len(msgs) != 1 || !bytes.Equal(msgs[0], tt.want) {
				t.Fatalf("got  % X\nwant % X", msgs, tt.want)
			}
		})
	}
}

// TestRecodeRoundTrip: 4-octet → 2-octet → 4-octet gives the recorded
// message back (RFC 6793 §4.2.2 and §4.2.3 undo each other).
func TestRecodeRoundTrip(t *testing.T) {
	in := upd(nil, cat(tOrigin, tPath4, tNextHop, tAgg4, tComm, tLarge), tNLRI)
	two, _, err := recode(t, ctx2, ctx4, v4, in)
	if err != nil || len(two) != 1 {
		t.Fatal(err, len(two))
	}
	back, _, err := recode(t, ctx4, ctx2, v4, two[0])
	if err != nil || len(back) != 1 || !bytes.Equal(back[0], in) {
		t.Fatalf("got % X (%v)\nwant % X", back, err, in)
	}
}

// TestRecodeSplit: a message recorded with extended message lengths
// (RFC 8654) is split to the session's 4096 octets: withdrawals first,
// then announcements with the attributes, every prefix kept in order.
func TestRecodeSplit(t *testing.T) {
	var wd, nl, nl6 []byte
	for i := range 1500 {
		p := []byte{0x18, 0x0A, byte(i >> 8), byte(i)} // 10.x.y.0/24
		nl = append(nl, p...)
		if i < 1100 {
			wd = append(wd, 0x18, 0x0B, byte(i>>8), byte(i))
		}
		if i < 1000 {
			nl6 = append(nl6, 0x30, 0x20, 0x01, 0x0D, 0xB8, byte(i>>8), byte(i)) // 2001:db8:x::/48
		}
	}
	attrs := cat(tOrigin, tPath4, tNextHop, attr.AppendMPReach(nil, wire.IPv6Unicast, tReach6[7:23], nl6))
	in := upd(wd, attrs, nl)
	if len(in) < 4096 {
		t.Fatal("test message too short")
	}
	msgs, rc, err := recode(t, ctx4, ctxExt, v4v6, in)
	if err != nil {
		t.Fatal(err)
	}
	var gotWd, gotNL, gotNL6 []byte
	phase := 0 // 0 withdrawals, 1 announcements
	for _, m := range msgs {
		u, _ := message.ParseUpdate(m)
		if len(u.Withdrawn) > 0 {
			if phase != 0 || len(u.Attrs) != 0 || len(u.NLRI) != 0 {
				t.Fatalf("withdrawal after announcements, or mixed: % X", m[:40])
			}
			gotWd = append(gotWd, u.Withdrawn...)
			continue
		}
		phase = 1
		if mp, ok, _ := u.MPReach(); ok {
			gotNL6 = append(gotNL6, mp.NLRI...)
			if !bytes.Equal(mp.NextHop, tReach6[7:23]) || len(u.NLRI) != 0 {
				t.Fatalf("IPv6 part % X", m[:60])
			}
		} else {
			gotNL = append(gotNL, u.NLRI...)
		}
		if v, _ := attr.Find(u.Attrs, attr.CodeASPath); !bytes.Equal(v, tPath4[3:]) {
			t.Fatalf("attributes lost: % X", u.Attrs)
		}
	}
	if !bytes.Equal(gotWd, wd) || !bytes.Equal(gotNL, nl) || !bytes.Equal(gotNL6, nl6) {
		t.Fatalf("prefixes lost: %d/%d %d/%d %d/%d", len(gotWd), len(wd), len(gotNL), len(nl), len(gotNL6), len(nl6))
	}
	if rc.msgs != int64(len(msgs)) || len(msgs) < 4 {
		t.Fatalf("%d messages, counted %d", len(msgs), rc.msgs)
	}
}

// TestRecodeOversize: attributes that leave no room for one prefix.
func TestRecodeOversize(t *testing.T) {
	big := attr.AppendRaw(nil, attr.FlagOptional|attr.FlagTransitive, 99, make([]byte, 4080))
	_, _, err := recode(t, ctx4, ctxExt, v4, upd(nil, cat(tOrigin, tPath4, tNextHop, big), cat(tNLRI, tNLRI)))
	if !errors.Is(err, errOversize) {
		t.Fatalf("got %v, want errOversize", err)
	}
}

func TestRecodeMalformed(t *testing.T) {
	tests := []struct {
		name string
		from wire.Context
		msg  []byte
	}{
		{"prefix too long", ctx4, upd(nil, cat(tOrigin, tPath4, tNextHop), []byte{0x21, 1, 2, 3, 4, 5})},
		{"truncated attribute", ctx4, upd(nil, []byte{0x40, 0x01, 0x05, 0x00}, nil)},
		{"AS_PATH cut", ctx4, upd(nil, []byte{0x40, 0x02, 0x03, 0x02, 0x02, 0x00}, tNLRI)},
		{"AGGREGATOR of 5 octets", ctx4, upd(nil, []byte{0xC0, 0x07, 0x05, 1, 2, 3, 4, 5}, tNLRI)},
		{"MP_REACH_NLRI cut", ctx4, upd(nil, []byte{0x80, 0x0E, 0x02, 0x00, 0x02}, nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := newRecoder(ctx2, v4v6)
			u, err := message.ParseUpdate(tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := rc.decompose(&u, tt.from, 1); err == nil {
				t.Fatalf("no error for % X", tt.msg)
			}
		})
	}
}

func TestRIBPacker(t *testing.T) {
	rc := newRecoder(ctx4, v4)
	pk := newRIBPacker(rc)
	attrsA := cat(tOrigin, tPath4, tNextHop)
	attrsB := cat(tOrigin, tPath4Small, tNextHop)
	var out []byte
	for i := range 2000 {
		a := attrsA
		if i%2 == 1 {
			a = attrsB
		}
		u, _ := message.ParseUpdate(upd(nil, a, []byte{0x18, 0x0A, byte(i >> 8), byte(i)}))
		if err := rc.decompose(&u, ctx4, 1); err != nil {
			t.Fatal(err)
		}
		var err error
		if out, err = pk.add(out); err != nil {
			t.Fatal(err)
		}
	}
	out = pk.flush(out)
	msgs := splitMessages(t, out, 4096)
	// 1000 prefixes of 4 octets per attribute set, at most 1017 per
	// UPDATE (4096 - 23 - 26 attribute octets): one UPDATE each.
	if len(msgs) != 2 || int64(len(msgs)) != rc.msgs {
		t.Fatalf("%d UPDATEs (%d counted)", len(msgs), rc.msgs)
	}
	for i, m := range msgs {
		u, _ := message.ParseUpdate(m)
		if len(u.NLRI) != 4000 || !bytes.Equal(u.NLRI[:4], []byte{0x18, 0x0A, 0, byte(i)}) {
			t.Errorf("UPDATE %d: %d NLRI octets, first % X", i, len(u.NLRI), u.NLRI[:4])
		}
	}
	// A full group is written before the next route.
	rc.max = 200
	pk = newRIBPacker(rc)
	out = out[:0]
	for i := range 100 {
		u, _ := message.ParseUpdate(upd(nil, attrsA, []byte{0x18, 0x0A, 0, byte(i)}))
		rc.decompose(&u, ctx4, 1) //nolint:errcheck // checked above
		out, _ = pk.add(out)
	}
	out = pk.flush(out)
	if n := len(splitMessages(t, out, 200)); n != 3 { // (200-23-24)/4 = 38 per UPDATE
		t.Fatalf("%d UPDATEs, want 3", n)
	}
}
