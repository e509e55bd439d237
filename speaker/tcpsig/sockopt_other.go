//go:build !unix

package tcpsig

import (
	"net/netip"
	"syscall"
)

// Supported is true where MD5 signatures and GTSM work (Linux).
const Supported = false

// setTTL fails unless it has nothing to do.
func setTTL(_ syscall.RawConn, ttl, _ int) error {
	if ttl < 0 {
		return nil
	}
	return ErrNotSupported
}

func setMD5(syscall.RawConn, netip.Addr, string) error { return ErrNotSupported }

func listenOpts(syscall.RawConn) error { return nil }

func savedSYNTTL(syscall.RawConn) (uint8, bool, error) { return 0, false, nil }
