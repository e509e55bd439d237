package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/ze-bgp/ze/ci/runner"
	"github.com/ze-bgp/ze/internal/cli"
)

const runUsage = `usage: ze-test run [flags] [PATH …]

Runs .ci scenario files (docs/ci-format.md). A PATH is a .ci file or a
directory searched recursively (hidden directories and testdata are
skipped); the default is the current directory. Prints a line per file
(PASS, FAIL, SKIP), the failures with what was expected and what came
side by side, and finally "N passed, N failed" (", N skipped" when any).
Exit status 0 when nothing failed, 1 when something failed, 2 on usage
errors.

Flags:
`

// runMain parses `ze-test run` flags and hands the files to ci/runner.
func runMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ze-test run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		list     bool
		parallel int
		timeout  time.Duration
		verbose  bool
		keepLogs string
		binDir   string
		shared   string
	)
	fs.BoolVar(&list, "l", false, "list the .ci files (and why one would be skipped) instead of running them")
	fs.BoolVar(&list, "list", false, "same as -l")
	fs.IntVar(&parallel, "p", runtime.NumCPU(), "run `N` files at once")
	fs.IntVar(&parallel, "parallel", runtime.NumCPU(), "same as -p")
	fs.DurationVar(&timeout, "timeout", runner.DefaultTimeout, "time limit per file (a file's option=timeout wins)")
	fs.BoolVar(&verbose, "v", false, "print every step and every output, also of passing files")
	fs.BoolVar(&verbose, "verbose", false, "same as -v")
	fs.StringVar(&keepLogs, "keep-logs", "", "keep every file's outputs under `DIR` (default: only failures', in a temporary directory)")
	fs.StringVar(&binDir, "bin", "", "look for ze and ze-test in `DIR` before PATH (default: the directory of this ze-test)")
	fs.StringVar(&shared, "shared", "", "the shared data folder `DIR` for $SHARED (default: ../shared/data beside the repository root)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), runUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(cli.Interleave(fs, args)); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if parallel < 1 {
		fmt.Fprintln(stderr, "ze-test run: -p wants a number ≥ 1")
		return 2
	}
	if timeout <= 0 {
		fmt.Fprintln(stderr, "ze-test run: --timeout wants a positive duration")
		return 2
	}
	if binDir == "" {
		if exe, err := os.Executable(); err == nil {
			binDir = filepath.Dir(exe)
		}
	} else if abs, err := filepath.Abs(binDir); err == nil {
		binDir = abs
	}
	if shared != "" {
		if abs, err := filepath.Abs(shared); err == nil {
			shared = abs
		}
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"."}
	}
	files, err := runner.Discover(paths)
	if err != nil {
		fmt.Fprintf(stderr, "ze-test run: %v\n", err)
		return 2
	}
	r := runner.New(runner.Options{Parallel: parallel, Timeout: timeout, Verbose: verbose,
		KeepLogs: keepLogs, BinDir: binDir, SharedDir: shared, Out: stdout})
	if list {
		if !r.List(stdout, stderr, files) {
			return 1
		}
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	sum := r.Run(ctx, files)
	if sum.Failed > 0 || ctx.Err() != nil {
		return 1
	}
	return 0
}
