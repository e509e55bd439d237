package runner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/ze-bgp/ze/internal/jsonmatch"
)

// expect checks one expectation against a process that has ended.
func (t *run) expect(e *Expect, pr *process) *Failure {
	c := &e.Check
	name := e.Proc.Name
	var f *Failure
	if c.Kind == CheckExit {
		code, status, _ := pr.result()
		if (code == c.N) != c.Negate {
			return nil
		}
		got := status
		pr.mu.Lock()
		if pr.stopped {
			got += " (stopped by the runner at the end of the file)"
		}
		pr.mu.Unlock()
		f = &Failure{Summary: fmt.Sprintf("%s: %s, want %s", name, got, checkText(c)), Expected: checkText(c), Got: status}
		if e.Implicit {
			f.Summary += fmt.Sprintf(" (a foreground command must succeed unless an expect=%s:exit=… says otherwise)", name)
		}
	} else {
		out := pr.stdout
		if e.Stream == "stderr" {
			out = pr.stderr
		}
		data := out.String()
		if out.truncated {
			data += fmt.Sprintf("\n[ze-test: output cut at %d MiB]\n", maxOutput>>20)
		}
		want := t.expand(c.Value)
		if c.Kind == CheckEqualsBlock {
			want = t.expand(t.block(c.Value))
		}
		f = evalCheck(c, want, data, fmt.Sprintf("%s's %s", name, e.Stream))
	}
	if f != nil {
		f.Line, f.Source, f.Proc, f.stream = e.Line, e.Source, name, e.Stream
	}
	return f
}

func (t *run) block(name string) string {
	for _, b := range t.f.Blocks {
		if b.Name == name {
			return b.Data
		}
	}
	return ""
}

// checkText is a check as a short phrase: "exit 0", "not exit 0".
func checkText(c *Check) string {
	s := ""
	if c.Negate {
		s = "not "
	}
	switch c.Kind {
	case CheckExit:
		return s + "exit " + strconv.Itoa(c.N)
	case CheckLines:
		return nLines(c.N)
	}
	return s + strings.TrimPrefix(c.Key, "!") + " " + c.Value
}

// evalCheck runs a stream check on data (what names the stream in
// messages); want is the expanded value.
func evalCheck(c *Check, want, data, what string) *Failure {
	lines := splitLines(data)
	switch c.Kind {
	case CheckContains, CheckRegex:
		var re *regexp.Regexp
		if c.Kind == CheckRegex {
			var err error
			if re, err = regexp.Compile("(?m)" + want); err != nil {
				return &Failure{Summary: fmt.Sprintf("regex %s: %v", want, err)}
			}
		}
		has := func(s string) bool {
			if re != nil {
				return re.MatchString(s)
			}
			return strings.Contains(s, want)
		}
		verb := "contain"
		if re != nil {
			verb = "match"
		}
		if c.Count >= 0 {
			hits := matching(lines, has)
			if len(hits) == c.Count {
				return nil
			}
			return &Failure{Summary: fmt.Sprintf("%s of %s %s %q, want %d", nLines(len(hits)), what, verbs(len(hits), verb), want, c.Count),
				Expected: nLines(c.Count), Got: nLines(len(hits)) + listLines(lines, hits)}
		}
		if has(data) != c.Negate {
			return nil
		}
		if c.Negate {
			hits := matching(lines, has)
			return &Failure{Summary: fmt.Sprintf("%s does %s %q", what, verb, want),
				Expected: "no line that would " + verb + " it", Got: strings.TrimPrefix(listLines(lines, hits), "\n")}
		}
		return &Failure{Summary: fmt.Sprintf("%s does not %s %q", what, verb, want),
			Expected: want, Got: tail(data, 20), GotLabel: "got (" + what + ", last 20 lines)"}
	case CheckJSON:
		return checkJSON(c, want, data, lines, what)
	case CheckEquals, CheckEqualsBlock:
		w := strings.TrimSuffix(want, "\n")
		g := strings.TrimSuffix(data, "\n")
		if (w == g) != c.Negate {
			return nil
		}
		if c.Negate {
			return &Failure{Summary: fmt.Sprintf("%s is exactly the text it must not be", what)}
		}
		wl, gl := strings.Split(w, "\n"), strings.Split(g, "\n")
		n := 0
		for n < len(wl) && n < len(gl) && wl[n] == gl[n] {
			n++
		}
		return &Failure{Summary: fmt.Sprintf("%s differs from the expected text from line %d", what, n+1),
			Expected: w, Got: g, GotLabel: "got (" + what + ")", Diff: true}
	case CheckLines:
		if len(lines) == c.N {
			return nil
		}
		return &Failure{Summary: fmt.Sprintf("%s has %s, want %d", what, nLines(len(lines)), c.N),
			Expected: nLines(c.N), Got: nLines(len(lines)) + "\n" + tail(data, 10)}
	}
	return &Failure{Summary: "unknown check"}
}

func checkJSON(c *Check, want, data string, lines []string, what string) *Failure {
	var expected any
	if err := decodeJSON([]byte(want), &expected); err != nil {
		return &Failure{Summary: fmt.Sprintf("json=%s: %v", clip(want, 60), err)}
	}
	type cand struct {
		line int // 1-based; 0 for the whole output
		doc  any
		m    *jsonmatch.Mismatch
	}
	var cands []cand
	var hits []int
	for i, l := range lines {
		s := strings.TrimSpace(l)
		if s == "" || (s[0] != '{' && s[0] != '[') {
			continue
		}
		var doc any
		if decodeJSON([]byte(s), &doc) != nil {
			continue
		}
		m := jsonmatch.Match(expected, doc)
		if m == nil {
			hits = append(hits, i)
		}
		cands = append(cands, cand{i + 1, doc, m})
	}
	if len(cands) == 0 && len(lines) > 1 {
		var doc any
		if decodeJSON([]byte(data), &doc) == nil {
			m := jsonmatch.Match(expected, doc)
			if m == nil {
				hits = append(hits, 0)
			}
			cands = append(cands, cand{0, doc, m})
		}
	}
	if c.Count >= 0 {
		if len(hits) == c.Count {
			return nil
		}
		return &Failure{Summary: fmt.Sprintf("%s of %s %s %s, want %d", nLines(len(hits)), what, verbs(len(hits), "match"), clip(want, 80), c.Count),
			Expected: nLines(c.Count), Got: nLines(len(hits)) + listLines(lines, hits)}
	}
	if (len(hits) > 0) != c.Negate {
		return nil
	}
	if c.Negate {
		return &Failure{Summary: fmt.Sprintf("%s has a line that matches", what),
			Expected: "no line matching " + clip(want, 200), Got: strings.TrimPrefix(listLines(lines, hits), "\n")}
	}
	if len(cands) == 0 {
		return &Failure{Summary: fmt.Sprintf("%s has no JSON line", what),
			Expected: indentJSON(expected), Got: tail(data, 20), GotLabel: "got (" + what + ", last 20 lines)"}
	}
	best := cands[0]
	for _, k := range cands[1:] {
		if depth(k.m.Path) > depth(best.m.Path) {
			best = k
		}
	}
	where := fmt.Sprintf("line %d", best.line)
	if best.line == 0 {
		where = "the whole output"
	}
	return &Failure{
		Summary:  fmt.Sprintf("no line of %s matches; the closest is %s: %v", what, where, best.m),
		Expected: indentJSON(expected), Got: indentJSON(project(best.doc, expected)),
		GotLabel: "got (" + where + ", expected keys only)", Diff: true}
}

func decodeJSON(b []byte, v *any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if _, err := d.Token(); err == nil {
		return errors.New("text after the JSON document")
	}
	return nil
}

// depth is how far into the document a mismatch is.
func depth(path string) int {
	return strings.Count(path, ".") + strings.Count(path, "[")
}

// project keeps of actual what expected talks about, so that the two
// can be read side by side: objects keep the expected keys, arrays
// are shown element by element, each projected on the expected element
// it matches (or the one at its place), cut after 20.
func project(actual, expected any) any {
	switch e := expected.(type) {
	case map[string]any:
		a, ok := actual.(map[string]any)
		if !ok {
			return actual
		}
		out := map[string]any{}
		for k, ev := range e {
			av, present := a[k]
			switch {
			case present:
				out[k] = project(av, ev)
			case ev != jsonmatch.Absent:
				out[k] = "<absent>"
			}
		}
		return out
	case []any:
		a, ok := actual.([]any)
		if !ok {
			return actual
		}
		if len(e) > 0 && e[0] == jsonmatch.Exact {
			e = e[1:]
		}
		if len(e) == 0 {
			return a
		}
		const most = 20
		out := make([]any, 0, min(len(a), most+1))
		for i, av := range a {
			if i == most {
				out = append(out, fmt.Sprintf("… %d more", len(a)-most))
				break
			}
			tmpl := e[min(i, len(e)-1)]
			for _, ev := range e {
				if jsonmatch.Match(ev, av) == nil {
					tmpl = ev
					break
				}
			}
			out = append(out, project(av, tmpl))
		}
		return out
	}
	return actual
}

func indentJSON(v any) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// nLines is "1 line", "2 lines".
func nLines(n int) string {
	if n == 1 {
		return "1 line"
	}
	return fmt.Sprintf("%d lines", n)
}

// verbs agrees a verb with a count of lines: "1 line contains".
func verbs(n int, verb string) string {
	switch {
	case n != 1:
		return verb
	case strings.HasSuffix(verb, "ch"):
		return verb + "es"
	}
	return verb + "s"
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func matching(lines []string, has func(string) bool) []int {
	var hits []int
	for i, l := range lines {
		if has(l) {
			hits = append(hits, i)
		}
	}
	return hits
}

// listLines shows the lines at the 0-based indexes idx, at most 10, each
// as "\nN: text" with N 1-based.
func listLines(lines []string, idx []int) string {
	var b strings.Builder
	for n, i := range idx {
		if n == 10 {
			fmt.Fprintf(&b, "\n… %d more", len(idx)-n)
			break
		}
		if i < len(lines) {
			fmt.Fprintf(&b, "\n%d: %s", i+1, clip(lines[i], 100))
		}
	}
	return b.String()
}

// tail is the last n lines of s, each cut at 300 characters.
func tail(s string, n int) string {
	lines := splitLines(s)
	if len(lines) == 0 {
		return "(empty)"
	}
	var b strings.Builder
	if len(lines) > n {
		fmt.Fprintf(&b, "[… %d lines before]\n", len(lines)-n)
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(clip(l, 300))
	}
	return b.String()
}
