package capability

import (
	"net/netip"

	"github.com/ze-bgp/ze/speaker/wire"
)

// Speaker is what a passive observer keeps of one endpoint's OPEN.
type Speaker struct {
	Caps     Set        // its capabilities
	ASN      uint32     // its AS: the 4-octet AS capability's, else My Autonomous System
	RouterID netip.Addr // its BGP Identifier
}

// Observer is the negotiation state of a passive observer of BGP
// sessions (pcap, MRT or BMP decoding, tests over captures): per TCP
// stream, the last OPEN each endpoint sent. A stream is any int the
// caller uses to tell sessions apart (a TCP stream number; -1 for hex
// input, say). From it Observer answers the encoding context of a
// message of the stream in one direction (Context), as the two speakers
// negotiated it (RFC 5492 §3, see Negotiate).
//
// Input without endpoints (hex lines) records its OPENs with
// ObserveInOrder and asks CommonContext.
//
// The zero value is ready to use. An Observer is not safe for
// concurrent use.
type Observer struct {
	streams map[int][]endpoint
}

// endpoint is one speaker of a stream, in the order its first OPEN was
// seen.
type endpoint struct {
	addr netip.AddrPort
	sp   Speaker
}

// Observe records sp, the OPEN that from sent on stream, replacing an
// earlier OPEN from the same endpoint.
func (o *Observer) Observe(stream int, from netip.AddrPort, sp Speaker) {
	if o.streams == nil {
		o.streams = map[int][]endpoint{}
	}
	ends := o.streams[stream]
	for i := range ends {
		if ends[i].addr == from {
			ends[i].sp = sp
			return
		}
	}
	o.streams[stream] = append(ends, endpoint{from, sp})
}

// ObserveInOrder records sp, an OPEN of a stream whose messages carry no
// endpoints (hex input): the two OPENs of a session are told apart by
// order, the first being speaker 0 and the second speaker 1; a third
// OPEN starts a new session (both earlier ones are forgotten and it is
// speaker 0). Do not mix it with Observe on the same stream.
func (o *Observer) ObserveInOrder(stream int, sp Speaker) {
	if len(o.streams[stream]) >= 2 {
		o.streams[stream] = o.streams[stream][:0]
	}
	o.Observe(stream, netip.AddrPortFrom(netip.Addr{}, uint16(len(o.streams[stream]))), sp)
}

// Speaker returns the last OPEN endpoint ep sent on stream; ok is false
// when none was seen.
func (o *Observer) Speaker(stream int, ep netip.AddrPort) (sp Speaker, ok bool) {
	for _, e := range o.streams[stream] {
		if e.addr == ep {
			return e.sp, true
		}
	}
	return Speaker{}, false
}

// Context returns the encoding context of the messages from sends to to
// on stream (ContextFromOpens of their two OPENs). ok is false, and ctx
// zero, until both endpoints' OPENs have been seen: the caller picks
// what to decode with meanwhile.
func (o *Observer) Context(stream int, from, to netip.AddrPort) (ctx wire.Context, ok bool) {
	a, okf := o.Speaker(stream, from)
	b, okt := o.Speaker(stream, to)
	if !okf || !okt {
		return wire.Context{}, false
	}
	ctx, _ = ContextFromOpens(a.Caps, b.Caps)
	return ctx, true
}

// CommonContext returns the context for a message of stream whose
// direction is unknown (hex input): what both directions between its
// first two speakers agree on. 4-octet ASNs, extended messages and
// extended next hops are negotiated for both directions at once
// (Negotiate); ADD-PATH is per direction (RFC 7911 §4), so ctx has it
// on only for the families where it is on both ways, and oneWay lists
// the families where it is on in one direction only (first those of
// speaker 0 → 1, then those of 1 → 0, each in
// wire.Context.AddPathFamilies order): their NLRI cannot be decoded
// without knowing the direction. ok is false, and ctx zero, until two
// OPENs have been seen.
func (o *Observer) CommonContext(stream int) (ctx wire.Context, oneWay []wire.Family, ok bool) {
	ends := o.streams[stream]
	if len(ends) < 2 {
		return wire.Context{}, nil, false
	}
	ab, ba := ContextFromOpens(ends[0].sp.Caps, ends[1].sp.Caps)
	ctx = ab
	for _, f := range ab.AddPathFamilies() {
		if !ba.AddPath(f) {
			ctx, _ = ctx.WithAddPath(f, false)
			oneWay = append(oneWay, f)
		}
	}
	for _, f := range ba.AddPathFamilies() {
		if !ab.AddPath(f) {
			oneWay = append(oneWay, f)
		}
	}
	return ctx, oneWay, true
}
