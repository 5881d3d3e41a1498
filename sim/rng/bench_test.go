package rng

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// Benchmarks of every sampler at the parameters the engine uses, next to
// gonum's stat/distuv on the same PCG source. Run with
//
//	go test -run '^$' -bench . -benchmem ./sim/rng/

var (
	sinkI int64
	sinkF float64
	sinkU uint64
)

func benchInt(b *testing.B, f func(s *Stream) int64) {
	s := New(1, 2)
	var acc int64
	for b.Loop() {
		acc += f(&s)
	}
	sinkI = acc
}

func benchFloat(b *testing.B, f func(s *Stream) float64) {
	s := New(1, 2)
	var acc float64
	for b.Loop() {
		acc += f(&s)
	}
	sinkF = acc
}

func benchGonum(b *testing.B, r func() float64) {
	var acc float64
	for b.Loop() {
		acc += r()
	}
	sinkF = acc
}

func src() rand.Source { return rand.NewPCG(1, 2) }

func BenchmarkUint64(b *testing.B) {
	s := New(1, 2)
	var acc uint64
	for b.Loop() {
		acc += s.Uint64()
	}
	sinkU = acc
}

func BenchmarkDerive(b *testing.B) {
	var acc uint64
	var k uint64
	for b.Loop() {
		s := Derive(1, k)
		k++
		acc += s.Uint64()
	}
	sinkU = acc
}

func BenchmarkFloat64(b *testing.B) { benchFloat(b, (*Stream).Float64) }
func BenchmarkOpen01(b *testing.B)  { benchFloat(b, (*Stream).Open01) }
func BenchmarkExp(b *testing.B)     { benchFloat(b, (*Stream).Exp) }
func BenchmarkExpInversion(b *testing.B) {
	benchFloat(b, func(s *Stream) float64 { return -math.Log(s.Open01()) })
}
func BenchmarkNormal(b *testing.B) { benchFloat(b, (*Stream).Normal) }

func BenchmarkPoisson3(b *testing.B)   { benchInt(b, func(s *Stream) int64 { return s.Poisson(3) }) }
func BenchmarkPoisson9(b *testing.B)   { benchInt(b, func(s *Stream) int64 { return s.Poisson(9.5) }) }
func BenchmarkPoisson1e3(b *testing.B) { benchInt(b, func(s *Stream) int64 { return s.Poisson(1e3) }) }
func BenchmarkPoisson1e8(b *testing.B) { benchInt(b, func(s *Stream) int64 { return s.Poisson(1e8) }) }

func BenchmarkBinomial50_01(b *testing.B) {
	benchInt(b, func(s *Stream) int64 { return s.Binomial(50, 0.1) })
}
func BenchmarkBinomial1e9_09(b *testing.B) {
	benchInt(b, func(s *Stream) int64 { return s.Binomial(1e9, 0.9) })
}
func BenchmarkBinomial1e3_002(b *testing.B) {
	benchInt(b, func(s *Stream) int64 { return s.Binomial(1000, 0.02) })
}

func BenchmarkGamma03(b *testing.B)  { benchFloat(b, func(s *Stream) float64 { return s.Gamma(0.3) }) }
func BenchmarkGamma5(b *testing.B)   { benchFloat(b, func(s *Stream) float64 { return s.Gamma(5) }) }
func BenchmarkGamma1e9(b *testing.B) { benchFloat(b, func(s *Stream) float64 { return s.Gamma(1e9) }) }

func BenchmarkGeometric(b *testing.B) {
	benchInt(b, func(s *Stream) int64 { return s.Geometric(0.07) })
}

func BenchmarkNegBin1e9_088(b *testing.B) {
	benchInt(b, func(s *Stream) int64 { return s.NegBin(1e9, 0.88) })
}

// The NegBin k <= negBinSumMax switch: sum of k geometrics against the
// gamma-Poisson mixture at the same k.
func BenchmarkNegBinSum4(b *testing.B) {
	benchInt(b, func(s *Stream) int64 { return s.NegBin(4, 0.3) })
}
func BenchmarkNegBinSum3(b *testing.B) {
	benchInt(b, func(s *Stream) int64 { return s.NegBin(3, 0.3) })
}
func BenchmarkNegBinMixture3(b *testing.B) {
	benchInt(b, func(s *Stream) int64 { return s.Poisson(s.Gamma(3) * (0.7 / 0.3)) })
}
func BenchmarkNegBinMixture4(b *testing.B) {
	benchInt(b, func(s *Stream) int64 { return s.Poisson(s.Gamma(4) * (0.7 / 0.3)) })
}
func BenchmarkNegBinMixture5(b *testing.B) {
	benchInt(b, func(s *Stream) int64 { return s.NegBin(5, 0.3) })
}
func BenchmarkNegBinSum5(b *testing.B) {
	benchInt(b, func(s *Stream) int64 {
		lambda := -math.Log1p(-0.3)
		var x int64
		for range 5 {
			x += clampInt64(s.Exp() / lambda)
		}
		return x
	})
}

// The regimes below 10 against the sequential-search inversion they replace.
func BenchmarkPoisson001(b *testing.B) { benchInt(b, func(s *Stream) int64 { return s.Poisson(0.01) }) }
func BenchmarkPoissonInversion3(b *testing.B) {
	benchInt(b, func(s *Stream) int64 { return poissonInversion(s, 3) })
}
func BenchmarkBinomialInversion50_01(b *testing.B) {
	benchInt(b, func(s *Stream) int64 { return binomialInversion(s, 50, 0.1) })
}

// poissonInversion and binomialInversion are the textbook sequential
// searches (with a table of 1/k instead of divisions), kept here only as
// benchmark baselines.
var invInt = func() (t [smallMeanCap + 1]float64) {
	for k := 1; k < len(t); k++ {
		t[k] = 1 / float64(k)
	}
	return
}()

func poissonInversion(s *Stream, mu float64) int64 {
	u := s.Float64()
	p := math.Exp(-mu)
	var k int64
	for u >= p && k < smallMeanCap {
		u -= p
		k++
		p *= mu * invInt[k]
	}
	return k
}

func binomialInversion(s *Stream, n int64, p float64) int64 {
	r := p / (1 - p)
	u := s.Float64()
	b := math.Exp(float64(n) * math.Log1p(-p))
	var k int64
	for u >= b && k < min(n, smallMeanCap) {
		u -= b
		k++
		b *= float64(n-k+1) * r * invInt[k]
	}
	return k
}

// gonum stat/distuv on the same kind of source, for comparison.

func BenchmarkGonumFloat64(b *testing.B) {
	r := rand.New(src())
	benchGonum(b, r.Float64)
}
func BenchmarkGonumExp(b *testing.B) { benchGonum(b, distuv.Exponential{Rate: 1, Src: src()}.Rand) }
func BenchmarkGonumNormal(b *testing.B) {
	benchGonum(b, distuv.Normal{Mu: 0, Sigma: 1, Src: src()}.Rand)
}
func BenchmarkGonumPoisson3(b *testing.B) { benchGonum(b, distuv.Poisson{Lambda: 3, Src: src()}.Rand) }
func BenchmarkGonumPoisson1e3(b *testing.B) {
	benchGonum(b, distuv.Poisson{Lambda: 1e3, Src: src()}.Rand)
}
func BenchmarkGonumPoisson1e8(b *testing.B) {
	benchGonum(b, distuv.Poisson{Lambda: 1e8, Src: src()}.Rand)
}
func BenchmarkGonumBinomial50_01(b *testing.B) {
	benchGonum(b, distuv.Binomial{N: 50, P: 0.1, Src: src()}.Rand)
}
func BenchmarkGonumBinomial1e9_09(b *testing.B) {
	benchGonum(b, distuv.Binomial{N: 1e9, P: 0.9, Src: src()}.Rand)
}
func BenchmarkGonumGamma5(b *testing.B) {
	benchGonum(b, distuv.Gamma{Alpha: 5, Beta: 1, Src: src()}.Rand)
}
func BenchmarkGonumNegBin1e9_088(b *testing.B) {
	s := src()
	g := distuv.Gamma{Alpha: 1e9, Beta: 0.88 / 0.12, Src: s}
	benchGonum(b, func() float64 { return distuv.Poisson{Lambda: g.Rand(), Src: s}.Rand() })
}
