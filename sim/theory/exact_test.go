package theory

import (
	"math"
	"testing"
)

// Reference numbers computed independently of this package (high-precision
// evaluation of the closed forms), pinned here.
func TestExactAgainstReferenceNumbers(t *testing.T) {
	near := func(name string, got, want, rel float64) {
		t.Helper()
		if math.Abs(got-want) > rel*math.Abs(want) {
			t.Errorf("%s = %.10g, want %.10g", name, got, want)
		}
	}
	a, _ := KendallAB(1, 0.5, 5)
	near("P(N=0) b=1 d=0.5 t=5", a, 0.47860046, 1e-7)
	m, v := KendallMeanVar(1, 0.5, 5, 1)
	near("E[N]", m, 12.182494, 1e-7)
	near("Var[N]", v, 408.691995, 1e-7)
	near("P(N=1)", KendallPMF(1, 0.5, 5, 1), 0.0223154209, 1e-8)
	near("P(N=10)", KendallPMF(1, 0.5, 5, 10), 0.0150533461, 1e-8)
	near("E[T_ext] b=0.5 d=1", ExtinctionMean(0.5, 1), 1.38629436, 1e-8)
	near("SD[T_ext] b=0.5 d=1", ExtinctionSD(0.5, 1), 1.65411974, 1e-6)
	near("eventual extinction n0=10", ExtinctionProb(0.14, 0.13, 10), 0.476599043, 1e-8)
	hm, hs := HittingTime(0.14, 0.13, 1e9)
	near("hitting mean", hm, 1866.14, 1e-5)
	near("hitting SD", hs, 128.25, 1e-4)
	near("resistance M=1e5", ResistancePresent(0.14, 0.13, 1e-7, 1e5), 0.0280205507, 1e-8)
	near("resistance M=1e7", ResistancePresent(0.14, 0.13, 1e-7, 1e7), 0.941694668, 1e-8)
	lc := LeaCoulson(1, 10)
	for i, w := range map[int]float64{0: 0.367879441, 1: 0.183939721, 2: 0.10729817, 5: 0.0343290277, 10: 0.0106822981} {
		near("Lea-Coulson p"+string(rune('0'+i%10)), lc[i], w, 1e-7)
	}
	// the pmf sums to one and its mean matches
	sum, mean := 0.0, 0.0
	for n := int64(0); n < 5000; n++ {
		p := KendallPMF(1, 0.5, 5, n)
		sum += p
		mean += float64(n) * p
	}
	near("pmf total", sum, 1, 1e-12)
	near("pmf mean", mean, 12.182494, 1e-7)
	// critical case is the limit of the general one
	ac, _ := KendallAB(0.3, 0.3, 2)
	ag, _ := KendallAB(0.3, 0.3+1e-9, 2)
	near("critical alpha", ac, ag, 1e-6)
}

// The compound-Poisson law of shed mutants has the mean of the linear
// ODE: E[X] = u bp n0 (e^{rp T} - e^{rm T})/(rp - rm).
func TestMutantCountPMFMean(t *testing.T) {
	const n0, rp, bp, u, bm, dm, T = 1e5, 0.5, 1.5, 1e-7, 1.4, 1.0, 7.0
	p := MutantCountPMF(n0, rp, bp, u, bm, dm, T, 1500)
	mean, total := 0.0, 0.0
	for k, v := range p {
		mean += float64(k) * v
		total += v
	}
	rm := bm - dm
	want := u * bp * n0 * (math.Exp(rp*T) - math.Exp(rm*T)) / (rp - rm)
	if math.Abs(total-1) > 1e-6 || math.Abs(mean-want) > 1e-4*want {
		t.Fatalf("total %.9f mean %.6f, want 1 and %.6f", total, mean, want)
	}
}

// The two-type generating function agrees with its own moments and, with
// no mutation, with nothing resistant; the decline formulas agree with
// their generating function.
func TestTwoTypeConsistency(t *testing.T) {
	tt := TwoType{N0: 1000, U: 1e-4, Pieces: []Piece{
		{Until: 4, Bs: 1, Ds: 0.5, Br: 1, Dr: 0.5},
		{Until: 10, Bs: 1, Ds: 3, Br: 1, Dr: 0.5},
	}}
	p := tt.PMF(8191, 8192)
	mean, variance := tt.Moments()
	var m1, m2, sum float64
	for k, v := range p {
		sum += v
		m1 += float64(k) * v
		m2 += float64(k) * float64(k) * v
	}
	if math.Abs(sum-1) > 1e-6 {
		t.Errorf("pmf sums to %g", sum)
	}
	if math.Abs(m1/mean-1) > 1e-4 || math.Abs((m2-m1*m1)/variance-1) > 1e-3 {
		t.Errorf("pmf mean %g var %g; moment equations %g, %g", m1, m2-m1*m1, mean, variance)
	}
	if z := real(tt.PGF(0)); math.Abs(z-p[0]) > 1e-9 {
		t.Errorf("P(R=0): PGF %g, pmf %g", z, p[0])
	}
	d := Decline{N0: 1000, B: 1, D: 1.5, U: 1e-3, Br: 1, Dr: 0.5}
	q := d.MutantPMF(200, 1024)
	dm, dv := d.Mutants()
	m1, m2, sum = 0, 0, 0
	for k, v := range q {
		sum += v
		m1 += float64(k) * v
		m2 += float64(k) * float64(k) * v
	}
	if math.Abs(sum-1) > 1e-9 || math.Abs(m1/dm-1) > 1e-9 || math.Abs((m2-m1*m1)/dv-1) > 1e-8 {
		t.Errorf("decline pmf: sum %g mean %g var %g; closed forms %g, %g", sum, m1, m2-m1*m1, dm, dv)
	}
	if math.Abs(q[0]-d.NoMutant()) > 1e-12 {
		t.Errorf("P(M=0): pmf %g, closed form %g", q[0], d.NoMutant())
	}
}
