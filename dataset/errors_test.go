package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/p53evo/p53evo/internal/errprefix/errprefixtest"
)

// TestErrorPrefix: the errors dataset returns start with "dataset: ", once
// (the rule of package errprefix and CONTRIBUTING.md).
func TestErrorPrefix(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, eFormat := ParseFormat("csv")
	_, eEmpty := Create(" ", Meta{})
	_, eCodec := Create(filepath.Join(dir, "out"), Meta{}, WithCompression("zstandard"))
	_, eFile := Create(file, Meta{})
	_, eNot := Open(dir)
	if !errors.Is(eNot, ErrNotDataset) {
		t.Errorf("Open of an empty directory: %v, want ErrNotDataset", eNot)
	}
	_, eOpenFile := Open(file)
	w, err := Create(filepath.Join(dir, "ds"), Meta{})
	if err != nil {
		t.Fatal(err)
	}
	w.Abort()
	errprefixtest.Check(t, "dataset", map[string]error{
		"ParseFormat":          eFormat,
		"Create empty name":    eEmpty,
		"Create codec":         eCodec,
		"Create on a file":     eFile,
		"Open empty directory": eNot,
		"Open a file":          eOpenFile,
		"Write after Abort":    w.Write(nil),
		"Close after Abort":    w.Close(),
	})
}
