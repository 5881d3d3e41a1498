package sim

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim/rng"
)

// BiopsyTime is when a patient's tissue biopsy is taken.
type BiopsyTime uint8

const (
	BiopsyBaseline    BiopsyTime = iota + 1 // before the first dose
	BiopsyProgression                       // at the first progression (RECIST or lethal burden)
)

var biopsyTimeNames = map[BiopsyTime]string{BiopsyBaseline: "baseline", BiopsyProgression: "progression"}

func (b BiopsyTime) String() string {
	if s, ok := biopsyTimeNames[b]; ok {
		return s
	}
	return fmt.Sprintf("BiopsyTime(%d)", b)
}

// BiopsySite says which lesion a biopsy samples.
type BiopsySite uint8

const (
	// BiopsyLargestProgressing: the largest lesion among those grown since
	// their nadir (the largest lesion if none has; at baseline, the largest).
	BiopsyLargestProgressing BiopsySite = iota + 1
	BiopsyLargest                       // the lesion with the most cells
	BiopsyRandom                        // a visible lesion drawn uniformly (any lesion if none is visible)
)

var biopsySiteNames = map[BiopsySite]string{BiopsyLargestProgressing: "largest-progressing", BiopsyLargest: "largest", BiopsyRandom: "random"}

func (b BiopsySite) String() string {
	if s, ok := biopsySiteNames[b]; ok {
		return s
	}
	return fmt.Sprintf("BiopsySite(%d)", b)
}

// BiopsyTimeNames and BiopsySiteNames list the allowed words, in order.
func BiopsyTimeNames() []string { return []string{"baseline", "progression"} }
func BiopsySiteNames() []string { return []string{"largest-progressing", "largest", "random"} }

// ParseBiopsyTime and ParseBiopsySite turn a word into its value.
func ParseBiopsyTime(s string) (BiopsyTime, bool) {
	for k, n := range biopsyTimeNames {
		if n == s {
			return k, true
		}
	}
	return 0, false
}

func ParseBiopsySite(s string) (BiopsySite, bool) {
	for k, n := range biopsySiteNames {
		if n == s {
			return k, true
		}
	}
	return 0, false
}

// BiopsyConfig is a patient's tissue biopsy: Cells tumour cells taken from
// one lesion (the whole lesion when it has fewer), clone by clone; tumour
// DNA diluted by normal DNA to Purity; Depth reads at the locus, alt reads
// Binomial(Depth, VAF); a call needs MinAlt alt reads and an observed VAF
// of at least LOD.
//
// Defaults (DefaultBiopsy; ESTIMATES): 1e6 tumour cells (a core needle
// biopsy holds about 1e6-1e7 cells), purity 0.7 (median purity of TCGA
// solid tumours about 0.7 by consensus estimate, Aran et al. 2015 Nat
// Commun 6:8971), 500 reads at the locus (a targeted panel), 5 alt reads
// and 5% VAF for a call (typical tissue-panel limits of detection).
type BiopsyConfig struct {
	At     []BiopsyTime
	Lesion BiopsySite
	Cells  float64
	Purity float64
	Depth  int64
	MinAlt int64
	LOD    float64
}

// DefaultBiopsy is the default tissue biopsy: at baseline and progression,
// the largest progressing lesion.
func DefaultBiopsy() BiopsyConfig {
	return BiopsyConfig{At: []BiopsyTime{BiopsyBaseline, BiopsyProgression}, Lesion: BiopsyLargestProgressing,
		Cells: 1e6, Purity: 0.7, Depth: 500, MinAlt: 5, LOD: 0.05}
}

// Validate reports impossible settings, naming the field.
func (b *BiopsyConfig) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	if len(b.At) == 0 {
		bad("patient.biopsy.at: empty; allowed: baseline, progression")
	}
	seen := map[BiopsyTime]bool{}
	for i, t := range b.At {
		if _, ok := biopsyTimeNames[t]; !ok {
			bad("patient.biopsy.at[%d]: unknown time %v; allowed: baseline, progression", i, t)
		} else if seen[t] {
			bad("patient.biopsy.at[%d]: %v given twice", i, t)
		}
		seen[t] = true
	}
	if _, ok := biopsySiteNames[b.Lesion]; !ok {
		bad("patient.biopsy.lesion %v: allowed: largest-progressing, largest, random", b.Lesion)
	}
	if !(b.Cells >= 1 && b.Cells <= 1e12) {
		bad("patient.biopsy.cells %v: must be in [1, 1e12] tumour cells", b.Cells)
	}
	if !(b.Purity > 0 && b.Purity <= 1) {
		bad("patient.biopsy.purity %v: must be a tumour fraction in (0, 1]", b.Purity)
	}
	if b.Depth < 1 || b.MinAlt < 1 || b.MinAlt > b.Depth {
		bad("patient.biopsy: depth %d and min_alt %d must be at least 1, min_alt at most depth", b.Depth, b.MinAlt)
	}
	if !(b.LOD >= 0 && b.LOD <= 1) {
		bad("patient.biopsy.lod %v: must be an observed VAF in [0, 1]", b.LOD)
	}
	return errors.Join(errs...)
}

// BiopsyRow is one resistance SNV carried by cells of one biopsy, called
// or not.
type BiopsyRow struct {
	Lesion   int
	Time     float64
	At       BiopsyTime
	Mutation string // catalog name; "name#k" for the k-th SNV of an entry of several
	Class    model.Class
	Cells    int64   // tumour cells in the sample
	Carriers float64 // sampled cells carrying the SNV
	TrueVAF  float64 // carriers' share of the sample's TP53 alleles, after dilution
	AltReads int64
	Depth    int64
	Called   bool // AltReads >= MinAlt and AltReads/Depth >= LOD
}

// biopsyKey keys the biopsy stream apart from the patient's other streams.
const biopsyKey = 1<<63 | 0x62696f70 // "biop"

// pickLesion chooses the lesion a biopsy samples (-1 if every lesion is
// empty).
func (rp *Replicator) pickLesion(b *BiopsyConfig, when BiopsyTime, pr *PatientResult, r *rng.Stream) int {
	ps := rp.pat
	largest := func(ok func(i int) bool) int {
		best := -1
		for i, l := range ps.lesions {
			if n := l.tm.Total(); n > 0 && ok(i) && (best < 0 || n > ps.lesions[best].tm.Total()) {
				best = i
			}
		}
		return best
	}
	all := func(int) bool { return true }
	switch b.Lesion {
	case BiopsyLargestProgressing:
		if when == BiopsyProgression {
			if i := largest(func(i int) bool { return ps.lesions[i].tm.Total() > pr.LesionRows[i].Nadir }); i >= 0 {
				return i
			}
		}
		return largest(all)
	case BiopsyRandom:
		var vis []int
		for i, l := range ps.lesions {
			if rp.cfg.Patient.Diameter(l.tm.Total()) > 0 {
				vis = append(vis, i)
			}
		}
		if len(vis) == 0 {
			for i, l := range ps.lesions {
				if l.tm.Total() > 0 {
					vis = append(vis, i)
				}
			}
		}
		// one uniform whatever the choice, so later biopsies do not shift
		u := r.Float64()
		if len(vis) == 0 {
			return -1
		}
		return vis[min(len(vis)-1, int(u*float64(len(vis))))]
	}
	return largest(all)
}

// sample draws how many of a lesion's cells each clone gives a biopsy of
// want cells: every cell when the lesion is no larger; otherwise clone by
// clone, k_i ~ Binomial(cells still wanted, n_i / cells not yet visited)
// (a multinomial sample, which is the hypergeometric one when want is
// small against the lesion). It returns the tumour cells sampled; the
// clones' ids and counts are left in tm.drawBuf.ids and tm.drawBuf.w.
func (tm *Tumor) sample(want float64, r *rng.Stream) int64 {
	b := &tm.drawBuf
	b.ids, b.w = b.ids[:0], b.w[:0]
	rest := tm.total
	left := int64(math.Round(want))
	whole := float64(tm.total) <= want
	got := int64(0)
	for i := range tm.clones {
		n := tm.clones[i].n
		k := n
		if !whole {
			k = 0
			if left > 0 && rest > 0 {
				k = r.Binomial(left, float64(n)/float64(rest))
				k = min(k, n)
			}
			left -= k
			rest -= n
		}
		got += k
		b.ids = append(b.ids, tm.clones[i].id)
		b.w = append(b.w, float64(k))
	}
	return got
}

// biopsy takes the patient's biopsy of kind when at time t, appending its
// rows to pr.Biopsies and counting its calls.
func (rp *Replicator) biopsy(when BiopsyTime, t float64, pr *PatientResult, r *rng.Stream) {
	b := rp.cfg.Patient.Biopsy
	if b == nil {
		return
	}
	take := false
	for _, a := range b.At {
		take = take || a == when
	}
	if !take {
		return
	}
	ps := rp.pat
	li := rp.pickLesion(b, when, pr, r)
	if li < 0 {
		return
	}
	tm := ps.lesions[li].tm
	cells := tm.sample(b.Cells, r)
	s := &ps.tissue
	s.reset(tm.m)
	tm.drawBuf.tally(tm, s)
	// the sample's TP53 alleles: c per tumour cell, 2 per normal cell, with
	// normal cells (1 - purity)/purity per tumour cell
	c := float64(tm.m.Alleles.Copies)
	alleles := float64(cells) * (c + 2*(1-b.Purity)/b.Purity)
	first := len(pr.Biopsies)
	for _, v := range s.vars {
		vaf := v.w / alleles
		alt := r.Binomial(b.Depth, min(vaf, 1))
		called := alt >= b.MinAlt && float64(alt)/float64(b.Depth) >= b.LOD
		mu := &tm.m.Catalog[v.mut]
		name := mu.Name
		if tm.m.SNVs(v.mut) > 1 {
			name = mu.Name + "#" + strconv.Itoa(int(v.site)+1)
		}
		pr.Biopsies = append(pr.Biopsies, BiopsyRow{Lesion: li, Time: t, At: when, Mutation: name, Class: v.class, Cells: cells,
			Carriers: v.w, TrueVAF: vaf, AltReads: alt, Depth: b.Depth, Called: called})
	}
	for _, row := range pr.Biopsies[first:] {
		ps.tissueSNV.note(row.Mutation, row.Class, row.Called)
	}
}
