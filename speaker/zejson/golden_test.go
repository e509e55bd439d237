package zejson

import (
	"bytes"
	"encoding/json"
	"flag"
	"testing"

	"github.com/ze-bgp/ze/internal/corpus"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestGolden decodes every message of each capture with the context its
// stream negotiated and compares the JSON lines with
// testdata/NAME.golden.jsonl (go test -update rewrites them).
func TestGolden(t *testing.T) {
	corpus.GoldenCaptures(t, captureDir, "testdata", ".golden.jsonl", *updateGolden, func(t *testing.T, out []byte, c corpus.Message) []byte {
		start := len(out)
		out, err := AppendMessage(out, c.Data, c.Ctx, captureMeta(c))
		line := out[start:]
		if !json.Valid(line) {
			t.Fatalf("message %d: invalid JSON: %s", c.Index+1, line)
		}
		if failed := bytes.Contains(line, []byte(`"parsed":false,"error"`)); failed != (err != nil) {
			t.Errorf("message %d: err = %v but output %s", c.Index+1, err, line)
		}
		return append(out, '\n')
	})
}
