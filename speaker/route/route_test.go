package route

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/ze-bgp/ze/speaker/attr"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// roundTrip holds route texts that must survive parse → encode → decode
// in every test context.
var roundTrip = []string{
	"route 10.0.0.0/24 next-hop 192.0.2.1",
	"announce route 10.0.0.0/24 next-hop 192.0.2.1 origin igp as-path [65001 65002] med 10 local-preference 100 community [65000:1 no-export] large-community [65000:1:2] extended-community [target:65000:1] atomic-aggregate aggregator 65001:192.0.2.9 originator-id 1.1.1.1 cluster-list [1.1.1.1] aigp 10 path-information 7",
	"route 10.1.0.0/16 next-hop 192.0.2.1 origin egp as-path 65001 community 65000:7",
	"route 10.2.0.0/15 next-hop 192.0.2.1 origin incomplete as-path [ 65001 ( 65003 65004 ) 65005 ]",
	"route 10.3.0.0/24 next-hop 192.0.2.1 as-path [65001 4200000000 65002] aggregator 4200000001:192.0.2.9",
	// a 2-octet aggregator with a 4-octet path: AS_TRANS and AS4_AGGREGATOR
	// on a 2-octet-AS session, or the receiver ignores AS4_PATH
	"route 10.4.0.0/24 next-hop 192.0.2.1 as-path [65001 4200000000] aggregator 65001:192.0.2.9",
	"route 10.4.0.0/24 next-hop 192.0.2.1 as-path ( 4200000000 65002 )",
	"route 10.5.0.1/24 next-hop 192.0.2.1 as-path [] med 0",
	"route 0.0.0.0/0 next-hop 192.0.2.1",
	"route 192.0.2.77 next-hop 192.0.2.1",
	"route 10.6.0.0/24 next-hop 192.0.2.1 family ipv4/multicast",
	"route 10.7.0.0/24 next-hop 192.0.2.1 family ipv4 multicast path-information 1.2.3.4",
	"route 2001:db8::/32 next-hop 2001:db8::1 as-path [65001] large-community [1:2:3 4:5:6]",
	"route 2001:db8:1::/48 next-hop 192.0.2.1 community [no-advertise]",
	"route 2001:db8:2::/48 next-hop 2001:db8::1 family ipv6/multicast path-information 9",
	"route ::/0 next-hop 2001:db8::1",
	"route 10.8.0.0/24 next-hop 192.0.2.1 extended-community [ target:65000:1 origin:1.2.3.4:5 target:4200000000:7 0x0003000000000009 ]",
	"withdraw route 10.0.0.0/24",
	"withdraw route 10.0.0.0/24 path-information 3",
	"withdraw route 2001:db8::/32 path-information 3",
	"withdraw route 10.9.0.0/24 family ipv4/multicast",
	"withdraw route 10.10.0.0/24 next-hop 192.0.2.1 med 5",
	"route 10.11.0.0/24 next-hop 192.0.2.1 as-path [AS65001 1.10] ;",
}

func allAddPath(ctx wire.Context) wire.Context {
	for _, f := range []wire.Family{wire.IPv4Unicast, wire.IPv6Unicast, wire.IPv4Multicast, wire.IPv6Multicast} {
		ctx, _ = ctx.WithAddPath(f, true)
	}
	return ctx
}

var testContexts = map[string]wire.Context{
	"plain":    {},
	"asn4":     {ASN4: true},
	"add-path": allAddPath(wire.Context{ASN4: true}),
	"ext-msg":  {ExtendedMessage: true},
}

func TestRoundTrip(t *testing.T) {
	for _, s := range roundTrip {
		r, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		back, err := Parse(r.String())
		if err != nil || !reflect.DeepEqual(back, r) {
			t.Errorf("Parse(String()) of %q:\n got %+v, %v\nwant %+v\ntext %s", s, back, err, r, r.String())
		}
		for name, ctx := range testContexts {
			t.Run(name+"/"+s, func(t *testing.T) {
				msg, err := r.AppendUpdate(nil, ctx)
				if err != nil {
					t.Fatal(err)
				}
				if batch, err := AppendUpdates(nil, []Route{r}, ctx); err != nil || !bytes.Equal(batch, msg) {
					t.Errorf("AppendUpdates differs from AppendUpdate: %v\n got %X\nwant %X", err, batch, msg)
				}
				got, err := decodeUpdate(msg, ctx)
				if err != nil {
					t.Fatalf("decode %X: %v", msg, err)
				}
				want := normalize(r, ctx)
				if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
					t.Errorf("read back\n got %+v\nwant %+v", got, want)
				}
			})
		}
	}
}

// hexBytes turns commented, space-separated hex lines into bytes.
func hexBytes(t *testing.T, lines ...string) []byte {
	t.Helper()
	var b strings.Builder
	for _, l := range lines {
		l, _, _ = strings.Cut(l, "//")
		b.WriteString(strings.ReplaceAll(l, " ", ""))
	}
	out, err := hex.DecodeString(b.String())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEncodingBytes(t *testing.T) {
	marker := "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
	tests := []struct {
		name, route string
		ctx         wire.Context
		want        []byte
	}{
		{
			name:  "ipv4 classic, 4-octet AS",
			route: "route 10.0.0.0/24 next-hop 192.0.2.1 origin igp as-path [65001 65002] med 10",
			ctx:   wire.Context{ASN4: true},
			want: []byte{
				0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // marker
				0x00, 0x3A, // length 58
				0x02,       // UPDATE
				0x00, 0x00, // withdrawn routes length 0
				0x00, 0x1F, // path attribute length 31
				0x40, 0x01, 0x01, 0x00, // ORIGIN well-known, len 1, IGP
				0x40, 0x02, 0x0A, // AS_PATH well-known, len 10
				0x02, 0x02, // AS_SEQUENCE, 2 ASNs
				0x00, 0x00, 0xFD, 0xE9, // 65001
				0x00, 0x00, 0xFD, 0xEA, // 65002
				0x40, 0x03, 0x04, 192, 0, 2, 1, // NEXT_HOP 192.0.2.1
				0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x0A, // MED optional, 10
				0x18, 10, 0, 0, // NLRI 10.0.0.0/24
			},
		},
		{
			name:  "4-octet ASN towards a 2-octet peer",
			route: "route 10.0.0.0/8 next-hop 192.0.2.1 as-path [65001 4200000000]",
			ctx:   wire.Context{},
			want: hexBytes(t,
				marker,
				"003A 02",                 // length 58, UPDATE
				"0000",                    // withdrawn routes length 0
				"0021",                    // path attribute length 33
				"40 01 01 00",             // ORIGIN IGP
				"40 02 06",                // AS_PATH, 6 octets
				"02 02 FDE9 5BA0",         // AS_SEQUENCE: 65001, AS_TRANS (23456)
				"40 03 04 C0000201",       // NEXT_HOP 192.0.2.1
				"C0 11 0A",                // AS4_PATH optional transitive, 10 octets
				"02 02 0000FDE9 FA56EA00", // AS_SEQUENCE: 65001, 4200000000
				"08 0A",                   // NLRI 10.0.0.0/8
			),
		},
		{
			name:  "ipv6 withdrawal with a path identifier",
			route: "withdraw route 2001:db8::/32 path-information 7",
			ctx:   allAddPath(wire.Context{}),
			want: hexBytes(t,
				marker,
				"0026 02",     // length 38, UPDATE
				"0000",        // withdrawn routes length 0
				"000F",        // path attribute length 15
				"80 0F 0C",    // MP_UNREACH_NLRI optional, 12 octets
				"0002 01",     // AFI IPv6, SAFI unicast
				"00000007",    // path identifier 7
				"20 20010DB8", // /32 2001:db8::
			),
		},
		{
			name:  "ipv6 announcement",
			route: "route 2001:db8::/32 next-hop 2001:db8::1",
			ctx:   wire.Context{ASN4: true},
			want: hexBytes(t,
				marker,
				"003B 02",                          // length 59, UPDATE
				"0000",                             // withdrawn routes length 0
				"0024",                             // path attribute length 36
				"40 01 01 00",                      // ORIGIN IGP
				"40 02 00",                         // AS_PATH, empty
				"80 0E 1A",                         // MP_REACH_NLRI optional, 26 octets
				"0002 01 10",                       // AFI IPv6, SAFI unicast, next hop length 16
				"20010DB8000000000000000000000001", // next hop 2001:db8::1
				"00",                               // reserved
				"20 20010DB8",                      // /32 2001:db8::
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse(tt.route)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.AppendUpdate([]byte{0xAA}, tt.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got[0] != 0xAA {
				t.Fatal("dst prefix overwritten")
			}
			if !bytes.Equal(got[1:], tt.want) {
				t.Errorf("got  %X\nwant %X", got[1:], tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "route: empty route"},
		{"route 10.0.0.0/24 nexthop 1.2.3.4", `route: unknown keyword "nexthop" at 3 (did you mean next-hop?)`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 localpref 5", `route: unknown keyword "localpref" at 5 (did you mean local-preference?)`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 colour red", `route: unknown keyword "colour" at 5`},
		{"announce 10.0.0.0/24", `route: expected "route", found "10.0.0.0/24" at 2`},
		{"withdraw", `route: withdraw needs route at 1`},
		{"route", `route: route needs a prefix at 1`},
		{"route 10.0.0.0/33", `route: invalid prefix "10.0.0.0/33" at 2`},
		{"route 10.0.0.0/24", `route: announcement of 10.0.0.0/24 has no next-hop`},
		{"route 10.0.0.0/24 next-hop", `route: next-hop needs an address at 3`},
		{"route 10.0.0.0/24 next-hop self", `route: next-hop self needs a session; give an address at 4`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 origin bgp", `route: invalid origin "bgp" (igp, egp or incomplete) at 6`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 med -1", `route: invalid med "-1" (0-4294967295) at 6`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 as-path [65001 x]", `route: invalid ASN "x" in as-path at 8`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 as-path [65001", `route: as-path list is not closed with ] at 6`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 as-path [65001 ( 1 ]", `route: invalid ASN "]" in as-path set at 10`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 as-path [()]", `route: as-path set is empty at 7`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 community [65000:1 65536:1]", `route: invalid community "65536:1" at 8`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 community ]", `route: unexpected "]" after community at 6`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 large-community [1:2]", `route: invalid large-community "1:2" at 7`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 extended-community target:x", `route: invalid extended-community "target:x" at 6`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 aggregator 65001", `route: invalid aggregator "65001" (ASN:IPv4) at 6`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 aggregator ( 65001:1.2.3.4", `route: aggregator needs ) at 7`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 originator-id 2001:db8::1", `route: invalid originator-id "2001:db8::1" at 6`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 med 1 med 2", `route: med given twice (first at 5) at 7`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 family ipv4/flow", `route: unsupported family "ipv4/flow" (ipv4 or ipv6, unicast or multicast) at 6`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 family ipv6/unicast", `route: prefix 10.0.0.0/24 is not in family ipv6/unicast at 2`},
		{"route 10.0.0.0/24 next-hop 1.2.3.4 path-information x", `route: invalid path-information "x" at 6`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = nil error, want %q", tt.in, tt.want)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Parse(%q)\n got %q\nwant %q", tt.in, err, tt.want)
		}
		if _, ok := err.(*Error); !ok {
			t.Errorf("Parse(%q) error is %T, want *Error", tt.in, err)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	big := Route{Family: wire.IPv4Unicast, Prefix: netip.MustParsePrefix("10.0.0.0/8"), NextHop: netip.MustParseAddr("192.0.2.1")}
	for i := range 1100 {
		big.Communities = append(big.Communities, attr.Community(i))
	}
	tests := []struct {
		name string
		r    Route
		ctx  wire.Context
		want string
	}{
		{"ipv6 next hop without RFC 8950", mustParse(t, "route 10.0.0.0/24 next-hop 2001:db8::1"), wire.Context{},
			"route: IPv6 next-hop 2001:db8::1 for ipv4/unicast needs the extended next hop capability (RFC 8950)"},
		{"too big", big, wire.Context{}, "route: route 10.0.0.0/8 does not fit in a 4096-octet message"},
		{"no family", Route{Prefix: netip.MustParsePrefix("10.0.0.0/8")}, wire.Context{},
			"route: family afi-0/safi-0 is not an IP unicast or multicast family"},
		{"family mismatch", Route{Family: wire.IPv6Unicast, Prefix: netip.MustParsePrefix("10.0.0.0/8"), NextHop: netip.MustParseAddr("192.0.2.1")}, wire.Context{},
			"route: prefix 10.0.0.0/8 is not in family ipv6/unicast"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []byte{1, 2, 3}
			out, err := tt.r.AppendUpdate(dst, tt.ctx)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if !bytes.Equal(out, dst) {
				t.Errorf("dst changed on error: %X", out)
			}
		})
	}
	// The same route fits with Extended Message.
	if _, err := big.AppendUpdate(nil, wire.Context{ExtendedMessage: true}); err != nil {
		t.Errorf("extended message: %v", err)
	}
}

func TestExtNextHop(t *testing.T) {
	ctx, _ := wire.Context{ASN4: true}.WithExtNextHop(wire.IPv4Unicast, true)
	r := mustParse(t, "route 10.0.0.0/24 next-hop 2001:db8::1 med 3")
	msg, err := r.AppendUpdate(nil, ctx)
	if err != nil {
		t.Fatal(err)
	}
	u, err := message.ParseUpdate(msg)
	if err != nil {
		t.Fatal(err)
	}
	m, ok, err := u.MPReach()
	if !ok || err != nil || m.Family != wire.IPv4Unicast || len(m.NextHop) != 16 || len(u.NLRI) != 0 {
		t.Fatalf("mp-reach %+v %v %v, nlri %X", m, ok, err, u.NLRI)
	}
	got, err := decodeUpdate(msg, ctx)
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], normalize(r, ctx)) {
		t.Errorf("read back %+v, %v", got, err)
	}
}

func mustParse(t testing.TB, s string) Route {
	t.Helper()
	r, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
