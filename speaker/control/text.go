package control

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ze-bgp/ze/speaker/fsm"
	"github.com/ze-bgp/ze/speaker/router"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Help is the answer to "help".
const Help = `Commands:
  show neighbor [summary]                  one line per peer: state, uptime, messages, prefixes
  show neighbor NAME|IP                    one peer in detail: capabilities, counters, routes
  show adj-rib-in NAME|IP [FILTER…]        the routes a peer sent (Adj-RIB-In)
  show adj-rib-out NAME|IP [FILTER…]       the routes ze sends a peer (Adj-RIB-Out)
  show rib [FILTER…]                       the Loc-RIB: every path, the best marked *
  show status                              peers, Loc-RIB size, API processes
  clear neighbor NAME|IP|all               reset: Cease/Administrative Reset, then reconnect
  clear neighbor NAME|IP|all soft [in|out] ask for its routes again (in), resend ours (out)
  reload                                   re-read the configuration and apply it
  help                                     this text
Filters: FAMILY (ipv4/unicast, "ipv6 unicast"…), PREFIX (exact match),
ADDRESS (longest match), longest, exact, limit N. Add "json" for JSON.
`

// duration writes an up/down time as routers do: 01:02:03 below a day,
// 2d03h04m below a week, 5w2d03h beyond.
func duration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case d < 0:
		return "00:00:00"
	case h < 24:
		return fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	case h < 24*7:
		return fmt.Sprintf("%dd%02dh%02dm", h/24, h%24, m)
	}
	return fmt.Sprintf("%dw%dd%02dh", h/(24*7), h/24%7, h%24)
}

func total(by map[string]uint64) uint64 {
	var n uint64
	for _, v := range by {
		n += v
	}
	return n
}

// prefixCounts returns the accepted and advertised routes of n, all
// families.
func prefixCounts(n *Neighbor) (accepted, advertised int) {
	for _, f := range n.Router.Stats.Families {
		accepted += f.Accepted
		advertised += f.Advertised
	}
	return accepted, advertised
}

// upDown is the Up/Down column: the time since the last change.
func upDown(n *Neighbor, now time.Time) string {
	if n.Changed.IsZero() {
		return "never"
	}
	return duration(now.Sub(n.Changed))
}

// appendSummary writes the neighbor summary table (the layout of FRR's
// "show bgp summary").
func appendSummary(b *strings.Builder, ns []Neighbor, now time.Time) {
	w := len("Neighbor")
	for i := range ns {
		w = max(w, len(ns[i].RemoteAddr.String()))
	}
	fmt.Fprintf(b, "%-*s  %10s  %9s  %9s  %-9s  %12s  %7s  %s\n", w, "Neighbor", "AS", "MsgRcvd", "MsgSent", "Up/Down", "State/PfxRcd", "PfxSnt", "Name")
	up := 0
	for i := range ns {
		n := &ns[i]
		state, sent := n.Session.State.String(), ""
		if n.Session.State == fsm.Established {
			up++
			acc, adv := prefixCounts(n)
			state, sent = fmt.Sprint(acc), fmt.Sprint(adv)
		}
		fmt.Fprintf(b, "%-*s  %10d  %9d  %9d  %-9s  %12s  %7s  %s\n", w, n.RemoteAddr, n.RemoteAS,
			total(n.Session.In), total(n.Session.Out), upDown(n, now), state, sent, n.Name)
	}
	fmt.Fprintf(b, "%d neighbors, %d established\n", len(ns), up)
}

// appendNeighbor writes one peer in detail.
func appendNeighbor(b *strings.Builder, n *Neighbor, now time.Time) {
	kind := n.Router.Kind
	if kind == "" {
		kind = "never up"
	}
	fmt.Fprintf(b, "Neighbor %s, remote %s port %d, AS %d, %s\n", n.Name, n.RemoteAddr, n.RemotePort, n.RemoteAS, kind)
	if n.Description != "" {
		fmt.Fprintf(b, "  Description: %s\n", n.Description)
	}
	if n.Group != "" {
		fmt.Fprintf(b, "  Group: %s\n", n.Group)
	}
	local := "any"
	if n.LocalAddr.IsValid() {
		local = n.LocalAddr.String()
	}
	fmt.Fprintf(b, "  Local: AS %d, address %s, router ID %s\n", n.LocalAS, local, n.RouterID)
	st := n.Session
	switch {
	case st.State == fsm.Established:
		fmt.Fprintf(b, "  State: Established for %s (since %s)\n", duration(st.Uptime), st.Established.UTC().Format(time.RFC3339))
		fmt.Fprintf(b, "  Remote router ID: %s\n", n.Router.RemoteID)
		fmt.Fprintf(b, "  Hold time: %ds\n", int(n.HoldTime.Seconds()))
		fmt.Fprintf(b, "  Families: %s\n", familyText(n.Router.Families))
		fmt.Fprintf(b, "  Capabilities: %s\n", strings.Join(n.Capabilities, ", "))
	case n.Changed.IsZero():
		fmt.Fprintf(b, "  State: %s, never established\n", st.State)
	default:
		fmt.Fprintf(b, "  State: %s, down for %s\n", st.State, upDown(n, now))
	}
	if n.LastDown != "" {
		fmt.Fprintf(b, "  Last down: %s\n", n.LastDown)
	}
	if r := n.Router; r.Restarting || len(r.StaleFamilies) > 0 {
		state := "routes kept stale"
		if r.Restarting {
			state = "restarting, routes kept stale"
		}
		fmt.Fprintf(b, "  Graceful restart: %s for %s\n", state, strings.Join(families(r.StaleFamilies), " "))
	}
	fmt.Fprintf(b, "  %-16s %10s %10s\n", "Messages", "received", "sent")
	for _, t := range []string{"open", "update", "notification", "keepalive", "route-refresh"} {
		fmt.Fprintf(b, "    %-14s %10d %10d\n", t, st.In[typeKey(t)], st.Out[typeKey(t)])
	}
	fmt.Fprintf(b, "    %-14s %10d %10d\n", "total", total(st.In), total(st.Out))
	if len(n.Router.Stats.Families) > 0 {
		fmt.Fprintf(b, "  %-16s %10s %10s %10s\n", "Routes", "received", "accepted", "advertised")
		for _, f := range n.Router.Stats.Families {
			fmt.Fprintf(b, "    %-14s %10d %10d %10d\n", f.Family, f.Received, f.Accepted, f.Advertised)
		}
	}
	rs := n.Router.Stats
	fmt.Fprintf(b, "  Updates: received %d, sent %d (zero-copy %d), send failures %d, routes unsendable %d", rs.UpdatesReceived, rs.UpdatesSent, rs.UpdatesZeroCopy, rs.SendFailures, rs.RoutesUnsendable)
	if rs.Stalled {
		b.WriteString(", stalled")
	}
	b.WriteString("\n")
	fmt.Fprintf(b, "  Connections: attempts %d, failures %d, refused %d; RFC 7606 verdicts %d; maximum-prefix hits %d; send queue full %d\n",
		st.ConnectAttempts, st.ConnectFailures, st.Rejected, st.RFC7606, st.MaxPrefixHits, st.QueueFull)
}

// typeKey maps a message type name of the text to peer.Stats' keys
// (wire.Type names).
func typeKey(t string) string {
	switch t {
	case "open":
		return wire.TypeOpen.String()
	case "update":
		return wire.TypeUpdate.String()
	case "notification":
		return wire.TypeNotification.String()
	case "keepalive":
		return wire.TypeKeepalive.String()
	}
	return wire.TypeRouteRefresh.String()
}

func familyText(fs []wire.Family) string {
	if len(fs) == 0 {
		return "none"
	}
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.String()
	}
	return strings.Join(s, ", ")
}

// famOrder orders families as the RIB lists them.
func famOrder(f wire.Family) int { return int(f.AFI)<<8 | int(f.SAFI) }

// sortRoutes orders routes by family, prefix, best first, source, path
// identifier.
func sortRoutes(rs []router.Route) {
	slices.SortFunc(rs, func(a, b router.Route) int {
		return cmp.Or(
			cmp.Compare(famOrder(a.Family), famOrder(b.Family)),
			a.Prefix.Addr().Compare(b.Prefix.Addr()),
			cmp.Compare(a.Prefix.Bits(), b.Prefix.Bits()),
			-cmp.Compare(btoi(a.Best), btoi(b.Best)),
			strings.Compare(a.From, b.From),
			cmp.Compare(a.PathID, b.PathID),
		)
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// appendRoutes writes a route answer: a title, then per family its
// routes, one line each (birdc's "show route" idea):
//
//	PREFIX * [FROM] [path-id N] next-hop … ATTRIBUTES (WHY) stale rejected
//
// "*" marks the Loc-RIB's best path; WHY says what another path lost
// on. The routes are sorted in place.
func appendRoutes(b *strings.Builder, title string, rs []router.Route, more bool) {
	sortRoutes(rs)
	b.WriteString(title)
	b.WriteString("\n")
	w := 0
	for i := range rs {
		w = max(w, len(rs[i].Prefix.String()))
	}
	var fam wire.Family
	for i := range rs {
		rt := &rs[i]
		if i == 0 || rt.Family != fam {
			fam = rt.Family
			fmt.Fprintf(b, "%s:\n", fam)
		}
		fmt.Fprintf(b, "  %-*s", w, rt.Prefix)
		if rt.From != "" {
			mark := " "
			if rt.Best {
				mark = "*"
			}
			fmt.Fprintf(b, " %s [%s]", mark, rt.From)
		}
		if rt.PathID != 0 {
			fmt.Fprintf(b, " path-id %d", rt.PathID)
		}
		b.WriteString(" ")
		b.WriteString(attrText(rt))
		if rt.Why != "" {
			fmt.Fprintf(b, " (%s)", rt.Why)
		}
		if rt.Stale {
			b.WriteString(" stale")
		}
		if rt.Rejected {
			b.WriteString(" rejected")
		}
		b.WriteString("\n")
	}
	switch {
	case len(rs) == 0:
		b.WriteString("no routes\n")
	case more:
		fmt.Fprintf(b, "%d routes shown; more match (narrow with FAMILY or PREFIX, or raise limit N)\n", len(rs))
	case len(rs) == 1:
		b.WriteString("1 route\n")
	default:
		fmt.Fprintf(b, "%d routes\n", len(rs))
	}
}

// appendStatus writes the status dump: the summary, the Loc-RIB's size
// and the API processes.
func appendStatus(b *strings.Builder, st *Status, now time.Time) {
	fmt.Fprintf(b, "ze status at %s", now.UTC().Format(time.RFC3339))
	if !st.Started.IsZero() {
		fmt.Fprintf(b, ", up %s", duration(now.Sub(st.Started)))
	}
	if st.Config != "" {
		fmt.Fprintf(b, ", configuration %s", st.Config)
	}
	b.WriteString("\n")
	appendSummary(b, st.Neighbors, now)
	fmt.Fprintf(b, "%-16s %10s %10s\n", "Loc-RIB", "prefixes", "paths")
	for _, c := range st.RIB {
		fmt.Fprintf(b, "  %-14s %10d %10d\n", c.Family, c.Prefixes, c.Paths)
	}
	if len(st.Processes) == 0 {
		b.WriteString("no API processes\n")
		return
	}
	w := len("Process")
	for _, p := range st.Processes {
		w = max(w, len(p.Name))
	}
	fmt.Fprintf(b, "%-*s  %7s  %7s  %7s  %7s  %8s  %8s  %5s  %8s  %8s  %6s\n", w, "Process", "running", "pid",
		"queue", "max", "capacity", "dropped", "kills", "restarts", "commands", "errors")
	for _, p := range st.Processes {
		s := p.Stats
		run := "no"
		if s.Running {
			run = "yes"
		}
		fmt.Fprintf(b, "%-*s  %7s  %7d  %7d  %7d  %8d  %8d  %5d  %8d  %8d  %6d\n", w, p.Name, run, s.PID,
			s.QueueDepth, s.QueueMaxDepth, s.QueueCap, s.Dropped, s.Kills, s.Restarts, s.Commands, s.Errors)
	}
}

// appendReload writes what a reload changed, one line per peer or
// process that changed.
func appendReload(b *strings.Builder, r *ReloadResult) {
	fmt.Fprintf(b, "reloaded %s\n", r.Config)
	for _, g := range []struct {
		what  string
		names []string
		verb  string
	}{
		{"peer", r.Added, "added"}, {"peer", r.Removed, "removed"}, {"peer", r.Reset, "reset"},
		{"peer", r.Updated, "updated"},
		{"process", r.ProcessesAdded, "added"}, {"process", r.ProcessesRemoved, "removed"},
		{"process", r.ProcessesRestarted, "restarted"},
		{"listener", r.ListenOpened, "opened"}, {"listener", r.ListenClosed, "closed"},
	} {
		for _, n := range g.names {
			fmt.Fprintf(b, "%s %s: %s\n", g.what, n, g.verb)
		}
	}
	if r.MRT {
		b.WriteString("mrt recording: restarted with the new mrt block\n")
	}
	fmt.Fprintf(b, "%d peers unchanged\n", len(r.Unchanged))
	for _, n := range r.Notes {
		fmt.Fprintf(b, "note: %s\n", n)
	}
}
