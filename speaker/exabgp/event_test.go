package exabgp

import (
	"net/netip"
	"testing"
	"time"
)

// TestAppendState pins the state event in both dialects: the envelope
// with "type": "state", the "neighbor" object as AppendMessage writes it,
// the state and, for "down" only, the reason with brackets and braces as
// parentheses.
func TestAppendState(t *testing.T) {
	n := Neighbor{LocalAddress: netip.MustParseAddr("192.0.2.2"), PeerAddress: netip.MustParseAddr("192.0.2.1"),
		LocalAS: 65001, PeerAS: 65002, RouterID: netip.MustParseAddr("10.0.0.1")}
	m := Meta{Time: time.Unix(1700000000, 500000000), Host: "h", PID: 10, PPID: 1, Counter: 3}
	const head4 = `{ "exabgp": "4.0.1", "time": 1700000000.5, "host" : "h", "pid" : 10, "ppid" : 1, "counter": 3, "type": "state", `
	const nb4 = `"neighbor": { "address": { "local": "192.0.2.2", "peer": "192.0.2.1" }, "asn": { "local": 65001, "peer": 65002 } `
	const head5 = `{ "exabgp": "5.0.0", "time": 1700000000.5, "host" : "h", "pid" : 10, "ppid" : 1, "counter": 3, "type": "state", `
	const nb5 = `"neighbor": {     "address": { "local": "192.0.2.2", "peer": "192.0.2.1" },     "asn": { "local": 65001, "peer": 65002 }, "router-id": "10.0.0.1" `
	for _, tc := range []struct {
		v             Version
		state, reason string
		want          string
	}{
		{V4, "up", "ignored", head4 + nb4 + `, "state": "up" } }`},
		{V4, "connected", "", head4 + nb4 + `, "state": "connected" } }`},
		{V4, "down", "reset [hold \"timer\"] {x}\n\xff", head4 + nb4 + `, "state": "down", "reason": "reset (hold \"timer\") (x)\u000a` + "\uFFFD" + `" } }`},
		{V5, "down", "", head5 + nb5 + `, "state": "down", "reason": "" } }`},
	} {
		got := string(AppendState([]byte("x"), tc.v, n, tc.state, tc.reason, m))
		if got != "x"+tc.want {
			t.Errorf("%v %s:\n got %s\nwant x%s", tc.v, tc.state, got, tc.want)
		}
	}
}

// TestAppendShutdown pins the shutdown event: the envelope without a
// counter, then the type and "notification": "shutdown".
func TestAppendShutdown(t *testing.T) {
	m := Meta{Time: time.Unix(1700000000, 500000000), Host: `a"b`, PID: 10, PPID: 1, Counter: 3}
	for v, want := range map[Version]string{
		V4: `{ "exabgp": "4.0.1", "time": 1700000000.5, "host" : "a\"b", "pid" : 10, "ppid" : 1, "type": "notification", "notification": "shutdown" }`,
		V5: `{ "exabgp": "5.0.0", "time": 1700000000.5, "host" : "a\"b", "pid" : 10, "ppid" : 1, "type": "notification", "notification": "shutdown" }`,
	} {
		if got := string(AppendShutdown(nil, v, m)); got != want {
			t.Errorf("%v:\n got %s\nwant %s", v, got, want)
		}
	}
}
