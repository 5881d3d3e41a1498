package scenarios

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// TestLoadErrors: every bad input is refused with the position, the field
// path and what is allowed.
func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string // substrings of the error message
	}{
		{"unknown top-level key", "replicate: 5\n",
			[]string{"x.yaml:1:1: replicate:", `unknown key "replicate"`, "allowed here: name, description, seed, replicates", `did you mean "replicates"?`}},
		{"unknown nested key", "growth: {birht: 1}\n",
			[]string{"x.yaml:1:10: growth.birht:", "allowed here: birth, death", `did you mean "birth"`}},
		{"unknown key in list entry", "treatment:\n  phases:\n    - {name: a, dose: {rezatapopt: 1}}\n",
			[]string{"x.yaml:3:17: treatment.phases[0].dose:", "allowed here: name, doses, interval, cycle, until, next", `did you mean "doses"`}},
		{"string for number", "growth:\n  birth: fast\n",
			[]string{"x.yaml:2:10: growth.birth:", "expected a number", `got string "fast"`}},
		{"quoted number", "growth: {birth: \"0.14\"}\n",
			[]string{"growth.birth:", "expected a number", `got string "0.14"`}},
		{"mapping for number", "seed: {a: 1}\n",
			[]string{"x.yaml:1:7: seed:", "expected a whole number, got a mapping"}},
		{"list for mapping", "growth: [1, 2]\n",
			[]string{"x.yaml:1:9: growth:", "expected a mapping with keys birth, death, got a list"}},
		{"fraction for integer", "replicates: 2.5\n",
			[]string{"x.yaml:1:13: replicates:", "expected a whole number, got 2.5"}},
		{"number for string", "name: 12\n",
			[]string{"name:", "expected a string, got 12", `quotes: "12"`}},
		{"negative seed", "seed: -1\n",
			[]string{"seed:", "whole number from 0"}},
		{"top level list", "- 1\n",
			[]string{"x.yaml:1:1:", "expected a mapping with keys name, description"}},
		{"null list entry", "drugs: [~]\n",
			[]string{"drugs[0]:", "expected a mapping with keys name, target"}},
		{"unknown catalog word", "mutation: {catalog: defualt}\n",
			[]string{"mutation.catalog:", `unknown catalog "defualt"`, `"default" or a list of mutation entries`}},
		{"negative rate", "mutation: {rate: -1e-9}\n",
			[]string{"x.yaml:1:12: mutation.rate:", "must not be negative", "[0, 1)", "-1e-09"}},
		{"rate times sites too high", "mutation: {rate: 0.01}\n",
			[]string{"mutation.rate:", "catalog sites", "must be below 1"}},
		{"dominance above 1", "alleles: {dominance: 1.5}\n",
			[]string{"x.yaml:1:11: alleles.dominance:", "must be in [0, 1]", "got 1.5"}},
		{"tolerance 1", "tolerance: 1\n",
			[]string{"x.yaml:1:1: tolerance:", "must be in [0, 1)", "got 1"}},
		{"too many copies", "alleles: {copies: 9}\n",
			[]string{"alleles.copies:", "from 1 to 8", "got 9"}},
		{"unknown drug in doses", "treatment:\n  phases:\n    - {doses: {rezatapopt: 2000}, until: {after: 84}}\n    - {name: b, doses: {rezatapop: 1500}}\n",
			[]string{"x.yaml:4:25: treatment.phases[1].doses.rezatapop:", `unknown drug "rezatapop"`, "known drugs: rezatapopt, nextgen, offaxis", `did you mean "rezatapopt"`}},
		{"unknown drug in ec50_fold", "mutation:\n  extra:\n    - {name: X1, class: pocket, ec50_fold: {nxtgen: 5}}\n",
			[]string{"x.yaml:3:45: mutation.extra[0].ec50_fold.nxtgen:", `unknown drug "nxtgen"`, "known drugs: rezatapopt, nextgen, offaxis"}},
		{"ec50_fold for off-axis drug", "mutation:\n  catalog:\n    - {name: X1, class: pocket, ec50_fold: {offaxis: 5}}\n",
			[]string{"mutation.catalog[0].ec50_fold.offaxis:", "not a y220c-pocket drug"}},
		{"ec50_fold not positive", "mutation:\n  catalog:\n    - {name: X1, class: pocket, ec50_fold: {nextgen: 0}}\n",
			[]string{"mutation.catalog[0].ec50_fold.nextgen:", "positive finite fold change"}},
		{"unknown class", "mutation:\n  catalog:\n    - {name: X1, class: pockett}\n",
			[]string{"x.yaml:3:18: mutation.catalog[0].class:", `unknown class "pockett"`, "allowed: ta-loss, pocket, passenger", `did you mean "pocket"`}},
		{"missing class", "mutation:\n  catalog:\n    - {name: X1}\n",
			[]string{"x.yaml:3:5: mutation.catalog[0].class:", "missing", "allowed: ta-loss, pocket, passenger"}},
		{"missing mutation name", "mutation:\n  catalog:\n    - {class: pocket}\n",
			[]string{"mutation.catalog[0].name:", "missing"}},
		{"bad mutation name", "mutation:\n  catalog:\n    - {name: A+B, class: pocket}\n",
			[]string{"mutation.catalog[0].name:", "not a valid mutation name", "no '+'"}},
		{"duplicate mutation name", "mutation:\n  catalog:\n    - {name: R, class: ta-loss}\n    - {name: R, class: pocket}\n",
			[]string{"x.yaml:4:8: mutation.catalog[1].name:", `duplicate mutation name "R"`, "also in mutation.catalog[0]"}},
		{"extra duplicates the default catalog", "mutation:\n  extra:\n    - {name: R248W, class: ta-loss}\n",
			[]string{"x.yaml:3:8: mutation.extra[0].name:", `duplicate mutation name "R248W"`, "the default catalog"}},
		{"zero sites", "mutation:\n  catalog:\n    - {name: R, class: ta-loss, sites: 0}\n",
			[]string{"mutation.catalog[0].sites:", "positive finite number"}},
		{"negative dose", "treatment:\n  phases:\n    - {doses: {rezatapopt: -1}}\n",
			[]string{"x.yaml:3:16: treatment.phases[0].doses.rezatapopt:", "finite dose >= 0 (mg per administration)", "got -1"}},
		{"null dose", "treatment:\n  phases:\n    - {doses: {rezatapopt: }}\n",
			[]string{"treatment.phases[0].doses.rezatapopt:", "missing value; expected a number"}},
		{"zero replicates", "replicates: 0\n",
			[]string{"x.yaml:1:1: replicates:", "from 1 to 10000000", "got 0"}},
		{"detection below founder", "founder: {cells: 1000}\ndetection: {size: 100}\n",
			[]string{"x.yaml:2:13: detection.size:", "below founder.cells (1000)", "at least founder.cells"}},
		{"founder above default detection", "founder: {cells: 1e10}\n",
			[]string{"x.yaml:1:11: founder.cells:", "detection size 1e+09 is below founder.cells"}},
		{"detection above the engine limit", "detection: {size: 1e16}\n",
			[]string{"detection.size:", "from 1 to 1e+15"}},
		{"lethal below detection", "stop: {lethal: 1e8}\n",
			[]string{"x.yaml:1:8: stop.lethal:", "must exceed the detection size 1e+09"}},
		{"birth not above death", "growth: {birth: 0.1, death: 0.2}\n",
			[]string{"growth.death:", "birth (0.1) must exceed death (0.2)"}},
		{"requires unknown", "mutation:\n  catalog:\n    - {name: I, class: passenger}\n    - {name: R, class: ta-loss, requires: [J]}\n",
			[]string{"mutation.catalog[1].requires[0]:", `unknown mutation "J"`}},
		{"requires itself", "mutation:\n  catalog:\n    - {name: R, class: ta-loss, requires: [R]}\n",
			[]string{"mutation.catalog[0].requires[0]:", `"R" requires itself`}},
		{"requires cycle", "mutation:\n  catalog:\n    - {name: A, class: passenger, requires: [B]}\n    - {name: B, class: ta-loss, requires: [A]}\n",
			[]string{"mutation.catalog:", "requires forms a cycle (A -> B -> A)"}},
		{"stop.at not positive", "stop: {at: 0}\n",
			[]string{"stop.at:", "positive"}},
		{"stop at detection with a treatment", "treatment:\n  phases:\n    - {doses: {rezatapopt: 2000}}\nstop: {at_detection: true}\n",
			[]string{"x.yaml:4:8: stop.at_detection:", "treatment.phases would never run", "treatment: {phases: []}"}},
		{"stop at detection and at a day", "treatment: {phases: []}\nstop: {at_detection: true, at: 30}\n",
			[]string{"stop.at_detection:", "exclude each other"}},
		{"nan birth", "growth: {birth: .nan}\n",
			[]string{"growth.birth:", "positive finite number", "NaN"}},
		{"infinite horizon", "stop: {horizon: .inf}\n",
			[]string{"stop.horizon:", "positive finite number (days)"}},
		{"too many trajectory points", "record: {grid: 0.001}\nstop: {horizon: 100000}\n",
			[]string{"record.grid:", "trajectory points", "at most 1000000"}},
		{"interval too short", "observe: {scan_every: 0.0001}\n",
			[]string{"observe.scan_every:", "at least 0.001"}},
		{"min_step above step", "engine: {step: 1, min_step: 2}\n",
			[]string{"engine.min_step:", "must not exceed step (1)"}},
		{"exact_below 0", "engine: {exact_below: 0}\n",
			[]string{"engine.exact_below:", "from 1 to"}},
		{"shards 0", "engine: {shards: 0}\n",
			[]string{"engine.shards:", "from 1 to 1024"}},
		{"clone threshold 0", "record: {clone_threshold: 0}\n",
			[]string{"record.clone_threshold:", "from 1"}},
		{"unknown progression reference", "observe:\n  progression: lowest\n",
			[]string{"x.yaml:2:3: observe.progression:", `unknown progression reference "lowest"`, "allowed: nadir (RECIST 1.1), baseline"}},
		{"merge not a bool", "engine:\n  merge: maybe\n",
			[]string{"x.yaml:2:10: engine.merge:", "expected true or false"}},
		{"unknown combination", "combination: additve\n",
			[]string{"x.yaml:1:1: combination:", `unknown combination "additve"`, "allowed: additive, highest-single", `did you mean "additive"`}},
		{"new drug without target and emax", "drugs:\n  - {name: venetoclax, ec50: 100}\n",
			[]string{"x.yaml:2:3: drugs[0].target:", "missing", "allowed: y220c-pocket, off-axis", "drugs[0].emax:", "not one of the defaults"}},
		{"unknown target", "drugs:\n  - {name: rezatapopt, target: pocket}\n",
			[]string{"drugs[0].target:", `unknown target "pocket"`, "allowed: y220c-pocket, off-axis"}},
		{"duplicate drug", "drugs:\n  - {name: rezatapopt, ec50: 900}\n  - {name: rezatapopt, ec50: 800}\n",
			[]string{"x.yaml:3:6: drugs[1].name:", `duplicate drug "rezatapopt" (also drugs[0])`}},
		{"bad drug name", "drugs:\n  - {name: a.b, target: off-axis, emax: 0.1, ec50: 1}\n",
			[]string{"drugs[0].name:", "not a valid drug name", "letters, digits"}},
		{"hill out of range", "drugs:\n  - {name: nextgen, hill: 0}\n",
			[]string{"drugs[0].hill:", "(0, 20]"}},
		{"pocket fold below 1", "drugs:\n  - {name: rezatapopt, pocket_fold: 0.5}\n",
			[]string{"drugs[0].pocket_fold:", ">= 1"}},
		{"bad scenario name", "name: a b\n",
			[]string{"x.yaml:1:1: name:", "not a valid scenario name"}},
		{"syntax error", "growth: {birth: 1\n",
			[]string{"x.yaml:", "YAML syntax"}},
		{"duplicate key", "seed: 1\nseed: 2\n",
			[]string{"x.yaml:2:1:", "already defined"}},
		{"two documents", "seed: 1\n---\nseed: 2\n",
			[]string{"x.yaml:3:", "one YAML document"}},
		{"unknown alias", "seed: *s\n",
			[]string{"seed:", "unknown alias"}},
		{"invalid utf-8", "name: \xff\n",
			[]string{"x.yaml:1:7:", "not valid UTF-8"}},
		{"merge of a scalar", "growth: {<<: 1}\n",
			[]string{"growth:", "merge key"}},
		{"complex key", "growth: {[a]: 1}\n",
			[]string{"x.yaml:1:13:", "YAML syntax"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Load("x.yaml", []byte(c.src))
			if err == nil {
				t.Fatalf("accepted:\n%s\nas %+v", c.src, s)
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%s", w, msg)
				}
			}
			for _, e := range Errors(err) {
				if e.File != "x.yaml" {
					t.Errorf("error without file name: %q", e.Header())
				}
			}
		})
	}
}

// TestSeveralErrors: all problems come back at once, in file order, each
// with its position.
func TestSeveralErrors(t *testing.T) {
	src := "growth: {birht: 1}\nalleles: {copies: 1.5, dominance: 2}\ntreatment:\n  phases:\n    - {interval: -1, doses: {rezatapop: 1}}\n"
	_, err := Load("x.yaml", []byte(src))
	errs := Errors(err)
	want := []string{"growth.birht", "alleles.copies", "alleles.dominance", "treatment.phases[0].interval", "treatment.phases[0].doses.rezatapop"}
	if len(errs) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(want), err)
	}
	for i, e := range errs {
		if e.Path != want[i] || e.Line == 0 || e.Col == 0 || e.Excerpt == "" {
			t.Errorf("error %d: %+v, want path %s with a position and excerpt", i, e, want[i])
		}
	}
	var one *Error
	if !errors.As(err, &one) {
		t.Error("errors.As(*Error) fails")
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{File: "f.yaml", Line: 3, Col: 7, Path: "growth.birth", Msg: "must be positive"}
	if got := e.Error(); got != "f.yaml:3:7: growth.birth: must be positive" {
		t.Errorf("got %q", got)
	}
	e = &Error{File: "f.yaml", Msg: "bad"}
	if got := e.Error(); got != "f.yaml: bad" {
		t.Errorf("got %q", got)
	}
	_, err := Load("f.yaml", []byte("seed: 1\ngrowth:\n  birth: x\n"))
	want := "f.yaml:3:10: growth.birth: expected a number, got string \"x\"\n  2 | growth:\n> 3 |   birth: x\n    |          ^"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

// TestDefaults: an empty scenario is the default model and engine settings,
// untreated.
func TestDefaults(t *testing.T) {
	for _, src := range []string{"", "# nothing\n", "growth:\nstop: ~\n"} {
		s, err := Load("empty.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := Resolve(s)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(cfg.Model, model.Default()) {
			t.Errorf("model\n%+v\nwant\n%+v", cfg.Model, model.Default())
		}
		want := simDefaults
		want.Engine.Shards = 1
		want.Seed = 1
		if cfg.Therapy != nil {
			t.Error("empty scenario is treated")
		}
		cfg.Model, want.Model = model.Model{}, model.Model{}
		if !reflect.DeepEqual(cfg, want) {
			t.Errorf("config\n%+v\nwant\n%+v", cfg, want)
		}
		f, _ := Fill(s)
		if f.Name != "empty" || *f.Replicates != 200 || s.ReplicateCount() != 200 {
			t.Errorf("name %q replicates %d", f.Name, *f.Replicates)
		}
	}
}

func TestLoadFeatures(t *testing.T) {
	src := `
name: features
founder: {cells: 1e3}          # a whole number written as a float
detection: {size: 1e6}
mutation:
  rate: 1e-8
  extra:
    - {name: "c.743G>A", class: passenger, sites: 2, birth_delta: -0.001}
    - {name: V157F, class: pocket, ec50_fold: {nextgen: 50}}
drugs:
  - {name: rezatapopt, ec50: 900}
  - &ven {name: venetoclax, target: off-axis, emax: 0.05, ec50: 100}
  - {<<: *ven, name: venetoclax2, hill: 2}
treatment:
  phases:
    - &on {doses: &full {rezatapopt: 2000}, until: {after: 84}}
    - {doses: {venetoclax: 100}, until: {after: 84}}
    - {<<: *on, name: again, until: never}
`
	s, err := Load("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Resolve(s)
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.Model
	if cfg.Founder != 1000 || cfg.Detect != 1e6 || m.MutationRate != 1e-8 {
		t.Errorf("founder %d detect %g rate %g", cfg.Founder, cfg.Detect, m.MutationRate)
	}
	if len(m.Catalog) != len(model.DefaultCatalog())+2 || m.Catalog[len(m.Catalog)-2].Name != "c.743G>A" || m.Catalog[len(m.Catalog)-2].BirthDelta != -0.001 {
		t.Errorf("catalog tail %+v", m.Catalog[len(m.Catalog)-2:])
	}
	if m.Catalog[len(m.Catalog)-1].EC50Fold["nextgen"] != 50 {
		t.Errorf("ec50_fold lost")
	}
	names := []string{}
	for _, d := range m.Drugs {
		names = append(names, d.Name)
	}
	if !reflect.DeepEqual(names, []string{"rezatapopt", "nextgen", "offaxis", "venetoclax", "venetoclax2"}) {
		t.Errorf("drugs %v", names)
	}
	rez := model.Rezatapopt()
	rez.EC50 = 900
	if m.Drugs[0] != rez {
		t.Errorf("rezatapopt %+v, want %+v", m.Drugs[0], rez)
	}
	if d := m.Drugs[4]; d.Hill != 2 || d.Emax != 0.05 || d.Target != model.OffAxis {
		t.Errorf("merged drug %+v", d)
	}
	if m.Drugs[3].Hill != 1 {
		t.Errorf("default hill %v", m.Drugs[3].Hill)
	}
	th := cfg.Therapy()
	c := make([]float64, len(m.Drugs))
	for _, x := range []struct {
		t, next float64
		c       []float64
	}{
		{0, 84, []float64{2000, 0, 0, 0, 0}},
		{100, 168, []float64{0, 0, 0, 100, 0}},
		{200, inf, []float64{2000, 0, 0, 0, 0}},
	} {
		next := th.Conc(x.t, c)
		if next != x.next || !reflect.DeepEqual(c, x.c) {
			t.Errorf("Conc(%g) = %v until %g, want %v until %g", x.t, c, next, x.c, x.next)
		}
	}
	if ph := th.(*sim.Policy).Phases; len(ph) != 3 || ph[2].Name != "again" || ph[2].End.Kind != sim.EndNever || ph[0].Name != "phase 0" {
		t.Errorf("phases %+v", ph)
	}
	var _ sim.Therapy = th
}

func TestEmptyCatalog(t *testing.T) {
	s, err := Load("k.yaml", []byte("mutation: {rate: 0, catalog: []}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := Resolve(s)
	if len(cfg.Model.Catalog) != 0 {
		t.Errorf("catalog has %d entries", len(cfg.Model.Catalog))
	}
}

var inf = math.Inf(1)

func TestInputLimits(t *testing.T) {
	for _, c := range []struct {
		src  string
		want string
	}{
		{"seed: " + strings.Repeat("[", 100) + strings.Repeat("]", 100), "x.yaml:1:71: [ and { nest more than 64 deep"},
		{"# " + strings.Repeat("x", 1<<20), "a scenario file may have at most 1048576"},
		{"drugs: [" + strings.Repeat("{name: a}, ", 100) + "]", "and more problems (at most 50 are shown)"},
	} {
		_, err := Load("x.yaml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want %q, got %.300v", c.want, err)
		}
	}
}

// Item 4 of the engine-exactness issue: a mutation pathway in one line, an
// untreated decline from a founder already at the detection size, and a
// fixed-time stop that progression does not end.
func TestPathwaysDeclineAndFixedStop(t *testing.T) {
	src := `replicates: 20
founder: {cells: 100000}
detection: {size: 100000}
growth: {birth: 0.5, death: 0.6}
mutation:
  rate: 1e-3
  catalog:
    - {name: I, class: passenger}
    - {name: R, class: ta-loss, requires: [I]}
treatment: {phases: [{doses: {}}]}
drugs: []
stop: {at: 30, lethal: 1e12}
record: {clone_threshold: 1}
`
	s, err := Load("chain.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Resolve(s)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.StopAt != 30 {
		t.Fatalf("StopAt = %v, want 30", cfg.StopAt)
	}
	if r := cfg.Model.Catalog[1].Requires; len(r) != 1 || r[0] != 0 {
		t.Fatalf("R requires %v, want [0] (I)", r)
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	rp := sim.NewReplicator(&cfg)
	defer rp.Close()
	var res sim.Result
	sawR := false
	for rep := 0; rep < 20; rep++ {
		if err := rp.Run(rep, &res); err != nil {
			t.Fatal(err)
		}
		if res.EndTime != 30 {
			t.Errorf("rep %d ended at day %v, want 30", rep, res.EndTime)
		}
		for _, c := range res.Clones {
			if c.Mutation == "R" {
				sawR = true
				if !strings.Contains(c.Genotype, "I") {
					t.Errorf("rep %d: clone %d carries R without I (genotype %q)", rep, c.ID, c.Genotype)
				}
			}
		}
	}
	if !sawR {
		t.Error("no R clone arose through I in 20 replicates; the test has no power")
	}
}

// stop.at_detection ends every replicate at detection: the fluctuation
// test's scenario (theory-luria) stops with the tumour at its detection
// size, no treatment time and no scan, and the same scenario without it
// goes on growing past detection.
func TestStopAtDetection(t *testing.T) {
	s, err := Open("theory-luria")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Resolve(s)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.StopAtDetection {
		t.Fatal("theory-luria does not stop at detection")
	}
	rp := sim.NewReplicator(&cfg)
	defer rp.Close()
	var res sim.Result
	for rep := range 20 {
		if err := rp.Run(rep, &res); err != nil {
			t.Fatal(err)
		}
		var total int64
		for _, n := range res.Final {
			total += n
		}
		if res.Final != res.AtStart || res.EndTime != 0 || total < 1e6 || float64(total) > 1e6*(1+sim.DetectTol) {
			t.Fatalf("rep %d: final %v, at start %v, end day %v: want the tumour at its detection size (1e6) at day 0", rep, res.Final, res.AtStart, res.EndTime)
		}
		for _, e := range res.Events {
			if e.Kind == "scan" || e.Kind == "progression" {
				t.Fatalf("rep %d: %s event at day %v after a stop at detection", rep, e.Kind, e.Time)
			}
		}
	}
	// the same lesion without the stop grows on after detection
	s.Stop.AtDetection = new(bool)
	cfg, err = Resolve(s)
	if err != nil {
		t.Fatal(err)
	}
	rp2 := sim.NewReplicator(&cfg)
	defer rp2.Close()
	if err := rp2.Run(0, &res); err != nil {
		t.Fatal(err)
	}
	if !(res.EndTime > 0) {
		t.Fatalf("without stop.at_detection the replicate ended at day %v", res.EndTime)
	}
	// virtual patients (the untreated arm) stop at diagnosis
	u, err := Open("untreated")
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	u.Stop.AtDetection = &yes
	cfg, err = Resolve(u)
	if err != nil {
		t.Fatal(err)
	}
	rp3 := sim.NewReplicator(&cfg)
	defer rp3.Close()
	for rep := range 3 {
		if err := rp3.Run(rep, &res); err != nil {
			t.Fatal(err)
		}
		if res.Patient == nil || res.Final != res.AtStart || res.EndTime != 0 || res.Final[0] == 0 {
			t.Fatalf("patient %d: final %v, at start %v, end day %v: want the patient at diagnosis", rep, res.Final, res.AtStart, res.EndTime)
		}
	}
}
