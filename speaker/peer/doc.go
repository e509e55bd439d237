// Package peer is the session driver of one configured BGP peer: TCP
// connections, one speaker/fsm Machine per connection, the timers, and
// the read and write loops. A later package wires many Sessions, the
// configuration, the RIB and the API into the daemon.
//
//	s, _ := peer.New(peer.Config{LocalASN: 65001, RouterID: id, Remote: addr}, handler, logger)
//	go s.Run(ctx)           // dials (unless passive), restarts after failures
//	s.Accept(conn)          // connections the daemon's listener took from this peer
//	s.Send(update)          // non-blocking, bounded queue
//	s.Stop("maintenance")   // Cease / Administrative Shutdown with RFC 9003 text
//
// Goroutines. Run is the timer loop: it sleeps until the earliest FSM
// deadline (fsm.Machine.NextDeadline) and calls Expire. Each connection
// has a read goroutine (header checked with wire.Header against the
// receive context's MaxLen, RFC 8654, then the body) and a write
// goroutine that drains a bounded queue (Config.QueueLen messages; Send
// fails with ErrQueueFull rather than block) and calls fsm.Machine.Sent
// after each message (KeepaliveTimer, RFC 9687 SendHoldTimer). Each
// connection attempt is a goroutine (net.Dialer with Config.Local,
// Config.ConnectTimeout and the socket options of speaker/tcpsig). One
// mutex guards the Machines; no I/O happens under it. When a Machine
// drops a connection the writer sends what was queued and the final
// NOTIFICATION within Config.CloseGrace, then closes it.
//
// Handler. Established, Update and RouteRefresh are called synchronously
// from the read goroutine of the connection, in message order; Down once
// after each Established, from the same goroutine, when the connection
// is gone. A slow handler stalls only the reading of this peer (TCP
// pushes back); it must return well within the hold time. Update's
// message aliases the read buffer and is valid during the call only.
//
// Errors (RFC 4271 §6, RFC 7606). A bad header is Message Header Error
// (BGPHeaderErr); an OPEN failing message.Open.Validate, the configured
// peer AS or RFC 6286 §2.2 is OPEN Message Error (BGPOpenMsgErr); an
// UPDATE goes through message.CheckCount: a session-reset verdict sends
// its NOTIFICATION (UpdateMsgErr), a milder one (attribute discard,
// treat-as-withdraw) is delivered with the verdict for the RIB to apply;
// a ROUTE-REFRESH of the wrong length is RFC 7313 §5's error. Each is
// logged with the peer, the message type, the error and the message in
// hex (log/slog).
//
// Collisions (RFC 4271 §6.8). An Accept while the peer's connection is
// up starts a second Machine; when an OPEN arrives on one while the
// other is in OpenConfirm, fsm.Resolve decides by BGP Identifier (then
// AS, RFC 6286 §2.3) and the loser gets Cease / Connection Collision
// Resolution; a collision with an Established connection closes the new
// one. A dial that completes after the Machine took an incoming
// connection is the second connection the same way. The survivor
// becomes the peer's session.
//
// Maximum prefixes (RFC 4486 §4). The driver counts prefixes per family
// itself from message.CheckCount (announced minus withdrawn, paths with
// ADD-PATH; approximate, the RIB corrects it with SetPrefixes) and, past
// the limit, logs (MaxPrefixWarning) or sends Cease / Maximum Number of
// Prefixes Reached with AFI, SAFI and the limit as data, then stays down
// (MaxPrefixTeardown, Start restarts) or starts again after a delay
// (MaxPrefixRestart).
//
// Security (speaker/tcpsig, Linux). Config.MD5Password is the TCP MD5
// key (RFC 2385) of dialled sockets, set before connect, and of accepted
// connections, set again on them (the listener must have had it for
// the handshake; the daemon's have). Config.GTSM (RFC 5082) sends with
// TTL 255 and has the kernel drop the peer's packets below 255 - hops +
// 1; an accepted connection whose SYN came lower (saved by a listener
// set up with tcpsig.ListenControl) is refused. Config.TTL is the
// multihop TTL. Mismatches are silent drops: a failed connection
// attempt of such a session logs the kernel's drop counters (TCPMD5*,
// TCPMinTTLDrop) of the attempt. Other OSes: New fails with
// ErrNotSupported for MD5 and GTSM.
//
// Graceful restart (restart.go). Capabilities.GracefulRestart
// advertises RFC 4724 with RFC 8538's N flag; DownError.Graceful says
// whether a session's end lets the receiving speaker keep the peer's
// routes (no NOTIFICATION, or with N exchanged one other than Hard
// Reset); with N exchanged, the Cease subcodes RFC 8538 §5.1 lists are
// sent as Hard Reset. PeerOpen gives the peer's OPEN for the details
// (restart time, families) the RIB needs. Stats are plain counters for
// a metrics exporter to read.
package peer
