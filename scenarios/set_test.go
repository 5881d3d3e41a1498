package scenarios

import (
	"reflect"
	"strings"
	"testing"
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
		{"treatment.phases[1]", "{start: 84, doses: {nextgen: 2000}}", func(f *Scenario) bool {
			return len(f.Treatment.Phases) == 2 && *f.Treatment.Phases[1].Start == 84
		}},
		{"treatment.phases", "[{start: 0, doses: {offaxis: 1000}}, {start: 28, doses: {}}]", func(f *Scenario) bool {
			return len(f.Treatment.Phases) == 2 && f.Treatment.Phases[0].Doses["offaxis"] == 1000
		}},
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
			s := open(t, "rezatapopt-continuous")
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
	for _, kv := range [][2]string{{"treatment.phases[0]", "{doses: {rezatapopt: 2000}}"}, {"treatment.phases[1]", "{start: 56, doses: {}}"}, {"stop.horizon", "100"}} {
		if err := Set(s, kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := Resolve(s)
	if err != nil || cfg.Horizon != 100 || cfg.Therapy == nil {
		t.Fatalf("%v %+v", err, cfg)
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
		{"treatment.phases[5].start", "1", []string{"index 5 out of range", "has 1 entries", "allowed: 0 to 1"}},
		{"treatment.phases[x].start", "1", []string{"selected by index"}},
		{"treatment.phases", "{start: 0}", []string{"treatment.phases:", "expected a list"}},
		{"treatment.phases[0].doses.rezatapop", "1", []string{"treatment.phases[0].doses.rezatapop:", `unknown drug "rezatapop"`, "known drugs: rezatapopt, nextgen, offaxis"}},
		{"treatment.phases[0].doses.rezatapopt.x", "1", []string{"holds a number"}},
		{"treatment.phases[0].start", "5000", []string{"never starts"}},
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
			s := open(t, "rezatapopt-continuous")
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
	for _, want := range []string{"growth.birth", "treatment.phases[i].doses.<drug>", "alleles.copies", "engine.exact_below", "mutation.catalog", "mutation.catalog[i].ec50_fold.<drug>", "drugs[i].pocket_fold", "stop.follow_up"} {
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
			s := open(t, "rezatapopt-continuous")
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
