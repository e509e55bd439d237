//go:build unix

package peer

import "syscall"

// rawTTL sets IP_TTL, or IPV6_UNICAST_HOPS on an IPv6 connection.
func rawTTL(rc syscall.RawConn, v6 bool, ttl uint8) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		if v6 {
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IPV6, syscall.IPV6_UNICAST_HOPS, int(ttl))
			return
		}
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_TTL, int(ttl))
	})
	if err != nil {
		return err
	}
	return serr
}
