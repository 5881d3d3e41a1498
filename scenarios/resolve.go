package scenarios

import (
	"fmt"
	"maps"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// Resolve checks s, fills every default and builds the engine configuration:
// the model, the engine settings and a therapy factory (a sim.Piecewise over
// the treatment phases, concentrations indexed like Model.Drugs; nil when
// untreated). The replicate count is s.ReplicateCount().
func Resolve(s *Scenario) (sim.Config, error) {
	f, err := check(s, nil)
	if err != nil {
		return sim.Config{}, err
	}
	return resolveFilled(f)
}

// resolveFilled builds the configuration of a filled, validated scenario.
func resolveFilled(f *Scenario) (sim.Config, error) {
	m := model.Model{
		Birth:        *f.Growth.Birth,
		Death:        *f.Growth.Death,
		MutationRate: *f.Mutation.Rate,
		Alleles:      model.Alleles{Copies: *f.Alleles.Copies, Dominance: *f.Alleles.Dominance},
		Tolerance:    *f.Tolerance,
	}
	comb, ok := parseCombination(*f.Combination)
	if !ok {
		return sim.Config{}, fmt.Errorf("combination %q", *f.Combination)
	}
	m.Combination = comb
	for _, e := range f.Mutation.Catalog.Entries {
		c, err := model.ParseMutClass(*e.Class)
		if err != nil {
			return sim.Config{}, err
		}
		mu := model.Mutation{Name: e.Name, Class: c, Sites: *e.Sites, BirthDelta: *e.BirthDelta, DeathDelta: *e.DeathDelta}
		if len(e.EC50Fold) > 0 {
			mu.EC50Fold = maps.Clone(e.EC50Fold)
		}
		m.Catalog = append(m.Catalog, mu)
	}
	for _, d := range f.Drugs {
		t, err := model.ParseTarget(*d.Target)
		if err != nil {
			return sim.Config{}, err
		}
		md := model.Drug{Name: d.Name, Target: t, Emax: *d.Emax, EC50: *d.EC50, Hill: *d.Hill}
		if d.PocketFold != nil {
			md.PocketFold = *d.PocketFold
		}
		m.Drugs = append(m.Drugs, md)
	}
	cfg := sim.Config{
		Model:       m,
		Founder:     *f.Founder.Cells,
		Detect:      *f.Detection.Size,
		Step:        *f.Engine.Step,
		GrowthGrid:  *f.Record.GrowthGrid,
		Grid:        *f.Record.Grid,
		MinStep:     *f.Engine.MinStep,
		Scan:        *f.Observe.ScanEvery,
		FollowUp:    *f.Stop.FollowUp,
		Horizon:     *f.Stop.Horizon,
		Lethal:      *f.Stop.Lethal,
		MaxAttempts: *f.Engine.MaxAttempts,
		Engine: sim.Options{
			ExactBelow: *f.Engine.ExactBelow,
			RecordAt:   *f.Record.CloneThreshold,
			Shards:     *f.Engine.Shards,
			ShardMin:   *f.Engine.ShardMin,
		},
		Seed: *f.Seed,
	}
	if ph := f.Treatment.Phases; len(ph) > 0 {
		pw := sim.Piecewise{Start: make([]float64, len(ph)), C: make([][]float64, len(ph))}
		for i, p := range ph {
			pw.Start[i] = *p.Start
			pw.C[i] = make([]float64, len(m.Drugs))
			for name, c := range p.Doses {
				k := m.DrugIndex(name)
				if k < 0 {
					return sim.Config{}, fmt.Errorf("treatment.phases[%d].doses: unknown drug %q", i, name)
				}
				pw.C[i][k] = c
			}
		}
		cfg.Therapy = func() sim.Therapy { return pw }
	}
	return cfg, nil
}

func parseCombination(s string) (model.Combination, bool) {
	for c, n := range combinationNames {
		if n == s {
			return c, true
		}
	}
	return 0, false
}
