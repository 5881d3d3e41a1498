package rng

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// Distribution tests: each sampler, at small, medium and huge parameters,
// against gonum's stat/distuv (or an lgamma pmf where gonum has no law):
// moments by z-test, discrete laws by chi-square, continuous laws by
// Kolmogorov-Smirnov. Seeds are fixed; each case has its own stream.

const testSeed = 0x5eed_2024

func drawInts(seed uint64, n int, f func(s *Stream) int64) []int64 {
	s := New(testSeed, seed)
	xs := make([]int64, n)
	for i := range xs {
		xs[i] = f(&s)
	}
	return xs
}

func drawFloats(seed uint64, n int, f func(s *Stream) float64) []float64 {
	s := New(testSeed, seed)
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = f(&s)
	}
	return xs
}

func TestBinomial(t *testing.T) {
	t.Parallel()
	cases := []struct {
		n int64
		p float64
	}{
		{1, 0.5}, {20, 0.3}, {50, 0.1}, {10, 0.5}, {1e13, 1e-13}, // waiting times
		{21, 0.5}, {40, 0.25}, // BTRS right at the switch
		{1000, 0.02}, {1000, 0.5}, {1_000_000, 0.4}, // BTRS
		{100, 0.97}, {1_000_000, 0.97}, {1e9, 0.9}, // symmetry
		{1e12, 1e-3}, {1e12, 0.97}, {1e13, 1e-11}, {1e13, 0.5}, // huge
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("n=%g,p=%g", float64(c.n), c.p), func(t *testing.T) {
			t.Parallel()
			xs := drawInts(uint64(100+i), nSamples, func(s *Stream) int64 { return s.Binomial(c.n, c.p) })
			ref := distuv.Binomial{N: float64(c.n), P: c.p}
			checkMoments(t, toFloats(xs), ref.Mean(), ref.Variance(), ref.ExKurtosis())
			lo, hi := window(ref.Mean(), ref.StdDev(), 7, 0, c.n)
			if c.n <= 1e9 {
				checkChiSquare(t, xs, lawFromPMF(lo, hi, func(k int64) float64 { return ref.Prob(float64(k)) }))
				return
			}
			// gonum's lgamma-based pmf has an absolute log error of ~ulp(log n!)
			// (0.004 at n=1e12, 0.06 at 1e13), and its CDF returns values
			// outside [0,1] at n=1e12; use the exact ratio recursion
			// b(k+1)/b(k) = (n-k)/(k+1) p/(1-p) instead, normalised.
			r := c.p / (1 - c.p)
			checkChiSquare(t, xs, lawFromRatios(lo, hi, func(k int64) float64 {
				return float64(c.n-k) / float64(k+1) * r
			}))
		})
	}
}

func TestPoisson(t *testing.T) {
	t.Parallel()
	for i, mu := range []float64{0.01, 0.5, 3, 7, 9.999, 10, 12, 50, 1e4, 1e8, 1e12, 1e13} {
		t.Run(fmt.Sprintf("mu=%g", mu), func(t *testing.T) {
			t.Parallel()
			xs := drawInts(uint64(200+i), nSamples, func(s *Stream) int64 { return s.Poisson(mu) })
			ref := distuv.Poisson{Lambda: mu}
			checkMoments(t, toFloats(xs), mu, mu, ref.ExKurtosis())
			lo, hi := window(mu, math.Sqrt(mu), 7, 0, math.MaxInt64)
			var law discreteLaw
			if hi-lo < 1e6 {
				law = lawFromPMF(lo, hi, func(k int64) float64 { return ref.Prob(float64(k)) })
			} else {
				// gonum's Poisson CDF (regularised incomplete gamma with
				// Temme's expansion) agrees with a pmf sum to 1e-13 here.
				law = discreteLaw{lo: lo, hi: hi, cdf: func(k int64) float64 { return ref.CDF(float64(k)) }}
			}
			checkChiSquare(t, xs, law)
		})
	}
}

func TestGamma(t *testing.T) {
	t.Parallel()
	for i, shape := range []float64{0.01, 0.3, 0.999, 1, 1.5, 5, 100, 1e6, 1e13} {
		t.Run(fmt.Sprintf("shape=%g", shape), func(t *testing.T) {
			t.Parallel()
			xs := drawFloats(uint64(300+i), nSamples, func(s *Stream) float64 { return s.Gamma(shape) })
			ref := distuv.Gamma{Alpha: shape, Beta: 1}
			checkMoments(t, xs, shape, shape, ref.ExKurtosis())
			checkKS(t, xs, ref.CDF)
		})
	}
}

func TestExp(t *testing.T) {
	t.Parallel()
	xs := drawFloats(400, 4*nSamples, func(s *Stream) float64 { return s.Exp() })
	checkMoments(t, xs, 1, 1, 6)
	checkKS(t, xs, distuv.Exponential{Rate: 1}.CDF)
	// The tail beyond the ziggurat's r = 7.697 (mass e^-r = 4.5e-4) must be
	// hit at the right rate.
	checkTailCount(t, xs, zigExpR, math.Exp(-zigExpR))
}

func TestNormal(t *testing.T) {
	t.Parallel()
	xs := drawFloats(401, 4*nSamples, func(s *Stream) float64 { return s.Normal() })
	checkMoments(t, xs, 0, 1, 0)
	checkKS(t, xs, distuv.UnitNormal.CDF)
	abs := make([]float64, len(xs))
	for i, x := range xs {
		abs[i] = math.Abs(x)
	}
	checkTailCount(t, abs, zigNormR, math.Erfc(zigNormR/math.Sqrt2))
}

// checkTailCount z-tests the number of xs above r against N*p.
func checkTailCount(t *testing.T, xs []float64, r, p float64) {
	t.Helper()
	var c float64
	for _, x := range xs {
		if x > r {
			c++
		}
	}
	n := float64(len(xs))
	if z := (c - n*p) / math.Sqrt(n*p*(1-p)); math.Abs(z) > zLimit {
		t.Errorf("tail beyond %g: %v draws, want %.1f (z=%.2f)", r, c, n*p, z)
	}
}

func TestUniform(t *testing.T) {
	t.Parallel()
	u := distuv.Uniform{Min: 0, Max: 1}
	xs := drawFloats(500, nSamples, func(s *Stream) float64 { return s.Float64() })
	checkMoments(t, xs, 0.5, 1.0/12, -1.2)
	checkKS(t, xs, u.CDF)
	ys := drawFloats(501, nSamples, func(s *Stream) float64 {
		x := s.Open01()
		if x <= 0 || x >= 1 {
			t.Fatalf("Open01 = %v", x)
		}
		return x
	})
	checkMoments(t, ys, 0.5, 1.0/12, -1.2)
	checkKS(t, ys, u.CDF)
}

func TestGeometric(t *testing.T) {
	t.Parallel()
	for i, p := range []float64{0.999, 0.9, 0.5, 0.1, 1e-3, 1e-9} {
		t.Run(fmt.Sprintf("p=%g", p), func(t *testing.T) {
			t.Parallel()
			xs := drawInts(uint64(600+i), nSamples, func(s *Stream) int64 { return s.Geometric(p) })
			q := 1 - p
			checkMoments(t, toFloats(xs), q/p, q/(p*p), 6+p*p/q)
			// CDF in closed form: P(X <= k) = 1 - (1-p)^(k+1).
			logq := math.Log1p(-p)
			hi := int64(math.Ceil(40 / -logq)) // mass above: e^-40
			checkChiSquare(t, xs, discreteLaw{lo: 0, hi: hi, cdf: func(k int64) float64 {
				return -math.Expm1(float64(k+1) * logq)
			}})
		})
	}
}

func TestNegBin(t *testing.T) {
	t.Parallel()
	cases := []struct {
		k int64
		p float64
	}{
		{1, 0.1}, {1, 0.5}, {1, 0.9}, {3, 0.2}, {3, 0.7}, {4, 0.5}, // sum of geometrics
		{5, 0.5}, {50, 0.3}, {50, 0.88}, // mixture, small mean
		{1_000_000, 0.5}, {1_000_000, 0.88}, {1e9, 0.88},
		{1e10, 0.88}, {1e10, 0.999}, {1e10, 0.3},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("k=%g,p=%g", float64(c.k), c.p), func(t *testing.T) {
			t.Parallel()
			xs := drawInts(uint64(700+i), nSamples, func(s *Stream) int64 { return s.NegBin(c.k, c.p) })
			k, p := float64(c.k), c.p
			mean := k * (1 - p) / p
			variance := mean / p
			checkMoments(t, toFloats(xs), mean, variance, 6/k+p*p/(k*(1-p)))
			lo, hi := window(mean, math.Sqrt(variance), 8, 0, math.MaxInt64)
			hi += int64(10 * math.Sqrt(variance) / k) // skewed right tail for small k
			checkChiSquare(t, xs, lawFromPMF(lo, hi, func(x int64) float64 {
				return math.Exp(logNegBinPMF(x, c.k, c.p))
			}))
		})
	}
}

// TestSamplersAtSwitches checks that the regime switches (exponential sums <->
// PTRS, waiting times <-> BTRS, sums of geometrics <-> mixture) are not
// visible in the mean: E[X] must be smooth across each threshold.
func TestSamplersAtSwitches(t *testing.T) {
	t.Parallel()
	const n = 100_000
	check := func(name string, xs []float64, mean, variance float64) {
		t.Helper()
		var s float64
		for _, x := range xs {
			s += x - mean
		}
		if z := s / n / math.Sqrt(variance/n); math.Abs(z) > zLimit {
			t.Errorf("%s: mean off by z=%.2f", name, z)
		}
	}
	for i, mu := range []float64{math.Nextafter(poissonPTRS, 0), poissonPTRS} {
		xs := drawInts(uint64(800+i), n, func(s *Stream) int64 { return s.Poisson(mu) })
		check(fmt.Sprintf("Poisson(%v)", mu), toFloats(xs), mu, mu)
	}
	for i, nn := range []int64{19, 20} { // p=0.5: n p = 9.5, 10
		xs := drawInts(uint64(810+i), n, func(s *Stream) int64 { return s.Binomial(nn, 0.5) })
		check(fmt.Sprintf("Binomial(%d,0.5)", nn), toFloats(xs), float64(nn)/2, float64(nn)/4)
	}
	for i, k := range []int64{negBinSumMax, negBinSumMax + 1} {
		xs := drawInts(uint64(820+i), n, func(s *Stream) int64 { return s.NegBin(k, 0.25) })
		check(fmt.Sprintf("NegBin(%d,0.25)", k), toFloats(xs), float64(k)*3, float64(k)*12)
	}
}
