package sim_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// spaceDraws turns blood draws on, every 14 days, with shedding raised so
// that a tumour of 1e4 to 1e5 cells shows in plasma (at the default a
// lesion that small gives VAFs of 1e-8).
func spaceDraws(cfg *sim.Config) {
	cfg.CTDNA = sim.CTDNAConfig{Every: 14, Shed: 1e3}
	cfg.CTDNA.Defaults()
}

// TestSpatialDrawsWorkers: with blood draws on, 1 and 3 workers (and, for
// the demes, 1 and 3 goroutines per replicate; for the lattice's block
// update, 1 and 4 goroutines) give bit-identical replicates, ctDNA rows
// included, for the lattice (serial and block update) and both deme
// dispersals; the draws show variants, and another seed changes them.
func TestSpatialDrawsWorkers(t *testing.T) {
	lat := latticeConfig(5, sim.LatticeConfig{Dim: 2, Rule: sim.RulePush}, 5000)
	lat.Horizon = 120
	blk := latticeConfig(5, sim.LatticeConfig{Dim: 2, Rule: sim.RulePush, Block: 16, Goroutines: 1}, 5000)
	blk.Horizon = 120
	fis := demesConfig(5, sim.DemesConfig{Dim: 2, K: 100, Dispersal: sim.DemeFission}, 2e4)
	inv := demesConfig(5, sim.DemesConfig{Dim: 3, K: 50, Dispersal: sim.DemeInvasion, Migration: 0.3}, 2e4)
	for name, cfg := range map[string]sim.Config{"lattice": lat, "lattice blocks": blk, "demes fission": fis, "demes invasion": inv} {
		spaceDraws(&cfg)
		ref := runDigests(t, cfg, 4, 1)
		c3 := cfg
		if cfg.Demes != nil {
			c3.Engine.Shards = 3
		}
		if cfg.Lattice != nil && cfg.Lattice.Block > 0 {
			lc := *cfg.Lattice
			lc.Goroutines = 4
			c3.Lattice = &lc
		}
		got := runDigests(t, c3, 4, 3)
		for i := range ref {
			if got[i] != ref[i] {
				t.Errorf("%s: replicate %d: 3 workers %+v, 1 worker %+v", name, i, got[i], ref[i])
			}
		}
		rows := 0
		err := sim.Run(t.Context(), &cfg, sim.RunOptions{Count: 4, Workers: 1}, sim.SinkFunc(func(r *sim.Result) error {
			rows += len(r.CTDNA)
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		if rows == 0 {
			t.Errorf("%s: no ctDNA rows in 4 replicates; the test does not exercise the draws", name)
		}
		cfg.Seed++
		if other := runDigests(t, cfg, 1, 1); other[0] == ref[0] {
			t.Errorf("%s: another seed gives the same replicate", name)
		}
		t.Logf("%s: %d ctDNA rows in 4 replicates", name, rows)
	}
}

// TestDemesDrawsWellMixedLimit: a deme tumour of one deme that never fills
// (K = 1e15) is the well-mixed tumour, and so are its blood draws: over
// 1000 replicates each (detection at 1e5 cells, then rezatapopt at 2000 for
// 28 days, draws at days 0, 14 and 28), the summed true VAF of the
// resistance SNVs at day 0 and at day 28, the alt reads at day 28 and the
// tumour fraction at day 28 agree by two-sample Kolmogorov-Smirnov tests (D
// below the 1% critical value); at twice the mutation rate the summed VAF
// at day 0 differs.
func TestDemesDrawsWellMixedLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("3000 replicates")
	}
	const n = 1000
	type laws struct{ vaf0, vaf28, alt28, tf28 []float64 }
	run := func(dc *sim.DemesConfig, rate float64) laws {
		m := model.Default()
		m.Birth, m.Death, m.MutationRate = 0.3, 0.27, rate // treated, sensitive cells shrink
		cfg := sim.Config{Model: m, Detect: 1e5, Seed: 91, Horizon: 28, Demes: dc}
		cfg.Therapy = func() sim.Therapy { return sim.Constant{C: []float64{2000, 0, 0}} }
		spaceDraws(&cfg)
		cfg.CTDNA.RecordMinVAF = 1e-300 // a row for every variant present
		cfg.Defaults()
		var l laws
		err := sim.Run(t.Context(), &cfg, sim.RunOptions{Count: n, Workers: 2}, sim.SinkFunc(func(r *sim.Result) error {
			var v0, v28, a28 float64
			tf := math.NaN()
			for _, row := range r.CTDNA {
				switch row.Time {
				case 0:
					v0 += row.TrueVAF
				case 28:
					v28 += row.TrueVAF
					a28 += float64(row.AltReads)
					tf = row.TumourFraction
				}
			}
			l.vaf0, l.vaf28, l.alt28 = append(l.vaf0, v0), append(l.vaf28, v28), append(l.alt28, a28)
			if !math.IsNaN(tf) {
				l.tf28 = append(l.tf28, tf)
			}
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	crit := func(a, b []float64) float64 {
		na, nb := float64(len(a)), float64(len(b))
		return 1.63 * math.Sqrt((na+nb)/(na*nb))
	}
	one := &sim.DemesConfig{Dim: 2, K: 1e15, Dispersal: sim.DemeFission}
	wm, dm, dm2 := run(nil, 1e-7), run(one, 1e-7), run(one, 2e-7)
	for _, c := range []struct {
		name string
		a, b []float64
	}{{"summed VAF at day 0", wm.vaf0, dm.vaf0}, {"summed VAF at day 28", wm.vaf28, dm.vaf28}, {"alt reads at day 28", wm.alt28, dm.alt28}, {"tumour fraction at day 28", wm.tf28, dm.tf28}} {
		d, k := ks2(c.a, c.b), crit(c.a, c.b)
		t.Logf("%s: KS D %.3f (1%% critical %.3f); medians %.4g, %.4g", c.name, d, k, median(c.a), median(c.b))
		if d > k || len(c.b) < n/2 {
			t.Errorf("%s: the deme tumour of one deme differs from the well-mixed one: KS D %.3f > %.3f (%d, %d values)", c.name, d, k, len(c.a), len(c.b))
		}
	}
	if d, k := ks2(wm.vaf0, dm2.vaf0), crit(wm.vaf0, dm2.vaf0); d <= k {
		t.Errorf("twice the mutation rate not detected in the summed VAF at day 0: KS D %.3f <= %.3f", d, k)
	}
}

// TestLatticeSwitchAtCTDNA: on a lattice, a phase ending at a ctDNA call
// (until: ctdna) ends at the first draw that calls a pocket variant at an
// observed VAF of at least the trigger, and the next phase's doses hold
// from then on.
func TestLatticeSwitchAtCTDNA(t *testing.T) {
	const trigger = 0.005
	p := &sim.Policy{Phases: []sim.PhaseSpec{
		{Name: "rezatapopt", Doses: []float64{2000, 0, 0}, End: sim.EndRule{Kind: sim.EndCTDNA, Class: model.ClassPocket, VAF: trigger}, Next: 1, NextSet: true},
		{Name: "nextgen", Doses: []float64{0, 2000, 0}, End: sim.EndRule{Kind: sim.EndProgression}, Next: -1, NextSet: true},
	}}
	switched := 0
	for rep := range 4 {
		cfg := latticeConfig(3, sim.LatticeConfig{Dim: 2, Rule: sim.RulePush}, 2e4)
		cfg.Model.Catalog = []model.Mutation{{Name: "pocket", Class: model.Pocket, Sites: 1}}
		cfg.Model.MutationRate = 1e-4
		// rezatapopt's kill (0.04/day) shrinks sensitive cells, pocket
		// mutants grow at 0.03/day
		cfg.Model.Birth, cfg.Model.Death = 0.3, 0.27
		cfg.Horizon, cfg.Lethal = 300, 1e5
		cfg.Therapy = func() sim.Therapy { return p.Clone() }
		cfg.Scan = cfg.Horizon // imaging out of the way: the draws decide
		spaceDraws(&cfg)
		rp := sim.NewReplicator(&cfg)
		var res sim.Result
		if err := rp.Run(rep, &res); err != nil {
			t.Fatal(err)
		}
		rp.Close()
		want := math.NaN()
		for _, r := range res.CTDNA {
			if r.Class == model.ClassPocket && r.Called && float64(r.AltReads)/float64(r.Depth) >= trigger {
				want = r.Time
				break
			}
		}
		got, why := math.NaN(), ""
		for _, e := range res.Events {
			if e.Kind == "phase" && field(e.Detail, "phase") == "nextgen" {
				got, why = e.Time, field(e.Detail, "why")
			}
		}
		if !(got == want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("rep %d: switch at %v, the draws say %v", rep, got, want)
		}
		if !math.IsNaN(got) {
			switched++
			if why != "ctdna" {
				t.Errorf("rep %d: switch logged why=%s, want ctdna", rep, why)
			}
			for _, pt := range res.Trajectory {
				if pt.Time > got && (pt.Conc[0] != 0 || pt.Conc[1] != 2000) {
					t.Fatalf("rep %d t=%v: conc %v after the switch", rep, pt.Time, pt.Conc[:2])
				}
			}
		}
		t.Logf("rep %d: switch at %v, first call %v, outcome %v, %d ctDNA rows", rep, got, res.FirstCTDNACall, res.Outcome, len(res.CTDNA))
	}
	if switched == 0 {
		t.Error("no replicate switched; the test does not exercise the trigger")
	}
}

// TestSpatialDrawsLeaveTheTumour: blood draws only read the tumour. With
// draw days on the recording grid (every 14 days, grid 7), a lattice or
// deme replicate with draws has the trajectory, final counts, clones and
// outcome of the same replicate without them; its draws show variants.
// (Draws off the grid split steps: other random numbers, the same law;
// every 10 days fails this test.)
func TestSpatialDrawsLeaveTheTumour(t *testing.T) {
	lat := latticeConfig(9, sim.LatticeConfig{Dim: 2, Rule: sim.RulePush}, 5000)
	lat.Horizon = 120
	dem := demesConfig(9, sim.DemesConfig{Dim: 2, K: 100, Dispersal: sim.DemeInvasion, Migration: 0.2}, 2e4)
	for name, off := range map[string]sim.Config{"lattice": lat, "demes": dem} {
		on := off
		spaceDraws(&on)
		type run struct {
			traj, clones string
			final        [3]int64
			outcome      sim.Outcome
			rows         int
		}
		get := func(cfg sim.Config) []run {
			var out []run
			err := sim.Run(t.Context(), &cfg, sim.RunOptions{Count: 3, Workers: 1}, sim.SinkFunc(func(r *sim.Result) error {
				out = append(out, run{fmt.Sprint(r.Trajectory), fmt.Sprint(r.Clones), r.Final, r.Outcome, len(r.CTDNA)})
				return nil
			}))
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		a, b := get(off), get(on)
		rows := 0
		for i := range a {
			rows += b[i].rows
			if a[i].traj != b[i].traj || a[i].clones != b[i].clones || a[i].final != b[i].final || a[i].outcome != b[i].outcome {
				t.Errorf("%s replicate %d: draws changed the tumour: final %v vs %v, outcome %v vs %v", name, i, a[i].final, b[i].final, a[i].outcome, b[i].outcome)
			}
		}
		if rows == 0 {
			t.Errorf("%s: no ctDNA rows; the test does not exercise the draws", name)
		}
	}
}
