package api

import (
	"testing"
)

// TestExitNoKill: the answers to the last commands of a program that
// exits at once may come after its run ended (its queue closed); they
// are lost, but that is no full queue: with drop-process the program is
// not counted as killed.
func TestExitNoKill(t *testing.T) {
	noLeak(t)
	for range 5 {
		h := &recorder{}
		p := New(Config{Name: "quick", Run: []string{"sh", "-c", "echo '# one'; echo '# two'"}, Respawn: once(), Policy: DropProcess}, h)
		runOnce(t, p)
		if s := p.Stats(); s.Kills != 0 || s.Commands != 2 {
			t.Fatalf("stats %+v: want 2 commands, no kill", s)
		}
	}
}

// runOnce runs p once (it exits by itself).
func runOnce(t *testing.T, p *Process) {
	t.Helper()
	if err := p.Run(t.Context()); err == nil {
		t.Fatal("Run returned nil for a program that exited")
	}
}
