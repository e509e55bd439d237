package dump

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/mrt/bgpdump"
	"github.com/ze-bgp/ze/mrt/filter"
)

// Format is an output format of `ze mrt dump`.
type Format uint8

// Formats.
const (
	FormatLines   Format = iota // bgpdump -m
	FormatCompact               // bgpdump -M
	FormatJSON                  // one ze JSON object per route or event
	FormatHex                   // one BGP message per line, hex
)

// Options choose what Run prints.
type Options struct {
	Format Format
	Filter *filter.Filter // nil: everything
	// Bgpdump are bgpdump's -t change, -p, -l and -u for FormatBgpdump
	// and FormatCompact (its Compact and Filter are set from Format and
	// Filter).
	Bgpdump bgpdump.Options
}

// Summary is what Run found.
type Summary struct {
	Records int64 // records read
	Lines   int64 // lines (objects, messages) printed
	// Damage merges the reader's damage (framing, decompression) and the
	// damage found inside records, in stream order.
	Damage mrt.DamageLog
}

// flushAt is the output buffer size that triggers a write: output is
// appended to one buffer and written in large blocks.
const flushAt = 1 << 20

// Run prints every record of r to w in the chosen format and returns the
// summary. The error is a write error (the reader's problems are
// damage, in the summary).
func Run(r *mrt.Reader, w io.Writer, o Options) (Summary, error) {
	var sum Summary
	var body mrt.DamageLog
	out := make([]byte, 0, flushAt+64<<10)
	var p printer
	switch o.Format {
	case FormatLines, FormatCompact:
		bo := o.Bgpdump
		bo.Compact, bo.Filter = o.Format == FormatCompact, o.Filter
		p = bgpdump.New(bo)
	case FormatJSON:
		p = newObjects(o.Filter, false)
	case FormatHex:
		p = newObjects(o.Filter, true)
	default:
		return sum, errors.New("dump: unknown format")
	}
	for r.Next() {
		rec := r.Record()
		var err error
		out, err = p.AppendRecord(out, rec)
		sum.Lines += int64(p.Lines())
		if err != nil {
			body.Add(rec.Offset, fmt.Sprintf("%s/%s record: %v", rec.Type, mrt.SubtypeString(rec.Type, rec.Subtype), err))
		}
		if len(out) >= flushAt {
			if _, err := w.Write(out); err != nil {
				return sum, err
			}
			out = out[:0]
		}
	}
	sum.Records = r.Records()
	if len(out) > 0 {
		if _, err := w.Write(out); err != nil {
			return sum, err
		}
	}
	sum.Damage = mergeDamage(r.Damage(), &body)
	return sum, nil
}

// printer is one output format.
type printer interface {
	AppendRecord(dst []byte, rec *mrt.Record) ([]byte, error)
	Lines() int
}

// mergeDamage joins two logs in offset order.
func mergeDamage(a, b *mrt.DamageLog) mrt.DamageLog {
	out := mrt.DamageLog{Count: a.Count + b.Count}
	out.Kept = append(append(out.Kept, a.Kept...), b.Kept...)
	slices.SortStableFunc(out.Kept, func(x, y mrt.Damage) int {
		switch {
		case x.Offset < y.Offset:
			return -1
		case x.Offset > y.Offset:
			return 1
		}
		return 0
	})
	return out
}
