package strictyaml

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/p53evo/p53evo/internal/suggest"
)

// Error is one problem with a YAML input: where it is (file, 1-based line
// and column; 0 when unknown), which field (a path such as
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

// Errors returns the *Error values inside err, in order.
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

// MaxErrors is the number of problems reported at most.
const MaxErrors = 50

// Join sorts errors by position, drops duplicates, keeps at most MaxErrors
// and joins them (nil for none; the error itself for one).
func Join(errs []*Error) error {
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
		if len(out) == MaxErrors {
			out = append(out, &Error{File: e.File, Msg: fmt.Sprintf("... and more problems (at most %d are shown)", MaxErrors)})
			break
		}
		out = append(out, e)
	}
	if len(out) == 1 {
		return out[0]
	}
	return errors.Join(out...)
}

// Combine joins the decoding errors of a file with the problems found when
// checking what was decoded, leaving out the checks about fields that could
// not be decoded (and those about the whole file): they would only repeat a
// decoding error.
func Combine(decoding, checks []*Error) error {
	all := decoding
	for _, e := range checks {
		under := e.Path == "" && len(decoding) > 0
		for _, de := range decoding {
			q := de.Path
			if e.Path == q || strings.HasPrefix(e.Path, q+".") || strings.HasPrefix(e.Path, q+"[") {
				under = true
				break
			}
		}
		if !under {
			all = append(all, e)
		}
	}
	return Join(all)
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

// Suggest returns `; did you mean "x"?` for the allowed word closest to got
// (at most two edits, case ignored), or "" when none is close.
func Suggest(got string, allowed []string) string {
	if len(got) <= 1 || len(got) > 64 {
		return ""
	}
	best, bestD := "", 3
	for _, a := range allowed {
		if len(a) > 64 {
			continue
		}
		d := suggest.Distance(strings.ToLower(got), strings.ToLower(a))
		if d < bestD && d < len(got) {
			best, bestD = a, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// List formats allowed words for messages: a, b, c.
func List(words []string) string { return strings.Join(words, ", ") }
