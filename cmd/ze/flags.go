package main

import (
	"flag"
	"strings"

	"github.com/ze-bgp/ze/speaker/wire"
)

// interleave moves flags after positional arguments to the front, so that
// `ze bgp decode HEX --format text` works like the flag package expects.
// A "--" ends flag processing.
func interleave(fs *flag.FlagSet, args []string) []string {
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
	return append(flags, pos...)
}

// familyList is a flag taking FAMILY[,FAMILY…]; it may repeat.
type familyList []wire.Family

func (l *familyList) String() string {
	var s []string
	for _, f := range *l {
		s = append(s, f.String())
	}
	return strings.Join(s, ",")
}

func (l *familyList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		f, err := wire.ParseFamily(p)
		if err != nil {
			return err
		}
		*l = append(*l, f)
	}
	return nil
}

// familyFlag is a flag taking one FAMILY.
type familyFlag struct{ f wire.Family }

func (v *familyFlag) String() string {
	if v.f == (wire.Family{}) {
		return ""
	}
	return v.f.String()
}

func (v *familyFlag) Set(s string) error {
	f, err := wire.ParseFamily(s)
	v.f = f
	return err
}
