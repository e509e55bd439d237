// Package router is the propagation core between BGP sessions and the
// RIB: it takes the UPDATEs a session received, runs them through the
// Adj-RIB-In, the Loc-RIB decision process and each other session's
// export and Adj-RIB-Out, and hands every session the UPDATEs that bring
// its peer up to date. It opens no socket and starts no goroutine of its
// own but the graceful restart timers (below): a session driver
// (speaker/peer) implements Session and calls Up (UpRestart), Update,
// Refresh and Down (DownGraceful); API processes reach it through
// Handle (api.Handler).
//
// Concurrency: a Router is a mutex-protected object, not an event loop.
// Every entry point takes the lock, does the RIB work and the encoding,
// hands the messages to Session.Send (which never blocks: it queues or
// fails) and returns. This is simpler than a goroutine fed by a channel:
// there is no event queue to bound or drain, no shutdown protocol, and a
// peer flooding UPDATEs is slowed by its own reader waiting for the lock
// (TCP then pushes back on the peer), not by an unbounded backlog. Lock
// hold time is CPU work only, as no call inside blocks.
//
// Modes, per session (from its config.Peer):
//
//   - route server client (RFC 7947): paths are exported unchanged
//     (rib.Transparent: no AS prepend, NEXT_HOP and MED kept), and the
//     best path is chosen per client over the paths not learned from
//     that client (rib.LocRIB.BestFor, §2.3.2);
//   - external peer (RFC 4271 §5.1): rib.EBGP, local AS prepended, next
//     hop set to the session's local address (next-hop self);
//   - internal peer: rib.IBGP, LOCAL_PREF added; a path learned from an
//     internal peer is not sent to another internal peer (§9.2) unless
//     one of the two is a route reflector client (RFC 4456 §6), when it
//     is reflected with ORIGINATOR_ID and CLUSTER_LIST (§8). Paths whose
//     ORIGINATOR_ID is the local router ID or whose CLUSTER_LIST holds
//     the local cluster ID are ignored on receipt (§8): they stay in the
//     Adj-RIB-In (received) but never reach the Loc-RIB (not accepted).
//
// Without ADD-PATH a session gets, per prefix, the export of its best
// path (never a path learned from itself). With ADD-PATH send
// negotiated for a family (RFC 7911), it gets every candidate path not
// learned from itself, each under a path identifier the router assigns
// per (source session, received path identifier).
//
// Zero-copy: when an UPDATE changes, for a route server client, exactly
// the routes it carries and to exactly the attributes it carries, and
// the client's send context equals the sender's receive context (and
// neither uses ADD-PATH), the received bytes are forwarded unchanged
// (one copy shared by every such client). Otherwise UPDATEs are
// re-encoded from the pool: NLRI sharing one exported attribute set are
// packed into as few UPDATEs as ctx.MaxLen() allows, withdrawals packed
// per family, AS_PATH / AGGREGATOR rewritten for 2-octet-AS peers with
// AS4_PATH / AS4_AGGREGATOR (RFC 6793 §4.2.2).
//
// Local routes: Originate and Withdraw put routes in the Loc-RIB as the
// paths of a local pseudo-peer named by the caller ("static", "api:x"),
// sent to every session through its export (prepend on eBGP, LOCAL_PREF
// on iBGP, unchanged to route server clients; their next hop is kept).
// Routes for chosen sessions only (a peer's config static routes, API
// commands with neighbor selectors or "next-hop self") go in a per-peer
// override table instead: for that session they replace the Loc-RIB's
// path for the prefix (ADD-PATH sessions get them as path identifier 0
// besides the others).
//
// Initial sync (Up): the session is sent its whole export, packed, then
// End-of-RIB for each family (RFC 4724 §2). Route refresh (Refresh,
// RFC 2918): its Adj-RIB-Out for the family is sent again, framed by
// BoRR and EoRR when enhanced route refresh was negotiated (RFC 7313
// §4). A Send that fails (full queue) marks the session stalled: what
// changes for it from then on is remembered, not sent, and Resync sends
// the current state of those routes once the queue drains.
//
// Peers come and go with the configuration: Remove forgets a peer (its
// session taken down, its override routes dropped) and SetStatic
// replaces a peer's static routes, sending the difference to its
// session without a reset. A session that goes down frees its Loc-RIB
// peer ID for the next session with the same description (address,
// router ID, AS, iBGP), so flapping peers do not grow the RIB's tables.
//
// Graceful restart (gr.go), the receiving speaker of RFC 4724 §4.2
// (with RFC 8538 deciding, in the session driver, which ends are
// graceful): DownGraceful keeps a peer's routes in the Loc-RIB, marked
// stale, for the peer's Restart Time; they stay best-path candidates
// like any route (the RFC's rule: a stale path does not lose ties), so
// the other sessions are sent nothing. UpRestart gives the peer's next
// session those routes: the ones it sends again unchanged cause no
// UPDATE anywhere; its End-of-RIB (or the stale timer, capability
// stale-time) withdraws the rest; a family whose new Graceful Restart
// capability is missing or lacks the F bit loses its stale routes at
// once. The timers run on Options.AfterFunc (time.AfterFunc by
// default): the only goroutines the router has started, each one
// taking the lock to fire. Long-Lived Graceful Restart (RFC 9494) is
// not done.
//
// Queries (query.go) for operators: Routes copies the routes of the
// Loc-RIB (every candidate path, the best marked, the others with the
// decision step they lost on), of a peer's Adj-RIB-In or Adj-RIB-Out —
// all, one family, one prefix exactly, or the longest covering prefix —
// up to a limit; Neighbors and RIBCounts copy the peers' view and the
// Loc-RIB's size. All copy under the lock, which callers never hold
// while writing to a client.
//
// Metrics, per peer and family (Stats), named after GoBGP's:
//
//	bgp_routes_received{peer,family}    routes in the Adj-RIB-In
//	bgp_routes_accepted{peer,family}    of those, the ones in the Loc-RIB
//	bgp_routes_advertised{peer,family}  routes in the Adj-RIB-Out
//
// and per peer: updates_received, updates_sent, updates_zero_copy,
// send_failures, routes_unsendable.
package router
