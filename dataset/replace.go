package dataset

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// exchange swaps the directories a and b in one step (renameat2 with
// RENAME_EXCHANGE), so that b is never missing and never half replaced.
// Where the file system cannot exchange, it falls back to two renames: b
// to a hidden name beside it, then a to b; a crash between the two leaves
// b's old content under that hidden name, not deleted. After exchange, a
// holds b's old content.
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if err == nil {
		return nil
	}
	if !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOTSUP) {
		return err
	}
	abs, aerr := filepath.Abs(b)
	if aerr != nil {
		return aerr
	}
	old, terr := os.MkdirTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".p53evo-old-*")
	if terr != nil {
		return terr
	}
	os.Remove(old)
	if err := os.Rename(b, old); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		if rerr := os.Rename(old, b); rerr != nil {
			return fmt.Errorf("%w; the old dataset is in %s", err, old)
		}
		return err
	}
	return os.Rename(old, a)
}

func quoteList(names []string, most int) string {
	q := make([]string, 0, most)
	for i, n := range names {
		if i == most {
			q = append(q, fmt.Sprintf("and %d more", len(names)-most))
			break
		}
		q = append(q, fmt.Sprintf("%q", n))
	}
	return strings.Join(q, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
