package scenarios

import (
	"cmp"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/p53evo/p53evo/internal/strictyaml"
)

// Set changes one field of s, as the command line's --set path=value does.
// The path names a field as written in a scenario file, with list entries
// selected by index or, for drugs, catalog entries and treatment phases, by
// name:
//
//	growth.birth
//	alleles.copies
//	treatment.phases[0].doses.rezatapopt
//	drugs[rezatapopt].ec50          (same as drugs[0].ec50)
//	mutation.catalog[R248W].sites
//	treatment.phases[1].until       (a word or {after: 30}, ...)
//	treatment.phases[rezatapopt].doses.rezatapopt
//	observe.ctdna.every             (days, or off)
//	treatment.phases                (a whole list, in YAML flow style)
//
// The value is YAML (a scalar, or flow style such as [..] and {..}); null
// restores a field's default. Index len(list) appends an entry. s is first
// filled (every default made explicit, see Fill), so every entry of the
// default catalog and drugs can be selected. The result is checked like a
// loaded file; on error s is left unchanged. Paths lists the settable paths.
func Set(s *Scenario, path, value string) error {
	return set(s, path, value, true)
}

// Assignment is one PATH=VALUE of SetAll.
type Assignment struct{ Path, Value string }

// SetAll applies several assignments as Set does, in order, and checks the
// result once at the end, so that their order does not matter when fields
// depend on each other (detection.size=1e15 with stop.lethal=1e16 is
// accepted either way). Each value is still decoded and type-checked where
// it is set. On error s is left unchanged.
func SetAll(s *Scenario, as []Assignment) error {
	if len(as) == 0 {
		return nil
	}
	w, err := Fill(s)
	if err != nil {
		return err
	}
	var labels []string
	paths := map[string]strictyaml.Pos{}
	// the assay first: its preset gives way to molecules, depth, min_alt
	// and lod set alongside, whatever their order
	as = slices.Clone(as)
	slices.SortStableFunc(as, func(a, b Assignment) int {
		return cmp.Compare(b2i(strings.TrimSpace(b.Path) == assayPath), b2i(strings.TrimSpace(a.Path) == assayPath))
	})
	for _, a := range as {
		if err := set(w, a.Path, a.Value, false); err != nil {
			return err
		}
		labels = append(labels, "--set "+a.Path+"="+a.Value)
		paths[a.Path] = strictyaml.Pos{}
	}
	label := strings.Join(labels, " ")
	f, err := check(w, &locator{File: label, Pos: paths})
	if err != nil {
		for _, e := range Errors(err) {
			e.Line, e.Col, e.Excerpt = 0, 0, ""
		}
		return err
	}
	*s = *f
	return nil
}

// set is Set; with check false the cross-field checks are left to the
// caller (SetAll), and s must already be filled.
func set(s *Scenario, path, value string, check bool) error {
	label := "--set " + path + "=" + value
	setErr := func(p, format string, a ...any) error { return setError(label, p, format, a...) }
	f := s
	if check {
		var err error
		if f, err = Fill(s); err != nil {
			return err
		}
	} else {
		f, _ = fill(s)
	}
	if strings.TrimSpace(value) == "" {
		return setErr(path, "empty value; give a YAML value, or null to restore the default")
	}
	segs, err := parsePath(path)
	if err != nil {
		return setErr(path, "%v", err)
	}
	d := newDecoder(label, []byte(value))
	d.Loc.Pos = map[string]strictyaml.Pos{}
	node, err := d.Parse()
	if err != nil {
		for _, e := range Errors(err) {
			e.Path = path
		}
		return err
	}

	cur := reflect.ValueOf(f).Elem()
	done := ""
	for i, sg := range segs {
		last := i == len(segs)-1
		cur = allocate(cur)
		here := done
		if here == "" {
			here = "the scenario"
		}
		var err error
		switch cur.Kind() {
		case reflect.Struct:
			cur, done, err = setField(cur, sg, done, here, path, label)
			if err != nil {
				return err
			}
		case reflect.Slice:
			var idx int
			if idx, err = setEntry(cur, sg, here, path, label); err != nil {
				return err
			}
			cur = cur.Index(idx)
			done = joinIndex(done, idx)
		case reflect.Map:
			key := sg.key
			done = joinKey(done, key)
			if !last {
				return setErr(path, "%s holds a number; it has no fields", done)
			}
			if cur.IsNil() {
				cur.Set(reflect.MakeMap(cur.Type()))
			}
			if strictyaml.IsNull(node) {
				cur.SetMapIndex(reflect.ValueOf(key), reflect.Value{})
			} else {
				e := reflect.New(cur.Type().Elem()).Elem()
				if d.Decode(node, e, done, false) {
					cur.SetMapIndex(reflect.ValueOf(key), e)
				}
			}
			return finishSet(s, f, d, label, done, check)
		default:
			return setErr(path, "%s is %s; it has no %q", here, strings.TrimPrefix(d.ExpectName(cur.Type()), "a "), sg.key)
		}
	}
	d.Decode(node, cur, done, true)
	if done == assayPath && f.Patient != nil {
		// A new assay brings its whole preset: the molecules, depth,
		// min_alt and lod filled from the previous one give way.
		pl := &f.Patient.Plasma
		pl.Molecules, pl.Depth, pl.MinAlt, pl.LOD = nil, nil, nil, nil
	}
	return finishSet(s, f, d, label, done, check)
}

// assayPath is the field naming the plasma assay preset.
const assayPath = "patient.plasma.assay"

// allocate follows pointers from cur, allocating nil ones; the catalog is
// navigated as its list.
func allocate(cur reflect.Value) reflect.Value {
	for cur.Kind() == reflect.Pointer {
		if cur.IsNil() {
			cur.Set(reflect.New(cur.Type().Elem()))
		}
		cur = cur.Elem()
		if cur.Type() == catalogType {
			cur.FieldByName("Default").SetBool(false)
			cur = cur.FieldByName("Entries")
		}
	}
	return cur
}

// setError is a problem with the --set labelled label.
func setError(label, path, format string, a ...any) error {
	return &Error{File: label, Path: path, Msg: fmt.Sprintf(format, a...)}
}

// setField steps from the struct cur into the field sg names; done is the
// path so far, here what it names in messages.
func setField(cur reflect.Value, sg pathSeg, done, here, path, label string) (reflect.Value, string, error) {
	if sg.sel {
		return cur, done, setError(label, path, "%s is a mapping, not a list; allowed keys: %s", here, list(fieldNames(cur.Type())))
	}
	if cur.Type() == untilType {
		// A key of an end rule replaces a word (never, progression).
		cur.FieldByName("Word").SetString("")
	}
	k := strictyaml.FieldIndex(cur.Type(), sg.key)
	if k < 0 {
		names := fieldNames(cur.Type())
		return cur, done, setError(label, joinKey(done, sg.key), "unknown key %q in %s; allowed: %s%s", sg.key, here, list(names), suggest(sg.key, names))
	}
	return cur.Field(k), joinKey(done, sg.key), nil
}

// setEntry selects the entry of the list cur that sg names, by index or by
// name; index len(list) appends a zero entry.
func setEntry(cur reflect.Value, sg pathSeg, here, path, label string) (int, error) {
	if !sg.sel {
		return 0, setError(label, path, "%s is a list; select an entry with [index]", here)
	}
	n := cur.Len()
	idx := -1
	if x, err := strconv.Atoi(sg.key); err == nil {
		if x < 0 || x > n {
			return 0, setError(label, path, "index %d out of range: %s has %d entries (allowed: 0 to %d; %d appends one)", x, here, n, n, n)
		}
		idx = x
	} else {
		var names []string
		for j := range n {
			if nf := cur.Index(j).FieldByName("Name"); nf.IsValid() {
				names = append(names, nf.String())
				if nf.String() == sg.key {
					idx = j
				}
			}
		}
		if idx < 0 {
			if names == nil {
				return 0, setError(label, path, "%s is selected by index (0 to %d), not by name", here, n-1)
			}
			return 0, setError(label, path, "no entry named %q in %s; names: %s%s", sg.key, here, list(names), suggest(sg.key, names))
		}
	}
	if idx == n {
		cur.Set(reflect.Append(cur, reflect.Zero(cur.Type().Elem())))
	}
	return idx, nil
}

// finishSet reports decoding errors, or checks f (unless !full) and stores
// it in s.
func finishSet(s, f *Scenario, d *strictyaml.Decoder, label, path string, full bool) error {
	relabel := func(err error) error {
		for _, e := range Errors(err) {
			e.File, e.Line, e.Col, e.Excerpt = label, 0, 0, ""
		}
		return err
	}
	if errs := d.Errs(); len(errs) > 0 {
		return relabel(joinErrors(errs))
	}
	if !full {
		*s = *f
		return nil
	}
	// Cross-field problems are reported at the field that was set.
	if _, err := check(f, &locator{File: label, Pos: map[string]strictyaml.Pos{path: {}}}); err != nil {
		return relabel(err)
	}
	*s = *f
	return nil
}

type pathSeg struct {
	key string
	sel bool // a [selector]
}

var pathToken = regexp.MustCompile(`^(?:\.?([A-Za-z0-9_+-]+)|\[([^\[\]]+)\])`)

func parsePath(p string) ([]pathSeg, error) {
	if p == "" {
		return nil, fmt.Errorf("empty path; valid paths are listed by `p53evo scenarios paths` (Paths)")
	}
	var segs []pathSeg
	rest := p
	for rest != "" {
		m := pathToken.FindStringSubmatch(rest)
		if m == nil || (len(segs) == 0 && strings.HasPrefix(rest, ".")) || (len(segs) > 0 && m[1] != "" && !strings.HasPrefix(rest, ".")) {
			return nil, fmt.Errorf("malformed path at %q; a path is keys joined by '.' with [index] or [name] for list entries, e.g. treatment.phases[0].doses.rezatapopt", rest)
		}
		if m[1] != "" {
			segs = append(segs, pathSeg{key: m[1]})
		} else {
			segs = append(segs, pathSeg{key: m[2], sel: true})
		}
		rest = rest[len(m[0]):]
	}
	return segs, nil
}

// Paths lists every settable leaf path of the format, with [i] for a list
// index and <drug> for a drug name, e.g. treatment.phases[i].doses.<drug>.
// mutation.catalog and treatment.phases[i].until are listed too: they take
// a word or a list (a mapping).
func Paths() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		switch {
		case t == catalogType:
			out = append(out, prefix)
			walk(reflect.TypeFor[MutationEntry](), prefix+"[i]")
			return
		case t == untilType:
			out = append(out, prefix)
			for _, f := range strictyaml.Fields(t) {
				walk(t.Field(f.Index).Type, joinKey(prefix, f.Name))
			}
		case t.Kind() == reflect.Pointer:
			walk(t.Elem(), prefix)
		case t.Kind() == reflect.Struct:
			for _, f := range strictyaml.Fields(t) {
				walk(t.Field(f.Index).Type, joinKey(prefix, f.Name))
			}
		case t.Kind() == reflect.Slice:
			walk(t.Elem(), prefix+"[i]")
		case t.Kind() == reflect.Map && t.Elem() == reflect.TypeFor[VarySpec]():
			out = append(out, prefix) // keyed by paths: set as a whole mapping
		case t.Kind() == reflect.Map:
			out = append(out, prefix+".<drug>")
		default:
			out = append(out, prefix)
		}
	}
	walk(reflect.TypeFor[Scenario](), "")
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
