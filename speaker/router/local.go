package router

import (
	"context"
	"errors"

	"github.com/ze-bgp/ze/speaker/api"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/rib"
	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Originate announces routes as paths of the local pseudo-peer from
// ("static", "api:NAME"): they enter the Loc-RIB and every session is
// sent its export of them (see the package doc). A route announced again
// by the same from replaces the earlier one. Errors: a route that cannot
// be encoded (route.AppendUpdates' *route.Error); nothing is applied
// then.
func (r *Router) Originate(from string, routes []route.Route) error {
	return r.local(from, routes, false)
}

// Withdraw withdraws routes that from announced with Originate (only
// Family, Prefix and PathID are read).
func (r *Router) Withdraw(from string, routes []route.Route) error {
	return r.local(from, routes, true)
}

func (r *Router) local(from string, routes []route.Route, withdraw bool) error {
	msgs, err := localUpdates(routes, withdraw)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	src := r.locals[from]
	if src == nil {
		id := r.loc.AddPeer(rib.Peer{RouterID: addrID(r.opt.RouterID)})
		src = &source{id: id, in: rib.NewAdjIn(r.pool, localCtx), local: true, name: from}
		r.locals[from] = src
		r.setSource(src)
	}
	return r.eachUpdate(msgs, func(u message.Update) error {
		cs, err := src.in.Apply(r.cs[:0], u, nil)
		r.cs = cs
		if err == nil && len(cs) > 0 {
			r.propagate(src, cs, nil)
		}
		return err
	})
}

// localUpdates encodes routes (as withdrawals when withdraw) as UPDATEs
// in localCtx.
func localUpdates(routes []route.Route, withdraw bool) ([]byte, error) {
	if withdraw {
		w := make([]route.Route, len(routes))
		for i, rt := range routes {
			w[i] = route.Route{Withdraw: true, Family: rt.Family, Prefix: rt.Prefix, PathID: rt.PathID}
		}
		routes = w
	}
	return route.AppendUpdates(nil, routes, localCtx)
}

// eachUpdate calls fn for each UPDATE of msgs (whole messages back to
// back), stopping at the first error.
func (r *Router) eachUpdate(msgs []byte, fn func(u message.Update) error) error {
	for len(msgs) >= wire.HeaderLen {
		n := int(msgs[16])<<8 | int(msgs[17])
		if n < wire.HeaderLen || n > len(msgs) {
			return errors.New("router: bad UPDATE built for local routes")
		}
		if err := r.one.Parse(msgs[:n]); err != nil {
			return err
		}
		if err := fn(r.one); err != nil {
			return err
		}
		msgs = msgs[n:]
	}
	return nil
}

// applyOverride puts routes in p's override table (routes for p only)
// and, when p is up and send is true, sends what changes (without send
// the changes are only recorded: the caller sends p its table next).
func (r *Router) applyOverride(p *peer, routes []route.Route, withdraw, send bool) error {
	msgs, err := localUpdates(routes, withdraw)
	if err != nil {
		return err
	}
	return r.eachUpdate(msgs, func(u message.Update) error {
		cs, err := p.override.Apply(r.cs[:0], u, nil)
		r.cs = cs
		if err != nil || !send || p.s == nil {
			return err
		}
		p.pending = p.pending[:0]
		for _, c := range cs {
			r.setOverride(p, c.Family, c.Prefix)
		}
		r.flush(p)
		return nil
	})
}

// Announce sends routes to the sessions of the peers named (override
// routes: see the package doc), replacing those peers' Loc-RIB path for
// each prefix, or withdraws them (withdraw). The routes are kept for
// the peers' later sessions.
func (r *Router) Announce(peers []string, routes []route.Route, withdraw bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, name := range peers {
		p := r.peers[name]
		if p == nil {
			return errors.New("router: unknown peer " + name)
		}
		if err := r.applyOverride(p, routes, withdraw, true); err != nil {
			return err
		}
	}
	return nil
}

// neighbor describes p's session to API selectors.
func (p *peer) neighbor() api.Neighbor {
	n := api.Neighbor{PeerAddress: p.cfg.Remote.IP, LocalAS: p.cfg.LocalAS, PeerAS: p.cfg.Remote.AS, RouterID: p.cfg.RouterID}
	if p.s != nil {
		n.LocalAddress = p.s.LocalAddr()
	}
	return n
}

// Handle runs an API command (api.Handler):
//
//   - announce / withdraw without neighbor selectors: Originate /
//     Withdraw as the pseudo-peer "api:NAME" (NAME: the process);
//   - with selectors or "next-hop self": override routes of each
//     matching peer ("next-hop self" needs the session up: its local
//     address);
//   - eor: End-of-RIB for the family to each matching session;
//   - route-refresh: a ROUTE-REFRESH for the family to each matching
//     session (RFC 2918 §3);
//   - flush adj-rib out: every matching session's Adj-RIB-Out sent
//     again.
//
// Other commands are an *api.Error. A command with selectors that match
// no peer is an *api.Error.
func (r *Router) Handle(_ context.Context, proc *api.Process, cmd api.Command) error {
	from := "api"
	if proc != nil {
		from = "api:" + proc.Name()
	}
	switch cmd.Kind {
	case api.KindAnnounce, api.KindWithdraw:
		withdraw := cmd.Kind == api.KindWithdraw
		if len(cmd.Neighbors) == 0 && !cmd.NextHopSelf {
			return r.local(from, cmd.Routes, withdraw)
		}
		return r.targeted(&cmd, withdraw)
	case api.KindEOR, api.KindRouteRefresh, api.KindFlushAdjRIBOut:
	default:
		return &api.Error{Msg: cmd.Kind.String() + " is not handled by the router"}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	matched := false
	for _, p := range r.up {
		if !cmd.Match(p.neighbor()) {
			continue
		}
		matched = true
		switch cmd.Kind {
		case api.KindEOR:
			p.sendEoR(cmd.Family)
		case api.KindRouteRefresh:
			p.send(wire.AppendRouteRefresh(nil, wire.RouteRefresh{Family: cmd.Family}))
		case api.KindFlushAdjRIBOut:
			for _, f := range p.fams {
				r.resend(p, f)
			}
		}
	}
	if !matched {
		return &api.Error{Msg: "no established session matches"}
	}
	return nil
}

// targeted applies an announce/withdraw with selectors as override
// routes of the matching peers.
func (r *Router) targeted(cmd *api.Command, withdraw bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	matched := false
	for _, p := range r.peers {
		if p.cfg == nil || !cmd.Match(p.neighbor()) {
			continue
		}
		routes := cmd.Routes
		if cmd.NextHopSelf && !withdraw {
			if p.s == nil {
				continue
			}
			routes = cmd.Resolve(p.s.LocalAddr())
		}
		matched = true
		if err := r.applyOverride(p, routes, withdraw, true); err != nil {
			return &api.Error{Msg: err.Error()}
		}
	}
	if !matched {
		return &api.Error{Msg: "no session matches"}
	}
	return nil
}

// Exited withdraws what an exited process announced (api.ExitHandler).
func (r *Router) Exited(proc *api.Process, _ error, withdraw []api.Announcement) {
	for _, a := range withdraw {
		cmd := api.Command{Kind: api.KindWithdraw, Neighbors: a.Neighbors, Routes: []route.Route{a.Route}, NextHopSelf: a.NextHopSelf}
		_ = r.Handle(context.Background(), proc, cmd)
	}
}
