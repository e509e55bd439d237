package textfmt

import (
	"github.com/ze-bgp/ze/internal/corpus"
	"github.com/ze-bgp/ze/speaker/zejson"
)

// captureDir holds the shared captures; they are kept once, with
// zejson's golden files (see its testdata/README.md).
const captureDir = "../zejson/testdata"

// goldenCaptures are the captures of captureDir; each has a golden file
// here.
var goldenCaptures, errCaptures = corpus.Names(captureDir)

// captureMeta is what a capture says about m, in AppendMessage's terms.
func captureMeta(m corpus.Message) zejson.Meta {
	return zejson.Meta{Index: m.Index + 1, Time: m.Time, Src: m.Src, Dst: m.Dst, Stream: m.Stream}
}
