package mrt

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// WriterOptions configure a Writer.
type WriterOptions struct {
	// Every is the rotation period: each record goes to the file of the
	// period its time falls in, periods aligned to the clock (UTC: with
	// 5m, files start at :00, :05, …; with 8h at 00:00, 08:00, 16:00),
	// the file named by the pattern expanded at the period's start. 0:
	// one file, named after the first record's time.
	Every time.Duration
	// Atomic writes each file as NAME.tmp and renames it to NAME once it
	// is complete (closed): readers never see a partial file (table
	// dumps). Without it a file is opened for appending, so that a
	// restart within a period goes on with the same file (a .gz file
	// gets another gzip member, which gzip readers read on).
	Atomic bool
	// Done, when set, is called each time a file is closed, with its
	// name and the error closing it (a rotation's close error is
	// reported only there).
	Done func(name string, err error)
}

// Writer writes MRT records to files named by a pattern, rotating them
// every period (see WriterOptions). A pattern ending in ".gz" makes
// gzip files. Records are buffered: Flush makes what was written
// readable, Close completes the current file. A failed write closes the
// file; the next Write opens it again. It is not safe for concurrent
// use.
type Writer struct {
	pattern string
	opt     WriterOptions
	gz      bool

	start time.Time // period of the open file
	name  string    // the open file's final name ("" when none)
	f     *os.File
	zw    *gzip.Writer
	bw    *bufio.Writer
}

// encFileBuffer is the size of a Writer's buffer.
const encFileBuffer = 64 << 10

// NewWriter returns a Writer for pattern (see ExpandPattern). It opens
// nothing until the first Write. Errors: a bad pattern, a negative
// period.
func NewWriter(pattern string, opt WriterOptions) (*Writer, error) {
	if err := CheckPattern(pattern); err != nil {
		return nil, err
	}
	if opt.Every < 0 {
		return nil, errors.New("mrt: negative rotation period")
	}
	return &Writer{pattern: pattern, opt: opt, gz: strings.HasSuffix(pattern, ".gz")}, nil
}

// period returns the start of the period t falls in.
func (w *Writer) period(t time.Time) time.Time {
	if w.opt.Every <= 0 {
		return t.Truncate(time.Second)
	}
	return t.Truncate(w.opt.Every)
}

// Write writes one record (whole, as the Append functions make it)
// stamped t to the file of t's period, opening or rotating files as
// needed. A record older than the open file's period goes to the open
// file (the clock went back). Errors: opening the file, writing to it.
func (w *Writer) Write(t time.Time, rec []byte) error {
	start := w.period(t)
	if w.f != nil && w.opt.Every > 0 && start.After(w.start) {
		w.Close() // reported through Done
	}
	if w.f == nil {
		if err := w.open(start); err != nil {
			return err
		}
	}
	if _, err := w.bw.Write(rec); err != nil {
		w.abort()
		return err
	}
	return nil
}

// open opens the file of the period starting at start.
func (w *Writer) open(start time.Time) error {
	name, err := ExpandPattern(w.pattern, start)
	if err != nil {
		return err
	}
	if dir := filepath.Dir(name); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	var f *os.File
	if w.opt.Atomic {
		f, err = os.OpenFile(name+".tmp", os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	} else {
		f, err = os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	}
	if err != nil {
		return err
	}
	w.f, w.name, w.start = f, name, start
	if w.gz {
		// BestSpeed: recording must not take the speaker's CPU; the
		// files are still about a third of their plain size.
		w.zw, _ = gzip.NewWriterLevel(f, gzip.BestSpeed)
		w.bw = bufio.NewWriterSize(w.zw, encFileBuffer)
	} else {
		w.bw = bufio.NewWriterSize(f, encFileBuffer)
	}
	return nil
}

// Rotate closes the open file when t is past its period, so that a
// file is complete when its period ends even if no record follows
// (call it from a timer). It returns Close's error.
func (w *Writer) Rotate(t time.Time) error {
	if w.f == nil || w.opt.Every <= 0 || !w.period(t).After(w.start) {
		return nil
	}
	return w.Close()
}

// Name returns the final name of the open file ("" when none is open).
func (w *Writer) Name() string { return w.name }

// Flush writes the buffered records to the file (and, for gzip, a sync
// point, so that a reader can decompress everything written so far).
func (w *Writer) Flush() error {
	if w.f == nil {
		return nil
	}
	err := w.bw.Flush()
	if err == nil && w.zw != nil {
		err = w.zw.Flush()
	}
	if err != nil {
		w.abort()
	}
	return err
}

// Close completes the open file (flush, gzip trailer, rename of an
// Atomic file) and reports it to Done. Closing with no open file does
// nothing.
func (w *Writer) Close() error {
	if w.f == nil {
		return nil
	}
	err := w.bw.Flush()
	if w.zw != nil {
		err = errors.Join(err, w.zw.Close())
	}
	err = errors.Join(err, w.f.Close())
	name := w.name
	if w.opt.Atomic {
		if err == nil {
			err = os.Rename(name+".tmp", name)
		} else {
			os.Remove(name + ".tmp")
		}
	}
	w.reset()
	if w.opt.Done != nil {
		w.opt.Done(name, err)
	}
	return err
}

// abort closes the open file after a failure, dropping an Atomic file.
func (w *Writer) abort() {
	w.f.Close()
	if w.opt.Atomic {
		os.Remove(w.name + ".tmp")
	}
	w.reset()
}

func (w *Writer) reset() { w.f, w.zw, w.bw, w.name = nil, nil, nil, "" }

// ExpandPattern returns the file name pattern gives for time t (in UTC),
// replacing strftime-like fields as RIPE RIS and RouteViews name their
// files ("updates.%Y%m%d.%H%M.gz" → "updates.20240131.2355.gz"):
//
//	%Y year (4 digits)   %y year (2)    %m month (01-12)   %d day (01-31)
//	%H hour (00-23)      %M minute      %S second          %j day of year (001-366)
//	%s Unix seconds      %% a percent sign
//
// Errors: another field, a % at the end.
func ExpandPattern(pattern string, t time.Time) (string, error) {
	t = t.UTC()
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 == len(pattern) {
			return "", fmt.Errorf("mrt: file pattern %q ends with %%", pattern)
		}
		i++
		switch pattern[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case '%':
			b.WriteByte('%')
		default:
			return "", fmt.Errorf("mrt: file pattern %q: unknown field %%%c (want %%Y %%y %%m %%d %%H %%M %%S %%j %%s %%%%)", pattern, pattern[i])
		}
	}
	return b.String(), nil
}

// CheckPattern reports whether pattern is a valid file pattern (see
// ExpandPattern) naming a file: not empty, not a directory.
func CheckPattern(pattern string) error {
	if pattern == "" || strings.HasSuffix(pattern, "/") {
		return fmt.Errorf("mrt: file pattern %q names no file", pattern)
	}
	_, err := ExpandPattern(pattern, time.Unix(0, 0))
	return err
}
