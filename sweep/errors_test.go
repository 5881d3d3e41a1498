package sweep

import (
	"path/filepath"
	"testing"

	"github.com/p53evo/p53evo/internal/errprefix/errprefixtest"
)

// TestErrorPrefix: the errors sweep returns start with "sweep: ", once (the
// rule of package errprefix and CONTRIBUTING.md).
func TestErrorPrefix(t *testing.T) {
	dir := t.TempDir()
	_, eParse := ParseSpec("bad.yaml", []byte("no_such_key: 1\n"))
	_, eLoad := LoadSpec(filepath.Join(dir, "missing.yaml"))
	_, eOpen := Open(dir)
	_, eStatus := StatusOf(dir, StatusOptions{})
	errprefixtest.Check(t, "sweep", map[string]error{
		"ParseSpec unknown key": eParse,
		"LoadSpec missing file": eLoad,
		"Open not a sweep":      eOpen,
		"StatusOf not a sweep":  eStatus,
	})
}
