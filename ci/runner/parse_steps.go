package runner

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// checkKeys are the keys of an expect= check; tailKeys take the rest of
// the line as their value.
var checkKeys = []string{"exit", "!exit", "contains", "!contains", "regex", "!regex", "json", "!json",
	"equals", "!equals", "equals-block", "lines", "count"}

var tailKeys = map[string]bool{"contains": true, "!contains": true, "regex": true, "!regex": true,
	"json": true, "!json": true, "equals": true, "!equals": true}

// expect parses expect=NAME:[stdout:|stderr:]CHECK.
func (p *parser) expect(val string) {
	name, rest, ok := strings.Cut(val, ":")
	if !ok || name == "" {
		p.errorf("expect= wants NAME:[stdout:|stderr:]CHECK")
		return
	}
	e := &Expect{Line: p.line, Source: p.src, Stream: "stdout"}
	streamGiven := false
	if s, r, ok := strings.Cut(rest, ":"); ok && (s == "stdout" || s == "stderr") {
		e.Stream, rest, streamGiven = s, r, true
	}
	fs, ok := p.fields(rest, checkKeys, tailKeys)
	if !ok {
		return
	}
	c, ok := p.check(fs, true)
	if !ok {
		return
	}
	if c.Kind == CheckExit {
		if streamGiven {
			p.errorf("exit= takes no stream")
			return
		}
		e.Stream = ""
	}
	e.Check = *c
	p.f.Expects = append(p.f.Expects, e)
	p.procRef(name, "expect", func(pr *Proc) { e.Proc = pr })
}

// check builds the one check of fs (with an optional count=).
func (p *parser) check(fs fieldList, exitOK bool) (*Check, bool) {
	c := &Check{Count: -1}
	n := 0
	for _, f := range fs {
		switch f.key {
		case "count":
			v, err := strconv.Atoi(f.val)
			if err != nil || v < 0 {
				p.errorf("count=%s: want a number ≥ 0", f.val)
				return nil, false
			}
			c.Count = v
			continue
		case "exit", "!exit":
			if !exitOK {
				p.errorf("%s= is only for expect=", f.key)
				return nil, false
			}
			v, err := strconv.Atoi(f.val)
			if err != nil {
				p.errorf("%s=%s: want a number", f.key, f.val)
				return nil, false
			}
			c.Kind, c.N = CheckExit, v
		case "lines":
			v, err := strconv.Atoi(f.val)
			if err != nil || v < 0 {
				p.errorf("lines=%s: want a number ≥ 0", f.val)
				return nil, false
			}
			c.Kind, c.N = CheckLines, v
		case "contains", "!contains":
			c.Kind = CheckContains
			if f.val == "" {
				p.errorf("%s= needs a text", f.key)
				return nil, false
			}
		case "regex", "!regex":
			c.Kind = CheckRegex
			if _, err := regexp.Compile("(?m)" + f.val); err != nil {
				p.errorf("%s=%s: %v", f.key, f.val, err)
				return nil, false
			}
		case "json", "!json":
			c.Kind = CheckJSON
			if !validJSON(f.val) {
				p.errorf("%s=%s: not valid JSON", f.key, clip(f.val, 60))
				return nil, false
			}
		case "equals", "!equals":
			c.Kind = CheckEquals
		case "equals-block":
			c.Kind = CheckEqualsBlock
			p.blockRef(f.val, "equals-block")
		default:
			p.errorf("%s= is not a check here", f.key)
			return nil, false
		}
		c.Key, c.Value, c.Negate = f.key, f.val, strings.HasPrefix(f.key, "!")
		n++
	}
	if n != 1 {
		p.errorf("want exactly one check (exit, contains, regex, json, equals, equals-block or lines), got %d", n)
		return nil, false
	}
	if c.Count >= 0 && (c.Negate || (c.Kind != CheckContains && c.Kind != CheckRegex && c.Kind != CheckJSON)) {
		p.errorf("count= goes with contains=, regex= or json=")
		return nil, false
	}
	return c, true
}

func validJSON(s string) bool {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	var v any
	if d.Decode(&v) != nil {
		return false
	}
	_, err := d.Token()
	return err != nil // nothing after the document
}

var signals = map[string]bool{"HUP": true, "INT": true, "QUIT": true, "KILL": true, "TERM": true,
	"USR1": true, "USR2": true, "STOP": true, "CONT": true}

// signal parses signal=NAME:SIGNAL[:seq=N].
func (p *parser) signal(val string) {
	parts := strings.SplitN(val, ":", 3)
	if len(parts) < 2 {
		p.errorf("signal= wants NAME:SIGNAL (SIGHUP, SIGTERM…)")
		return
	}
	sig := strings.TrimPrefix(strings.ToUpper(parts[1]), "SIG")
	if !signals[sig] {
		p.errorf("unknown signal %q (want HUP, INT, QUIT, KILL, TERM, USR1, USR2, STOP or CONT)", parts[1])
		return
	}
	rest := ""
	if len(parts) == 3 {
		rest = parts[2]
	}
	fs, ok := p.fields(rest, []string{"seq"}, nil)
	if !ok {
		return
	}
	s := &Step{Kind: StepSignal, Signal: sig}
	p.addStep(s, fs)
	p.procRef(parts[0], "signal", func(pr *Proc) { s.Proc = pr })
}

// wait parses wait=NAME[:timeout=D][:seq=N][:output=TEXT].
func (p *parser) wait(val string) {
	name, rest, _ := strings.Cut(val, ":")
	fs, ok := p.fields(rest, []string{"seq", "timeout", "output"}, map[string]bool{"output": true})
	if !ok {
		return
	}
	s := &Step{Kind: StepWait, Output: fs.get("output")}
	if v, set := fs.lookup("output"); set && v == "" {
		p.errorf("output= needs a text")
		return
	}
	if v, set := fs.lookup("timeout"); set {
		s.Timeout, _ = p.duration("timeout", v)
	}
	p.addStep(s, fs)
	p.procRef(name, "wait", func(pr *Proc) { s.Proc = pr })
}

// sleep parses sleep=DURATION[:seq=N].
func (p *parser) sleep(val string) {
	d, rest, _ := strings.Cut(val, ":")
	fs, ok := p.fields(rest, []string{"seq"}, nil)
	if !ok {
		return
	}
	dur, ok := p.duration("sleep", d)
	if !ok {
		return
	}
	p.addStep(&Step{Kind: StepSleep, Sleep: dur}, fs)
}

var httpKeys = []string{"url", "status", "header", "body", "retry", "seq",
	"contains", "!contains", "regex", "!regex", "json", "!json"}

// http parses http=METHOD:url=URL[:status=N][:header=…][:body=…][:retry=D][:seq=N][:CHECK].
func (p *parser) http(val string) {
	method, rest, _ := strings.Cut(val, ":")
	if method == "" || strings.ToUpper(method) != method || strings.ContainsAny(method, " =") {
		p.errorf("http= wants METHOD:url=…, as in http=GET:url=http://127.0.0.1:$PORT/")
		return
	}
	fs, ok := p.fields(rest, httpKeys, tailKeys)
	if !ok {
		return
	}
	h := &HTTPCheck{Method: method, URL: fs.get("url"), Body: fs.get("body")}
	if h.URL == "" {
		p.errorf("http needs :url=URL")
		return
	}
	if v, set := fs.lookup("status"); set {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100 || n > 599 {
			p.errorf("status=%s: want an HTTP status code", v)
			return
		}
		h.Status = n
	}
	var checks fieldList
	for _, f := range fs {
		switch f.key {
		case "header":
			if k, _, ok := strings.Cut(f.val, ":"); !ok || strings.TrimSpace(k) == "" {
				p.errorf("header=%s: want header=Name: value", f.val)
				return
			}
			h.Headers = append(h.Headers, f.val)
		case "contains", "!contains", "regex", "!regex", "json", "!json":
			checks = append(checks, f)
		}
	}
	if len(checks) > 0 {
		c, ok := p.check(checks, false)
		if !ok {
			return
		}
		h.Check = c
	}
	s := &Step{Kind: StepHTTP, HTTP: h}
	if v, set := fs.lookup("retry"); set {
		s.Timeout, _ = p.duration("retry", v)
	}
	p.addStep(s, fs)
}
