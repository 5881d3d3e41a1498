package sim

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

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
// neighbour site (von Neumann: 4 in 2D, 6 in 3D; Moore: 8 or 26). If every
// neighbour is occupied:
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
// Death frees the site. The grid is dense (one int32 per site) and doubles
// its side, recentred, when a cell comes within two sites of its edge.
//
// Limits of this slice: no blood draws (ctDNA), no virtual trial patients,
// no merge mode, no demes, and no parallelism inside a replicate
// (replicates still run in parallel and are bit-identical whatever the
// worker count: each replicate has a single stream derived from its seed).
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
	Rule  LatticeRule
}

// Neighbours is the number of neighbour sites of a site.
func (lc *LatticeConfig) Neighbours() int {
	switch {
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

// LatticeMaxCells bounds a lattice replicate's cells (memory: about 12
// bytes a cell plus the grid); beyond it the replicate stops with an error.
const LatticeMaxCells = 200_000_000

// Validate reports an impossible lattice setting.
func (lc *LatticeConfig) Validate() error {
	if lc.Dim != 2 && lc.Dim != 3 {
		return fmt.Errorf("lattice dimension %d: must be 2 or 3", lc.Dim)
	}
	if lc.Rule != RuleWait && lc.Rule != RulePush {
		return fmt.Errorf("lattice rule %d: must be wait or push", lc.Rule)
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
	if c.CTDNA.Every > 0 {
		errs = append(errs, errors.New("lattice mode: blood draws (ctDNA) are not available yet; turn them off"))
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

type latCell struct {
	pos   int32 // linear site index
	clone int32
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
	pheno int32
	u     float64
	cum   []float64
	hits  []model.Hit
	child []int32
}

type latPheno struct {
	p            model.Phenotype
	birth, death float64 // death at the current exposure
	n            int64   // live cells
}

// Lattice is the state of one replicate in the lattice mode. It is reused
// across replicates (Reset), so a worker allocates only while its buffers
// grow.
type Lattice struct {
	m        *model.Model
	cfg      LatticeConfig
	recordAt int64

	r       rng.Stream
	t       float64
	lastExt float64

	cells []latCell
	grid  []int32 // cell index + 1; 0: empty
	side  int
	dirs  [][3]int
	off   []int32
	mark  bool // a cell came within the margin: grow the grid after the event

	clones  []latClone
	live    int
	genos   []latGeno
	phenos  []latPheno
	records []CloneRecord
	counts  [model.NumClasses]int64
	conc    []float64
	choices []model.Choice
	bound   float64 // R >= birth + death of every live phenotype

	empty [26]int32

	// Events counts candidate events (thinning included) since Reset.
	Events int64
}

const latMargin = 2

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
				if k == 0 || (!lc.Moore && k > 1) {
					continue
				}
				lt.dirs = append(lt.dirs, [3]int{dx, dy, dz})
			}
		}
	}
	lt.setSide(16)
	return lt
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// setSide makes an empty grid of the given side and the neighbour offsets.
func (lt *Lattice) setSide(side int) {
	lt.side = side
	n := side * side
	if lt.cfg.Dim == 3 {
		n *= side
	}
	if n > math.MaxInt32 {
		panic("lattice: grid too large")
	}
	lt.grid = make([]int32, n)
	lt.off = lt.off[:0]
	for _, d := range lt.dirs {
		lt.off = append(lt.off, int32(d[0]+side*d[1]+side*side*d[2]))
	}
}

func (lt *Lattice) coords(p int32) (x, y, z int) {
	s := uint32(lt.side)
	u := uint32(p)
	x = int(u % s)
	u /= s
	if lt.cfg.Dim == 2 {
		return x, int(u), 0
	}
	return x, int(u % s), int(u / s)
}

func (lt *Lattice) site(x, y, z int) int32 {
	return int32(x + lt.side*(y+lt.side*z))
}

func (lt *Lattice) center() int32 {
	h := lt.side / 2
	if lt.cfg.Dim == 2 {
		return lt.site(h, h, 0)
	}
	return lt.site(h, h, h)
}

// near reports whether site p is within the margin of the grid's edge.
func (lt *Lattice) near(p int32) bool {
	x, y, z := lt.coords(p)
	hi := lt.side - 1 - latMargin
	if x < latMargin || x > hi || y < latMargin || y > hi {
		return true
	}
	return lt.cfg.Dim == 3 && (z < latMargin || z > hi)
}

// grow doubles the grid's side, keeping the cells centred.
func (lt *Lattice) grow() {
	old := lt.side
	type xyz struct{ x, y, z int }
	sh := old / 2
	pos := make([]xyz, len(lt.cells))
	for i, c := range lt.cells {
		x, y, z := lt.coords(c.pos)
		pos[i] = xyz{x + sh, y + sh, z}
		if lt.cfg.Dim == 3 {
			pos[i].z += sh
		}
	}
	lt.setSide(2 * old)
	for i, p := range pos {
		s := lt.site(p.x, p.y, p.z)
		lt.cells[i].pos = s
		lt.grid[s] = int32(i + 1)
	}
	lt.mark = false
}

// Reset empties the lattice and seeds it with n founder cells of the
// background genotype at time t, placed as a compact blob around the centre;
// the replicate's stream derives from seed.
func (lt *Lattice) Reset(seed uint64, n int64, t float64) {
	lt.r = rng.Derive(seed, 1<<61)
	lt.t = t
	lt.lastExt = math.Inf(-1)
	for _, c := range lt.cells {
		lt.grid[c.pos] = 0
	}
	lt.cells = lt.cells[:0]
	lt.clones = lt.clones[:0]
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
	if n <= 0 {
		return
	}
	lt.clones = append(lt.clones, latClone{parent: -1, born: t, ext: math.NaN(), geno: 0, rec: -1})
	lt.live = 1
	// founders: breadth-first from the centre
	lt.place(lt.center(), 0)
	for k := 0; int64(len(lt.cells)) < n; k++ {
		p := lt.cells[k].pos
		for _, o := range lt.off {
			if int64(len(lt.cells)) < n && lt.grid[p+o] == 0 {
				lt.place(p+o, 0)
			}
		}
		if lt.mark {
			lt.grow()
		}
	}
}

// place puts a new cell of clone c on the empty site p.
func (lt *Lattice) place(p int32, c int32) {
	lt.cells = append(lt.cells, latCell{pos: p, clone: c})
	lt.grid[p] = int32(len(lt.cells))
	if lt.near(p) {
		lt.mark = true
	}
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

// remove takes cell i off the lattice.
func (lt *Lattice) remove(i int) {
	c := lt.cells[i]
	lt.grid[c.pos] = 0
	last := len(lt.cells) - 1
	if i != last {
		lt.cells[i] = lt.cells[last]
		lt.grid[lt.cells[i].pos] = int32(i + 1)
	}
	lt.cells = lt.cells[:last]
	cl := &lt.clones[c.clone]
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
	gi := latGeno{g: g, label: m.Label(g), mut: mut, class: m.Class(g), pheno: pi}
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
	child := g.child[j]
	if child < 0 {
		h := g.hits[j]
		child = lt.addGeno(g.g.With(h), lt.m.Catalog[h.Mut].Name)
		lt.genos[gi].child[j] = child
	}
	// the thinning bound must cover the new clone's phenotype
	ph := &lt.phenos[lt.genos[child].pheno]
	lt.bound = max(lt.bound, ph.birth+ph.death)
	id := int32(len(lt.clones))
	lt.clones = append(lt.clones, latClone{parent: int64(c), born: lt.t, ext: math.NaN(), geno: child, rec: -1})
	lt.live++
	return id
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
		if len(lt.cells) == 0 {
			lt.t = t1
			return false
		}
		next := e.Conc(lt.t, lt.conc)
		lt.setRates()
		if lt.events(min(next, t1), stopAt) {
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
		n := len(lt.cells)
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
		c := lt.cells[i]
		cl := &lt.clones[c.clone]
		g := &lt.genos[cl.geno]
		ph := &lt.phenos[g.pheno]
		x := r.Float64() * lt.bound
		switch {
		case x < ph.birth:
			lt.divide(int(i), g.u)
			if lt.mark {
				lt.grow()
			}
			if stopAt > 0 && int64(len(lt.cells)) >= stopAt {
				return true
			}
		case x < ph.birth+ph.death:
			lt.remove(int(i))
		}
	}
}

// divide lets cell i divide (u: its genotype's mutation probability).
func (lt *Lattice) divide(i int, u float64) {
	r := &lt.r
	p := lt.cells[i].pos
	k := 0
	for _, o := range lt.off {
		if q := p + o; lt.grid[q] == 0 {
			lt.empty[k] = q
			k++
		}
	}
	var q int32
	switch {
	case k > 0:
		j, _ := bits.Mul64(r.Uint64(), uint64(k))
		q = lt.empty[j]
	case lt.cfg.Rule == RuleWait:
		return
	default:
		j, _ := bits.Mul64(r.Uint64(), uint64(len(lt.off)))
		o := lt.off[j]
		q = p + o
		s := q + o
		for lt.grid[s] != 0 {
			s += o
		}
		if lt.near(s) {
			lt.mark = true
		}
		for s != q {
			prev := s - o
			idx := lt.grid[prev]
			lt.grid[s] = idx
			lt.cells[idx-1].pos = s
			s = prev
		}
		lt.grid[q] = 0
	}
	c := lt.cells[i].clone
	if u > 0 && r.Float64() < u {
		c = lt.mutant(c)
	}
	lt.place(q, c)
}

// Time is the clock (days).
func (lt *Lattice) Time() float64 { return lt.t }

// LastExtinction is the time the last clone to die out in the latest
// Advance did (-Inf if none).
func (lt *Lattice) LastExtinction() float64 { return lt.lastExt }

// Total is the number of cells.
func (lt *Lattice) Total() int64 { return int64(len(lt.cells)) }

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
	i := lt.grid[lt.site(x, y, z)]
	if i == 0 {
		return -1
	}
	return lt.cells[i-1].clone
}

// Cell returns the position (relative to the grid's centre) and clone id
// of cell i, 0 <= i < Total().
func (lt *Lattice) Cell(i int) (x, y, z int, clone int32) {
	x, y, z = lt.coords(lt.cells[i].pos)
	h := lt.side / 2
	x, y = x-h, y-h
	if lt.cfg.Dim == 3 {
		z -= h
	}
	return x, y, z, lt.cells[i].clone
}

// Plant makes the cell at coordinates relative to the centre the founder of
// a new clone carrying one more mutation, hit, born now; it returns the new
// clone's id (for tests and tools: a mutant born at a chosen site).
func (lt *Lattice) Plant(x, y, z int, hit model.Hit) (int32, error) {
	if lt.CellAt(x, y, z) < 0 {
		return -1, fmt.Errorf("no cell at (%d, %d, %d)", x, y, z)
	}
	h := lt.side / 2
	if lt.cfg.Dim == 3 {
		z += h
	}
	i := int(lt.grid[lt.site(x+h, y+h, z)] - 1)
	c := lt.cells[i]
	parent := &lt.genos[lt.clones[c.clone].geno]
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
	lt.remove(i)
	id := int32(len(lt.clones))
	lt.clones = append(lt.clones, latClone{parent: int64(c.clone), born: lt.t, ext: math.NaN(), geno: gi, rec: -1})
	lt.live++
	ph := &lt.phenos[lt.genos[gi].pheno]
	lt.bound = max(lt.bound, ph.birth+ph.death)
	lt.place(c.pos, id)
	return id, nil
}

// CloneSize is the live cells of clone id.
func (lt *Lattice) CloneSize(id int32) int64 { return lt.clones[id].n }

// CloneClass is the resistance class of clone id.
func (lt *Lattice) CloneClass(id int32) model.Class {
	return lt.genos[lt.clones[id].geno].class
}

// Check verifies the lattice's invariants: the grid's occupied sites are
// exactly the cells, each once; every cell's clone is live; clone, class and
// phenotype counts add up to the cells. For tests.
func (lt *Lattice) Check() error {
	occ := 0
	for s, v := range lt.grid {
		if v == 0 {
			continue
		}
		occ++
		if int(v) > len(lt.cells) || lt.cells[v-1].pos != int32(s) {
			return fmt.Errorf("site %d holds cell %d, which is elsewhere", s, v-1)
		}
	}
	if occ != len(lt.cells) {
		return fmt.Errorf("%d occupied sites, %d cells", occ, len(lt.cells))
	}
	per := make([]int64, len(lt.clones))
	for i, c := range lt.cells {
		if lt.grid[c.pos] != int32(i+1) {
			return fmt.Errorf("cell %d at site %d, which holds %d", i, c.pos, lt.grid[c.pos]-1)
		}
		if lt.clones[c.clone].n <= 0 {
			return fmt.Errorf("cell %d belongs to clone %d, which is not live", i, c.clone)
		}
		per[c.clone]++
	}
	var cls [model.NumClasses]int64
	live := 0
	for id, cl := range lt.clones {
		if per[id] != cl.n {
			return fmt.Errorf("clone %d: %d cells on the grid, count %d", id, per[id], cl.n)
		}
		if cl.n > 0 {
			live++
		}
		cls[lt.genos[cl.geno].class] += cl.n
	}
	if live != lt.live {
		return fmt.Errorf("%d live clones, count %d", live, lt.live)
	}
	if cls != lt.counts {
		return fmt.Errorf("class counts %v, kept %v", cls, lt.counts)
	}
	return nil
}
