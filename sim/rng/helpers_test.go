package rng

import (
	"math"
	"slices"
	"sort"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// Shared statistical checks. Every check is a hypothesis test against a known
// law with a fixed seed, so a run is repeatable; thresholds are |z| < 4 for
// moments and p >= 1e-4 for chi-square and Kolmogorov-Smirnov, which keeps the
// family-wise false-alarm rate of the whole file near 1% while a wrong
// sampler (bias of a fraction of a standard error per bin) fails.

const (
	zLimit   = 4.0
	pvalMin  = 1e-4
	nSamples = 200_000
)

// checkMoments z-tests the sample mean and the sample variance of xs against
// the law's mean, variance and excess kurtosis, using
//
//	Var(mean) = sigma^2/N,  Var(s^2) ~ sigma^4 (2/(N-1) + kurt/N).
//
// The data are centred on the true mean first so that huge means (1e12) lose
// no precision.
func checkMoments(t *testing.T, xs []float64, mean, variance, exKurt float64) {
	t.Helper()
	n := float64(len(xs))
	var s1, s2 float64
	for _, x := range xs {
		d := x - mean
		s1 += d
		s2 += d * d
	}
	m := s1 / n
	s2 = (s2 - n*m*m) / (n - 1)
	zMean := m / math.Sqrt(variance/n)
	zVar := (s2 - variance) / (variance * math.Sqrt(2/(n-1)+exKurt/n))
	if math.Abs(zMean) > zLimit || math.Abs(zVar) > zLimit || math.IsNaN(zMean+zVar) {
		t.Errorf("moments: mean %.10g (want %.10g, z=%.2f), var %.10g (want %.10g, z=%.2f)",
			mean+m, mean, zMean, s2, variance, zVar)
	}
}

// discreteLaw describes a reference distribution on the integers for the
// chi-square test: the window [lo, hi] holds all but a negligible mass and
// cdf(k) = P(X <= k) is valid at least at the candidate edges of [lo, hi]
// (see candidateEdges).
type discreteLaw struct {
	lo, hi int64
	cdf    func(k int64) float64
}

// candidateEdges returns the candidate upper bin edges for a window: every
// integer of [lo, hi) for windows up to 20000 wide, otherwise 4000 evenly
// spaced integers.
func candidateEdges(lo, hi int64) []int64 {
	var cand []int64
	if hi-lo <= 20_000 {
		for k := lo; k < hi; k++ {
			cand = append(cand, k)
		}
		return cand
	}
	const m = 4000
	for i := 0; i < m; i++ {
		cand = append(cand, lo+int64(float64(hi-lo)*float64(i)/m))
	}
	return slices.Compact(cand)
}

// lawFromPMF builds a discreteLaw by summing pmf over [lo, hi] (the mass below
// lo is taken as 0, so lo must be the bottom of the support or far in the left
// tail; the mass above hi is absorbed by the last bin). The cdf is stored at
// the candidate edges only.
func lawFromPMF(lo, hi int64, pmf func(k int64) float64) discreteLaw {
	return lawFromCumulative(lo, hi, func(yield func(float64)) {
		for k := lo; k <= hi; k++ {
			yield(pmf(k))
		}
	})
}

// lawFromRatios builds a discreteLaw from the ratios ratio(k) = P(k+1)/P(k),
// starting from an arbitrary value at lo and normalising the sum over the
// window to 1. It needs no absolute probability, so it avoids the
// cancellation of lgamma-based pmfs at huge parameters; the window must hold
// all but a negligible mass.
func lawFromRatios(lo, hi int64, ratio func(k int64) float64) discreteLaw {
	var total float64
	v := 1.0
	for k := lo; k <= hi; k++ {
		total += v
		v *= ratio(k)
	}
	return lawFromCumulative(lo, hi, func(yield func(float64)) {
		v := 1 / total
		for k := lo; k <= hi; k++ {
			yield(v)
			v *= ratio(k)
		}
	})
}

// lawFromCumulative stores the running sum of the masses produced by seq (in
// order of k = lo..hi) at the candidate edges.
func lawFromCumulative(lo, hi int64, seq func(yield func(float64))) discreteLaw {
	edges := candidateEdges(lo, hi)
	cum := make([]float64, len(edges))
	k, i := lo, 0
	var c float64
	seq(func(m float64) {
		c += m
		if i < len(edges) && edges[i] == k {
			cum[i] = c
			i++
		}
		k++
	})
	return discreteLaw{lo: lo, hi: hi, cdf: func(k int64) float64 {
		j, ok := slices.BinarySearch(edges, k)
		if !ok {
			panic("cdf asked off the candidate edges")
		}
		return cum[j]
	}}
}

// window returns [mean - w sd, mean + w sd + extra] clipped to [supLo, supHi].
func window(mean, sd, w float64, supLo, supHi int64) (int64, int64) {
	lo := int64(math.Floor(mean - w*sd))
	hi := int64(math.Ceil(mean + w*sd + 30))
	return max(lo, supLo), min(hi, supHi)
}

// checkChiSquare runs Pearson's chi-square goodness-of-fit test of the sample
// against law. Candidate bin edges are every integer of the window (or 4000
// evenly spaced ones for wide windows); consecutive candidates are merged
// until a bin expects at least max(5, N/2000) observations, the first bin
// takes everything below its edge and the last everything above. The p-value
// is the upper tail of the chi-square law with (bins - 1) degrees of freedom.
func checkChiSquare(t *testing.T, xs []int64, law discreteLaw) {
	t.Helper()
	n := float64(len(xs))
	minExp := max(5, n/2000)
	cand := candidateEdges(law.lo, law.hi)
	// upper[i] is the inclusive upper edge of bin i; expected[i] its mass.
	var upper []int64
	var expected []float64
	prev := 0.0
	for _, e := range cand {
		c := law.cdf(e)
		if (c-prev)*n >= minExp {
			upper = append(upper, e)
			expected = append(expected, c-prev)
			prev = c
		}
	}
	// Last bin: everything above the last edge.
	last := 1 - prev
	if last*n < minExp && len(expected) > 0 {
		expected[len(expected)-1] += last
		upper = upper[:len(upper)-1]
	} else {
		expected = append(expected, last)
	}
	if len(expected) < 2 {
		t.Fatalf("chi-square: only %d bins", len(expected))
	}
	obs := make([]float64, len(expected))
	for _, x := range xs {
		obs[sort.Search(len(upper), func(i int) bool { return upper[i] >= x })]++
	}
	var stat float64
	for i, p := range expected {
		e := p * n
		stat += (obs[i] - e) * (obs[i] - e) / e
	}
	df := float64(len(expected) - 1)
	pval := distuv.ChiSquared{K: df}.Survival(stat)
	if pval < pvalMin || math.IsNaN(pval) {
		t.Errorf("chi-square: stat %.1f on %v df, p = %.3g", stat, df, pval)
	}
}

// checkKS runs the one-sample Kolmogorov-Smirnov test of xs against cdf,
// with the asymptotic Kolmogorov p-value and Stephens' (1970) small-sample
// correction lambda = (sqrt(N) + 0.12 + 0.11/sqrt(N)) D.
func checkKS(t *testing.T, xs []float64, cdf func(float64) float64) {
	t.Helper()
	ys := slices.Clone(xs)
	slices.Sort(ys)
	n := float64(len(ys))
	var d float64
	for i, y := range ys {
		f := cdf(y)
		d = max(d, float64(i+1)/n-f, f-float64(i)/n)
	}
	sn := math.Sqrt(n)
	pval := kolmogorovQ((sn + 0.12 + 0.11/sn) * d)
	if pval < pvalMin || math.IsNaN(pval) {
		t.Errorf("Kolmogorov-Smirnov: D = %.5g (N = %v), p = %.3g", d, n, pval)
	}
}

// kolmogorovQ is the Kolmogorov survival function
// Q(lambda) = 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2).
func kolmogorovQ(lambda float64) float64 {
	if lambda < 0.2 {
		return 1
	}
	var q, sign float64 = 0, 1
	for j := 1.0; j <= 100; j++ {
		term := sign * math.Exp(-2*j*j*lambda*lambda)
		q += term
		if math.Abs(term) < 1e-17 {
			break
		}
		sign = -sign
	}
	return min(1, max(0, 2*q))
}

func toFloats(xs []int64) []float64 {
	f := make([]float64, len(xs))
	for i, x := range xs {
		f[i] = float64(x)
	}
	return f
}

// logNegBinPMF is the reference negative binomial log-pmf from lgamma:
// log Gamma(x+k) - log Gamma(k) - log x! + k log p + x log(1-p).
func logNegBinPMF(x, k int64, p float64) float64 {
	a, _ := math.Lgamma(float64(x + k))
	b, _ := math.Lgamma(float64(k))
	c, _ := math.Lgamma(float64(x + 1))
	return a - b - c + float64(k)*math.Log(p) + float64(x)*math.Log1p(-p)
}
