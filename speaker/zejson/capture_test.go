package zejson

import "github.com/ze-bgp/ze/internal/corpus"

// captureDir holds the shared captures the golden tests decode, copied
// with their msgs.tsv (testdata/README.md says where from).
const captureDir = "testdata"

// goldenCaptures are the captures of captureDir; each has a golden file.
var goldenCaptures, errCaptures = corpus.Names(captureDir)

// captureMeta is what a capture says about m, in AppendMessage's terms.
func captureMeta(m corpus.Message) Meta {
	return Meta{Index: m.Index + 1, Time: m.Time, Src: m.Src, Dst: m.Dst, Stream: m.Stream}
}
