package sim_test

import (
	"math"
	"testing"
	"time"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

func TestLawDbg(t *testing.T) {
	for _, rule := range []sim.LatticeRule{sim.RulePush} {
		m := model.Default()
		m.Birth, m.Death, m.MutationRate = 1, 0.3, 3e-6
		n := 1000
		st := time.Now()
		sd, sr := blockLaw(t, sim.LatticeConfig{Dim: 2, Rule: rule}, &m, n, 1000)
		t1 := time.Since(st)
		pd, pr := blockLaw(t, sim.LatticeConfig{Dim: 2, Rule: rule, Block: 16, Goroutines: 1}, &m, n, 5000)
		t.Logf("%v: serial %v, blocks %v; days KS %.3f medians %.3f %.3f; res KS %.3f medians %.0f %.0f; crit %.3f", rule, t1, time.Since(st)-t1, ks2(sd, pd), median(sd), median(pd), ks2(sr, pr), median(sr), median(pr), 1.63*math.Sqrt(2.0/float64(n)))
	}
}
