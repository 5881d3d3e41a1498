package sweep

import (
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/p53evo/p53evo/scenarios"
)

// DefaultBatch is the number of replicates of a work unit when a sweep file
// does not say.
const DefaultBatch = 10

// Limits that keep a mistyped sweep file from planning forever.
const (
	maxSpecSize = 1 << 20
	maxPoints   = 1_000_000
	maxAxisN    = 100_000
)

// Spec is a sweep file: a base scenario, fixed overrides, and axes whose
// cartesian product gives the points.
type Spec struct {
	// File is where the spec was read from ("" if built in code); a base
	// that is not a library name is a path relative to its directory.
	File        string
	Name        string // default: the file name without extension
	Description string
	Base        string // library scenario name or scenario file
	Seed        uint64 // sweep seed (default 1); see PointSeed
	Replicates  int    // per point; 0: the base scenario's
	Batch       int    // replicates per work unit; 0: DefaultBatch
	Set         []Assignment
	Axes        []Axis

	pos map[string]position // where paths of the spec are written, for messages
}

// Assignment sets one scenario field, as scenarios.Set(s, Path, Value).
type Assignment struct {
	Path  string
	Value string // YAML text
}

// Axis is one dimension of the sweep. Exactly one of Values, Linear, Log
// and LHS is set; Path is set for all but LHS.
type Axis struct {
	Path   string
	Values []string // YAML text of each value
	Linear *Range   // N evenly spaced values from From to To
	Log    *Range   // N log-evenly spaced values from From to To (both > 0)
	LHS    *LHS
}

// Range is an evenly spaced (linearly or logarithmically) list of N values.
// With N = 1 it is From alone.
type Range struct {
	From, To float64
	N        int
}

// LHS is a Latin hypercube block: N points over several ranges at once,
// each range cut into N strata of equal width (on a log scale when Log),
// every stratum of every range used exactly once. Seed defaults to the
// sweep's seed.
type LHS struct {
	N      int
	Seed   *uint64
	Ranges []LHSRange
}

// LHSRange is one dimension of an LHS block.
type LHSRange struct {
	Path     string
	From, To float64
	Log      bool
}

// Kind names the axis' form: values, linear, log or lhs.
func (a *Axis) Kind() string {
	switch {
	case a.LHS != nil:
		return "lhs"
	case a.Linear != nil:
		return "linear"
	case a.Log != nil:
		return "log"
	}
	return "values"
}

// position of a node in the sweep file (1-based; 0 unknown).
type position struct{ line, col int }

// LoadSpec reads and checks a sweep file.
func LoadSpec(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseSpec(path, data)
}

// ParseSpec parses a sweep file; name is the file name used in messages and
// to find a base scenario file. Unknown keys, wrong types and impossible
// ranges are refused, every problem as a *scenarios.Error with the position
// and the key path (several joined with errors.Join). Whether the values
// suit the scenario is checked by NewPlan.
func ParseSpec(name string, data []byte) (*Spec, error) {
	d := &specDecoder{file: name, lines: strings.Split(string(data), "\n")}
	if len(data) > maxSpecSize {
		return nil, &scenarios.Error{File: name, Msg: fmt.Sprintf("the file has %d bytes; a sweep file may have at most %d", len(data), maxSpecSize)}
	}
	if !utf8.Valid(data) {
		return nil, &scenarios.Error{File: name, Msg: "the file is not valid UTF-8 text"}
	}
	body, err := d.parse(data)
	if err != nil {
		return nil, err
	}
	s := &Spec{File: name, Seed: 1, pos: map[string]position{}}
	if body == nil {
		return nil, &scenarios.Error{File: name, Msg: "empty sweep file; it needs at least base: and axes:"}
	}
	d.spec(body, s)
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	if s.Name == "" {
		s.Name = defaultName(name)
	}
	return s, nil
}

type specDecoder struct {
	file  string
	lines []string
	errs  []error
}

func (d *specDecoder) parse(data []byte) (body ast.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			body, err = nil, &scenarios.Error{File: d.file, Msg: fmt.Sprintf("cannot parse the YAML (parser failure: %v)", r)}
		}
	}()
	f, err := parser.Parse(lexer.Tokenize(string(data)), 0)
	if err != nil {
		e := &scenarios.Error{File: d.file, Msg: "YAML syntax: " + err.Error()}
		var ye yaml.Error
		if errors.As(err, &ye) {
			e.Msg = "YAML syntax: " + ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				e.Line, e.Col = tk.Position.Line, tk.Position.Column
				e.Excerpt = d.excerpt(e.Line, e.Col)
				if e.Line <= len(d.lines) && flowPath.MatchString(d.lines[e.Line-1]) {
					e.Msg += ` (inside { } a path with [ ] must be quoted: {path: "treatment.phases[0].doses.rezatapopt", ...})`
				}
			}
		}
		return nil, e
	}
	var docs []ast.Node
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if _, ok := doc.Body.(*ast.CommentGroupNode); ok {
			continue
		}
		docs = append(docs, doc.Body)
	}
	switch len(docs) {
	case 0:
		return nil, nil
	case 1:
		return docs[0], nil
	}
	return nil, d.errAt(docs[1], "", "a sweep file holds one YAML document; a second one starts here")
}

func (d *specDecoder) excerpt(line, col int) string {
	if line < 1 || line > len(d.lines) {
		return ""
	}
	l := strings.TrimRight(d.lines[line-1], "\r")
	return fmt.Sprintf("%4d | %s\n     | %s^", line, l, strings.Repeat(" ", max(col-1, 0)))
}

func posOf(n ast.Node) position {
	if n == nil {
		return position{}
	}
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 && m.Values[0].Key != nil {
		return posOf(m.Values[0].Key)
	}
	if m, ok := n.(*ast.MappingValueNode); ok && m.Key != nil {
		return posOf(m.Key)
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return position{}
	}
	return position{tk.Position.Line, tk.Position.Column}
}

func (d *specDecoder) errAt(n ast.Node, path, format string, a ...any) *scenarios.Error {
	p := posOf(n)
	e := &scenarios.Error{File: d.file, Line: p.line, Col: p.col, Path: path, Msg: fmt.Sprintf(format, a...)}
	e.Excerpt = d.excerpt(p.line, p.col)
	return e
}

func (d *specDecoder) fail(n ast.Node, path, format string, a ...any) {
	if len(d.errs) < 20 {
		d.errs = append(d.errs, d.errAt(n, path, format, a...))
	}
}

// resolve looks through anchors and tags; aliases are not supported.
func (d *specDecoder) resolve(n ast.Node, path string) ast.Node {
	for range 16 {
		switch m := n.(type) {
		case *ast.AnchorNode:
			n = m.Value
		case *ast.TagNode:
			n = m.Value
		case *ast.AliasNode:
			d.fail(n, path, "aliases (*name) are not supported in sweep files")
			return nil
		default:
			return n
		}
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// mapping calls fn for each key of a mapping, refusing keys not in allowed
// (nil: any key) and repeated keys.
func (d *specDecoder) mapping(n ast.Node, path string, allowed []string, fn func(key string, k, v ast.Node)) bool {
	n = d.resolve(n, path)
	var pairs []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		pairs = m.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{m}
	default:
		if n != nil {
			d.fail(n, path, "expected a mapping (key: value), got %s", scenarios.DescribeNode(n))
		}
		return false
	}
	seen := map[string]bool{}
	for _, p := range pairs {
		if p == nil {
			continue
		}
		if p.Key != nil && p.Key.IsMergeKey() {
			d.fail(p, path, "merge keys (<<) are not supported in sweep files")
			continue
		}
		var k ast.Node = p.Key
		if mk, ok := k.(*ast.MappingKeyNode); ok {
			k = mk.Value
		}
		k = d.resolve(k, path)
		var key string
		switch m := k.(type) {
		case *ast.StringNode:
			key = m.Value
		case ast.ScalarNode:
			if tk := m.GetToken(); tk != nil {
				key = tk.Value
			}
		}
		if key == "" {
			d.fail(p, path, "mapping keys must be plain names")
			continue
		}
		kp := join(path, key)
		if allowed != nil && !slices.Contains(allowed, key) {
			where := path
			if where == "" {
				where = "the sweep file"
			}
			d.fail(p, kp, "unknown key %q in %s (allowed: %s)%s", key, where, strings.Join(allowed, ", "), scenarios.Suggest(key, allowed))
			continue
		}
		if seen[key] {
			d.fail(p, kp, "key %q given twice", key)
			continue
		}
		seen[key] = true
		fn(key, p, p.Value)
	}
	return true
}

func (d *specDecoder) sequence(n ast.Node, path string) ([]ast.Node, bool) {
	n = d.resolve(n, path)
	s, ok := n.(*ast.SequenceNode)
	if !ok {
		if n != nil {
			d.fail(n, path, "expected a list, got %s", scenarios.DescribeNode(n))
		}
		return nil, false
	}
	return s.Values, true
}

// flowPath matches a flow mapping with an unquoted key or path holding [ ].
var flowPath = regexp.MustCompile(`\{.*path:\s*[^"'\s,}]*\[|[{,]\s*[A-Za-z_.]+\[[^\]]*\][^:]*:`)

func (d *specDecoder) number(n ast.Node, path string) (float64, bool) {
	n = d.resolve(n, path)
	if f, ok := scenarios.YAMLNumber(n); ok && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return f, true
	}
	if n != nil {
		d.fail(n, path, "expected a finite number, got %s", scenarios.DescribeNode(n))
	}
	return 0, false
}

func (d *specDecoder) integer(n ast.Node, path string, lo, hi int) (int, bool) {
	before := len(d.errs)
	f, ok := d.number(n, path)
	if !ok {
		if len(d.errs) > before {
			d.errs[len(d.errs)-1] = d.errAt(n, path, "expected a whole number from %d to %d, got %s", lo, hi, scenarios.DescribeNode(d.resolve(n, path)))
		}
		return 0, false
	}
	if f != math.Trunc(f) || f < float64(lo) || f > float64(hi) {
		d.fail(n, path, "expected a whole number from %d to %d, got %s", lo, hi, strconv.FormatFloat(f, 'g', -1, 64))
		return 0, false
	}
	return int(f), true
}

func (d *specDecoder) uint(n ast.Node, path string) (uint64, bool) {
	n = d.resolve(n, path)
	if m, ok := n.(*ast.IntegerNode); ok {
		switch x := m.Value.(type) {
		case int64:
			if x >= 0 {
				return uint64(x), true
			}
		case uint64:
			return x, true
		}
	}
	if n != nil {
		d.fail(n, path, "expected a whole number from 0 to %d, got %s", uint64(math.MaxUint64), scenarios.DescribeNode(n))
	}
	return 0, false
}

func (d *specDecoder) str(n ast.Node, path string) (string, bool) {
	n = d.resolve(n, path)
	if m, ok := n.(*ast.StringNode); ok {
		return m.Value, true
	}
	if n != nil {
		d.fail(n, path, "expected text, got %s", scenarios.DescribeNode(n))
	}
	return "", false
}

func (d *specDecoder) boolean(n ast.Node, path string) (bool, bool) {
	n = d.resolve(n, path)
	if m, ok := n.(*ast.BoolNode); ok {
		return m.Value, true
	}
	if n != nil {
		d.fail(n, path, "expected true or false, got %s", scenarios.DescribeNode(n))
	}
	return false, false
}

// text is a YAML value as one line of YAML: scalars as written, collections
// in flow style.
func (d *specDecoder) text(n ast.Node, path string) (string, bool) {
	n = d.resolve(n, path)
	switch m := n.(type) {
	case nil:
		return "", false
	case *ast.SequenceNode:
		parts := make([]string, 0, len(m.Values))
		for i, v := range m.Values {
			t, ok := d.text(v, fmt.Sprintf("%s[%d]", path, i))
			if !ok {
				return "", false
			}
			parts = append(parts, t)
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	case *ast.MappingNode, *ast.MappingValueNode:
		var parts []string
		ok := d.mapping(m, path, nil, func(key string, _, v ast.Node) {
			t, ok := d.text(v, join(path, key))
			if ok {
				parts = append(parts, quoteKey(key)+": "+t)
			}
		})
		return "{" + strings.Join(parts, ", ") + "}", ok
	case *ast.NullNode:
		return "null", true
	case *ast.StringNode:
		if m.Token != nil && (m.Token.Type == token.DoubleQuoteType || m.Token.Type == token.SingleQuoteType) {
			return strconv.Quote(m.Value), true
		}
		return m.Value, true
	case *ast.LiteralNode:
		if m.Value != nil {
			return strconv.Quote(m.Value.Value), true
		}
	case ast.ScalarNode:
		if tk := m.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	d.fail(n, path, "unsupported value %s", scenarios.DescribeNode(n))
	return "", false
}

func quoteKey(k string) string {
	if strings.ContainsAny(k, "[]{},:#&*!|>'\"%@`") || k != strings.TrimSpace(k) {
		return strconv.Quote(k)
	}
	return k
}

var specKeys = []string{"name", "description", "base", "seed", "replicates", "batch", "set", "axes"}

func (d *specDecoder) spec(n ast.Node, s *Spec) {
	gotBase, gotAxes := false, false
	ok := d.mapping(n, "", specKeys, func(key string, k, v ast.Node) {
		switch key {
		case "name":
			if x, ok := d.str(v, key); ok {
				if !validName(x) {
					d.fail(v, key, "%q: a name has 1 to 100 letters, digits, '.', '_' or '-'", x)
				}
				s.Name = x
			}
		case "description":
			s.Description, _ = d.str(v, key)
		case "base":
			gotBase = true
			if x, ok := d.str(v, key); ok && x != "" {
				s.Base = x
			} else if ok {
				d.fail(v, key, "empty; name a library scenario or a scenario file")
			}
		case "seed":
			if x, ok := d.uint(v, key); ok {
				s.Seed = x
			}
		case "replicates":
			s.Replicates, _ = d.integer(v, key, 1, 1<<30)
		case "batch":
			s.Batch, _ = d.integer(v, key, 1, 1<<30)
		case "set":
			d.mapping(v, key, nil, func(path string, k, v ast.Node) {
				p := key + "." + path
				if !d.settable(k, p, path) {
					return
				}
				if t, ok := d.text(v, p); ok {
					s.Set = append(s.Set, Assignment{Path: path, Value: t})
					s.pos["set."+path] = posOf(k)
				}
			})
		case "axes":
			gotAxes = true
			items, ok := d.sequence(v, key)
			if !ok {
				return
			}
			for i, it := range items {
				d.axis(it, fmt.Sprintf("axes[%d]", i), s)
			}
		}
	})
	if !ok {
		return
	}
	if !gotBase {
		d.fail(n, "base", "missing: name the base scenario (a library name such as %s, or a scenario file)", scenarios.DefaultName)
	}
	if !gotAxes {
		d.fail(n, "axes", "missing: list the axes to sweep (axes: [] for the base scenario alone)")
	}
}

// settable refuses paths the sweep owns.
func (d *specDecoder) settable(n ast.Node, where, path string) bool {
	switch path {
	case "seed", "replicates", "name", "description":
		d.fail(n, where, "%s is set by the sweep (seed and replicates at the top of the sweep file; the name from the point id), not per point", path)
		return false
	}
	return true
}

var (
	axisKeys  = []string{"path", "values", "linear", "log", "lhs"}
	rangeKeys = []string{"from", "to", "n"}
	lhsKeys   = []string{"n", "seed", "ranges"}
	lhsRKeys  = []string{"path", "from", "to", "log"}
)

func (d *specDecoder) axis(n ast.Node, path string, s *Spec) {
	var a Axis
	var kinds []string
	var pathNode ast.Node
	var valueNodes []ast.Node
	ok := d.mapping(n, path, axisKeys, func(key string, k, v ast.Node) {
		kp := join(path, key)
		switch key {
		case "path":
			pathNode = k
			if x, ok := d.str(v, kp); ok && d.settable(v, kp, x) {
				a.Path = x
			}
		case "values":
			kinds = append(kinds, key)
			items, ok := d.sequence(v, kp)
			if !ok {
				return
			}
			if len(items) == 0 {
				d.fail(v, kp, "empty list: an axis needs at least one value")
			}
			for i, it := range items {
				if t, ok := d.text(it, fmt.Sprintf("%s[%d]", kp, i)); ok {
					a.Values = append(a.Values, t)
					valueNodes = append(valueNodes, it)
				}
			}
		case "linear", "log":
			kinds = append(kinds, key)
			r := d.rng(v, kp, key == "log")
			if key == "log" {
				a.Log = r
			} else {
				a.Linear = r
			}
		case "lhs":
			kinds = append(kinds, key)
			a.LHS = d.lhs(v, kp, s)
		}
	})
	if !ok {
		return
	}
	switch {
	case len(kinds) == 0:
		d.fail(n, path, "say how the axis varies: values: [...], linear: {from, to, n}, log: {from, to, n} or lhs: {n, ranges}")
		return
	case len(kinds) > 1:
		d.fail(n, path, "%s: give only one of values, linear, log and lhs per axis", strings.Join(kinds, " and "))
		return
	}
	if kinds[0] == "lhs" {
		if pathNode != nil {
			d.fail(pathNode, join(path, "path"), "an lhs axis names its paths in ranges, not in path")
		}
	} else if pathNode == nil {
		d.fail(n, join(path, "path"), "missing: the scenario field this axis varies, e.g. mutation.rate")
	}
	i := len(s.Axes)
	s.pos[fmt.Sprintf("axes[%d]", i)] = posOf(n)
	for j, v := range valueNodes {
		s.pos[fmt.Sprintf("axes[%d].values[%d]", i, j)] = posOf(v)
	}
	s.Axes = append(s.Axes, a)
}

func (d *specDecoder) rng(n ast.Node, path string, log bool) *Range {
	r := &Range{}
	got := map[string]ast.Node{}
	ok := d.mapping(n, path, rangeKeys, func(key string, k, v ast.Node) {
		got[key] = k
		switch key {
		case "from":
			r.From, _ = d.number(v, join(path, key))
		case "to":
			r.To, _ = d.number(v, join(path, key))
		case "n":
			if f, ok := d.number(v, join(path, "n")); ok {
				if f != math.Trunc(f) || f < 1 || f > maxAxisN {
					d.fail(v, join(path, "n"), "n = %s: an axis has a whole number of values from 1 to %d", strconv.FormatFloat(f, 'g', -1, 64), maxAxisN)
					return
				}
				r.N = int(f)
			}
		}
	})
	if !ok {
		return nil
	}
	if got["from"] == nil || got["n"] == nil || (got["to"] == nil && r.N != 1) {
		d.fail(n, path, "give from, to and n (to may be left out when n is 1)")
		return nil
	}
	if got["to"] == nil {
		r.To = r.From
	}
	if r.N > 1 && !(r.From < r.To) {
		d.fail(n, path, "empty range: from (%g) must be below to (%g) for %d values", r.From, r.To, r.N)
	}
	if log && !(r.From > 0 && r.To > 0) {
		d.fail(n, path, "a log range needs from and to above 0 (from %g, to %g)", r.From, r.To)
	}
	return r
}

func (d *specDecoder) lhs(n ast.Node, path string, s *Spec) *LHS {
	l := &LHS{}
	gotN, gotRanges := false, false
	ok := d.mapping(n, path, lhsKeys, func(key string, k, v ast.Node) {
		kp := join(path, key)
		switch key {
		case "n":
			gotN = true
			l.N, _ = d.integer(v, kp, 1, maxAxisN)
		case "seed":
			if x, ok := d.uint(v, kp); ok {
				l.Seed = &x
			}
		case "ranges":
			gotRanges = true
			items, ok := d.sequence(v, kp)
			if !ok {
				return
			}
			if len(items) == 0 {
				d.fail(v, kp, "empty list: an lhs block needs at least one range")
			}
			for i, it := range items {
				rp := fmt.Sprintf("%s[%d]", kp, i)
				var r LHSRange
				got := map[string]bool{}
				ok := d.mapping(it, rp, lhsRKeys, func(key string, k, v ast.Node) {
					got[key] = true
					switch key {
					case "path":
						if x, ok := d.str(v, join(rp, key)); ok && d.settable(v, join(rp, key), x) {
							r.Path = x
						}
					case "from":
						r.From, _ = d.number(v, join(rp, key))
					case "to":
						r.To, _ = d.number(v, join(rp, key))
					case "log":
						r.Log, _ = d.boolean(v, join(rp, key))
					}
				})
				if !ok {
					continue
				}
				if !got["path"] || !got["from"] || !got["to"] {
					d.fail(it, rp, "give path, from and to (and log: true for a log scale)")
					continue
				}
				if !(r.From < r.To) {
					d.fail(it, rp, "empty range: from (%g) must be below to (%g)", r.From, r.To)
				}
				if r.Log && !(r.From > 0) {
					d.fail(it, rp, "a log range needs from above 0 (from %g)", r.From)
				}
				l.Ranges = append(l.Ranges, r)
			}
		}
	})
	if !ok {
		return nil
	}
	if !gotN || !gotRanges {
		d.fail(n, path, "give n (points) and ranges: [{path, from, to}, ...]")
	}
	return l
}

func validName(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// defaultName is the sweep name implied by a file name.
func defaultName(file string) string {
	base := file
	if i := strings.LastIndexAny(base, `/\`); i >= 0 {
		base = base[i+1:]
	}
	for _, ext := range []string{".yaml", ".yml"} {
		base = strings.TrimSuffix(base, ext)
	}
	var b strings.Builder
	for _, r := range base {
		if r < utf8.RuneSelf && validName(string(r)) {
			b.WriteRune(r)
		} else if b.Len() > 0 {
			b.WriteByte('_')
		}
	}
	if !validName(b.String()) {
		return "sweep"
	}
	return b.String()
}
