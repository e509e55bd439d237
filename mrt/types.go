package mrt

import "strconv"

// Type is the MRT record type of the common header (RFC 6396 §4).
type Type uint16

// MRT types (RFC 6396 §4; the deprecated ones of §B.2 as found in the
// oldest RIPE RIS files).
const (
	TypeNull        Type = 0 // deprecated
	TypeStart       Type = 1 // deprecated
	TypeDie         Type = 2 // deprecated
	TypeIAmDead     Type = 3 // deprecated
	TypePeerDown    Type = 4 // deprecated
	TypeBGP         Type = 5 // deprecated: the legacy BGP type (RFC 6396 §B.2.1)
	TypeRIP         Type = 6 // deprecated
	TypeIDRP        Type = 7 // deprecated
	TypeRIPNG       Type = 8 // deprecated
	TypeBGP4Plus    Type = 9 // deprecated
	TypeBGP4Plus01  Type = 10
	TypeOSPFv2      Type = 11
	TypeTableDump   Type = 12
	TypeTableDumpV2 Type = 13
	TypeBGP4MP      Type = 16
	TypeBGP4MPET    Type = 17
	TypeISIS        Type = 32
	TypeISISET      Type = 33
	TypeOSPFv3      Type = 48
	TypeOSPFv3ET    Type = 49
)

// HasMicroseconds reports whether records of this type carry the 4-byte
// microsecond timestamp after the common header (the _ET types, RFC 6396
// §3).
func (t Type) HasMicroseconds() bool {
	return t == TypeBGP4MPET || t == TypeISISET || t == TypeOSPFv3ET
}

var typeNames = map[Type]string{
	TypeNull: "NULL", TypeStart: "START", TypeDie: "DIE", TypeIAmDead: "I_AM_DEAD",
	TypePeerDown: "PEER_DOWN", TypeBGP: "BGP", TypeRIP: "RIP", TypeIDRP: "IDRP",
	TypeRIPNG: "RIPNG", TypeBGP4Plus: "BGP4PLUS", TypeBGP4Plus01: "BGP4PLUS_01",
	TypeOSPFv2: "OSPFv2", TypeTableDump: "TABLE_DUMP", TypeTableDumpV2: "TABLE_DUMP_V2",
	TypeBGP4MP: "BGP4MP", TypeBGP4MPET: "BGP4MP_ET", TypeISIS: "ISIS", TypeISISET: "ISIS_ET",
	TypeOSPFv3: "OSPFv3", TypeOSPFv3ET: "OSPFv3_ET",
}

// String returns the RFC 6396 name ("TABLE_DUMP_V2"), or the number.
func (t Type) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return strconv.Itoa(int(t))
}

// TABLE_DUMP subtypes (RFC 6396 §4.2): the AFI of the entry.
const (
	TableDumpAFIIPv4 uint16 = 1
	TableDumpAFIIPv6 uint16 = 2
)

// TABLE_DUMP_V2 subtypes (RFC 6396 §4.3, RFC 6397, RFC 8050 §4).
const (
	PeerIndexTable          uint16 = 1
	RIBIPv4Unicast          uint16 = 2
	RIBIPv4Multicast        uint16 = 3
	RIBIPv6Unicast          uint16 = 4
	RIBIPv6Multicast        uint16 = 5
	RIBGeneric              uint16 = 6
	GeoPeerTable            uint16 = 7
	RIBIPv4UnicastAddPath   uint16 = 8
	RIBIPv4MulticastAddPath uint16 = 9
	RIBIPv6UnicastAddPath   uint16 = 10
	RIBIPv6MulticastAddPath uint16 = 11
	RIBGenericAddPath       uint16 = 12
)

// BGP4MP and BGP4MP_ET subtypes (RFC 6396 §4.4, RFC 8050 §3).
const (
	BGP4MPStateChange            uint16 = 0
	BGP4MPMessage                uint16 = 1
	BGP4MPMessageAS4             uint16 = 4
	BGP4MPStateChangeAS4         uint16 = 5
	BGP4MPMessageLocal           uint16 = 6
	BGP4MPMessageAS4Local        uint16 = 7
	BGP4MPMessageAddPath         uint16 = 8
	BGP4MPMessageAS4AddPath      uint16 = 9
	BGP4MPMessageLocalAddPath    uint16 = 10
	BGP4MPMessageAS4LocalAddPath uint16 = 11
)

// Legacy BGP type subtypes (RFC 6396 §B.2.1).
const (
	BGPNull        uint16 = 0
	BGPUpdate      uint16 = 1
	BGPPrefUpdate  uint16 = 2
	BGPStateChange uint16 = 3
	BGPSync        uint16 = 4
	BGPOpen        uint16 = 5
	BGPNotify      uint16 = 6
	BGPKeepalive   uint16 = 7
)

// BGP FSM states as numbered in STATE_CHANGE records (RFC 6396 §4.4.1).
const (
	StateIdle        uint16 = 1
	StateConnect     uint16 = 2
	StateActive      uint16 = 3
	StateOpenSent    uint16 = 4
	StateOpenConfirm uint16 = 5
	StateEstablished uint16 = 6
)

// HeaderLen is the length of the MRT common header (RFC 6396 §2);
// records of the _ET types add 4 bytes of microseconds (§3).
const HeaderLen = 12

var subtypeNames = map[Type][]string{
	TypeTableDump: {1: "AFI_IPv4", 2: "AFI_IPv6", 3: "AFI_IPv4_AS4", 4: "AFI_IPv6_AS4"},
	TypeTableDumpV2: {1: "PEER_INDEX_TABLE", 2: "RIB_IPV4_UNICAST", 3: "RIB_IPV4_MULTICAST",
		4: "RIB_IPV6_UNICAST", 5: "RIB_IPV6_MULTICAST", 6: "RIB_GENERIC", 7: "GEO_PEER_TABLE",
		8: "RIB_IPV4_UNICAST_ADDPATH", 9: "RIB_IPV4_MULTICAST_ADDPATH", 10: "RIB_IPV6_UNICAST_ADDPATH",
		11: "RIB_IPV6_MULTICAST_ADDPATH", 12: "RIB_GENERIC_ADDPATH"},
	TypeBGP4MP: {"STATE_CHANGE", "MESSAGE", "ENTRY", "SNAPSHOT", "MESSAGE_AS4", "STATE_CHANGE_AS4",
		"MESSAGE_LOCAL", "MESSAGE_AS4_LOCAL", "MESSAGE_ADDPATH", "MESSAGE_AS4_ADDPATH",
		"MESSAGE_LOCAL_ADDPATH", "MESSAGE_AS4_LOCAL_ADDPATH"},
	TypeBGP: {"BGP_NULL", "BGP_UPDATE", "BGP_PREF_UPDATE", "BGP_STATE_CHANGE", "BGP_SYNC", "BGP_OPEN",
		"BGP_NOTIFY", "BGP_KEEPALIVE"},
}

// SubtypeString returns the RFC 6396 / RFC 8050 name of a subtype of
// type t ("RIB_IPV4_UNICAST", "MESSAGE_AS4"; BGP4MP_ET shares BGP4MP's
// names; TABLE_DUMP's are "AFI_IPv4", "AFI_IPv6", and bgpdump's
// "AFI_IPv4_AS4", "AFI_IPv6_AS4"), or the number.
func SubtypeString(t Type, sub uint16) string {
	if t == TypeBGP4MPET {
		t = TypeBGP4MP
	}
	if names := subtypeNames[t]; int(sub) < len(names) && names[sub] != "" {
		return names[sub]
	}
	return strconv.Itoa(int(sub))
}
