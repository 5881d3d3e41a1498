package sim_test

import (
	"testing"

	"github.com/p53evo/p53evo/sim"
)

// demesConfig is smallConfig in the deme mode at a small detection size (no
// blood draws: the deme mode does not take them).
func demesConfig(seed uint64, dc sim.DemesConfig, detect float64) sim.Config {
	cfg := smallConfig(seed)
	cfg.Detect = detect
	cfg.Model.MutationRate = 1e-5 // mutants in a small tumour
	cfg.Model.Birth, cfg.Model.Death = 0.6, 0.2 // fast growth: short tests
	cfg.CTDNA.Every = -1
	cfg.Engine.RecordAt = 20
	cfg.Horizon = 60
	cfg.Lethal = 2e5
	cfg.Demes = &dc
	cfg.Defaults()
	return cfg
}

var demeSettings = []sim.DemesConfig{
	{Dim: 2, K: 200, Dispersal: sim.DemeFission},
	{Dim: 2, K: 200, Dispersal: sim.DemeFission, Wait: true},
	{Dim: 3, K: 100, Dispersal: sim.DemeFission},
	{Dim: 2, K: 200, Dispersal: sim.DemeInvasion, Migration: 0.05},
	{Dim: 3, K: 100, Dispersal: sim.DemeInvasion, Migration: 0.2},
}

// TestDemesInvariants: after every deme step of growth and treatment the
// grid holds exactly the demes, every deme holds between 1 and K cells in
// sorted, positive entries of live clones, and clone, class and total
// counts agree; whole replicates end consistent too.
func TestDemesInvariants(t *testing.T) {
	for _, dc := range demeSettings {
		dc.Step = 0.25
		cfg := demesConfig(7, dc, 2e4)
		m := cfg.Model
		dm := sim.NewDemes(&m, dc, cfg.Engine)
		for seed := uint64(11); dm.Total() == 0; seed++ {
			if seed > 100 {
				t.Fatalf("%+v: 90 founders died out", dc)
			}
			dm.Reset(seed, 1, 0)
			for dm.Total() > 0 && dm.Total() < 2e4 {
				dm.Advance(dm.Time()+0.25, sim.NoDrug{})
				if err := dm.Check(); err != nil {
					t.Fatalf("%+v growth, day %.2f: %v", dc, dm.Time(), err)
				}
			}
		}
		if dm.Demes() < 2 || dm.Born() < 2 {
			t.Errorf("%+v: %d demes and %d clones at %d cells", dc, dm.Demes(), dm.Born(), dm.Total())
		}
		drug := sim.Constant{C: []float64{2000, 0, 0}}
		for step := 0; step < 200 && dm.Total() > 0 && dm.Total() < 2e5; step++ {
			dm.Advance(dm.Time()+0.25, drug)
			if err := dm.Check(); err != nil {
				t.Fatalf("%+v treatment, day %.2f: %v", dc, dm.Time(), err)
			}
		}
		rp := sim.NewReplicator(&cfg)
		for rep := range 3 {
			var res sim.Result
			if err := rp.Run(rep, &res); err != nil {
				t.Fatal(err)
			}
			if err := rp.Demes().Check(); err != nil {
				t.Fatalf("%+v replicate %d: %v", dc, rep, err)
			}
			if n := res.AtStart[0] + res.AtStart[1] + res.AtStart[2]; n < 2e4 || n > 2e4*1.01 {
				t.Errorf("%+v replicate %d: %v cells at detection, want 2e4 within 1%%", dc, rep, res.AtStart)
			}
			var sum int64
			for _, g := range res.Genotypes {
				sum += g.Cells
			}
			if f := res.Final; sum != f[0]+f[1]+f[2] {
				t.Errorf("%+v replicate %d: genotypes hold %d cells, final counts %v", dc, rep, sum, f)
			}
			if res.Events[len(res.Events)-1].Kind != "end" || len(res.Trajectory) < 2 {
				t.Errorf("%+v replicate %d: events %v, %d trajectory points", dc, rep, res.Events, len(res.Trajectory))
			}
		}
		rp.Close()
	}
}
