package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/p53evo/p53evo/sim"
)

// Patient makes every replicate a virtual trial patient (see
// sim.PatientConfig); missing: one lesion grown to detection.size. Every
// missing key takes sim.DefaultPatient's value.
//
//	patient:
//	  lesions: {dist: lognormal, median: 12, sd_log10: 0.35, min: 1, max: 30}
//	  burden: {dist: lognormal, median: 5e10, sd_log10: 0.7, min: 9e8, max: 3e11}
//	  size_spread: 1                  # SD of ln lesion-size weights
//	  occult: {dist: fixed, value: 0} # lesions below imaging visibility
//	  occult_size: {dist: loguniform, low: 1e5, high: 1e7}
//	  growth: {dist: lognormal, median: 2.2, cv: 0.45, min: 0.2, max: 8}  # x (birth - death), per patient
//	  kill: {dist: lognormal, median: 0.62, cv: 0.4, min: 0.01, max: 10}  # x reactivator emax, per patient
//	  lesion_kill: {dist: lognormal, median: 1, cv: 0.5, min: 0.1, max: 10}
//	  non_dependent: 0                # share of patients whose tumours do not shrink on reactivation
//	  imaging: {cells_per_cm3: 1e9, visible_mm: 5, min_target_mm: 10, max_targets: 5, confirm: true}
//	  plasma: {every: 28, shed_factor: {...}, assay: clinical}  # or research; molecules, depth, min_alt, lod override the preset
//	  biopsy: {at: [baseline, progression], lesion: largest-progressing, cells: 1e6, purity: 0.7, depth: 500, min_alt: 5, lod: 0.05}
//	  vary: {"drugs[rezatapopt].ec50": {dist: lognormal, median: 900, cv: 0.5, min: 100, max: 5000}}  # see VarySpec
//	  correlation: [{between: [growth, kill], rho: -0.3}]
//
// Without a biopsy key no tissue biopsy is taken; biopsy: {} takes the
// defaults (sim.DefaultBiopsy).
type Patient struct {
	Lesions      *DistSpec     `yaml:"lesions"`
	Burden       *DistSpec     `yaml:"burden"`
	SizeSpread   *float64      `yaml:"size_spread"`
	Occult       *DistSpec     `yaml:"occult"`
	OccultSize   *DistSpec     `yaml:"occult_size"`
	Growth       *DistSpec     `yaml:"growth"`
	Kill         *DistSpec     `yaml:"kill"`
	LesionKill   *DistSpec     `yaml:"lesion_kill"`
	NonDependent *float64      `yaml:"non_dependent"`
	Imaging      PatientImage  `yaml:"imaging"`
	Plasma       PatientPlasma `yaml:"plasma"`
	Biopsy       *Biopsy       `yaml:"biopsy"`
	// Vary draws model parameters per patient or lesion (patient_vary.go);
	// Correlation couples per-patient draws by a Gaussian copula.
	Vary        map[string]VarySpec `yaml:"vary,omitempty"`
	Correlation []CorrelationSpec   `yaml:"correlation,omitempty"`
}

// Biopsy is a patient's tissue biopsy (sim.BiopsyConfig): when, which
// lesion, how many tumour cells, their purity, and the sequencing call.
type Biopsy struct {
	At     *[]string `yaml:"at"`      // baseline, progression
	Lesion *string   `yaml:"lesion"`  // largest-progressing, largest or random
	Cells  *float64  `yaml:"cells"`   // tumour cells sampled
	Purity *float64  `yaml:"purity"`  // tumour share of the sample's cells
	Depth  *int64    `yaml:"depth"`   // reads at the locus
	MinAlt *int64    `yaml:"min_alt"` // alt reads for a call
	LOD    *float64  `yaml:"lod"`     // observed VAF for a call
}

// PatientImage is RECIST 1.1 imaging of a patient.
type PatientImage struct {
	CellsPerCm3 *float64 `yaml:"cells_per_cm3"` // tumour cells per cm^3 (lesions are spheres)
	VisibleMM   *float64 `yaml:"visible_mm"`    // smaller lesions read 0 mm
	MinTargetMM *float64 `yaml:"min_target_mm"` // smallest measurable (target) lesion
	MaxTargets  *int     `yaml:"max_targets"`   // most target lesions
	Confirm     *bool    `yaml:"confirm"`       // responses confirmed at the next scan
}

// PatientPlasma is the blood test of a patient: the truncal Y220C marker
// and every resistance SNV. Assay names a preset (sim.PlasmaAssays:
// clinical, the default, or research) of molecules, depth, min_alt and
// lod; any of them given explicitly overrides the preset.
type PatientPlasma struct {
	Every      *Period   `yaml:"every"`       // days between draws; off: baseline only
	ShedFactor *DistSpec `yaml:"shed_factor"` // x observe.ctdna.shed, per patient
	Assay      *string   `yaml:"assay"`       // clinical or research
	Molecules  *int64    `yaml:"molecules"`   // unique genomes of the assay's cfDNA input
	Depth      *int64    `yaml:"depth"`       // reads at the locus
	MinAlt     *int64    `yaml:"min_alt"`     // alt reads for a call
	LOD        *float64  `yaml:"lod"`         // observed VAF for a call
}

// DistSpec is a scalar drawn per patient (or lesion): dist names the law
// and the keys it needs; min and max truncate it.
//
//	{dist: fixed, value: 1}
//	{dist: normal, mean: 1, sd: 0.2}
//	{dist: lognormal, median: 1, cv: 0.5}        # or sd_log10: 0.2
//	{dist: uniform, low: 0, high: 1}             # also loguniform
//	{dist: empirical, values: [3, 12, 30]}
//	{dist: beta, alpha: 2, beta: 5, low: 0, high: 1}  # low, high: 0 and 1 unless given
type DistSpec struct {
	Dist    *string   `yaml:"dist"`
	Value   *float64  `yaml:"value,omitempty"`
	Mean    *float64  `yaml:"mean,omitempty"`
	SD      *float64  `yaml:"sd,omitempty"`
	Median  *float64  `yaml:"median,omitempty"`
	CV      *float64  `yaml:"cv,omitempty"`
	SDLog10 *float64  `yaml:"sd_log10,omitempty"`
	Low     *float64  `yaml:"low,omitempty"`
	High    *float64  `yaml:"high,omitempty"`
	Alpha   *float64  `yaml:"alpha,omitempty"`
	Beta    *float64  `yaml:"beta,omitempty"`
	Values  []float64 `yaml:"values,omitempty"`
	Min     *float64  `yaml:"min,omitempty"`
	Max     *float64  `yaml:"max,omitempty"`
}

// specOf writes a sim.Dist in the scenario's words (log-normal spreads as
// sd_log10).
func specOf(d sim.Dist) *DistSpec {
	s := &DistSpec{Dist: ptr(d.Kind.String())}
	switch d.Kind {
	case sim.DistFixed:
		s.Value = ptr(d.Value)
	case sim.DistNormal:
		s.Mean, s.SD = ptr(d.Mean), ptr(d.SD)
	case sim.DistLogNormal:
		s.Median = ptr(d.Median)
		if cv := math.Sqrt(math.Expm1(d.Sigma * d.Sigma)); math.Abs(cv*100-math.Round(cv*100)) < 1e-9 {
			s.CV = ptr(math.Round(cv*100) / 100)
		} else {
			s.SDLog10 = ptr(d.Sigma / math.Ln10)
		}
	case sim.DistUniform, sim.DistLogUniform:
		s.Low, s.High = ptr(d.Lo), ptr(d.Hi)
	case sim.DistEmpirical:
		s.Values = append([]float64(nil), d.Values...)
	case sim.DistBeta:
		s.Alpha, s.Beta, s.Low, s.High = ptr(d.Alpha), ptr(d.Beta), ptr(d.Lo), ptr(d.Hi)
	}
	if d.Truncated {
		s.Min, s.Max = ptr(d.Min), ptr(d.Max)
	}
	return s
}

// distKeys are the keys each law needs (besides dist, min and max).
var distKeys = map[string][]string{
	"fixed": {"value"}, "normal": {"mean", "sd"}, "lognormal": {"median", "cv or sd_log10"},
	"uniform": {"low", "high"}, "loguniform": {"low", "high"}, "empirical": {"values"},
	"beta": {"alpha", "beta", "low", "high"},
}

// dist turns a spec into a sim.Dist, reporting what is missing or
// superfluous at path.
func (v *validator) dist(path string, s *DistSpec, lo, hi float64, unit string) sim.Dist {
	var d sim.Dist
	if s.Dist == nil {
		v.bad(path+".dist", "missing; name the law: %s", sim.DistKindNames())
		return sim.Fixed(math.NaN())
	}
	k, err := sim.ParseDistKind(*s.Dist)
	if err != nil {
		v.bad(path+".dist", "unknown law %q; allowed: %s", *s.Dist, sim.DistKindNames())
		return sim.Fixed(math.NaN())
	}
	d.Kind = k
	need := distKeys[k.String()]
	v.distExtraKeys(path, s, k, need)
	get := func(key string, p *float64) float64 {
		if p == nil {
			v.bad(path+"."+key, "missing; the %s law needs %s", k, strings.Join(need, ", "))
			return math.NaN()
		}
		return *p
	}
	switch k {
	case sim.DistFixed:
		d.Value = get("value", s.Value)
	case sim.DistNormal:
		d.Mean, d.SD = get("mean", s.Mean), get("sd", s.SD)
	case sim.DistLogNormal:
		d.Median = get("median", s.Median)
		d.Sigma = v.logNormalSigma(path, s)
	case sim.DistUniform, sim.DistLogUniform:
		d.Lo, d.Hi = get("low", s.Low), get("high", s.High)
	case sim.DistBeta:
		d.Alpha, d.Beta, d.Lo, d.Hi = get("alpha", s.Alpha), get("beta", s.Beta), 0, 1
		if s.Low != nil {
			d.Lo = *s.Low
		}
		if s.High != nil {
			d.Hi = *s.High
		}
	case sim.DistEmpirical:
		if len(s.Values) == 0 {
			v.bad(path+".values", "missing; the empirical law needs a list of values")
		}
		d.Values = append([]float64(nil), s.Values...)
	}
	if s.Min != nil || s.Max != nil {
		d.Truncated, d.Min, d.Max = true, math.Inf(-1), math.Inf(1)
		if s.Min != nil {
			d.Min = *s.Min
		}
		if s.Max != nil {
			d.Max = *s.Max
		}
	}
	if len(v.errs) > 0 && v.errs[len(v.errs)-1].Path != "" && strings.HasPrefix(v.errs[len(v.errs)-1].Path, path) {
		return d
	}
	if err := d.Validate(); err != nil {
		v.bad(path, "%v", err)
		return d
	}
	if a, b := d.Range(); a < lo || b > hi {
		v.bad(path, "can give values from %s to %s; must lie in [%s, %s] %s (truncate it with min and max)", num(a), num(b), num(lo), num(hi), unit)
	}
	return d
}

// distExtraKeys reports the parameters given that the law k does not take
// (need lists those it does).
func (v *validator) distExtraKeys(path string, s *DistSpec, k sim.DistKind, need []string) {
	have := map[string]bool{"value": s.Value != nil, "mean": s.Mean != nil, "sd": s.SD != nil, "median": s.Median != nil,
		"cv": s.CV != nil, "sd_log10": s.SDLog10 != nil, "low": s.Low != nil, "high": s.High != nil, "values": len(s.Values) > 0,
		"alpha": s.Alpha != nil, "beta": s.Beta != nil}
	allowed := map[string]bool{}
	for _, n := range need {
		for _, a := range strings.Split(n, " or ") {
			allowed[a] = true
		}
	}
	for _, key := range []string{"value", "mean", "sd", "median", "cv", "sd_log10", "low", "high", "alpha", "beta", "values"} {
		if have[key] && !allowed[key] {
			v.bad(path+"."+key, "not a parameter of the %s law, which takes %s (and min, max to truncate)", k, strings.Join(need, ", "))
		}
	}
}

// logNormalSigma is the natural-log spread of a lognormal law, given as cv
// or as sd_log10 (0 when neither is valid; reported).
func (v *validator) logNormalSigma(path string, s *DistSpec) float64 {
	switch {
	case s.CV != nil && s.SDLog10 != nil:
		v.bad(path+".cv", "give either cv or sd_log10, not both")
	case s.CV != nil:
		if !(*s.CV >= 0) || !finite(*s.CV) {
			v.bad(path+".cv", "must be a coefficient of variation >= 0, got %s", num(*s.CV))
		}
		return math.Sqrt(math.Log1p(*s.CV * *s.CV))
	case s.SDLog10 != nil:
		if !(*s.SDLog10 >= 0) || !finite(*s.SDLog10) {
			v.bad(path+".sd_log10", "must be a log10 standard deviation >= 0, got %s", num(*s.SDLog10))
		}
		return *s.SDLog10 * math.Ln10
	default:
		v.bad(path+".cv", "missing; the lognormal law needs its spread as cv or sd_log10")
	}
	return 0
}

// fillPatient makes the patient section's defaults explicit.
func fillPatient(p *Patient) {
	if p == nil {
		return
	}
	d := sim.DefaultPatient()
	defDist := func(s **DistSpec, v sim.Dist) {
		if *s == nil {
			*s = specOf(v)
		}
	}
	defDist(&p.Lesions, d.Lesions)
	defDist(&p.Burden, d.Burden)
	def(&p.SizeSpread, d.SizeSpread)
	defDist(&p.Occult, d.Occult)
	defDist(&p.OccultSize, d.OccultSize)
	defDist(&p.Growth, d.Growth)
	defDist(&p.Kill, d.Kill)
	defDist(&p.LesionKill, d.LesionKill)
	def(&p.NonDependent, d.NonDependent)
	im := &p.Imaging
	def(&im.CellsPerCm3, d.CellsPerCm3)
	def(&im.VisibleMM, d.VisibleMM)
	def(&im.MinTargetMM, d.MinTargetMM)
	def(&im.MaxTargets, d.MaxTargets)
	def(&im.Confirm, d.Confirm)
	pl := &p.Plasma
	def(&pl.Every, Period(d.Plasma.Every))
	defDist(&pl.ShedFactor, d.Plasma.ShedFactor)
	def(&pl.Assay, "clinical")
	a, ok := sim.PlasmaAssayNamed(*pl.Assay)
	if !ok { // reported by validation; the clinical preset fills the rest
		a, _ = sim.PlasmaAssayNamed("clinical")
	}
	def(&pl.Molecules, a.Molecules)
	def(&pl.Depth, a.Depth)
	def(&pl.MinAlt, a.MinAlt)
	def(&pl.LOD, a.LOD)
	if b := p.Biopsy; b != nil {
		db := sim.DefaultBiopsy()
		if b.At == nil {
			at := []string{}
			for _, t := range db.At {
				at = append(at, t.String())
			}
			b.At = &at
		}
		def(&b.Lesion, db.Lesion.String())
		def(&b.Cells, db.Cells)
		def(&b.Purity, db.Purity)
		def(&b.Depth, db.Depth)
		def(&b.MinAlt, db.MinAlt)
		def(&b.LOD, db.LOD)
	}
}

// validatePatient checks a filled patient section and returns it resolved
// (nil without a section, or when it has errors).
func (v *validator) patient(p *Patient) *sim.PatientConfig {
	if p == nil {
		return nil
	}
	n := len(v.errs)
	pc := &sim.PatientConfig{
		Lesions:      v.dist("patient.lesions", p.Lesions, 1, 1000, "lesions"),
		Burden:       v.dist("patient.burden", p.Burden, 1, maxCells, "cells"),
		Occult:       v.dist("patient.occult", p.Occult, 0, 1000, "lesions"),
		OccultSize:   v.dist("patient.occult_size", p.OccultSize, 1, maxCells, "cells"),
		Growth:       v.dist("patient.growth", p.Growth, 0, 100, "(a factor on birth - death)"),
		Kill:         v.dist("patient.kill", p.Kill, 0, 1000, "(a factor on reactivator emax)"),
		LesionKill:   v.dist("patient.lesion_kill", p.LesionKill, 0, 1000, "(a factor on reactivator emax)"),
		SizeSpread:   *p.SizeSpread,
		NonDependent: *p.NonDependent,
	}
	v.within("patient.size_spread", pc.SizeSpread, 0, 10, "(SD of ln lesion-size weights)")
	v.fraction("patient.non_dependent", pc.NonDependent, "(share of patients)")
	im := p.Imaging
	pc.CellsPerCm3, pc.VisibleMM, pc.MinTargetMM, pc.MaxTargets, pc.Confirm = *im.CellsPerCm3, *im.VisibleMM, *im.MinTargetMM, *im.MaxTargets, *im.Confirm
	v.within("patient.imaging.cells_per_cm3", pc.CellsPerCm3, 1e6, 1e10, "cells per cm^3")
	v.within("patient.imaging.visible_mm", pc.VisibleMM, 0, 100, "mm")
	if v.within("patient.imaging.min_target_mm", pc.MinTargetMM, 0, 200, "mm") && pc.MinTargetMM < pc.VisibleMM {
		v.bad(v.pick("patient.imaging.min_target_mm", "patient.imaging.visible_mm"), "the smallest target lesion (%s mm) must be visible (visible_mm %s)", num(pc.MinTargetMM), num(pc.VisibleMM))
	}
	v.intRange("patient.imaging.max_targets", int64(pc.MaxTargets), 1, 100, "target lesions")
	pl := p.Plasma
	pc.Plasma = sim.PlasmaConfig{
		Every:      float64(*pl.Every),
		ShedFactor: v.dist("patient.plasma.shed_factor", pl.ShedFactor, 0, 1e6, "(a factor on observe.ctdna.shed)"),
		Molecules:  *pl.Molecules, Depth: *pl.Depth, MinAlt: *pl.MinAlt, LOD: *pl.LOD,
	}
	if _, ok := sim.PlasmaAssayNamed(*pl.Assay); !ok {
		names := []string{}
		for _, a := range sim.PlasmaAssays() {
			names = append(names, a.Name)
		}
		v.bad("patient.plasma.assay", "unknown assay %q; allowed: %s%s", *pl.Assay, list(names), suggest(*pl.Assay, names))
	}
	if e := pc.Plasma.Every; e != 0 {
		v.positive("patient.plasma.every", e, minInterval, "days between blood draws; off or 0 for baseline only")
	}
	v.intRange("patient.plasma.molecules", pc.Plasma.Molecules, 1, 1e9, "unique genomes")
	v.intRange("patient.plasma.depth", pc.Plasma.Depth, 1, maxDepth, "reads")
	v.intRange("patient.plasma.min_alt", pc.Plasma.MinAlt, 1, maxDepth, "alt reads")
	v.fraction("patient.plasma.lod", pc.Plasma.LOD, "(observed VAF)")
	pc.Biopsy = v.biopsy(p.Biopsy)
	if len(v.errs) > n {
		return nil
	}
	return pc
}

// biopsy checks a filled patient.biopsy and returns it resolved (nil
// without one).
func (v *validator) biopsy(b *Biopsy) *sim.BiopsyConfig {
	if b == nil {
		return nil
	}
	bc := &sim.BiopsyConfig{Cells: *b.Cells, Purity: *b.Purity, Depth: *b.Depth, MinAlt: *b.MinAlt, LOD: *b.LOD}
	if len(*b.At) == 0 {
		v.bad("patient.biopsy.at", "empty; list when to biopsy, from: %s", list(sim.BiopsyTimeNames()))
	}
	for i, w := range *b.At {
		p := fmt.Sprintf("patient.biopsy.at[%d]", i)
		t, ok := sim.ParseBiopsyTime(w)
		switch {
		case !ok:
			v.bad(p, "unknown time %q; allowed: %s%s", w, list(sim.BiopsyTimeNames()), suggest(w, sim.BiopsyTimeNames()))
		case slices.Contains(bc.At, t):
			v.bad(p, "%s listed twice", w)
		default:
			bc.At = append(bc.At, t)
		}
	}
	if site, ok := sim.ParseBiopsySite(*b.Lesion); ok {
		bc.Lesion = site
	} else {
		v.bad("patient.biopsy.lesion", "unknown lesion choice %q; allowed: %s%s", *b.Lesion, list(sim.BiopsySiteNames()), suggest(*b.Lesion, sim.BiopsySiteNames()))
	}
	v.within("patient.biopsy.cells", bc.Cells, 1, 1e12, "tumour cells sampled")
	if !(bc.Purity > 0 && bc.Purity <= 1) {
		v.bad("patient.biopsy.purity", "must be in (0, 1] (the tumour share of the sample's cells), got %s", num(bc.Purity))
	}
	okDepth := v.intRange("patient.biopsy.depth", bc.Depth, 1, maxDepth, "reads at the locus")
	if v.intRange("patient.biopsy.min_alt", bc.MinAlt, 1, maxDepth, "alt reads needed for a call") && okDepth && bc.MinAlt > bc.Depth {
		v.bad(v.pick("patient.biopsy.min_alt", "patient.biopsy.depth"), "min_alt (%d) exceeds depth (%d): no SNV could ever be called", bc.MinAlt, bc.Depth)
	}
	v.fraction("patient.biopsy.lod", bc.LOD, "(observed VAF)")
	return bc
}
