package mrt

import (
	"encoding/binary"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/wire"
)

// TableDump is a view of a TABLE_DUMP record (RFC 6396 §4.2), the
// version 1 RIB format of the oldest RIPE RIS and RouteViews dumps: one
// route of one peer per record.
//
//	+-------------------------------+-------------------------------+
//	|  View Number (2)              |  Sequence Number (2)          |
//	+-------------------------------+-------------------------------+
//	|  Prefix (4 or 16)                                             |
//	+---------------+---------------+-------------------------------+
//	|  Prefix Length (1) | Status (1) | Originated Time (4)         |
//	+---------------------------------------------------------------+
//	|  Peer IP Address (4 or 16)                                    |
//	+-------------------------------+-------------------------------+
//	|  Peer AS (2)                  |  Attribute Length (2)         |
//	+-------------------------------+-------------------------------+
//	|  BGP Attributes (variable, 2-octet ASNs)                      |
//	+---------------------------------------------------------------+
//
// Subtype 1 is IPv4, 2 IPv6. Subtypes 3 and 4, an extension bgpdump
// reads, are the same with a 4-octet Peer AS and 4-octet ASNs in the
// attributes. Attrs and PrefixBytes alias the record.
type TableDump struct {
	Subtype    uint16
	View       uint16
	Sequence   uint16
	Family     wire.Family // IPv4 or IPv6 unicast
	PrefixLen  uint8       // as recorded (not checked against the family)
	Status     uint8
	Originated uint32 // seconds since 1970
	PeerIP     netip.Addr
	PeerAS     uint32
	// PrefixBytes is the 4 or 16 prefix octets as recorded.
	PrefixBytes []byte
	Attrs       []byte
}

// AS4 reports whether the attributes hold 4-octet ASNs (subtypes 3, 4).
func (t *TableDump) AS4() bool { return t.Subtype == 3 || t.Subtype == 4 }

// Prefix returns the prefix; it is invalid when PrefixLen exceeds the
// family maximum. Host bits are kept as recorded.
func (t *TableDump) Prefix() netip.Prefix {
	return netip.PrefixFrom(addrFrom(t.PrefixBytes), int(t.PrefixLen))
}

// Context returns the encoding context of the attributes.
func (t *TableDump) Context() wire.Context { return subtypeContext(t.AS4(), false) }

// ParseTableDump reads a TABLE_DUMP record. Errors: ErrWrongType,
// ErrSubtype, ErrShort (the record ends before the attributes do).
// Octets after the attributes are ignored, as readers always have.
func ParseTableDump(rec *Record) (TableDump, error) {
	var t TableDump
	if rec.Type != TypeTableDump {
		return t, ErrWrongType
	}
	t.Subtype = rec.Subtype
	n, asn := 4, 2
	switch rec.Subtype {
	case TableDumpAFIIPv4:
	case TableDumpAFIIPv6:
		n = 16
	case 3:
		asn = 4
	case 4:
		n, asn = 16, 4
	default:
		return t, ErrSubtype
	}
	t.Family = wire.IPv4Unicast
	if n == 16 {
		t.Family = wire.IPv6Unicast
	}
	b := rec.Body
	if len(b) < 4+n+6+n+asn+2 {
		return t, ErrShort
	}
	t.View, t.Sequence = binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:])
	t.PrefixBytes = b[4 : 4+n : 4+n]
	b = b[4+n:]
	t.PrefixLen, t.Status, t.Originated = b[0], b[1], binary.BigEndian.Uint32(b[2:])
	b = b[6:]
	t.PeerIP = addrFrom(b[:n])
	t.PeerAS = readASN(b[n:], asn)
	b = b[n+asn:]
	al := int(binary.BigEndian.Uint16(b))
	if len(b) < 2+al {
		return t, ErrShort
	}
	t.Attrs = b[2 : 2+al : 2+al]
	return t, nil
}
