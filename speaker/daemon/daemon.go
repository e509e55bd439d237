package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ze-bgp/ze/speaker/api"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/control"
	"github.com/ze-bgp/ze/speaker/peer"
	"github.com/ze-bgp/ze/speaker/recorder"
	"github.com/ze-bgp/ze/speaker/router"
)

// DefaultPort is the BGP port the listeners use when Options.Listen is
// empty (RFC 4271 §8.2.1).
const DefaultPort = 179

// ShutdownCommunication is the RFC 9003 text of the Cease /
// Administrative Shutdown every session is sent when Run ends.
const ShutdownCommunication = "ze shutting down"

// Options configure a Daemon. The zero value listens on port 179 of
// each peer's local address and discards logs and events.
type Options struct {
	// Listen are the ADDR:PORT the daemon accepts connections on
	// (port 0 picks a free one, see Addrs); empty: one listener per
	// distinct peer local-address on DefaultPort.
	Listen []string
	// Events receives the "ze: …" lines of the package doc (nil:
	// discarded). Writes are serialised.
	Events io.Writer
	// Logger receives structured records (nil: discarded).
	Logger *slog.Logger
	// ProcessStderr receives the API processes' standard error (nil:
	// discarded).
	ProcessStderr io.Writer
	// StopGrace bounds how long Run waits for the sessions to send
	// their final NOTIFICATION and close (default 2s).
	StopGrace time.Duration
	// ConfigPath is the file Reload reads ("": Reload fails).
	ConfigPath string
	// Control is the path of the control socket (package control) New
	// creates and Run serves; "" for none. ControlOptional makes a
	// socket that cannot be created (control.ErrInUse: another daemon
	// has it) a warning instead of an error of New.
	Control         string
	ControlOptional bool
	// LogLevel, when set, is the level of Logger's handler: Reload sets
	// it from environment { log { level } } (the format needs a
	// restart).
	LogLevel *slog.LevelVar
	// Status receives the text of DumpStatus (SIGUSR1) besides the log
	// record (nil: the log only).
	Status io.Writer
	// Version is what the API's "version" command answers ("ze
	// VERSION").
	Version string
	// listenPort is the port of the listeners the configuration
	// implies (0: DefaultPort); tests set it.
	listenPort uint16
	// Metrics is the ADDR:PORT of the HTTP listener serving /metrics
	// (MetricsHandler, docs/metrics.md) that New opens and Run serves;
	// "" for none.
	Metrics string
}

// Daemon is a running BGP speaker built from a configuration. Create it
// with New, serve with Run.
type Daemon struct {
	opt     Options
	log     *slog.Logger
	router  *router.Router
	lns     []net.Listener // under mu once Run started (a reload opens and closes some)
	lnWG    sync.WaitGroup // their serve goroutines
	started time.Time
	ctl     *control.Server
	ctlLn   net.Listener
	metLn   net.Listener     // the /metrics listener (metrics.go); nil without one
	addrs   []netip.AddrPort // what the listeners were opened for (fallback router ID)

	// rec is the MRT recording (mrt.go); nil when the config has none.
	// A reload may replace it (Apply, under mu); sessions read it at
	// any time.
	rec     atomic.Pointer[recorder.Recorder]
	recStop func()         // stops rec's Run; under mu once Run started
	recWG   sync.WaitGroup // recorders replaced by a reload, still finishing their files

	evMu sync.Mutex
	// reloadMu serialises reloads, and Run's shutdown with them.
	reloadMu sync.Mutex
	// stopReq is closed by the API's "shutdown": Run stops as when its
	// context ends.
	stopReq  chan struct{}
	stopOnce sync.Once
	// mu guards what a reload changes: the configuration, sessions,
	// byRemote, procs and their runs, and Run's state.
	mu         sync.Mutex
	cfg        *config.Config
	fallbackID netip.Addr
	sessions   []*session
	byRemote   map[netip.Addr][]*session
	procs      []*api.Process
	procRuns   map[*api.Process]*procRun
	sctx, pctx context.Context // Run's session and process contexts
	running    bool            // Run has started the sessions
	stopping   bool            // Run is shutting down: no more reloads
	sessWG     sync.WaitGroup
	procWG     sync.WaitGroup
}

// procRun is one API process's supervision: its context and the end of
// its Run.
type procRun struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// snapshot returns the current sessions (a copy, safe to range over
// while a reload runs).
func (d *Daemon) snapshot() []*session {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*session(nil), d.sessions...)
}

// processes returns the current API processes (a copy, safe to range
// over while a reload runs).
func (d *Daemon) processes() []*api.Process {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*api.Process(nil), d.procs...)
}

// New builds the sessions, the router and the API processes of cfg and
// opens the listeners and the control socket (so Addrs is valid when it
// returns). Errors: a listen address that does not parse or cannot be
// bound, a peer without a router ID, a peer the session driver refuses,
// an api block naming no configured process, a control socket that
// cannot be created (unless Options.ControlOptional).
func New(cfg *config.Config, opt Options) (*Daemon, error) {
	if opt.StopGrace <= 0 {
		opt.StopGrace = 2 * time.Second
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Daemon{cfg: cfg, opt: opt, log: log, byRemote: map[netip.Addr][]*session{}, stopReq: make(chan struct{}),
		procRuns: map[*api.Process]*procRun{}, started: time.Now()}

	addrs, err := listenAddrs(cfg, opt.Listen, opt.listenPort)
	if err != nil {
		return nil, err
	}
	d.addrs = addrs
	d.fallbackID = fallbackRouterID(cfg, addrs)
	d.router = router.New(router.Options{RouterID: d.fallbackID, Stalled: d.stalled, Logger: log})
	rec, err := d.newRecorder(cfg)
	if err != nil {
		return nil, err
	}
	d.rec.Store(rec)

	procByName := map[string]*api.Process{}
	for _, pc := range cfg.Processes {
		p, err := d.newProcess(pc)
		if err != nil {
			return nil, err
		}
		d.procs = append(d.procs, p)
		procByName[pc.Name] = p
	}

	for _, p := range cfg.Peers {
		s, err := d.newSession(p, procByName)
		if err != nil {
			return nil, err
		}
		d.sessions = append(d.sessions, s)
		ip := p.Remote.IP.Unmap()
		d.byRemote[ip] = append(d.byRemote[ip], s)
	}

	if opt.Control != "" {
		ln, err := control.Listen(opt.Control)
		switch {
		case err == nil:
			d.ctlLn = ln
			d.ctl = control.NewServer(backend{d}, log)
		case opt.ControlOptional:
			log.Warn("no control socket", "path", opt.Control, "err", err)
		default:
			return nil, err
		}
	}

	if opt.Metrics != "" {
		ln, err := net.Listen("tcp", opt.Metrics)
		if err != nil {
			d.closeListeners()
			return nil, fmt.Errorf("metrics listener: %w", err)
		}
		d.metLn = ln
	}

	if err := d.listen(addrs); err != nil {
		d.closeListeners()
		return nil, err
	}
	return d, nil
}

// fallbackRouterID is the router ID of the peers that name none and have
// no IPv4 local-address: the first peer's router-id, else the first
// IPv4 listen address.
func fallbackRouterID(cfg *config.Config, addrs []netip.AddrPort) netip.Addr {
	for _, p := range cfg.Peers {
		if p.RouterID.IsValid() {
			return p.RouterID
		}
	}
	for _, a := range addrs {
		if ip := a.Addr().Unmap(); ip.Is4() && !ip.IsUnspecified() {
			return ip
		}
	}
	return netip.Addr{}
}

// newProcess builds (without starting it) the API process of pc.
func (d *Daemon) newProcess(pc config.Process) (*api.Process, error) {
	enc, err := api.ParseEncoder(pc.Encoder)
	if err != nil {
		return nil, fmt.Errorf("process %s: %w", pc.Name, err)
	}
	policy := api.DropProcess
	if pc.OnFull != "" {
		if policy, err = api.ParsePolicy(pc.OnFull); err != nil {
			return nil, fmt.Errorf("process %s: %w", pc.Name, err)
		}
	}
	respawn := api.DefaultRespawn // Window: a minute
	respawn.Max = pc.Respawn
	if pc.Respawn <= 0 {
		respawn.Max = -1 // respawn 0: never
	}
	return api.New(api.Config{
		Name: pc.Name, Run: pc.Run, Encoder: enc, WithdrawOnExit: pc.WithdrawOnExit,
		Queue: pc.Queue, Policy: policy, Respawn: respawn,
		Logger: d.log, Stderr: d.opt.ProcessStderr,
	}, apiHandler{d}), nil
}

// resolvePeer returns p with the router ID its session uses: its own,
// else its IPv4 local-address, else fallback.
func resolvePeer(p config.Peer, fallback netip.Addr) config.Peer {
	if !p.RouterID.IsValid() && p.LocalAddr.Is4() {
		p.RouterID = p.LocalAddr
	}
	if !p.RouterID.IsValid() {
		p.RouterID = fallback
	}
	return p
}

// newSession builds (without starting it) the session of peer p, whose
// api block names processes of procs.
func (d *Daemon) newSession(p config.Peer, procs map[string]*api.Process) (*session, error) {
	p = resolvePeer(p, d.fallbackID)
	pc, err := peerConfig(&p, p.RouterID)
	if err != nil {
		return nil, err
	}
	sc, err := newSoft(p, procs)
	if err != nil {
		return nil, err
	}
	s := &session{d: d, cfg: p, done: make(chan struct{})}
	s.soft.Store(sc)
	drv, err := peer.New(pc, s, d.log)
	if err != nil {
		return nil, fmt.Errorf("peer %s: %w", p.Name, err)
	}
	s.drv = drv
	return s, nil
}

// startSession runs s's driver once after (when not nil) is closed: a
// session replacing another waits for the old one to be gone. Called
// with d.mu held, once Run has started.
func (d *Daemon) startSession(s *session, after <-chan struct{}) {
	ctx := d.sctx
	d.sessWG.Add(1)
	go func() {
		defer d.sessWG.Done()
		defer close(s.done)
		if after != nil {
			<-after
		}
		if err := s.drv.Run(ctx); err != nil {
			d.log.Error("session ended", "peer", s.cfg.Name, "err", err)
		}
	}()
}

// startProc runs API process p after (when not nil) is closed: a
// restarted process waits for the old one, so that the old one's
// withdrawals (on exit) come before the new one's announcements. Called
// with d.mu held, once Run has started.
func (d *Daemon) startProc(p *api.Process, after <-chan struct{}) {
	ctx, cancel := context.WithCancel(d.pctx)
	r := &procRun{cancel: cancel, done: make(chan struct{})}
	d.procRuns[p] = r
	d.procWG.Add(1)
	go func() {
		defer d.procWG.Done()
		defer close(r.done)
		defer cancel()
		if after != nil {
			select {
			case <-after:
			case <-ctx.Done():
				return
			}
		}
		if err := p.Run(ctx); err != nil {
			d.log.Error("process ended", "process", p.Name(), "err", err)
		}
	}()
}

// stopProc stops API process p (its Run withdraws what it announced)
// and returns the channel closed when it is gone. Called with d.mu held.
func (d *Daemon) stopProc(p *api.Process) <-chan struct{} {
	r := d.procRuns[p]
	if r == nil {
		done := make(chan struct{})
		close(done)
		return done
	}
	delete(d.procRuns, p)
	r.cancel()
	return r.done
}

// listenAddrs returns the addresses to listen on: explicit, else one per
// distinct peer local address on DefaultPort.
func listenAddrs(cfg *config.Config, explicit []string, port uint16) ([]netip.AddrPort, error) {
	if port == 0 {
		port = DefaultPort
	}
	var out []netip.AddrPort
	if len(explicit) > 0 {
		for _, s := range explicit {
			ap, err := netip.ParseAddrPort(s)
			if err != nil {
				return nil, fmt.Errorf("listen address %q: want ADDR:PORT (%v)", s, err)
			}
			out = append(out, ap)
		}
		return out, nil
	}
	seen := map[netip.Addr]bool{}
	for _, p := range cfg.Peers {
		a := p.LocalAddr
		if !a.IsValid() {
			a = netip.IPv6Unspecified()
		}
		if !seen[a] {
			seen[a] = true
			out = append(out, netip.AddrPortFrom(a, port))
		}
	}
	if seen[netip.IPv6Unspecified()] {
		// The wildcard listener takes every address already.
		out = []netip.AddrPort{netip.AddrPortFrom(netip.IPv6Unspecified(), port)}
	}
	return out, nil
}

// Addrs returns the addresses the daemon listens on (with the real port
// when Options.Listen asked for port 0).
func (d *Daemon) Addrs() []net.Addr {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]net.Addr, len(d.lns))
	for i, ln := range d.lns {
		out[i] = ln.Addr()
	}
	return out
}

// Router returns the daemon's router (for its Stats).
func (d *Daemon) Router() *router.Router { return d.router }

// Stats returns the session driver's counters of every peer, by name.
func (d *Daemon) Stats() map[string]peer.Stats {
	sessions := d.snapshot()
	out := make(map[string]peer.Stats, len(sessions))
	for _, s := range sessions {
		out[s.cfg.Name] = s.drv.Stats()
	}
	return out
}

// Run serves until ctx is done: it accepts connections and control
// requests, runs every session and API process, then stops every
// session with Cease / Administrative Shutdown (ShutdownCommunication),
// waits up to Options.StopGrace for them, stops the processes and
// returns nil. A reload in progress finishes first; none starts after.
// It may be called once.
func (d *Daemon) Run(ctx context.Context) error {
	sctx, scancel := context.WithCancel(context.Background())
	defer scancel()
	pctx, pcancel := context.WithCancel(context.Background())
	defer pcancel()

	d.reloadMu.Lock() // no reload between starting the processes and the sessions
	d.mu.Lock()
	if d.running {
		d.mu.Unlock()
		d.reloadMu.Unlock()
		return errors.New("daemon: Run called twice")
	}
	d.sctx, d.pctx, d.running = sctx, pctx, true
	d.recStop = d.startRecorder(d.rec.Load())
	for _, p := range d.procs {
		d.startProc(p, nil)
	}
	procs := append([]*api.Process(nil), d.procs...)
	d.mu.Unlock()
	// Events sent to a process before it runs are lost: let the
	// processes start before the sessions can bring any.
	waitProcesses(procs, processStartWait)
	d.mu.Lock()
	for _, s := range d.sessions {
		d.startSession(s, nil)
	}
	d.mu.Unlock()
	d.reloadMu.Unlock()

	d.mu.Lock()
	for _, ln := range d.lns {
		d.startServe(ln)
	}
	d.mu.Unlock()
	lnWG := &d.lnWG
	if d.ctl != nil {
		lnWG.Add(1)
		go func() {
			defer lnWG.Done()
			d.ctl.Serve(d.ctlLn) //nolint:errcheck // only accept errors it cannot wait out; logged by the server
		}()
		d.event("control socket %s", d.opt.Control)
		d.log.Info("control socket", "path", d.opt.Control)
	}
	stopMetrics := d.serveMetrics()

	select {
	case <-ctx.Done():
	case <-d.stopReq:
		d.log.Info("shutdown asked by an API process")
	}
	d.reloadMu.Lock()
	d.mu.Lock()
	d.stopping = true
	d.mu.Unlock()
	d.reloadMu.Unlock()
	d.log.Info("shutting down")
	d.closeListeners()
	if d.ctl != nil {
		d.ctl.Close()
	}
	lnWG.Wait()
	for _, s := range d.snapshot() {
		s.drv.Stop(ShutdownCommunication)
	}
	done := make(chan struct{})
	go func() { d.sessWG.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d.opt.StopGrace):
		d.log.Warn("sessions still closing after the grace time")
		scancel()
		<-done
	}
	d.mu.Lock()
	stopRecorder := d.recStop
	d.mu.Unlock()
	stopRecorder() // after the sessions: their last state changes are recorded
	d.recWG.Wait()
	stopMetrics()
	pcancel()
	d.procWG.Wait()
	d.event("stopped")
	return nil
}

// startServe serves ln (a listener of d.lns) until it is closed.
func (d *Daemon) startServe(ln net.Listener) {
	d.lnWG.Add(1)
	go func() {
		defer d.lnWG.Done()
		d.serve(ln)
	}()
	d.event("listening %s", ln.Addr())
	d.log.Info("listening", "addr", ln.Addr().String())
}

// serve accepts connections on ln until it is closed.
func (d *Daemon) serve(ln net.Listener) {
	var delay time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Temporary (EMFILE…): back off, as net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			d.log.Warn("accept failed", "addr", ln.Addr().String(), "err", err)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if err := d.dispatch(nc); err != nil {
			d.log.Info("connection refused", "remote", nc.RemoteAddr().String(), "err", err)
		}
	}
}

// dispatch hands nc to the session whose remote ip is its remote address
// (and whose local-address, when set, is its local address), or closes
// it.
func (d *Daemon) dispatch(nc net.Conn) error {
	remote, err1 := netip.ParseAddrPort(nc.RemoteAddr().String())
	local, err2 := netip.ParseAddrPort(nc.LocalAddr().String())
	if err1 != nil || err2 != nil {
		nc.Close()
		return errUnknownPeer
	}
	d.mu.Lock()
	candidates := d.byRemote[remote.Addr().Unmap()]
	d.mu.Unlock()
	for _, s := range candidates {
		if la := s.cfg.LocalAddr; la.IsValid() && la.Unmap() != local.Addr().Unmap() {
			continue
		}
		return s.accept(nc)
	}
	nc.Close()
	return errUnknownPeer
}

// closeListeners closes the BGP listeners and the control socket.
func (d *Daemon) closeListeners() {
	d.mu.Lock()
	lns := d.lns
	d.mu.Unlock()
	for _, ln := range lns {
		ln.Close()
	}
	if d.ctlLn != nil {
		d.ctlLn.Close()
	}
}

// MetricsAddr is the address of the /metrics listener (the real port
// when Options.Metrics asked for port 0), or nil without one.
func (d *Daemon) MetricsAddr() net.Addr {
	if d.metLn == nil {
		return nil
	}
	return d.metLn.Addr()
}

// event writes one "ze: …" line to Options.Events.
func (d *Daemon) event(format string, args ...any) {
	if d.opt.Events == nil {
		return
	}
	d.evMu.Lock()
	defer d.evMu.Unlock()
	fmt.Fprintf(d.opt.Events, "ze: "+format+"\n", args...)
}
