package mrt

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestExpandPattern(t *testing.T) {
	at := time.Date(2024, 2, 3, 4, 5, 6, 0, time.FixedZone("CET", 3600)) // 03:05:06 UTC
	tests := []struct {
		pattern, want string
		bad           bool
	}{
		{"updates.%Y%m%d.%H%M", "updates.20240203.0305", false},
		{"rrc00/%Y.%m/bview.%Y%m%d.%H%M.gz", "rrc00/2024.02/bview.20240203.0305.gz", false},
		{"%y-%j-%S-%s-100%%", "24-034-06-1706929506-100%", false},
		{"plain", "plain", false},
		{"bad.%Q", "", true},
		{"trailing%", "", true},
	}
	for _, tt := range tests {
		got, err := ExpandPattern(tt.pattern, at)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("ExpandPattern(%q) = %q, %v; want %q (error %v)", tt.pattern, got, err, tt.want, tt.bad)
		}
	}
	for _, p := range []string{"", "dir/", "x%"} {
		if CheckPattern(p) == nil {
			t.Errorf("CheckPattern(%q) accepted it", p)
		}
	}
	if _, err := NewWriter("x.%Z", WriterOptions{}); err == nil {
		t.Error("NewWriter accepted a bad pattern")
	}
	if _, err := NewWriter("x", WriterOptions{Every: -time.Second}); err == nil {
		t.Error("NewWriter accepted a negative period")
	}
}

// wReadFile returns a file's content, gunzipped (every member) for .gz;
// of a gzip file still being written, what was flushed.
func wReadFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Ext(name) != ".gz" {
		return b
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil && err != io.ErrUnexpectedEOF { // a file still open has no trailer yet
		t.Fatal(err)
	}
	return out
}

func TestWriterRotation(t *testing.T) {
	for _, ext := range []string{"", ".gz"} {
		t.Run("ext"+ext, func(t *testing.T) {
			dir := t.TempDir()
			var done []string
			w, err := NewWriter(filepath.Join(dir, "%Y", "u.%H%M"+ext), WriterOptions{
				Every: 5 * time.Minute,
				Done: func(name string, err error) {
					if err != nil {
						t.Errorf("closing %s: %v", name, err)
					}
					done = append(done, filepath.Base(name))
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			base := time.Date(2024, 1, 1, 10, 3, 0, 0, time.UTC)
			writes := []struct {
				at  time.Duration // after base
				rec string
			}{
				{0, "a"},                // 10:03 → u.1000
				{time.Minute, "b"},      // 10:04 → u.1000
				{2 * time.Minute, "c"},  // 10:05 → u.1005
				{-time.Hour, "d"},       // the clock went back: stays in u.1005
				{13 * time.Minute, "e"}, // 10:16 → u.1015 (10:10 had nothing)
			}
			for _, wr := range writes {
				if err := w.Write(base.Add(wr.at), []byte(wr.rec)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := wReadFile(t, filepath.Join(dir, "2024", "u.1015"+ext)); string(got) != "e" {
				t.Errorf("after Flush the open file holds %q, want e", got)
			}
			if err := w.Rotate(base.Add(16 * time.Minute)); err != nil || w.Name() == "" {
				t.Errorf("Rotate within the period: %v, closed %v", err, w.Name() == "")
			}
			if err := w.Rotate(base.Add(17 * time.Minute)); err != nil || w.Name() != "" {
				t.Errorf("Rotate after the period: %v, open %q", err, w.Name())
			}
			if err := w.Close(); err != nil {
				t.Errorf("Close after Rotate: %v", err)
			}
			want := map[string]string{"u.1000" + ext: "ab", "u.1005" + ext: "cd", "u.1015" + ext: "e"}
			for name, content := range want {
				if got := wReadFile(t, filepath.Join(dir, "2024", name)); string(got) != content {
					t.Errorf("%s holds %q, want %q", name, got, content)
				}
			}
			if !slices.Equal(done, []string{"u.1000" + ext, "u.1005" + ext, "u.1015" + ext}) {
				t.Errorf("Done saw %v", done)
			}

			// A new Writer (a restart) appends to the period's file.
			w2, _ := NewWriter(filepath.Join(dir, "%Y", "u.%H%M"+ext), WriterOptions{Every: 5 * time.Minute})
			if err := w2.Write(base.Add(14*time.Minute), []byte("f")); err != nil {
				t.Fatal(err)
			}
			w2.Close()
			if got := wReadFile(t, filepath.Join(dir, "2024", "u.1015"+ext)); string(got) != "ef" {
				t.Errorf("after a restart u.1015 holds %q, want ef", got)
			}
		})
	}
}

func TestWriterAtomic(t *testing.T) {
	dir := t.TempDir()
	w, _ := NewWriter(filepath.Join(dir, "t.%H%M"), WriterOptions{Every: time.Hour, Atomic: true})
	at := time.Date(2024, 1, 1, 10, 30, 0, 0, time.UTC)
	if err := w.Write(at, []byte("old")); err != nil {
		t.Fatal(err)
	}
	w.Close()
	// A second dump of the same period replaces the first whole.
	if err := w.Write(at, []byte("new")); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if got := wReadFile(t, filepath.Join(dir, "t.1000")); string(got) != "old" {
		t.Errorf("during the second dump t.1000 holds %q, want the first dump", got)
	}
	w.Close()
	if got := wReadFile(t, filepath.Join(dir, "t.1000")); string(got) != "new" {
		t.Errorf("t.1000 holds %q, want new", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "t.1000.tmp")); err == nil {
		t.Error("the .tmp file is left")
	}
}

func TestWriterErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// The pattern's directory is a file: opening fails, every time.
	w, _ := NewWriter(filepath.Join(file, "u.%H"), WriterOptions{Every: time.Hour})
	for range 2 {
		if err := w.Write(time.Now(), []byte("x")); err == nil {
			t.Fatal("a write under a file succeeded")
		}
	}
	if w.Name() != "" {
		t.Errorf("Name() = %q after a failed open", w.Name())
	}
	if err := w.Flush(); err != nil {
		t.Errorf("Flush with no file: %v", err)
	}
	// Every 0: one file named after the first record.
	w, _ = NewWriter(filepath.Join(dir, "one.%H%M%S"), WriterOptions{})
	at := time.Date(2024, 1, 1, 10, 30, 15, 0, time.UTC)
	w.Write(at, []byte("1"))
	w.Write(at.Add(48*time.Hour), []byte("2"))
	w.Close()
	if got := wReadFile(t, filepath.Join(dir, "one.103015")); string(got) != "12" {
		t.Errorf("one.103015 holds %q, want 12", got)
	}
}
