package runner

import "syscall"

// dieWithParent has the kernel kill a started command when the runner
// dies without stopping it (killed with SIGKILL), so that no test peer
// is left holding a port.
func dieWithParent(a *syscall.SysProcAttr) {
	a.Pdeathsig = syscall.SIGKILL
}
