package syntax

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// maxDepth bounds the nesting of blocks and lists, so that hostile input
// cannot exhaust the stack.
const maxDepth = 64

// Node is one statement: a key, the values after it, and, for a block,
// the statements between its braces.
type Node struct {
	Key      Value   // the first word; Key.Pos is where the statement starts
	Args     []Value // the values between the key and ";" or "{"
	Block    bool    // written with { … } (Children may still be empty)
	Children []*Node // the statements of the block, in order
	End      Pos     // the closing ";" or "}" (where it was expected, when missing)
}

// Value is a word, a quoted string or a bracketed list.
type Value struct {
	Text   string  // the word, or the string without its quotes; "" for a list
	Pos    Pos     // the first character (the quote or "[")
	Quoted bool    // written as a quoted string
	IsList bool    // written as [ … ]
	List   []Value // the elements of a list
	End    Pos     // for a list, its "]"
}

// String writes the value back as configuration text: strings quoted when
// they need it, lists as "[ a b ]".
func (v Value) String() string {
	if v.IsList {
		parts := []string{"["}
		for _, e := range v.List {
			parts = append(parts, e.String())
		}
		return strings.Join(append(parts, "]"), " ")
	}
	if v.Quoted && (v.Text == "" || strings.ContainsAny(v.Text, " \t\n{};[]\"'#")) {
		return strconv.Quote(v.Text)
	}
	return v.Text
}

// Error is one problem at one place of one file.
type Error struct {
	File string // "" when unknown
	Pos  Pos
	Msg  string
}

// Error returns "FILE:LINE:COL: MSG" (without "FILE:" when File is empty).
func (e *Error) Error() string {
	if e.File == "" {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.File + ":" + e.Pos.String() + ": " + e.Msg
}

// ErrorList is every problem found, in the order of the input once
// sorted; as an error it prints one problem per line.
type ErrorList []*Error

func (l *ErrorList) add(p Pos, format string, args ...any) {
	*l = append(*l, &Error{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

// Add appends a problem at p.
func (l *ErrorList) Add(p Pos, format string, args ...any) { l.add(p, format, args...) }

// Error returns the problems, one per line.
func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Sort orders the problems by position (stable for equal positions).
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Pos.Offset < l[j].Pos.Offset })
}

// SetFile names the file of every problem.
func (l ErrorList) SetFile(name string) {
	for _, e := range l {
		e.File = name
	}
}

// Err returns l as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

type parser struct {
	lx   *lexer
	tok  token
	errs ErrorList
}

func (p *parser) next() { p.tok = p.lx.next() }

// Parse reads src into its top-level statements. It reads on after a
// problem (skipping to a likely end of statement) and returns the
// statements it could read together with an ErrorList of every problem,
// sorted by position; the error is nil when there is none.
func Parse(src []byte) ([]*Node, error) {
	p := &parser{}
	p.lx = newLexer(src, &p.errs)
	p.next()
	nodes := p.statements(0, nil)
	p.errs.Sort()
	return nodes, p.errs.Err()
}

// statements reads statements up to the end of the input or, inside a
// block (open is its "{"), up to the "}" — which it leaves for the caller.
func (p *parser) statements(depth int, open *token) []*Node {
	var out []*Node
	for {
		switch p.tok.kind {
		case tEOF:
			if open != nil {
				p.errs.add(open.pos, "{ is not closed")
			}
			return out
		case tRBrace:
			if open != nil {
				return out
			}
			p.errs.add(p.tok.pos, "unexpected }: no block is open")
			p.next()
		case tWord:
			out = append(out, p.statement(depth))
		case tString:
			p.errs.add(p.tok.pos, "expected a key, found the string %q", p.tok.text)
			p.next()
		default:
			p.errs.add(p.tok.pos, "expected a key, found %s", p.tok.kind)
			p.next()
		}
	}
}

// statement reads one statement whose key is the current word.
func (p *parser) statement(depth int) *Node {
	n := &Node{Key: Value{Text: p.tok.text, Pos: p.tok.pos}}
	p.next()
	for {
		switch p.tok.kind {
		case tWord, tString:
			n.Args = append(n.Args, Value{Text: p.tok.text, Pos: p.tok.pos, Quoted: p.tok.kind == tString})
			p.next()
		case tLBrack:
			n.Args = append(n.Args, p.list(depth+1))
		case tRBrack:
			p.errs.add(p.tok.pos, "unexpected ]: no list is open")
			p.next()
		case tSemi:
			n.End = p.tok.pos
			p.next()
			return n
		case tLBrace:
			open := p.tok
			n.Block = true
			p.next()
			if depth+1 >= maxDepth {
				p.errs.add(open.pos, "blocks nested deeper than %d", maxDepth)
				p.skipBlock()
				return n
			}
			n.Children = p.statements(depth+1, &open)
			n.End = p.tok.pos
			if p.tok.kind == tRBrace {
				p.next()
			}
			return n
		case tRBrace:
			p.errs.add(p.tok.pos, "missing ; after %s", n.Key.Text)
			n.End = p.tok.pos
			return n
		case tEOF:
			p.errs.add(p.tok.pos, "missing ; after %s at the end of the file", n.Key.Text)
			n.End = p.tok.pos
			return n
		}
	}
}

// list reads "[ value* ]"; the current token is the "[".
func (p *parser) list(depth int) Value {
	v := Value{Pos: p.tok.pos, IsList: true}
	p.next()
	if depth >= maxDepth {
		p.errs.add(v.Pos, "lists nested deeper than %d", maxDepth)
	}
	for {
		switch p.tok.kind {
		case tWord, tString:
			v.List = append(v.List, Value{Text: p.tok.text, Pos: p.tok.pos, Quoted: p.tok.kind == tString})
			p.next()
		case tLBrack:
			if depth >= maxDepth {
				p.next()
				continue
			}
			v.List = append(v.List, p.list(depth+1))
		case tRBrack:
			v.End = p.tok.pos
			p.next()
			return v
		default:
			// ; { } or the end: the list was not closed; leave the token
			// to the statement.
			p.errs.add(v.Pos, "[ is not closed")
			v.End = p.tok.pos
			return v
		}
	}
}

// skipBlock passes the rest of a block whose "{" was just read, nested
// blocks included, and its "}".
func (p *parser) skipBlock() {
	level := 1
	for p.tok.kind != tEOF {
		switch p.tok.kind {
		case tLBrace:
			level++
		case tRBrace:
			level--
		}
		p.next()
		if level == 0 {
			return
		}
	}
}
