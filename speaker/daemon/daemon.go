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
	"time"

	"github.com/ze-bgp/ze/speaker/api"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/peer"
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
}

// Daemon is a running BGP speaker built from a configuration. Create it
// with New, serve with Run.
type Daemon struct {
	cfg      *config.Config
	opt      Options
	log      *slog.Logger
	router   *router.Router
	sessions []*session
	byRemote map[netip.Addr][]*session
	procs    []*api.Process
	lns      []net.Listener

	evMu sync.Mutex
	// mu guards sessions and byRemote, which a reload changes.
	mu sync.Mutex
}

// snapshot returns the current sessions (a copy, safe to range over
// while a reload runs).
func (d *Daemon) snapshot() []*session {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*session(nil), d.sessions...)
}

// New builds the sessions, the router and the API processes of cfg and
// opens the listeners (so Addrs is valid when it returns). Errors: a
// listen address that does not parse or cannot be bound, a peer without
// a router ID, a peer the session driver refuses (peer.New:
// md5-password and ttl-security are not supported yet), an api block
// naming no configured process.
func New(cfg *config.Config, opt Options) (*Daemon, error) {
	if opt.StopGrace <= 0 {
		opt.StopGrace = 2 * time.Second
	}
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Daemon{cfg: cfg, opt: opt, log: log, byRemote: map[netip.Addr][]*session{}}

	addrs, err := listenAddrs(cfg, opt.Listen)
	if err != nil {
		return nil, err
	}
	fallbackID := netip.Addr{}
	for _, a := range addrs {
		if ip := a.Addr().Unmap(); ip.Is4() && !ip.IsUnspecified() {
			fallbackID = ip
			break
		}
	}
	for _, p := range cfg.Peers {
		if p.RouterID.IsValid() {
			fallbackID = p.RouterID
			break
		}
	}
	d.router = router.New(router.Options{RouterID: fallbackID})

	procByName := map[string]*api.Process{}
	for _, pc := range cfg.Processes {
		enc, err := api.ParseEncoder(pc.Encoder)
		if err != nil {
			return nil, fmt.Errorf("process %s: %w", pc.Name, err)
		}
		p := api.New(api.Config{
			Name: pc.Name, Run: pc.Run, Encoder: enc, WithdrawOnExit: true,
			Logger: log.With("process", pc.Name), Stderr: opt.ProcessStderr,
		}, d.router)
		d.procs = append(d.procs, p)
		procByName[pc.Name] = p
	}

	for i := range cfg.Peers {
		p := cfg.Peers[i]
		id := p.RouterID
		if !id.IsValid() && p.LocalAddr.Is4() {
			id = p.LocalAddr
		}
		if !id.IsValid() {
			id = fallbackID
		}
		pc, err := peerConfig(&p, id)
		if err != nil {
			return nil, err
		}
		s := &session{d: d, cfg: p}
		for _, name := range p.API.Processes {
			proc, ok := procByName[name]
			if !ok {
				return nil, fmt.Errorf("peer %s: api names process %q, which is not configured", p.Name, name)
			}
			s.procs = append(s.procs, proc)
		}
		drv, err := peer.New(pc, s, log)
		if err != nil {
			return nil, fmt.Errorf("peer %s: %w", p.Name, err)
		}
		s.drv = drv
		d.sessions = append(d.sessions, s)
		ip := p.Remote.IP.Unmap()
		d.byRemote[ip] = append(d.byRemote[ip], s)
	}

	for _, a := range addrs {
		ln, err := net.Listen("tcp", a.String())
		if err != nil {
			d.closeListeners()
			return nil, fmt.Errorf("listen %s: %w", a, err)
		}
		d.lns = append(d.lns, ln)
	}
	return d, nil
}

// listenAddrs returns the addresses to listen on: explicit, else one per
// distinct peer local address on DefaultPort.
func listenAddrs(cfg *config.Config, explicit []string) ([]netip.AddrPort, error) {
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
			out = append(out, netip.AddrPortFrom(a, DefaultPort))
		}
	}
	if seen[netip.IPv6Unspecified()] {
		// The wildcard listener takes every address already.
		out = []netip.AddrPort{netip.AddrPortFrom(netip.IPv6Unspecified(), DefaultPort)}
	}
	return out, nil
}

// Addrs returns the addresses the daemon listens on (with the real port
// when Options.Listen asked for port 0).
func (d *Daemon) Addrs() []net.Addr {
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
	out := make(map[string]peer.Stats, len(d.sessions))
	for _, s := range d.sessions {
		out[s.cfg.Name] = s.drv.Stats()
	}
	return out
}

// Reload would apply a new configuration; it is not implemented yet and
// only logs.
func (d *Daemon) Reload() {
	d.log.Warn("reload not implemented yet")
	d.event("reload not implemented yet")
}

// Run serves until ctx is done: it accepts connections, runs every
// session and API process, then stops every session with Cease /
// Administrative Shutdown (ShutdownCommunication), waits up to
// Options.StopGrace for them, stops the processes and returns nil. It
// may be called once.
func (d *Daemon) Run(ctx context.Context) error {
	sctx, scancel := context.WithCancel(context.Background())
	defer scancel()
	pctx, pcancel := context.WithCancel(context.Background())
	defer pcancel()

	var procWG sync.WaitGroup
	for _, p := range d.procs {
		procWG.Add(1)
		go func() {
			defer procWG.Done()
			if err := p.Run(pctx); err != nil {
				d.log.Error("process ended", "process", p.Name(), "err", err)
			}
		}()
	}
	var sessWG sync.WaitGroup
	for _, s := range d.sessions {
		sessWG.Add(1)
		go func() {
			defer sessWG.Done()
			if err := s.drv.Run(sctx); err != nil {
				d.log.Error("session ended", "peer", s.cfg.Name, "err", err)
			}
		}()
	}
	var lnWG sync.WaitGroup
	for _, ln := range d.lns {
		lnWG.Add(1)
		go func() {
			defer lnWG.Done()
			d.serve(ln)
		}()
		d.event("listening %s", ln.Addr())
		d.log.Info("listening", "addr", ln.Addr().String())
	}

	<-ctx.Done()
	d.log.Info("shutting down")
	d.closeListeners()
	lnWG.Wait()
	for _, s := range d.sessions {
		s.drv.Stop(ShutdownCommunication)
	}
	done := make(chan struct{})
	go func() { sessWG.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d.opt.StopGrace):
		d.log.Warn("sessions still closing after the grace time")
		scancel()
		<-done
	}
	pcancel()
	procWG.Wait()
	d.event("stopped")
	return nil
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
	for _, s := range d.byRemote[remote.Addr().Unmap()] {
		if la := s.cfg.LocalAddr; la.IsValid() && la.Unmap() != local.Addr().Unmap() {
			continue
		}
		return s.accept(nc)
	}
	nc.Close()
	return errUnknownPeer
}

func (d *Daemon) closeListeners() {
	for _, ln := range d.lns {
		ln.Close()
	}
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
