package tcpsig

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
)

// KernelStats are the kernel's counts of TCP segments dropped for TCP MD5
// or GTSM in the caller's network namespace, since boot (Linux TcpExt
// counters). They are how a silent drop can be explained.
type KernelStats struct {
	MD5NotFound   uint64 // TCPMD5NotFound: a key was set, the segment was unsigned
	MD5Unexpected uint64 // TCPMD5Unexpected: a signed segment, no key for its sender
	MD5Failure    uint64 // TCPMD5Failure: the digest did not match (wrong key)
	MinTTLDrop    uint64 // TCPMinTTLDrop: TTL below IP_MINTTL / IPV6_MINHOPCOUNT (GTSM)
}

// String is the counters in /proc/net/netstat's names.
func (k KernelStats) String() string {
	return fmt.Sprintf("TCPMD5Failure=%d TCPMD5NotFound=%d TCPMD5Unexpected=%d TCPMinTTLDrop=%d",
		k.MD5Failure, k.MD5NotFound, k.MD5Unexpected, k.MinTTLDrop)
}

// Sub returns the counts since before.
func (k KernelStats) Sub(before KernelStats) KernelStats {
	return KernelStats{
		MD5NotFound:   k.MD5NotFound - before.MD5NotFound,
		MD5Unexpected: k.MD5Unexpected - before.MD5Unexpected,
		MD5Failure:    k.MD5Failure - before.MD5Failure,
		MinTTLDrop:    k.MinTTLDrop - before.MinTTLDrop,
	}
}

// netstatPath is Linux's per-namespace extended TCP counters.
const netstatPath = "/proc/net/netstat"

// ReadKernelStats reads the counters from /proc/net/netstat (Linux;
// ErrNotSupported elsewhere). A counter the kernel does not have (an
// old kernel without TCPMinTTLDrop) reads 0.
func ReadKernelStats() (KernelStats, error) {
	if !Supported {
		return KernelStats{}, ErrNotSupported
	}
	b, err := os.ReadFile(netstatPath)
	if err != nil {
		return KernelStats{}, fmt.Errorf("tcpsig: %w", err)
	}
	return parseNetstat(b)
}

var errNetstat = errors.New("tcpsig: malformed " + netstatPath)

// parseNetstat reads the TcpExt counters of /proc/net/netstat: pairs of
// lines, the first naming the counters, the second giving their values
// in the same order:
//
//	TcpExt: SyncookiesSent … TCPMD5NotFound TCPMD5Unexpected …
//	TcpExt: 0 … 3 0 …
//
// Other groups (IpExt, MPTcpExt…) are skipped. Errors: no TcpExt pair,
// a value line of another length, a value that is not a decimal.
func parseNetstat(b []byte) (KernelStats, error) {
	var k KernelStats
	fields := map[string]*uint64{
		"TCPMD5NotFound": &k.MD5NotFound, "TCPMD5Unexpected": &k.MD5Unexpected,
		"TCPMD5Failure": &k.MD5Failure, "TCPMinTTLDrop": &k.MinTTLDrop,
	}
	lines := bytes.Split(b, []byte("\n"))
	found := false
	for i := 0; i+1 < len(lines); i++ {
		names, ok := bytes.CutPrefix(lines[i], []byte("TcpExt:"))
		if !ok {
			continue
		}
		vals, ok := bytes.CutPrefix(lines[i+1], []byte("TcpExt:"))
		if !ok {
			return KernelStats{}, fmt.Errorf("%w: TcpExt names without values", errNetstat)
		}
		n, v := bytes.Fields(names), bytes.Fields(vals)
		if len(n) != len(v) {
			return KernelStats{}, fmt.Errorf("%w: %d TcpExt names, %d values", errNetstat, len(n), len(v))
		}
		for j, name := range n {
			p, ok := fields[string(name)]
			if !ok {
				continue
			}
			x, err := strconv.ParseUint(string(v[j]), 10, 64)
			if err != nil {
				return KernelStats{}, fmt.Errorf("%w: %s %q", errNetstat, name, v[j])
			}
			*p = x
		}
		found = true
		i++
	}
	if !found {
		return KernelStats{}, fmt.Errorf("%w: no TcpExt counters", errNetstat)
	}
	return k, nil
}
