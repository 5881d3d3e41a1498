package strictyaml

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

// Limits on the input: the file size, the nesting of flow collections, and
// the work of decoding one document (alias and merge-key expansion
// included).
const (
	MaxFileSize  = 1 << 20
	MaxFlowDepth = 64
	MaxNodes     = 1 << 18
)

// A Hook decodes the (resolved, non-null) node n into v, a value of the type
// it is registered for, reporting problems with d.Fail. It returns false to
// leave n to the ordinary decoding of v's kind.
type Hook func(d *Decoder, n ast.Node, v reflect.Value, path string) bool

// Config is what one file format adds to the strict decoding.
type Config struct {
	// Kind names the file in messages: "a scenario file", "a sweep file".
	Kind string
	// Hooks decode the types that are not written as their Go kind.
	Hooks map[reflect.Type]Hook
	// Names say what a hooked type accepts, for messages.
	Names map[reflect.Type]string
	// KeyHint may add advice to the message about an unknown key of a
	// struct type ("" for none).
	KeyHint func(t reflect.Type, key string) string
	// SyntaxHint may add advice to a YAML syntax error on the given source
	// line ("" for none).
	SyntaxHint func(line string) string
}

// Decoder decodes one YAML document into Go values, strictly: unknown keys,
// wrong types and null where a value is needed are reported, every problem
// with its position and field path, and decoding goes on after a problem so
// that all of them are reported at once. Struct fields are matched by their
// yaml tag (default: the lower-case field name). Anchors, aliases and merge
// keys (<<) are expanded, within a budget of MaxNodes nodes.
type Decoder struct {
	// Loc records where each decoded path is written.
	Loc     *Locator
	cfg     *Config
	errs    []*Error
	anchors map[string]ast.Node
	budget  int
	over    bool
}

// New returns a decoder of data; file names it in messages.
func New(file string, data []byte, cfg *Config) *Decoder {
	if cfg == nil {
		cfg = &Config{}
	}
	return &Decoder{
		Loc:     &Locator{File: file, Src: data, Pos: map[string]Pos{"": {1, 1}}},
		cfg:     cfg,
		anchors: map[string]ast.Node{},
		budget:  MaxNodes,
	}
}

// Errs returns the decoding problems found so far, each with its position.
func (d *Decoder) Errs() []*Error {
	for _, e := range d.errs {
		d.Loc.At(e)
	}
	return d.errs
}

func (d *Decoder) kind() string {
	if d.cfg.Kind == "" {
		return "a YAML file"
	}
	return d.cfg.Kind
}

// Parse checks and parses the source and returns the body of its single
// document (nil for an empty one). It fails, with one *Error, on input that
// is too large, not UTF-8, nested too deeply, not YAML, or that holds
// several documents.
func (d *Decoder) Parse() (body ast.Node, err error) {
	data := d.Loc.Src
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
		return nil, &Error{File: d.Loc.File, Line: line, Col: col, Msg: "the file is not valid UTF-8 text"}
	}
	defer func() {
		if r := recover(); r != nil {
			// A bug in the YAML parser must not take the program down.
			body, err = nil, &Error{File: d.Loc.File, Msg: fmt.Sprintf("cannot parse the YAML (parser failure: %v)", r)}
		}
	}()
	if len(data) > MaxFileSize {
		return nil, &Error{File: d.Loc.File, Msg: fmt.Sprintf("the file has %d bytes; %s may have at most %d", len(data), d.kind(), MaxFileSize)}
	}
	// The parser's time grows with the square of the nesting of flow
	// collections; no file of ours needs deep nesting.
	tokens := lexer.Tokenize(string(data))
	depth := 0
	for _, tk := range tokens {
		switch tk.Type {
		case token.SequenceStartType, token.MappingStartType:
			depth++
			if depth > MaxFlowDepth {
				e := &Error{File: d.Loc.File, Msg: fmt.Sprintf("[ and { nest more than %d deep", MaxFlowDepth)}
				if tk.Position != nil {
					e.Line, e.Col = tk.Position.Line, tk.Position.Column
					e.Excerpt = d.Loc.Excerpt(e.Line, e.Col)
				}
				return nil, e
			}
		case token.SequenceEndType, token.MappingEndType:
			depth = max(depth-1, 0)
		}
	}
	// The parser refuses a key written twice in one mapping.
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
		e := d.errAt(docs[1].Body, "", "%s holds one YAML document; a second one starts here", d.kind())
		d.Loc.At(e)
		return nil, e
	}
	ast.Walk(anchorCollector(d.anchors), docs[0].Body)
	return docs[0].Body, nil
}

func (d *Decoder) syntaxError(err error) error {
	e := &Error{File: d.Loc.File, Msg: "YAML syntax: " + err.Error()}
	var ye yaml.Error
	if errors.As(err, &ye) {
		e.Msg = "YAML syntax: " + ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
			e.Excerpt = d.Loc.Excerpt(e.Line, e.Col)
			if d.cfg.SyntaxHint != nil && d.Loc.lines != nil && e.Line <= len(d.Loc.lines) {
				e.Msg += d.cfg.SyntaxHint(d.Loc.lines[e.Line-1])
			}
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

func (d *Decoder) errAt(n ast.Node, path, format string, a ...any) *Error {
	p := PosOf(n)
	e := &Error{File: d.Loc.File, Line: p.Line, Col: p.Col, Path: path, Msg: fmt.Sprintf(format, a...)}
	if p.Line > 0 {
		e.Excerpt = d.Loc.Excerpt(p.Line, p.Col)
	}
	return e
}

// Fail reports a problem with node n at path.
func (d *Decoder) Fail(n ast.Node, path, format string, a ...any) {
	if len(d.errs) > 2*MaxErrors {
		return // Join shows MaxErrors
	}
	d.errs = append(d.errs, d.errAt(n, path, format, a...))
}

func (d *Decoder) spend(n ast.Node, path string) bool {
	d.budget--
	if d.budget >= 0 {
		return true
	}
	if !d.over {
		d.over = true
		d.Fail(n, path, "the document is too large or expands too many aliases (limit %d nodes)", MaxNodes)
	}
	return false
}

// Resolve looks through anchors, aliases and tags, and returns the node with
// its tag; it returns nil (and reports) for an unknown alias.
func (d *Decoder) Resolve(n ast.Node, path string) (ast.Node, string) {
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
				d.Fail(n, path, "unknown alias *%s (no anchor &%s defined)", name, name)
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
	d.Fail(n, path, "aliases nest too deeply")
	return nil, ""
}

// IsNull reports whether n is null (or missing).
func IsNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

var flowType = reflect.TypeFor[Flow]()

// Decode decodes n into v and reports whether it did so without a problem.
// nullOK: a null (or missing) value leaves v unset (the zero value);
// otherwise null is a problem.
func (d *Decoder) Decode(n ast.Node, v reflect.Value, path string, nullOK bool) bool {
	before := len(d.errs)
	d.value(n, v, path, nullOK)
	return len(d.errs) == before
}

func (d *Decoder) value(n ast.Node, v reflect.Value, path string, nullOK bool) {
	raw := n
	before := len(d.errs)
	n, tag := d.Resolve(n, path)
	if n == nil && len(d.errs) > before {
		return // unknown alias, reported
	}
	if !d.spend(raw, path) {
		return
	}
	t := v.Type()
	if t == flowType {
		if s, ok := d.flow(n, path); ok {
			v.SetString(s)
		}
		return
	}
	if IsNull(n) {
		if nullOK {
			v.SetZero()
			return
		}
		if raw == nil {
			raw = n
		}
		d.Fail(raw, path, "missing value; expected %s", d.ExpectName(t))
		return
	}
	if cm, ok := n.(*ast.CommentGroupNode); ok {
		d.Fail(cm, path, "missing value; expected %s", d.ExpectName(t))
		return
	}
	if h := d.cfg.Hooks[t]; h != nil && h(d, n, v, path) {
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		e := reflect.New(t.Elem())
		if d.Decode(n, e.Elem(), path, false) {
			v.Set(e)
		}
	case reflect.Struct:
		d.Structure(n, v, path)
	case reflect.Slice:
		d.Sequence(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	default:
		d.scalar(n, tag, v, path)
	}
}

// Field is a struct field with its yaml name.
type Field struct {
	Name      string
	Index     int
	OmitEmpty bool
}

var fieldCache sync.Map // reflect.Type -> []Field

// Fields lists the fields of a struct type that YAML reads and writes, with
// their names: the yaml tag, or the lower-case field name. Fields tagged
// "-" and unexported ones are left out.
func Fields(t reflect.Type) []Field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]Field)
	}
	var fs []Field
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
		fs = append(fs, Field{Name: name, Index: i, OmitEmpty: strings.Contains(opts, "omitempty")})
	}
	fieldCache.Store(t, fs)
	return fs
}

// FieldNames lists the keys of a struct type, in field order.
func FieldNames(t reflect.Type) []string {
	var out []string
	for _, f := range Fields(t) {
		out = append(out, f.Name)
	}
	return out
}

// FieldIndex is the index of the field of struct type t written as key, or
// -1.
func FieldIndex(t reflect.Type, key string) int {
	for _, f := range Fields(t) {
		if f.Name == key {
			return f.Index
		}
	}
	return -1
}

// Pairs lists the key/value pairs of a mapping node, merge keys (<<)
// expanded first so that the mapping's own keys override them; ok is false
// when n is not a mapping.
func (d *Decoder) Pairs(n ast.Node, path string) (ps []*ast.MappingValueNode, ok bool) {
	return d.pairs(n, path, 0)
}

func (d *Decoder) pairs(n ast.Node, path string, depth int) ([]*ast.MappingValueNode, bool) {
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
				d.Fail(p, path, "merge keys (<<) nest too deeply")
				continue
			}
			mv, _ := d.Resolve(p.Value, path)
			if mv == nil {
				continue
			}
			srcs := []ast.Node{mv}
			if seq, ok := mv.(*ast.SequenceNode); ok {
				srcs = slices.Clone(seq.Values)
				slices.Reverse(srcs) // earlier sources win
			}
			for _, src := range srcs {
				src, _ = d.Resolve(src, path)
				if src == nil {
					continue
				}
				ps, ok := d.pairs(src, path, depth+1)
				if !ok {
					d.Fail(p, path, "the value of a merge key (<<) must be a mapping or a list of mappings")
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

// KeyText is the text of a mapping key; ok is false (and the problem
// reported) for a key that is not a scalar.
func (d *Decoder) KeyText(p *ast.MappingValueNode, path string) (string, bool) {
	var k ast.Node = p.Key
	if mk, ok := k.(*ast.MappingKeyNode); ok {
		k = mk.Value
	}
	k, _ = d.Resolve(k, path)
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
	d.Fail(p, path, "mapping keys must be plain names, not %s", Describe(k))
	return "", false
}

// Structure decodes a mapping into the struct v, refusing unknown keys.
func (d *Decoder) Structure(n ast.Node, v reflect.Value, path string) {
	t := v.Type()
	ps, ok := d.pairs(n, path, 0)
	if !ok {
		d.Fail(n, path, "expected %s, got %s", d.ExpectName(t), Describe(n))
		return
	}
	for _, p := range ps {
		key, ok := d.KeyText(p, path)
		if !ok {
			continue
		}
		i := FieldIndex(t, key)
		kp := JoinKey(path, key)
		if i < 0 {
			names := FieldNames(t)
			hint := ""
			if d.cfg.KeyHint != nil {
				hint = d.cfg.KeyHint(t, key)
			}
			d.Fail(p.Key, kp, "unknown key %q; allowed here: %s%s%s", key, List(names), Suggest(key, names), hint)
			continue
		}
		d.Loc.Pos[kp] = PosOf(p.Key)
		d.value(p.Value, v.Field(i), kp, true)
	}
}

// Sequence decodes a list into the slice v; an empty list leaves v nil.
func (d *Decoder) Sequence(n ast.Node, v reflect.Value, path string) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.Fail(n, path, "expected %s, got %s", d.ExpectName(v.Type()), Describe(n))
		return
	}
	if len(seq.Values) == 0 {
		v.SetZero()
		return
	}
	out := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
	for i, e := range seq.Values {
		ip := JoinIndex(path, i)
		p := PosOf(e)
		if i < len(seq.Entries) && seq.Entries[i] != nil && seq.Entries[i].Start != nil && seq.Entries[i].Start.Position != nil {
			p = Pos{seq.Entries[i].Start.Position.Line, seq.Entries[i].Start.Position.Column}
		}
		d.Loc.Pos[ip] = p
		if e == nil {
			d.Fail(n, ip, "missing list entry; expected %s", d.ExpectName(v.Type().Elem()))
			continue
		}
		d.value(e, out.Index(i), ip, false)
	}
	v.Set(out)
}

func (d *Decoder) mapping(n ast.Node, v reflect.Value, path string) {
	t := v.Type()
	ps, ok := d.pairs(n, path, 0)
	if !ok {
		d.Fail(n, path, "expected %s, got %s", d.ExpectName(t), Describe(n))
		return
	}
	if len(ps) == 0 {
		v.SetZero()
		return
	}
	m := reflect.MakeMapWithSize(t, len(ps))
	for _, p := range ps {
		key, ok := d.KeyText(p, path)
		if !ok {
			continue
		}
		kp := JoinKey(path, key)
		d.Loc.Pos[kp] = PosOf(p.Key)
		e := reflect.New(t.Elem()).Elem()
		if d.Decode(p.Value, e, kp, false) {
			m.SetMapIndex(reflect.ValueOf(key), e)
		}
	}
	v.Set(m)
}

// numberText matches the YAML 1.2 core-schema float syntax, which the parser
// leaves as strings when there is no dot (1e9, 1e-9).
var numberText = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// Number reads a numeric scalar. goccy/go-yaml leaves 1e9 and 1e-9
// (exponents without a dot) as strings; an unquoted string of that form is
// taken as a number, a quoted one is not.
func Number(n ast.Node) (float64, bool) {
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

func (d *Decoder) scalar(n ast.Node, tag string, v reflect.Value, path string) {
	t := v.Type()
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
				d.Fail(n, path, "expected a string, got %s (put it in quotes: \"%s\")", Describe(n), tk.Value)
				return
			}
		}
	case reflect.Float64:
		if f, ok := Number(n); ok {
			v.SetFloat(f)
			return
		}
	case reflect.Int, reflect.Int64:
		if d.integer(n, v, path) {
			return
		}
	case reflect.Uint64:
		if d.unsigned(n, v, path) {
			return
		}
	case reflect.Bool:
		if m, ok := n.(*ast.BoolNode); ok {
			v.SetBool(m.Value)
			return
		}
	}
	d.Fail(n, path, "expected %s, got %s", d.ExpectName(t), Describe(n))
}

// integer decodes a whole number (written 12 or 1e6) into v; it reports
// false, without a problem, for a node that is no number.
func (d *Decoder) integer(n ast.Node, v reflect.Value, path string) bool {
	if m, ok := n.(*ast.IntegerNode); ok {
		switch x := m.Value.(type) {
		case int64:
			if !v.OverflowInt(x) {
				v.SetInt(x)
				return true
			}
		case uint64:
			if x <= math.MaxInt64 && !v.OverflowInt(int64(x)) {
				v.SetInt(int64(x))
				return true
			}
		}
		d.Fail(n, path, "%s is out of range for a whole number", m.GetToken().Value)
		return true
	}
	if f, ok := Number(n); ok {
		if f == math.Trunc(f) && math.Abs(f) < 1<<62 && !v.OverflowInt(int64(f)) {
			v.SetInt(int64(f))
			return true
		}
		d.Fail(n, path, "expected a whole number, got %s", Describe(n))
		return true
	}
	return false
}

// unsigned decodes a whole number >= 0 into v, as integer does.
func (d *Decoder) unsigned(n ast.Node, v reflect.Value, path string) bool {
	if m, ok := n.(*ast.IntegerNode); ok {
		switch x := m.Value.(type) {
		case int64:
			if x >= 0 {
				v.SetUint(uint64(x))
				return true
			}
		case uint64:
			v.SetUint(x)
			return true
		}
		d.Fail(n, path, "expected a whole number from 0 to %d, got %s", uint64(math.MaxUint64), Describe(n))
		return true
	}
	if f, ok := Number(n); ok {
		if f == math.Trunc(f) && f >= 0 && f < 1<<63 {
			v.SetUint(uint64(f))
			return true
		}
		d.Fail(n, path, "expected a whole number from 0 to %d, got %s", uint64(math.MaxUint64), Describe(n))
		return true
	}
	return false
}

// ExpectName describes what a Go type accepts, for messages.
func (d *Decoder) ExpectName(t reflect.Type) string {
	if s, ok := d.cfg.Names[t]; ok {
		return s
	}
	switch t.Kind() {
	case reflect.Pointer:
		return d.ExpectName(t.Elem())
	case reflect.Struct:
		return "a mapping with keys " + List(FieldNames(t))
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(d.ExpectName(t.Elem()), "a ")
	case reflect.Map:
		return "a mapping of names to " + strings.TrimPrefix(d.ExpectName(t.Elem()), "a ") + "s"
	case reflect.String:
		if t == flowType {
			return "a YAML value"
		}
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

// Describe says what a node is, for messages ("a list", "string \"abc\"",
// "null").
func Describe(n ast.Node) string {
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

// LooksNumeric reports whether s, written unquoted, is read as a number
// (1e9, 0.5, -3); a writer quotes such strings.
func LooksNumeric(s string) bool { return numberText.MatchString(s) }
