//go:build !unix

package runner

import (
	"os"
	"os/exec"
	"syscall"
)

func setProcessGroup(cmd *exec.Cmd) {}

// killGroup kills the process only: there are no process groups here.
func killGroup(pid int, sig syscall.Signal) {
	if p, err := os.FindProcess(pid); err == nil {
		p.Kill() //nolint:errcheck
	}
}

func signalNumber(name string) (syscall.Signal, bool) {
	s, ok := map[string]syscall.Signal{"INT": syscall.SIGINT, "KILL": syscall.SIGKILL, "TERM": syscall.SIGTERM}[name]
	return s, ok
}
