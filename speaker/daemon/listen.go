package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"github.com/ze-bgp/ze/speaker/tcpsig"
)

// listen opens a listener on each address and installs there the TCP MD5
// key (RFC 2385) of every configured peer that has one: the kernel drops
// a signed SYN it holds no key for, so the keys must be in place before
// the peers connect. The sockets are plain TCP (Go would listen with
// Multipath TCP, which takes no MD5 key), send with TTL 255 so that the
// SYN-ACKs reach GTSM peers (RFC 5082 §3; each accepted connection then
// gets its own peer's TTL), and save each SYN so that the session can
// check the TTL it came with (tcpsig.ListenControl). On error the
// listeners already open are closed.
func (d *Daemon) listen(addrs []netip.AddrPort) error {
	lc := net.ListenConfig{Control: func(network, address string, rc syscall.RawConn) error {
		if err := tcpsig.ListenControl(network, address, rc); err != nil {
			// Only GTSM suffers: SYN-ACKs leave with the default TTL.
			d.log.Warn("listener socket options", "addr", address, "err", err)
		}
		return nil
	}}
	lc.SetMultipathTCP(false)
	for _, a := range addrs {
		ln, err := lc.Listen(context.Background(), "tcp", a.String())
		if err != nil {
			d.closeListeners()
			return fmt.Errorf("listen %s: %w", a, err)
		}
		d.lns = append(d.lns, ln)
	}
	for _, p := range d.cfg.Peers {
		if p.MD5Password == "" {
			continue
		}
		if err := d.setMD5(p.Remote.IP, p.MD5Password); err != nil {
			d.closeListeners()
			return fmt.Errorf("peer %s: %w", p.Name, err)
		}
	}
	return nil
}

// setMD5 installs key as the TCP MD5 key of connections from peer (a
// remote ip; config makes them unique) on every listener whose socket
// family can carry them, replacing the one there; key "" removes it
// (no error when there was none). A reload calls it for added, changed
// and removed peers: established connections keep the key they were
// accepted with. Safe while the listeners accept; after they are
// closed it fails.
func (d *Daemon) setMD5(peer netip.Addr, key string) error {
	n := 0
	for _, ln := range d.lns {
		sc, ok := ln.(syscall.Conn)
		if !ok {
			continue
		}
		err := tcpsig.SetMD5(sc, peer, key)
		switch {
		case errors.Is(err, tcpsig.ErrFamily):
			continue // an IPv4 socket: this IPv6 peer never reaches it
		case err != nil:
			return fmt.Errorf("TCP MD5 key on listener %s: %w", ln.Addr(), err)
		}
		n++
	}
	if n == 0 && key != "" {
		d.log.Warn("no listener takes the peer's TCP MD5 key: its connections will not be accepted", "remote", peer.String())
	}
	return nil
}
