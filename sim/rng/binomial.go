package rng

import "math"

// binomialBTRS is the mean n*min(p,1-p) from which Binomial switches from
// inversion to BTRS.
const binomialBTRS = 10

// Binomial returns a binomial variate: the number of successes in n
// independent trials of success probability p, P(X = k) = C(n,k) p^k (1-p)^(n-k).
//
// Algorithm: for p > 1/2 it returns n - Binomial(n, 1-p), so below p <= 1/2:
//   - n p < 10: inversion by sequential search from k = 0, one uniform and
//     the recursion b(k) = b(k-1) (n-k+1)/k p/(1-p) (Devroye 1986, sec. X.4);
//     on average n p + 1 steps.
//   - 10 <= n p < 2^52: BTRS, transformed rejection with squeeze (W. Hörmann
//     1993, "The generation of binomial random variates", J. Statist. Comput.
//     Simul. 46, 101-110). The acceptance step compares with log b(k)/b(m), m
//     the mode, both in Loader's saddle-point form, which stays exact for n up
//     to 1e13 and beyond. Constant expected time, about 1.2 pairs of uniforms.
//   - n p >= 2^52: round(np + sqrt(np(1-p)) Z) clamped to [0, n].
//
// n <= 0, p <= 0 and NaN p return 0; p >= 1 returns n.
func (s *Stream) Binomial(n int64, p float64) int64 {
	if n <= 0 || !(p > 0) {
		return 0
	}
	if p >= 1 {
		return n
	}
	if p > 0.5 {
		return n - s.binomialLow(n, 1-p)
	}
	return s.binomialLow(n, p)
}

// binomialLow handles 0 < p <= 1/2.
func (s *Stream) binomialLow(n int64, p float64) int64 {
	nf := float64(n)
	mean := nf * p
	switch {
	case mean < binomialBTRS:
		return s.binomialInversion(n, p)
	case mean < maxExactMean:
		return s.binomialBTRS(nf, p)
	default:
		x := math.Round(mean + math.Sqrt(mean*(1-p))*s.Normal())
		return min(clampInt64(x), n)
	}
}

// binomialInversion: n p < 10 and p <= 1/2, so P(X > 110) < 1e-60; a search
// past min(n, 110) can only come from rounding in the running sum and is
// restarted with a new uniform.
func (s *Stream) binomialInversion(n int64, p float64) int64 {
	r := p / (1 - p)
	b0 := math.Exp(float64(n) * math.Log1p(-p))
	limit := min(n, 110)
retry:
	for {
		u := s.Float64()
		b := b0
		var k int64
		for u >= b {
			if k == limit {
				continue retry
			}
			u -= b
			k++
			b *= r * float64(n-k+1) / float64(k)
		}
		return k
	}
}

// binomialBTRS follows Hörmann's algorithm BTRS; as in PTRS, us = 1/2 - |U|
// and k = floor((2a/us + b) U + c). The acceptance step is
// log(V alpha / (a/us^2 + b)) <= log b(k) - log b(m).
func (s *Stream) binomialBTRS(n, p float64) int64 {
	q := 1 - p
	spq := math.Sqrt(n * p * q)
	b := 1.15 + 2.53*spq
	a := -0.0873 + 0.0248*b + 0.01*p
	c := n*p + 0.5
	alpha := (2.83 + 5.1/b) * spq
	vr := 0.92 - 4.2/b
	m := math.Floor((n + 1) * p)
	logMode := math.NaN() // log b(m), computed on first use
	for {
		u := s.Float64() - 0.5
		v := s.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + c)
		if k < 0 || k > n {
			continue
		}
		if us >= 0.07 && v <= vr {
			return int64(k)
		}
		if logMode != logMode {
			logMode = logBinomialPMF(m, n, p, q)
		}
		if math.Log(v*alpha/(a/(us*us)+b)) <= logBinomialPMF(k, n, p, q)-logMode {
			return int64(k)
		}
	}
}
