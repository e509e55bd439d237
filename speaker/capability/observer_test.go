package capability

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/ze-bgp/ze/speaker/wire"
)

// Speakers of the observer tests: a sends and receives ADD-PATH for IPv4
// unicast and receives it for IPv6 unicast; b only receives it for IPv4
// unicast; both 4-octet AS; only a extended messages.
var (
	obsA = Speaker{Caps: Set{ASN4: true, ASN: 65001, ExtendedMessage: true, AddPath: []AddPathFamily{
		{wire.IPv4Unicast, AddPathBoth}, {wire.IPv6Unicast, AddPathReceive}}},
		ASN: 65001, RouterID: netip.MustParseAddr("192.0.2.1")}
	obsB = Speaker{Caps: Set{ASN4: true, ASN: 65002, AddPath: []AddPathFamily{
		{wire.IPv4Unicast, AddPathReceive}}},
		ASN: 65002, RouterID: netip.MustParseAddr("192.0.2.2")}
	obsPlain = Speaker{ASN: 65003, RouterID: netip.MustParseAddr("192.0.2.3")} // RFC 4271 only

	epA = netip.MustParseAddrPort("10.0.0.1:179")
	epB = netip.MustParseAddrPort("10.0.0.2:50000")
)

// addPathCtx returns c with ADD-PATH on for fams.
func addPathCtx(c wire.Context, fams ...wire.Family) wire.Context {
	for _, f := range fams {
		c, _ = c.WithAddPath(f, true)
	}
	return c
}

func TestObserverContext(t *testing.T) {
	type obs struct {
		stream int
		from   netip.AddrPort
		sp     Speaker
	}
	tests := []struct {
		name     string
		opens    []obs
		stream   int
		from, to netip.AddrPort
		want     wire.Context
		ok       bool
	}{
		{"nothing seen", nil, 0, epA, epB, wire.Context{}, false},
		{"one OPEN", []obs{{0, epA, obsA}}, 0, epA, epB, wire.Context{}, false},
		{"a to b", []obs{{0, epA, obsA}, {0, epB, obsB}}, 0, epA, epB, addPathCtx(wire.Context{ASN4: true}, wire.IPv4Unicast), true},
		{"b to a", []obs{{0, epA, obsA}, {0, epB, obsB}}, 0, epB, epA, wire.Context{ASN4: true}, true},
		{"other stream", []obs{{0, epA, obsA}, {0, epB, obsB}}, 1, epA, epB, wire.Context{}, false},
		{"split over streams", []obs{{0, epA, obsA}, {1, epB, obsB}}, 0, epA, epB, wire.Context{}, false},
		{"later OPEN replaces", []obs{{0, epA, obsA}, {0, epB, obsB}, {0, epB, obsPlain}}, 0, epA, epB, wire.Context{}, true},
		{"negative stream", []obs{{-1, epA, obsA}, {-1, epB, obsB}}, -1, epA, epB, addPathCtx(wire.Context{ASN4: true}, wire.IPv4Unicast), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Observer
			for _, x := range tt.opens {
				o.Observe(x.stream, x.from, x.sp)
			}
			got, ok := o.Context(tt.stream, tt.from, tt.to)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Context = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestObserverSpeaker(t *testing.T) {
	var o Observer
	if _, ok := o.Speaker(0, epA); ok {
		t.Error("zero Observer has a speaker")
	}
	o.Observe(3, epA, obsA)
	sp, ok := o.Speaker(3, epA)
	if !ok || sp.ASN != 65001 || sp.RouterID != obsA.RouterID || !sp.Caps.ASN4 {
		t.Errorf("Speaker(3, a) = %+v, %v", sp, ok)
	}
	if _, ok := o.Speaker(3, epB); ok {
		t.Error("Speaker(3, b) seen")
	}
	if _, ok := o.Speaker(0, epA); ok {
		t.Error("Speaker(0, a) seen")
	}
}

func TestObserverInOrder(t *testing.T) {
	tests := []struct {
		name   string
		opens  []Speaker
		want   wire.Context
		oneWay []wire.Family
		ok     bool
	}{
		{"none", nil, wire.Context{}, nil, false},
		{"one", []Speaker{obsA}, wire.Context{}, nil, false},
		// a → b has ADD-PATH for IPv4 unicast, b → a none: off, and said.
		{"a then b", []Speaker{obsA, obsB}, wire.Context{ASN4: true}, []wire.Family{wire.IPv4Unicast}, true},
		{"b then a", []Speaker{obsB, obsA}, wire.Context{ASN4: true}, []wire.Family{wire.IPv4Unicast}, true},
		{"both ways", []Speaker{obsA, obsA}, addPathCtx(wire.Context{ASN4: true, ExtendedMessage: true}, wire.IPv4Unicast), nil, true},
		{"plain", []Speaker{obsPlain, obsA}, wire.Context{}, nil, true},
		// A third OPEN starts a new session: it waits for a fourth.
		{"third resets", []Speaker{obsA, obsB, obsPlain}, wire.Context{}, nil, false},
		{"fourth", []Speaker{obsA, obsB, obsA, obsA}, addPathCtx(wire.Context{ASN4: true, ExtendedMessage: true}, wire.IPv4Unicast), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Observer
			for _, sp := range tt.opens {
				o.ObserveInOrder(-1, sp)
			}
			got, oneWay, ok := o.CommonContext(-1)
			if got != tt.want || ok != tt.ok || !slices.Equal(oneWay, tt.oneWay) {
				t.Errorf("CommonContext = %+v, %v, %v; want %+v, %v, %v", got, oneWay, ok, tt.want, tt.oneWay, tt.ok)
			}
			if _, _, ok := o.CommonContext(0); ok {
				t.Error("stream 0 has a context")
			}
		})
	}
}

// TestObserverCommonExtNextHop: extended next hop is negotiated for both
// directions, so CommonContext keeps it.
func TestObserverCommonExtNextHop(t *testing.T) {
	nh := []NextHopFamily{{Family: wire.IPv4Unicast, NextHopAFI: wire.AFIIPv6}}
	var o Observer
	o.ObserveInOrder(-1, Speaker{Caps: Set{ExtNextHop: nh}})
	o.ObserveInOrder(-1, Speaker{Caps: Set{ExtNextHop: nh}})
	ctx, _, ok := o.CommonContext(-1)
	if !ok || !ctx.ExtNextHop(wire.IPv4Unicast) {
		t.Errorf("CommonContext = %+v, %v; want extended next hop for ipv4/unicast", ctx, ok)
	}
}
