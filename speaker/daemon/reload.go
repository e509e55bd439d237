package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"reflect"
	"slices"
	"strings"

	"github.com/ze-bgp/ze/speaker/api"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/control"
	"github.com/ze-bgp/ze/speaker/recorder"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Errors of Reload and Apply.
var (
	ErrNoConfigPath = errors.New("daemon: no configuration file to reload (Options.ConfigPath)")
	ErrNotRunning   = errors.New("daemon: not running (reload before Run, or while stopping)")
)

// reloadPlan is what a new configuration changes, peer by peer and
// process by process (planReload).
type reloadPlan struct {
	added     []config.Peer // started
	removed   []string      // stopped: Cease / Peer De-configured
	reset     []config.Peer // restarted with the new settings: Cease / Other Configuration Change
	updated   []config.Peer // same session; static routes, api or description changed
	unchanged []string

	procsAdded, procsRestarted []config.Process
	procsRemoved               []string
}

// sessionSettings is p less what a reload applies without a reset
// (static routes, api, description, group), for comparing sessions.
func sessionSettings(p config.Peer) config.Peer {
	p.Static, p.API, p.Description, p.Group = nil, config.API{}, "", ""
	return p
}

// planReload compares two configurations, each peer with its router ID
// resolved against its configuration's fallback (resolvePeer): a peer
// (by name) whose session settings differ is reset, one whose only
// differences are static routes, api or description is updated in
// place. Processes (by name) whose command or encoder differ restart.
func planReload(old, cur *config.Config, oldID, curID netip.Addr) reloadPlan {
	var pl reloadPlan
	before := map[string]config.Peer{}
	for _, p := range old.Peers {
		before[p.Name] = resolvePeer(p, oldID)
	}
	now := map[string]bool{}
	for _, p := range cur.Peers {
		now[p.Name] = true
		o, ok := before[p.Name]
		r := resolvePeer(p, curID)
		switch {
		case !ok:
			pl.added = append(pl.added, p)
		case !sessionSettings(o).Equal(sessionSettings(r)):
			pl.reset = append(pl.reset, p)
		case !o.Equal(r):
			pl.updated = append(pl.updated, p)
		default:
			pl.unchanged = append(pl.unchanged, p.Name)
		}
	}
	for _, p := range old.Peers {
		if !now[p.Name] {
			pl.removed = append(pl.removed, p.Name)
		}
	}
	oldProcs := map[string]config.Process{}
	for _, p := range old.Processes {
		oldProcs[p.Name] = p
	}
	names := map[string]bool{}
	for _, p := range cur.Processes {
		names[p.Name] = true
		o, ok := oldProcs[p.Name]
		switch {
		case !ok:
			pl.procsAdded = append(pl.procsAdded, p)
		case !reflect.DeepEqual(o, p):
			pl.procsRestarted = append(pl.procsRestarted, p)
		}
	}
	for _, p := range old.Processes {
		if !names[p.Name] {
			pl.procsRemoved = append(pl.procsRemoved, p.Name)
		}
	}
	return pl
}

// Reload re-reads Options.ConfigPath and applies it (Apply). A file
// that does not check changes nothing: the error (a syntax.ErrorList,
// one FILE:LINE:COL problem per line) is logged, reported as a
// "ze: reload failed: …" event and returned, and the running
// configuration is kept.
func (d *Daemon) Reload() (control.ReloadResult, error) {
	path := d.opt.ConfigPath
	res := control.ReloadResult{Config: path}
	if path == "" {
		return res, ErrNoConfigPath
	}
	cfg, err := config.Load(path)
	if err != nil {
		d.log.Error("reload failed: the running configuration is kept", "config", path, "err", err)
		d.event("reload failed: %s", strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; "))
		return res, err
	}
	res, err = d.Apply(cfg)
	res.Config = path
	return res, err
}

// Apply makes cfg the running configuration:
//
//   - peers added are started; peers removed are stopped with Cease /
//     Peer De-configured (RFC 4486 subcode 3), their routes withdrawn
//     from the other sessions at once and the router forgets them;
//   - peers whose session settings changed are stopped with Cease /
//     Other Configuration Change (subcode 6) and started again with the
//     new settings once the old session is gone;
//   - peers whose static routes, api block or description changed keep
//     their session: the static routes' difference is announced and
//     withdrawn (Router.SetStatic), events go to the new processes;
//   - unchanged sessions are not touched (same connection);
//   - processes added are started, removed ones stopped (their routes
//     withdrawn), changed ones restarted after the old one exited;
//   - the log level follows environment { log { level } } when
//     Options.LogLevel is set;
//   - a changed mrt block replaces the MRT recorder: the old one writes
//     what it queued and closes its files, the new one records the
//     sessions that are up from now on (their next UPDATE);
//   - without explicit listen addresses (Options.Listen), listeners
//     follow the peers' local addresses: new ones are opened (with the
//     TCP MD5 keys), those no longer wanted closed; when one cannot be
//     opened (in use, or overlapping a wildcard one) they stay as they
//     are and a note says so.
//
// The control socket and the log format stay as they are; the result's
// Notes say when the new configuration asks to change them (a restart
// applies them). A peer the session driver refuses
// fails the whole reload before anything changes. Errors:
// ErrNotRunning, a peer or process that cannot be built.
func (d *Daemon) Apply(cfg *config.Config) (control.ReloadResult, error) {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	var res control.ReloadResult
	if !d.running || d.stopping {
		return res, ErrNotRunning
	}
	curID := fallbackRouterID(cfg, d.addrs)
	pl := planReload(d.cfg, cfg, d.fallbackID, curID)

	// Build everything new first: an error leaves the daemon as it was.
	procByName := map[string]*api.Process{}
	for _, p := range d.procs {
		procByName[p.Name()] = p
	}
	newProcs := map[string]*api.Process{}
	for _, pc := range append(slices.Clone(pl.procsAdded), pl.procsRestarted...) {
		p, err := d.newProcess(pc)
		if err != nil {
			return res, err
		}
		newProcs[pc.Name] = p
	}
	for name, p := range newProcs {
		procByName[name] = p
	}
	for _, name := range pl.procsRemoved {
		delete(procByName, name)
	}
	oldID := d.fallbackID
	d.fallbackID = curID // newSession resolves router IDs with it
	byName := map[string]*session{}
	for _, s := range d.sessions {
		byName[s.cfg.Name] = s
	}
	fresh := map[string]*session{}
	for _, p := range append(slices.Clone(pl.added), pl.reset...) {
		s, err := d.newSession(p, procByName)
		if err != nil {
			d.fallbackID = oldID
			return res, err
		}
		fresh[p.Name] = s
	}
	mrtChanged := !reflect.DeepEqual(d.cfg.MRT, cfg.MRT)
	var rec *recorder.Recorder
	if mrtChanged {
		var err error
		if rec, err = d.newRecorder(cfg); err != nil {
			d.fallbackID = oldID
			return res, err
		}
	}
	softs := map[string]*softConfig{}
	for _, p := range cfg.Peers {
		if byName[p.Name] != nil && fresh[p.Name] == nil {
			sc, err := newSoft(p, procByName)
			if err != nil {
				d.fallbackID = oldID
				return res, err
			}
			softs[p.Name] = sc
		}
	}

	// Processes.
	var procs []*api.Process
	for _, pc := range cfg.Processes {
		procs = append(procs, procByName[pc.Name])
	}
	for _, name := range pl.procsRemoved {
		for _, p := range d.procs {
			if p.Name() == name {
				d.stopProc(p)
			}
		}
	}
	for _, pc := range pl.procsRestarted {
		for _, p := range d.procs {
			if p.Name() == pc.Name {
				d.startProc(newProcs[pc.Name], d.stopProc(p))
			}
		}
	}
	for _, pc := range pl.procsAdded {
		d.startProc(newProcs[pc.Name], nil)
	}
	d.procs = procs

	// Sessions.
	gone := map[netip.Addr]<-chan struct{}{} // remote ip → end of the session that had it
	for _, name := range pl.removed {
		s := byName[name]
		s.retire(wire.Notification{Code: wire.CodeCease, Subcode: wire.SubPeerDeconfigured}, true)
		gone[s.cfg.Remote.IP.Unmap()] = s.done
		d.event("peer %s removed", name)
		d.log.Info("peer removed", "peer", name)
	}
	for _, p := range pl.reset {
		s := byName[p.Name]
		s.retire(wire.Notification{Code: wire.CodeCease, Subcode: wire.SubOtherConfigChange}, false)
		gone[s.cfg.Remote.IP.Unmap()] = s.done
		d.setStatic(p)
		d.event("peer %s reset", p.Name)
		d.log.Info("peer reset: its session settings changed", "peer", p.Name)
	}
	for _, p := range pl.updated {
		d.setStatic(p)
		d.event("peer %s updated", p.Name)
		d.log.Info("peer updated in place", "peer", p.Name)
	}
	var sessions []*session
	byRemote := map[netip.Addr][]*session{}
	for _, p := range cfg.Peers {
		s := fresh[p.Name]
		if s == nil {
			s = byName[p.Name]
			s.soft.Store(softs[p.Name])
		} else {
			after := gone[p.Remote.IP.Unmap()]
			if old := byName[p.Name]; old != nil {
				after = old.done
			}
			d.startSession(s, after)
		}
		sessions = append(sessions, s)
		ip := p.Remote.IP.Unmap()
		byRemote[ip] = append(byRemote[ip], s)
	}
	for _, p := range pl.added {
		d.event("peer %s added", p.Name)
		d.log.Info("peer added", "peer", p.Name)
	}
	d.sessions, d.byRemote = sessions, byRemote
	if mrtChanged {
		d.reloadRecorder(rec)
		res.MRT = true
		d.event("mrt recording restarted")
		d.log.Info("mrt recording restarted: the mrt block changed")
	}
	var lnNote string
	res.ListenOpened, res.ListenClosed, lnNote = d.reloadListeners(cfg)
	res.Notes = d.notes(cfg)
	if lnNote != "" {
		res.Notes = append(res.Notes, lnNote)
	}
	res.Notes = append(res.Notes, d.reloadMD5(d.cfg, cfg)...)
	d.cfg = cfg
	if d.opt.LogLevel != nil {
		d.opt.LogLevel.Set(logLevel(cfg.Environment.Log.Level))
	}

	res.Added, res.Removed, res.Unchanged = names(pl.added), pl.removed, pl.unchanged
	res.Reset, res.Updated = names(pl.reset), names(pl.updated)
	res.ProcessesAdded, res.ProcessesRemoved = procNames(pl.procsAdded), pl.procsRemoved
	res.ProcessesRestarted = procNames(pl.procsRestarted)
	for _, n := range res.Notes {
		d.log.Warn("reload: " + n)
	}
	d.log.Info("configuration reloaded", "added", len(res.Added), "removed", len(res.Removed),
		"reset", len(res.Reset), "updated", len(res.Updated), "unchanged", len(res.Unchanged))
	d.event("reloaded: %d added, %d removed, %d reset, %d updated, %d unchanged",
		len(res.Added), len(res.Removed), len(res.Reset), len(res.Updated), len(res.Unchanged))
	return res, nil
}

// setStatic hands the router p's static routes (applied now when its
// session is up, else at its next Up).
func (d *Daemon) setStatic(p config.Peer) {
	if err := d.router.SetStatic(p.Name, p.Static); err != nil {
		d.log.Warn("static routes not applied", "peer", p.Name, "err", err)
	}
}

// notes lists what cfg changes that only a restart applies. Called with
// d.mu held.
func (d *Daemon) notes(cfg *config.Config) []string {
	var out []string
	if o, n := d.cfg.Environment.Control, cfg.Environment.Control; o != n {
		out = append(out, "control socket change needs a restart")
	}
	if o, n := d.cfg.Environment.Log.Format, cfg.Environment.Log.Format; o != n {
		out = append(out, fmt.Sprintf("log format %s kept (%s needs a restart)", o, n))
	}
	if d.opt.LogLevel == nil && d.cfg.Environment.Log.Level != cfg.Environment.Log.Level {
		out = append(out, "log level change needs a restart")
	}
	return out
}

// reloadMD5 updates the listeners' TCP MD5 keys (RFC 2385) for the
// peers whose remote ip or md5-password changed: keys of addresses no
// longer used are removed, then the new ones installed. Failures come
// back as notes (the sessions concerned will not come up). Called with
// d.mu held.
func (d *Daemon) reloadMD5(old, cur *config.Config) []string {
	had, want := map[netip.Addr]string{}, map[netip.Addr]string{}
	for _, p := range old.Peers {
		if p.MD5Password != "" {
			had[p.Remote.IP] = p.MD5Password
		}
	}
	for _, p := range cur.Peers {
		if p.MD5Password != "" {
			want[p.Remote.IP] = p.MD5Password
		}
	}
	var out []string
	set := func(ip netip.Addr, pwd string) {
		if err := d.setMD5(ip, pwd); err != nil {
			out = append(out, fmt.Sprintf("TCP MD5 key of %s: %v", ip, err))
		}
	}
	for ip := range had {
		if _, ok := want[ip]; !ok {
			set(ip, "")
		}
	}
	for ip, pwd := range want {
		if had[ip] != pwd {
			set(ip, pwd)
		}
	}
	return out
}

// logLevel maps environment { log { level } } onto slog.
func logLevel(s string) slog.Level {
	switch s {
	case "debug":
		return slog.LevelDebug
	case "warning":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

func names(ps []config.Peer) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

func procNames(ps []config.Process) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}
