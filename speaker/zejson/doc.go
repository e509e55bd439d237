// Package zejson renders BGP messages as ze's own JSON: one object per
// message, kebab-case keys, families as "afi/safi" strings, addresses
// and prefixes as strings, numbers as numbers, opaque bytes as
// upper-case hex. docs/json.md is the schema.
//
// The renderer walks the wire iterators of the wire, attr, nlri,
// message and capability packages and appends straight to a byte slice:
// no encoding/json, no intermediate structures.
package zejson
