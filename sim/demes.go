package sim

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sync"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim/rng"
)

// # The deme mode
//
// With Config.Demes set, a replicate is a tumour of demes: well-mixed
// pockets of at most K cells on the sites of a square (2D) or cubic (3D)
// lattice, von Neumann neighbours (4 or 6). Inside a deme every clone has
// the well-mixed engine's biology, rates and samplers: a deme step moves
// each of the deme's clones with Tumor.advanceClone (the exact no-emission
// law of emission.go, cut at every change of exposure, or the bridge for
// large clones that shed many mutants), so sizes are exact birth-death
// sizes and mutant daughters are born at their exact times; a daughter
// founds a new clone in its parent's deme and is advanced from its birth to
// the step end in the same way, generation after generation (mutants of
// mutants within a step included). Clones of one deme do not interact
// within a step; space acts only at deme step ends (every DemesConfig.Step
// days, 0.25 by default):
//
//   - Fission (DemeFission): a deme holding K or more cells splits; each of
//     its clones' cells go to the new deme with probability 1/2 (binomial).
//     The new deme takes a uniformly chosen empty neighbour site; when none
//     is empty it pushes the line of demes that starts at a random
//     neighbour one site outward, up to the first empty site, and takes that
//     neighbour's place (DemesConfig.Wait instead leaves the deme at K).
//     Splits do not slow the cells, so with pushing the tumour grows as a
//     well-mixed one and space only shapes where clones are.
//   - Invasion (DemeInvasion): births are suppressed at K: the cells a deme
//     holds above K at a step end are removed uniformly at random (those
//     births did not happen). Then every cell moves with probability
//     1 - exp(-migration x step) to a uniformly chosen neighbour site, and
//     arrives if that site has room (an empty site founds a new deme);
//     otherwise it stays. Growth is boundary-driven: only demes near the
//     edge have room.
//
// Approximations, all at the scale of one deme step: the cut to K
// (invasion) and the split (fission) act at step ends, so a deme can hold
// up to K e^{(b-d) step} cells within a step (0.25% over K at the library's
// rates), and births cut at a step end keep the mutant daughters they shed
// during it; migrants leave and arrive at step ends; a cut of more than
// demeExactCut cells draws the cells removed from each clone as a binomial
// share of the rest instead of without replacement.
//
// Reproducibility: every deme owns a PCG stream derived from the
// replicate's seed and the deme's serial number (its order of creation);
// every draw a deme makes comes from its own stream, and everything that
// crosses demes (new clone ids, fission, migration, the removal of empty
// demes) is done serially in deme order. So a replicate is bit-identical
// whatever the number of goroutines (Options.Shards) that advance its demes
// and whatever the number of workers running replicates.
//
// Blood draws read the demes' clones tumour-wide as they read a
// well-mixed tumour (demes_observe.go): the clones' ancestry, SNVs
// included, is kept by the deme tumour's engine (Demes.tm).
//
// Limits: no virtual trial patients, no merge mode
// (a merged clone pools a genotype's cells tumour-wide, which a deme cannot
// hold apart). Snapshots and multi-region biopsies read the demes as
// (site, clone, cells) entries (demes_observe.go, lattice_spatial.go).

// DemeDispersal is how cells of the deme mode spread.
type DemeDispersal uint8

const (
	DemeFission  DemeDispersal = iota // a deme at K splits into a neighbour site
	DemeInvasion                      // cells migrate into neighbours with room; births stop at K
)

func (d DemeDispersal) String() string {
	if d == DemeInvasion {
		return "invasion"
	}
	return "fission"
}

// DemesConfig sets up the deme mode (Config.Demes).
type DemesConfig struct {
	Dim       int     // 2 or 3
	K         float64 // carrying capacity, cells per deme (default 1e4)
	Dispersal DemeDispersal
	Migration float64 // invasion: probability per cell per day of moving (rate)
	Step      float64 // days between synchronisations of the demes (default 0.25)
	// Wait (fission): a full deme with no empty neighbour stays at K
	// instead of pushing a line of demes outward: boundary-driven growth.
	Wait bool
}

// DemesMaxDemes bounds a replicate's demes (memory: about 150 bytes a
// deme plus its clones); beyond it the replicate stops with an error.
const DemesMaxDemes = 20_000_000

// Defaults of DemesConfig.
const (
	DefaultDemeK    = 1e4
	DefaultDemeStep = 0.25
)

// Defaults fills zero fields.
func (dc *DemesConfig) Defaults() {
	if dc.K == 0 {
		dc.K = DefaultDemeK
	}
	if dc.Step == 0 {
		dc.Step = DefaultDemeStep
	}
	if dc.Dim == 0 {
		dc.Dim = 2
	}
}

// Validate reports an impossible deme setting.
func (dc *DemesConfig) Validate() error {
	var errs []error
	if dc.Dim != 2 && dc.Dim != 3 {
		errs = append(errs, fmt.Errorf("demes dimension %d: must be 2 or 3", dc.Dim))
	}
	if !(dc.K >= 2 && dc.K <= 1e15) || dc.K != math.Trunc(dc.K) {
		errs = append(errs, fmt.Errorf("deme carrying capacity %g: must be a whole number of cells from 2 to 1e15", dc.K))
	}
	switch dc.Dispersal {
	case DemeFission:
		if dc.Migration != 0 {
			errs = append(errs, fmt.Errorf("deme migration %g: applies only to invasion dispersal", dc.Migration))
		}
	case DemeInvasion:
		if !(dc.Migration > 0) || math.IsInf(dc.Migration, 0) {
			errs = append(errs, fmt.Errorf("deme migration %g: invasion needs a positive rate per day", dc.Migration))
		}
		if dc.Wait {
			errs = append(errs, errors.New("deme wait rule: applies only to fission dispersal"))
		}
	default:
		errs = append(errs, fmt.Errorf("deme dispersal %d: must be fission or invasion", dc.Dispersal))
	}
	if !(dc.Step > 0) || math.IsInf(dc.Step, 0) {
		errs = append(errs, fmt.Errorf("deme step %v: must be a positive number of days", dc.Step))
	}
	return errors.Join(errs...)
}

// validateDemes is Config.Validate's part for the deme mode.
func (c *Config) validateDemes() error {
	if c.Demes == nil {
		return nil
	}
	var errs []error
	if err := c.Demes.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Lattice != nil {
		errs = append(errs, errors.New("deme mode: a lattice of cells and demes cannot both be set"))
	}
	if c.Patient != nil {
		errs = append(errs, errors.New("deme mode: virtual trial patients are not available"))
	}
	if c.Engine.Merge {
		errs = append(errs, errors.New("deme mode: merged clones do not apply (a merged clone pools a genotype tumour-wide; demes keep each clone's cells per deme)"))
	}
	if c.Demes.K >= 2 && c.Detect/c.Demes.K > DemesMaxDemes/4 {
		errs = append(errs, fmt.Errorf("deme mode: detection size %g over carrying capacity %g is %g demes: at most %d", c.Detect, c.Demes.K, c.Detect/c.Demes.K, DemesMaxDemes/4))
	}
	return errors.Join(errs...)
}

// dentry is one clone's cells in one deme.
type dentry struct {
	id  int64
	n   int64
	ext float64 // when the entry died in the current step (NaN: alive)
}

// deme is a well-mixed pocket of cells at one site.
type deme struct {
	pos int32
	n   int64
	ent []dentry // sorted by clone id
	r   rng.Stream
}

// demeRange says that daughters lo..hi of a shard's buffer are deme i's.
type demeRange struct{ i, lo, hi int32 }

// dclone is a clone tumour-wide (indexed by id).
type dclone struct {
	n      int64
	parent int64
	born   float64
	ext    float64
	geno   int32
	rec    int32
}

// demeMove is a batch of migrants of one clone from one deme to a site.
type demeMove struct {
	src   int32
	dst   int32 // site
	id    int64
	count int64
}

// Demes is the state of one replicate in the deme mode. It is reused across
// replicates (Reset).
type Demes struct {
	m   *model.Model
	cfg DemesConfig
	k   int64 // K
	tm  *Tumor

	seed    uint64
	serial  uint64 // demes created so far (stream keys)
	t       float64
	lastExt float64

	demes  []deme
	grid   []int32 // deme index + 1; 0: empty
	side   int
	off    []int32
	mark   bool
	clones []dclone
	live   []int64 // ids of live clones, increasing
	born   []int64 // scratch: ids founded in the current step
	counts [model.NumClasses]int64
	total  int64
	recs   []CloneRecord

	moves []demeMove
	empty [6]int32

	// mutant daughters of the current step, per shard (one serially), and
	// which demes they belong to; gen, gen2: daughters of newborns
	spend [][]pending
	sidx  [][]demeRange
	gen   []pending
	gen2  []pending

	pool *demePool

	// Updates counts deme steps (one deme advanced over one step) since Reset.
	Updates int64
}

const (
	demeMargin   = 2
	demeExactCut = 64
	demeKeySalt  = 0x5eed_de3e_0000_0000
	demeShardMin = 64 // fewer demes than this are advanced serially
)

// NewDemes returns an empty deme tumour for model m. opt are the engine's
// options (RecordAt, Shards; Merge must be off).
func NewDemes(m *model.Model, dc DemesConfig, opt Options) *Demes {
	dc.Defaults()
	opt.Merge = false
	dm := &Demes{m: m, cfg: dc, k: int64(dc.K), tm: NewTumor(m, Options{ExactBelow: opt.ExactBelow, RecordAt: opt.RecordAt, BridgeAbove: opt.BridgeAbove, BridgeMinCells: opt.BridgeMinCells})}
	if dm.tm.opt.ExactBelow < 1 {
		dm.tm.opt.ExactBelow = 1
	}
	if opt.Shards > 1 {
		dm.pool = newDemePool(opt.Shards)
	}
	dm.spend = make([][]pending, max(opt.Shards, 1))
	dm.sidx = make([][]demeRange, max(opt.Shards, 1))
	dm.setSide(16)
	return dm
}

// Close stops the deme tumour's goroutines, if any.
func (dm *Demes) Close() {
	if dm.pool != nil {
		dm.pool.close()
		dm.pool = nil
	}
}

func (dm *Demes) setSide(side int) {
	dm.side = side
	n := side * side
	if dm.cfg.Dim == 3 {
		n *= side
	}
	if n > math.MaxInt32 {
		panic("demes: grid too large")
	}
	dm.grid = make([]int32, n)
	dm.off = dm.off[:0]
	s := int32(side)
	dm.off = append(dm.off, 1, -1, s, -s)
	if dm.cfg.Dim == 3 {
		dm.off = append(dm.off, s*s, -s*s)
	}
}

func (dm *Demes) coords(p int32) (x, y, z int) {
	s := uint32(dm.side)
	u := uint32(p)
	x = int(u % s)
	u /= s
	if dm.cfg.Dim == 2 {
		return x, int(u), 0
	}
	return x, int(u % s), int(u / s)
}

func (dm *Demes) site(x, y, z int) int32 { return int32(x + dm.side*(y+dm.side*z)) }

func (dm *Demes) near(p int32) bool {
	x, y, z := dm.coords(p)
	hi := dm.side - 1 - demeMargin
	if x < demeMargin || x > hi || y < demeMargin || y > hi {
		return true
	}
	return dm.cfg.Dim == 3 && (z < demeMargin || z > hi)
}

// growGrid doubles the grid's side, keeping the demes centred.
func (dm *Demes) growGrid() {
	old := dm.side
	sh := old / 2
	type xyz struct{ x, y, z int }
	pos := make([]xyz, len(dm.demes))
	for i := range dm.demes {
		x, y, z := dm.coords(dm.demes[i].pos)
		pos[i] = xyz{x + sh, y + sh, z}
		if dm.cfg.Dim == 3 {
			pos[i].z += sh
		}
	}
	dm.setSide(2 * old)
	for i, p := range pos {
		s := dm.site(p.x, p.y, p.z)
		dm.demes[i].pos = s
		dm.grid[s] = int32(i + 1)
	}
	dm.mark = false
}

// newDeme puts an empty deme on the empty site p and returns its index.
func (dm *Demes) newDeme(p int32) int32 {
	i := len(dm.demes)
	if i < cap(dm.demes) {
		dm.demes = dm.demes[:i+1] // keep the recycled deme's buffers
		d := &dm.demes[i]
		d.ent = d.ent[:0]
	} else {
		dm.demes = append(dm.demes, deme{})
	}
	d := &dm.demes[i]
	d.pos, d.n = p, 0
	d.r = rng.Derive(dm.seed^demeKeySalt, dm.serial)
	dm.serial++
	dm.grid[p] = int32(i + 1)
	if dm.near(p) {
		dm.mark = true
	}
	return int32(i)
}

// Reset empties the tumour and seeds it with one deme of n founder cells of
// the background genotype at time t; streams derive from seed.
func (dm *Demes) Reset(seed uint64, n int64, t float64) {
	for i := range dm.demes {
		dm.grid[dm.demes[i].pos] = 0
	}
	dm.demes = dm.demes[:0]
	dm.seed, dm.serial, dm.t = seed, 0, t
	dm.lastExt = math.Inf(-1)
	dm.tm.Reset(seed, 0, t)
	dm.clones = dm.clones[:0]
	dm.live = dm.live[:0]
	dm.recs = dm.recs[:0]
	dm.counts = [model.NumClasses]int64{}
	dm.total = 0
	dm.Updates = 0
	dm.born = dm.born[:0]
	// the grid keeps its size: positions are relative to its centre and
	// no draw depends on the size, so results do not either
	if n <= 0 {
		return
	}
	h := dm.side / 2
	z := 0
	if dm.cfg.Dim == 3 {
		z = h
	}
	d := dm.newDeme(dm.site(h, h, z))
	id := dm.found(-1, 0, t)
	dm.demes[d].ent = append(dm.demes[d].ent, dentry{id: id, n: n, ext: math.NaN()})
	dm.demes[d].n = n
	dm.bookkeep()
}

// found gives the next clone id to a clone of genotype g born at t.
func (dm *Demes) found(parent int64, g int32, t float64) int64 {
	tm := dm.tm
	id := tm.nextID
	tm.nextID++
	tm.ancParent = append(tm.ancParent, parent)
	tm.ancGeno = append(tm.ancGeno, g)
	tm.ancSite = append(tm.ancSite, 0)
	dm.clones = append(dm.clones, dclone{parent: parent, born: t, ext: math.NaN(), geno: g, rec: -1})
	dm.born = append(dm.born, id)
	return id
}

// begin sets up the engine's segments for the step [t, t1] under exposure
// e and prepares the rate class of every live clone (as Tumor.Advance does
// before advancing clones).
func (dm *Demes) begin(t1 float64, e Exposure) {
	tm := dm.tm
	tm.t = dm.t
	tm.stamp++
	tm.segT = append(tm.segT[:0], dm.t)
	tm.segConc = tm.segConc[:0]
	for t := dm.t; t < t1; {
		next := e.Conc(t, tm.conc)
		tm.segConc = append(tm.segConc, tm.conc...)
		if !(next > t) {
			next = t1
		}
		t = min(next, t1)
		tm.segT = append(tm.segT, t)
	}
	for i := range tm.phenos {
		tm.fillDeath(&tm.phenos[i])
	}
	for _, id := range dm.live {
		tm.prepare(&tm.rcs[tm.genos[dm.clones[id].geno].rc])
	}
}

// advanceDeme moves every clone of deme d over the current step [dm.t, b]
// with the deme's stream, appending its mutant daughters to out. It writes
// only d and out, so demes can be advanced concurrently.
func (dm *Demes) advanceDeme(d *deme, b float64, out []pending) []pending {
	tm := dm.tm
	a := dm.t
	var c clone
	c.rng = d.r
	for i := range d.ent {
		e := &d.ent[i]
		c.n, c.id, c.geno, c.ext = e.n, e.id, dm.clones[e.id].geno, math.NaN()
		out = tm.advanceClone(&c, a, b, out)
		e.n = c.n
		if c.n < 0 {
			e.ext = tm.extinction(&c)
			e.n = 0
		} else if c.n == 0 {
			e.ext = c.ext
		}
	}
	d.r = c.rng
	return out
}

// advanceRun advances demes lo..hi-1 into shard k's buffers.
func (dm *Demes) advanceRun(k, lo, hi int, b float64) {
	out, idx := dm.spend[k][:0], dm.sidx[k][:0]
	for i := lo; i < hi; i++ {
		n := len(out)
		out = dm.advanceDeme(&dm.demes[i], b, out)
		if len(out) > n {
			idx = append(idx, demeRange{int32(i), int32(n), int32(len(out))})
		}
	}
	dm.spend[k], dm.sidx[k] = out, idx
}

// settleDeme founds deme d's mutant daughters pend in (parent, time)
// order, as new clones of the deme, and advances them to b, generation
// after generation. Serial.
func (dm *Demes) settleDeme(d *deme, b float64, pend []pending) {
	tm := dm.tm
	var c clone
	for len(pend) > 0 {
		tm.sortPending(pend)
		first := len(d.ent)
		for _, p := range pend {
			g := tm.childGeno(p.geno, p.choice, p.site)
			id := dm.found(p.parent, g, p.t)
			tm.ancSite[id] = p.site
			d.ent = append(d.ent, dentry{id: id, n: 1, ext: math.NaN()})
		}
		next := dm.gen2[:0]
		c.rng = d.r
		for i := first; i < len(d.ent); i++ {
			e := &d.ent[i]
			cl := &dm.clones[e.id]
			c.n, c.id, c.geno, c.ext = 1, e.id, cl.geno, math.NaN()
			next = tm.advanceClone(&c, cl.born, b, next)
			e.n = c.n
			if c.n < 0 {
				e.ext = tm.extinction(&c)
				e.n = 0
			} else if c.n == 0 {
				e.ext = c.ext
			}
		}
		d.r = c.rng
		dm.gen = append(dm.gen[:0], next...)
		dm.gen2 = next[:0]
		pend = dm.gen
	}
}

// pass advances every deme over [dm.t, b] (concurrently when a pool is
// set), then settles their daughters in deme order.
func (dm *Demes) pass(b float64) {
	shards := 1
	if dm.pool != nil && len(dm.demes) >= demeShardMin {
		dm.pool.run(dm, b)
		shards = len(dm.spend)
	} else {
		dm.advanceRun(0, 0, len(dm.demes), b)
	}
	dm.Updates += int64(len(dm.demes))
	for k := 0; k < shards; k++ {
		for _, r := range dm.sidx[k] {
			dm.settleDeme(&dm.demes[r.i], b, dm.spend[k][r.lo:r.hi])
		}
	}
}

// Advance moves the tumour to t1 under exposure e in deme steps of at most
// DemesConfig.Step.
func (dm *Demes) Advance(t1 float64, e Exposure) {
	dm.lastExt = math.Inf(-1)
	for dm.t < t1 && len(dm.demes) > 0 {
		b := min(dm.t+dm.cfg.Step, t1)
		if t1-b <= 1e-12*(1+math.Abs(t1)) {
			b = t1
		}
		dm.step(b, e)
	}
	if len(dm.demes) == 0 {
		dm.t = max(dm.t, t1)
	}
}

// step is one deme step to b: every deme's clones, then dispersal, then
// bookkeeping.
func (dm *Demes) step(b float64, e Exposure) {
	dm.begin(b, e)
	dm.pass(b)
	dm.t = b
	dm.tally()
	if dm.cfg.Dispersal == DemeFission {
		dm.fission()
	} else {
		dm.cutToK()
		dm.migrate()
	}
	dm.bookkeep()
}

// tally drops dead entries, sums each deme's cells and notes extinctions.
func (dm *Demes) tally() {
	for i := range dm.demes {
		d := &dm.demes[i]
		d.n = 0
		kept := d.ent[:0]
		for _, e := range d.ent {
			if e.n > 0 {
				d.n += e.n
				kept = append(kept, e)
				continue
			}
			cl := &dm.clones[e.id]
			if !(cl.ext >= e.ext) {
				cl.ext = e.ext // the latest death of the clone's entries
			}
		}
		d.ent = kept
	}
}

// cutToK removes the cells of every deme above K uniformly at random.
func (dm *Demes) cutToK() {
	for i := range dm.demes {
		if d := &dm.demes[i]; d.n > dm.k {
			dm.cut(d, d.n-dm.k)
		}
	}
}

// cut removes s cells of deme d uniformly at random (one by one up to
// demeExactCut, else a binomial share of the rest per clone).
func (dm *Demes) cut(d *deme, s int64) {
	r := &d.r
	if s <= demeExactCut {
		for left := d.n; s > 0; s, left = s-1, left-1 {
			x, _ := bits.Mul64(r.Uint64(), uint64(left))
			j := 0
			for acc := d.ent[0].n; int64(x) >= acc; acc += d.ent[j].n {
				j++
			}
			d.ent[j].n--
		}
	} else {
		rest := d.n
		for j := range d.ent {
			e := &d.ent[j]
			if s == 0 {
				break
			}
			k := s
			if rest > e.n {
				k = min(r.Binomial(s, float64(e.n)/float64(rest)), e.n)
			}
			rest -= e.n
			e.n -= k
			s -= k
		}
	}
	dm.prune(d)
}

// prune drops deme d's empty entries (dying at the clock) and resums it.
func (dm *Demes) prune(d *deme) {
	d.n = 0
	kept := d.ent[:0]
	for _, e := range d.ent {
		if e.n > 0 {
			d.n += e.n
			kept = append(kept, e)
		} else if cl := &dm.clones[e.id]; !(cl.ext >= dm.t) {
			cl.ext = dm.t
		}
	}
	d.ent = kept
}

// emptyNeighbours fills dm.empty with the empty neighbour sites of p.
func (dm *Demes) emptyNeighbours(p int32) int {
	k := 0
	for _, o := range dm.off {
		if q := p + o; dm.grid[q] == 0 {
			dm.empty[k] = q
			k++
		}
	}
	return k
}

// fission splits every deme (present at the start) holding K or more
// cells, in deme order.
func (dm *Demes) fission() {
	n := len(dm.demes)
	for i := 0; i < n; i++ {
		if dm.demes[i].n < dm.k {
			continue
		}
		d := &dm.demes[i]
		r := &d.r
		p := d.pos
		var q int32
		if k := dm.emptyNeighbours(p); k > 0 {
			j, _ := bits.Mul64(r.Uint64(), uint64(k))
			q = dm.empty[j]
		} else if dm.cfg.Wait {
			dm.cut(d, d.n-dm.k)
			continue
		} else {
			j, _ := bits.Mul64(r.Uint64(), uint64(len(dm.off)))
			o := dm.off[j]
			q = p + o
			s := q + o
			for dm.grid[s] != 0 {
				s += o
			}
			if dm.near(s) {
				dm.mark = true
			}
			for s != q {
				idx := dm.grid[s-o]
				dm.grid[s] = idx
				dm.demes[idx-1].pos = s
				s -= o
			}
			dm.grid[q] = 0
		}
		// the split: each clone's cells go to the new deme with probability 1/2
		ni := dm.newDeme(q)
		d = &dm.demes[i] // newDeme may move the demes
		nd := &dm.demes[ni]
		for j := range d.ent {
			e := &d.ent[j]
			if k := d.r.Binomial(e.n, 0.5); k > 0 {
				nd.ent = append(nd.ent, dentry{id: e.id, n: k, ext: math.NaN()})
				nd.n += k
				e.n -= k
			}
		}
		dm.prune(d)
		for _, x := range [2]*deme{d, nd} {
			if x.n > dm.k {
				dm.cut(x, x.n-dm.k)
			}
		}
		if dm.mark {
			dm.growGrid()
		}
	}
	dm.dropEmpty()
}

// migrate moves cells to neighbour sites with room (invasion): first every
// deme draws its migrants from its own stream, then the moves are made in
// deme order, each accepted up to the room left at its destination.
func (dm *Demes) migrate() {
	p := -math.Expm1(-dm.cfg.Migration * (dm.t - dm.tm.segT[0]))
	nd := len(dm.off)
	dm.moves = dm.moves[:0]
	for i := range dm.demes {
		d := &dm.demes[i]
		for _, e := range d.ent {
			m := d.r.Binomial(e.n, p)
			for j := 0; m > 0 && j < nd; j++ {
				c := m
				if j < nd-1 {
					c = d.r.Binomial(m, 1/float64(nd-j))
				}
				if c > 0 {
					dm.moves = append(dm.moves, demeMove{src: int32(i), dst: d.pos + dm.off[j], id: e.id, count: c})
				}
				m -= c
			}
		}
	}
	for _, mv := range dm.moves {
		di := dm.grid[mv.dst] - 1
		if di < 0 {
			di = dm.newDeme(mv.dst)
		}
		dst := &dm.demes[di]
		src := &dm.demes[mv.src]
		j := findEntry(src.ent, mv.id)
		if j < 0 {
			continue
		}
		c := min(mv.count, dm.k-dst.n, src.ent[j].n)
		if c <= 0 {
			continue
		}
		src.ent[j].n -= c
		src.n -= c
		if src.ent[j].n == 0 {
			src.ent = append(src.ent[:j], src.ent[j+1:]...)
		}
		dst.n += c
		if k := findEntry(dst.ent, mv.id); k >= 0 {
			dst.ent[k].n += c
		} else {
			dst.ent = insertEntry(dst.ent, dentry{id: mv.id, n: c, ext: math.NaN()})
		}
	}
	if dm.mark {
		dm.growGrid()
	}
	dm.dropEmpty()
}

// findEntry is the index of clone id among entries sorted by id, or -1.
func findEntry(ent []dentry, id int64) int {
	lo, hi := 0, len(ent)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ent[m].id < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(ent) && ent[lo].id == id {
		return lo
	}
	return -1
}

// insertEntry inserts e into entries sorted by id.
func insertEntry(ent []dentry, e dentry) []dentry {
	j := len(ent)
	for j > 0 && ent[j-1].id > e.id {
		j--
	}
	ent = append(ent, dentry{})
	copy(ent[j+1:], ent[j:])
	ent[j] = e
	return ent
}

// dropEmpty removes demes without cells, keeping the others' order.
func (dm *Demes) dropEmpty() {
	w := 0
	for i := range dm.demes {
		d := &dm.demes[i]
		if d.n == 0 {
			dm.grid[d.pos] = 0
			continue
		}
		if w != i {
			dm.demes[w], dm.demes[i] = dm.demes[i], dm.demes[w] // keep the empty one's buffers
		}
		dm.grid[dm.demes[w].pos] = int32(w + 1)
		w++
	}
	dm.demes = dm.demes[:w]
}

// bookkeep sums every live clone's cells over the demes, the class counts
// and the total, updates records and the list of live clones.
func (dm *Demes) bookkeep() {
	for _, id := range dm.live {
		dm.clones[id].n = 0
	}
	for _, id := range dm.born {
		dm.clones[id].n = 0
	}
	dm.total = 0
	for i := range dm.demes {
		d := &dm.demes[i]
		for _, e := range d.ent {
			dm.clones[e.id].n += e.n
		}
		dm.total += d.n
	}
	dm.counts = [model.NumClasses]int64{}
	live := dm.live[:0]
	check := func(id int64) {
		cl := &dm.clones[id]
		if cl.n <= 0 {
			if cl.rec >= 0 {
				dm.recs[cl.rec].Extinct = cl.ext
			}
			if dm.total == 0 {
				dm.lastExt = max(dm.lastExt, cl.ext)
			}
			return
		}
		cl.ext = math.NaN()
		g := &dm.tm.genos[cl.geno]
		dm.counts[g.class] += cl.n
		live = append(live, id)
		if cl.rec < 0 {
			if cl.n >= dm.tm.opt.RecordAt {
				cl.rec = int32(len(dm.recs))
				dm.recs = append(dm.recs, CloneRecord{ID: id, Parent: cl.parent, Mutation: g.sh.mut, Genotype: g.sh.label, Class: g.class,
					Born: cl.born, Peak: cl.n, PeakTime: dm.t, Extinct: math.NaN()})
			}
		} else if r := &dm.recs[cl.rec]; cl.n > r.Peak {
			r.Peak, r.PeakTime = cl.n, dm.t
		}
	}
	// live ids and the ids born in this step are each increasing, and
	// every born id exceeds every older one
	for _, id := range dm.live {
		check(id)
	}
	for _, id := range dm.born {
		check(id)
	}
	dm.live = live
	dm.born = dm.born[:0]
}

// Time is the clock (days).
func (dm *Demes) Time() float64 { return dm.t }

// LastExtinction is the time the last clone to die out in the latest
// Advance did, when the tumour died out (-Inf otherwise).
func (dm *Demes) LastExtinction() float64 { return dm.lastExt }

// Total is the number of cells.
func (dm *Demes) Total() int64 { return dm.total }

// Counts are the cells of each class.
func (dm *Demes) Counts() [model.NumClasses]int64 { return dm.counts }

// Clones is the number of live clones.
func (dm *Demes) Clones() int { return len(dm.live) }

// Demes is the number of demes (occupied sites).
func (dm *Demes) Demes() int { return len(dm.demes) }

// Born is the number of clones founded, the founder included.
func (dm *Demes) Born() int64 { return int64(len(dm.clones)) }

// Records are the clones that reached the record threshold.
func (dm *Demes) Records() []CloneRecord { return dm.recs }

// ResistantClones counts live clones of a resistance class.
func (dm *Demes) ResistantClones() int {
	k := 0
	for _, id := range dm.live {
		if dm.tm.genos[dm.clones[id].geno].class != model.Sensitive {
			k++
		}
	}
	return k
}

// GenotypeCounts appends the live cells of every genotype that has any,
// sorted by label (as Tumor.GenotypeCounts).
func (dm *Demes) GenotypeCounts(dst []GenotypeCount) []GenotypeCount {
	tm := dm.tm
	return countGenotypes(dst, len(tm.genos), func(g int) (string, model.Class) { return tm.genos[g].sh.label, tm.genos[g].class },
		len(dm.live), func(i int) (int32, int64) { c := &dm.clones[dm.live[i]]; return c.geno, c.n })
}

// Shift moves the clock and every stored time by dt.
func (dm *Demes) Shift(dt float64) {
	dm.t += dt
	dm.lastExt += dt
	dm.tm.t += dt
	for i := range dm.clones {
		dm.clones[i].born += dt
		dm.clones[i].ext += dt
	}
	for i := range dm.recs {
		r := &dm.recs[i]
		r.Born += dt
		r.PeakTime += dt
		r.Extinct += dt
	}
}

// growthRates are the largest untreated net growth rate and the largest
// birth plus death rate among live clones (as Replicator.growthRates).
func (dm *Demes) growthRates() (r, bd float64) {
	r = math.Inf(-1)
	for _, id := range dm.live {
		p := &dm.tm.phenos[dm.tm.genos[dm.clones[id].geno].pheno].p
		r = max(r, p.Birth-p.Death)
		bd = max(bd, p.Birth+p.Death)
	}
	return r, bd
}

// Radius is the largest distance, in deme sites, from the founding site to
// an occupied site (the grid's centre; for tests and figures).
func (dm *Demes) Radius() float64 {
	h := dm.side / 2
	r2 := 0
	for i := range dm.demes {
		x, y, z := dm.coords(dm.demes[i].pos)
		x, y = x-h, y-h
		if dm.cfg.Dim == 3 {
			z -= h
		}
		r2 = max(r2, x*x+y*y+z*z)
	}
	return math.Sqrt(float64(r2))
}

// DemeCells returns the cells of deme i, 0 <= i < Demes() (for tests).
func (dm *Demes) DemeCells(i int) int64 { return dm.demes[i].n }

// Check verifies the invariants: the grid's occupied sites are exactly the
// demes; every deme holds cells, at most K of them, and its entries are
// sorted, positive and sum to its cells; every entry's clone is live and
// the entries of a clone sum to its cells; class counts and the total add
// up. For tests.
func (dm *Demes) Check() error {
	occ := 0
	for s, v := range dm.grid {
		if v == 0 {
			continue
		}
		occ++
		if int(v) > len(dm.demes) || dm.demes[v-1].pos != int32(s) {
			return fmt.Errorf("site %d holds deme %d, which is elsewhere", s, v-1)
		}
	}
	if occ != len(dm.demes) {
		return fmt.Errorf("%d occupied sites, %d demes", occ, len(dm.demes))
	}
	per := make(map[int64]int64)
	var total int64
	for i := range dm.demes {
		d := &dm.demes[i]
		if d.n <= 0 || d.n > dm.k {
			return fmt.Errorf("deme %d holds %d cells (K %d)", i, d.n, dm.k)
		}
		var s int64
		for j, e := range d.ent {
			if e.n <= 0 || (j > 0 && d.ent[j-1].id >= e.id) {
				return fmt.Errorf("deme %d: entry %d (clone %d, %d cells) empty or out of order", i, j, e.id, e.n)
			}
			if dm.clones[e.id].n <= 0 {
				return fmt.Errorf("deme %d holds clone %d, which is not live", i, e.id)
			}
			s += e.n
			per[e.id] += e.n
		}
		if s != d.n {
			return fmt.Errorf("deme %d: entries sum to %d, count %d", i, s, d.n)
		}
		total += s
	}
	var cls [model.NumClasses]int64
	for _, id := range dm.live {
		cl := &dm.clones[id]
		if per[id] != cl.n {
			return fmt.Errorf("clone %d: %d cells in demes, count %d", id, per[id], cl.n)
		}
		cls[dm.tm.genos[cl.geno].class] += cl.n
	}
	if len(per) != len(dm.live) {
		return fmt.Errorf("%d clones in demes, %d live", len(per), len(dm.live))
	}
	if total != dm.total || cls != dm.counts {
		return fmt.Errorf("total %d (kept %d), classes %v (kept %v)", total, dm.total, cls, dm.counts)
	}
	return nil
}

// demePool advances the demes of a step on several goroutines, each a
// contiguous run of demes; the goroutines live as long as the Demes, so a
// step starts none and allocates nothing.
type demePool struct {
	work []chan [3]int
	wg   sync.WaitGroup
	dm   *Demes
	b    float64
}

func newDemePool(n int) *demePool {
	p := &demePool{work: make([]chan [3]int, n)}
	for i := range p.work {
		p.work[i] = make(chan [3]int)
		go p.loop(p.work[i])
	}
	return p
}

func (p *demePool) loop(ch chan [3]int) {
	for r := range ch {
		p.dm.advanceRun(r[0], r[1], r[2], p.b)
		p.wg.Done()
	}
}

func (p *demePool) run(dm *Demes, b float64) {
	p.dm, p.b = dm, b
	n, k := len(dm.demes), len(p.work)
	p.wg.Add(k)
	for i, ch := range p.work {
		ch <- [3]int{i, i * n / k, (i + 1) * n / k}
	}
	p.wg.Wait()
}

func (p *demePool) close() {
	for _, ch := range p.work {
		close(ch)
	}
}
