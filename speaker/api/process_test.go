package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ze-bgp/ze/internal/syncbuf"
)

// TestMain lets the test binary act as an API program (the os.Args[0]
// re-exec pattern): ZE_API_HELPER selects what it does.
func TestMain(m *testing.M) {
	switch os.Getenv("ZE_API_HELPER") {
	case "":
		os.Exit(m.Run())
	case "long-line":
		// A line longer than the process's MaxLine, then a valid command;
		// print the two answers on stderr.
		fmt.Println(strings.Repeat("x", 5000))
		fmt.Println("# still alive")
		b := make([]byte, 64)
		n, _ := readFull(os.Stdin, b, len("error\ndone\n"))
		os.Stderr.Write(b[:n])
	}
	os.Exit(0)
}

func readFull(f *os.File, b []byte, want int) (int, error) {
	n := 0
	for n < want {
		k, err := f.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// recorder is a Handler (and ExitHandler) that keeps what it saw.
type recorder struct {
	mu    sync.Mutex
	cmds  []Command
	exits []exitCall
	fail  Kind // commands of this kind fail
}

type exitCall struct {
	err      error
	withdraw []Announcement
}

func (r *recorder) Handle(_ context.Context, p *Process, c Command) error {
	r.mu.Lock()
	r.cmds = append(r.cmds, c)
	r.mu.Unlock()
	if c.Kind == KindVersion {
		p.Reply("ze test")
	}
	if c.Kind == r.fail {
		return errors.New("refused")
	}
	return nil
}

func (r *recorder) Exited(_ *Process, err error, w []Announcement) {
	r.mu.Lock()
	r.exits = append(r.exits, exitCall{err, w})
	r.mu.Unlock()
}

// noLeak fails the test if goroutines started during it are still
// running shortly after it ends.
func noLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("goroutines: %d before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
		}
	})
}

func once() Respawn { return Respawn{Max: -1} }

// script runs sh -c script once and returns its stderr.
func script(t *testing.T, cfg Config, h Handler, sh string) string {
	t.Helper()
	var stderr syncbuf.Buffer
	cfg.Run = []string{"sh", "-c", sh}
	cfg.Stderr = &stderr
	if cfg.Respawn == (Respawn{}) {
		cfg.Respawn = once()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := New(cfg, h).Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "exited") {
		t.Fatalf("Run: %v", err)
	}
	return stderr.String()
}

func TestAck(t *testing.T) {
	tests := []struct {
		name   string
		ackOff bool
		cmds   []string
		want   string // answers, in order
	}{
		{"on", false, []string{"announce route 10.0.0.0/24 next-hop 192.0.2.1", "bogus", "# comment", "", "teardown"}, "done\nerror\ndone\nerror\n"},
		{"version output", false, []string{"version"}, "ze test\ndone\n"},
		{"disable", false, []string{"disable-ack", "bogus", "enable-ack", "bogus"}, "done\ndone\nerror\n"},
		{"silence", false, []string{"silence-ack", "bogus", "version", "enable-ack", "bogus"}, "ze test\ndone\nerror\n"},
		{"off", true, []string{"bogus", "enable-ack", "shutdown"}, "done\ndone\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			noLeak(t)
			h := &recorder{fail: KindTeardown}
			sh := fmt.Sprintf("printf '%s\\n'; head -n %d >&2", strings.Join(tc.cmds, `\n`), strings.Count(tc.want, "\n"))
			got := script(t, Config{Name: "ack", AckOff: tc.ackOff}, h, sh)
			if got != tc.want {
				t.Errorf("answers %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLongLine(t *testing.T) {
	noLeak(t)
	var stderr syncbuf.Buffer
	cfg := Config{Name: "long", Run: []string{os.Args[0]}, Env: append(os.Environ(), "ZE_API_HELPER=long-line"),
		MaxLine: 1024, Respawn: once(), Stderr: &stderr}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p := New(cfg, &recorder{})
	if err := p.Run(ctx); err == nil {
		t.Fatal("Run returned nil")
	}
	if got := stderr.String(); got != "error\ndone\n" {
		t.Errorf("answers %q", got)
	}
	if s := p.Stats(); s.Commands != 2 || s.Errors != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestEvents(t *testing.T) {
	noLeak(t)
	var stderr syncbuf.Buffer
	cfg := Config{Name: "cat", Run: []string{"sh", "-c", "cat >&2"}, Encoder: EncoderText, Stderr: &stderr, Grace: 200 * time.Millisecond}
	p := New(cfg, &recorder{})
	if p.Send([]byte("before start")) {
		t.Error("Send succeeded with no program running")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	waitFor(t, func() bool { return p.Stats().Running })
	for _, ev := range []string{"one", "two\n", "three"} {
		if !p.Send([]byte(ev)) {
			t.Errorf("Send(%q) refused", ev)
		}
	}
	waitFor(t, func() bool { return strings.Count(stderr.String(), "\n") == 3 })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	got := stderr.String()
	if !strings.HasPrefix(got, "one\ntwo\nthree\nshutdown ") {
		t.Errorf("events %q", got)
	}
	if s := p.Stats(); s.Running || s.Dropped != 1 {
		t.Errorf("stats %+v", s)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A program that never reads: the queue fills, Send never blocks, and
// the policy applies.
func TestSlowConsumer(t *testing.T) {
	event := bytes.Repeat([]byte("x"), 1024)
	t.Run("drop-events", func(t *testing.T) {
		noLeak(t)
		p := New(Config{Name: "slow", Run: []string{"sleep", "30"}, Queue: 8, Policy: DropEvents, Grace: 100 * time.Millisecond}, &recorder{})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- p.Run(ctx) }()
		waitFor(t, func() bool { return p.Stats().Running })
		start := time.Now()
		sent := 0
		for range 10000 {
			if p.Send(event) {
				sent++
			}
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("10000 Sends took %v", d)
		}
		s := p.Stats()
		if s.Dropped == 0 || s.Kills != 0 || !s.Running || s.QueueDepth > 8 || s.QueueMaxDepth != 8 || int(s.Dropped)+sent != 10000 {
			t.Errorf("stats %+v, sent %d", s, sent)
		}
		start = time.Now()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("stop took %v", d)
		}
	})
	t.Run("drop-process", func(t *testing.T) {
		noLeak(t)
		h := &recorder{}
		p := New(Config{Name: "slow", Run: []string{"sleep", "30"}, Queue: 8, Policy: DropProcess,
			Respawn: Respawn{Max: 1, Window: time.Minute, Backoff: 10 * time.Millisecond}}, h)
		done := make(chan error)
		go func() { done <- p.Run(context.Background()) }()
		pid := 0
		for kill := 1; kill <= 2; kill++ {
			waitFor(t, func() bool { s := p.Stats(); return s.Running && s.PID != pid })
			pid = p.Stats().PID
			for p.Send(event) {
			}
			if s := p.Stats(); s.Kills != uint64(kill) {
				t.Errorf("kill %d: stats %+v", kill, s)
			}
			for range 100 { // further Sends neither block nor kill again
				p.Send(event)
			}
			if s := p.Stats(); s.Kills != uint64(kill) {
				t.Errorf("kill %d: stats %+v", kill, s)
			}
		}
		select {
		case err := <-done:
			if !errors.Is(err, ErrRespawnLimit) {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return")
		}
		if s := p.Stats(); s.Restarts != 1 || len(h.exits) != 2 {
			t.Errorf("stats %+v, exits %d", s, len(h.exits))
		}
	})
}

func TestRespawnLimit(t *testing.T) {
	noLeak(t)
	h := &recorder{}
	p := New(Config{Name: "crash", Run: []string{"sh", "-c", "exit 3"},
		Respawn: Respawn{Max: 2, Window: time.Minute, Backoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}}, h)
	start := time.Now()
	err := p.Run(context.Background())
	if !errors.Is(err, ErrRespawnLimit) || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("Run: %v", err)
	}
	if s := p.Stats(); s.Restarts != 2 || len(h.exits) != 3 || s.Running {
		t.Errorf("stats %+v, exits %d", s, len(h.exits))
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
	// A program that cannot start counts as one that exited.
	p = New(Config{Name: "missing", Run: []string{"/nonexistent/ze-api-test"}, Respawn: once()}, h)
	if err := p.Run(context.Background()); err == nil {
		t.Error("Run of a missing program returned nil")
	}
}

func TestWithdrawOnExit(t *testing.T) {
	noLeak(t)
	h := &recorder{}
	cmds := []string{
		"announce route 10.0.0.0/24 next-hop 192.0.2.1",
		"announce route 10.0.1.0/24 next-hop 192.0.2.1",
		"withdraw route 10.0.0.0/24",
		"neighbor 192.0.2.9 announce route 10.0.2.0/24 next-hop self",
		"announce attributes next-hop 192.0.2.1 nlri 10.0.3.0/24 10.0.4.0/24",
		"withdraw attributes nlri 10.0.4.0/24",
		"neighbor 192.0.2.9 announce route 10.0.5.0/24 next-hop self",
		"withdraw route 10.0.5.0/24", // another selection: not a withdrawal of the above
	}
	sh := fmt.Sprintf("printf '%s\\n'; head -n %d >/dev/null", strings.Join(cmds, `\n`), len(cmds))
	script(t, Config{Name: "w", WithdrawOnExit: true}, h, sh)
	if len(h.exits) != 1 {
		t.Fatalf("exits %d", len(h.exits))
	}
	got := map[string]Announcement{}
	for _, a := range h.exits[0].withdraw {
		if !a.Route.Withdraw {
			t.Errorf("%s is not a withdrawal", a.Route.Prefix)
		}
		got[a.Route.Prefix.String()] = a
	}
	if len(got) != 4 {
		t.Errorf("withdraw %v", got)
	}
	for _, p := range []string{"10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.0.5.0/24"} {
		if _, ok := got[p]; !ok {
			t.Errorf("%s not withdrawn", p)
		}
	}
	if a := got["10.0.2.0/24"]; !a.NextHopSelf || len(a.Neighbors) != 1 {
		t.Errorf("10.0.2.0/24: %+v", a)
	}

	// Without the flag nothing is recorded.
	h = &recorder{}
	script(t, Config{Name: "w"}, h, sh)
	if len(h.exits) != 1 || h.exits[0].withdraw != nil {
		t.Errorf("exits %+v", h.exits)
	}
}

func TestPolicyAndEncoderNames(t *testing.T) {
	for _, s := range []string{"drop-process", "drop-events"} {
		p, err := ParsePolicy(s)
		if err != nil || p.String() != s {
			t.Errorf("policy %q: %v %v", s, p, err)
		}
	}
	for _, s := range []string{"json", "text", "ze-json"} {
		e, err := ParseEncoder(s)
		if err != nil || e.String() != s {
			t.Errorf("encoder %q: %v %v", s, e, err)
		}
	}
	if _, err := ParsePolicy("block"); err == nil {
		t.Error("ParsePolicy(block)")
	}
	if _, err := ParseEncoder("xml"); err == nil {
		t.Error("ParseEncoder(xml)")
	}
}
