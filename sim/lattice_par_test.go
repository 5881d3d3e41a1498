package sim_test

import (
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// blockCases are the lattices the block update's tests run.
var blockCases = []sim.LatticeConfig{
	{Dim: 2, Rule: sim.RuleWait, Block: 16},
	{Dim: 2, Rule: sim.RulePush, Block: 16},
	{Dim: 2, Hex: true, Rule: sim.RuleWait, Block: 16},
	{Dim: 2, Moore: true, Rule: sim.RulePush, Block: 32},
	{Dim: 3, Rule: sim.RuleWait, Block: 16},
	{Dim: 3, Moore: true, Rule: sim.RulePush, Block: 16},
}

// growBlocks grows a lesion from one cell to n cells (b = 1, d = 0.3,
// mutation rate 3e-4 so that mutants, new genotypes among them, are born
// inside blocks), founders that die out retried, then treats it for 5
// days; check, if set, runs after every call.
func growBlocks(t *testing.T, lc sim.LatticeConfig, n int64, check func(*sim.Lattice, string)) *sim.Lattice {
	m := model.Default()
	m.Birth, m.Death, m.MutationRate = 1, 0.3, 3e-4
	lt := sim.NewLattice(&m, lc, 5)
	for seed := uint64(1); lt.Total() < n; seed++ {
		lt.Reset(seed, 1, 0)
		for lt.Total() > 0 && lt.Total() < n {
			lt.AdvanceUntil(lt.Time()+3, sim.NoDrug{}, n)
			if check != nil {
				check(lt, "growth")
			}
		}
	}
	for range 5 {
		lt.Advance(lt.Time()+1, sim.Constant{C: []float64{2000, 0, 0}})
		if check != nil {
			check(lt, "treatment")
		}
	}
	return lt
}

// TestLatticeBlocksGoroutines: the block update gives bit-identical lattices
// (every cell's place and clone, the clock, the records) with 1, 2 and 8
// goroutines, for both rules, 2D and 3D; the lattice's invariants hold
// after every step (occupancy equals the count, each cell once, every
// cell's clone live, counts add up); growth stops at exactly the stop
// size; and the block update is not the serial engine under another name
// (its digest differs from the serial one).
func TestLatticeBlocksGoroutines(t *testing.T) {
	for _, lc := range blockCases {
		n := int64(30_000)
		if testing.Short() {
			n = 8000
		}
		var digests []string
		for _, g := range []int{1, 2, 8} {
			lc.Goroutines = g
			lt := growBlocks(t, lc, n, func(lt *sim.Lattice, when string) {
				if err := lt.Check(); err != nil {
					t.Fatalf("%s, %d goroutines, %s, day %.2f: %v", latticeKey(lc), g, when, lt.Time(), err)
				}
			})
			digests = append(digests, latticeDigest(lt))
			if g == 1 && lt.Born() < 2 {
				t.Errorf("%s: no mutant born (%d clones)", latticeKey(lc), lt.Born())
			}
		}
		if digests[1] != digests[0] || digests[2] != digests[0] {
			t.Errorf("%s block %d: digests for 1, 2, 8 goroutines differ: %v", latticeKey(lc), lc.Block, digests)
		}
		serial := lc
		serial.Block, serial.Goroutines = 0, 0
		if d := latticeDigest(growBlocks(t, serial, n, nil)); d == digests[0] {
			t.Errorf("%s: the block update gives the serial engine's digest", latticeKey(lc))
		}
	}
}

// TestLatticeBlocksStopExact: growth under the block update stops at exactly
// the stop size (the approach runs the exact loop).
func TestLatticeBlocksStopExact(t *testing.T) {
	m := model.Default()
	m.Birth, m.Death, m.MutationRate = 1, 0.3, 1e-4
	for _, lc := range blockCases[:2] {
		lc.Goroutines = 2
		lt := sim.NewLattice(&m, lc, 5)
		for seed := uint64(1); lt.Total() < 25_000; seed++ {
			lt.Reset(seed, 1, 0)
			lt.AdvanceUntil(math.Inf(1), sim.NoDrug{}, 25_000)
		}
		if lt.Total() != 25_000 {
			t.Errorf("%s: stopped at %d cells, want 25000", latticeKey(lc), lt.Total())
		}
	}
}

// TestLatticeBlocksAllocateNothing: once its buffers have grown, a replay of
// the same growth and treatment under the block update allocates nothing,
// with one goroutine or two (the workers are started once, then parked).
func TestLatticeBlocksAllocateNothing(t *testing.T) {
	m := model.Default()
	m.MutationRate = 1e-5
	m.Birth, m.Death = 1, 0.3
	for _, lc := range []sim.LatticeConfig{{Dim: 2, Rule: sim.RuleWait, Block: 16}, {Dim: 2, Rule: sim.RulePush, Block: 16}, {Dim: 3, Moore: true, Rule: sim.RuleWait, Block: 16}} {
		for _, g := range []int{1, 2} {
			lc.Goroutines = g
			lt := sim.NewLattice(&m, lc, 10)
			seed := uint64(0)
			calls := 0
			var drug sim.Exposure = sim.Constant{C: []float64{2000, 0, 0}}
			grow := func() {
				calls = 0
				lt.Reset(seed, 1, 0)
				for lt.Total() > 0 && lt.Total() < 20_000 {
					lt.AdvanceUntil(lt.Time()+1, sim.NoDrug{}, 20_000)
					calls++
				}
				lt.Advance(lt.Time()+3, drug)
				calls++
			}
			for lt.Events < 100_000 {
				seed++
				grow()
			}
			first := lt.Events
			a := testing.AllocsPerRun(2, grow)
			if a != 0 {
				t.Errorf("%s, %d goroutines: %.0f allocations replaying %d events in %d calls", latticeKey(lc), g, a, lt.Events, calls)
			}
			if lt.Events != first {
				t.Errorf("%s: replay took %d events, first run %d", latticeKey(lc), lt.Events, first)
			}
		}
	}
}

// blockLaw grows count lesions (seeds base+1, ...; founders that die out
// retried) from one cell to 2,000 and then to 20,000 cells, and returns the
// days from 2,000 to 20,000 and the resistant cells at 20,000.
func blockLaw(t *testing.T, lc sim.LatticeConfig, m *model.Model, count int, base uint64) (days, res []float64) {
	lt := sim.NewLattice(m, lc, 0)
	seed := base
	for range count {
		for {
			seed++
			lt.Reset(seed, 1, 0)
			if lt.AdvanceUntil(math.Inf(1), sim.NoDrug{}, 2000) {
				break
			}
		}
		t0 := lt.Time()
		if !lt.AdvanceUntil(math.Inf(1), sim.NoDrug{}, 20_000) {
			t.Fatalf("%s seed %d: died out after 2,000 cells", latticeKey(lc), seed)
		}
		c := lt.Counts()
		days = append(days, lt.Time()-t0)
		res = append(res, float64(c[model.ClassTALoss]+c[model.ClassPocket]))
	}
	return days, res
}

// TestLatticeBlocksAgreeInLaw: the block update (block 16, so that a
// lesion spans many blocks and colours) agrees in law with the exact
// serial engine, for both rules in 2D and the wait rule in 3D, on what the
// sub-steps could distort: how fast a lesion grows from 2,000 to 20,000
// cells (where the block update runs: it runs the exact loop below two
// blocks' worth of cells, 512 in 2D and 8,192 in 3D, and over the last
// ~0.3%) and how many resistant cells it holds at 20,000 (b = 1, d = 0.3,
// mutation rate 3e-6; seeds differ between the engines). Two-sample
// Kolmogorov-Smirnov at the 1% level (D < 1.63 sqrt(2/n)), n = 300 lesions
// per engine for the 2D wait rule, 600 for the push rule, 400 in 3D. The
// test has power: before deferred daughters caught up on their missed
// events, push lesions grew 0.9% slower and D was 0.355 with 200 lesions.
func TestLatticeBlocksAgreeInLaw(t *testing.T) {
	if testing.Short() {
		t.Skip("2,600 lesions")
	}
	m := model.Default()
	m.Birth, m.Death, m.MutationRate = 1, 0.3, 3e-6
	for _, c := range []struct {
		lc sim.LatticeConfig
		n  int
	}{{sim.LatticeConfig{Dim: 2, Rule: sim.RuleWait}, 300}, {sim.LatticeConfig{Dim: 2, Rule: sim.RulePush}, 600}, {sim.LatticeConfig{Dim: 3, Rule: sim.RuleWait}, 400}} {
		sd, sr := blockLaw(t, c.lc, &m, c.n, 1_000_000)
		blocks := c.lc
		blocks.Block, blocks.Goroutines = 16, 2
		bd, br := blockLaw(t, blocks, &m, c.n, 2_000_000)
		crit := 1.63 * math.Sqrt(2/float64(c.n))
		dd, dr := ks2(sd, bd), ks2(sr, br)
		key := latticeKey(c.lc)
		t.Logf("%s, %d lesions each: days 2,000 -> 20,000 median %.3f serial, %.3f blocks (KS D %.3f); resistant cells median %.0f, %.0f (D %.3f); 1%% critical D %.3f",
			key, c.n, median(sd), median(bd), dd, median(sr), median(br), dr, crit)
		if dd > crit {
			t.Errorf("%s: growth times differ: KS D %.3f > %.3f", key, dd, crit)
		}
		if dr > crit {
			t.Errorf("%s: resistant cells differ: KS D %.3f > %.3f", key, dr, crit)
		}
		if median(sr) == 0 {
			t.Errorf("%s: no resistance to compare", key)
		}
	}
}

// TestLatticeBlocksWorkersEnd: a lattice's parked worker goroutines end
// once the lattice is no longer reachable.
func TestLatticeBlocksWorkersEnd(t *testing.T) {
	// let the workers of lattices other tests dropped end first
	before := runtime.NumGoroutine()
	for range 20 {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
		before = min(before, runtime.NumGoroutine())
	}
	func() {
		lt := growBlocks(t, sim.LatticeConfig{Dim: 2, Rule: sim.RuleWait, Block: 16, Goroutines: 4}, 5000, nil)
		if n := runtime.NumGoroutine(); n < before+3 {
			t.Errorf("%d goroutines with the lattice's workers, %d before", n, before)
		}
		runtime.KeepAlive(lt)
	}()
	for range 100 {
		runtime.GC()
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%d goroutines after the lattice was dropped, %d before", runtime.NumGoroutine(), before)
}

// TestLatticeBlocksValidate: bad block update settings are refused naming
// the setting and what is allowed.
func TestLatticeBlocksValidate(t *testing.T) {
	for _, c := range []struct {
		lc   sim.LatticeConfig
		want string
	}{
		{sim.LatticeConfig{Dim: 2, Block: 8}, "lattice block 8: must be 0 (the exact serial engine) or a power of two from 16 to 1024"},
		{sim.LatticeConfig{Dim: 2, Block: 48}, "lattice block 48: must be 0"},
		{sim.LatticeConfig{Dim: 2, Block: 2048}, "lattice block 2048: must be 0"},
		{sim.LatticeConfig{Dim: 2, Block: 32, Goroutines: 65}, "lattice goroutines 65: must be from 1 to 64"},
		{sim.LatticeConfig{Dim: 2, Block: 32, Goroutines: -1}, "lattice goroutines -1: must be from 1 to 64"},
		{sim.LatticeConfig{Dim: 2, Goroutines: 2}, "lattice goroutines 2: only the block update runs in parallel"},
	} {
		if err := c.lc.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.lc, err, c.want)
		}
	}
	for _, lc := range blockCases {
		if err := lc.Validate(); err != nil {
			t.Errorf("%+v: %v", lc, err)
		}
	}
}

// TestLatticeBlocksReplicates: whole treated replicates under the block
// update are bit-identical (result digests: trajectory, events, clones,
// counts) for 1 and 2 replicate workers and for 1 and 4 goroutines per
// replicate: a worker's lattice is reused across replicates in whatever
// order the pool hands them out, so nothing may leak from one replicate to
// the next (grid side, genotypes met, buffers).
func TestLatticeBlocksReplicates(t *testing.T) {
	for _, lc := range []sim.LatticeConfig{{Dim: 2, Rule: sim.RuleWait, Block: 16}, {Dim: 2, Rule: sim.RulePush, Block: 16}} {
		lc.Goroutines = 1
		// 5,000 cells: the block update runs from 512 cells on
		cfg := latticeConfig(3, lc, 5000)
		cfg.Lethal = 50_000
		if lc.Rule == sim.RuleWait {
			cfg.Model.Death = 0.07 // a wait lattice grows at b/d = 2
		}
		one := runDigests(t, cfg, 6, 1)
		two := runDigests(t, cfg, 6, 2)
		lc.Goroutines = 4
		cfg.Lattice = &lc
		four := runDigests(t, cfg, 6, 2)
		for i := range one {
			if one[i] != two[i] || one[i] != four[i] {
				t.Errorf("%s replicate %d: 1 worker %+v, 2 workers %+v, 4 goroutines %+v", latticeKey(lc), i, one[i], two[i], four[i])
			}
		}
	}
}

// TestLatticeBlocksLongRun: one long growth under the block update (one
// call, so sub-steps run back to back: 2D push to 300,000 cells with
// blocks of 16 and 32, 3D push to 100,000, at the default rates) keeps the
// lattice's invariants and stops at exactly its size. It caught a late cell
// whose site a deferred daughter's death had emptied.
func TestLatticeBlocksLongRun(t *testing.T) {
	if testing.Short() {
		t.Skip("long growths")
	}
	m := model.Default()
	for _, c := range []struct {
		lc sim.LatticeConfig
		n  int64
	}{
		{sim.LatticeConfig{Dim: 2, Rule: sim.RulePush, Block: 16, Goroutines: 2}, 300_000},
		{sim.LatticeConfig{Dim: 2, Rule: sim.RulePush, Block: 32, Goroutines: 2}, 300_000},
		{sim.LatticeConfig{Dim: 3, Rule: sim.RulePush, Block: 16, Goroutines: 2}, 100_000},
	} {
		lt := sim.NewLattice(&m, c.lc, 100)
		for seed := uint64(0); lt.Total() < c.n; seed++ {
			lt.Reset(seed, 1, 0)
			lt.AdvanceUntil(math.Inf(1), sim.NoDrug{}, c.n)
		}
		if err := lt.Check(); err != nil {
			t.Errorf("%s block %d: %v", latticeKey(c.lc), c.lc.Block, err)
		}
		if lt.Total() != c.n {
			t.Errorf("%s block %d: %d cells, want %d", latticeKey(c.lc), c.lc.Block, lt.Total(), c.n)
		}
	}
}

// TestLatticeBlocksRecords: under the block update, where a clone's peak
// and extinction are noted at block granularity, every record stays
// consistent after every step, as under the serial engine: born no later
// than its peak, the peak at or above the record threshold and at or above
// the clone's current size, the peak's time and any extinction no later
// than the clock, and an extinct clone empty and extinct no earlier than
// its peak. Records exist (the test has something to check).
func TestLatticeBlocksRecords(t *testing.T) {
	const recordAt = 5 // growBlocks records clones from 5 cells
	for _, lc := range blockCases[:3] {
		for _, block := range []bool{true, false} {
			c := lc
			if !block {
				c.Block, c.Goroutines = 0, 0
			} else {
				c.Goroutines = 2
			}
			checked := 0
			growBlocks(t, c, 8000, func(lt *sim.Lattice, when string) {
				for _, r := range lt.Records() {
					checked++
					size := lt.CloneSize(int32(r.ID))
					bad := r.Born > r.PeakTime || r.Peak < recordAt || r.Peak < size || r.PeakTime > lt.Time()
					if !math.IsNaN(r.Extinct) {
						bad = bad || r.Extinct < r.PeakTime || r.Extinct > lt.Time() || size != 0
					}
					if bad {
						t.Fatalf("%s (block update %v), %s, day %.3f: record %+v, clone size now %d", latticeKey(c), block, when, lt.Time(), r, size)
					}
				}
			})
			if checked == 0 {
				t.Errorf("%s (block update %v): no record to check", latticeKey(c), block)
			}
		}
	}
}
