package sim

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim/rng"
)

// Defaults fills zero fields of a CTDNAConfig.
func (c *CTDNAConfig) Defaults() {
	def := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	def(&c.Every, 28)
	def(&c.Shed, 1.4e-4)
	def(&c.HalfLife, 30)
	def(&c.NormalGE, 2.25e6)
	def(&c.LOD, 0.001)
	def(&c.RecordMinVAF, 1e-4)
	if c.Depth == 0 {
		c.Depth = 2000
	}
	if c.MinAlt == 0 {
		c.MinAlt = 5
	}
}

type drawBuffers struct {
	acc     []float64 // deaths per day of cells carrying each clone's founding mutation
	mark    []bool
	touched []touchedClone
	death   []float64
	ids     []int64   // the clones tallied
	w       []float64 // per clone tallied: its weight
}

// touchedClone is a clone whose founding mutation a tally met, with that
// mutation (read once, when the clone is first met).
type touchedClone struct {
	id        int64
	mut, site int32
	class     model.Class
}

// lineages is what a blood draw (or a biopsy) reads of a tumour: the
// ancestry of its clones and the deaths per day of the live ones. The
// well-mixed Tumor, the Lattice and the Demes provide it, so the plasma
// model is one piece of code whatever the space.
type lineages interface {
	// founded is the number of clones founded: ids run from 0 to
	// founded()-1, a parent's id below its daughters'.
	founded() int64
	// founding returns clone id's parent (-1 for the founder) and the
	// mutation that founded it: catalog entry, SNV within the entry and
	// resistance class (model.Sensitive for the founder and for a
	// mutation that alone confers no resistance: the tally skips them).
	founding(id int64) (parent int64, mut, site int32, class model.Class)
	// deaths fills b.ids and b.w with every live clone's id and its
	// deaths per day under concentrations conc (its cells times its
	// phenotype's death rate there); b.death is free scratch.
	deaths(conc []float64, b *drawBuffers)
}

// snvTally sums, SNV by SNV, the deaths per day of the cells carrying each
// resistance SNV, over one tumour (a single lesion) or several (a
// patient's lesions): an SNV that arose in several lineages, or in several
// lesions, is one variant. Variants are kept in the order they were first
// met (lesion by lesion, then by the id of the clone that founded them).
type snvTally struct {
	slot   []int32 // per SNV (snvOff[entry] + site): its variant's index in vars, -1 if none yet
	snvOff []int32 // first slot of each catalog entry
	vars   []variant
	total  float64 // the weights of all clones tallied (deaths per day for a draw)
}

// reset empties the tally for catalog m.
func (s *snvTally) reset(m *model.Model) {
	if len(s.snvOff) != len(m.Catalog) {
		s.snvOff, s.slot = s.snvOff[:0], s.slot[:0]
		for i := range m.Catalog {
			s.snvOff = append(s.snvOff, int32(len(s.slot)))
			for range m.SNVs(i) {
				s.slot = append(s.slot, -1)
			}
		}
	}
	for _, v := range s.vars {
		s.slot[s.snvOff[v.mut]+v.site] = -1
	}
	s.vars = s.vars[:0]
	s.total = 0
}

// A variant is one SNV: shared by every lineage carrying it, whichever
// copy it sits on; its name is built only for recorded rows.
type variant struct {
	mut   int   // catalog index
	site  int32 // SNV within the entry
	class model.Class
	w     float64
}

// drawResult summarises one blood draw.
type drawResult struct {
	calledVAF [model.NumClasses]float64 // largest observed VAF of a called mutation
	called    [model.NumClasses]int     // distinct called mutations
}

// tally adds the tumour's cells at concentrations conc to s: every clone's
// deaths per day go to the SNVs its ancestry carries (each resistance
// mutation is carried by the clone it founded and all that clone's
// descendants) and to s.total.
func (tm *Tumor) tally(conc []float64, s *snvTally) {
	b := &tm.drawBuf
	tm.deaths(conc, b)
	b.tally(tm, s)
}

// tally adds weight b.w[i] of every clone b.ids[i] of src to s.total and
// to every resistance SNV in the clone's ancestry.
func (b *drawBuffers) tally(src lineages, s *snvTally) {
	for n := src.founded(); int64(len(b.acc)) < n; {
		b.acc = append(b.acc, 0)
		b.mark = append(b.mark, false)
	}
	b.touched = b.touched[:0]
	total := 0.0
	for i, id := range b.ids {
		w := b.w[i]
		total += w
		for id >= 0 {
			parent, mut, site, class := src.founding(id)
			if class != model.Sensitive {
				if !b.mark[id] {
					b.mark[id] = true
					b.touched = append(b.touched, touchedClone{id: id, mut: mut, site: site, class: class})
				}
				b.acc[id] += w
			}
			id = parent
		}
	}
	s.total += total
	slices.SortFunc(b.touched, func(x, y touchedClone) int { return cmp.Compare(x.id, y.id) })
	for _, tc := range b.touched {
		id, mut, site, class := tc.id, tc.mut, tc.site, tc.class
		k := len(s.vars)
		if sl := &s.slot[s.snvOff[mut]+site]; *sl >= 0 {
			k = int(*sl)
		} else {
			*sl = int32(k)
			s.vars = append(s.vars, variant{mut: int(mut), site: site, class: class})
		}
		s.vars[k].w += b.acc[id]
		b.acc[id], b.mark[id] = 0, false
	}
}

// founded, founding and deaths make the well-mixed Tumor a lineages.
func (tm *Tumor) founded() int64 { return tm.nextID }

func (tm *Tumor) founding(id int64) (parent int64, mut, site int32, class model.Class) {
	g := &tm.genos[tm.ancGeno[id]]
	return tm.ancParent[id], g.newest, tm.ancSite[id], g.founding
}

func (tm *Tumor) deaths(conc []float64, b *drawBuffers) {
	tm.phenoDeaths(conc, b)
	b.ids, b.w = b.ids[:0], b.w[:0]
	for i := range tm.clones {
		c := &tm.clones[i]
		b.ids = append(b.ids, c.id)
		b.w = append(b.w, b.death[tm.genos[c.geno].pheno]*float64(c.n))
	}
}

// assay is how a draw is sequenced: plasma genome equivalents per death per
// day (ge: shed x mean plasma lifetime), the copies of TP53 per tumour
// genome, normal cell-free DNA, depth, and the call (MinAlt reads and an
// observed VAF of at least LOD), rows kept from RecordMinVAF.
type assay struct {
	ge, copies, normalGE float64
	depth, minAlt        int64
	lod, recordMinVAF    float64
}

// tumourFraction is the share of cell-free genomes that come from the
// tumour when its cells die at deaths per day.
func (a *assay) tumourFraction(deaths float64) float64 {
	t := a.ge * deaths
	return t / (t + a.normalGE)
}

// read sequences the tallied variants at time t, appending a row per
// variant that shows alt reads (or whose true VAF is at least
// RecordMinVAF): VAF = T_m / (Copies x T + 2 NormalGE), with T_m the
// plasma genomes from carriers and T from all tumour cells; alt reads are
// Binomial(depth, VAF), drawn from r in the tally's order.
func (s *snvTally) read(m *model.Model, a *assay, t float64, r *rng.Stream, out []CTDNARow) ([]CTDNARow, drawResult) {
	var res drawResult
	tumourGE := a.ge * s.total
	den := a.copies*tumourGE + 2*a.normalGE
	tf := a.tumourFraction(s.total)
	for _, v := range s.vars {
		vaf := a.ge * v.w / den
		alt := r.Binomial(a.depth, min(vaf, 1))
		obs := float64(alt) / float64(a.depth)
		called := alt >= a.minAlt && obs >= a.lod
		if called {
			res.called[v.class]++
			res.calledVAF[v.class] = max(res.calledVAF[v.class], obs)
		}
		if alt > 0 || vaf >= a.recordMinVAF {
			mu := &m.Catalog[v.mut]
			name := mu.Name
			if m.SNVs(v.mut) > 1 {
				name = mu.Name + "#" + strconv.Itoa(int(v.site)+1)
			}
			out = append(out, CTDNARow{Time: t, Mutation: name, Class: v.class, TrueVAF: vaf, AltReads: alt, Depth: a.depth, Called: called, TumourFraction: tf})
		}
	}
	return out, res
}

// singleAssay is the assay of a single lesion's draws (Config.CTDNA).
func singleAssay(cfg *CTDNAConfig, m *model.Model) assay {
	tau := cfg.HalfLife / (60 * 24) / math.Ln2 // mean plasma lifetime, days
	return assay{ge: cfg.Shed * tau, copies: float64(m.Alleles.Copies), normalGE: cfg.NormalGE,
		depth: cfg.Depth, minAlt: cfg.MinAlt, lod: cfg.LOD, recordMinVAF: cfg.RecordMinVAF}
}

// Draw takes a blood sample at the tumour's clock, under concentrations
// conc, and appends a row per resistance mutation that shows alt reads (or
// whose true VAF is at least RecordMinVAF).
//
// Plasma tumour DNA: every death sheds Shed genome equivalents, which decay
// with the plasma half-life, so at quasi-steady state the plasma holds
// Shed x (deaths per day) x (HalfLife / ln 2) genome equivalents from a
// population (Avanzini et al. 2020, Sci Adv 6:eabc4308). A resistance
// mutation is carried by the clone it founded and all that clone's
// descendants, on one of Alleles.Copies TP53 copies; normal cell-free DNA
// adds NormalGE diploid genomes. So VAF = T_m / (Copies x T + 2 NormalGE),
// with T_m the plasma genomes from carriers and T from all tumour cells.
// Alt reads are Binomial(Depth, VAF); a call needs MinAlt reads and an
// observed VAF of at least LOD. A variant is one SNV, whichever lineages
// (and, in merge mode, clones) carry it: a catalog entry of one site is one
// variant named after the entry, and an entry standing for several SNVs
// has one variant per SNV, named "entry#k" (k = 1 .. SNVs).
func (tm *Tumor) draw(cfg *CTDNAConfig, conc []float64, r *rng.Stream, out []CTDNARow) ([]CTDNARow, drawResult) {
	return drawFrom(tm, &tm.drawBuf, &tm.snvs, tm.m, cfg, conc, tm.t, r, out)
}

// drawFrom is a blood draw (Tumor.draw) from any tumour src at time t, with
// scratch b and s: the lattice and the demes are read exactly as the
// well-mixed tumour is.
func drawFrom(src lineages, b *drawBuffers, s *snvTally, m *model.Model, cfg *CTDNAConfig, conc []float64, t float64, r *rng.Stream, out []CTDNARow) ([]CTDNARow, drawResult) {
	s.reset(m)
	src.deaths(conc, b)
	b.tally(src, s)
	a := singleAssay(cfg, m)
	return s.read(m, &a, t, r, out)
}

// phenoDeaths fills b.death with every phenotype's death rate at conc.
func (tm *Tumor) phenoDeaths(conc []float64, b *drawBuffers) {
	b.death = b.death[:0]
	for i := range tm.phenos {
		b.death = append(b.death, tm.phenos[i].p.DeathAt(conc))
	}
}
