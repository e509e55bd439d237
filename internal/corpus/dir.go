package corpus

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// EnvDir names the environment variable that overrides the shared data
// folder (the one holding pcap/, exabgp/ …).
const EnvDir = "ZE_SHARED_DATA"

// SharedDir returns the shared data folder: $ZE_SHARED_DATA when set,
// else ../shared/data beside the module root (the first folder holding a
// go.mod, walking up from the working directory; `go test` runs in the
// package's folder). ok is false when that folder does not exist; dir
// then says where it was looked for ("" when no go.mod was found), for
// the test's skip message.
func SharedDir() (dir string, ok bool) {
	if d := os.Getenv(EnvDir); d != "" {
		return d, isDir(d)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			dir = filepath.Join(filepath.Dir(d), "shared", "data")
			return dir, isDir(dir)
		}
		up := filepath.Dir(d)
		if up == d {
			return "", false
		}
		d = up
	}
}

// PcapDir returns the folder of the shared captures, SharedDir()/pcap,
// and whether it exists.
func PcapDir() (dir string, ok bool) {
	d, ok := SharedDir()
	if d == "" {
		return "", false
	}
	dir = filepath.Join(d, "pcap")
	return dir, ok && isDir(dir)
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// Names lists the captures of folder dir: X for every X.hex.txt, sorted.
// A folder without any gives no names and no error.
func Names(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*"+hexSuffix))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), hexSuffix))
	}
	sort.Strings(names)
	return names, nil
}

// Exists reports whether folder dir has capture name's file with suffix
// ext (".msgs.tsv", ".tshark.json", ".pcapng" …).
func Exists(dir, name, ext string) bool {
	_, err := os.Stat(filepath.Join(dir, name+ext))
	return err == nil
}
