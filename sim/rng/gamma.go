package rng

import "math"

// Gamma returns a gamma variate with the given shape and scale 1: density
// x^(shape-1) e^-x / Gamma(shape), mean and variance both equal to shape.
//
// Algorithm (G. Marsaglia & W. W. Tsang 2000, "A simple method for
// generating gamma variables", ACM TOMS 26(3), 363-368): for shape a >= 1 let
// d = a - 1/3, c = 1/sqrt(9d); draw a normal x with v = (1 + cx)^3 > 0 and a
// uniform u, and return d v if
//
//	u < 1 - 0.0331 x^4                         (squeeze, ~98% of draws)
//	log u < x^2/2 + d (1 - v + log v)          (exact test)
//
// The exact test is evaluated as log u < 3 d g(cx) with
// g(t) = log(1+t) - t + t^2/2 - t^3/3, an identity when 9 d c^2 = 1 that
// avoids the cancellation of the textbook form for large shapes (at shape
// 1e13 it would lose ~1e-3 absolutely); g uses its Taylor series for small t.
// For shape < 1 it returns Gamma(shape+1) U^(1/shape) (the "boost" of the same
// paper, sec. 6), computed as Gamma(shape+1) exp(-E/shape) with E = -log U a
// ziggurat exponential; it can underflow to 0 for very small shapes. shape == 1
// is delegated to Exp, which is cheaper and has the same law.
//
// shape <= 0 returns 0, shape = +Inf returns +Inf, NaN returns NaN.
func (s *Stream) Gamma(shape float64) float64 {
	switch {
	case shape == 1:
		return s.Exp()
	case shape > 1:
		if math.IsInf(shape, 1) {
			return shape
		}
		return s.gammaMT(shape)
	case shape > 0:
		x := s.gammaMT(shape + 1)
		return x * math.Exp(-s.Exp()/shape)
	case shape != shape:
		return shape
	default:
		return 0
	}
}

// gammaMT is Marsaglia-Tsang for a >= 1.
func (s *Stream) gammaMT(a float64) float64 {
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		var x, t float64
		for {
			x = s.Normal()
			t = c * x
			if t > -1 {
				break
			}
		}
		v := (1 + t) * (1 + t) * (1 + t)
		u := s.Float64()
		x2 := x * x
		if u < 1-0.0331*x2*x2 {
			return d * v
		}
		if math.Log(u) < 3*d*gammaG(t) {
			return d * v
		}
	}
}

// gammaG returns g(t) = log(1+t) - t + t^2/2 - t^3/3 for t > -1. For
// |t| < 1/64 it sums the series -t^4/4 + t^5/5 - ... - t^14/14 (next term
// below 1e-16 relative); otherwise it uses log1p directly, where the
// cancellation is harmless because d = 1/(9c^2) is then small.
func gammaG(t float64) float64 {
	if math.Abs(t) < 1.0/64 {
		// Horner form of sum_{j=4}^{14} (-1)^(j+1) t^j / j.
		p := -1.0 / 14
		p = 1.0/13 + t*p
		p = -1.0/12 + t*p
		p = 1.0/11 + t*p
		p = -1.0/10 + t*p
		p = 1.0/9 + t*p
		p = -1.0/8 + t*p
		p = 1.0/7 + t*p
		p = -1.0/6 + t*p
		p = 1.0/5 + t*p
		p = -1.0/4 + t*p
		t2 := t * t
		return t2 * t2 * p
	}
	return math.Log1p(t) - t + t*t*(0.5-t/3)
}

// Geometric returns the number of failures before the first success in
// independent trials of success probability p: P(X = k) = (1-p)^k p.
//
// Algorithm: inversion through the exponential, X = floor(E / lambda) with E
// standard exponential and lambda = -log(1-p), since P(E >= k lambda) =
// (1-p)^k (Devroye 1986, sec. X.2). One ziggurat draw and one log1p.
//
// p >= 1 returns 0; p <= 0 (a success never happens) returns
// math.MaxInt64, as does any draw beyond 2^63; NaN returns 0.
func (s *Stream) Geometric(p float64) int64 {
	if p >= 1 || p != p {
		return 0
	}
	if p <= 0 {
		return math.MaxInt64
	}
	return clampInt64(s.Exp() / -math.Log1p(-p))
}

// negBinSumMax is the largest k for which NegBin sums k geometrics; above it
// the Gamma-Poisson mixture is cheaper (see BenchmarkNegBin*).
const negBinSumMax = 4

// NegBin returns a negative binomial variate: the number of failures before
// the k-th success in independent trials of success probability p,
//
//	P(X = x) = C(x+k-1, x) p^k (1-p)^x,  mean k(1-p)/p, variance k(1-p)/p^2.
//
// Algorithm: for k <= 4 the sum of k geometric variates (sharing one log1p);
// above, the gamma-Poisson mixture X = Poisson(Gamma(k) (1-p)/p) (Devroye
// 1986, sec. X.4.7), which costs one Gamma and one Poisson draw whatever k.
//
// k <= 0 or p >= 1 returns 0; p <= 0 returns math.MaxInt64; NaN p returns 0.
// Sums beyond 2^63 saturate at math.MaxInt64.
func (s *Stream) NegBin(k int64, p float64) int64 {
	if k <= 0 || p >= 1 || p != p {
		return 0
	}
	if p <= 0 {
		return math.MaxInt64
	}
	if k <= negBinSumMax {
		lambda := -math.Log1p(-p)
		var sum int64
		for range k {
			g := clampInt64(s.Exp() / lambda)
			if sum > math.MaxInt64-g {
				sum = math.MaxInt64
				continue
			}
			sum += g
		}
		return sum
	}
	return s.Poisson(s.Gamma(float64(k)) * ((1 - p) / p))
}
