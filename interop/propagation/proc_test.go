//go:build interop

package propagation

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ze-bgp/ze/interop/harness"
)

// The lab: two network namespaces joined by a veth pair, so that every
// device under test sees its two neighbours on a directly connected
// subnet (no multihop, no martian next hops, nothing else in its
// namespace):
//
//	zepb-b-PID  vb 10.98.0.3 (inject, AS 65003), 10.98.0.4 (sink, AS 65004)
//	     |
//	zepb-a-PID  va 10.98.0.1 (the device under test, AS 65000, port 179)
const (
	dutAddr    = "10.98.0.1"
	injectAddr = "10.98.0.3"
	sinkAddr   = "10.98.0.4"
	dutAS      = 65000
	injectAS   = 65003
	sinkAS     = 65004
	// The injected prefixes start there: 1,000,000 /24s end at
	// 35.66.63.0/24, clear of the lab's 10.98.0.0/24.
	prefixStart = "20.0.0.0/24"
)

// lab is the namespace pair of one run, deleted by t.Cleanup.
type lab struct {
	dut, peers harness.Netns
}

func newLab(t *testing.T) *lab {
	t.Helper()
	dut, peers := harness.NewNetnsPair(t, "zepb", dutAddr+"/24", injectAddr+"/24")
	peers.Run(t, "ip", "addr", "add", sinkAddr+"/24", "dev", "vb")
	return &lab{dut: dut, peers: peers}
}

// listening reports whether something listens on TCP port 179 in ns.
func listening(ns harness.Netns) bool {
	out, err := ns.Output("ss", "-Hltn", "sport = :179")
	return err == nil && strings.Contains(out, ":179")
}

// usage is a process tree's memory (KiB) and CPU time, per PID.
type usage map[int]struct {
	rss, hwm int64   // VmRSS, VmHWM in KiB
	cpu      float64 // user + system seconds
}

// measure reads VmRSS, VmHWM and CPU time of the processes pids (a
// harness.Proc's Tree).
func measure(pids []int) usage {
	u := usage{}
	for _, p := range pids {
		e := u[p]
		f, err := os.Open(fmt.Sprintf("/proc/%d/status", p))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			switch k {
			case "VmRSS":
				e.rss = n
			case "VmHWM":
				e.hwm = n
			}
		}
		f.Close()
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p)); err == nil {
			if _, rest, ok := strings.Cut(string(b), ") "); ok {
				// state ppid … utime is field 14 of stat, 12th after ") ".
				if fs := strings.Fields(rest); len(fs) > 12 {
					ut, _ := strconv.ParseFloat(fs[11], 64)
					st, _ := strconv.ParseFloat(fs[12], 64)
					e.cpu = (ut + st) / clockTicks
				}
			}
		}
		u[p] = e
	}
	return u
}

// clockTicks is USER_HZ, 100 on Linux for every architecture Go supports.
const clockTicks = 100

// growth is the peak memory (KiB) of after above the resident set of
// before, summed over the processes of before (a process tree's engines
// peak at different times: the sum bounds the tree's peak from above),
// and the CPU seconds spent in between.
func growth(before, after usage) (peakKiB, growKiB int64, cpu float64) {
	for p, b := range before {
		a, ok := after[p]
		if !ok {
			continue
		}
		peakKiB += a.hwm
		growKiB += a.hwm - b.rss
		cpu += a.cpu - b.cpu
	}
	return peakKiB, growKiB, cpu
}

// waitFor polls cond every 100 ms until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}
