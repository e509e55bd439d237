package textfmt

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/internal/corpus"
	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

var marker = []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}

func msg(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func TestLines(t *testing.T) {
	pfx := func(s string, id uint32, ap bool) []byte {
		return nlri.AppendPrefix(nil, netip.MustParsePrefix(s), id, ap)
	}
	addPath, _ := wire.Context{ASN4: true}.WithAddPath(wire.IPv4Unicast, true)

	var full []byte
	full = attr.AppendOrigin(full, attr.OriginIGP)
	full = attr.AppendASPath(full, []attr.Segment{{Type: attr.ASSequence, ASNs: []uint32{65001, 65002}}, {Type: attr.ASSet, ASNs: []uint32{3, 4}}}, true)
	full = attr.AppendNextHop(full, netip.MustParseAddr("192.0.2.1"))
	full = attr.AppendMED(full, 10)
	full = attr.AppendLocalPref(full, 100)
	full = attr.AppendCommunities(full, []attr.Community{65000<<16 | 1, attr.CommunityNoExport})
	rt, _ := attr.ParseExtCommunity("target:65000:1")
	full = attr.AppendExtCommunities(full, []attr.ExtCommunity{rt})
	full = attr.AppendLargeCommunities(full, []attr.LargeCommunity{{Global: 65000, Local1: 1, Local2: 2}})
	full = attr.AppendOTC(full, 65010)
	full = attr.AppendRaw(full, attr.FlagOptional|attr.FlagTransitive, 153, []byte{0xDE, 0xAD})

	ll := append(netip.MustParseAddr("2001:db8::1").AsSlice(), netip.MustParseAddr("fe80::1").AsSlice()...)
	mp := attr.AppendOrigin(nil, attr.OriginIGP)
	mp = attr.AppendASPath(mp, nil, true)
	mp = attr.AppendMPReach(mp, wire.IPv6Unicast, ll, pfx("2001:db8::/32", 0, false))
	mp = attr.AppendMPUnreach(mp, wire.IPv4Multicast, pfx("10.1.0.0/16", 0, false))

	evpn := wire.Family{AFI: wire.AFIL2VPN, SAFI: wire.SAFIEVPN}
	raw := attr.AppendOrigin(nil, attr.OriginIGP)
	raw = attr.AppendASPath(raw, nil, true)
	raw = attr.AppendMPReach(raw, evpn, []byte{10, 0, 0, 1}, []byte{0x03, 0x00})

	var as4 []byte
	as4 = attr.AppendOrigin(as4, attr.OriginIGP)
	as4 = attr.AppendASPath(as4, []attr.Segment{{Type: attr.ASSequence, ASNs: []uint32{65001, attr.ASTrans}}}, false)
	as4 = attr.AppendNextHop(as4, netip.MustParseAddr("10.0.0.1"))
	as4 = attr.AppendAS4Path(as4, []attr.Segment{{Type: attr.ASSequence, ASNs: []uint32{4200000001}}})

	badOrigin := append(attr.AppendASPath(nil, nil, true), 0x40, 0x01, 0x01, 0x07) // ORIGIN 7
	badOrigin = attr.AppendNextHop(badOrigin, netip.MustParseAddr("10.0.0.1"))

	caps := capability.AppendMultiprotocol(nil, wire.IPv4Unicast)
	caps = capability.AppendASN4(caps, 65001)

	tests := []struct {
		name string
		msg  []byte
		ctx  wire.Context
		want string
	}{
		{"keepalive", wire.AppendKeepalive(nil), wire.Context{}, "keepalive\n"},
		{"route-refresh", wire.AppendRouteRefresh(nil, wire.RouteRefresh{Family: wire.IPv4Unicast, Subtype: wire.RefreshBoRR}), wire.Context{},
			"route-refresh ipv4/unicast begin\n"},
		{"notification", wire.AppendNotification(nil, wire.Notification{Code: 6, Subcode: 2, Data: wire.AppendCommunication(nil, "bye \"now\"")}), wire.Context{},
			"notification 6/2 Cease/Administrative shutdown \"bye \\\"now\\\"\"\n"},
		{"notification data", wire.AppendNotification(nil, wire.Notification{Code: 3, Subcode: 5, Data: []byte{0x40, 0x01}}), wire.Context{},
			"notification 3/5 UPDATE message error/Attribute length error data 4001\n"},
		{"open", message.AppendOpen(nil, message.OpenParams{ASN: 65001, HoldTime: 90, RouterID: netip.MustParseAddr("192.0.2.1"), Caps: caps}), wire.Context{},
			"open version 4 asn 65001 my-as 65001 hold-time 90 router-id 192.0.2.1 caps [multiprotocol ipv4/unicast; asn4 65001]\n"},
		{"eor", msg(marker, []byte{0x00, 0x17, 0x02, 0, 0, 0, 0}), wire.Context{}, "eor ipv4/unicast\n"},
		{"ipv4 add-path", message.AppendUpdate(nil, pfx("10.9.0.0/16", 7, true), full, append(pfx("10.0.0.0/24", 1, true), pfx("10.0.1.0/24", 2, true)...)), addPath,
			"withdraw route 10.9.0.0/16 path-information 7\n" +
				"announce route 10.0.0.0/24 next-hop 192.0.2.1 origin igp as-path [65001 65002 (3 4)] med 10 local-preference 100 community [65000:1 no-export] extended-community [target:65000:1] large-community [65000:1:2] otc 65010 attribute [0x99 0xC0 0xDEAD] path-information 1\n" +
				"announce route 10.0.1.0/24 next-hop 192.0.2.1 origin igp as-path [65001 65002 (3 4)] med 10 local-preference 100 community [65000:1 no-export] extended-community [target:65000:1] large-community [65000:1:2] otc 65010 attribute [0x99 0xC0 0xDEAD] path-information 2\n"},
		{"mp", message.AppendUpdate(nil, nil, mp, nil), wire.Context{ASN4: true},
			"withdraw route 10.1.0.0/16 family ipv4/multicast\n" +
				"announce route 2001:db8::/32 next-hop 2001:db8::1 link-local fe80::1 origin igp as-path []\n"},
		{"raw family", message.AppendUpdate(nil, nil, raw, nil), wire.Context{ASN4: true},
			"announce l2vpn/evpn raw 0300 next-hop 10.0.0.1 origin igp as-path []\n"},
		{"as4 merged", message.AppendUpdate(nil, nil, as4, pfx("10.2.0.0/16", 0, false)), wire.Context{},
			"announce route 10.2.0.0/16 next-hop 10.0.0.1 origin igp as-path [65001 4200000001]\n"},
		{"rfc7606", message.AppendUpdate(nil, nil, badOrigin, pfx("10.3.0.0/16", 0, false)), wire.Context{ASN4: true},
			"rfc7606 treat-as-withdraw \"attr: invalid origin 7\"\n" +
				"announce route 10.3.0.0/16 next-hop 10.0.0.1 attribute [0x01 0x40 0x07] as-path []\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := AppendMessage(nil, tt.msg, tt.ctx, zejson.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", out, tt.want)
			}
		})
	}
}

func TestMetaAndError(t *testing.T) {
	m := zejson.Meta{
		Index: 4, Stream: 1, Time: time.Date(2026, 3, 1, 12, 0, 0, 5000, time.UTC),
		Src: netip.MustParseAddrPort("10.0.0.1:179"), Dst: netip.MustParseAddrPort("10.0.0.2:4000"),
	}
	out, err := AppendMessage([]byte("> "), wire.AppendKeepalive(nil), wire.Context{}, m)
	if err != nil {
		t.Fatal(err)
	}
	if w := "> 2026-03-01T12:00:00.000005Z 1 10.0.0.1:179>10.0.0.2:4000 keepalive\n"; string(out) != w {
		t.Errorf("got %q, want %q", out, w)
	}

	bad := msg(marker, []byte{0x00, 0x18, 0x05, 0, 1, 1, 1, 0}) // BoRR ROUTE-REFRESH with a 5-octet body (RFC 7313 §5)
	out, err = AppendMessage(nil, bad, wire.Context{}, zejson.Meta{Stream: -1})
	var we *wire.Error
	if !errors.As(err, &we) || we.Code != wire.CodeRouteRefresh {
		t.Fatalf("error %v", err)
	}
	if !strings.HasPrefix(string(out), `error "wire: route-refresh body is 5 octets, want 4" action session-reset notification 7/1 `) ||
		!strings.HasSuffix(string(out), " raw FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0018050001010100\n") {
		t.Errorf("got %q", out)
	}
	if out, err = AppendMessage(nil, []byte{1, 2}, wire.Context{}, zejson.Meta{Stream: -1}); err == nil ||
		string(out) != "error \"textfmt: message shorter than the 19-octet header\" action session-reset notification 1/2 Message header error/Bad message length raw 0102\n" {
		t.Errorf("short message: %q, %v", out, err)
	}
}

// TestRouteRoundTrip feeds each announce/withdraw route line of the
// captures that uses only words package route knows back through
// route.Parse and Route.AppendUpdate, and checks that rendering the
// resulting UPDATE gives the same line: the text is the encoder's input
// syntax.
func TestRouteRoundTrip(t *testing.T) {
	tried := 0
	for _, name := range goldenCaptures {
		for _, c := range corpus.MustLoad(t, captureDir, name) {
			text, err := AppendMessage(nil, c.Data, c.Ctx, zejson.NoMeta)
			if err != nil {
				continue
			}
			for _, line := range strings.Split(strings.TrimSuffix(string(text), "\n"), "\n") {
				if !strings.HasPrefix(line, "announce route ") && !strings.HasPrefix(line, "withdraw route ") ||
					strings.Contains(line, " attribute [") || strings.Contains(line, " otc ") ||
					strings.Contains(line, " link-local ") || strings.Contains(line, "next-hop-raw") ||
					strings.Contains(line, " ipv6-extended-community ") {
					continue
				}
				r, err := route.Parse(line)
				if err != nil {
					t.Errorf("%s: route.Parse(%q): %v", name, line, err)
					continue
				}
				upd, err := r.AppendUpdate(nil, c.Ctx)
				if err != nil {
					t.Errorf("%s: encoding %q: %v", name, line, err)
					continue
				}
				again, err := AppendMessage(nil, upd, c.Ctx, zejson.NoMeta)
				if err != nil {
					t.Errorf("%s: decoding the encoding of %q: %v", name, line, err)
					continue
				}
				if got := strings.TrimSuffix(string(again), "\n"); got != line {
					t.Errorf("%s: round trip\n got %s\nwant %s", name, got, line)
				}
				tried++
			}
		}
	}
	t.Logf("%d lines round-tripped", tried)
	if tried < 100 {
		t.Errorf("only %d lines round-tripped", tried)
	}
}

// FuzzAppendMessage protects the text renderer on any input: no panic,
// dst's prefix kept, every line ends in '\n', and an error comes back
// (as a *wire.Error) exactly when the output is one "error" line.
func FuzzAppendMessage(f *testing.F) {
	for _, name := range goldenCaptures {
		for _, c := range corpus.MustLoad(f, captureDir, name) {
			f.Add(byte(0), c.Data)
			f.Add(byte(0xFF), c.Data)
		}
	}
	f.Fuzz(func(t *testing.T, flags byte, m []byte) {
		ctx := wire.Context{ASN4: flags&1 != 0, ExtendedMessage: flags&2 != 0}
		if flags&4 != 0 {
			ctx, _ = ctx.WithAddPath(wire.IPv4Unicast, true)
			ctx, _ = ctx.WithAddPath(wire.IPv6Unicast, true)
		}
		out, err := AppendMessage([]byte("x"), m, ctx, zejson.NoMeta)
		if len(out) < 2 || out[0] != 'x' || out[len(out)-1] != '\n' {
			t.Fatalf("bad output %q", out)
		}
		text := out[1:]
		isErr := bytes.HasPrefix(text, []byte("error ")) && bytes.Count(text, []byte("\n")) == 1
		if isErr != (err != nil) {
			t.Fatalf("err = %v but output %q", err, text)
		}
		var we *wire.Error
		if err != nil && !errors.As(err, &we) {
			t.Fatalf("error %T is not a *wire.Error", err)
		}
	})
}
