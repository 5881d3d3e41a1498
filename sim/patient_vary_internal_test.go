package sim

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/model"
)

// varyReplicator is a worker for patients pc with the default model, for
// drawing patients without growing them.
func varyReplicator(t *testing.T, pc PatientConfig, seed uint64) *Replicator {
	t.Helper()
	cfg := Config{Model: model.Default(), Seed: seed, Patient: &pc}
	cfg.Engine.Merge = true
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return &Replicator{cfg: &cfg}
}

// draws returns the patient's draws of rep.
func drawOf(rp *Replicator, rep int) (PatientResult, []float64, []float64) {
	var pr PatientResult
	sizes, _, lkill := rp.drawPatient(rep, &pr)
	return pr, slices.Clone(sizes), slices.Clone(lkill)
}

func ksStat(x []float64, cdf func(float64) float64) float64 {
	slices.Sort(x)
	n := float64(len(x))
	d := 0.0
	for i, v := range x {
		f := cdf(v)
		d = max(d, math.Abs(f-float64(i)/n), math.Abs(float64(i+1)/n-f))
	}
	return d
}

// Vary draws follow their laws (KS over 4000 patients, and over their
// lesions for a per-lesion entry), come after every existing draw (the
// patient's other draws are bit-identical with and without vary), differ
// between lesions of one patient, and reach the lesion's model.
func TestVaryDraws(t *testing.T) {
	pc := DefaultPatient()
	pc.Lesions = LogNormal10(3, 0.3).Truncate(1, 6)
	base := varyReplicator(t, pc, 3)
	ec50 := LogNormalCV(250, 0.5).Truncate(20, 5000)
	birth := Dist{Kind: DistBeta, Alpha: 2, Beta: 3, Lo: 0.12, Hi: 0.2}
	pc.Vary = []VaryParam{
		{Path: "drugs[rezatapopt].ec50", Field: VaryDrugEC50, Index: 0, Law: ec50},
		{Path: "growth.birth", Field: VaryBirth, Law: birth, PerLesion: true},
	}
	rp := varyReplicator(t, pc, 3)
	const n = 4000
	var xs, bs []float64
	differ, multi := 0, 0
	for rep := range n {
		p0, s0, k0 := drawOf(base, rep)
		p1, s1, k1 := drawOf(rp, rep)
		if p0.GrowthMult != p1.GrowthMult || p0.KillMult != p1.KillMult || p0.ShedFactor != p1.ShedFactor || !slices.Equal(s0, s1) || !slices.Equal(k0, k1) {
			t.Fatalf("patient %d: vary changed the existing draws", rep)
		}
		if len(p0.Draws) != 0 {
			t.Fatal("draws recorded without vary")
		}
		if len(p1.Draws) != 1+len(s1) {
			t.Fatalf("patient %d: %d draws for %d lesions", rep, len(p1.Draws), len(s1))
		}
		d := p1.Draws[0]
		if d.Lesion != -1 || d.Param != "drugs[rezatapopt].ec50" {
			t.Fatalf("first draw %+v", d)
		}
		xs = append(xs, d.Value)
		for li, ld := range p1.Draws[1:] {
			if ld.Lesion != li || ld.Param != "growth.birth" {
				t.Fatalf("lesion draw %d: %+v", li, ld)
			}
			bs = append(bs, ld.Value)
			m := rp.lesionBase(&p1, li)
			if m.Birth != ld.Value || m.Drugs[0].EC50 != d.Value || m.Death != rp.cfg.Model.Death {
				t.Fatalf("lesion %d model: birth %v ec50 %v, drew %v and %v", li, m.Birth, m.Drugs[0].EC50, ld.Value, d.Value)
			}
		}
		if len(s1) > 1 {
			multi++
			if p1.Draws[1].Value != p1.Draws[2].Value {
				differ++
			}
		}
	}
	if rp.cfg.Model.Drugs[0].EC50 == xs[len(xs)-1] {
		t.Fatal("the scenario's model was changed")
	}
	if D := ksStat(xs, ec50.CDF); D > 1.95/math.Sqrt(float64(len(xs))) {
		t.Errorf("per-patient ec50: KS D = %.4f", D)
	}
	if D := ksStat(bs, birth.CDF); D > 1.95/math.Sqrt(float64(len(bs))) {
		t.Errorf("per-lesion birth (%d draws): KS D = %.4f", len(bs), D)
	}
	if multi < 100 || differ != multi {
		t.Errorf("per-lesion draws equal in %d of %d patients with several lesions", multi-differ, multi)
	}
}

// The Gaussian copula: over 5000 patients the correlation of the normal
// scores of growth and kill (and of kill and a vary entry; 0 for the pair left unnamed) matches rho
// within 4 standard errors, (1 - rho^2)/sqrt(n); rho 0 gives the draws
// without correlation bit for bit; the marginals keep their laws.
func TestCopula(t *testing.T) {
	pc := DefaultPatient()
	pc.Lesions = Fixed(1)
	ec50 := LogNormalCV(250, 0.5).Truncate(20, 5000)
	pc.Vary = []VaryParam{{Path: "drugs[rezatapopt].ec50", Field: VaryDrugEC50, Law: ec50}}
	base := varyReplicator(t, pc, 9)
	zero := pc
	zero.Correlations = []Correlation{{A: "growth", B: "kill", Rho: 0}}
	rz := varyReplicator(t, zero, 9)
	cor := pc
	cor.Correlations = []Correlation{{A: "growth", B: "kill", Rho: -0.3}, {A: "kill", B: "drugs[rezatapopt].ec50", Rho: 0.5}}
	rc := varyReplicator(t, cor, 9)
	const n = 5000
	score := func(d Dist, x float64) float64 { return normalScore(d.CDF(x)) }
	var g, k, e, ks []float64
	for rep := range n {
		p0, _, _ := drawOf(base, rep)
		pz, _, _ := drawOf(rz, rep)
		if p0.GrowthMult != pz.GrowthMult || p0.KillMult != pz.KillMult || p0.Draws[0] != pz.Draws[0] {
			t.Fatalf("patient %d: rho 0 changed the draws", rep)
		}
		pc1, _, _ := drawOf(rc, rep)
		if pc1.GrowthMult != p0.GrowthMult {
			t.Fatalf("patient %d: the first copula variable moved", rep)
		}
		g = append(g, score(pc.Growth, pc1.GrowthMult))
		k = append(k, score(pc.Kill, pc1.KillMult))
		e = append(e, score(ec50, pc1.Draws[0].Value))
		ks = append(ks, pc1.KillMult)
	}
	for _, c := range []struct {
		name string
		a, b []float64
		rho  float64
	}{{"growth-kill", g, k, -0.3}, {"kill-ec50", k, e, 0.5}, {"growth-ec50", g, e, 0}} {
		r := pearson(c.a, c.b)
		se := (1 - c.rho*c.rho) / math.Sqrt(n)
		if math.Abs(r-c.rho) > 4*se {
			t.Errorf("%s: correlation of normal scores %.4f, want %.2f +- %.4f", c.name, r, c.rho, 4*se)
		}
	}
	if D := ksStat(ks, pc.Kill.CDF); D > 1.95/math.Sqrt(n) {
		t.Errorf("correlated kill: KS D = %.4f", D)
	}
}

func pearson(a, b []float64) float64 {
	n := float64(len(a))
	var sa, sb, saa, sbb, sab float64
	for i := range a {
		sa += a[i]
		sb += b[i]
		saa += a[i] * a[i]
		sbb += b[i] * b[i]
		sab += a[i] * b[i]
	}
	return (sab/n - sa/n*sb/n) / math.Sqrt((saa/n-sa*sa/n/n)*(sbb/n-sb*sb/n/n))
}

// The engine refuses bad vary entries and correlations, naming them.
func TestVaryValidate(t *testing.T) {
	ok := VaryParam{Path: "growth.birth", Field: VaryBirth, Law: Fixed(0.14)}
	cases := []struct {
		vary []VaryParam
		cor  []Correlation
		want string
	}{
		{[]VaryParam{{Path: "mutation.rate", Field: VaryMutationRate, Law: Fixed(1e-9), PerLesion: true}}, nil, "per lesion"},
		{[]VaryParam{{Path: "drugs[x].ec50", Field: VaryDrugEC50, Law: Dist{Kind: DistNormal, Mean: 1, SD: 1}}}, nil, "must lie in (0, +Inf)"},
		{[]VaryParam{{Path: "drugs[x].ec50", Field: VaryDrugEC50, Index: 7, Law: Fixed(1)}}, nil, "drug index 7"},
		{[]VaryParam{ok, ok}, nil, "given twice"},
		{[]VaryParam{ok}, []Correlation{{A: "growth", B: "nope", Rho: 0.1}}, `"nope"`},
		{[]VaryParam{ok}, []Correlation{{A: "growth", B: "kill", Rho: 1}}, "(-1, 1)"},
		{[]VaryParam{ok}, []Correlation{{A: "growth", B: "kill", Rho: 0.9}, {A: "growth", B: "growth.birth", Rho: 0.9}, {A: "kill", B: "growth.birth", Rho: -0.9}}, "not positive definite"},
	}
	for _, c := range cases {
		pc := DefaultPatient()
		pc.Vary, pc.Correlations = c.vary, c.cor
		cfg := Config{Model: model.Default(), Seed: 1, Patient: &pc}
		cfg.Defaults()
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v %+v: error %v, want %q", c.vary, c.cor, err, c.want)
		}
	}
}
