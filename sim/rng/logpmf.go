package rng

import "math"

// Saddle-point evaluation of Poisson and binomial log-probabilities after
// C. Loader (2000), "Fast and accurate computation of binomial
// probabilities". The textbook form log n! - log k! - log (n-k)! + ... sums
// terms of size n log n that cancel to O(log n); at n = 1e13 that leaves an
// absolute error near 1e-2. Loader's form writes the same quantity as a
// Stirling remainder (small) plus a deviance term computed without
// cancellation, which keeps full relative accuracy at any size.

const (
	halfLog2Pi = 0.91893853320467274178 // log(sqrt(2 pi))
	log2Pi     = 1.83787706640934548356 // log(2 pi)
)

// stirlTable[n] = stirlerr(n) for n = 0..15, computed at init from Lgamma
// (for these small n the direct formula has no harmful cancellation).
var stirlTable [16]float64

func init() {
	for n := 1; n < len(stirlTable); n++ {
		x := float64(n)
		lg, _ := math.Lgamma(x + 1)
		stirlTable[n] = lg - (x+0.5)*math.Log(x) + x - halfLog2Pi
	}
	// stirlerr(0) = lgamma(1) - (0+1/2)log 0 + 0 - ... is +Inf; never used.
	stirlTable[0] = math.Inf(1)
}

// stirlerr returns the remainder of Stirling's formula for integer n >= 1,
//
//	stirlerr(n) = log n! - [(n + 1/2) log n - n + log sqrt(2 pi)],
//
// from a table for n < 16 and from the asymptotic series
// 1/(12n) - 1/(360n^3) + 1/(1260n^5) - 1/(1680n^7) + 1/(1188n^9) above
// (truncation error below 1e-16 for n >= 16).
func stirlerr(n float64) float64 {
	if n < float64(len(stirlTable)) {
		return stirlTable[int(n)]
	}
	const (
		s0 = 1.0 / 12
		s1 = 1.0 / 360
		s2 = 1.0 / 1260
		s3 = 1.0 / 1680
		s4 = 1.0 / 1188
	)
	nn := n * n
	if n > 500 {
		return (s0 - s1/nn) / n
	}
	return (s0 - (s1-(s2-(s3-s4/nn)/nn)/nn)/nn) / n
}

// bd0 returns the deviance term x log(x/m) + m - x >= 0 for x >= 0, m > 0.
// When x is close to m the direct form cancels badly (at m = 1e13 it would
// keep no correct digit); there it is computed from the series in
// v = (x-m)/(x+m), which follows from log(x/m) = 2 atanh(v):
//
//	bd0 = (x-m) v + 2x (v^3/3 + v^5/5 + ... + v^13/13),  |v| < 1/20,
//
// whose truncation error is below 1e-16 relative. Elsewhere the direct form
// loses at most a factor ~100 to cancellation (relative error < 1e-13).
func bd0(x, m float64) float64 {
	d := x - m
	v := d / (x + m)
	if math.Abs(v) < 1.0/20 {
		v2 := v * v
		p := 1.0 / 13
		p = 1.0/11 + v2*p
		p = 1.0/9 + v2*p
		p = 1.0/7 + v2*p
		p = 1.0/5 + v2*p
		p = 1.0/3 + v2*p
		return d*v + 2*x*v*v2*p
	}
	if x == 0 {
		return m
	}
	return x*math.Log(x/m) + m - x
}

// logPoissonPMF returns log P(X = k) for X ~ Poisson(mu), k >= 0 an integer,
// mu > 0:
//
//	log p(k) = -stirlerr(k) - bd0(k, mu) - log sqrt(2 pi k),  k >= 1
//	log p(0) = -mu
func logPoissonPMF(k, mu float64) float64 {
	if k == 0 {
		return -mu
	}
	return -stirlerr(k) - bd0(k, mu) - 0.5*(log2Pi+math.Log(k))
}

// logBinomialPMF returns log P(X = k) for X ~ Binomial(n, p), 0 <= k <= n
// integers, 0 < p < 1, q = 1 - p:
//
//	log b(k) = stirlerr(n) - stirlerr(k) - stirlerr(n-k)
//	           - bd0(k, np) - bd0(n-k, nq) - (1/2) log(2 pi k (n-k)/n)
//
// with log b(0) = n log q and log b(n) = n log p.
func logBinomialPMF(k, n, p, q float64) float64 {
	if k == 0 {
		return n * math.Log1p(-p)
	}
	if k == n {
		return n * math.Log(p)
	}
	nk := n - k
	lc := stirlerr(n) - stirlerr(k) - stirlerr(nk) - bd0(k, n*p) - bd0(nk, n*q)
	return lc - 0.5*(log2Pi+math.Log(k)+math.Log1p(-k/n))
}

// smallMeanCap bounds the loops of the small-mean samplers (Poisson mu < 10,
// Binomial n p < 10): the mass beyond 127 is below 1e-60, so the cap is never
// reached in practice; it only guarantees termination.
const smallMeanCap = 127

// clampInt64 converts x to int64 rounding toward zero, saturating at 0 and
// math.MaxInt64 (NaN gives 0). Float-to-int conversion of out-of-range values
// is implementation-defined in Go, so every sampler that can overflow goes
// through here.
func clampInt64(x float64) int64 {
	if !(x > 0) {
		return 0
	}
	if x >= 0x1p63 {
		return math.MaxInt64
	}
	return int64(x)
}
