package message_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// updMarker is the 16-octet header marker.
var updMarker = bytes.Repeat([]byte{0xFF}, wire.MarkerLen)

// updMsg returns an UPDATE: marker, then the given length and type
// octets and body exactly as written (the length is not computed, so
// tests can lie about it).
func updMsg(rest ...byte) []byte { return append(slices.Clone(updMarker), rest...) }

// updBuild returns a well-formed UPDATE around the three fields.
func updBuild(withdrawn, attrs, nlriField []byte) []byte {
	return message.AppendUpdate(nil, withdrawn, attrs, nlriField)
}

func updWantErr(t *testing.T, err error, code wire.Code, sub uint8) *wire.Error {
	t.Helper()
	var e *wire.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *wire.Error %d/%d", err, code, sub)
	}
	if e.Code != code || e.Subcode != sub || e.Action != wire.ActionSessionReset {
		t.Fatalf("err = %d/%d %v (%s), want %d/%d session-reset", e.Code, e.Subcode, e.Action, e.Msg, code, sub)
	}
	return e
}

// updAddPath is the receive context of the ADD-PATH capture: path ids on
// IPv4 and IPv6 unicast.
func updAddPath() wire.Context {
	var c wire.Context
	c, _ = c.WithAddPath(wire.IPv4Unicast, true)
	c, _ = c.WithAddPath(wire.IPv6Unicast, true)
	return c
}

func TestParseUpdateMinimal(t *testing.T) {
	m := updMsg(
		0x00, 0x17, // length 23
		0x02,       // type UPDATE
		0x00, 0x00, // withdrawn routes length 0
		0x00, 0x00, // total path attribute length 0
	)
	u, err := message.ParseUpdate(m)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Withdrawn) != 0 || len(u.Attrs) != 0 || len(u.NLRI) != 0 || !bytes.Equal(u.Raw, m) {
		t.Errorf("ParseUpdate = %+v", u)
	}
	if f, ok := u.EndOfRIB(); !ok || f != wire.IPv4Unicast {
		t.Errorf("EndOfRIB = %v %v, want ipv4/unicast", f, ok)
	}
	if got := updBuild(nil, nil, nil); !bytes.Equal(got, m) {
		t.Errorf("AppendUpdate = % X, want % X", got, m)
	}
}

func TestParseUpdateErrors(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
		code wire.Code
		sub  uint8
		data []byte
	}{
		{"22-octets", updMsg(
			0x00, 0x16, // length 22
			0x02,       // type UPDATE
			0x00, 0x00, // withdrawn routes length 0
			0x00, // attribute length cut short
		), wire.CodeHeader, wire.SubBadMessageLength, []byte{0x00, 0x16}},
		{"header-only", updMsg(
			0x00, 0x13, // length 19
			0x02, // type UPDATE
		), wire.CodeHeader, wire.SubBadMessageLength, []byte{0x00, 0x13}},
		{"no-header", []byte{0xFF, 0xFF}, wire.CodeHeader, wire.SubBadMessageLength, nil},
		{"withdrawn-past-message", updMsg(
			0x00, 0x19, // length 25
			0x02,       // type UPDATE
			0x00, 0x05, // withdrawn routes length 5, but only 4 octets follow
			0x08, 0x0A, // 10.0.0.0/8
			0x00, 0x00, // would-be attribute length
		), wire.CodeUpdate, wire.SubMalformedAttributeList, nil},
		{"withdrawn-eats-attribute-length", updMsg(
			0x00, 0x19, // length 25
			0x02,       // type UPDATE
			0x00, 0x02, // withdrawn routes length 2
			0x08, 0x0A, // 10.0.0.0/8
			0x00, // one octet where the 2-octet attribute length should be
		), wire.CodeUpdate, wire.SubMalformedAttributeList, nil},
		{"withdrawn-ffff", updMsg(
			0x00, 0x17, // length 23
			0x02,       // type UPDATE
			0xFF, 0xFF, // withdrawn routes length 65535
			0x00, 0x00, // total path attribute length 0
		), wire.CodeUpdate, wire.SubMalformedAttributeList, nil},
		{"attributes-past-message", updMsg(
			0x00, 0x1A, // length 26
			0x02,       // type UPDATE
			0x00, 0x00, // withdrawn routes length 0
			0x00, 0x04, // total path attribute length 4, but 3 octets follow
			0x40, 0x01, 0x01, // ORIGIN header, value missing
		), wire.CodeUpdate, wire.SubMalformedAttributeList, nil},
		{"attributes-ffff", updMsg(
			0x00, 0x17, // length 23
			0x02,       // type UPDATE
			0x00, 0x00, // withdrawn routes length 0
			0xFF, 0xFF, // total path attribute length 65535
		), wire.CodeUpdate, wire.SubMalformedAttributeList, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := message.ParseUpdate(tt.msg)
			e := updWantErr(t, err, tt.code, tt.sub)
			if !bytes.Equal(e.Data, tt.data) {
				t.Errorf("data = % X, want % X", e.Data, tt.data)
			}
		})
	}
}

func TestParseUpdateFields(t *testing.T) {
	m := updMsg(
		0x00, 0x39, // length 57
		0x02,       // type UPDATE
		0x00, 0x05, // withdrawn routes length 5
		0x10, 0xAC, 0x10, // 172.16.0.0/16
		0x08, 0x0A, // 10.0.0.0/8
		0x00, 0x14, // total path attribute length 20
		0x40, 0x01, 0x01, 0x00, // ORIGIN (well-known transitive), length 1: IGP
		0x40, 0x02, 0x06, // AS_PATH, length 6
		0x02, 0x02, 0xFD, 0xE8, 0xFD, 0xE9, // AS_SEQUENCE of 2: 65000 65001
		0x40, 0x03, 0x04, 0xC0, 0x00, 0x02, 0x01, // NEXT_HOP, length 4: 192.0.2.1
		0x18, 0xC6, 0x33, 0x64, // NLRI 198.51.100.0/24
		0x19, 0xC6, 0x33, 0x65, 0x80, // NLRI 198.51.101.128/25
	)
	u, err := message.ParseUpdate(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(u.Withdrawn, m[21:26]) || !bytes.Equal(u.Attrs, m[28:48]) || !bytes.Equal(u.NLRI, m[48:]) {
		t.Fatalf("fields: withdrawn % X, attrs % X, nlri % X", u.Withdrawn, u.Attrs, u.NLRI)
	}
	if &u.Withdrawn[0] != &m[21] || &u.Attrs[0] != &m[28] || &u.NLRI[0] != &m[48] {
		t.Error("fields are not views into the message")
	}

	var ctx wire.Context
	var got []string
	it := u.WithdrawnRoutes(ctx)
	for it.Next() {
		got = append(got, "-"+it.Prefix().String())
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	at := u.Attributes()
	for at.Next() {
		got = append(got, at.Code().String())
	}
	if at.Err() != nil {
		t.Fatal(at.Err())
	}
	it = u.Announced(ctx)
	for it.Next() {
		got = append(got, "+"+it.Prefix().String())
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	want := []string{"-172.16.0.0/16", "-10.0.0.0/8", "origin", "as-path", "next-hop", "+198.51.100.0/24", "+198.51.101.128/25"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %v\nwant %v", got, want)
	}
	if _, ok := u.EndOfRIB(); ok {
		t.Error("EndOfRIB on an UPDATE with routes")
	}
	if _, ok, err := u.MPReach(); ok || err != nil {
		t.Errorf("MPReach present: %v %v", ok, err)
	}
	if _, ok, err := u.MPUnreach(); ok || err != nil {
		t.Errorf("MPUnreach present: %v %v", ok, err)
	}

	// AppendUpdate rebuilds the same message from the fields.
	if got := message.AppendUpdate([]byte{0x01}, u.Withdrawn, u.Attrs, u.NLRI); !bytes.Equal(got[1:], m) || got[0] != 0x01 {
		t.Errorf("AppendUpdate = % X\nwant    % X", got, m)
	}

	// The same NLRI read with ADD-PATH decode differently: the context
	// decides how the bytes are cut.
	it = u.Announced(updAddPath())
	if !it.Next() || it.PathID() != 0x18C63364 || it.Prefix().String() != "198.51.101.128/25" || it.Next() {
		t.Errorf("ADD-PATH reading: %v %v %v", it.PathID(), it.Prefix(), it.Err())
	}
}

func TestUpdateAddPath(t *testing.T) {
	m := updMsg(
		0x00, 0x2E, // length 46
		0x02,       // type UPDATE
		0x00, 0x07, // withdrawn routes length 7
		0x00, 0x00, 0x00, 0x05, // path id 5
		0x10, 0x0A, 0x09, // 10.9.0.0/16
		0x00, 0x00, // total path attribute length 0
		0x00, 0x00, 0x00, 0x01, // path id 1
		0x18, 0x0A, 0x00, 0x00, // 10.0.0.0/24
		0x00, 0x00, 0x00, 0x02, // path id 2
		0x18, 0x0A, 0x00, 0x01, // 10.0.1.0/24
	)
	u, err := message.ParseUpdate(m)
	if err != nil {
		t.Fatal(err)
	}
	ctx := updAddPath()
	var got []string
	it := u.WithdrawnRoutes(ctx)
	for it.Next() {
		got = append(got, "-"+it.Prefix().String()+"#"+string(rune('0'+it.PathID())))
	}
	it = u.Announced(ctx)
	for it.Next() {
		got = append(got, "+"+it.Prefix().String()+"#"+string(rune('0'+it.PathID())))
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	want := []string{"-10.9.0.0/16#5", "+10.0.0.0/24#1", "+10.0.1.0/24#2"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestEndOfRIB(t *testing.T) {
	tests := []struct {
		name                   string
		withdrawn, attrs, nlri []byte
		want                   wire.Family
		ok                     bool
	}{
		{"ipv4-empty-update", nil, nil, nil, wire.IPv4Unicast, true},
		{"ipv6", nil, []byte{
			0x80, 0x0F, 0x03, // MP_UNREACH_NLRI (optional), length 3
			0x00, 0x02, // AFI 2: IPv6
			0x01, // SAFI 1: unicast
		}, nil, wire.IPv6Unicast, true},
		{"ipv6-extended-length", nil, []byte{
			0x90, 0x0F, 0x00, 0x03, // MP_UNREACH_NLRI (optional, extended length), length 3
			0x00, 0x02, // AFI 2: IPv6
			0x01, // SAFI 1: unicast
		}, nil, wire.IPv6Unicast, true},
		{"ipv4-as-mp", nil, []byte{
			0x80, 0x0F, 0x03, // MP_UNREACH_NLRI, length 3
			0x00, 0x01, // AFI 1: IPv4
			0x01, // SAFI 1: unicast
		}, nil, wire.IPv4Unicast, true},
		{"evpn", nil, []byte{
			0x80, 0x0F, 0x03, // MP_UNREACH_NLRI, length 3
			0x00, 0x19, // AFI 25: L2VPN
			0x46, // SAFI 70: EVPN
		}, nil, wire.Family{AFI: wire.AFIL2VPN, SAFI: wire.SAFIEVPN}, true},
		{"mp-unreach-with-nlri", nil, []byte{
			0x80, 0x0F, 0x07, // MP_UNREACH_NLRI, length 7
			0x00, 0x02, // AFI 2: IPv6
			0x01,                         // SAFI 1: unicast
			0x20, 0x20, 0x01, 0x0D, 0xB8, // withdrawn 2001:db8::/32
		}, nil, wire.Family{}, false},
		{"mp-unreach-and-origin", nil, []byte{
			0x80, 0x0F, 0x03, // MP_UNREACH_NLRI, length 3
			0x00, 0x02, // AFI 2: IPv6
			0x01,                   // SAFI 1: unicast
			0x40, 0x01, 0x01, 0x00, // ORIGIN: IGP — an extra attribute
		}, nil, wire.Family{}, false},
		{"origin-then-mp-unreach", nil, []byte{
			0x40, 0x01, 0x01, 0x00, // ORIGIN: IGP
			0x80, 0x0F, 0x03, // MP_UNREACH_NLRI, length 3
			0x00, 0x02, // AFI 2: IPv6
			0x01, // SAFI 1: unicast
		}, nil, wire.Family{}, false},
		{"mp-unreach-then-garbage", nil, []byte{
			0x80, 0x0F, 0x03, // MP_UNREACH_NLRI, length 3
			0x00, 0x02, // AFI 2: IPv6
			0x01, // SAFI 1: unicast
			0x40, // a truncated attribute header
		}, nil, wire.Family{}, false},
		{"mp-unreach-short", nil, []byte{
			0x80, 0x0F, 0x02, // MP_UNREACH_NLRI, length 2
			0x00, 0x02, // AFI 2, no SAFI
		}, nil, wire.Family{}, false},
		{"empty-mp-reach", nil, []byte{
			0x80, 0x0E, 0x05, // MP_REACH_NLRI, length 5
			0x00, 0x02, // AFI 2
			0x01, // SAFI 1
			0x00, // next hop length 0
			0x00, // reserved
		}, nil, wire.Family{}, false},
		{"only-origin", nil, []byte{
			0x40, 0x01, 0x01, 0x00, // ORIGIN: IGP
		}, nil, wire.Family{}, false},
		{"withdrawn", []byte{
			0x08, 0x0A, // 10.0.0.0/8
		}, nil, nil, wire.Family{}, false},
		{"nlri", nil, nil, []byte{
			0x08, 0x0A, // 10.0.0.0/8
		}, wire.Family{}, false},
		{"withdrawn-and-mp-eor", []byte{
			0x08, 0x0A, // 10.0.0.0/8
		}, []byte{
			0x80, 0x0F, 0x03, // MP_UNREACH_NLRI, length 3
			0x00, 0x02, // AFI 2
			0x01, // SAFI 1
		}, nil, wire.Family{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := message.ParseUpdate(updBuild(tt.withdrawn, tt.attrs, tt.nlri))
			if err != nil {
				t.Fatal(err)
			}
			f, ok := u.EndOfRIB()
			if ok != tt.ok || f != tt.want {
				t.Errorf("EndOfRIB = %v %v, want %v %v", f, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestUpdateMP(t *testing.T) {
	attrs := []byte{
		0x40, 0x01, 0x01, 0x00, // ORIGIN: IGP
		0x40, 0x02, 0x00, // AS_PATH: empty
		0x80, 0x0E, 0x1A, // MP_REACH_NLRI (optional), length 26
		0x00, 0x02, // AFI 2: IPv6
		0x01,                                           // SAFI 1: unicast
		0x10,                                           // next hop length 16
		0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00, // next hop 2001:db8::1
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x00,                         // reserved
		0x20, 0x20, 0x01, 0x0D, 0xB8, // NLRI 2001:db8::/32
		0x80, 0x0F, 0x0A, // MP_UNREACH_NLRI (optional), length 10
		0x00, 0x02, // AFI 2: IPv6
		0x01,                                     // SAFI 1: unicast
		0x30, 0x20, 0x01, 0x0D, 0xB8, 0x00, 0x09, // withdrawn 2001:db8:9::/48
	}
	u, err := message.ParseUpdate(updBuild(nil, attrs, nil))
	if err != nil {
		t.Fatal(err)
	}
	r, ok, err := u.MPReach()
	if !ok || err != nil {
		t.Fatalf("MPReach = %v, %v", ok, err)
	}
	if r.Family != wire.IPv6Unicast || len(r.NextHop) != 16 || !bytes.Equal(r.NLRI, attrs[31:36]) {
		t.Errorf("MPReach = %+v", r)
	}
	if gh, ll, ok := r.NextHops(); !ok || gh != netip.MustParseAddr("2001:db8::1") || ll.IsValid() {
		t.Errorf("NextHops = %v %v %v", gh, ll, ok)
	}
	ur, ok, err := u.MPUnreach()
	if !ok || err != nil {
		t.Fatalf("MPUnreach = %v, %v", ok, err)
	}
	if ur.Family != wire.IPv6Unicast || !bytes.Equal(ur.NLRI, attrs[42:]) {
		t.Errorf("MPUnreach = %+v", ur)
	}
	var got []string
	it := nlri.NewIterator(r.NLRI, r.Family, false)
	for it.Next() {
		got = append(got, "+"+it.Prefix().String())
	}
	it = nlri.NewIterator(ur.NLRI, ur.Family, false)
	for it.Next() {
		got = append(got, "-"+it.Prefix().String())
	}
	if it.Err() != nil || !slices.Equal(got, []string{"+2001:db8::/32", "-2001:db8:9::/48"}) {
		t.Errorf("MP prefixes = %v, %v", got, it.Err())
	}
	if _, ok := u.EndOfRIB(); ok {
		t.Error("EndOfRIB on an UPDATE with MP routes")
	}

	t.Run("malformed", func(t *testing.T) {
		u, err := message.ParseUpdate(updBuild(nil, []byte{
			0x80, 0x0E, 0x04, // MP_REACH_NLRI, length 4
			0x00, 0x02, 0x01, 0x10, // AFI 2, SAFI 1, next hop length 16 — nothing follows
			0x80, 0x0F, 0x02, // MP_UNREACH_NLRI, length 2
			0x00, 0x02, // AFI 2, no SAFI
		}, nil))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := u.MPReach(); !ok || err == nil {
			t.Errorf("MPReach = %v, %v; want present with an error", ok, err)
		}
		if _, ok, err := u.MPUnreach(); !ok || err == nil {
			t.Errorf("MPUnreach = %v, %v; want present with an error", ok, err)
		}
	})
}

func TestAppendUpdate(t *testing.T) {
	withdrawn := []byte{
		0x18, 0xC0, 0x00, 0x02, // 192.0.2.0/24
	}
	attrs := []byte{
		0x40, 0x01, 0x01, 0x02, // ORIGIN: INCOMPLETE
	}
	nlriField := []byte{
		0x20, 0xC6, 0x33, 0x64, 0x01, // 198.51.100.1/32
	}
	want := updMsg(
		0x00, 0x24, // length 36
		0x02,       // type UPDATE
		0x00, 0x04, // withdrawn routes length 4
		0x18, 0xC0, 0x00, 0x02, // 192.0.2.0/24
		0x00, 0x04, // total path attribute length 4
		0x40, 0x01, 0x01, 0x02, // ORIGIN: INCOMPLETE
		0x20, 0xC6, 0x33, 0x64, 0x01, // 198.51.100.1/32
	)
	got := updBuild(withdrawn, attrs, nlriField)
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendUpdate = % X\nwant % X", got, want)
	}
	if n, typ, err := wire.Header(got, wire.MaxLen); err != nil || n != len(got) || typ != wire.TypeUpdate {
		t.Errorf("Header = %d %v %v", n, typ, err)
	}
	u, err := message.ParseUpdate(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(u.Withdrawn, withdrawn) || !bytes.Equal(u.Attrs, attrs) || !bytes.Equal(u.NLRI, nlriField) {
		t.Errorf("round trip = %+v", u)
	}
}

// updReadHex reads one message per line of uppercase hex.
func updReadHex(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		b, err := hex.DecodeString(line)
		if err != nil {
			t.Fatalf("%s:%d: %v", path, len(out)+1, err)
		}
		out = append(out, b)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestUpdateCapture(t *testing.T) {
	// Expected totals from /work/shared/data/pcap/INDEX.md (tshark's
	// dissection of the same capture).
	const path = "exabgp-gobgp-ibgp-addpath-v4v6.hex.txt"
	msgs := updReadHex(t, filepath.Join("testdata", "update", path))
	ctx := updAddPath()
	var updates, announced, withdrawn, mpReach, mpUnreach, mpPrefixes int
	eor := map[wire.Family]int{}
	attrCount := map[attr.Code]int{}
	for i, m := range msgs {
		n, typ, err := wire.Header(m, wire.MaxLen)
		if err != nil || n != len(m) {
			t.Fatalf("line %d: header %d %v", i+1, n, err)
		}
		if typ != wire.TypeUpdate {
			continue
		}
		updates++
		u, err := message.ParseUpdate(m)
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		c, err := nlri.Count(u.Withdrawn, wire.IPv4Unicast, true)
		if err != nil {
			t.Fatalf("line %d withdrawn: %v", i+1, err)
		}
		withdrawn += c
		it := u.Announced(ctx)
		for it.Next() {
			announced++
			if it.Prefix() != it.Prefix().Masked() {
				t.Errorf("line %d: host bits in %v", i+1, it.Prefix())
			}
		}
		if it.Err() != nil {
			t.Fatalf("line %d NLRI: %v", i+1, it.Err())
		}
		at := u.Attributes()
		for at.Next() {
			attrCount[at.Code()]++
		}
		if at.Err() != nil {
			t.Fatalf("line %d attributes: %v", i+1, at.Err())
		}
		if r, ok, err := u.MPReach(); ok {
			if err != nil {
				t.Fatalf("line %d MP_REACH: %v", i+1, err)
			}
			mpReach++
			c, err := nlri.Count(r.NLRI, r.Family, ctx.AddPath(r.Family))
			if err != nil || r.Family != wire.IPv6Unicast {
				t.Fatalf("line %d MP_REACH %v: %v", i+1, r.Family, err)
			}
			mpPrefixes += c
		}
		if r, ok, err := u.MPUnreach(); ok {
			if err != nil {
				t.Fatalf("line %d MP_UNREACH: %v", i+1, err)
			}
			mpUnreach++
			if _, err := nlri.Count(r.NLRI, r.Family, ctx.AddPath(r.Family)); err != nil {
				t.Fatalf("line %d MP_UNREACH: %v", i+1, err)
			}
		}
		if f, ok := u.EndOfRIB(); ok {
			eor[f]++
		}
		// Re-encoding the fields gives back the captured bytes.
		if got := message.AppendUpdate(nil, u.Withdrawn, u.Attrs, u.NLRI); !bytes.Equal(got, m) {
			t.Errorf("line %d: AppendUpdate differs", i+1)
		}
	}
	if updates != 22 || announced != 15 || withdrawn != 2 || mpReach != 4 || mpUnreach != 3 {
		t.Errorf("updates %d announced %d withdrawn %d mp-reach %d mp-unreach %d; want 22 15 2 4 3",
			updates, announced, withdrawn, mpReach, mpUnreach)
	}
	if mpPrefixes == 0 {
		t.Error("no IPv6 prefixes in MP_REACH_NLRI")
	}
	if eor[wire.IPv4Unicast] != 1 || eor[wire.IPv6Unicast] != 1 || len(eor) != 2 {
		t.Errorf("End-of-RIB = %v, want one each for IPv4 and IPv6 unicast", eor)
	}
	wantAttrs := map[attr.Code]int{
		attr.CodeOrigin: 17, attr.CodeASPath: 17, attr.CodeNextHop: 12, attr.CodeMED: 6,
		attr.CodeLocalPref: 17, attr.CodeCommunities: 6, attr.CodeOriginatorID: 9,
		attr.CodeClusterList: 9, attr.CodeMPReach: 4, attr.CodeMPUnreach: 3, attr.CodeAIGP: 3,
		attr.CodeLargeCommunities: 1,
	}
	for c, n := range wantAttrs {
		if attrCount[c] != n {
			t.Errorf("%v: %d occurrences, want %d", c, attrCount[c], n)
		}
	}
	if len(attrCount) != len(wantAttrs) {
		t.Errorf("attribute codes = %v", attrCount)
	}
}

var updSink int

func TestUpdateWalkAllocs(t *testing.T) {
	attrs := []byte{
		0x40, 0x01, 0x01, 0x00, // ORIGIN: IGP
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xFD, 0xE8, // AS_PATH: AS_SEQUENCE 65000 (ASN4)
		0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0x64, // LOCAL_PREF 100
		0x80, 0x0E, 0x1E, // MP_REACH_NLRI, length 30
		0x00, 0x02, 0x01, 0x10, // AFI 2, SAFI 1, next hop length 16
		0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // next hop 2001:db8::1
		0x00,                   // reserved
		0x00, 0x00, 0x00, 0x01, // path id 1
		0x20, 0x20, 0x01, 0x0D, 0xB8, // 2001:db8::/32
		0x80, 0x0F, 0x08, // MP_UNREACH_NLRI, length 8
		0x00, 0x02, 0x01, // AFI 2, SAFI 1
		0x00, 0x00, 0x00, 0x02, // path id 2
		0x00, // ::/0
	}
	withdrawn := []byte{0x00, 0x00, 0x00, 0x03, 0x08, 0x0A} // path id 3, 10.0.0.0/8
	var nl []byte
	for i := range 20 {
		nl = nlri.AppendPrefix(nl, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 1, byte(i), 0}), 24), uint32(i), true)
	}
	m := updBuild(withdrawn, attrs, nl)
	ctx := updAddPath()
	walk := func() {
		u, err := message.ParseUpdate(m)
		if err != nil {
			panic(err)
		}
		n, err := updWalk(u, ctx)
		if err != nil {
			panic(err)
		}
		updSink += n
	}
	before := updSink
	walk()
	if updSink-before < 23 {
		t.Fatalf("walk saw too little: %d", updSink-before)
	}
	if allocs := testing.AllocsPerRun(100, walk); allocs != 0 {
		t.Errorf("walking an UPDATE allocates %.1f times per run, want 0", allocs)
	}
}
