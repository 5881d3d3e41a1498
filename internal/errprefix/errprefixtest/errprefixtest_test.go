package errprefixtest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestUnwrapped(t *testing.T) {
	dir := t.TempDir()
	src := `package demo

import "github.com/p53evo/p53evo/internal/errprefix"

type T struct{}
type u struct{}

func Good() (err error) {
	defer errprefix.Wrap(&err, "demo")
	return nil
}
func (T) Method() (n int, err error) {
	defer errprefix.Wrap(&err, "demo")
	return 0, nil
}
func (u) Hidden() error    { return nil }
func unexported() error    { return nil }
func NoError() int         { return 0 }
func Bare() error          { return nil }
func WrongPkg() (err error) {
	defer errprefix.Wrap(&err, "other")
	return nil
}
func Late() (err error) {
	x := 1
	defer errprefix.Wrap(&err, "demo")
	_ = x
	return nil
}
func (*T) PtrMethod() error { return nil }
func (T) Delegates() (int, error) { return inner() }
func (T) DelegatesBare() (int, error) { return bare() }
func inner() (_ int, err error) {
	defer errprefix.Wrap(&err, "demo")
	return 0, nil
}
func bare() (int, error) { return 0, nil }
`
	if err := os.WriteFile(filepath.Join(dir, "demo.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bad, err := Unwrapped(dir, "demo")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range bad {
		names = append(names, b[strings.LastIndex(b, " ")+1:])
	}
	want := []string{"Bare", "WrongPkg", "Late", "PtrMethod", "DelegatesBare"}
	if !slices.Equal(names, want) {
		t.Errorf("Unwrapped reports %v, want %v", names, want)
	}
}
