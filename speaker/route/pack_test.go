package route

import (
	"fmt"
	"net/netip"
	"reflect"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// splitMessages cuts a stream of messages apart.
func splitMessages(t *testing.T, b []byte, max int) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) > 0 {
		msg, rest, err := wire.Split(b, max)
		if err != nil {
			t.Fatalf("split: %v", err)
		}
		out = append(out, msg)
		b = rest
	}
	return out
}

// decodeAll decodes every UPDATE of a stream, checking each size.
func decodeAll(t *testing.T, b []byte, ctx wire.Context) (msgs int, routes []Route) {
	t.Helper()
	for _, msg := range splitMessages(t, b, ctx.MaxLen()) {
		rs, err := decodeUpdate(msg, ctx)
		if err != nil {
			t.Fatalf("decode %X: %v", msg, err)
		}
		if len(rs) == 0 {
			t.Fatalf("empty UPDATE %X", msg)
		}
		msgs++
		routes = append(routes, rs...)
	}
	return msgs, routes
}

func TestAppendUpdatesGroups(t *testing.T) {
	ctx := allAddPath(wire.Context{ASN4: true})
	in := []Route{
		mustParse(t, "route 10.0.0.0/24 next-hop 192.0.2.1 as-path [65001] community [1:1]"),
		mustParse(t, "route 2001:db8:1::/48 next-hop 2001:db8::1 as-path [65001]"),
		mustParse(t, "route 10.0.1.0/24 next-hop 192.0.2.1 as-path [65001] community [1:1]"),
		mustParse(t, "route 10.0.2.0/24 next-hop 192.0.2.1 as-path [65001] community [1:1] med 5"),
		mustParse(t, "withdraw route 10.9.0.0/24"),
		mustParse(t, "route 2001:db8:2::/48 next-hop 2001:db8::1 as-path [65001]"),
		mustParse(t, "route 10.0.3.0/24 next-hop 192.0.2.1 as-path [65001] community [1:1]"),
		mustParse(t, "withdraw route 10.9.1.0/24"),
		mustParse(t, "route 10.0.4.0/24 next-hop 192.0.2.2 as-path [65001] community [1:1]"),
		mustParse(t, "withdraw route 2001:db8:9::/48"),
		mustParse(t, "route 10.0.3.0/24 next-hop 192.0.2.1 as-path [65001] community [1:1] path-information 2"),
	}
	out, err := AppendUpdates(nil, in, ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, got := decodeAll(t, out, ctx)
	// Groups in order of first appearance: 10.0.{0,1,3}+pathid-2 copy,
	// IPv6 {1,2}, 10.0.2 (med), IPv4 withdrawals, 10.0.4 (next hop), IPv6
	// withdrawal.
	if n != 6 {
		t.Errorf("%d UPDATEs, want 6", n)
	}
	var want []Route
	for _, i := range []int{0, 2, 6, 10, 1, 5, 3, 4, 7, 8, 9} {
		want = append(want, normalize(in[i], ctx))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routes\n got %+v\nwant %+v", got, want)
	}
}

func TestAppendUpdatesKeepsOrderPerPrefix(t *testing.T) {
	ctx := wire.Context{ASN4: true}
	in := []Route{
		mustParse(t, "route 10.0.0.0/24 next-hop 192.0.2.1 med 1"),
		mustParse(t, "route 10.0.1.0/24 next-hop 192.0.2.1 med 2"),
		mustParse(t, "withdraw route 10.0.0.0/24"),
		mustParse(t, "route 10.0.0.0/24 next-hop 192.0.2.1 med 1"),
	}
	out, err := AppendUpdates(nil, in, ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, got := decodeAll(t, out, ctx)
	var want []Route
	for _, r := range in {
		want = append(want, normalize(r, ctx))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routes\n got %+v\nwant %+v", got, want)
	}
}

func TestAppendUpdatesSplitsAtMaxLen(t *testing.T) {
	for _, tt := range []struct {
		name    string
		ctx     wire.Context
		text    string
		v6      bool
		entry   int // octets per prefix
		minMsgs int
	}{
		{"ipv4 4096", wire.Context{ASN4: true}, "route %s next-hop 192.0.2.1 community [1:1 2:2]", false, 4, 3},
		{"ipv4 extended", wire.Context{ASN4: true, ExtendedMessage: true}, "route %s next-hop 192.0.2.1", false, 4, 1},
		{"ipv6 4096", allAddPath(wire.Context{}), "route %s next-hop 2001:db8::1 path-information 1", true, 11, 7},
		{"ipv4 withdraw", wire.Context{}, "withdraw route %s", false, 4, 3},
		{"ipv6 withdraw", wire.Context{}, "withdraw route %s", true, 7, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var in []Route
			for i := range 2500 {
				p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24).String()
				if tt.v6 {
					p = netip.PrefixFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(i >> 8), byte(i)}), 48).String()
				}
				in = append(in, mustParse(t, fmt.Sprintf(tt.text, p)))
			}
			out, err := AppendUpdates(nil, in, tt.ctx)
			if err != nil {
				t.Fatal(err)
			}
			n, got := decodeAll(t, out, tt.ctx)
			if n < tt.minMsgs {
				t.Errorf("%d UPDATEs, want at least %d", n, tt.minMsgs)
			}
			if len(got) != len(in) {
				t.Fatalf("%d routes back, want %d", len(got), len(in))
			}
			for i := range in {
				if w := normalize(in[i], tt.ctx); !reflect.DeepEqual(got[i], w) {
					t.Fatalf("route %d: got %+v want %+v", i, got[i], w)
				}
			}
			// Packing is tight: each message but the last is too full to
			// take one more prefix of the same size.
			msgs := splitMessages(t, out, tt.ctx.MaxLen())
			for _, m := range msgs[:len(msgs)-1] {
				if len(m)+tt.entry <= tt.ctx.MaxLen() {
					t.Errorf("UPDATE of %d octets could hold another prefix", len(m))
				}
			}
		})
	}
}
