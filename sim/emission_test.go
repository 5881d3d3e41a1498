package sim

import (
	"math"
	"slices"
	"testing"

	"github.com/p53evo/p53evo/model"
)

// Without mutation the no-emission map is Kendall's law: P(N=0) = alpha,
// ratio beta, with alpha = d(E-1)/(bE-d), beta = b(E-1)/(bE-d), E = e^{(b-d)t}.
func TestMobiusIsKendallWithoutMutation(t *testing.T) {
	for _, c := range []struct{ b, d, h float64 }{{1, 0.5, 5}, {0.5, 1, 3}, {0.14, 0.13, 7}, {1, 1, 2}, {0.3, 0, 4}, {0, 0.7, 2}} {
		sr := newSegRates(c.b, c.d, 0)
		alpha, beta := sr.over(c.h).law()
		var wa, wb float64
		if c.b == c.d {
			wa = c.b * c.h / (1 + c.b*c.h)
			wb = wa
		} else {
			E := math.Exp((c.b - c.d) * c.h)
			wa = c.d * (E - 1) / (c.b*E - c.d)
			wb = c.b * (E - 1) / (c.b*E - c.d)
		}
		if math.Abs(alpha-wa) > 1e-12 || math.Abs(beta-wb) > 1e-12 {
			t.Errorf("b=%g d=%g t=%g: alpha, beta = %.15g, %.15g; want %.15g, %.15g", c.b, c.d, c.h, alpha, beta, wa, wb)
		}
		if z := sr.over(c.h).noEmit(); math.Abs(z-1) > 1e-14 {
			t.Errorf("b=%g d=%g: P(no emission) = %g without mutation", c.b, c.d, z)
		}
	}
}

// Over a long time a subcritical lineage sheds no mutant with the smaller
// root of lambda q^2 - (lambda+mu+nu) q + mu, and maps compose.
func TestMobiusLimitsAndComposition(t *testing.T) {
	lam, mu, nu := 0.999, 1.5, 1e-3
	sr := newSegRates(lam, mu, nu)
	S := lam + mu + nu
	q := (S - math.Sqrt(S*S-4*lam*mu)) / (2 * lam)
	if z := sr.over(200).noEmit(); math.Abs(z-q) > 1e-12 {
		t.Errorf("P(no mutant ever) = %.15g, want %.15g", z, q)
	}
	whole := sr.over(7)
	parts := sr.over(2.5).then(sr.over(4.5))
	for _, x := range []float64{0, 0.3, 1} {
		w := (whole.p*x + whole.q) / (whole.r*x + 1)
		p := (parts.p*x + parts.q) / (parts.r*x + 1)
		if math.Abs(w-p) > 1e-13 {
			t.Errorf("F(%g): one interval %.15g, two %.15g", x, w, p)
		}
	}
	// mean: d/dx F at 1 given... E[N; M=0] small-nu check against e^{(lam-mu) t}
	sr0 := newSegRates(1, 0.5, 1e-9)
	m := sr0.over(3)
	const eps = 1e-6
	f := func(x float64) float64 { return (m.p*x + m.q) / (m.r*x + 1) }
	mean := (f(1) - f(1-eps)) / eps
	if want := math.Exp(0.5 * 3); math.Abs(mean/want-1) > 1e-4 {
		t.Errorf("E[N] = %g, want %g", mean, want)
	}
}

// nextEmission and extinctAt invert the composed maps: the returned time
// reproduces the target, across exposure segments.
func TestEmissionInversions(t *testing.T) {
	m := model.Model{Birth: 1, Death: 0.5, MutationRate: 1e-3, Alleles: model.Alleles{Copies: 1, Dominance: 1},
		Catalog: []model.Mutation{{Name: "R", Class: model.TALoss, Sites: 1}},
		Drugs:   []model.Drug{{Name: "x", Target: model.OffAxis, Emax: 2, EC50: 1, Hill: 1}}}
	tm := NewTumor(&m, Options{ExactBelow: 16})
	tm.Reset(1, 1000, 0)
	e := Piecewise{Start: []float64{1.5, 4}, C: [][]float64{{1}, {0}}}
	// one step by hand: build the segments the way Advance does
	tm.stamp++
	tm.segT = append(tm.segT[:0], 0)
	tm.segConc = tm.segConc[:0]
	for s := 0.0; s < 7; {
		next := e.Conc(s, tm.conc)
		tm.segConc = append(tm.segConc, tm.conc...)
		s = min(next, 7)
		tm.segT = append(tm.segT, s)
	}
	for i := range tm.phenos {
		tm.fillDeath(&tm.phenos[i])
	}
	rc := &tm.rcs[tm.genos[0].rc]
	tm.prepare(rc)
	mapTo := func(a, b float64) mob { // F_[a,b] by brute composition
		g := mobIdentity
		for k := 0; k+1 < len(tm.segT); k++ {
			lo, hi := max(a, tm.segT[k]), min(b, tm.segT[k+1])
			if hi > lo {
				g = g.then(rc.seg[k].over(hi - lo))
			}
		}
		return g
	}
	for _, start := range []float64{0, 0.7, 2} {
		full := math.Log(mapTo(start, 7).noEmit())
		for _, frac := range []float64{0.01, 0.3, 0.6, 0.99} {
			target := frac * full
			tau, g := tm.nextEmission(rc, start, target)
			got := math.Log(mapTo(start, tau).noEmit())
			if math.Abs(got-target) > 1e-9*math.Abs(target) {
				t.Errorf("from %g, target %g: tau %g gives %g", start, target, tau, got)
			}
			if d := math.Log(g.noEmit()) - got; math.Abs(d) > 1e-9*math.Abs(target) {
				t.Errorf("returned map differs from the composition by %g", d)
			}
		}
		if tau, _ := tm.nextEmission(rc, start, 1.01*full); !math.IsInf(tau, 1) {
			t.Errorf("target beyond the step end: tau %g, want +Inf", tau)
		}
		end := mapTo(start, 7)
		for _, u := range []float64{0.01, 0.5, 0.99} {
			const n = 3
			te := tm.extinctAt(rc, n, start, end, u)
			z := mapTo(start, te)
			got := float64(n) * math.Log(z.zero()/end.zero())
			if math.Abs(got-math.Log(u)) > 1e-8 {
				t.Errorf("extinction from %g, u %g: T %g gives log-CDF %g", start, u, te, got)
			}
		}
	}
}

// Kendall's law to the end of a step of many segments (the one-hour
// segments of a pharmacokinetic profile) is read from suffix maps; it must
// agree with the closed-form sum over the segments for every start inside
// the step, segment boundaries included, for growing, near-critical and
// strongly killed rate classes, and the segment lookup (a binary search
// past 8 segments) must find the segment holding each start.
func TestKendallToEndAgreesWithSegmentSum(t *testing.T) {
	m := model.Default()
	tm := NewTumor(&m, Options{ExactBelow: 1, RecordAt: 1 << 40, Merge: true})
	tm.Reset(1, 1e6, 0)
	// the founder's children: every resistance class's rate class
	for j := range tm.genos[0].sh.cum {
		tm.childShape(tm.genos[0].sh, int32(j))
	}
	// 168 one-hour segments over a week: concentrations rising and falling
	// through rezatapopt's EC50 (900 mg-eq) once a day
	var ex Piecewise
	for i := range 168 {
		h := float64(i) / 24
		c := 2400 * math.Pow(math.Sin(math.Pi*float64(i%24)/24), 2)
		ex.Start = append(ex.Start, h)
		ex.C = append(ex.C, []float64{c, 0, 0})
	}
	tm.Advance(7, ex)
	if n := len(tm.segT) - 1; n != 168 {
		t.Fatalf("the step has %d segments, want 168", n)
	}
	if len(tm.rcs) < 3 {
		t.Fatalf("%d rate classes, want the founder's and its children's", len(tm.rcs))
	}
	for k := range tm.segT {
		if got, want := tm.segIndex(tm.segT[k]), min(k, len(tm.segT)-2); got != want {
			t.Fatalf("segIndex(segT[%d]) = %d, want %d", k, got, want)
		}
	}
	worst := 0.0
	for i := range tm.rcs {
		rc := &tm.rcs[i]
		for j := 0; j <= 700; j++ {
			a := 7 * float64(j) / 700
			if j%100 == 3 {
				a = tm.segT[j/4] // exactly on a boundary
			}
			if k := tm.segIndex(a); !(tm.segT[k] <= a && (a < tm.segT[k+1] || k == len(tm.segT)-2)) {
				t.Fatalf("segIndex(%g) = %d: segment [%g, %g)", a, k, tm.segT[k], tm.segT[k+1])
			}
			fa, fb := tm.kendallToEnd(rc, a)
			sa, sb := tm.kendallSum(rc, a, 7)
			// compared on the survival probability and the ratio, where
			// draws read them (1 - alpha is what an alpha near 1 leaves)
			for _, d := range []float64{relDiff(1-fa, 1-sa), relDiff(fb, sb)} {
				worst = max(worst, d)
			}
			if relDiff(1-fa, 1-sa) > 1e-9 || relDiff(fb, sb) > 1e-9 {
				t.Fatalf("rate class %d (death %g..%g), from %g: maps give alpha %.15g beta %.15g, the sum %.15g %.15g",
					i, slices.Min(tm.phenos[rc.pheno].death), slices.Max(tm.phenos[rc.pheno].death), a, fa, fb, sa, sb)
			}
		}
	}
	t.Logf("largest relative difference: %.2g", worst)
}

func relDiff(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / max(math.Abs(a), math.Abs(b))
}
