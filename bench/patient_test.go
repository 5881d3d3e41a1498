package bench

import (
	"testing"

	"github.com/p53evo/p53evo/internal/simtest"
	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// trialPatient is the default virtual trial patient (sim.DefaultPatient:
// ~12 lesions, median 5e10 cells) on rezatapopt 2000 mg daily (Hill 4, as
// in the trial-rezatapopt scenarios) until RECIST progression, clones
// merged by genotype, plasma draws every 28 days.
func trialPatient(seed uint64) sim.Config {
	return simtest.TrialConfig(2000, seed, sim.DefaultPatient())
}

// BenchmarkPatient: one virtual trial patient per op, on one core (growth
// of every lesion from one cell, then treatment to progression).
func BenchmarkPatient(b *testing.B) {
	b.Run("default", func(b *testing.B) {
		cfg := trialPatient(1)
		lesions := runReplicates(b, cfg, func(r *sim.Result) float64 { return float64(r.Patient.Lesions) })
		b.ReportMetric(median(lesions), "lesions/op")
	})
}

// BenchmarkPatientPK: the default virtual trial patient with rezatapopt's
// one-compartment oral pharmacokinetics (a concentration profile reaching
// the engine as one-hour segments, 168 a week) instead of the steady-state
// exposure.
func BenchmarkPatientPK(b *testing.B) {
	cfg := trialPatient(1)
	p := cfg.Therapy().(*sim.Policy)
	pk := model.DefaultRezatapoptPK()
	p.PK = []*model.PK{&pk, nil, nil}
	cfg.Therapy = func() sim.Therapy { return p.Clone() }
	lesions := runReplicates(b, cfg, func(r *sim.Result) float64 { return float64(r.Patient.Lesions) })
	b.ReportMetric(median(lesions), "lesions/op")
}
