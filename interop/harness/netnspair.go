package harness

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// NewNetnsPair creates two network namespaces, NAME-a-PID and
// NAME-b-PID (NAME starts with the caller's prefix, e.g. "zemd5-frr"),
// with lo up, joined by a veth pair: "va" in a with the address cidrA
// (e.g. "10.98.0.1/24"), "vb" in b with cidrB, both up. Packets between
// them cross a link, as between two routers: TTL and TCP options are
// those of a real eBGP session. t.Cleanup deletes both (after the
// processes started in them, which cleanups registered later stop
// first). It skips the test when namespaces cannot be made (not root,
// no ip command).
func NewNetnsPair(t *testing.T, name, cidrA, cidrB string) (a, b Netns) {
	t.Helper()
	needNetns(t)
	a = newNetns(t, fmt.Sprintf("%s-a-%d", name, os.Getpid()))
	b = newNetns(t, fmt.Sprintf("%s-b-%d", name, os.Getpid()))
	if out, err := exec.Command("ip", "-n", string(a), "link", "add", "va", "type", "veth",
		"peer", "name", "vb", "netns", string(b)).CombinedOutput(); err != nil {
		t.Fatalf("veth pair: %v: %s", err, out)
	}
	a.Run(t, "ip", "addr", "add", cidrA, "dev", "va")
	b.Run(t, "ip", "addr", "add", cidrB, "dev", "vb")
	a.Run(t, "ip", "link", "set", "va", "up")
	b.Run(t, "ip", "link", "set", "vb", "up")
	return a, b
}

// TCPExt returns the namespace's TcpExt counters of /proc/net/netstat
// (TCPMD5Failure, TCPMD5NotFound, TCPMD5Unexpected, TCPMinTTLDrop…): how
// the kernel explains segments it dropped silently.
func (ns Netns) TCPExt(t *testing.T) map[string]uint64 {
	t.Helper()
	out := ns.Run(t, "cat", "/proc/net/netstat")
	m := map[string]uint64{}
	var names []string
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "TcpExt:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if names == nil {
			names = f
			continue
		}
		for i, v := range f {
			if i < len(names) {
				m[names[i]], _ = strconv.ParseUint(v, 10, 64)
			}
		}
		names = nil
	}
	return m
}
