package rng

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/stat/distuv"
)

// Tests of the building blocks: ziggurat tables, tails, log-pmfs.

// TestZigguratClosure checks that the layer tables describe a ziggurat: the
// top layer closes at f(0) = 1 (so r and v are consistent to double
// precision), the abscissae increase and the fast-accept thresholds are
// fractions of 2^53.
func TestZigguratClosure(t *testing.T) {
	check := func(name string, k []uint64, w, f []float64, r, v float64, fn func(float64) float64) {
		x1 := w[1] * zigScale
		if c := v/x1 + fn(x1); math.Abs(c-1) > 1e-12 {
			t.Errorf("%s: top layer closes at %.17g, want 1", name, c)
		}
		if got := w[len(w)-1] * zigScale; got != r {
			t.Errorf("%s: x_{n-1} = %v, want r = %v", name, got, r)
		}
		for i := 1; i < len(w); i++ {
			if i > 1 && !(w[i] > w[i-1]) {
				t.Errorf("%s: w not increasing at %d", name, i)
			}
			if !(f[i] < f[i-1]) {
				t.Errorf("%s: f not decreasing at %d", name, i)
			}
			if k[i] >= 1<<53 {
				t.Errorf("%s: k[%d] = %d >= 2^53", name, i, k[i])
			}
			// Every layer has area v: x_i (f(x_{i-1}) - f(x_i)) = v.
			xi := w[i] * zigScale
			if a := xi * (f[i-1] - f[i]); math.Abs(a-v) > 1e-12*v {
				t.Errorf("%s: layer %d has area %.15g, want %.15g", name, i, a, v)
			}
		}
	}
	ve := (zigExpR + 1) * math.Exp(-zigExpR)
	check("exp", zigExpK[:], zigExpW[:], zigExpF[:], zigExpR, ve, func(x float64) float64 { return math.Exp(-x) })
	vn := zigNormR*math.Exp(-0.5*zigNormR*zigNormR) + math.Sqrt(math.Pi/2)*math.Erfc(zigNormR/math.Sqrt2)
	check("normal", zigNormK[:], zigNormW[:], zigNormF[:], zigNormR, vn, func(x float64) float64 { return math.Exp(-0.5 * x * x) })
}

// TestNormalTail checks the tail sampler against the conditional law
// P(X <= x | X > r) = 1 - erfc(x/sqrt2)/erfc(r/sqrt2).
func TestNormalTail(t *testing.T) {
	t.Parallel()
	xs := drawFloats(900, nSamples, func(s *Stream) float64 { return s.normalTail() })
	tail := math.Erfc(zigNormR / math.Sqrt2)
	checkKS(t, xs, func(x float64) float64 { return 1 - math.Erfc(x/math.Sqrt2)/tail })
}

// TestLogPoissonPMF compares the saddle-point log-pmf with gonum's where the
// latter is accurate, and checks normalisation and moments where it is not.
func TestLogPoissonPMF(t *testing.T) {
	for _, mu := range []float64{0.3, 10, 37.5, 1e3, 1e5} {
		ref := distuv.Poisson{Lambda: mu}
		hi := int64(mu + 20*math.Sqrt(mu) + 50)
		for k := int64(0); k <= hi; k++ {
			got, want := logPoissonPMF(float64(k), mu), ref.LogProb(float64(k))
			// gonum's k log mu - mu - lgamma(k+1) carries a few ulps of
			// its largest term.
			lg, _ := math.Lgamma(float64(k) + 1)
			if math.Abs(got-want) > 1e-14*(mu+lg)+1e-13 {
				t.Fatalf("mu=%v k=%d: log pmf %.16g, gonum %.16g", mu, k, got, want)
			}
		}
	}
	for _, mu := range []float64{1e9, 1e12, 1e13} {
		checkPMFSums(t, "Poisson", mu, mu, func(k float64) float64 { return logPoissonPMF(k, mu) })
	}
}

// TestLogBinomialPMF: as above, for the binomial.
func TestLogBinomialPMF(t *testing.T) {
	for _, c := range []struct{ n, p float64 }{{1, 0.3}, {20, 0.3}, {1000, 0.02}, {1e5, 0.5}, {1e5, 1e-4}} {
		ref := distuv.Binomial{N: c.n, P: c.p}
		for k := 0.0; k <= c.n; k++ {
			want := ref.LogProb(k)
			if want < -700 {
				continue
			}
			got := logBinomialPMF(k, c.n, c.p, 1-c.p)
			lg, _ := math.Lgamma(c.n + 1)
			if math.Abs(got-want) > 1e-14*lg+1e-13 {
				t.Fatalf("n=%v p=%v k=%v: log pmf %.16g, gonum %.16g", c.n, c.p, k, got, want)
			}
		}
	}
	for _, c := range []struct{ n, p float64 }{{1e9, 0.3}, {1e12, 1e-3}, {1e13, 0.5}, {1e13, 1e-9}} {
		checkPMFSums(t, "Binomial", c.n*c.p, c.n*c.p*(1-c.p), func(k float64) float64 {
			return logBinomialPMF(k, c.n, c.p, 1-c.p)
		})
	}
}

// checkPMFSums sums exp(logpmf) over mean +- 12 sd (every integer) and checks
// total mass, mean and variance to 1e-9: a log-pmf that is off by a constant
// or by a term linear or quadratic in k fails.
func checkPMFSums(t *testing.T, name string, mean, variance float64, logpmf func(k float64) float64) {
	t.Helper()
	sd := math.Sqrt(variance)
	lo := math.Max(0, math.Floor(mean-12*sd))
	hi := math.Ceil(mean + 12*sd)
	step := math.Max(1, math.Floor((hi-lo)/2e6)) // keep the sum cheap; the pmf is smooth on the scale of sd
	var s0, s1, s2 float64
	for k := lo; k <= hi; k += step {
		p := math.Exp(logpmf(k)) * step
		d := k - mean
		s0 += p
		s1 += p * d
		s2 += p * d * d
	}
	if math.Abs(s0-1) > 1e-9 || math.Abs(s1/sd) > 1e-9 || math.Abs(s2/variance-1) > 1e-9 {
		t.Errorf("%s mean %g: mass %.12g, mean shift %.3g sd, variance ratio %.12g", name, mean, s0, s1/sd, s2/variance)
	}
}

// TestNegBinPMFReference cross-checks the lgamma negative binomial pmf used by
// the tests against gonum's Gamma-Poisson mixture, integrated numerically:
// P(X = x) = int Poisson(x; lambda) Gamma(lambda; k, scale (1-p)/p) dlambda.
func TestNegBinPMFReference(t *testing.T) {
	for _, c := range []struct {
		k int64
		p float64
	}{{1, 0.3}, {3, 0.4}, {50, 0.88}} {
		g := distuv.Gamma{Alpha: float64(c.k), Beta: c.p / (1 - c.p)}
		upper := g.Mean() + 40*g.StdDev()
		mean := float64(c.k) * (1 - c.p) / c.p
		for x := int64(0); x <= int64(mean+10*math.Sqrt(mean/c.p)); x++ {
			f := func(l float64) float64 {
				if l <= 0 {
					return 0
				}
				return distuv.Poisson{Lambda: l}.Prob(float64(x)) * g.Prob(l)
			}
			want := quad.Fixed(f, 0, upper, 4000, nil, 0)
			got := math.Exp(logNegBinPMF(x, c.k, c.p))
			if math.Abs(got-want) > 1e-7*want+1e-14 {
				t.Errorf("k=%d p=%v x=%d: lgamma pmf %.10g, Gamma-Poisson integral %.10g", c.k, c.p, x, got, want)
			}
		}
	}
}

func TestStirlerr(t *testing.T) {
	// Table and series must meet smoothly; compare the series against the
	// direct lgamma form where both are accurate.
	for n := 1.0; n <= 60; n++ {
		lg, _ := math.Lgamma(n + 1)
		want := lg - (n+0.5)*math.Log(n) + n - halfLog2Pi
		if got := stirlerr(n); math.Abs(got-want) > 1e-13 {
			t.Errorf("stirlerr(%v) = %.17g, want %.17g", n, got, want)
		}
	}
	// Above 500 the series is cut after two terms; compare with all five.
	for _, n := range []float64{16, 100, 499, 500, 501, 1000, 1e4, 1e8, 1e13} {
		nn := n * n
		want := (1.0/12 - (1.0/360-(1.0/1260-(1.0/1680-1.0/1188/nn)/nn)/nn)/nn) / n
		if got := stirlerr(n); math.Abs(got-want) > 1e-16 { // absolute: stirlerr is added to a log-pmf
			t.Errorf("stirlerr(%v) = %.17g, five-term series %.17g", n, got, want)
		}
	}
}

func TestBd0(t *testing.T) {
	// Reference: bd0(x, m) = m phi(e), e = (x-m)/m, with
	// phi(e) = (1+e) log(1+e) - e = sum_{j>=2} (-1)^j e^j / (j(j-1)),
	// summed to 80 terms for |e| < 1/2 (no cancellation: the terms shrink
	// by |e| and the first dominates); the direct form elsewhere.
	ref := func(x, m float64) float64 {
		e := (x - m) / m
		if math.Abs(e) >= 0.5 {
			if x == 0 {
				return m
			}
			return x*math.Log(x/m) + m - x
		}
		var sum float64
		pow := e * e
		for j := 2.0; j < 80; j++ {
			sum += pow / (j * (j - 1))
			pow *= -e
		}
		return m * sum
	}
	type xm struct{ x, m float64 }
	cases := []xm{{0, 5}, {1, 5}, {5, 5}, {7, 700}, {700, 7}, {10, 9.5}}
	for x := 50.0; x <= 150; x++ {
		cases = append(cases, xm{x, 100}, xm{x, 99.7})
	}
	for _, d := range []float64{1, 17, 1e3, 1e6, 3e6, 1e9, 1e11, 4.9e11, 5.1e11, 1e12, 3e12} {
		cases = append(cases, xm{1e13 + d, 1e13}, xm{1e13 - d, 1e13})
	}
	for _, c := range cases {
		got, want := bd0(c.x, c.m), ref(c.x, c.m)
		if math.Abs(got-want) > 1e-13*want || (want == 0) != (got == 0) {
			t.Errorf("bd0(%v, %v) = %.17g, want %.17g (rel %.2g)", c.x, c.m, got, want, (got-want)/want)
		}
	}
}
