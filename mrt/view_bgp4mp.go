package mrt

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/wire"
)

// Errors of the record views. The views never panic; a record too short
// for its fields, or with values no writer would produce, gives one of
// these (wrapped with detail).
var (
	ErrShort       = errors.New("mrt: record shorter than its fields")
	ErrWrongType   = errors.New("mrt: view does not apply to this record type")
	ErrSubtype     = errors.New("mrt: unsupported subtype")
	ErrAFI         = errors.New("mrt: unknown address family")
	ErrPeerIndex   = errors.New("mrt: peer index beyond the peer index table")
	ErrEntryCount  = errors.New("mrt: entry count does not match the entries")
	ErrTrailing    = errors.New("mrt: octets after the last field")
	ErrPrefixLen   = errors.New("mrt: prefix length exceeds the family maximum")
	ErrNoPeerIndex = errors.New("mrt: RIB record before any PEER_INDEX_TABLE")
)

// BGP4MP is a view of a BGP4MP or BGP4MP_ET record (RFC 6396 §4.4, RFC
// 8050 §3): a BGP message or a state change of one session, seen by the
// collector.
//
//	+---------------------------------------------------------------+
//	|  Peer AS (2, or 4 for the AS4 subtypes) | Local AS (2 or 4)   |
//	+-------------------------------+-------------------------------+
//	|  Interface Index (2)          |  Address Family (2)           |
//	+-------------------------------+-------------------------------+
//	|  Peer IP Address (4 or 16)    |  Local IP Address (4 or 16)   |
//	+---------------------------------------------------------------+
//	|  MESSAGE subtypes: the BGP message, marker and header included |
//	|  STATE_CHANGE subtypes: Old State (2) | New State (2)         |
//	+---------------------------------------------------------------+
//
// The _LOCAL subtypes hold messages the collector sent, with the same
// field order (Peer AS and IP are still the far end's). Message aliases
// the record.
//
// Two forms written by old Zebra versions are read as bgpdump reads
// them: a STATE_CHANGE of only the two ASNs and the states (no interface,
// family or addresses), and a MESSAGE whose Interface Index and Address
// Family are both 0xFFFF, which are then the first octets of the BGP
// marker (no addresses); PeerIP and LocalIP are then 0.0.0.0.
type BGP4MP struct {
	Subtype   uint16
	PeerAS    uint32
	LocalAS   uint32
	Interface uint16
	AFI       wire.AFI
	PeerIP    netip.Addr
	LocalIP   netip.Addr
	// Message is the whole BGP message (MESSAGE subtypes).
	Message []byte
	// OldState and NewState are the FSM states, StateIdle…StateEstablished
	// (STATE_CHANGE subtypes).
	OldState, NewState uint16
}

// IsStateChange reports whether the record is a STATE_CHANGE(_AS4).
func (m *BGP4MP) IsStateChange() bool {
	return m.Subtype == BGP4MPStateChange || m.Subtype == BGP4MPStateChangeAS4
}

// AS4 reports whether the subtype carries 4-octet ASNs: in its AS fields,
// and for messages in the message's AS_PATH and AGGREGATOR too (RFC 6396
// §4.4.3).
func (m *BGP4MP) AS4() bool { return subtypeAS4(m.Subtype) }

// AddPath reports whether the message's NLRI carry path identifiers
// (the _ADDPATH subtypes, RFC 8050 §3).
func (m *BGP4MP) AddPath() bool {
	return m.Subtype >= BGP4MPMessageAddPath && m.Subtype <= BGP4MPMessageAS4LocalAddPath
}

// Local reports whether the message was sent by the collector (the
// _LOCAL subtypes).
func (m *BGP4MP) Local() bool {
	switch m.Subtype {
	case BGP4MPMessageLocal, BGP4MPMessageAS4Local, BGP4MPMessageLocalAddPath, BGP4MPMessageAS4LocalAddPath:
		return true
	}
	return false
}

// Context returns the encoding context the subtype implies for the
// message: 4-octet ASNs for the AS4 subtypes, path identifiers for
// AddPathFamilies for the _ADDPATH subtypes, and
// extended message lengths (MRT does not say; a recorded message is
// taken as it is).
func (m *BGP4MP) Context() wire.Context {
	return subtypeContext(m.AS4(), m.AddPath())
}

// subtypeContext builds a Context with 4-octet ASNs when as4 and ADD-PATH
// on every known family when addPath.
func subtypeContext(as4, addPath bool) wire.Context {
	c := wire.Context{ASN4: as4, ExtendedMessage: true}
	if addPath {
		c = addPathAll(c)
	}
	return c
}

// AddPathFamilies are the families the _ADDPATH subtypes (RFC 8050)
// turn ADD-PATH on for in Context: IPv4 and IPv6 unicast and multicast,
// the families MRT ADD-PATH records carry (bgpdump reads no others).
var AddPathFamilies = []wire.Family{
	wire.IPv4Unicast, wire.IPv6Unicast,
	{AFI: wire.AFIIPv4, SAFI: wire.SAFIMulticast}, {AFI: wire.AFIIPv6, SAFI: wire.SAFIMulticast},
}

func addPathAll(c wire.Context) wire.Context {
	for _, f := range AddPathFamilies {
		c, _ = c.WithAddPath(f, true)
	}
	return c
}

// subtypeAS4 reports whether a BGP4MP subtype uses 4-octet ASNs.
func subtypeAS4(sub uint16) bool {
	switch sub {
	case BGP4MPMessageAS4, BGP4MPStateChangeAS4, BGP4MPMessageAS4Local, BGP4MPMessageAS4AddPath, BGP4MPMessageAS4LocalAddPath:
		return true
	}
	return false
}

// ParseBGP4MP reads a BGP4MP or BGP4MP_ET record. Errors: ErrWrongType,
// ErrSubtype (BGP4MP_ENTRY and BGP4MP_SNAPSHOT are not read), ErrAFI,
// ErrShort; a STATE_CHANGE with octets after the states gives
// ErrTrailing. The message itself is not checked.
func ParseBGP4MP(rec *Record) (BGP4MP, error) {
	var m BGP4MP
	if rec.Type != TypeBGP4MP && rec.Type != TypeBGP4MPET {
		return m, ErrWrongType
	}
	m.Subtype = rec.Subtype
	switch rec.Subtype {
	case BGP4MPStateChange, BGP4MPStateChangeAS4, BGP4MPMessage, BGP4MPMessageAS4, BGP4MPMessageLocal,
		BGP4MPMessageAS4Local, BGP4MPMessageAddPath, BGP4MPMessageAS4AddPath, BGP4MPMessageLocalAddPath,
		BGP4MPMessageAS4LocalAddPath:
	default:
		return m, ErrSubtype
	}
	b := rec.Body
	asn := 2
	if m.AS4() {
		asn = 4
	}
	if len(b) < 2*asn {
		return m, ErrShort
	}
	m.PeerAS, m.LocalAS = readASN(b, asn), readASN(b[asn:], asn)
	b = b[2*asn:]
	if m.IsStateChange() && len(b) == 4 {
		// Zebra's short form: the states right after the ASNs.
		m.AFI, m.PeerIP, m.LocalIP = wire.AFIIPv4, netip.IPv4Unspecified(), netip.IPv4Unspecified()
		m.OldState, m.NewState = binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
		return m, nil
	}
	if len(b) < 4 {
		return m, ErrShort
	}
	m.Interface, m.AFI = binary.BigEndian.Uint16(b), wire.AFI(binary.BigEndian.Uint16(b[2:]))
	if !m.IsStateChange() && m.Interface == 0xFFFF && m.AFI == 0xFFFF {
		// Zebra's OPEN form: no interface, family or addresses; the
		// marker starts where they would.
		m.Interface, m.AFI, m.PeerIP, m.LocalIP = 0, wire.AFIIPv4, netip.IPv4Unspecified(), netip.IPv4Unspecified()
		m.Message = b
		return m, nil
	}
	b = b[4:]
	var n int
	switch m.AFI {
	case wire.AFIIPv4:
		n = 4
	case wire.AFIIPv6:
		n = 16
	default:
		return m, ErrAFI
	}
	if len(b) < 2*n {
		return m, ErrShort
	}
	m.PeerIP, m.LocalIP = addrFrom(b[:n]), addrFrom(b[n:2*n])
	b = b[2*n:]
	if m.IsStateChange() {
		if len(b) < 4 {
			return m, ErrShort
		}
		m.OldState, m.NewState = binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
		if len(b) > 4 {
			return m, ErrTrailing
		}
		return m, nil
	}
	m.Message = b
	return m, nil
}

// readASN reads a 2- or 4-octet ASN.
func readASN(b []byte, n int) uint32 {
	if n == 4 {
		return binary.BigEndian.Uint32(b)
	}
	return uint32(binary.BigEndian.Uint16(b))
}

// addrFrom returns the address in b (4 or 16 octets).
func addrFrom(b []byte) netip.Addr {
	if len(b) == 4 {
		return netip.AddrFrom4([4]byte(b))
	}
	return netip.AddrFrom16([16]byte(b))
}

// StateName returns the RFC 6396 §4.4.1 name of an FSM state number
// ("Idle", "Connect", "Active", "OpenSent", "OpenConfirm",
// "Established"), or "state-N".
func StateName(s uint16) string {
	switch s {
	case StateIdle:
		return "Idle"
	case StateConnect:
		return "Connect"
	case StateActive:
		return "Active"
	case StateOpenSent:
		return "OpenSent"
	case StateOpenConfirm:
		return "OpenConfirm"
	case StateEstablished:
		return "Established"
	}
	return "state-" + itoa(uint64(s))
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}
