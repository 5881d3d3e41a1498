package rng

import (
	"math"
	"testing"
	"unsafe"

	"gonum.org/v1/gonum/stat/distuv"
)

func firstN(s Stream, n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = s.Uint64()
	}
	return out
}

func equalSeq(a, b []uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDeterminism(t *testing.T) {
	const n = 64
	same := [][2]Stream{
		{New(1), New(1)},
		{New(1, 2, 3), New(1, 2, 3)},
		{Derive(7, 99), New(7, 99)},
		{Derive(0, 0), New(0, 0)},
		{Derive(math.MaxUint64, math.MaxUint64), New(math.MaxUint64, math.MaxUint64)},
	}
	for i, p := range same {
		if !equalSeq(firstN(p[0], n), firstN(p[1], n)) {
			t.Errorf("pair %d: identical inputs gave different streams", i)
		}
	}
	// Different seeds, keys, key order and key count must all give
	// different streams; compare every pair.
	distinct := []Stream{
		New(1), New(2), New(1, 0), New(1, 0, 0), New(1, 1), New(1, 2),
		New(1, 1, 2), New(1, 2, 1), New(2, 1), New(0), New(0, 0),
		Derive(1, 3), Derive(3, 1), {}, // the zero Stream too
	}
	seqs := make([][]uint64, len(distinct))
	for i, s := range distinct {
		seqs[i] = firstN(s, n)
	}
	for i := range seqs {
		for j := i + 1; j < len(seqs); j++ {
			for k := range seqs[i] {
				if seqs[i][k] == seqs[j][k] {
					t.Errorf("streams %d and %d agree at output %d", i, j, k)
				}
			}
		}
	}
}

// TestDerivedStreamsIndependent: the first outputs of streams derived from
// consecutive keys (the worst case for a weak hash) must look like
// independent uniforms, and consecutive keys must not be correlated.
func TestDerivedStreamsIndependent(t *testing.T) {
	const n = 100_000
	first := make([]float64, n)
	second := make([]float64, n)
	for i := range first {
		s := Derive(42, uint64(i))
		first[i] = s.Float64()
		second[i] = s.Float64()
	}
	checkKS(t, first, distuv.Uniform{Min: 0, Max: 1}.CDF)
	corr := func(a, b []float64) float64 {
		var s float64
		for i := range a {
			s += (a[i] - 0.5) * (b[i] - 0.5)
		}
		return s / float64(len(a)) * 12 // correlation for U(0,1) marginals
	}
	if r := corr(first[:n-1], first[1:]); math.Abs(r)*math.Sqrt(n) > zLimit {
		t.Errorf("first outputs of keys i and i+1 correlated: r = %.4g", r)
	}
	if r := corr(first, second); math.Abs(r)*math.Sqrt(n) > zLimit {
		t.Errorf("first and second output of a stream correlated: r = %.4g", r)
	}
	// Same for replicate keys under a fixed clone key: New(seed, rep, clone).
	for i := range first {
		s := New(42, uint64(i), 5)
		first[i] = s.Float64()
	}
	checkKS(t, first, distuv.Uniform{Min: 0, Max: 1}.CDF)
}

func TestStreamSize(t *testing.T) {
	if n := unsafe.Sizeof(Stream{}); n != 16 {
		t.Errorf("Stream is %d bytes, want 16 (the PCG state only)", n)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	s := New(2024, 1, 2)
	for range 1000 {
		s.Poisson(3.5)
		s.Normal()
	}
	data, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var r Stream
	if err := r.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if r != s {
		t.Fatalf("restored state %+v differs from %+v", r, s)
	}
	for i := range 1000 {
		a, b := s.Binomial(1e9, 0.9), r.Binomial(1e9, 0.9)
		if a != b {
			t.Fatalf("draw %d after restore: %d != %d", i, a, b)
		}
	}
	if err := r.UnmarshalBinary([]byte("garbage")); err == nil {
		t.Error("UnmarshalBinary accepted garbage")
	}
	// Copies are independent values that replay the same numbers.
	c := s
	if s.Uint64() != c.Uint64() {
		t.Error("a copy of a Stream does not replay it")
	}
}

func TestZeroAlloc(t *testing.T) {
	s := New(1, 2)
	var sinkI int64
	var sinkF float64
	var sinkU uint64
	cases := map[string]func(){
		"New":       func() { x := New(3, 4, 5, 6); sinkU += x.Uint64() },
		"Derive":    func() { x := Derive(3, 4); sinkU += x.Uint64() },
		"Uint64":    func() { sinkU += s.Uint64() },
		"Float64":   func() { sinkF += s.Float64() },
		"Open01":    func() { sinkF += s.Open01() },
		"Exp":       func() { sinkF += s.Exp() },
		"Normal":    func() { sinkF += s.Normal() },
		"Poisson":   func() { sinkI += s.Poisson(3) + s.Poisson(1e3) + s.Poisson(1e13) + s.Poisson(1e17) },
		"Binomial":  func() { sinkI += s.Binomial(50, 0.1) + s.Binomial(1e9, 0.9) + s.Binomial(1e18, 0.5) },
		"Gamma":     func() { sinkF += s.Gamma(0.3) + s.Gamma(1) + s.Gamma(5) + s.Gamma(1e13) },
		"NegBin":    func() { sinkI += s.NegBin(3, 0.3) + s.NegBin(1e9, 0.88) },
		"Geometric": func() { sinkI += s.Geometric(0.01) },
	}
	for name, f := range cases {
		if a := testing.AllocsPerRun(1000, f); a != 0 {
			t.Errorf("%s: %v allocations per call", name, a)
		}
	}
	_, _, _ = sinkI, sinkF, sinkU
}

// TestEdgeCases: degenerate and extreme parameters return the documented
// values without panicking or looping.
func TestEdgeCases(t *testing.T) {
	s := New(5)
	nan, inf := math.NaN(), math.Inf(1)
	ints := []struct {
		name string
		got  func() int64
		want int64
	}{
		{"Poisson(0)", func() int64 { return s.Poisson(0) }, 0},
		{"Poisson(-1)", func() int64 { return s.Poisson(-1) }, 0},
		{"Poisson(NaN)", func() int64 { return s.Poisson(nan) }, 0},
		{"Poisson(Inf)", func() int64 { return s.Poisson(inf) }, math.MaxInt64},
		{"Poisson(1e20)", func() int64 { return s.Poisson(1e20) }, math.MaxInt64},
		{"Poisson(5e-324)", func() int64 { return s.Poisson(5e-324) }, 0},
		{"Binomial(0,0.5)", func() int64 { return s.Binomial(0, 0.5) }, 0},
		{"Binomial(-3,0.5)", func() int64 { return s.Binomial(-3, 0.5) }, 0},
		{"Binomial(10,0)", func() int64 { return s.Binomial(10, 0) }, 0},
		{"Binomial(10,-1)", func() int64 { return s.Binomial(10, -1) }, 0},
		{"Binomial(10,NaN)", func() int64 { return s.Binomial(10, nan) }, 0},
		{"Binomial(10,1)", func() int64 { return s.Binomial(10, 1) }, 10},
		{"Binomial(10,2)", func() int64 { return s.Binomial(10, 2) }, 10},
		{"Binomial(1e13,1)", func() int64 { return s.Binomial(1e13, 1) }, 1e13},
		{"Binomial(MaxInt64,5e-324)", func() int64 { return s.Binomial(math.MaxInt64, 5e-324) }, 0},
		{"NegBin(0,0.5)", func() int64 { return s.NegBin(0, 0.5) }, 0},
		{"NegBin(-1,0.5)", func() int64 { return s.NegBin(-1, 0.5) }, 0},
		{"NegBin(5,1)", func() int64 { return s.NegBin(5, 1) }, 0},
		{"NegBin(5,0)", func() int64 { return s.NegBin(5, 0) }, math.MaxInt64},
		{"NegBin(1e9,0)", func() int64 { return s.NegBin(1e9, 0) }, math.MaxInt64},
		{"NegBin(5,NaN)", func() int64 { return s.NegBin(5, nan) }, 0},
		{"NegBin(1e18,1e-300)", func() int64 { return s.NegBin(1e18, 1e-300) }, math.MaxInt64},
		{"NegBin(2,1e-300)", func() int64 { return s.NegBin(2, 1e-300) }, math.MaxInt64},
		{"Geometric(1)", func() int64 { return s.Geometric(1) }, 0},
		{"Geometric(0)", func() int64 { return s.Geometric(0) }, math.MaxInt64},
		{"Geometric(-1)", func() int64 { return s.Geometric(-1) }, math.MaxInt64},
		{"Geometric(NaN)", func() int64 { return s.Geometric(nan) }, 0},
		{"Geometric(1e-300)", func() int64 { return s.Geometric(1e-300) }, math.MaxInt64},
	}
	for _, c := range ints {
		for range 50 {
			if got := c.got(); got != c.want {
				t.Errorf("%s = %d, want %d", c.name, got, c.want)
				break
			}
		}
	}
	// Range checks for extreme but valid parameters.
	inRange := []struct {
		name   string
		got    func() int64
		lo, hi int64
	}{
		{"Binomial(MaxInt64,0.5)", func() int64 { return s.Binomial(math.MaxInt64, 0.5) }, 4.6e18, math.MaxInt64},
		{"Binomial(MaxInt64,1-1e-16)", func() int64 { return s.Binomial(math.MaxInt64, 1-1e-16) }, math.MaxInt64 - 1e4, math.MaxInt64},
		{"Binomial(1e13,1e-13)", func() int64 { return s.Binomial(1e13, 1e-13) }, 0, 20},
		{"Binomial(1e13,0.5)", func() int64 { return s.Binomial(1e13, 0.5) }, 5e12 - 2e7, 5e12 + 2e7},
		{"Binomial(1,0.5)", func() int64 { return s.Binomial(1, 0.5) }, 0, 1},
		{"Poisson(1e17)", func() int64 { return s.Poisson(1e17) }, 1e17 - 1e10, 1e17 + 1e10},
		{"Poisson(9.2e18)", func() int64 { return s.Poisson(9.2e18) }, 9.1e18, math.MaxInt64},
		{"NegBin(1e13,0.5)", func() int64 { return s.NegBin(1e13, 0.5) }, 1e13 - 1e8, 1e13 + 1e8},
		{"NegBin(3,1e-15)", func() int64 { return s.NegBin(3, 1e-15) }, 0, math.MaxInt64},
		{"Geometric(1e-18)", func() int64 { return s.Geometric(1e-18) }, 0, math.MaxInt64},
		{"Geometric(5e-324)", func() int64 { return s.Geometric(5e-324) }, math.MaxInt64, math.MaxInt64},
	}
	for _, c := range inRange {
		for range 50 {
			if got := c.got(); got < c.lo || got > c.hi {
				t.Errorf("%s = %d, want in [%d, %d]", c.name, got, c.lo, c.hi)
				break
			}
		}
	}
	floats := []struct {
		name string
		got  float64
		ok   func(float64) bool
	}{
		{"Gamma(0)", s.Gamma(0), func(x float64) bool { return x == 0 }},
		{"Gamma(-1)", s.Gamma(-1), func(x float64) bool { return x == 0 }},
		{"Gamma(NaN)", s.Gamma(nan), math.IsNaN},
		{"Gamma(Inf)", s.Gamma(inf), func(x float64) bool { return math.IsInf(x, 1) }},
		{"Gamma(1e-300)", s.Gamma(1e-300), func(x float64) bool { return x >= 0 && x < 1e-100 }},
		{"Gamma(1e300)", s.Gamma(1e300), func(x float64) bool { return math.Abs(x/1e300-1) < 1e-10 }},
	}
	for _, c := range floats {
		if !c.ok(c.got) {
			t.Errorf("%s = %v", c.name, c.got)
		}
	}
}
