package peer

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/ze-bgp/ze/internal/clock"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/tcpsig"
	"github.com/ze-bgp/ze/speaker/wire"
)

// DefaultPort is the BGP TCP port (RFC 4271 §8.2.1).
const DefaultPort = 179

// Defaults applied by New to zero Config fields.
const (
	DefaultConnectTimeout = 5 * time.Second // one TCP connection attempt
	DefaultQueueLen       = 1024            // outgoing messages queued per connection
	// DefaultCloseGrace bounds the writes done after a session was
	// dropped: what was queued, then the NOTIFICATION.
	DefaultCloseGrace = time.Second
)

// ErrNotSupported is returned for configuration this OS cannot honour:
// TCP MD5 signatures and GTSM outside Linux (it is
// tcpsig.ErrNotSupported).
var ErrNotSupported = tcpsig.ErrNotSupported

// Config is one peer's session configuration. The daemon maps
// speaker/config.Peer onto it. Zero fields get the defaults of New (and
// of fsm.Config for the timers).
type Config struct {
	// Name labels log lines and errors; empty means the remote address.
	Name string

	LocalASN uint32     // our AS (RFC 6793: above 65535 goes as AS_TRANS in My AS)
	RouterID netip.Addr // our BGP Identifier (IPv4)
	// PeerASN is the AS the peer must announce; 0 accepts any. A
	// mismatch is OPEN Message Error / Bad Peer AS (RFC 4271 §6.2).
	PeerASN uint32

	// Remote is the peer's address; port 0 means DefaultPort. IPv4 and
	// IPv6 both work.
	Remote netip.AddrPort
	// Local is the address outgoing connections are bound to; the zero
	// value lets the kernel choose.
	Local netip.Addr
	// Mode: fsm.ModeBoth (default), fsm.ModeActive (never accept) or
	// fsm.ModePassive (never dial).
	Mode fsm.Mode

	// HoldTime is the hold time we propose in seconds (0: 90; use
	// NoHoldTime for an explicit 0). The session uses the smaller of
	// ours and the peer's (RFC 4271 §4.2).
	HoldTime   uint16
	NoHoldTime bool
	// Keepalive, when positive and below a third of the negotiated hold
	// time, is the KEEPALIVE interval.
	Keepalive time.Duration
	// ConnectRetry is the first retry interval; it doubles after each
	// failure up to ConnectRetryMax (fsm.Config).
	ConnectRetry    time.Duration
	ConnectRetryMax time.Duration
	// Jitter maps each backoff interval to the one used (nil: none).
	Jitter func(time.Duration) time.Duration
	// SendHoldTime is RFC 9687's (0: default, negative: off).
	SendHoldTime time.Duration
	// DelayOpen waits that long for the peer's OPEN before sending ours.
	DelayOpen time.Duration
	// ConnectTimeout bounds one TCP connection attempt.
	ConnectTimeout time.Duration

	// TTL is the IP TTL (IPv6 hop limit) of the session's packets: set on
	// dialled and accepted connections when not 0 (eBGP multihop: the
	// hop count; 1 for a directly connected eBGP peer); 0: the system
	// default.
	TTL uint8
	// GTSM is the RFC 5082 hop count, 1 to 254 (0: off): packets go out
	// with TTL 255 and the kernel drops the peer's packets that arrive
	// with a TTL below 255 - GTSM + 1, on dialled connections from the
	// SYN-ACK on; an accepted connection is refused when its SYN came
	// lower (a tcpsig.ListenControl listener saves it) and drops lower
	// segments once accepted. Excludes TTL. Linux only (ErrNotSupported
	// elsewhere).
	GTSM uint8
	// MD5Password is the RFC 2385 TCP MD5 key, at most tcpsig.MaxKeyLen
	// (80) octets: set on dialled sockets before connect, and again on
	// accepted connections (a peer that does not sign is cut off). A
	// listener must hold the key before the peer's SYN arrives
	// (tcpsig.SetMD5; the daemon's listeners do). Linux only
	// (ErrNotSupported elsewhere).
	MD5Password string

	// Families offered with Multiprotocol capabilities (RFC 4760);
	// empty means IPv4 unicast.
	Families []wire.Family
	// Capabilities to offer besides Multiprotocol.
	Capabilities Capabilities

	// MaxPrefix limits the prefixes (paths, with ADD-PATH) accepted per
	// family (RFC 4486 §4).
	MaxPrefix map[wire.Family]MaxPrefix

	// QueueLen is the outgoing queue of a connection, in messages: Send
	// fails with ErrQueueFull beyond it.
	QueueLen int
	// CloseGrace bounds the final writes of a dropped connection.
	CloseGrace time.Duration

	// Clock reads the time given to the state machine (nil: the wall
	// clock). The driver sleeps for the real duration until the next
	// deadline as Clock reads it, so a clock.Fake suits only tests that
	// let no timer expire.
	Clock clock.Clock
}

// Capabilities are the optional capabilities of our OPEN.
type Capabilities struct {
	ASN4            bool // RFC 6793 §3
	RouteRefresh    bool // RFC 2918 §2
	ExtendedMessage bool // RFC 8654 §3
	// AddPath lists the ADD-PATH modes per family (RFC 7911 §4).
	AddPath []capability.AddPathFamily
	// GracefulRestart is the RFC 4724 restart time in seconds, 0: not
	// offered. The capability sets the N flag (RFC 8538) and lists every
	// family, forwarding state not preserved (restart.go).
	GracefulRestart uint16
}

// MaxPrefixAction is what a session does when a family passes its limit.
type MaxPrefixAction uint8

// Maximum-prefix actions.
const (
	// MaxPrefixTeardown closes the session with Cease / Maximum Number
	// of Prefixes Reached (RFC 4486 §4); it stays down until restarted
	// by hand (Session.Start).
	MaxPrefixTeardown MaxPrefixAction = iota
	// MaxPrefixWarning only logs (once per crossing).
	MaxPrefixWarning
	// MaxPrefixRestart tears down like MaxPrefixTeardown, then starts
	// again after MaxPrefix.RestartAfter.
	MaxPrefixRestart
)

func (a MaxPrefixAction) String() string {
	switch a {
	case MaxPrefixTeardown:
		return "teardown"
	case MaxPrefixWarning:
		return "warning"
	case MaxPrefixRestart:
		return "restart"
	}
	return fmt.Sprintf("max-prefix-action-%d", uint8(a))
}

// MaxPrefix is the limit of one family.
type MaxPrefix struct {
	Limit        uint32 // prefixes; 0 means no limit
	Action       MaxPrefixAction
	RestartAfter time.Duration // MaxPrefixRestart: delay before the automatic start
}

// validate checks c and fills the defaults.
func (c *Config) validate() error {
	switch {
	case len(c.MD5Password) > tcpsig.MaxKeyLen:
		return fmt.Errorf("peer: TCP MD5 key of %d octets, above %d", len(c.MD5Password), tcpsig.MaxKeyLen)
	case c.MD5Password != "" && !tcpsig.Supported:
		return fmt.Errorf("peer: TCP MD5 signature (RFC 2385): %w", ErrNotSupported)
	case c.GTSM == 255:
		return errors.New("peer: GTSM hop count 255 leaves no TTL to check (1 to 254)")
	case c.GTSM != 0 && c.TTL != 0:
		return errors.New("peer: GTSM and a TTL (multihop) exclude each other")
	case c.GTSM != 0 && !tcpsig.Supported:
		return fmt.Errorf("peer: GTSM (RFC 5082): %w", ErrNotSupported)
	case c.LocalASN == 0:
		return errors.New("peer: local AS 0")
	case !c.RouterID.Unmap().Is4() || c.RouterID.Unmap().IsUnspecified():
		return fmt.Errorf("peer: router ID %v is not a non-zero IPv4 address", c.RouterID)
	case !c.Remote.Addr().IsValid():
		return errors.New("peer: no remote address")
	}
	for f, mp := range c.MaxPrefix {
		if mp.Action > MaxPrefixRestart {
			return fmt.Errorf("peer: maximum-prefix %s: unknown action %d", f, mp.Action)
		}
		if mp.Action == MaxPrefixRestart && mp.RestartAfter <= 0 {
			return fmt.Errorf("peer: maximum-prefix %s: restart needs a positive delay", f)
		}
	}
	if c.Remote.Port() == 0 {
		c.Remote = netip.AddrPortFrom(c.Remote.Addr(), DefaultPort)
	}
	if c.Name == "" {
		c.Name = c.Remote.Addr().String()
	}
	if len(c.Families) == 0 {
		c.Families = []wire.Family{wire.IPv4Unicast}
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.QueueLen <= 0 {
		c.QueueLen = DefaultQueueLen
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.CloseGrace <= 0 {
		c.CloseGrace = DefaultCloseGrace
	}
	_, err := fsm.NewMachine(c.fsmConfig())
	return err
}

// fsmConfig is the state machine's configuration: ze restarts failed
// sessions itself (AutoRestart).
func (c *Config) fsmConfig() fsm.Config {
	return fsm.Config{
		Mode:            c.Mode,
		HoldTime:        c.HoldTime,
		NoHoldTime:      c.NoHoldTime,
		Keepalive:       c.Keepalive,
		ConnectRetry:    c.ConnectRetry,
		ConnectRetryMax: c.ConnectRetryMax,
		Jitter:          c.Jitter,
		DelayOpen:       c.DelayOpen,
		SendHoldTime:    c.SendHoldTime,
		AutoRestart:     true,
	}
}

// appendCaps appends our capability TLVs: Multiprotocol per family,
// then route refresh, extended message, ADD-PATH, graceful restart and
// the 4-octet AS.
func (c *Config) appendCaps(dst []byte) []byte {
	for _, f := range c.Families {
		dst = capability.AppendMultiprotocol(dst, f)
	}
	k := c.Capabilities
	if k.RouteRefresh {
		dst = capability.AppendEmpty(dst, capability.CodeRouteRefresh)
	}
	if k.ExtendedMessage {
		dst = capability.AppendEmpty(dst, capability.CodeExtendedMessage)
	}
	if len(k.AddPath) > 0 {
		dst = capability.AppendAddPath(dst, k.AddPath...)
	}
	if k.GracefulRestart > 0 {
		fams := make([]capability.RestartFamily, len(c.Families))
		for i, f := range c.Families {
			fams[i].Family = f
		}
		dst = capability.AppendGracefulRestart(dst, capability.RestartNotification, k.GracefulRestart, fams...)
	}
	if k.ASN4 {
		dst = capability.AppendASN4(dst, c.LocalASN)
	}
	return dst
}

// openMessage builds our OPEN (RFC 4271 §4.2) and the capability Set it
// advertises (the local side of capability.Negotiate).
func (c *Config) openMessage() ([]byte, capability.Set, error) {
	caps := c.appendCaps(nil)
	hold := c.fsmConfig().HoldTime
	if hold == 0 && !c.NoHoldTime {
		hold = fsm.DefaultHoldTime
	}
	msg := message.AppendOpen(nil, message.OpenParams{ASN: c.LocalASN, HoldTime: hold, RouterID: c.RouterID, Caps: caps})
	if len(msg) > wire.MaxLen {
		return nil, capability.Set{}, fmt.Errorf("peer: our OPEN is %d octets, above %d", len(msg), wire.MaxLen)
	}
	o, err := message.ParseOpen(msg)
	if err != nil {
		return nil, capability.Set{}, fmt.Errorf("peer: building our OPEN: %w", err)
	}
	set, err := o.CapabilitySet()
	if err != nil {
		return nil, capability.Set{}, fmt.Errorf("peer: building our OPEN: %w", err)
	}
	return msg, set, nil
}
