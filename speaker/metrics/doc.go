// Package metrics exports the speaker's state to Prometheus. A
// collector reads a snapshot from a Source on each scrape (the daemon
// implements it from the session drivers', the router's and the API
// processes' own counters), so nothing is counted twice and the hot
// path never touches a Prometheus type.
//
//	http.Handle("/metrics", metrics.Handler(src)) // + go_*, process_*
//
// Names follow GoBGP (v3.30.0) where it has the metric, with its label
// sets: "peer" is the remote address, "route_family" GoBGP's family name
// (FamilyName: "ipv4-unicast", "l3vpn-ipv6-unicast", "l2vpn-evpn"…).
// docs/metrics.md describes each one with a sample scrape.
//
//	bgp_peer_state{peer,session_state,admin_state}   gauge, always 1
//	bgp_peer_uptime{peer}                            gauge, seconds (not in GoBGP)
//	bgp_routes_received{peer,route_family}           gauge
//	bgp_routes_accepted{peer,route_family}           gauge
//	bgp_routes_advertised{peer,route_family}         gauge
//	bgp_received_X_total{peer}, bgp_sent_X_total{peer}   counters, X one of
//	    open, update, notification, keepalive, refresh, discarded, message
//	bgp_received_withdraw_update_total{peer}   counter, UPDATEs that withdraw
//	bgp_received_withdraw_prefix_total{peer}   counter, prefixes they withdraw
//
// ze's own, per peer (label peer):
//
//	ze_peer_info{peer,name,remote_as}       gauge, always 1
//	ze_peer_state                           gauge, RFC 4273 bgpPeerState (1-6)
//	ze_peer_send_queue_depth                gauge, messages
//	ze_peer_send_queue_capacity             gauge, messages
//	ze_peer_send_queue_full_total           counter
//	ze_peer_stalled                         gauge, 0 or 1
//	ze_peer_received_octets_total, ze_peer_sent_octets_total
//	ze_peer_zero_copy_updates_total, ze_peer_unsendable_routes_total
//	ze_peer_malformed_updates_total         counter (RFC 7606)
//	ze_peer_max_prefix_total                counter (RFC 4486)
//	ze_peer_connect_attempts_total, ze_peer_connect_failures_total,
//	ze_peer_rejected_connections_total
//
// and per API process (label process), the names of docs/api.md:
//
//	ze_api_running, ze_api_queue_depth, ze_api_queue_capacity,
//	ze_api_queue_max_depth                  gauges
//	ze_api_dropped_total, ze_api_kills_total, ze_api_restarts_total,
//	ze_api_commands_total, ze_api_command_errors_total   counters
//
// GoBGP's always-zero bgp_sent_withdraw_update_total and
// bgp_sent_withdraw_prefix_total are not exported. admin_state is UP or
// DOWN; GoBGP's PFX_CT (maximum-prefix shutdown) is not reported.
package metrics
