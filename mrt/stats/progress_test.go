package stats

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLine(t *testing.T) {
	tests := []struct {
		done, total, records int64
		elapsed              time.Duration
		want                 string
	}{
		{5e6, 20e6, 1000, 2 * time.Second, "f.gz [#######.......................]  25%  5.0/20.0 MB  1000 records  500 records/s"},
		{20e6, 20e6, 10, time.Second, "f.gz [##############################] 100%  20.0/20.0 MB  10 records  10 records/s"},
		{25e6, 20e6, 0, 0, "f.gz [##############################] 100%  25.0/20.0 MB  0 records  0 records/s"}, // a size that grew
		{1.5e6, 0, 3, time.Second, "f.gz  1.5 MB  3 records  3 records/s"},                                     // stdin: no size
	}
	for _, tc := range tests {
		if got := Line("f.gz", tc.done, tc.total, tc.records, tc.elapsed); got != tc.want {
			t.Errorf("Line(%d, %d, %d, %v)\n got %q\nwant %q", tc.done, tc.total, tc.records, tc.elapsed, got, tc.want)
		}
	}
}

// lockedBuffer is a bytes.Buffer the drawing goroutine and the test may
// share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestProgress: the line is redrawn from its start, about ten times a
// second, and blanked at the end.
func TestProgress(t *testing.T) {
	var out lockedBuffer
	var n int64
	var mu sync.Mutex
	read := func() int64 { mu.Lock(); defer mu.Unlock(); n += 1000; return n }
	p := StartProgress(&out, "f.gz", 100000, read, func() int64 { return 7 })
	time.Sleep(3*ProgressInterval + ProgressInterval/2)
	p.Stop()
	s := out.String()
	draws := strings.Count(s, "\rf.gz [")
	if draws < 1 || draws > 5 { // a loaded machine may miss ticks
		t.Errorf("%d draws in %v:\n%q", draws, 3*ProgressInterval, s)
	}
	last := s[strings.LastIndex(s, "\rf.gz")+1:]
	last = last[:strings.IndexByte(last, '\r')]
	if !strings.HasSuffix(s, last+"\r"+strings.Repeat(" ", len(last))+"\r") {
		t.Errorf("line not cleared: %q", s)
	}
	// Stopped before the first draw: nothing written.
	var quiet lockedBuffer
	StartProgress(&quiet, "f", 1, func() int64 { return 0 }, func() int64 { return 0 }).Stop()
	if quiet.String() != "" {
		t.Errorf("wrote %q", quiet.String())
	}
}
