package fsm

import "net/netip"

// Direction says which side opened a TCP connection.
type Direction uint8

// Directions. The zero value is no direction.
const (
	Outgoing Direction = iota + 1 // we connected to the peer
	Incoming                      // the peer connected to us
)

func (d Direction) String() string {
	switch d {
	case Outgoing:
		return "outgoing"
	case Incoming:
		return "incoming"
	}
	return "none"
}

// Collides reports whether a connection in state s takes part in
// collision detection when the other connection to the same peer
// receives an OPEN (RFC 4271 §6.8): always in OpenConfirm; in Established
// only with CollisionDetectEstablishedState (detectEstablished). A
// connection in OpenSent collides only when the driver knows the peer's
// BGP Identifier by other means, which ze does not: false.
func (s State) Collides(detectEstablished bool) bool {
	return s == OpenConfirm || (detectEstablished && s == Established)
}

// Resolve decides which of two connections to the same peer to keep when
// they collide, from the two BGP Identifiers and AS numbers; the other is
// closed with OpenCollisionDump (Cease / Connection Collision Resolution,
// RFC 4486 subcode 7).
//
// RFC 4271 §6.8: the identifiers are compared as 4-octet unsigned
// integers in host order, and the connection opened by the speaker with
// the higher one survives: Outgoing when the local identifier is higher,
// Incoming when the remote one is.
//
// RFC 6286 §2.3: when the identifiers are equal (possible between ASes,
// since RFC 6286 makes them unique only within one), the connection
// opened by the speaker with the higher AS number survives.
//
// ok is false when the two cannot be told apart (same identifier and AS:
// the OPEN should have been refused as Bad BGP Identifier, RFC 6286 §2.2)
// or an identifier is not an IPv4 address (IPv4-mapped IPv6 is accepted).
func Resolve(localID, remoteID netip.Addr, localASN, remoteASN uint32) (keep Direction, ok bool) {
	l, lok := id32(localID)
	r, rok := id32(remoteID)
	switch {
	case !lok || !rok:
		return 0, false
	case l > r:
		return Outgoing, true
	case l < r:
		return Incoming, true
	case localASN > remoteASN:
		return Outgoing, true
	case localASN < remoteASN:
		return Incoming, true
	}
	return 0, false
}

func id32(a netip.Addr) (uint32, bool) {
	a = a.Unmap()
	if !a.Is4() {
		return 0, false
	}
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), true
}
