// Package tcpsig sets the per-peer socket options that protect a BGP
// session's TCP connection:
//
//   - TCP MD5 signatures (RFC 2385): every segment carries an MD5 digest
//     of the segment and a key both ends share; the kernel drops
//     segments whose digest is missing or wrong. A key is installed per
//     remote address, on the dialling socket before connect and on the
//     listening socket before the peer's SYN arrives (accepted sockets
//     inherit it). Keys are at most MaxKeyLen octets (Linux
//     TCP_MD5SIG_MAXKEYLEN).
//   - The Generalized TTL Security Mechanism, GTSM (RFC 5082): both ends
//     send with TTL (IPv6 hop limit) 255 and drop packets that arrive
//     with less than 255 - hops + 1, so a sender more than hops routers
//     away cannot reach the session (RFC 5082 §3). Linux IP_MINTTL and
//     IPV6_MINHOPCOUNT do the dropping.
//   - The outgoing TTL of eBGP multihop sessions.
//
// Use Options.Control as a net.Dialer's Control (the options are set
// after socket(2), before bind and connect), Options.Apply on an
// accepted connection, and SetMD5 to add or remove the key of one peer
// on a listener while it runs:
//
//	d := net.Dialer{Control: tcpsig.Options{Peer: ip, MD5Key: "secret", GTSM: 1}.Control}
//	var lc net.ListenConfig
//	lc.SetMultipathTCP(false) // Go listens with MPTCP by default; MD5 needs TCP
//	ln, _ := lc.Listen(ctx, "tcp", ":179")
//	err := tcpsig.SetMD5(ln.(*net.TCPListener), ip, "secret")
//
// Multipath TCP sockets take neither MD5 keys nor the TTL options
// (ErrMPTCP). Go 1.24 and later listen with MPTCP by default: the
// listeners of MD5 or GTSM peers must turn it off. (Connections accepted
// from a plain TCP client are plain TCP either way.)
//
// IPv4 and IPv6 sockets both work; an IPv4 peer on an IPv6 (dual-stack)
// socket is handled as the kernel wants it (an IPv4-mapped address for
// the key, the IPv4 TTL options besides the IPv6 ones).
//
// A key mismatch or a GTSM drop is silent: the kernel discards the
// segment and counts it (ReadKernelStats: TCPMD5Failure,
// TCPMD5NotFound, TCPMD5Unexpected, TCPMinTTLDrop in /proc/net/netstat);
// the connection only times out.
//
// Only Linux is supported (golang.org/x/sys/unix). Elsewhere MD5 and
// GTSM fail with ErrNotSupported ("not supported on this OS"); the plain
// TTL still works on other Unix systems (Supported tells).
package tcpsig
