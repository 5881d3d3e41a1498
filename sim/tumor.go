package sim

import (
	"math"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim/rng"
)

// clone is one lineage: the descendants of one mutant cell (or the founder)
// that carry no further mutation. Every clone owns its random stream, derived
// from the replicate's stream and the clone's id, so what happens to it does
// not depend on which goroutine advances it or in what order.
type clone struct {
	n      int64
	id     int64
	parent int64
	born   float64
	ext    float64 // time the clone died out, set when n reaches 0
	geno   int32
	rec    int32 // index into Tumor.records, -1 until the clone is recorded
	rng    rng.Stream
}

// pending is a mutant daughter born during a step, waiting for its id.
type pending struct {
	parent int64
	t      float64
	geno   int32 // parent's genotype
	choice int32 // index into the parent genotype's mutation choices
	site   int32 // which SNV of the choice's catalog entry
	// agg (merge mode): the parent's whole stream of mutant daughters over
	// [t, e], its path the exponential bridge from n0 to n1 cells; b is the
	// step end
	agg    bool
	e, b   float64
	n0, n1 int64
}

// shapeInfo is what genotypes of one shape share: a shape is a genotype
// keyed by catalog entry (every Hit.Site 0), and every SNV genotype of that
// shape (the same entries on the same copies, whichever of their SNVs) has
// the same phenotype, mutation probability and mutation choices, since the
// SNVs of an entry act alike. With entry keys a shape is one genotype; with
// SNV keys it stands behind many, each of which holds only its own hits.
type shapeInfo struct {
	g     model.Genotype // Site 0 in every hit
	label string         // e.g. "R248W" or "Y220C" for the founder
	mut   string         // name of the newest mutation
	class model.Class
	pheno int32
	rc    int32     // rate class: (phenotype, mutation probability)
	u     float64   // probability that a division yields a mutant daughter
	cum   []float64 // cumulative weights of choices
	hits  []model.Hit
	// per choice: the SNVs of its entry (snvs), the first of its SNVs in
	// the numbering of all choices' SNVs (snvOff), whether the shape
	// carries the entry on that copy (carried) and the child shape (child,
	// -1 until first needed)
	snvs    []int32
	snvOff  []uint32
	carried []bool
	child   []int32
	// geno (entry keys): the genotype of this shape, -1 until first needed
	geno int32
}

// genoInfo is what the engine keeps per genotype: its shape's shared tables
// and its own hits (with their SNVs). About 64 bytes plus 24 a hit, and a
// map entry in Tumor.snvChild (about 30 bytes), so SNV keys stay cheap.
type genoInfo struct {
	sh *shapeInfo
	g  model.Genotype
	// newest is the catalog index of the newest mutation (-1 for the
	// founder genotype) and founding its resistance class (Sensitive for
	// the founder and passengers): what a clone of this genotype adds to
	// its parent, as the liquid biopsy sees it.
	newest   int32
	site     int32 // SNV of the newest mutation within its entry
	founding model.Class
	class    model.Class
	pheno    int32
	rc       int32
	u        float64
}

// childKey names an SNV genotype's child: the parent genotype in the high
// 32 bits, the child's SNV in the parent shape's numbering of its choices'
// SNVs (shapeInfo.snvOff) in the low ones.
func childKey(parent int32, sh *shapeInfo, choice, site int32) uint64 {
	return uint64(parent)<<32 | uint64(sh.snvOff[choice]+uint32(site))
}

// rateClass groups genotypes that share birth/death rates and mutation
// probability: they share the per-step Kendall parameters.
type rateClass struct {
	pheno int32
	u     float64
	stamp uint64
	// per segment of the current step: constant rates and their map, the
	// suffix products (suf[k] maps segT[k] to the step end) and, over the
	// whole step, ln P(no mutant) per lineage and the law given none
	// (emission.go)
	seg           []segRates
	maps          []mob
	suf           []mob
	lnNoEmit      float64
	alphaT, betaT float64
	lnBetaT       float64 // ln betaT, 0 if betaT is 0
	// noEmitT and extT are the whole step's F(1) and F(0) for one lineage
	// (suf[0]'s noEmit() and zero()), read by a one-cell clone at the step start
	noEmitT, extT float64
	// Kendall's law without the emission term (kendall), in steps of
	// several segments: per segment the rates, and kendallSuf[k] the map
	// from segT[k] to the step end; valid when kendallStamp is the step's
	kendallStamp uint64
	kendallSeg   []segRates
	kendallSuf   []mob
}

type phenoInfo struct {
	p     model.Phenotype
	death []float64 // death rate in each segment of the current step
	live  uint64    // == Tumor.liveMark: a live clone has this phenotype
}

// CloneRecord describes a clone that reached the record threshold.
type CloneRecord struct {
	ID, Parent int64
	Mutation   string // the mutation that founded the clone ("Y220C" for the founder)
	Genotype   string // all secondary mutations, joined by "+"
	Class      model.Class
	Born       float64
	Peak       int64
	PeakTime   float64
	Extinct    float64 // NaN while alive
}

// Tumor is the state of one replicate's tumour: its live clones, the
// genotypes seen so far and the records of clones that grew large. Advance
// moves it forward in time. A Tumor is reused across replicates (Reset) so
// that a worker allocates only while its buffers grow, and a closed Tumor
// hands its buffers to the next one made (Close), as a patient's lesions,
// each with its own Tumor, are made and closed patient after patient.
type Tumor struct {
	m   *model.Model
	opt Options

	t      float64
	seed   uint64 // replicate/attempt seed all clone streams derive from
	nextID int64
	stamp  uint64
	// liveMark is bumped at every reset and step end; phenotypes of the
	// live clones then carry it (phenoInfo.live), for tumorRates
	liveMark uint64

	clones  []clone
	pend    []pending
	pendNew []pending
	genos   []genoInfo
	shapes  []*shapeInfo
	// snvChild (SNV keys): the child genotype of (parent, choice, SNV)
	snvChild map[uint64]int32
	// hitSlab holds the hits of SNV genotypes (withHit), emptied with the
	// genotype tables
	hitSlab []model.Hit
	phenos  []phenoInfo
	rcs     []rateClass
	records []CloneRecord
	counts  [model.NumClasses]int64
	total   int64

	// ancestry of every clone founded, indexed by clone id (ids are dense):
	// the parent's id and the clone's genotype. Used to find every cell
	// carrying a mutation for the liquid biopsy.
	ancParent []int64
	ancGeno   []int32
	ancSite   []int32 // SNV of the clone's founding mutation within its entry
	drawBuf   drawBuffers
	snvs      snvTally // a single lesion's blood draws

	// segments of the current step: segment k is [segT[k], segT[k+1]).
	segT    []float64
	segConc []float64
	conc    []float64
	choices []model.Choice

	shards *shardPool

	lastExt float64 // latest extinction among clones that died in the last step

	// per-step buffers behind the rate classes' segment arrays (prepare)
	prepStamp uint64
	segBuf    []segRates
	mapBuf    []mob
	sufBuf    []mob

	// buffers of radixPending
	radixA, radixB []radixItem
	radixP         []pending

	mergeRNG rng.Stream
	rep      []int32 // live clone index per genotype (merge mode), -1 if none
	// aggregate's children of one (parent, choice) by free SNV, -1 if not
	// looked up yet, and the SNVs looked up
	siteChild   []int32
	siteTouched []int32
}

// Options are the engine's numerical knobs.
type Options struct {
	// ExactBelow: clones smaller than this are simulated event by event,
	// others by exact steps from their no-emission law (emission.go), which
	// are cheaper from one cell up. 0 or 1 (Config's default) means exact
	// steps for every clone; a huge value means event by event for all.
	ExactBelow int64
	// RecordAt: clones reaching this many cells (at a step end) are recorded.
	RecordAt int64
	// Shards: goroutines that advance the clones of one step (1: serial).
	Shards int
	// ShardMin: fewer live clones than this are advanced serially.
	ShardMin int
	// Merge keeps one clone per genotype (keyed by SNV, see the package
	// documentation) instead of one per lineage. A mutant
	// daughter is not followed on its own: whether its lineage is alive at
	// the end of the step, and with how many cells, is drawn from Kendall's
	// law from its birth time, and the survivors join their genotype's clone.
	// Population sizes per genotype keep their exact law, and the cost no
	// longer grows with the number of lineages born (so with tumour size),
	// but lineage records are per genotype, distinct-clone counts become
	// genotype counts, and a newborn's own mutants within its first partial
	// step are not drawn (a correction of order u per newborn).
	Merge bool
	// AggregateMin (merge mode): a parent expected to shed at least this
	// many mutant daughters of one kind in a step has their surviving
	// offspring drawn as one normal sum with the exact mean and variance of
	// the compound Poisson law, instead of one by one (default 64).
	AggregateMin float64
	// BridgeAbove and BridgeMinCells choose how a clone of at least
	// ExactBelow cells sheds its mutants. A clone expected to shed fewer
	// than BridgeAbove mutant daughters over the rest of the step (default
	// 16), or smaller than BridgeMinCells (default 1024), sheds them exactly
	// (emission.go): each daughter at its exact time, the clone's size
	// drawn from the exact joint law. A larger one, whose path is close to
	// deterministic, moves in sub-steps that end at every change of
	// exposure and are short enough that its size changes by at most
	// e^0.5-fold and its relative variance over a sub-step stays below 1%;
	// its daughters are Poisson along the exponential bridge of each
	// sub-step, whose mean integral is biased by at most about a twelfth of
	// that variance (under 0.1%). BridgeAbove < 0 puts every clone of
	// BridgeMinCells or more on the bridge (for the theory checks).
	BridgeAbove    float64
	BridgeMinCells int64

	// entryKeys: genotypes are keyed by catalog entry, not SNV. Always so
	// with one clone per lineage, where each clone's SNV is kept with its
	// ancestry (Tumor.ancSite), so genotype tables stay small; and in merge
	// mode for single lesions without blood draws (set by NewReplicator),
	// where a merged clone then pools the SNVs of an entry: nothing reads
	// them apart, each entry's cells keep their law, and a tumour holds far
	// fewer clones (about 390 instead of 5,000 for the 1e11 lesion).
	// Patients' merged lesions are keyed by SNV (their plasma reads SNVs).
	entryKeys bool
}

// genoKeep is the number of genotypes (or shapes) past which Reset empties
// the genotype tables (memory: a shape's tables take about 4 kB with the
// default catalog, an SNV genotype about 150 bytes).
const genoKeep = 4096

// Defaults of the bridge options (Options.BridgeAbove, BridgeMinCells).
const (
	DefaultBridgeAbove    = 16
	DefaultBridgeMinCells = 1024
)

// NewTumor returns an empty tumour for model m.
func NewTumor(m *model.Model, opt Options) *Tumor {
	if opt.RecordAt <= 0 {
		opt.RecordAt = math.MaxInt64
	}
	if opt.Shards < 1 {
		opt.Shards = 1
	}
	if opt.BridgeAbove == 0 {
		opt.BridgeAbove = DefaultBridgeAbove
	}
	if opt.BridgeMinCells == 0 {
		opt.BridgeMinCells = DefaultBridgeMinCells
	}
	if !opt.Merge {
		opt.entryKeys = true // a lineage's SNV is kept with its ancestry
	}
	tm := &Tumor{m: m, opt: opt, conc: make([]float64, len(m.Drugs))}
	if b := spareBuffers.get(); b != nil {
		b.give(tm)
	}
	if opt.Shards > 1 {
		tm.shards = newShardPool(opt.Shards)
	}
	return tm
}

// Close stops the tumour's shard goroutines, if any, and hands its
// buffers to the next tumour made (a patient's lesions each have a tumour,
// closed when the patient is done, so a worker running patients stops
// allocating once its buffers have grown). The tumour must not be used
// afterwards.
func (tm *Tumor) Close() {
	if tm.shards != nil {
		tm.shards.close()
		tm.shards = nil
	}
	if tm.genos != nil && cap(tm.ancParent) <= spareMaxLen && cap(tm.clones) <= spareMaxLen {
		b := new(tumorBuffers)
		b.take(tm)
		spareBuffers.put(b)
	}
}

// tumorBuffers are the growable buffers of a closed tumour, emptied, kept
// for the next one (spareBuffers). What they held cannot change a result: each
// is truncated, or (drawBuf, siteChild) kept in its neutral state by its
// users, and snvChild is only looked up.
type tumorBuffers struct {
	clones           []clone
	pend, pendNew    []pending
	genos            []genoInfo
	snvChild         map[uint64]int32
	hitSlab          []model.Hit
	records          []CloneRecord
	ancParent        []int64
	ancGeno, ancSite []int32
	rep, siteChild   []int32
	drawBuf          drawBuffers
	radixA, radixB   []radixItem
	radixP           []pending
	segT, segConc    []float64
	segBuf           []segRates
	mapBuf, sufBuf   []mob
	siteTouched      []int32
}

// spareBuffers holds the buffers of closed tumours, up to maxSpare of
// them (no more than the tumours that were alive together, so it never
// holds more memory than was in use). A list rather than a sync.Pool, which
// empties at every other collection, and a patient collects several times.
var spareBuffers bufferList

const maxSpare = 32

// spareMaxLen: the buffers of a tumour that founded or held more clones
// than this (tens of megabytes) are left to the collector, not kept.
const spareMaxLen = 1 << 20

type bufferList struct {
	mu   sync.Mutex
	list []*tumorBuffers
}

func (l *bufferList) get() *tumorBuffers {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.list)
	if n == 0 {
		return nil
	}
	b := l.list[n-1]
	l.list[n-1] = nil
	l.list = l.list[:n-1]
	return b
}

func (l *bufferList) put(b *tumorBuffers) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.list) < maxSpare {
		l.list = append(l.list, b)
	}
}

// take moves tm's buffers into b, emptied, and leaves tm without them.
func (b *tumorBuffers) take(tm *Tumor) {
	clear(tm.genos[:cap(tm.genos)]) // drop the shapes' tables
	clear(tm.records[:cap(tm.records)])
	clear(tm.snvChild)
	*b = tumorBuffers{
		clones: tm.clones[:0], pend: tm.pend[:0], pendNew: tm.pendNew[:0],
		genos: tm.genos[:0], snvChild: tm.snvChild, hitSlab: tm.hitSlab[:0],
		records: tm.records[:0], ancParent: tm.ancParent[:0], ancGeno: tm.ancGeno[:0],
		ancSite: tm.ancSite[:0], rep: tm.rep[:0], siteChild: tm.siteChild,
		drawBuf: tm.drawBuf, radixA: tm.radixA[:0], radixB: tm.radixB[:0], radixP: tm.radixP[:0],
		segT: tm.segT[:0], segConc: tm.segConc[:0], segBuf: tm.segBuf[:0],
		mapBuf: tm.mapBuf[:0], sufBuf: tm.sufBuf[:0], siteTouched: tm.siteTouched[:0],
	}
	tm.clones, tm.pend, tm.pendNew, tm.genos, tm.snvChild, tm.hitSlab = nil, nil, nil, nil, nil, nil
	tm.records, tm.ancParent, tm.ancGeno, tm.ancSite, tm.rep, tm.siteChild = nil, nil, nil, nil, nil, nil
	tm.drawBuf, tm.radixA, tm.radixB, tm.radixP = drawBuffers{}, nil, nil, nil
	tm.segT, tm.segConc, tm.segBuf, tm.mapBuf, tm.sufBuf, tm.siteTouched = nil, nil, nil, nil, nil, nil
}

// give hands b's buffers to a new tumour tm.
func (b *tumorBuffers) give(tm *Tumor) {
	tm.clones, tm.pend, tm.pendNew, tm.genos, tm.snvChild, tm.hitSlab = b.clones, b.pend, b.pendNew, b.genos, b.snvChild, b.hitSlab
	tm.records, tm.ancParent, tm.ancGeno, tm.ancSite, tm.rep, tm.siteChild = b.records, b.ancParent, b.ancGeno, b.ancSite, b.rep, b.siteChild
	tm.drawBuf, tm.radixA, tm.radixB, tm.radixP = b.drawBuf, b.radixA, b.radixB, b.radixP
	tm.segT, tm.segConc, tm.segBuf, tm.mapBuf, tm.sufBuf, tm.siteTouched = b.segT, b.segConc, b.segBuf, b.mapBuf, b.sufBuf, b.siteTouched
}

// Reset empties the tumour and seeds it with n founder cells of the
// background genotype at time t. Clone streams derive from seed.
func (tm *Tumor) Reset(seed uint64, n int64, t float64) {
	tm.t = t
	tm.seed = seed
	tm.lastExt = math.Inf(-1)
	tm.mergeRNG = rng.Derive(seed, 1<<62)
	tm.nextID = 0
	tm.clones = tm.clones[:0]
	tm.pend = tm.pend[:0]
	tm.records = tm.records[:0]
	tm.ancParent = tm.ancParent[:0]
	tm.ancGeno = tm.ancGeno[:0]
	tm.ancSite = tm.ancSite[:0]
	if len(tm.genos) == 0 {
		sh := tm.addShape(model.Genotype{}, "Y220C")
		sh.geno = tm.newGeno(sh, model.Genotype{})
	}
	if len(tm.genos) > genoKeep || len(tm.shapes) > genoKeep {
		// genotypes are kept across replicates so that a worker stops
		// allocating once it has met them; with SNV keys the genotypes of
		// double mutants rarely repeat, so past genoKeep the tables restart
		// from the founder's (no clone refers to any at a reset). Shapes
		// are few and dear to build (mutation choices, labels): they are
		// kept unless they too pass genoKeep, and lose only their genotype.
		clear(tm.genos[1:])
		tm.genos = tm.genos[:1]
		if len(tm.shapes) > genoKeep {
			clear(tm.shapes[1:])
			tm.shapes = tm.shapes[:1]
			for i := range tm.shapes[0].child {
				tm.shapes[0].child[i] = -1
			}
		}
		for _, sh := range tm.shapes[1:] {
			sh.geno = -1
		}
		clear(tm.snvChild)
		tm.hitSlab = tm.hitSlab[:0] // no genotype left refers to it
	}
	tm.total = 0
	tm.counts = [model.NumClasses]int64{}
	tm.liveMark++
	if n > 0 {
		tm.found(-1, 0, t, n, 0)
		tm.total = n
		tm.counts[tm.genos[0].class] = n
		tm.phenos[tm.genos[0].pheno].live = tm.liveMark
		tm.checkRecord(&tm.clones[0])
	}
}

// Time is the tumour's clock (days).
func (tm *Tumor) Time() float64 { return tm.t }

// LastExtinction is the time the last clone to die out in the latest step
// did (-Inf if none died): the time of cure when the tumour is empty.
func (tm *Tumor) LastExtinction() float64 { return tm.lastExt }

// Total is the number of tumour cells.
func (tm *Tumor) Total() int64 { return tm.total }

// Counts are the cells of each class.
func (tm *Tumor) Counts() [model.NumClasses]int64 { return tm.counts }

// Clones is the number of live clones.
func (tm *Tumor) Clones() int { return len(tm.clones) }

// Born is the number of clones founded so far, the founder included.
func (tm *Tumor) Born() int64 { return tm.nextID }

// CountGenotype is the number of cells whose genotype label (e.g. "R248W"
// or "Y220C" for the founder genotype) is exactly label.
func (tm *Tumor) CountGenotype(label string) int64 {
	n := int64(0)
	for i := range tm.clones {
		if tm.genos[tm.clones[i].geno].sh.label == label {
			n += tm.clones[i].n
		}
	}
	return n
}

// GenotypeCount is the number of live cells of one genotype.
type GenotypeCount struct {
	Genotype string // label, as CloneRecord.Genotype ("Y220C" for the founder genotype)
	Class    model.Class
	Cells    int64
}

// GenotypeCounts appends to dst the live cells of every genotype that has
// any, sorted by label, and returns the extended slice. It only reads the
// tumour. (The order is the labels' because a worker's genotype cache
// outlives its replicates.)
//
// With SNV keys several genotypes share a label (their SNVs differ): those
// come in the order of their hits' SNVs, whatever order the genotype
// tables met them in.
func (tm *Tumor) GenotypeCounts(dst []GenotypeCount) []GenotypeCount {
	if tm.opt.entryKeys {
		return countGenotypes(dst, len(tm.genos), func(g int) (string, model.Class) { return tm.genos[g].sh.label, tm.genos[g].class },
			len(tm.clones), func(i int) (int32, int64) { return tm.clones[i].geno, tm.clones[i].n })
	}
	cells := make([]int64, len(tm.genos))
	var gs []int32
	for i := range tm.clones {
		if c := &tm.clones[i]; c.n > 0 {
			if cells[c.geno] == 0 {
				gs = append(gs, c.geno)
			}
			cells[c.geno] += c.n
		}
	}
	slices.SortFunc(gs, func(a, b int32) int {
		if c := strings.Compare(tm.genos[a].sh.label, tm.genos[b].sh.label); c != 0 {
			return c
		}
		return compareHits(tm.genos[a].g.Hits, tm.genos[b].g.Hits)
	})
	for _, g := range gs {
		dst = append(dst, GenotypeCount{Genotype: tm.genos[g].sh.label, Class: tm.genos[g].class, Cells: cells[g]})
	}
	return dst
}

// compareHits orders hit lists by entry, copy and SNV, hit by hit.
func compareHits(a, b []model.Hit) int {
	for k := range min(len(a), len(b)) {
		if x, y := a[k], b[k]; x != y {
			if x.Mut != y.Mut {
				return x.Mut - y.Mut
			}
			if x.Copy != y.Copy {
				return x.Copy - y.Copy
			}
			return x.Site - y.Site
		}
	}
	return len(a) - len(b)
}

// countGenotypes appends to dst one GenotypeCount per genotype (of ngeno,
// described by geno) that has live cells among the nclones clones (clone i
// has genotype and cells clone(i)), sorted by label.
func countGenotypes(dst []GenotypeCount, ngeno int, geno func(g int) (string, model.Class), nclones int, clone func(i int) (int32, int64)) []GenotypeCount {
	base := len(dst)
	for g := range ngeno {
		label, class := geno(g)
		dst = append(dst, GenotypeCount{Genotype: label, Class: class})
	}
	for i := range nclones {
		if g, n := clone(i); n > 0 {
			dst[base+int(g)].Cells += n
		}
	}
	out := dst[:base]
	for _, g := range dst[base:] {
		if g.Cells > 0 {
			out = append(out, g)
		}
	}
	slices.SortFunc(out[base:], func(a, b GenotypeCount) int { return strings.Compare(a.Genotype, b.Genotype) })
	return out
}

// CountSNV is the number of cells carrying SNV site of catalog entry mut,
// on any copy.
func (tm *Tumor) CountSNV(mut, site int) int64 {
	n := int64(0)
	for i := range tm.clones {
		for a := tm.clones[i].id; a >= 0; a = tm.ancParent[a] {
			if g := &tm.genos[tm.ancGeno[a]]; int(g.newest) == mut && tm.ancSite[a] == int32(site) {
				n += tm.clones[i].n
				break
			}
		}
	}
	return n
}

// Records are the clones that reached the record threshold.
func (tm *Tumor) Records() []CloneRecord { return tm.records }

// ResistantClones counts live clones of a resistance class.
func (tm *Tumor) ResistantClones() int {
	k := 0
	for i := range tm.clones {
		if tm.genos[tm.clones[i].geno].class != model.Sensitive {
			k++
		}
	}
	return k
}

// Shift moves the clock and every stored time by dt.
func (tm *Tumor) Shift(dt float64) {
	tm.t += dt
	tm.lastExt += dt
	for i := range tm.clones {
		tm.clones[i].born += dt
	}
	for i := range tm.records {
		r := &tm.records[i]
		r.Born += dt
		r.PeakTime += dt
		r.Extinct += dt
	}
}

// addShape adds the shape of entry-keyed genotype g, whose newest
// mutation is named mut: its phenotype, rate class and mutation choices.
func (tm *Tumor) addShape(g model.Genotype, mut string) *shapeInfo {
	m := tm.m
	ph := m.Phenotype(g)
	pi := int32(-1)
	for i := range tm.phenos {
		if tm.phenos[i].p.Equal(&ph) {
			pi = int32(i)
			break
		}
	}
	if pi < 0 {
		pi = int32(len(tm.phenos))
		tm.phenos = append(tm.phenos, phenoInfo{p: ph})
		tm.fillDeath(&tm.phenos[pi])
	}
	sh := &shapeInfo{g: g, label: m.Label(g), mut: mut, class: m.Class(g), pheno: pi, geno: -1}
	tm.choices = m.Choices(g, tm.choices[:0])
	nc := len(tm.choices)
	sh.cum, sh.hits, sh.child = make([]float64, 0, nc), make([]model.Hit, 0, nc), make([]int32, 0, nc)
	sh.snvOff, sh.snvs, sh.carried = make([]uint32, 0, nc), make([]int32, 0, nc), make([]bool, 0, nc)
	sum := 0.0
	off := uint32(0)
	for _, c := range tm.choices {
		sum += c.Weight
		sh.cum = append(sh.cum, sum)
		sh.hits = append(sh.hits, c.Hit)
		sh.snvOff = append(sh.snvOff, off)
		sh.snvs = append(sh.snvs, int32(m.SNVs(c.Hit.Mut)))
		off += uint32(m.SNVs(c.Hit.Mut))
		sh.child = append(sh.child, -1)
		sh.carried = append(sh.carried, slices.ContainsFunc(g.Hits, func(h model.Hit) bool { return h.Mut == c.Hit.Mut && h.Copy == c.Hit.Copy }))
	}
	sh.u = m.MutationRate * sum
	if sh.u >= 1 {
		sh.u = 1
	}
	sh.rc = -1
	for i := range tm.rcs {
		if tm.rcs[i].pheno == pi && tm.rcs[i].u == sh.u {
			sh.rc = int32(i)
		}
	}
	if sh.rc < 0 {
		sh.rc = int32(len(tm.rcs))
		tm.rcs = append(tm.rcs, rateClass{pheno: pi, u: sh.u})
	}
	tm.shapes = append(tm.shapes, sh)
	return sh
}

// newGeno adds genotype g (with its SNVs) of shape sh.
func (tm *Tumor) newGeno(sh *shapeInfo, g model.Genotype) int32 {
	gi := genoInfo{sh: sh, g: g, newest: -1, class: sh.class, pheno: sh.pheno, rc: sh.rc, u: sh.u}
	if k := len(g.Hits); k > 0 {
		gi.newest = int32(g.Hits[k-1].Mut)
		gi.site = int32(g.Hits[k-1].Site)
		gi.founding = tm.m.Class(model.Genotype{Hits: g.Hits[k-1:]})
	}
	tm.genos = append(tm.genos, gi)
	return int32(len(tm.genos) - 1)
}

// hitSlabSize is the number of hits in one block of Tumor.hitSlab.
const hitSlabSize = 4096

// withHit is g.With(h), its hits carved from the tumour's slab of hits
// rather than allocated one genotype at a time (SNV genotypes are many).
func (tm *Tumor) withHit(g model.Genotype, h model.Hit) model.Genotype {
	k := len(g.Hits) + 1
	if cap(tm.hitSlab)-len(tm.hitSlab) < k {
		// a new block; genotypes keep the old one alive while they use it
		tm.hitSlab = make([]model.Hit, 0, max(hitSlabSize, k))
	}
	off := len(tm.hitSlab)
	tm.hitSlab = append(append(tm.hitSlab, g.Hits...), h)
	return model.Genotype{Hits: tm.hitSlab[off : off+k : off+k]}
}

// childShape is the shape a mutation choice of shape sh leads to, created
// the first time.
func (tm *Tumor) childShape(sh *shapeInfo, choice int32) *shapeInfo {
	if c := sh.child[choice]; c >= 0 {
		return tm.shapes[c]
	}
	h := sh.hits[choice]
	c := tm.addShape(sh.g.With(h), tm.m.Catalog[h.Mut].Name)
	sh.child[choice] = int32(len(tm.shapes) - 1)
	return c
}

// childGeno returns the genotype that SNV site of a mutation choice leads
// to (with entry keys, the same for every SNV), creating it the first time.
// Called only from the serial part of a step.
func (tm *Tumor) childGeno(parent int32, choice, site int32) int32 {
	p := &tm.genos[parent]
	if tm.opt.entryKeys {
		sh := tm.childShape(p.sh, choice)
		if sh.geno < 0 {
			sh.geno = tm.newGeno(sh, sh.g)
		}
		return sh.geno
	}
	k := childKey(parent, p.sh, choice, site)
	if c, ok := tm.snvChild[k]; ok {
		return c
	}
	sh := tm.childShape(p.sh, choice)
	h := p.sh.hits[choice]
	h.Site = int(site)
	id := tm.newGeno(sh, tm.withHit(tm.genos[parent].g, h))
	if tm.snvChild == nil {
		tm.snvChild = make(map[uint64]int32)
	}
	tm.snvChild[k] = id
	return id
}

// genotypeCost is what the genotype tables weigh against Config.MaxClones:
// GenotypeWeight clones a shape (its tables), one clone a genotype (with
// SNV keys a genotype holds only its hits, about the memory of a clone).
func (tm *Tumor) genotypeCost() int { return GenotypeWeight*len(tm.shapes) + len(tm.genos) }

// nFree is the number of SNVs of choice j that genotype g does not carry
// on the choice's copy (all of them with entry keys).
func (tm *Tumor) nFree(g *genoInfo, j int32) int32 {
	n := g.sh.snvs[j]
	if tm.opt.entryKeys || !g.sh.carried[j] {
		return n
	}
	h := g.sh.hits[j]
	for _, x := range g.g.Hits {
		if x.Mut == h.Mut && x.Copy == h.Copy {
			n--
		}
	}
	return n
}

// freeSite is the i-th (from 0, in increasing order) SNV of choice j that
// g does not carry on the choice's copy: the least fixed point s of
// s = i + #(carried SNVs <= s), reached by iterating from i.
func (tm *Tumor) freeSite(g *genoInfo, j, i int32) int32 {
	if tm.opt.entryKeys || !g.sh.carried[j] {
		return i
	}
	h := g.sh.hits[j]
	s := i
	for {
		k := i
		for _, x := range g.g.Hits {
			if x.Mut == h.Mut && x.Copy == h.Copy && int32(x.Site) <= s {
				k++
			}
		}
		if k == s {
			return s
		}
		s = k
	}
}

// kendall returns the parameters of the linear birth-death process of a
// rate class over [a, b] within the current step (Kendall 1948): a lineage
// started by one cell at a is extinct at b with probability alpha, and
// otherwise has a geometric size, P(N=n) = (1-beta) beta^(n-1). With
// rho(t) = integral_a^t (mu - lambda) and A = integral_a^b lambda e^rho:
// alpha = 1 - 1/(e^rho + A), beta = A/(e^rho + A). The rates are piecewise
// constant over the step's segments, so both integrals are sums of closed
// forms. lambda is the birth rate of non-mutant daughters, b(1-u).
//
// To the end of a step of several segments (a pharmacokinetic profile: 168
// a week) the law comes from the rate class's suffix maps instead
// (kendallToEnd), in time independent of the number of segments.
func (tm *Tumor) kendall(rc *rateClass, a, b float64) (alpha, beta float64) {
	if nseg := len(tm.segT) - 1; nseg > 1 && b == tm.segT[nseg] {
		return tm.kendallToEnd(rc, a)
	}
	return tm.kendallSum(rc, a, b)
}

// kendallToEnd is Kendall's law from a to the step end, read from the
// composition of Moebius maps (emission.go with nu = 0).
func (tm *Tumor) kendallToEnd(rc *rateClass, a float64) (alpha, beta float64) {
	k := tm.segIndex(a)
	if a >= tm.segT[k+1] {
		return 0, 0 // an empty interval
	}
	tm.kendallMaps(rc)
	m := rc.kendallSuf[k]
	if a > tm.segT[k] {
		m = rc.kendallSeg[k].over(tm.segT[k+1] - a).then(rc.kendallSuf[k+1])
	}
	return m.law()
}

// kendallSum is Kendall's law over [a, b] from the closed-form integrals,
// summed segment by segment.
func (tm *Tumor) kendallSum(rc *rateClass, a, b float64) (alpha, beta float64) {
	ph := &tm.phenos[rc.pheno]
	lam := ph.p.Birth * (1 - rc.u)
	rho, A := 0.0, 0.0
	// em1 is e^rho - 1 when it is known from the one segment's x (most
	// steps have one segment): fewer exponentials, the same bits
	em1, known := 0.0, false
	for k := 0; k+1 < len(tm.segT); k++ {
		lo, hi := max(tm.segT[k], a), min(tm.segT[k+1], b)
		if hi <= lo {
			continue
		}
		dt := hi - lo
		x := (ph.death[k] - lam) * dt
		if rho > 700 {
			return 1, 0
		}
		var e float64 // (e^x - 1)/x, continuous at 0
		if math.Abs(x) < 1e-5 {
			e, known = 1+x/2+x*x/6, false
		} else {
			em := math.Expm1(x)
			e, em1, known = em/x, em, rho == 0
		}
		if rho == 0 {
			A += lam * dt * e // e^0 = 1
		} else {
			A += lam * math.Exp(rho) * dt * e
		}
		rho += x
	}
	if rho > 700 {
		return 1, 0
	}
	if !known {
		em1 = math.Expm1(rho)
	}
	w := math.Exp(rho) + A
	alpha = (em1 + A) / w
	beta = A / w
	alpha = min(max(alpha, 0), 1)
	beta = min(max(beta, 0), 1)
	return alpha, beta
}

// kendallMaps computes, once per step, the rate class's segment rates and
// suffix maps of Kendall's law (the emission-free process with birth rate
// lam): the map from segT[k] to the step end is the composition of the
// segments' maps (emission.go with nu = 0). Called from the serial part of
// a step.
func (tm *Tumor) kendallMaps(rc *rateClass) {
	if rc.kendallStamp == tm.stamp {
		return
	}
	rc.kendallStamp = tm.stamp
	ph := &tm.phenos[rc.pheno]
	lam := ph.p.Birth * (1 - rc.u)
	nseg := len(tm.segT) - 1
	rc.kendallSeg = rc.kendallSeg[:0]
	for k := 0; k < nseg; k++ {
		rc.kendallSeg = append(rc.kendallSeg, newSegRates(lam, ph.death[k], 0))
	}
	rc.kendallSuf = append(rc.kendallSuf[:0], make([]mob, nseg+1)...)
	rc.kendallSuf[nseg] = mobIdentity
	for k := nseg - 1; k >= 0; k-- {
		rc.kendallSuf[k] = rc.kendallSeg[k].over(tm.segT[k+1] - tm.segT[k]).then(rc.kendallSuf[k+1])
	}
}

// sortPending orders mutant daughters by parent id, then birth time: the
// order in which they get ids, independent of how the step was sharded.
// Clones are kept in id order, shards take contiguous runs of them, and a
// clone sheds its daughters in time order (bridge sub-steps draw theirs
// sorted), so the daughters normally arrive sorted and one linear pass
// confirms it; otherwise they are radix-sorted, also in linear time.
func (tm *Tumor) sortPending(p []pending) {
	for i := 1; i < len(p); i++ {
		if pendingLess(&p[i], &p[i-1]) {
			tm.radixPending(p)
			return
		}
	}
}

func pendingLess(a, b *pending) bool {
	if a.parent != b.parent {
		return a.parent < b.parent
	}
	return a.t < b.t
}

// timeKey maps a float64 to a uint64 with the same order (negative numbers
// have all bits flipped, others the sign bit set; -0 is 0).
func timeKey(t float64) uint64 {
	if t == 0 {
		t = 0 // -0 compares equal to 0
	}
	b := math.Float64bits(t)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

type radixItem struct {
	hi, lo uint64 // parent id (offset to be non-negative), time key
	i      int32
}

// radixPending sorts p by (parent, time) with a stable least-significant-
// digit radix sort on 8-bit digits of the two keys, skipping digits that
// are the same in every item; buffers are the tumour's, reused.
func (tm *Tumor) radixPending(p []pending) {
	a := tm.radixA[:0]
	for i := range p {
		a = append(a, radixItem{hi: uint64(p[i].parent) ^ 1<<63, lo: timeKey(p[i].t), i: int32(i)})
	}
	b := append(tm.radixB[:0], a...)
	for pass := 0; pass < 16; pass++ {
		shift := uint(pass%8) * 8
		key := func(x *radixItem) uint64 {
			if pass < 8 {
				return (x.lo >> shift) & 0xff
			}
			return (x.hi >> shift) & 0xff
		}
		var count [257]int
		for i := range a {
			count[key(&a[i])+1]++
		}
		if count[key(&a[0])+1] == len(a) {
			continue // every item has this digit
		}
		for d := 1; d < 257; d++ {
			count[d] += count[d-1]
		}
		for i := range a {
			d := key(&a[i])
			b[count[d]] = a[i]
			count[d]++
		}
		a, b = b, a
	}
	tmp := append(tm.radixP[:0], p...)
	for k := range a {
		p[k] = tmp[a[k].i]
	}
	tm.radixA, tm.radixB, tm.radixP = a[:0], b[:0], tmp[:0]
}

func (tm *Tumor) aggregateMin() float64 {
	if tm.opt.AggregateMin > 0 {
		return tm.opt.AggregateMin
	}
	return 64
}

// settle adds size cells of genotype g, born at t, to its clone.
func (tm *Tumor) settle(g int32, parent int64, t float64, size int64) {
	for len(tm.rep) < len(tm.genos) {
		tm.rep = append(tm.rep, -1)
	}
	if size <= 0 {
		return
	}
	if k := tm.rep[g]; k >= 0 {
		c := &tm.clones[k]
		c.n = max(c.n, 0) + size // a clone that died in this step is revived
		return
	}
	tm.rep[g] = int32(len(tm.clones))
	tm.found(parent, g, t, size, tm.genos[g].site)
}

// found appends a new clone of n cells of genotype g, born at t: it takes
// the next id, records its ancestry, and derives its stream from the
// tumour's seed and that id.
func (tm *Tumor) found(parent int64, g int32, t float64, n int64, site int32) {
	id := tm.nextID
	tm.nextID++
	tm.ancParent = append(tm.ancParent, parent)
	tm.ancGeno = append(tm.ancGeno, g)
	tm.ancSite = append(tm.ancSite, site)
	tm.clones = append(tm.clones, clone{n: n, id: id, parent: parent, born: t, ext: math.NaN(), geno: g, rec: -1, rng: rng.Derive(tm.seed, uint64(id))})
}

// aggregate settles a parent's stream of mutant daughters over [p.t, p.e]
// choice by choice, and within a choice SNV by SNV (each free SNV of the
// entry takes an equal share of the stream). Daughters of choice j arrive as a Poisson process of
// intensity lambda_j(s) = u w_j b N(s) along the bridge N(s); a daughter
// born at s leaves X(s) cells at b, zero or geometric by Kendall's law. The
// cells at b are a compound Poisson sum with mean integral lambda_j E[X] and
// variance integral lambda_j E[X^2], E[X] = (1-alpha)/(1-beta),
// E[X^2] = (1-alpha)(1+beta)/(1-beta)^2 (Simpson's rule, 32 panels). Where
// at least AggregateMin daughters are expected the sum is drawn from the
// normal law with that mean and variance; otherwise daughter by daughter.
// The threshold applies per SNV: an entry of many SNVs is settled daughter
// by daughter until each SNV alone expects AggregateMin.
func (tm *Tumor) aggregate(p pending) {
	r := &tm.mergeRNG
	pg := &tm.genos[p.geno]
	birth := tm.phenos[pg.pheno].p.Birth
	sh := pg.sh
	dt := p.e - p.t
	ratio := float64(p.n1) / float64(p.n0)
	lr := math.Log(ratio)
	path := func(s float64) float64 { return float64(p.n0) * math.Exp(lr*s/dt) }
	integral := float64(p.n0) * dt
	if math.Abs(lr) > 1e-9 {
		integral = float64(p.n1-p.n0) * dt / lr
	}
	prev := 0.0
	for j := range sh.cum {
		w := sh.cum[j] - prev
		prev = sh.cum[j]
		rate := tm.m.MutationRate * w * birth // per cell per day
		mu := rate * integral
		// the entry's free SNVs share the stream evenly; they act alike, so
		// one child's rate class serves them all
		nfree := int(tm.nFree(pg, int32(j)))
		if tm.opt.entryKeys {
			nfree = 1 // the entry is one genotype
		}
		rc := &tm.rcs[tm.childShape(sh, int32(j)).rc] // the children's rate class
		if mu < tm.aggregateMin() {
			for k := r.Poisson(mu); k > 0; k-- {
				s := bridgeTime(r.Float64(), dt, ratio, lr)
				site := tm.pickSite(pg, int32(j), r)
				alpha, beta := tm.kendall(rc, p.t+s, p.b)
				if r.Float64() < alpha {
					continue
				}
				size := int64(1)
				if beta > 0 {
					size += r.Geometric(1 - beta)
				}
				g := tm.childGeno(p.geno, int32(j), site)
				pg = &tm.genos[p.geno]
				tm.settle(g, p.parent, p.t+s, size)
			}
			continue
		}
		const panels = 32
		var m0, m1, m2 float64
		var surv, invLnBeta [panels + 1]float64 // cumulative survivors and -1/ln beta at each node
		for i := 0; i <= panels; i++ {
			s := dt * float64(i) / panels
			wt := 2.0
			if i == 0 || i == panels {
				wt = 1
			} else if i%2 == 1 {
				wt = 4
			}
			alpha, beta := tm.kendall(rc, p.t+s, p.b)
			ex := (1 - alpha) / (1 - beta)
			ex2 := ex * (1 + beta) / (1 - beta)
			f := wt * dt / (3 * panels) * rate * path(s)
			m0 += f * (1 - alpha)
			m1 += f * ex
			m2 += f * ex2
			surv[i] = m0
			if beta > 0 {
				invLnBeta[i] = -1 / math.Log(beta)
			}
		}
		if mu/float64(nfree) < tm.aggregateMin() {
			// many daughters, but too few per SNV for the normal law
			// (SNV keys): the survivors at b are Poisson with mean
			// m0 = integral lambda_j (1 - alpha) (thinning), each on a
			// free SNV drawn uniformly, born at a Simpson node drawn by its
			// weight in m0 and 1 + Geometric(1 - beta) cells as one born
			// there (the birth-time law discretised at the 33 nodes)
			// (the geometric as floor(E / -ln beta), E standard
			// exponential; children cached by SNV for this choice)
			for len(tm.siteChild) < int(nfree) {
				tm.siteChild = append(tm.siteChild, -1)
			}
			// the first node with surv > x (or the last) is found from a
			// guide table (Chen and Asau 1974): guide[c] is the first node
			// with surv > c m0 / panels, where the search for x starts
			var guide [panels]uint8
			for c, i := 0, 0; c < panels; c++ {
				for i < panels && surv[i] <= float64(c)*m0/panels {
					i++
				}
				guide[c] = uint8(i)
			}
			for k := r.Poisson(m0); k > 0; k-- {
				x := r.Float64() * m0
				i := int(guide[min(int(x*(panels/m0)), panels-1)])
				for i < panels && surv[i] <= x {
					i++
				}
				f := int32(0)
				if nfree > 1 {
					h, _ := bits.Mul64(r.Uint64(), uint64(nfree))
					f = int32(h)
				}
				size := int64(1)
				if invLnBeta[i] > 0 {
					size += int64(min(r.Exp()*invLnBeta[i], math.MaxInt64/4))
				}
				g := tm.siteChild[f]
				if g < 0 {
					g = tm.childGeno(p.geno, int32(j), tm.freeSite(pg, int32(j), f))
					pg = &tm.genos[p.geno]
					tm.siteChild[f] = g
					tm.siteTouched = append(tm.siteTouched, f)
				}
				tm.settle(g, p.parent, p.t+dt*float64(i)/panels, size)
			}
			for _, f := range tm.siteTouched {
				tm.siteChild[f] = -1
			}
			tm.siteTouched = tm.siteTouched[:0]
			continue
		}
		m1, m2 = m1/float64(nfree), m2/float64(nfree)
		for i := range nfree {
			site := tm.freeSite(pg, int32(j), int32(i))
			size := int64(math.Round(m1 + math.Sqrt(m2)*r.Normal()))
			g := tm.childGeno(p.geno, int32(j), site)
			pg = &tm.genos[p.geno]
			tm.settle(g, p.parent, p.t, size)
		}
	}
}

// mergePending (merge mode) settles the step's mutant daughters without
// following them: each lineage is alive at t1 with probability 1 - alpha
// and then has 1 + Geometric(1 - beta) cells, by Kendall's law from its
// birth time; survivors join their genotype's clone, founding it if it has
// none. Draws come from the tumour's merge stream in the sorted order.
func (tm *Tumor) mergePending(t1 float64) {
	tm.sortPending(tm.pend)
	for len(tm.rep) < len(tm.genos) {
		tm.rep = append(tm.rep, -1)
	}
	for i := range tm.rep {
		tm.rep[i] = -1
	}
	for i := range tm.clones {
		if g := tm.clones[i].geno; tm.rep[g] < 0 {
			tm.rep[g] = int32(i)
		}
	}
	r := &tm.mergeRNG
	for _, p := range tm.pend {
		if p.agg {
			tm.aggregate(p)
			continue
		}
		// the daughter's fate first (its rate class is its shape's), so
		// that a genotype is looked up or made only for survivors
		alpha, beta := tm.kendall(&tm.rcs[tm.childShape(tm.genos[p.geno].sh, p.choice).rc], p.t, t1)
		if r.Float64() < alpha {
			continue
		}
		size := int64(1)
		if beta > 0 {
			size += r.Geometric(1 - beta)
		}
		g := tm.childGeno(p.geno, p.choice, p.site)
		for len(tm.rep) < len(tm.genos) {
			tm.rep = append(tm.rep, -1)
		}
		if k := tm.rep[g]; k >= 0 {
			c := &tm.clones[k]
			c.n = max(c.n, 0) + size // a clone that died in this step is revived
			continue
		}
		id := tm.nextID
		tm.nextID++
		tm.ancParent = append(tm.ancParent, p.parent)
		tm.ancGeno = append(tm.ancGeno, g)
		tm.ancSite = append(tm.ancSite, p.site)
		tm.rep[g] = int32(len(tm.clones))
		tm.clones = append(tm.clones, clone{n: size, id: id, parent: p.parent, born: p.t, ext: math.NaN(), geno: g, rec: -1, rng: rng.Derive(tm.seed, uint64(id))})
	}
	tm.pend = tm.pend[:0]
}

// fillDeath computes a phenotype's death rate in each segment of the
// current step.
func (tm *Tumor) fillDeath(ph *phenoInfo) {
	nd := len(tm.m.Drugs)
	ph.death = ph.death[:0]
	for k := 0; k+1 < len(tm.segT); k++ {
		ph.death = append(ph.death, ph.p.DeathAt(tm.segConc[k*nd:(k+1)*nd]))
	}
}

// segIndex is the segment holding time t of the current step.
func (tm *Tumor) segIndex(t float64) int {
	if n := len(tm.segT); n > 9 {
		// the number of inner boundaries segT[1..n-2] at or before t
		return sort.Search(n-2, func(i int) bool { return tm.segT[i+1] > t })
	}
	k := 0
	for k+2 < len(tm.segT) && tm.segT[k+1] <= t {
		k++
	}
	return k
}

// Advance moves the tumour from its clock to t1 under exposure e.
func (tm *Tumor) Advance(t1 float64, e Exposure) {
	if !(t1 > tm.t) {
		return
	}
	tm.stamp++
	// Segments: split the step wherever the exposure changes.
	tm.segT = append(tm.segT[:0], tm.t)
	tm.segConc = tm.segConc[:0]
	for t := tm.t; t < t1; {
		next := e.Conc(t, tm.conc)
		tm.segConc = append(tm.segConc, tm.conc...)
		if !(next > t) { // a broken exposure must not stall the engine
			next = t1
		}
		t = min(next, t1)
		tm.segT = append(tm.segT, t)
	}
	for i := range tm.phenos {
		tm.fillDeath(&tm.phenos[i])
	}
	// Existing clones, then mutants born during the step, generation by
	// generation, each advanced from its birth to t1.
	tm.pend = tm.pend[:0]
	if tm.shards != nil && len(tm.clones) >= tm.opt.ShardMin {
		// segment maps of every rate class with a large clone (emission.go)
		// before clones are advanced concurrently; a serial step prepares
		// them as it meets them (advanceClone), without this extra pass
		for i := range tm.clones {
			c := &tm.clones[i]
			if c.n >= tm.opt.ExactBelow {
				tm.prepare(&tm.rcs[tm.genos[c.geno].rc])
			}
		}
		tm.pend = tm.shards.run(tm, tm.clones, tm.t, t1, tm.pend)
	} else {
		for i := range tm.clones {
			tm.pend = tm.advanceClone(&tm.clones[i], tm.t, t1, tm.pend)
		}
	}
	if tm.opt.Merge {
		tm.mergePending(t1)
	}
	for len(tm.pend) > 0 {
		tm.sortPending(tm.pend)
		first := len(tm.clones)
		for _, p := range tm.pend {
			tm.found(p.parent, tm.childGeno(p.geno, p.choice, p.site), p.t, 1, p.site)
		}
		tm.pendNew = tm.pendNew[:0]
		for i := first; i < len(tm.clones); i++ {
			c := &tm.clones[i]
			tm.pendNew = tm.advanceClone(c, c.born, t1, tm.pendNew)
		}
		tm.pend, tm.pendNew = tm.pendNew, tm.pend
	}
	tm.t = t1
	// Bookkeeping: counts, records, removal of extinct clones.
	tm.lastExt = math.Inf(-1)
	tm.total = 0
	tm.counts = [model.NumClasses]int64{}
	tm.liveMark++
	live := tm.clones[:0]
	for i := range tm.clones {
		c := &tm.clones[i]
		if c.n > 0 {
			g := &tm.genos[c.geno]
			tm.total += c.n
			tm.counts[g.class] += c.n
			tm.phenos[g.pheno].live = tm.liveMark
			if c.rec >= 0 || c.n >= tm.opt.RecordAt {
				tm.checkRecord(c)
			}
			if len(live) == i {
				live = live[:i+1] // no clone removed yet: nothing to move
			} else {
				live = append(live, *c)
			}
		} else if c.rec >= 0 {
			tm.records[c.rec].Extinct = tm.extinction(c)
		}
	}
	if tm.total == 0 {
		// the tumour died out in this step (no live clone was moved over a
		// dead one): the cure is the last of the extinctions
		for i := range tm.clones {
			tm.lastExt = max(tm.lastExt, tm.extinction(&tm.clones[i]))
		}
	}
	clear(tm.clones[len(live):])
	tm.clones = live
}

func (tm *Tumor) checkRecord(c *clone) {
	if c.rec < 0 {
		if c.n < tm.opt.RecordAt {
			return
		}
		g := &tm.genos[c.geno]
		c.rec = int32(len(tm.records))
		tm.records = append(tm.records, CloneRecord{
			ID: c.id, Parent: c.parent, Mutation: g.sh.mut, Genotype: g.sh.label, Class: g.class,
			Born: c.born, Peak: c.n, PeakTime: tm.t, Extinct: math.NaN(),
		})
		return
	}
	if r := &tm.records[c.rec]; c.n > r.Peak {
		r.Peak, r.PeakTime = c.n, tm.t
	}
}

// advanceClone moves one clone from a to b (the step end), appending its
// mutant daughters to out. It reads shared state but writes only c and out,
// so clones can be advanced concurrently; the rate classes of clones of
// ExactBelow cells or more must have been prepared in the serial part of the
// step (prepare is then a read-only check).
func (tm *Tumor) advanceClone(c *clone, a, b float64, out []pending) []pending {
	slowWork() // no-op unless built with -tags p53evo_slow (bench/selftest.sh)
	if c.n <= 0 {
		return out
	}
	g := &tm.genos[c.geno]
	if c.n < tm.opt.ExactBelow {
		return tm.eventByEvent(c, g, a, out)
	}
	rc := &tm.rcs[g.rc]
	tm.prepare(rc)
	if planted {
		return tm.advancePlanted(c, g, rc, a, b, out)
	}
	t, n := a, c.n
	for {
		if n == 1 && tm.opt.BridgeMinCells > 1 {
			var done bool
			if t, n, done, out = tm.oneLineage(c, g, rc, t, b, out); done {
				return out
			}
			continue
		}
		// the no-emission law from t to the step end
		var lnNo, alpha, beta, lnBeta float64
		if t == tm.t {
			lnNo, alpha, beta, lnBeta = rc.lnNoEmit, rc.alphaT, rc.betaT, rc.lnBetaT
		} else {
			end := tm.toEnd(rc, t)
			lnNo = math.Log(end.noEmit())
			alpha, beta = end.law()
		}
		if g.u > 0 && n >= tm.opt.BridgeMinCells && (tm.opt.BridgeAbove < 0 || -float64(n)*lnNo >= tm.opt.BridgeAbove) {
			t, n, out = tm.bridgeStep(c, g, rc, t, b, n, out)
			if n == 0 || t >= b {
				c.n = n
				return out
			}
			continue
		}
		if g.u > 0 {
			// the next mutant daughter comes before b iff E < -n lnNo
			if target := -c.rng.Exp() / float64(n); target > lnNo {
				tau, m := tm.nextEmission(rc, t, target)
				if tau < b {
					al, be := m.law()
					// cells at tau: n-1 lineages that shed nothing, and the
					// dividing one, size-biased: 1 + NegBin(2, 1-beta)
					k := c.rng.Binomial(n-1, 1-al)
					if k > 0 && be > 0 {
						k += c.rng.NegBin(k, 1-be)
					}
					k++
					if be > 0 {
						k += c.rng.NegBin(2, 1-be)
					}
					out = append(out, tm.daughter(c, g, tau))
					t, n = tau, k
					continue
				}
			}
		}
		// no further mutant before b: the size at b given none
		k := sizeGivenNone(&c.rng, n, alpha, beta, lnBeta)
		if k == 0 {
			// died out after t: when is drawn only if asked (extinction)
			c.n, c.ext = -n, t
			return out
		}
		c.n = k
		return out
	}
}

// Bounds of sizeGivenNone's direct methods, chosen with BenchmarkLesion:
// up to smallTrials lineages are tried one by one, up to smallGeoms
// geometric sizes are summed.
const (
	smallTrials = 20
	smallGeoms  = 12
)

// sizeGivenNone draws the cells of n lineages after an interval in which
// they shed no mutant: K ~ Binomial(n, 1-alpha) survive, with K +
// NegBin(K, 1-beta) cells (the sum of K geometric sizes); lnBeta is ln beta
// if known, else 0. Small n and K are
// drawn directly, since the general samplers' set-up dominates there: each
// lineage survives when the top 53 bits of one Uint64 fall below
// (1-alpha) 2^53 (exactly Float64() < 1-alpha), and each survivor's extra
// cells are floor(E / -ln beta), E standard exponential, with one
// logarithm for all of them.
func sizeGivenNone(r *rng.Stream, n int64, alpha, beta, lnBeta float64) int64 {
	var k int64
	if n <= smallTrials {
		p := 1 - alpha
		if p >= 1 {
			k = n
		} else {
			thr := uint64(math.Ceil(p * 0x1p53))
			for i := int64(0); i < n; i++ {
				if r.Uint64()>>11 < thr {
					k++
				}
			}
		}
	} else {
		k = r.Binomial(n, 1-alpha)
	}
	if k == 0 || !(beta > 0) {
		return k
	}
	if k > smallGeoms || beta >= 1 {
		return k + r.NegBin(k, 1-beta)
	}
	if lnBeta == 0 {
		lnBeta = math.Log(beta)
	}
	inv := -1 / lnBeta
	sum := k
	for i := int64(0); i < k; i++ {
		sum += int64(r.Exp() * inv)
	}
	return sum
}

// oneLineage moves a clone of one cell from t towards the step end b with a
// single uniform u, read against the no-emission map F of [t, b]: the
// lineage sheds no mutant and is extinct at b with probability F(0), sheds
// none and is alive with probability F(1) - F(0), and otherwise sheds its
// first mutant at the time tau where F_[t,tau](1) = u (the exact mode's
// inversion with n = 1 and E = -ln u). Alive, its size is 1 + Geometric with
// ratio beta = -r/s, inverted from the same uniform rescaled to (0, 1]; it
// costs no logarithm when the size is 1. After an emission the clone holds
// the dividing lineage, size-biased: 1 + NegBin(2, 1-beta) cells at tau, and
// done is false; otherwise c.n is set and done is true.
func (tm *Tumor) oneLineage(c *clone, g *genoInfo, rc *rateClass, t, b float64, out []pending) (float64, int64, bool, []pending) {
	// the map from t to the step end: at the step start the rate class's
	// (prepare), later (a newborn) composed here
	var noEmit, ext, beta, lnBeta float64
	if t == tm.t {
		noEmit, ext, beta, lnBeta = rc.noEmitT, rc.extT, rc.betaT, rc.lnBetaT
	} else {
		m := tm.toEnd(rc, t)
		noEmit, ext, beta = m.noEmit(), m.zero(), min(max(-m.r, 0), 1)
	}
	z1 := 1.0
	if g.u > 0 {
		z1 = min(noEmit, 1)
	}
	z0 := min(max(ext, 0), z1)
	u := c.rng.Float64()
	if u >= z1 {
		tau, mt := tm.nextEmission(rc, t, math.Log(u))
		if tau < b {
			_, be := mt.law()
			k := int64(1)
			if be > 0 {
				k += c.rng.NegBin(2, 1-be)
			}
			out = append(out, tm.daughter(c, g, tau))
			return tau, k, false, out
		}
		// rounding put the emission at or past b (|u - F(1)| of an ulp):
		// the lineage shed none, and its fate given that needs a new uniform
		u = c.rng.Float64() * z1
	}
	if u < z0 {
		c.n, c.ext = -1, t // extinct; the time is drawn only if asked
		return b, 0, true, out
	}
	k := int64(1)
	if w := (z1 - u) / (z1 - z0); w <= beta && beta > 0 {
		// P(size - 1 >= j) = beta^j = P(w <= beta^j)
		if lnBeta == 0 {
			lnBeta = math.Log(beta)
		}
		x := math.Log(w) / lnBeta
		if x >= math.MaxInt64/2 {
			x = math.MaxInt64 / 2
		}
		k += int64(x)
	}
	c.n = k
	return b, k, true, out
}

// extinction draws, for a clone that died out in the current step, when it
// did: advanceClone leaves c.n = -n0 and c.ext = t0 (n0 cells at t0 that shed
// no mutant afterwards) and the time is inverted from the clone's own stream
// only when someone asks (records, the tumour's last extinction), since most
// clones that die are newborns nobody looks at again.
func (tm *Tumor) extinction(c *clone) float64 {
	if c.n < 0 {
		rc := &tm.rcs[tm.genos[c.geno].rc]
		n, t := -c.n, c.ext
		c.n = 0
		c.ext = tm.extinctAt(rc, n, t, tm.toEnd(rc, t), c.rng.Open01())
	}
	return c.ext
}

// bridgeStep moves a large clone of n cells one sub-step from t: to the end
// of t's exposure segment (or b), shortened so that the clone's expected
// size changes at most e^0.5-fold and (lambda+mu) h <= n/100, which keeps
// the relative variance of its size over the sub-step below about 1.3%. The
// size at the sub-step's end is exact (Kendall's law with the non-mutant
// birth rate); the mutant daughters are Poisson with mean nu times the
// integral of the exponential bridge between the two sizes, and their birth
// times follow it. It returns the new time and size.
func (tm *Tumor) bridgeStep(c *clone, g *genoInfo, rc *rateClass, t, b float64, n int64, out []pending) (float64, int64, []pending) {
	k := tm.segIndex(t)
	sr := &rc.seg[k]
	hi := min(tm.segT[k+1], b)
	h := hi - t
	if r := math.Abs(sr.lam - sr.mu); r > 0 {
		h = min(h, 0.5/r)
	}
	if tot := sr.lam + sr.mu; tot > 0 {
		h = min(h, 0.01*float64(n)/tot)
	}
	t1 := t + h
	if hi-t1 <= 1e-12*(1+math.Abs(hi)) {
		t1, h = hi, hi-t
	}
	kd := newSegRates(sr.lam, sr.mu, 0) // Kendall's law: no emission term
	alpha, beta := kd.over(h).law()
	n1 := c.rng.Binomial(n, 1-alpha)
	if n1 > 0 && beta > 0 {
		n1 += c.rng.NegBin(n1, 1-beta)
	}
	span := h
	ratio := float64(n1) / float64(n)
	lr := math.Log(ratio)
	var integral float64
	switch {
	case n1 == 0:
		// practically unreachable (see Options.BridgeMinCells): the exact
		// extinction time, and a linear decline to it
		y := alpha * math.Pow(c.rng.Open01(), 1/float64(n))
		span = min(max(kd.hitZero(y), 0), h)
		c.ext = t + span
		integral = float64(n) * span / 2
	case math.Abs(lr) > 1e-9:
		integral = float64(n1-n) * h / lr
	default:
		integral = float64(n) * h
	}
	mean := g.u * tm.phenos[g.pheno].p.Birth * integral
	if tm.opt.Merge && n1 > 0 && mean >= tm.aggregateMin() {
		// settled in the serial part, choice by choice (mergePending)
		out = append(out, pending{parent: c.id, t: t, geno: c.geno, agg: true, e: t1, b: b, n0: n, n1: n1})
		return t1, n1, out
	}
	j := c.rng.Poisson(mean)
	if j == 0 {
		return t1, n1, out
	}
	// j uniforms in increasing order, as the partial sums of j+1 standard
	// exponentials over their total (Devroye 1986, sec. V.2), so that the
	// daughters come out sorted by birth time; the sums are kept in the
	// daughters' time fields until the total is known
	first := len(out)
	sum := 0.0
	for ; j > 0; j-- {
		sum += c.rng.Exp()
		out = append(out, tm.daughter(c, g, sum))
	}
	inv := 1 / (sum + c.rng.Exp())
	for i := first; i < len(out); i++ {
		x := out[i].t * inv
		var s float64
		if n1 == 0 { // density proportional to the linear decline
			s = span * (1 - math.Sqrt(1-x))
		} else {
			s = bridgeTime(x, h, ratio, lr)
		}
		out[i].t = t + s
	}
	return t1, n1, out
}

// bridgeTime turns a uniform x into a birth time in [0, dt] along the
// exponential bridge from n0 to n1 = ratio x n0 cells (lr = ln ratio): the
// inverse of the CDF ((n1/n0)^(s/dt) - 1)/(n1/n0 - 1), uniform when the
// clone did not change size.
func bridgeTime(x, dt, ratio, lr float64) float64 {
	if ratio == 1 {
		return x * dt
	}
	return dt * math.Log1p(x*(ratio-1)) / lr
}

// pick draws which mutation a mutant daughter of genotype g carries: the
// choice (catalog entry and copy) by its weight, then the SNV uniformly
// among the entry's SNVs not yet carried on that copy.
func (tm *Tumor) pick(g *genoInfo, r *rng.Stream) (choice, site int32) {
	cum := g.sh.cum
	x := r.Float64() * cum[len(cum)-1]
	j, _ := slices.BinarySearch(cum, x)
	if j >= len(cum) {
		j = len(cum) - 1
	}
	for j+1 < len(cum) && cum[j] <= x {
		j++
	}
	return int32(j), tm.pickSite(g, int32(j), r)
}

// pickSite draws the SNV of choice j uniformly among those still free (with
// entry keys, among all of the entry's: daughter then draws a lineage's).
func (tm *Tumor) pickSite(g *genoInfo, j int32, r *rng.Stream) int32 {
	if !tm.opt.entryKeys && g.sh.carried[j] {
		nf := tm.nFree(g, j)
		if nf <= 1 {
			return tm.freeSite(g, j, 0)
		}
		hi, _ := bits.Mul64(r.Uint64(), uint64(nf))
		return tm.freeSite(g, j, int32(hi))
	}
	n := g.sh.snvs[j]
	if n <= 1 {
		return 0
	}
	hi, _ := bits.Mul64(r.Uint64(), uint64(n))
	return int32(hi)
}

// daughter is a mutant daughter of clone c (genotype g) born at t, its
// mutation drawn from the clone's stream.
func (tm *Tumor) daughter(c *clone, g *genoInfo, t float64) pending {
	j, site := tm.pick(g, &c.rng)
	if tm.opt.entryKeys && g.sh.carried[j] {
		site = tm.lineageSite(c.id, g, j, &c.rng)
	}
	return pending{parent: c.id, t: t, geno: c.geno, choice: j, site: site}
}

// lineageSite draws the SNV of choice j for a daughter of clone id whose
// entry-keyed genotype already carries the entry on that copy (freeSNV).
// It reads the ancestry, which grows only in the serial part of a step.
func (tm *Tumor) lineageSite(id int64, g *genoInfo, j int32, r *rng.Stream) int32 {
	return freeSNV(r, uint64(g.sh.snvs[j]), g.sh.hits[j], id, tm.ancestor)
}

// ancestor is clone a's parent, the hits of its genotype and the SNV of its
// founding mutation (freeSNV's view of the ancestry).
func (tm *Tumor) ancestor(a int64) (parent int64, hits []model.Hit, site int32) {
	return tm.ancParent[a], tm.genos[tm.ancGeno[a]].g.Hits, tm.ancSite[a]
}

// freeSNV draws, for a daughter of clone a carrying mutation hit, one of
// the n SNVs of hit's entry uniformly among those that no clone on a's
// ancestry (a included) founded on the same copy: by rejection, as such
// daughters are of order u^2. ancestor gives a clone's parent (-1 above
// the founder), its genotype's hits (the newest last) and its founding SNV.
// The well-mixed engine's lineages and the lattice's clones share it.
func freeSNV(r *rng.Stream, n uint64, hit model.Hit, a int64, ancestor func(int64) (int64, []model.Hit, int32)) int32 {
	for {
		hi, _ := bits.Mul64(r.Uint64(), n)
		site, taken := int32(hi), false
		for b := a; b >= 0 && !taken; {
			parent, hs, s := ancestor(b)
			k := len(hs)
			taken = k > 0 && hs[k-1].Mut == hit.Mut && hs[k-1].Copy == hit.Copy && s == site
			b = parent
		}
		if !taken {
			return site
		}
	}
}

// eventByEvent simulates a small clone one birth or death at a time (the
// Gillespie direct method for a single clone, which is exact because clones
// do not interact), from a to the step end. A division yields a mutant
// daughter with probability u: the parent stays, the daughter founds a clone.
func (tm *Tumor) eventByEvent(c *clone, g *genoInfo, a float64, out []pending) []pending {
	ph := &tm.phenos[g.pheno]
	birth := ph.p.Birth
	bu := birth * g.u
	n := c.n
	t := a
	k := tm.segIndex(a)
	nseg := len(tm.segT) - 1
	for n > 0 {
		tot := birth + ph.death[k]
		end := tm.segT[k+1]
		if tot > 0 {
			t += c.rng.Exp() / (tot * float64(n))
		} else {
			t = end
		}
		if t >= end {
			t = end
			k++
			if k >= nseg {
				break
			}
			continue
		}
		v := c.rng.Float64() * tot
		if v < bu { // a division that yields a mutant daughter (rare)
			out = append(out, tm.daughter(c, g, t))
			continue
		}
		// a birth or a death, written without a branch on the outcome
		// (which is close to a coin flip, so a branch mispredicts often)
		d := int64(1)
		if v >= birth {
			d = -1
		}
		n += d
	}
	if n == 0 {
		c.ext = t
	}
	c.n = n
	return out
}
