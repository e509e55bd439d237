package route

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// FuzzParse protects the text front end of `ze bgp encode` and the API:
// Parse never panics on any input; a route it accepts prints back to
// text that parses to the same route; and for every test context
// AppendUpdate either refuses it with an error or produces an UPDATE
// that message.ParseUpdate and the attr/nlri iterators read back to the
// same route (the codec's round-trip property), byte for byte what
// AppendUpdates writes for the route alone.
func FuzzParse(f *testing.F) {
	for _, s := range roundTrip {
		f.Add(s)
	}
	f.Add("route 10.0.0.0/24 nexthop 1.2.3.4")
	f.Add("withdraw route 2001:db8::/32 family ipv6/multicast path-information 4294967295")
	f.Add("route 10.0.0.0/24 next-hop 2001:db8::1 as-path [ ( 1 2 ) ( 4200000000 ) 3 ] aggregator ( 70000:1.2.3.4 )")
	extNH, _ := wire.Context{ASN4: true}.WithExtNextHop(wire.IPv4Unicast, true)
	ctxs := []wire.Context{{}, {ASN4: true}, allAddPath(wire.Context{}), extNH}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T %v is not *Error", err, err)
			}
			return
		}
		back, err := Parse(r.String())
		if err != nil || !reflect.DeepEqual(back, r) {
			t.Fatalf("Parse(String()):\n got %+v, %v\nwant %+v\ntext %q", back, err, r, r.String())
		}
		for _, ctx := range ctxs {
			msg, err := r.AppendUpdate(nil, ctx)
			batch, berr := AppendUpdates(nil, []Route{r}, ctx)
			if (err == nil) != (berr == nil) || !bytes.Equal(msg, batch) {
				t.Fatalf("AppendUpdates differs from AppendUpdate: %v / %v\n got %X\nwant %X", berr, err, batch, msg)
			}
			if err != nil {
				continue
			}
			got, err := decodeUpdate(msg, ctx)
			if err != nil {
				t.Fatalf("decode %X: %v", msg, err)
			}
			if want := normalize(r, ctx); len(got) != 1 || !reflect.DeepEqual(got[0], want) {
				t.Fatalf("read back\n got %+v\nwant %+v", got, want)
			}
		}
	})
}
