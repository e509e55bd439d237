package runner

import (
	"fmt"
	"strings"
	"time"
)

// Report is the result as `ze-test run` prints it: the progress line
// (`PASS path (0.12s)`, `FAIL …`, `SKIP path (reason)`), then for a
// failure every failed expectation or step with what was expected and
// what came side by side, the end of the outputs involved, and where
// the logs are kept.
func (res *Result) Report() string {
	var b strings.Builder
	switch res.Status {
	case Skip:
		fmt.Fprintf(&b, "SKIP %s (%s)\n", res.Path, res.Reason)
	default:
		fmt.Fprintf(&b, "%s %s (%s)\n", res.Status, res.Path, seconds(res.Duration))
	}
	for _, f := range res.Failures {
		f.write(&b, res.Path)
	}
	for _, t := range res.Tails {
		b.WriteString(t)
	}
	if res.Status == Fail && res.LogDir != "" {
		fmt.Fprintf(&b, "  logs: %s\n", res.LogDir)
	}
	b.WriteString(res.Log)
	return b.String()
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.2fs", d.Seconds())
}

func (f *Failure) write(b *strings.Builder, path string) {
	switch {
	case f.Line > 0 && f.Source == "": // a parse error
		fmt.Fprintf(b, "  %s:%d: %s\n", path, f.Line, f.Summary)
		return
	case f.Line > 0:
		fmt.Fprintf(b, "  %s:%d: %s\n", path, f.Line, clip(f.Source, 200))
	default:
		fmt.Fprintf(b, "  %s:\n", path)
	}
	fmt.Fprintf(b, "    %s\n", f.Summary)
	if f.Expected == "" && f.Got == "" {
		return
	}
	left, right := strings.Split(f.Expected, "\n"), strings.Split(f.Got, "\n")
	var rows []row
	if f.Diff {
		rows = alignRows(left, right)
	} else {
		// two texts side by side, not a diff: the mark is a separator
		rows = pairRows(left, right)
		for i := range rows {
			rows[i].mark = '|'
		}
	}
	head := f.GotLabel
	if head == "" {
		head = "got"
	}
	renderRows(b, "      ", "expected", head, rows)
}

// tails adds the end of the outputs of the processes named in failures:
// stderr always, stdout unless a failure already shows it.
func (t *run) tails() {
	seen := map[string]bool{}
	shownOut := map[string]bool{}
	for _, f := range t.res.Failures {
		if f.stream == "stdout" {
			shownOut[f.Proc] = true
		}
	}
	for _, f := range t.res.Failures {
		if f.Proc == "" || seen[f.Proc] {
			continue
		}
		seen[f.Proc] = true
		var pr *process
		for _, p := range t.order {
			if p.p.Name == f.Proc {
				pr = p
			}
		}
		if pr == nil {
			continue
		}
		var b strings.Builder
		for _, o := range []struct {
			name string
			out  *output
		}{{"stdout", pr.stdout}, {"stderr", pr.stderr}} {
			s := o.out.String()
			if s == "" || (o.name == "stdout" && shownOut[f.Proc]) {
				continue
			}
			fmt.Fprintf(&b, "    --- %s %s (last 10 lines)\n", f.Proc, o.name)
			for _, l := range strings.Split(tail(s, 10), "\n") {
				b.WriteString("      " + l + "\n")
			}
		}
		if b.Len() > 0 {
			t.res.Tails = append(t.res.Tails, b.String())
		}
	}
}
