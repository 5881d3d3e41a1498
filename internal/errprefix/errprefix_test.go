package errprefix

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func f(fail error) (err error) {
	defer Wrap(&err, "sweep")
	return fail
}

func TestWrap(t *testing.T) {
	if err := f(nil); err != nil {
		t.Fatalf("nil error became %v", err)
	}
	err := f(fs.ErrNotExist)
	if got, want := err.Error(), "sweep: file does not exist"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("the prefix hides the wrapped error from errors.Is")
	}
	if got, want := f(err).Error(), "sweep: file does not exist"; got != want {
		t.Errorf("prefixed twice: got %q, want %q", got, want)
	}
	inner := fmt.Errorf("point p1: %w", err)
	if got, want := f(inner).Error(), "sweep: point p1: file does not exist"; got != want {
		t.Errorf("inner prefix kept: got %q, want %q", got, want)
	}
	if !errors.Is(f(inner), fs.ErrNotExist) {
		t.Error("the rewritten message hides the wrapped error from errors.Is")
	}
	if got, want := f(errors.New("dataset: x")).Error(), "sweep: dataset: x"; got != want {
		t.Errorf("another package's prefix: got %q, want %q", got, want)
	}
	if got, want := f(errors.New("not a sweep: x")).Error(), "sweep: not a sweep: x"; got != want {
		t.Errorf("words of the message removed: got %q, want %q", got, want)
	}
	if Check(err, "sweep") != nil {
		t.Errorf("Check rejects %q: %v", err, Check(err, "sweep"))
	}
	for _, bad := range []error{nil, fs.ErrNotExist, errors.New("sweep: a: sweep: b"), errors.New("sweeps: a")} {
		if Check(bad, "sweep") == nil {
			t.Errorf("Check accepts %v", bad)
		}
	}
}
