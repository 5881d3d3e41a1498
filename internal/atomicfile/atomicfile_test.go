package atomicfile

import (
	"bytes"
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
