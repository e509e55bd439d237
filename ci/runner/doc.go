// Package runner parses and runs `.ci` files: self-contained functional
// test scenarios made of embedded files, processes, steps and
// expectations. `ze-test run` is its command-line front end; the format
// is documented with an example per directive in docs/ci-format.md.
//
// A `.ci` file is line-oriented:
//
//	# a comment (only whole lines; '#' elsewhere is text)
//	option=timeout:10s
//	hex=msg:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304
//	cmd=foreground:name=dec:exec=ze bgp decode:stdin=msg
//	expect=dec:json={"type":"keepalive"}
//
// Parse reads a file completely before anything runs and reports every
// problem as `file:line: reason` (an ErrorList). Run executes one parsed
// File: it writes the embedded blocks into a private directory, starts
// the processes in step order (ports, paths and blocks substituted), runs
// signals, waits and HTTP checks, stops whatever is left (by process
// group, only processes it started) and checks the expectations. Runner
// discovers files, runs them in parallel with one port allocator, prints
// a progress line per file, the failures side by side (expected | got)
// and the final `N passed, N failed[, N skipped]` line.
//
// The runner never interprets BGP: wire-level expectations are lines of
// a `ze-test peer` script (docs/test-peer.md), embedded with the `peer=`
// block, and the peer's exit code says whether they were met.
package runner
