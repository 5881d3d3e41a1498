package sweep

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/scenarios"
)

func mustSpec(t testing.TB, text string) *Spec {
	t.Helper()
	s, err := ParseSpec("test.yaml", []byte(text))
	if err != nil {
		t.Fatalf("ParseSpec: %v", err)
	}
	return s
}

func mustPlan(t testing.TB, text string) *Plan {
	t.Helper()
	p, err := NewPlan(mustSpec(t, text))
	if err != nil {
		t.Fatalf("NewPlan: %v", err)
	}
	return p
}

const exampleSpec = `
base: rezatapopt-continuous-lesion
seed: 1
replicates: 50
set: {detection.size: 1e8}
axes:
  - {path: mutation.rate, log: {from: 1e-9, to: 1e-8, n: 3}}
  - {path: growth.death, linear: {from: 0.12, to: 0.13, n: 2}}
  - {path: "treatment.phases[0].doses.rezatapopt", values: [1150, 1500, 2000]}
  - {lhs: {n: 4, seed: 3, ranges: [{path: alleles.dominance, from: 0, to: 1}, {path: tolerance, from: 0.001, to: 0.5, log: true}]}}
`

func TestPlanCountsAndValues(t *testing.T) {
	p := mustPlan(t, exampleSpec)
	if got, want := len(p.Points), 3*2*3*4; got != want {
		t.Fatalf("%d points, want %d", got, want)
	}
	if p.Batch != DefaultBatch || p.Replicates != 50 || p.UnitsPerPoint() != 5 || p.NumUnits() != 72*5 {
		t.Errorf("batch %d, replicates %d, units/point %d, units %d", p.Batch, p.Replicates, p.UnitsPerPoint(), p.NumUnits())
	}
	wantCols := []string{"mutation.rate", "growth.death", "treatment.phases[0].doses.rezatapopt", "alleles.dominance", "tolerance"}
	if !slices.Equal(p.Columns, wantCols) {
		t.Errorf("columns %v", p.Columns)
	}
	first, last := p.Points[0].Values, p.Points[len(p.Points)-1].Values
	if first[0] != "1e-09" || first[1] != "0.12" || first[2] != "1150" || last[0] != "1e-08" || last[1] != "0.13" || last[2] != "2000" {
		t.Errorf("first %v, last %v", first, last)
	}
	if mid := p.Points[4*3*2].Values[0]; mid != "3.16227766017e-09" {
		t.Errorf("middle of the log axis: %s", mid)
	}
	// Units: in order, covering every replicate of every point once.
	seen := map[[2]int]bool{}
	for k := range p.NumUnits() {
		u := p.Unit(k)
		if u.Index != k {
			t.Fatalf("unit %d has index %d", k, u.Index)
		}
		for r := u.First; r < u.First+u.Count; r++ {
			if seen[[2]int{u.Point, r}] {
				t.Fatalf("replicate %d of point %d twice", r, u.Point)
			}
			seen[[2]int{u.Point, r}] = true
		}
	}
	if len(seen) != len(p.Points)*p.Replicates {
		t.Errorf("units cover %d replicates", len(seen))
	}
	// Shards partition the units.
	for _, n := range []int{1, 2, 3, 7, 1000} {
		var all []int
		for i := range n {
			for _, u := range p.Shard(i, n) {
				if u.Index%n != i {
					t.Fatalf("shard %d/%d has unit %d", i, n, u.Index)
				}
				all = append(all, u.Index)
			}
		}
		sort.Ints(all)
		if len(all) != p.NumUnits() || all[0] != 0 || all[len(all)-1] != p.NumUnits()-1 {
			t.Errorf("shards of %d: %d units", n, len(all))
		}
	}
}

func TestPointIDsStableAndIndependentOfAxisOrder(t *testing.T) {
	a := mustPlan(t, exampleSpec)
	b := mustPlan(t, exampleSpec)
	for i := range a.Points {
		if a.Points[i].ID != b.Points[i].ID || a.Points[i].Seed != b.Points[i].Seed {
			t.Fatalf("point %d: %s/%d then %s/%d", i, a.Points[i].ID, a.Points[i].Seed, b.Points[i].ID, b.Points[i].Seed)
		}
	}
	// Golden: the id is a function of the parameters; this pins the
	// definition (it changes when scenario defaults change: update it then).
	for _, pt := range a.Points {
		if id := pt.ID; len(id) != 13 || id[0] != 'p' || !validID(id) {
			t.Errorf("id %q", id)
		}
	}
	for _, id := range []string{"067122114e60", "p067122114E60", "p067122114e6", "q067122114e60", "p067122114e60x"} {
		if validID(id) {
			t.Errorf("validID(%q)", id)
		}
	}
	// Reversed axes, the fixed override spelt differently and the dose
	// path by drug name: the same parameters give the same ids and seeds.
	reordered := `
base: rezatapopt-continuous-lesion
seed: 1
replicates: 50
set: {detection.size: 100000000}
axes:
  - {lhs: {n: 4, seed: 3, ranges: [{path: alleles.dominance, from: 0, to: 1}, {path: tolerance, from: 0.001, to: 0.5, log: true}]}}
  - {path: "treatment.phases[rezatapopt].doses.rezatapopt", values: [1150, 1.5e3, 2000]}
  - {path: growth.death, linear: {from: 0.12, to: 0.13, n: 2}}
  - {path: mutation.rate, log: {from: 1e-9, to: 1e-8, n: 3}}
`
	c := mustPlan(t, reordered)
	ids := func(p *Plan) map[string]uint64 {
		m := map[string]uint64{}
		for _, pt := range p.Points {
			m[pt.ID] = pt.Seed
		}
		return m
	}
	ia, ic := ids(a), ids(c)
	if len(ia) != len(ic) {
		t.Fatalf("%d and %d points", len(ia), len(ic))
	}
	for id, seed := range ia {
		if s, ok := ic[id]; !ok || s != seed {
			t.Fatalf("point %s (seed %d) missing or reseeded (%d) after reordering the axes", id, seed, s)
		}
	}
	// Another sweep seed changes seeds, not ids.
	d := mustPlan(t, strings.Replace(exampleSpec, "seed: 1", "seed: 2", 1))
	if d.Points[0].ID != a.Points[0].ID || d.Points[0].Seed == a.Points[0].Seed {
		t.Error("sweep seed: ids must stay, seeds must change")
	}
	// A point does not depend on which other points exist.
	e := mustPlan(t, strings.Replace(exampleSpec, "values: [1150, 1500, 2000]", "values: [2000]", 1))
	for _, pt := range e.Points {
		if _, ok := ia[pt.ID]; !ok {
			t.Fatalf("point %s of the smaller sweep is not in the larger one", pt.ID)
		}
	}
}

func TestPointSeed(t *testing.T) {
	// Pinned: the definition is documented (SHA-256 of "p53evo sweep seed
	// v1\n<seed>\n<id>"), so other tools can recompute it.
	if got := PointSeed(1, "000000000000"); got != 0xba886e436fc97b59 {
		t.Errorf("PointSeed = %#x", got)
	}
	if PointSeed(1, "a") == PointSeed(2, "a") || PointSeed(1, "a") == PointSeed(1, "b") {
		t.Error("PointSeed ignores an input")
	}
}

func TestLHSStrata(t *testing.T) {
	l := &LHS{N: 50, Ranges: []LHSRange{{Path: "a", From: 0, To: 1}, {Path: "b", From: 1e-3, To: 1, Log: true}}}
	rows := l.Points(7)
	for k, r := range l.Ranges {
		used := make([]bool, l.N)
		for _, row := range rows {
			x, err := strconv.ParseFloat(row[k], 64)
			if err != nil {
				t.Fatal(err)
			}
			u := (x - r.From) / (r.To - r.From)
			if r.Log {
				u = (math.Log(x) - math.Log(r.From)) / (math.Log(r.To) - math.Log(r.From))
			}
			s := min(int(u*float64(l.N)), l.N-1)
			if used[s] {
				t.Fatalf("range %d: stratum %d used twice", k, s)
			}
			used[s] = true
		}
	}
	if !slices.EqualFunc(rows, l.Points(7), slices.Equal) {
		t.Error("LHS not reproducible")
	}
	if slices.EqualFunc(rows, l.Points(8), slices.Equal) {
		t.Error("LHS ignores its seed")
	}
}

func TestSpecErrors(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string
	}{
		{"unknown top key", "base: untreated\naxes: []\nreplicate: 3\n", []string{"test.yaml:3:1", "replicate", `unknown key "replicate"`, `did you mean "replicates"`}},
		{"unknown axis key", "base: untreated\naxes:\n  - {path: growth.death, linear: {from: 0.1, to: 0.2, num: 3}}\n", []string{"test.yaml:3:", "axes[0].linear.num", "allowed here: from, to, n"}}, // sweep and scenario files word unknown keys alike
		{"n < 1", "base: untreated\naxes:\n  - {path: growth.death, linear: {from: 0.1, to: 0.2, n: 0}}\n", []string{"axes[0].linear.n", "n = 0"}},
		{"empty range", "base: untreated\naxes:\n  - {path: growth.death, linear: {from: 0.2, to: 0.2, n: 3}}\n", []string{"axes[0].linear", "empty range"}},
		{"log from 0", "base: untreated\naxes:\n  - {path: mutation.rate, log: {from: 0, to: 1e-8, n: 3}}\n", []string{"axes[0].log", "above 0"}},
		{"two kinds", "base: untreated\naxes:\n  - {path: growth.death, values: [0.1], linear: {from: 0.1, to: 0.2, n: 2}}\n", []string{"axes[0]", "only one of"}},
		{"no path", "base: untreated\naxes:\n  - {values: [0.1]}\n", []string{"axes[0].path", "missing"}},
		{"empty values", "base: untreated\naxes:\n  - {path: growth.death, values: []}\n", []string{"axes[0].values", "at least one value"}},
		{"lhs empty range", "base: untreated\naxes:\n  - {lhs: {n: 3, ranges: [{path: tolerance, from: 0.5, to: 0.1}]}}\n", []string{"axes[0].lhs.ranges[0]", "empty range"}},
		{"seed is the sweep's", "base: untreated\naxes:\n  - {path: seed, values: [1, 2]}\n", []string{"axes[0].path", "set by the sweep"}},
		{"no base", "axes: []\n", []string{"base", "missing"}},
		{"bad type", "base: untreated\nreplicates: many\naxes: []\n", []string{"test.yaml:2:13", "replicates", "whole number"}},
		{"syntax", "base: [untreated\naxes: []\n", []string{"YAML syntax"}},
	}
	for _, c := range cases {
		_, err := ParseSpec("test.yaml", []byte(c.text))
		wantError(t, c.name, err, c.want)
	}
}

// wantError checks that err, the error of case name, is not nil and that
// its message holds each of want.
func wantError(t *testing.T, name string, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted", name)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error lacks %q:\n%v", name, w, err)
		}
	}
}

// Bad axes are refused before anything runs, naming the axis and the value.
func TestPlanErrors(t *testing.T) {
	cases := []struct {
		name, text string
		want       []string
	}{
		{"unknown field", "base: untreated\naxes:\n  - {path: growth.bosst, values: [0.1]}\n", []string{"test.yaml:3:", "axes[0]", "bosst", "birth"}},
		{"refused value", "base: untreated\naxes:\n  - {path: growth.birth, values: [0.14]}\n  - {path: growth.death, values: [0.1, -5]}\n", []string{"test.yaml:4:", "axes[1]", "value 2 of 2", "growth.death=-5"}},
		{"refused generated value", "base: untreated\naxes:\n  - {path: alleles.copies, linear: {from: 1, to: 2, n: 3}}\n", []string{"axes[0]", "alleles.copies=1.5"}},
		{"refused lhs value", "base: untreated\naxes:\n  - {lhs: {n: 3, ranges: [{path: alleles.dominance, from: 2, to: 3}]}}\n", []string{"axes[0]", "lhs axis", "alleles.dominance="}},
		{"duplicate path", "base: untreated\naxes:\n  - {path: growth.death, values: [0.1]}\n  - {path: growth.death, values: [0.12]}\n", []string{"axes[1]", "growth.death is already varied"}},
		{"duplicate point", "base: untreated\naxes:\n  - {path: detection.size, values: [1e8, 100000000]}\n", []string{"same parameters"}},
		{"bad set", "base: untreated\nset: {detection.sise: 1e8}\naxes: []\n", []string{"test.yaml:2:7", "set.detection.sise"}},
		{"unknown base", "base: no-such-scenario\naxes: []\n", []string{"base", "no-such-scenario"}},
	}
	for _, c := range cases {
		spec, err := ParseSpec("test.yaml", []byte(c.text))
		if err == nil {
			_, err = NewPlan(spec)
		}
		wantError(t, c.name, err, c.want)
	}
}

func TestBaseRelativeToSpecFile(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "mine.yaml"), []byte("name: mine\nreplicates: 7\ndetection: {size: 1e5}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "sweep.yaml"), []byte("base: mine.yaml\naxes: [{path: growth.death, values: [0.12, 0.125]}]\n"), 0o644)
	spec, err := LoadSpec(filepath.Join(dir, "sub", "sweep.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(spec)
	if err != nil {
		t.Fatal(err)
	}
	if p.BaseName != "mine" || p.Replicates != 7 || len(p.Points) != 2 || p.Name != "sweep" {
		t.Errorf("base %s, %d replicates, %d points, name %s", p.BaseName, p.Replicates, len(p.Points), p.Name)
	}
}

// A sweep file nested thousands of [ deep is refused by the depth guard
// before the YAML parser sees it (the parser's time grows with the square of
// the nesting).
func TestSpecDeepNestingRefused(t *testing.T) {
	deep := "base: untreated\naxes: []\nset: {tolerance: " + strings.Repeat("[", 80000) + strings.Repeat("]", 80000) + "}\n"
	_, err := ParseSpec("deep.yaml", []byte(deep))
	if err == nil {
		t.Fatal("accepted")
	}
	es := scenarios.Errors(err)
	if len(es) != 1 || !strings.Contains(es[0].Msg, "nest more than 64 deep") || es[0].Line != 3 {
		t.Fatalf("want one error on line 3 about nesting, got %v", err)
	}
}

// Sweep files take anchors, aliases and merge keys as scenario files do.
func TestSpecAliasesAndMergeKeys(t *testing.T) {
	text := `
base: untreated
set: &common {detection.size: 1e5}
axes:
  - {path: growth.death, values: &deaths [0.12, 0.125]}
  - &dose {path: tolerance, values: [0, 0.1]}
  - {<<: *dose, path: alleles.dominance, values: *deaths}
`
	spec, err := ParseSpec("alias.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(spec.Set) != 1 || spec.Set[0] != (Assignment{Path: "detection.size", Value: "1e5"}) {
		t.Errorf("set = %v", spec.Set)
	}
	if len(spec.Axes) != 3 {
		t.Fatalf("%d axes", len(spec.Axes))
	}
	if a := spec.Axes[2]; a.Path != "alleles.dominance" || !slices.Equal(a.Values, []string{"0.12", "0.125"}) {
		t.Errorf("merged axis = %+v, want path alleles.dominance and the aliased values", a)
	}
	if a := spec.Axes[1]; a.Path != "tolerance" || !slices.Equal(a.Values, []string{"0", "0.1"}) {
		t.Errorf("anchored axis = %+v", a)
	}
	_, err = ParseSpec("alias.yaml", []byte("base: untreated\naxes: [{path: tolerance, values: *none}]\n"))
	if err == nil || !strings.Contains(err.Error(), "unknown alias *none") {
		t.Errorf("unknown alias: %v", err)
	}
}

// A whole-number field refuses 1.5 rather than truncating it, and every
// problem of a file is reported at once.
func TestSpecAllProblemsAtOnce(t *testing.T) {
	_, err := ParseSpec("t.yaml", []byte("base: untreated\nreplicates: 1.5\nbatch: 0\naxes: [{path: tolerance, linear: {from: .inf, to: 1, n: 2}}]\n"))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, w := range []string{"t.yaml:2:13: replicates: expected a whole number, got 1.5", "batch: expected a whole number from 1 to", "axes[0].linear.from: expected a finite number"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}
