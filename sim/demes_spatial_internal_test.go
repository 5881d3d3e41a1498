package sim

import (
	"fmt"
	"testing"

	"github.com/p53evo/p53evo/model"
)

// TestDemesWholePunchCarriers: a punch over a whole deme tumour counts,
// for every variant, exactly the cells of the live clones whose genotype
// carries it (read off the clones and their genotypes, not the demes), and
// its cells are the sum of the tumour's class counts; 2 copies of TP53
// (heterozygous SNVs, two hits of one SNV on both copies counted once) in
// 2D and 3D.
func TestDemesWholePunchCarriers(t *testing.T) {
	for _, dc := range []DemesConfig{{Dim: 2, K: 100, Dispersal: DemeFission}, {Dim: 3, K: 50, Dispersal: DemeInvasion, Migration: 0.2}} {
		m := model.Default()
		m.Birth, m.Death, m.MutationRate = 0.6, 0.2, 3e-4
		m.Alleles.Copies = 2
		cfg := Config{Model: m, Detect: 2e4, Seed: 1, Horizon: 10, Lethal: 1e6, Demes: &dc}
		cfg.Defaults()
		cfg.CTDNA.Every = -1
		cfg.Spatial = &SpatialConfig{Regions: RegionConfig{At: SpatialTimes{End: true}, Radius: 1e6, Positions: [][3]float64{{0, 0, 0}}}}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		dm := NewDemes(&cfg.Model, dc, cfg.Engine)
		for seed := uint64(5); dm.Total() == 0; seed++ {
			dm.Reset(seed, 1, 0)
			for dm.Total() > 0 && dm.Total() < 2e4 {
				dm.Advance(dm.Time()+0.25, NoDrug{})
			}
		}
		o := newSpatialObs(&cfg, dm)
		res := &Result{}
		o.res = res
		o.regions(MomentEnd)
		want := map[string]int64{}
		for _, id := range dm.live {
			cl := &dm.clones[id]
			want["Y220C"] += cl.n
			seen := map[[2]int]bool{}
			for _, h := range dm.tm.genos[cl.geno].g.Hits {
				if seen[[2]int{h.Mut, h.Site}] {
					continue
				}
				seen[[2]int{h.Mut, h.Site}] = true
				name := m.Catalog[h.Mut].Name
				if m.SNVs(h.Mut) > 1 {
					name += fmt.Sprintf("#%d", h.Site+1)
				}
				want[name] += cl.n
			}
		}
		c := dm.Counts()
		total := c[0] + c[1] + c[2]
		got := map[string]map[string]int64{SamplePunch: {}, SampleWhole: {}}
		for _, r := range res.Regions {
			if r.Sample == SamplePooled {
				continue
			}
			if r.Cells != total {
				t.Errorf("%+v: %s holds %d cells, the tumour %d (classes %v)", dc, r.Sample, r.Cells, total, c)
			}
			got[r.Sample][r.Variant] = r.Carriers
		}
		for _, s := range []string{SamplePunch, SampleWhole} {
			if fmt.Sprint(got[s]) != fmt.Sprint(want) {
				t.Errorf("%+v: %s carriers %v, want %v", dc, s, got[s], want)
			}
		}
		if len(want) < 5 || dm.Demes() < 20 {
			t.Errorf("%+v: %d variants in %d demes: the test proves little", dc, len(want), dm.Demes())
		}
	}
}
