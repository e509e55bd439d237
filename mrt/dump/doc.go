// Package dump runs `ze mrt dump`: it reads every record of an MRT
// stream (package mrt) and prints it as bgpdump -m or -M lines (package
// bgpdump), as ze JSON objects — one per RIB route, BGP message or state
// change, the message in the shape `ze bgp decode` prints (package
// zejson) — or as hex BGP messages ready for `ze bgp decode`, with the
// routes a filter selects (package filter). Damage found by the reader
// or inside records is collected in the summary. docs/mrt.md describes
// the formats.
package dump
