package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ze-bgp/ze/internal/cli"
	"github.com/ze-bgp/ze/mrt"
	"github.com/ze-bgp/ze/mrt/stats"
)

const mrtStatsUsage = `usage: ze mrt stats [--json] [--top N] [--svg FILE] FILE …

Analyses MRT files in one pass (plain, gzip or bzip2; '-' reads stdin)
and prints one report for them all: records by type, the collector's
peers and their routes, IPv4/IPv6 prefixes and their lengths, unique AS
paths and their lengths, top origin ASNs, MOAS prefixes, the most used
communities, and for update files the announcements and withdrawals
over time per peer. docs/mrt.md, "Statistics", describes the figures.

A progress bar is drawn on stderr when it is a terminal. Damaged input
is counted in the report (and listed); the exit status is then 1.

Flags:
`

// mrtStats runs `ze mrt stats`.
func mrtStats(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ze mrt stats", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		asJSON = fs.Bool("json", false, "one JSON object instead of text tables")
		top    = fs.Int("top", stats.DefaultTop, "`N` entries in each top list (origins, MOAS, communities)")
		svg    = fs.String("svg", "", "also draw the rate-over-time and prefix-length charts into `FILE` (SVG)")
	)
	fs.Usage = func() {
		fmt.Fprint(stderr, mrtStatsUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(cli.Interleave(fs, args)); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *top < 1 {
		fmt.Fprintln(stderr, "ze: --top must be at least 1")
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "ze: give an MRT file ('-' for stdin)")
		return 2
	}
	c := stats.New(stats.Options{Top: *top})
	tty := writerIsTerminal(stderr)
	rc := 0
	for _, path := range fs.Args() {
		var r *mrt.Reader
		var err error
		var size int64
		if path == "-" {
			r, err = mrt.NewReader(stdin)
		} else {
			r, err = mrt.Open(path)
			if fi, serr := os.Stat(path); serr == nil {
				size = fi.Size()
			}
		}
		if err != nil {
			fmt.Fprintln(stderr, "ze:", err)
			rc = 1
			continue
		}
		var p *stats.Progress
		if tty {
			base := c.Records()
			p = stats.StartProgress(stderr, filepath.Base(path), size, r.BytesRead, func() int64 { return c.Records() - base })
		}
		c.Read(path, r)
		if p != nil {
			p.Stop()
		}
		r.Close()
	}
	rep := c.Report()
	if rep.Damage.Count > 0 {
		rc = 1
	}
	if *svg != "" {
		if err := writeSVGFile(*svg, rep); err != nil {
			fmt.Fprintln(stderr, "ze:", err)
			return 1
		}
	}
	out := bufio.NewWriter(stdout)
	var err error
	if *asJSON {
		err = stats.WriteJSON(out, rep)
	} else {
		err = stats.WriteText(out, rep)
	}
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "ze: writing: %v\n", err)
		return 1
	}
	return rc
}

// writeSVGFile draws the report's charts into path.
func writeSVGFile(path string, rep *stats.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	err = stats.WriteSVG(w, rep)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writerIsTerminal reports whether w is a terminal (see isTerminal),
// where a progress bar may redraw its line.
func writerIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f)
}
