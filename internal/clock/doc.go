// Package clock is the time source the speaker's state machines and
// session drivers are given instead of calling time.Now, so that tests can
// drive timers with a Fake clock: no sleeps, no flaky deadlines.
//
// It holds only the reading side (Now); code that waits computes a
// deadline from Now and lets its caller decide how to sleep until it.
package clock
