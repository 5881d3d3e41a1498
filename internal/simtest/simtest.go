// Package simtest builds the engine configurations that the tests and
// benchmarks of several packages share.
package simtest

import (
	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// TrialConfig is a virtual trial patient drawn from pc on rezatapopt at
// dose mg daily (Hill 4, as in the trial-rezatapopt scenarios) until RECIST
// progression, clones merged by genotype, no tumour-level ctDNA draws (the
// patient's plasma draws follow pc).
func TrialConfig(dose float64, seed uint64, pc sim.PatientConfig) sim.Config {
	m := model.Default()
	m.Drugs[0].Hill = 4
	p := &sim.Policy{Phases: []sim.PhaseSpec{{Name: "rez", Doses: []float64{dose, 0, 0}, End: sim.EndRule{Kind: sim.EndProgression}}}}
	cfg := sim.Config{Model: m, Seed: seed, Patient: &pc}
	cfg.Engine.Merge = true
	cfg.CTDNA.Every = -1
	cfg.Therapy = func() sim.Therapy { return p.Clone() }
	cfg.Defaults()
	return cfg
}
