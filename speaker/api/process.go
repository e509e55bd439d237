package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"
)

// Policy is what a Process does when its queue is full.
type Policy uint8

// Policies.
const (
	// DropProcess kills the process (it is then respawned within its
	// Respawn limit): a consumer that cannot keep up loses its session
	// with the speaker, never the speaker's sessions.
	DropProcess Policy = iota
	// DropEvents discards the events that do not fit and counts them;
	// the process keeps running and misses them.
	DropEvents
)

// String returns "drop-process" or "drop-events".
func (p Policy) String() string {
	if p == DropEvents {
		return "drop-events"
	}
	return "drop-process"
}

// ParsePolicy reads "drop-process" or "drop-events".
func ParsePolicy(s string) (Policy, error) {
	switch s {
	case "drop-process":
		return DropProcess, nil
	case "drop-events":
		return DropEvents, nil
	}
	return 0, errorf("unknown queue policy %q (drop-process or drop-events)", s)
}

// Respawn limits restarts: a process that exits is started again after
// Backoff (doubled after each restart up to MaxBackoff, reset after a
// run longer than Window), at most Max times within Window. Max < 0
// never restarts. The zero Respawn means DefaultRespawn.
type Respawn struct {
	Max        int
	Window     time.Duration
	Backoff    time.Duration
	MaxBackoff time.Duration
}

// DefaultRespawn is ExaBGP's limit (5 restarts a minute) with a backoff
// from 100ms to 10s.
var DefaultRespawn = Respawn{Max: 5, Window: time.Minute, Backoff: 100 * time.Millisecond, MaxBackoff: 10 * time.Second}

// ErrRespawnLimit is returned by Run when the process exited more often
// than its Respawn limit allows.
var ErrRespawnLimit = errors.New("api: respawn limit reached")

// Config describes one external program.
type Config struct {
	Name    string
	Run     []string // the command line; Run[0] is looked up in PATH
	Env     []string // the environment; nil inherits the speaker's
	Dir     string   // the working directory; "" is the speaker's
	Encoder Encoder  // the format of events

	// Queue is how many event lines may wait for the process (default
	// 4096); Policy says what happens beyond that.
	Queue  int
	Policy Policy

	Respawn Respawn
	// WithdrawOnExit makes the process remember the routes it announced
	// (and did not withdraw) and hand them to the ExitHandler as
	// withdrawals when it exits.
	WithdrawOnExit bool
	// AckOff starts the process with acknowledgements off (ExaBGP's
	// exabgp.api.ack=false); the default is on.
	AckOff bool
	// MaxLine is the longest command line in octets (default and
	// maximum MaxLine); a longer line is answered "error".
	MaxLine int
	// Grace is how long a stopping process has between the end of its
	// input and SIGTERM, and between SIGTERM and SIGKILL (default 2s).
	Grace time.Duration
	// Stderr receives the process's standard error (nil: discarded).
	Stderr io.Writer
	// Logger receives the process's lifecycle and rejected commands
	// (nil: discarded).
	Logger *slog.Logger
}

// Handler runs the commands of processes; the speaker implements it.
// Handle is called on the process's own reader goroutine, one command at
// a time, so a slow Handle delays only that process. A nil error answers
// "done", any error "error". Output for the process (show commands) is
// written with Process.Reply before returning. The acknowledgement
// commands and comments are handled by Process and never reach Handle.
type Handler interface {
	Handle(ctx context.Context, p *Process, cmd Command) error
}

// ExitHandler may be implemented by a Handler to hear when a run of the
// process ends (err is the exit status, or nil for a clean exit).
// withdraw holds, when Config.WithdrawOnExit is set, the routes the
// process announced and did not withdraw, as withdrawals. It is called
// on Run's goroutine before any respawn.
type ExitHandler interface {
	Exited(p *Process, err error, withdraw []Announcement)
}

// Process supervises one external program: it starts it, reads its
// commands, queues events and answers to it, and restarts it when it
// exits. Create it with New and drive it with Run; Send and Reply may
// be called from any goroutine at any time.
type Process struct {
	cfg  Config
	h    Handler
	log  *slog.Logger
	inst atomic.Pointer[instance] // the running child, nil between runs

	mu        sync.Mutex
	announced map[announceKey]Announcement

	restarts, kills, commands, errors, lost atomic.Uint64
}

// New returns a Process for cfg whose commands go to h. Defaults are
// filled in for zero fields.
func New(cfg Config, h Handler) *Process {
	if cfg.Queue <= 0 {
		cfg.Queue = 4096
	}
	if cfg.Respawn == (Respawn{}) {
		cfg.Respawn = DefaultRespawn
	}
	if cfg.MaxLine <= 0 || cfg.MaxLine > MaxLine {
		cfg.MaxLine = MaxLine
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 2 * time.Second
	}
	l := cfg.Logger
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return &Process{cfg: cfg, h: h, log: l.With("process", cfg.Name), announced: map[announceKey]Announcement{}}
}

// Name returns the configured name.
func (p *Process) Name() string { return p.cfg.Name }

// Encoder returns the configured event format.
func (p *Process) Encoder() Encoder { return p.cfg.Encoder }

// Run starts the program and supervises it until ctx is cancelled (then
// it stops the program and returns nil) or the program exits more often
// than Config.Respawn allows (ErrRespawnLimit, wrapped with the last
// exit). A program that cannot be started counts as one that exited.
// Stopping sends the encoder's shutdown event, closes the program's
// standard input, and after Grace sends SIGTERM, after another Grace
// SIGKILL, to its process group.
func (p *Process) Run(ctx context.Context) error {
	rs := p.cfg.Respawn
	backoff := rs.Backoff
	var recent []time.Time
	for {
		started := time.Now()
		err := p.runOnce(ctx)
		p.exited(err)
		if ctx.Err() != nil {
			return nil
		}
		if rs.Max < 0 {
			return fmt.Errorf("api: process %s exited: %v", p.cfg.Name, exitText(err))
		}
		now := time.Now()
		if now.Sub(started) > rs.Window {
			backoff = rs.Backoff
		}
		keep := recent[:0]
		for _, t := range recent {
			if now.Sub(t) < rs.Window {
				keep = append(keep, t)
			}
		}
		recent = keep
		if len(recent) >= rs.Max {
			return fmt.Errorf("%w: %s exited %d times within %s, last: %v", ErrRespawnLimit, p.cfg.Name, len(recent)+1, rs.Window, exitText(err))
		}
		p.log.Warn("process exited, respawning", "err", exitText(err), "backoff", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, max(rs.MaxBackoff, rs.Backoff))
		recent = append(recent, time.Now())
		p.restarts.Add(1)
	}
}

func exitText(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// Send queues one event line (a trailing newline is added when missing)
// for the running program and reports whether it was queued. It never
// blocks and keeps no reference to event. When the queue is full the
// Policy applies; when no program is running the event is dropped.
func (p *Process) Send(event []byte) bool {
	inst := p.inst.Load()
	if inst == nil {
		p.lost.Add(1)
		return false
	}
	if inst.q.Push(line(event)) {
		return true
	}
	p.full(inst)
	return false
}

// Reply queues one line of command output (for show commands) like
// Send; Handle calls it before returning. It bypasses the
// acknowledgement setting, as ExaBGP's output does.
func (p *Process) Reply(text string) bool { return p.Send([]byte(text)) }

// line copies b and ends it with '\n'.
func line(b []byte) []byte {
	n := len(b)
	if n > 0 && b[n-1] == '\n' {
		return append([]byte(nil), b...)
	}
	out := make([]byte, n+1)
	copy(out, b)
	out[n] = '\n'
	return out
}

// full applies the policy to a refused line. A line refused because the
// run is over (its queue closed: the program exited or is stopping, e.g.
// the answer to its last command) is only counted, never a kill.
func (p *Process) full(inst *instance) {
	if p.cfg.Policy != DropProcess || inst.q.isClosed() {
		return
	}
	if inst.killed.CompareAndSwap(false, true) {
		p.kills.Add(1)
		p.log.Warn("queue full, killing process", "queue", inst.q.Cap(), "policy", p.cfg.Policy.String())
		signalGroup(inst.pid, true)
	}
}

// Stats is a snapshot of a process's counters (docs/api.md names the
// metrics built from them).
type Stats struct {
	Running       bool
	PID           int    // 0 when not running
	QueueDepth    int    // lines waiting for the running program
	QueueCap      int    // Config.Queue
	QueueMaxDepth int    // the running program's largest depth
	Dropped       uint64 // lines not queued: full queue, or no program running
	Kills         uint64 // programs killed because their queue was full
	Restarts      uint64
	Commands      uint64 // command lines read
	Errors        uint64 // commands answered (or that would be answered) "error"
}

// Stats returns the current counters.
func (p *Process) Stats() Stats {
	s := Stats{
		QueueCap: p.cfg.Queue, Dropped: p.lost.Load(), Kills: p.kills.Load(),
		Restarts: p.restarts.Load(), Commands: p.commands.Load(), Errors: p.errors.Load(),
	}
	if inst := p.inst.Load(); inst != nil {
		s.Running, s.PID = true, inst.pid
		s.QueueDepth, s.QueueMaxDepth = inst.q.Len(), inst.q.MaxDepth()
		s.Dropped += inst.q.Dropped()
	}
	return s
}

// instance is one run of the program.
type instance struct {
	pid    int
	q      *Queue
	stdin  *os.File // our end of its standard input
	stdout *os.File // our end of its standard output
	ack    bool     // answers on; touched by the reader goroutine only
	killed atomic.Bool
}

// runOnce starts the program and returns when it has exited and its
// goroutines have ended.
func (p *Process) runOnce(ctx context.Context) error {
	if len(p.cfg.Run) == 0 {
		return errorf("process %s has no command", p.cfg.Name)
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return err
	}
	cmd := exec.Command(p.cfg.Run[0], p.cfg.Run[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Env, cmd.Dir = inR, outW, p.cfg.Env, p.cfg.Dir
	if p.cfg.Stderr != nil {
		cmd.Stderr = p.cfg.Stderr
		cmd.WaitDelay = p.cfg.Grace
	}
	isolate(cmd)
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return err
	}
	inst := &instance{pid: cmd.Process.Pid, q: NewQueue(p.cfg.Queue), stdin: inW, stdout: outR, ack: !p.cfg.AckOff}
	p.log.Info("process started", "pid", inst.pid)
	p.inst.Store(inst)

	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	wrote := make(chan struct{})
	go p.writer(inst, wrote)
	read := make(chan struct{})
	go p.reader(ctx, inst, read)

	select {
	case err = <-waited:
	case <-ctx.Done():
		err = p.stop(inst, waited, wrote)
	}
	p.inst.Store(nil)
	p.lost.Add(inst.q.Dropped())
	inst.q.Close()
	// Let the reader take what the program wrote before it exited, then
	// release it even if a grandchild still holds the pipe open.
	_ = outR.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	<-read
	inW.Close()
	<-wrote
	outR.Close()
	signalGroup(inst.pid, true) // whatever it left behind
	return err
}

// stop ends a run when the speaker stops: shutdown event, end of input,
// SIGTERM, SIGKILL, each after Grace at most.
func (p *Process) stop(inst *instance, waited <-chan error, wrote <-chan struct{}) error {
	if ev := shutdownEvent(p.cfg.Encoder); ev != nil {
		inst.q.pushAnswer(ev)
	}
	inst.q.Close()
	select {
	case <-wrote:
	case <-time.After(p.cfg.Grace):
	}
	inst.stdin.Close() // EOF: most scripts exit on it
	for _, kill := range []bool{false, true} {
		select {
		case err := <-waited:
			return err
		case <-time.After(p.cfg.Grace):
		}
		signalGroup(inst.pid, kill)
	}
	return <-waited
}

// writer copies queued lines to the program's standard input until the
// queue is closed and empty or a write fails (the program is gone).
func (p *Process) writer(inst *instance, done chan<- struct{}) {
	defer close(done)
	for {
		b, ok := inst.q.Pop(nil)
		if !ok {
			return
		}
		if _, err := inst.stdin.Write(b); err != nil {
			// Keep popping so that Close is not waited on; the lines are lost.
			for {
				if _, ok := inst.q.Pop(nil); !ok {
					return
				}
			}
		}
	}
}
