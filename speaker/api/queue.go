package api

import (
	"sync"
	"sync/atomic"
)

// Queue is a bounded FIFO of lines between the speaker and one process's
// standard input. Push never blocks: when the queue holds Cap lines it
// refuses the line and counts it as dropped. One consumer (the process's
// writer goroutine) takes lines with Pop. Safe for concurrent use.
//
// A small reserve beyond Cap is kept for answers ("done", "error"): a
// process that reads slowly but still reads is answered even while
// events are being dropped.
type Queue struct {
	mu      sync.Mutex
	lines   [][]byte // ring buffer
	head, n int
	cap     int
	closed  bool
	ready   chan struct{} // has a token while the queue holds lines or is closed

	dropped  atomic.Uint64
	maxDepth atomic.Int64
}

// answerReserve is how many answers may be queued beyond Cap.
const answerReserve = 16

// NewQueue returns an empty queue holding at most capacity event lines
// (at least 1).
func NewQueue(capacity int) *Queue {
	capacity = max(capacity, 1)
	return &Queue{lines: make([][]byte, capacity+answerReserve), cap: capacity, ready: make(chan struct{}, 1)}
}

// Push appends line (which the queue now owns) unless the queue is full
// or closed; it reports whether the line was queued. A refused line is
// counted in Dropped.
func (q *Queue) Push(line []byte) bool { return q.push(line, q.cap) }

// pushAnswer is Push with the answer reserve.
func (q *Queue) pushAnswer(line []byte) bool { return q.push(line, q.cap+answerReserve) }

func (q *Queue) push(line []byte, limit int) bool {
	q.mu.Lock()
	if q.closed || q.n >= limit {
		q.mu.Unlock()
		q.dropped.Add(1)
		return false
	}
	q.lines[(q.head+q.n)%len(q.lines)] = line
	q.n++
	if int64(q.n) > q.maxDepth.Load() {
		q.maxDepth.Store(int64(q.n))
	}
	q.mu.Unlock()
	q.signal()
	return true
}

func (q *Queue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// Pop removes the oldest line. It waits until a line is queued, the
// queue is closed (ok false once it is also empty) or done is closed
// (ok false).
func (q *Queue) Pop(done <-chan struct{}) (line []byte, ok bool) {
	for {
		q.mu.Lock()
		if q.n > 0 {
			line = q.lines[q.head]
			q.lines[q.head] = nil
			q.head = (q.head + 1) % len(q.lines)
			q.n--
			more := q.n > 0
			q.mu.Unlock()
			if more {
				q.signal()
			}
			return line, true
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return nil, false
		}
		select {
		case <-q.ready:
		case <-done:
			return nil, false
		}
	}
}

// Close refuses further lines; Pop returns the lines already queued,
// then ok false.
func (q *Queue) Close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

// isClosed reports whether Close was called.
func (q *Queue) isClosed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}

// Len returns the number of queued lines (the queue depth).
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// Cap returns the number of event lines the queue holds at most.
func (q *Queue) Cap() int { return q.cap }

// Dropped returns how many lines Push refused since the queue was made.
func (q *Queue) Dropped() uint64 { return q.dropped.Load() }

// MaxDepth returns the largest depth the queue has reached.
func (q *Queue) MaxDepth() int { return int(q.maxDepth.Load()) }
