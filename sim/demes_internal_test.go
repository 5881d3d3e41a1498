package sim

import (
	"testing"

	"github.com/p53evo/p53evo/model"
)

// TestDemesPassAllocatesNothing: a deme pass (every deme's clones advanced
// over one step, serially or on the pool) allocates nothing once the
// demes' buffers have grown, in both dispersal modes. The pass is replayed
// on the same state: each replay draws anew and overwrites the sizes.
func TestDemesPassAllocatesNothing(t *testing.T) {
	m := model.Default()
	m.Birth, m.Death, m.MutationRate = 0.6, 0.2, 1e-5
	for _, dc := range []DemesConfig{
		{Dim: 2, K: 100, Dispersal: DemeFission},
		{Dim: 3, K: 100, Dispersal: DemeInvasion, Migration: 0.2},
	} {
		for _, shards := range []int{1, 2} {
			dm := NewDemes(&m, dc, Options{RecordAt: 10, Shards: shards})
			for seed := uint64(1); dm.Total() == 0; seed++ {
				dm.Reset(seed, 1, 0)
				for dm.Total() > 0 && dm.Total() < 20_000 {
					dm.Advance(dm.Time()+1, NoDrug{})
				}
			}
			if dm.Demes() < demeShardMin || dm.Clones() < 10 {
				t.Fatalf("%v: %d demes, %d clones", dc.Dispersal, dm.Demes(), dm.Clones())
			}
			saved := make([][]dentry, len(dm.demes))
			for i := range dm.demes {
				saved[i] = append([]dentry(nil), dm.demes[i].ent...)
			}
			b := dm.t + 0.25
			dm.begin(b, Constant{C: []float64{500, 0, 0}})
			pass := func() {
				for i := range dm.demes {
					copy(dm.demes[i].ent, saved[i])
				}
				if dm.pool != nil {
					dm.pool.run(dm, b)
				} else {
					dm.advanceRun(0, 0, len(dm.demes), b)
				}
			}
			pass()
			daughters := 0
			for k := range dm.spend {
				daughters += len(dm.spend[k])
			}
			if a := testing.AllocsPerRun(20, pass); a != 0 {
				t.Errorf("%v, %d shards: %.1f allocations per pass over %d demes", dc.Dispersal, shards, a, dm.Demes())
			}
			t.Logf("%v, %d shards: %d demes, %d daughters in one pass", dc.Dispersal, shards, dm.Demes(), daughters)
			dm.Close()
		}
	}
}
