package daemon

import (
	"strings"

	"github.com/ze-bgp/ze/speaker/api"
	"github.com/ze-bgp/ze/speaker/control"
	"github.com/ze-bgp/ze/speaker/wire"
)

// apiHelp is the answer to the API's "help": the commands docs/api.md
// lists, one per line.
const apiHelp = `announce route PREFIX next-hop IP|self [ATTRIBUTES]
withdraw route PREFIX [ATTRIBUTES]
announce attributes ATTRIBUTES nlri PREFIX…
withdraw attributes [ATTRIBUTES] nlri PREFIX…
announce eor [AFI SAFI]
announce route-refresh AFI SAFI
announce watchdog NAME / withdraw watchdog NAME
flush adj-rib out
show neighbor [summary|extensive|configuration] [IP]
show adj-rib in|out [extensive] [AFI SAFI]
teardown [SUBCODE [REASON…]]
shutdown, reload, restart, version, help
enable-ack, disable-ack, silence-ack
neighbor IP [local-ip IP] [local-as ASN] [peer-as ASN] [router-id ID] [family-allowed F] COMMAND`

// daemonCommand runs the API commands the daemon answers itself (not
// the router): it reports whether cmd was one of them.
func (h apiHandler) daemonCommand(p *api.Process, cmd api.Command) (bool, error) {
	d := h.d
	switch cmd.Kind {
	case api.KindVersion:
		v := d.opt.Version
		if v == "" {
			v = "dev"
		}
		reply(p, "ze "+v)
	case api.KindHelp:
		for _, l := range strings.Split(apiHelp, "\n") {
			reply(p, l)
		}
	case api.KindShutdown:
		d.requestStop()
	case api.KindShowNeighbor:
		return true, h.showNeighbor(p, cmd)
	case api.KindShowAdjRIB:
		return true, h.showAdjRIB(p, cmd)
	case api.KindTeardown:
		if n := d.teardown(cmd); n == 0 {
			return true, &api.Error{Msg: "no configured peer matches"}
		}
	case api.KindClearAdjRIB:
		return true, &api.Error{Msg: cmd.Kind.String() + " is not supported by ze"}
	default:
		return false, nil
	}
	return true, nil
}

// reply writes text to the process, line by line (p is nil in tests).
func reply(p *api.Process, text string) {
	if p == nil {
		return
	}
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		p.Reply(l)
	}
}

// showNeighbor answers "show neighbor …" with the control socket's text
// (docs/cli.md): the summary, or each selected peer in detail.
func (h apiHandler) showNeighbor(p *api.Process, cmd api.Command) error {
	if cmd.Detail == "summary" || (cmd.Detail == "" && !cmd.Peer.IsValid() && len(cmd.Neighbors) == 0) {
		out, err := control.Execute(backend{h.d}, "show neighbor summary")
		if err != nil {
			return &api.Error{Msg: err.Error()}
		}
		reply(p, string(out))
		return nil
	}
	n := 0
	for _, s := range h.d.snapshot() {
		if !h.selects(s, cmd) {
			continue
		}
		out, err := control.Execute(backend{h.d}, "show neighbor "+s.cfg.Name)
		if err != nil {
			return &api.Error{Msg: err.Error()}
		}
		reply(p, string(out))
		n++
	}
	if n == 0 {
		return &api.Error{Msg: "no configured peer matches"}
	}
	return nil
}

// showAdjRIB answers "show adj-rib in|out [AFI SAFI]" with the control
// socket's route text for each selected peer.
func (h apiHandler) showAdjRIB(p *api.Process, cmd api.Command) error {
	table := "show adj-rib-in "
	if cmd.Direction == "out" {
		table = "show adj-rib-out "
	}
	fam := ""
	if cmd.Family != (wire.Family{}) {
		fam = " " + cmd.Family.String()
	}
	for _, s := range h.d.snapshot() {
		if !h.selects(s, cmd) {
			continue
		}
		out, err := control.Execute(backend{h.d}, table+s.cfg.Name+fam)
		if err != nil {
			return &api.Error{Msg: err.Error()}
		}
		reply(p, string(out))
	}
	return nil
}

// selects reports whether s is selected by cmd's neighbor selectors and
// its "show neighbor IP" address.
func (h apiHandler) selects(s *session, cmd api.Command) bool {
	if cmd.Peer.IsValid() && cmd.Peer.Unmap() != s.cfg.Remote.IP.Unmap() {
		return false
	}
	return cmd.Match(s.neighbor())
}

// teardown closes the sessions cmd selects with Cease / cmd.Subcode and
// its RFC 9003 reason, and starts each peer afresh (it reconnects as
// configured), as ExaBGP's teardown does. It returns how many peers it
// reset.
func (d *Daemon) teardown(cmd api.Command) int {
	return d.reset(func(s *session) bool { return cmd.Match(s.neighbor()) }, cmd.Subcode, cmd.Reason, "the API")
}

// reset closes the sessions match selects with Cease / subcode and the
// RFC 9003 reason (when not ""), and starts each peer afresh: a new
// driver that connects as configured, also for a peer that had stopped
// (maximum-prefix teardown). by names who asked, for the log. It
// returns how many peers it reset.
func (d *Daemon) reset(match func(*session) bool, subcode uint8, reason, by string) int {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.running || d.stopping {
		return 0
	}
	procs := map[string]*api.Process{}
	for _, p := range d.procs {
		procs[p.Name()] = p
	}
	n := 0
	for i, s := range d.sessions {
		if !match(s) {
			continue
		}
		fresh, err := d.newSession(s.cfg, procs)
		if err != nil {
			d.log.Error("reset: cannot restart the peer", "peer", s.cfg.Name, "err", err)
			continue
		}
		fresh.soft.Store(s.soft.Load())
		note := wire.Notification{Code: wire.CodeCease, Subcode: subcode}
		if reason != "" {
			note.Data = wire.AppendCommunication(nil, reason)
		}
		s.retire(note, false)
		d.startSession(fresh, s.done)
		d.sessions[i] = fresh
		ip := s.cfg.Remote.IP.Unmap()
		for j, o := range d.byRemote[ip] {
			if o == s {
				d.byRemote[ip][j] = fresh
			}
		}
		d.event("peer %s torn down (Cease/%d)", s.cfg.Name, subcode)
		d.log.Info("peer torn down", "peer", s.cfg.Name, "by", by, "subcode", subcode, "reason", reason)
		n++
	}
	return n
}

// requestStop asks Run to stop as a signal would (the API's shutdown).
func (d *Daemon) requestStop() {
	d.stopOnce.Do(func() { close(d.stopReq) })
}
