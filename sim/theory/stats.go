package theory

import (
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/stat/distuv"
)

// Row is one comparison of the engine with theory.
type Row struct {
	Check     string  // which check
	Quantity  string  // what is compared
	Theory    float64 // exact value (NaN for distribution tests)
	Simulated float64 // estimate (for distribution tests: the statistic)
	SE        float64 // standard error of the estimate under theory
	Z         float64 // (Simulated - Theory)/SE; NaN for distribution tests
	P         float64 // two-sided p-value
	N         int     // replicates
	Pass      bool
}

// Alpha is the two-sided level of every comparison: |z| > 3.5, as
// a Bonferroni-style bound for a few dozen comparisons (about 4.7e-4).
var Alpha = 2 * distuv.UnitNormal.Survival(3.5)

func zRow(check, q string, theory, sim, se float64, n int) Row {
	z := (sim - theory) / se
	p := 2 * distuv.UnitNormal.Survival(math.Abs(z))
	return Row{Check: check, Quantity: q, Theory: theory, Simulated: sim, SE: se, Z: z, P: p, N: n, Pass: p > Alpha}
}

// ProbRow compares a proportion with a probability by a binomial z-test.
func ProbRow(check, q string, p float64, hits, n int) Row {
	return zRow(check, q, p, float64(hits)/float64(n), math.Sqrt(p*(1-p)/float64(n)), n)
}

// MeanRow compares a sample mean with a known mean and variance.
func MeanRow(check, q string, mean, variance float64, x []float64) Row {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return zRow(check, q, mean, s/float64(len(x)), math.Sqrt(variance/float64(len(x))), len(x))
}

// VarRow compares a sample variance with a known variance, using the known
// fourth central moment mu4: Var(s^2) ~ (mu4 - sigma^4)/n.
func VarRow(check, q string, variance, mu4 float64, x []float64) Row {
	n := float64(len(x))
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= n
	ss := 0.0
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return zRow(check, q, variance, ss/(n-1), math.Sqrt((mu4-variance*variance)/n), len(x))
}

// ChiSquareRow is Pearson's test of counts against probabilities; bins
// with expected count below 5 are merged with their neighbours, and the
// last probability should be the tail so that they sum to one.
func ChiSquareRow(check, q string, probs []float64, counts []int) Row {
	n := 0
	for _, c := range counts {
		n += c
	}
	var exp []float64
	var obs []int
	e, o := 0.0, 0
	for i := range probs {
		e += probs[i] * float64(n)
		o += counts[i]
		if e >= 5 {
			exp, obs = append(exp, e), append(obs, o)
			e, o = 0, 0
		}
	}
	if e > 0 || o > 0 {
		if len(exp) == 0 {
			exp, obs = append(exp, e), append(obs, o)
		} else {
			exp[len(exp)-1] += e
			obs[len(obs)-1] += o
		}
	}
	chi := 0.0
	for i := range exp {
		d := float64(obs[i]) - exp[i]
		chi += d * d / exp[i]
	}
	df := float64(len(exp) - 1)
	p := 1.0
	if df > 0 {
		p = distuv.ChiSquared{K: df}.Survival(chi)
	}
	return Row{Check: check, Quantity: q + " (chi2, df " + strconv.Itoa(int(df)) + ")", Theory: math.NaN(), Simulated: chi, SE: math.NaN(), Z: math.NaN(), P: p, N: n, Pass: p > Alpha}
}

// KSRow is the one-sample Kolmogorov-Smirnov test of x against a continuous
// CDF, with the asymptotic p-value and Stephens' small-sample correction.
func KSRow(check, q string, cdf func(float64) float64, x []float64) Row {
	s := slices.Clone(x)
	slices.Sort(s)
	n := float64(len(s))
	d := 0.0
	for i, v := range s {
		f := cdf(v)
		d = max(d, f-float64(i)/n, float64(i+1)/n-f)
	}
	sq := math.Sqrt(n)
	lam := (sq + 0.12 + 0.11/sq) * d
	p := 0.0
	for k := 1; k <= 100; k++ {
		term := 2 * math.Exp(-2*float64(k*k)*lam*lam)
		if k%2 == 0 {
			term = -term
		}
		p += term
		if math.Abs(term) < 1e-12 {
			break
		}
	}
	p = min(max(p, 0), 1)
	if lam < 0.3 {
		p = 1
	}
	return Row{Check: check, Quantity: q + " (KS D)", Theory: math.NaN(), Simulated: d, SE: math.NaN(), Z: math.NaN(), P: p, N: len(x), Pass: p > Alpha}
}

// BoundRow checks that every value of x is below a bound (Theory holds the
// bound, Simulated the largest value; P and Z are not defined).
func BoundRow(check, q string, bound float64, x []float64) Row {
	m := math.Inf(-1)
	for _, v := range x {
		m = max(m, v)
	}
	return Row{Check: check, Quantity: q + " (bound)", Theory: bound, Simulated: m, SE: math.NaN(), Z: math.NaN(), P: math.NaN(), N: len(x), Pass: m < bound}
}

// TwoSampleRow is Pearson's chi-square test that two samples of counts x
// and y come from the same law: the counts are binned as 0, 1, 2-3, 4-7,
// ... (powers of two), adjacent bins are pooled until each expects at least
// 5 of either sample, and the statistic has bins-1 degrees of freedom.
func TwoSampleRow(check, q string, x, y []float64) Row {
	bin := func(v float64) int {
		if v < 1 {
			return 0
		}
		return 1 + int(math.Floor(math.Log2(v)))
	}
	var a, b []int
	for _, v := range x {
		k := bin(v)
		for len(a) <= k {
			a, b = append(a, 0), append(b, 0)
		}
		a[k]++
	}
	for _, v := range y {
		k := bin(v)
		for len(a) <= k {
			a, b = append(a, 0), append(b, 0)
		}
		b[k]++
	}
	nx, ny := float64(len(x)), float64(len(y))
	fx, fy := nx/(nx+ny), ny/(nx+ny)
	var pa, pb []int
	ca, cb := 0, 0
	for k := range a {
		ca += a[k]
		cb += b[k]
		if t := float64(ca + cb); t*fx >= 5 && t*fy >= 5 {
			pa, pb = append(pa, ca), append(pb, cb)
			ca, cb = 0, 0
		}
	}
	if ca+cb > 0 {
		if len(pa) == 0 {
			pa, pb = append(pa, ca), append(pb, cb)
		} else {
			pa[len(pa)-1] += ca
			pb[len(pb)-1] += cb
		}
	}
	chi := 0.0
	for k := range pa {
		t := float64(pa[k] + pb[k])
		ea, eb := t*fx, t*fy
		chi += (float64(pa[k])-ea)*(float64(pa[k])-ea)/ea + (float64(pb[k])-eb)*(float64(pb[k])-eb)/eb
	}
	df := float64(len(pa) - 1)
	p := 1.0
	if df > 0 {
		p = distuv.ChiSquared{K: df}.Survival(chi)
	}
	return Row{Check: check, Quantity: q + " (two-sample chi2, df " + strconv.Itoa(int(df)) + ")", Theory: math.NaN(), Simulated: chi, SE: math.NaN(), Z: math.NaN(), P: p, N: len(x) + len(y), Pass: p > Alpha}
}
