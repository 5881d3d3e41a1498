package scenarios

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/sim"
)

// varyHead is a small, quick trial: two lesions of 1e9 cells each.
const varyHead = `seed: 4
replicates: 4
drugs: [{name: rezatapopt, hill: 4}]
treatment: {phases: [{name: rez, doses: {rezatapopt: 2000}, until: progression}]}
observe: {ctdna: {every: off}}
stop: {horizon: 400}
engine: {merge: true}
patient:
  lesions: {dist: fixed, value: 2}
  burden: {dist: fixed, value: 2e9}
`

func loadVary(t *testing.T, src string) (sim.Config, error) {
	t.Helper()
	s, err := Load("vary.yaml", []byte(src))
	if err != nil {
		return sim.Config{}, err
	}
	return Resolve(s)
}

// patients runs cfg's replicates and digests each patient.
func patients(t *testing.T, cfg sim.Config, workers int) []string {
	t.Helper()
	var out []string
	err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: 4, Workers: workers}, sim.SinkFunc(func(r *sim.Result) error {
		s := fmt.Sprintf("%d %v %v %v %v %v|", r.Replicate, r.BestResponse, r.TTP, r.AtStart, r.Final, r.Patient.BestPct)
		for _, x := range r.Trajectory {
			s += fmt.Sprint(x.Total, " ")
		}
		out = append(out, s)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// A patient whose EC50 is drawn from a fixed law equals, patient by
// patient, the same scenario with that EC50 set; a spread law gives other
// patients.
func TestVaryFixedEqualsSet(t *testing.T) {
	vary, err := loadVary(t, varyHead+"  vary:\n    drugs[rezatapopt].ec50: {dist: fixed, value: 2500}\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(vary.Patient.Vary) != 1 || vary.Patient.Vary[0].Path != "drugs[rezatapopt].ec50" || vary.Patient.Vary[0].Field != sim.VaryDrugEC50 {
		t.Fatalf("resolved %+v", vary.Patient.Vary)
	}
	s, err := Load("set.yaml", []byte(varyHead))
	if err != nil {
		t.Fatal(err)
	}
	if err := Set(s, "drugs[rezatapopt].ec50", "2500"); err != nil {
		t.Fatal(err)
	}
	set, err := Resolve(s)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := loadVary(t, varyHead)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := patients(t, vary, 1), patients(t, set, 2), patients(t, plain, 1)
	if !slices.Equal(a, b) {
		t.Fatalf("vary fixed 2500 differs from --set 2500:\n%v\n%v", a, b)
	}
	if slices.Equal(a, c) {
		t.Fatal("EC50 2500 gave the same patients as the default EC50 (900)")
	}
	// by index too, and per lesion
	idx, err := loadVary(t, varyHead+"  vary:\n    drugs[0].ec50: {dist: lognormal, median: 900, cv: 0.3, min: 100, max: 5000, per: lesion}\n")
	if err != nil {
		t.Fatal(err)
	}
	if v := idx.Patient.Vary[0]; v.Path != "drugs[rezatapopt].ec50" || !v.PerLesion || v.Index != 0 {
		t.Fatalf("resolved %+v", v)
	}
}

// Bad vary entries and correlations are refused at their line, naming the
// field and what is allowed.
func TestVaryErrors(t *testing.T) {
	const at = "vary.yaml:12:"
	cases := []struct {
		name, src string
		want      []string
	}{
		{"unknown path", "    drugs[rezatapopt].ec5: {dist: fixed, value: 1}\n", []string{at, `unknown path "drugs[rezatapopt].ec5"`, "growth.birth"}},
		{"unknown drug", "    drugs[rezatapopot].ec50: {dist: fixed, value: 1}\n", []string{at, `no entry named "rezatapopot"`, `did you mean "rezatapopt"`}},
		{"seed", "    seed: {dist: fixed, value: 1}\n", []string{at, "seed is not a scalar parameter of the model"}},
		{"replicates", "    replicates: {dist: fixed, value: 1}\n", []string{at, "replicates is not a scalar parameter of the model"}},
		{"engine", "    engine.step: {dist: fixed, value: 1}\n", []string{at, "engine.step is not a scalar parameter of the model"}},
		{"section", "    growth: {dist: fixed, value: 1}\n", []string{at, "growth is a section or a list, not a scalar"}},
		{"drug entry", "    drugs[rezatapopt]: {dist: fixed, value: 1}\n", []string{at, "drugs[rezatapopt] is a section or a list, not a scalar"}},
		{"pk", "    drugs[rezatapopt].pk.half_life: {dist: fixed, value: 1}\n", []string{at, "drugs[rezatapopt].pk.half_life is not a scalar parameter of the model"}},
		{"ec50 fold", "    mutation.catalog[0].ec50_fold.rezatapopt: {dist: fixed, value: 1}\n", []string{at, "an entry of a mapping"}},
		{"sites", "    mutation.catalog[0].sites: {dist: fixed, value: 2}\n", []string{at, "distinct SNVs"}},
		{"dose", "    treatment.phases[0].doses.rezatapopt: {dist: fixed, value: 1000}\n", []string{at, "treatment.phases[0].doses.rezatapopt is not a scalar parameter of the model"}},
		{"copies", "    alleles.copies: {dist: fixed, value: 2}\n", []string{at, "whole number"}},
		{"negative ec50", "    drugs[rezatapopt].ec50: {dist: normal, mean: 300, sd: 100}\n", []string{at, `patient.vary["drugs[rezatapopt].ec50"]`, "-Inf", "truncate"}},
		{"zero birth", "    growth.birth: {dist: uniform, low: 0, high: 0.2}\n", []string{at, "can give 0", "growth.birth", "must be"}},
		{"emax too high", "    drugs[rezatapopt].emax: {dist: uniform, low: 0.1, high: 200}\n", []string{at, "can give 200", "drugs[rezatapopt].emax"}},
		{"per lesion rate", "    mutation.rate: {dist: fixed, value: 1e-9, per: lesion}\n", []string{"per", "per patient", "per: lesion is allowed for"}},
		{"per unknown", "    growth.birth: {dist: fixed, value: 0.14, per: lesions}\n", []string{`unknown "lesions"`, `did you mean "lesion"`}},
		{"beta shapes", "    alleles.dominance: {dist: beta, alpha: 0, beta: 2}\n", []string{at, "alpha"}},
		{"beta extra key", "    alleles.dominance: {dist: beta, alpha: 1, beta: 2, mean: 3}\n", []string{"mean", "not a parameter of the beta law"}},
		{"same twice", "    drugs[0].ec50: {dist: fixed, value: 1}\n    drugs[rezatapopt].ec50: {dist: fixed, value: 2}\n", []string{"the same parameter as"}},
		{"correlation name", "    growth.birth: {dist: fixed, value: 0.14}\n  correlation: [{between: [growth, growth.brith], rho: 0.2}]\n", []string{"vary.yaml:13:", "patient.correlation[0].between[1]", `unknown draw "growth.brith"`, `did you mean "growth.birth"`}},
		{"correlation per lesion", "    growth.birth: {dist: fixed, value: 0.14, per: lesion}\n  correlation: [{between: [growth.birth, kill], rho: 0.2}]\n", []string{"between[0]", "per lesion"}},
		{"correlation rho", "    growth.birth: {dist: fixed, value: 0.14}\n  correlation: [{between: [growth, kill], rho: 1}]\n", []string{"patient.correlation[0].rho", "(-1, 1)"}},
		{"correlation pair", "    growth.birth: {dist: fixed, value: 0.14}\n  correlation: [{between: [growth], rho: 0.1}]\n", []string{"patient.correlation[0].between", "two draws"}},
		{"not definite", "    growth.birth: {dist: fixed, value: 0.14}\n  correlation: [{between: [growth, kill], rho: 0.9}, {between: [growth, growth.birth], rho: 0.9}, {between: [kill, growth.birth], rho: -0.9}]\n", []string{"patient.correlation", "positive definite"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadVary(t, varyHead+"  vary:\n"+c.src)
			if err == nil {
				t.Fatalf("accepted:\n%s", c.src)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// A scenario with vary and correlation prints and reads back the same.
func TestVaryRoundTrip(t *testing.T) {
	src := varyHead + "  vary:\n    growth.birth: {dist: beta, alpha: 2, beta: 3, low: 0.135, high: 0.2, per: lesion}\n    drugs[rezatapopt].ec50: {dist: lognormal, median: 250, cv: 0.5, min: 20, max: 5000}\n  correlation: [{between: [kill, 'drugs[rezatapopt].ec50'], rho: 0.4}]\n"
	s, err := Load("vary.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	a, err := Resolve(s)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Load("again.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, err := Resolve(s2)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(a.Patient.Vary, a.Patient.Correlations) != fmt.Sprint(b.Patient.Vary, b.Patient.Correlations) {
		t.Fatalf("round trip changed vary:\n%+v\n%+v", a.Patient.Vary, b.Patient.Vary)
	}
	if len(a.Patient.Correlations) != 1 || a.Patient.Correlations[0].B != "drugs[rezatapopt].ec50" {
		t.Fatalf("correlations %+v", a.Patient.Correlations)
	}
}

// The README's patient.vary example resolves to what it says.
func TestVaryREADMEExample(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(b), "```yaml\npatient:\n  vary:\n")
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("README has no patient.vary example")
	}
	head, _, _ := strings.Cut(varyHead, "patient:\n")
	cfg, err := loadVary(t, head+"patient:\n  vary:\n"+block)
	if err != nil {
		t.Fatal(err)
	}
	pc := cfg.Patient
	if len(pc.Vary) != 3 || len(pc.Correlations) != 2 {
		t.Fatalf("vary %+v, correlations %+v", pc.Vary, pc.Correlations)
	}
	for _, v := range pc.Vary {
		if v.PerLesion != (v.Path == "growth.death") {
			t.Errorf("%s: per lesion %v", v.Path, v.PerLesion)
		}
	}
}
