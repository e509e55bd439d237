//go:build unix

package bench

import "syscall"

// cpuTime returns the user + system CPU time of the whole process (all
// threads, so the garbage collector's workers count) in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
