package scenarios

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Load parses a scenario from data; name is the file name used in messages.
// Every problem is reported, each as an *Error with its position: YAML
// syntax, unknown keys, wrong types, and every semantic check of Fill (the
// scenario must resolve to a valid simulation). The scenario is returned as
// written (missing fields stay unset); see Fill.
func Load(name string, data []byte) (*Scenario, error) {
	s, loc, derrs, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	_, err = check(s, loc)
	if len(derrs) == 0 {
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	// Report semantic problems too, except those about fields that could
	// not be decoded (they would only repeat the decoding error).
	all := derrs
	for _, e := range Errors(err) {
		under := e.Path == ""
		for _, de := range derrs {
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
	return nil, joinErrors(all)
}

// locator maps field paths to where they are written.
type locator struct {
	file  string
	src   []byte
	pos   map[string]tokenPos
	lines []string // src split into lines, on first use
}

func (l *locator) excerpt(line, col int) string {
	if l.lines == nil {
		l.lines = strings.Split(string(l.src), "\n")
	}
	return excerpt(l.lines, line, col)
}

type tokenPos struct{ line, col int }

// at fills in the position of e from the deepest written ancestor of its path.
func (l *locator) at(e *Error) {
	if e.File == "" {
		e.File = l.file
	}
	if e.Line > 0 || l.pos == nil {
		return
	}
	for p := e.Path; ; p = parentPath(p) {
		if tp, ok := l.pos[p]; ok {
			e.Line, e.Col = tp.line, tp.col
			e.Excerpt = l.excerpt(tp.line, tp.col)
			return
		}
		if p == "" {
			return
		}
	}
}

func (l *locator) has(path string) bool {
	if l == nil || l.pos == nil {
		return false
	}
	_, ok := l.pos[path]
	return ok
}

// parentPath strips the last segment of a path: a.b[2].c -> a.b[2] -> a.b -> a -> "".
func parentPath(p string) string {
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

// joinKey appends a mapping key to a path.
func joinKey(path, key string) string {
	if !simpleKey.MatchString(key) {
		key = "[" + strconv.Quote(key) + "]"
		return path + key
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func joinIndex(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// Limits on the input: the file size, the nesting of flow collections, and
// the work of decoding one document (alias and merge-key expansion
// included).
const (
	maxFileSize  = 1 << 20
	maxFlowDepth = 64
	maxNodes     = 1 << 18
)

type decoder struct {
	loc     *locator
	errs    []*Error
	anchors map[string]ast.Node
	budget  int
	over    bool
}

// decode parses data into a Scenario without semantic checks. A fatal error
// (YAML syntax) returns no scenario; decoding errors (unknown keys, wrong
// types) return what could be decoded, the problem fields left unset.
func decode(name string, data []byte) (*Scenario, *locator, []*Error, error) {
	loc := &locator{file: name, src: data, pos: map[string]tokenPos{"": {1, 1}}}
	d := &decoder{loc: loc, anchors: map[string]ast.Node{}, budget: maxNodes}
	s := &Scenario{}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		line := 1 + strings.Count(string(data[:off]), "\n")
		col := off - strings.LastIndexByte(string(data[:off]), '\n')
		return nil, nil, nil, &Error{File: name, Line: line, Col: col, Msg: "the file is not valid UTF-8 text"}
	}
	body, err := d.parse(data)
	if err != nil {
		return nil, nil, nil, err
	}
	if body != nil {
		d.value(body, reflect.ValueOf(s).Elem(), "", true)
	}
	s.File = name
	for _, e := range d.errs {
		loc.at(e)
	}
	return s, loc, d.errs, nil
}

// parse runs the YAML parser and returns the body of the single document
// (nil for an empty one).
func (d *decoder) parse(data []byte) (body ast.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			// A bug in the YAML parser must not take the program down.
			body, err = nil, &Error{File: d.loc.file, Msg: fmt.Sprintf("cannot parse the YAML (parser failure: %v)", r)}
		}
	}()
	if len(data) > maxFileSize {
		return nil, &Error{File: d.loc.file, Msg: fmt.Sprintf("the file has %d bytes; a scenario file may have at most %d", len(data), maxFileSize)}
	}
	// The parser's time grows with the square of the nesting of flow
	// collections; no scenario needs deep nesting.
	tokens := lexer.Tokenize(string(data))
	depth := 0
	for _, tk := range tokens {
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			depth++
			if depth > maxFlowDepth {
				e := &Error{File: d.loc.file, Msg: fmt.Sprintf("[ and { nest more than %d deep", maxFlowDepth)}
				if tk.Position != nil {
					e.Line, e.Col = tk.Position.Line, tk.Position.Column
					e.Excerpt = d.loc.excerpt(e.Line, e.Col)
				}
				return nil, e
			}
		case token.SequenceEndType, token.MappingEndType:
			depth = max(depth-1, 0)
		}
	}
	f, err := parser.Parse(tokens, 0)
	if err != nil {
		return nil, d.syntaxError(err)
	}
	var docs []*ast.DocumentNode
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if _, ok := doc.Body.(*ast.CommentGroupNode); ok {
			continue
		}
		docs = append(docs, doc)
	}
	if len(docs) == 0 {
		return nil, nil
	}
	if len(docs) > 1 {
		e := d.errAt(docs[1].Body, "", "a scenario file holds one YAML document; a second one starts here")
		d.loc.at(e)
		return nil, e
	}
	ast.Walk(anchorCollector(d.anchors), docs[0].Body)
	return docs[0].Body, nil
}

func (d *decoder) syntaxError(err error) error {
	e := &Error{File: d.loc.file, Msg: "YAML syntax: " + err.Error()}
	var ye yaml.Error
	if errors.As(err, &ye) {
		e.Msg = "YAML syntax: " + ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
			e.Excerpt = d.loc.excerpt(e.Line, e.Col)
		}
	}
	return e
}

type anchorCollector map[string]ast.Node

func (a anchorCollector) Visit(n ast.Node) ast.Visitor {
	if an, ok := n.(*ast.AnchorNode); ok && an.Name != nil && an.Value != nil {
		if tk := an.Name.GetToken(); tk != nil {
			a[tk.Value] = an.Value
		}
	}
	return a
}

// posOf is where a node starts.
func posOf(n ast.Node) tokenPos {
	if n == nil {
		return tokenPos{}
	}
	switch m := n.(type) {
	case *ast.MappingNode:
		if !m.IsFlowStyle && len(m.Values) > 0 && m.Values[0].Key != nil {
			return posOf(m.Values[0].Key)
		}
	case *ast.MappingValueNode:
		if m.Key != nil {
			return posOf(m.Key)
		}
	case *ast.MappingKeyNode:
		if m.Start != nil && m.Start.Position != nil {
			return tokenPos{m.Start.Position.Line, m.Start.Position.Column}
		}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return tokenPos{}
	}
	return tokenPos{tk.Position.Line, tk.Position.Column}
}

func (d *decoder) errAt(n ast.Node, path, format string, a ...any) *Error {
	p := posOf(n)
	e := &Error{File: d.loc.file, Line: p.line, Col: p.col, Path: path, Msg: fmt.Sprintf(format, a...)}
	if p.line > 0 {
		e.Excerpt = d.loc.excerpt(p.line, p.col)
	}
	return e
}

func (d *decoder) fail(n ast.Node, path, format string, a ...any) {
	if len(d.errs) > 2*maxErrors {
		return // joinErrors shows maxErrors
	}
	d.errs = append(d.errs, d.errAt(n, path, format, a...))
}

func (d *decoder) spend(n ast.Node, path string) bool {
	d.budget--
	if d.budget >= 0 {
		return true
	}
	if !d.over {
		d.over = true
		d.fail(n, path, "the document is too large or expands too many aliases (limit %d nodes)", maxNodes)
	}
	return false
}

// resolve looks through anchors, aliases and tags; it returns nil (and
// reports) for an unknown alias.
func (d *decoder) resolve(n ast.Node, path string) (ast.Node, string) {
	tag := ""
	for range 64 {
		switch m := n.(type) {
		case *ast.AnchorNode:
			n = m.Value
		case *ast.AliasNode:
			name := ""
			if m.Value != nil && m.Value.GetToken() != nil {
				name = m.Value.GetToken().Value
			}
			t, ok := d.anchors[name]
			if !ok {
				d.fail(n, path, "unknown alias *%s (no anchor &%s defined)", name, name)
				return nil, ""
			}
			n = t
		case *ast.TagNode:
			if m.Start != nil {
				tag = m.Start.Value
			}
			n = m.Value
		default:
			return n, tag
		}
	}
	d.fail(n, path, "aliases nest too deeply")
	return nil, ""
}

func isNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

var (
	catalogType  = reflect.TypeFor[Catalog]()
	untilType    = reflect.TypeFor[Until]()
	periodType   = reflect.TypeFor[Period]()
	phaseRefType = reflect.TypeFor[PhaseRef]()
	phaseType    = reflect.TypeFor[Phase]()
	momentType   = reflect.TypeFor[Moment]()
)

// Words and keys of an end rule (Until).
var (
	untilWords = []string{"never", "progression"}
	untilKeys  = []string{"after", "ctdna", "burden_below", "burden_above"}
)

// untilForms describes every form of an end rule, for messages.
const untilForms = "never, progression, {after: DAYS}, {ctdna: {class: ta-loss|pocket, vaf: VAF}}, {burden_below: FRACTION}, {burden_above: FRACTION}"

// value decodes n into v. nullOK: a null (or missing) value leaves v unset
// (the default); otherwise null is an error.
func (d *decoder) value(n ast.Node, v reflect.Value, path string, nullOK bool) {
	raw := n
	before := len(d.errs)
	n, tag := d.resolve(n, path)
	if n == nil && len(d.errs) > before {
		return // unknown alias, reported
	}
	if !d.spend(raw, path) {
		return
	}
	t := v.Type()
	if isNull(n) {
		if nullOK {
			v.SetZero()
			return
		}
		if raw == nil {
			raw = n
		}
		d.fail(raw, path, "missing value; expected %s", expectName(t))
		return
	}
	if cm, ok := n.(*ast.CommentGroupNode); ok {
		d.fail(cm, path, "missing value; expected %s", expectName(t))
		return
	}
	switch {
	case t == catalogType:
		d.catalog(n, v, path)
		return
	case t == untilType:
		d.until(n, v, path)
		return
	case t.Kind() == reflect.Pointer:
		e := reflect.New(t.Elem())
		before := len(d.errs)
		d.value(n, e.Elem(), path, false)
		if len(d.errs) == before {
			v.Set(e)
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Slice:
		d.sequence(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	default:
		d.scalar(n, tag, v, path)
	}
}

// field is a struct field with its yaml name.
type field struct {
	name  string
	index int
	omit  bool // omitempty
}

var fieldCache sync.Map // reflect.Type -> []field

func fieldsOf(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
	var fs []field
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("yaml")
		if tag == "-" || !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		fs = append(fs, field{name: name, index: i, omit: strings.Contains(opts, "omitempty")})
	}
	fieldCache.Store(t, fs)
	return fs
}

func fieldNames(t reflect.Type) []string {
	var out []string
	for _, f := range fieldsOf(t) {
		out = append(out, f.name)
	}
	return out
}

// pairs lists the key/value pairs of a mapping node, merge keys (<<)
// expanded first so that the mapping's own keys override them.
func (d *decoder) pairs(n ast.Node, path string, depth int) ([]*ast.MappingValueNode, bool) {
	var raw []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		raw = m.Values
	case *ast.MappingValueNode:
		raw = []*ast.MappingValueNode{m}
	default:
		return nil, false
	}
	var merged, own []*ast.MappingValueNode
	for _, p := range raw {
		if p == nil {
			continue
		}
		if !d.spend(p, path) {
			return nil, true
		}
		if p.Key != nil && p.Key.IsMergeKey() {
			if depth >= 8 {
				d.fail(p, path, "merge keys (<<) nest too deeply")
				continue
			}
			mv, _ := d.resolve(p.Value, path)
			if mv == nil {
				continue
			}
			srcs := []ast.Node{mv}
			if seq, ok := mv.(*ast.SequenceNode); ok {
				srcs = slices.Clone(seq.Values)
				slices.Reverse(srcs) // earlier sources win
			}
			for _, src := range srcs {
				src, _ = d.resolve(src, path)
				if src == nil {
					continue
				}
				ps, ok := d.pairs(src, path, depth+1)
				if !ok {
					d.fail(p, path, "the value of a merge key (<<) must be a mapping or a list of mappings")
					break
				}
				merged = append(merged, ps...)
			}
			continue
		}
		own = append(own, p)
	}
	return append(merged, own...), true
}

// keyText is the text of a mapping key.
func (d *decoder) keyText(p *ast.MappingValueNode, path string) (string, bool) {
	var k ast.Node = p.Key
	if mk, ok := k.(*ast.MappingKeyNode); ok {
		k = mk.Value
	}
	k, _ = d.resolve(k, path)
	switch m := k.(type) {
	case *ast.StringNode:
		return m.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode, *ast.NullNode:
		if tk := m.GetToken(); tk != nil {
			return tk.Value, true
		}
	}
	if k == nil {
		return "", false
	}
	d.fail(p, path, "mapping keys must be plain names, not %s", describe(k))
	return "", false
}

func (d *decoder) structure(n ast.Node, v reflect.Value, path string) {
	t := v.Type()
	ps, ok := d.pairs(n, path, 0)
	if !ok {
		d.fail(n, path, "expected %s, got %s", expectName(t), describe(n))
		return
	}
	fs := fieldsOf(t)
	for _, p := range ps {
		key, ok := d.keyText(p, path)
		if !ok {
			continue
		}
		i := slices.IndexFunc(fs, func(f field) bool { return f.name == key })
		kp := joinKey(path, key)
		if i < 0 {
			names := fieldNames(t)
			d.fail(p.Key, kp, "unknown key %q; allowed here: %s%s%s", key, list(names), suggest(key, names), keyHint(t, key))
			continue
		}
		d.loc.pos[kp] = posOf(p.Key)
		d.value(p.Value, v.Field(fs[i].index), kp, true)
	}
}

// keyHint adds advice to an unknown-key message where a key has a likely
// intent: a key of the former schema, or an end rule written wrongly.
func keyHint(t reflect.Type, key string) string {
	switch {
	case t == phaseType && key == "start":
		return "; phases no longer start on fixed days: each phase runs until its end rule (until: {after: DAYS} for a fixed length) and hands over to the next one"
	case t == phaseType && key == "end":
		return "; the end rule of a phase is written until: " + untilForms
	case t == untilType && slices.Contains(untilWords, key):
		return fmt.Sprintf("; %s is written as a word: until: %s", key, key)
	case t == untilType:
		return "; an end rule is one of " + untilForms
	}
	return ""
}

// until decodes an end rule: a word or a mapping with one key.
func (d *decoder) until(n ast.Node, v reflect.Value, path string) {
	switch m := n.(type) {
	case *ast.StringNode:
		switch {
		case slices.Contains(untilWords, m.Value):
			v.Set(reflect.ValueOf(Until{Word: m.Value}))
		case slices.Contains(untilKeys, m.Value):
			d.fail(n, path, "%s needs a value, written as a mapping; allowed: %s", m.Value, untilForms)
		default:
			all := append(slices.Clone(untilWords), untilKeys...)
			d.fail(n, path, "unknown end rule %q; allowed: %s%s", m.Value, untilForms, suggest(m.Value, all))
		}
	case *ast.MappingNode, *ast.MappingValueNode:
		d.structure(n, v, path)
	default:
		d.fail(n, path, "expected an end rule, got %s; allowed: %s", describe(n), untilForms)
	}
}

func (d *decoder) sequence(n ast.Node, v reflect.Value, path string) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.fail(n, path, "expected %s, got %s", expectName(v.Type()), describe(n))
		return
	}
	if len(seq.Values) == 0 {
		v.SetZero()
		return
	}
	out := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
	for i, e := range seq.Values {
		ip := joinIndex(path, i)
		p := posOf(e)
		if i < len(seq.Entries) && seq.Entries[i] != nil && seq.Entries[i].Start != nil && seq.Entries[i].Start.Position != nil {
			p = tokenPos{seq.Entries[i].Start.Position.Line, seq.Entries[i].Start.Position.Column}
		}
		d.loc.pos[ip] = p
		if e == nil {
			d.fail(n, ip, "missing list entry; expected %s", expectName(v.Type().Elem()))
			continue
		}
		d.value(e, out.Index(i), ip, false)
	}
	v.Set(out)
}

func (d *decoder) mapping(n ast.Node, v reflect.Value, path string) {
	t := v.Type()
	ps, ok := d.pairs(n, path, 0)
	if !ok {
		d.fail(n, path, "expected %s, got %s", expectName(t), describe(n))
		return
	}
	if len(ps) == 0 {
		v.SetZero()
		return
	}
	m := reflect.MakeMapWithSize(t, len(ps))
	for _, p := range ps {
		key, ok := d.keyText(p, path)
		if !ok {
			continue
		}
		kp := joinKey(path, key)
		d.loc.pos[kp] = posOf(p.Key)
		e := reflect.New(t.Elem()).Elem()
		before := len(d.errs)
		d.value(p.Value, e, kp, false)
		if len(d.errs) == before {
			m.SetMapIndex(reflect.ValueOf(key), e)
		}
	}
	v.Set(m)
}

func (d *decoder) catalog(n ast.Node, v reflect.Value, path string) {
	switch m := n.(type) {
	case *ast.StringNode:
		if m.Value == "default" {
			v.Set(reflect.ValueOf(Catalog{Default: true}))
			return
		}
		d.fail(n, path, "unknown catalog %q; allowed: \"default\" or a list of mutation entries", m.Value)
	case *ast.SequenceNode:
		var entries []MutationEntry
		d.sequence(m, reflect.ValueOf(&entries).Elem(), path)
		v.Set(reflect.ValueOf(Catalog{Entries: entries}))
	default:
		d.fail(n, path, "expected %s, got %s", expectName(catalogType), describe(n))
	}
}

// numberText matches the YAML 1.2 core-schema float syntax, which the parser
// leaves as strings when there is no dot (1e9, 1e-9).
var numberText = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// number reads a numeric scalar.
func number(n ast.Node) (float64, bool) {
	switch m := n.(type) {
	case *ast.IntegerNode:
		switch x := m.Value.(type) {
		case int64:
			return float64(x), true
		case uint64:
			return float64(x), true
		}
	case *ast.FloatNode:
		return m.Value, true
	case *ast.InfinityNode:
		return m.Value, true
	case *ast.NanNode:
		return math.NaN(), true
	case *ast.StringNode:
		if m.Token != nil && m.Token.Type == token.StringType && numberText.MatchString(m.Value) {
			f, err := strconv.ParseFloat(m.Value, 64)
			if err == nil || errors.Is(err, strconv.ErrRange) {
				return f, true
			}
		}
	}
	return 0, false
}

func (d *decoder) scalar(n ast.Node, tag string, v reflect.Value, path string) {
	t := v.Type()
	switch t {
	case momentType:
		if f, ok := number(n); ok {
			v.SetString(strconv.FormatFloat(f, 'g', -1, 64))
			return
		}
		if m, ok := n.(*ast.StringNode); ok {
			v.SetString(m.Value)
			return
		}
		d.fail(n, path, "expected %s, got %s", expectName(t), describe(n))
		return
	case periodType:
		if m, ok := n.(*ast.StringNode); ok && m.Value == "off" {
			v.SetFloat(0)
			return
		}
	case phaseRefType:
		if m, ok := n.(*ast.IntegerNode); ok {
			if x, ok := m.Value.(int64); ok && x >= 0 {
				v.SetString(strconv.FormatInt(x, 10))
				return
			}
			if x, ok := m.Value.(uint64); ok {
				v.SetString(strconv.FormatUint(x, 10))
				return
			}
		}
		if m, ok := n.(*ast.StringNode); ok {
			v.SetString(m.Value)
			return
		}
		d.fail(n, path, "expected %s, got %s", expectName(t), describe(n))
		return
	}
	switch t.Kind() {
	case reflect.String:
		switch m := n.(type) {
		case *ast.StringNode:
			v.SetString(m.Value)
			return
		case *ast.LiteralNode:
			if m.Value != nil {
				v.SetString(m.Value.Value)
				return
			}
		case ast.ScalarNode:
			if tag == "!!str" && m.GetToken() != nil {
				v.SetString(m.GetToken().Value)
				return
			}
			if tk := m.GetToken(); tk != nil {
				d.fail(n, path, "expected a string, got %s (put it in quotes: \"%s\")", describe(n), tk.Value)
				return
			}
		}
	case reflect.Float64:
		if f, ok := number(n); ok {
			v.SetFloat(f)
			return
		}
	case reflect.Int, reflect.Int64:
		if m, ok := n.(*ast.IntegerNode); ok {
			switch x := m.Value.(type) {
			case int64:
				if !v.OverflowInt(x) {
					v.SetInt(x)
					return
				}
			case uint64:
				if x <= math.MaxInt64 && !v.OverflowInt(int64(x)) {
					v.SetInt(int64(x))
					return
				}
			}
			d.fail(n, path, "%s is out of range for a whole number", m.GetToken().Value)
			return
		}
		if f, ok := number(n); ok {
			if f == math.Trunc(f) && math.Abs(f) < 1<<62 && !v.OverflowInt(int64(f)) {
				v.SetInt(int64(f))
				return
			}
			d.fail(n, path, "expected a whole number, got %s", describe(n))
			return
		}
	case reflect.Uint64:
		if m, ok := n.(*ast.IntegerNode); ok {
			switch x := m.Value.(type) {
			case int64:
				if x >= 0 {
					v.SetUint(uint64(x))
					return
				}
			case uint64:
				v.SetUint(x)
				return
			}
			d.fail(n, path, "expected a whole number from 0 to %d, got %s", uint64(math.MaxUint64), describe(n))
			return
		}
		if f, ok := number(n); ok {
			if f == math.Trunc(f) && f >= 0 && f < 1<<63 {
				v.SetUint(uint64(f))
				return
			}
			d.fail(n, path, "expected a whole number from 0 to %d, got %s", uint64(math.MaxUint64), describe(n))
			return
		}
	case reflect.Bool:
		if m, ok := n.(*ast.BoolNode); ok {
			v.SetBool(m.Value)
			return
		}
	}
	d.fail(n, path, "expected %s, got %s", expectName(t), describe(n))
}

// expectName describes what a Go type accepts, for messages.
func expectName(t reflect.Type) string {
	switch t {
	case catalogType:
		return `"default" or a list of mutation entries`
	case untilType:
		return "an end rule (" + untilForms + ")"
	case periodType:
		return "a number of days, or off"
	case phaseRefType:
		return "a phase index, a phase name, or stop"
	case momentType:
		return "a moment (" + list(momentWords) + ") or a number of days since treatment start"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return expectName(t.Elem())
	case reflect.Struct:
		return "a mapping with keys " + list(fieldNames(t))
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(expectName(t.Elem()), "a ")
	case reflect.Map:
		return "a mapping of names to " + strings.TrimPrefix(expectName(t.Elem()), "a ") + "s"
	case reflect.String:
		return "a string"
	case reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int64, reflect.Uint64:
		return "a whole number"
	case reflect.Bool:
		return "true or false"
	}
	return t.String()
}

// describe says what a node is, for messages.
func describe(n ast.Node) string {
	const maxLen = 40
	short := func(s string) string {
		if utf8.RuneCountInString(s) > maxLen {
			s = string([]rune(s)[:maxLen]) + "..."
		}
		return s
	}
	switch m := n.(type) {
	case nil, *ast.NullNode:
		return "null"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode:
		return "string " + strconv.Quote(short(m.Value))
	case *ast.LiteralNode:
		return "a block of text"
	case *ast.BoolNode:
		return strconv.FormatBool(m.Value)
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return short(m.GetToken().Value)
	}
	if tk := n.GetToken(); tk != nil {
		return strconv.Quote(short(tk.Value))
	}
	return n.Type().String()
}
