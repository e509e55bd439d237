package runner

import (
	"errors"
	"strings"
)

type field struct{ key, val string }

type fieldList []field

func (fs fieldList) lookup(k string) (string, bool) {
	for _, f := range fs {
		if f.key == k {
			return f.val, true
		}
	}
	return "", false
}

func (fs fieldList) get(k string) string {
	v, _ := fs.lookup(k)
	return v
}

// fields splits "k1=v1:k2=v2…". A value runs up to the next ':' that is
// followed by one of keys and '=', so values may hold ':' (addresses,
// URLs, JSON); a tail key's value is the rest of the line. Keys other
// than header may appear once.
func (p *parser) fields(s string, keys []string, tail map[string]bool) (fieldList, bool) {
	var fs fieldList
	keyAt := func(i int) string {
		for _, k := range keys {
			if strings.HasPrefix(s[i:], k+"=") {
				return k
			}
		}
		return ""
	}
	for i := 0; i < len(s); {
		k := keyAt(i)
		if k == "" {
			w := s[i:]
			if j := strings.IndexAny(w, ":="); j >= 0 {
				w = w[:j]
			}
			p.errorf("unknown field %q (want %s)", clip(w, 30), strings.Join(keys, ", "))
			return nil, false
		}
		start := i + len(k) + 1
		end := len(s)
		if !tail[k] {
			for j := start; j < len(s); j++ {
				if s[j] == ':' && keyAt(j+1) != "" {
					end = j
					break
				}
			}
		}
		if !tail[k] {
			if w := lookalikeKey(s[start:end]); w != "" {
				p.errorf("unknown field %q (want %s; a value that must hold \":%s=\" goes into an embedded file)", w, strings.Join(keys, ", "), w)
				return nil, false
			}
		}
		if _, dup := fs.lookup(k); dup && k != "header" {
			p.errorf("field %s= given twice", k)
			return nil, false
		}
		fs = append(fs, field{k, s[start:end]})
		i = end + 1
	}
	return fs, true
}

// lookalikeKey finds ":word=" in a value, word being lower case letters,
// digits and '-' starting with a letter: most likely a misspelt key
// (":stdn=") that would otherwise be swallowed by the value before it.
func lookalikeKey(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] != ':' || i+1 >= len(v) || v[i+1] < 'a' || v[i+1] > 'z' {
			continue
		}
		j := i + 1
		for j < len(v) && (v[j] >= 'a' && v[j] <= 'z' || v[j] >= '0' && v[j] <= '9' || v[j] == '-') {
			j++
		}
		if j < len(v) && v[j] == '=' {
			return v[i+1 : j]
		}
	}
	return ""
}

// splitWords splits a command line into words like a POSIX shell does
// for quoting only: 'single' and "double" quotes and backslash escapes;
// no globbing, pipes or variables (run `sh -c '…'` for those).
func splitWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case c == '\'':
			inWord = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated ' quote")
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			inWord = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				w.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New(`unterminated " quote`)
			}
		case c == '\\':
			inWord = true
			if i+1 < len(s) {
				i++
				w.WriteByte(s[i])
			}
		default:
			inWord = true
			w.WriteByte(c)
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	if len(words) == 0 {
		return nil, errors.New("empty command")
	}
	return words, nil
}

// varsIn lists the $NAME and ${NAME} references of s.
func varsIn(s string) []string {
	var out []string
	scanVars(s, func(name string) (string, bool) {
		out = append(out, name)
		return "", false
	})
	return out
}

// scanVars calls fn for every $NAME or ${NAME} in s and returns s with
// each reference replaced by fn's value when fn reports one; other
// references stay as written (so shell variables pass through).
func scanVars(s string, fn func(name string) (string, bool)) string {
	if strings.IndexByte(s, '$') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		braced := s[i+1] == '{'
		j := i + 1
		if braced {
			j++
		}
		k := j
		for k < len(s) && isIdent(s[k], k == j) {
			k++
		}
		if k == j || (braced && (k >= len(s) || s[k] != '}')) {
			b.WriteByte(s[i])
			continue
		}
		name := s[j:k]
		end := k
		if braced {
			end++
		}
		if v, ok := fn(name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i:end])
		}
		i = end - 1
	}
	return b.String()
}

func isIdent(c byte, first bool) bool {
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9')
}

// isPortVar reports whether name is PORT or PORT1…PORT9.
func isPortVar(name string) bool {
	return name == "PORT" || (len(name) == 5 && strings.HasPrefix(name, "PORT") && name[4] >= '1' && name[4] <= '9')
}
