package sim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/model"
)

// TestDemesWholePunchCarriers: a punch over a whole deme tumour counts,
// for every variant, exactly the cells of the live clones that carry it
// (read off the clones and the SNVs their ancestries founded, not the
// demes; SNVs of one entry told apart, as blood draws tell them), and its
// cells are the sum of the tumour's class counts; 2 copies of TP53
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
			// the SNV each clone of the ancestry founded
			for a := id; dm.tm.ancParent[a] >= 0; a = dm.tm.ancParent[a] {
				hs := dm.tm.genos[dm.tm.ancGeno[a]].g.Hits
				h, site := hs[len(hs)-1], int(dm.tm.ancSite[a])
				if seen[[2]int{h.Mut, site}] {
					continue
				}
				seen[[2]int{h.Mut, site}] = true
				name := m.Catalog[h.Mut].Name
				if m.SNVs(h.Mut) > 1 {
					name += fmt.Sprintf("#%d", site+1)
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
		multi := 0
		for name := range want {
			if _, k, ok := strings.Cut(name, "#"); ok && k != "1" {
				multi++
			}
		}
		if len(want) < 5 || multi == 0 || dm.Demes() < 20 {
			t.Errorf("%+v: %d variants (%d an entry's SNV other than the first) in %d demes: the test proves little", dc, len(want), multi, dm.Demes())
		}
	}
}
