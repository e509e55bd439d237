package api

import (
	"testing"
	"time"
)

func TestQueue(t *testing.T) {
	q := NewQueue(2)
	if !q.Push([]byte("a")) || !q.Push([]byte("b")) || q.Push([]byte("c")) {
		t.Fatal("capacity 2 not respected")
	}
	if !q.pushAnswer([]byte("done")) {
		t.Fatal("answer refused within the reserve")
	}
	if q.Len() != 3 || q.Dropped() != 1 || q.MaxDepth() != 3 || q.Cap() != 2 {
		t.Fatalf("len %d dropped %d max %d", q.Len(), q.Dropped(), q.MaxDepth())
	}
	for i := 0; i < answerReserve; i++ {
		q.pushAnswer([]byte("x"))
	}
	if q.Dropped() != 2 {
		t.Errorf("reserve overflow not counted: %d", q.Dropped())
	}
	for _, want := range []string{"a", "b", "done"} {
		if b, ok := q.Pop(nil); !ok || string(b) != want {
			t.Fatalf("Pop = %q %v, want %q", b, ok, want)
		}
	}
	for q.Len() > 0 {
		q.Pop(nil)
	}
	// Pop waits, and gives up when done is closed.
	done := make(chan struct{})
	go func() { time.Sleep(10 * time.Millisecond); close(done) }()
	if _, ok := q.Pop(done); ok {
		t.Error("Pop on an empty queue returned a line")
	}
	// A line pushed while Pop waits is delivered.
	go func() { time.Sleep(10 * time.Millisecond); q.Push([]byte("late")) }()
	if b, ok := q.Pop(nil); !ok || string(b) != "late" {
		t.Errorf("Pop = %q %v", b, ok)
	}
	// Close: queued lines first, then ok false; Push refused.
	q.Push([]byte("last"))
	q.Close()
	if q.Push([]byte("after")) {
		t.Error("Push after Close")
	}
	if b, ok := q.Pop(nil); !ok || string(b) != "last" {
		t.Errorf("Pop = %q %v", b, ok)
	}
	if _, ok := q.Pop(nil); ok {
		t.Error("Pop after Close and drain")
	}
	if NewQueue(0).Cap() != 1 {
		t.Error("NewQueue(0)")
	}
}
