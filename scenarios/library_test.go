package scenarios

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// TestLibrary: every library scenario loads, resolves, and passes the
// engine's own validation; Defaults changes nothing (every default is
// explicit); each file starts with a comment block citing its sources.
func TestLibrary(t *testing.T) {
	names := Names()
	for _, want := range []string{"rezatapopt-continuous", "rezatapopt-continuous-lesion", "untreated", "theory-kendall", "theory-resistance", "theory-luria",
		"rezatapopt-intermittent", "rezatapopt-reduced-dose", "rezatapopt-high-pulse", "switch-nextgen-at-progression", "switch-nextgen-at-ctdna",
		"combo-nextgen", "combo-offaxis", "adaptive", "holiday-rechallenge", "earlier-line", "rezatapopt-continuous-demes"} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("library lacks %s", want)
		}
	}
	if DefaultName != "rezatapopt-continuous" {
		t.Error("default scenario")
	}
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			data, err := Get(n)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(data), "# ") {
				t.Error("no leading comment block")
			}
			head := string(data[:strings.Index(string(data), "\nname:")])
			if !strings.Contains(head, "Bozic") && !strings.Contains(head, "theory") {
				t.Error("comment block cites no source")
			}
			s, err := Open(n)
			if err != nil {
				t.Fatal(err)
			}
			if s.Name != n {
				t.Errorf("name %q in file %s.yaml", s.Name, n)
			}
			if s.Description == "" {
				t.Error("no description")
			}
			cfg, err := Resolve(s)
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
			if err := cfg.Model.Validate(); err != nil {
				t.Fatal(err)
			}
			if cfg.Therapy != nil {
				p, ok := cfg.Therapy().(*sim.Policy)
				if !ok {
					t.Fatalf("therapy %T is not a *sim.Policy", cfg.Therapy())
				}
				if err := p.Validate(len(cfg.Model.Drugs)); err != nil {
					t.Fatal(err)
				}
			}
			again := cfg
			again.Defaults()
			again.Therapy, cfg.Therapy = nil, nil
			if !reflect.DeepEqual(again, cfg) {
				t.Errorf("Defaults changed the resolved config:\n%+v\n%+v", cfg, again)
			}
		})
	}
}

// TestLibraryContents checks what the named scenarios promise.
func TestLibraryContents(t *testing.T) {
	resolve := func(n string) sim.Config {
		s, err := Open(n)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := Resolve(s)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	c := resolve("rezatapopt-continuous-lesion")
	if !reflect.DeepEqual(c.Model, model.Default()) || c.Therapy == nil || c.Patient != nil {
		t.Error("rezatapopt-continuous-lesion is not the default model, treated, one lesion")
	}
	conc := make([]float64, 3)
	if next := c.Therapy().Conc(0, conc); conc[0] != 2000 || conc[1] != 0 || conc[2] != 0 || next != inf {
		t.Errorf("rezatapopt-continuous-lesion doses %v until %v", conc, next)
	}
	for _, n := range []string{"rezatapopt-continuous", "rezatapopt-continuous-lesion"} {
		if s, _ := Open(n); s.ReplicateCount() != 200 {
			t.Errorf("%s: replicates", n)
		}
	}
	if c := resolve("untreated"); c.Therapy != nil || c.Patient == nil {
		t.Error("untreated: virtual patients without a drug")
	}
	k := resolve("theory-kendall")
	if k.Model.Birth != 1 || k.Model.Death != 0.5 || k.Founder != 1 || len(k.Model.Catalog) != 0 || k.Model.MutationRate != 0 || k.Therapy != nil {
		t.Errorf("theory-kendall %+v", k)
	}
	r := resolve("theory-resistance")
	want := []model.Mutation{{Name: "R", Class: model.TALoss, Sites: 1}}
	if r.Model.Birth != 0.14 || r.Model.Death != 0.13 || !reflect.DeepEqual(r.Model.Catalog, want) || r.Model.MutationRate != 1e-7 || r.Detect != 1e5 || r.Therapy != nil {
		t.Errorf("theory-resistance %+v", r)
	}
	l := resolve("theory-luria")
	if l.Model.Birth != 1 || l.Model.Death != 0 || !reflect.DeepEqual(l.Model.Catalog, want) || l.Model.MutationRate != 1e-6 || l.Detect != 1e6 || l.Therapy != nil {
		t.Errorf("theory-luria %+v", l)
	}
}

// TestLibraryPolicies: each library scenario's treatment policy, as the
// engine gets it (drugs: rezatapopt, nextgen, offaxis).
func TestLibraryPolicies(t *testing.T) {
	type ph = sim.PhaseSpec
	end := func(k sim.EndKind) sim.EndRule { return sim.EndRule{Kind: k} }
	prog := end(sim.EndProgression)
	rez := func(mg float64) []float64 { return []float64{mg, 0, 0} }
	cases := map[string]struct {
		phases []sim.PhaseSpec
		check  func(c sim.Config) bool
	}{
		"rezatapopt-continuous": {[]ph{{Name: "rezatapopt", Doses: rez(2000), Interval: 1, End: prog, Next: -1, NextSet: true}}, trialCheck},
		"rezatapopt-continuous-lesion": {[]ph{{Name: "rezatapopt", Doses: rez(2000), Interval: 1, End: prog, Next: -1, NextSet: true}},
			// every value written in the file is the default
			func(c sim.Config) bool { return c.Scan == 56 && c.CTDNA == simDefaults.CTDNA && c.Detect == 1e9 }},
		"rezatapopt-continuous-lattice": {[]ph{{Name: "rezatapopt", Doses: rez(2000), Interval: 1, End: prog, Next: -1, NextSet: true}},
			func(c sim.Config) bool {
				return c.Detect == 1e5 && c.CTDNA.Every < 0 && c.Lattice != nil && *c.Lattice == sim.LatticeConfig{Dim: 2, Rule: sim.RulePush}
			}},
		"rezatapopt-continuous-demes": {[]ph{{Name: "rezatapopt", Doses: rez(2000), Interval: 1, End: prog, Next: -1, NextSet: true}},
			func(c sim.Config) bool {
				return c.Detect == 1e8 && c.Lethal == 1e10 && c.CTDNA.Every < 0 && c.Lattice == nil && c.Demes != nil &&
					*c.Demes == sim.DemesConfig{Dim: 2, K: 1e4, Dispersal: sim.DemeFission, Step: 0.25}
			}},
		"rezatapopt-continuous-wait-lattice": {[]ph{{Name: "rezatapopt", Doses: rez(2000), Interval: 1, End: prog, Next: -1, NextSet: true}}, waitTwin},
		"rezatapopt-intermittent":            {[]ph{{Name: "rezatapopt-21on-7off", Doses: rez(2000), Interval: 1, On: 21, Off: 7, End: prog, Next: -1, NextSet: true}}, nil},
		"rezatapopt-reduced-dose":            {[]ph{{Name: "rezatapopt-1150", Doses: rez(1150), Interval: 1, End: prog, Next: -1, NextSet: true}}, nil},
		"rezatapopt-high-pulse":              {[]ph{{Name: "rezatapopt-2500-pulse", Doses: rez(2500), Interval: 1, On: 7, Off: 14, End: prog, Next: -1, NextSet: true}}, nil},
		"switch-nextgen-at-progression": {[]ph{
			{Name: "rezatapopt", Doses: rez(2000), Interval: 1, End: prog, Next: 1, NextSet: true},
			{Name: "nextgen", Doses: []float64{0, 2000, 0}, Interval: 1, End: prog, Next: -1, NextSet: true},
		}, nil},
		"switch-nextgen-at-ctdna": {[]ph{
			{Name: "rezatapopt", Doses: rez(2000), Interval: 1, End: sim.EndRule{Kind: sim.EndCTDNA, Class: model.ClassPocket, VAF: 0.005}, Next: 1, NextSet: true},
			{Name: "nextgen", Doses: []float64{0, 2000, 0}, Interval: 1, End: prog, Next: -1, NextSet: true},
		}, func(c sim.Config) bool { return c.CTDNA.Every == 28 }},
		"combo-nextgen": {[]ph{{Name: "rezatapopt+nextgen", Doses: []float64{2000, 2000, 0}, Interval: 1, End: prog, Next: -1, NextSet: true}}, nil},
		"combo-offaxis": {[]ph{{Name: "rezatapopt+offaxis", Doses: []float64{2000, 0, 1000}, Interval: 1, End: prog, Next: -1, NextSet: true}}, nil},
		"adaptive": {[]ph{
			{Name: "treat", Doses: rez(2000), Interval: 1, End: sim.EndRule{Kind: sim.EndBurdenBelow, Fraction: 0.5}, Next: 1, NextSet: true},
			{Name: "pause", Doses: rez(0), Interval: 1, End: sim.EndRule{Kind: sim.EndBurdenAbove, Fraction: 1}, Next: 0, NextSet: true},
		}, func(c sim.Config) bool { return c.Scan == 28 && c.ProgressionFromBaseline && c.Patient != nil }},
		"adaptive-lattice": {[]ph{
			{Name: "treat", Doses: rez(2000), Interval: 1, End: sim.EndRule{Kind: sim.EndBurdenBelow, Fraction: 0.5}, Next: 1, NextSet: true},
			{Name: "pause", Doses: rez(0), Interval: 1, End: sim.EndRule{Kind: sim.EndBurdenAbove, Fraction: 1}, Next: 0, NextSet: true},
		}, func(c sim.Config) bool {
			return c.Scan == 28 && c.ProgressionFromBaseline && c.Lattice != nil && c.Detect == 1e5 && !(c.CTDNA.Every > 0)
		}},
		"adaptive-wait-lattice": {[]ph{
			{Name: "treat", Doses: rez(2000), Interval: 1, End: sim.EndRule{Kind: sim.EndBurdenBelow, Fraction: 0.5}, Next: 1, NextSet: true},
			{Name: "pause", Doses: rez(0), Interval: 1, End: sim.EndRule{Kind: sim.EndBurdenAbove, Fraction: 1}, Next: 0, NextSet: true},
		}, func(c sim.Config) bool { return c.Scan == 28 && c.ProgressionFromBaseline && waitTwin(c) }},
		"holiday-rechallenge": {[]ph{
			{Name: "rezatapopt", Doses: rez(2000), Interval: 1, End: sim.EndRule{Kind: sim.EndAfter, Days: 180}, Next: 1, NextSet: true},
			{Name: "holiday", Doses: rez(0), Interval: 1, End: sim.EndRule{Kind: sim.EndAfter, Days: 90}, Next: 2, NextSet: true},
			{Name: "rechallenge", Doses: rez(2000), Interval: 1, End: prog, Next: -1, NextSet: true},
		}, nil},
		"earlier-line": {[]ph{{Name: "rezatapopt", Doses: rez(2000), Interval: 1, End: prog, Next: -1, NextSet: true}},
			func(c sim.Config) bool { return c.Patient != nil && c.Patient.Burden.Median == 5e9 }},
		"untreated": {nil, nil},
		// the virtual trial cohorts: the default patient, Hill 4
		"trial-rezatapopt-600":  {[]ph{{Name: "rezatapopt", Doses: rez(600), Interval: 1, End: prog, Next: -1, NextSet: true}}, trialCheck},
		"trial-rezatapopt-1150": {[]ph{{Name: "rezatapopt", Doses: rez(1150), Interval: 1, End: prog, Next: -1, NextSet: true}}, trialCheck},
		"trial-rezatapopt-1500": {[]ph{{Name: "rezatapopt", Doses: rez(1500), Interval: 1, End: prog, Next: -1, NextSet: true}}, trialCheck},
		"trial-rezatapopt-2000": {[]ph{{Name: "rezatapopt", Doses: rez(2000), Interval: 1, End: prog, Next: -1, NextSet: true}}, trialCheck},
		"trial-rezatapopt-2500": {[]ph{{Name: "rezatapopt", Doses: rez(2500), Interval: 1, End: prog, Next: -1, NextSet: true}}, trialCheck},
		"theory-kendall":        {nil, nil},
		"theory-luria":          {nil, nil},
		"theory-resistance":     {nil, nil},
	}
	for _, n := range Names() {
		t.Run(n, func(t *testing.T) {
			c, ok := cases[n]
			if !ok {
				t.Fatal("no expected policy for this library scenario")
			}
			s := open(t, n)
			p, err := Policy(s)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Resolve(s)
			if err != nil {
				t.Fatal(err)
			}
			if c.phases == nil {
				if p != nil || cfg.Therapy != nil {
					t.Errorf("treated: %+v", p)
				}
				return
			}
			want := &sim.Policy{Phases: c.phases, SegmentLen: 1.0 / 24}
			if !reflect.DeepEqual(p, want) {
				t.Errorf("policy\n%+v\nwant\n%+v", p, want)
			}
			if got := cfg.Therapy().(*sim.Policy); !reflect.DeepEqual(got.Phases, want.Phases) || got.PK != nil {
				t.Errorf("the therapy factory's policy differs: %+v", got)
			}
			if c.check != nil && !c.check(cfg) {
				t.Errorf("config %+v", cfg)
			}
		})
	}
}

// waitTwin: the wait-rule lattice twins share one biology: b 0.02, d 0.01
// (net 0.01 per day at b/d = 2, where a wait lattice grows), detection at 1e4
// cells, mutation rate 1e-8, no blood draws.
func waitTwin(c sim.Config) bool {
	return c.Lattice != nil && *c.Lattice == sim.LatticeConfig{Dim: 2, Rule: sim.RuleWait} &&
		c.Model.Birth == 0.02 && c.Model.Death == 0.01 && c.Model.MutationRate == 1e-8 && c.Detect == 1e4 && !(c.CTDNA.Every > 0)
}

func TestGetOpen(t *testing.T) {
	_, err := Get("rezatapopt-continous")
	if err == nil || !strings.Contains(err.Error(), "available: adaptive, adaptive-lattice, adaptive-wait-lattice, combo-nextgen") || !strings.Contains(err.Error(), `did you mean "rezatapopt-continuous"`) {
		t.Errorf("Get error: %v", err)
	}
	_, err = Open("no-such-scenario")
	if err == nil || !strings.Contains(err.Error(), "neither a library scenario") || !strings.Contains(err.Error(), "untreated") {
		t.Errorf("Open error: %v", err)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "mine.yaml")
	if err := os.WriteFile(p, []byte("growth: {birth: 0.2}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := Fill(s); f.Name != "mine" || *f.Growth.Birth != 0.2 {
		t.Errorf("opened %+v", f)
	}
	if err := os.WriteFile(p, []byte("growth: {birth: -1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(p); err == nil || !strings.Contains(err.Error(), p+":1:10: growth.birth:") {
		t.Errorf("file error: %v", err)
	}
	infos := List()
	if len(infos) != len(Names()) || infos[0].Description == "" {
		t.Errorf("List: %+v", infos)
	}
}

// TestRoundTrip: Marshal prints the fully resolved scenario, and loading it
// gives back exactly the filled scenario; printing again is identical.
func TestRoundTrip(t *testing.T) {
	srcs := map[string][]byte{}
	for _, n := range Names() {
		srcs[n], _ = Get(n)
	}
	srcs["tricky"] = []byte(`name: tricky
description: "quotes \" and \\ back, tab\t, newline\n, unicode µ→, colon: yes # not a comment"
seed: 18446744073709551615
mutation:
  catalog:
    - {name: "R248*", class: ta-loss}
    - {name: "c.743G>A", class: pocket, sites: 0.5, ec50_fold: {rezatapopt: 1e6, nextgen: 3}}
    - {name: "true", class: passenger, birth_delta: 1e-300, death_delta: -0.25}
    - {name: "1e9", class: passenger}
  extra: [{name: nonsense, class: ta-loss, sites: 110}]
drugs:
  - {name: offaxis, pocket_fold: 2}
  - {name: "2nd", target: y220c-pocket, emax: 0.1, ec50: 0.000123, hill: 20}
treatment:
  exposure: pk
  segment: 5e-2
  phases:
    - {name: "a.b+c/d (e)", doses: {}, until: {after: 0.5}, next: "1"}
    - {name: Phase-2, doses: {2nd: 1.5e-7, offaxis: 0}, cycle: {on: 1e-3, off: 0}, until: {ctdna: {class: ta-loss, vaf: 1e-300}}, next: "a.b+c/d (e)"}
    - {name: off, until: {burden_above: 1e300}, next: stop}
    - {name: "true", until: progression, next: "00"}
observe: {ctdna: {every: 0.05, depth: 1e9, min_alt: 1e9, lod: 0, record_min_vaf: 1}}
tolerance: 0.999999
stop: {horizon: 36524.999, follow_up: 0.1}
`)
	for n, src := range srcs {
		t.Run(n, func(t *testing.T) {
			s, err := Load(n+".yaml", src)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Fill(s)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Load(n+".yaml", out)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if !reflect.DeepEqual(back, f) {
				t.Errorf("round trip differs:\n%s", out)
			}
			out2, err := Marshal(back)
			if err != nil || string(out2) != string(out) {
				t.Errorf("second print differs:\n%s\n%s", out, out2)
			}
			c1, err1 := Resolve(s)
			c2, err2 := Resolve(back)
			if err1 != nil || err2 != nil {
				t.Fatalf("resolve: %v; after the round trip: %v", err1, err2)
			}
			c1.Therapy, c2.Therapy = nil, nil
			if !reflect.DeepEqual(c1, c2) {
				t.Error("resolved configs differ")
			}
		})
	}
}

// trialCheck: a trial scenario runs the default virtual patient with the
// default tissue biopsies.
func trialCheck(c sim.Config) bool {
	d := sim.DefaultPatient()
	b := sim.DefaultBiopsy()
	d.Biopsy = &b
	return c.Patient != nil && reflect.DeepEqual(*c.Patient, d) && c.Model.Drugs[0].Hill == 4 && c.Engine.Merge
}
