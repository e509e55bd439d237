package stats

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldens are the reports compared with testdata/NAME.txt, NAME.json
// and NAME.svg: an update file, a RIB dump with ADD-PATH, and the
// synthetic records of every kind (damage included).
var goldens = []struct {
	name  string
	top   int
	files []string
}{
	{"updates.20020722.2238", 5, []string{"updates.20020722.2238.gz"}},
	{"bview.ipv4_unicast_add_path", 3, []string{"bview.ipv4_unicast_add_path.gz"}},
	{"synthetic", 10, []string{"synthetic.mrt"}},
}

func TestGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			r := analyse(t, g.top, g.files...)
			for _, f := range []struct {
				ext   string
				write func(io.Writer, *Report) error
			}{{"txt", WriteText}, {"json", WriteJSON}, {"svg", WriteSVG}} {
				var b bytes.Buffer
				if err := f.write(&b, r); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata", g.name+"."+f.ext), b.Bytes())
			}
		})
	}
}

// golden compares got with the file, or rewrites it with -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n(go test -update rewrites it)", path, i+1, g, w)
			}
		}
	}
}

// TestJSONShape: one object on one line, keys in kebab-case.
func TestJSONShape(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, analyse(t, 3, "updates.20020722.2238.gz")); err != nil {
		t.Fatal(err)
	}
	if bytes.Count(b.Bytes(), []byte("\n")) != 1 {
		t.Error("not one line")
	}
	var v any
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if strings.ToLower(k) != k || strings.ContainsAny(k, "_ ") {
					t.Errorf("key %q is not kebab-case", k)
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
}

// TestSVGWellFormed parses every SVG the goldens draw (and one of an
// empty report) as XML, checks the elements the charts are made of,
// and renders them with rsvg-convert when it is installed.
func TestSVGWellFormed(t *testing.T) {
	reports := map[string]*Report{"empty": New(Options{}).Report()}
	for _, g := range goldens {
		reports[g.name] = analyse(t, g.top, g.files...)
	}
	rsvg, _ := exec.LookPath("rsvg-convert")
	for name, r := range reports {
		var b bytes.Buffer
		if err := WriteSVG(&b, r); err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
		d.Strict = true
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if se, ok := tok.(xml.StartElement); ok {
				count[se.Name.Local]++
				if se.Name.Local == "svg" && se.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("%s: svg namespace %q", name, se.Name.Space)
				}
			}
		}
		if count["svg"] != 1 || count["title"] == 0 || count["text"] < 5 {
			t.Errorf("%s: elements %v", name, count)
		}
		if r.Chart != nil && count["polyline"]+count["circle"] != 2*len(chartSeries(r.Chart)) {
			t.Errorf("%s: %d lines for %d series", name, count["polyline"]+count["circle"], len(chartSeries(r.Chart)))
		}
		if rsvg != "" {
			cmd := exec.Command(rsvg, "--format", "png", "-o", filepath.Join(t.TempDir(), "out.png"))
			cmd.Stdin = bytes.NewReader(b.Bytes())
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%s: rsvg-convert: %v\n%s", name, err, out)
			}
		}
	}
}
