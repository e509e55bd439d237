package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Status is the outcome of a file.
type Status int

// Outcomes.
const (
	Pass Status = iota
	Fail
	Skip
)

func (s Status) String() string {
	return [...]string{"PASS", "FAIL", "SKIP"}[s]
}

// Result is what running one file gave.
type Result struct {
	Path     string
	Status   Status
	Reason   string // Skip: why
	Duration time.Duration
	Failures []*Failure
	Tails    []string // the end of the outputs of the processes in a failure
	LogDir   string   // where the outputs are kept; "" when removed
	Log      string   // the transcript, with Options.Verbose
}

// Failure is one unmet expectation or failed step. Expected and Got are
// printed side by side.
type Failure struct {
	Line     int
	Source   string // the directive as written
	Summary  string // one line: what went wrong
	Expected string
	Got      string
	GotLabel string // the right column's title; "got" when empty
	Proc     string // the process whose output tail helps, if any
	Diff     bool   // Expected and Got are texts to align line by line
	stream   string // the stream a check looked at
}

// run is the state of one file being run.
type run struct {
	r       *Runner
	f       *File
	res     *Result
	dir     string
	timeout time.Duration
	vars    map[string]string
	env     []string
	procs   map[*Proc]*process
	order   []*process
	log     strings.Builder
}

const stopGrace = time.Second

// execute runs a parsed file.
func (r *Runner) execute(parent context.Context, f *File) *Result {
	res := &Result{Path: f.Path}
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	if reason := r.skipReason(f); reason != "" {
		res.Status, res.Reason = Skip, reason
		return res
	}
	dir, err := r.testDir(f.Path)
	if err != nil {
		res.Status = Fail
		res.Failures = append(res.Failures, &Failure{Summary: "cannot make the test directory: " + err.Error()})
		return res
	}
	t := &run{r: r, f: f, res: res, dir: dir, procs: map[*Proc]*process{}, timeout: f.Timeout}
	if t.timeout == 0 {
		t.timeout = r.opt.Timeout
	}
	if err := t.setup(); err != nil {
		t.fail(&Failure{Summary: err.Error()})
	} else {
		t.run(parent)
	}
	sort.SliceStable(res.Failures, func(i, j int) bool { return res.Failures[i].Line < res.Failures[j].Line })
	t.tails()
	res.Status = Pass
	if len(res.Failures) > 0 {
		res.Status = Fail
	}
	if r.opt.Verbose {
		t.transcript()
		res.Log = t.log.String()
	}
	r.finishDir(res, dir)
	return res
}

func (t *run) logf(format string, a ...any) {
	if t.r.opt.Verbose {
		fmt.Fprintf(&t.log, "    "+format+"\n", a...)
	}
}

func (t *run) fail(f *Failure) {
	t.res.Failures = append(t.res.Failures, f)
}

// setup allocates ports, sets the variables and writes the blocks.
func (t *run) setup() error {
	abs, _ := filepath.Abs(t.f.Path)
	t.vars = map[string]string{
		"TMP":    t.dir,
		"DIR":    filepath.Dir(abs),
		"SHARED": t.r.sharedDir(t.f.Path),
		"BIN":    t.r.opt.BinDir,
	}
	for _, v := range t.f.Ports {
		port, err := t.r.ports.Get()
		if err != nil {
			return fmt.Errorf("allocating $%s: %v", v, err)
		}
		t.vars[v] = strconv.Itoa(port)
		t.logf("$%s = %d", v, port)
	}
	for _, b := range t.f.Blocks {
		t.vars["FILE_"+b.Name] = filepath.Join(t.dir, b.Name)
	}
	for _, b := range t.f.Blocks {
		if err := os.WriteFile(filepath.Join(t.dir, b.Name), []byte(t.expand(b.Data)), 0o644); err != nil {
			return err
		}
	}
	path := os.Getenv("PATH")
	if t.r.opt.BinDir != "" {
		path = t.r.opt.BinDir + string(os.PathListSeparator) + path
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "TMPDIR=") {
			t.env = append(t.env, kv)
		}
	}
	t.env = append(t.env, "PATH="+path, "TMPDIR="+t.dir)
	for _, kv := range t.f.Env {
		t.env = append(t.env, t.expand(kv))
	}
	return nil
}

func (t *run) expand(s string) string {
	return scanVars(s, func(name string) (string, bool) {
		v, ok := t.vars[name]
		return v, ok
	})
}

func (t *run) run(parent context.Context) {
	ctx, cancel := context.WithTimeout(parent, t.timeout)
	defer cancel()
	for _, s := range t.f.Steps {
		if !t.step(ctx, s) {
			t.stopAll()
			return
		}
	}
	// wait for the processes whose exit code is expected
	late := map[*Proc]bool{}
	for _, e := range t.f.Expects {
		pr := t.procs[e.Proc]
		if e.Check.Kind != CheckExit || pr == nil || late[e.Proc] {
			continue
		}
		if !pr.wait(ctx) {
			late[e.Proc] = true
			t.fail(&Failure{Line: e.Line, Source: e.Source, Proc: e.Proc.Name,
				Summary:  fmt.Sprintf("%s was still running %s", e.Proc.Name, t.why(ctx)),
				Expected: checkText(&e.Check), Got: "still running"})
		}
	}
	t.stopAll()
	for _, pr := range t.order {
		if _, _, timedOut := pr.result(); timedOut {
			t.fail(&Failure{Line: pr.p.Line, Source: pr.p.Source, Proc: pr.p.Name,
				Summary: fmt.Sprintf("%s was killed after its timeout=%s", pr.p.Name, pr.p.Timeout)})
		}
	}
	for _, e := range t.f.Expects {
		pr := t.procs[e.Proc]
		if pr == nil || late[e.Proc] {
			continue
		}
		if _, _, timedOut := pr.result(); timedOut && e.Check.Kind == CheckExit {
			continue
		}
		if f := t.expect(e, pr); f != nil {
			t.fail(f)
		}
	}
}

func (t *run) stopAll() {
	for i := len(t.order) - 1; i >= 0; i-- {
		t.order[i].stop(stopGrace)
	}
}

// why says which deadline ended a wait.
func (t *run) why(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Sprintf("when the file's timeout (%s) expired", t.timeout)
	}
	return "when the run was interrupted"
}

// step runs one step; false stops the file.
func (t *run) step(ctx context.Context, s *Step) bool {
	if ctx.Err() != nil {
		t.fail(&Failure{Line: s.Line, Source: s.Source, Summary: "not run: " + strings.TrimPrefix(t.why(ctx), "when ")})
		return false
	}
	switch s.Kind {
	case StepStart:
		return t.start(ctx, s)
	case StepSignal:
		pr := t.procs[s.Proc]
		sig, _ := signalNumber(s.Signal)
		t.logf("[seq %d] signal SIG%s to %s", s.Seq, s.Signal, s.Proc.Name)
		if pr == nil {
			t.fail(&Failure{Line: s.Line, Source: s.Source, Summary: s.Proc.Name + " has not been started yet (check the seq= order)"})
			return true
		}
		if err := pr.signal(sig); err != nil {
			t.fail(&Failure{Line: s.Line, Source: s.Source, Proc: s.Proc.Name,
				Summary: fmt.Sprintf("cannot send SIG%s to %s: %v", s.Signal, s.Proc.Name, err)})
		}
		return true
	case StepWait:
		return t.wait(ctx, s)
	case StepSleep:
		t.logf("[seq %d] sleep %s", s.Seq, s.Sleep)
		select {
		case <-time.After(s.Sleep):
		case <-ctx.Done():
		}
		return true
	case StepHTTP:
		t.httpStep(ctx, s)
		return true
	}
	return true
}

func (t *run) start(ctx context.Context, s *Step) bool {
	p := s.Proc
	fail := func(summary string) bool {
		t.fail(&Failure{Line: s.Line, Source: s.Source, Proc: p.Name, Summary: summary})
		return false
	}
	words, err := splitWords(p.Exec)
	if err != nil {
		return fail(err.Error())
	}
	argv := make([]string, len(words))
	for i, w := range words {
		argv[i] = t.expand(w)
	}
	path, err := t.r.resolve(argv[0])
	if err != nil {
		return fail(fmt.Sprintf("cannot run %s: %v", argv[0], err))
	}
	argv[0] = path
	var stdin *os.File
	switch {
	case p.Stdin != "":
		stdin, err = os.Open(filepath.Join(t.dir, p.Stdin))
	case p.StdinFile != "":
		name := t.expand(p.StdinFile)
		if !filepath.IsAbs(name) {
			name = filepath.Join(t.vars["DIR"], name)
		}
		stdin, err = os.Open(name)
	}
	if err != nil {
		return fail("stdin: " + err.Error())
	}
	kind := "foreground"
	if p.Background {
		kind = "background"
	}
	t.logf("[seq %d] start %s %s: %s", s.Seq, kind, p.Name, strings.Join(argv, " "))
	pr, err := startProcess(p, argv, t.dir, t.env, stdin)
	if stdin != nil {
		stdin.Close()
	}
	if err != nil {
		return fail(fmt.Sprintf("cannot start %s: %v", p.Name, err))
	}
	t.procs[p] = pr
	t.order = append(t.order, pr)
	if !p.Background {
		if !pr.wait(ctx) {
			pr.stop(stopGrace)
			return fail(fmt.Sprintf("%s did not finish %s", p.Name, t.why(ctx)))
		}
		_, status, _ := pr.result()
		t.logf("%s: %s after %s", p.Name, status, pr.ended.Sub(pr.started).Round(time.Millisecond))
		return true
	}
	if p.Ready == "" {
		return true
	}
	ready := t.expand(p.Ready)
	err = pr.waitOutput(ctx, ready)
	switch {
	case err == nil:
		t.logf("%s is ready (printed %q) after %s", p.Name, ready, time.Since(pr.started).Round(time.Millisecond))
		return true
	case errors.Is(err, errExited):
		_, status, _ := pr.result()
		t.fail(&Failure{Line: s.Line, Source: s.Source, Proc: p.Name,
			Summary:  fmt.Sprintf("%s ended (%s) before it was ready", p.Name, status),
			Expected: "a line containing " + strconv.Quote(ready), Got: "no such line (see the output below)"})
		return false
	default:
		t.fail(&Failure{Line: s.Line, Source: s.Source, Proc: p.Name,
			Summary:  fmt.Sprintf("%s was not ready %s", p.Name, t.why(ctx)),
			Expected: "a line containing " + strconv.Quote(ready), Got: "no such line (see the output below)"})
		return false
	}
}

func (t *run) wait(ctx context.Context, s *Step) bool {
	pr := t.procs[s.Proc]
	if pr == nil {
		t.fail(&Failure{Line: s.Line, Source: s.Source, Summary: s.Proc.Name + " has not been started yet (check the seq= order)"})
		return false
	}
	wctx := ctx
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	why := func() string {
		if s.Timeout > 0 && ctx.Err() == nil {
			return fmt.Sprintf("after timeout=%s", s.Timeout)
		}
		return t.why(ctx)
	}
	if s.Output == "" {
		t.logf("[seq %d] wait for %s to exit", s.Seq, s.Proc.Name)
		if !pr.wait(wctx) {
			t.fail(&Failure{Line: s.Line, Source: s.Source, Proc: s.Proc.Name,
				Summary: fmt.Sprintf("%s was still running %s", s.Proc.Name, why())})
			return false
		}
		return true
	}
	text := t.expand(s.Output)
	t.logf("[seq %d] wait for %s to print %q", s.Seq, s.Proc.Name, text)
	if err := pr.waitOutput(wctx, text); err != nil {
		summary := fmt.Sprintf("%s did not print it %s", s.Proc.Name, why())
		if errors.Is(err, errExited) {
			_, status, _ := pr.result()
			summary = fmt.Sprintf("%s ended (%s) without printing it", s.Proc.Name, status)
		}
		t.fail(&Failure{Line: s.Line, Source: s.Source, Proc: s.Proc.Name, Summary: summary,
			Expected: "a line containing " + strconv.Quote(text), Got: "no such line (see the output below)"})
		return false
	}
	return true
}

// transcript adds every process's outputs to the verbose log.
func (t *run) transcript() {
	for _, pr := range t.order {
		_, status, _ := pr.result()
		fmt.Fprintf(&t.log, "    --- %s (%s): %s\n", pr.p.Name, status, strings.Join(pr.argv, " "))
		for _, o := range []struct {
			name string
			out  *output
		}{{"stdout", pr.stdout}, {"stderr", pr.stderr}} {
			s := o.out.String()
			if s == "" {
				continue
			}
			fmt.Fprintf(&t.log, "    --- %s %s\n", pr.p.Name, o.name)
			for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
				t.log.WriteString("      " + l + "\n")
			}
		}
	}
}

// resolve finds a program: a path as given, else the bin directory, else
// PATH.
func (r *Runner) resolve(name string) (string, error) {
	if strings.ContainsRune(name, filepath.Separator) {
		return name, nil
	}
	if r.opt.BinDir != "" {
		p := filepath.Join(r.opt.BinDir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		if r.opt.BinDir != "" {
			return "", fmt.Errorf("not in %s nor in PATH", r.opt.BinDir)
		}
		return "", fmt.Errorf("not in PATH")
	}
	return p, nil
}
