// Package syntax reads the hierarchical configuration text ze uses (and
// ExaBGP's, which has the same shape) into a tree of statements, with the
// line and column of every word. It knows no keys: the typed schema lives
// in the parent package speaker/config, and a reader of another dialect
// (ExaBGP's `neighbor IP { … }`) can walk the same tree.
//
// The grammar, JUNOS-like:
//
//	file      = statement*
//	statement = WORD value* ( ";" | "{" statement* "}" )
//	value     = WORD | STRING | "[" value* "]"
//
// A WORD is a run of characters other than white space and { } ; [ ] " '.
// A STRING is "…" (backslash escapes the next character) or '…' (taken as
// written); it ends on its line. "#" where a word could start begins a
// comment that runs to the end of the line; a backslash just before a line
// break joins the lines (ExaBGP writes long routes that way).
//
// Parse collects every problem, each with its position, rather than
// stopping at the first one, and never panics.
package syntax
