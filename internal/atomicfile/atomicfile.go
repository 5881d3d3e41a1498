// Package atomicfile holds the small file-system steps that p53evo's
// writers (dataset, sweep) share so that a killed run never leaves a file
// that looks complete: write and fsync a file, write one under a name no
// other writer can hold, and fsync a directory after a rename into it.
//
// It does no formatting and knows nothing about datasets or sweeps.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes b to path atomically (see Write).
func WriteFile(path string, b []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// Write writes path atomically: write fills a temporary file in path's
// directory, which is synced, made readable (0644), renamed over path and
// followed by a sync of the directory. If anything fails, or the process
// dies on the way, path is either as it was or complete; a failed write
// removes the temporary file.
func Write(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(path))
}

// WriteTemp writes b, synced, to a new hidden file beside path named
// ".NAME.RANDOM.tmp", which no other writer (goroutine or process) can
// hold, and returns its name for the caller to link or rename into place.
func WriteTemp(path string, b []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", err
	}
	if err := finish(f, b); err != nil {
		return "", err
	}
	return f.Name(), nil
}

// finish writes b to f, syncs and closes it; on error it removes f.
func finish(f *os.File, b []byte) error {
	_, err := f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// SyncDir syncs a directory, making renames and links into it durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
