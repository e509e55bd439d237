// Package deps holds tests of the repository's architecture: which
// packages may import which (the layering of DEVELOPERS.md and
// STYLE.md), where third-party modules may appear, and that every
// package has a doc comment.
package deps
