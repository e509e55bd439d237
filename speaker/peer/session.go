package peer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/ze-bgp/ze/internal/clock"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Errors of Send, Accept and Run.
var (
	ErrNotEstablished = errors.New("peer: session not established")
	ErrQueueFull      = errors.New("peer: outgoing queue full")
	ErrTooLong        = errors.New("peer: message longer than the session allows")
	ErrRejected       = errors.New("peer: connection rejected")
	ErrStopped        = errors.New("peer: session stopped")
)

// Handler receives what a session learns. Established, Update and
// RouteRefresh are called synchronously from the read goroutine of the
// connection that is up, in the order the messages arrived, and Down
// once after each Established, from the same goroutine, when that
// connection is gone. A slow handler stalls reading from this peer only
// (TCP flow control pushes back on the peer); timers, KEEPALIVEs and
// Send go on. It must still return well within the hold time, or the
// peer's messages wait and the HoldTimer may expire. A handler that
// needs more time queues the work itself (copying what it keeps).
type Handler interface {
	// Established: the session is up with these encoding contexts (recv
	// for what the peer sends, send for what we send) and the peer's
	// OPEN summary.
	Established(s *Session, recv, send wire.Context, remote capability.Speaker)
	// Update delivers an UPDATE that passed RFC 7606 checks without a
	// session reset: verdict is nil, or the *wire.Error saying which
	// milder action applies (attribute discard, treat-as-withdraw). u
	// aliases the read buffer: it is valid only during the call.
	Update(s *Session, u message.Update, verdict error)
	// RouteRefresh delivers a ROUTE-REFRESH request (RFC 2918, RFC 7313).
	RouteRefresh(s *Session, rr wire.RouteRefresh)
	// Down: the session that was Established is gone; reason is a
	// *DownError.
	Down(s *Session, reason error)
}

// DownError says why a connection went down.
type DownError struct {
	Event fsm.Event // the FSM event that closed it
	// Notification is the NOTIFICATION sent (Sent) or received; zero
	// Code when none. Data is a copy.
	Notification wire.Notification
	Sent         bool
	Err          error // the underlying error: a *wire.Error, an I/O error, or nil
	// Graceful: the end allows graceful restart (restart.go: both OPENs
	// had the Graceful Restart capability, and no NOTIFICATION, or with
	// RFC 8538's N flag exchanged one other than Hard Reset): the
	// receiving speaker keeps the peer's routes for a while (RFC 4724
	// §4.2).
	Graceful bool
}

func (e *DownError) Error() string {
	s := "peer: " + e.Event.String()
	if n := e.Notification; n.Code != 0 {
		dir := "received"
		if e.Sent {
			dir = "sent"
		}
		s += fmt.Sprintf(", %s notification %d/%d %s/%s", dir, n.Code, n.Subcode, n.Code, wire.SubcodeString(n.Code, n.Subcode))
		if inner, ok := n.HardReset(); ok { // RFC 8538 §3
			n = inner
			s += fmt.Sprintf(" of %d/%d %s/%s", n.Code, n.Subcode, n.Code, wire.SubcodeString(n.Code, n.Subcode))
		}
		if text, _, ok := n.Communication(); ok {
			s += fmt.Sprintf(" %q", text)
		}
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *DownError) Unwrap() error { return e.Err }

// Session drives the BGP session with one configured peer: connections
// (dialled, or given by Accept), one fsm.Machine per connection, timers,
// reading, writing. Create it with New, run it with Run.
type Session struct {
	cfg   Config
	h     Handler
	log   *slog.Logger
	clock clock.Clock
	open  []byte         // our OPEN
	local capability.Set // what it advertises
	ctr   counters

	wg   sync.WaitGroup // readers, writers, dialers
	wake chan struct{}  // a deadline may have moved

	mu        sync.Mutex
	main      *link      // the peer's session; survives collisions by promotion
	extra     *link      // a second connection until collision resolution (§6.8)
	early     []net.Conn // accepted before Run
	ctx       context.Context
	running   bool
	stopping  bool
	dialSeq   uint64
	prefixes  map[wire.Family]int64
	warned    map[wire.Family]bool
	upSince   time.Time
	restartAt time.Time // maximum-prefix restart; zero when none
}

// link is one connection and its Machine (RFC 4271: one FSM per
// connection), with the contexts negotiated on it.
type link struct {
	m          *fsm.Machine
	dir        fsm.Direction
	c          *conn // nil until the TCP connection is up
	dialID     uint64
	dialCancel context.CancelFunc
	recv, send wire.Context
	remote     capability.Speaker
	// gr: both OPENs of the connection carry the Graceful Restart
	// capability; nflag: both set its N flag (RFC 8538). Kept past
	// ActionRelease for the DownError, cleared with the connection.
	gr, nflag bool
	open      []byte // the peer's OPEN on this connection (a copy)
}

// New returns a Session for cfg. h receives the session's events (nil
// discards them); log gets structured lines (nil discards them).
func New(cfg Config, h Handler, log *slog.Logger) (*Session, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	open, local, err := cfg.openMessage()
	if err != nil {
		return nil, err
	}
	if h == nil {
		h = nopHandler{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Session{cfg: cfg, h: h, log: log.With("peer", cfg.Name), clock: cfg.Clock, open: open, local: local,
		wake: make(chan struct{}, 1), prefixes: map[wire.Family]int64{}, warned: map[wire.Family]bool{}}
	s.main = s.newLink(0)
	return s, nil
}

func (s *Session) newLink(dir fsm.Direction) *link {
	m, _ := fsm.NewMachine(s.cfg.fsmConfig()) // validated by New
	return &link{m: m, dir: dir}
}

// Config returns the configuration in use, defaults filled in.
func (s *Session) Config() Config { return s.cfg }

// State returns the FSM state of the peer's session.
func (s *Session) State() fsm.State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.main.m.State()
}

// HoldTime returns the negotiated hold time of the peer's session (RFC
// 4271 §4.2: the smaller of the two proposals), 0 before its OPEN.
func (s *Session) HoldTime() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.main.m.HoldTime()
}

// Contexts returns the encoding contexts of the established session; ok
// is false when it is not established.
func (s *Session) Contexts() (recv, send wire.Context, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.main.m.State() != fsm.Established {
		return wire.Context{}, wire.Context{}, false
	}
	return s.main.recv, s.main.send, true
}

// LocalAddr returns ze's address of the established session's TCP
// connection (IPv4-mapped addresses unmapped), whichever side opened it;
// the zero Addr when the session is not established. It is what a
// next-hop self needs when no local address is configured. Safe for
// concurrent use.
func (s *Session) LocalAddr() netip.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.main
	if l.m.State() != fsm.Established || l.c == nil {
		return netip.Addr{}
	}
	return addrOf(l.c.nc.LocalAddr())
}

// addrOf returns a's IP address (unmapped), or the zero Addr when a is
// not an IP transport address.
func addrOf(a net.Addr) netip.Addr {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.AddrPort().Addr().Unmap()
	case nil:
		return netip.Addr{}
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// Run starts the session (ManualStart) and drives it until ctx is done
// or Stop was called, then closes every connection (Cease /
// Administrative Shutdown when ctx ended it), waits for the session's
// goroutines (Handler.Down included) and returns nil. It may be called
// once.
func (s *Session) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.running || s.ctx != nil {
		s.mu.Unlock()
		return errors.New("peer: Run called twice")
	}
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.ctx, s.running = dctx, !s.stopping
	if s.running {
		s.log.Info("session start", "remote", s.cfg.Remote, "mode", s.cfg.Mode)
		s.step(s.main, fsm.Input{Event: fsm.ManualStart}, nil)
	}
	for _, nc := range s.early {
		s.accept(nc) //nolint:errcheck // a refused connection is closed
	}
	s.early = nil
	s.mu.Unlock()

	t := time.NewTimer(time.Hour)
	defer t.Stop()
	done := ctx.Done()
	for {
		s.mu.Lock()
		if s.stopping && s.main.c == nil && s.extra == nil {
			s.running = false
			s.mu.Unlock()
			break
		}
		next, ok := s.nextDeadline()
		now := s.clock.Now()
		s.mu.Unlock()
		var tc <-chan time.Time
		if ok {
			t.Reset(max(next.Sub(now), 0))
			tc = t.C
		}
		select {
		case <-done:
			done = nil
			s.Stop("")
		case <-tc:
			s.expire()
		case <-s.wake:
		}
	}
	cancel()
	s.wg.Wait()
	s.log.Info("session stopped")
	return nil
}

// nextDeadline is the earliest timer of the links and the
// maximum-prefix restart. Called with s.mu held.
func (s *Session) nextDeadline() (time.Time, bool) {
	at, ok := s.restartAt, !s.restartAt.IsZero()
	for _, l := range s.links() {
		if d, lok := l.m.NextDeadline(); lok && (!ok || d.Before(at)) {
			at, ok = d, true
		}
	}
	return at, ok
}

func (s *Session) links() []*link {
	if s.extra != nil {
		return []*link{s.main, s.extra}
	}
	return []*link{s.main}
}

// expire fires the due timers of every link.
func (s *Session) expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	for _, l := range s.links() {
		before := l.m.State()
		s.perform(l, 0, before, l.m.Expire(now), nil)
	}
	if !s.restartAt.IsZero() && !now.Before(s.restartAt) {
		s.restartAt = time.Time{}
		if !s.stopping {
			s.log.Info("maximum-prefix restart")
			s.step(s.main, fsm.Input{Event: fsm.AutomaticStart}, nil)
		}
	}
}

// poke wakes the Run loop to recompute its deadline.
func (s *Session) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Stop ends the session: Cease / Administrative Shutdown on every
// connection past Connect, with reason as the RFC 9003 shutdown
// communication when not empty; Run then returns once everything is
// closed. Stop does not wait.
func (s *Session) Stop(reason string) {
	n := wire.Notification{Code: wire.CodeCease, Subcode: wire.SubAdministrativeShutdown}
	if reason != "" {
		n.Data = wire.AppendCommunication(nil, reason)
	}
	s.stop(n, "reason", reason)
}

// Start restarts a session left Idle by a maximum-prefix teardown
// (ManualStart); it does nothing in other states or after Stop.
func (s *Session) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running && !s.stopping && s.main.m.State() == fsm.Idle {
		s.restartAt = time.Time{}
		s.step(s.main, fsm.Input{Event: fsm.ManualStart}, nil)
	}
}

// Send queues a whole message (header included) for the established
// session without blocking. The session owns msg from then on. Errors:
// ErrNotEstablished, ErrTooLong (above the send context's MaxLen),
// ErrQueueFull (Config.QueueLen messages wait already).
func (s *Session) Send(msg []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.main
	if l.m.State() != fsm.Established || l.c == nil {
		return ErrNotEstablished
	}
	if len(msg) > l.send.MaxLen() {
		return ErrTooLong
	}
	if !l.c.enqueue(msg) {
		s.ctr.queueFull.Add(1)
		return ErrQueueFull
	}
	return nil
}

// Accept hands the session a TCP connection the daemon's listener
// accepted from this peer. It is refused (closed, ErrRejected) when the
// peer is active-only, the session stopped or Idle, two connections
// exist already, or the session's socket options cannot be set on it
// (TCP MD5 key, GTSM minimum TTL; with GTSM also when its SYN, saved by
// a tcpsig.ListenControl listener, came with a lower TTL); otherwise it
// runs its own Machine until the OPEN exchange decides between it and
// the other connection (RFC 4271 §6.8).
// A connection accepted before Run starts waits for it.
func (s *Session) Accept(nc net.Conn) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running && !s.stopping && s.ctx == nil && len(s.early) < 2 && s.cfg.Mode.Accepts() {
		s.early = append(s.early, nc)
		return nil
	}
	return s.accept(nc)
}

// accept is Accept with s.mu held.
func (s *Session) accept(nc net.Conn) error {
	reject := func(why string) error {
		s.ctr.rejected.Add(1)
		s.log.Info("connection rejected", "from", nc.RemoteAddr().String(), "why", why)
		nc.Close()
		return fmt.Errorf("%w: %s", ErrRejected, why)
	}
	switch st := s.main.m.State(); {
	case !s.cfg.Mode.Accepts():
		return reject("active-only peer")
	case !s.running || s.stopping:
		return reject("session not running")
	case st == fsm.Idle:
		return reject("session idle")
	case s.main.c != nil && s.extra != nil:
		return reject("two connections already")
	}
	if err := s.secure(nc); err != nil {
		return reject("socket options (TCP MD5, GTSM, TTL): " + err.Error())
	}
	if s.main.c == nil {
		s.attach(s.main, nc, fsm.Incoming)
		s.step(s.main, fsm.Input{Event: fsm.TCPConnectionConfirmed}, nil)
		return nil
	}
	s.extra = s.startExtra(fsm.Incoming)
	s.attach(s.extra, nc, fsm.Incoming)
	s.step(s.extra, fsm.Input{Event: fsm.TCPConnectionConfirmed}, nil)
	return nil
}

// startExtra returns a link for a second connection, its Machine
// started (and its connect request ignored: the connection exists).
func (s *Session) startExtra(dir fsm.Direction) *link {
	l := s.newLink(dir)
	ev := fsm.ManualStart
	if dir == fsm.Incoming {
		ev = fsm.ManualStartWithPassiveTCPEstablishment
	}
	l.m.Handle(ev, s.clock.Now())
	return l
}

// step feeds one input to l's Machine and performs the actions. err is
// the cause recorded when the connection goes down. Called with s.mu held.
func (s *Session) step(l *link, in fsm.Input, err error) {
	before := l.m.State()
	s.perform(l, in.Event, before, l.m.Step(in, s.clock.Now()), err)
}

// perform does the actions of l's Machine, in order, then logs the
// state change and tidies the links. Called with s.mu held.
func (s *Session) perform(l *link, ev fsm.Event, before fsm.State, acts []fsm.Action, err error) {
	for _, a := range acts {
		switch a.Kind {
		case fsm.ActionConnect:
			if l.c == nil {
				s.dial(l)
			}
		case fsm.ActionDrop:
			s.cancelDial(l)
			if c := l.c; c != nil {
				l.c = nil
				c.reason = s.downReason(l, ev, acts, err)
				c.shutdown()
			}
			l.gr, l.nflag, l.open = false, false, nil
		case fsm.ActionRelease:
			l.recv, l.send, l.remote = wire.Context{}, wire.Context{}, capability.Speaker{}
		case fsm.ActionSendOpen:
			if l.c != nil {
				l.c.enqueue(s.open)
			}
		case fsm.ActionSendKeepalive:
			if l.c != nil {
				l.c.enqueue(keepalive) // a full queue writes soon anyway
			}
		case fsm.ActionSendNotification:
			if l.c != nil {
				n := a.Notification
				if l.nflag {
					n = hardReset(n) // RFC 8538 §5.1
				}
				l.c.final = wire.AppendNotification(nil, n)
				s.log.Warn("sending notification", "notification", fmt.Sprintf("%d/%d", n.Code, n.Subcode),
					"text", n.Code.String()+"/"+wire.SubcodeString(n.Code, n.Subcode), "data", fmt.Sprintf("%X", n.Data))
			}
		case fsm.ActionEstablished:
			if l.c != nil {
				l.c.pendingUp = true
			}
			s.upSince = s.clock.Now()
		case fsm.ActionLeftEstablished:
			clear(s.prefixes)
			clear(s.warned)
			s.upSince = time.Time{}
		}
	}
	if after := l.m.State(); after != before {
		s.log.Info("state", "from", before, "to", after, "event", ev, "connection", l.dir)
	}
	s.tidy()
	s.poke()
}

// downReason builds the DownError of a connection l's Machine dropped.
func (s *Session) downReason(l *link, ev fsm.Event, acts []fsm.Action, err error) error {
	var d *DownError
	if l.m.State() == fsm.Idle {
		le := l.m.Counters().LastError
		d = &DownError{Event: le.Event, Notification: le.Notification, Sent: le.Sent, Err: err}
	} else {
		d = &DownError{Event: ev, Err: err}
		for _, a := range acts {
			if a.Kind == fsm.ActionSendNotification {
				d.Notification, d.Sent = a.Notification, true
				d.Notification.Data = append([]byte(nil), a.Notification.Data...)
			}
		}
	}
	if d.Sent && l.nflag {
		d.Notification = hardReset(d.Notification) // what went on the wire
	}
	d.Graceful = gracefulEnd(l.gr, l.nflag, d.Notification)
	return d
}

// PeerOpen returns a copy of the OPEN message the peer sent on the
// established session (nil when it is not established): what Handler's
// capability.Speaker does not hold, such as the Graceful Restart
// capability's details.
func (s *Session) PeerOpen() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.main
	if l.m.State() != fsm.Established || l.open == nil {
		return nil
	}
	return append([]byte(nil), l.open...)
}

// tidy forgets a second Machine that fell to Idle, and promotes the
// second connection when the peer's Machine lost its own (a collision
// it lost, a failure): the survivor is the peer's session from then on.
func (s *Session) tidy() {
	if x := s.extra; x != nil && x.m.State() == fsm.Idle && x.c == nil {
		s.cancelDial(x)
		s.extra = nil
	}
	if x := s.extra; x != nil && s.main.m.State() == fsm.Idle && s.main.c == nil && !s.stopping {
		s.cancelDial(s.main)
		s.main, s.extra = x, nil
		s.log.Info("connection kept after collision", "connection", x.dir)
	}
}

// other returns the link that is not l, or nil.
func (s *Session) other(l *link) *link {
	if l == s.main {
		return s.extra
	}
	return s.main
}

// keepalive is the KEEPALIVE message; writers never modify what they send.
var keepalive = wire.AppendKeepalive(nil)

type nopHandler struct{}

func (nopHandler) Established(*Session, wire.Context, wire.Context, capability.Speaker) {}
func (nopHandler) Update(*Session, message.Update, error)                               {}
func (nopHandler) RouteRefresh(*Session, wire.RouteRefresh)                             {}
func (nopHandler) Down(*Session, error)                                                 {}
