package daemon

import (
	"context"
	"errors"
	"strings"

	"github.com/ze-bgp/ze/speaker/api"
	"github.com/ze-bgp/ze/speaker/control"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/router"
	"github.com/ze-bgp/ze/speaker/wire"
)

// backend is the daemon as the control socket's control.Backend.
type backend struct{ d *Daemon }

func (b backend) Neighbors() []control.Neighbor { return b.d.Neighbors() }

// Routes implements control.Backend: a configured peer the router has
// not seen yet (never up) has empty Adj-RIBs.
func (b backend) Routes(q router.Query) ([]router.Route, bool, error) {
	rs, more, err := b.d.router.Routes(q)
	if errors.Is(err, router.ErrUnknownPeer) {
		for _, s := range b.d.snapshot() {
			if s.cfg.Name == q.Peer {
				return nil, false, nil
			}
		}
	}
	return rs, more, err
}

func (b backend) Reload() (control.ReloadResult, error) { return b.d.Reload() }

func (b backend) Status() control.Status { return b.d.Status() }

// Neighbors describes every configured peer, in configuration order:
// its settings, the session driver's state and counters, the router's
// view (control.Neighbor).
func (d *Daemon) Neighbors() []control.Neighbor {
	sessions := d.snapshot()
	routed := map[string]router.Neighbor{}
	for _, n := range d.router.Neighbors() {
		routed[n.Name] = n
	}
	out := make([]control.Neighbor, 0, len(sessions))
	for _, s := range sessions {
		out = append(out, s.describe(routed[s.cfg.Name]))
	}
	return out
}

// describe builds s's control.Neighbor; rn is the router's view of it.
func (s *session) describe(rn router.Neighbor) control.Neighbor {
	c, sc := &s.cfg, s.soft.Load()
	n := control.Neighbor{
		Name: c.Name, Description: sc.description, Group: sc.group,
		RemoteAddr: c.Remote.IP, RemotePort: c.Remote.Port, RemoteAS: c.Remote.AS,
		LocalAS: c.LocalAS, LocalAddr: s.LocalAddr(), RouterID: c.RouterID,
		Session: s.drv.Stats(),
	}
	if rn.Name == "" {
		rn.Name = c.Name
	}
	if n.Session.State != fsm.Established {
		// The router keeps counters across sessions; what it says about
		// the last session's families and remote does not hold now.
		rn.Up, rn.Families, rn.AddPathSend, rn.AddPathReceive = false, nil, nil, nil
	}
	n.Router = rn
	s.mu.Lock()
	n.Capabilities = append([]string(nil), s.caps...)
	n.HoldTime, n.Changed, n.LastDown = s.hold, s.changed, s.lastDown
	s.mu.Unlock()
	return n
}

// Status returns the daemon's state: the peers, the Loc-RIB's size and
// the API processes.
func (d *Daemon) Status() control.Status {
	st := control.Status{Started: d.started, Config: d.opt.ConfigPath, Neighbors: d.Neighbors(), RIB: d.router.RIBCounts()}
	for _, p := range d.processes() {
		st.Processes = append(st.Processes, control.Process{Name: p.Name(), Stats: p.Stats()})
	}
	return st
}

// StatusText returns the status dump as text (`ze cli show status`,
// SIGUSR1): the neighbor summary, the Loc-RIB's size per family and the
// API processes' queues.
func (d *Daemon) StatusText() string {
	body, err := control.Execute(backend{d}, "show status")
	if err != nil {
		return err.Error()
	}
	return string(body)
}

// DumpStatus writes the status dump (SIGUSR1): its text to
// Options.Status, and one log record with the figures. Nothing stops
// or waits.
func (d *Daemon) DumpStatus() {
	st := d.Status()
	up := 0
	for _, n := range st.Neighbors {
		if n.Session.State == fsm.Established {
			up++
		}
	}
	args := []any{"peers", len(st.Neighbors), "established", up}
	for _, c := range st.RIB {
		if c.Prefixes > 0 {
			args = append(args, "prefixes-"+strings.ReplaceAll(c.Family.String(), "/", "-"), c.Prefixes)
		}
	}
	for _, p := range st.Processes {
		args = append(args, "queue-"+p.Name, p.Stats.QueueDepth)
	}
	d.log.Info("status", args...)
	if d.opt.Status != nil {
		text := d.StatusText()
		d.evMu.Lock() // not held while the text is built: Apply holds d.mu and writes events
		defer d.evMu.Unlock()
		d.opt.Status.Write([]byte(text)) //nolint:errcheck // best effort, as the log is
	}
}

// apiHandler runs API process commands: reload itself, the rest in the
// router (which is also the api.ExitHandler withdrawing what an exited
// process announced).
type apiHandler struct{ d *Daemon }

// Handle implements api.Handler.
func (h apiHandler) Handle(ctx context.Context, p *api.Process, cmd api.Command) error {
	if cmd.Kind == api.KindReload {
		// Reload may stop this very process: it only cancels it, and
		// the process ends once this command is answered.
		if _, err := h.d.Reload(); err != nil {
			return &api.Error{Msg: "reload failed: " + strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")}
		}
		return nil
	}
	if cmd.Kind == api.KindRestart {
		// ExaBGP's restart: the configuration read again, then every
		// session started from scratch (Cease / Administrative Reset).
		if _, err := h.d.Reload(); err != nil {
			return &api.Error{Msg: "restart failed, nothing was reset: " + strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")}
		}
		h.d.reset(func(*session) bool { return true }, wire.SubAdministrativeReset, "ze restart", "the API (restart)")
		return nil
	}
	if ok, err := h.daemonCommand(p, cmd); ok {
		return err
	}
	return h.d.router.Handle(ctx, p, cmd)
}

// Exited implements api.ExitHandler.
func (h apiHandler) Exited(p *api.Process, err error, withdraw []api.Announcement) {
	h.d.router.Exited(p, err, withdraw)
}
