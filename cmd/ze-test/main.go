// Command ze-test is ze's testing tool: a scriptable BGP test peer and the
// runner of self-contained `.ci` scenario files. This file only
// dispatches to the subcommands; their flag parsing lives in peer.go and
// run.go and their logic in testpeer/ and ci/runner.
//
//	ze-test peer [flags]          a BGP peer for tests (check, sink, echo, inject)
//	ze-test run [flags] [PATH …]  run .ci files
package main

import (
	"fmt"
	"io"
	"os"
)

var version = "dev"

const usage = `usage: ze-test COMMAND [ARGS]

Commands:
  ze-test peer [flags]           a scriptable BGP test peer (modes: check, sink, echo, inject)
  ze-test run [flags] [PATH …]   run .ci scenario files (directories are searched recursively)
  ze-test version

Run 'ze-test peer -h' or 'ze-test run -h' for their flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	case "version", "--version":
		fmt.Fprintf(stdout, "ze-test %s\n", version)
		return 0
	case "peer":
		return peerMain(args[1:], stdin, stdout, stderr)
	case "run":
		return runMain(args[1:], stdin, stdout, stderr)
	}
	fmt.Fprintf(stderr, "ze-test: unknown command %q\n\n%s", args[0], usage)
	return 2
}
