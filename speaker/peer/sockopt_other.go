//go:build !unix

package peer

import (
	"fmt"
	"syscall"
)

// rawTTL is not implemented outside Unix.
func rawTTL(syscall.RawConn, bool, uint8) error {
	return fmt.Errorf("peer: setting the TTL: %w", ErrNotSupported)
}
