package capability

import "testing"

func TestDescribe(t *testing.T) {
	tests := []struct {
		c    Code
		v    []byte
		want string
	}{
		{CodeMultiprotocol, []byte{0x00, 0x01, 0x00, 0x01}, "multiprotocol ipv4/unicast"},
		{CodeMultiprotocol, []byte{0x00, 0x01}, "multiprotocol malformed 0001"},
		{CodeRouteRefresh, nil, "route-refresh"},
		{CodeRouteRefreshCisco, nil, "route-refresh-cisco"},
		{CodeExtendedMessage, []byte{0x01}, "extended-message malformed 01"},
		{CodeASN4, []byte{0xFA, 0x56, 0xEA, 0x01}, "asn4 4200000001"},
		{CodeRole, []byte{0x02}, "role rs-client"},
		{CodeAddPath, []byte{0x00, 0x01, 0x01, 0x03, 0x00, 0x02, 0x01, 0x01}, "add-path ipv4/unicast send/receive, ipv6/unicast receive"},
		{CodeExtendedNextHop, []byte{0x00, 0x01, 0x00, 0x01, 0x00, 0x02}, "extended-next-hop ipv4/unicast nh ipv6"},
		{CodeGracefulRestart, []byte{0xC0, 0x78, 0x00, 0x01, 0x01, 0x80}, "graceful-restart time 120, restarting, notification, ipv4/unicast forwarding"},
		{CodeLLGR, []byte{0x00, 0x01, 0x01, 0x80, 0x00, 0x0E, 0x10}, "llgr ipv4/unicast stale-time 3600 forwarding"},
		{CodeFQDN, []byte{0x02, 'v', 'm', 0x00}, `fqdn host "vm" domain ""`},
		{CodeSoftwareVersion, []byte{0x03, 'z', 'e', '1'}, `software-version "ze1"`},
		{CodeDynamic, nil, "dynamic-capability"},
		{CodeDynamicOld, []byte{0x01}, "dynamic-capability-old 01"},
		{200, []byte{0x0a, 0xbc}, "capability-200 0ABC"},
		{200, nil, "capability-200"},
	}
	for _, tt := range tests {
		if got := Describe(tt.c, tt.v); got != tt.want {
			t.Errorf("Describe(%d, % X) = %q, want %q", tt.c, tt.v, got, tt.want)
		}
	}
}
