package mrt

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// recordOf parses one record built by record().
func recordOf(t *testing.T, b []byte) *Record {
	t.Helper()
	r, err := NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if !r.Next() {
		t.Fatalf("no record in %x (damage %v)", b, r.Damage().Kept)
	}
	return r.Record()
}

func TestParseBGP4MP(t *testing.T) {
	keepalive := bgpMessage(4, nil)
	tests := []struct {
		name string
		typ  Type
		sub  uint16
		body []byte
		want BGP4MP
		err  error
	}{
		{"state change IPv4", TypeBGP4MP, BGP4MPStateChange, []byte{
			0xFD, 0xE9, // peer AS 65001
			0xFD, 0xEA, // local AS 65002
			0x00, 0x03, // interface index 3
			0x00, 0x01, // AFI IPv4
			192, 0, 2, 1, // peer IP
			192, 0, 2, 2, // local IP
			0x00, 0x05, // old state OpenConfirm
			0x00, 0x06, // new state Established
		}, BGP4MP{Subtype: 0, PeerAS: 65001, LocalAS: 65002, Interface: 3, AFI: wire.AFIIPv4,
			PeerIP: netip.MustParseAddr("192.0.2.1"), LocalIP: netip.MustParseAddr("192.0.2.2"), OldState: 5, NewState: 6}, nil},
		{"state change AS4 IPv6 (ET)", TypeBGP4MPET, BGP4MPStateChangeAS4, cat([]byte{
			0xFA, 0x56, 0xEA, 0x01, // peer AS 4200000001
			0x00, 0x00, 0xFD, 0xEA, // local AS 65002
			0x00, 0x00, // interface index
			0x00, 0x02, // AFI IPv6
		}, addr16("2001:db8::1"), addr16("2001:db8::2"), []byte{
			0x00, 0x01, 0x00, 0x02, // Idle → Connect
		}), BGP4MP{Subtype: 5, PeerAS: 4200000001, LocalAS: 65002, AFI: wire.AFIIPv6,
			PeerIP: netip.MustParseAddr("2001:db8::1"), LocalIP: netip.MustParseAddr("2001:db8::2"), OldState: 1, NewState: 2}, nil},
		{"zebra's 8-octet state change", TypeBGP4MP, BGP4MPStateChange, []byte{
			0xFD, 0xE9, 0xFD, 0xEA, // peer AS, local AS
			0x00, 0x03, 0x00, 0x01, // Active → Idle, right after the ASNs
		}, BGP4MP{PeerAS: 65001, LocalAS: 65002, AFI: wire.AFIIPv4, PeerIP: netip.IPv4Unspecified(),
			LocalIP: netip.IPv4Unspecified(), OldState: 3, NewState: 1}, nil},
		{"message AS4 IPv4", TypeBGP4MP, BGP4MPMessageAS4, cat([]byte{
			0x00, 0x00, 0xFD, 0xE9, // peer AS 65001
			0x00, 0x00, 0xFD, 0xEA, // local AS 65002
			0x00, 0x00, 0x00, 0x01, // interface 0, AFI IPv4
			10, 0, 0, 1, 10, 0, 0, 2, // peer IP, local IP
		}, keepalive), BGP4MP{Subtype: 4, PeerAS: 65001, LocalAS: 65002, AFI: wire.AFIIPv4,
			PeerIP: netip.MustParseAddr("10.0.0.1"), LocalIP: netip.MustParseAddr("10.0.0.2"), Message: keepalive}, nil},
		{"zebra's OPEN form", TypeBGP4MP, BGP4MPMessage, cat([]byte{
			0xFD, 0xE9, 0xFD, 0xEA, // peer AS, local AS
		}, keepalive), BGP4MP{Subtype: 1, PeerAS: 65001, LocalAS: 65002, AFI: wire.AFIIPv4, PeerIP: netip.IPv4Unspecified(),
			LocalIP: netip.IPv4Unspecified(), Message: keepalive}, nil},
		{"unknown AFI", TypeBGP4MP, BGP4MPMessage, []byte{0, 1, 0, 2, 0, 0, 0, 9, 1, 2, 3, 4}, BGP4MP{}, ErrAFI},
		{"short addresses", TypeBGP4MP, BGP4MPMessage, []byte{0, 1, 0, 2, 0, 0, 0, 1, 1, 2, 3, 4}, BGP4MP{}, ErrShort},
		{"BGP4MP_ENTRY", TypeBGP4MP, 2, []byte{0, 1, 0, 2}, BGP4MP{}, ErrSubtype},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseBGP4MP(recordOf(t, record(1, tt.typ, tt.sub, tt.body)))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if m.PeerAS != tt.want.PeerAS || m.LocalAS != tt.want.LocalAS || m.Interface != tt.want.Interface ||
				m.AFI != tt.want.AFI || m.PeerIP != tt.want.PeerIP || m.LocalIP != tt.want.LocalIP ||
				m.OldState != tt.want.OldState || m.NewState != tt.want.NewState || !bytes.Equal(m.Message, tt.want.Message) {
				t.Errorf("got %+v\nwant %+v", m, tt.want)
			}
		})
	}
	if _, err := ParseBGP4MP(recordOf(t, stateRecord(1, 1, 2))); err != nil {
		t.Error(err)
	}
	if _, err := ParseBGP4MP(&Record{Type: TypeTableDump}); err != ErrWrongType {
		t.Errorf("wrong type: %v", err)
	}
}

func TestBGP4MPContext(t *testing.T) {
	for _, tc := range []struct {
		sub            uint16
		as4, ap, local bool
	}{
		{BGP4MPMessage, false, false, false}, {BGP4MPMessageAS4, true, false, false},
		{BGP4MPMessageLocal, false, false, true}, {BGP4MPMessageAS4Local, true, false, true},
		{BGP4MPMessageAddPath, false, true, false}, {BGP4MPMessageAS4AddPath, true, true, false},
		{BGP4MPMessageLocalAddPath, false, true, true}, {BGP4MPMessageAS4LocalAddPath, true, true, true},
	} {
		m := BGP4MP{Subtype: tc.sub}
		c := m.Context()
		if m.AS4() != tc.as4 || c.ASN4 != tc.as4 || m.AddPath() != tc.ap || c.AddPath(wire.IPv6Unicast) != tc.ap || m.Local() != tc.local {
			t.Errorf("subtype %d: as4 %v addpath %v local %v", tc.sub, m.AS4(), m.AddPath(), m.Local())
		}
	}
}

func TestParseTableDump(t *testing.T) {
	body := []byte{
		0x00, 0x00, // view 0
		0x00, 0x07, // sequence 7
		3, 0, 0, 0, // prefix 3.0.0.0
		8,                      // prefix length
		1,                      // status
		0x3D, 0x3C, 0x8E, 0x3F, // originated 1027378751
		193, 203, 0, 1, // peer IP
		0x07, 0x3D, // peer AS 1853
		0x00, 0x04, // attribute length
		0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
	}
	td, err := ParseTableDump(recordOf(t, record(1, TypeTableDump, TableDumpAFIIPv4, body)))
	if err != nil {
		t.Fatal(err)
	}
	if td.Sequence != 7 || td.Prefix() != netip.MustParsePrefix("3.0.0.0/8") || td.Status != 1 || td.Originated != 1027378751 ||
		td.PeerIP != netip.MustParseAddr("193.203.0.1") || td.PeerAS != 1853 || !bytes.Equal(td.Attrs, []byte{0x40, 1, 1, 0}) {
		t.Errorf("%+v", td)
	}
	upd, err := td.AppendUpdate(nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := message.ParseUpdate(upd)
	if err != nil || !bytes.Equal(u.NLRI, []byte{8, 3}) || !bytes.Equal(u.Attrs, []byte{0x40, 1, 1, 0}) {
		t.Errorf("update %x: %v", upd, err)
	}
	if _, err := ParseTableDump(recordOf(t, record(1, TypeTableDump, TableDumpAFIIPv4, body[:20]))); err != ErrShort {
		t.Errorf("short: %v", err)
	}
}

func TestParsePeerIndexAndRIB(t *testing.T) {
	peers := cat([]byte{
		10, 0, 0, 1, // collector BGP ID
		0x00, 0x04, 'v', 'i', 'e', 'w', // view name
		0x00, 0x02, // peer count
		0x00, // peer type: IPv4, 2-octet AS
	}, addr4("10.0.0.2"), addr4("192.0.2.2"), []byte{0xFD, 0xE9}, []byte{
		0x03, // peer type: IPv6, 4-octet AS
	}, addr4("10.0.0.3"), addr16("2001:db8::3"), []byte{0xFA, 0x56, 0xEA, 0x01})
	pt, err := ParsePeerIndex(recordOf(t, record(1, TypeTableDumpV2, PeerIndexTable, peers)))
	if err != nil {
		t.Fatal(err)
	}
	var got []PeerIndexEntry
	it := pt.Peers()
	for it.Next() {
		got = append(got, it.Peer())
	}
	if string(pt.ViewName) != "view" || pt.CollectorID != netip.MustParseAddr("10.0.0.1") || len(got) != 2 ||
		got[0] != (PeerIndexEntry{Index: 0, Type: 0, BGPID: netip.MustParseAddr("10.0.0.2"), IP: netip.MustParseAddr("192.0.2.2"), AS: 65001}) ||
		got[1] != (PeerIndexEntry{Index: 1, Type: 3, BGPID: netip.MustParseAddr("10.0.0.3"), IP: netip.MustParseAddr("2001:db8::3"), AS: 4200000001}) {
		t.Errorf("%+v %+v", pt, got)
	}
	if _, err := ParsePeerIndex(recordOf(t, record(1, TypeTableDumpV2, PeerIndexTable, peers[:len(peers)-1]))); err != ErrShort {
		t.Errorf("short table: %v", err)
	}

	attrs := []byte{
		0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xFD, 0xE9, // AS_PATH 65001
		0x80, 0x0E, 0x11, 0x10, // MP_REACH_NLRI, RFC 6396 §4.3.4 form: next hop length 16 …
	}
	attrs = append(attrs, addr16("2001:db8::2")...) // … next hop
	rib := cat([]byte{
		0x00, 0x00, 0x00, 0x2A, // sequence 42
		0x20, 0x20, 0x01, 0x0D, 0xB8, // 2001:db8::/32
		0x00, 0x01, // one entry
		0x00, 0x01, // peer index 1
		0x5F, 0x5E, 0x10, 0x00, // originated
		0x00, 0x00, 0x00, 0x07, // path ID 7
		0x00, byte(len(attrs)),
	}, attrs)
	r, err := ParseRIB(recordOf(t, record(1, TypeTableDumpV2, RIBIPv6UnicastAddPath, rib)))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := r.Prefix()
	if !ok || p != netip.MustParsePrefix("2001:db8::/32") || r.Sequence != 42 || r.EntryCount != 1 || !r.AddPath() || r.Family != wire.IPv6Unicast {
		t.Fatalf("%+v", r)
	}
	e := r.Entries()
	if !e.Next() || e.PeerIndex() != 1 || e.PathID() != 7 || e.Originated() != 0x5F5E1000 || !bytes.Equal(e.Attrs(), attrs) || e.Next() || e.Err() != nil {
		t.Fatalf("entry: %d %d %v", e.PeerIndex(), e.PathID(), e.Err())
	}
	upd, err := r.AppendUpdate(nil, attrs, 7)
	if err != nil {
		t.Fatal(err)
	}
	want := cat([]byte{
		0x40, 0x01, 0x01, 0x00,
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xFD, 0xE9,
		0x80, 0x0E, 0x1E, // MP_REACH_NLRI, 30 octets
		0x00, 0x02, 0x01, 0x10, // AFI IPv6, SAFI unicast, next hop length 16
	}, addr16("2001:db8::2"), []byte{
		0x00,                   // reserved
		0x00, 0x00, 0x00, 0x07, // path ID
		0x20, 0x20, 0x01, 0x0D, 0xB8, // 2001:db8::/32
	})
	u, err := message.ParseUpdate(upd)
	if err != nil || !bytes.Equal(u.Attrs, want) || len(u.NLRI) != 0 {
		t.Errorf("update attrs\n got %x\nwant %x (%v)", u.Attrs, want, err)
	}

	// An entry count beyond the entries, and octets after the last one.
	bad := append([]byte(nil), rib...)
	bad[10] = 2
	r, _ = ParseRIB(recordOf(t, record(1, TypeTableDumpV2, RIBIPv6UnicastAddPath, bad)))
	if e := r.Entries(); !e.Next() || e.Next() || e.Err() != ErrShort {
		t.Errorf("count beyond entries: %v", e.Err())
	}
	r, _ = ParseRIB(recordOf(t, record(1, TypeTableDumpV2, RIBIPv6UnicastAddPath, append(rib, 0xEE))))
	if e := r.Entries(); !e.Next() || e.Next() || e.Err() != ErrTrailing {
		t.Errorf("trailing: %v", e.Err())
	}
	if _, err := ParseRIB(recordOf(t, record(1, TypeTableDumpV2, RIBIPv4Unicast, []byte{0, 0, 0, 1, 33, 1, 2, 3, 4, 5, 0, 0}))); err != ErrPrefixLen {
		t.Errorf("/33: %v", err)
	}
}

func TestRIBGeneric(t *testing.T) {
	body := []byte{
		0x00, 0x00, 0x00, 0x01, // sequence
		0x00, 0x01, 0x80, // AFI IPv4, SAFI 128 (VPN)
		0x68, // NLRI: 104 bits: label (3), RD (8), prefix 10.1/16 (2)
		0x00, 0x00, 0x11, 0x00, 0x00, 0xFD, 0xE9, 0x00, 0x00, 0x00, 0x01, 10, 1,
		0x00, 0x00, // no entries
	}
	r, err := ParseRIB(recordOf(t, record(1, TypeTableDumpV2, RIBGeneric, body)))
	if err != nil || r.Family != (wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFIVPN}) || len(r.NLRI) != 14 || r.EntryCount != 0 {
		t.Fatalf("%+v %v", r, err)
	}
	if _, ok := r.Prefix(); ok {
		t.Error("a VPN NLRI is no IP prefix")
	}
	body[6] = 200 // an unknown SAFI: the NLRI length cannot be told
	if _, err := ParseRIB(recordOf(t, record(1, TypeTableDumpV2, RIBGeneric, body))); err != ErrAFI {
		t.Errorf("unknown SAFI: %v", err)
	}
}

func TestAppendUpdateIPv4(t *testing.T) {
	rib := RIB{Subtype: RIBIPv4UnicastAddPath, Family: wire.IPv4Unicast, NLRI: []byte{24, 10, 0, 1}}
	attrs := []byte{
		0x40, 0x01, 0x01, 0x02, // ORIGIN INCOMPLETE
		0x80, 0x0E, 0x05, 0x04, 192, 0, 2, 9, // MP_REACH_NLRI, next hop only: becomes NEXT_HOP
	}
	upd, err := rib.AppendUpdate(nil, attrs, 3)
	if err != nil {
		t.Fatal(err)
	}
	u, err := message.ParseUpdate(upd)
	want := []byte{0x40, 0x01, 0x01, 0x02, 0x40, 0x03, 0x04, 192, 0, 2, 9}
	if err != nil || !bytes.Equal(u.Attrs, want) || !bytes.Equal(u.NLRI, []byte{0, 0, 0, 3, 24, 10, 0, 1}) {
		t.Errorf("%x %x %v", u.Attrs, u.NLRI, err)
	}
	// A truncated MP_REACH_NLRI is reported; the UPDATE is still built.
	if _, err := rib.AppendUpdate(nil, []byte{0x80, 0x0E, 0x02, 0x04, 1}, 0); err != ErrShort {
		t.Errorf("short MP_REACH_NLRI: %v", err)
	}
	// A malformed attribute list is copied as is after the error.
	upd, err = rib.AppendUpdate(nil, []byte{0x40, 0x01, 0x05, 0x00}, 0)
	if err == nil || !bytes.Contains(upd, []byte{0x40, 0x01, 0x05, 0x00}) {
		t.Errorf("malformed list: %x %v", upd, err)
	}
}

func TestParseLegacyBGP(t *testing.T) {
	update := []byte{
		0x00, 0x00, // withdrawn routes length
		0x00, 0x04, 0x40, 0x01, 0x01, 0x00, // attributes: ORIGIN IGP
		0x08, 0x0A, // NLRI 10.0.0.0/8
	}
	body := cat([]byte{
		0x07, 0x3D, 193, 203, 0, 1, // peer AS 1853, peer IP
		0x30, 0x39, 193, 203, 0, 9, // local AS 12345, local IP
	}, update)
	m, err := ParseLegacyBGP(recordOf(t, record(1, TypeBGP, BGPUpdate, body)))
	if err != nil || m.PeerAS != 1853 || m.LocalAS != 12345 || m.PeerIP != netip.MustParseAddr("193.203.0.1") || !bytes.Equal(m.Body, update) {
		t.Fatalf("%+v %v", m, err)
	}
	msg := m.AppendMessage(nil)
	if !bytes.Equal(msg, bgpMessage(2, update)) {
		t.Errorf("message %x", msg)
	}
	state := []byte{0x07, 0x3D, 193, 203, 0, 1, 0x00, 0x01, 0x00, 0x02}
	m, err = ParseLegacyBGP(recordOf(t, record(1, TypeBGP, BGPStateChange, state)))
	if err != nil || m.OldState != 1 || m.NewState != 2 || m.AppendMessage(nil) != nil {
		t.Errorf("state %+v %v", m, err)
	}
	if _, err := ParseLegacyBGP(recordOf(t, record(1, TypeBGP, BGPSync, []byte{0, 0}))); err != ErrSubtype {
		t.Errorf("sync: %v", err)
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{SubtypeString(TypeBGP4MPET, BGP4MPMessageAS4AddPath), "MESSAGE_AS4_ADDPATH"},
		{SubtypeString(TypeTableDumpV2, RIBGenericAddPath), "RIB_GENERIC_ADDPATH"},
		{SubtypeString(TypeTableDump, 2), "AFI_IPv6"},
		{SubtypeString(TypeBGP, BGPKeepalive), "BGP_KEEPALIVE"},
		{SubtypeString(TypeOSPFv2, 3), "3"},
		{StateName(StateOpenConfirm), "OpenConfirm"},
		{StateName(9), "state-9"},
		{CompressionBzip2.String(), "bzip2"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}
