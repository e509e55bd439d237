//go:build interop

package exabgp

import (
	"regexp"
	"strings"
)

// entry names one message: the capture (file name without .pcapng) and
// its 0-based message index (as `ze bgp decode --pcap` counts them).
type entry struct {
	capture string
	index   int
}

// exception is a group of messages where ze and ExaBGP differ for one
// stated reason. only names the test it applies to ("decode" for
// TestDecodeAgainstExaBGP, "session" for TestSessionAgainstExaBGP); empty
// means both.
type exception struct {
	reason  string
	only    string
	entries []entry
}

// Captures named in the exception lists.
const (
	extMessage     = "bird-frr-extended-message-large-updates"
	openbgpd       = "bird-openbgpd-ebgp-v4v6-addpath-role-vpn"
	asTrans        = "exabgp-frr-bird-asn2-asn4-as4path-as-trans"
	multifamily    = "exabgp-gobgp-multifamily-ebgp-asn4"
	extNH          = "frr-bird-ebgp-ipv6-transport-extnh-role-addpath-vpn-flowspec"
	malformedAttrs = "exabgp-frr-notification-update-malformed-attribute-list"
	nineFamilies   = "frr-frr-ebgp-rfc9072-extended-optparams-9-families"
	gobgpRR        = "gobgp-rr-ibgp-evpn-mup-flowspec-addpath"
)

// exabgpDefects are the messages where ExaBGP 4.2.21 (or its --decode
// tool) is wrong or cannot follow, and ze is right.
var exabgpDefects = []exception{
	{
		// ExaBGP 4.2 parses the AS_PATH 02 05 (an AS_SEQUENCE of 5 ASNs
		// holding no octets) as malformed and flags the UPDATE
		// treat-as-withdraw (RFC 7606 §7.2). A live session then turns
		// every route into a withdrawal before its API prints it
		// (reactor/protocol.py), which is what ze renders; the --decode
		// tool skips that step and prints the routes as announced.
		reason: "exabgp --decode does not apply the treat-as-withdraw rewrite of a live session",
		only:   "decode",
		entries: []entry{
			{malformedAttrs, 5}, {malformedAttrs, 14}, {malformedAttrs, 20}, {malformedAttrs, 28}, {malformedAttrs, 36},
		},
	},
	{
		// ExaBGP 4.2's configuration has no "ipv6 multicast" family, so
		// no ExaBGP 4.2 session (real or --decode) negotiates it: it
		// refuses these UPDATEs as "presented a non-negotiated family".
		reason: "ExaBGP 4.2 cannot negotiate ipv6/multicast",
		only:   "decode",
		entries: []entry{
			{nineFamilies, 8}, {nineFamilies, 17}, {nineFamilies, 23}, {nineFamilies, 32}, {nineFamilies, 40}, {nineFamilies, 48},
		},
	},
	{
		// ExaBGP 4.2 does not know SAFI 85 (BGP-MUP) nor l2vpn flow-vpn
		// (AFI 25 SAFI 134): they cannot be negotiated, so their
		// End-of-RIB markers are refused as non-negotiated.
		reason: "ExaBGP 4.2 does not know the family of this End-of-RIB (ipv4/ipv6 mup, l2vpn flow-vpn)",
		only:   "decode",
		entries: []entry{
			{gobgpRR, 5}, {gobgpRR, 11}, {gobgpRR, 13}, {gobgpRR, 21}, {gobgpRR, 22}, {gobgpRR, 23},
			{gobgpRR, 37}, {gobgpRR, 40}, {gobgpRR, 44}, {gobgpRR, 47}, {gobgpRR, 48}, {gobgpRR, 49},
			{gobgpRR, 116}, {gobgpRR, 117}, {gobgpRR, 118}, {gobgpRR, 125}, {gobgpRR, 126}, {gobgpRR, 127},
		},
	},
	{
		// Notification.__init__ formats the RFC 9003 message with
		// b'... "%s"' % str, a TypeError in Python 3: the reader turns
		// it into NOTIFICATION 1/0 "can not decode update message of
		// type "3"" and prints nothing. ze prints the text ExaBGP
		// meant to print.
		reason: "ExaBGP 4.2 crashes on a Cease NOTIFICATION (subcode 2 or 4) carrying a shutdown communication",
		only:   "session",
		entries: []entry{
			{extMessage, 17}, {openbgpd, 63}, {openbgpd, 95}, {asTrans, 28}, {multifamily, 97}, {extNH, 130}, {gobgpRR, 108},
		},
	},
	{
		// RFC 9072: optional parameters length 255 then type 255 mark
		// the extended encoding; ExaBGP 4.2 answers NOTIFICATION 2/0
		// "Unknow OPEN parameter 0xff" before printing the OPEN.
		reason:  "ExaBGP 4.2 does not support RFC 9072 extended optional parameters in OPEN",
		only:    "session",
		entries: []entry{{nineFamilies, 0}, {nineFamilies, 1}},
	},
}

// knownZeBugs are differences that are bugs of speaker/exabgp, listed so
// the suite stays green until they are fixed: remove an entry with its
// fix (the test fails when a listed message agrees again).
var knownZeBugs = []exception{}

// index maps every message listed for test to its exception.
func index(list []exception, test string) map[entry]exception {
	m := map[entry]exception{}
	for _, e := range list {
		if e.only != "" && e.only != test {
			continue
		}
		for _, en := range e.entries {
			m[en] = e
		}
	}
	return m
}

// fixup rewrites one systematic defect of ExaBGP's output so that the
// rest of the object is still compared. Messages equal only after a
// fix-up are counted as "fixed-up".
type fixup struct {
	reason string
	only   string // as in exception
	apply  func(exa string) string
}

// doubleQuoted matches a value ExaBGP 4.2 quoted twice.
var doubleQuoted = regexp.MustCompile(`""([A-Za-z0-9 /-]+)""`)

var exabgpFixups = []fixup{
	{
		// Response.JSON.refresh formats values that are already quoted
		// strings inside quotes.
		reason: `ExaBGP 4.2 prints the route-refresh afi, safi and subtype quoted twice (""ipv4""), which is not JSON`,
		only:   "session",
		apply: func(exa string) string {
			if !strings.Contains(exa, `"type": "refresh"`) {
				return exa
			}
			return doubleQuoted.ReplaceAllString(exa, `"$1"`)
		},
	},
}
