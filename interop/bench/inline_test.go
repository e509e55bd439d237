package bench

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// inlined are the codec functions a walk calls per message, per
// attribute or per prefix, which must stay within the compiler's
// inlining budget: out of line, each call spills the walk's registers
// (CutIPv4 once went 1 over the budget unnoticed).
var inlined = map[string][]string{
	"./speaker/message": {"UpdateOffsets"},
	"./speaker/nlri":    {"CutIPv4", "(*Iterator).Next"},
	"./speaker/attr": {
		"Cut", "CutAt", "CutSegment", "ASNs.All", "(*Iterator).Next",
		"ParseOrigin", "ParseNextHop", "ParseUint32",
		"ParseCommunities", "Communities.All",
		"ParseLargeCommunities", "LargeCommunities.All",
	},
}

// TestInlined asks the compiler (go build -gcflags=-m, from the module
// root) which functions it can inline and fails for each of inlined
// that it cannot, with the cost it gives.
func TestInlined(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the compiler")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	for pkg, funcs := range inlined {
		cmd := exec.Command(goTool, "build", "-gcflags=-m=2", pkg)
		cmd.Dir = "../.."
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
		for _, f := range funcs {
			can := regexp.MustCompile(`(?m): can inline ` + regexp.QuoteMeta(f) + ` with cost`)
			if can.Match(out) {
				continue
			}
			why := "not in the compiler's output"
			cannot := regexp.MustCompile(`(?m): cannot inline ` + regexp.QuoteMeta(f) + `: (.*)$`)
			if m := cannot.FindSubmatch(out); m != nil {
				why = strings.TrimSpace(string(m[1]))
			}
			t.Errorf("%s.%s does not inline: %s", pkg, f, why)
		}
	}
}
