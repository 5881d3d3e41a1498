package sim_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/model"

	"github.com/p53evo/p53evo/sim"
)

// demesConfig is smallConfig in the deme mode at a small detection size (no
// blood draws, which the tests that want them turn on).
func demesConfig(seed uint64, dc sim.DemesConfig, detect float64) sim.Config {
	cfg := smallConfig(seed)
	cfg.Detect = detect
	cfg.Model.MutationRate = 1e-5               // mutants in a small tumour
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

// TestDemesWorkersAndShards: 1, 2 and 8 workers, and 1, 2 and 8 goroutines
// per replicate advancing the demes (engine.shards), give bit-identical
// replicates in both dispersal modes; another seed does not.
func TestDemesWorkersAndShards(t *testing.T) {
	for _, dc := range []sim.DemesConfig{
		{Dim: 2, K: 50, Dispersal: sim.DemeFission},
		{Dim: 3, K: 50, Dispersal: sim.DemeInvasion, Migration: 0.3},
	} {
		cfg := demesConfig(3, dc, 2e4)
		ref := runDigests(t, cfg, 4, 1)
		for _, ws := range [][2]int{{2, 1}, {8, 1}, {1, 2}, {1, 8}, {2, 8}} {
			w, sh := ws[0], ws[1]
			c := cfg
			c.Engine.Shards = sh
			got := runDigests(t, c, 4, w)
			for i := range ref {
				if got[i] != ref[i] {
					t.Errorf("%v: replicate %d: %d workers x %d shards %+v, 1 x 1 %+v", dc.Dispersal, i, w, sh, got[i], ref[i])
				}
			}
		}
		cfg.Seed = 4
		if other := runDigests(t, cfg, 1, 1); other[0] == ref[0] {
			t.Errorf("%v: another seed gives the same replicate", dc.Dispersal)
		}
	}
}

// TestDemesReplayAllocatesNothing: once a worker's buffers have grown,
// replaying a replicate's growth in fission mode (one cell to 2e4 cells in
// demes of 100, mutants included) and 5 days of treatment, deme step after
// deme step, fission and bookkeeping included, allocates nothing, serially
// and on a pool of goroutines. (In invasion mode a replay may allocate: the
// demes' entry buffers are reused in a different order, so a deme can
// outgrow the buffer it inherits; TestDemesPassAllocatesNothing covers
// the deme pass of both modes.)
func TestDemesReplayAllocatesNothing(t *testing.T) {
	m := model.Default()
	m.Birth, m.Death, m.MutationRate = 0.6, 0.2, 1e-5
	for _, dc := range []sim.DemesConfig{
		{Dim: 2, K: 100, Dispersal: sim.DemeFission, Step: 0.25},
		{Dim: 3, K: 100, Dispersal: sim.DemeFission, Step: 0.25, Wait: true},
	} {
		for _, shards := range []int{1, 2} {
			dm := sim.NewDemes(&m, dc, sim.Options{RecordAt: 10, Shards: shards})
			var drug sim.Exposure = sim.Constant{C: []float64{2000, 0, 0}}
			seed := uint64(0)
			grow := func() {
				dm.Reset(seed, 1, 0)
				for dm.Total() > 0 && dm.Total() < 20_000 {
					dm.Advance(dm.Time()+1, sim.NoDrug{})
				}
				dm.Advance(dm.Time()+5, drug)
			}
			for dm.Updates < 5_000 { // a founder whose lineage survives
				seed++
				grow()
			}
			first := dm.Updates
			if a := testing.AllocsPerRun(2, grow); a != 0 {
				t.Errorf("%v, %d shards: %.0f allocations replaying %d deme updates", dc.Dispersal, shards, a, dm.Updates)
			}
			if dm.Updates != first || dm.Born() < 10 {
				t.Errorf("%v: replay took %d deme updates (first run %d), %d clones", dc.Dispersal, dm.Updates, first, dm.Born())
			}
			dm.Close()
		}
	}
}

// TestDemesWellMixedLimit: with a carrying capacity no deme reaches (1e15),
// the deme mode is one deme whose clones are the well-mixed engine's, so
// the law of the cells and of the resistant cells at detection must be the
// well-mixed one. 400 replicates a side (b = 1, d = 0.5, a mutation rate
// that makes resistance common, stop at detection at 1e5 cells): the totals
// and the resistant cells agree by two-sample Kolmogorov-Smirnov tests (D
// below the 1% critical value 1.63 sqrt(2/400)). The same tests must reject
// a deme run at twice the mutation rate. Fission with pushing into demes of
// 100 cells must keep the law as well (splits move cells, never slow them).
func TestDemesWellMixedLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("1200 replicates")
	}
	const n = 400
	run := func(dc *sim.DemesConfig, rate float64) (cells, resistant []float64) {
		m := model.Default()
		m.Birth, m.Death, m.MutationRate = 1, 0.5, rate
		cfg := sim.Config{Model: m, Detect: 1e5, Seed: 77, StopAtDetection: true, Demes: dc}
		cfg.CTDNA.Every = -1
		cfg.Defaults()
		err := sim.Run(t.Context(), &cfg, sim.RunOptions{Count: n, Workers: 2}, sim.SinkFunc(func(r *sim.Result) error {
			a := r.AtStart
			cells = append(cells, float64(a[0]+a[1]+a[2]))
			resistant = append(resistant, float64(a[model.ClassTALoss]+a[model.ClassPocket]))
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		return cells, resistant
	}
	crit := 1.63 * math.Sqrt(2.0/n)
	wmC, wmR := run(nil, 1e-7)
	one := &sim.DemesConfig{Dim: 2, K: 1e15, Dispersal: sim.DemeFission}
	dC, dR := run(one, 1e-7)
	dC2, dR2 := run(one, 2e-7)
	dCells, dRes := ks2(wmC, dC), ks2(wmR, dR)
	pCells, pRes := ks2(wmC, dC2), ks2(wmR, dR2)
	t.Logf("KS D (1%% critical %.3f): cells %.3f, resistant cells %.3f; at twice the mutation rate: cells %.3f, resistant %.3f; median resistant %g, %g, %g",
		crit, dCells, dRes, pCells, pRes, median(wmR), median(dR), median(dR2))
	if dCells > crit || dRes > crit {
		t.Errorf("deme mode at K = 1e15 differs from the well-mixed engine: KS D cells %.3f, resistant %.3f > %.3f", dCells, dRes, crit)
	}
	if pRes <= crit {
		t.Errorf("twice the mutation rate not detected: KS D resistant %.3f <= %.3f", pRes, crit)
	}
	// Fission with pushing never slows a cell: splitting a deme only
	// relabels where cells are, so 1,000 demes of 100 cells at detection
	// must keep the well-mixed law too.
	fC, fR := run(&sim.DemesConfig{Dim: 2, K: 100, Dispersal: sim.DemeFission}, 1e-7)
	fCells, fRes := ks2(wmC, fC), ks2(wmR, fR)
	t.Logf("fission, K = 100: KS D cells %.3f, resistant cells %.3f; median resistant %g", fCells, fRes, median(fR))
	if fCells > crit || fRes > crit {
		t.Errorf("fission with pushing at K = 100 differs from the well-mixed engine: KS D cells %.3f, resistant %.3f > %.3f", fCells, fRes, crit)
	}
}

// ks2 is the two-sample Kolmogorov-Smirnov distance (ties handled).
func ks2(a, b []float64) float64 {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	d := 0.0
	for i, j := 0, 0; i < len(x) && j < len(y); {
		v := min(x[i], y[j])
		for i < len(x) && x[i] == v {
			i++
		}
		for j < len(y) && y[j] == v {
			j++
		}
		d = max(d, math.Abs(float64(i)/float64(len(x))-float64(j)/float64(len(y))))
	}
	return d
}

func median(x []float64) float64 {
	y := slices.Clone(x)
	slices.Sort(y)
	return y[len(y)/2]
}

// TestDemesBoundaryGrowth: where only demes with room grow, a 2D tumour
// grows from its edge: its radius in demes, sqrt(demes/pi), grows linearly
// in time and its cells as t^2. Checked on a pure birth process (b = 1/day,
// K = 100) from one cell to 3,000 demes, for fission with the wait rule and
// for invasion (migration 0.5/day), from 200 demes on: the radius in demes
// and the radius of the cells, sqrt(N/(K pi)), against time are lines with
// R^2 > 0.995, and log N against log(t - t0) (t0 the cell radius line's
// intercept with 0) has slope 2 +- 0.15. Fission with pushing, in
// contrast, grows exponentially at the cells' rate: log N against t is a
// line of slope 1 +- 0.05. In 3D (fission waiting, K = 20, to 20,000 demes)
// the cell radius is linear and N ~ t^(3 +- 0.2).
func TestDemesBoundaryGrowth(t *testing.T) {
	m := pureBirth()
	for _, dc := range []sim.DemesConfig{
		{Dim: 2, K: 100, Dispersal: sim.DemeFission, Wait: true},
		{Dim: 2, K: 100, Dispersal: sim.DemeInvasion, Migration: 0.5},
	} {
		dm := sim.NewDemes(&m, dc, sim.Options{})
		dm.Reset(5, 1, 0)
		var ts, rs, cs, ns []float64
		for dm.Demes() < 3000 {
			dm.Advance(dm.Time()+1, sim.NoDrug{})
			if dm.Demes() >= 200 {
				ts = append(ts, dm.Time())
				rs = append(rs, math.Sqrt(float64(dm.Demes())/math.Pi))
				cs = append(cs, math.Sqrt(float64(dm.Total())/(dc.K*math.Pi)))
				ns = append(ns, float64(dm.Total()))
			}
		}
		a, v, r2 := fitLine(ts, rs)
		ac, vc, r2c := fitLine(ts, cs)
		t0 := -ac / vc
		if r2c < 0.995 {
			t.Errorf("%v: cell radius against time: R^2 %.5f, want > 0.995 (N ~ t^2)", dc.Dispersal, r2c)
		}
		var lx, ly []float64
		for i := range ts {
			if ts[i]-t0 > 0 {
				lx = append(lx, math.Log(ts[i]-t0))
				ly = append(ly, math.Log(ns[i]))
			}
		}
		_, slope, _ := fitLine(lx, ly)
		t.Logf("%v (wait %v): radius = %.3f t %+.2f demes (R^2 %.5f) to day %.0f, %d demes, %d cells; N ~ (t - %.1f)^%.3f; max radius %.1f",
			dc.Dispersal, dc.Wait, v, a, r2, dm.Time(), dm.Demes(), dm.Total(), t0, slope, dm.Radius())
		if r2 < 0.995 {
			t.Errorf("%v: radius against time: R^2 %.5f, want > 0.995 (linear growth)", dc.Dispersal, r2)
		}
		if math.Abs(slope-2) > 0.15 {
			t.Errorf("%v: N ~ t^%.3f, want t^2", dc.Dispersal, slope)
		}
	}
	// 3D, fission waiting at K = 20: the radius (3 demes / 4 pi)^(1/3)
	// grows linearly and the cells as t^3
	{
		dm := sim.NewDemes(&m, sim.DemesConfig{Dim: 3, K: 20, Dispersal: sim.DemeFission, Wait: true}, sim.Options{})
		dm.Reset(5, 1, 0)
		var ts, cs, ns []float64
		for dm.Demes() < 20_000 {
			dm.Advance(dm.Time()+1, sim.NoDrug{})
			if dm.Demes() >= 500 {
				ts = append(ts, dm.Time())
				cs = append(cs, math.Cbrt(3*float64(dm.Total())/(4*math.Pi*20)))
				ns = append(ns, float64(dm.Total()))
			}
		}
		a, v, r2 := fitLine(ts, cs)
		t0 := -a / v
		var lx, ly []float64
		for i := range ts {
			if ts[i]-t0 > 0 {
				lx = append(lx, math.Log(ts[i]-t0))
				ly = append(ly, math.Log(ns[i]))
			}
		}
		_, slope, _ := fitLine(lx, ly)
		t.Logf("3D fission (wait): cell radius = %.3f t %+.2f (R^2 %.5f) to day %.0f, %d demes; N ~ (t - %.1f)^%.3f", v, a, r2, dm.Time(), dm.Demes(), t0, slope)
		if r2 < 0.995 || math.Abs(slope-3) > 0.2 {
			t.Errorf("3D fission (wait): cell radius R^2 %.5f, N ~ t^%.3f, want a line and t^3", r2, slope)
		}
	}
	dm := sim.NewDemes(&m, sim.DemesConfig{Dim: 2, K: 100, Dispersal: sim.DemeFission}, sim.Options{})
	dm.Reset(5, 1, 0)
	var ts, ls []float64
	for dm.Demes() < 3000 {
		dm.Advance(dm.Time()+0.5, sim.NoDrug{})
		if dm.Total() >= 1000 {
			ts = append(ts, dm.Time())
			ls = append(ls, math.Log(float64(dm.Total())))
		}
	}
	_, slope, r2 := fitLine(ts, ls)
	t.Logf("fission with pushing: log N = %.3f t (R^2 %.5f) to day %.1f, %d demes", slope, r2, dm.Time(), dm.Demes())
	if math.Abs(slope-1) > 0.05 || r2 < 0.995 {
		t.Errorf("fission with pushing: log N against t has slope %.3f (R^2 %.5f), want 1 (exponential at b = 1)", slope, r2)
	}
}

// TestDemesValidate: the engine refuses deme settings it cannot run, and
// what the deme mode does not support, naming the setting and why.
func TestDemesValidate(t *testing.T) {
	for _, c := range []struct {
		edit func(c *sim.Config)
		want string
	}{
		{func(c *sim.Config) { c.Demes.Dim = 1 }, "demes dimension 1: must be 2 or 3"},
		{func(c *sim.Config) { c.Demes.K = 1.5 }, "deme carrying capacity 1.5: must be a whole number of cells from 2 to 1e15"},
		{func(c *sim.Config) { c.Demes.Migration = 0.1 }, "deme migration 0.1: applies only to invasion dispersal"},
		{func(c *sim.Config) { c.Demes.Dispersal = sim.DemeInvasion }, "deme migration 0: invasion needs a positive rate per day"},
		{func(c *sim.Config) { c.Demes.Dispersal = 7 }, "deme dispersal 7: must be fission or invasion"},
		{func(c *sim.Config) { c.Demes.Step = -1 }, "deme step -1: must be a positive number of days"},
		{func(c *sim.Config) { c.Patient = &sim.PatientConfig{} }, "deme mode: virtual trial patients are not available"},
		{func(c *sim.Config) { c.Engine.Merge = true }, "deme mode: merged clones do not apply"},
		{func(c *sim.Config) { c.Lattice = &sim.LatticeConfig{Dim: 2} }, "deme mode: a lattice of cells and demes cannot both be set"},
		{func(c *sim.Config) { c.Demes.K = 2; c.Detect = 1e8; c.Lethal = 1e9 }, "deme mode: detection size 1e+08 over carrying capacity 2 is 5e+07 demes: at most 5000000"},
	} {
		cfg := demesConfig(1, sim.DemesConfig{Dim: 2, K: 100, Dispersal: sim.DemeFission, Step: 0.25}, 1e4)
		if err := cfg.Validate(); err != nil {
			t.Fatalf("valid config refused: %v", err)
		}
		dc := *cfg.Demes
		cfg.Demes = &dc
		c.edit(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
	// blood draws are taken
	cfg := demesConfig(1, sim.DemesConfig{Dim: 2, K: 100, Dispersal: sim.DemeFission, Step: 0.25}, 1e4)
	cfg.CTDNA = sim.CTDNAConfig{Every: 28}
	cfg.CTDNA.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Errorf("deme mode with blood draws: %v", err)
	}
}
