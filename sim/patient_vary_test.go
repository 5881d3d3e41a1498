package sim_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/p53evo/p53evo/sim"
	"github.com/p53evo/p53evo/sim/rng"
)

// The beta law follows its exact CDF (gonum's, scaled to [low, high]),
// truncated or not: KS over 20000 draws at the 0.1% critical value.
func TestBetaDraws(t *testing.T) {
	cases := []struct {
		d    sim.Dist
		a, b float64
	}{
		{sim.Dist{Kind: sim.DistBeta, Alpha: 2, Beta: 5, Lo: 0, Hi: 1}, 2, 5},
		{sim.Dist{Kind: sim.DistBeta, Alpha: 0.5, Beta: 0.5, Lo: 1, Hi: 3}, 0.5, 0.5},
		{sim.Dist{Kind: sim.DistBeta, Alpha: 2, Beta: 2, Lo: 0, Hi: 10}.Truncate(2, 9), 2, 2},
	}
	const n = 20000
	for i, c := range cases {
		if err := c.d.Validate(); err != nil {
			t.Fatal(err)
		}
		ref := distuv.Beta{Alpha: c.a, Beta: c.b}
		lo, hi := c.d.Lo, c.d.Hi
		cdf := func(x float64) float64 { return ref.CDF(math.Min(1, math.Max(0, (x-lo)/(hi-lo)))) }
		exact := cdf
		if c.d.Truncated {
			fa, fb := cdf(c.d.Min), cdf(c.d.Max)
			exact = func(x float64) float64 { return math.Min(1, math.Max(0, (cdf(x)-fa)/(fb-fa))) }
		}
		r := rng.New(123, uint64(i))
		x := make([]float64, n)
		rlo, rhi := c.d.Range()
		for k := range x {
			x[k] = c.d.Sample(&r)
			if x[k] < rlo || x[k] > rhi {
				t.Fatalf("%v: draw %v outside [%v, %v]", c.d, x[k], rlo, rhi)
			}
		}
		if D := ksD(x, exact); D > 1.95/math.Sqrt(n) {
			t.Errorf("%v: KS D = %.4f > %.4f", c.d, D, 1.95/math.Sqrt(n))
		}
		// the package's own CDF agrees with gonum's
		for _, q := range []float64{0.1, 0.5, 0.9} {
			xq := c.d.At(q)
			if got := c.d.CDF(xq); math.Abs(got-q) > 1e-9 || math.Abs(exact(xq)-q) > 1e-9 {
				t.Errorf("%v: CDF(At(%v)) = %v, gonum %v", c.d, q, got, exact(xq))
			}
		}
	}
	bad := []sim.Dist{
		{Kind: sim.DistBeta, Alpha: 0, Beta: 1, Lo: 0, Hi: 1},
		{Kind: sim.DistBeta, Alpha: 1, Beta: 1, Lo: 1, Hi: 1},
	}
	for _, d := range bad {
		if d.Validate() == nil {
			t.Errorf("%v accepted", d)
		}
	}
}
