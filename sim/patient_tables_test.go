package sim_test

import (
	"math"
	"testing"

	"github.com/p53evo/p53evo/internal/simtest"
	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// The single-lesion RECIST rule, hand-worked: 20% and 5 mm above the nadir.
func TestLesionProgressedHandWorked(t *testing.T) {
	for _, c := range []struct {
		mm, nadir float64
		want      bool
	}{
		{30, 25, true},    // +20%, +5 mm
		{29.9, 25, false}, // +19.6%
		{12, 10, false},   // +20% but only +2 mm
		{15, 10, true},    // +50%, +5 mm
		{5, 0, true},      // a lesion appears at the visibility limit
		{0, 0, false},     // still invisible
		{20, 30, false},   // shrinking
	} {
		if got := sim.LesionProgressed(c.mm, c.nadir); got != c.want {
			t.Errorf("LesionProgressed(%v, %v) = %v, want %v", c.mm, c.nadir, got, c.want)
		}
	}
}

// A patient's records for the tables: the genotypes sum the lesions (and so
// the final class totals), each lesion's clone records hold exactly one
// founder and parents from the same lesion, a lesion's progression comes at
// one of the scans, and every scan's nadir is the smallest sum before it.
func TestPatientRecords(t *testing.T) {
	pc := sim.DefaultPatient()
	pc.Burden = sim.LogNormal10(2e9, 0.3).Truncate(9e8, 1e10)
	pc.Lesions = sim.Fixed(4)
	pc.Occult = sim.Fixed(1)
	cfg := simtest.TrialConfig(2000, 5, pc)
	rp := sim.NewReplicator(&cfg)
	defer rp.Close()
	var r sim.Result
	progressed, multi := 0, 0
	for rep := range 6 {
		if err := rp.Run(rep, &r); err != nil {
			t.Fatal(err)
		}
		p := r.Patient
		var sum [model.NumClasses]int64
		for _, g := range r.Genotypes {
			sum[g.Class] += g.Cells
		}
		if sum != r.Final {
			t.Errorf("patient %d: genotypes sum to %v, final %v", rep, sum, r.Final)
		}
		for i := 1; i < len(r.Genotypes); i++ {
			if r.Genotypes[i-1].Genotype >= r.Genotypes[i].Genotype {
				t.Errorf("patient %d: genotypes not sorted and distinct: %q then %q", rep, r.Genotypes[i-1].Genotype, r.Genotypes[i].Genotype)
			}
		}
		founders := make([]int, len(p.LesionRows))
		lesionOf := map[int64]int{}
		for _, c := range r.Clones {
			l := p.CloneLesion(c.ID)
			if l < 0 {
				t.Fatalf("patient %d: clone %d in no lesion", rep, c.ID)
			}
			lesionOf[c.ID] = l
			if c.Parent < 0 {
				founders[l]++
			}
		}
		for _, c := range r.Clones {
			if c.Parent >= 0 {
				if pl, ok := lesionOf[c.Parent]; ok && pl != lesionOf[c.ID] {
					t.Errorf("patient %d: clone %d in lesion %d, its parent %d in lesion %d", rep, c.ID, lesionOf[c.ID], c.Parent, pl)
				}
				if p.CloneLesion(c.Parent) != lesionOf[c.ID] {
					t.Errorf("patient %d: clone %d and its parent %d in different lesions", rep, c.ID, c.Parent)
				}
			}
		}
		for l, n := range founders {
			if n != 1 {
				t.Errorf("patient %d lesion %d: %d founders recorded, want 1", rep, l, n)
			}
		}
		if len(founders) > 1 {
			multi++
		}
		times := map[float64]bool{}
		nadir := p.BaselineSum
		for i, s := range p.Scans {
			times[s.Time] = true
			if i > 0 && p.Scans[i-1].Response == sim.PD && !math.IsNaN(r.TTP) && p.Scans[i-1].Time == r.TTP {
				break // a new line may reset the baseline
			}
			if s.NadirMM != nadir {
				t.Errorf("patient %d scan %d: nadir %v, want %v", rep, i, s.NadirMM, nadir)
			}
			if s.Response != sim.PD {
				nadir = min(nadir, s.SumMM)
			}
		}
		for _, l := range p.LesionRows {
			if !math.IsNaN(l.Progressed) {
				progressed++
				if !times[l.Progressed] {
					t.Errorf("patient %d lesion %d progressed at %v, not a scan time", rep, l.Lesion, l.Progressed)
				}
			}
		}
	}
	if progressed == 0 || multi == 0 {
		t.Errorf("%d lesion progressions, %d multi-lesion patients: the test saw nothing", progressed, multi)
	}
}
