// Package regfile opens files that p53evo reads from datasets and sweep
// directories defensively: only regular files (not a FIFO, which would
// block, nor a device such as /dev/zero, which never ends), opened without
// blocking, and read up to a known size, so that a hostile or damaged
// directory gives an error instead of a hang.
package regfile

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Open opens path for reading if it is a regular file (a symbolic link to
// one is followed) and returns it with its FileInfo. A FIFO is opened
// without blocking and then refused.
func Open(path string) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s is not a regular file (%s)", path, kind(fi.Mode()))
	}
	// Regular files never block; reads go on normally.
	if err := syscall.SetNonblock(int(f.Fd()), false); err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// ErrTooLarge is wrapped by ReadFile's error for a file above its limit.
var ErrTooLarge = errors.New("file too large")

// ReadFile reads a regular file of at most limit bytes.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, fi, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s: %w (%d bytes; at most %d expected)", path, ErrTooLarge, fi.Size(), limit)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: %w (grew past %d bytes while read)", path, ErrTooLarge, limit)
	}
	return b, nil
}

// Hash feeds the first n bytes of f to h, checking ctx between chunks of a
// few megabytes, and returns how many bytes it read (fewer than n if the
// file is shorter).
func Hash(ctx context.Context, h hash.Hash, f io.Reader, n int64) (int64, error) {
	const chunk = 4 << 20
	buf := make([]byte, 64<<10)
	var done int64
	for done < n {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		k, err := io.CopyBuffer(h, io.LimitReader(f, min(chunk, n-done)), buf)
		done += k
		if err != nil {
			return done, err
		}
		if k == 0 {
			break
		}
	}
	return done, nil
}
