package sim

import (
	"math"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim/rng"
)

// biopsyPatient is a replicator for the default patient with biopsy b and
// one lesion built by hand.
func biopsyPatient(t *testing.T, b BiopsyConfig, founder int64) (*Replicator, handTumor) {
	t.Helper()
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	pc := DefaultPatient()
	pc.Biopsy = &b
	cfg := Config{Model: model.Default(), Patient: &pc}
	cfg.Defaults()
	rp := NewReplicator(&cfg)
	h := newHandTumor(&rp.cfg.Model, founder)
	rp.pat = &patientState{lesions: []*lesion{{tm: h.Tumor}}}
	rp.pat.tissueSNV.reset()
	return rp, h
}

// A biopsy asking for more cells than the lesion has takes it whole: every
// SNV's carriers are counted exactly (CountSNV), the VAF is carriers over
// the sample's TP53 alleles after dilution to the purity.
func TestBiopsyWholeLesion(t *testing.T) {
	b := DefaultBiopsy()
	b.Cells, b.Purity = 1e6, 0.6
	rp, h := biopsyPatient(t, b, 50000)
	gm := h.childGeno(0, h.choice(t, 0, "dbd-missense"), 7)
	gn := h.childGeno(0, h.choice(t, 0, "nonsense"), 1)
	gmn := h.childGeno(gn, h.choice(t, gn, "dbd-missense"), 7)
	h.add(0, gm, 3000, 7)
	p := h.add(0, gn, 2000, 1)
	h.add(p, gmn, 500, 7)
	pr := &PatientResult{LesionRows: []LesionResult{{Nadir: 1}}}
	r := rng.New(5)
	rp.biopsy(BiopsyBaseline, 0, pr, &r)
	if len(pr.Biopsies) != 2 {
		t.Fatalf("rows %+v, want the missense SNV and nonsense#2", pr.Biopsies)
	}
	miss, non := h.genos[gm].newest, h.genos[gn].newest
	want := map[string]int64{"dbd-missense#8": h.CountSNV(int(miss), 7), "nonsense#2": h.CountSNV(int(non), 1)}
	if want["dbd-missense#8"] != 3500 || want["nonsense#2"] != 2500 {
		t.Fatalf("carriers from the ancestry %v", want)
	}
	alleles := float64(h.Total()) * (1 + 2*0.4/0.6)
	for _, row := range pr.Biopsies {
		w, ok := want[row.Mutation]
		if !ok || row.Carriers != float64(w) || row.Cells != h.Total() || row.Depth != b.Depth || math.Abs(row.TrueVAF-float64(w)/alleles) > 1e-15 {
			t.Errorf("row %+v, want %d carriers of %d cells, VAF %g", row, w, h.Total(), float64(w)/alleles)
		}
		if row.Called != (row.AltReads >= b.MinAlt && float64(row.AltReads)/float64(b.Depth) >= b.LOD) {
			t.Errorf("call rule broken: %+v", row)
		}
	}
	// a second biopsy counts nothing twice
	n := rp.pat.tissueSNV.count
	rp.biopsy(BiopsyProgression, 10, pr, &r)
	if rp.pat.tissueSNV.count != n {
		t.Errorf("distinct SNVs called went from %v to %v on the same SNVs", n, rp.pat.tissueSNV.count)
	}
}

// A sampled biopsy: 2e4 of 1e9 cells, 1% of them carrying an SNV. Over
// 3000 biopsies the mean alt count lies within 4 standard errors of
// depth x (sampled share) / (1 + 2 (1 - purity) / purity), and every
// sample has exactly the cells asked for.
func TestBiopsySampledMean(t *testing.T) {
	b := DefaultBiopsy()
	b.Cells = 2e4
	rp, h := biopsyPatient(t, b, 99e7)
	g := h.childGeno(0, h.choice(t, 0, "R248W"), 0)
	h.add(0, g, 1e7, 0)
	pr := &PatientResult{LesionRows: []LesionResult{{Nadir: 1}}}
	r := rng.New(11)
	const n = 3000
	var s, s2 float64
	for range n {
		pr.Biopsies = pr.Biopsies[:0]
		rp.biopsy(BiopsyBaseline, 0, pr, &r)
		alt := 0.0
		for _, row := range pr.Biopsies {
			if row.Cells != 20000 {
				t.Fatalf("sample of %d cells, want 20000", row.Cells)
			}
			if row.Mutation == "R248W" {
				alt = float64(row.AltReads)
			}
		}
		s += alt
		s2 += alt * alt
	}
	mean := s / n
	se := math.Sqrt((s2/n - mean*mean) / n)
	want := float64(b.Depth) * 0.01 / (1 + 2*(1-b.Purity)/b.Purity)
	if math.Abs(mean-want) > 4*se {
		t.Errorf("mean alt reads %.3f, want %.3f (4 SE = %.3f)", mean, want, 4*se)
	}
}
