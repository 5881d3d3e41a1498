package analysis

import (
	"fmt"
	"math"
	"slices"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
)

// Resistance SNVs called in a virtual trial: how many distinct SNVs plasma
// and tissue call per patient up to progression, by class, and whether the
// two see the same ones.

// SNVCount summarises the distinct SNVs called per patient over an arm.
type SNVCount struct {
	Mean   Num `json:"mean"`
	Median Num `json:"median"`
	Max    int `json:"max"`
	// AtLeastOne: patients with at least one SNV called, and their share.
	AtLeastOne      int `json:"at_least_one"`
	ShareAtLeastOne Num `json:"share_at_least_one"`
}

func snvCount(x []int) SNVCount {
	n := Num(math.NaN())
	c := SNVCount{Mean: n, Median: n, ShareAtLeastOne: n}
	if len(x) == 0 {
		return c
	}
	f := make([]float64, len(x))
	sum := 0.0
	for i, v := range x {
		f[i] = float64(v)
		sum += f[i]
		c.Max = max(c.Max, v)
		if v > 0 {
			c.AtLeastOne++
		}
	}
	slices.Sort(f)
	c.Mean, c.Median = Num(sum/float64(len(x))), Num(quantile(f, 0.5))
	c.ShareAtLeastOne = Num(float64(c.AtLeastOne) / float64(len(x)))
	return c
}

// SNVCalls is the per-patient distribution of distinct resistance SNVs
// called by one source (plasma or tissue), by class and for both classes.
type SNVCalls struct {
	TALoss SNVCount `json:"ta_loss"`
	Pocket SNVCount `json:"pocket"`
	Any    SNVCount `json:"any"`
}

// snvCalls reads the patients table's distinct SNVs called up to
// progression, through count (ta-loss, pocket) for each patient.
func snvCalls(ps []dataset.PatientRow, count func(p *dataset.PatientRow) (taLoss, pocket int)) SNVCalls {
	a, b, both := make([]int, len(ps)), make([]int, len(ps)), make([]int, len(ps))
	for i := range ps {
		a[i], b[i] = count(&ps[i])
		both[i] = a[i] + b[i]
	}
	return SNVCalls{TALoss: snvCount(a), Pocket: snvCount(b), Any: snvCount(both)}
}

// Agreement counts patient-SNV pairs, over an arm, called in plasma and in
// tissue (Both), only in plasma, only in tissue.
type Agreement struct {
	Both       int `json:"both"`
	PlasmaOnly int `json:"plasma_only"`
	TissueOnly int `json:"tissue_only"`
}

// Concordance compares the SNVs plasma and tissue called, mutation by
// mutation, patient by patient, up to each patient's first progression
// (all follow-up without one; a draw or biopsy at the progression time
// counts), as the patients table counts them.
type Concordance struct {
	TALoss Agreement `json:"ta_loss"`
	Pocket Agreement `json:"pocket"`
	Any    Agreement `json:"any"`
	// Patients with an SNV called by both sources (PatientsShared), with
	// calls in both but none shared (PatientsDisjoint), with calls in
	// plasma only, in tissue only.
	PatientsShared     int `json:"patients_shared"`
	PatientsDisjoint   int `json:"patients_disjoint"`
	PatientsPlasmaOnly int `json:"patients_plasma_only"`
	PatientsTissueOnly int `json:"patients_tissue_only"`
}

// SNVCall is one resistance SNV called for a patient, by a blood draw or a
// tissue biopsy.
type SNVCall struct {
	Replicate int
	Time      float64
	Mutation  string
	Class     string // ta-loss, pocket
	Lesion    int    // biopsied lesion; -1 for plasma
}

// PlasmaCalls keeps the ctdna rows that call a resistance SNV (the Y220C
// marker and uncalled rows left out).
func PlasmaCalls(rows []dataset.CTDNARow) []SNVCall {
	var out []SNVCall
	for _, r := range rows {
		if r.Called && isResistance(r.Class) {
			out = append(out, SNVCall{Replicate: r.Replicate, Time: r.Time, Mutation: r.Mutation, Class: r.Class, Lesion: -1})
		}
	}
	return out
}

// TissueCalls keeps the biopsies rows that call a resistance SNV.
func TissueCalls(rows []dataset.BiopsyRow) []SNVCall {
	var out []SNVCall
	for _, r := range rows {
		if r.Called && isResistance(r.Class) {
			out = append(out, SNVCall{Replicate: r.Replicate, Time: r.Time, Mutation: r.Mutation, Class: r.Class, Lesion: r.Lesion})
		}
	}
	return out
}

func isResistance(class string) bool { return class == ClassTALoss || class == ClassPocket }

// Resistance class names as the tables spell them.
const (
	ClassTALoss = "ta-loss"
	ClassPocket = "pocket"
)

// ConcordanceOf compares, patient by patient, the SNVs called in plasma
// and in tissue up to the patient's first progression. Calls of replicates
// not among ps are an error (the tables do not belong together).
func ConcordanceOf(ps []dataset.PatientRow, plasma, tissue []SNVCall) (_ Concordance, err error) {
	defer errprefix.Wrap(&err, "analysis")
	type key struct {
		rep      int
		mutation string
	}
	cutoff := make(map[int]float64, len(ps))
	for _, p := range ps {
		cutoff[p.Replicate] = math.Inf(1)
		if p.Progressed() {
			cutoff[p.Replicate] = p.ProgressionTime
		}
	}
	const inPlasma, inTissue, shared = 1, 2, 4
	seen := map[key]int{}
	class := map[key]string{}
	for _, src := range []struct {
		calls []SNVCall
		bit   int
		name  string
	}{{plasma, inPlasma, "ctdna"}, {tissue, inTissue, "biopsies"}} {
		for _, c := range src.calls {
			end, ok := cutoff[c.Replicate]
			if !ok {
				return Concordance{}, fmt.Errorf("analysis: %s table calls %s for replicate %d, which the patients table lacks", src.name, c.Mutation, c.Replicate)
			}
			if c.Time > end {
				continue
			}
			k := key{c.Replicate, c.Mutation}
			if cl, ok := class[k]; ok && cl != c.Class {
				return Concordance{}, fmt.Errorf("analysis: replicate %d: SNV %s is %s in one row and %s in another", c.Replicate, c.Mutation, cl, c.Class)
			}
			class[k] = c.Class
			seen[k] |= src.bit
		}
	}
	var r Concordance
	perPatient := map[int]int{}
	for k, bits := range seen {
		perPatient[k.rep] |= bits
		ag := &r.TALoss
		if class[k] == ClassPocket {
			ag = &r.Pocket
		}
		for _, a := range []*Agreement{ag, &r.Any} {
			switch bits {
			case inPlasma | inTissue:
				a.Both++
			case inPlasma:
				a.PlasmaOnly++
			default:
				a.TissueOnly++
			}
		}
		if bits == inPlasma|inTissue {
			perPatient[k.rep] |= shared
		}
	}
	for _, bits := range perPatient {
		switch {
		case bits&shared != 0:
			r.PatientsShared++
		case bits == inPlasma|inTissue:
			r.PatientsDisjoint++
		case bits == inPlasma:
			r.PatientsPlasmaOnly++
		case bits == inTissue:
			r.PatientsTissueOnly++
		}
	}
	return r, nil
}

func fmtSNVCount(c SNVCount) string {
	if math.IsNaN(float64(c.Mean)) {
		return "-"
	}
	return fmt.Sprintf("mean %s, median %s, max %d; >=1: %d (%s)", fmtNum(c.Mean, 2), fmtCount(c.Median), c.Max, c.AtLeastOne, fmtShare(c.ShareAtLeastOne))
}

func fmtAgreement(a Agreement) string {
	return fmt.Sprintf("both %d, plasma only %d, tissue only %d", a.Both, a.PlasmaOnly, a.TissueOnly)
}
