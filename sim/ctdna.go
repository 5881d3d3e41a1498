package sim

import (
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
	touched []int64
	death   []float64
	slot    []int32 // per SNV (snvOff[entry] + site): its variant's index in vars, -1 if none yet
	snvOff  []int32 // first slot of each catalog entry
	vars    []variant
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
	var res drawResult
	b := &tm.drawBuf
	if len(b.snvOff) == 0 {
		for i := range tm.m.Catalog {
			b.snvOff = append(b.snvOff, int32(len(b.slot)))
			for range tm.m.SNVs(i) {
				b.slot = append(b.slot, -1)
			}
		}
	}
	for i := range b.slot {
		b.slot[i] = -1
	}
	b.death = b.death[:0]
	for i := range tm.phenos {
		b.death = append(b.death, tm.phenos[i].p.DeathAt(conc))
	}
	for int64(len(b.acc)) < tm.nextID {
		b.acc = append(b.acc, 0)
		b.mark = append(b.mark, false)
	}
	b.touched = b.touched[:0]
	total := 0.0
	for i := range tm.clones {
		c := &tm.clones[i]
		w := b.death[tm.genos[c.geno].pheno] * float64(c.n)
		total += w
		for id := c.id; id >= 0; id = tm.ancParent[id] {
			if tm.genos[tm.ancGeno[id]].founding == model.Sensitive {
				continue
			}
			if !b.mark[id] {
				b.mark[id] = true
				b.touched = append(b.touched, id)
			}
			b.acc[id] += w
		}
	}
	slices.Sort(b.touched)
	b.vars = b.vars[:0]
	for _, id := range b.touched {
		g := &tm.genos[tm.ancGeno[id]]
		site := tm.ancSite[id]
		k := len(b.vars)
		if sl := &b.slot[b.snvOff[g.newest]+site]; *sl >= 0 {
			k = int(*sl)
		} else {
			*sl = int32(k)
			b.vars = append(b.vars, variant{mut: g.newest, site: site, class: g.founding})
		}
		b.vars[k].w += b.acc[id]
		b.acc[id], b.mark[id] = 0, false
	}
	tau := cfg.HalfLife / (60 * 24) / math.Ln2 // mean plasma lifetime, days
	tumourGE := cfg.Shed * tau * total
	den := float64(tm.m.Alleles.Copies)*tumourGE + 2*cfg.NormalGE
	for _, v := range b.vars {
		vaf := cfg.Shed * tau * v.w / den
		alt := r.Binomial(cfg.Depth, min(vaf, 1))
		obs := float64(alt) / float64(cfg.Depth)
		called := alt >= cfg.MinAlt && obs >= cfg.LOD
		if called {
			res.called[v.class]++
			res.calledVAF[v.class] = max(res.calledVAF[v.class], obs)
		}
		if alt > 0 || vaf >= cfg.RecordMinVAF {
			mu := &tm.m.Catalog[v.mut]
			name := mu.Name
			if tm.m.SNVs(v.mut) > 1 {
				name = mu.Name + "#" + strconv.Itoa(int(v.site)+1)
			}
			out = append(out, CTDNARow{Time: tm.t, Mutation: name, Class: v.class, TrueVAF: vaf, AltReads: alt, Depth: cfg.Depth, Called: called})
		}
	}
	return out, res
}
