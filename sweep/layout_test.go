package sweep

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Shards started together in one process (library use, tests) race to write
// the plan: every writer must either create the file or read back the
// complete one, and no temporary file may be left behind. With temporary
// names derived from the process id, two goroutines shared one temporary
// file and one writer's clean-up removed the other's before it was linked.
func TestWriteOnceConcurrent(t *testing.T) {
	for round := 0; round < 20; round++ {
		dir := t.TempDir()
		path := filepath.Join(dir, "plan.json")
		want := bytes.Repeat([]byte("the same plan\n"), 4096)
		const writers = 8
		var wg sync.WaitGroup
		errs := make([]error, writers)
		got := make([][]byte, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = writeOnce(path, want)
			}()
		}
		wg.Wait()
		for i := range writers {
			if errs[i] != nil {
				t.Fatalf("round %d writer %d: %v", round, i, errs[i])
			}
			if got[i] != nil && !bytes.Equal(got[i], want) {
				t.Fatalf("round %d writer %d read back %d bytes, want the complete %d", round, i, len(got[i]), len(want))
			}
		}
		if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, want) {
			t.Fatalf("round %d: file holds %d bytes (err %v), want %d", round, len(b), err, len(want))
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".tmp") {
				t.Errorf("round %d: temporary file %s left behind", round, e.Name())
			}
		}
	}
}

func TestWriteAtomicConcurrent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = writeAtomic(path, bytes.Repeat([]byte{byte('a' + i)}, 1<<16))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil || len(b) != 1<<16 || bytes.Count(b, b[:1]) != len(b) {
		t.Errorf("file is not one writer's complete content (%d bytes, err %v)", len(b), err)
	}
}
