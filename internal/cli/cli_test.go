package cli

import (
	"flag"
	"reflect"
	"testing"
)

func TestInterleave(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.String("format", "", "")
	fs.Bool("v", false, "")
	tests := []struct{ in, want []string }{
		{[]string{"HEX", "--format", "text"}, []string{"--format", "text", "--", "HEX"}},
		{[]string{"ci/", "-v", "x"}, []string{"-v", "--", "ci/", "x"}},
		{[]string{"--format=json", "A", "--", "-B"}, []string{"--format=json", "--", "A", "-B"}},
		{[]string{"-", "--unknown"}, []string{"--unknown", "--", "-"}},
	}
	for _, tt := range tests {
		if got := Interleave(fs, tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Interleave(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
