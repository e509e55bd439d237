//go:build unix && !linux

package tcpsig

import (
	"net/netip"
	"syscall"
)

// Supported is true where MD5 signatures and GTSM work (Linux).
const Supported = false

// setTTL sets the outgoing TTL; the system default (-1) is left as it
// is. The minimum TTL is never asked for here (check refuses GTSM).
func setTTL(rc syscall.RawConn, ttl, _ int) error {
	if ttl < 0 {
		return nil
	}
	return control(rc, func(fd int) error {
		sa, err := syscall.Getsockname(fd)
		if err != nil {
			return err
		}
		if _, ok := sa.(*syscall.SockaddrInet6); ok {
			return syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS, ttl)
		}
		return syscall.SetsockoptInt(fd, syscall.IPPROTO_IP, syscall.IP_TTL, ttl)
	})
}

func setMD5(syscall.RawConn, netip.Addr, string) error { return ErrNotSupported }

func listenOpts(syscall.RawConn) error { return nil }

func savedSYNTTL(syscall.RawConn) (uint8, bool, error) { return 0, false, nil }
