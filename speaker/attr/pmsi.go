package attr

import (
	"github.com/ze-bgp/ze/speaker/wire"
)

// PMSITunnel is a PMSI_TUNNEL value (RFC 6514 §5):
//
//	+---------------------------------+
//	|  Flags (1 octet)                |
//	+---------------------------------+
//	|  Tunnel Type (1 octet)          |
//	+---------------------------------+
//	|  MPLS Label (3 octets)          |
//	+---------------------------------+
//	|  Tunnel Identifier (variable)   |
//	+---------------------------------+
//
// Label is the 20-bit label from the high bits of the 3-octet field (RFC
// 6514 §5); for EVPN with VXLAN the whole 24 bits carry a VNI (RFC 8365
// §5.1.3), so LabelField keeps the raw field too. ID aliases the message.
type PMSITunnel struct {
	Flags      uint8
	TunnelType uint8
	Label      uint32 // 20-bit MPLS label
	LabelField uint32 // the raw 3-octet field
	ID         []byte
}

// PMSI tunnel types (RFC 6514 §5, RFC 7432 §11, IANA).
const (
	PMSINoTunnel       = 0
	PMSIRSVPTEP2MP     = 1
	PMSIMLDPP2MP       = 2
	PMSIPIMSSM         = 3
	PMSIPIMSM          = 4
	PMSIBIDIRPIM       = 5
	PMSIIngressReplica = 6
	PMSIMLDPMP2MP      = 7
)

// ParsePMSITunnel reads a PMSI_TUNNEL value; fewer than 5 octets is an
// Attribute Length Error with treat-as-withdraw (RFC 7606 §2: the
// attribute affects route selection, so it is not discarded silently).
func ParsePMSITunnel(v []byte) (PMSITunnel, error) {
	if len(v) < 5 {
		return PMSITunnel{}, lengthError(CodePMSITunnel, len(v)).(*wire.Error).WithAction(wire.ActionTreatAsWithdraw)
	}
	f := uint32(v[2])<<16 | uint32(v[3])<<8 | uint32(v[4])
	return PMSITunnel{Flags: v[0], TunnelType: v[1], Label: f >> 4, LabelField: f, ID: v[5:]}, nil
}
