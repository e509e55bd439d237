//go:build interop

package propagation

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The lab: two network namespaces joined by a veth pair, so that every
// device under test sees its two neighbours on a directly connected
// subnet (no multihop, no martian next hops, nothing else in its
// namespace):
//
//	zepb-PID-p  v0 10.98.0.3 (inject, AS 65003), 10.98.0.4 (sink, AS 65004)
//	     |
//	zepb-PID-d  v1 10.98.0.1 (the device under test, AS 65000, port 179)
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
	dut, peers netns
}

// netns is a network namespace name.
type netns string

func newLab(t *testing.T) *lab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("no ip command (iproute2)")
	}
	base := fmt.Sprintf("zepb-%d", os.Getpid())
	l := &lab{dut: netns(base + "-d"), peers: netns(base + "-p")}
	for _, ns := range []netns{l.dut, l.peers} {
		exec.Command("ip", "netns", "del", string(ns)).Run() // a leftover of a killed run
		if out, err := exec.Command("ip", "netns", "add", string(ns)).CombinedOutput(); err != nil {
			t.Skipf("network namespaces unavailable: ip netns add: %v: %s", err, strings.TrimSpace(string(out)))
		}
		t.Cleanup(func() {
			if out, err := exec.Command("ip", "netns", "del", string(ns)).CombinedOutput(); err != nil {
				t.Errorf("ip netns del %s: %v: %s", ns, err, out)
			}
		})
	}
	for _, args := range [][]string{
		{"-n", string(l.peers), "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", string(l.dut)},
		{"-n", string(l.peers), "addr", "add", injectAddr + "/24", "dev", "v0"},
		{"-n", string(l.peers), "addr", "add", sinkAddr + "/24", "dev", "v0"},
		{"-n", string(l.dut), "addr", "add", dutAddr + "/24", "dev", "v1"},
		{"-n", string(l.peers), "link", "set", "lo", "up"},
		{"-n", string(l.dut), "link", "set", "lo", "up"},
		{"-n", string(l.peers), "link", "set", "v0", "up"},
		{"-n", string(l.dut), "link", "set", "v1", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return l
}

// output runs a short command (at most 10 s) in the namespace.
func (ns netns) output(name string, args ...string) (string, error) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", string(ns), name}, args...)...)
	var b strings.Builder
	cmd.Stdout, cmd.Stderr = &b, &b
	if err := cmd.Start(); err != nil {
		return "", err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return b.String(), err
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		return b.String(), fmt.Errorf("timed out")
	}
}

// listening reports whether something listens on TCP port 179 in the
// namespace.
func (ns netns) listening() bool {
	out, err := ns.output("ss", "-Hltn", "sport = :179")
	return err == nil && strings.Contains(out, ":179")
}

// proc is a process started in a namespace (ip netns exec execs the
// program, so the PID is the program's), its output in DIR/LABEL.out
// and .err.
type proc struct {
	label          string
	cmd            *exec.Cmd
	stdout, stderr string
	done           chan struct{}
	err            error
	stopOnce       sync.Once
}

// start starts name args… in ns with extra environment env; t.Cleanup
// stops it.
func (ns netns) start(t *testing.T, dir, label string, env []string, name string, args ...string) *proc {
	t.Helper()
	p := &proc{label: label, stdout: filepath.Join(dir, label+".out"), stderr: filepath.Join(dir, label+".err"), done: make(chan struct{})}
	so, err := os.Create(p.stdout)
	if err != nil {
		t.Fatal(err)
	}
	se, err := os.Create(p.stderr)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command("ip", append([]string{"netns", "exec", string(ns), name}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = so, se
	if len(env) > 0 {
		p.cmd.Env = append(os.Environ(), env...)
	}
	if err := p.cmd.Start(); err != nil {
		so.Close()
		se.Close()
		t.Fatalf("start %s: %v", label, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		so.Close()
		se.Close()
		close(p.done)
	}()
	t.Cleanup(p.stop)
	return p
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits at most d for the exit; false when it is still running.
func (p *proc) wait(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

// stop sends SIGTERM, then SIGKILL after 30 s (FRR and GoBGP holding a
// large table take long to exit), and waits. Children still alive after
// the parent's exit (OpenBGPD's engines) are killed by PID.
func (p *proc) stop() {
	p.stopOnce.Do(func() {
		if p.exited() {
			return
		}
		kids := descendants(p.pid())
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		if !p.wait(30 * time.Second) {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		for _, k := range kids {
			for i := 0; i < 50 && alive(k); i++ {
				time.Sleep(100 * time.Millisecond)
			}
			if alive(k) {
				_ = syscall.Kill(k, syscall.SIGKILL)
			}
		}
	})
}

func (p *proc) out() string    { b, _ := os.ReadFile(p.stdout); return string(b) }
func (p *proc) errOut() string { b, _ := os.ReadFile(p.stderr); return string(b) }

// alive reports whether pid is a live process (not a zombie).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, rest, ok := strings.Cut(string(b), ") ")
	return ok && !strings.HasPrefix(rest, "Z")
}

// descendants lists the PIDs whose parent chain reaches pid.
func descendants(pid int) []int {
	parent := map[int]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces and parentheses.
		_, rest, ok := strings.Cut(string(b), ") ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 2 {
			continue
		}
		pp, _ := strconv.Atoi(f[1])
		parent[n] = pp
	}
	var out []int
	for n := range parent {
		for a, hops := parent[n], 0; a > 1 && hops < 64; a, hops = parent[a], hops+1 {
			if a == pid {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// usage is a process tree's memory (KiB) and CPU time, per PID.
type usage map[int]struct {
	rss, hwm int64   // VmRSS, VmHWM in KiB
	cpu      float64 // user + system seconds
}

// measure reads VmRSS, VmHWM and CPU time of pid and its descendants.
func measure(pid int) usage {
	u := usage{}
	for _, p := range append([]int{pid}, descendants(pid)...) {
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

func tail(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}
