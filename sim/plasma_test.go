package sim

import (
	"math"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim/rng"
)

// handTumor is a tumour built by hand: n founder cells, then clones added
// with add(parent id, genotype, cells, SNV).
type handTumor struct {
	*Tumor
}

func newHandTumor(m *model.Model, n int64) handTumor {
	tm := NewTumor(m, Options{ExactBelow: 1, RecordAt: 100, Merge: true}) // SNV keys
	tm.Reset(1, n, 0)
	return handTumor{tm}
}

func (h handTumor) add(parent int64, g int32, n int64, site int32) int64 {
	tm := h.Tumor
	id := tm.nextID
	tm.nextID++
	tm.ancParent = append(tm.ancParent, parent)
	tm.ancGeno = append(tm.ancGeno, g)
	tm.ancSite = append(tm.ancSite, site)
	tm.clones = append(tm.clones, clone{n: n, id: id, parent: parent, geno: g, rec: -1, ext: math.NaN()})
	tm.total += n
	return id
}

func (h handTumor) choice(t *testing.T, g int32, name string) int32 {
	for i, hit := range h.genos[g].sh.hits {
		if h.m.Catalog[hit.Mut].Name == name {
			return int32(i)
		}
	}
	t.Fatalf("no choice %s", name)
	return 0
}

// The SNV tally of a patient's draw sums each SNV over the lineages and
// lesions carrying it: dbd-missense#5 arises twice in lesion A (once under
// nonsense#3) and once in lesion B, R248W in lesion A only. Each variant's
// weight must equal the deaths per day of its carriers counted
// independently from the ancestry (CountSNV), lesion by lesion.
func TestSNVTallyAcrossLineagesAndLesions(t *testing.T) {
	m := model.Default()
	mA, mB := m, m
	mB.Death = m.Death * 1.5 // lesions differ in biology, not in catalog
	a, b := newHandTumor(&mA, 1e9), newHandTumor(&mB, 5e8)
	miss := a.choice(t, 0, "dbd-missense")
	missMut := a.genos[0].sh.hits[miss].Mut
	gm := a.childGeno(0, miss, 4)
	gr := a.childGeno(0, a.choice(t, 0, "R248W"), 0)
	gp := a.childGeno(0, a.choice(t, 0, "nonsense"), 2)
	gpm := a.childGeno(gp, a.choice(t, gp, "dbd-missense"), 4)
	a.add(0, gm, 3e6, 4)
	p := a.add(0, gp, 2e6, 2)
	a.add(p, gpm, 1e6, 4)
	a.add(0, gr, 4e6, 0)
	gbm := b.childGeno(0, b.choice(t, 0, "dbd-missense"), 4)
	b.add(0, gbm, 7e6, 4)
	conc := []float64{2000, 0, 0}
	var s snvTally
	s.reset(&m)
	a.tally(conc, &s)
	b.tally(conc, &s)
	death := func(h handTumor, g int32) float64 { return h.phenos[h.genos[g].pheno].p.DeathAt(conc) }
	want := map[[2]int]float64{
		{missMut, 4}:                 death(a, gm)*3e6 + death(a, gpm)*1e6 + death(b, gbm)*7e6,
		{int(a.genos[gr].newest), 0}: death(a, gr) * 4e6,
	}
	// the independent count: carriers from the ancestry, lesion by lesion
	if n := a.CountSNV(missMut, 4) + b.CountSNV(missMut, 4); n != 11e6 {
		t.Fatalf("carriers of the missense SNV: %d, want 1.1e7", n)
	}
	want[[2]int{int(a.genos[gp].newest), 2}] = death(a, gp)*2e6 + death(a, gpm)*1e6
	if len(s.vars) != 3 {
		t.Fatalf("variants %+v, want 3 (the missense SNV once, nonsense#3, R248W)", s.vars)
	}
	for _, v := range s.vars {
		w, ok := want[[2]int{v.mut, int(v.site)}]
		if !ok || math.Abs(v.w-w) > 1e-12*w {
			t.Errorf("variant %s#%d: weight %g, want %g", m.Catalog[v.mut].Name, v.site+1, v.w, w)
		}
	}
	deaths := 0.0
	for _, h := range []handTumor{a, b} {
		for i := range h.clones {
			deaths += h.phenos[h.genos[h.clones[i].geno].pheno].p.DeathAt(conc) * float64(h.clones[i].n)
		}
	}
	if math.Abs(s.total-deaths) > 1e-12*deaths {
		t.Errorf("tallied deaths %g, want %g", s.total, deaths)
	}
	// a second tally starts from nothing
	s.reset(&m)
	b.tally(conc, &s)
	if len(s.vars) != 1 || math.Abs(s.vars[0].w-death(b, gbm)*7e6) > 1e-12*s.vars[0].w {
		t.Errorf("after a reset: %+v", s.vars)
	}
}

// A patient's draw: the truncal marker first, its VAF the formula
// c TF / (c TF + 2 (1 - TF)) (equal to TF with 2 copies), then the
// resistance SNVs with the draw's tumour fraction.
func TestPatientDrawMarker(t *testing.T) {
	for _, copies := range []int{1, 2} {
		m := model.Default()
		m.Alleles.Copies = copies
		pc := DefaultPatient()
		cfg := Config{Model: m, Patient: &pc}
		cfg.Defaults()
		rp := NewReplicator(&cfg)
		h := newHandTumor(&rp.cfg.Model, 2e10)
		g := h.childGeno(0, h.choice(t, 0, "R248W"), 0)
		h.add(0, g, 5e8, 0)
		ps := &patientState{lesions: []*lesion{{tm: h.Tumor}}}
		ps.plasmaSNV.reset()
		r := rng.New(3)
		conc := []float64{0, 0, 0}
		rows, d, _ := rp.plasma(ps, 5, conc, 0, &r, nil)
		if len(rows) < 2 || rows[0].Mutation != "Y220C" || rows[1].Mutation != "R248W" {
			t.Fatalf("copies %d: rows %+v", copies, rows)
		}
		tf := rows[0].TumourFraction
		c := float64(copies)
		if want := c * tf / (c*tf + 2*(1-tf)); math.Abs(d.vaf-want) > 1e-12 || rows[0].TrueVAF != d.vaf {
			t.Errorf("copies %d: marker VAF %g, want %g", copies, d.vaf, want)
		}
		if copies == 2 && math.Abs(d.vaf-tf) > 1e-12 {
			t.Errorf("2 copies: marker VAF %g, tumour fraction %g", d.vaf, tf)
		}
		// the tumour fraction from its definition: shed genomes over all
		deaths := 0.0
		for i := range h.clones {
			deaths += h.phenos[h.genos[h.clones[i].geno].pheno].p.DeathAt(conc) * float64(h.clones[i].n)
		}
		ge := cfg.CTDNA.Shed * 5 * (cfg.CTDNA.HalfLife / 1440 / math.Ln2) * deaths
		if want := ge / (ge + cfg.CTDNA.NormalGE); math.Abs(tf-want) > 1e-12 || rows[1].TumourFraction != tf {
			t.Errorf("copies %d: tumour fraction %g (SNV row %g), want %g", copies, tf, rows[1].TumourFraction, want)
		}
		if rows[0].Depth != min(pc.Plasma.Depth, pc.Plasma.Molecules) || rows[1].Depth != rows[0].Depth {
			t.Errorf("copies %d: depth %d and %d", copies, rows[0].Depth, rows[1].Depth)
		}
		rp.Close()
	}
}
