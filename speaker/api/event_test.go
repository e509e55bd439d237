package api

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/speaker/exabgp"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

var (
	testNeighbor = Neighbor{LocalAddress: netip.MustParseAddr("192.0.2.2"), PeerAddress: netip.MustParseAddr("192.0.2.1"), LocalAS: 65001, PeerAS: 65002}
	testMeta     = Meta{Time: time.Unix(1700000000, 500000000), Host: "h", PID: 10, PPID: 1, Counter: 3}
)

// The ExaBGP 4.x lines follow ExaBGP's response/json.py templates: the
// envelope, then "neighbor" with " , " before the content when there is
// no direction.
const exaHead = `{ "exabgp": "4.0.1", "time": 1700000000.5, "host" : "h", "pid" : 10, "ppid" : 1, `
const exaNeighbor = `"neighbor": { "address": { "local": "192.0.2.2", "peer": "192.0.2.1" }, "asn": { "local": 65001, "peer": 65002 } `

func TestAppendState(t *testing.T) {
	tests := []struct {
		enc    Encoder
		s      State
		reason string
		want   string
	}{
		{EncoderJSON, StateUp, "", exaHead + `"counter": 3, "type": "state", ` + exaNeighbor + `, "state": "up" } }` + "\n"},
		{EncoderJSON, StateConnected, "", exaHead + `"counter": 3, "type": "state", ` + exaNeighbor + `, "state": "connected" } }` + "\n"},
		{EncoderJSON, StateDown, `peer reset [hold "timer"]`, exaHead + `"counter": 3, "type": "state", ` + exaNeighbor + `, "state": "down", "reason": "peer reset (hold \"timer\")" } }` + "\n"},
		{EncoderText, StateUp, "", "neighbor 192.0.2.1 up\n"},
		{EncoderText, StateConnected, "", "neighbor 192.0.2.1 connected\n"},
		{EncoderText, StateDown, "hold timer\nexpired", "neighbor 192.0.2.1 down - hold timer expired\n"},
		{EncoderZe, StateDown, "x", `{"time":"2023-11-14T22:13:20.5Z","type":"state","neighbor":{"local-address":"192.0.2.2","peer-address":"192.0.2.1","local-as":65001,"peer-as":65002},"state":"down","reason":"x"}` + "\n"},
	}
	for _, tc := range tests {
		got := string(AppendState(nil, tc.enc, testNeighbor, tc.s, tc.reason, testMeta))
		if got != tc.want {
			t.Errorf("%s %s:\n got %s\nwant %s", tc.enc, tc.s, got, tc.want)
		}
	}
}

// keepalive is a whole KEEPALIVE message (RFC 4271 §4.4).
var keepalive = []byte{
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // marker
	0x00, 0x13, // length 19
	0x04, // type KEEPALIVE
}

// spliceState is how AppendState built ExaBGP JSON state events before
// exabgp.AppendState existed: exabgp's rendering of a KEEPALIVE with its
// type and content replaced. It is kept as the reference the new code
// must match byte for byte.
func spliceState(n Neighbor, s State, reason string, m Meta) []byte {
	b, _ := exabgp.AppendMessage(nil, exabgp.V4, keepalive, wire.Context{}, n.exabgp(""), m.exabgp())
	b = bytes.Replace(b, []byte(`"type": "keepalive"`), []byte(`"type": "state"`), 1)
	b = bytes.TrimSuffix(b, []byte("  } }"))
	b = append(b, `, "state": "`...)
	b = append(b, s.String()...)
	b = append(b, '"')
	if s == StateDown {
		r := strings.NewReplacer("[", "(", "]", ")", "{", "(", "}", ")").Replace(reason)
		b = append(b, `, "reason": `...)
		b = appendJSONString(b, r)
	}
	return append(b, " } }\n"...)
}

// TestAppendStateSplice: the ExaBGP JSON state event equals the old
// KEEPALIVE splice for awkward reasons, hosts and addresses.
func TestAppendStateSplice(t *testing.T) {
	v6 := Neighbor{LocalAddress: netip.MustParseAddr("2001:db8::2"), PeerAddress: netip.MustParseAddr("2001:db8::1"), LocalAS: 4200000000, PeerAS: 1}
	meta := Meta{Time: time.Unix(1, 0), Host: `a"b\c`, PID: 1 << 30, PPID: 0, Counter: 0}
	for _, n := range []Neighbor{testNeighbor, v6, {}} {
		for _, m := range []Meta{testMeta, meta, {}} {
			for _, s := range []State{StateConnected, StateUp, StateDown} {
				for _, reason := range []string{"", "x", `[{}]`, "tab\there\nnl\r\x00\x1f", "caf\u00e9 \u2603", "bad \xff\xfe utf-8", `"quoted" \back`} {
					want := spliceState(n, s, reason, m)
					if got := AppendState(nil, EncoderJSON, n, s, reason, m); !bytes.Equal(got, want) {
						t.Errorf("%v %s %q:\n got %s\nwant %s", n.PeerAddress, s, reason, got, want)
					}
				}
			}
		}
	}
}

func TestAppendShutdown(t *testing.T) {
	for enc, want := range map[Encoder]string{
		EncoderJSON: exaHead + `"type": "notification", "notification": "shutdown" }` + "\n",
		EncoderText: "shutdown 10 1\n",
		EncoderZe:   `{"time":"2023-11-14T22:13:20.5Z","type":"shutdown"}` + "\n",
	} {
		if got := string(AppendShutdown(nil, enc, testMeta)); got != want {
			t.Errorf("%s:\n got %s\nwant %s", enc, got, want)
		}
	}
	if NowMeta(1).PID == 0 {
		t.Error("NowMeta")
	}
}

func TestAppendMessage(t *testing.T) {
	r, err := route.Parse("route 10.0.0.0/24 next-hop 192.0.2.1 med 5")
	if err != nil {
		t.Fatal(err)
	}
	w, _ := route.Parse("withdraw route 10.9.0.0/16")
	update, err := r.AppendUpdate(nil, wire.Context{ASN4: true})
	if err != nil {
		t.Fatal(err)
	}
	withdraw, err := w.AppendUpdate(nil, wire.Context{ASN4: true})
	if err != nil {
		t.Fatal(err)
	}
	notification := []byte{
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // marker
		0x00, 0x16, // length 22
		0x03,       // NOTIFICATION
		0x06, 0x02, // Cease / Administrative Shutdown
		0xAB, // data
	}
	refresh := []byte{
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // marker
		0x00, 0x17, // length 23
		0x05,       // ROUTE-REFRESH
		0x00, 0x02, // AFI IPv6
		0x00, // subtype 0: normal request
		0x01, // SAFI unicast
	}
	ctx := wire.Context{ASN4: true}
	tests := []struct {
		enc  Encoder
		msg  []byte
		dir  Direction
		want []string // substrings, in order
	}{
		{EncoderJSON, keepalive, Receive, []string{exaHead + `"counter": 3, "type": "keepalive", ` + exaNeighbor + `, "direction": "receive"  } }` + "\n"}},
		{EncoderJSON, update, Send, []string{`"direction": "send", "message": { "update": {`, `"med": 5`, `"10.0.0.0/24"`, "}\n"}},
		{EncoderText, keepalive, Receive, []string{"neighbor 192.0.2.1 receive keepalive\n"}},
		{EncoderText, notification, Receive, []string{"neighbor 192.0.2.1 receive notification code 6 subcode 2 data AB\n"}},
		{EncoderText, refresh, Send, []string{"neighbor 192.0.2.1 send route-refresh afi ipv6 safi unicast "}},
		{EncoderText, withdraw, Receive, []string{
			"neighbor 192.0.2.1 receive update start\n",
			"neighbor 192.0.2.1 receive update withdrawn 10.9.0.0/16\n",
			"neighbor 192.0.2.1 receive update end\n"}},
		{EncoderText, update, Receive, []string{
			"neighbor 192.0.2.1 receive update start\n",
			"neighbor 192.0.2.1 receive update announced 10.0.0.0/24 next-hop 192.0.2.1 origin igp",
			"neighbor 192.0.2.1 receive update end\n"}},
		{EncoderZe, keepalive, Receive, []string{`{"time":"2023-11-14T22:13:20.5Z","type":"message","neighbor":{`, `"direction":"receive","message":{"type":"keepalive"`, "}}\n"}},
	}
	for _, tc := range tests {
		got, err := AppendMessage([]byte("x"), tc.enc, tc.msg, ctx, testNeighbor, tc.dir, testMeta)
		if err != nil {
			t.Errorf("%s: %v", tc.enc, err)
			continue
		}
		s := string(got[1:])
		rest := s
		for _, w := range tc.want {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Errorf("%s: %q not in order in\n%s", tc.enc, w, s)
				break
			}
			rest = rest[i+len(w):]
		}
	}
	// A malformed message leaves dst unchanged.
	for _, enc := range []Encoder{EncoderJSON, EncoderText, EncoderZe} {
		got, err := AppendMessage([]byte("x"), enc, keepalive[:18], ctx, testNeighbor, Receive, testMeta)
		if err == nil || string(got) != "x" {
			t.Errorf("%s: malformed: %q, %v", enc, got, err)
		}
	}
}
