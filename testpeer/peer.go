package testpeer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ze-bgp/ze/internal/syncbuf"
)

// Peer is one test peer: a listener or a set of dialled sessions, all
// running the same mode. Build it with New (or Start in tests), run it
// with Run.
type Peer struct {
	cfg     Config
	out     *output
	started time.Time

	ln        net.Listener
	addr      netip.AddrPort
	listening chan struct{} // closed once listening (or Run failed before)
	runDone   chan struct{}
	runErr    error

	mu       sync.Mutex
	sessions []*session
	nextID   int
	stopRun  context.CancelCauseFunc
	readers  sync.WaitGroup

	established atomic.Int64
	failures    atomic.Int64
	eorSessions atomic.Int64
	injected    atomic.Int64 // inject sessions that finished
	inject      injectTotals

	// Set by Start.
	stdoutBuf, stderrBuf *syncbuf.Buffer
	cancel               context.CancelFunc
}

// New checks cfg and returns a Peer writing its reports to stdout and
// stderr.
func New(cfg Config, stdout, stderr io.Writer) (*Peer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Peer{
		cfg:       cfg,
		listening: make(chan struct{}),
		runDone:   make(chan struct{}),
		started:   time.Now(),
	}
	p.out = newOutput(&p.cfg, stdout, stderr)
	return p, nil
}

// Run runs the peer with cfg (see New and Peer.Run).
func Run(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	p, err := New(cfg, stdout, stderr)
	if err != nil {
		return err
	}
	return p.Run(ctx)
}

// errStopped is the cause of a run that ended because its work was done.
var errStopped = errors.New("testpeer: done")

// stop ends the run; cause nil means its work is done.
func (p *Peer) stop(cause error) {
	if cause == nil {
		cause = errStopped
	}
	p.mu.Lock()
	f := p.stopRun
	p.mu.Unlock()
	if f != nil {
		f(cause)
	}
}

// Run runs until the mode's work is done, the timeout passes or ctx is
// cancelled, then closes every session (Cease / Administrative
// Shutdown), prints the mode's report and returns nil on success: every
// expectation met (check), every route sent (inject), no session failed
// (all modes).
func (p *Peer) Run(ctx context.Context) error {
	defer close(p.runDone)
	p.runErr = p.run(ctx)
	return p.runErr
}

func (p *Peer) run(parent context.Context) error {
	p.started = time.Now()
	ctx, cancelTimeout := parent, context.CancelFunc(func() {})
	if p.cfg.Timeout > 0 {
		ctx, cancelTimeout = context.WithTimeout(parent, p.cfg.Timeout)
	}
	defer cancelTimeout()
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	p.mu.Lock()
	p.stopRun = stop
	p.mu.Unlock()

	if p.cfg.Listen != "" {
		ln, err := net.Listen("tcp", p.cfg.Listen)
		if err != nil {
			close(p.listening)
			return fmt.Errorf("testpeer: %w", err)
		}
		p.ln, p.addr = ln, addrPort(ln.Addr())
		p.out.stdoutf("listening %s", p.addr)
		context.AfterFunc(ctx, func() { ln.Close() })
	}
	close(p.listening)

	var work sync.WaitGroup
	check := newCheckResult()
	switch {
	case p.cfg.Mode == ModeCheck:
		for i := range p.cfg.Peers {
			work.Go(func() { p.runScript(ctx, i, check) })
		}
	case p.cfg.Dial != "":
		sem := make(chan struct{}, dialConcurrency)
		for i := range p.cfg.Peers {
			work.Go(func() { p.dialSession(ctx, i, sem) })
		}
	default:
		work.Go(func() { p.acceptLoop(ctx) })
	}
	workDone := make(chan struct{})
	go func() { work.Wait(); close(workDone) }()
	waitWork := p.cfg.Mode == ModeCheck || p.cfg.Dial != ""
	if waitWork {
		select {
		case <-workDone:
		case <-ctx.Done():
		}
	} else {
		<-ctx.Done()
	}
	cause := context.Cause(ctx)
	if cause == nil {
		cause = errStopped
	}
	stop(cause)
	p.shutdownAll("ze-test peer: done")
	<-workDone
	p.readers.Wait()
	return p.report(cause, check)
}

// dialConcurrency bounds the sessions being dialled and opened at once.
const dialConcurrency = 256

// acceptLoop starts a session for every connection until the listener
// closes.
func (p *Peer) acceptLoop(ctx context.Context) {
	var injects sync.WaitGroup
	defer injects.Wait()
	for {
		conn, err := p.ln.Accept()
		if err != nil {
			return
		}
		s := p.addSession(conn, false)
		s.start()
		if p.cfg.Mode == ModeInject {
			injects.Go(func() { p.injectSession(ctx, s) })
		}
	}
}

// dialSession dials session i and runs it until it ends (or, in inject
// mode, until its routes are sent).
func (p *Peer) dialSession(ctx context.Context, i int, sem chan struct{}) {
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return
	}
	conn, err := p.connect(ctx, p.cfg.Dial, p.sourceAddr(i))
	if err != nil {
		<-sem
		if ctx.Err() == nil || context.Cause(ctx) != errStopped {
			p.failures.Add(1)
			p.out.problem(fmt.Sprintf("error: dialling %s: %v", p.cfg.Dial, err))
		}
		return
	}
	s := p.addSession(conn, false)
	s.start()
	select {
	case <-s.ready:
	case <-s.done:
	case <-ctx.Done():
	}
	<-sem
	if p.cfg.Mode == ModeInject {
		p.injectSession(ctx, s)
		return
	}
	select {
	case <-s.done:
	case <-ctx.Done():
	}
}

// connect dials addr from src (when valid), retrying while the address
// refuses connections (the speaker under test may still be starting).
func (p *Peer) connect(ctx context.Context, addr string, src netip.Addr) (net.Conn, error) {
	d := net.Dialer{}
	if src.IsValid() {
		d.LocalAddr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(src, 0))
	}
	delay := 50 * time.Millisecond
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, err
		}
		delay = min(2*delay, time.Second)
	}
}

// sourceAddr returns the local address of dialled session i.
func (p *Peer) sourceAddr(i int) netip.Addr {
	if len(p.cfg.SourceAddrs) > 0 {
		return p.cfg.SourceAddrs[i%len(p.cfg.SourceAddrs)]
	}
	if p.cfg.Peers < 2 {
		return netip.Addr{}
	}
	ap, err := netip.ParseAddrPort(p.cfg.Dial)
	if err != nil || !ap.Addr().Unmap().IsLoopback() || !ap.Addr().Unmap().Is4() {
		return netip.Addr{}
	}
	// 127.0.0.2, 127.0.0.3, … (the whole of 127/8 is loopback).
	return addToAddr(netip.AddrFrom4([4]byte{127, 0, 0, 2}), uint64(i))
}

// addToAddr returns a + n for an IPv4 address (wrapping).
func addToAddr(a netip.Addr, n uint64) netip.Addr {
	b := a.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v += uint32(n)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// addSession registers a new session on conn and counts its reader.
func (p *Peer) addSession(conn net.Conn, manual bool) *session {
	p.mu.Lock()
	s := newSession(p, p.nextID, conn)
	s.manual = manual
	p.nextID++
	p.sessions = append(p.sessions, s)
	p.mu.Unlock()
	p.readers.Add(1)
	go func() { <-s.done; p.readers.Done() }()
	return s
}

// snapshot returns the sessions so far.
func (p *Peer) snapshot() []*session {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*session(nil), p.sessions...)
}

// shutdownAll ends every open session with Cease / Administrative
// Shutdown, one second at most for all of them.
func (p *Peer) shutdownAll(text string) {
	var wg sync.WaitGroup
	for _, s := range p.snapshot() {
		if s.isClosing() {
			continue
		}
		wg.Go(func() { s.shutdown(text) })
	}
	wg.Wait()
}

// report prints the mode's report and returns the run's verdict.
func (p *Peer) report(cause error, check *checkResult) error {
	timedOut := errors.Is(cause, context.DeadlineExceeded)
	var errs []error
	switch p.cfg.Mode {
	case ModeCheck:
		if err := check.verdict(p, timedOut); err != nil {
			errs = append(errs, err)
		}
	case ModeInject:
		p.writeInjectReport()
		if n := int(p.injected.Load()); n < p.cfg.Peers {
			errs = append(errs, fmt.Errorf("testpeer: inject finished on %d of %d sessions", n, p.cfg.Peers))
		}
	default:
		p.WriteSummary()
		if p.cfg.SinkUntilEOR {
			if n := int(p.eorSessions.Load()); n < p.cfg.Peers {
				errs = append(errs, fmt.Errorf("testpeer: End-of-RIB for every family from %d of %d sessions", n, p.cfg.Peers))
			}
		}
	}
	if n := p.failures.Load(); n > 0 {
		errs = append(errs, fmt.Errorf("testpeer: %d session(s) failed", n))
	}
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = strings.TrimPrefix(e.Error(), "testpeer: ")
	}
	return errors.New("testpeer: " + strings.Join(msgs, "; "))
}

// Addr returns the listening address (after Run started listening).
func (p *Peer) Addr() netip.AddrPort {
	<-p.listening
	return p.addr
}

// Established returns how many sessions reached Established so far.
func (p *Peer) Established() int { return int(p.established.Load()) }

// Wait waits for Run to end and returns its result.
func (p *Peer) Wait() error {
	<-p.runDone
	return p.runErr
}
