package runner

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxErrors bounds the problems reported per file.
const maxErrors = 20

// ParseFile reads and parses a .ci file (see Parse).
func ParseFile(path string) (*File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, ErrorList{{File: path, Msg: err.Error()}}
	}
	return Parse(path, src)
}

// Parse parses the text of a .ci file named name. On any problem it
// returns a nil File and an ErrorList with every problem found, each as
// `name:line: reason`.
func Parse(name string, src []byte) (*File, error) {
	p := &parser{f: &File{Path: name}, blocks: map[string]*Block{}, procs: map[string]*Proc{}}
	lines := strings.Split(string(src), "\n")
	for i := 0; i < len(lines); i++ {
		if len(p.errs) >= maxErrors {
			break
		}
		line := strings.TrimSpace(strings.TrimSuffix(lines[i], "\r"))
		if line == "" || line[0] == '#' {
			continue
		}
		p.line, p.src = i+1, line
		term := p.directive(line)
		if term == "" {
			continue
		}
		// an embedded block: every line up to the terminator, verbatim
		start := i + 1
		end := -1
		for j := start; j < len(lines); j++ {
			if strings.TrimRight(lines[j], " \t\r") == term {
				end = j
				break
			}
		}
		if end < 0 {
			p.errorf("block %q has no terminator line %q", p.pending.Name, term)
			break
		}
		var b strings.Builder
		for _, l := range lines[start:end] {
			b.WriteString(strings.TrimSuffix(l, "\r"))
			b.WriteByte('\n')
		}
		p.pending.Data = b.String()
		i = end
	}
	if len(p.errs) == 0 {
		p.finish()
	}
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
		return nil, p.errs
	}
	return p.f, nil
}

type parser struct {
	f         *File
	line      int
	src       string
	errs      ErrorList
	blocks    map[string]*Block
	procs     map[string]*Proc
	pending   *Block // the block whose lines follow
	seq       int    // the seq of the previous step
	refs      []ref  // process names used before their definition is known
	envLines  []int
	blockRefs []func()
}

type ref struct {
	line int
	name string
	use  string
	bind func(*Proc)
}

func (p *parser) errorf(format string, a ...any) {
	p.errs = append(p.errs, &Error{File: p.f.Path, Line: p.line, Msg: fmt.Sprintf(format, a...)})
}

// directive parses one directive line; for a block header it returns the
// terminator word.
func (p *parser) directive(line string) string {
	key, val, ok := strings.Cut(line, "=")
	if !ok {
		p.errorf("%q is not a directive (want NAME=VALUE; see docs/ci-format.md)", clip(line, 40))
		return ""
	}
	switch key {
	case "option":
		p.option(val)
	case "stdin", "file":
		return p.block(key, val)
	case "hex", "text":
		p.oneLiner(key, val)
	case "peer":
		return p.peer(val)
	case "cmd":
		p.cmd(val)
	case "expect":
		p.expect(val)
	case "signal":
		p.signal(val)
	case "wait":
		p.wait(val)
	case "sleep":
		p.sleep(val)
	case "http":
		p.http(val)
	default:
		p.errorf("unknown directive %q (want option, stdin, file, hex, text, peer, cmd, expect, signal, wait, sleep or http)", key)
	}
	return ""
}

// option parses option=timeout:D, skip:REASON, needs:PROGRAM or env:K=V.
func (p *parser) option(val string) {
	k, v, _ := strings.Cut(val, ":")
	switch k {
	case "timeout":
		if d, ok := p.duration("timeout", v); ok {
			p.f.Timeout = d
		}
	case "skip":
		if v == "" {
			v = "skipped"
		}
		p.f.Skip = v
	case "needs":
		if v == "" || strings.ContainsAny(v, " \t") {
			p.errorf("option=needs takes one program name, got %q", v)
			return
		}
		p.f.Needs = append(p.f.Needs, v)
	case "env":
		if n, _, ok := strings.Cut(v, "="); !ok || n == "" {
			p.errorf("option=env takes KEY=VALUE, got %q", v)
			return
		}
		p.f.Env = append(p.f.Env, v)
		p.envLines = append(p.envLines, p.line)
	default:
		p.errorf("unknown option %q (want timeout, skip, needs or env)", k)
	}
}

// addBlock defines an embedded file; nil when the name is bad or taken.
func (p *parser) addBlock(kind, name string) *Block {
	if !blockName.MatchString(name) {
		p.errorf("%s name %q: use letters, digits and _", kind, name)
		return nil
	}
	if b, dup := p.blocks[name]; dup {
		p.errorf("embedded file %q already defined at line %d", name, b.Line)
		return nil
	}
	b := &Block{Name: name, Line: p.line, Kind: kind}
	p.blocks[name] = b
	p.f.Blocks = append(p.f.Blocks, b)
	return b
}

// block parses stdin=/file=NAME:terminator=WORD and returns the word.
func (p *parser) block(kind, val string) string {
	name, rest, _ := strings.Cut(val, ":")
	fs, ok := p.fields(rest, []string{"terminator"}, nil)
	if !ok {
		return ""
	}
	term := fs.get("terminator")
	if term == "" {
		p.errorf("%s=%s needs :terminator=WORD (the line that ends the block)", kind, name)
		return ""
	}
	if !p.word("terminator", term) {
		return ""
	}
	b := p.addBlock(kind, name)
	if b == nil {
		b = &Block{Name: name} // keep reading past its lines
	}
	p.pending = b
	return term
}

// oneLiner parses hex=NAME:HEX and text=NAME:TEXT.
func (p *parser) oneLiner(kind, val string) {
	name, data, ok := strings.Cut(val, ":")
	if !ok {
		p.errorf("%s= wants NAME:CONTENT", kind)
		return
	}
	if kind == "hex" {
		if err := checkHex(data); err != nil {
			p.errorf("hex=%s: %v", name, err)
			return
		}
	}
	if b := p.addBlock(kind, name); b != nil {
		b.Data = data + "\n"
	}
}

// checkHex accepts what `ze bgp decode` accepts: hex digits with spaces
// and ':' between them, an even number of digits.
func checkHex(s string) error {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			n++
		case c == ' ' || c == ':' || c == '\t':
		default:
			return fmt.Errorf("%q at column %d is not a hex digit", c, i+1)
		}
	}
	if n == 0 {
		return fmt.Errorf("no hex digits")
	}
	if n%2 != 0 {
		return fmt.Errorf("odd number of hex digits (%d)", n)
	}
	return nil
}

// addProc defines a process; false when the name is bad or taken.
func (p *parser) addProc(pr *Proc) bool {
	if !procName.MatchString(pr.Name) {
		p.errorf("process name %q: use letters, digits, _, . and -", pr.Name)
		return false
	}
	if o, dup := p.procs[pr.Name]; dup {
		p.errorf("process %q already defined at line %d", pr.Name, o.Line)
		return false
	}
	p.procs[pr.Name] = pr
	p.f.Procs = append(p.f.Procs, pr)
	return true
}

// addStep appends a step with its seq (given, or the previous step's).
func (p *parser) addStep(s *Step, fs fieldList) {
	s.Line, s.Source, s.Seq = p.line, p.src, p.seq
	if v, ok := fs.lookup("seq"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			p.errorf("seq=%s: want a number ≥ 0", v)
			return
		}
		s.Seq = n
	}
	p.seq = s.Seq
	p.f.Steps = append(p.f.Steps, s)
}

// peer parses peer=NAME[:args=FLAGS][:ready=TEXT][:timeout=D][:seq=N][:terminator=WORD]:
// an embedded script plus a background `ze-test peer --script`.
func (p *parser) peer(val string) string {
	name, rest, _ := strings.Cut(val, ":")
	fs, ok := p.fields(rest, []string{"seq", "timeout", "ready", "args", "terminator"}, nil)
	if !ok {
		return ""
	}
	pr := &Proc{Name: name, Line: p.line, Source: p.src, Background: true, Peer: true, Ready: fs.get("ready")}
	args := fs.get("args")
	if _, set := fs.lookup("ready"); !set && hasFlag(args, "listen") {
		pr.Ready = "listening"
	}
	if v, set := fs.lookup("timeout"); set {
		pr.Timeout, _ = p.duration("timeout", v)
	}
	term := fs.get("terminator")
	if term != "" && !p.word("terminator", term) {
		return ""
	}
	pr.Exec = "ze-test peer"
	if term != "" {
		pr.Exec += " --script $FILE_" + name
	}
	if args != "" {
		if _, err := splitWords(args); err != nil {
			p.errorf("args=%s: %v", args, err)
			return ""
		}
		pr.Exec += " " + args
	}
	if !p.addProc(pr) {
		return ""
	}
	p.addStep(&Step{Kind: StepStart, Proc: pr}, fs)
	if term != "" {
		b := p.addBlock("peer", name)
		if b == nil {
			b = &Block{Name: name}
		}
		p.pending = b
	}
	return term
}

// word checks that a terminator is one word.
func (p *parser) word(key, v string) bool {
	if !blockName.MatchString(v) {
		p.errorf("%s=%s: want one word (letters, digits, _)", key, v)
		return false
	}
	return true
}

// hasFlag reports whether a command line holds -name or --name (with or
// without =value).
func hasFlag(args, name string) bool {
	for _, w := range strings.Fields(args) {
		w = strings.TrimLeft(w, "-")
		if w == name || strings.HasPrefix(w, name+"=") {
			return true
		}
	}
	return false
}

// cmd parses cmd=foreground|background:exec=COMMAND[:name=…][:stdin=…|:stdin-file=…][:timeout=D][:ready=TEXT][:seq=N].
func (p *parser) cmd(val string) {
	mode, rest, _ := strings.Cut(val, ":")
	if mode != "background" && mode != "foreground" {
		p.errorf("cmd=%s: want cmd=background:… or cmd=foreground:…", mode)
		return
	}
	fs, ok := p.fields(rest, []string{"seq", "name", "exec", "stdin", "stdin-file", "timeout", "ready"}, nil)
	if !ok {
		return
	}
	pr := &Proc{Line: p.line, Source: p.src, Background: mode == "background",
		Name: fs.get("name"), Exec: fs.get("exec"), Stdin: fs.get("stdin"), StdinFile: fs.get("stdin-file"), Ready: fs.get("ready")}
	if pr.Name == "" {
		pr.Name = fmt.Sprintf("cmd%d", len(p.f.Procs)+1)
	}
	if strings.TrimSpace(pr.Exec) == "" {
		p.errorf("cmd needs :exec=COMMAND")
		return
	}
	if _, err := splitWords(pr.Exec); err != nil {
		p.errorf("exec=%s: %v", pr.Exec, err)
		return
	}
	if v, set := fs.lookup("timeout"); set {
		pr.Timeout, _ = p.duration("timeout", v)
	}
	if pr.Stdin != "" && pr.StdinFile != "" {
		p.errorf("cmd %s: stdin= and stdin-file= together", pr.Name)
	}
	if pr.Stdin != "" {
		p.blockRef(pr.Stdin, "stdin")
	}
	if pr.Ready != "" && !pr.Background {
		p.errorf("ready= is for background commands (a foreground command is waited for)")
	}
	if !p.addProc(pr) {
		return
	}
	p.addStep(&Step{Kind: StepStart, Proc: pr}, fs)
	if !pr.Background {
		p.f.Expects = append(p.f.Expects, &Expect{Line: p.line, Source: p.src, Proc: pr,
			Check: Check{Kind: CheckExit, N: 0, Count: -1, Key: "exit"}, Implicit: true})
	}
}

// blockRef checks, at the end of the file, that an embedded file exists.
func (p *parser) blockRef(name, use string) {
	line := p.line
	p.blockRefs = append(p.blockRefs, func() {
		if _, ok := p.blocks[name]; !ok {
			p.line = line
			p.errorf("%s=%s: no embedded file of that name", use, name)
		}
	})
}

// procRef resolves a process name now or, when it is defined further
// down, at the end of the file.
func (p *parser) procRef(name, use string, bind func(*Proc)) {
	p.refs = append(p.refs, ref{line: p.line, name: name, use: use, bind: bind})
}

// duration parses 500ms, 5s, 2m or a bare number of seconds (> 0).
func (p *parser) duration(key, v string) (time.Duration, bool) {
	d, err := time.ParseDuration(v)
	if err != nil {
		if n, err2 := strconv.ParseFloat(v, 64); err2 == nil {
			d, err = time.Duration(n*float64(time.Second)), nil
		}
	}
	if err != nil || d <= 0 {
		p.errorf("%s=%s: want a duration like 500ms, 5s or 2m", key, v)
		return 0, false
	}
	return d, true
}

// finish resolves process references, checks $FILE_ names and orders
// the steps.
func (p *parser) finish() {
	for _, check := range p.blockRefs {
		check()
	}
	for _, r := range p.refs {
		pr, ok := p.procs[r.name]
		if !ok {
			p.line = r.line
			p.errorf("%s: no process named %q (define it with cmd=…:name=%s or peer=%s)", r.use, r.name, r.name, r.name)
			continue
		}
		if !pr.Background && (r.use == "signal" || r.use == "wait") {
			p.line = r.line
			p.errorf("%s: %q is a foreground command (it has exited by then)", r.use, r.name)
			continue
		}
		r.bind(pr)
	}
	// an explicit exit expectation replaces the implicit exit=0
	explicit := map[*Proc]bool{}
	for _, e := range p.f.Expects {
		if !e.Implicit && e.Check.Kind == CheckExit {
			explicit[e.Proc] = true
		}
	}
	expects := p.f.Expects[:0]
	for _, e := range p.f.Expects {
		if !e.Implicit || !explicit[e.Proc] {
			expects = append(expects, e)
		}
	}
	p.f.Expects = expects
	ports := map[string]bool{}
	check := func(line int, s string) {
		for _, v := range varsIn(s) {
			switch {
			case v == "SHARED":
				p.f.UsesShared = true
			case isPortVar(v):
				ports[v] = true
			case strings.HasPrefix(v, "FILE_"):
				if _, ok := p.blocks[v[5:]]; !ok {
					p.line = line
					p.errorf("$%s: no embedded file %q", v, v[5:])
				}
			}
		}
	}
	for _, b := range p.f.Blocks {
		check(b.Line, b.Data)
	}
	for _, pr := range p.f.Procs {
		check(pr.Line, pr.Exec)
		check(pr.Line, pr.StdinFile)
		check(pr.Line, pr.Ready)
	}
	for _, s := range p.f.Steps {
		check(s.Line, s.Output)
		if h := s.HTTP; h != nil {
			check(s.Line, h.URL+" "+h.Body+" "+strings.Join(h.Headers, " "))
			if h.Check != nil {
				check(s.Line, h.Check.Value)
			}
		}
	}
	for _, e := range p.f.Expects {
		check(e.Line, e.Check.Value)
	}
	for i, e := range p.f.Env {
		check(p.envLines[i], e)
	}
	for v := range ports {
		p.f.Ports = append(p.f.Ports, v)
	}
	sort.Strings(p.f.Ports)
	sort.SliceStable(p.f.Steps, func(i, j int) bool { return p.f.Steps[i].Seq < p.f.Steps[j].Seq })
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
