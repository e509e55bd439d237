package wire

import (
	"fmt"
	"strconv"
	"strings"
)

// AFI is an Address Family Identifier (RFC 4760 §3, IANA registry).
type AFI uint16

// SAFI is a Subsequent Address Family Identifier (RFC 4760 §6, IANA registry).
type SAFI uint8

// AFIs.
const (
	AFIIPv4  AFI = 1
	AFIIPv6  AFI = 2
	AFIL2VPN AFI = 25
	AFIBGPLS AFI = 16388
)

// SAFIs.
const (
	SAFIUnicast   SAFI = 1
	SAFIMulticast SAFI = 2
	SAFILabeled   SAFI = 4 // RFC 8277 labeled unicast
	SAFIMVPN      SAFI = 5 // RFC 6514
	SAFIVPLS      SAFI = 65
	SAFIEVPN      SAFI = 70
	SAFIBGPLS     SAFI = 71
	SAFIBGPLSVPN  SAFI = 72
	SAFISRPolicy  SAFI = 73
	SAFIMUP       SAFI = 85
	SAFIVPN       SAFI = 128 // RFC 4364 MPLS-labeled VPN
	SAFIRTC       SAFI = 132
	SAFIFlow      SAFI = 133
	SAFIFlowVPN   SAFI = 134
)

var afiNames = map[AFI]string{AFIIPv4: "ipv4", AFIIPv6: "ipv6", AFIL2VPN: "l2vpn", AFIBGPLS: "bgp-ls"}

// SAFI names follow ExaBGP's, which network engineers already script against.
var safiNames = map[SAFI]string{
	SAFIUnicast: "unicast", SAFIMulticast: "multicast", SAFILabeled: "nlri-mpls", SAFIMVPN: "mcast-vpn",
	SAFIVPLS: "vpls", SAFIEVPN: "evpn", SAFIBGPLS: "bgp-ls", SAFIBGPLSVPN: "bgp-ls-vpn",
	SAFISRPolicy: "sr-policy", SAFIMUP: "mup", SAFIVPN: "mpls-vpn", SAFIRTC: "rtc",
	SAFIFlow: "flow", SAFIFlowVPN: "flow-vpn",
}

// String returns "ipv4", "ipv6", "l2vpn", "bgp-ls" or "afi-N".
func (a AFI) String() string {
	if s, ok := afiNames[a]; ok {
		return s
	}
	return "afi-" + strconv.Itoa(int(a))
}

// String returns the SAFI's name ("unicast", "mpls-vpn", "flow"…) or "safi-N".
func (s SAFI) String() string {
	if n, ok := safiNames[s]; ok {
		return n
	}
	return "safi-" + strconv.Itoa(int(s))
}

// Family is an AFI/SAFI pair; it is comparable and usable as a map key.
type Family struct {
	AFI  AFI
	SAFI SAFI
}

// Common families.
var (
	IPv4Unicast   = Family{AFIIPv4, SAFIUnicast}
	IPv6Unicast   = Family{AFIIPv6, SAFIUnicast}
	IPv4Multicast = Family{AFIIPv4, SAFIMulticast}
	IPv6Multicast = Family{AFIIPv6, SAFIMulticast}
)

// String returns "afi/safi", e.g. "ipv4/unicast", "l2vpn/evpn".
func (f Family) String() string { return f.AFI.String() + "/" + f.SAFI.String() }

// IsIP reports whether the family's NLRI are plain IP prefixes
// (unicast or multicast, IPv4 or IPv6): the families this codec parses.
func (f Family) IsIP() bool {
	return (f.AFI == AFIIPv4 || f.AFI == AFIIPv6) && (f.SAFI == SAFIUnicast || f.SAFI == SAFIMulticast)
}

// ParseFamily parses "ipv4/unicast", "ipv4 unicast" (any case, spaces
// around the parts ignored) or numeric forms like "1/1" and
// "afi-1/safi-1"; it also takes the aliases "labeled-unicast",
// "mpls-label", "vpn" and "flowspec" for SAFIs 4, 128 and 133. It is the
// inverse of Family.String.
func ParseFamily(s string) (Family, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		a, b, ok = strings.Cut(s, " ")
	}
	if !ok {
		return Family{}, fmt.Errorf("wire: family %q is not afi/safi", s)
	}
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	var f Family
	found := false
	for k, v := range afiNames {
		if v == a {
			f.AFI, found = k, true
		}
	}
	if !found {
		n, err := strconv.ParseUint(strings.TrimPrefix(a, "afi-"), 10, 16)
		if err != nil {
			return Family{}, fmt.Errorf("wire: unknown AFI %q", a)
		}
		f.AFI = AFI(n)
	}
	found = false
	for k, v := range safiNames {
		if v == b {
			f.SAFI, found = k, true
		}
	}
	if !found {
		switch b {
		case "labeled-unicast", "mpls-label":
			return Family{f.AFI, SAFILabeled}, nil
		case "vpn":
			return Family{f.AFI, SAFIVPN}, nil
		case "flowspec":
			return Family{f.AFI, SAFIFlow}, nil
		}
		n, err := strconv.ParseUint(strings.TrimPrefix(b, "safi-"), 10, 8)
		if err != nil {
			return Family{}, fmt.Errorf("wire: unknown SAFI %q", b)
		}
		f.SAFI = SAFI(n)
	}
	return f, nil
}

// knownFamilies gives each family an index for the bit sets of Context.
var knownFamilies = [...]Family{
	{AFIIPv4, SAFIUnicast}, {AFIIPv6, SAFIUnicast}, {AFIIPv4, SAFIMulticast}, {AFIIPv6, SAFIMulticast},
	{AFIIPv4, SAFILabeled}, {AFIIPv6, SAFILabeled}, {AFIIPv4, SAFIVPN}, {AFIIPv6, SAFIVPN},
	{AFIIPv4, SAFIFlow}, {AFIIPv6, SAFIFlow}, {AFIIPv4, SAFIFlowVPN}, {AFIIPv6, SAFIFlowVPN},
	{AFIL2VPN, SAFIVPLS}, {AFIL2VPN, SAFIEVPN}, {AFIIPv4, SAFIMUP}, {AFIIPv6, SAFIMUP},
	{AFIIPv4, SAFIMVPN}, {AFIIPv6, SAFIMVPN}, {AFIIPv4, SAFIRTC}, {AFIBGPLS, SAFIBGPLS},
	{AFIBGPLS, SAFIBGPLSVPN}, {AFIIPv4, SAFISRPolicy}, {AFIIPv6, SAFISRPolicy}, {AFIL2VPN, SAFIFlowVPN},
}

// familyHashMul makes slot a perfect hash of knownFamilies into 32
// slots (found by search; init panics if a new family collides).
const familyHashMul = 0x11884fcb

// slot hashes f into familySlots.
func (f Family) slot() uint32 {
	return (uint32(f.AFI)<<8 | uint32(f.SAFI)) * familyHashMul >> 27
}

// familySlots maps slot() to the index in knownFamilies; unused slots
// hold 0, which index and bit reject by comparing the family.
var familySlots = func() (t [32]uint8) {
	var used [32]bool
	for i, f := range knownFamilies {
		s := f.slot()
		if used[s] {
			panic("wire: knownFamilies collide in familySlots: change familyHashMul")
		}
		used[s], t[s] = true, uint8(i)
	}
	return t
}()

// Known reports whether f is one of the families ze tracks in a Context
// (the IANA AFI/SAFI pairs of ze's supported address families).
func (f Family) Known() bool { return f.index() >= 0 }

// index returns the family's bit index in Context, or -1.
func (f Family) index() int {
	if i := familySlots[f.slot()]; knownFamilies[i] == f {
		return int(i)
	}
	return -1
}

// bit returns 1<<f.index(), or 0 for a family outside the known set.
func (f Family) bit() uint64 {
	if i := familySlots[f.slot()]; knownFamilies[i] == f {
		return 1 << i
	}
	return 0
}
