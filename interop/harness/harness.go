// Package harness runs real routing daemons and ze for the interop
// tests: it builds the ze binaries once, makes a network namespace per
// test, starts processes in it (stopped by PID at cleanup), waits with
// deadlines, and reads ze-test peer sink output.
package harness

import (
	"bufio"
	"encoding/json"
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

// binDir holds the ze and ze-test binaries built once per test binary.
var binDir string

// Main is TestMain for an interop package: it runs the tests, then
// removes the binaries BuildZe built.
func Main(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildErr  error
)

// BuildZe builds ./cmd/ze and ./cmd/ze-test of the module around the
// working directory (found by walking up to go.mod) once, and returns
// their paths.
func BuildZe(t *testing.T) (ze, zeTest string) {
	t.Helper()
	buildOnce.Do(func() {
		root, err := os.Getwd()
		if err != nil {
			buildErr = err
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(root)
			if parent == root {
				buildErr = fmt.Errorf("no go.mod above the working directory")
				return
			}
			root = parent
		}
		binDir, buildErr = os.MkdirTemp("", "ze-interop-bin-")
		if buildErr != nil {
			return
		}
		for _, name := range []string{"ze", "ze-test"} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, name), "./cmd/"+name)
			cmd.Dir = root
			if out, err := cmd.CombinedOutput(); err != nil {
				buildErr = fmt.Errorf("go build ./cmd/%s: %v\n%s", name, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, "ze"), filepath.Join(binDir, "ze-test")
}

// Netns is a network namespace of one test, deleted by t.Cleanup.
type Netns string

// NewNetns creates the namespace ze-NAME-PID with lo up, or skips the
// test when namespaces cannot be made (not root, no ip command).
func NewNetns(t *testing.T, name string) Netns {
	t.Helper()
	needNetns(t)
	return newNetns(t, fmt.Sprintf("ze-%s-%d", name, os.Getpid()))
}

// needNetns skips the test when network namespaces cannot be made: not
// root, no ip command.
func needNetns(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("no ip command (iproute2): cannot make a network namespace")
	}
}

// newNetns creates the namespace name (deleting a leftover of a killed
// run first) with lo up; t.Cleanup deletes it, after the processes
// started in it later, which cleanups registered later stop first. It
// skips the test when ip netns add fails.
func newNetns(t *testing.T, name string) Netns {
	t.Helper()
	exec.Command("ip", "netns", "del", name).Run()
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Skipf("network namespaces unavailable: ip netns add: %v: %s", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			t.Errorf("ip netns del %s: %v: %s", name, err, out)
		}
	})
	ns := Netns(name)
	ns.Run(t, "ip", "link", "set", "lo", "up")
	return ns
}

// Run runs a short command in the namespace and returns its combined
// output; it fails the test on error.
func (ns Netns) Run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := ns.Output(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// Output runs a short command (at most 10 s) in the namespace.
func (ns Netns) Output(name string, args ...string) (string, error) {
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

// Proc is a process the test started in its namespace (ip netns exec
// execs the program, so the PID is the program's).
type Proc struct {
	name     string
	cmd      *exec.Cmd
	stdout   string // file
	stderr   string // file
	done     chan struct{}
	err      error
	stopOnce sync.Once

	// StopGrace is how long Stop waits after SIGTERM before SIGKILL (5 s
	// when zero): daemons holding a large table take longer to exit.
	// Set it before Stop runs.
	StopGrace time.Duration
}

// Signal sends sig to the process (by its PID).
func (p *Proc) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// PID is the process's ID.
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// Done is closed once the process exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Exited reports whether the process exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Err is the process's exit error (nil for a clean exit), once Done is
// closed.
func (p *Proc) Err() error {
	<-p.done
	return p.err
}

// Tree returns the PIDs of the process and of its live descendants
// (OpenBGPD's engines, ze's API processes), the process first.
func (p *Proc) Tree() []int { return append([]int{p.PID()}, descendants(p.PID())...) }

// Start starts name args… in the namespace, output to DIR/LABEL.out and
// .err; t.Cleanup stops it by PID.
func (ns Netns) Start(t *testing.T, dir, label, name string, args ...string) *Proc {
	t.Helper()
	return ns.StartEnv(t, dir, label, nil, name, args...)
}

// StartEnv is Start with env (NAME=VALUE entries) added to the
// environment.
func (ns Netns) StartEnv(t *testing.T, dir, label string, env []string, name string, args ...string) *Proc {
	t.Helper()
	p := &Proc{name: label, stdout: filepath.Join(dir, label+".out"), stderr: filepath.Join(dir, label+".err"), done: make(chan struct{})}
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
	t.Cleanup(p.Stop)
	return p
}

// Stop sends SIGTERM, then SIGKILL after StopGrace, and waits for the
// exit. Descendants still alive 5 s after the process's exit (the
// engines of a daemon killed before it could stop them) are killed by
// PID.
func (p *Proc) Stop() {
	p.stopOnce.Do(func() {
		if p.Exited() {
			return
		}
		kids := descendants(p.PID())
		grace := p.StopGrace
		if grace == 0 {
			grace = 5 * time.Second
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(grace):
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

// Wait waits at most d for the process to exit and returns its error.
func (p *Proc) Wait(t *testing.T, d time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(d):
		t.Fatalf("%s did not exit within %v\nstdout:\n%s\nstderr:\n%s", p.name, d, p.Out(), Tail(p.ErrOut()))
		return nil
	}
}

func (p *Proc) Out() string    { b, _ := os.ReadFile(p.stdout); return string(b) }
func (p *Proc) ErrOut() string { b, _ := os.ReadFile(p.stderr); return string(b) }

// WaitFor polls cond every 200 ms until it holds, failing the test after
// d with what cond last said.
func WaitFor(t *testing.T, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s; last:\n%s", d, what, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// JSONLines decodes the lines of s that are JSON objects.
func JSONLines(s string) []map[string]any {
	var objs []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			objs = append(objs, m)
		}
	}
	return objs
}

// SinkRoute is a route the sink peer received: its attributes, as ze
// rendered them, in JSON.
type SinkRoute struct {
	ASPath    string // e.g. "[65001]" (the ASNs of every segment)
	NextHop   string
	Community []string
}

// SinkRoutes reads the UPDATE lines of a `ze-test peer --decode` output
// and returns every announced prefix with its attributes, the number of
// End-of-RIB markers, and the sink report's families object.
func SinkRoutes(s string) (routes map[string]SinkRoute, eor int, report map[string]any) {
	routes = map[string]SinkRoute{}
	for _, o := range JSONLines(s) {
		if r, ok := o["sink"].(map[string]any); ok {
			report = r
			continue
		}
		u, ok := o["update"].(map[string]any)
		if !ok {
			continue
		}
		if _, ok := u["end-of-rib"]; ok {
			eor++
			continue
		}
		var r SinkRoute
		if a, ok := u["attributes"].(map[string]any); ok {
			var asns []string
			if segs, ok := a["as-path"].([]any); ok {
				for _, sg := range segs {
					if m, ok := sg.(map[string]any); ok {
						if l, ok := m["asns"].([]any); ok {
							for _, x := range l {
								asns = append(asns, fmt.Sprint(x))
							}
						}
					}
				}
			}
			r.ASPath = "[" + strings.Join(asns, " ") + "]"
			r.NextHop, _ = a["next-hop"].(string)
			if cs, ok := a["community"].([]any); ok {
				for _, c := range cs {
					r.Community = append(r.Community, fmt.Sprint(c))
				}
			}
		}
		anns, _ := u["announce"].([]any)
		for _, an := range anns {
			m, _ := an.(map[string]any)
			nl, _ := m["nlri"].([]any)
			for _, n := range nl {
				if nm, ok := n.(map[string]any); ok {
					if p, ok := nm["prefix"].(string); ok {
						routes[p] = r
					}
				}
			}
		}
	}
	return routes, eor, report
}

func Tail(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// StartZeConf writes ze's configuration conf to DIR/ze.conf, starts
// `ze --listen LISTEN ARGS… DIR/ze.conf` in ns (output in DIR/ze.out and
// .err) and waits until it listens. Unlike StartZe it adds no control
// process.
func StartZeConf(t *testing.T, ns Netns, dir, zeBin, conf, listen string, args ...string) *Proc {
	t.Helper()
	file := filepath.Join(dir, "ze.conf")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	ze := ns.Start(t, dir, "ze", zeBin, append(append([]string{"--listen", listen}, args...), file)...)
	WaitFor(t, 10*time.Second, "ze listening", func() (bool, string) {
		return strings.Contains(ze.Out(), "ze: listening "), ze.Out() + ze.ErrOut()
	})
	return ze
}

// StopZe sends SIGTERM to a running ze and checks that it exits cleanly
// within 10 s and printed "ze: stopped" (its graceful shutdown: every
// session got Cease / Administrative Shutdown first).
func StopZe(t *testing.T, ze *Proc) {
	t.Helper()
	if err := ze.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := ze.Wait(t, 10*time.Second); err != nil {
		t.Errorf("ze exit: %v\n%s", err, Tail(ze.ErrOut()))
	}
	if !strings.Contains(ze.Out(), "ze: stopped") {
		t.Errorf("ze stdout has no \"ze: stopped\":\n%s", ze.Out())
	}
}
