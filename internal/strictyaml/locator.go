package strictyaml

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// Pos is a position in a file: 1-based line and column (0 when unknown).
type Pos struct{ Line, Col int }

// Locator maps field paths to where they are written in a file, so that a
// problem found after decoding (a value out of range, a missing key) is
// reported at the field, or at its deepest ancestor that is written.
type Locator struct {
	File  string
	Src   []byte
	Pos   map[string]Pos
	lines []string // Src split into lines, on first use
}

// Excerpt shows the source line (with the one above) and a caret under col.
func (l *Locator) Excerpt(line, col int) string {
	if l.lines == nil {
		l.lines = strings.Split(string(l.Src), "\n")
	}
	return excerpt(l.lines, line, col)
}

// At fills in the file of e and, when it has none, its position from the
// deepest written ancestor of its path.
func (l *Locator) At(e *Error) {
	if e.File == "" {
		e.File = l.File
	}
	if e.Line > 0 || l.Pos == nil {
		return
	}
	for p := e.Path; ; p = ParentPath(p) {
		if tp, ok := l.Pos[p]; ok {
			e.Line, e.Col = tp.Line, tp.Col
			e.Excerpt = l.Excerpt(tp.Line, tp.Col)
			return
		}
		if p == "" {
			return
		}
	}
}

// Has reports whether path is written in the file.
func (l *Locator) Has(path string) bool {
	if l == nil || l.Pos == nil {
		return false
	}
	_, ok := l.Pos[path]
	return ok
}

// ParentPath strips the last segment of a path: a.b[2].c -> a.b[2] -> a.b
// -> a -> "".
func ParentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndexByte(p, '['); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

var simpleKey = regexp.MustCompile(`^[A-Za-z0-9_+-]+$`)

// JoinKey appends a mapping key to a path; a key that is not a plain name
// is written ["key"].
func JoinKey(path, key string) string {
	if !simpleKey.MatchString(key) {
		key = "[" + strconv.Quote(key) + "]"
		return path + key
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// JoinIndex appends a list index to a path.
func JoinIndex(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// PosOf is where a node starts.
func PosOf(n ast.Node) Pos {
	if n == nil {
		return Pos{}
	}
	switch m := n.(type) {
	case *ast.MappingNode:
		if !m.IsFlowStyle && len(m.Values) > 0 && m.Values[0].Key != nil {
			return PosOf(m.Values[0].Key)
		}
	case *ast.MappingValueNode:
		if m.Key != nil {
			return PosOf(m.Key)
		}
	case *ast.MappingKeyNode:
		if m.Start != nil && m.Start.Position != nil {
			return Pos{m.Start.Position.Line, m.Start.Position.Column}
		}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return Pos{}
	}
	return Pos{tk.Position.Line, tk.Position.Column}
}
