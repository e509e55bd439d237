package main

import (
	"fmt"
	"io"
)

// peerMain parses `ze-test peer` flags and runs testpeer. (Being written.)
func peerMain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ze-test peer: not built yet")
	return 2
}
