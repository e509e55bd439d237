// Package cli holds the small command-line helpers the ze commands share.
package cli

import (
	"flag"
	"strings"
)

// Interleave reorders args so that flags written after positional
// arguments still parse with the flag package (`ze bgp decode HEX
// --format text`, `ze-test run ci/ -v`): flags (and the values of
// non-boolean flags) first, then "--", then the positional arguments in
// their order. A "--" in args ends the flags.
func Interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			flags = append(flags, args[i+1])
			i++
		}
	}
	return append(append(flags, "--"), pos...)
}
