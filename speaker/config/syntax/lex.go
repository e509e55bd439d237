package syntax

import (
	"strconv"
	"unicode/utf8"
)

// Pos is a place in the input: Line and Col count from 1 (Col in
// characters, an invalid UTF-8 byte counting as one), Offset is the byte
// offset from the start.
type Pos struct {
	Line, Col, Offset int
}

// String returns "LINE:COL".
func (p Pos) String() string { return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) }

// tokKind is the kind of a token.
type tokKind uint8

const (
	tEOF tokKind = iota
	tWord
	tString
	tLBrace
	tRBrace
	tSemi
	tLBrack
	tRBrack
)

func (k tokKind) String() string {
	switch k {
	case tEOF:
		return "end of file"
	case tWord:
		return "word"
	case tString:
		return "string"
	case tLBrace:
		return "{"
	case tRBrace:
		return "}"
	case tSemi:
		return ";"
	case tLBrack:
		return "["
	case tRBrack:
		return "]"
	}
	return "token"
}

var punct = map[byte]tokKind{'{': tLBrace, '}': tRBrace, ';': tSemi, '[': tLBrack, ']': tRBrack}

type token struct {
	kind tokKind
	text string // the word, or the string without quotes and escapes
	pos  Pos
}

// lexer turns the input into tokens; errors (unterminated strings) go
// into errs and lexing goes on.
type lexer struct {
	src  []byte
	pos  Pos
	errs *ErrorList
}

func newLexer(src []byte, errs *ErrorList) *lexer {
	return &lexer{src: src, pos: Pos{Line: 1, Col: 1}, errs: errs}
}

// peekByte returns the byte at the cursor, or 0 at the end.
func (l *lexer) peekByte() byte {
	if l.pos.Offset < len(l.src) {
		return l.src[l.pos.Offset]
	}
	return 0
}

// advance moves over one character, keeping the line and column.
func (l *lexer) advance() {
	if l.pos.Offset >= len(l.src) {
		return
	}
	if l.src[l.pos.Offset] == '\n' {
		l.pos.Offset++
		l.pos.Line++
		l.pos.Col = 1
		return
	}
	_, n := utf8.DecodeRune(l.src[l.pos.Offset:])
	l.pos.Offset += n
	l.pos.Col++
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isSpecial(c byte) bool {
	switch c {
	case '{', '}', ';', '[', ']', '"', '\'':
		return true
	}
	return false
}

// skip passes white space, comments and backslash-newline continuations.
func (l *lexer) skip() {
	for l.pos.Offset < len(l.src) {
		c := l.src[l.pos.Offset]
		switch {
		case isSpace(c):
			l.advance()
		case c == '#':
			for l.pos.Offset < len(l.src) && l.src[l.pos.Offset] != '\n' {
				l.advance()
			}
		case c == '\\' && l.continuation():
			l.advance()
		default:
			return
		}
	}
}

// continuation reports whether the backslash at the cursor is followed by
// nothing but blanks up to a line break.
func (l *lexer) continuation() bool {
	for i := l.pos.Offset + 1; i < len(l.src); i++ {
		switch l.src[i] {
		case ' ', '\t', '\r':
		case '\n':
			return true
		default:
			return false
		}
	}
	return false
}

// next returns the next token; at the end it returns tEOF (at the end
// position) forever.
func (l *lexer) next() token {
	l.skip()
	start := l.pos
	if l.pos.Offset >= len(l.src) {
		return token{kind: tEOF, pos: start}
	}
	c := l.src[l.pos.Offset]
	if k, ok := punct[c]; ok {
		l.advance()
		return token{kind: k, text: string(c), pos: start}
	}
	if c == '"' || c == '\'' {
		return l.str(c, start)
	}
	for l.pos.Offset < len(l.src) {
		c := l.src[l.pos.Offset]
		if isSpace(c) || isSpecial(c) {
			break
		}
		l.advance()
	}
	return token{kind: tWord, text: string(l.src[start.Offset:l.pos.Offset]), pos: start}
}

// str reads a quoted string that starts at the cursor.
func (l *lexer) str(q byte, start Pos) token {
	l.advance()
	var b []byte
	for {
		if l.pos.Offset >= len(l.src) || l.src[l.pos.Offset] == '\n' {
			l.errs.add(start, "string is not closed before the end of the line")
			return token{kind: tString, text: string(b), pos: start}
		}
		c := l.src[l.pos.Offset]
		if c == q {
			l.advance()
			return token{kind: tString, text: string(b), pos: start}
		}
		if c == '\\' && q == '"' && l.pos.Offset+1 < len(l.src) && l.src[l.pos.Offset+1] != '\n' {
			l.advance()
		}
		o := l.pos.Offset
		l.advance()
		b = append(b, l.src[o:l.pos.Offset]...)
	}
}
