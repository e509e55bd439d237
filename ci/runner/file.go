package runner

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// File is one parsed `.ci` file. Nothing in it has run yet: values still
// hold their `$VARIABLES`, expanded per run.
type File struct {
	Path    string
	Timeout time.Duration // option=timeout; 0 means the runner's default
	Skip    string        // option=skip reason; non-empty skips the file
	Needs   []string      // option=needs programs; a missing one skips the file
	Env     []string      // option=env KEY=VALUE for every process
	Blocks  []*Block      // embedded files, in file order
	Procs   []*Proc       // processes (cmd= and peer=), in file order
	Steps   []*Step       // in run order (sorted by seq, stable)
	Expects []*Expect     // checked after the steps, in file order

	UsesShared bool     // some value mentions $SHARED
	Ports      []string // the port variables used ("PORT", "PORT2"…), sorted
}

// Block is an embedded file: a `stdin=`/`file=` block, a `hex=`/`text=`
// one-liner or the script of a `peer=`. It is written to $TMP/NAME (its
// path is $FILE_NAME) and can be a process's stdin.
type Block struct {
	Name string
	Line int
	Kind string // "stdin", "file", "hex", "text" or "peer"
	Data string // content; a block ends with a newline
}

// Proc is a process the file starts (cmd= or peer=).
type Proc struct {
	Name       string
	Line       int
	Source     string // the directive as written
	Background bool
	Exec       string        // command line, split like a shell does (quotes, backslash), no shell features
	Stdin      string        // block name fed to stdin
	StdinFile  string        // or a file path fed to stdin
	Timeout    time.Duration // kill after; 0 = the file's deadline
	Ready      string        // background: wait for an output line containing this
	Peer       bool          // made by peer=
}

// StepKind says what a step does.
type StepKind int

// Step kinds.
const (
	StepStart  StepKind = iota // start a process (foreground: and wait for it)
	StepSignal                 // send a signal to a running process
	StepWait                   // wait for a process to exit or to print text
	StepSleep                  // pause
	StepHTTP                   // an HTTP request and its check
)

// Step is one action, run in seq order.
type Step struct {
	Kind    StepKind
	Line    int
	Source  string
	Seq     int
	Proc    *Proc // StepStart, StepSignal, StepWait
	Signal  string
	Output  string        // StepWait: text to wait for instead of the exit
	Timeout time.Duration // StepWait, StepHTTP (the retry window)
	Sleep   time.Duration
	HTTP    *HTTPCheck
}

// HTTPCheck is an http= request: it is retried until it passes or its
// retry window ends.
type HTTPCheck struct {
	Method  string
	URL     string
	Headers []string // "Key: Value"
	Body    string
	Status  int // 0: any status below 400
	Check   *Check
}

// CheckKind is what an expectation looks at.
type CheckKind int

// Check kinds.
const (
	CheckExit        CheckKind = iota // the exit code
	CheckContains                     // the stream contains a text
	CheckRegex                        // a regular expression (multi-line mode) matches
	CheckJSON                         // some JSON line matches a JSON subset
	CheckEquals                       // the stream is exactly a text
	CheckEqualsBlock                  // the stream is exactly an embedded block
	CheckLines                        // the stream has N lines
)

// Check is one test on a stream or an exit code. Count >= 0 turns a
// contains/regex/json check into "exactly Count lines match".
type Check struct {
	Kind   CheckKind
	Negate bool
	Value  string // as written (variables not yet expanded)
	N      int    // CheckExit, CheckLines
	Count  int    // -1 when not counting
	Key    string // the key as written, "!contains", for messages
}

// Expect is an expect= line (or the implicit exit=0 of a foreground cmd).
type Expect struct {
	Line     int
	Source   string
	Proc     *Proc
	Stream   string // "stdout" or "stderr"; "" for exit
	Check    Check
	Implicit bool
}

var (
	blockName = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	procName  = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
)

// Error is a problem in a .ci file, reported as `file:line: reason`.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ErrorList is every problem found in one file, in line order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}
