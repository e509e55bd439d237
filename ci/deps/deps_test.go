package deps

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/ze-bgp/ze"

// pkg is one package of the module with its non-test imports.
type pkg struct {
	path    string // import path relative to the module ("speaker/wire")
	imports []string
	doc     bool
}

func packages(t *testing.T) []pkg {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ctx := build.Default
	ctx.BuildTags = append(ctx.BuildTags, "interop")
	var out []pkg
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if p != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "bin") {
			return filepath.SkipDir
		}
		bp, err := ctx.ImportDir(p, build.ImportComment)
		if err != nil {
			return nil // no Go files
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, pkg{path: filepath.ToSlash(rel), imports: bp.Imports, doc: bp.Doc != "" || bp.Name == "main"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("found only %d packages under %s", len(out), root)
	}
	return out
}

func local(imp string) (string, bool) {
	if imp == module {
		return "", true
	}
	return strings.CutPrefix(imp, module+"/")
}

func std(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return !strings.Contains(first, ".")
}

// codec is the wire layer: the speaker, the test peer and the tools
// stand on it, and it stands on nothing of ours above it.
var codec = map[string]bool{
	"speaker/wire": true, "speaker/nlri": true, "speaker/attr": true,
	"speaker/capability": true, "speaker/message": true,
}

func TestImportRules(t *testing.T) {
	for _, p := range packages(t) {
		for _, imp := range p.imports {
			l, ours := local(imp)
			switch {
			case p.path == "speaker/wire" && !std(imp):
				t.Errorf("%s imports %s: wire imports only the standard library", p.path, imp)
			case codec[p.path] && ours && !codec[l]:
				t.Errorf("%s imports %s: the codec packages import only each other", p.path, imp)
			case codec[p.path] && !ours && !std(imp):
				t.Errorf("%s imports %s: the codec packages use only the standard library", p.path, imp)
			case strings.HasPrefix(imp, "github.com/osrg/gobgp") && !strings.HasPrefix(p.path, "interop/"):
				t.Errorf("%s imports %s: GoBGP only in interop tests and benchmarks", p.path, imp)
			case strings.HasPrefix(imp, "github.com/google/gopacket") && p.path != "internal/capture":
				t.Errorf("%s imports %s: pcap reading lives in internal/capture", p.path, imp)
			case strings.HasPrefix(imp, "github.com/prometheus/") && p.path != "speaker/metrics":
				t.Errorf("%s imports %s: Prometheus lives in speaker/metrics", p.path, imp)
			}
			// The metrics exporter reads a snapshot through its Source
			// interface: it knows the codec's families and the FSM's
			// states, never the sessions, RIB, router or API.
			if p.path == "speaker/metrics" && ours && l != "speaker/wire" && l != "speaker/fsm" {
				t.Errorf("%s imports %s: metrics sees the speaker only through metrics.Source", p.path, imp)
			}
			// The control socket answers from copies the daemon hands it
			// (control.Backend): it renders router, peer and api values
			// with the codec's renderers and never reaches into the RIB,
			// the configuration or the daemon. Only the daemon serves it;
			// commands and interop tests are its clients.
			if p.path == "speaker/control" && ours && !codec[l] {
				switch l {
				case "speaker/router", "speaker/peer", "speaker/api", "speaker/fsm", "speaker/route", "speaker/zejson", "speaker/textfmt":
				default:
					t.Errorf("%s imports %s: control sees the speaker only through control.Backend", p.path, imp)
				}
			}
			if l == "speaker/control" && p.path != "speaker/daemon" && !strings.HasPrefix(p.path, "cmd/") && !strings.HasPrefix(p.path, "interop/") {
				t.Errorf("%s imports %s: only the daemon, commands and interop tests use the control socket", p.path, imp)
			}
			// STYLE.md: the state machine does no I/O; the RIB knows
			// neither sockets nor sessions.
			if (p.path == "speaker/fsm" || p.path == "speaker/rib") && (imp == "net" || l == "speaker/peer" || (p.path == "speaker/rib" && l == "speaker/fsm")) {
				t.Errorf("%s imports %s: fsm and rib stay free of I/O and sessions", p.path, imp)
			}
			// The test peer checks a speaker independently: it is built on
			// the codec (and the route syntax and renderers), never on the
			// speaker's session, RIB, config or API packages.
			if strings.HasPrefix(p.path, "testpeer") && ours && strings.HasPrefix(l, "speaker/") {
				switch l {
				case "speaker/route", "speaker/zejson", "speaker/textfmt":
				default:
					if !codec[l] {
						t.Errorf("%s imports %s: the test peer uses only the codec packages", p.path, imp)
					}
				}
			}
			// The test peer replays MRT files (--mrt) with package mrt's
			// reader and views; mrt itself then stands on the codec only,
			// so that the test peer stays independent of the speaker.
			if strings.HasPrefix(p.path, "testpeer") && ours && strings.HasPrefix(l, "mrt/") {
				t.Errorf("%s imports %s: the test peer reads MRT with package mrt only", p.path, imp)
			}
			if p.path == "mrt" && ours && !codec[l] {
				t.Errorf("%s imports %s: package mrt uses only the codec packages (the test peer imports it)", p.path, imp)
			}
			// MRT reading and dumping (mrt, mrt/bgpdump, mrt/filter,
			// mrt/dump) stand on the codec and the JSON renderer only: a
			// dump tool knows nothing of sessions, the RIB or the daemon.
			if (p.path == "mrt" || strings.HasPrefix(p.path, "mrt/")) && ours && !codec[l] && l != "speaker/zejson" &&
				l != "mrt" && !strings.HasPrefix(l, "mrt/") {
				t.Errorf("%s imports %s: the mrt packages use only the codec, zejson and each other", p.path, imp)
			}
		}
	}
}

func TestPackageDocs(t *testing.T) {
	for _, p := range packages(t) {
		if !p.doc {
			t.Errorf("%s has no package doc comment", p.path)
		}
	}
}
