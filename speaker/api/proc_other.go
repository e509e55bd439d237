//go:build !unix

package api

import (
	"os"
	"os/exec"
)

func isolate(cmd *exec.Cmd) {}

// signalGroup kills the child itself: there are no process groups here.
func signalGroup(pid int, kill bool) {
	if p, err := os.FindProcess(pid); err == nil && pid > 0 {
		_ = p.Kill()
	}
}
