package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// DefaultTimeout is a file's time limit when neither option=timeout nor
// Options.Timeout says otherwise.
const DefaultTimeout = 30 * time.Second

// Options configure a Runner.
type Options struct {
	Parallel  int           // files run at once; 0 = the number of CPUs
	Timeout   time.Duration // per file, unless it has option=timeout; 0 = DefaultTimeout
	Verbose   bool          // print every step and every output
	KeepLogs  string        // keep every file's outputs under this directory
	BinDir    string        // where ze and ze-test are looked for before PATH
	SharedDir string        // the shared data folder ($SHARED); "" = ../shared/data beside the repo root
	Out       io.Writer     // progress and report
}

// Runner runs .ci files. One Runner hands out the free ports of all the
// files it runs, so that files running in parallel never share one.
type Runner struct {
	opt   Options
	ports *PortAllocator

	mu      sync.Mutex
	logRoot string          // the directory of the per-file directories
	dirs    map[string]bool // per-file directory names in use
	shared  map[string]string
}

// New returns a Runner.
func New(opt Options) *Runner {
	if opt.Parallel <= 0 {
		opt.Parallel = runtime.NumCPU()
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	return &Runner{opt: opt, ports: NewPortAllocator(), dirs: map[string]bool{}, shared: map[string]string{}}
}

// Summary counts the outcomes of a run.
type Summary struct {
	Passed, Failed, Skipped int
}

// String is the final line: "N passed, N failed", plus ", N skipped"
// when any were skipped.
func (s Summary) String() string {
	out := fmt.Sprintf("%d passed, %d failed", s.Passed, s.Failed)
	if s.Skipped > 0 {
		out += fmt.Sprintf(", %d skipped", s.Skipped)
	}
	return out
}

func (s *Summary) add(st Status) {
	switch st {
	case Pass:
		s.Passed++
	case Fail:
		s.Failed++
	case Skip:
		s.Skipped++
	}
}

// Run parses every file first, then runs the well-formed ones in
// parallel, printing each file's Report as it ends and the Summary line
// last. A malformed file counts as failed.
func (r *Runner) Run(ctx context.Context, paths []string) Summary {
	var sum Summary
	var mu sync.Mutex
	report := func(res *Result) {
		mu.Lock()
		defer mu.Unlock()
		sum.add(res.Status)
		io.WriteString(r.opt.Out, res.Report()) //nolint:errcheck
	}
	var files []*File
	for _, p := range paths {
		f, err := ParseFile(p)
		if err != nil {
			report(parseFailure(p, err))
			continue
		}
		files = append(files, f)
	}
	work := make(chan *File)
	var wg sync.WaitGroup
	for range min(r.opt.Parallel, max(len(files), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				report(r.execute(ctx, f))
			}
		}()
	}
	interrupted := 0
	for _, f := range files {
		if ctx.Err() != nil {
			interrupted++
			continue
		}
		select {
		case work <- f:
		case <-ctx.Done():
			interrupted++
		}
	}
	close(work)
	wg.Wait()
	r.Close()
	if interrupted > 0 {
		fmt.Fprintf(r.opt.Out, "interrupted: %d files not run\n", interrupted)
		sum.Skipped += interrupted
	}
	fmt.Fprintln(r.opt.Out, sum)
	return sum
}

// RunFile parses and runs one file.
func (r *Runner) RunFile(ctx context.Context, path string) *Result {
	f, err := ParseFile(path)
	if err != nil {
		return parseFailure(path, err)
	}
	return r.execute(ctx, f)
}

func parseFailure(path string, err error) *Result {
	res := &Result{Path: path, Status: Fail}
	var list ErrorList
	if !errors.As(err, &list) {
		list = ErrorList{{File: path, Msg: err.Error()}}
	}
	for _, e := range list {
		res.Failures = append(res.Failures, &Failure{Line: e.Line, Summary: e.Msg})
	}
	return res
}

// List writes the files one per line (a skipped one with its reason) to
// out and the problems of malformed ones to errOut; it reports whether
// all were well-formed.
func (r *Runner) List(out, errOut io.Writer, paths []string) bool {
	ok := true
	for _, p := range paths {
		f, err := ParseFile(p)
		if err != nil {
			fmt.Fprintln(errOut, err)
			ok = false
			continue
		}
		if reason := r.skipReason(f); reason != "" {
			fmt.Fprintf(out, "%s (skip: %s)\n", p, reason)
			continue
		}
		fmt.Fprintln(out, p)
	}
	return ok
}

// Discover expands paths into .ci files: a file is taken as it is, a
// directory is searched recursively for *.ci (skipping hidden
// directories and testdata). The result is sorted per argument and has
// no duplicates; a path that does not exist or a search that finds
// nothing is an error.
func Discover(paths []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		c := filepath.Clean(p)
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			add(p)
			continue
		}
		n := len(out)
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != p && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(d.Name(), ".ci") {
				add(path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(out) == n {
			return nil, fmt.Errorf("no .ci files in %s", p)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no .ci files given")
	}
	return out, nil
}

// skipReason says why f is not run, or "".
func (r *Runner) skipReason(f *File) string {
	if f.Skip != "" {
		return f.Skip
	}
	for _, n := range f.Needs {
		if _, err := r.resolve(n); err != nil {
			return fmt.Sprintf("needs %s: %v", n, err)
		}
	}
	if f.UsesShared {
		d := r.sharedDir(f.Path)
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return "uses $SHARED, and the shared data folder is missing: " + d
		}
	}
	return ""
}

// sharedDir is $SHARED for the file at path: Options.SharedDir, else
// ../shared/data beside the repository root (the directory with go.mod
// above the file, or above the current directory).
func (r *Runner) sharedDir(path string) string {
	if r.opt.SharedDir != "" {
		return r.opt.SharedDir
	}
	abs, _ := filepath.Abs(path)
	dir := filepath.Dir(abs)
	r.mu.Lock()
	defer r.mu.Unlock()
	if d, ok := r.shared[dir]; ok {
		return d
	}
	root := moduleRoot(dir)
	if root == "" {
		wd, _ := os.Getwd()
		root = moduleRoot(wd)
	}
	d := ""
	if root != "" {
		d = filepath.Join(filepath.Dir(root), "shared", "data")
	}
	r.shared[dir] = d
	return d
}

func moduleRoot(dir string) string {
	for dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			break
		}
		dir = up
	}
	return ""
}

// testDir makes the private directory of one file ($TMP): under
// Options.KeepLogs, else under a temporary directory of the run.
func (r *Runner) testDir(path string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.logRoot == "" {
		if r.opt.KeepLogs != "" {
			if err := os.MkdirAll(r.opt.KeepLogs, 0o755); err != nil {
				return "", err
			}
			abs, err := filepath.Abs(r.opt.KeepLogs)
			if err != nil {
				return "", err
			}
			r.logRoot = abs
		} else {
			d, err := os.MkdirTemp("", "ze-ci-")
			if err != nil {
				return "", err
			}
			r.logRoot = d
		}
	}
	base := dirName(path)
	name := base
	for i := 2; r.dirs[name]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	r.dirs[name] = true
	d := filepath.Join(r.logRoot, name)
	if err := os.RemoveAll(d); err != nil {
		return "", err
	}
	return d, os.MkdirAll(d, 0o755)
}

// dirName turns a .ci path into a directory name: ci/decode/x.ci → ci_decode_x.
func dirName(path string) string {
	var parts []string
	for _, p := range strings.Split(filepath.ToSlash(filepath.Clean(path)), "/") {
		if p != "" && p != "." && p != ".." {
			parts = append(parts, p)
		}
	}
	s := strings.TrimSuffix(strings.Join(parts, "_"), ".ci")
	b := []byte(s)
	for i, c := range b {
		if !(c == '.' || c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "ci"
	}
	return string(b)
}

// finishDir removes the directory of a passed file unless logs are
// kept, and records where they are otherwise.
func (r *Runner) finishDir(res *Result, dir string) {
	if r.opt.KeepLogs == "" && res.Status != Fail {
		os.RemoveAll(dir) //nolint:errcheck
		return
	}
	res.LogDir = dir
	os.WriteFile(filepath.Join(dir, "ci-report.txt"), []byte(res.Report()), 0o644) //nolint:errcheck
}

// Close removes the run's temporary directory when nothing was kept in it.
func (r *Runner) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.logRoot != "" && r.opt.KeepLogs == "" {
		if os.Remove(r.logRoot) == nil { // fails, as wanted, when logs of failures are in it
			r.logRoot = ""
		}
	}
}

// PortAllocator hands out free TCP ports on 127.0.0.1, never the same
// one twice.
type PortAllocator struct {
	mu   sync.Mutex
	used map[int]bool
}

// NewPortAllocator returns an empty allocator.
func NewPortAllocator() *PortAllocator {
	return &PortAllocator{used: map[int]bool{}}
}

// Get finds a port the system says is free (by listening on port 0 and
// closing) and that this allocator never gave before.
func (a *PortAllocator) Get() (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !a.used[port] {
			a.used[port] = true
			return port, nil
		}
	}
	return 0, errors.New("no free port found")
}
