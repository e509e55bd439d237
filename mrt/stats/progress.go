package stats

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// ProgressInterval is how often a Progress redraws its line (about ten
// times a second).
const ProgressInterval = 100 * time.Millisecond

// Progress draws a one-line progress bar on a terminal while a file is
// read: the octets read of the (compressed) file against its size, and
// the records per second. It redraws at most every ProgressInterval from
// a goroutine of its own, and Stop clears the line. Use it only when w
// is a terminal: the line is redrawn with a carriage return.
//
//	p := stats.StartProgress(os.Stderr, name, size, r.BytesRead, c.Records)
//	c.Read(name, r)
//	p.Stop()
type Progress struct {
	w       io.Writer
	name    string
	total   int64 // file size; 0 when unknown (standard input)
	bytes   func() int64
	records func() int64
	start   time.Time
	stop    chan struct{}
	done    sync.WaitGroup
	width   int // length of the last line drawn
}

// StartProgress starts drawing. bytes and records are called from the
// drawing goroutine (mrt.Reader.BytesRead and Collector.Records may be).
func StartProgress(w io.Writer, name string, total int64, bytes, records func() int64) *Progress {
	p := &Progress{w: w, name: name, total: total, bytes: bytes, records: records, start: time.Now(), stop: make(chan struct{})}
	p.done.Add(1)
	go p.run()
	return p
}

func (p *Progress) run() {
	defer p.done.Done()
	t := time.NewTicker(ProgressInterval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			p.clear()
			return
		case now := <-t.C:
			p.draw(now)
		}
	}
}

// Stop clears the line and waits for the goroutine to end.
func (p *Progress) Stop() {
	close(p.stop)
	p.done.Wait()
}

// barWidth is the number of cells of the bar.
const barWidth = 30

// Line returns the progress text for octets read, records and elapsed
// time: "NAME [######....]  45%  12.3/27.1 MB  123456 records/s".
func Line(name string, done, total, records int64, elapsed time.Duration) string {
	var b strings.Builder
	b.WriteString(name)
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(records) / s
	}
	if total > 0 {
		frac := min(float64(done)/float64(total), 1)
		n := int(frac * barWidth)
		fmt.Fprintf(&b, " [%s%s] %3d%%  %.1f/%.1f MB", strings.Repeat("#", n), strings.Repeat(".", barWidth-n),
			int(frac*100), float64(done)/1e6, float64(total)/1e6)
	} else {
		fmt.Fprintf(&b, "  %.1f MB", float64(done)/1e6)
	}
	fmt.Fprintf(&b, "  %d records  %.0f records/s", records, rate)
	return b.String()
}

func (p *Progress) draw(now time.Time) {
	s := Line(p.name, p.bytes(), p.total, p.records(), now.Sub(p.start))
	pad := ""
	if n := len(s); n < p.width {
		pad = strings.Repeat(" ", p.width-n)
	}
	p.width = len(s)
	fmt.Fprintf(p.w, "\r%s%s", s, pad)
}

// clear blanks the line drawn (if any) and returns to its start.
func (p *Progress) clear() {
	if p.width > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
	}
}
