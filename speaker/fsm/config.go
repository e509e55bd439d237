package fsm

import (
	"errors"
	"fmt"
	"time"
)

// Mode says who opens the TCP connection to a peer.
type Mode uint8

// Modes. The zero value is ModeBoth.
const (
	// ModeBoth: connect to the peer and accept its connections.
	ModeBoth Mode = iota
	// ModeActive: connect only; the driver refuses incoming connections.
	ModeActive
	// ModePassive: accept only; the Machine never asks to connect. A
	// start event is taken as its PassiveTcpEstablishment variant.
	ModePassive
)

func (m Mode) String() string {
	switch m {
	case ModeBoth:
		return "both"
	case ModeActive:
		return "active"
	case ModePassive:
		return "passive"
	}
	return fmt.Sprintf("mode-%d", uint8(m))
}

// Connects reports whether the speaker opens connections in this mode.
func (m Mode) Connects() bool { return m != ModePassive }

// Accepts reports whether the speaker accepts connections in this mode;
// when not, the driver answers a connection with TCPCRInvalid.
func (m Mode) Accepts() bool { return m != ModeActive }

// Defaults applied by NewMachine to zero Config fields.
const (
	DefaultHoldTime     = 90                // seconds (RFC 4271 §10 suggests 90)
	DefaultConnectRetry = 5 * time.Second   // first ConnectRetryTimer
	DefaultRetryMax     = 120 * time.Second // backoff cap (RFC 4271 §10's ConnectRetryTime)
	DefaultOpenHoldTime = 4 * time.Minute   // HoldTimer before the OPEN (RFC 4271 §8.2.2 "large value")
	// MinSendHoldTime is RFC 9687 §6's floor for the default SendHoldTime.
	MinSendHoldTime = 8 * time.Minute
)

// Config is the per-peer FSM configuration (the RFC 4271 §8.1.1 session
// attributes that are not state). The zero value is usable: NewMachine
// fills the defaults.
type Config struct {
	Mode Mode
	// HoldTime is the hold time we propose, in seconds: 0 (no hold or
	// keepalive timers) or at least 3. Zero means DefaultHoldTime; use
	// NoHoldTime for an explicit 0.
	HoldTime uint16
	// NoHoldTime proposes a hold time of 0 (RFC 4271 §4.2).
	NoHoldTime bool
	// Keepalive is the KEEPALIVE interval; 0 means one third of the
	// negotiated hold time (RFC 4271 §4.4, §10). It is capped at that.
	Keepalive time.Duration
	// ConnectRetry is the first ConnectRetryTimer; each retry without an
	// Established session doubles it, up to ConnectRetryMax.
	ConnectRetry    time.Duration
	ConnectRetryMax time.Duration
	// Jitter, when set, maps each backoff interval to the one used
	// (RFC 4271 §10 suggests a random factor in [0.75, 1]). Injected so
	// tests are deterministic; nil means none.
	Jitter func(time.Duration) time.Duration
	// OpenHoldTime is the HoldTimer from the OPEN we send until the
	// peer's arrives (RFC 4271 §8.2.2: 4 minutes suggested).
	OpenHoldTime time.Duration
	// DelayOpen, when positive, waits that long for the peer's OPEN
	// before sending ours (RFC 4271 §8.1.1 DelayOpen/DelayOpenTime).
	DelayOpen time.Duration
	// SendHoldTime is RFC 9687's: 0 means the §6 default, the larger of
	// 8 minutes and twice the negotiated hold time; negative disables
	// the SendHoldTimer. A positive value must exceed the hold time
	// (RFC 9687 §4.4).
	SendHoldTime time.Duration
	// SendNotificationWithoutOpen lets a header or OPEN error found in
	// Connect or Active (DelayOpen) be reported with a NOTIFICATION
	// (RFC 4271 §8.1.1 SendNOTIFICATIONwithoutOPEN).
	SendNotificationWithoutOpen bool
	// AutoRestart restarts the session after it fails (any fall to Idle
	// but ManualStop and AutomaticStop): the IdleHoldTimer runs for the
	// current backoff interval, then acts as an AutomaticStart (or its
	// passive variant). It stands in for RFC 4271's optional
	// DampPeerOscillations, which is not implemented.
	AutoRestart bool
}

// Validate reports a configuration the FSM cannot honour.
func (c Config) Validate() error {
	if c.HoldTime == 1 || c.HoldTime == 2 {
		return fmt.Errorf("fsm: hold time %d s: must be 0 or at least 3 (RFC 4271 §4.2)", c.HoldTime)
	}
	if c.NoHoldTime && c.HoldTime != 0 {
		return errors.New("fsm: NoHoldTime with a non-zero HoldTime")
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"keepalive", c.Keepalive}, {"connect-retry", c.ConnectRetry}, {"connect-retry cap", c.ConnectRetryMax},
		{"open hold time", c.OpenHoldTime}, {"delay-open", c.DelayOpen}} {
		if d.v < 0 {
			return fmt.Errorf("fsm: negative %s %v", d.name, d.v)
		}
	}
	if c.ConnectRetryMax != 0 && c.ConnectRetry > c.ConnectRetryMax {
		return fmt.Errorf("fsm: connect-retry %v above its cap %v", c.ConnectRetry, c.ConnectRetryMax)
	}
	if c.SendHoldTime > 0 && c.SendHoldTime <= time.Duration(c.withDefaults().HoldTime)*time.Second {
		return fmt.Errorf("fsm: send hold time %v must exceed the hold time (RFC 9687 §4.4)", c.SendHoldTime)
	}
	if c.Mode > ModePassive {
		return fmt.Errorf("fsm: unknown mode %d", c.Mode)
	}
	return nil
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.HoldTime == 0 && !c.NoHoldTime {
		c.HoldTime = DefaultHoldTime
	}
	if c.ConnectRetry <= 0 {
		c.ConnectRetry = DefaultConnectRetry
	}
	if c.ConnectRetryMax <= 0 {
		c.ConnectRetryMax = max(DefaultRetryMax, c.ConnectRetry)
	}
	if c.ConnectRetryMax < c.ConnectRetry {
		c.ConnectRetryMax = c.ConnectRetry
	}
	if c.OpenHoldTime <= 0 {
		c.OpenHoldTime = DefaultOpenHoldTime
	}
	return c
}

// backoff returns the interval for the n-th consecutive attempt (from 0):
// ConnectRetry doubled n times, capped at ConnectRetryMax, then jittered.
// A jitter result that is not positive is replaced by the un-jittered one.
func (c Config) backoff(n int) time.Duration {
	d := c.ConnectRetry
	for i := 0; i < n && d < c.ConnectRetryMax; i++ {
		d *= 2
	}
	d = min(d, c.ConnectRetryMax)
	if c.Jitter != nil {
		if j := c.Jitter(d); j > 0 {
			return j
		}
	}
	return d
}

// sendHold returns the SendHoldTime for a negotiated hold time, 0 when the
// SendHoldTimer is disabled (RFC 9687 §4.1, §6).
func (c Config) sendHold(hold time.Duration) time.Duration {
	switch {
	case c.SendHoldTime < 0:
		return 0
	case c.SendHoldTime > 0:
		return c.SendHoldTime
	}
	return max(MinSendHoldTime, 2*hold)
}
