package sweep

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"

	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/internal/strictyaml"
	"github.com/p53evo/p53evo/scenarios"
)

// DefaultBatch is the number of replicates of a work unit when a sweep file
// does not say.
const DefaultBatch = 10

// Limits that keep a mistyped sweep file from planning forever.
const (
	maxPoints = 1_000_000
	maxAxisN  = 100_000
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

	pos map[string]strictyaml.Pos // where paths of the spec are written, for messages
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

// LoadSpec reads and checks a sweep file.
func LoadSpec(path string) (_ *Spec, err error) {
	defer errprefix.Wrap(&err, "sweep")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseSpec(path, data)
}

// The sweep file as written, for the strict YAML decoder: a missing key is
// a nil pointer. Field order is the order keys are listed in messages.
type (
	specFile struct {
		Name        *string     `yaml:"name"`
		Description *string     `yaml:"description"`
		Base        *string     `yaml:"base"`
		Seed        *uint64     `yaml:"seed"`
		Replicates  *int        `yaml:"replicates"`
		Batch       *int        `yaml:"batch"`
		Set         setBlock    `yaml:"set"`
		Axes        *[]axisFile `yaml:"axes"`
	}
	axisFile struct {
		Path   *string            `yaml:"path"`
		Values *[]strictyaml.Flow `yaml:"values"`
		Linear *rangeFile         `yaml:"linear"`
		Log    *rangeFile         `yaml:"log"`
		LHS    *lhsFile           `yaml:"lhs"`
	}
	rangeFile struct {
		From *finite `yaml:"from"`
		To   *finite `yaml:"to"`
		N    *int    `yaml:"n"`
	}
	lhsFile struct {
		N      *int            `yaml:"n"`
		Seed   *uint64         `yaml:"seed"`
		Ranges *[]lhsRangeFile `yaml:"ranges"`
	}
	lhsRangeFile struct {
		Path *string `yaml:"path"`
		From *finite `yaml:"from"`
		To   *finite `yaml:"to"`
		Log  bool    `yaml:"log"`
	}
	// finite is a number other than infinity and NaN.
	finite float64
	// setBlock is the set: mapping of scenario paths to values, in the
	// order written.
	setBlock []Assignment
)

var (
	finiteType   = reflect.TypeFor[finite]()
	setBlockType = reflect.TypeFor[setBlock]()
)

// sweepYAML is what the sweep format adds to strict YAML.
var sweepYAML = &strictyaml.Config{
	Kind: "a sweep file",
	Hooks: map[reflect.Type]strictyaml.Hook{
		finiteType:   decodeFinite,
		setBlockType: decodeSet,
	},
	Names: map[reflect.Type]string{
		finiteType:   "a finite number",
		setBlockType: "a mapping of scenario paths to values",
	},
	SyntaxHint: func(line string) string {
		if flowPath.MatchString(line) {
			return ` (inside { } a path with [ ] must be quoted: {path: "treatment.phases[0].doses.rezatapopt", ...})`
		}
		return ""
	},
}

// flowPath matches a flow mapping with an unquoted key or path holding [ ].
var flowPath = regexp.MustCompile(`\{.*path:\s*[^"'\s,}]*\[|[{,]\s*[A-Za-z_.]+\[[^\]]*\][^:]*:`)

// decodeFinite reads a number, refusing .inf and .nan.
func decodeFinite(d *strictyaml.Decoder, n ast.Node, v reflect.Value, path string) bool {
	if f, ok := strictyaml.Number(n); ok && !math.IsInf(f, 0) && !math.IsNaN(f) {
		v.SetFloat(f)
	} else {
		d.Fail(n, path, "expected a finite number, got %s", strictyaml.Describe(n))
	}
	return true
}

// decodeSet reads the set: block. Its keys are scenario paths (with dots
// and brackets), kept as written in the field path of messages.
func decodeSet(d *strictyaml.Decoder, n ast.Node, v reflect.Value, path string) bool {
	ps, ok := d.Pairs(n, path)
	if !ok {
		d.Fail(n, path, "expected %s, got %s", d.ExpectName(setBlockType), strictyaml.Describe(n))
		return true
	}
	var out setBlock
	at := map[string]int{}
	for _, p := range ps {
		key, ok := d.KeyText(p, path)
		if !ok {
			continue
		}
		kp := path + "." + key
		if msg := unsettable(key); msg != "" {
			d.Fail(p, kp, "%s", msg)
			continue
		}
		var t strictyaml.Flow
		if !d.Decode(p.Value, reflect.ValueOf(&t).Elem(), kp, false) {
			continue
		}
		d.Loc.Pos[kp] = strictyaml.PosOf(p.Key)
		if i, ok := at[key]; ok {
			out[i].Value = string(t) // a key of the mapping overrides a merged one
			continue
		}
		at[key] = len(out)
		out = append(out, Assignment{Path: key, Value: string(t)})
	}
	v.Set(reflect.ValueOf(out))
	return true
}

// ParseSpec parses a sweep file; name is the file name used in messages and
// to find a base scenario file. Unknown keys, wrong types and impossible
// ranges are refused, every problem as a *scenarios.Error with the position
// and the key path (several joined with errors.Join). Whether the values
// suit the scenario is checked by NewPlan.
func ParseSpec(name string, data []byte) (_ *Spec, err error) {
	defer errprefix.Wrap(&err, "sweep")
	d := strictyaml.New(name, data, sweepYAML)
	body, err := d.Parse()
	if err != nil {
		return nil, err
	}
	if body == nil {
		return nil, &scenarios.Error{File: name, Msg: "empty sweep file; it needs at least base: and axes:"}
	}
	var f specFile
	d.Decode(body, reflect.ValueOf(&f).Elem(), "", false)
	derrs := d.Errs()
	c := &specChecker{}
	s := c.spec(&f)
	// A field with a decoding problem was left unset: a check about it or
	// about a field holding it would only repeat that problem.
	c.errs = slices.DeleteFunc(c.errs, func(e *scenarios.Error) bool {
		return slices.ContainsFunc(derrs, func(de *scenarios.Error) bool {
			return de.Path == "" || within(de.Path, e.Path)
		})
	})
	for _, e := range c.errs {
		d.Loc.At(e)
	}
	if err := strictyaml.Combine(derrs, c.errs); err != nil {
		return nil, err
	}
	s.File = name
	s.pos = d.Loc.Pos
	delete(s.pos, "") // a problem of the whole spec has no position
	if s.Name == "" {
		s.Name = defaultName(name)
	}
	return s, nil
}

// within reports whether path is at or under ancestor.
func within(path, ancestor string) bool {
	return path == ancestor || strings.HasPrefix(path, ancestor+".") || strings.HasPrefix(path, ancestor+"[")
}

// specChecker turns a decoded sweep file into a Spec, checking what the
// types cannot: required keys, ranges, one form per axis.
type specChecker struct {
	errs []*scenarios.Error
}

func (c *specChecker) fail(path, format string, a ...any) {
	c.errs = append(c.errs, &scenarios.Error{Path: path, Msg: fmt.Sprintf(format, a...)})
}

// whole checks that x is within lo and hi.
func (c *specChecker) whole(x *int, path string, lo, hi int) int {
	if x == nil {
		return 0
	}
	if *x < lo || *x > hi {
		c.fail(path, "expected a whole number from %d to %d, got %d", lo, hi, *x)
		return 0
	}
	return *x
}

func (c *specChecker) spec(f *specFile) *Spec {
	s := &Spec{Seed: 1, Set: []Assignment(f.Set)}
	if f.Name != nil {
		if !validName(*f.Name) {
			c.fail("name", "%q: a name has 1 to 100 letters, digits, '.', '_' or '-'", *f.Name)
		}
		s.Name = *f.Name
	}
	if f.Description != nil {
		s.Description = *f.Description
	}
	switch {
	case f.Base == nil:
		c.fail("base", "missing: name the base scenario (a library name such as %s, or a scenario file)", scenarios.DefaultName)
	case *f.Base == "":
		c.fail("base", "empty; name a library scenario or a scenario file")
	default:
		s.Base = *f.Base
	}
	if f.Seed != nil {
		s.Seed = *f.Seed
	}
	s.Replicates = c.whole(f.Replicates, "replicates", 1, 1<<30)
	s.Batch = c.whole(f.Batch, "batch", 1, 1<<30)
	if f.Axes == nil {
		c.fail("axes", "missing: list the axes to sweep (axes: [] for the base scenario alone)")
		return s
	}
	for i := range *f.Axes {
		s.Axes = append(s.Axes, c.axis(&(*f.Axes)[i], strictyaml.JoinIndex("axes", i)))
	}
	return s
}

// unsettable says why a path cannot be set per point ("" when it can).
func unsettable(path string) string {
	switch path {
	case "seed", "replicates", "name", "description":
		return path + " is set by the sweep (seed and replicates at the top of the sweep file; the name from the point id), not per point"
	}
	return ""
}

func (c *specChecker) axis(f *axisFile, path string) Axis {
	var a Axis
	var kinds []string
	if f.Values != nil {
		kinds = append(kinds, "values")
		if len(*f.Values) == 0 {
			c.fail(path+".values", "empty list: an axis needs at least one value")
		}
		for _, v := range *f.Values {
			a.Values = append(a.Values, string(v))
		}
	}
	if f.Linear != nil {
		kinds = append(kinds, "linear")
		a.Linear = c.rng(f.Linear, path+".linear", false)
	}
	if f.Log != nil {
		kinds = append(kinds, "log")
		a.Log = c.rng(f.Log, path+".log", true)
	}
	if f.LHS != nil {
		kinds = append(kinds, "lhs")
		a.LHS = c.lhs(f.LHS, path+".lhs")
	}
	switch {
	case len(kinds) == 0:
		c.fail(path, "say how the axis varies: values: [...], linear: {from, to, n}, log: {from, to, n} or lhs: {n, ranges}")
		return a
	case len(kinds) > 1:
		c.fail(path, "%s: give only one of values, linear, log and lhs per axis", strings.Join(kinds, " and "))
		return a
	}
	switch {
	case kinds[0] == "lhs" && f.Path != nil:
		c.fail(path+".path", "an lhs axis names its paths in ranges, not in path")
	case kinds[0] != "lhs" && f.Path == nil:
		c.fail(path+".path", "missing: the scenario field this axis varies, e.g. mutation.rate")
	case f.Path != nil:
		if msg := unsettable(*f.Path); msg != "" {
			c.fail(path+".path", "%s", msg)
		}
		a.Path = *f.Path
	}
	return a
}

func (c *specChecker) rng(f *rangeFile, path string, log bool) *Range {
	if f.From == nil || f.N == nil || (f.To == nil && *f.N != 1) {
		c.fail(path, "give from, to and n (to may be left out when n is 1)")
		return nil
	}
	r := &Range{From: float64(*f.From), To: float64(*f.From), N: *f.N}
	if f.To != nil {
		r.To = float64(*f.To)
	}
	if r.N < 1 || r.N > maxAxisN {
		c.fail(path+".n", "n = %d: an axis has a whole number of values from 1 to %d", r.N, maxAxisN)
		return r
	}
	if r.N > 1 && !(r.From < r.To) {
		c.fail(path, "empty range: from (%g) must be below to (%g) for %d values", r.From, r.To, r.N)
	}
	if log && !(r.From > 0 && r.To > 0) {
		c.fail(path, "a log range needs from and to above 0 (from %g, to %g)", r.From, r.To)
	}
	return r
}

func (c *specChecker) lhs(f *lhsFile, path string) *LHS {
	l := &LHS{Seed: f.Seed}
	if f.N == nil || f.Ranges == nil {
		c.fail(path, "give n (points) and ranges: [{path, from, to}, ...]")
		return l
	}
	l.N = c.whole(f.N, path+".n", 1, maxAxisN)
	if len(*f.Ranges) == 0 {
		c.fail(path+".ranges", "empty list: an lhs block needs at least one range")
	}
	for i, rf := range *f.Ranges {
		rp := strictyaml.JoinIndex(path+".ranges", i)
		if rf.Path == nil || rf.From == nil || rf.To == nil {
			c.fail(rp, "give path, from and to (and log: true for a log scale)")
			continue
		}
		r := LHSRange{Path: *rf.Path, From: float64(*rf.From), To: float64(*rf.To), Log: rf.Log}
		if msg := unsettable(r.Path); msg != "" {
			c.fail(rp+".path", "%s", msg)
		}
		if !(r.From < r.To) {
			c.fail(rp, "empty range: from (%g) must be below to (%g)", r.From, r.To)
		}
		if r.Log && !(r.From > 0) {
			c.fail(rp, "a log range needs from above 0 (from %g)", r.From)
		}
		l.Ranges = append(l.Ranges, r)
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
