package capability

import (
	"slices"

	"github.com/ze-bgp/ze/speaker/wire"
)

// Set summarises the capabilities of one OPEN message: what Negotiate
// and the session need. Build it with ParseSet or Set.Add; a speaker may
// also fill one in for what it advertises. The slices are owned by the
// Set (copies, not views).
type Set struct {
	ASN4                 bool   // capability 65 seen
	ASN                  uint32 // its 4-octet ASN (when ASN4)
	ExtendedMessage      bool   // capability 6
	RouteRefresh         bool   // capability 2 or 128
	EnhancedRouteRefresh bool   // capability 70
	GracefulRestart      bool   // capability 64
	LLGR                 bool   // capability 71
	HasRole              bool   // capability 9 seen
	Role                 Role

	Families   []wire.Family   // Multiprotocol families, in order, no duplicates
	AddPath    []AddPathFamily // ADD-PATH entries; one per family, the last one advertised
	ExtNextHop []NextHopFamily // Extended Next Hop entries, no duplicates
}

// ParseSet walks one capability list (the value of one Capabilities
// optional parameter) and adds every capability to a new Set. It stops
// at the first framing error or session-reset error from Add;
// capabilities the RFCs say to ignore (Ignorable errors) are skipped.
func ParseSet(caps []byte) (Set, error) {
	var s Set
	it := NewIterator(caps)
	for it.Next() {
		if err := s.Add(it.Code(), it.Value()); err != nil && !Ignorable(err) {
			return s, err
		}
	}
	return s, it.Err()
}

// Add decodes capability c with value v and records it in s. Unknown
// codes and name-only codes (dynamic capability, FQDN, software version
// once checked) change nothing. Errors are those of the ParseX functions
// (s unchanged), plus:
//   - OPEN Message Error / Bad Peer AS for a 4-octet ASN of 0 (RFC 7607 §2);
//   - OPEN Message Error / Role Mismatch for a second Role capability
//     with a different value (RFC 9234 §4.2).
func (s *Set) Add(c Code, v []byte) error {
	switch c {
	case CodeMultiprotocol:
		f, err := ParseMultiprotocol(v)
		if err != nil {
			return err
		}
		if !slices.Contains(s.Families, f) {
			s.Families = append(s.Families, f)
		}
	case CodeRouteRefresh, CodeRouteRefreshCisco, CodeEnhancedRouteRefresh, CodeExtendedMessage, CodeLinkLocalNextHop:
		if err := ParseEmpty(c, v); err != nil {
			return err
		}
		switch c {
		case CodeRouteRefresh, CodeRouteRefreshCisco:
			s.RouteRefresh = true
		case CodeEnhancedRouteRefresh:
			s.EnhancedRouteRefresh = true
		case CodeExtendedMessage:
			s.ExtendedMessage = true
		}
	case CodeASN4:
		asn, err := ParseASN4(v)
		if err != nil {
			return err
		}
		if asn == 0 {
			return wire.Errorf(wire.CodeOpen, wire.SubBadPeerAS, nil, "capability: asn4: AS 0")
		}
		s.ASN4, s.ASN = true, asn
	case CodeRole:
		r, err := ParseRole(v)
		if err != nil {
			return err
		}
		if s.HasRole && s.Role != r {
			return wire.Errorf(wire.CodeOpen, wire.SubRoleMismatch, nil, "capability: role: both %s and %s advertised", s.Role, r)
		}
		s.HasRole, s.Role = true, r
	case CodeAddPath:
		a, err := ParseAddPath(v)
		if err != nil {
			return err
		}
		for e := range a.All() {
			i := slices.IndexFunc(s.AddPath, func(x AddPathFamily) bool { return x.Family == e.Family })
			if i >= 0 {
				s.AddPath[i] = e
			} else {
				s.AddPath = append(s.AddPath, e)
			}
		}
	case CodeExtendedNextHop:
		x, err := ParseExtendedNextHop(v)
		if err != nil {
			return err
		}
		for e := range x.All() {
			if !slices.Contains(s.ExtNextHop, e) {
				s.ExtNextHop = append(s.ExtNextHop, e)
			}
		}
	case CodeGracefulRestart:
		if _, err := ParseGracefulRestart(v); err != nil {
			return err
		}
		s.GracefulRestart = true
	case CodeLLGR:
		if _, err := ParseLLGR(v); err != nil {
			return err
		}
		s.LLGR = true
	case CodeFQDN:
		if _, _, err := ParseFQDN(v); err != nil {
			return err
		}
	case CodeSoftwareVersion:
		if _, err := ParseSoftwareVersion(v); err != nil {
			return err
		}
	}
	return nil
}

// HasFamily reports whether s advertises family f. An OPEN without any
// Multiprotocol capability is a plain RFC 4271 speaker: IPv4 unicast
// only.
func (s Set) HasFamily(f wire.Family) bool {
	if len(s.Families) == 0 {
		return f == wire.IPv4Unicast
	}
	return slices.Contains(s.Families, f)
}

// AddPathMode returns the ADD-PATH mode s advertises for f, or 0.
func (s Set) AddPathMode(f wire.Family) AddPathMode {
	for _, e := range s.AddPath {
		if e.Family == f {
			return e.Mode
		}
	}
	return 0
}

// CommonFamilies returns the families both sets advertise, in local's
// order (RFC 4760 §8: a family is usable only when both sides sent it).
// A set without Multiprotocol capabilities stands for IPv4 unicast.
func CommonFamilies(local, remote Set) []wire.Family {
	fams := local.Families
	if len(fams) == 0 {
		fams = []wire.Family{wire.IPv4Unicast}
	}
	var out []wire.Family
	for _, f := range fams {
		if remote.HasFamily(f) {
			out = append(out, f)
		}
	}
	return out
}

// Negotiate computes the encoding contexts of a session from the
// capabilities the local speaker advertised and those the remote peer
// advertised: recv for the messages local receives, send for those it
// sends.
//
//   - ASN4 (RFC 6793 §3): on in both directions when both sent
//     capability 65.
//   - ExtendedMessage (RFC 8654 §3): on in both directions when both
//     sent capability 6.
//   - ADD-PATH (RFC 7911 §4): on for family F in recv when local
//     advertised receive (1 or 3) for F and remote advertised send (2 or
//     3) for F; on in send when local advertised send and remote
//     advertised receive.
//   - Extended next hop (RFC 8950): on for family F in both
//     directions when both listed the same NLRI family F with the same
//     next-hop AFI. (The RFC only requires the receiver to have
//     advertised it; requiring both matches what implementations
//     negotiate.)
//
// Families outside the set wire.Context tracks are left off silently.
func Negotiate(local, remote Set) (recv, send wire.Context) {
	if local.ASN4 && remote.ASN4 {
		recv.ASN4, send.ASN4 = true, true
	}
	if local.ExtendedMessage && remote.ExtendedMessage {
		recv.ExtendedMessage, send.ExtendedMessage = true, true
	}
	for _, e := range local.AddPath {
		r := remote.AddPathMode(e.Family)
		if e.Mode.CanReceive() && r.CanSend() {
			recv, _ = recv.WithAddPath(e.Family, true)
		}
		if e.Mode.CanSend() && r.CanReceive() {
			send, _ = send.WithAddPath(e.Family, true)
		}
	}
	for _, e := range local.ExtNextHop {
		if slices.Contains(remote.ExtNextHop, e) {
			recv, _ = recv.WithExtNextHop(e.Family, true)
			send, _ = send.WithExtNextHop(e.Family, true)
		}
	}
	return recv, send
}

// ContextFromOpens is Negotiate for a passive observer that saw both
// OPENs of a session (pcap, MRT, BMP decoding): a and b are the
// capabilities of the two speakers; aToB is the context of the messages
// a sends to b, bToA of those b sends to a.
func ContextFromOpens(a, b Set) (aToB, bToA wire.Context) {
	recv, send := Negotiate(a, b)
	return send, recv
}
