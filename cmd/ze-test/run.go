package main

import (
	"fmt"
	"io"
)

// runMain parses `ze-test run` flags and runs the .ci runner. (Being written.)
func runMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ze-test run: not built yet")
	return 2
}
