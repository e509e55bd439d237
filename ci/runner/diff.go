package runner

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// A side-by-side view in the manner of `diff -y`: the expected text on
// the left, what came on the right, and between them a mark: ' ' the
// same, '|' different, '<' only expected, '>' only got.

type row struct {
	l, r string
	mark byte
}

const (
	leftWidth  = 60 // a left cell wraps at this many characters
	rightWidth = 100
	maxWrap    = 4  // rows a long cell may take
	maxRows    = 60 // rows shown per failure
	ctxRows    = 3  // unchanged rows kept around a change
)

// pairRows pairs line i of left with line i of right.
func pairRows(left, right []string) []row {
	n := max(len(left), len(right))
	rows := make([]row, n)
	for i := range n {
		var r row
		switch {
		case i >= len(right):
			r = row{l: left[i], mark: '<'}
		case i >= len(left):
			r = row{r: right[i], mark: '>'}
		default:
			r = row{l: left[i], r: right[i], mark: ' '}
			if left[i] != right[i] {
				r.mark = '|'
			}
		}
		rows[i] = r
	}
	return rows
}

// alignRows lines left and right up along their longest common
// subsequence; changed lines face each other. Long texts fall back to
// pairRows.
func alignRows(left, right []string) []row {
	n, m := len(left), len(right)
	if n*m > 1<<20 {
		return pairRows(left, right)
	}
	// lcs[i][j] = LCS length of left[i:] and right[j:]
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if left[i] == right[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var raw []row
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && left[i] == right[j]:
			raw = append(raw, row{left[i], right[j], ' '})
			i, j = i+1, j+1
		case j >= m || (i < n && lcs[i+1][j] >= lcs[i][j+1]):
			raw = append(raw, row{l: left[i], mark: '<'})
			i++
		default:
			raw = append(raw, row{r: right[j], mark: '>'})
			j++
		}
	}
	// pair a run of '<' with the run of '>' that follows it
	var rows []row
	for k := 0; k < len(raw); {
		if raw[k].mark != '<' {
			rows = append(rows, raw[k])
			k++
			continue
		}
		a := k
		for k < len(raw) && raw[k].mark == '<' {
			k++
		}
		b := k
		for k < len(raw) && raw[k].mark == '>' {
			k++
		}
		dels, adds := raw[a:b], raw[b:k]
		for x := 0; x < max(len(dels), len(adds)); x++ {
			switch {
			case x < len(dels) && x < len(adds):
				rows = append(rows, row{dels[x].l, adds[x].r, '|'})
			case x < len(dels):
				rows = append(rows, dels[x])
			default:
				rows = append(rows, adds[x])
			}
		}
	}
	return rows
}

// renderRows writes rows under the headings, each line prefixed by
// indent; long runs of unchanged rows are cut to their context.
func renderRows(b *strings.Builder, indent, lhead, rhead string, rows []row) {
	w := utf8.RuneCountInString(lhead)
	for _, r := range rows {
		w = max(w, min(utf8.RuneCountInString(r.l), leftWidth))
	}
	line := func(l string, mark byte, r string) {
		s := indent + l + strings.Repeat(" ", max(0, w-utf8.RuneCountInString(l))) + " " + string(mark) + " " + r
		b.WriteString(strings.TrimRight(s, " "))
		b.WriteByte('\n')
	}
	note := func(format string, a ...any) {
		b.WriteString(indent + fmt.Sprintf(format, a...) + "\n")
	}
	line(lhead, ' ', rhead)
	keep := make([]bool, len(rows))
	for i, r := range rows {
		if r.mark != ' ' || len(rows) <= 2*ctxRows+2 {
			for k := max(0, i-ctxRows); k <= min(len(rows)-1, i+ctxRows); k++ {
				keep[k] = true
			}
		}
	}
	shown, skipped := 0, 0
	for i, r := range rows {
		if !keep[i] {
			skipped++
			continue
		}
		if skipped > 0 {
			note("[… %d same lines]", skipped)
			skipped = 0
		}
		lc, rc := wrap(r.l, leftWidth), wrap(r.r, rightWidth)
		for k := 0; k < max(len(lc), len(rc)); k++ {
			if shown == maxRows {
				note("[… %d more rows]", len(rows)-i)
				return
			}
			var l, rr string
			if k < len(lc) {
				l = lc[k]
			}
			if k < len(rc) {
				rr = rc[k]
			}
			line(l, r.mark, rr)
			shown++
		}
	}
	if skipped > 0 {
		note("[… %d same lines]", skipped)
	}
}

// wrap cuts s into pieces of at most n characters, at most maxWrap of
// them (the last one then ends with "…").
func wrap(s string, n int) []string {
	if utf8.RuneCountInString(s) <= n {
		return []string{s}
	}
	r := []rune(s)
	var out []string
	for len(r) > 0 {
		if len(out) == maxWrap-1 && len(r) > n {
			out = append(out, string(r[:n-1])+"…")
			break
		}
		k := min(n, len(r))
		out = append(out, string(r[:k]))
		r = r[k:]
	}
	return out
}
