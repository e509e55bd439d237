package textfmt

import (
	"bytes"
	"flag"
	"testing"

	"github.com/ze-bgp/ze/internal/corpus"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestGolden renders every message of each capture with the context its
// stream negotiated and compares with testdata/NAME.golden.txt (go test
// -update rewrites them).
func TestGolden(t *testing.T) {
	corpus.GoldenCaptures(t, captureDir, "testdata", ".golden.txt", *updateGolden, func(t *testing.T, out []byte, c corpus.Message) []byte {
		start := len(out)
		out, err := AppendMessage(out, c.Data, c.Ctx, captureMeta(c))
		text := out[start:]
		if len(text) == 0 || text[len(text)-1] != '\n' {
			t.Fatalf("message %d: output %q does not end a line", c.Index+1, text)
		}
		if failed := bytes.Contains(text, []byte(" error \"")); failed != (err != nil) {
			t.Errorf("message %d: err = %v but output %s", c.Index+1, err, text)
		}
		return out
	})
}
