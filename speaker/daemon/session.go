package daemon

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/ze-bgp/ze/speaker/api"
	"github.com/ze-bgp/ze/speaker/capability"
	"github.com/ze-bgp/ze/speaker/config"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/peer"
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
	if p.MaximumPrefix > 0 {
		c.MaxPrefix = make(map[wire.Family]peer.MaxPrefix, len(p.Families))
		for _, f := range p.Families {
			c.MaxPrefix[f] = peer.MaxPrefix{Limit: p.MaximumPrefix, Action: peer.MaxPrefixTeardown}
		}
	}
	return c, nil
}

// session is one configured peer: its driver, and the adapter that is
// both the driver's peer.Handler and the router's router.Session.
type session struct {
	d   *Daemon
	cfg config.Peer // read-only after New
	drv *peer.Session
	// procs are the API processes following this peer.
	procs []*api.Process

	mu       sync.Mutex
	local    netip.Addr // ze's address of the last connection seen (accepted, or established)
	sendCtx  wire.Context
	families []wire.Family
	counter  int // API events sent (ExaBGP's per-neighbor counter)
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
	s.mu.Lock()
	if local.IsValid() {
		s.local = local
	}
	s.sendCtx = send
	s.families = fams
	s.mu.Unlock()
	s.d.router.Up(s, recv, remote)
	s.d.event("peer %s established", s.cfg.Name)
	s.d.log.Info("peer established", "peer", s.cfg.Name, "remote-as", remote.ASN, "remote-id", remote.RouterID, "families", fmt.Sprint(fams))
	if s.cfg.API.Receive.State {
		s.state(api.StateUp, "")
	}
}

// Update implements peer.Handler.
func (s *session) Update(_ *peer.Session, u message.Update, verdict error) {
	if err := s.d.router.Update(s, u, verdict); err != nil {
		s.d.log.Warn("update not applied", "peer", s.cfg.Name, "err", err)
	}
	if f, ok := u.EndOfRIB(); ok {
		s.d.event("peer %s end-of-rib %s", s.cfg.Name, f)
	}
	if s.cfg.API.Receive.Update && len(s.procs) > 0 {
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

// Down implements peer.Handler.
func (s *session) Down(_ *peer.Session, reason error) {
	s.d.router.Down(s)
	text := "closed"
	if reason != nil {
		text = reason.Error()
	}
	s.d.event("peer %s down: %s", s.cfg.Name, text)
	s.d.log.Info("peer down", "peer", s.cfg.Name, "reason", text)
	if s.cfg.API.Receive.State {
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
	for _, p := range s.procs {
		p.Send(api.AppendState(nil, p.Encoder(), n, st, reason, m))
	}
}

// message sends a message event to the peer's processes.
func (s *session) message(msg []byte, ctx wire.Context, dir api.Direction) {
	n, m := s.neighbor(), api.NowMeta(s.next())
	for _, p := range s.procs {
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
