package sim_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// TestGenotypeCounts: the final cells per genotype add up to the final
// class totals, name each genotype once, carry its class, and do not depend
// on the number of workers (a worker's genotype cache outlives replicates).
func TestGenotypeCounts(t *testing.T) {
	byWorkers := map[int][]string{}
	for _, w := range []int{1, 3} {
		cfg := smallConfig(5)
		err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: 9, Workers: w}, sim.SinkFunc(func(r *sim.Result) error {
			byWorkers[w] = append(byWorkers[w], fmt.Sprint(r.Replicate, r.Genotypes))
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(byWorkers[1]) != fmt.Sprint(byWorkers[3]) {
		t.Errorf("genotypes differ with the number of workers:\n%v\n%v", byWorkers[1], byWorkers[3])
	}
	for _, merge := range []bool{false, true} {
		cfg := smallConfig(11)
		cfg.Engine.Merge = merge
		if merge {
			cfg.CTDNA.Every = 0
		}
		n, multi := 0, 0
		err := sim.Run(context.Background(), &cfg, sim.RunOptions{Count: 12, Workers: 2}, sim.SinkFunc(func(r *sim.Result) error {
			var sum [model.NumClasses]int64
			seen := map[string]bool{}
			for i, g := range r.Genotypes {
				if g.Cells <= 0 || seen[g.Genotype] || g.Class >= model.NumClasses || i > 0 && r.Genotypes[i-1].Genotype > g.Genotype {
					t.Errorf("merge %v, replicate %d: bad genotype row %+v", merge, r.Replicate, g)
				}
				seen[g.Genotype] = true
				sum[g.Class] += g.Cells
			}
			if sum != r.Final {
				t.Errorf("merge %v, replicate %d: genotypes sum to %v, final %v", merge, r.Replicate, sum, r.Final)
			}
			if len(r.Genotypes) > 1 {
				multi++
			}
			n++
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		if n != 12 || multi == 0 {
			t.Errorf("merge %v: %d replicates, %d with several genotypes", merge, n, multi)
		}
	}
}
