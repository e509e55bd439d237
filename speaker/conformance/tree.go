package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// node is one value of a JSON document read in order, with repeated
// object keys kept: tshark's "-T json" output writes one key per
// occurrence of a field ("bgp.update.path_attribute" once per
// attribute), which a Go map would collapse.
//
// An object has Kids with their Key set; an array has Kids with empty
// Keys; a scalar has Val (strings as written, numbers in their text
// form, true/false/null as those words) and no Kids.
type node struct {
	Key  string
	Val  string
	Kids []*node
	Obj  bool // object (Kids keyed)
	Arr  bool // array
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 256

// parseTree reads one JSON value from r, keeping key order and
// repeated keys. Errors: malformed JSON, nesting deeper than maxDepth,
// or trailing data after the value.
func parseTree(r io.Reader) (*node, error) {
	d := json.NewDecoder(r)
	d.UseNumber()
	n, err := parseValue(d, 0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		if err == nil {
			return nil, errors.New("conformance: trailing data after JSON value")
		}
		return nil, fmt.Errorf("conformance: after JSON value: %w", err)
	}
	return n, nil
}

func parseValue(d *json.Decoder, depth int) (*node, error) {
	if depth > maxDepth {
		return nil, errors.New("conformance: JSON nested too deeply")
	}
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &node{Obj: true}
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("conformance: object key is not a string")
				}
				v, err := parseValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				v.Key = k
				n.Kids = append(n.Kids, v)
			}
			if _, err := d.Token(); err != nil { // '}'
				return nil, err
			}
			return n, nil
		case '[':
			n := &node{Arr: true}
			for d.More() {
				v, err := parseValue(d, depth+1)
				if err != nil {
					return nil, err
				}
				n.Kids = append(n.Kids, v)
			}
			if _, err := d.Token(); err != nil { // ']'
				return nil, err
			}
			return n, nil
		}
		return nil, fmt.Errorf("conformance: unexpected %v", t)
	case string:
		return &node{Val: t}, nil
	case json.Number:
		return &node{Val: t.String()}, nil
	case bool:
		if t {
			return &node{Val: "true"}, nil
		}
		return &node{Val: "false"}, nil
	case nil:
		return &node{Val: "null"}, nil
	}
	return nil, fmt.Errorf("conformance: unexpected token %T", tok)
}

// all returns the direct children named key, in document order.
func (n *node) all(key string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.Kids {
		if k.Key == key {
			out = append(out, k)
		}
	}
	return out
}

// get returns the first direct child named key, or nil.
func (n *node) get(key string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.Kids {
		if k.Key == key {
			return k
		}
	}
	return nil
}

// str returns the scalar value of the first child named key, and
// whether there is one.
func (n *node) str(key string) (string, bool) {
	c := n.get(key)
	if c == nil || c.Obj || c.Arr {
		return "", false
	}
	return c.Val, true
}

// withPrefix returns the direct children whose key starts with p.
func (n *node) withPrefix(p string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.Kids {
		if strings.HasPrefix(k.Key, p) {
			out = append(out, k)
		}
	}
	return out
}

// path follows a chain of first children named keys.
func (n *node) path(keys ...string) *node {
	for _, k := range keys {
		n = n.get(k)
	}
	return n
}

// flatten returns n's elements if n is an array, else n itself: tshark
// writes a layer that occurs several times either as repeated keys or
// as one key holding an array.
func flatten(ns []*node) []*node {
	var out []*node
	for _, n := range ns {
		if n.Arr {
			out = append(out, n.Kids...)
		} else {
			out = append(out, n)
		}
	}
	return out
}
