package testpeer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ze-bgp/ze/speaker/route"
	"github.com/ze-bgp/ze/speaker/wire"
)

// Script is a parsed check-mode script: one block of steps per
// connection, run in order. docs/test-peer.md describes the format.
type Script struct {
	name   string
	blocks []*block
}

// Connections is the number of connection blocks.
func (s *Script) Connections() int { return len(s.blocks) }

// Expectations is the number of expect lines.
func (s *Script) Expectations() int {
	n := 0
	for _, b := range s.blocks {
		for _, st := range b.steps {
			switch st.kind {
			case stepExpect:
				n++
			case stepUnordered:
				n += len(st.group)
			}
		}
	}
	return n
}

// block is the steps of one connection.
type block struct {
	line   int  // line of its `connection` header, 0 for the implicit first block
	manual bool // `handshake manual`: the script sends OPEN and KEEPALIVE itself
	steps  []*step
}

type stepKind uint8

const (
	stepExpect stepKind = iota
	stepSend
	stepClose
	stepSleep
	stepIgnore
	stepUnordered
)

// step is one line of the script (or an unordered group).
type step struct {
	line   int
	text   string // the line, comment removed
	kind   stepKind
	expect expectation
	send   sendAction
	dur    time.Duration
	ignore typeSet
	group  []*step // stepUnordered: expect steps, any order
}

type expectKind uint8

const (
	expMessage   expectKind = iota // a message of a type, optionally matching JSON or a NOTIFICATION code
	expHex                         // exact octets
	expEOR                         // End-of-RIB for a family
	expRoute                       // one route of an UPDATE
	expClose                       // the remote closes the connection
	expSilence                     // nothing (but ignored types) for a while
	expMalformed                   // input the peer refuses, optionally of a type and matching JSON
)

type expectation struct {
	kind   expectKind
	typ    wire.Type // expMessage: 0 for any type
	json   any       // subset document (whole-message form), nil for none
	hex    []byte
	family wire.Family
	route  routeMatch
	code   int // expMessage NOTIFICATION shorthand: -1 for any
	sub    int
	dur    time.Duration
}

type sendKind uint8

const (
	sendRaw   sendKind = iota // fixed octets
	sendOpen                  // our OPEN
	sendRoute                 // a route, encoded with the send context
)

type sendAction struct {
	kind  sendKind
	raw   []byte
	route route.Route
}

// typeSet is a set of message types; bit 0 stands for unknown types.
type typeSet uint8

func (t typeSet) has(typ wire.Type) bool {
	if typ < wire.TypeOpen || typ > wire.TypeRouteRefresh {
		return t&1 != 0
	}
	return t&(1<<typ) != 0
}

func (t typeSet) with(typ wire.Type) typeSet {
	if typ < wire.TypeOpen || typ > wire.TypeRouteRefresh {
		return t | 1
	}
	return t | 1<<typ
}

// ScriptError is a script mistake, with its place.
type ScriptError struct {
	File string
	Line int
	Msg  string
}

func (e *ScriptError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// maxScriptLine bounds one script line (a long hex message fits).
const maxScriptLine = 1 << 20

// ParseScript reads a check script; name is used in error messages and
// failure reports (a file name). Errors are *ScriptError.
func ParseScript(name string, r io.Reader) (*Script, error) {
	sp := &scriptParser{s: &Script{name: name}}
	sp.s.blocks = []*block{{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxScriptLine)
	n := 0
	for sc.Scan() {
		n++
		if err := sp.line(n, sc.Text()); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &ScriptError{File: name, Line: n + 1, Msg: err.Error()}
	}
	if sp.group != nil {
		return nil, sp.errf(sp.group.line, "unordered block not closed with end")
	}
	// Drop empty blocks (a script may end with `connection`).
	var out []*block
	for _, b := range sp.s.blocks {
		if len(b.steps) > 0 {
			out = append(out, b)
		}
	}
	sp.s.blocks = out
	return sp.s, nil
}

// ParseScriptString parses a script held in a string.
func ParseScriptString(name, text string) (*Script, error) {
	return ParseScript(name, strings.NewReader(text))
}

type scriptParser struct {
	s      *Script
	group  *step // open unordered group
	manual bool  // current handshake setting (sticky)
	closed bool  // the current block's connection was closed
}

func (sp *scriptParser) errf(line int, format string, args ...any) error {
	return &ScriptError{File: sp.s.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (sp *scriptParser) cur() *block { return sp.s.blocks[len(sp.s.blocks)-1] }

func (sp *scriptParser) line(n int, raw string) error {
	text := strings.TrimSpace(stripComment(raw))
	if text == "" {
		return nil
	}
	word, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	if sp.group != nil && word != "expect" && word != "end" {
		return sp.errf(n, "only expect lines may go inside unordered … end (found %q)", word)
	}
	if sp.closed && word != "sleep" && word != "connection" {
		return sp.errf(n, "%q after the connection was closed: start a new block with `connection`", word)
	}
	st := &step{line: n, text: text}
	switch word {
	case "connection":
		if rest != "" {
			return sp.errf(n, "connection takes no argument")
		}
		b := sp.cur()
		if len(b.steps) > 0 || b.line != 0 {
			sp.s.blocks = append(sp.s.blocks, &block{line: n, manual: sp.manual})
		} else {
			b.line = n
		}
		sp.closed = false
		return nil
	case "handshake":
		switch rest {
		case "auto", "manual":
		default:
			return sp.errf(n, "handshake takes auto or manual, not %q", rest)
		}
		if len(sp.cur().steps) > 0 {
			return sp.errf(n, "handshake must come before the first step of its connection block")
		}
		sp.manual = rest == "manual"
		sp.cur().manual = sp.manual
		return nil
	case "unordered":
		if rest != "" {
			return sp.errf(n, "unordered takes no argument")
		}
		st.kind = stepUnordered
		sp.group = st
		sp.cur().steps = append(sp.cur().steps, st)
		return nil
	case "end":
		if sp.group == nil {
			return sp.errf(n, "end without unordered")
		}
		if len(sp.group.group) == 0 {
			return sp.errf(n, "empty unordered block")
		}
		sp.group = nil
		return nil
	case "expect":
		e, err := sp.parseExpect(n, rest)
		if err != nil {
			return err
		}
		st.kind, st.expect = stepExpect, e
		if sp.group != nil {
			if e.kind == expClose || e.kind == expSilence {
				return sp.errf(n, "expect %s cannot go inside unordered", rest)
			}
			sp.group.group = append(sp.group.group, st)
			return nil
		}
		sp.closed = e.kind == expClose
	case "send":
		a, err := sp.parseSend(n, rest)
		if err != nil {
			return err
		}
		st.kind, st.send = stepSend, a
	case "close":
		if rest != "" {
			return sp.errf(n, "close takes no argument")
		}
		st.kind = stepClose
		sp.closed = true
	case "sleep":
		d, err := time.ParseDuration(rest)
		if err != nil || d < 0 {
			return sp.errf(n, "sleep needs a duration like 100ms or 2s, not %q", rest)
		}
		st.kind, st.dur = stepSleep, d
	case "ignore":
		ts, err := parseTypes(rest)
		if err != nil {
			return sp.errf(n, "%v", err)
		}
		st.kind, st.ignore = stepIgnore, ts
	default:
		return sp.errf(n, "unknown directive %q (want expect, send, close, sleep, ignore, handshake, connection, unordered)", word)
	}
	sp.cur().steps = append(sp.cur().steps, st)
	return nil
}

// stripComment removes a '#' comment: one at the start of the line or
// after white space, outside double quotes (JSON strings, texts).
func stripComment(s string) string {
	inQuote, esc := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case esc:
			esc = false
		case inQuote && c == '\\':
			esc = true
		case c == '"':
			inQuote = !inQuote
		case c == '#' && !inQuote && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return s[:i]
		}
	}
	return s
}

// parseTypes reads TYPE[,TYPE…] or "none" for ignore lines and --ignore.
func parseTypes(s string) (typeSet, error) {
	if s == "none" {
		return 0, nil
	}
	var ts typeSet
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		t, ok := typeByName(w)
		if !ok {
			return 0, fmt.Errorf("unknown message type %q (want open, update, notification, keepalive, route-refresh, unknown or none)", w)
		}
		ts = ts.with(t)
	}
	if ts == 0 {
		return 0, fmt.Errorf("ignore needs message types or none")
	}
	return ts, nil
}

// ParseTypes parses a comma-separated list of message type names (as
// for --ignore); "unknown" stands for any type outside 1-5.
func ParseTypes(s string) ([]wire.Type, error) {
	ts, err := parseTypes(s)
	if err != nil {
		return nil, err
	}
	var out []wire.Type
	for t := wire.Type(0); t <= wire.TypeRouteRefresh; t++ {
		if ts.has(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

func typeByName(w string) (wire.Type, bool) {
	if w == "unknown" {
		return 0, true
	}
	for t := wire.TypeOpen; t <= wire.TypeRouteRefresh; t++ {
		if t.String() == w {
			return t, true
		}
	}
	return 0, false
}

// parseJSON reads exactly one JSON object.
func parseJSON(s string) (map[string]any, error) {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if d.More() {
		return nil, fmt.Errorf("text after the JSON object")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("text after the JSON object")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the JSON must be an object")
	}
	return m, nil
}

// messageKeys are the top-level members of ze's JSON message object
// that no message body has: a document with one of them is a whole
// message, otherwise it is the body of the expected type.
var messageKeys = []string{"type", "length", "index", "time", "stream", "src", "dst", "parsed", "error", "action", "raw",
	"open", "update", "notification", "route-refresh"}

// wholeMessage returns m as a whole-message document: as is when it
// names a top-level member, else {"TYPE": m}.
func wholeMessage(typ wire.Type, m map[string]any) map[string]any {
	for _, k := range messageKeys {
		if _, ok := m[k]; ok {
			return m
		}
	}
	if typ == 0 || typ == wire.TypeKeepalive {
		return m
	}
	return map[string]any{typ.String(): m}
}

// parseHex decodes hex digits, allowing white space, ':' and a 0x prefix.
func parseHex(s string) ([]byte, error) {
	var digits []byte
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == ':':
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			digits = append(digits, c)
		default:
			return nil, fmt.Errorf("%q is not a hex digit", c)
		}
	}
	if len(digits) == 0 {
		return nil, fmt.Errorf("no hex digits")
	}
	if len(digits)%2 != 0 {
		return nil, fmt.Errorf("odd number of hex digits")
	}
	out := make([]byte, len(digits)/2)
	for i := range out {
		v, _ := strconv.ParseUint(string(digits[2*i:2*i+2]), 16, 8)
		out[i] = byte(v)
	}
	return out, nil
}

// ParseHex decodes hex text as script lines and --open-hex do.
func ParseHex(s string) ([]byte, error) { return parseHex(s) }

// isRouteText reports whether s starts like a route line.
func isRouteText(s string) bool {
	w, _, _ := strings.Cut(s, " ")
	return w == "route" || w == "announce" || w == "withdraw"
}

// jsonOrEmpty splits "WORD [JSON]" forms: it returns the decoded JSON
// (whole-message form) or nil when the rest is empty.
func jsonOrEmpty(typ wire.Type, rest string) (any, error) {
	if rest == "" {
		return nil, nil
	}
	if !strings.HasPrefix(rest, "{") {
		return nil, fmt.Errorf("expected a JSON object, found %q", rest)
	}
	m, err := parseJSON(rest)
	if err != nil {
		return nil, err
	}
	return wholeMessage(typ, m), nil
}

// compactJSON renders v for reports.
func compactJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v) //nolint:errcheck // v came from the JSON decoder
	return strings.TrimSpace(b.String())
}
