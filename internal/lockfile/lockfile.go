// Package lockfile gives p53evo's writers advisory locks on lock files
// (flock(2)), so that two processes never write one output at once. The
// kernel drops a lock when its holder exits, however it exits, so a crashed
// or killed process never leaves a lock stuck: a lock file left behind is
// just a file, and the next process takes it.
//
// An exclusive lock removes its file when it is released (TryLock checks
// that the file it locked is still the one at the path, so removing it is
// safe); a shared lock leaves it, since other holders may share it.
package lockfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrBusy is wrapped by TryLock's error when another process holds the lock.
var ErrBusy = errors.New("locked by another process")

// Lock is a held lock. Unlock releases it.
type Lock struct {
	f      *os.File
	path   string
	shared bool
}

// TryLock takes the lock on the file at path, creating the file if needed,
// without waiting: if another process holds it (exclusively, or at all when
// shared is false), the error wraps ErrBusy and names the holder's process
// id when the holder wrote one. An exclusive holder writes its own id into
// the file.
func TryLock(path string, shared bool) (*Lock, error) {
	how := syscall.LOCK_EX
	if shared {
		how = syscall.LOCK_SH
	}
	for range 100 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o644)
		if err != nil {
			return nil, err
		}
		if err := flock(f, how|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, busy(path)
			}
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		// The holder before us may have removed the file after we opened
		// it: then we hold a lock on a file nobody else will look at.
		same, err := samePath(f, path)
		if err != nil {
			f.Close()
			return nil, err
		}
		if !same {
			f.Close()
			continue
		}
		if !shared {
			f.Truncate(0)
			f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		}
		return &Lock{f: f, path: path, shared: shared}, nil
	}
	return nil, fmt.Errorf("locking %s: the lock file keeps being replaced", path)
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

func samePath(f *os.File, path string) (bool, error) {
	a, err := f.Stat()
	if err != nil {
		return false, err
	}
	b, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !a.Mode().IsRegular() {
		return false, fmt.Errorf("lock file %s is not a regular file", path)
	}
	return os.SameFile(a, b), nil
}

func busy(path string) error {
	b, _ := os.ReadFile(path)
	if pid := strings.TrimSpace(string(b)); pid != "" && len(pid) < 12 {
		return fmt.Errorf("%w (process %s, lock file %s)", ErrBusy, pid, path)
	}
	return fmt.Errorf("%w (lock file %s)", ErrBusy, path)
}

// Moved tells the lock that its file is now at path (its directory was
// renamed), so that Unlock removes the right file.
func (l *Lock) Moved(path string) { l.path = path }

// Path returns the lock file's path.
func (l *Lock) Path() string { return l.path }

// Unlock releases the lock; an exclusive lock's file is removed first. It
// may be called more than once.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	var err error
	if !l.shared {
		if same, _ := samePath(l.f, l.path); same {
			if rerr := os.Remove(l.path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
				err = rerr
			}
		}
	}
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
