package scenarios

import (
	"reflect"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/sim"
)

func open(t *testing.T, name string) *Scenario {
	t.Helper()
	s, err := Open(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSetGood(t *testing.T) {
	cases := []struct {
		path, value string
		check       func(f *Scenario) bool
	}{
		{"growth.birth", "0.2", func(f *Scenario) bool { return *f.Growth.Birth == 0.2 }},
		{"growth.birth", "null", func(f *Scenario) bool { return *f.Growth.Birth == 0.14 }},
		{"alleles.copies", "2", func(f *Scenario) bool { return *f.Alleles.Copies == 2 }},
		{"alleles.dominance", "0.5", func(f *Scenario) bool { return *f.Alleles.Dominance == 0.5 }},
		{"engine.exact_below", "32", func(f *Scenario) bool { return *f.Engine.ExactBelow == 32 }},
		{"founder.cells", "1e3", func(f *Scenario) bool { return *f.Founder.Cells == 1000 }},
		{"mutation.rate", "1e-8", func(f *Scenario) bool { return *f.Mutation.Rate == 1e-8 }},
		{"seed", "42", func(f *Scenario) bool { return *f.Seed == 42 }},
		{"name", "my-run", func(f *Scenario) bool { return f.Name == "my-run" }},
		{"description", "'a: b'", func(f *Scenario) bool { return f.Description == "a: b" }},
		{"combination", "highest-single", func(f *Scenario) bool { return *f.Combination == "highest-single" }},
		{"treatment.phases[0].doses.rezatapopt", "1500", func(f *Scenario) bool { return f.Treatment.Phases[0].Doses["rezatapopt"] == 1500 }},
		{"treatment.phases[0].doses.nextgen", "2000", func(f *Scenario) bool {
			return f.Treatment.Phases[0].Doses["nextgen"] == 2000 && f.Treatment.Phases[0].Doses["rezatapopt"] == 2000
		}},
		{"treatment.phases[0].doses.rezatapopt", "null", func(f *Scenario) bool { return len(f.Treatment.Phases[0].Doses) == 0 }},
		{"treatment.phases[rezatapopt].doses.rezatapopt", "1500", func(f *Scenario) bool { return f.Treatment.Phases[0].Doses["rezatapopt"] == 1500 }},
		{"treatment.phases[1]", "{name: nextgen, doses: {nextgen: 2000}}", func(f *Scenario) bool {
			return len(f.Treatment.Phases) == 2 && f.Treatment.Phases[1].Doses["nextgen"] == 2000 && f.Treatment.Phases[0].Next == nil
		}},
		{"treatment.phases", "[{doses: {offaxis: 1000}, until: {after: 28}}, {doses: {}}]", func(f *Scenario) bool {
			return len(f.Treatment.Phases) == 2 && f.Treatment.Phases[0].Doses["offaxis"] == 1000 && f.Treatment.Phases[1].Name == "phase 1"
		}},
		{"treatment.phases[0].until", "{after: 30}", func(f *Scenario) bool {
			u := f.Treatment.Phases[0].Until
			return u.Word == "" && *u.After == 30
		}},
		{"treatment.phases[0].until", "never", func(f *Scenario) bool { return f.Treatment.Phases[0].Until.Word == "never" }},
		{"treatment.phases[0].until", "null", func(f *Scenario) bool { return f.Treatment.Phases[0].Until.Word == "never" }},
		{"treatment.phases[0].until.after", "30", func(f *Scenario) bool {
			u := f.Treatment.Phases[0].Until
			return u.Word == "" && *u.After == 30
		}},
		{"treatment.phases[0].until.burden_below", "0.5", func(f *Scenario) bool { return *f.Treatment.Phases[0].Until.BurdenBelow == 0.5 }},
		{"treatment.phases[0].until.ctdna", "{class: pocket, vaf: 0.01}", func(f *Scenario) bool {
			c := f.Treatment.Phases[0].Until.CTDNA
			return *c.Class == "pocket" && *c.VAF == 0.01
		}},
		{"treatment.phases[0].next", "stop", func(f *Scenario) bool { return *f.Treatment.Phases[0].Next == "stop" }},
		{"treatment.phases[0].next", "0", func(f *Scenario) bool { return *f.Treatment.Phases[0].Next == "0" }},
		{"treatment.phases[0].next", "rezatapopt", func(f *Scenario) bool { return *f.Treatment.Phases[0].Next == "rezatapopt" }},
		{"treatment.phases[0].cycle", "{on: 21, off: 7}", func(f *Scenario) bool {
			c := f.Treatment.Phases[0].Cycle
			return *c.On == 21 && *c.Off == 7
		}},
		{"treatment.phases[0].interval", "7", func(f *Scenario) bool { return *f.Treatment.Phases[0].Interval == 7 }},
		{"treatment.phases[0].name", "first line", func(f *Scenario) bool { return f.Treatment.Phases[0].Name == "first line" }},
		{"treatment.phases[0].name", "null", func(f *Scenario) bool { return f.Treatment.Phases[0].Name == "phase 0" }},
		{"treatment.exposure", "pk", func(f *Scenario) bool { return *f.Treatment.Exposure == "pk" }},
		{"treatment.segment", "0.01", func(f *Scenario) bool { return *f.Treatment.Segment == 0.01 }},
		{"observe.ctdna.depth", "5000", func(f *Scenario) bool { return *f.Observe.CTDNA.Depth == 5000 }},
		{"observe.ctdna.every", "off", func(f *Scenario) bool { return *f.Observe.CTDNA.Every == 0 }},
		{"observe.ctdna.every", "null", func(f *Scenario) bool { return *f.Observe.CTDNA.Every == 28 }},
		{"observe.ctdna", "{every: 14}", func(f *Scenario) bool { return *f.Observe.CTDNA.Every == 14 && *f.Observe.CTDNA.Depth == 2000 }},
		{"drugs[rezatapopt].pk.half_life", "1", func(f *Scenario) bool { return *f.Drugs[0].PK.HalfLife == 1 && *f.Drugs[0].PK.Ka == 24 }},
		{"drugs[nextgen].pk", "{ka: 10}", func(f *Scenario) bool { return *f.Drugs[1].PK.Ka == 10 && *f.Drugs[1].PK.HalfLife == 0.75 }},
		{"treatment.phases", "[]", func(f *Scenario) bool { return f.Treatment.Phases == nil }},
		{"drugs[rezatapopt].ec50", "900", func(f *Scenario) bool { return *f.Drugs[0].EC50 == 900 }},
		{"drugs[1].pocket_fold", "10", func(f *Scenario) bool { return *f.Drugs[1].PocketFold == 10 }},
		{"drugs[3]", "{name: ven, target: off-axis, emax: 0.05, ec50: 10}", func(f *Scenario) bool { return len(f.Drugs) == 4 && *f.Drugs[3].Hill == 1 }},
		{"mutation.catalog[R248W].sites", "3", func(f *Scenario) bool { return *f.Mutation.Catalog.Entries[2].Sites == 3 }},
		{"mutation.catalog[V147D].ec50_fold.nextgen", "20", func(f *Scenario) bool {
			return f.Mutation.Catalog.Entries[23].EC50Fold["nextgen"] == 20
		}},
		{"mutation.catalog", "[{name: R, class: ta-loss}]", func(f *Scenario) bool { return len(f.Mutation.Catalog.Entries) == 1 }},
		{"mutation.catalog", "default", func(f *Scenario) bool { return len(f.Mutation.Catalog.Entries) == 33 }},
		{"mutation.extra", "[{name: X, class: passenger}]", func(f *Scenario) bool { return len(f.Mutation.Catalog.Entries) == 34 }},
		{"stop", "{horizon: 365}", func(f *Scenario) bool { return *f.Stop.Horizon == 365 && *f.Stop.Lethal == 1e12 }},
	}
	for _, c := range cases {
		t.Run(c.path+"="+c.value, func(t *testing.T) {
			s := open(t, lesionName)
			if err := Set(s, c.path, c.value); err != nil {
				t.Fatal(err)
			}
			f, err := Fill(s)
			if err != nil {
				t.Fatal(err)
			}
			if !c.check(f) {
				t.Errorf("not set: %s", marshalValue(f))
			}
			// What Set produced survives a print and reload.
			out, _ := Marshal(s)
			back, err := Load(s.File, out)
			if err != nil || !reflect.DeepEqual(back, f) {
				t.Errorf("round trip after Set: %v", err)
			}
		})
	}
	// Sets accumulate.
	s := open(t, "untreated")
	for _, kv := range [][2]string{{"treatment.phases[0]", "{doses: {rezatapopt: 2000}, until: {after: 56}}"}, {"treatment.phases[1]", "{doses: {}}"}, {"treatment.phases[1].until", "progression"}, {"stop.horizon", "100"}} {
		if err := Set(s, kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := Resolve(s)
	if err != nil || cfg.Horizon != 100 || cfg.Therapy == nil {
		t.Fatalf("%v %+v", err, cfg)
	}
	ph := cfg.Therapy().(*sim.Policy).Phases
	if len(ph) != 2 || ph[0].Next != 1 || ph[1].Next != -1 || ph[1].End.Kind != sim.EndProgression || ph[0].End != (sim.EndRule{Kind: sim.EndAfter, Days: 56}) {
		t.Errorf("accumulated policy %+v", ph)
	}
}

func TestSetBad(t *testing.T) {
	cases := []struct {
		path, value string
		want        []string
	}{
		{"growth.birht", "1", []string{"--set growth.birht=1: growth.birht:", `unknown key "birht" in growth`, "allowed: birth, death", `did you mean "birth"`}},
		{"grwth.birth", "1", []string{"grwth:", `unknown key "grwth" in the scenario`, "allowed: name, description, seed", `did you mean "growth"`}},
		{"growth", "{birht: 1}", []string{"growth.birht:", "unknown key", "allowed here: birth, death"}},
		{"growth.birth", "abc", []string{"--set growth.birth=abc: growth.birth:", `expected a number, got string "abc"`}},
		{"growth.birth", "-1", []string{"growth.birth:", "positive finite number", "got -1"}},
		{"growth.birth", "", []string{"empty value", "null to restore the default"}},
		{"growth.birth", "[1", []string{"YAML syntax"}},
		{"growth.birth.x", "1", []string{"growth.birth is number", `no "x"`}},
		{"growth[0]", "1", []string{"growth is a mapping, not a list", "allowed keys: birth, death"}},
		{"alleles.dominance", "2", []string{"alleles.dominance:", "[0, 1]", "got 2"}},
		{"alleles.copies", "1.5", []string{"alleles.copies:", "expected a whole number, got 1.5"}},
		{"alleles.copies", "0", []string{"alleles.copies:", "from 1 to 8"}},
		{"tolerance", "1", []string{"tolerance:", "[0, 1)"}},
		{"treatment.phases[5].interval", "1", []string{"index 5 out of range", "has 1 entries", "allowed: 0 to 1"}},
		{"treatment.phases[x].interval", "1", []string{`no entry named "x" in treatment.phases`, "names: rezatapopt"}},
		{"treatment.phases", "{doses: {}}", []string{"treatment.phases:", "expected a list"}},
		{"treatment.phases[0].start", "0", []string{`unknown key "start" in treatment.phases[0]`, "allowed: name, doses, interval, cycle, until, next"}},
		{"treatment.phases[0].until", "progresion", []string{"treatment.phases[0].until:", `unknown end rule "progresion"`, `did you mean "progression"`}},
		{"treatment.phases[0].until", "{after: 30, burden_above: 1}", []string{"one end rule per phase, got after and burden_above"}},
		{"treatment.phases[0].until.after", "0", []string{"treatment.phases[0].until.after:", "positive finite number (days after the phase began)"}},
		{"treatment.phases[0].until.ctdna.vaf", "0.5", []string{"treatment.phases[0].until.ctdna.class:", "missing", "allowed: ta-loss, pocket"}},
		{"treatment.phases[0].until.ctdna.class", "passenger", []string{`unknown class "passenger"`, "allowed: ta-loss, pocket"}},
		{"treatment.phases[0].next", "1", []string{"treatment.phases[0].next:", "there is no phase 1; allowed: stop (end treatment), a phase index (index 0) or a phase name (rezatapopt)"}},
		{"treatment.phases[0].next", "nextgen", []string{`unknown phase "nextgen"`}},
		{"treatment.phases[0].name", "stop", []string{`"stop" is reserved`}},
		{"treatment.phases[0].cycle.on", "21", []string{"treatment.phases[0].cycle.off:", "missing; a cycle needs on"}},
		{"treatment.phases[0].interval", "0", []string{"treatment.phases[0].interval:", "positive"}},
		{"treatment.exposure", "pkk", []string{`unknown exposure "pkk"`, `did you mean "pk"`}},
		{"treatment.segment", "-1", []string{"treatment.segment:", "positive"}},
		{"observe.ctdna.depth", "0", []string{"observe.ctdna.depth:", "from 1 to 1000000000"}},
		{"observe.ctdna.min_alt", "3000", []string{"observe.ctdna.min_alt:", "min_alt (3000) exceeds depth (2000)"}},
		{"observe.ctdna.every", "weekly", []string{`expected a number of days, or off, got string "weekly"`}},
		{"observe.ctdna.lod", "2", []string{"observe.ctdna.lod:", "[0, 1]"}},
		{"drugs[rezatapopt].pk.ka", "0", []string{"drugs[0].pk.ka:", "absorption rate constant"}},
		{"treatment.phases[0].doses.rezatapop", "1", []string{"treatment.phases[0].doses.rezatapop:", `unknown drug "rezatapop"`, "known drugs: rezatapopt, nextgen, offaxis"}},
		{"treatment.phases[0].doses.rezatapopt.x", "1", []string{"holds a number"}},
		{"drugs[foo].ec50", "1", []string{`no entry named "foo" in drugs`, "names: rezatapopt, nextgen, offaxis"}},
		{"drugs", "5", []string{"drugs:", "expected a list"}},
		{"mutation.catalog[R248Z].sites", "1", []string{`no entry named "R248Z"`, `did you mean "R248W"`}},
		{"mutation.catalog", "defaults", []string{`unknown catalog "defaults"`}},
		{"mutation.rate", "-1e-9", []string{"mutation.rate:", "must not be negative"}},
		{"detection.size", "0.5", []string{"detection.size:", "from 1 to"}},
		{"founder.cells", "1e10", []string{"founder.cells:", "below founder.cells"}},
		{"replicates", "0", []string{"replicates:", "from 1 to"}},
		{"growth..birth", "1", []string{"malformed path"}},
		{".growth", "1", []string{"malformed path"}},
		{"growth.birth]", "1", []string{"malformed path"}},
		{"", "1", []string{"empty path"}},
	}
	for _, c := range cases {
		t.Run(c.path+"="+c.value, func(t *testing.T) {
			s := open(t, lesionName)
			before := clone(s)
			err := Set(s, c.path, c.value)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if !strings.Contains(err.Error(), "--set "+c.path+"="+c.value) {
				t.Errorf("error does not name the --set: %v", err)
			}
			if !reflect.DeepEqual(s, before) {
				t.Error("failed Set changed the scenario")
			}
		})
	}
}

// TestPaths: every listed path is reachable by Set on the default scenario
// (the value may then be refused, but never the path).
func TestPaths(t *testing.T) {
	paths := Paths()
	for _, want := range []string{"growth.birth", "treatment.phases[i].doses.<drug>", "treatment.phases[i].until", "treatment.phases[i].until.after",
		"treatment.phases[i].until.ctdna.class", "treatment.phases[i].until.ctdna.vaf", "treatment.phases[i].until.burden_below", "treatment.phases[i].until.burden_above",
		"treatment.phases[i].next", "treatment.phases[i].name", "treatment.phases[i].interval", "treatment.phases[i].cycle.on", "treatment.phases[i].cycle.off",
		"treatment.exposure", "treatment.segment", "drugs[i].pk.ka", "drugs[i].pk.half_life", "drugs[i].pk.scale",
		"observe.ctdna.every", "observe.ctdna.depth", "observe.ctdna.min_alt", "observe.ctdna.lod", "observe.ctdna.shed", "observe.ctdna.half_life_min",
		"observe.ctdna.normal_ge", "observe.ctdna.record_min_vaf", "alleles.copies", "engine.exact_below", "mutation.catalog", "mutation.catalog[i].ec50_fold.<drug>", "drugs[i].pocket_fold", "stop.follow_up"} {
		found := false
		for _, p := range paths {
			found = found || p == want
		}
		if !found {
			t.Errorf("Paths lacks %s", want)
		}
	}
	for _, p := range paths {
		concrete := strings.ReplaceAll(strings.ReplaceAll(p, "[i]", "[0]"), "<drug>", "nextgen")
		for _, v := range []string{"1", "null"} {
			s := open(t, lesionName)
			err := Set(s, concrete, v)
			if err == nil {
				continue
			}
			for _, bad := range []string{"unknown key", "malformed", "out of range", "no entry", "is a mapping", "is a list", "has no"} {
				if strings.Contains(err.Error(), bad) {
					t.Errorf("path %s unreachable: %v", concrete, err)
				}
			}
		}
	}
}

// SetAll checks once after every assignment, so the order of --set flags
// does not matter (detection.size=1e15 then stop.lethal=1e16 used to be
// refused at the first, the reverse accepted).
func TestSetAllOrder(t *testing.T) {
	for _, as := range [][]Assignment{
		{{"detection.size", "1e15"}, {"stop.lethal", "1e16"}},
		{{"stop.lethal", "1e16"}, {"detection.size", "1e15"}},
	} {
		s, err := Open(lesionName)
		if err != nil {
			t.Fatal(err)
		}
		if err := SetAll(s, as); err != nil {
			t.Errorf("%v: %v", as, err)
			continue
		}
		cfg, err := Resolve(s)
		if err != nil || cfg.Detect != 1e15 || cfg.Lethal != 1e16 {
			t.Errorf("%v: detect %g lethal %g, %v", as, cfg.Detect, cfg.Lethal, err)
		}
	}
	// A conflict that remains after all sets is reported, naming them, and
	// leaves the scenario unchanged.
	s, _ := Open(lesionName)
	err := SetAll(s, []Assignment{{"detection.size", "1e15"}, {"growth.birth", "0.2"}})
	if err == nil || !strings.Contains(err.Error(), "--set detection.size=1e15 --set growth.birth=0.2") || !strings.Contains(err.Error(), "lethal burden") {
		t.Errorf("conflict: %v", err)
	}
	if cfg, _ := Resolve(s); cfg.Detect != 1e9 || cfg.Model.Birth != 0.14 {
		t.Errorf("scenario changed by a failed SetAll: detect %g birth %g", cfg.Detect, cfg.Model.Birth)
	}
	// A value that does not decode is reported at its own --set.
	err = SetAll(s, []Assignment{{"stop.lethal", "1e16"}, {"growth.birth", "fast"}})
	if err == nil || !strings.Contains(err.Error(), "--set growth.birth=fast") {
		t.Errorf("bad value: %v", err)
	}
}

// Pharmacology outside physical ranges is refused naming the field and the
// range (doses up to 1e300 and EC50s down to 1e-100 used to run, with a
// Hill term that overflowed).
func TestPharmacologyBounds(t *testing.T) {
	cases := []struct{ path, value, want string }{
		{"treatment.phases[0].doses.rezatapopt", "1e106", "treatment.phases[0].doses.rezatapopt: must be from 0 to 1e+06 (mg per administration)"},
		{"treatment.phases[0].doses.rezatapopt", "1e300", "must be from 0 to 1e+06"},
		{"drugs[rezatapopt].ec50", "1e-100", "drugs[0].ec50: must be from 1e-06 to 1e+09 (mg-eq)"},
		{"drugs[rezatapopt].emax", "1e9", "drugs[0].emax: must be from 0 to 100"},
		{"drugs[rezatapopt].pocket_fold", "1e300", "pocket_fold: must be from 1 to 1e+12"},
		{"drugs[rezatapopt].pk.scale", "1e30", "pk.scale: must be from 1e-06 to 1e+06"},
		{"drugs[rezatapopt].hill", "21", "drugs[0].hill: must be in (0, 20]"},
	}
	for _, c := range cases {
		s, _ := Open(lesionName)
		err := Set(s, c.path, c.value)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%s: %v, want %q", c.path, c.value, err, c.want)
		}
	}
	// Within range, a Hill 20 drug at a high dose is accepted and saturates.
	s, _ := Open(lesionName)
	if err := SetAll(s, []Assignment{{"drugs[rezatapopt].hill", "20"}, {"treatment.phases[0].doses.rezatapopt", "1e6"}}); err != nil {
		t.Error(err)
	}
}

// lesionName is the single-lesion reference arm: the --set tests work on
// its fields (detection.size, observe.ctdna), which virtual patients do not
// use.
const lesionName = "rezatapopt-continuous-lesion"

// --set patient.plasma.assay brings the whole preset (the molecules, depth,
// min_alt and lod filled from the clinical default give way), while those
// fields set alongside win whatever their order; Set alone does the same.
func TestSetAssayPreset(t *testing.T) {
	research, _ := sim.PlasmaAssayNamed("research")
	for _, as := range [][]Assignment{
		{{"patient.plasma.assay", "research"}},
		{{"patient.plasma.min_alt", "7"}, {"patient.plasma.assay", "research"}},
		{{"patient.plasma.assay", "research"}, {"patient.plasma.min_alt", "7"}},
	} {
		s, err := Open("rezatapopt-continuous")
		if err != nil {
			t.Fatal(err)
		}
		if err := SetAll(s, as); err != nil {
			t.Fatalf("%v: %v", as, err)
		}
		cfg, err := Resolve(s)
		if err != nil {
			t.Fatal(err)
		}
		pl := cfg.Patient.Plasma
		wantAlt := research.MinAlt
		if len(as) > 1 {
			wantAlt = 7
		}
		if pl.Molecules != research.Molecules || pl.Depth != research.Depth || pl.LOD != research.LOD || pl.MinAlt != wantAlt {
			t.Errorf("%v: plasma %+v, want the research preset with min_alt %d", as, pl, wantAlt)
		}
	}
	s, _ := Open("rezatapopt-continuous")
	if err := Set(s, "patient.plasma.assay", "research"); err != nil {
		t.Fatal(err)
	}
	if cfg, _ := Resolve(s); cfg.Patient.Plasma.Molecules != research.Molecules {
		t.Errorf("Set: molecules %d, want %d", cfg.Patient.Plasma.Molecules, research.Molecules)
	}
}
