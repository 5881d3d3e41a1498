// Package errprefixtest checks, for the tests of a p53evo library package,
// the error rule of package errprefix: every exported function, and every
// exported method of an exported type, whose last result is an error
// starts with `defer errprefix.Wrap(&err, "pkg")`, err being that result,
// or is a single `return f(...)` of a package function f that does.
package errprefixtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/internal/errprefix"
)

// Unwrapped lists (as file:line name) the exported functions and methods of
// the package in dir (its non-test files) that return an error without
// deferring errprefix.Wrap with the package's name pkg first.
func Unwrapped(dir, pkg string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var decls []*ast.FuncDecl
	for _, p := range files {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return nil, err
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				decls = append(decls, fd)
			}
		}
	}
	wrapped := map[string]bool{} // package functions that defer Wrap first
	for _, fd := range decls {
		if name := errResult(fd); name != "" && fd.Recv == nil && wraps(fd.Body, name, pkg) {
			wrapped[fd.Name.Name] = true
		}
	}
	var bad []string
	for _, fd := range decls {
		name := errResult(fd)
		if !exported(fd) || name == "-" {
			continue
		}
		if (name != "" && wraps(fd.Body, name, pkg)) || delegates(fd.Body, wrapped) {
			continue
		}
		bad = append(bad, fmt.Sprintf("%s %s", fset.Position(fd.Pos()), fd.Name.Name))
	}
	return bad, nil
}

// errResult is the name of fd's last result if it is an error: "" when
// unnamed, "-" when fd returns no error.
func errResult(fd *ast.FuncDecl) string {
	res := fd.Type.Results
	if res == nil {
		return "-"
	}
	last := res.List[len(res.List)-1]
	if id, ok := last.Type.(*ast.Ident); !ok || id.Name != "error" {
		return "-"
	}
	if len(last.Names) == 0 {
		return ""
	}
	return last.Names[len(last.Names)-1].Name
}

// delegates reports whether body is a single return of a call to one of
// the package functions in wrapped.
func delegates(body *ast.BlockStmt, wrapped map[string]bool) bool {
	if len(body.List) != 1 {
		return false
	}
	r, ok := body.List[0].(*ast.ReturnStmt)
	if !ok || len(r.Results) != 1 {
		return false
	}
	c, ok := r.Results[0].(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := c.Fun.(*ast.Ident)
	return ok && wrapped[id.Name]
}

// exported reports whether fd is reachable from outside its package: an
// exported function, or an exported method of an exported type.
func exported(fd *ast.FuncDecl) bool {
	if !fd.Name.IsExported() {
		return false
	}
	if fd.Recv == nil {
		return true
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}

// wraps reports whether body starts with defer errprefix.Wrap(&name, "pkg").
func wraps(body *ast.BlockStmt, name, pkg string) bool {
	if len(body.List) == 0 {
		return false
	}
	ds, ok := body.List[0].(*ast.DeferStmt)
	if !ok || len(ds.Call.Args) != 2 {
		return false
	}
	sel, ok := ds.Call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Wrap" {
		return false
	}
	if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "errprefix" {
		return false
	}
	u, ok := ds.Call.Args[0].(*ast.UnaryExpr)
	if !ok || u.Op != token.AND {
		return false
	}
	if id, ok := u.X.(*ast.Ident); !ok || id.Name != name {
		return false
	}
	lit, ok := ds.Call.Args[1].(*ast.BasicLit)
	if !ok {
		return false
	}
	s, err := strconv.Unquote(lit.Value)
	return err == nil && s == pkg
}

// Check fails t for each exported function of the package in the current
// directory that Unwrapped reports, and for each of errs (representative
// errors, by the call that returned them) that breaks the rule.
func Check(t testing.TB, pkg string, errs map[string]error) {
	t.Helper()
	bad, err := Unwrapped(".", pkg)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Errorf("%s returns an error without defer errprefix.Wrap(&err, %q) first", b, pkg)
	}
	for name, err := range errs {
		if e := errprefix.Check(err, pkg); e != nil {
			t.Errorf("%s: %v", name, e)
		}
	}
}
