package scenarios

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"

	"github.com/goccy/go-yaml/ast"

	"github.com/p53evo/p53evo/internal/strictyaml"
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
	return nil, strictyaml.Combine(derrs, Errors(err))
}

// locator maps field paths to where they are written.
type locator = strictyaml.Locator

// maxErrors is the number of problems reported at most.
const maxErrors = strictyaml.MaxErrors

func joinErrors(errs []*Error) error { return strictyaml.Join(errs) }

func joinKey(path, key string) string     { return strictyaml.JoinKey(path, key) }
func joinIndex(path string, i int) string { return strictyaml.JoinIndex(path, i) }

// suggest returns `; did you mean "x"?` when one of the allowed words is
// close to got.
func suggest(got string, allowed []string) string { return strictyaml.Suggest(got, allowed) }

// list formats allowed words for messages: a, b, c.
func list(words []string) string { return strictyaml.List(words) }

func fieldNames(t reflect.Type) []string { return strictyaml.FieldNames(t) }

// newDecoder returns the strict decoder of scenario YAML (a file, or the
// value of a --set).
func newDecoder(name string, data []byte) *strictyaml.Decoder {
	return strictyaml.New(name, data, scenarioYAML)
}

// decode parses data into a Scenario without semantic checks. A fatal error
// (YAML syntax) returns no scenario; decoding errors (unknown keys, wrong
// types) return what could be decoded, the problem fields left unset.
func decode(name string, data []byte) (*Scenario, *locator, []*Error, error) {
	d := newDecoder(name, data)
	body, err := d.Parse()
	if err != nil {
		return nil, nil, nil, err
	}
	s := &Scenario{}
	if body != nil {
		d.Decode(body, reflect.ValueOf(s).Elem(), "", true)
	}
	s.File = name
	return s, d.Loc, d.Errs(), nil
}

var (
	catalogType  = reflect.TypeFor[Catalog]()
	untilType    = reflect.TypeFor[Until]()
	periodType   = reflect.TypeFor[Period]()
	phaseRefType = reflect.TypeFor[PhaseRef]()
	phaseType    = reflect.TypeFor[Phase]()
	momentType   = reflect.TypeFor[Moment]()
)

// scenarioYAML is what the scenario format adds to strict YAML: the types
// written otherwise than as their Go kind.
var scenarioYAML = &strictyaml.Config{
	Kind: "a scenario file",
	Hooks: map[reflect.Type]strictyaml.Hook{
		catalogType:  decodeCatalog,
		untilType:    decodeUntil,
		periodType:   decodePeriod,
		phaseRefType: decodePhaseRef,
		momentType:   decodeMoment,
	},
	Names: map[reflect.Type]string{
		catalogType:  `"default" or a list of mutation entries`,
		untilType:    "an end rule (" + untilForms + ")",
		periodType:   "a number of days, or off",
		phaseRefType: "a phase index, a phase name, or stop",
		momentType:   "a moment (" + strictyaml.List(momentWords) + ") or a number of days since treatment start",
	},
	KeyHint: keyHint,
}

// Words and keys of an end rule (Until).
var (
	untilWords = []string{"never", "progression"}
	untilKeys  = []string{"after", "ctdna", "burden_below", "burden_above"}
)

// untilForms describes every form of an end rule, for messages.
const untilForms = "never, progression, {after: DAYS}, {ctdna: {class: ta-loss|pocket, vaf: VAF}}, {burden_below: FRACTION}, {burden_above: FRACTION}"

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

// decodeUntil decodes an end rule: a word or a mapping with one key.
func decodeUntil(d *strictyaml.Decoder, n ast.Node, v reflect.Value, path string) bool {
	switch m := n.(type) {
	case *ast.StringNode:
		switch {
		case slices.Contains(untilWords, m.Value):
			v.Set(reflect.ValueOf(Until{Word: m.Value}))
		case slices.Contains(untilKeys, m.Value):
			d.Fail(n, path, "%s needs a value, written as a mapping; allowed: %s", m.Value, untilForms)
		default:
			all := append(slices.Clone(untilWords), untilKeys...)
			d.Fail(n, path, "unknown end rule %q; allowed: %s%s", m.Value, untilForms, suggest(m.Value, all))
		}
	case *ast.MappingNode, *ast.MappingValueNode:
		d.Structure(n, v, path)
	default:
		d.Fail(n, path, "expected an end rule, got %s; allowed: %s", strictyaml.Describe(n), untilForms)
	}
	return true
}

// decodeCatalog decodes a mutation catalog: the word default or a list of
// entries.
func decodeCatalog(d *strictyaml.Decoder, n ast.Node, v reflect.Value, path string) bool {
	switch m := n.(type) {
	case *ast.StringNode:
		if m.Value == "default" {
			v.Set(reflect.ValueOf(Catalog{Default: true}))
			return true
		}
		d.Fail(n, path, "unknown catalog %q; allowed: \"default\" or a list of mutation entries", m.Value)
	case *ast.SequenceNode:
		var entries []MutationEntry
		d.Sequence(m, reflect.ValueOf(&entries).Elem(), path)
		v.Set(reflect.ValueOf(Catalog{Entries: entries}))
	default:
		d.Fail(n, path, "expected %s, got %s", d.ExpectName(catalogType), strictyaml.Describe(n))
	}
	return true
}

// decodePeriod reads the word off as 0; numbers are decoded as numbers.
func decodePeriod(_ *strictyaml.Decoder, n ast.Node, v reflect.Value, _ string) bool {
	if m, ok := n.(*ast.StringNode); ok && m.Value == "off" {
		v.SetFloat(0)
		return true
	}
	return false
}

// decodePhaseRef reads a phase index or name (or stop) as text.
func decodePhaseRef(d *strictyaml.Decoder, n ast.Node, v reflect.Value, path string) bool {
	if m, ok := n.(*ast.IntegerNode); ok {
		if x, ok := m.Value.(int64); ok && x >= 0 {
			v.SetString(strconv.FormatInt(x, 10))
			return true
		}
		if x, ok := m.Value.(uint64); ok {
			v.SetString(strconv.FormatUint(x, 10))
			return true
		}
	}
	if m, ok := n.(*ast.StringNode); ok {
		v.SetString(m.Value)
		return true
	}
	d.Fail(n, path, "expected %s, got %s", d.ExpectName(phaseRefType), strictyaml.Describe(n))
	return true
}

// decodeMoment reads a named moment as text and a number of days as its
// shortest decimal form (validation checks which).
func decodeMoment(d *strictyaml.Decoder, n ast.Node, v reflect.Value, path string) bool {
	if f, ok := strictyaml.Number(n); ok {
		v.SetString(strconv.FormatFloat(f, 'g', -1, 64))
		return true
	}
	if m, ok := n.(*ast.StringNode); ok {
		v.SetString(m.Value)
		return true
	}
	d.Fail(n, path, "expected %s, got %s", d.ExpectName(momentType), strictyaml.Describe(n))
	return true
}
