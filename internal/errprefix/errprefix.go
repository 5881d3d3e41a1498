// Package errprefix gives the errors a p53evo library package returns to
// its callers the package's name as a prefix, once ("sweep: point x: ...").
// The rule is in CONTRIBUTING.md: an exported function or method of model,
// dataset, analysis or sweep that returns an error starts with
//
//	defer errprefix.Wrap(&err, "dataset")
//
// so that every error leaving the package is prefixed, whichever helper
// made it. An error that already carries the prefix (one returned by
// another exported function of the same package, perhaps wrapped with some
// context since) shows it once, at the start. Errors keep their chain:
// errors.Is and errors.As see through the prefix.
package errprefix

import (
	"fmt"
	"strings"
)

// Wrap makes *err, unless nil, read "pkg: " followed by its message with
// the prefix removed wherever it starts a part of it (at the start or
// after ": "); "not a dataset: …" keeps its words.
func Wrap(err *error, pkg string) {
	if *err == nil {
		return
	}
	p := pkg + ": "
	msg := (*err).Error()
	if count(msg, p) == 1 && strings.HasPrefix(msg, p) {
		return
	}
	msg = strings.ReplaceAll(strings.TrimPrefix(msg, p), ": "+p, ": ")
	*err = &prefixed{msg: p + msg, err: *err}
}

// count is the number of parts of msg that start with p: msg itself and
// what follows each ": ".
func count(msg, p string) int {
	n := strings.Count(msg, ": "+p)
	if strings.HasPrefix(msg, p) {
		n++
	}
	return n
}

// prefixed is an error whose message is rewritten by Wrap.
type prefixed struct {
	msg string
	err error
}

func (e *prefixed) Error() string { return e.msg }
func (e *prefixed) Unwrap() error { return e.err }

// Check reports how err breaks the rule for package pkg: nil, or a message
// saying that err is nil, does not start with "pkg: " or repeats it at the
// start of a part (after ": ").
func Check(err error, pkg string) error {
	if err == nil {
		return fmt.Errorf("no error (want one starting with %q)", pkg+": ")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, pkg+": ") {
		return fmt.Errorf("%q does not start with %q", msg, pkg+": ")
	}
	if n := count(msg, pkg+": "); n > 1 {
		return fmt.Errorf("%q has the prefix %q %d times", msg, pkg+": ", n)
	}
	return nil
}
