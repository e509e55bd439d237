package testpeer

import (
	"net/netip"
	"slices"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/message"
)

// capabilities returns the capability TLVs the configuration offers for
// local AS asn, with DropCaps removed and AddCaps appended.
func (c *Config) capabilities(asn uint32) []byte {
	var caps []byte
	for _, f := range c.Families {
		caps = capability.AppendMultiprotocol(caps, f)
	}
	if c.RouteRefresh {
		caps = capability.AppendEmpty(caps, capability.CodeRouteRefresh)
	}
	if c.ExtendedMessage {
		caps = capability.AppendEmpty(caps, capability.CodeExtendedMessage)
	}
	if len(c.ExtNextHop) > 0 {
		caps = capability.AppendExtendedNextHop(caps, c.ExtNextHop...)
	}
	if c.GracefulRestart {
		var fams []capability.RestartFamily
		for _, f := range c.Families {
			fams = append(fams, capability.RestartFamily{Family: f})
		}
		caps = capability.AppendGracefulRestart(caps, 0, c.RestartTime, fams...)
	}
	if c.ASN4 {
		caps = capability.AppendASN4(caps, asn)
	}
	if len(c.AddPath) > 0 {
		caps = capability.AppendAddPath(caps, c.AddPath...)
	}
	if len(c.DropCaps) > 0 {
		caps = dropCaps(caps, c.DropCaps)
	}
	for _, cp := range c.AddCaps {
		caps = append(caps, cp...)
	}
	return caps
}

// dropCaps returns the TLVs of caps whose code is not in drop.
func dropCaps(caps []byte, drop []capability.Code) []byte {
	var out []byte
	it := capability.NewIterator(caps)
	for it.Next() {
		if !slices.Contains(drop, it.Code()) {
			out = append(out, it.Raw()...)
		}
	}
	return out
}

// openMessage returns the whole OPEN to send for local AS asn from a
// session whose local address is local: OpenHex as is, or the OPEN built
// from the configuration.
func (c *Config) openMessage(asn uint32, local netip.Addr) []byte {
	if c.OpenHex != nil {
		return append([]byte(nil), c.OpenHex...)
	}
	return message.AppendOpen(nil, message.OpenParams{
		ASN:      asn,
		HoldTime: c.HoldTime,
		RouterID: c.routerID(local),
		Caps:     c.capabilities(asn),
	})
}

// defaultRouterID is the BGP Identifier of a session without a local
// IPv4 address and without a configured one.
var defaultRouterID = netip.AddrFrom4([4]byte{10, 255, 255, 254})

// routerID returns the configured BGP Identifier, else the local IPv4
// address of the session.
func (c *Config) routerID(local netip.Addr) netip.Addr {
	if c.RouterID.IsValid() {
		return c.RouterID.Unmap()
	}
	if a := local.Unmap(); a.Is4() && !a.IsUnspecified() {
		return a
	}
	return defaultRouterID
}

// openSet returns the capabilities of a whole OPEN message, or an empty
// set when it does not parse (an OpenHex made to be wrong).
func openSet(msg []byte) (capability.Set, message.Open, bool) {
	o, err := message.ParseOpen(msg)
	if err != nil {
		return capability.Set{}, message.Open{}, false
	}
	s, err := o.CapabilitySet()
	if err != nil {
		return capability.Set{}, o, false
	}
	return s, o, true
}
