package testpeer

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Mode is what a test peer does once its sessions are up.
type Mode uint8

// Modes. See docs/test-peer.md.
const (
	// ModeSink accepts everything, answers KEEPALIVEs and counts
	// messages and prefixes per family.
	ModeSink Mode = iota
	// ModeCheck follows a Script of expected messages and replies.
	ModeCheck
	// ModeEcho sends every UPDATE back on the session it came from.
	ModeEcho
	// ModeReflect sends every UPDATE to every other established session
	// (a route server without best-path selection).
	ModeReflect
	// ModeInject sends generated routes, then End-of-RIB.
	ModeInject
)

var modeNames = [...]string{"sink", "check", "echo", "reflect", "inject"}

// String returns "sink", "check", "echo", "reflect" or "inject".
func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("mode-%d", uint8(m))
}

// ParseMode is the inverse of Mode.String.
func ParseMode(s string) (Mode, error) {
	for i, n := range modeNames {
		if n == s {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("testpeer: unknown mode %q (want check, sink, echo, reflect or inject)", s)
}

// Config is everything a test peer does. Start from DefaultConfig: the
// zero value of several fields has a BGP meaning (hold time 0, ASN 0 =
// learn).
type Config struct {
	Mode Mode

	// Listen is the passive role's ADDR:PORT (port 0 picks a free
	// port); Dial the active role's. Exactly one is set.
	Listen string
	Dial   string
	// Peers is the number of sessions: dialled, or for Listen the number
	// expected (what SinkUntilEOR and ModeInject wait for). Default 1.
	Peers int
	// SourceAddrs are the local addresses of dialled sessions, one per
	// session. Empty: with Peers > 1 towards an IPv4 loopback address,
	// 127.0.0.2, 127.0.0.3, …; otherwise the kernel's choice.
	SourceAddrs []netip.Addr
	// Timeout bounds the whole run (0: none). Check and inject fail when
	// it passes first; sink, echo and reflect stop normally.
	Timeout time.Duration
	// Quiet leaves out the per-session event lines (established, closed).
	Quiet bool

	// ASN is the local AS; 0 learns it from the remote OPEN (our OPEN
	// then waits for theirs).
	ASN uint32
	// PeerASN is the AS the remote must announce (0: any), else OPEN
	// Message Error / Bad Peer AS.
	PeerASN uint32
	// RouterID is the BGP Identifier; the zero value uses the session's
	// local IPv4 address (10.255.255.254 when it has none).
	RouterID netip.Addr
	// HoldTime is the proposed hold time in seconds (0 or ≥ 3).
	HoldTime uint16

	// Capabilities to offer.
	Families        []wire.Family // Multiprotocol (RFC 4760); empty sends none (IPv4 unicast implied)
	ASN4            bool          // 4-octet AS (RFC 6793)
	RouteRefresh    bool          // RFC 2918
	ExtendedMessage bool          // RFC 8654
	AddPath         []capability.AddPathFamily
	ExtNextHop      []capability.NextHopFamily
	// GracefulRestart offers RFC 4724 with RestartTime seconds for every
	// family of Families.
	GracefulRestart bool
	RestartTime     uint16

	// Wire-level OPEN edits. DropCaps removes every capability with these
	// codes from what the flags above build; AddCaps appends whole
	// capability TLVs (code, length, value) as given, known or not;
	// OpenHex, when set, is sent instead of the OPEN built from all of
	// the above.
	DropCaps []capability.Code
	AddCaps  [][]byte
	OpenHex  []byte
	// SendAfterOpen are raw messages (or any bytes) sent once the session
	// is established, in every mode: an unknown message type, a
	// malformed UPDATE…
	SendAfterOpen [][]byte

	// Decode prints every message received on stdout, as ze JSON lines
	// (DecodeText: text lines, package textfmt).
	Decode     bool
	DecodeText bool

	// Check mode.
	Script *Script
	// Ignore holds the message types skipped while waiting for an
	// expectation, from the start of the script (KEEPALIVE always is).
	Ignore []wire.Type

	// Sink mode: stop once Peers sessions sent End-of-RIB for every
	// negotiated family.
	SinkUntilEOR bool

	// Inject mode.
	Inject InjectConfig
}

// InjectConfig is what ModeInject sends.
type InjectConfig struct {
	Count       int          // prefixes to announce
	PrefixStart netip.Prefix // first prefix; the next ones follow it (10.0.0.0/24, 10.0.1.0/24…)
	PerUpdate   int          // prefixes per UPDATE (capped by the message size)
	UniqueAttrs bool         // each UPDATE gets its own attribute set (its MED)
	Rate        float64      // prefixes per second; 0 as fast as possible
	NextHop     netip.Addr   // zero: the session's local address (IPv4-mapped for IPv6 routes)
	// Withdraw withdraws every prefix WithdrawAfter after End-of-RIB.
	Withdraw      bool
	WithdrawAfter time.Duration
	// ExpectBack: once the inject session is Established, dial a second
	// session to ADDR:PORT (from ExpectBackSource when set), wait until it
	// is Established too, then send, and wait until every prefix (and
	// every withdrawal) arrived there.
	ExpectBack       string
	ExpectBackSource netip.Addr
	// ExpectBackASN is the local AS of the expect-back session (0: the
	// Config's ASN), so that it stands for a neighbour of its own AS
	// behind the device under test: some eBGP speakers (GoBGP) do not send
	// a route to a peer whose AS is already in its AS_PATH.
	ExpectBackASN uint32
	// Linger keeps the session up after the report (negative: until the
	// timeout or a signal); then it ends with Cease / Administrative
	// Shutdown.
	Linger time.Duration
	// MRT, when its File is set, replays an MRT file instead of
	// generated routes (Count, PrefixStart and PerUpdate do not apply).
	MRT MRTReplay
}

// DefaultConfig returns the defaults of `ze-test peer`: sink mode, AS
// 65000, hold time 90 s, IPv4 unicast, 4-octet AS and route refresh,
// one session, 30 s timeout; inject 1000 prefixes from 10.0.0.0/24, one
// per UPDATE.
func DefaultConfig() Config {
	return Config{
		Mode:         ModeSink,
		Peers:        1,
		Timeout:      30 * time.Second,
		ASN:          65000,
		HoldTime:     90,
		Families:     []wire.Family{wire.IPv4Unicast},
		ASN4:         true,
		RouteRefresh: true,
		RestartTime:  120,
		Inject: InjectConfig{
			Count:       1000,
			PrefixStart: netip.MustParsePrefix("10.0.0.0/24"),
			PerUpdate:   1,
		},
	}
}

// Validate reports the first configuration mistake.
func (c *Config) Validate() error {
	if (c.Listen == "") == (c.Dial == "") {
		return errors.New("testpeer: give exactly one of listen or dial")
	}
	if c.Peers < 1 {
		return errors.New("testpeer: peers must be at least 1")
	}
	if c.Dial != "" && len(c.SourceAddrs) > 0 && len(c.SourceAddrs) < c.Peers {
		return fmt.Errorf("testpeer: %d source addresses for %d peers", len(c.SourceAddrs), c.Peers)
	}
	if c.HoldTime == 1 || c.HoldTime == 2 {
		return errors.New("testpeer: hold time must be 0 or at least 3 seconds (RFC 4271 §4.2)")
	}
	if c.RouterID.IsValid() && !c.RouterID.Unmap().Is4() {
		return errors.New("testpeer: router-id must be an IPv4 address")
	}
	for _, cp := range c.AddCaps {
		if len(cp) < 2 || int(cp[1]) != len(cp)-2 {
			return fmt.Errorf("testpeer: capability % X is not code, length, value", cp)
		}
	}
	switch c.Mode {
	case ModeCheck:
		if c.Script == nil {
			return errors.New("testpeer: check mode needs a script")
		}
		if len(c.Script.blocks) == 0 {
			return errors.New("testpeer: the script has no steps")
		}
		if c.Listen != "" && c.Peers != 1 {
			return errors.New("testpeer: a listening check peer runs one session at a time (peers 1)")
		}
	case ModeInject:
		return c.Inject.validate(c)
	case ModeSink, ModeEcho, ModeReflect:
	default:
		return fmt.Errorf("testpeer: unknown mode %d", c.Mode)
	}
	return nil
}

func (ic *InjectConfig) validate(c *Config) error {
	if ic.MRT.File != "" {
		return ic.MRT.validate(c)
	}
	if ic.Count < 0 {
		return errors.New("testpeer: inject count must not be negative")
	}
	if !ic.PrefixStart.IsValid() {
		return errors.New("testpeer: inject needs a valid prefix-start")
	}
	if ic.PerUpdate < 1 {
		return errors.New("testpeer: per-update must be at least 1")
	}
	if ic.Rate < 0 {
		return errors.New("testpeer: rate must not be negative")
	}
	f := ic.family()
	if len(c.Families) > 0 && !slices.Contains(c.Families, f) {
		return fmt.Errorf("testpeer: inject family %s is not among the offered families", f)
	}
	if len(c.Families) == 0 && f != wire.IPv4Unicast {
		return fmt.Errorf("testpeer: inject family %s needs a multiprotocol capability (family)", f)
	}
	if !prefixesFit(ic.PrefixStart, ic.Count) {
		return fmt.Errorf("testpeer: %d prefixes do not fit after %s", ic.Count, ic.PrefixStart)
	}
	if ic.ExpectBack != "" && c.Peers != 1 {
		return errors.New("testpeer: expect-back works with one inject session (peers 1)")
	}
	if ic.NextHop.IsValid() && ic.family().AFI == wire.AFIIPv4 && !ic.NextHop.Unmap().Is4() {
		return errors.New("testpeer: IPv4 routes need an IPv4 next hop")
	}
	return nil
}

// family is the unicast family of PrefixStart.
func (ic *InjectConfig) family() wire.Family {
	if ic.PrefixStart.Addr().Is4() {
		return wire.IPv4Unicast
	}
	return wire.IPv6Unicast
}
