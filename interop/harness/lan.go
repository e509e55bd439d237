package harness

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// LANMember is one namespace on a LAN: its short name (part of the
// namespace's name) and its addresses with their prefix length
// ("10.0.1.2/24").
type LANMember struct {
	Name  string
	Addrs []string
}

// NewLAN joins one new network namespace per member
// (zeio-NAME-MEMBER-PID) on one shared segment, as at an internet
// exchange: a bridge in the first member's namespace, holding that
// member's addresses, and a veth pair to each other member. It skips
// the test when namespaces cannot be made; t.Cleanup deletes them.
func NewLAN(t *testing.T, name string, members ...LANMember) []Netns {
	t.Helper()
	needNetns(t)
	nss := make([]Netns, len(members))
	for i, m := range members {
		nss[i] = newZeioNetns(t, fmt.Sprintf("zeio-%s-%s-%d", name, m.Name, os.Getpid()))
	}
	hub := nss[0]
	hub.Run(t, "ip", "link", "add", "zeiobr", "type", "bridge")
	for _, a := range members[0].Addrs {
		hub.Run(t, "ip", addrArgs(a, "zeiobr")...)
	}
	hub.Run(t, "ip", "link", "set", "zeiobr", "up")
	for i := 1; i < len(members); i++ {
		near, far := fmt.Sprintf("zeio%da", i), fmt.Sprintf("zeio%db", i)
		hub.Run(t, "ip", "link", "add", near, "type", "veth", "peer", "name", far, "netns", string(nss[i]))
		hub.Run(t, "ip", "link", "set", near, "master", "zeiobr", "up")
		for _, a := range members[i].Addrs {
			nss[i].Run(t, "ip", addrArgs(a, far)...)
		}
		nss[i].Run(t, "ip", "link", "set", far, "up")
	}
	return nss
}

// addrArgs are the ip arguments adding address a to dev (IPv6 without
// duplicate address detection).
func addrArgs(a, dev string) []string {
	args := []string{"addr", "add", a, "dev", dev}
	if strings.Contains(a, ":") {
		args = append(args, "nodad")
	}
	return args
}
