package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFileAndTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.json")
	if err := WriteFile(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Errorf("WriteFile wrote %q", b)
	}
	names := map[string]bool{}
	for range 3 {
		tmp, err := WriteTemp(path, []byte("two"))
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(tmp); !bytes.Equal(b, []byte("two")) || filepath.Dir(tmp) != dir ||
			!strings.HasPrefix(filepath.Base(tmp), ".a.json.") || !strings.HasSuffix(tmp, ".tmp") || names[tmp] {
			t.Errorf("temporary file %s holds %q (seen before: %v)", tmp, b, names[tmp])
		}
		names[tmp] = true
	}
	if err := SyncDir(dir); err != nil {
		t.Error(err)
	}
	missing := filepath.Join(dir, "no-such-dir", "b.json")
	if err := WriteFile(missing, nil); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}
	if _, err := WriteTemp(missing, nil); err == nil {
		t.Error("WriteTemp into a missing directory succeeded")
	}
	if err := SyncDir(filepath.Join(dir, "no-such-dir")); err == nil {
		t.Error("SyncDir of a missing directory succeeded")
	}
}

// A write that fails leaves the file as it was and no temporary file; one
// that succeeds replaces it whole and readable.
func TestWriteIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fig.png")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		w.Write([]byte("half of the new"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write returned %v, want the writer's error", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("after a failed write the file holds %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("after a failed write the directory holds %d entries", len(ents))
	}
	if err := WriteFile(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if b, _ := os.ReadFile(path); string(b) != "new" || fi.Mode().Perm() != 0o644 {
		t.Errorf("after a write: %q, mode %v", b, fi.Mode().Perm())
	}
}
