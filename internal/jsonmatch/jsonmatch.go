package jsonmatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Wildcards.
const (
	Any    = "*"
	Absent = "!"
	Exact  = "="
)

// Mismatch says where and why a document did not match.
type Mismatch struct {
	Path     string // JSONPath-like location, "$.update.announce[0]"
	Expected string // the expected value, as compact JSON
	Actual   string // the actual value, as compact JSON ("<absent>" when missing)
}

func (m *Mismatch) Error() string {
	return fmt.Sprintf("at %s: expected %s, got %s", m.Path, m.Expected, m.Actual)
}

// MatchJSON decodes both documents and matches them; it returns nil, a
// *Mismatch, or a decoding error.
func MatchJSON(expected, actual []byte) error {
	e, err := decode(expected)
	if err != nil {
		return fmt.Errorf("jsonmatch: expected document: %w", err)
	}
	a, err := decode(actual)
	if err != nil {
		return fmt.Errorf("jsonmatch: actual document: %w", err)
	}
	if m := Match(e, a); m != nil {
		return m
	}
	return nil
}

func decode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// Match matches decoded documents (as produced by encoding/json with
// UseNumber, or plain float64 numbers). It returns nil when they match.
func Match(expected, actual any) *Mismatch {
	return match("$", expected, actual)
}

func match(path string, e, a any) *Mismatch {
	if s, ok := e.(string); ok && s == Any {
		return nil
	}
	switch ev := e.(type) {
	case map[string]any:
		av, ok := a.(map[string]any)
		if !ok {
			return mismatch(path, e, a)
		}
		for k, want := range ev {
			p := path + "." + k
			got, present := av[k]
			if s, ok := want.(string); ok && s == Absent {
				if present {
					return mismatch(p, want, got)
				}
				continue
			}
			if !present {
				return &Mismatch{Path: p, Expected: compact(want), Actual: "<absent>"}
			}
			if m := match(p, want, got); m != nil {
				return m
			}
		}
		return nil
	case []any:
		av, ok := a.([]any)
		if !ok {
			return mismatch(path, e, a)
		}
		if len(ev) > 0 {
			if s, ok := ev[0].(string); ok && s == Exact {
				ev = ev[1:]
				if len(ev) != len(av) {
					return &Mismatch{Path: path + ".length", Expected: strconv.Itoa(len(ev)), Actual: strconv.Itoa(len(av))}
				}
				for i := range ev {
					if m := match(fmt.Sprintf("%s[%d]", path, i), ev[i], av[i]); m != nil {
						return m
					}
				}
				return nil
			}
		}
		j := 0
		for i, want := range ev {
			found := false
			for ; j < len(av); j++ {
				if match("", want, av[j]) == nil {
					found = true
					j++
					break
				}
			}
			if !found {
				return &Mismatch{Path: fmt.Sprintf("%s[%d]", path, i), Expected: compact(want), Actual: "no matching element in " + compact(a)}
			}
		}
		return nil
	default:
		if number(e) != "" || number(a) != "" {
			if number(e) == "" || number(a) == "" {
				return mismatch(path, e, a)
			}
			ef, err1 := strconv.ParseFloat(number(e), 64)
			af, err2 := strconv.ParseFloat(number(a), 64)
			if err1 != nil || err2 != nil || ef != af {
				return mismatch(path, e, a)
			}
			return nil
		}
		if e != a {
			return mismatch(path, e, a)
		}
		return nil
	}
}

func number(v any) string {
	switch n := v.(type) {
	case json.Number:
		return n.String()
	case float64:
		return strconv.FormatFloat(n, 'g', -1, 64)
	case int:
		return strconv.Itoa(n)
	}
	return ""
}

func mismatch(path string, e, a any) *Mismatch {
	return &Mismatch{Path: path, Expected: compact(e), Actual: compact(a)}
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
