package config

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/ze-bgp/ze/speaker/config/syntax"
)

// item is one checked statement: its key, where it is, and its value
// (see checker.value; a *section for a block).
type item struct {
	key  *Key
	node *syntax.Node
	val  any
	name string   // a named block's name
	opts *section // a family statement's { … } (familyOptionsBlock); nil without braces
}

// section is a checked block: its statements, each known and valid.
type section struct {
	block *Block
	node  *syntax.Node // the statement that opened it; nil for the file
	items []*item
	bad   map[string]bool // keys written with a value that was rejected
}

type checker struct {
	errs syntax.ErrorList
}

// exabgpHints say how an ExaBGP key is written in ze, for keys that are
// no typo of a ze key.
var exabgpHints = map[string]string{
	"neighbor":  "ExaBGP's neighbor is peer NAME { remote { ip …; as …; } … } here",
	"peer-as":   "the neighbour's AS is remote { as …; } here",
	"template":  "templates are group NAME { … } here, with their peers inside",
	"inherit":   "a peer inherits from the group it is written in",
	"peer-addr": "the neighbour's address is remote { ip …; } here",
}

// block checks the statements of one block against b.
func (c *checker) block(b *Block, node *syntax.Node, children []*syntax.Node) *section {
	s := &section{block: b, node: node}
	seen := map[string]*item{}
	for _, n := range children {
		k := b.key(n.Key.Text)
		if k == nil {
			c.unknown(b, n)
			continue
		}
		v, ok := c.value(k, n)
		if !ok {
			s.setBad(k.Name)
			continue
		}
		it := &item{key: k, node: n, val: v}
		id := k.Name
		if k.Kind == KindBlock {
			it.name = v.(string)
			it.val = c.block(k.Block, n, n.Children)
			id += " " + it.name
		}
		if k.Kind == KindFamily {
			id = fmt.Sprint(v)
			if n.Block {
				it.opts = c.block(k.Block, n, n.Children)
			}
		}
		if !k.Multi || k.Named || k.Kind == KindFamily {
			if prev := seen[id]; prev != nil {
				c.errs.Add(n.Key.Pos, "%s is given twice in this block (first at line %d)", id, prev.node.Key.Pos.Line)
				continue
			}
			seen[id] = it
		}
		s.items = append(s.items, it)
	}
	return s
}

// unknown reports a key b does not have, with a suggestion.
func (c *checker) unknown(b *Block, n *syntax.Node) {
	name := n.Key.Text
	if sug := suggest(strings.ToLower(name), b.names()); sug != "" {
		c.errs.Add(n.Key.Pos, "unknown key %q (did you mean %s?)", name, sug)
		return
	}
	if h, ok := exabgpHints[strings.ToLower(name)]; ok {
		c.errs.Add(n.Key.Pos, "unknown key %q (%s)", name, h)
		return
	}
	if where := elsewhere(name); where != "" && where != b.Name {
		c.errs.Add(n.Key.Pos, "unknown key %q %s (it belongs in %s)", name, in(b), where)
		return
	}
	c.errs.Add(n.Key.Pos, "unknown key %q %s (want %s)", name, in(b), strings.Join(b.names(), ", "))
}

// in names block b in a message: "in peer", "at the top level".
func in(b *Block) string {
	if b == fileBlock {
		return "at the top level"
	}
	return "in " + b.Name
}

// elsewhere names the block where key is valid, when it is a key of one.
func elsewhere(key string) string {
	if fileBlock.key(key) != nil {
		return "the top level"
	}
	if bgpBlock.key(key) != nil {
		if key == "group" {
			return "bgp"
		}
		return "bgp, a group or a peer"
	}
	for _, b := range []*Block{remoteBlock, capabilityBlock, logBlock, processBlock, apiBlock, receiveBlock} {
		if k := b.key(key); k != nil && !k.Any {
			return b.Name + " { }"
		}
	}
	return ""
}

// setBad notes that key name was written but rejected, so that it is
// not reported missing too.
func (s *section) setBad(name string) {
	if s.bad == nil {
		s.bad = map[string]bool{}
	}
	s.bad[name] = true
}

// get returns the item of key name (the last one), or nil.
func (s *section) get(name string) *item {
	if s == nil {
		return nil
	}
	for i := len(s.items) - 1; i >= 0; i-- {
		if s.items[i].key.Name == name {
			return s.items[i]
		}
	}
	return nil
}

// all returns every item of key name, in order.
func (s *section) all(name string) []*item {
	var out []*item
	for _, it := range s.items {
		if it.key.Name == name {
			out = append(out, it)
		}
	}
	return out
}

// val returns the value of key name, or its default, or nil.
func (s *section) val(name string) any {
	if it := s.get(name); it != nil {
		return it.val
	}
	k := s.block.key(name)
	if k == nil {
		panic("config: no key " + name + " in " + s.block.Name)
	}
	return defaults[k]
}

func (s *section) uint(name string) uint64 {
	v, _ := s.val(name).(uint64)
	return v
}

func (s *section) flag(name string) bool {
	v, _ := s.val(name).(bool)
	return v
}

func (s *section) str(name string) string {
	v, _ := s.val(name).(string)
	return v
}

func (s *section) strs(name string) []string {
	v, _ := s.val(name).([]string)
	return v
}

func (s *section) addr(name string) netip.Addr {
	v, _ := s.val(name).(netip.Addr)
	return v
}

// sub returns the block of key name, or an empty one (whose values are
// the defaults) when it is absent.
func (s *section) sub(name string) *section {
	if it := s.get(name); it != nil {
		return it.val.(*section)
	}
	return &section{block: s.block.key(name).Block}
}

// pos returns where key name is written, or where the section starts.
func (s *section) pos(name string) syntax.Pos {
	if it := s.get(name); it != nil {
		return it.node.Key.Pos
	}
	if s.node != nil {
		return s.node.Key.Pos
	}
	return syntax.Pos{Line: 1, Col: 1}
}

// merge returns child laid over parent, both of the same block: a key of
// child replaces the parent's; blocks merge key by key unless their key
// says Replace. Neither input is changed.
func merge(parent, child *section) *section {
	if parent == nil {
		return child
	}
	out := &section{block: child.block, node: child.node}
	for k := range parent.bad {
		out.setBad(k)
	}
	for k := range child.bad {
		out.setBad(k)
	}
	for _, it := range parent.items {
		if child.get(it.key.Name) == nil {
			out.items = append(out.items, it)
		}
	}
	for _, it := range child.items {
		k := it.key
		if k.Kind == KindBlock && !k.Replace && !k.Named {
			if p := parent.get(k.Name); p != nil {
				it = &item{key: k, node: it.node, val: merge(p.val.(*section), it.val.(*section))}
			}
		}
		out.items = append(out.items, it)
	}
	return out
}

// without returns s less the items of the named keys.
func (s *section) without(names ...string) *section {
	out := &section{block: peerBlock, node: s.node, bad: s.bad}
	for _, it := range s.items {
		drop := false
		for _, n := range names {
			drop = drop || it.key.Name == n
		}
		if !drop {
			out.items = append(out.items, it)
		}
	}
	return out
}

// missing reports every Required key absent from s (and from the
// present blocks inside it), at pos, for what (`peer "a"`).
func (c *checker) missing(s *section, pos syntax.Pos, what, prefix string) {
	for _, k := range s.block.Keys {
		it := s.get(k.Name)
		if it == nil && k.Required && !s.bad[k.Name] {
			c.errs.Add(pos, "%s: missing %s%s", what, prefix, k.Name)
			continue
		}
		if it != nil && k.Kind == KindBlock && !k.Named {
			c.missing(it.val.(*section), pos, what, prefix+k.Name+" ")
		}
	}
}

// defaults holds each key's parsed Default.
var defaults = map[*Key]any{}

func init() {
	var walk func(b *Block)
	done := map[*Block]bool{}
	walk = func(b *Block) {
		if done[b] {
			return
		}
		done[b] = true
		for _, k := range b.Keys {
			if k.Block != nil {
				walk(k.Block)
			}
			if k.Default == "" {
				continue
			}
			nodes, err := syntax.Parse([]byte(k.Name + " " + k.Default + ";"))
			if err != nil {
				panic("config: default of " + k.Name + ": " + err.Error())
			}
			var c checker
			v, ok := c.value(k, nodes[0])
			if !ok {
				panic("config: default of " + k.Name + ": " + c.errs.Error())
			}
			defaults[k] = v
		}
	}
	walk(fileBlock)
}
