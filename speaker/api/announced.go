package api

import (
	"fmt"
	"net/netip"

	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Announcement is a route a process announced, with the neighbors it
// was announced to (empty: every session).
type Announcement struct {
	Neighbors   []Selector
	Route       route.Route
	NextHopSelf bool // Route.NextHop is zero, "next-hop self" was asked
}

// announceKey identifies an announcement: the selection and the NLRI. A
// withdrawal removes the announcement only when it names the same
// neighbors.
type announceKey struct {
	neighbors string
	family    wire.Family
	prefix    netip.Prefix
	pathID    uint32
}

func keyOf(sel string, r *route.Route) announceKey {
	return announceKey{sel, r.Family, r.Prefix.Masked(), r.PathID}
}

// record notes the routes of a command that succeeded.
func (p *Process) record(c *Command) {
	if c.Kind != KindAnnounce && c.Kind != KindWithdraw {
		return
	}
	sel := ""
	if len(c.Neighbors) > 0 {
		sel = fmt.Sprint(c.Neighbors)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range c.Routes {
		r := &c.Routes[i]
		k := keyOf(sel, r)
		if c.Kind == KindWithdraw {
			delete(p.announced, k)
			continue
		}
		p.announced[k] = Announcement{Neighbors: c.Neighbors, Route: *r, NextHopSelf: c.NextHopSelf}
	}
}

// Announced returns the routes the running program announced and did
// not withdraw (only recorded with Config.WithdrawOnExit), in no
// particular order.
func (p *Process) Announced() []Announcement {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Announcement, 0, len(p.announced))
	for _, a := range p.announced {
		out = append(out, a)
	}
	return out
}

// exited hands the program's routes, as withdrawals, to the handler and
// forgets them.
func (p *Process) exited(err error) {
	var withdraw []Announcement
	if p.cfg.WithdrawOnExit {
		withdraw = p.Announced()
		for i := range withdraw {
			withdraw[i].Route.Withdraw = true
		}
		p.mu.Lock()
		clear(p.announced)
		p.mu.Unlock()
	}
	p.log.Info("process exited", "err", exitText(err), "withdraw", len(withdraw))
	if x, ok := p.h.(ExitHandler); ok {
		x.Exited(p, err, withdraw)
	}
}
