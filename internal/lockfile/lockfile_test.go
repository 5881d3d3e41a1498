package lockfile

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestExclusive(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".lock")
	a, err := TryLock(p, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := TryLock(p, false); !errors.Is(err, ErrBusy) {
		t.Fatalf("second exclusive lock: %v, want ErrBusy", err)
	}
	if _, err := TryLock(p, true); !errors.Is(err, ErrBusy) {
		t.Fatalf("shared lock while exclusive: %v, want ErrBusy", err)
	} else if !strings.Contains(err.Error(), "process ") {
		t.Errorf("busy error does not name the holder: %v", err)
	}
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("exclusive lock file left after Unlock: %v", err)
	}
	b, err := TryLock(p, false)
	if err != nil {
		t.Fatalf("after Unlock: %v", err)
	}
	b.Unlock()
}

func TestShared(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".lock")
	a, err := TryLock(p, true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := TryLock(p, true)
	if err != nil {
		t.Fatalf("two shared locks: %v", err)
	}
	if _, err := TryLock(p, false); !errors.Is(err, ErrBusy) {
		t.Fatalf("exclusive while shared: %v, want ErrBusy", err)
	}
	a.Unlock()
	if _, err := TryLock(p, false); !errors.Is(err, ErrBusy) {
		t.Fatalf("exclusive while one shared holder is left: %v, want ErrBusy", err)
	}
	b.Unlock()
	c, err := TryLock(p, false)
	if err != nil {
		t.Fatal(err)
	}
	c.Unlock()
}

// A stale lock file (its holder is gone) is taken over.
func TestStaleFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".lock")
	os.WriteFile(p, []byte("12345\n"), 0o644)
	l, err := TryLock(p, false)
	if err != nil {
		t.Fatalf("stale lock file: %v", err)
	}
	l.Unlock()
}

// A process killed with SIGKILL while holding the lock does not leave it
// stuck: the kernel drops it.
func TestKilledHolder(t *testing.T) {
	if p := os.Getenv("P53EVO_LOCKFILE_HOLD"); p != "" {
		if _, err := TryLock(p, false); err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString("locked\n")
		select {}
	}
	p := filepath.Join(t.TempDir(), ".lock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledHolder$")
	cmd.Env = append(os.Environ(), "P53EVO_LOCKFILE_HOLD="+p)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		cmd.Process.Kill()
		t.Fatalf("child: %q", line)
	}
	if _, err := TryLock(p, false); !errors.Is(err, ErrBusy) {
		t.Errorf("while the child holds it: %v, want ErrBusy", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := TryLock(p, false)
	if err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	l.Unlock()
}
