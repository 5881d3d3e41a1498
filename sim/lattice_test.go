package sim_test

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// latticeConfig is smallConfig in the lattice mode at a small detection size
// (no blood draws: the lattice golden predates them).
func latticeConfig(seed uint64, lc sim.LatticeConfig, detect float64) sim.Config {
	cfg := smallConfig(seed)
	cfg.Detect = detect
	cfg.Model.MutationRate = 1e-5 // mutants in a small tumour
	cfg.CTDNA.Every = -1
	cfg.Engine.RecordAt = 20
	cfg.Horizon = 400
	cfg.Lattice = &lc
	return cfg
}

// TestLatticeInvariants: after every step of growth and treatment, the grid
// holds exactly the cells, each once, every cell's clone is live, and the
// counts agree; after whole replicates too, and the result is consistent.
func TestLatticeInvariants(t *testing.T) {
	for _, lc := range []sim.LatticeConfig{
		{Dim: 2, Rule: sim.RulePush},
		{Dim: 2, Moore: true, Rule: sim.RuleWait},
		{Dim: 2, Hex: true, Rule: sim.RulePush},
		{Dim: 2, Hex: true, Rule: sim.RuleWait},
		{Dim: 3, Rule: sim.RulePush},
		{Dim: 3, Moore: true, Rule: sim.RuleWait},
	} {
		cfg := latticeConfig(7, lc, 3000)
		m := cfg.Model
		lt := sim.NewLattice(&m, lc, 20)
		lt.Reset(11, 1, 0)
		for lt.Total() > 0 && lt.Total() < 3000 {
			lt.AdvanceUntil(lt.Time()+5, sim.NoDrug{}, 3000)
			if err := lt.Check(); err != nil {
				t.Fatalf("%+v growth, day %.1f: %v", lc, lt.Time(), err)
			}
		}
		drug := sim.Constant{C: []float64{2000, 0, 0}}
		for day := 0; day < 20 && lt.Total() > 0; day++ {
			lt.Advance(lt.Time()+5, drug)
			if err := lt.Check(); err != nil {
				t.Fatalf("%+v treatment, day %.1f: %v", lc, lt.Time(), err)
			}
		}
		rp := sim.NewReplicator(&cfg)
		for rep := range 3 {
			var res sim.Result
			if err := rp.Run(rep, &res); err != nil {
				t.Fatal(err)
			}
			if err := rp.Lattice().Check(); err != nil {
				t.Fatalf("%+v replicate %d: %v", lc, rep, err)
			}
			if res.AtStart[0]+res.AtStart[1]+res.AtStart[2] != 3000 {
				t.Errorf("%+v replicate %d: %v cells at detection, want exactly 3000", lc, rep, res.AtStart)
			}
			var sum int64
			for _, g := range res.Genotypes {
				sum += g.Cells
			}
			if f := res.Final; sum != f[0]+f[1]+f[2] {
				t.Errorf("%+v replicate %d: genotypes hold %d cells, final counts %v", lc, rep, sum, f)
			}
			if res.Events[len(res.Events)-1].Kind != "end" || len(res.Trajectory) < 2 {
				t.Errorf("%+v replicate %d: events %v, %d trajectory points", lc, rep, res.Events, len(res.Trajectory))
			}
		}
	}
}

// TestLatticeHexNeighbours: the hexagonal lattice has six neighbours, in
// axial coordinates (+-1, 0), (0, +-1), (+1, -1) and (-1, +1): seven founders
// placed breadth-first fill exactly the centre and those six sites, and not
// the other two diagonals. Daughters and pushed lines move only along the six
// directions, so a lesion grown without death from one cell is connected
// through hex contacts alone: a search from one cell over the six
// neighbours reaches all 20,000 (a step along the other diagonal, (1, 1),
// would leave cells with no hex contact). Hex is refused in 3D and together
// with Moore.
func TestLatticeHexNeighbours(t *testing.T) {
	m := pureBirth()
	lc := sim.LatticeConfig{Dim: 2, Hex: true, Rule: sim.RulePush}
	if n := lc.Neighbours(); n != 6 {
		t.Errorf("hex: %d neighbours, want 6", n)
	}
	lt := sim.NewLattice(&m, lc, 0)
	lt.Reset(1, 7, 0)
	want := map[[2]int]bool{{0, 0}: true, {1, 0}: true, {-1, 0}: true, {0, 1}: true, {0, -1}: true, {1, -1}: true, {-1, 1}: true}
	for x := -2; x <= 2; x++ {
		for y := -2; y <= 2; y++ {
			if got := lt.CellAt(x, y, 0) >= 0; got != want[[2]int{x, y}] {
				t.Errorf("hex founders: site (%d, %d) occupied %v, want %v", x, y, got, want[[2]int{x, y}])
			}
		}
	}
	hexDirs := [][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, -1}, {-1, 1}}
	lt.Reset(2, 1, 0)
	lt.AdvanceUntil(math.Inf(1), sim.NoDrug{}, 20_000)
	if err := lt.Check(); err != nil {
		t.Fatal(err)
	}
	// a component search over hex contacts reaches every cell
	seen := map[[2]int]bool{{0, 0}: true}
	queue := [][2]int{{0, 0}}
	if lt.CellAt(0, 0, 0) < 0 {
		x, y, _, _ := lt.Cell(0)
		seen = map[[2]int]bool{{x, y}: true}
		queue = [][2]int{{x, y}}
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, d := range hexDirs {
			q := [2]int{p[0] + d[0], p[1] + d[1]}
			if !seen[q] && lt.CellAt(q[0], q[1], 0) >= 0 {
				seen[q] = true
				queue = append(queue, q)
			}
		}
	}
	if int64(len(seen)) != lt.Total() {
		t.Errorf("hex push lesion: %d of %d cells connected through hex neighbours", len(seen), lt.Total())
	}
	for _, bad := range []sim.LatticeConfig{{Dim: 3, Hex: true}, {Dim: 2, Hex: true, Moore: true}} {
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "hex") {
			t.Errorf("%+v: error %v, want a refusal naming hex", bad, err)
		}
	}
}

// TestLatticeWorkersDoNotChangeResults: 1 and 2 workers give bit-identical
// replicates (a worker's lattice is reused across replicates in whatever
// order the pool hands them out).
func TestLatticeWorkersDoNotChangeResults(t *testing.T) {
	cfg := latticeConfig(3, sim.LatticeConfig{Dim: 2, Rule: sim.RulePush}, 5000)
	one := runDigests(t, cfg, 6, 1)
	two := runDigests(t, cfg, 6, 2)
	for i := range one {
		if one[i] != two[i] {
			t.Errorf("replicate %d: 1 worker %+v, 2 workers %+v", i, one[i], two[i])
		}
	}
	cfg.Seed = 4
	if other := runDigests(t, cfg, 1, 1); other[0] == one[0] {
		t.Error("another seed gives the same replicate")
	}
}

// pureBirth is a model without death or mutation, for growth laws.
func pureBirth() model.Model {
	m := model.Default()
	m.Birth, m.Death, m.MutationRate = 1, 0, 0
	return m
}

// fitLine is the least-squares line y = a + b x and its R^2.
func fitLine(x, y []float64) (a, b, r2 float64) {
	n := float64(len(x))
	var sx, sy, sxx, sxy, syy float64
	for i := range x {
		sx += x[i]
		sy += y[i]
		sxx += x[i] * x[i]
		sxy += x[i] * y[i]
		syy += y[i] * y[i]
	}
	b = (n*sxy - sx*sy) / (n*sxx - sx*sx)
	a = (sy - b*sx) / n
	r := (n*sxy - sx*sy) / math.Sqrt((n*sxx-sx*sx)*(n*syy-sy*sy))
	return a, b, r * r
}

// TestLatticeBoundaryGrowth: under the wait rule only cells with an empty
// neighbour divide, so a 2D lesion grows from its edge: its radius
// sqrt(N/pi) grows linearly in time and the total as t^2. Checked on a pure
// birth process (b = 1/day) from 1 to 40,000 cells: the radius against time
// from day 10 on is a line with R^2 > 0.998, and log N against log(t - t0)
// (t0 the line's intercept with radius 0) has slope 2 +- 0.1. The measured
// front speed is compared with the edge's division rate: it must lie
// between 0.5 and 2 sites per day for b = 1 (measured 1.22: an empty site
// on the front is filled at b times the number of its occupied neighbours
// that have no other empty neighbour, so the front outruns b a little). The
// push rule, in contrast, grows exponentially: it reaches 10x the cells
// well before the wait rule's last day.
func TestLatticeBoundaryGrowth(t *testing.T) {
	m := pureBirth()
	lt := sim.NewLattice(&m, sim.LatticeConfig{Dim: 2, Rule: sim.RuleWait}, 0)
	lt.Reset(5, 1, 0)
	var ts, rs, ns []float64
	for lt.Total() < 40_000 {
		lt.AdvanceUntil(lt.Time()+2, sim.NoDrug{}, 40_000)
		if lt.Time() >= 10 {
			ts = append(ts, lt.Time())
			rs = append(rs, math.Sqrt(float64(lt.Total())/math.Pi))
			ns = append(ns, float64(lt.Total()))
		}
	}
	a, v, r2 := fitLine(ts, rs)
	t0 := -a / v
	t.Logf("wait rule, 2D von Neumann, b=1: radius = %.3f t %+.2f (R^2 %.5f) up to day %.1f, %d cells", v, a, r2, lt.Time(), lt.Total())
	if r2 < 0.998 {
		t.Errorf("radius against time: R^2 %.5f, want > 0.998 (linear growth)", r2)
	}
	if v < 0.5 || v > 2 {
		t.Errorf("front speed %.3f sites/day, want within [0.5, 2] for b = 1", v)
	}
	var lx, ly []float64
	for i := range ts {
		if ts[i]-t0 > 0 {
			lx = append(lx, math.Log(ts[i]-t0))
			ly = append(ly, math.Log(ns[i]))
		}
	}
	_, slope, _ := fitLine(lx, ly)
	t.Logf("log N against log(t - %.2f): slope %.3f", t0, slope)
	if math.Abs(slope-2) > 0.1 {
		t.Errorf("N ~ t^%.3f, want t^2", slope)
	}
	waitDay := lt.Time()

	push := sim.NewLattice(&m, sim.LatticeConfig{Dim: 2, Rule: sim.RulePush}, 0)
	push.Reset(5, 1, 0)
	push.AdvanceUntil(waitDay, sim.NoDrug{}, 10*lt.Total())
	t.Logf("push rule: %d cells at day %.1f (wait rule: %d at day %.1f)", push.Total(), push.Time(), lt.Total(), waitDay)
	if push.Total() < 10*lt.Total() || push.Time() > waitDay/2 {
		t.Errorf("push rule: %d cells by day %.1f, want 10x the wait rule's %d before day %.1f", push.Total(), push.Time(), lt.Total(), waitDay/2)
	}
}

// resistanceHit is the first mutation open to the founder genotype that
// makes a cell resistant.
func resistanceHit(t *testing.T, m *model.Model) model.Hit {
	for _, c := range m.Choices(model.Genotype{}, nil) {
		if m.Class(model.Genotype{Hits: []model.Hit{c.Hit}}) != model.Sensitive {
			return c.Hit
		}
	}
	t.Fatal("no resistance mutation in the catalog")
	return model.Hit{}
}

// TestLatticeInteriorCloneStaysSmall: a resistant clone born at the centre
// of a boundary-growing lesion (wait rule, b = 1 and d = 0.3 per day: the
// default rates, b = 0.14 and d = 0.13, make boundary-driven growth too slow
// for a unit test) is hemmed in by its neighbours: it grows only into the holes that
// deaths open, while one born on the edge grows with the front. 60 lesions
// of 5,000 cells, each grown anew, get one planted mutant at the centre and
// one at the outermost cell along +x; after growing to 30,000 cells the
// edge clone is larger than the centre clone in more lesions than the
// reverse (one-sided sign test p < 0.01; measured 20 against 3, p = 2e-4,
// the rest tied, mostly both lost), the edge clones hold at least 10 times
// the centre clones' cells in all (measured 3,453 against 39), and no
// centre clone reaches 100 cells (measured: largest 21).
func TestLatticeInteriorCloneStaysSmall(t *testing.T) {
	m := model.Default()
	m.Birth, m.Death, m.MutationRate = 1, 0.3, 0
	hit := resistanceHit(t, &m)
	lt := sim.NewLattice(&m, sim.LatticeConfig{Dim: 2, Rule: sim.RuleWait}, 0)
	var inner, edge float64
	var ins, eds []float64
	maxInner := int64(0)
	seed := uint64(100)
	for range 60 {
		// founders die out with probability d/b: retry
		for lt.Total() < 5000 {
			seed++
			lt.Reset(seed, 1, 0)
			lt.AdvanceUntil(math.Inf(1), sim.NoDrug{}, 5000)
		}
		x := 0
		for lt.CellAt(x+1, 0, 0) >= 0 || lt.CellAt(x+2, 0, 0) >= 0 {
			x++
		}
		for lt.CellAt(x, 0, 0) < 0 {
			x--
		}
		cx := 0
		for lt.CellAt(cx, 0, 0) < 0 {
			cx++
		}
		ci, err := lt.Plant(cx, 0, 0, hit)
		if err != nil {
			t.Fatal(err)
		}
		ei, err := lt.Plant(x, 0, 0, hit)
		if err != nil {
			t.Fatal(err)
		}
		lt.AdvanceUntil(math.Inf(1), sim.NoDrug{}, 30_000)
		if lt.Total() < 30_000 {
			t.Fatalf("seed %d: the lesion died out", seed)
		}
		if err := lt.Check(); err != nil {
			t.Fatal(err)
		}
		inner += float64(lt.CloneSize(ci))
		edge += float64(lt.CloneSize(ei))
		maxInner = max(maxInner, lt.CloneSize(ci))
		ins = append(ins, float64(lt.CloneSize(ci)))
		eds = append(eds, float64(lt.CloneSize(ei)))
		lt.Reset(0, 0, 0) // the next lesion grows anew
	}
	more, less, p := signTest(eds, ins)
	t.Logf("60 lesions 5,000 -> 30,000 cells: centre clones %.0f cells in all (largest %d), edge clones %.0f; edge larger in %d lesions, centre larger in %d (sign test p = %.2g)", inner, maxInner, edge, more, less, p)
	if p >= 0.01 {
		t.Errorf("edge clone larger in %d lesions, centre clone in %d: sign test p = %.2g, want < 0.01", more, less, p)
	}
	if !(edge >= 10*inner) || edge == 0 {
		t.Errorf("edge clones %.0f cells, centre clones %.0f: want edge >= 10x centre", edge, inner)
	}
	if maxInner >= 100 {
		t.Errorf("a centre clone reached %d cells", maxInner)
	}
}

// TestLatticeEventsAllocateNothing: once a worker's buffers have grown, a
// replay of the same growth allocates nothing per event.
func TestLatticeEventsAllocateNothing(t *testing.T) {
	m := model.Default()
	m.MutationRate = 1e-5
	for _, lc := range []sim.LatticeConfig{{Dim: 2, Rule: sim.RulePush}, {Dim: 2, Hex: true, Rule: sim.RulePush}, {Dim: 3, Moore: true, Rule: sim.RuleWait}} {
		lt := sim.NewLattice(&m, lc, 10)
		var drug sim.Exposure = sim.Constant{C: []float64{2000, 0, 0}}
		seed := uint64(0)
		grow := func() {
			lt.Reset(seed, 1, 0)
			for lt.Total() > 0 && lt.Total() < 20_000 {
				lt.AdvanceUntil(lt.Time()+7, sim.NoDrug{}, 20_000)
			}
			lt.Advance(lt.Time()+30, drug)
		}
		for lt.Events < 100_000 { // a founder whose lineage survives
			seed++
			grow()
		}
		first := lt.Events
		if a := testing.AllocsPerRun(2, grow); a != 0 {
			t.Errorf("%+v: %.0f allocations replaying %d events", lc, a, lt.Events)
		}
		if lt.Events != first || first < 100_000 {
			t.Errorf("%+v: replay took %d events, first run %d", lc, lt.Events, first)
		}
	}
}

// growLatticeBench grows lt from one cell to n cells once per benchmark
// iteration, retrying founders that die out (most do at d/b = 0.93) as a
// replicate does, and reports the wall time per candidate event, the
// process's CPU time per tumour (steadier than wall time on a shared
// machine) and the events per tumour.
func growLatticeBench(b *testing.B, lt *sim.Lattice, n int64) {
	b.Helper()
	var events int64
	var elapsed, cpu time.Duration
	for i := 0; b.Loop(); i++ {
		start, cpu0 := time.Now(), cpuTime()
		for attempt := uint64(0); lt.Total() < n; attempt++ {
			lt.Reset(uint64(i)<<20|attempt, 1, 0)
			lt.AdvanceUntil(math.Inf(1), sim.NoDrug{}, n)
			events += lt.Events
		}
		elapsed += time.Since(start)
		cpu += cpuTime() - cpu0
	}
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(events), "ns/event")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
}

// BenchmarkLattice2D grows one cell to 1e6 cells on a 2D lattice (push rule,
// von Neumann, default rates b = 0.14, d = 0.13 per day, default mutation
// rate; founders that die out are replaced and their events counted) and
// reports the wall time per tumour and per candidate event, and the
// process's CPU time per tumour (steadier than wall time on a shared
// machine); wait: the wait rule to 1e5 cells at b = 1, d = 0.3.
func BenchmarkLattice2D(b *testing.B) {
	for _, rule := range []sim.LatticeRule{sim.RulePush, sim.RuleWait} {
		b.Run(rule.String(), func(b *testing.B) {
			m := model.Default()
			n := int64(1_000_000)
			if rule == sim.RuleWait {
				// boundary-driven growth at d/b = 0.93 is very slow in
				// tumour time: b = 1, d = 0.3 to 1e5 cells
				m.Birth, m.Death, n = 1, 0.3, 100_000
			}
			lt := sim.NewLattice(&m, sim.LatticeConfig{Dim: 2, Rule: rule}, 100)
			growLatticeBench(b, lt, n)
		})
	}
}

// TestLatticePushWellMixedLimit: under the push rule every division
// succeeds wherever the cell sits, so each clone is the same linear
// birth-death process as in the well-mixed engine and space must not change
// the law of the counts. 400 replicates of each (b = 1, d = 0.5, a mutation
// rate that makes resistance common, stop at detection at 1e4 cells): the
// growth times agree by a two-sample Kolmogorov-Smirnov test (D below the
// 1% critical value 1.63 sqrt(2/400)), and so do the fractions of
// replicates carrying resistant cells at detection (|z| < 3).
func TestLatticePushWellMixedLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("800 replicates")
	}
	const n = 400
	run := func(lc *sim.LatticeConfig) (days []float64, resistant int) {
		m := model.Default()
		m.Birth, m.Death, m.MutationRate = 1, 0.5, 1e-7
		cfg := sim.Config{Model: m, Detect: 1e4, Seed: 77, StopAtDetection: true, Lattice: lc}
		cfg.CTDNA.Every = -1
		cfg.Defaults()
		err := sim.Run(t.Context(), &cfg, sim.RunOptions{Count: n, Workers: 2}, sim.SinkFunc(func(r *sim.Result) error {
			days = append(days, r.GrowthDays)
			if r.AtStart[model.ClassTALoss]+r.AtStart[model.ClassPocket] > 0 {
				resistant++
			}
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		return days, resistant
	}
	wm, rw := run(nil)
	lat, rl := run(&sim.LatticeConfig{Dim: 2, Rule: sim.RulePush})
	slices.Sort(wm)
	slices.Sort(lat)
	d := 0.0
	for i, j := 0, 0; i < n && j < n; {
		if wm[i] <= lat[j] {
			i++
		} else {
			j++
		}
		d = max(d, math.Abs(float64(i-j))/n)
	}
	crit := 1.63 * math.Sqrt(2.0/n)
	p1, p2 := float64(rw)/n, float64(rl)/n
	p := (p1 + p2) / 2
	z := (p1 - p2) / math.Sqrt(p*(1-p)*2/n)
	t.Logf("growth days: median well mixed %.2f, lattice %.2f; KS D %.3f (1%% critical %.3f); resistance at detection %d vs %d of %d (z %.2f)", wm[n/2], lat[n/2], d, crit, rw, rl, n, z)
	if d > crit {
		t.Errorf("growth times differ: KS D %.3f > %.3f", d, crit)
	}
	if math.Abs(z) > 3 || rw+rl == 0 {
		t.Errorf("resistance at detection: %d vs %d of %d (z %.2f)", rw, rl, n, z)
	}
}

// BenchmarkLattice3D grows one cell to 1e6 cells on a 3D von Neumann
// lattice under the push rule at the default rates and mutation rate
// (founders that die out are replaced and their events counted), and reports
// the wall time per tumour and per candidate event and the CPU time per
// tumour. push-1e7 grows to 1e7
// cells (about 2.7e8 events, a 512^3 grid of 512 MB); it runs only with
// P53EVO_BENCH_LARGE=1.
func BenchmarkLattice3D(b *testing.B) {
	for _, n := range []int64{1_000_000, 10_000_000} {
		name := fmt.Sprintf("push-1e%d", int(math.Log10(float64(n))))
		b.Run(name, func(b *testing.B) {
			if n > 1_000_000 && os.Getenv("P53EVO_BENCH_LARGE") != "1" {
				b.Skip("set P53EVO_BENCH_LARGE=1 to grow 1e7 cells")
			}
			m := model.Default()
			lt := sim.NewLattice(&m, sim.LatticeConfig{Dim: 3, Rule: sim.RulePush}, 100)
			growLatticeBench(b, lt, n)
		})
	}
}

// BenchmarkLatticeBlocks runs lattice workloads with the exact serial
// engine (serial) and under the block update (LatticeConfig.Block: 32 in
// 2D, 16 in 3D) with 1 and 2 goroutines (g1, g2): 2D push to 1e6 cells at
// the default rates (BenchmarkLattice2D/push), 2D wait to 1e6 cells at
// b = 1, d = 0.3, and 3D push to 1e6 cells at the default rates
// (BenchmarkLattice3D/push-1e6); founders that die out are retried. The
// block update's results are identical for g1 and g2: their wall times
// (ns/event) give the speed-up, cpu-s/op the cost of the second goroutine.
func BenchmarkLatticeBlocks(b *testing.B) {
	type bench struct {
		name string
		lc   sim.LatticeConfig
	}
	var cases []bench
	for _, lc := range []sim.LatticeConfig{{Dim: 2, Rule: sim.RulePush}, {Dim: 2, Rule: sim.RuleWait}, {Dim: 3, Rule: sim.RulePush}} {
		for _, g := range []int{0, 1, 2} {
			name := fmt.Sprintf("%dD-%s/serial", lc.Dim, lc.Rule)
			if g > 0 {
				lc.Block, lc.Goroutines = 32, g
				if lc.Dim == 3 {
					lc.Block = 16
				}
				name = fmt.Sprintf("%dD-%s/g%d", lc.Dim, lc.Rule, g)
			}
			cases = append(cases, bench{name, lc})
		}
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			m := model.Default()
			if c.lc.Rule == sim.RuleWait {
				m.Birth, m.Death = 1, 0.3
			}
			const n = 1_000_000
			lt := sim.NewLattice(&m, c.lc, 100)
			growLatticeBench(b, lt, n)
		})
	}
}
