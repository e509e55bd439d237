package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"syscall"

	"github.com/ze-bgp/ze/speaker/config"
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
	lns, err := d.openListeners(addrs, d.cfg.Peers)
	if err != nil {
		return err
	}
	d.lns = append(d.lns, lns...)
	return nil
}

// openListeners opens a listener on each address as listen describes,
// with the TCP MD5 keys of peers; on error those already open are
// closed.
func (d *Daemon) openListeners(addrs []netip.AddrPort, peers []config.Peer) ([]net.Listener, error) {
	lc := net.ListenConfig{Control: func(network, address string, rc syscall.RawConn) error {
		if err := tcpsig.ListenControl(network, address, rc); err != nil {
			// Only GTSM suffers: SYN-ACKs leave with the default TTL.
			d.log.Warn("listener socket options", "addr", address, "err", err)
		}
		return nil
	}}
	lc.SetMultipathTCP(false)
	var lns []net.Listener
	fail := func(err error) ([]net.Listener, error) {
		for _, ln := range lns {
			ln.Close()
		}
		return nil, err
	}
	for _, a := range addrs {
		ln, err := lc.Listen(context.Background(), "tcp", a.String())
		if err != nil {
			return fail(fmt.Errorf("listen %s: %w", a, err))
		}
		lns = append(lns, ln)
	}
	for _, p := range peers {
		if p.MD5Password == "" {
			continue
		}
		if _, err := setMD5On(lns, p.Remote.IP, p.MD5Password); err != nil {
			return fail(fmt.Errorf("peer %s: %w", p.Name, err))
		}
	}
	return lns, nil
}

// reloadListeners opens and closes listeners for the addresses cfg
// implies (no explicit Options.Listen): those no longer wanted are
// closed, new ones opened with cfg's TCP MD5 keys and served. When one
// cannot be opened (an address in use, or a wildcard listener and a
// specific one that overlap), nothing changes and the note says so.
// Called with d.mu held; it returns the addresses opened and closed.
func (d *Daemon) reloadListeners(cfg *config.Config) (opened, closed []string, note string) {
	if len(d.opt.Listen) > 0 {
		return nil, nil, ""
	}
	want, err := listenAddrs(cfg, nil, d.opt.listenPort)
	if err != nil {
		return nil, nil, err.Error()
	}
	have := make([]netip.AddrPort, len(d.lns))
	for i, ln := range d.lns {
		have[i], _ = netip.ParseAddrPort(ln.Addr().String())
	}
	var add []netip.AddrPort
	for _, a := range want {
		if !slices.ContainsFunc(have, func(h netip.AddrPort) bool { return sameAddrPort(h, a) }) {
			add = append(add, a)
		}
	}
	var keep []net.Listener
	var drop []net.Listener
	for i, ln := range d.lns {
		if slices.ContainsFunc(want, func(w netip.AddrPort) bool { return sameAddrPort(have[i], w) }) {
			keep = append(keep, ln)
		} else {
			drop = append(drop, ln)
		}
	}
	if len(add) == 0 && len(drop) == 0 {
		return nil, nil, ""
	}
	lns, err := d.openListeners(add, cfg.Peers)
	if err != nil {
		return nil, nil, fmt.Sprintf("listen addresses %v wanted, %v kept: %v (restart ze to change them)", want, have, err)
	}
	for _, ln := range drop {
		ln.Close()
		closed = append(closed, ln.Addr().String())
		d.event("listener %s closed", ln.Addr())
		d.log.Info("listener closed", "addr", ln.Addr().String())
	}
	d.lns = append(keep, lns...)
	for _, ln := range lns {
		opened = append(opened, ln.Addr().String())
		d.startServe(ln)
	}
	return opened, closed, ""
}

// sameAddrPort compares two listener addresses, IPv4-mapped IPv6 as
// IPv4.
func sameAddrPort(a, b netip.AddrPort) bool {
	return a.Port() == b.Port() && a.Addr().Unmap() == b.Addr().Unmap()
}

// setMD5 installs key as the TCP MD5 key of connections from peer (a
// remote ip; config makes them unique) on every listener whose socket
// family can carry them, replacing the one there; key "" removes it
// (no error when there was none). A reload calls it for added, changed
// and removed peers: established connections keep the key they were
// accepted with. Safe while the listeners accept; after they are
// closed it fails.
func (d *Daemon) setMD5(peer netip.Addr, key string) error {
	n, err := setMD5On(d.lns, peer, key)
	if err != nil {
		return err
	}
	if n == 0 && key != "" {
		d.log.Warn("no listener takes the peer's TCP MD5 key: its connections will not be accepted", "remote", peer.String())
	}
	return nil
}

// setMD5On installs peer's key on each listener of lns whose socket
// family can carry it and says on how many.
func setMD5On(lns []net.Listener, peer netip.Addr, key string) (int, error) {
	n := 0
	for _, ln := range lns {
		sc, ok := ln.(syscall.Conn)
		if !ok {
			continue
		}
		err := tcpsig.SetMD5(sc, peer, key)
		switch {
		case errors.Is(err, tcpsig.ErrFamily):
			continue // an IPv4 socket: this IPv6 peer never reaches it
		case err != nil:
			return n, fmt.Errorf("TCP MD5 key on listener %s: %w", ln.Addr(), err)
		}
		n++
	}
	return n, nil
}
