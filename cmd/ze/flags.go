package main

import (
	"strings"

	"github.com/ze-bgp/ze/speaker/wire"
)

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
