package attr

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseCommunity parses "ASN:VALUE" (each 0-65535) or a well-known name
// ("no-export", "no-advertise", "no-export-subconfed", "no-peer",
// "blackhole", "graceful-shutdown", "accept-own", "llgr-stale",
// "no-llgr"; case-insensitive, "_" accepted for "-"). A plain 32-bit
// number is accepted too.
func ParseCommunity(s string) (Community, error) {
	t := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-")
	for c, n := range communityNames {
		if n == t {
			return c, nil
		}
	}
	a, b, ok := strings.Cut(t, ":")
	if !ok {
		n, err := strconv.ParseUint(t, 10, 32)
		if err != nil {
			return 0, fmt.Errorf("attr: invalid community %q", s)
		}
		return Community(n), nil
	}
	hi, err1 := strconv.ParseUint(a, 10, 16)
	lo, err2 := strconv.ParseUint(b, 10, 16)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("attr: invalid community %q", s)
	}
	return Community(hi<<16 | lo), nil
}

// ParseLargeCommunity parses "GLOBAL:LOCAL1:LOCAL2", each a 32-bit
// unsigned number (RFC 8092 §3).
func ParseLargeCommunity(s string) (LargeCommunity, error) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) != 3 {
		return LargeCommunity{}, fmt.Errorf("attr: large community %q is not GLOBAL:LOCAL1:LOCAL2", s)
	}
	var v [3]uint32
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return LargeCommunity{}, fmt.Errorf("attr: invalid large community %q", s)
		}
		v[i] = uint32(n)
	}
	return LargeCommunity{v[0], v[1], v[2]}, nil
}
