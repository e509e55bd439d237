package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// maxOutput bounds what is read into memory of one stream; the log file
// on disk has everything.
const maxOutput = 64 << 20

// pollInterval is how often a growing output is looked at while waiting
// for a text.
const pollInterval = 10 * time.Millisecond

// output is one stream of a process. The process writes straight into
// a log file (no pipe, so a process that exits is seen at once, even
// when something it started still holds the stream); checks read the
// file.
type output struct {
	path      string
	file      *os.File
	mu        sync.Mutex
	final     string // the content once the process has ended
	done      bool
	truncated bool
}

func newOutput(path string) (*output, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &output{path: path, file: f}, nil
}

// String is what was written so far (at most maxOutput octets); once the
// process has ended, always the same string.
func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.done {
		return o.final
	}
	s, _ := o.read()
	return s
}

func (o *output) read() (string, bool) {
	f, err := os.Open(o.path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, maxOutput+1))
	if len(b) > maxOutput {
		return string(b[:maxOutput]), true
	}
	return string(b), false
}

// close reads the final content once the process has ended.
func (o *output) close() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.file.Close()
	o.final, o.truncated = o.read()
	o.done = true
}

// process is one started Proc.
type process struct {
	p        *Proc
	argv     []string
	cmd      *exec.Cmd
	stdout   *output
	stderr   *output
	done     chan struct{} // closed once the process has been reaped
	started  time.Time
	ended    time.Time
	code     int    // exit code; -1 when killed by a signal
	status   string // "exit 0", "killed by signal terminated"
	timedOut bool   // killed by its own timeout
	stopped  bool   // stopped by the runner at the end
	mu       sync.Mutex
}

// start starts p in dir with env; stdin is an open file or nil.
func startProcess(p *Proc, argv []string, dir string, env []string, stdin *os.File) (*process, error) {
	pr := &process{p: p, argv: argv, done: make(chan struct{})}
	var err error
	if pr.stdout, err = newOutput(filepath.Join(dir, p.Name+".stdout")); err != nil {
		return nil, err
	}
	if pr.stderr, err = newOutput(filepath.Join(dir, p.Name+".stderr")); err != nil {
		pr.stdout.close()
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, pr.stdout.file, pr.stderr.file
	if stdin != nil {
		cmd.Stdin = stdin
	}
	setProcessGroup(cmd)
	pr.cmd = cmd
	if err := cmd.Start(); err != nil {
		pr.stdout.close()
		pr.stderr.close()
		return nil, err
	}
	pr.started = time.Now()
	var timer *time.Timer
	if p.Timeout > 0 {
		timer = time.AfterFunc(p.Timeout, func() {
			pr.mu.Lock()
			pr.timedOut = true
			pr.mu.Unlock()
			pr.kill(syscall.SIGKILL)
		})
	}
	go func() {
		err := cmd.Wait()
		if timer != nil {
			timer.Stop()
		}
		pr.mu.Lock()
		pr.ended = time.Now()
		pr.code = cmd.ProcessState.ExitCode()
		pr.status = exitStatus(cmd.ProcessState, err)
		pr.mu.Unlock()
		killGroup(cmd.Process.Pid, syscall.SIGKILL) // what it left running in its group
		pr.stdout.close()
		pr.stderr.close()
		close(pr.done)
	}()
	return pr, nil
}

func exitStatus(st *os.ProcessState, err error) string {
	if st == nil {
		return fmt.Sprint(err)
	}
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "killed by signal " + ws.Signal().String()
	}
	return fmt.Sprintf("exit %d", st.ExitCode())
}

func (pr *process) exited() bool {
	select {
	case <-pr.done:
		return true
	default:
		return false
	}
}

// kill sends sig to the process group of pr while pr runs.
func (pr *process) kill(sig syscall.Signal) {
	if !pr.exited() {
		killGroup(pr.cmd.Process.Pid, sig)
	}
}

// signal sends sig to the process itself (not its group).
func (pr *process) signal(sig syscall.Signal) error {
	if pr.exited() {
		return fmt.Errorf("it has already exited (%s)", pr.status)
	}
	return pr.cmd.Process.Signal(sig)
}

// stop ends pr: SIGTERM to its group, SIGKILL after grace.
func (pr *process) stop(grace time.Duration) {
	if pr.exited() {
		return
	}
	pr.mu.Lock()
	pr.stopped = true
	pr.mu.Unlock()
	pr.kill(syscall.SIGTERM)
	select {
	case <-pr.done:
		return
	case <-time.After(grace):
	}
	pr.kill(syscall.SIGKILL)
	<-pr.done
}

// wait waits for pr to exit; false when ctx ended first.
func (pr *process) wait(ctx context.Context) bool {
	select {
	case <-pr.done:
		return true
	case <-ctx.Done():
		return false
	}
}

var errExited = errors.New("exited")

// waitOutput waits until stdout or stderr contains text. It returns
// errExited when the process ends without printing it, or ctx's error.
func (pr *process) waitOutput(ctx context.Context, text string) error {
	seen := func() bool {
		return strings.Contains(pr.stdout.String(), text) || strings.Contains(pr.stderr.String(), text)
	}
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if seen() {
			return nil
		}
		select {
		case <-tick.C:
		case <-pr.done:
			if seen() {
				return nil
			}
			return errExited
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// result returns the exit code and status once pr has exited.
func (pr *process) result() (int, string, bool) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.code, pr.status, pr.timedOut
}
