package daemon

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ze-bgp/ze/speaker/control"
	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/wire"
)

// clearReason is the RFC 9003 communication of a hard clear.
const clearReason = "cleared by the operator (ze cli)"

// Clear implements control.Backend ("clear neighbor"):
//
//   - control.ClearHard: Cease / Administrative Reset (RFC 4486 §4) with
//     an RFC 9003 communication, and the peer starts again at once (also
//     one stopped by a maximum-prefix teardown);
//   - control.ClearSoftIn: a ROUTE-REFRESH for each negotiated family
//     (RFC 2918 §3), when the peer negotiated route refresh;
//   - control.ClearSoftOut: the Adj-RIB-Out of each negotiated family
//     sent again, as for a received ROUTE-REFRESH (between BoRR and
//     EoRR with enhanced route refresh, RFC 7313 §4);
//   - control.ClearSoft: both.
//
// The soft modes need an established session.
func (b backend) Clear(name string, mode control.ClearMode) (string, error) {
	d := b.d
	var s *session
	for _, x := range d.snapshot() {
		if x.cfg.Name == name {
			s = x
		}
	}
	if s == nil {
		return "", errors.New("the peer is gone")
	}
	st := s.drv.State()
	if mode == control.ClearHard {
		n := d.reset(func(x *session) bool { return x.cfg.Name == name }, wire.SubAdministrativeReset, clearReason, "ze cli")
		switch {
		case n == 0:
			return "", errors.New("no session to reset (the daemon is stopping, or the peer is gone)")
		case st == fsm.Established:
			return "reset (Cease/Administrative Reset sent), starting again", nil
		}
		return fmt.Sprintf("started again (it was %s)", st), nil
	}
	if st != fsm.Established {
		return "", fmt.Errorf("not established (%s)", st)
	}
	s.mu.Lock()
	fams, refresh := s.families, slices.Contains(s.caps, "route-refresh")
	s.mu.Unlock()
	var done []string
	if mode.In() {
		if !refresh {
			return "", errors.New("route refresh was not negotiated (RFC 2918): only a hard reset gets its routes again")
		}
		for _, f := range fams {
			if err := s.Send(wire.AppendRouteRefresh(nil, wire.RouteRefresh{Family: f})); err != nil {
				return "", fmt.Errorf("route refresh for %s not sent: %w", f, err)
			}
		}
		done = append(done, "route refresh sent")
	}
	if mode.Out() {
		for _, f := range fams {
			if err := d.router.Refresh(s, wire.RouteRefresh{Family: f}); err != nil {
				return "", fmt.Errorf("Adj-RIB-Out for %s not sent: %w", f, err)
			}
		}
		done = append(done, "Adj-RIB-Out sent again")
	}
	d.log.Info("peer cleared", "peer", name, "mode", mode.String(), "families", fmt.Sprint(fams))
	return fmt.Sprintf("%s (%s)", strings.Join(done, ", "), familyList(fams)), nil
}

// familyList writes families as "ipv4/unicast ipv6/unicast".
func familyList(fs []wire.Family) string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return strings.Join(out, " ")
}
