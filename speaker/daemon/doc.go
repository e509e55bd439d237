// Package daemon wires a checked configuration (speaker/config) into a
// running BGP speaker: one speaker/peer Session per configured peer, one
// speaker/router Router between them, TCP listeners that hand each
// accepted connection to the session of its remote address, and the
// configured API processes (speaker/api). `ze CONFIG` runs it.
//
//	cfg, err := config.Load("ze.conf")
//	d, err := daemon.New(cfg, daemon.Options{Listen: []string{"127.0.0.1:1790"}, Events: os.Stderr})
//	err = d.Run(ctx) // until ctx is cancelled: every session then gets
//	                 // Cease / Administrative Shutdown "ze shutting down"
//
// Mapping (config.Peer → peer.Config): local-as, router-id (else the
// local address, else the first IPv4 listen address), remote ip/as/port,
// local-address, hold-time (0 is an explicit zero, RFC 4271 §4.2),
// passive (fsm.ModePassive), multihop (TTL), ttl-security (GTSM, RFC
// 5082) and md5-password (RFC 2385; the listeners get the keys too,
// listen.go), families, capabilities (ADD-PATH for every family in the
// configured direction, RFC 7911; graceful restart, RFC 4724),
// maximum-prefix per family with teardown, warning-only or restart
// (RFC 4486 §4).
//
// Each session's peer.Handler is an adapter that is also the
// router.Session the router sees: Established → Router.Up, Update →
// Router.Update, RouteRefresh → Router.Refresh, Down → Router.Down. The
// negotiated families are those both OPENs list (RFC 4760 §8). Static
// routes of a peer are sent by Router.Up (they are override routes).
//
// Listeners: Options.Listen when given (the `ze --listen ADDR:PORT`
// flag), else one per distinct peer local-address (the unspecified
// address when a peer has none) on port 179. A connection from an
// address that is no configured peer's remote ip is closed at once.
//
// API: every config.Process is started (before the sessions, so that no
// event is lost) with a handler that answers the daemon commands itself
// (apicmd.go: version, help, shutdown, show neighbor, show adj-rib,
// teardown, reload) and hands the rest to the Router (announce,
// withdraw, eor, route-refresh, flush). Peers
// whose api block names a process send it state events (receive {
// state; }) and received UPDATEs (receive { update; }), in the
// process's encoder.
//
// Reload (reload.go): Reload re-reads Options.ConfigPath (SIGHUP, `ze cli
// reload`, an API process's "reload") and Apply compares it with the
// running configuration, peer by peer and process by process (by name):
// added peers start; removed ones get Cease / Peer De-configured (RFC
// 4486 §4 subcode 3) and the router forgets them (Router.Remove: their
// routes are withdrawn from the others at once); peers whose session
// settings changed get Cease / Other Configuration Change (subcode 6)
// and a new session with the new settings, started once the old one is
// gone; peers whose static routes, api block or description changed keep
// their session (Router.SetStatic announces and withdraws the
// difference); unchanged sessions are not touched. Processes added,
// removed or changed start, stop or restart (a restarted one after the
// old one exited, so that its withdrawals come first). A file that does
// not check, or a peer the session driver refuses, changes nothing.
// Listeners, the control socket and the log format are kept (the
// result's notes say so); the log level follows Options.LogLevel; TCP
// MD5 keys follow the peers.
//
// Control (control.go): New opens Options.Control (package control) and
// Run serves it: `ze cli` asks for the neighbors (Neighbors: the config,
// the driver's peer.Stats, the router's view), routes (Router.Routes),
// a reload, or the status (Status; DumpStatus writes it for SIGUSR1).
//
// Events: besides the slog records, Options.Events gets stable lines for
// test runners and operators:
//
//	ze: listening ADDR:PORT
//	ze: control socket PATH
//	ze: metrics http://ADDR:PORT/metrics
//	ze: peer NAME established
//	ze: peer NAME end-of-rib FAMILY   (the peer's End-of-RIB, RFC 4724 §2)
//	ze: peer NAME down: REASON
//	ze: peer NAME added|removed|reset|updated   (a reload)
//	ze: reloaded: N added, N removed, N reset, N updated, N unchanged
//	ze: reload failed: PROBLEM; PROBLEM…
//	ze: stopped
//
// Metrics (metrics.go): MetricsHandler serves the Prometheus metrics of
// every peer and process; Options.Metrics opens a listener for it.
// Stalls (stall.go): a session whose outgoing queue was full is resynced
// with the router once the queue drains.
//
// Not done yet: send-direction API events; a reload keeps the listeners.
package daemon
