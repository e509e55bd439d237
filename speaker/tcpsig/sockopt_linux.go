//go:build linux

package tcpsig

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Supported is true where MD5 signatures and GTSM work (Linux).
const Supported = true

// domain returns the socket's address family (AF_INET, AF_INET6), or
// ErrMPTCP for a Multipath TCP socket.
func domain(fd int) (int, error) {
	proto, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PROTOCOL)
	if err != nil {
		return 0, fmt.Errorf("tcpsig: SO_PROTOCOL: %w", err)
	}
	if proto == unix.IPPROTO_MPTCP {
		return 0, ErrMPTCP
	}
	dom, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DOMAIN)
	if err != nil {
		return 0, fmt.Errorf("tcpsig: SO_DOMAIN: %w", err)
	}
	return dom, nil
}

// setTTL sets the outgoing TTL (-1: system default) and the minimum
// accepted TTL (0: off). An IPv6 socket gets the IPv6 options and the
// IPv4 ones, which apply to its IPv4-mapped traffic.
func setTTL(rc syscall.RawConn, ttl, min int) error {
	return control(rc, func(fd int) error {
		dom, err := domain(fd)
		if err != nil {
			return err
		}
		type opt struct {
			level, name int
			v           int
			what        string
		}
		opts := []opt{{unix.IPPROTO_IP, unix.IP_TTL, ttl, "IP_TTL"}, {unix.IPPROTO_IP, unix.IP_MINTTL, min, "IP_MINTTL"}}
		if dom == unix.AF_INET6 {
			opts = append(opts, opt{unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, ttl, "IPV6_UNICAST_HOPS"},
				opt{unix.IPPROTO_IPV6, unix.IPV6_MINHOPCOUNT, min, "IPV6_MINHOPCOUNT"})
		}
		for _, o := range opts {
			if err := unix.SetsockoptInt(fd, o.level, o.name, o.v); err != nil {
				return fmt.Errorf("tcpsig: %s %d: %w", o.what, o.v, err)
			}
		}
		return nil
	})
}

// setMD5 installs (key "": removes) peer's TCP_MD5SIG key. The address
// is a sockaddr_in on an IPv4 socket, a sockaddr_in6 on an IPv6 one
// (IPv4 peers as IPv4-mapped addresses, which the kernel files under
// IPv4).
func setMD5(rc syscall.RawConn, peer netip.Addr, key string) error {
	return control(rc, func(fd int) error {
		dom, err := domain(fd)
		if err != nil {
			return err
		}
		sig, err := md5sig(dom, peer, key)
		if err != nil {
			return err
		}
		err = unix.SetsockoptTCPMD5Sig(fd, unix.IPPROTO_TCP, unix.TCP_MD5SIG, sig)
		if key == "" && errors.Is(err, unix.ENOENT) {
			return nil
		}
		if err != nil {
			verb := "setting"
			if key == "" {
				verb = "removing"
			}
			return fmt.Errorf("tcpsig: %s the TCP MD5 key of %s: %w", verb, peer, err)
		}
		return nil
	})
}

// md5sig builds struct tcp_md5sig for a socket of domain dom:
//
//	tcpm_addr      sockaddr_storage  (family, port 0, address)
//	tcpm_flags     u8                0: no prefix, no interface
//	tcpm_prefixlen u8                0
//	tcpm_keylen    u16               0 removes the key
//	tcpm_ifindex   int               0
//	tcpm_key       [80]u8
func md5sig(dom int, peer netip.Addr, key string) (*unix.TCPMD5Sig, error) {
	if len(key) > MaxKeyLen {
		return nil, ErrKeyLen
	}
	sig := &unix.TCPMD5Sig{Keylen: uint16(len(key))}
	copy(sig.Key[:], key)
	p := peer.WithZone("")
	switch {
	case dom == unix.AF_INET && p.Unmap().Is4():
		a := p.Unmap().As4()
		sig.Addr.Family = unix.AF_INET
		copy(sig.Addr.Data[2:6], a[:]) // sin_port, then sin_addr
	case dom == unix.AF_INET6:
		a := p.As16() // an IPv4 address comes out IPv4-mapped
		sig.Addr.Family = unix.AF_INET6
		copy(sig.Addr.Data[6:22], a[:]) // sin6_port, sin6_flowinfo, then sin6_addr
	case dom == unix.AF_INET:
		return nil, fmt.Errorf("%w: %s on an IPv4 socket", ErrFamily, peer)
	default:
		return nil, fmt.Errorf("tcpsig: socket domain %d is not IP", dom)
	}
	return sig, nil
}

// listenOpts sets TTL 255 and TCP_SAVE_SYN on a listening socket.
func listenOpts(rc syscall.RawConn) error {
	if err := setTTL(rc, MaxTTL, 0); err != nil {
		return err
	}
	return control(rc, func(fd int) error {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_SAVE_SYN, 1); err != nil {
			return fmt.Errorf("tcpsig: TCP_SAVE_SYN: %w", err)
		}
		return nil
	})
}

// savedSYNTTL returns the TTL (hop limit) the connection's SYN arrived
// with, from TCP_SAVED_SYN (which the kernel then frees); ok is false
// when the listener saved none.
func savedSYNTTL(rc syscall.RawConn) (ttl uint8, ok bool, err error) {
	err = control(rc, func(fd int) error {
		var buf [512]byte // IP header with options or IPv6 header with extensions, then TCP header
		n := uint32(len(buf))
		_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), unix.IPPROTO_TCP, unix.TCP_SAVED_SYN,
			uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n)), 0)
		switch {
		case e == unix.ENOENT || e == unix.EINVAL: // nothing saved
			return nil
		case e != 0:
			return fmt.Errorf("tcpsig: TCP_SAVED_SYN: %w", e)
		}
		ttl, ok = synTTL(buf[:min(int(n), len(buf))])
		return nil
	})
	return ttl, ok, err
}
