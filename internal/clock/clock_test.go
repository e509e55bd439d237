package clock

import (
	"testing"
	"time"
)

func TestFake(t *testing.T) {
	start := time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)
	var c Clock = NewFake(start)
	f := c.(*Fake)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want %v", got, start)
	}
	if got := f.Advance(90 * time.Second); !got.Equal(start.Add(90 * time.Second)) {
		t.Fatalf("Advance = %v", got)
	}
	f.Set(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("after Set, Now = %v", got)
	}
}

func TestReal(t *testing.T) {
	before := time.Now()
	if got := (Real{}).Now(); got.Before(before) {
		t.Fatalf("Real.Now %v before %v", got, before)
	}
}
