package sim

import (
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync/atomic"

	"github.com/p53evo/p53evo/sim/rng"
)

// # The block update (LatticeConfig.Block > 0)
//
// The default lattice engine is one exact Gillespie loop over all cells. The
// block update is an opt-in approximation that lets one replicate use
// several goroutines and still gives the same result, bit for bit, for any
// number of them (LatticeConfig.Goroutines):
//
//   - The grid is cut into cubes of Block x Block (x Block) sites, aligned
//     with the grid's coordinates: the partition depends on the grid's side
//     and the block size, never on the goroutine count. A block's colour is
//     the parity of its block coordinate on each axis (4 colours in 2D, 8 in
//     3D), so two blocks of one colour are a whole block apart on some axis.
//   - Time is cut into sub-steps of dt = latSubstep / R (R the thinning
//     bound, the largest b + d of any phenotype met so far at the current
//     exposure): every cell expects at most 0.05 candidate events per
//     sub-step, and sub-steps also end at every exposure change.
//   - In a sub-step the colours run one after another; the blocks of one
//     colour run concurrently. A block simulates the cells on its own sites
//     over [t, t + dt] event by event (thinning with the same bound: a
//     uniformly drawn site of its list, divide with probability b/R, die
//     with d/R), from a stream derived from (seed, sub-step index, block
//     id). It writes only inside its write box: the block grown by a halo
//     of Block/2 sites on every side (and kept off the grid's margin), so
//     the write boxes of two blocks of one colour never meet and a block
//     only reads sites in its own box.
//   - What a block does not own is settled serially after its colour, in
//     block order: clone counts and records (each block logs its +1/-1 in
//     time order), the ids of new mutant clones (a block numbers its
//     mutants provisionally, negative values on the grid, and they get
//     their ids in (block, time) order), and sites it filled in another
//     block's part of its halo (added to that block's list).
//   - A division that would write outside the write box (a push line
//     longer than the halo, or a daughter on the grid's margin), or whose
//     mutant daughter has a genotype the replicate has not met before (its
//     tables may have to be built, serially), is counted at its time but
//     placed at the end of the sub-step, serially, in (block, time) order:
//     the daughter goes to the chosen site if it is still empty, else (push
//     rule) the line from it is pushed in the chosen direction, else (wait
//     rule) to a uniformly chosen empty neighbour of the mother's site, and
//     if there is none it is lost (counted as a death at the sub-step's
//     end; rare: its site was empty when the division was drawn). It then
//     takes the candidate events it missed since its birth (catchUp).
//   - Near a stop size (AdvanceUntil) the sub-steps shorten so that their
//     expected candidate events ev satisfy ev + 10 sqrt(ev) + 16 <= the
//     cells still to come; once that needs sub-steps 16 times shorter than
//     usual (the last ~0.3% of the cells), and in small tumours (fewer than
//     latParMinBlocks blocks' worth of cells), the exact serial loop runs,
//     so detection stays exact (an overshoot needs a Poisson count ten
//     standard deviations above its mean).
//
// Against the exact engine the block update differs by the sub-step:
// within one sub-step a block does not see what blocks of later colours do
// in its halo until they have run, and a deferred daughter is placed late
// (though it then takes the events it missed). Exposure is kept exact
// otherwise: a site another block fills during the sub-step counts in a
// block that has yet to run only from its time (a draw of it before is a
// rejection), and one filled in a block that has already run takes the rest
// of the sub-step's events at its end, serially, like a deferred daughter.
// Under the wait rule every division is local and nothing is deferred but
// the rare cases above; the law of growth and of resistance agrees with
// the exact engine (TestLatticeBlocksAgreeInLaw). Under the push rule a
// division in the interior pushes a line to the tumour's surface, far
// beyond any halo, so nearly every interior division is deferred and
// pushed serially: the block update runs the push rule, in law like the
// exact engine, but gains much less speed (1.2x with 2 goroutines against
// 1.7-1.8x for the wait rule; README, Spatial mode).
//
// Results depend only on the replicate's own history: every Reset starts
// from the smallest grid (the block partition follows the grid's side) and
// only phenotypes and genotypes the replicate has met count for the bound
// and the deferrals, so a lattice reused across replicates in any order
// gives the same results.

const (
	// latSubstep is the expected candidate events per cell in a sub-step.
	latSubstep = 0.05
	// latParMinBlocks: below this many blocks' worth of cells the block
	// update runs the exact serial loop.
	latParMinBlocks = 2
	// latParKey separates the block streams from the replicate's stream.
	latParKey = 1<<61 | 1
	// LatticeMaxGoroutines bounds LatticeConfig.Goroutines.
	LatticeMaxGoroutines = 64
)

// latLog is one change of a clone's count in a block, in time order: v is
// the grid value of the cell (clone id + 1, or -(k+1) for the block's
// provisional mutant k).
type latLog struct {
	t float64
	v int32
	d int32
}

// latMut is a provisional mutant clone born in a block during a colour.
type latMut struct {
	born   float64
	parent int32 // grid value of the mother
	geno   int32 // -1: a genotype not met before (its division is deferred)
	choice int32 // index into the mother's genotype's choices
}

// latArr is a site filled at time t.
type latArr struct {
	t    float64
	site int32
}

// latDefer is a division placed at the sub-step's end.
type latDefer struct {
	t    float64 // the division's time
	p, q int32   // the mother's site, the chosen daughter site
	j    int32   // the chosen direction (push)
	v    int32   // the daughter's grid value
}

// latBlock is one block's state.
type latBlock struct {
	sites  []int32
	lo, hi [3]uint32 // the write box per axis, in site-index bits
	colour uint8
	r      rng.Stream
	log    []latLog
	muts   []latMut
	ids    []int32  // the mutants' clone ids, once numbered
	out    []latArr // sites filled outside the block, and when
	pend   []latArr // sites filled by other blocks during the sub-step
	defs   []latDefer
	events int64
	placed bool // a provisional mutant is on the grid
}

// latPar is the block update's state.
type latPar struct {
	lbs    uint // log2 of the block side
	nbLg   uint // log2 of the blocks per axis
	hiOff  [3]uint
	blocks []latBlock
	run    []int32
	shares int // goroutines running the current colour
	t0, t1 float64
	sub    uint64 // sub-steps since Reset
	bound  float64
	on     bool // the block lists, not lt.sites, hold the cells
	n      int64
	defBl  []int32
	late   []latArr // cells placed in blocks whose colour had run: catch up
	colour int      // the colour running
	coords [][3]int32

	grids [32][]int32 // the block update keeps one grid buffer per side (newGrid)

	pool *latPool
}

// parInit sets up the block update (called by NewLattice).
func (lt *Lattice) parInit() {
	lt.par = &latPar{lbs: uint(bits.TrailingZeros(uint(lt.cfg.Block)))}
}

// newGrid returns an empty grid of n sites (side 1 << lg). The block update
// shrinks the grid at every Reset and keeps one buffer per side, reused
// (cleared) when the grid grows to that side again.
func (lt *Lattice) newGrid(lg uint, n int) []int32 {
	p := lt.par
	if p == nil {
		return makeGrid(n)
	}
	g := p.grids[lg]
	if g == nil {
		g = makeGrid(n)
		p.grids[lg] = g
	} else {
		clear(g)
	}
	return g
}

// parLayout cuts the current grid into blocks (the lists emptied).
func (lt *Lattice) parLayout() {
	p := lt.par
	dim := lt.cfg.Dim
	tile := &latTile[dim-2]
	p.nbLg = 0
	if lt.lg > p.lbs {
		p.nbLg = lt.lg - p.lbs
	}
	nb := 1 << p.nbLg
	hi := uint(0)
	for b := range 3 {
		hi += tile[b]
	}
	for a := range dim {
		p.hiOff[a] = hi
		hi += lt.lg - tile[a]
	}
	total := 1
	for range dim {
		total *= nb
	}
	if cap(p.blocks) < total {
		// keep every block's buffers (and the deferred daughters that
		// parGrow carries over)
		nbl := make([]latBlock, total)
		copy(nbl, p.blocks[:cap(p.blocks)])
		p.blocks = nbl
	}
	p.blocks = p.blocks[:total]
	bs := 1 << p.lbs
	h := bs / 2
	for id := range total {
		bl := &p.blocks[id]
		bl.sites, bl.pend = bl.sites[:0], bl.pend[:0]
		bl.colour = 0
		c := id
		for a := range dim {
			ca := c % nb
			c /= nb
			bl.colour |= uint8(ca&1) << a
			lo := max(ca*bs-h, latMargin)
			hi := min((ca+1)*bs-1+h, lt.side-1-latMargin)
			bl.lo[a], bl.hi[a] = lt.dilate(a, uint32(lo)), lt.dilate(a, uint32(hi))
		}
	}
}

// blockOf is the block holding site s.
func (lt *Lattice) blockOf(s int32) int32 {
	p := lt.par
	tile := &latTile[lt.cfg.Dim-2]
	u := uint32(s)
	id, mul := uint32(0), uint32(0)
	for a := range lt.cfg.Dim {
		t := u >> p.hiOff[a] & (1<<(lt.lg-tile[a]) - 1)
		id |= t >> (p.lbs - tile[a]) << mul
		mul += uint32(p.nbLg)
	}
	return int32(id)
}

// inside reports whether site s lies in block bl's write box.
func (lt *Lattice) inside(bl *latBlock, s int32) bool {
	u := uint32(s)
	for a := range lt.cfg.Dim {
		if v := u & lt.mask[a]; v < bl.lo[a] || v > bl.hi[a] {
			return false
		}
	}
	return true
}

// parOn moves the cells from lt.sites into the block lists.
func (lt *Lattice) parOn() {
	p := lt.par
	lt.parLayout()
	for _, s := range lt.sites {
		b := &p.blocks[lt.blockOf(s)]
		b.sites = append(b.sites, s)
	}
	p.n = int64(len(lt.sites))
	p.on = true
}

// parOff moves the cells back into lt.sites, in block order.
func (lt *Lattice) parOff() {
	p := lt.par
	if !p.on {
		return
	}
	lt.sites = lt.sites[:0]
	for i := range p.blocks {
		lt.sites = append(lt.sites, p.blocks[i].sites...)
		for _, a := range p.blocks[i].pend {
			lt.sites = append(lt.sites, a.site)
		}
	}
	p.on = false
}

// parBound is the thinning bound of the block update: the largest b + d of
// every phenotype the replicate has met, live or not, so that a mutant born
// in a block is covered without changing the bound inside a sub-step.
// (Phenotypes met only by earlier replicates of this lattice do not count,
// so results do not depend on them.)
func (lt *Lattice) parBound() float64 {
	r := 0.0
	for i := range lt.phenos {
		if ph := &lt.phenos[i]; ph.epoch == lt.epoch {
			r = max(r, ph.birth+ph.death)
		}
	}
	return r
}

// parEvents is events in the block update.
func (lt *Lattice) parEvents(end float64, stopAt int64) bool {
	p := lt.par
	defer lt.parOff()
	for {
		p.bound = lt.parBound()
		lt.bound = p.bound
		n := int64(len(lt.sites))
		if p.on {
			n = p.n
		}
		if n == 0 {
			lt.t = end
			return false
		}
		dt := latSubstep / p.bound
		near := false
		if stopAt > 0 {
			// near the stop size, shorten the sub-step so that its
			// expected candidate events ev satisfy ev + 10 sqrt(ev) + 16
			// <= the cells still to come; run the exact loop once that
			// needs sub-steps 16 times shorter than usual
			s := math.Sqrt(9+float64(stopAt-n)) - 5
			ev := s * s
			if s <= 0 || ev < float64(n)*latSubstep/16 {
				near = true
			} else {
				dt = min(dt, ev/(float64(n)*p.bound))
			}
		}
		t1 := min(lt.t+dt, end)
		small := n < latParMinBlocks<<(p.lbs*uint(lt.cfg.Dim))
		if small || near {
			lt.parOff()
			if lt.events(t1, stopAt) {
				return true
			}
		} else {
			if !p.on {
				lt.parOn()
			}
			lt.subStep(t1)
		}
		if lt.t >= end {
			return false
		}
	}
}

// subStep advances the block lists from lt.t to t1.
func (lt *Lattice) subStep(t1 float64) {
	p := lt.par
	p.sub++
	p.t0, p.t1 = lt.t, t1
	for c := range 1 << lt.cfg.Dim {
		p.colour = c
		p.run = p.run[:0]
		for id := range p.blocks {
			if bl := &p.blocks[id]; int(bl.colour) == c && len(bl.sites)+len(bl.pend) > 0 {
				p.run = append(p.run, int32(id))
			}
		}
		if len(p.run) == 0 {
			continue
		}
		lt.runColour()
		for _, id := range p.run {
			lt.merge(id)
		}
	}
	lt.t = t1
	lt.placeDeferred()
}

// runColour runs the blocks in p.run, concurrently if so configured:
// the run list is cut into g contiguous shares, share w always going to
// worker w (this goroutine takes share 0), so that a worker meets the same
// part of the grid, and its caches, from one colour and sub-step to the
// next.
func (lt *Lattice) runColour() {
	p := lt.par
	g := min(max(lt.cfg.Goroutines, 1), len(p.run))
	p.shares = g
	if g == 1 {
		lt.work(0)
		return
	}
	pl := p.pool
	if pl == nil {
		pl = &latPool{}
		p.pool = pl
		// the workers hold the pool, not the lattice: once the lattice
		// is unreachable, the cleanup ends them
		runtime.AddCleanup(lt, (*latPool).close, pl)
	}
	for w := len(pl.wake); w < g; w++ {
		pl.wake = append(pl.wake, make(chan struct{}, 1))
		pl.sleeping = append(pl.sleeping, new(atomic.Bool))
		if w > 0 {
			go pl.worker(w, pl.wake[w], pl.sleeping[w], pl.phase.Load()>>8)
		}
	}
	pl.lt.Store(lt)
	pl.left.Store(int32(g - 1))
	pl.phase.Store((pl.phase.Load()>>8+1)<<8 | uint64(g))
	for w := 1; w < g; w++ {
		if pl.sleeping[w].CompareAndSwap(true, false) {
			pl.wake[w] <- struct{}{}
		}
	}
	lt.work(0)
	for pl.left.Load() > 0 {
		runtime.Gosched()
	}
	pl.lt.Store(nil)
}

// latPool is a lattice's worker goroutines, started once. Between colours
// a worker spins (yielding) for a while on the pool's epoch, which the
// next colour bumps, and then parks until woken: the colours of a sub-step
// follow each other within microseconds, faster than a parked goroutine
// wakes. No goroutine is started per call, so the block update allocates
// nothing once its buffers have grown.
type latPool struct {
	phase    atomic.Uint64 // colours started << 8 | the current colour's shares
	left     atomic.Int32  // workers still running the current colour
	closed   atomic.Bool
	lt       atomic.Pointer[Lattice] // during a colour, the lattice
	wake     []chan struct{}
	sleeping []*atomic.Bool
}

// latSpin is how many times a worker yields while waiting for the next
// colour before it parks.
const latSpin = 2000

func (pl *latPool) worker(w int, wake chan struct{}, sleeping *atomic.Bool, e uint64) {
	for {
		for spins := 0; pl.phase.Load()>>8 == e; spins++ {
			if pl.closed.Load() {
				return
			}
			if spins < latSpin {
				runtime.Gosched()
				continue
			}
			sleeping.Store(true)
			if pl.phase.Load()>>8 != e {
				if !sleeping.CompareAndSwap(true, false) {
					<-wake // the waker saw us asleep and sent a token
				}
				break
			}
			<-wake
			spins = 0
		}
		ph := pl.phase.Load()
		e = ph >> 8
		// a worker outside the colour's shares may see it late, even after
		// it ended: only those inside take part (and the colour waits for
		// them)
		if w < int(ph&0xff) {
			pl.lt.Load().work(w)
			pl.left.Add(-1)
		}
	}
}

// close ends the workers (a cleanup once the lattice is unreachable).
func (pl *latPool) close() {
	pl.closed.Store(true)
	for _, ch := range pl.wake {
		close(ch)
	}
}

// work runs share w of the colour's blocks.
func (lt *Lattice) work(w int) {
	p := lt.par
	n := len(p.run)
	for _, id := range p.run[w*n/p.shares : (w+1)*n/p.shares] {
		lt.runBlock(id)
	}
}

// runBlock simulates block id's cells over the sub-step.
func (lt *Lattice) runBlock(id int32) {
	p := lt.par
	bl := &p.blocks[id]
	bl.r = rng.New(lt.seed, latParKey, p.sub, uint64(id))
	r := &bl.r
	grid := lt.grid
	R := p.bound
	t := p.t0
	// sites other blocks filled in earlier sub-steps are there from the
	// start; those filled during this one (by earlier colours) only from
	// their time: until then a draw of one is a rejection
	keep := bl.pend[:0]
	for _, a := range bl.pend {
		if a.t <= t {
			bl.sites = append(bl.sites, a.site)
		} else {
			keep = append(keep, a)
		}
	}
	bl.pend = keep
	defer lt.flush(bl)
	for {
		n := len(bl.sites) + len(bl.pend)
		if n == 0 {
			return
		}
		t += r.Exp() / (float64(n) * R)
		if t >= p.t1 {
			return
		}
		bl.events++
		i, _ := bits.Mul64(r.Uint64(), uint64(n))
		if k := int(i) - len(bl.sites); k >= 0 {
			a := bl.pend[k]
			if a.t > t {
				continue
			}
			// arrived: it joins the block's list (the set of sites drawn
			// from is unchanged)
			last := len(bl.pend) - 1
			bl.pend[k] = bl.pend[last]
			bl.pend = bl.pend[:last]
			bl.sites = append(bl.sites, a.site)
			i = uint64(len(bl.sites) - 1)
		}
		s := bl.sites[i]
		v := grid[s]
		var gi int32
		if v > 0 {
			gi = lt.clones[v-1].geno
		} else {
			gi = bl.muts[-v-1].geno
		}
		g := &lt.genos[gi]
		ph := &lt.phenos[g.pheno]
		x := r.Float64() * R
		switch {
		case x < ph.birth:
			lt.blockDivide(id, bl, s, v, gi, t)
		case x < ph.birth+ph.death:
			grid[s] = 0
			last := len(bl.sites) - 1
			bl.sites[i] = bl.sites[last]
			bl.sites = bl.sites[:last]
			bl.log = append(bl.log, latLog{t: t, v: v, d: -1})
		}
	}
}

// flush moves the rest of block bl's arrivals into its list at the end of
// its run (all have arrived by the sub-step's end).
func (lt *Lattice) flush(bl *latBlock) {
	for _, a := range bl.pend {
		bl.sites = append(bl.sites, a.site)
	}
	bl.pend = bl.pend[:0]
}

// blockDivide lets the cell (grid value v, genotype gi) at site s of block
// id (bl) divide at time t.
func (lt *Lattice) blockDivide(id int32, bl *latBlock, s, v, gi int32, t float64) {
	r := &bl.r
	grid := lt.grid
	var empty [26]int32
	var dir [26]int32
	k := 0
	for j := range lt.step {
		if q := lt.next(s, j); grid[q] == 0 {
			empty[k], dir[k] = q, int32(j)
			k++
		}
	}
	var q, far int32
	var j int32
	later := false
	switch {
	case k > 0:
		e, _ := bits.Mul64(r.Uint64(), uint64(k))
		q, j = empty[e], dir[e]
		far = q
		later = !lt.inside(bl, q)
	case lt.cfg.Rule == RuleWait:
		return
	default:
		d, _ := bits.Mul64(r.Uint64(), uint64(len(lt.step)))
		j = int32(d)
		q = lt.next(s, int(d))
		// find the line's first empty site without leaving the write box
		w := q
		for {
			w = lt.next(w, int(d))
			if !lt.inside(bl, w) {
				later = true
				break
			}
			if grid[w] == 0 {
				far = w
				break
			}
		}
	}
	g := &lt.genos[gi]
	nv := v
	if g.u > 0 && r.Float64() < g.u {
		x := r.Float64() * g.cum[len(g.cum)-1]
		c := 0
		for c < len(g.cum)-1 && x >= g.cum[c] {
			c++
		}
		child := g.child[c]
		if child >= 0 && lt.genos[child].epoch != lt.epoch {
			child = -1 // met only by earlier replicates: as if new
		}
		bl.muts = append(bl.muts, latMut{born: t, parent: v, geno: child, choice: int32(c)})
		nv = -int32(len(bl.muts))
		if child < 0 {
			later = true
		}
	}
	bl.log = append(bl.log, latLog{t: t, v: nv, d: 1})
	if later {
		bl.defs = append(bl.defs, latDefer{t: t, p: s, q: q, j: j, v: nv})
		return
	}
	if k == 0 {
		lt.push(q, int(j)) // the line ends at far, inside the box
	}
	grid[q] = nv
	if nv < 0 {
		bl.placed = true
	}
	if lt.blockOf(far) == id {
		bl.sites = append(bl.sites, far)
	} else {
		bl.out = append(bl.out, latArr{t: t, site: far})
	}
}

// merge settles block id after its colour: mutant ids, clone counts,
// cells it placed in other blocks.
func (lt *Lattice) merge(id int32) {
	p := lt.par
	bl := &p.blocks[id]
	clone := func(v int32) int32 {
		if v > 0 {
			return v - 1
		}
		return bl.ids[-v-1]
	}
	bl.ids = bl.ids[:0]
	for _, m := range bl.muts {
		parent := clone(m.parent)
		gi := m.geno
		pg := lt.clones[parent].geno
		h := lt.genos[pg].hits[m.choice]
		if gi < 0 {
			gi = lt.genos[pg].child[m.choice]
			if gi < 0 {
				g := &lt.genos[pg]
				gi = lt.addGeno(g.g.With(h), lt.m.Catalog[h.Mut].Name)
				lt.genos[pg].child[m.choice] = gi
			}
			lt.meet(gi)
		}
		id := int32(len(lt.clones))
		bl.ids = append(bl.ids, id)
		// the founding SNV, as the serial engine's mutant draws it (clone
		// ids are settled here, block by block, in a fixed order)
		lt.snv = append(lt.snv, lt.cloneSNV(parent, id, h))
		lt.clones = append(lt.clones, latClone{parent: int64(parent), born: m.born, ext: math.NaN(), geno: gi, rec: -1})
		lt.live++
	}
	if bl.placed {
		lt.renumber(bl)
		bl.placed = false
	}
	t := lt.t
	for _, e := range bl.log {
		lt.t = e.t
		c := clone(e.v)
		if e.d > 0 {
			lt.join(c)
			p.n++
		} else {
			prev := lt.lastExt
			lt.leave(c)
			lt.lastExt = max(prev, lt.lastExt)
			p.n--
		}
	}
	lt.t = t
	for i := range bl.defs {
		if v := bl.defs[i].v; v < 0 {
			bl.defs[i].v = bl.ids[-v-1] + 1
		}
	}
	if len(bl.defs) > 0 {
		p.defBl = append(p.defBl, id)
	}
	for _, a := range bl.out {
		b := &p.blocks[lt.blockOf(a.site)]
		if int(b.colour) < p.colour {
			// its colour has run: the cell is there for the next
			// sub-step, and catches up on the rest of this one at its end
			b.sites = append(b.sites, a.site)
			p.late = append(p.late, a)
		} else {
			b.pend = append(b.pend, a)
		}
	}
	lt.Events += bl.events
	bl.events = 0
	bl.log, bl.muts, bl.out = bl.log[:0], bl.muts[:0], bl.out[:0]
}

// renumber gives the provisional mutants of block bl on the grid their
// clone ids: they all lie in bl's write box, which is scanned with
// dilated increments (the masked add of one on an axis's bits).
func (lt *Lattice) renumber(bl *latBlock) {
	m := &lt.mask
	var one [3]uint32
	for a := range lt.cfg.Dim {
		one[a] = 1 << bits.TrailingZeros32(m[a])
	}
	inc := func(u uint32, a int) uint32 { return ((u|^m[a])+one[a])&m[a] | u&^m[a] }
	grid := lt.grid
	z := bl.lo[2]
	for {
		y := bl.lo[1]
		for {
			u := bl.lo[0] | y | z
			for {
				if v := grid[u]; v < 0 {
					grid[u] = bl.ids[-v-1] + 1
				}
				if u&m[0] == bl.hi[0] {
					break
				}
				u = inc(u, 0)
			}
			if y == bl.hi[1] {
				break
			}
			y = inc(y, 1)
		}
		if lt.cfg.Dim == 2 || z == bl.hi[2] {
			break
		}
		z = inc(z, 2)
	}
}

// placeDeferred ends a sub-step: first the cells placed in blocks whose
// colour had run catch up (in the order they were placed), then the
// deferred daughters are placed in (block, time) order, each catching up in
// turn; the grid grows as the serial engine's does. The late cells go
// first because a deferred push may move them and a deferred daughter's
// death may then empty their site.
func (lt *Lattice) placeDeferred() {
	p := lt.par
	slices.Sort(p.defBl)
	for li := 0; li < len(p.late); li++ {
		a := p.late[li]
		lt.catchUp(a.site, a.t)
		if lt.mark {
			lt.parGrow(0, 0, li+1)
		}
	}
	p.late = p.late[:0]
	for bi, id := range p.defBl {
		for di := 0; di < len(p.blocks[id].defs); di++ {
			lt.place(p.blocks[id].defs[di])
			if lt.mark {
				lt.parGrow(bi, di+1, 0)
			}
		}
	}
	for _, id := range p.defBl {
		p.blocks[id].defs = p.blocks[id].defs[:0]
	}
	p.defBl = p.defBl[:0]
}

// place puts a deferred daughter on the grid, then lets it take the events
// it missed since its birth (catchUp).
func (lt *Lattice) place(d latDefer) {
	grid := lt.grid
	q := d.q
	var far int32
	switch {
	case grid[q] == 0:
		far = q
	case lt.cfg.Rule == RulePush:
		far = lt.push(q, int(d.j))
	default:
		k := 0
		for j := range lt.step {
			if s := lt.next(d.p, j); grid[s] == 0 {
				lt.empty[k] = s
				k++
			}
		}
		if k == 0 {
			lt.leave(d.v - 1) // no room left: the daughter is lost
			lt.par.n--
			return
		}
		e, _ := bits.Mul64(lt.r.Uint64(), uint64(k))
		q = lt.empty[e]
		far = q
	}
	grid[q] = d.v
	b := &lt.par.blocks[lt.blockOf(far)]
	b.sites = append(b.sites, far)
	if lt.near(far) {
		lt.mark = true
	}
	lt.catchUp(q, d.t)
}

// catchUp gives the cell at site s, born at tau inside the sub-step that
// has just ended (at lt.t), the candidate events it missed while its
// placement waited, from the replicate's stream: a division places a
// daughter by the serial rule (which catches up in turn), a death removes
// the cell. It stops early if the grid must grow first (a cell reached
// the margin). The site may be emptied under it (a descendant's push moves
// the cell on and a later daughter placed there dies), or, for a late
// cell, be empty by its turn (the same through an earlier catch-up): the
// catch-up then ends.
func (lt *Lattice) catchUp(s int32, tau float64) {
	p := lt.par
	end := lt.t
	for !lt.mark && lt.grid[s] != 0 {
		tau += lt.r.Exp() / p.bound
		if tau >= end {
			return
		}
		lt.Events++
		c := lt.grid[s] - 1
		g := &lt.genos[lt.clones[c].geno]
		ph := &lt.phenos[g.pheno]
		x := lt.r.Float64() * p.bound
		switch {
		case x < ph.birth:
			lt.t = tau
			q := lt.parDivide(s, c, g.u)
			lt.t = end
			if q >= 0 {
				lt.catchUp(q, tau)
			}
		case x < ph.birth+ph.death:
			lt.grid[s] = 0
			b := &p.blocks[lt.blockOf(s)]
			i := slices.Index(b.sites, s) // the block lists have no arrivals pending now
			last := len(b.sites) - 1
			b.sites[i] = b.sites[last]
			b.sites = b.sites[:last]
			lt.t = tau
			prev := lt.lastExt
			lt.leave(c)
			lt.lastExt = max(prev, lt.lastExt)
			lt.t = end
			p.n--
			return
		}
	}
}

// parDivide is divide for the block lists, serially: the cell of clone c
// at site s divides now (u: its mutation probability); it returns the
// daughter's site, or -1 if it could not divide (wait rule).
func (lt *Lattice) parDivide(s, c int32, u float64) int32 {
	p := lt.par
	r := &lt.r
	k := 0
	for j := range lt.step {
		if q := lt.next(s, j); lt.grid[q] == 0 {
			lt.empty[k] = q
			k++
		}
	}
	var q, far int32
	switch {
	case k > 0:
		e, _ := bits.Mul64(r.Uint64(), uint64(k))
		q = lt.empty[e]
		far = q
	case lt.cfg.Rule == RuleWait:
		return -1
	default:
		j, _ := bits.Mul64(r.Uint64(), uint64(len(lt.step)))
		q = lt.next(s, int(j))
		far = lt.push(q, int(j))
	}
	if u > 0 && r.Float64() < u {
		c = lt.mutant(c)
		p.bound = max(p.bound, lt.bound)
	}
	lt.grid[q] = c + 1
	lt.join(c)
	p.n++
	b := &p.blocks[lt.blockOf(far)]
	b.sites = append(b.sites, far)
	if lt.near(far) {
		lt.mark = true
	}
	return q
}

// parGrow doubles the grid in the middle of placeDeferred: the cells go
// through lt.sites, and the sites still to be handled move with the grid:
// the deferred daughters of block p.defBl[bi] from di on and of the later
// blocks, and the late arrivals from li on.
func (lt *Lattice) parGrow(bi, di, li int) {
	p := lt.par
	p.coords = p.coords[:0]
	at := func(s int32) {
		x, y, z := lt.coords(s)
		p.coords = append(p.coords, [3]int32{int32(x), int32(y), int32(z)})
	}
	for k, id := range p.defBl[bi:] {
		defs := p.blocks[id].defs
		if k == 0 {
			defs = defs[di:]
		}
		for _, d := range defs {
			at(d.p)
			at(d.q)
		}
	}
	for _, a := range p.late[li:] {
		at(a.site)
	}
	// the cell count already includes the daughters still to be placed
	n := p.n
	lt.parOff()
	sh := int32(lt.side / 2)
	lt.grow()
	lt.parOn()
	p.n = n
	c := p.coords
	moved := func() int32 {
		x, y, z := c[0][0]+sh, c[0][1]+sh, c[0][2]
		c = c[1:]
		if lt.cfg.Dim == 3 {
			z += sh
		}
		return lt.site(int(x), int(y), int(z))
	}
	for k, id := range p.defBl[bi:] {
		defs := p.blocks[id].defs
		if k == 0 {
			defs = defs[di:]
		}
		for i := range defs {
			defs[i].p = moved()
			defs[i].q = moved()
		}
	}
	for i := range p.late[li:] {
		p.late[li+i].site = moved()
	}
}
