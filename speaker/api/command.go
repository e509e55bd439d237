package api

import (
	"net/netip"
	"strconv"

	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Kind is what a command asks for.
type Kind uint8

// Command kinds, named after the ExaBGP command that gives them.
const (
	KindInvalid        Kind = iota
	KindAnnounce            // announce route …, announce attributes … nlri …
	KindWithdraw            // withdraw route …, withdraw attributes … nlri …
	KindEOR                 // announce eor [AFI SAFI] (RFC 4724 §2)
	KindRouteRefresh        // announce route-refresh AFI SAFI (RFC 2918)
	KindWatchdogUp          // announce watchdog NAME
	KindWatchdogDown        // withdraw watchdog NAME
	KindShowNeighbor        // show neighbor [summary|extensive|configuration] [IP]
	KindShowAdjRIB          // show adj-rib in|out [extensive] [AFI SAFI]
	KindFlushAdjRIBOut      // flush adj-rib out
	KindClearAdjRIB         // clear adj-rib in|out
	KindTeardown            // teardown [SUBCODE [REASON…]]
	KindShutdown            // shutdown
	KindReload              // reload
	KindRestart             // restart
	KindVersion             // version
	KindEnableAck           // enable-ack
	KindDisableAck          // disable-ack
	KindSilenceAck          // silence-ack
	KindComment             // # text
	KindHelp                // help
)

var kindNames = [...]string{
	KindInvalid: "invalid", KindAnnounce: "announce", KindWithdraw: "withdraw", KindEOR: "eor",
	KindRouteRefresh: "route-refresh", KindWatchdogUp: "watchdog-up", KindWatchdogDown: "watchdog-down",
	KindShowNeighbor: "show-neighbor", KindShowAdjRIB: "show-adj-rib", KindFlushAdjRIBOut: "flush-adj-rib-out",
	KindClearAdjRIB: "clear-adj-rib", KindTeardown: "teardown", KindShutdown: "shutdown", KindReload: "reload",
	KindRestart: "restart", KindVersion: "version", KindEnableAck: "enable-ack", KindDisableAck: "disable-ack",
	KindSilenceAck: "silence-ack", KindComment: "comment", KindHelp: "help",
}

// String returns the kind's name ("announce", "show-adj-rib", …).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind-" + strconv.Itoa(int(k))
}

// Selector picks sessions, as ExaBGP's "neighbor IP [local-ip IP]
// [local-as ASN] [peer-as ASN] [router-id ID] [family-allowed F]"
// prefix does. Zero fields match anything; Any ("neighbor *") matches
// every session.
type Selector struct {
	Peer          netip.Addr
	Any           bool
	LocalIP       netip.Addr
	LocalAS       uint32
	PeerAS        uint32
	RouterID      netip.Addr
	FamilyAllowed string // ExaBGP's family-allowed text, e.g. "ipv4-unicast/ipv6-unicast"; matched by the speaker
}

// Neighbor describes one session to selectors and events.
type Neighbor struct {
	LocalAddress, PeerAddress netip.Addr
	LocalAS, PeerAS           uint32
	RouterID                  netip.Addr
}

// Match reports whether s selects the session n. FamilyAllowed is not
// checked here (it depends on the negotiated families; the speaker
// checks it).
func (s Selector) Match(n Neighbor) bool {
	if !s.Any && s.Peer != n.PeerAddress {
		return false
	}
	if s.LocalIP.IsValid() && s.LocalIP != n.LocalAddress {
		return false
	}
	if s.LocalAS != 0 && s.LocalAS != n.LocalAS {
		return false
	}
	if s.PeerAS != 0 && s.PeerAS != n.PeerAS {
		return false
	}
	return !s.RouterID.IsValid() || s.RouterID == n.RouterID
}

// Match reports whether the command is for session n: true when it names
// no neighbors (it is for every session) or when one selector matches.
func (c *Command) Match(n Neighbor) bool {
	if len(c.Neighbors) == 0 {
		return true
	}
	for _, s := range c.Neighbors {
		if s.Match(n) {
			return true
		}
	}
	return false
}

// Command is one parsed command line. Fields not used by Kind are zero.
type Command struct {
	Kind Kind
	// Neighbors are the selectors before the command; empty means every
	// session.
	Neighbors []Selector
	// Routes are the routes of KindAnnounce and KindWithdraw, one per
	// prefix (announce attributes … nlri P1 P2 gives one route per
	// prefix; those routes share their attribute slices, which must be
	// treated as read-only).
	Routes []route.Route
	// NextHopSelf is true when the text said "next-hop self": every
	// route's NextHop is then the zero Addr; call Resolve with the
	// session's local address before encoding.
	NextHopSelf bool
	// Watchdog names the watchdog group of routes (route attribute
	// "watchdog NAME") or of KindWatchdogUp/KindWatchdogDown.
	Watchdog string
	// WatchdogWithdrawn is the route attribute "withdraw": the routes
	// join their watchdog group withdrawn, waiting for "announce
	// watchdog NAME".
	WatchdogWithdrawn bool
	// Family is the AFI/SAFI of KindEOR (ipv4/unicast when the text
	// names none), KindRouteRefresh and KindShowAdjRIB (zero: all).
	Family wire.Family
	// Detail is "summary", "extensive" or "configuration" for
	// KindShowNeighbor ("" when none given, ExaBGP prints help), or
	// "extensive" for KindShowAdjRIB.
	Detail string
	// Peer is the address filter of KindShowNeighbor (zero: all).
	Peer netip.Addr
	// Direction is "in" or "out" for KindShowAdjRIB and KindClearAdjRIB.
	Direction string
	// Subcode is the Cease subcode of KindTeardown (RFC 4486 §4; 2,
	// Administrative Shutdown, when the text gives none) and Reason the
	// shutdown communication after it (RFC 9003), or "".
	Subcode uint8
	Reason  string
	// Text is the comment of KindComment.
	Text string
}

// Resolve returns the command's routes with "next-hop self" replaced by
// self (the session's local address of the right family). The routes
// are copies; when NextHopSelf is false Routes is returned as is.
func (c *Command) Resolve(self netip.Addr) []route.Route {
	if !c.NextHopSelf {
		return c.Routes
	}
	out := make([]route.Route, len(c.Routes))
	for i, r := range c.Routes {
		r.NextHop = self
		out[i] = r
	}
	return out
}

// Error is a command the speaker cannot run; the process is answered
// "error". Msg is lower case, without the "api: " prefix.
type Error struct {
	Msg string
}

// Error returns "api: MSG".
func (e *Error) Error() string { return "api: " + e.Msg }
