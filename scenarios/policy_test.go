package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// position is the 1-based line and column of the first occurrence of mark in
// src.
func position(t *testing.T, src, mark string) (int, int) {
	t.Helper()
	i := strings.Index(src, mark)
	if i < 0 {
		t.Fatalf("marker %q not in source", mark)
	}
	line := 1 + strings.Count(src[:i], "\n")
	return line, i - strings.LastIndexByte(src[:i], '\n')
}

// phases wraps flow-style phase entries in a treatment block.
func phases(entries ...string) string {
	return "treatment:\n  phases:\n    - " + strings.Join(entries, "\n    - ") + "\n"
}

// TestPolicyErrors: every field of the treatment policy, the drugs' PK and
// the liquid biopsy is checked, each refusal naming the position (the
// marker's first character), the path and what is allowed.
func TestPolicyErrors(t *testing.T) {
	type tc struct {
		name, src string
		mark      string // where the error points ("" for no check)
		path      string
		want      []string
	}
	cases := []tc{
		// treatment
		{"unknown exposure", "treatment: {exposure: pkk}\n", "exposure", "treatment.exposure",
			[]string{`unknown exposure "pkk"`, "allowed: pk (the drug's one-compartment oral model) or steady-state", `did you mean "pk"`}},
		{"exposure not a string", "treatment: {exposure: 1}\n", "1}", "treatment.exposure",
			[]string{"expected a string, got 1"}},
		{"zero segment", "treatment: {segment: 0}\n", "segment", "treatment.segment",
			[]string{"must be a positive finite number (days), got 0"}},
		{"too many segments", "treatment:\n  exposure: pk\n  segment: 0.001\n  phases: [{doses: {}}]\nstop: {horizon: 36500}\n", "segment", "treatment.segment",
			[]string{"stop.horizon / treatment.segment = 36500000 segments under exposure pk", "at most 10000000"}},
		{"retired start key", phases("{start: 0, doses: {rezatapopt: 2000}}"), "start", "treatment.phases[0].start",
			[]string{`unknown key "start"`, "allowed here: name, doses, interval, cycle, until, next", "no longer start on fixed days", "until: {after: DAYS}"}},
		{"end instead of until", phases("{doses: {rezatapopt: 2000}, end: progression}"), "end", "treatment.phases[0].end",
			[]string{`unknown key "end"`, "written until: never, progression, {after: DAYS}"}},
		// names
		{"phase name starting with a digit", phases(`{name: "1st", doses: {}}`), "name", "treatment.phases[0].name",
			[]string{`"1st" is not a valid phase name`, "starting with a letter", "at most 64"}},
		{"phase named stop", phases("{name: stop, doses: {}}"), "name", "treatment.phases[0].name",
			[]string{`"stop" is reserved`, "next: stop ends treatment"}},
		{"duplicate phase names", phases("{name: a, until: {after: 1}}", "{name: a}"), "name: a}", "treatment.phases[1].name",
			[]string{`duplicate phase name "a" (also treatment.phases[0])`, "next may refer to them"}},
		{"name colliding with a default name", phases(`{name: "phase 1", until: {after: 1}}`, "{doses: {}}"), "- {doses: {}}", "treatment.phases[1].name",
			[]string{`duplicate phase name "phase 1" (also treatment.phases[0])`}},
		// doses, interval, cycle
		{"dose is text", phases("{doses: {rezatapopt: high}}"), "high", "treatment.phases[0].doses.rezatapopt",
			[]string{`expected a number, got string "high"`}},
		{"doses is a list", phases("{doses: [rezatapopt]}"), "[rezatapopt]", "treatment.phases[0].doses",
			[]string{"expected a mapping of names to numbers, got a list"}},
		{"zero interval", phases("{doses: {rezatapopt: 2000}, interval: 0}"), "interval", "treatment.phases[0].interval",
			[]string{"must be a positive finite number (days between administrations), got 0"}},
		{"too many administrations", "treatment: {exposure: pk, phases: [{doses: {rezatapopt: 2000}, interval: 0.001}]}\n", "interval", "treatment.phases[0].interval",
			[]string{"stop.horizon / interval = 1826250 administrations under exposure pk", "at most 1000000"}},
		{"cycle without off", phases("{doses: {rezatapopt: 2000}, cycle: {on: 21}}"), "cycle", "treatment.phases[0].cycle.off",
			[]string{"missing; a cycle needs on (days of dosing, > 0) and off (days of pause, >= 0; 0 is continuous)"}},
		{"cycle on 0", phases("{doses: {rezatapopt: 2000}, cycle: {on: 0, off: 7}}"), "on: 0", "treatment.phases[0].cycle.on",
			[]string{"must be a positive finite number (days of dosing), got 0"}},
		{"cycle off negative", phases("{doses: {rezatapopt: 2000}, cycle: {on: 21, off: -7}}"), "off: -7", "treatment.phases[0].cycle.off",
			[]string{"must not be negative (days of pause; 0 is continuous), got -7"}},
		{"cycle unknown key", phases("{doses: {rezatapopt: 2000}, cycle: {onn: 21, off: 7}}"), "onn", "treatment.phases[0].cycle.onn",
			[]string{`unknown key "onn"`, "allowed here: on, off", `did you mean "on"`}},
		{"cycle as a number", phases("{doses: {rezatapopt: 2000}, cycle: 28}"), "28}", "treatment.phases[0].cycle",
			[]string{"expected a mapping with keys on, off, got 28"}},
		// until
		{"misspelt end word", phases("{doses: {rezatapopt: 2000}, until: progresion}"), "progresion", "treatment.phases[0].until",
			[]string{`unknown end rule "progresion"`, "allowed: never, progression, {after: DAYS}, {ctdna: {class: ta-loss|pocket, vaf: VAF}}, {burden_below: FRACTION}, {burden_above: FRACTION}", `did you mean "progression"`}},
		{"end key without value", phases("{doses: {rezatapopt: 2000}, until: after}"), "after}", "treatment.phases[0].until",
			[]string{"after needs a value, written as a mapping", "{after: DAYS}"}},
		{"end rule as a number", phases("{doses: {rezatapopt: 2000}, until: 30}"), "30}", "treatment.phases[0].until",
			[]string{"expected an end rule, got 30", "allowed: never, progression, {after: DAYS}"}},
		{"end rule as a list", phases("{doses: {rezatapopt: 2000}, until: [progression]}"), "[progression]", "treatment.phases[0].until",
			[]string{"expected an end rule, got a list"}},
		{"end word as a key", phases("{doses: {rezatapopt: 2000}, until: {progression: true}}"), "progression: true", "treatment.phases[0].until.progression",
			[]string{`unknown key "progression"`, "allowed here: after, ctdna, burden_below, burden_above", "written as a word: until: progression"}},
		{"hyphenated end key", phases("{doses: {rezatapopt: 2000}, until: {burden-below: 0.5}}"), "burden-below", "treatment.phases[0].until.burden-below",
			[]string{`unknown key "burden-below"`, `did you mean "burden_below"`}},
		{"empty end rule", phases("{doses: {rezatapopt: 2000}, until: {}}"), "until", "treatment.phases[0].until",
			[]string{"empty end rule; allowed: never, progression"}},
		{"two end rules", phases("{doses: {rezatapopt: 2000}, until: {after: 30, burden_below: 0.5}}"), "until", "treatment.phases[0].until",
			[]string{"one end rule per phase, got after and burden_below", "chain phases with next"}},
		{"after 0", phases("{doses: {rezatapopt: 2000}, until: {after: 0}}"), "after", "treatment.phases[0].until.after",
			[]string{"must be a positive finite number (days after the phase began), got 0"}},
		{"after beyond any horizon", phases("{doses: {rezatapopt: 2000}, until: {after: 1e6}}"), "after", "treatment.phases[0].until.after",
			[]string{"must be at most 100000 days, got 1e+06"}},
		{"ctdna class passenger", phases("{doses: {rezatapopt: 2000}, until: {ctdna: {class: passenger, vaf: 0.01}}}"), "class", "treatment.phases[0].until.ctdna.class",
			[]string{`unknown class "passenger"`, "allowed: ta-loss, pocket"}},
		{"ctdna class misspelt", phases("{doses: {rezatapopt: 2000}, until: {ctdna: {class: pockt, vaf: 0.01}}}"), "class", "treatment.phases[0].until.ctdna.class",
			[]string{`unknown class "pockt"`, `did you mean "pocket"`}},
		{"ctdna without class", phases("{doses: {rezatapopt: 2000}, until: {ctdna: {vaf: 0.01}}}"), "ctdna", "treatment.phases[0].until.ctdna.class",
			[]string{"missing; the class of mutation to watch; allowed: ta-loss, pocket"}},
		{"ctdna without vaf", phases("{doses: {rezatapopt: 2000}, until: {ctdna: {class: pocket}}}"), "ctdna", "treatment.phases[0].until.ctdna.vaf",
			[]string{"missing; the observed variant allele fraction that ends the phase, in (0, 1]"}},
		{"ctdna vaf 0", phases("{doses: {rezatapopt: 2000}, until: {ctdna: {class: pocket, vaf: 0}}}"), "vaf", "treatment.phases[0].until.ctdna.vaf",
			[]string{"must be in (0, 1] (an observed variant allele fraction), got 0"}},
		{"ctdna vaf above 1", phases("{doses: {rezatapopt: 2000}, until: {ctdna: {class: ta-loss, vaf: 1.5}}}"), "vaf", "treatment.phases[0].until.ctdna.vaf",
			[]string{"must be in (0, 1]", "got 1.5"}},
		{"ctdna unknown key", phases("{doses: {rezatapopt: 2000}, until: {ctdna: {class: pocket, af: 0.1}}}"), "af:", "treatment.phases[0].until.ctdna.af",
			[]string{`unknown key "af"`, "allowed here: class, vaf"}},
		{"ctdna end without draws", phases("{doses: {rezatapopt: 2000}, until: {ctdna: {class: pocket, vaf: 0.01}}}") + "observe: {ctdna: {every: off}}\n", "ctdna", "treatment.phases[0].until.ctdna",
			[]string{"the phase ends at a ctDNA call, but blood draws are off (observe.ctdna.every)"}},
		{"burden_below 0", phases("{doses: {rezatapopt: 2000}, until: {burden_below: 0}}"), "burden_below", "treatment.phases[0].until.burden_below",
			[]string{"must be a positive finite number (a fraction of the baseline burden, checked at scans), got 0"}},
		{"burden_above infinite", phases("{doses: {}, until: {burden_above: .inf}}"), "burden_above", "treatment.phases[0].until.burden_above",
			[]string{"must be a positive finite number (a fraction of the baseline burden", "+Inf"}},
		{"burden_above negative", phases("{doses: {}, until: {burden_above: -1}}"), "burden_above", "treatment.phases[0].until.burden_above",
			[]string{"got -1"}},
		// next
		{"next index out of range", phases("{name: a, until: progression, next: 2}", "{name: b}"), "next", "treatment.phases[0].next",
			[]string{"there is no phase 2; allowed: stop (end treatment), a phase index (indices 0 to 1) or a phase name (a, b)"}},
		{"next unknown name", phases("{name: treat, until: progression, next: pauze}", "{name: pause}"), "next", "treatment.phases[0].next",
			[]string{`unknown phase "pauze"`, "allowed: stop (end treatment), a phase index (indices 0 to 1) or a phase name (treat, pause)", `did you mean "pause"`}},
		{"next misspelt stop", phases("{name: a, until: progression, next: stpo}"), "next", "treatment.phases[0].next",
			[]string{`unknown phase "stpo"`, `did you mean "stop"`}},
		{"next negative", phases("{until: progression, next: -1}"), "-1", "treatment.phases[0].next",
			[]string{"expected a phase index, a phase name, or stop, got -1"}},
		{"next fractional", phases("{until: progression, next: 1.5}"), "1.5", "treatment.phases[0].next",
			[]string{"expected a phase index, a phase name, or stop, got 1.5"}},
		{"next a mapping", phases("{until: progression, next: {phase: 1}}"), "{phase", "treatment.phases[0].next",
			[]string{"expected a phase index, a phase name, or stop, got a mapping"}},
		// drugs' PK
		{"pk ka 0", "drugs:\n  - {name: rezatapopt, pk: {ka: 0}}\n", "ka", "drugs[0].pk.ka",
			[]string{"must be a positive finite number (absorption rate constant, per day), got 0"}},
		{"pk half-life negative", "drugs:\n  - {name: nextgen, pk: {half_life: -1}}\n", "half_life", "drugs[0].pk.half_life",
			[]string{"elimination half-life, days", "got -1"}},
		{"pk scale NaN", "drugs:\n  - {name: offaxis, pk: {scale: .nan}}\n", "scale", "drugs[0].pk.scale",
			[]string{"mg-eq per mg/day at steady state", "NaN"}},
		{"pk unknown key", "drugs:\n  - {name: rezatapopt, pk: {halflife: 1}}\n", "halflife", "drugs[0].pk.halflife",
			[]string{`unknown key "halflife"`, "allowed here: ka, half_life, scale", `did you mean "half_life"`}},
		{"too many drugs", "drugs:\n" + func() string {
			var b strings.Builder
			for i := range 6 {
				fmt.Fprintf(&b, "  - {name: d%d, target: off-axis, emax: 0.01, ec50: 1}\n", i)
			}
			return b.String()
		}(), "drugs", "drugs", []string{"9 drugs (the 3 defaults and 6 added); the engine takes at most 8"}},
		// imaging
		{"visible negative", "observe:\n  visible: -1\n", "visible", "observe.visible",
			[]string{"must not be negative (cells), got -1"}},
		{"visible at detection", "observe:\n  visible: 1e9\n", "visible", "observe.visible",
			[]string{"the smallest visible burden (1e+09 cells) must be below the detection size (1e+09): imaging must see the tumour at baseline"}},
		{"visible a word", "observe:\n  visible: small\n", "small", "observe.visible",
			[]string{"expected a number"}},
		// liquid biopsy
		{"every negative", "observe:\n  ctdna: {every: -28}\n", "every", "observe.ctdna.every",
			[]string{"must be a number of days >= 0.001 between blood draws, or off (or 0) for none, got -28"}},
		{"every a word", "observe:\n  ctdna: {every: monthly}\n", "monthly", "observe.ctdna.every",
			[]string{`expected a number of days, or off, got string "monthly"`}},
		{"every too short", "observe:\n  ctdna: {every: 0.0001}\n", "every", "observe.ctdna.every",
			[]string{"must be at least 0.001 (days between blood draws; off or 0 for none), got 0.0001"}},
		{"too many draws", "observe:\n  ctdna: {every: 0.001}\n", "every", "observe.ctdna.every",
			[]string{"stop.horizon / observe.ctdna.every = 1826250 blood draws; at most 1000000 allowed"}},
		{"depth 0", "observe:\n  ctdna: {depth: 0}\n", "depth", "observe.ctdna.depth",
			[]string{"must be a whole number from 1 to 1000000000 (sequencing depth, reads), got 0"}},
		{"depth fractional", "observe:\n  ctdna: {depth: 2000.5}\n", "2000.5", "observe.ctdna.depth",
			[]string{"expected a whole number, got 2000.5"}},
		{"min_alt 0", "observe:\n  ctdna: {min_alt: 0}\n", "min_alt", "observe.ctdna.min_alt",
			[]string{"must be a whole number from 1 to 1000000000 (alt reads needed for a call), got 0"}},
		{"min_alt above depth", "observe:\n  ctdna: {depth: 100, min_alt: 101}\n", "min_alt", "observe.ctdna.min_alt",
			[]string{"min_alt (101) exceeds depth (100): no mutation could ever be called"}},
		{"min_alt above default depth", "observe:\n  ctdna: {min_alt: 5000}\n", "min_alt", "observe.ctdna.min_alt",
			[]string{"min_alt (5000) exceeds depth (2000)"}},
		{"lod above 1", "observe:\n  ctdna: {lod: 1.5}\n", "lod", "observe.ctdna.lod",
			[]string{"must be in [0, 1] (limit of detection, an observed VAF), got 1.5"}},
		{"record_min_vaf negative", "observe:\n  ctdna: {record_min_vaf: -0.1}\n", "record_min_vaf", "observe.ctdna.record_min_vaf",
			[]string{"must be in [0, 1] (a true VAF), got -0.1"}},
		{"shed 0", "observe:\n  ctdna: {shed: 0}\n", "shed", "observe.ctdna.shed",
			[]string{"must be a positive finite number (genome equivalents shed per cell death), got 0"}},
		{"half-life negative", "observe:\n  ctdna: {half_life_min: -30}\n", "half_life_min", "observe.ctdna.half_life_min",
			[]string{"must be a positive finite number (minutes), got -30"}},
		{"normal_ge 0", "observe:\n  ctdna: {normal_ge: 0}\n", "normal_ge", "observe.ctdna.normal_ge",
			[]string{"must be a positive finite number (genome equivalents of normal cell-free DNA), got 0"}},
		{"ctdna unknown key", "observe:\n  ctdna: {evry: 28}\n", "evry", "observe.ctdna.evry",
			[]string{`unknown key "evry"`, "allowed here: every, depth, min_alt, lod, shed, half_life_min, normal_ge, record_min_vaf", `did you mean "every"`}},
		{"ctdna as a word", "observe:\n  ctdna: off\n", "off", "observe.ctdna",
			[]string{`expected a mapping with keys every, depth`, `got string "off"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Load("x.yaml", []byte(c.src))
			if err == nil {
				t.Fatalf("accepted:\n%s\nas %+v", c.src, s)
			}
			var found *Error
			for _, e := range Errors(err) {
				if e.Path == c.path {
					found = e
				}
				if e.File != "x.yaml" {
					t.Errorf("error without file name: %q", e.Header())
				}
			}
			if found == nil {
				t.Fatalf("no error at %s:\n%v", c.path, err)
			}
			if c.mark != "" {
				line, col := position(t, c.src, c.mark)
				if found.Line != line || found.Col != col {
					t.Errorf("error at %d:%d, want %d:%d (%q):\n%v", found.Line, found.Col, line, col, c.mark, found)
				}
			}
			for _, w := range c.want {
				if !strings.Contains(found.Msg, w) {
					t.Errorf("error lacks %q:\n%v", w, found)
				}
			}
			if found.Excerpt == "" {
				t.Errorf("no excerpt: %v", found)
			}
		})
	}
}

// TestPolicyForms: the forms an end rule, a phase reference and a draw
// interval may take, as resolved for the engine.
func TestPolicyForms(t *testing.T) {
	src := `
drugs:
  - {name: nextgen, pk: {half_life: 0.5}}
treatment:
  exposure: pk
  segment: 0.1
  phases:
    - {name: a, doses: {rezatapopt: 2000}, until: never}
    - {doses: {nextgen: 1000, rezatapopt: 0}, interval: 0.5, cycle: {on: 21, off: 7}, until: {after: 30}, next: "3"}
    - {name: c, until: {ctdna: {class: ta-loss, vaf: 1}}, next: c}
    - {name: d, doses: {offaxis: 500}, until: {burden_below: 0.25}, next: 1}
    - {name: e, until: {burden_above: 2}, next: stop}
    - {name: f, until: progression}
observe:
  ctdna: {every: 14, depth: 5000, min_alt: 3, lod: 0, shed: 2e-4, half_life_min: 45, normal_ge: 3e6, record_min_vaf: 0}
`
	s, err := Load("forms.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Policy(s)
	if err != nil {
		t.Fatal(err)
	}
	def := model.DefaultRezatapoptPK()
	ng := def
	ng.HalfLife = 0.5
	want := &sim.Policy{
		PK:         []*model.PK{&def, &ng, &def},
		SegmentLen: 0.1,
		Phases: []sim.PhaseSpec{
			{Name: "a", Doses: []float64{2000, 0, 0}, Interval: 1, End: sim.EndRule{Kind: sim.EndNever}, Next: 1, NextSet: true},
			{Name: "phase 1", Doses: []float64{0, 1000, 0}, Interval: 0.5, On: 21, Off: 7, End: sim.EndRule{Kind: sim.EndAfter, Days: 30}, Next: 3, NextSet: true},
			{Name: "c", Doses: []float64{0, 0, 0}, Interval: 1, End: sim.EndRule{Kind: sim.EndCTDNA, Class: model.ClassTALoss, VAF: 1}, Next: 2, NextSet: true},
			{Name: "d", Doses: []float64{0, 0, 500}, Interval: 1, End: sim.EndRule{Kind: sim.EndBurdenBelow, Fraction: 0.25}, Next: 1, NextSet: true},
			{Name: "e", Doses: []float64{0, 0, 0}, Interval: 1, End: sim.EndRule{Kind: sim.EndBurdenAbove, Fraction: 2}, Next: -1, NextSet: true},
			{Name: "f", Doses: []float64{0, 0, 0}, Interval: 1, End: sim.EndRule{Kind: sim.EndProgression}, Next: -1, NextSet: true},
		},
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("policy\n%+v\nwant\n%+v", p, want)
	}
	if err := p.Validate(3); err != nil {
		t.Error(err)
	}
	cfg, err := Resolve(s)
	if err != nil {
		t.Fatal(err)
	}
	wantCT := sim.CTDNAConfig{Every: 14, Depth: 5000, MinAlt: 3, LOD: math.SmallestNonzeroFloat64, Shed: 2e-4, HalfLife: 45, NormalGE: 3e6, RecordMinVAF: math.SmallestNonzeroFloat64}
	if cfg.CTDNA != wantCT {
		t.Errorf("ctdna %+v, want %+v", cfg.CTDNA, wantCT)
	}
	again := cfg
	again.Defaults()
	if again.CTDNA != cfg.CTDNA {
		t.Errorf("the engine's defaults change the liquid biopsy: %+v", again.CTDNA)
	}
	th := cfg.Therapy()
	if _, ok := th.(*sim.Policy); !ok || th == sim.Therapy(p) {
		t.Errorf("therapy %T is not a fresh *sim.Policy", th)
	}
	if cfg.Therapy() == th {
		t.Error("the therapy factory returns the same policy twice")
	}

	// The filled form: defaults explicit, next left as written.
	f, err := Fill(s)
	if err != nil {
		t.Fatal(err)
	}
	ph := f.Treatment.Phases
	if ph[1].Name != "phase 1" || *ph[2].Interval != 1 || ph[0].Next != nil || *ph[1].Next != "3" || *ph[3].Next != "1" || ph[0].Until.Word != "never" {
		t.Errorf("filled phases %s", marshalValue(f))
	}
	if *f.Drugs[1].PK.HalfLife != 0.5 || *f.Drugs[1].PK.Ka != def.Ka || *f.Drugs[2].PK.Scale != 1 {
		t.Errorf("filled pk %s", marshalValue(f))
	}

	// Steady state: no PK, doses scaled by the drug's pk.scale.
	s2, err := Load("ss.yaml", []byte("drugs: [{name: rezatapopt, pk: {scale: 0.5}}]\n"+phases("{doses: {rezatapopt: 2000, nextgen: 100}}")))
	if err != nil {
		t.Fatal(err)
	}
	p2, err := Policy(s2)
	if err != nil {
		t.Fatal(err)
	}
	if p2.PK != nil || !reflect.DeepEqual(p2.Phases[0].Doses, []float64{1000, 100, 0}) || p2.SegmentLen != 1.0/24 || p2.Phases[0].End.Kind != sim.EndNever || p2.Phases[0].Next != -1 {
		t.Errorf("steady-state policy %+v", p2)
	}
	c := make([]float64, 3)
	if p2.Clone().Conc(0, c); c[0] != 1000 || c[1] != 100 {
		t.Errorf("steady-state concentrations %v, want [1000 100 0]", c)
	}

	// Blood draws off, written as off or 0.
	for _, w := range []string{"off", "0"} {
		s3, err := Load("off.yaml", []byte("observe: {ctdna: {every: "+w+"}}\n"))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := Resolve(s3)
		if err != nil {
			t.Fatal(err)
		}
		if !(cfg.CTDNA.Every < 0) {
			t.Errorf("every: %s resolves to Every %v; the engine draws blood unless it is negative", w, cfg.CTDNA.Every)
		}
		again := cfg
		again.Defaults()
		if again.CTDNA != cfg.CTDNA {
			t.Errorf("every: %s: the engine's defaults change the liquid biopsy", w)
		}
		out, _ := Marshal(s3)
		if !strings.Contains(string(out), "ctdna: {every: off, depth: 2000") {
			t.Errorf("every: %s prints as\n%s", w, out)
		}
	}

	// Untreated: no policy.
	if p, err := Policy(&Scenario{}); p != nil || err != nil {
		t.Errorf("untreated policy %+v %v", p, err)
	}
}

// TestPolicyPause: a policy may start with a pause, and a phase may give
// no drug at all.
func TestPolicyPause(t *testing.T) {
	s, err := Load("p.yaml", []byte(phases("{name: wait, until: {after: 14}}", "{name: go, doses: {rezatapopt: 2000}, until: progression}")))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Policy(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Phases) != 2 || !reflect.DeepEqual(p.Phases[0].Doses, []float64{0, 0, 0}) || p.Phases[0].Next != 1 {
		t.Errorf("policy %+v", p)
	}
	c := make([]float64, 3)
	th := p.Clone()
	if next := th.Conc(0, c); c[0] != 0 || next != 14 {
		t.Errorf("Conc(0) = %v until %v, want no drug until 14", c, next)
	}
	if th.Conc(14, c); c[0] != 2000 {
		t.Errorf("Conc(14) = %v, want rezatapopt 2000", c)
	}
}

// TestPolicyDefaults: the defaults of the new fields come from the engine
// and the model.
func TestPolicyDefaults(t *testing.T) {
	f, err := Fill(&Scenario{})
	if err != nil {
		t.Fatal(err)
	}
	if *f.Treatment.Exposure != "steady-state" || *f.Treatment.Segment != 1.0/24 {
		t.Errorf("treatment defaults %s", marshalValue(f))
	}
	ct := f.Observe.CTDNA
	sc := simDefaults.CTDNA
	got := sim.CTDNAConfig{Every: float64(*ct.Every), Depth: *ct.Depth, MinAlt: *ct.MinAlt, LOD: *ct.LOD, Shed: *ct.Shed, HalfLife: *ct.HalfLifeMin, NormalGE: *ct.NormalGE, RecordMinVAF: *ct.RecordMinVAF}
	if got != sc || sc.Every != 28 || sc.Depth != 2000 {
		t.Errorf("ctdna defaults %+v, engine %+v", got, sc)
	}
	pk := model.DefaultRezatapoptPK()
	for _, d := range f.Drugs {
		if *d.PK.Ka != pk.Ka || *d.PK.HalfLife != pk.HalfLife || *d.PK.Scale != pk.Scale {
			t.Errorf("%s pk %+v", d.Name, *d.PK)
		}
	}
}
