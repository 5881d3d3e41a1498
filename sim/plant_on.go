//go:build p53evo_planted

package sim

import (
	"math"

	"github.com/p53evo/p53evo/sim/rng"
)

// planted puts back the engine's former defects (for the planted-defect
// tests of sim/theory only; never in a normal build):
//
//  1. a large clone's mutant daughters were drawn along the exponential
//     bridge between its sizes at the two ends of the whole step, ignoring
//     changes of exposure inside the step;
//  2. the bridge spanned the whole step however fast the clone changed, and
//     a clone that died out within the step was given a linear decline;
//  3. detection was the first step end with the total at or above the
//     detection size, with steps shrinking to a fixed 0.01 days, so that
//     fast-growing tumours overshot it (Replicator.grow).
const planted = true

// advancePlanted is the former advanceClone for clones of ExactBelow cells
// or more.
func (tm *Tumor) advancePlanted(c *clone, g *genoInfo, rc *rateClass, a, b float64, out []pending) []pending {
	alpha, beta := tm.kendall(rc, a, b)
	n0 := c.n
	n1 := c.rng.Binomial(n0, 1-alpha)
	if n1 > 0 && beta > 0 {
		n1 += c.rng.NegBin(n1, 1-beta)
	}
	c.n = n1
	if n1 == 0 {
		c.ext = tm.plantedExtinction(rc, n0, a, b, &c.rng)
	}
	if g.u <= 0 {
		return out
	}
	dt := b - a
	ratio := float64(n1) / float64(n0)
	lr := math.Log(ratio)
	var integral float64
	if n1 == 0 {
		dt = c.ext - a
		integral = float64(n0) * dt / 2
	} else if math.Abs(lr) > 1e-9 {
		integral = float64(n1-n0) * dt / lr
	} else {
		integral = float64(n0) * dt
	}
	birth := tm.phenos[g.pheno].p.Birth
	for k := c.rng.Poisson(g.u * birth * integral); k > 0; k-- {
		x := c.rng.Float64()
		var s float64
		if n1 == 0 {
			s = dt * (1 - math.Sqrt(1-x))
		} else {
			s = bridgeTime(x, dt, ratio, lr)
		}
		out = append(out, tm.daughter(c, g, a+s))
	}
	return out
}

func (tm *Tumor) plantedExtinction(rc *rateClass, n0 int64, a, b float64, r *rng.Stream) float64 {
	ab, _ := tm.kendall(rc, a, b)
	if ab <= 0 {
		return b
	}
	target := math.Log(r.Open01()) + float64(n0)*math.Log(ab)
	lo, hi := a, b
	for i := 0; i < 60 && hi-lo > 1e-9*(1+math.Abs(hi)); i++ {
		mid := (lo + hi) / 2
		am, _ := tm.kendall(rc, a, mid)
		if am > 0 && float64(n0)*math.Log(am) >= target {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}
