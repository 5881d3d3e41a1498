package bench

import (
	"math"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// lesion is the reference clinical workload: one Y220C cell grows at
// b=0.14, d=0.13 per day with the default mutation catalog until it is
// detected at size cells, then continuous full-dose rezatapopt (2000 mg-eq)
// until RECIST progression or five years.
func lesion(size float64, seed uint64) sim.Config {
	cfg := sim.Config{Model: model.Default(), Detect: size, Lethal: math.Max(1e12, 100*size), Seed: seed}
	cfg.Therapy = func() sim.Therapy { return sim.Constant{C: []float64{2000, 0, 0}} }
	cfg.Defaults()
	return cfg
}

// peer4Type is the workload other simulators were measured on: 1000
// sensitive cells (birth 1.5, death 1.0) mutating at 1e-7 per division to R1
// or R2 (birth 1.4), each of which mutates at 1e-7 to R12 (birth 1.3); stop
// when the total first reaches size. Time is in the peers' units; the
// engine's grid is one unit.
func peer4Type(size float64, seed uint64) sim.Config {
	m := model.Model{
		Birth: 1.5, Death: 1.0, MutationRate: 1e-7,
		Alleles: model.Alleles{Copies: 1, Dominance: 1},
		Catalog: []model.Mutation{
			{Name: "R1", Class: model.Passenger, Sites: 1, BirthDelta: -0.1},
			{Name: "R2", Class: model.Passenger, Sites: 1, BirthDelta: -0.1},
		},
	}
	cfg := sim.Config{Model: m, Founder: 1000, Detect: size, Seed: seed, Step: 1, GrowthGrid: 1, StopAtDetection: true}
	cfg.Defaults()
	return cfg
}
