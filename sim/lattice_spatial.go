package sim

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim/rng"
)

// # What a modeler sees of a spatial tumour
//
// Config.Spatial asks a lattice or deme replicate for two observations,
// each at chosen moments of treatment (SpatialTimes: treatment start, the
// first progression, the end of the replicate, and days since treatment
// start). Both read the tumour as a list of (site, clone, cells) in raster
// order (spatialTumour.eachSite): on the lattice every occupied site holds
// one cell of one clone; in the deme mode a site is a deme and it gives one
// entry per clone the deme holds, with that clone's cells there.
//
//   - A snapshot lists the entries with their position, clone, class and
//     cells (one row per cell on the lattice, one per deme and clone in the
//     deme mode). Above SnapshotConfig.MaxCells rows it is a uniform
//     subsample of exactly MaxCells rows, drawn by selection sampling over
//     the entries in raster order with a stream of the replicate's own
//     (derived from its seed and the snapshot's rank), so it depends on
//     nothing but the replicate.
//   - A multi-region biopsy takes punches: balls (discs in 2D) of a radius
//     in sites, placed by the spread rule or at given positions. A punch
//     takes every cell of the sites whose centre lies within the radius (a
//     deme is taken whole or not at all). For each punch, for the pool of
//     all punches (a cell in two punches counted once) and for the whole
//     tumour, it counts the cells and, for every variant present in the
//     tumour, the cells carrying it: the truncal Y220C, then each secondary
//     mutation's SNV, the one its clone founded (lineages.founding), so
//     punches name the SNVs a blood draw reads.
//
// Moments that are days split the engine's step at that day (the tumour
// is advanced to the day, observed, then advanced on): a replicate observed
// at day numbers draws other random numbers than one that is not, with the
// same law (waiting times are memoryless). The other moments do not change
// the simulation. Observations are taken only while the replicate runs: a
// day after its end, or a progression that never came, gives no rows; an
// empty tumour gives no region rows.

// Moments at which spatial observations are taken (the moment column of
// the snapshots and regions tables).
const (
	MomentTreatmentStart = "treatment_start"
	MomentProgression    = "progression"
	MomentEnd            = "end"
	MomentDay            = "day"
)

// SpatialTimes are the moments of one kind of spatial observation.
type SpatialTimes struct {
	TreatmentStart, Progression, End bool
	// Days since treatment start, >= 0, strictly increasing.
	Days []float64
}

// Any reports whether some moment is set.
func (st *SpatialTimes) Any() bool {
	return st.TreatmentStart || st.Progression || st.End || len(st.Days) > 0
}

func (st *SpatialTimes) at(moment string) bool {
	switch moment {
	case MomentTreatmentStart:
		return st.TreatmentStart
	case MomentProgression:
		return st.Progression
	case MomentEnd:
		return st.End
	}
	return false
}

// SnapshotConfig asks for snapshots of a replicate's cells (lattice) or
// deme entries (deme mode).
type SnapshotConfig struct {
	At SpatialTimes
	// MaxCells bounds the rows of one snapshot: above it, a uniform
	// subsample of exactly MaxCells rows (default DefaultSnapshotCells): cells
	// on the lattice, (deme, clone) entries in the deme mode.
	MaxCells int64
}

// DefaultSnapshotCells is SnapshotConfig.MaxCells's default.
const DefaultSnapshotCells = 200_000

// RegionConfig asks for multi-region biopsies (punches).
type RegionConfig struct {
	At SpatialTimes
	// Radius of every punch, in sites: a punch holds the cells within this
	// Euclidean distance of its centre.
	Radius float64
	// Positions are the punches' centres relative to the founder's site
	// (the coordinates of the snapshots table; z = 0 in 2D). Nil: the spread
	// rule places K punches.
	Positions [][3]float64
	// K punches by the spread rule: the first at the lesion's centre (the
	// centroid of its cells, a deme weighing its cells), the others evenly around it on the circle of
	// half the lesion's radius (the largest distance of a cell from the
	// centroid, so that a lesion broken into foci is spanned by its
	// footprint), in the plane of the centre.
	K int
}

// SpatialConfig says what is read off a lattice or deme replicate
// (Config.Spatial).
type SpatialConfig struct {
	Snapshot SnapshotConfig
	Regions  RegionConfig
}

// MaxPunches bounds the punches of one biopsy.
const MaxPunches = 1000

func (st *SpatialTimes) validate(what string) error {
	var errs []error
	for i, d := range st.Days {
		if !(d >= 0) || math.IsInf(d, 0) {
			errs = append(errs, fmt.Errorf("%s: day %v: must be a finite number of days >= 0 (since treatment start)", what, d))
		} else if i > 0 && !(d > st.Days[i-1]) {
			errs = append(errs, fmt.Errorf("%s: days must increase, got %v after %v", what, d, st.Days[i-1]))
		}
	}
	return errors.Join(errs...)
}

// Validate reports an impossible setting.
func (sc *SpatialConfig) Validate() error {
	var errs []error
	if err := sc.Snapshot.At.validate("snapshot"); err != nil {
		errs = append(errs, err)
	}
	if sc.Snapshot.At.Any() && sc.Snapshot.MaxCells < 1 {
		errs = append(errs, fmt.Errorf("snapshot: max cells %d: must be at least 1", sc.Snapshot.MaxCells))
	}
	rc := &sc.Regions
	if err := rc.At.validate("regions"); err != nil {
		errs = append(errs, err)
	}
	if rc.At.Any() {
		if !(rc.Radius > 0) || math.IsInf(rc.Radius, 0) {
			errs = append(errs, fmt.Errorf("regions: radius %v: must be a positive number of sites", rc.Radius))
		}
		n := rc.K
		if rc.Positions != nil {
			n = len(rc.Positions)
		}
		if n < 1 || n > MaxPunches {
			errs = append(errs, fmt.Errorf("regions: %d punches: must be 1 to %d", n, MaxPunches))
		}
		for _, p := range rc.Positions {
			for _, v := range p {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					errs = append(errs, fmt.Errorf("regions: position %v: coordinates must be finite", p))
					break
				}
			}
		}
	}
	return errors.Join(errs...)
}

// validateSpatial is Config.Validate's part for spatial observations.
func (c *Config) validateSpatial() error {
	if c.Spatial == nil {
		return nil
	}
	if c.Lattice == nil && c.Demes == nil {
		return errors.New("spatial observations (snapshots, regions) need the lattice mode or the deme mode: the well-mixed engine has no positions")
	}
	return c.Spatial.Validate()
}

// SnapshotCell is one row of a snapshot: one cell of a lattice, or the
// cells of one clone in one deme.
type SnapshotCell struct {
	Moment  string // MomentTreatmentStart, ...
	Time    float64
	X, Y, Z int32 // relative to the founder's site; Z = 0 in 2D
	Clone   int64
	Class   model.Class
	// Cells of the clone at the site: 1 on the lattice, the clone's cells
	// in the deme in the deme mode.
	Cells int64
	// TumourCells is the tumour's cells at the snapshot (the rows are a
	// subsample of them when there are more than SnapshotConfig.MaxCells).
	TumourCells int64
}

// Samples of a multi-region biopsy (RegionRow.Sample).
const (
	SamplePunch  = "punch"
	SamplePooled = "pooled"
	SampleWhole  = "whole"
)

// RegionRow is one variant in one sample of a multi-region biopsy.
type RegionRow struct {
	Moment string
	Time   float64
	Sample string // SamplePunch, SamplePooled or SampleWhole
	Punch  int    // punch number from 0; -1 for the pool and the whole tumour
	// Centre and radius of a punch, in sites; NaN for the pool and the
	// whole tumour.
	X, Y, Z, Radius float64
	Cells           int64 // cells in the sample
	// Variant: "Y220C" (truncal, MutClass 0) or a catalog entry's name
	// ("name#k" for the k-th SNV of an entry standing for several).
	Variant  string
	MutClass model.MutClass // 0 for Y220C
	Carriers int64          // cells of the sample carrying the variant
	Fraction float64        // Carriers / Cells; NaN when the sample is empty
	// VAF is the variant allele fraction a pure sample reads: every tumour
	// cell holds Alleles.Copies TP53 copies, all carrying Y220C, and a
	// carrier of a secondary mutation carries it on one copy, so
	// Fraction / Copies (with the default LOH, copies 1, the cellular
	// fraction; with copies 2, a heterozygous SNV at half of it); Y220C reads
	// at Fraction.
	VAF float64
}

// spatialTumour is what the spatial observations read of a tumour: the
// Lattice and the Demes both provide it (lattice_observe.go,
// demes_observe.go).
type spatialTumour interface {
	body
	// eachSite calls fn for every clone at every occupied site, with the
	// site's position relative to the founder's site (z = 0 in 2D), the
	// clone's id and its cells there (> 0), in raster order of sites (x
	// fastest, then y, then z), clones of a site by increasing id.
	eachSite(fn func(x, y, z int, clone int64, cells int64))
	// entries is the number of calls eachSite makes.
	entries() int64
	// spatialGeno is the genotype index of clone id.
	spatialGeno(id int64) int32
	// lineages: the clones' ancestry, with the SNV each founded
	lineages
	// genoClass is the resistance class of genotype g.
	genoClass(g int32) model.Class
}

// spatialObs takes a worker's spatial observations; it persists across
// replicates (its caches only grow).
type spatialObs struct {
	cfg *SpatialConfig
	m   *model.Model
	lt  spatialTumour
	res *Result

	snapDay, regDay int
	ranks           uint64 // snapshots taken in this replicate: the rank keys the subsample's stream
	lastExt         float64

	snvOff  []int32  // first variant slot of each catalog entry (slot 0: Y220C)
	names   []string // variant name by slot
	classes []model.MutClass
	slots   []int32 // scratch of cloneSlots
	counts  []int64
	cells   []int64
	ctr     [][3]float64
}

func newSpatialObs(cfg *Config, lt spatialTumour) *spatialObs {
	o := &spatialObs{cfg: cfg.Spatial, m: &cfg.Model, lt: lt}
	o.names = append(o.names, "Y220C")
	o.classes = append(o.classes, 0)
	for i, mu := range cfg.Model.Catalog {
		o.snvOff = append(o.snvOff, int32(len(o.names)))
		k := cfg.Model.SNVs(i)
		for s := range k {
			name := mu.Name
			if k > 1 {
				name += "#" + strconv.Itoa(s+1)
			}
			o.names = append(o.names, name)
			o.classes = append(o.classes, mu.Class)
		}
	}
	return o
}

// observedBody is the tumour (lattice or demes) as the treatment phase
// sees it when spatial observations are asked for: it stops at observation
// days.
type observedBody struct {
	spatialTumour
	o *spatialObs
}

// nextDay is the next observation day and whether there is one.
func (o *spatialObs) nextDay() (float64, bool) {
	d, ok := math.Inf(1), false
	if s := o.cfg.Snapshot.At.Days; o.snapDay < len(s) {
		d, ok = s[o.snapDay], true
	}
	if r := o.cfg.Regions.At.Days; o.regDay < len(r) {
		d, ok = min(d, r[o.regDay]), true
	}
	return d, ok
}

// takeDay observes the days equal to d.
func (o *spatialObs) takeDay(d float64) {
	if s := o.cfg.Snapshot.At.Days; o.snapDay < len(s) && s[o.snapDay] == d {
		o.snapshot(MomentDay)
		o.snapDay++
	}
	if r := o.cfg.Regions.At.Days; o.regDay < len(r) && r[o.regDay] == d {
		o.regions(MomentDay)
		o.regDay++
	}
}

// Advance moves the tumour to t1, stopping at observation days on the way.
func (ol observedBody) Advance(t1 float64, e Exposure) {
	o, lt := ol.o, ol.spatialTumour
	le := math.Inf(-1)
	for {
		d, ok := o.nextDay()
		if !ok || d > t1 {
			break
		}
		if d > lt.Time() {
			lt.Advance(d, e)
			le = max(le, lt.LastExtinction())
		}
		o.takeDay(d)
	}
	if t1 > lt.Time() {
		lt.Advance(t1, e)
		le = max(le, lt.LastExtinction())
	}
	o.lastExt = le
}

// LastExtinction is the time the last clone to die out in the latest
// Advance did, over its pieces.
func (ol observedBody) LastExtinction() float64 { return ol.o.lastExt }

// start begins a replicate's observations at treatment start (the tumour's
// clock at 0).
func (o *spatialObs) start(res *Result) {
	o.res = res
	o.snapDay, o.regDay, o.ranks = 0, 0, 0
	o.lastExt = math.Inf(-1)
	o.at(MomentTreatmentStart)
	for {
		d, ok := o.nextDay()
		if !ok || d > o.lt.Time() {
			break
		}
		o.takeDay(d)
	}
}

// at takes the observations asked for at a named moment.
func (o *spatialObs) at(moment string) {
	if o.cfg.Snapshot.At.at(moment) {
		o.snapshot(moment)
	}
	if o.cfg.Regions.At.at(moment) {
		o.regions(moment)
	}
}

// snapshotKey keys the streams of snapshot subsamples (plus the rank).
const snapshotKey = 1 << 60

// snapshot lists the tumour's entries (cells on the lattice, deme and
// clone pairs in the deme mode), or a uniform subsample of MaxCells of them
// (Knuth's selection sampling, algorithm S: in raster order, an entry is
// kept with probability (entries still wanted) / (entries not yet seen),
// which keeps exactly MaxCells, every subset equally likely).
func (o *spatialObs) snapshot(moment string) {
	lt, res := o.lt, o.res
	n := lt.entries()
	k := min(n, o.cfg.Snapshot.MaxCells)
	r := rng.Derive(res.Stream, snapshotKey+o.ranks)
	o.ranks++
	t := lt.Time()
	total := lt.Total()
	var seen, took int64
	lt.eachSite(func(x, y, z int, c int64, cells int64) {
		keep := k == n || (took < k && float64(n-seen)*r.Float64() < float64(k-took))
		seen++
		if !keep {
			return
		}
		took++
		res.Snapshots = append(res.Snapshots, SnapshotCell{Moment: moment, Time: t, X: int32(x), Y: int32(y), Z: int32(z),
			Clone: c, Class: lt.genoClass(lt.spatialGeno(c)), Cells: cells, TumourCells: total})
	})
}

// cloneSlots are the variant slots clone c carries, Y220C first: the SNV
// founded by each clone of its ancestry, an SNV on two copies once. The
// slice is scratch, valid until the next call.
func (o *spatialObs) cloneSlots(c int64) []int32 {
	s := append(o.slots[:0], 0)
	for id := c; id >= 0; {
		parent, mut, site, _ := o.lt.founding(id)
		if mut >= 0 {
			if v := o.snvOff[mut] + site; !slices.Contains(s, v) {
				s = append(s, v)
			}
		}
		id = parent
	}
	o.slots = s
	return s
}

// lesion returns the centroid of the tumour's cells (a site weighing its
// cells) and the lesion's radius: the largest distance of an occupied site
// from the centroid.
func (o *spatialObs) lesion() (c [3]float64, radius float64) {
	lt := o.lt
	var sx, sy, sz float64
	lt.eachSite(func(x, y, z int, _ int64, cells int64) {
		w := float64(cells) // 1 on the lattice: w * x is exactly x
		sx += w * float64(x)
		sy += w * float64(y)
		sz += w * float64(z)
	})
	n := float64(lt.Total())
	c = [3]float64{sx / n, sy / n, sz / n}
	r2 := 0.0
	lt.eachSite(func(x, y, z int, _ int64, _ int64) {
		dx, dy, dz := float64(x)-c[0], float64(y)-c[1], float64(z)-c[2]
		r2 = max(r2, dx*dx+dy*dy+dz*dz)
	})
	return c, math.Sqrt(r2)
}

// punches are the punches' centres of the current biopsy.
func (o *spatialObs) punches() [][3]float64 {
	rc := &o.cfg.Regions
	o.ctr = o.ctr[:0]
	if rc.Positions != nil {
		return append(o.ctr, rc.Positions...)
	}
	c, radius := o.lesion()
	o.ctr = append(o.ctr, c)
	for j := 1; j < rc.K; j++ {
		a := 2 * math.Pi * float64(j-1) / float64(rc.K-1)
		o.ctr = append(o.ctr, [3]float64{c[0] + radius/2*math.Cos(a), c[1] + radius/2*math.Sin(a), c[2]})
	}
	return o.ctr
}

// regions takes a multi-region biopsy: rows for every punch, the pool of
// punches and the whole tumour, one per variant present in the tumour.
func (o *spatialObs) regions(moment string) {
	lt, res := o.lt, o.res
	if lt.Total() == 0 {
		return
	}
	ctr := o.punches()
	rad := o.cfg.Regions.Radius
	r2 := rad * rad
	np := len(ctr)
	ns := np + 2 // punches, pooled, whole
	nv := len(o.names)
	o.counts = resize(o.counts, ns*nv)
	o.cells = resize(o.cells, ns)
	counts, cells := o.counts, o.cells
	pool, whole := np, np+1
	add := func(s int, slots []int32, w int64) {
		cells[s] += w
		row := counts[s*nv : (s+1)*nv]
		for _, v := range slots {
			row[v] += w
		}
	}
	lt.eachSite(func(x, y, z int, c int64, w int64) {
		slots := o.cloneSlots(c)
		in := false
		for p := range ctr {
			dx, dy, dz := float64(x)-ctr[p][0], float64(y)-ctr[p][1], float64(z)-ctr[p][2]
			if dx*dx+dy*dy+dz*dz <= r2 {
				add(p, slots, w)
				in = true
			}
		}
		if in {
			add(pool, slots, w)
		}
		add(whole, slots, w)
	})
	t := lt.Time()
	copies := float64(o.m.Alleles.Copies)
	nan := math.NaN()
	for s := range ns {
		for v := range nv {
			if counts[whole*nv+v] == 0 {
				continue
			}
			row := RegionRow{Moment: moment, Time: t, Sample: SamplePunch, Punch: s, Radius: rad,
				Cells: cells[s], Variant: o.names[v], MutClass: o.classes[v], Carriers: counts[s*nv+v]}
			if s < np {
				row.X, row.Y, row.Z = ctr[s][0], ctr[s][1], ctr[s][2]
			} else {
				row.Sample, row.Punch = SamplePooled, -1
				if s == whole {
					row.Sample = SampleWhole
				}
				row.X, row.Y, row.Z, row.Radius = nan, nan, nan, nan
			}
			row.Fraction, row.VAF = nan, nan
			if row.Cells > 0 {
				row.Fraction = float64(row.Carriers) / float64(row.Cells)
				row.VAF = row.Fraction
				if v > 0 {
					row.VAF /= copies
				}
			}
			res.Regions = append(res.Regions, row)
		}
	}
}

// resize returns s with n zeroed elements, reusing its storage.
func resize(s []int64, n int) []int64 {
	if cap(s) < n {
		return make([]int64, n)
	}
	s = s[:n]
	clear(s)
	return s
}
