//go:build unix

package api

import (
	"os/exec"
	"syscall"
)

// isolate starts the child in its own process group so that stopping it
// also stops what it started (sh -c 'a | b').
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// signalGroup sends sig to the child's process group; kill is SIGKILL,
// otherwise SIGTERM.
func signalGroup(pid int, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	if pid > 0 {
		_ = syscall.Kill(-pid, sig)
	}
}
