package sim

import (
	"math"
	"slices"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim/rng"
)

// chiSquareOK compares counts with probabilities (bins with expected count
// below 5 are pooled with the next) and reports the statistic, the degrees
// of freedom and whether the statistic is below df + 6 sqrt(2 df), a bound a
// correct sampler exceeds with probability well under 1e-6.
func chiSquareOK(probs []float64, counts []int, n int) (float64, int, bool) {
	var stat, e float64
	var o, df int
	for i := range probs {
		e += probs[i] * float64(n)
		o += counts[i]
		if e >= 5 || i == len(probs)-1 {
			stat += (float64(o) - e) * (float64(o) - e) / max(e, 1e-300)
			df++
			e, o = 0, 0
		}
	}
	df--
	return stat, df, stat < float64(df)+6*math.Sqrt(2*float64(df))
}

// sumLaw is the law of the cells of n lineages, each 0 with probability
// alpha and otherwise geometric on 1, 2, ... with ratio beta, up to kmax
// (the last entry is the tail).
func sumLaw(n int, alpha, beta float64, kmax int) []float64 {
	one := make([]float64, kmax+1)
	one[0] = alpha
	for k := 1; k <= kmax; k++ {
		one[k] = (1 - alpha) * (1 - beta) * math.Pow(beta, float64(k-1))
	}
	law := make([]float64, kmax+1)
	law[0] = 1
	for range n {
		next := make([]float64, kmax+1)
		for i, p := range law {
			for j := 0; i+j <= kmax; j++ {
				next[i+j] += p * one[j]
			}
		}
		law = next
	}
	tail := 1.0
	for _, p := range law[:kmax] {
		tail -= p
	}
	law[kmax] = max(tail, 0)
	return law
}

// sizeGivenNone must draw the law of a sum of n zero-or-geometric lineages
// on both sides of its switches between direct draws and the general
// samplers (smallTrials lineages, smallGeoms survivors).
func TestSizeGivenNoneLaw(t *testing.T) {
	r := rng.New(7, 1)
	for _, c := range []struct {
		n           int64
		alpha, beta float64
	}{
		{1, 0.45, 0.5}, {2, 0.45, 0.5}, {7, 0.3, 0.2}, {smallTrials, 0.45, 0.5}, {smallTrials + 1, 0.45, 0.5},
		{smallTrials, 0.05, 0.6}, {40, 0.6, 0.4}, {80, 0.45, 0.5}, {12, 0, 0.3}, {9, 0.5, 0},
	} {
		const draws = 200000
		kmax := int(3*float64(c.n)*(1-c.alpha)/(1-c.beta)) + 40
		law := sumLaw(int(c.n), c.alpha, c.beta, kmax)
		counts := make([]int, kmax+1)
		lnBeta := 0.0
		if c.beta > 0 {
			lnBeta = math.Log(c.beta)
		}
		for i := range draws {
			lb := lnBeta
			if i%2 == 1 {
				lb = 0 // both with and without the cached logarithm
			}
			k := sizeGivenNone(&r, c.n, c.alpha, c.beta, lb)
			counts[min(int(k), kmax)]++
		}
		if stat, df, ok := chiSquareOK(law, counts, draws); !ok {
			t.Errorf("n=%d alpha=%g beta=%g: chi-square %.1f on %d df", c.n, c.alpha, c.beta, stat, df)
		}
	}
}

// A clone of one cell born inside a step (oneLineage): extinct at the step
// end without a mutant with probability F(0), alive with k cells and no
// mutant with the geometric law of F, a first mutant with probability
// 1 - F(1), at the time the map inverts to, where F is the no-emission map
// from its birth to the step end across a change of exposure.
func TestOneLineageLaw(t *testing.T) {
	m := model.Model{Birth: 1, Death: 0.5, MutationRate: 0.02, Alleles: model.Alleles{Copies: 1, Dominance: 1},
		Catalog: []model.Mutation{{Name: "R", Class: model.TALoss, Sites: 1}},
		Drugs:   []model.Drug{{Name: "x", Target: model.OffAxis, Emax: 2, EC50: 1, Hill: 1}}}
	tm := NewTumor(&m, Options{ExactBelow: 1})
	tm.Reset(1, 1, 0)
	e := Piecewise{Start: []float64{3}, C: [][]float64{{1}}}
	tm.stamp++
	tm.segT = append(tm.segT[:0], 0)
	tm.segConc = tm.segConc[:0]
	for s := 0.0; s < 7; {
		next := e.Conc(s, tm.conc)
		tm.segConc = append(tm.segConc, tm.conc...)
		s = min(next, 7)
		tm.segT = append(tm.segT, s)
	}
	for i := range tm.phenos {
		tm.fillDeath(&tm.phenos[i])
	}
	g := &tm.genos[0]
	rc := &tm.rcs[g.rc]
	tm.prepare(rc)
	const born = 1.5
	f := tm.toEnd(rc, born)
	z1, z0 := f.noEmit(), f.zero()
	beta := -f.r
	const kmax = 40
	probs := make([]float64, kmax+2) // 0..kmax-1 cells without a mutant, the tail, a mutant
	probs[0] = z0
	tail := z1 - z0
	for k := 1; k < kmax; k++ {
		probs[k] = (z1 - z0) * (1 - beta) * math.Pow(beta, float64(k-1))
		tail -= probs[k]
	}
	probs[kmax] = tail
	probs[kmax+1] = 1 - z1
	counts := make([]int, kmax+2)
	const draws = 200000
	var out []pending
	var taus []float64
	for i := range draws {
		c := clone{n: 1, id: 1, born: born, rng: rng.New(11, uint64(i))}
		out = out[:0]
		tau, _, done, o := tm.oneLineage(&c, g, rc, born, 7, out)
		out = o
		switch {
		case !done:
			if len(out) != 1 || out[0].t != tau || !(tau > born && tau < 7) {
				t.Fatalf("emission at %g, pending %v", tau, out)
			}
			taus = append(taus, tau)
			counts[kmax+1]++
		case c.n < 0:
			counts[0]++
		default:
			counts[min(int(c.n), kmax)]++
		}
	}
	if stat, df, ok := chiSquareOK(probs, counts, draws); !ok {
		t.Errorf("fate of a newborn: chi-square %.1f on %d df (counts %v)", stat, df, counts[:5])
	}
	// the first mutant's time: P(tau <= s | tau < 7) = (1 - F_[born,s](1)) / (1 - F(1))
	slices.Sort(taus)
	var d float64
	for i, s := range taus {
		want := (1 - tm.toEndFrom(rc, born, s)) / (1 - z1)
		d = max(d, math.Abs(want-float64(i+1)/float64(len(taus))), math.Abs(want-float64(i)/float64(len(taus))))
	}
	if lim := 2.0 / math.Sqrt(float64(len(taus))); d > lim {
		t.Errorf("law of the first mutant's time: KS distance %.4f > %.4f (%d mutants)", d, lim, len(taus))
	}
}

// toEndFrom is P(no mutant over [a, s]) for one lineage, by composing the
// segment maps (test helper).
func (tm *Tumor) toEndFrom(rc *rateClass, a, s float64) float64 {
	g := mobIdentity
	for k := 0; k+1 < len(tm.segT); k++ {
		lo, hi := max(a, tm.segT[k]), min(s, tm.segT[k+1])
		if hi > lo {
			g = g.then(rc.seg[k].over(hi - lo))
		}
	}
	return g.noEmit()
}

// The radix sort orders daughters like a stable comparison sort on
// (parent, birth time), negative times and ties included, and sortPending
// leaves sorted input alone.
func TestRadixPending(t *testing.T) {
	r := rng.New(3, 3)
	tm := &Tumor{}
	for _, n := range []int{2, 7, 300, 5000} {
		p := make([]pending, n)
		for i := range p {
			p[i] = pending{parent: int64(r.Uint64() % 40), t: math.Round((r.Float64()-0.3)*50) / 4, choice: int32(i)}
			if i%10 == 0 {
				p[i].parent = int64(r.Uint64() % (1 << 40))
			}
		}
		want := slices.Clone(p)
		slices.SortStableFunc(want, func(a, b pending) int {
			if pendingLess(&a, &b) {
				return -1
			}
			if pendingLess(&b, &a) {
				return 1
			}
			return 0
		})
		tm.sortPending(p)
		if !slices.Equal(p, want) {
			t.Fatalf("n=%d: radix order differs from the stable sort", n)
		}
		tm.sortPending(p)
		if !slices.Equal(p, want) {
			t.Fatalf("n=%d: sorting sorted input changed it", n)
		}
	}
}

// Merged clones are keyed by SNV when blood draws are on and by catalog
// entry when they are off (nothing then reads SNVs apart).
func TestMergeKeys(t *testing.T) {
	for _, draws := range []bool{false, true} {
		m := model.Default()
		m.MutationRate = 1e-7
		cfg := Config{Model: m, Detect: 1e6, Seed: 2, StopAtDetection: true}
		cfg.Engine.Merge = true
		if !draws {
			cfg.CTDNA.Every = -1
		}
		cfg.Defaults()
		rp := NewReplicator(&cfg)
		var res Result
		if err := rp.Run(0, &res); err != nil {
			t.Fatal(err)
		}
		sites := 0
		for _, g := range rp.tm.genos {
			for _, h := range g.g.Hits {
				if h.Site > 0 {
					sites++
				}
			}
		}
		if draws != (sites > 0) {
			t.Errorf("draws %v: %d hits name an SNV beyond the first of %d genotypes", draws, sites, len(rp.tm.genos))
		}
		rp.Close()
	}
}

// The genotype tables survive a reset while small (no allocation once a
// worker has met its genotypes) and restart from the founder's past
// genoKeep, with the founder's children forgotten; the shapes (fewer than
// genoKeep here) are kept, without their genotypes.
func TestGenotypeTableBounded(t *testing.T) {
	m := model.Default()
	tm := NewTumor(&m, Options{ExactBelow: 1, Merge: true}) // SNV keys
	tm.Reset(1, 1, 0)
	// first-order genotypes, each with a child per choice
	for j := int32(0); len(tm.genos) <= genoKeep; j++ {
		for site := range tm.genos[0].sh.snvs[j] {
			g := tm.childGeno(0, j, site)
			for k := range int32(len(tm.genos[g].sh.cum)) {
				tm.childGeno(g, k, 0)
			}
		}
	}
	shapes := len(tm.shapes)
	if shapes > genoKeep || shapes < 2 {
		t.Fatalf("%d shapes: the test wants between 2 and %d", shapes, genoKeep)
	}
	tm.Reset(2, 1, 0)
	if len(tm.genos) != 1 || len(tm.shapes) != shapes || len(tm.snvChild) != 0 || len(tm.hitSlab) != 0 {
		t.Fatalf("after a reset past %d genotypes: %d genotypes, %d shapes (had %d), %d SNV children, %d hits in the slab", genoKeep, len(tm.genos), len(tm.shapes), shapes, len(tm.snvChild), len(tm.hitSlab))
	}
	for i, sh := range tm.shapes[1:] {
		if sh.geno != -1 {
			t.Fatalf("shape %d keeps genotype %d after the restart", i+1, sh.geno)
		}
	}
	c := tm.childGeno(0, 0, 0)
	if c != 1 || len(tm.genos[c].g.Hits) != 1 || tm.genos[c].sh != tm.shapes[tm.shapes[0].child[0]] || len(tm.shapes) != shapes {
		t.Errorf("first child after the restart: id %d, hits %v, %d shapes (had %d)", c, tm.genos[c].g.Hits, len(tm.shapes), shapes)
	}
	// a second child's hits do not overwrite the first's in the slab
	d := tm.childGeno(c, 0, 1)
	if h := tm.genos[c].g.Hits; len(h) != 1 || h[0] != tm.genos[d].g.Hits[0] || len(tm.genos[d].g.Hits) != 2 {
		t.Errorf("child %v and grandchild %v", h, tm.genos[d].g.Hits)
	}
	n := len(tm.genos)
	tm.Reset(3, 1, 0)
	if len(tm.genos) != n {
		t.Errorf("a small table was not kept: %d genotypes, had %d", len(tm.genos), n)
	}
}

// SNV genotypes of one shape share its tables: the SNVs of an entry give
// as many genotypes as SNVs but one shape, the same phenotype and choices,
// and a genotype costs the guard one clone, a shape GenotypeWeight.
func TestSNVGenotypesShareShape(t *testing.T) {
	m := model.Default()
	tm := NewTumor(&m, Options{ExactBelow: 1, Merge: true}) // SNV keys
	tm.Reset(1, 1, 0)
	j := int32(-1)
	for k, n := range tm.genos[0].sh.snvs {
		if n >= 10 {
			j = int32(k)
			break
		}
	}
	if j < 0 {
		t.Fatal("no entry of 10 or more SNVs in the default catalog")
	}
	n := tm.genos[0].sh.snvs[j]
	var first *shapeInfo
	for site := range n {
		g := &tm.genos[tm.childGeno(0, j, site)]
		if first == nil {
			first = g.sh
		}
		if g.sh != first || g.site != site || g.g.Hits[0].Site != int(site) {
			t.Fatalf("SNV %d: shape %p (first %p), site %d, hits %v", site, g.sh, first, g.site, g.g.Hits)
		}
	}
	if len(tm.genos) != 1+int(n) || len(tm.shapes) != 2 {
		t.Errorf("%d SNVs of one entry: %d genotypes and %d shapes, want %d and 2", n, len(tm.genos), len(tm.shapes), 1+n)
	}
	if c := tm.genotypeCost(); c != 2*GenotypeWeight+1+int(n) {
		t.Errorf("genotype cost %d, want %d", c, 2*GenotypeWeight+1+int(n))
	}
	// a second hit of the same entry on the same copy takes a free SNV:
	// from the genotype carrying SNV 3, the free SNVs are 0-2 and 4..n-1
	g3 := tm.childGeno(0, j, 3)
	gi := &tm.genos[g3]
	if !gi.sh.carried[j] || tm.nFree(gi, j) != n-1 {
		t.Fatalf("carried %v, free %d, want true and %d", gi.sh.carried[j], tm.nFree(gi, j), n-1)
	}
	for i := range n - 1 {
		want := i
		if i >= 3 {
			want = i + 1
		}
		if s := tm.freeSite(gi, j, i); s != want {
			t.Errorf("free SNV %d: %d, want %d", i, s, want)
		}
	}
}

// With one clone per lineage a clone's SNV lives in its ancestry; a second
// hit of the same entry on the same copy takes an SNV its ancestors did
// not found, and blood draws and CountSNV read the ancestry's SNVs.
func TestLineageSites(t *testing.T) {
	m := model.Model{Birth: 1, Death: 0.5, MutationRate: 1e-3, Alleles: model.Alleles{Copies: 1, Dominance: 1},
		Catalog: []model.Mutation{{Name: "A", Class: model.TALoss, Sites: 2}}}
	tm := NewTumor(&m, Options{ExactBelow: 1})
	tm.Reset(1, 10, 0)
	g1 := tm.childGeno(0, 0, 1)
	tm.found(0, g1, 0, 5, 1) // a clone carrying A#2
	c := &tm.clones[1]
	g := &tm.genos[g1]
	if len(g.sh.cum) != 1 || !g.sh.carried[0] {
		t.Fatalf("genotype A: choices %v, carried %v", g.sh.hits, g.sh.carried)
	}
	for range 200 {
		if d := tm.daughter(c, g, 1); d.site != 0 {
			t.Fatalf("second hit of A in a lineage carrying A#2 drew SNV %d", d.site+1)
		}
	}
	if n := tm.CountSNV(0, 1); n != 5 {
		t.Errorf("cells carrying A#2: %d, want 5", n)
	}
	if n := tm.CountSNV(0, 0); n != 0 {
		t.Errorf("cells carrying A#1: %d, want 0", n)
	}
}

// A tumour made after another was closed takes over its buffers, with
// whatever they held, and gives the same results as one made afresh.
func TestClosedBuffersReused(t *testing.T) {
	m := model.Default()
	m.MutationRate = 1e-7
	run := func(tm *Tumor) ([]GenotypeCount, []CloneRecord, int64) {
		tm.Reset(9, 1e5, 0)
		for i := 1; i <= 20; i++ {
			tm.Advance(float64(7*i), Constant{C: []float64{2000, 0, 0}})
		}
		return tm.GenotypeCounts(nil), slices.Clone(tm.Records()), tm.Born()
	}
	for spareBuffers.get() != nil { // start from no spare buffers
	}
	opt := Options{ExactBelow: 1, Merge: true, RecordAt: 100}
	fresh := NewTumor(&m, opt)
	wantG, wantR, wantB := run(fresh)
	dirty := NewTumor(&m, opt)
	run(dirty) // fills its buffers
	fresh.Close()
	dirty.Close()
	again := NewTumor(&m, opt)
	if cap(again.clones) == 0 || cap(again.genos) == 0 {
		t.Fatalf("no buffers taken over: clones cap %d, genotypes cap %d", cap(again.clones), cap(again.genos))
	}
	// a tumour that founded more than spareMaxLen clones keeps its buffers
	// to itself (they go to the collector)
	big := NewTumor(&m, opt)
	big.Reset(1, 1, 0)
	big.ancParent = make([]int64, 0, spareMaxLen+1)
	big.Close()
	if b := spareBuffers.get(); b != nil {
		t.Fatalf("the buffers of a tumour of %d clone ids were kept", cap(b.ancParent))
	}
	gotG, gotR, gotB := run(again)
	if !slices.Equal(gotG, wantG) || !slices.EqualFunc(gotR, wantR, func(a, b CloneRecord) bool {
		return a == b || a.ID == b.ID && a.Peak == b.Peak && a.Extinct != a.Extinct && b.Extinct != b.Extinct
	}) || gotB != wantB {
		t.Errorf("reused buffers: %d genotypes, %d records, %d born; afresh %d, %d, %d", len(gotG), len(gotR), gotB, len(wantG), len(wantR), wantB)
	}
	again.Close()
}

// With SNV keys the genotype counts of a replicate (several genotypes per
// label) come in the same order whatever the worker ran before it, though
// the genotype tables it keeps across replicates number them differently.
func TestGenotypeCountsOrderSNVKeys(t *testing.T) {
	m := model.Default()
	m.MutationRate = 1e-7
	cfg := Config{Model: m, Detect: 1e6, Seed: 5, StopAtDetection: true}
	cfg.Engine.Merge = true // with blood draws: SNV keys
	cfg.Defaults()
	var after, alone Result
	rp := NewReplicator(&cfg)
	defer rp.Close()
	for rep := range 3 {
		if err := rp.Run(rep, &after); err != nil {
			t.Fatal(err)
		}
	}
	rp2 := NewReplicator(&cfg)
	defer rp2.Close()
	if err := rp2.Run(2, &alone); err != nil {
		t.Fatal(err)
	}
	dup := 0
	for i := 1; i < len(alone.Genotypes); i++ {
		if alone.Genotypes[i].Genotype == alone.Genotypes[i-1].Genotype {
			dup++
		}
	}
	if dup < 10 {
		t.Fatalf("only %d repeated labels among %d genotypes: the test needs more", dup, len(alone.Genotypes))
	}
	if !slices.Equal(after.Genotypes, alone.Genotypes) {
		t.Errorf("genotype counts depend on the replicates run before: %d rows after others, %d alone", len(after.Genotypes), len(alone.Genotypes))
	}
}
