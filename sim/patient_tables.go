package sim

import (
	"math"
	"slices"
	"strings"

	"github.com/p53evo/p53evo/model"
)

// This file holds what a virtual trial patient records for its tables
// beyond the RECIST reading itself: the progression of each lesion on its
// own, the genotypes summed over the lesions, and which lesion a clone
// record belongs to.

// LesionProgressed reports whether one lesion has progressed on its own:
// its diameter is at least 20% and 5 mm above the smallest it had at a scan
// (baseline included), the RECIST 1.1 rule for the sum applied to a single
// lesion. A lesion below imaging visibility reads 0 mm, so a lesion that
// appears (an occult one) or reappears at 5 mm or more has progressed.
func LesionProgressed(mm, nadirMM float64) bool {
	return mm >= model.RECISTProgressionDiameter*nadirMM && mm-nadirMM >= model.RECISTProgressionMM
}

// lesionScan records, at the scan at time t, the first progression of each
// lesion on its own. LesionResult.Nadir already includes this scan, which
// changes nothing: a lesion below its former nadir has not progressed.
func (rp *Replicator) lesionScan(pr *PatientResult, t float64) {
	pc := rp.cfg.Patient
	for i, l := range rp.pat.lesions {
		lr := &pr.LesionRows[i]
		if math.IsNaN(lr.Progressed) && LesionProgressed(pc.Diameter(l.tm.Total()), pc.Diameter(lr.Nadir)) {
			lr.Progressed = t
		}
	}
}

// patientRecords completes a patient's records at its end: each lesion's
// nadir diameter, and res.Genotypes, the live cells of each genotype summed
// over the lesions and sorted by label, as Tumor.GenotypeCounts gives them
// for a single tumour.
func (rp *Replicator) patientRecords(res *Result) {
	for i := range res.Patient.LesionRows {
		lr := &res.Patient.LesionRows[i]
		lr.NadirMM = rp.cfg.Patient.Diameter(lr.Nadir)
	}
	g := res.Genotypes[:0]
	for _, l := range rp.pat.lesions {
		g = l.tm.GenotypeCounts(g)
	}
	slices.SortStableFunc(g, func(a, b GenotypeCount) int { return strings.Compare(a.Genotype, b.Genotype) })
	out := g[:0]
	for _, x := range g {
		if n := len(out); n > 0 && out[n-1].Genotype == x.Genotype {
			out[n-1].Cells += x.Cells
			continue
		}
		out = append(out, x)
	}
	res.Genotypes = out
}

// CloneLesion returns the lesion (index into LesionRows) whose lineage
// clone id belongs to, or -1 if none does. A patient's clone ids are offset
// per lesion so that lesion i's clones take the ClonesBorn ids after those
// of lesions 0..i-1.
func (pr *PatientResult) CloneLesion(id int64) int {
	if id < 0 {
		return -1
	}
	off := int64(0)
	for i := range pr.LesionRows {
		off += pr.LesionRows[i].ClonesBorn
		if id < off {
			return i
		}
	}
	return -1
}

// PctFromNadir is the change of the scan's sum from the nadir it is judged
// against, in %; NaN when that nadir is 0 mm.
func (s *ScanRow) PctFromNadir() float64 {
	if s.NadirMM <= 0 {
		return math.NaN()
	}
	return 100 * (s.SumMM - s.NadirMM) / s.NadirMM
}
