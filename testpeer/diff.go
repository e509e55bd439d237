package testpeer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ze-bgp/ze/internal/jsonmatch"
	"github.com/ze-bgp/ze/speaker/message"
	"github.com/ze-bgp/ze/speaker/wire"
	"github.com/ze-bgp/ze/speaker/zejson"
)

// failure is the first failed step of a script run.
type failure struct {
	step *step
	item *item
	why  string
}

// failf records and prints a failure: the script line, the connection,
// why, and what was received (a diff of the JSON against the
// expectation, the whole JSON and the hex).
func (r *scriptRun) failf(st *step, it *item, format string, args ...any) {
	r.fail = &failure{step: st, item: it, why: fmt.Sprintf(format, args...)}
	var b strings.Builder
	fmt.Fprintf(&b, "check failed: %s:%d: %s\n", r.p.cfg.Script.name, st.line, st.text)
	fmt.Fprintf(&b, "  connection %d (local %s, remote %s)", r.conn, r.s.local, r.s.remote)
	if it != nil && it.kind != itemEnd {
		fmt.Fprintf(&b, ", message %d", it.index)
	}
	b.WriteString("\n")
	for _, l := range strings.Split(r.fail.why, "\n") {
		b.WriteString("  " + l + "\n")
	}
	if it != nil && it.kind != itemEnd {
		doc, text := it.json()
		jsonWhy := !it.refused() || st.expect.kind == expMalformed // else the JSON is not why it failed
		if st.kind == stepExpect && jsonWhy && st.expect.json != nil && doc != nil && (st.expect.typ == 0 || st.expect.typ == it.typ()) {
			writeDiff(&b, st.expect.json, doc)
		}
		if it.sent != nil {
			fmt.Fprintf(&b, "  the test peer answered it with notification %s\n", notificationText(*it.sent))
		}
		fmt.Fprintf(&b, "  received %s\n", text)
		fmt.Fprintf(&b, "  hex      %s\n", zejson.AppendHex(nil, it.msg))
		if st.kind == stepExpect && st.expect.kind == expHex {
			fmt.Fprintf(&b, "  expected %s\n", zejson.AppendHex(nil, st.expect.hex))
		}
	}
	r.p.out.problem(b.String())
}

// describeItem is a short description of a received item (the report
// shows its JSON and hex below).
func describeItem(it *item) string {
	switch it.kind {
	case itemEnd:
		return "the end of the connection (" + it.text + ")"
	case itemMalformed:
		return fmt.Sprintf("malformed input (%s)", it.err.Msg)
	}
	typ := it.typ()
	if it.refused() {
		return refusalText(typ, it.err)
	}
	switch typ {
	case wire.TypeNotification:
		if n, err := wire.ParseNotification(it.msg); err == nil {
			return "notification " + notificationText(n)
		}
	case wire.TypeUpdate:
		if f, ok := eorFamily(it); ok {
			return "End-of-RIB " + f.String()
		}
		it.expand()
		if len(it.routes) > it.next {
			return fmt.Sprintf("update (%d routes, first: %s)", len(it.routes)-it.next, it.routes[it.next].text)
		}
	}
	return typ.String()
}

// expectText describes an expectation for mismatches.
func expectText(e *expectation) string {
	switch e.kind {
	case expMalformed:
		if e.typ != 0 {
			return "a malformed " + e.typ.String()
		}
		return "malformed input"
	case expHex:
		return "these octets"
	case expEOR:
		return "End-of-RIB " + e.family.String()
	case expRoute:
		return e.route.String()
	case expClose:
		return "the remote to close the connection"
	case expSilence:
		return "nothing for " + e.dur.String()
	}
	if e.code >= 0 {
		return "notification " + codeSubText(e.code, e.sub)
	}
	if e.typ == 0 {
		return "a message"
	}
	return e.typ.String()
}

// eorFamily reports the family of an End-of-RIB item.
func eorFamily(it *item) (wire.Family, bool) {
	u, err := message.ParseUpdate(it.msg)
	if err != nil {
		return wire.Family{}, false
	}
	return u.EndOfRIB()
}

// writeDiff writes a unified diff of the expected document against the
// received one cut down to the members the expectation names.
func writeDiff(b *strings.Builder, expected, actual any) {
	want := indentJSON(stripExact(expected))
	got := indentJSON(project(expected, actual))
	b.WriteString("  --- expected\n  +++ received (members the expectation names)\n")
	for _, l := range lineDiff(want, got) {
		b.WriteString("  " + l + "\n")
	}
}

// stripExact returns v without the "=" markers of exact arrays
// (internal/jsonmatch syntax): the marker is not an element, and the
// diff would show it as one missing from what was received.
func stripExact(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = stripExact(e)
		}
		return out
	case []any:
		if len(x) > 0 {
			if s, ok := x[0].(string); ok && s == jsonmatch.Exact {
				x = x[1:]
			}
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = stripExact(e)
		}
		return out
	}
	return v
}

// project keeps the parts of actual that expected talks about: for
// objects, the members expected has; for arrays, every element cut to
// the shape of expected's first element.
func project(expected, actual any) any {
	switch ev := expected.(type) {
	case map[string]any:
		am, ok := actual.(map[string]any)
		if !ok {
			return actual
		}
		out := map[string]any{}
		for k, e := range ev {
			if a, ok := am[k]; ok {
				out[k] = project(e, a)
			}
		}
		return out
	case []any:
		aa, ok := actual.([]any)
		if !ok {
			return actual
		}
		var tmpl any
		for _, x := range ev {
			if s, ok := x.(string); ok && s == jsonmatch.Exact {
				continue
			}
			tmpl = x
			break
		}
		out := make([]any, len(aa))
		for i, x := range aa {
			if tmpl != nil {
				out[i] = project(tmpl, x)
			} else {
				out[i] = x
			}
		}
		return out
	}
	return actual
}

func indentJSON(v any) []string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v) //nolint:errcheck // decoded JSON always encodes
	return strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")
}

// lineDiff returns a minimal line diff of a and b: lines prefixed with
// "  " (both), "- " (only a) or "+ " (only b). Long inputs are cut.
func lineDiff(a, b []string) []string {
	const maxLines = 400
	if len(a) > maxLines {
		a = a[:maxLines]
	}
	if len(b) > maxLines {
		b = b[:maxLines]
	}
	// lcs[i][j]: length of the longest common subsequence of a[i:], b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, "  "+a[i])
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, "- "+a[i])
			i++
		default:
			out = append(out, "+ "+b[j])
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, "- "+a[i])
	}
	for ; j < len(b); j++ {
		out = append(out, "+ "+b[j])
	}
	return out
}

// decodeJSON decodes one JSON document with numbers kept as json.Number.
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}
