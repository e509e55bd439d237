package zejson

import (
	"encoding/json"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/nlri"
	"github.com/ze-bgp/ze/speaker/wire"
)

// marker is the 16-octet all-ones header marker.
var marker = []byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}

func msg(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// decode renders m and unmarshals the result; it fails the test on
// invalid JSON.
func decode(t *testing.T, m []byte, ctx wire.Context, meta Meta) (map[string]any, error) {
	t.Helper()
	out, err := AppendMessage(nil, m, ctx, meta)
	if !json.Valid(out) {
		t.Fatalf("invalid JSON: %s", out)
	}
	var v map[string]any
	if e := json.Unmarshal(out, &v); e != nil {
		t.Fatal(e)
	}
	return v, err
}

// get walks v along a path of map keys and slice indexes.
func get(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %q: %v is not an object", k, v)
			}
			if v, ok = m[k]; !ok {
				t.Fatalf("no member %q in %v", k, m)
			}
		case int:
			s, ok := v.([]any)
			if !ok || k >= len(s) {
				t.Fatalf("at [%d]: %v is not a long enough list", k, v)
			}
			v = s[k]
		}
	}
	return v
}

func want(t *testing.T, v any, w any, path ...any) {
	t.Helper()
	if got := get(t, v, path...); !reflect.DeepEqual(got, w) {
		t.Errorf("%v = %#v, want %#v", path, got, w)
	}
}

func TestKeepaliveAndMeta(t *testing.T) {
	ka := msg(marker, []byte{
		0x00, 0x13, // length 19
		0x04, // type KEEPALIVE
	})
	tests := []struct {
		name string
		meta Meta
		want map[string]any
	}{
		{"zero meta", Meta{}, map[string]any{"type": "keepalive", "length": 19.0}},
		{"no meta", NoMeta, map[string]any{"type": "keepalive", "length": 19.0}},
		{"stream 0 kept", Meta{Stream: 0, Index: 1}, map[string]any{"index": 1.0, "stream": 0.0, "type": "keepalive", "length": 19.0}},
		{"full", Meta{
			Index: 3, Stream: 2,
			Src:  netip.MustParseAddrPort("10.0.0.1:179"),
			Dst:  netip.MustParseAddrPort("[2001:db8::1]:40000"),
			Time: time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600)),
		}, map[string]any{
			"index": 3.0, "stream": 2.0, "src": "10.0.0.1:179", "dst": "[2001:db8::1]:40000",
			"time": "2026-01-02T02:04:05.0000006Z", "type": "keepalive", "length": 19.0,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decode(t, ka, wire.Context{}, tt.meta)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(v, tt.want) {
				t.Errorf("got %v, want %v", v, tt.want)
			}
		})
	}
}

func TestMemberOrder(t *testing.T) {
	ka := wire.AppendKeepalive(nil)
	out, _ := AppendMessage([]byte("prefix:"), ka, wire.Context{}, Meta{Index: 1, Stream: 0, Time: time.Unix(0, 0)})
	const w = `prefix:{"index":1,"time":"1970-01-01T00:00:00Z","stream":0,"type":"keepalive","length":19}`
	if string(out) != w {
		t.Errorf("got  %s\nwant %s", out, w)
	}
}

func TestNotification(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
		want map[string]any
	}{
		{"shutdown communication", msg(marker, []byte{
			0x00, 0x1A, // length 26
			0x03,       // NOTIFICATION
			0x06, 0x02, // Cease / Administrative Shutdown
			0x04, 'm', 'a', 'i', 'n', // RFC 9003: length 4, "main"
		}), map[string]any{
			"code": 6.0, "subcode": 2.0, "code-name": "Cease", "subcode-name": "Administrative shutdown",
			"data": "046D61696E", "communication": "main",
		}},
		{"text data", msg(marker, []byte{
			0x00, 0x17, // length 23
			0x03,       // NOTIFICATION
			0x01, 0x00, // Message Header Error / unspecific
			'o', 'k', // data "ok"
		}), map[string]any{
			"code": 1.0, "subcode": 0.0, "code-name": "Message header error", "subcode-name": "Unspecific",
			"data": "6F6B", "data-text": "ok",
		}},
		{"binary data", msg(marker, []byte{
			0x00, 0x17, // length 23
			0x03,       // NOTIFICATION
			0x03, 0x05, // UPDATE Message Error / Attribute Length Error
			0x40, 0x01, // the attribute
		}), map[string]any{
			"code": 3.0, "subcode": 5.0, "code-name": "UPDATE message error", "subcode-name": "Attribute length error",
			"data": "4001",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decode(t, tt.msg, wire.Context{}, Meta{})
			if err != nil {
				t.Fatal(err)
			}
			want(t, v, "notification", "type")
			want(t, v, tt.want, "notification")
		})
	}
}

func TestRouteRefresh(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want map[string]any
	}{
		{"begin", []byte{0x00, 0x02, 0x01, 0x01}, // AFI 2, subtype 1 (BoRR), SAFI 1
			map[string]any{"family": "ipv6/unicast", "subtype": "begin"}},
		{"normal", []byte{0x00, 0x01, 0x00, 0x80}, // AFI 1, subtype 0, SAFI 128
			map[string]any{"family": "ipv4/mpls-vpn", "subtype": "refresh"}},
		{"reserved", []byte{0x00, 0x01, 0x07, 0x01}, // AFI 1, subtype 7, SAFI 1
			map[string]any{"family": "ipv4/unicast", "subtype": "reserved", "subtype-code": 7.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := msg(marker, []byte{0x00, 0x17, 0x05}, tt.body) // length 23, ROUTE-REFRESH
			v, err := decode(t, m, wire.Context{}, Meta{})
			if err != nil {
				t.Fatal(err)
			}
			want(t, v, tt.want, "route-refresh")
		})
	}
}

func TestOpen(t *testing.T) {
	var caps []byte
	caps = capability.AppendMultiprotocol(caps, wire.IPv4Unicast)
	caps = capability.AppendMultiprotocol(caps, wire.Family{AFI: wire.AFIL2VPN, SAFI: wire.SAFIEVPN})
	caps = capability.AppendEmpty(caps, capability.CodeRouteRefresh)
	caps = capability.AppendASN4(caps, 4200000001)
	caps = capability.AppendAddPath(caps,
		capability.AddPathFamily{Family: wire.IPv4Unicast, Mode: capability.AddPathBoth},
		capability.AddPathFamily{Family: wire.IPv6Unicast, Mode: capability.AddPathReceive})
	caps = capability.AppendGracefulRestart(caps, capability.RestartState, 120,
		capability.RestartFamily{Family: wire.IPv4Unicast, Flags: capability.FlagForwarding})
	caps = capability.AppendLLGR(caps, capability.LLGRFamily{Family: wire.IPv6Unicast, StaleTime: 3600})
	caps = capability.AppendRole(caps, capability.RoleCustomer)
	caps = capability.AppendFQDN(caps, "r1", "example.net")
	caps = capability.AppendSoftwareVersion(caps, "ze/0.1")
	caps = capability.AppendExtendedNextHop(caps, capability.NextHopFamily{Family: wire.IPv4Unicast, NextHopAFI: wire.AFIIPv6})
	caps = capability.Append(caps, 200, []byte{0xAB, 0xCD})        // unknown capability
	caps = capability.Append(caps, capability.CodeASN4, []byte{1}) // malformed
	m := message.AppendOpen(nil, message.OpenParams{
		ASN: 4200000001, HoldTime: 90, RouterID: netip.MustParseAddr("192.0.2.1"), Caps: caps,
	})
	v, err := decode(t, m, wire.Context{}, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	want(t, v, "open", "type")
	o := get(t, v, "open")
	want(t, o, 4.0, "version")
	want(t, o, 23456.0, "my-as")
	want(t, o, 4200000001.0, "asn")
	want(t, o, 90.0, "hold-time")
	want(t, o, "192.0.2.1", "router-id")
	if _, ok := o.(map[string]any)["extended-optional-parameters"]; ok {
		t.Error("extended-optional-parameters on a plain OPEN")
	}
	wantCaps := []map[string]any{
		{"code": 1.0, "name": "multiprotocol", "family": "ipv4/unicast"},
		{"code": 1.0, "name": "multiprotocol", "family": "l2vpn/evpn"},
		{"code": 2.0, "name": "route-refresh"},
		{"code": 65.0, "name": "asn4", "asn": 4200000001.0},
		{"code": 69.0, "name": "add-path", "families": []any{
			map[string]any{"family": "ipv4/unicast", "send": true, "receive": true},
			map[string]any{"family": "ipv6/unicast", "send": false, "receive": true},
		}},
		{"code": 64.0, "name": "graceful-restart", "restart-time": 120.0, "restarting": true, "notification": false,
			"families": []any{map[string]any{"family": "ipv4/unicast", "forwarding": true}}},
		{"code": 71.0, "name": "llgr", "families": []any{
			map[string]any{"family": "ipv6/unicast", "forwarding": false, "stale-time": 3600.0}}},
		{"code": 9.0, "name": "role", "role": "customer"},
		{"code": 73.0, "name": "fqdn", "hostname": "r1", "domain": "example.net"},
		{"code": 75.0, "name": "software-version", "version": "ze/0.1"},
		{"code": 5.0, "name": "extended-next-hop", "families": []any{
			map[string]any{"family": "ipv4/unicast", "next-hop-afi": "ipv6"}}},
		{"code": 200.0, "name": "capability-200", "hex": "ABCD"},
		{"code": 65.0, "name": "asn4", "error": "capability: asn4: value is 1 octets, want 4", "hex": "01"},
	}
	for i, w := range wantCaps {
		want(t, o, w, "capabilities", i)
	}
	if n := len(get(t, o, "capabilities").([]any)); n != len(wantCaps) {
		t.Errorf("%d capabilities, want %d", n, len(wantCaps))
	}

	// RFC 9072: enough capabilities to need 2-octet parameter lengths.
	var big []byte
	for i := range 60 {
		big = capability.AppendMultiprotocol(big, wire.Family{AFI: wire.AFIIPv4, SAFI: wire.SAFI(i + 1)})
	}
	m = message.AppendOpen(nil, message.OpenParams{ASN: 65001, HoldTime: 180, RouterID: netip.MustParseAddr("192.0.2.2"), Caps: big})
	v, err = decode(t, m, wire.Context{}, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	want(t, v, true, "open", "extended-optional-parameters")
	want(t, v, 65001.0, "open", "asn")
	want(t, v, "ipv4/safi-60", "open", "capabilities", 59, "family")
}

// buildUpdate builds an UPDATE from withdrawn routes, attributes and NLRI.
func buildUpdate(withdrawn, attrs, nlriField []byte) []byte {
	return message.AppendUpdate(nil, withdrawn, attrs, nlriField)
}

func TestUpdateIPv4AllAttributes(t *testing.T) {
	ctx, _ := wire.Context{ASN4: true}.WithAddPath(wire.IPv4Unicast, true)
	var a []byte
	a = attr.AppendOrigin(a, attr.OriginEGP)
	a = attr.AppendASPath(a, []attr.Segment{{Type: attr.ASSequence, ASNs: []uint32{65001, 4200000002}}, {Type: attr.ASSet, ASNs: []uint32{7, 8}}}, true)
	a = attr.AppendNextHop(a, netip.MustParseAddr("192.0.2.1"))
	a = attr.AppendMED(a, 10)
	a = attr.AppendLocalPref(a, 100)
	a = attr.AppendAtomicAggregate(a)
	a = attr.AppendAggregator(a, attr.Aggregator{ASN: 65001, Address: netip.MustParseAddr("192.0.2.9")}, true)
	a = attr.AppendCommunities(a, []attr.Community{65000<<16 | 1, attr.CommunityNoExport})
	a = attr.AppendOriginatorID(a, netip.MustParseAddr("1.1.1.1"))
	a = attr.AppendClusterList(a, []netip.Addr{netip.MustParseAddr("2.2.2.2")})
	rt, _ := attr.ParseExtCommunity("target:65000:1")
	a = attr.AppendExtCommunities(a, []attr.ExtCommunity{rt})
	a = attr.AppendAIGP(a, 42)
	a = attr.AppendLargeCommunities(a, []attr.LargeCommunity{{Global: 65000, Local1: 1, Local2: 2}})
	a = attr.AppendOTC(a, 65010)
	a = attr.AppendRaw(a, attr.FlagOptional|attr.FlagTransitive|attr.FlagPartial, 153, []byte{0xDE, 0xAD})
	withdrawn := nlri.AppendPrefix(nil, netip.MustParsePrefix("10.9.0.0/16"), 5, true)
	announced := nlri.AppendPrefix(nil, netip.MustParsePrefix("10.0.0.0/24"), 1, true)
	announced = nlri.AppendPrefix(announced, netip.MustParsePrefix("10.0.1.0/24"), 2, true)

	v, err := decode(t, buildUpdate(withdrawn, a, announced), ctx, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	u := get(t, v, "update")
	want(t, u, []any{map[string]any{"family": "ipv4/unicast", "nlri": []any{
		map[string]any{"prefix": "10.9.0.0/16", "path-id": 5.0}}}}, "withdraw")
	want(t, u, map[string]any{
		"origin": "egp",
		"as-path": []any{
			map[string]any{"type": "as-sequence", "asns": []any{65001.0, 4200000002.0}},
			map[string]any{"type": "as-set", "asns": []any{7.0, 8.0}},
		},
		"next-hop":           "192.0.2.1",
		"med":                10.0,
		"local-preference":   100.0,
		"atomic-aggregate":   true,
		"aggregator":         map[string]any{"asn": 65001.0, "address": "192.0.2.9"},
		"community":          []any{"65000:1", "no-export"},
		"originator-id":      "1.1.1.1",
		"cluster-list":       []any{"2.2.2.2"},
		"extended-community": []any{"target:65000:1"},
		"aigp":               42.0,
		"large-community":    []any{"65000:1:2"},
		"otc":                65010.0,
		"attribute-153":      map[string]any{"code": 153.0, "flags": "0xE0", "hex": "DEAD"},
	}, "attributes")
	want(t, u, []any{map[string]any{"family": "ipv4/unicast", "next-hop": []any{"192.0.2.1"}, "nlri": []any{
		map[string]any{"prefix": "10.0.0.0/24", "path-id": 1.0},
		map[string]any{"prefix": "10.0.1.0/24", "path-id": 2.0},
	}}}, "announce")
	if _, ok := u.(map[string]any)["rfc7606"]; ok {
		t.Errorf("clean UPDATE has an rfc7606 verdict: %v", u)
	}
}

func TestUpdateMP(t *testing.T) {
	evpn := wire.Family{AFI: wire.AFIL2VPN, SAFI: wire.SAFIEVPN}
	nh := append(netip.MustParseAddr("2001:db8::1").AsSlice(), netip.MustParseAddr("fe80::1").AsSlice()...)
	var a []byte
	a = attr.AppendMPUnreach(a, wire.IPv6Multicast, nlri.AppendPrefix(nil, netip.MustParsePrefix("2001:db8:9::/48"), 0, false))
	a = attr.AppendOrigin(a, attr.OriginIGP)
	a = attr.AppendASPath(a, nil, true)
	a = attr.AppendMPReach(a, wire.IPv6Unicast, nh, nlri.AppendPrefix(nil, netip.MustParsePrefix("2001:db8::/32"), 0, false))
	ctx := wire.Context{ASN4: true}
	v, err := decode(t, buildUpdate(nil, a, nil), ctx, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	want(t, v, []any{map[string]any{"family": "ipv6/multicast", "nlri": []any{map[string]any{"prefix": "2001:db8:9::/48"}}}}, "update", "withdraw")
	want(t, v, []any{map[string]any{"family": "ipv6/unicast", "next-hop": []any{"2001:db8::1", "fe80::1"},
		"nlri": []any{map[string]any{"prefix": "2001:db8::/32"}}}}, "update", "announce")
	want(t, v, map[string]any{"origin": "igp", "as-path": []any{}}, "update", "attributes")

	// A family the codec does not parse: raw NLRI, never an error.
	a = attr.AppendOrigin(nil, attr.OriginIGP)
	a = attr.AppendASPath(a, nil, true)
	a = attr.AppendMPReach(a, evpn, []byte{10, 0, 0, 1}, []byte{0x03, 0x02, 0xAA, 0xBB})
	a = attr.AppendMPUnreach(a, evpn, []byte{0x01, 0x01, 0xCC})
	v, err = decode(t, buildUpdate(nil, a, nil), ctx, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	want(t, v, []any{map[string]any{"family": "l2vpn/evpn", "next-hop": []any{"10.0.0.1"}, "parsed": false, "raw": "0302AABB"}}, "update", "announce")
	want(t, v, []any{map[string]any{"family": "l2vpn/evpn", "parsed": false, "raw": "0101CC"}}, "update", "withdraw")

	// A next hop that is not one or two addresses is shown in hex.
	a = attr.AppendOrigin(nil, attr.OriginIGP)
	a = attr.AppendASPath(a, nil, true)
	a = attr.AppendMPReach(a, evpn, []byte{1, 2, 3}, []byte{0x03, 0x00})
	v, _ = decode(t, buildUpdate(nil, a, nil), ctx, Meta{})
	want(t, v, "010203", "update", "announce", 0, "next-hop-raw")
}

func TestEndOfRIB(t *testing.T) {
	tests := []struct {
		name string
		msg  []byte
		want string
	}{
		{"ipv4", msg(marker, []byte{
			0x00, 0x17, 0x02, // length 23, UPDATE
			0x00, 0x00, // no withdrawn routes
			0x00, 0x00, // no attributes
		}), "ipv4/unicast"},
		{"ipv6", msg(marker, []byte{
			0x00, 0x1D, 0x02, // length 29, UPDATE
			0x00, 0x00, // no withdrawn routes
			0x00, 0x06, // 6 octets of attributes
			0x80, 0x0F, 0x03, // optional, MP_UNREACH_NLRI, length 3
			0x00, 0x02, 0x01, // AFI 2, SAFI 1, no NLRI
		}), "ipv6/unicast"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decode(t, tt.msg, wire.Context{}, Meta{})
			if err != nil {
				t.Fatal(err)
			}
			want(t, v, map[string]any{"end-of-rib": tt.want}, "update")
		})
	}
}

func TestAS4Merge(t *testing.T) {
	var a []byte
	a = attr.AppendOrigin(a, attr.OriginIGP)
	a = attr.AppendASPath(a, []attr.Segment{{Type: attr.ASSequence, ASNs: []uint32{65001, attr.ASTrans, 64513}}}, false)
	a = attr.AppendNextHop(a, netip.MustParseAddr("10.0.0.1"))
	a = attr.AppendAggregator(a, attr.Aggregator{ASN: attr.ASTrans, Address: netip.MustParseAddr("10.9.9.8")}, false)
	a = attr.AppendAS4Path(a, []attr.Segment{{Type: attr.ASSequence, ASNs: []uint32{4200000099, 64513}}})
	a = attr.AppendAS4Aggregator(a, attr.Aggregator{ASN: 4200000098, Address: netip.MustParseAddr("10.9.9.8")})
	m := buildUpdate(nil, a, nlri.AppendPrefix(nil, netip.MustParsePrefix("10.1.0.0/24"), 0, false))
	v, err := decode(t, m, wire.Context{}, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	at := get(t, v, "update", "attributes")
	want(t, at, []any{map[string]any{"type": "as-sequence", "asns": []any{65001.0, 23456.0, 64513.0}}}, "as-path")
	want(t, at, []any{map[string]any{"type": "as-sequence", "asns": []any{4200000099.0, 64513.0}}}, "as4-path")
	want(t, at, []any{map[string]any{"type": "as-sequence", "asns": []any{65001.0, 4200000099.0, 64513.0}}}, "as-path-merged")
	want(t, at, map[string]any{"asn": 4200000098.0, "address": "10.9.9.8"}, "aggregator-merged")

	// On a 4-octet session nothing is merged.
	v, _ = decode(t, m, wire.Context{ASN4: true}, Meta{})
	if _, ok := get(t, v, "update", "attributes").(map[string]any)["as-path-merged"]; ok {
		t.Error("as-path-merged on an ASN4 session")
	}
}

func TestRFC7606(t *testing.T) {
	nlriField := nlri.AppendPrefix(nil, netip.MustParsePrefix("10.1.0.0/24"), 0, false)
	base := func() []byte {
		a := attr.AppendASPath(nil, nil, true)
		return attr.AppendNextHop(a, netip.MustParseAddr("10.0.0.1"))
	}
	tests := []struct {
		name   string
		attrs  []byte
		check  func(t *testing.T, u any)
		action string
	}{
		{"bad origin value", append(base(), 0x40, 0x01, 0x01, 0x05), func(t *testing.T, u any) {
			want(t, u, map[string]any{"error": "attr: invalid origin 5", "action": "treat-as-withdraw", "code": 1.0, "flags": "0x40", "hex": "05"}, "attributes", "origin")
		}, "treat-as-withdraw"},
		{"flags error", append(attr.AppendOrigin(base(), attr.OriginIGP), 0x40, 0x04, 0x04, 0, 0, 0, 1), func(t *testing.T, u any) {
			want(t, u, 1.0, "attributes", "med")
			want(t, u, map[string]any{"med": "0x40"}, "attribute-flags")
		}, "treat-as-withdraw"},
		{"duplicate", attr.AppendMED(attr.AppendMED(attr.AppendOrigin(base(), attr.OriginIGP), 1), 2), func(t *testing.T, u any) {
			want(t, u, 1.0, "attributes", "med")
			want(t, u, []any{map[string]any{"code": 4.0, "name": "med", "flags": "0x80", "hex": "00000002"}}, "duplicate-attributes")
		}, "attribute-discard"},
		{"missing origin", base(), func(t *testing.T, u any) {
			want(t, u, 3.0, "rfc7606", "notification", "subcode")
		}, "treat-as-withdraw"},
		// RFC 7606 §4: MED's length runs past the attribute list; what
		// comes before it is shown, the NLRI field is found by the
		// Total Path Attribute Length.
		{"attribute overrun", append(attr.AppendOrigin(base(), attr.OriginIGP), 0x80, 0x04, 0x05, 0, 0), func(t *testing.T, u any) {
			want(t, u, "igp", "attributes", "origin")
			want(t, u, "10.0.0.1", "attributes", "next-hop")
			want(t, u, 1.0, "rfc7606", "notification", "subcode")
			want(t, u, "message: attr: med length runs past the attribute list", "rfc7606", "error")
			want(t, u, "10.1.0.0/24", "announce", 0, "nlri", 0, "prefix")
		}, "treat-as-withdraw"},
		// The second §4 case: two octets left, too few for a header.
		{"attribute header cut short", append(attr.AppendOrigin(base(), attr.OriginIGP), 0x80, 0x04), func(t *testing.T, u any) {
			want(t, u, "igp", "attributes", "origin")
			want(t, u, "message: attr: attribute header truncated", "rfc7606", "error")
		}, "treat-as-withdraw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decode(t, buildUpdate(nil, tt.attrs, nlriField), wire.Context{ASN4: true}, Meta{})
			if err != nil {
				t.Fatal(err)
			}
			u := get(t, v, "update")
			want(t, u, tt.action, "rfc7606", "action")
			tt.check(t, u)
		})
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name     string
		msg      []byte
		ctx      wire.Context
		code     float64
		subcode  float64
		typeName any // nil: no "type" member
	}{
		{"empty", nil, wire.Context{}, 1, 2, nil},
		{"bad marker", append(append([]byte{0}, marker[1:]...), 0x00, 0x13, 0x04), wire.Context{}, 1, 1, "keepalive"},
		{"bad type", msg(marker, []byte{0x00, 0x13, 0x09}), wire.Context{}, 1, 3, "unknown-9"},
		{"truncated", msg(marker, []byte{0x00, 0x20, 0x04}), wire.Context{}, 1, 2, "keepalive"},
		{"too long for context", msg(marker, []byte{0x10, 0x01, 0x02}, make([]byte, 4097-19)), wire.Context{}, 1, 2, "update"},
		{"attribute list longer than the message", msg(marker, []byte{
			0x00, 0x1A, 0x02, // length 26, UPDATE
			0x00, 0x00, // no withdrawn routes
			0x00, 0x04, // 4 octets of attributes, 3 in the message
			0x40, 0x01, 0x00, // ORIGIN, empty
		}), wire.Context{}, 3, 1, "update"},
		{"bad prefix length", msg(marker, []byte{
			0x00, 0x19, 0x02, // length 25, UPDATE
			0x00, 0x02, // 2 octets of withdrawn routes
			0x21, 0x0A, // /33
			0x00, 0x00, // no attributes
		}), wire.Context{}, 3, 10, "update"},
		{"route-refresh length", msg(marker, []byte{0x00, 0x18, 0x05, 0, 1, 1, 1, 0}), wire.Context{}, 7, 1, "route-refresh"},
		{"unknown well-known attribute", msg(marker, []byte{
			0x00, 0x1A, 0x02, // length 26, UPDATE
			0x00, 0x00, // no withdrawn routes
			0x00, 0x03, // 3 octets of attributes
			0x40, 0x63, 0x00, // well-known transitive code 99, empty
		}), wire.Context{}, 3, 2, "update"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := decode(t, tt.msg, tt.ctx, Meta{Index: 7, Stream: -1})
			var we *wire.Error
			if !errors.As(err, &we) {
				t.Fatalf("error %v is not a *wire.Error", err)
			}
			want(t, v, false, "parsed")
			want(t, v, 7.0, "index")
			want(t, v, tt.code, "notification", "code")
			want(t, v, tt.subcode, "notification", "subcode")
			if float64(we.Code) != tt.code || float64(we.Subcode) != tt.subcode {
				t.Errorf("returned %d/%d", we.Code, we.Subcode)
			}
			if tt.typeName == nil {
				if _, ok := v["type"]; ok {
					t.Errorf("type member on %v", v)
				}
			} else {
				want(t, v, tt.typeName, "type")
			}
			want(t, v, strings.ToUpper(hexString(tt.msg)), "raw")
			if get(t, v, "error").(string) == "" {
				t.Error("empty error")
			}
		})
	}
}

func hexString(b []byte) string { return string(AppendHex(nil, b)) }

func TestQuoting(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{"a\"b\\c", `"a\"b\\c"`},
		{"tab\there\nnl\x01\x7f", `"tab\there\nnl\u0001` + "\x7f" + `"`},
		{"caf\xc3\xa9", `"café"`},
		{"bad\xffutf8", `"bad\uFFFDutf8"`},
		{"sep\u2028x", `"sep\u2028x"`},
	}
	for _, tt := range tests {
		if got := string(appendQuoted(nil, tt.in)); got != tt.want {
			t.Errorf("appendQuoted(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if got := string(appendQuotedBytes(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendQuotedBytes(%q) = %s, want %s", tt.in, got, tt.want)
		}
		if !json.Valid([]byte(tt.want)) {
			t.Errorf("%s is not valid JSON", tt.want)
		}
	}
}

// A Cease / Hard Reset shows the NOTIFICATION it encapsulates (RFC 8538
// §3): here FRR's, as captured in frr-frr-ebgp-rfc9072-extended-optparams.
func TestHardResetNotification(t *testing.T) {
	msg := wire.AppendNotification(nil, wire.Notification{Code: wire.CodeCease, Subcode: wire.SubHardReset,
		Data: append([]byte{6, 2, 4}, "done"...)}) // inner 6/2, communication length 4, "done"
	out, err := AppendMessage(nil, msg, wire.Context{}, NoMeta)
	if err != nil {
		t.Fatal(err)
	}
	want := `"hard-reset":{"code":6,"subcode":2,"code-name":"Cease","subcode-name":"Administrative shutdown","data":"04646F6E65","communication":"done"}`
	if !strings.Contains(string(out), want) {
		t.Errorf("got %s\nwant it to contain %s", out, want)
	}
}
