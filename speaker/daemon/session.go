package daemon

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ze-bgp/ze/speaker/api"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/peer"
	"github.com/ze-bgp/ze/speaker/router"
	"github.com/ze-bgp/ze/speaker/wire"
)

// peerConfig maps one configured peer onto the session driver's
// configuration. routerID is used when the peer names none.
func peerConfig(p *config.Peer, routerID netip.Addr) (peer.Config, error) {
	id := p.RouterID
	if !id.IsValid() {
		id = routerID
	}
	if !id.IsValid() || !id.Is4() {
		return peer.Config{}, fmt.Errorf("peer %s: no router-id (set router-id, or an IPv4 local-address)", p.Name)
	}
	c := peer.Config{
		Name:        p.Name,
		LocalASN:    p.LocalAS,
		RouterID:    id,
		PeerASN:     p.Remote.AS,
		Remote:      netip.AddrPortFrom(p.Remote.IP, p.Remote.Port),
		Local:       p.LocalAddr,
		HoldTime:    p.HoldTime,
		NoHoldTime:  p.HoldTime == 0,
		TTL:         p.Multihop,
		GTSM:        p.TTLSecurity,
		MD5Password: p.MD5Password,
		Families:    append([]wire.Family(nil), p.Families...),
		Capabilities: peer.Capabilities{
			ASN4:            p.Capability.ASN4,
			RouteRefresh:    p.Capability.RouteRefresh,
			ExtendedMessage: p.Capability.ExtendedMessage,
			GracefulRestart: p.Capability.GracefulRestart,
		},
	}
	if p.Passive {
		c.Mode = fsm.ModePassive
	}
	var mode capability.AddPathMode
	switch p.Capability.AddPath {
	case "send":
		mode = capability.AddPathSend
	case "receive":
		mode = capability.AddPathReceive
	case "send/receive":
		mode = capability.AddPathBoth
	}
	if mode != 0 {
		for _, f := range p.Families {
			c.Capabilities.AddPath = append(c.Capabilities.AddPath, capability.AddPathFamily{Family: f, Mode: mode})
		}
	}
	for _, f := range p.Families {
		l := p.PrefixLimit(f)
		if l.Limit == 0 {
			continue
		}
		mp := peer.MaxPrefix{Limit: l.Limit, Action: peer.MaxPrefixTeardown}
		switch l.Action {
		case config.ActionWarningOnly:
			mp.Action = peer.MaxPrefixWarning
		case config.ActionRestart:
			mp.Action, mp.RestartAfter = peer.MaxPrefixRestart, time.Duration(l.RestartAfter)*time.Second
		}
		if c.MaxPrefix == nil {
			c.MaxPrefix = make(map[wire.Family]peer.MaxPrefix, len(p.Families))
		}
		c.MaxPrefix[f] = mp
	}
	return c, nil
}

// session is one configured peer: its driver, and the adapter that is
// both the driver's peer.Handler and the router's router.Session. A
// reload that changes the peer's session settings replaces the whole
// session; one that changes only what soft holds updates it in place.
type session struct {
	d   *Daemon
	cfg config.Peer // read-only after New (its router-id resolved); soft holds the current api and description
	drv *peer.Session
	// soft are the settings a reload changes without a reset.
	soft atomic.Pointer[softConfig]
	// done is closed when the driver's Run has returned.
	done chan struct{}
	// resyncing is set while a goroutine waits to resync the session
	// with the router after a full outgoing queue (stall.go).
	resyncing atomic.Bool

	// upMu orders Established's router.Up with retire: a retired
	// session never comes up in the router again.
	upMu    sync.Mutex
	retired bool

	mu       sync.Mutex
	local    netip.Addr // ze's address of the last connection seen (accepted, or established)
	sendCtx  wire.Context
	families []wire.Family
	counter  int // API events sent (ExaBGP's per-neighbor counter)
	caps     []string
	hold     time.Duration
	changed  time.Time // last Established or Down
	lastDown string
}

// softConfig is what of a peer's configuration a reload applies in
// place: the api block (with the processes it names), the description
// and the group. Static routes live in the router (Router.SetStatic).
type softConfig struct {
	api         config.API
	procs       []*api.Process
	description string
	group       string
}

// newSoft returns the soft settings of p, the processes it names taken
// from procs.
func newSoft(p config.Peer, procs map[string]*api.Process) (*softConfig, error) {
	sc := &softConfig{api: p.API, description: p.Description, group: p.Group}
	for _, name := range p.API.Processes {
		proc, ok := procs[name]
		if !ok {
			return nil, fmt.Errorf("peer %s: api names process %q, which is not configured", p.Name, name)
		}
		sc.procs = append(sc.procs, proc)
	}
	return sc, nil
}

// retire takes the session out of the router (remove: the peer left
// the configuration, and the router forgets it) and stops its driver
// with n. Its routes are withdrawn from the other sessions at once, not
// when the connection closes.
func (s *session) retire(n wire.Notification, remove bool) {
	s.upMu.Lock()
	s.retired = true
	if remove {
		s.d.router.Remove(s.cfg.Name)
	} else {
		s.d.router.Down(s)
	}
	s.upMu.Unlock()
	s.drv.StopNotify(n)
}

// Config implements router.Session.
func (s *session) Config() *config.Peer { return &s.cfg }

// LocalAddr implements router.Session (next-hop self, the API's
// "local" address). In order of preference:
//
//  1. the configured local-address: the operator's choice, and the
//     address the driver binds when it dials (peer.Config.Local);
//  2. ze's address of the established connection (peer.Session.LocalAddr),
//     whichever side opened it;
//  3. the last one known (remembered by accept and Established), so that
//     a "down" event still names it; zero before any connection.
func (s *session) LocalAddr() netip.Addr {
	if s.cfg.LocalAddr.IsValid() {
		return s.cfg.LocalAddr
	}
	if a := s.drv.LocalAddr(); a.IsValid() {
		return a
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.local
}

// SendContext implements router.Session.
func (s *session) SendContext() wire.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sendCtx
}

// Families implements router.Session: the families both OPENs listed.
func (s *session) Families() []wire.Family {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.families
}

// Send implements router.Session.
func (s *session) Send(msg []byte) error { return s.drv.Send(msg) }

// accept hands an accepted connection to the driver, remembering its
// local address for next-hop self.
func (s *session) accept(nc net.Conn) error {
	if ap, err := netip.ParseAddrPort(nc.LocalAddr().String()); err == nil {
		s.mu.Lock()
		s.local = ap.Addr().Unmap()
		s.mu.Unlock()
	}
	return s.drv.Accept(nc)
}

// Established implements peer.Handler.
func (s *session) Established(_ *peer.Session, recv, send wire.Context, remote capability.Speaker) {
	fams := capability.CommonFamilies(capability.Set{Families: s.cfg.Families}, remote.Caps)
	local := s.drv.LocalAddr()
	caps := negotiated(&s.cfg, fams, recv, send, remote)
	hold := s.drv.HoldTime()
	s.mu.Lock()
	if local.IsValid() {
		s.local = local
	}
	s.sendCtx = send
	s.families = fams
	s.caps, s.hold, s.changed = caps, hold, time.Now()
	s.mu.Unlock()
	var gr router.Restart // RFC 4724 / RFC 9494 capabilities of the peer's OPEN
	if o, err := message.ParseOpen(s.drv.PeerOpen()); err == nil {
		gr = router.RestartOf(o)
	}
	s.upMu.Lock()
	if s.retired {
		s.upMu.Unlock()
		return
	}
	s.d.router.UpRestart(s, recv, remote, gr)
	s.upMu.Unlock()
	s.recordUp(recv)
	s.d.event("peer %s established", s.cfg.Name)
	s.d.log.Info("peer established", "peer", s.cfg.Name, "remote-as", remote.ASN, "remote-id", remote.RouterID, "families", fmt.Sprint(fams))
	if s.soft.Load().api.Receive.State {
		s.state(api.StateUp, "")
	}
}

// negotiated describes the capabilities in use on an established
// session, from our configuration, the peer's OPEN and the contexts
// capability.Negotiate built.
func negotiated(cfg *config.Peer, fams []wire.Family, recv, send wire.Context, remote capability.Speaker) []string {
	var out []string
	if send.ASN4 {
		out = append(out, "asn4")
	}
	if cfg.Capability.RouteRefresh && remote.Caps.RouteRefresh {
		out = append(out, "route-refresh")
	}
	if send.ExtendedMessage {
		out = append(out, "extended-message")
	}
	if cfg.Capability.GracefulRestart > 0 && remote.Caps.GracefulRestart {
		out = append(out, "graceful-restart")
	}
	for _, f := range fams {
		switch tx, rx := send.AddPath(f), recv.AddPath(f); {
		case tx && rx:
			out = append(out, "add-path "+f.String()+" send/receive")
		case tx:
			out = append(out, "add-path "+f.String()+" send")
		case rx:
			out = append(out, "add-path "+f.String()+" receive")
		}
		if send.ExtNextHop(f) || recv.ExtNextHop(f) {
			out = append(out, "extended-next-hop "+f.String())
		}
	}
	return out
}

// Update implements peer.Handler.
func (s *session) Update(_ *peer.Session, u message.Update, verdict error) {
	s.recordUpdate(u.Raw)
	if err := s.d.router.Update(s, u, verdict); err != nil {
		s.d.log.Warn("update not applied", "peer", s.cfg.Name, "err", err)
	}
	if f, ok := u.EndOfRIB(); ok {
		s.d.event("peer %s end-of-rib %s", s.cfg.Name, f)
	}
	if sc := s.soft.Load(); sc.api.Receive.Update && len(sc.procs) > 0 {
		recv, _, _ := s.drv.Contexts()
		s.message(u.Raw, recv, api.Receive)
	}
}

// RouteRefresh implements peer.Handler.
func (s *session) RouteRefresh(_ *peer.Session, rr wire.RouteRefresh) {
	if err := s.d.router.Refresh(s, rr); err != nil {
		s.d.log.Warn("route refresh not served", "peer", s.cfg.Name, "err", err)
	}
}

// Down implements peer.Handler. An end that allows graceful restart
// (peer.DownError.Graceful: RFC 4724 §4.2, RFC 8538 §4) has the router
// keep the peer's routes as stale until it is back, when both sides
// advertised the capability.
func (s *session) Down(_ *peer.Session, reason error) {
	var de *peer.DownError
	kept := false
	if errors.As(reason, &de) && de.Graceful {
		kept = s.d.router.DownGraceful(s)
	} else {
		s.d.router.Down(s)
	}
	s.recordDown()
	text := "closed"
	if reason != nil {
		text = reason.Error()
	}
	if kept {
		text += " (graceful restart: routes kept)"
	}
	s.mu.Lock()
	s.changed, s.lastDown, s.hold, s.caps = time.Now(), text, 0, nil
	s.mu.Unlock()
	s.d.event("peer %s down: %s", s.cfg.Name, text)
	s.d.log.Info("peer down", "peer", s.cfg.Name, "reason", text)
	if s.soft.Load().api.Receive.State {
		s.state(api.StateDown, text)
	}
}

// neighbor describes the session to API events.
func (s *session) neighbor() api.Neighbor {
	return api.Neighbor{
		LocalAddress: s.LocalAddr(),
		PeerAddress:  s.cfg.Remote.IP,
		LocalAS:      s.cfg.LocalAS,
		PeerAS:       s.cfg.Remote.AS,
		RouterID:     s.drv.Config().RouterID,
	}
}

func (s *session) next() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counter++
	return s.counter
}

// state sends a state event to the peer's processes.
func (s *session) state(st api.State, reason string) {
	n, m := s.neighbor(), api.NowMeta(s.next())
	for _, p := range s.soft.Load().procs {
		p.Send(api.AppendState(nil, p.Encoder(), n, st, reason, m))
	}
}

// message sends a message event to the peer's processes.
func (s *session) message(msg []byte, ctx wire.Context, dir api.Direction) {
	n, m := s.neighbor(), api.NowMeta(s.next())
	for _, p := range s.soft.Load().procs {
		ev, err := api.AppendMessage(nil, p.Encoder(), msg, ctx, n, dir, m)
		if err != nil {
			s.d.log.Warn("api event not encoded", "peer", s.cfg.Name, "process", p.Name(), "err", err)
			continue
		}
		p.Send(ev)
	}
}

// errUnknownPeer is returned for a connection from no configured peer.
var errUnknownPeer = errors.New("daemon: connection from an address that is no configured peer")
