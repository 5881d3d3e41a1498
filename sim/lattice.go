package sim

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim/rng"
)

// # The lattice mode
//
// With Config.Lattice set, a replicate is a spatial agent-based model: one
// cell per site of a square (2D) or cubic (3D) lattice. Every cell divides at
// its genotype's birth rate b and dies at d(t) = Phenotype.DeathAt(the
// therapy's concentrations), the same rates as the well-mixed engine; at a
// division one daughter founds a new clone with probability u (the sum of
// Model.Choices weights times the mutation rate), the mutation chosen in
// proportion to its weight, exactly as in the well-mixed engine.
//
// Events are drawn by Gillespie's direct method with thinning: with N cells
// and a bound R >= b + d for every live phenotype, the next candidate comes
// after an exponential time of rate N R, a uniformly chosen cell is the
// candidate, and it divides with probability b/R, dies with probability
// d/R, and otherwise nothing happens. This is exact for any bound; the bound
// is recomputed at every change of exposure (exposure is piecewise constant,
// and the clock is advanced exactly to each change) and raised when a faster
// phenotype appears.
//
// Placement. A dividing cell puts its daughter on a uniformly chosen empty
// neighbour site (von Neumann: 4 in 2D, 6 in 3D; Moore: 8 or 26; hex: 6, 2D
// only). If every neighbour is occupied:
//   - RuleWait: the division does not happen (the cell stays, nothing
//     changes): growth is boundary-driven, as in the Eden model.
//   - RulePush: a direction is chosen uniformly among the neighbourhood's;
//     the line of cells starting at the neighbour in that direction is
//     pushed one site outward, up to the first empty site along the line,
//     and the daughter takes the neighbour site. This is tumopp's random
//     push (Iwasa's lattice model as tumopp implements it with a random
//     direction); it lets interior cells divide at full rate, so growth is
//     exponential.
//
// Death frees the site. The grid is dense (one int32 per site: the clone
// id of its cell) and doubles its side, recentred, when a cell comes within
// two sites of its edge; the cells are listed by site, and a cell is drawn
// as a uniformly chosen entry of that list.
//
// The hexagonal lattice (LatticeConfig.Hex) uses axial coordinates on the
// square grid: site (x, y) has the six neighbours (x+-1, y), (x, y+-1),
// (x+1, y-1) and (x-1, y+1), and sits in the plane at (x + y/2,
// y sqrt(3)/2). A push along one of the six directions moves cells along a
// straight line of the hexagonal lattice.
//
// Blood draws read the lattice as they read a well-mixed tumour
// (lattice_observe.go): every clone keeps the SNV of its founding
// mutation, drawn as the well-mixed engine draws a lineage's (cloneSNV).
//
// Limits of this slice: no virtual trial patients, no merge mode, no
// demes. Replicates run in parallel and are bit-identical whatever the
// worker count: each replicate has a single stream derived from its seed.
// Inside a replicate, the opt-in block update (LatticeConfig.Block,
// lattice_par.go) is an approximation that runs blocks of the grid
// concurrently over short sub-steps, bit-identical whatever its goroutine
// count.
// Snapshots and multi-region biopsies: lattice_spatial.go.

// LatticeRule is what a dividing cell does when no neighbour site is empty.
type LatticeRule uint8

const (
	RuleWait LatticeRule = iota // the division does not happen
	RulePush                    // push a line of cells outward along a random direction
)

func (r LatticeRule) String() string {
	if r == RulePush {
		return "push"
	}
	return "wait"
}

// LatticeConfig sets up the lattice mode (Config.Lattice).
type LatticeConfig struct {
	Dim   int  // 2 or 3
	Moore bool // Moore neighbourhood (8 in 2D, 26 in 3D); false: von Neumann (4, 6)
	Hex   bool // hexagonal neighbourhood (6 neighbours, axial coordinates), 2D only
	Rule  LatticeRule
	// Block, if > 0, turns on the block update (lattice_par.go): the grid
	// cut into blocks of this side (a power of two, 16 to 1024 sites),
	// simulated concurrently over short sub-steps. 0: the exact serial
	// engine (the default).
	Block int
	// Goroutines is how many goroutines one replicate's block update uses
	// (1 to LatticeMaxGoroutines; 0 means 1). Results do not depend on it.
	Goroutines int
}

// Neighbours is the number of neighbour sites of a site.
func (lc *LatticeConfig) Neighbours() int {
	switch {
	case lc.Hex:
		return 6
	case lc.Dim == 2 && lc.Moore:
		return 8
	case lc.Dim == 2:
		return 4
	case lc.Moore:
		return 26
	default:
		return 6
	}
}

// LatticeMaxCells bounds a lattice replicate's cells (memory: 4 bytes a
// cell for the list of occupied sites plus 4 bytes a grid site, the grid's
// side a power of two); beyond it the replicate stops with an error.
const LatticeMaxCells = 200_000_000

// Validate reports an impossible lattice setting.
func (lc *LatticeConfig) Validate() error {
	if lc.Dim != 2 && lc.Dim != 3 {
		return fmt.Errorf("lattice dimension %d: must be 2 or 3", lc.Dim)
	}
	if lc.Hex && lc.Dim != 2 {
		return fmt.Errorf("lattice neighbourhood hex: a 2D neighbourhood, not for dimension %d (use von Neumann or Moore in 3D)", lc.Dim)
	}
	if lc.Hex && lc.Moore {
		return errors.New("lattice neighbourhood: hex and Moore both set; choose one")
	}
	if lc.Rule != RuleWait && lc.Rule != RulePush {
		return fmt.Errorf("lattice rule %d: must be wait or push", lc.Rule)
	}
	if b := lc.Block; b != 0 && (b < 16 || b > 1024 || b&(b-1) != 0) {
		return fmt.Errorf("lattice block %d: must be 0 (the exact serial engine) or a power of two from 16 to 1024 sites", b)
	}
	if g := lc.Goroutines; g < 0 || g > LatticeMaxGoroutines {
		return fmt.Errorf("lattice goroutines %d: must be from 1 to %d", g, LatticeMaxGoroutines)
	}
	if lc.Goroutines > 1 && lc.Block == 0 {
		return fmt.Errorf("lattice goroutines %d: only the block update runs in parallel; set a block size too", lc.Goroutines)
	}
	return nil
}

// validateLattice is Config.Validate's part for the lattice mode.
func (c *Config) validateLattice() error {
	if c.Lattice == nil {
		return nil
	}
	var errs []error
	if err := c.Lattice.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Patient != nil {
		errs = append(errs, errors.New("lattice mode: virtual trial patients are not available yet"))
	}
	if c.Engine.Merge {
		errs = append(errs, errors.New("lattice mode: merged clones do not apply (every cell is an agent)"))
	}
	if c.Detect > LatticeMaxCells/2 {
		errs = append(errs, fmt.Errorf("lattice mode: detection size %g: at most %g cells", c.Detect, float64(LatticeMaxCells/2)))
	}
	return errors.Join(errs...)
}

type latClone struct {
	n      int64
	parent int64
	born   float64
	ext    float64
	geno   int32
	rec    int32
}

type latGeno struct {
	g     model.Genotype
	label string
	mut   string
	class model.Class
	// newest is the catalog entry of the newest mutation (-1 for the
	// founder genotype) and founding its resistance class alone (as
	// genoInfo's): what a clone of this genotype adds to its parent, as a
	// blood draw sees it.
	newest   int32
	founding model.Class
	pheno    int32
	u        float64
	cum      []float64
	hits     []model.Hit
	child    []int32
	epoch    uint64 // the last Reset (Lattice.epoch) whose replicate met it
}

type latPheno struct {
	p            model.Phenotype
	birth, death float64 // death at the current exposure
	n            int64   // live cells
	epoch        uint64  // the last Reset whose replicate met it
}

// Lattice is the state of one replicate in the lattice mode. It is reused
// across replicates (Reset), so a worker allocates only while its buffers
// grow.
type Lattice struct {
	m        *model.Model
	cfg      LatticeConfig
	recordAt int64

	r       rng.Stream
	seed    uint64  // the replicate's: keys the SNV streams (cloneSNV)
	epoch   uint64  // Resets so far
	par     *latPar // the block update's state (nil: the exact serial engine)
	t       float64
	lastExt float64

	sites  []int32   // the occupied sites; a cell is drawn by its index here
	grid   []int32   // clone id + 1 of the cell at each site; 0: empty
	lg     uint      // the grid's side is 1 << lg sites on every axis
	side   int       // 1 << lg
	mask   [3]uint32 // the bits of a site index that hold each axis's coordinate
	dirs   [][3]int
	step   [][3]uint32 // per direction, the per-axis increments in site-index bits
	lo, hi [3]uint32   // per axis, the margin's bounds in site-index bits
	tsh    [3]uint     // per axis, the shift of its within-tile bits
	twm    [3]uint32   // per axis, the largest within-tile coordinate
	walk   []latWalk   // per direction, steps inside a tile
	mark   bool        // a cell came within the margin: grow the grid after the event

	clones  []latClone
	snv     []int32 // per clone: the SNV of its founding mutation within its entry (cloneSNV)
	live    int
	genos   []latGeno
	phenos  []latPheno
	records []CloneRecord
	counts  [model.NumClasses]int64
	conc    []float64
	choices []model.Choice
	bound   float64 // R >= birth + death of every live phenotype

	empty [26]int32
	pos   [][3]int32 // grow's buffer under the block update

	// Events counts candidate events (thinning included) since Reset.
	Events int64
}

const latMargin = 2

// The grid's layout. A site's index packs its coordinates in tiles of 16 x
// 16 sites (2D) or 16 x 8 x 8 (3D): from the lowest bit up, the coordinate
// within the tile on each axis (x, then y, then z), then the tile's
// coordinate on each axis. A line of cells along any axis then stays within
// one tile (1 KB in 2D, one 4 KB page in 3D) for 8 to 16 sites, where a
// row-major grid steps to another page at every site along y or z. Because
// each axis owns fixed bits of the index, a step along an axis is a masked
// add on those bits ("dilated" arithmetic: set the other bits, add, mask),
// and comparing an axis's bits compares its coordinate.
var latTile = [2][3]uint{{4, 4, 0}, {4, 3, 3}}

// latMinLg is the log2 of the smallest grid side, 16 sites: a tile's
// longest edge, so that every axis holds at least one whole tile.
const latMinLg = 4

// latWalk describes steps along one direction inside a tile: the add to
// the site index, and per axis how to turn the within-tile coordinate c
// into the steps left in the tile: c ^ flip (flip = the largest coordinate
// when the direction goes up the axis, 0 when it goes down), or any large
// number (skip) when the direction does not move along the axis.
type latWalk struct {
	lin  uint32
	flip [3]uint32
	skip [3]uint32
}

// NewLattice returns an empty lattice for model m.
func NewLattice(m *model.Model, lc LatticeConfig, recordAt int64) *Lattice {
	if recordAt <= 0 {
		recordAt = math.MaxInt64
	}
	lt := &Lattice{m: m, cfg: lc, recordAt: recordAt, conc: make([]float64, len(m.Drugs))}
	r := 1
	for dz := -1; dz <= 1; dz++ {
		if lc.Dim == 2 && dz != 0 {
			continue
		}
		for dy := -r; dy <= r; dy++ {
			for dx := -r; dx <= r; dx++ {
				k := abs(dx) + abs(dy) + abs(dz)
				// hex: von Neumann plus the (+1, -1) and (-1, +1) diagonal
				hex := lc.Hex && dz == 0 && dx == -dy
				if k == 0 || (!lc.Moore && k > 1 && !hex) {
					continue
				}
				lt.dirs = append(lt.dirs, [3]int{dx, dy, dz})
			}
		}
	}
	lt.setSide(latMinLg)
	if lc.Block > 0 {
		lt.parInit()
	}
	return lt
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// dilate spreads coordinate v over the bits of axis a of a grid of side
// 1 << lg: its low bits into the axis's within-tile field, the rest into the
// axis's tile field.
func (lt *Lattice) dilate(a int, v uint32) uint32 {
	tile := &latTile[lt.cfg.Dim-2]
	lo := uint(0)
	for b := range a {
		lo += tile[b]
	}
	hi := uint(0)
	for b := range 3 {
		hi += tile[b]
	}
	for b := range a {
		hi += lt.lg - tile[b]
	}
	w := tile[a]
	return (v&(1<<w-1))<<lo | (v>>w)<<hi
}

// setSide makes an empty grid of side 1 << lg, its masks and steps.
func (lt *Lattice) setSide(lg uint) {
	dim := uint(lt.cfg.Dim)
	if lg*dim > 31 {
		panic("lattice: grid too large")
	}
	lt.lg = lg
	lt.side = 1 << lg
	lt.grid = lt.newGrid(lg, 1<<(lg*dim))
	lt.mask = [3]uint32{}
	for a := range lt.cfg.Dim {
		lt.mask[a] = lt.dilate(a, uint32(lt.side-1))
		lt.lo[a] = lt.dilate(a, latMargin)
		lt.hi[a] = lt.dilate(a, uint32(lt.side-1-latMargin))
	}
	tile := &latTile[lt.cfg.Dim-2]
	lt.tsh, lt.twm = [3]uint{}, [3]uint32{}
	for a, w := uint(0), uint(0); a < 3; a++ {
		lt.tsh[a], lt.twm[a] = w, 1<<tile[a]-1
		w += tile[a]
	}
	lt.step, lt.walk = lt.step[:0], lt.walk[:0]
	for _, d := range lt.dirs {
		var st [3]uint32
		w := latWalk{skip: [3]uint32{0xff, 0xff, 0xff}}
		for a := range lt.cfg.Dim {
			switch d[a] {
			case 1:
				st[a] = 1 << bits.TrailingZeros32(lt.mask[a])
				w.lin += 1 << lt.tsh[a]
				w.flip[a], w.skip[a] = lt.twm[a], 0
			case -1:
				st[a] = lt.mask[a] // -1 in the axis's bits
				w.lin -= 1 << lt.tsh[a]
				w.skip[a] = 0
			}
		}
		lt.step = append(lt.step, st)
		lt.walk = append(lt.walk, w)
	}
}

// next is the neighbour of site p in direction j.
func (lt *Lattice) next(p int32, j int) int32 {
	st := &lt.step[j]
	m := &lt.mask
	u := uint32(p)
	return int32(((u|^m[0])+st[0])&m[0] | ((u|^m[1])+st[1])&m[1] | ((u|^m[2])+st[2])&m[2])
}

// coords are the coordinates of site p.
func (lt *Lattice) coords(p int32) (x, y, z int) {
	var c [3]int
	u := uint32(p)
	for a := range lt.cfg.Dim {
		m := lt.mask[a]
		v, k := 0, 0
		for b := range 32 {
			if m&(1<<b) != 0 {
				v |= int(u>>b&1) << k
				k++
			}
		}
		c[a] = v
	}
	return c[0], c[1], c[2]
}

func (lt *Lattice) site(x, y, z int) int32 {
	s := lt.dilate(0, uint32(x)) | lt.dilate(1, uint32(y))
	if lt.cfg.Dim == 3 {
		s |= lt.dilate(2, uint32(z))
	}
	return int32(s)
}

func (lt *Lattice) center() int32 {
	h := lt.side / 2
	return lt.site(h, h, h)
}

// near reports whether site p is within the margin of the grid's edge.
func (lt *Lattice) near(p int32) bool {
	u := uint32(p)
	for a := range lt.cfg.Dim {
		if v := u & lt.mask[a]; v < lt.lo[a] || v > lt.hi[a] {
			return true
		}
	}
	return false
}

// grow doubles the grid's side, keeping the cells centred.
func (lt *Lattice) grow() {
	old := lt.grid
	sh := lt.side / 2
	// a temporary buffer, except under the block update, which regrows
	// the grid from the smallest side at every replicate and keeps it
	var pos [][3]int32
	if lt.par != nil {
		lt.pos = slices.Grow(lt.pos[:0], len(lt.sites))[:len(lt.sites)]
		pos = lt.pos
	} else {
		pos = make([][3]int32, len(lt.sites))
	}
	for i, p := range lt.sites {
		x, y, z := lt.coords(p)
		pos[i] = [3]int32{int32(x + sh), int32(y + sh), int32(z)}
		if lt.cfg.Dim == 3 {
			pos[i][2] += int32(sh)
		}
	}
	oldSites := lt.sites
	lt.setSide(lt.lg + 1)
	for i, p := range pos {
		s := lt.site(int(p[0]), int(p[1]), int(p[2]))
		lt.grid[s] = old[oldSites[i]]
		lt.sites[i] = s
	}
	lt.mark = false
}

// Reset empties the lattice and seeds it with n founder cells of the
// background genotype at time t, placed as a compact blob around the centre;
// the replicate's stream derives from seed.
func (lt *Lattice) Reset(seed uint64, n int64, t float64) {
	lt.r = rng.Derive(seed, 1<<61)
	lt.seed = seed
	lt.epoch++
	if lt.par != nil {
		lt.par.sub = 0
	}
	lt.t = t
	lt.lastExt = math.Inf(-1)
	for _, p := range lt.sites {
		lt.grid[p] = 0
	}
	lt.sites = lt.sites[:0]
	if lt.par != nil && lt.lg > latMinLg {
		// the block partition follows the grid's side: start every
		// replicate from the smallest grid, so that its results do not
		// depend on the replicates this lattice ran before
		lt.setSide(latMinLg)
	}
	lt.clones = lt.clones[:0]
	lt.snv = lt.snv[:0]
	lt.records = lt.records[:0]
	lt.counts = [model.NumClasses]int64{}
	lt.live = 0
	lt.Events = 0
	if len(lt.genos) == 0 {
		lt.addGeno(model.Genotype{}, "Y220C")
	}
	for i := range lt.phenos {
		lt.phenos[i].n = 0
	}
	lt.meet(0)
	if n <= 0 {
		return
	}
	lt.clones = append(lt.clones, latClone{parent: -1, born: t, ext: math.NaN(), geno: 0, rec: -1})
	lt.snv = append(lt.snv, 0)
	lt.live = 1
	// founders: breadth-first from the centre
	lt.add(lt.center(), 0)
	for k := 0; int64(len(lt.sites)) < n; k++ {
		p := lt.sites[k]
		for j := range lt.step {
			if q := lt.next(p, j); int64(len(lt.sites)) < n && lt.grid[q] == 0 {
				lt.add(q, 0)
			}
		}
		if lt.mark {
			lt.grow()
		}
	}
}

// add puts a new cell of clone c on the empty site p.
func (lt *Lattice) add(p int32, c int32) {
	lt.sites = append(lt.sites, p)
	if lt.near(p) {
		lt.mark = true
	}
	lt.grid[p] = c + 1
	lt.join(c)
}

// join counts a new cell of clone c.
func (lt *Lattice) join(c int32) {
	cl := &lt.clones[c]
	cl.n++
	g := &lt.genos[cl.geno]
	lt.counts[g.class]++
	lt.phenos[g.pheno].n++
	if cl.rec < 0 {
		if cl.n >= lt.recordAt {
			cl.rec = int32(len(lt.records))
			lt.records = append(lt.records, CloneRecord{
				ID: int64(c), Parent: cl.parent, Mutation: g.mut, Genotype: g.label, Class: g.class,
				Born: cl.born, Peak: cl.n, PeakTime: lt.t, Extinct: math.NaN(),
			})
		}
	} else if r := &lt.records[cl.rec]; cl.n > r.Peak {
		r.Peak, r.PeakTime = cl.n, lt.t
	}
}

// remove takes the cell at sites[i] off the lattice.
func (lt *Lattice) remove(i int) {
	p := lt.sites[i]
	c := lt.grid[p] - 1
	lt.grid[p] = 0
	last := len(lt.sites) - 1
	lt.sites[i] = lt.sites[last]
	lt.sites = lt.sites[:last]
	lt.leave(c)
}

// leave counts the loss of a cell of clone c.
func (lt *Lattice) leave(c int32) {
	cl := &lt.clones[c]
	cl.n--
	g := &lt.genos[cl.geno]
	lt.counts[g.class]--
	lt.phenos[g.pheno].n--
	if cl.n == 0 {
		cl.ext = lt.t
		lt.lastExt = lt.t
		lt.live--
		if cl.rec >= 0 {
			lt.records[cl.rec].Extinct = lt.t
		}
	}
}

func (lt *Lattice) addGeno(g model.Genotype, mut string) int32 {
	m := lt.m
	ph := m.Phenotype(g)
	pi := int32(-1)
	for i := range lt.phenos {
		if lt.phenos[i].p.Equal(&ph) {
			pi = int32(i)
			break
		}
	}
	if pi < 0 {
		pi = int32(len(lt.phenos))
		lt.phenos = append(lt.phenos, latPheno{p: ph, birth: ph.Birth, death: ph.DeathAt(lt.conc)})
	}
	gi := latGeno{g: g, label: m.Label(g), mut: mut, class: m.Class(g), pheno: pi, newest: -1}
	if k := len(g.Hits); k > 0 {
		gi.newest = int32(g.Hits[k-1].Mut)
		gi.founding = m.Class(model.Genotype{Hits: g.Hits[k-1:]})
	}
	lt.choices = m.Choices(g, lt.choices[:0])
	sum := 0.0
	for _, c := range lt.choices {
		sum += c.Weight
		gi.cum = append(gi.cum, sum)
		gi.hits = append(gi.hits, c.Hit)
		gi.child = append(gi.child, -1)
	}
	gi.u = min(m.MutationRate*sum, 1)
	lt.genos = append(lt.genos, gi)
	return int32(len(lt.genos) - 1)
}

// meet marks genotype gi and its phenotype as met by the current
// replicate (the block update's bound and deferrals depend only on these).
func (lt *Lattice) meet(gi int32) {
	g := &lt.genos[gi]
	g.epoch = lt.epoch
	lt.phenos[g.pheno].epoch = lt.epoch
}

// mutant founds a new clone, a daughter of clone c with one more mutation,
// and returns its id.
func (lt *Lattice) mutant(c int32) int32 {
	gi := lt.clones[c].geno
	g := &lt.genos[gi]
	x := lt.r.Float64() * g.cum[len(g.cum)-1]
	j := 0
	for j < len(g.cum)-1 && x >= g.cum[j] {
		j++
	}
	h := g.hits[j]
	child := g.child[j]
	if child < 0 {
		child = lt.addGeno(g.g.With(h), lt.m.Catalog[h.Mut].Name)
		lt.genos[gi].child[j] = child
	}
	// the thinning bound must cover the new clone's phenotype
	lt.meet(child)
	ph := &lt.phenos[lt.genos[child].pheno]
	lt.bound = max(lt.bound, ph.birth+ph.death)
	id := int32(len(lt.clones))
	lt.snv = append(lt.snv, lt.cloneSNV(c, id, h))
	lt.clones = append(lt.clones, latClone{parent: int64(c), born: lt.t, ext: math.NaN(), geno: child, rec: -1})
	lt.live++
	return id
}

// latSNVSalt separates the SNV streams from the lattice's event stream.
const latSNVSalt = 0x5eed_5a7e_0000_0000

// cloneSNV draws the SNV of hit, the mutation founding clone id, a
// daughter of clone parent, as the well-mixed engine's lineages do
// (freeSNV), from a stream keyed by the replicate's seed and the clone's
// id, not from the event stream, so the SNVs leave the tumour's course
// unchanged.
func (lt *Lattice) cloneSNV(parent, id int32, hit model.Hit) int32 {
	n := uint64(lt.m.SNVs(hit.Mut))
	if n == 1 {
		return 0
	}
	r := rng.Derive(lt.seed^latSNVSalt, uint64(id))
	return freeSNV(&r, n, hit, int64(parent), lt.ancestor)
}

// ancestor is freeSNV's view of clone a: its parent, its genotype's hits
// and its founding SNV.
func (lt *Lattice) ancestor(a int64) (parent int64, hits []model.Hit, site int32) {
	c := &lt.clones[a]
	return c.parent, lt.genos[c.geno].g.Hits, lt.snv[a]
}

// setRates fills each phenotype's death rate at the current concentrations
// and the thinning bound over live phenotypes.
func (lt *Lattice) setRates() {
	lt.bound = 0
	for i := range lt.phenos {
		ph := &lt.phenos[i]
		ph.death = ph.p.DeathAt(lt.conc)
		if ph.n > 0 {
			lt.bound = max(lt.bound, ph.birth+ph.death)
		}
	}
}

// Advance moves the lattice to t1 under exposure e.
func (lt *Lattice) Advance(t1 float64, e Exposure) {
	lt.lastExt = math.Inf(-1)
	lt.run(t1, e, 0)
}

// AdvanceUntil moves the lattice to t1 under exposure e, or stops right
// after the division that brings the cells to stopAt (> 0; 0: no stop), and
// reports whether it stopped there.
func (lt *Lattice) AdvanceUntil(t1 float64, e Exposure, stopAt int64) bool {
	lt.lastExt = math.Inf(-1)
	return lt.run(t1, e, stopAt)
}

// run moves the lattice to t1 under exposure e, or stops right after the
// event that brings the cells to stopAt (> 0) and reports it.
func (lt *Lattice) run(t1 float64, e Exposure, stopAt int64) bool {
	for lt.t < t1 {
		if len(lt.sites) == 0 {
			lt.t = t1
			return false
		}
		next := e.Conc(lt.t, lt.conc)
		lt.setRates()
		if lt.par != nil {
			if lt.parEvents(min(next, t1), stopAt) {
				return true
			}
		} else if lt.events(min(next, t1), stopAt) {
			return true
		}
	}
	return false
}

// events runs events at constant rates until the clock passes end (the clock
// is then end) or the cells reach stopAt (> 0).
func (lt *Lattice) events(end float64, stopAt int64) bool {
	r := &lt.r
	for {
		n := len(lt.sites)
		if n == 0 {
			lt.t = end
			return false
		}
		t := lt.t + r.Exp()/(float64(n)*lt.bound)
		if t >= end {
			lt.t = end
			return false
		}
		lt.t = t
		lt.Events++
		i, _ := bits.Mul64(r.Uint64(), uint64(n))
		p := lt.sites[i]
		c := lt.grid[p] - 1
		cl := &lt.clones[c]
		g := &lt.genos[cl.geno]
		ph := &lt.phenos[g.pheno]
		x := r.Float64() * lt.bound
		switch {
		case x < ph.birth:
			lt.divide(p, c, g.u)
			if lt.mark {
				lt.grow()
			}
			if stopAt > 0 && int64(len(lt.sites)) >= stopAt {
				return true
			}
		case x < ph.birth+ph.death:
			lt.remove(int(i))
		}
	}
}

// divide lets the cell of clone c at site p divide (u: its genotype's
// mutation probability).
func (lt *Lattice) divide(p, c int32, u float64) {
	r := &lt.r
	k := 0
	for j := range lt.step {
		if q := lt.next(p, j); lt.grid[q] == 0 {
			lt.empty[k] = q
			k++
		}
	}
	var q int32
	switch {
	case k > 0:
		j, _ := bits.Mul64(r.Uint64(), uint64(k))
		q = lt.empty[j]
		lt.sites = append(lt.sites, q)
		if lt.near(q) {
			lt.mark = true
		}
	case lt.cfg.Rule == RuleWait:
		return
	default:
		// push: shift the line of cells from the neighbour q outward by one
		// site, in one pass, up to the first empty site, which becomes
		// occupied; q is left for the daughter. The occupied sites are the
		// old ones plus that far site, so the site list only grows by it.
		j, _ := bits.Mul64(r.Uint64(), uint64(len(lt.step)))
		q = lt.next(p, int(j))
		s := uint32(lt.push(q, int(j)))
		lt.sites = append(lt.sites, int32(s))
		if lt.near(int32(s)) {
			lt.mark = true
		}
	}
	if u > 0 && r.Float64() < u {
		c = lt.mutant(c)
	}
	lt.grid[q] = c + 1
	lt.join(c)
}

// push shifts the line of cells that starts at site q one site along
// direction j, up to the first empty site, and returns that site, now
// occupied; q keeps its cell (the caller overwrites it). Inside a tile a
// step is a plain add to the index; only a step out of a tile needs the
// per-axis arithmetic.
func (lt *Lattice) push(q int32, j int) int32 {
	grid := lt.grid
	st, m := lt.step[j], lt.mask
	tw := &lt.walk[j]
	sh, wm := lt.tsh, lt.twm
	v := grid[q]
	s := uint32(q)
	for {
		// the steps that stay in s's tile, then the one that leaves it
		k := min((s>>sh[0]&wm[0])^tw.flip[0]|tw.skip[0],
			(s>>sh[1]&wm[1])^tw.flip[1]|tw.skip[1],
			(s>>sh[2]&wm[2])^tw.flip[2]|tw.skip[2])
		for ; k > 0; k-- {
			s += tw.lin
			w := grid[s]
			grid[s] = v
			if w == 0 {
				return int32(s)
			}
			v = w
		}
		s = ((s|^m[0])+st[0])&m[0] | ((s|^m[1])+st[1])&m[1] | ((s|^m[2])+st[2])&m[2]
		w := grid[s]
		grid[s] = v
		if w == 0 {
			return int32(s)
		}
		v = w
	}
}

// Time is the clock (days).
func (lt *Lattice) Time() float64 { return lt.t }

// LastExtinction is the time the last clone to die out in the latest
// Advance did (-Inf if none).
func (lt *Lattice) LastExtinction() float64 { return lt.lastExt }

// Total is the number of cells.
func (lt *Lattice) Total() int64 { return int64(len(lt.sites)) }

// Counts are the cells of each class.
func (lt *Lattice) Counts() [model.NumClasses]int64 { return lt.counts }

// Clones is the number of live clones.
func (lt *Lattice) Clones() int { return lt.live }

// Born is the number of clones founded, the founder included.
func (lt *Lattice) Born() int64 { return int64(len(lt.clones)) }

// Records are the clones that reached the record threshold.
func (lt *Lattice) Records() []CloneRecord { return lt.records }

// ResistantClones counts live clones of a resistance class.
func (lt *Lattice) ResistantClones() int {
	k := 0
	for i := range lt.clones {
		if lt.clones[i].n > 0 && lt.genos[lt.clones[i].geno].class != model.Sensitive {
			k++
		}
	}
	return k
}

// GenotypeCounts appends the live cells of every genotype that has any,
// sorted by label (as Tumor.GenotypeCounts).
func (lt *Lattice) GenotypeCounts(dst []GenotypeCount) []GenotypeCount {
	return countGenotypes(dst, len(lt.genos), func(g int) (string, model.Class) { return lt.genos[g].label, lt.genos[g].class },
		len(lt.clones), func(i int) (int32, int64) { return lt.clones[i].geno, lt.clones[i].n })
}

// Shift moves the clock and every stored time by dt.
func (lt *Lattice) Shift(dt float64) {
	lt.t += dt
	lt.lastExt += dt
	for i := range lt.clones {
		lt.clones[i].born += dt
		lt.clones[i].ext += dt
	}
	for i := range lt.records {
		r := &lt.records[i]
		r.Born += dt
		r.PeakTime += dt
		r.Extinct += dt
	}
}

// CellAt returns the clone id of the cell at coordinates relative to the
// grid's centre, or -1 for an empty site (for tests and tools).
func (lt *Lattice) CellAt(x, y, z int) int32 {
	h := lt.side / 2
	if lt.cfg.Dim == 2 {
		z = 0
	} else {
		z += h
	}
	x, y = x+h, y+h
	if x < 0 || y < 0 || z < 0 || x >= lt.side || y >= lt.side || z >= lt.side {
		return -1
	}
	return lt.grid[lt.site(x, y, z)] - 1
}

// Cell returns the position (relative to the grid's centre) and clone id
// of cell i, 0 <= i < Total().
func (lt *Lattice) Cell(i int) (x, y, z int, clone int32) {
	p := lt.sites[i]
	x, y, z = lt.coords(p)
	h := lt.side / 2
	x, y = x-h, y-h
	if lt.cfg.Dim == 3 {
		z -= h
	}
	return x, y, z, lt.grid[p] - 1
}

// Plant makes the cell at coordinates relative to the centre the founder of
// a new clone carrying one more mutation, hit, born now; it returns the new
// clone's id (for tests and tools: a mutant born at a chosen site).
func (lt *Lattice) Plant(x, y, z int, hit model.Hit) (int32, error) {
	old := lt.CellAt(x, y, z)
	if old < 0 {
		return -1, fmt.Errorf("no cell at (%d, %d, %d)", x, y, z)
	}
	h := lt.side / 2
	if lt.cfg.Dim == 3 {
		z += h
	}
	p := lt.site(x+h, y+h, z)
	parent := &lt.genos[lt.clones[old].geno]
	g := parent.g.With(hit)
	gi := int32(-1)
	for k := range lt.genos {
		if lt.genos[k].label == lt.m.Label(g) {
			gi = int32(k)
		}
	}
	if gi < 0 {
		gi = lt.addGeno(g, lt.m.Catalog[hit.Mut].Name)
	}
	lt.meet(gi)
	// the planted cell leaves and re-enters at the end of the cell list
	lt.remove(slices.Index(lt.sites, p))
	id := int32(len(lt.clones))
	lt.clones = append(lt.clones, latClone{parent: int64(old), born: lt.t, ext: math.NaN(), geno: gi, rec: -1})
	lt.snv = append(lt.snv, int32(hit.Site))
	lt.live++
	ph := &lt.phenos[lt.genos[gi].pheno]
	lt.bound = max(lt.bound, ph.birth+ph.death)
	lt.add(p, id)
	return id, nil
}

// CloneSize is the live cells of clone id.
func (lt *Lattice) CloneSize(id int32) int64 { return lt.clones[id].n }

// CloneClass is the resistance class of clone id.
func (lt *Lattice) CloneClass(id int32) model.Class {
	return lt.genos[lt.clones[id].geno].class
}

// Check verifies the lattice's invariants: the grid's occupied sites are
// exactly the listed sites, each listed once; every cell's clone is live;
// clone, class and phenotype counts add up to the cells; every clone has
// its SNV. For tests.
func (lt *Lattice) Check() error {
	if len(lt.snv) != len(lt.clones) {
		return fmt.Errorf("%d clones, %d founding SNVs", len(lt.clones), len(lt.snv))
	}
	occ := 0
	for _, v := range lt.grid {
		if v != 0 {
			occ++
		}
	}
	if occ != len(lt.sites) {
		return fmt.Errorf("%d occupied sites, %d cells", occ, len(lt.sites))
	}
	seen := make(map[int32]bool, len(lt.sites))
	per := make([]int64, len(lt.clones))
	for i, p := range lt.sites {
		if seen[p] {
			return fmt.Errorf("site %d listed twice (cell %d)", p, i)
		}
		seen[p] = true
		c := lt.grid[p] - 1
		if c < 0 {
			return fmt.Errorf("cell %d at site %d, which is empty", i, p)
		}
		if int(c) >= len(lt.clones) || lt.clones[c].n <= 0 {
			return fmt.Errorf("cell %d belongs to clone %d, which is not live", i, c)
		}
		if lt.near(p) {
			return fmt.Errorf("cell %d at site %d, within %d sites of the grid's edge", i, p, latMargin)
		}
		per[c]++
	}
	var cls [model.NumClasses]int64
	pheno := make([]int64, len(lt.phenos))
	live := 0
	for id, cl := range lt.clones {
		if per[id] != cl.n {
			return fmt.Errorf("clone %d: %d cells on the grid, count %d", id, per[id], cl.n)
		}
		if cl.n > 0 {
			live++
		}
		cls[lt.genos[cl.geno].class] += cl.n
		pheno[lt.genos[cl.geno].pheno] += cl.n
	}
	if live != lt.live {
		return fmt.Errorf("%d live clones, count %d", live, lt.live)
	}
	if cls != lt.counts {
		return fmt.Errorf("class counts %v, kept %v", cls, lt.counts)
	}
	for i := range lt.phenos {
		if pheno[i] != lt.phenos[i].n {
			return fmt.Errorf("phenotype %d: %d cells, count %d", i, pheno[i], lt.phenos[i].n)
		}
	}
	return nil
}
