// Package theory holds exact results for the processes p53evo simulates and
// the statistical checks that compare the engine with them. The quick checks
// run in `go test`; the same checks with more replicates run from
// `p53evo validate`.
//
// Conventions: continuous time, rates per day,
// mutation at division with probability u per daughter pair, r = b - d,
// s = 1 - d/b.
package theory

import (
	"math"
)

// KendallAB returns alpha = P(N(t)=0) and beta, the ratio of the geometric
// law of a surviving lineage, for a linear birth-death process with birth
// rate b and death rate d started by one cell (Kendall 1948; Bailey 1964,
// ch. 8): with E = e^{(b-d)t}, alpha = d(E-1)/(bE-d), beta = b(E-1)/(bE-d);
// for b = d, alpha = beta = bt/(1+bt).
func KendallAB(b, d, t float64) (alpha, beta float64) {
	if b == d {
		x := b * t / (1 + b*t)
		return x, x
	}
	em1 := math.Expm1((b - d) * t)
	den := b*(em1+1) - d
	return d * em1 / den, b * em1 / den
}

// KendallPMF is P(N(t) = n) from one cell: alpha for n = 0, otherwise
// (1-alpha)(1-beta) beta^(n-1).
func KendallPMF(b, d, t float64, n int64) float64 {
	a, be := KendallAB(b, d, t)
	if n == 0 {
		return a
	}
	return (1 - a) * (1 - be) * math.Pow(be, float64(n-1))
}

// KendallMeanVar is E[N(t)] and Var[N(t)] from n0 cells: n0 E and
// n0 (b+d)/(b-d) E (E-1); in the critical case the variance is 2 n0 b t.
func KendallMeanVar(b, d, t float64, n0 int64) (mean, variance float64) {
	if b == d {
		return float64(n0), 2 * float64(n0) * b * t
	}
	e := math.Exp((b - d) * t)
	return float64(n0) * e, float64(n0) * (b + d) / (b - d) * e * (e - 1)
}

// ExtinctionProb is the chance that n0 cells' lineages all die out
// eventually: min(1, d/b)^n0.
func ExtinctionProb(b, d float64, n0 int64) float64 {
	if d >= b {
		return 1
	}
	return math.Exp(float64(n0) * math.Log(d/b))
}

// ExtinctionCDF is P(T_ext <= t) for one cell of a subcritical process
// (b < d): alpha(t).
func ExtinctionCDF(b, d, t float64) float64 {
	a, _ := KendallAB(b, d, t)
	return a
}

// ExtinctionMean is E[T_ext] for one cell when b < d: (1/b) ln(d/(d-b)).
func ExtinctionMean(b, d float64) float64 { return math.Log(d/(d-b)) / b }

// ExtinctionSD is the standard deviation of T_ext for one cell when b < d,
// by numerical integration of E[T^2] = 2 integral t (1 - F(t)) dt.
func ExtinctionSD(b, d float64) float64 {
	m := ExtinctionMean(b, d)
	// substitute t = x/(1-x) to integrate over [0, inf)
	const n = 200000
	sum := 0.0
	for i := 0; i < n; i++ {
		x := (float64(i) + 0.5) / n
		t := x / (1 - x)
		jac := 1 / ((1 - x) * (1 - x))
		sum += 2 * t * (1 - ExtinctionCDF(b, d, t)) * jac
	}
	m2 := sum / n
	return math.Sqrt(m2 - m*m)
}

// EulerGamma is the Euler-Mascheroni constant, the mean of a standard Gumbel.
const EulerGamma = 0.5772156649015329

// HittingTime gives the law of the time a supercritical process started by
// one cell needs to reach M cells, given that it survives:
// T ~ (ln(M s) + G)/r with G standard Gumbel (the limit W of N e^{-rt} is
// exponential with mean 1/s given survival). Returns mean and SD.
func HittingTime(b, d, m float64) (mean, sd float64) {
	r, s := b-d, 1-d/b
	return (math.Log(m*s) + EulerGamma) / r, math.Pi / (r * math.Sqrt(6))
}

// HittingTimeCDF is P(T <= t) for the law of HittingTime.
func HittingTimeCDF(b, d, m, t float64) float64 {
	r, s := b-d, 1-d/b
	return math.Exp(-math.Exp(-(r*t - math.Log(m*s))))
}

// ResistancePresent is the chance that resistant cells exist when the
// population first reaches M, for neutral resistance arising at rate nu per
// division (n sites x u): 1 - exp(-nu M (b/d) ln(b/(b-d))), or 1 - exp(-nu M)
// without death (Iwasa, Nowak & Michor 2006; Bozic et al. 2013).
func ResistancePresent(b, d, nu, m float64) float64 {
	if d == 0 {
		return -math.Expm1(-nu * m)
	}
	return -math.Expm1(-nu * m * (b / d) * math.Log(b/(b-d)))
}

// LeaCoulson returns p_0 .. p_k of the Luria-Delbrueck distribution without
// death for m expected mutations (Lea & Coulson 1949), by the recursion of
// Ma, Sandri & Sarkar (1992): p_0 = e^{-m},
// p_n = (m/n) sum_{i<n} p_i / (n - i + 1).
func LeaCoulson(m float64, k int) []float64 {
	p := make([]float64, k+1)
	p[0] = math.Exp(-m)
	for n := 1; n <= k; n++ {
		s := 0.0
		for i := 0; i < n; i++ {
			s += p[i] / float64(n-i+1)
		}
		p[n] = m / float64(n) * s
	}
	return p
}
