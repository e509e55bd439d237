package daemon

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/ze-bgp/ze/speaker/metrics"
	"github.com/ze-bgp/ze/speaker/peer"
	"github.com/ze-bgp/ze/speaker/router"
	"github.com/ze-bgp/ze/speaker/wire"
)

// MetricsHandler returns the Prometheus handler of the daemon (mount it
// on "/metrics"): every configured peer and API process, read from the
// session drivers, the router and the processes on each scrape, plus
// the Go runtime and process metrics. docs/metrics.md lists them.
func (d *Daemon) MetricsHandler() http.Handler { return metrics.Handler(metricsSource{d}) }

// serveMetrics serves MetricsHandler on "/metrics" of the listener New
// opened (none: nothing) and returns the function that stops it.
func (d *Daemon) serveMetrics() (stop func()) {
	if d.metLn == nil {
		return func() {}
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", d.MetricsHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(d.metLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.log.Error("metrics listener ended", "addr", d.metLn.Addr().String(), "err", err)
		}
	}()
	d.event("metrics http://%s/metrics", d.metLn.Addr())
	d.log.Info("metrics", "addr", d.metLn.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx) //nolint:errcheck // best effort at exit
		<-done
	}
}

// metricsSource is the daemon as a metrics.Source.
type metricsSource struct{ d *Daemon }

// Peers implements metrics.Source: one Peer per configured session, in
// configuration order.
func (m metricsSource) Peers() []metrics.Peer {
	sessions := m.d.snapshot()
	routed := map[string]router.PeerStats{}
	for _, rs := range m.d.router.Stats() {
		routed[rs.Name] = rs
	}
	out := make([]metrics.Peer, 0, len(sessions))
	for _, s := range sessions {
		rs, ok := routed[s.cfg.Name]
		if !ok {
			rs = router.PeerStats{Name: s.cfg.Name}
		}
		out = append(out, peerMetrics(s, s.drv.Stats(), rs))
	}
	return out
}

// peerMetrics maps one session's driver and router counters onto a
// metrics.Peer. Families: the configured ones (zeros while the session
// is down, so that the series stay), with the router's counts of the
// negotiated ones.
func peerMetrics(s *session, st peer.Stats, rs router.PeerStats) metrics.Peer {
	p := metrics.Peer{
		Name:      s.cfg.Name,
		Address:   s.cfg.Remote.IP,
		RemoteAS:  s.cfg.Remote.AS,
		State:     st.State,
		AdminDown: st.Stopped,
		Uptime:    st.Uptime,
		Received:  messages(st.In),
		Sent:      messages(st.Out),

		OctetsReceived:   st.OctetsIn,
		OctetsSent:       st.OctetsOut,
		WithdrawUpdates:  st.WithdrawUpdates,
		WithdrawPrefixes: st.WithdrawPrefixes,
		SendQueue:        st.SendQueue,
		SendQueueCap:     st.SendQueueCap,
		SendQueueFull:    st.QueueFull,
		Stalled:          rs.Stalled,
		ZeroCopy:         rs.UpdatesZeroCopy,
		Unsendable:       rs.RoutesUnsendable,
		Malformed:        st.RFC7606,
		MaxPrefix:        st.MaxPrefixHits,
		ConnectAttempts:  st.ConnectAttempts,
		ConnectFailures:  st.ConnectFailures,
		Rejected:         st.Rejected,
	}
	add := func(fs router.FamilyStats) {
		for _, x := range p.Families {
			if x.Family == fs.Family {
				return
			}
		}
		p.Families = append(p.Families, metrics.Family{Family: fs.Family, Received: fs.Received, Accepted: fs.Accepted, Advertised: fs.Advertised})
	}
	for _, f := range s.cfg.Families {
		fs := router.FamilyStats{Family: f}
		for _, x := range rs.Families {
			if x.Family == f {
				fs = x
			}
		}
		add(fs)
	}
	for _, fs := range rs.Families {
		add(fs)
	}
	return p
}

// messages maps the driver's per-type counts (wire.Type names, and
// "unknown" for any other type) onto metrics.Messages.
func messages(by map[string]uint64) metrics.Messages {
	return metrics.Messages{
		Open:         by[wire.TypeOpen.String()],
		Update:       by[wire.TypeUpdate.String()],
		Notification: by[wire.TypeNotification.String()],
		Keepalive:    by[wire.TypeKeepalive.String()],
		Refresh:      by[wire.TypeRouteRefresh.String()],
		Discarded:    by["unknown"],
	}
}

// Processes implements metrics.Source: one Process per configured API
// process.
func (m metricsSource) Processes() []metrics.Process {
	procs := m.d.processes()
	out := make([]metrics.Process, 0, len(procs))
	for _, p := range procs {
		st := p.Stats()
		out = append(out, metrics.Process{
			Name:          p.Name(),
			Running:       st.Running,
			QueueDepth:    st.QueueDepth,
			QueueCap:      st.QueueCap,
			QueueMaxDepth: st.QueueMaxDepth,
			Dropped:       st.Dropped,
			Kills:         st.Kills,
			Restarts:      st.Restarts,
			Commands:      st.Commands,
			Errors:        st.Errors,
		})
	}
	return out
}
