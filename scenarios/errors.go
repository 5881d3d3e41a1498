package scenarios

import (
	"cmp"

	"errors"
	"fmt"
	"github.com/goccy/go-yaml/ast"
	"slices"
	"strings"
)

// Error is one problem with a scenario: where it is (file, 1-based line and
// column; 0 when unknown), which field (a path such as
// treatment.phases[1].doses.rezatapopt) and what is wrong and allowed.
// Several problems are returned together with errors.Join; use Errors to get
// them back.
type Error struct {
	File      string
	Line, Col int
	Path      string
	Msg       string
	// Excerpt shows the source around the position, with a caret; it may be
	// empty. Error appends it on the following lines.
	Excerpt string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Header())
	if e.Excerpt != "" {
		b.WriteByte('\n')
		b.WriteString(e.Excerpt)
	}
	return b.String()
}

// Header is the first line of the message: file:line:col: path: msg.
func (e *Error) Header() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", e.Line, e.Col)
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors returns the *Error values inside err (as returned by Load, Set,
// Fill or Resolve), in order.
func Errors(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		var e *Error
		if errors.As(err, &e) && e == err {
			out = append(out, e)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		if errors.As(err, &e) {
			out = append(out, e)
		}
	}
	walk(err)
	return out
}

// maxErrors is the number of problems reported at most.
const maxErrors = 50

// joinErrors sorts errors by position, drops duplicates and joins them.
func joinErrors(errs []*Error) error {
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	out := make([]error, 0, len(errs))
	seen := map[string]bool{}
	for _, e := range errs {
		k := e.Header()
		if seen[k] {
			continue
		}
		seen[k] = true
		if len(out) == maxErrors {
			out = append(out, &Error{File: e.File, Msg: fmt.Sprintf("... and more problems (at most %d are shown)", maxErrors)})
			break
		}
		out = append(out, e)
	}
	if len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}

// excerpt shows line (1-based) of lines with its neighbour above and a caret
// under col.
func excerpt(lines []string, line, col int) string {
	if line < 1 || line > len(lines) {
		return ""
	}
	var b strings.Builder
	width := len(fmt.Sprint(line))
	show := func(n int, mark string) {
		l := strings.TrimRight(lines[n-1], "\r")
		if len(l) > 200 {
			l = l[:200] + "..."
		}
		fmt.Fprintf(&b, "%s %*d | %s\n", mark, width, n, l)
	}
	if line > 1 {
		show(line-1, " ")
	}
	show(line, ">")
	if col >= 1 && col <= 201 {
		fmt.Fprintf(&b, "  %s | %s^", strings.Repeat(" ", width), strings.Repeat(" ", col-1))
	}
	return strings.TrimRight(b.String(), "\n")
}

// suggest returns " (did you mean X?)" when one of the allowed words is close
// to got.
func suggest(got string, allowed []string) string {
	best, bestD := "", 3
	for _, a := range allowed {
		d := editDistance(strings.ToLower(got), strings.ToLower(a))
		if d < bestD && d < len(got) {
			best, bestD = a, d
		}
	}
	if best == "" || len(got) <= 1 {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 99
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := prev[j-1]
			if ra[i-1] != rb[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// list formats allowed words for messages: a, b, c.
func list(words []string) string { return strings.Join(words, ", ") }

// The helpers below are shared with the sweep file decoder (package sweep),
// so that both YAML formats read numbers and word their errors alike.

// YAMLNumber reads a numeric YAML scalar. goccy/go-yaml leaves 1e9 and 1e-9
// (exponents without a dot) as strings; an unquoted string of that form is
// taken as a number, a quoted one is not.
func YAMLNumber(n ast.Node) (float64, bool) { return number(n) }

// DescribeNode says what a YAML node is, for error messages ("a list",
// "string \"abc\"", "null").
func DescribeNode(n ast.Node) string { return describe(n) }

// Suggest returns `; did you mean "x"?` for the allowed word closest to
// got, or "" when none is close.
func Suggest(got string, allowed []string) string { return suggest(got, allowed) }
