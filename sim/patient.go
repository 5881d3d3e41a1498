package sim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim/rng"
)

// PatientConfig makes every replicate a virtual trial patient: K
// imaging-visible lesions (and optionally occult ones below imaging
// visibility), each an independent lineage grown from one cell to its own
// size with its own pre-existing resistance, all under the same drug
// exposure, read by RECIST 1.1 on target lesions. Parameters given as a Dist
// are drawn once per patient (or per lesion) from the patient's own stream,
// so a patient depends only on (seed, replicate), never on the worker count
// nor on the treatment arm (common random numbers).
//
// Defaults and their sources (see DefaultPatient): burden and lesion counts
// from Bozic et al. 2013 (eLife 2:e00747, Table 1); log-normal
// between-patient variability as in tumour growth-inhibition models (Claret
// et al. 2009 JCO; Stein et al. 2011 Clin Cancer Res); RECIST 1.1 from
// Eisenhauer et al. 2009 (Eur J Cancer 45:228); plasma from Avanzini et al.
// 2020 with shedding scaled for metastatic disease (an estimate, calibrated
// to Bettegowda 2014 and Adalsteinsson 2017).
type PatientConfig struct {
	// Lesions is the number of imaging-visible lesions at trial entry
	// (rounded to a whole number, at least 1).
	Lesions Dist
	// Burden is the total tumour cells at trial entry, split among the
	// visible lesions.
	Burden Dist
	// SizeSpread is the SD of the natural log of lesion-size weights: a
	// lesion gets the visible minimum plus a share of the rest of the burden
	// proportional to a log-normal weight (0: equal shares).
	SizeSpread float64
	// Occult is the number of lesions below imaging visibility at entry;
	// OccultSize their cells each. One that becomes visible is a new lesion
	// (RECIST progression).
	Occult     Dist
	OccultSize Dist
	// Growth multiplies the untreated net growth rate b - d of every lesion
	// (the death rate moves; the birth rate stays), per patient.
	Growth Dist
	// Kill multiplies the maximal kill (emax) of every reactivator, per
	// patient; LesionKill multiplies it again per lesion.
	Kill       Dist
	LesionKill Dist
	// NonDependent is the share of patients whose tumours do not depend on
	// restored p53 enough to shrink: their reactivator kill is 0.
	NonDependent float64
	// Imaging: cells per cm^3 of tumour (lesions are spheres), the smallest
	// visible diameter (smaller lesions read 0 mm), the smallest target
	// lesion diameter and the most target lesions.
	CellsPerCm3 float64
	VisibleMM   float64
	MinTargetMM float64
	MaxTargets  int
	// Confirm requires a response (PR or CR) to be seen again at the next
	// scan for it to count as the best overall response (confirmed BOR).
	Confirm bool
	// Plasma draws (tumour fraction, the truncal Y220C marker and the
	// resistance SNVs).
	Plasma PlasmaConfig
	// Biopsy, if set, takes tissue biopsies (biopsy.go); nil: none.
	Biopsy *BiopsyConfig
	// Vary draws model parameters per patient or lesion; Correlations
	// couple per-patient draws (patient_vary.go).
	Vary         []VaryParam
	Correlations []Correlation
}

// PlasmaConfig is the blood test of a trial patient: every lesion's dying
// cells shed Shed x ShedFactor genome equivalents each (CTDNAConfig.Shed,
// HalfLife and NormalGE are the shared constants); the assay reads at most
// Molecules unique genomes (cfDNA input) at Depth reads.
type PlasmaConfig struct {
	Every      float64 // days between draws (0 or negative: baseline only)
	ShedFactor Dist    // per patient, multiplies CTDNAConfig.Shed
	Molecules  int64   // unique haploid genomes in the assay's input (~5000 for 15 ng)
	Depth      int64   // sequencing depth (reads at the locus)
	MinAlt     int64   // alt reads needed for a call
	LOD        float64 // observed VAF needed for a call
}

// A PlasmaAssay is a preset of the assay's input and reads
// (PlasmaConfig.Molecules, Depth, MinAlt, LOD).
type PlasmaAssay struct {
	Name      string
	Molecules int64
	Depth     int64
	MinAlt    int64
	LOD       float64
}

// PlasmaAssays are the assay presets (patient.plasma.assay):
//
//   - clinical: a clinical cfDNA panel on about 15 ng of input, about 5000
//     unique haploid genomes (3.3 pg each), read at 5000x after
//     deduplication, 5 alt reads and 0.1% VAF for a call: the default
//     patient's assay (Bettegowda 2014; Adalsteinsson 2017 for input).
//   - research: an error-corrected research assay on about 60 ng of input
//     (20,000 unique genomes), 20,000x after deduplication, 3 alt reads and
//     0.02% VAF for a call: ESTIMATES in the range reported for
//     error-suppressed deep sequencing (Newman 2016 Nat Biotechnol
//     34:547, iDES CAPP-Seq; Phallen 2017 Sci Transl Med 9:eaan2415,
//     TEC-Seq), not a specific product.
func PlasmaAssays() []PlasmaAssay {
	return []PlasmaAssay{
		{Name: "clinical", Molecules: 5000, Depth: 5000, MinAlt: 5, LOD: 0.001},
		{Name: "research", Molecules: 20000, Depth: 20000, MinAlt: 3, LOD: 0.0002},
	}
}

// PlasmaAssayNamed returns the preset called name.
func PlasmaAssayNamed(name string) (PlasmaAssay, bool) {
	for _, a := range PlasmaAssays() {
		if a.Name == name {
			return a, true
		}
	}
	return PlasmaAssay{}, false
}

// DefaultPatient is the calibrated default virtual trial patient: the
// between-patient spreads and the shedding factor are estimates fitted to
// the clinic's targets (calibrate/trial-targets.json; p53evo calibrate).
func DefaultPatient() PatientConfig {
	return PatientConfig{
		// Bozic 2013: 1-30 visible lesions, median ~12 (22 patients); a
		// log-normal fit (estimate).
		Lesions: LogNormal10(12, 0.35).Truncate(1, 30),
		// Bozic 2013: 9e8-3e11 cells, log-normal fit median 5e10, log10 SD 0.7.
		Burden:     LogNormal10(5e10, 0.7).Truncate(9e8, 3e11),
		SizeSpread: 1,
		Occult:     Fixed(0),
		OccultSize: Dist{Kind: DistLogUniform, Lo: 1e5, Hi: 1e7},
		// between-patient spread of growth and kill: log-normal, as in tumour
		// growth-inhibition models (Claret 2009; Stein 2011, CVs of 0.5-1).
		// Every median and CV here is an ESTIMATE calibrated to the trial
		// targets (p53evo calibrate): net growth median 2.2 x (b - d) =
		// 0.022/day, CV 0.45, sets the median duration of response; kill
		// median 0.62 x emax, CV 0.4, sets the ORR and, with Hill 4 in the
		// trial scenarios, the phase 1 dose response; the per-lesion kill
		// (CV 0.5) on top gives a lesion's kill a total CV of about 0.66.
		// With kill CV 1 (and growth CV 0.6) too many patients had kill far
		// below growth and progressed together at the first scan (29% of
		// progressions on day 56); CVs of 0.4-0.45 spread progressions over
		// scans (at most 14% on one).
		Growth:       LogNormalCV(2.2, 0.45).Truncate(0.2, 8),
		Kill:         LogNormalCV(0.62, 0.4).Truncate(0.01, 10),
		LesionKill:   LogNormalCV(1, 0.5).Truncate(0.1, 10),
		NonDependent: 0,
		CellsPerCm3:  1e9,
		VisibleMM:    5,
		MinTargetMM:  10,
		MaxTargets:   5,
		Confirm:      true,
		Plasma: PlasmaConfig{
			Every: 28,
			// ESTIMATE: metastatic cohorts imply 5-15x Avanzini 2020's
			// early-stage shedding per death; median 8 (log10 SD 0.5) puts
			// baseline tumour fraction >= 10% in about a third of patients
			// (Adalsteinsson 2017: 34%).
			ShedFactor: LogNormal10(8, 0.5).Truncate(0.1, 200),
			Molecules:  5000, // the clinical assay (PlasmaAssays)
			Depth:      5000,
			MinAlt:     5,
			LOD:        0.001,
		},
	}
}

// Validate reports impossible settings, naming the field.
func (p *PatientConfig) Validate() error {
	var errs []error
	dist := func(name string, d *Dist, lo, hi float64) {
		if err := d.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("patient.%s: %w", name, err))
			return
		}
		if a, b := d.Range(); a < lo || b > hi {
			errs = append(errs, fmt.Errorf("patient.%s: values from %g to %g possible, must lie in [%g, %g] (truncate it with min and max)", name, a, b, lo, hi))
		}
	}
	dist("lesions", &p.Lesions, 1, 1000)
	dist("burden", &p.Burden, 1, 1e14)
	dist("occult", &p.Occult, 0, 1000)
	dist("occult_size", &p.OccultSize, 1, 1e14)
	dist("growth", &p.Growth, 0, 100)
	dist("kill", &p.Kill, 0, 1e3)
	dist("lesion_kill", &p.LesionKill, 0, 1e3)
	dist("plasma.shed_factor", &p.Plasma.ShedFactor, 0, 1e6)
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	if !(p.SizeSpread >= 0) || p.SizeSpread > 10 {
		bad("patient.size_spread %v: must be in [0, 10]", p.SizeSpread)
	}
	if !(p.NonDependent >= 0 && p.NonDependent <= 1) {
		bad("patient.non_dependent %v: must be a share in [0, 1]", p.NonDependent)
	}
	if !(p.CellsPerCm3 >= 1e6 && p.CellsPerCm3 <= 1e10) {
		bad("patient.cells_per_cm3 %v: must be in [1e6, 1e10]", p.CellsPerCm3)
	}
	if !(p.VisibleMM >= 0 && p.VisibleMM <= 100) {
		bad("patient.visible_mm %v: must be in [0, 100]", p.VisibleMM)
	}
	if !(p.MinTargetMM >= p.VisibleMM && p.MinTargetMM <= 200) {
		bad("patient.min_target_mm %v: must be in [visible_mm (%v), 200]", p.MinTargetMM, p.VisibleMM)
	}
	if p.MaxTargets < 1 || p.MaxTargets > 100 {
		bad("patient.max_targets %d: must be in [1, 100]", p.MaxTargets)
	}
	pl := &p.Plasma
	if math.IsNaN(pl.Every) || math.IsInf(pl.Every, 0) {
		bad("patient.plasma.every %v: must be a finite number of days", pl.Every)
	}
	if pl.Molecules < 1 || pl.Depth < 1 || pl.MinAlt < 1 {
		bad("patient.plasma: molecules %d, depth %d and min_alt %d must be at least 1", pl.Molecules, pl.Depth, pl.MinAlt)
	}
	if !(pl.LOD >= 0 && pl.LOD <= 1) {
		bad("patient.plasma.lod %v: must be in [0, 1]", pl.LOD)
	}
	if p.Biopsy != nil {
		if err := p.Biopsy.Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// cellsOfDiameter is the cells of a spherical lesion of diameter mm.
func (p *PatientConfig) cellsOfDiameter(mm float64) float64 {
	r := mm / 20 // cm
	return p.CellsPerCm3 * 4 / 3 * math.Pi * r * r * r
}

// Diameter is the longest diameter (mm) of a spherical lesion of n cells,
// as imaging reads it: 0 below VisibleMM.
func (p *PatientConfig) Diameter(n int64) float64 {
	v := float64(n) / p.CellsPerCm3
	d := 10 * math.Cbrt(6*v/math.Pi)
	if d < p.VisibleMM {
		return 0
	}
	return d
}

// PatientResult is what a virtual trial patient adds to a replicate.
type PatientResult struct {
	// draws
	Lesions, Occult int
	Burden          float64 // drawn total burden, cells
	GrowthMult      float64
	KillMult        float64 // 0 for a non-dependent patient
	NonDependent    bool
	ShedFactor      float64
	Redraws         int // patients drawn again for want of a measurable lesion

	Targets      int
	BaselineSum  float64 // sum of target diameters at baseline, mm
	NadirSum     float64 // smallest sum before progression, mm
	BestPct      float64 // best (lowest) % change of the sum from baseline, up to the first progression
	ResponseTime float64 // first scan of the (confirmed) best response PR/CR; NaN if none
	DoR          float64 // duration of response: TTP - ResponseTime; NaN unless both
	NewLesion    bool    // progression called on a new lesion

	// plasma at baseline
	BaselineTF       float64 // tumour fraction of cfDNA
	BaselineVAF      float64 // true VAF of Y220C (the truncal marker)
	BaselineDetected bool    // the assay calls Y220C at baseline

	// distinct resistance SNVs called up to the first progression (all
	// follow-up without one), by class: in plasma draws and in tissue
	// biopsies (an SNV called in several draws, lesions or biopsies counts
	// once)
	PlasmaSNVs, TissueSNVs [model.NumClasses]int

	LesionRows []LesionResult
	Scans      []ScanRow
	Biopsies   []BiopsyRow // tissue biopsies: every resistance SNV with sampled carriers
	Draws      []ParamDraw // the patient's and its lesions' draws of PatientConfig.Vary
}

// LesionResult is one lesion of a patient.
type LesionResult struct {
	Lesion        int
	Occult        bool
	KillMult      float64 // lesion's own factor (times the patient's)
	Attempts      int
	GrowthDays    float64
	Start         [model.NumClasses]int64
	StartDiameter float64 // mm
	Target        bool
	Nadir         int64 // smallest cells at a scan
	NadirTime     float64
	Final         [model.NumClasses]int64
	Visible       float64 // first scan time an occult lesion is visible (NaN if never)
	ClonesBorn    int64
	Progressed    float64 // first scan the lesion itself progressed (LesionProgressed); NaN if never
	NadirMM       float64 // diameter at the nadir, mm
}

// ScanRow is one scan of a patient: the sum of target diameters.
type ScanRow struct {
	Time     float64
	SumMM    float64
	Pct      float64 // change from the line's baseline sum, %
	Response Response
	Total    int64 // visible cells

	NadirMM   float64 // smallest sum of the line before this scan (baseline included): the reference for progression, mm
	NewLesion bool    // a lesion not seen before became visible at this scan
}

// patientKey keys patient streams apart from single-lesion replicates.
const patientKey = 0x7061_7469_656e_7400 // "patient"

// recorded is the exposure of one step, recorded once from the therapy so
// every lesion sees the same piecewise-constant concentrations (a policy is
// advanced only once per step).
type recorded struct {
	start []float64
	next  []float64
	conc  []float64
	nd    int
}

func (r *recorded) record(e Exposure, t0, t1 float64, nd int, buf []float64) {
	r.start, r.next, r.conc, r.nd = r.start[:0], r.next[:0], r.conc[:0], nd
	for t := t0; t < t1; {
		next := e.Conc(t, buf)
		if !(next > t) {
			next = t1
		}
		r.start = append(r.start, t)
		r.next = append(r.next, next)
		r.conc = append(r.conc, buf[:nd]...)
		t = next
	}
}

func (r *recorded) Conc(t float64, c []float64) float64 {
	i, _ := slices.BinarySearch(r.start, t)
	if i == len(r.start) || r.start[i] > t {
		i--
	}
	if i < 0 {
		i = 0
	}
	copy(c, r.conc[i*r.nd:(i+1)*r.nd])
	return r.next[i]
}

// lesion is one lesion's state during a patient.
type lesion struct {
	tm     *Tumor
	m      model.Model
	occult bool
	size   float64
	seen   bool // visible at the line's baseline or since
}

type patientState struct {
	lesions []*lesion
	rec     recorded
	buf     []float64
	tally   snvTally // plasma: SNVs summed over the lesions
	tissue  snvTally // a biopsy's SNVs
	bioRNG  rng.Stream
	// distinct resistance SNVs called so far (by name), in plasma and in
	// tissue, and whether they still count (up to progression)
	plasmaSNV, tissueSNV calledSet
}

// calledSet is the distinct resistance SNVs called in a patient, by class.
type calledSet struct {
	open  bool // still counting (before the first progression)
	seen  map[string]bool
	count [model.NumClasses]int
}

func (c *calledSet) reset() {
	c.open = true
	clear(c.seen)
	c.count = [model.NumClasses]int{}
}

// note counts SNV name of class if it was called, is a resistance SNV, is
// new and c is open.
func (c *calledSet) note(name string, class model.Class, called bool) {
	if !c.open || !called || class == model.Sensitive || c.seen[name] {
		return
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	c.seen[name] = true
	c.count[class]++
}

// countCalled adds the called resistance SNVs among rows to set c.
func (ps *patientState) countCalled(rows []CTDNARow, c *calledSet) {
	for i := range rows {
		c.note(rows[i].Mutation, rows[i].Class, rows[i].Called)
	}
}

func (ps *patientState) close() {
	for _, l := range ps.lesions {
		l.tm.Close()
	}
	ps.lesions = ps.lesions[:0]
}

// drawPatient draws the patient's parameters and lesion sizes.
func (rp *Replicator) drawPatient(rep int, pr *PatientResult) (sizes []float64, occult int, lkill []float64) {
	pc := rp.cfg.Patient
	r := rng.New(rp.cfg.Seed, uint64(rep), patientKey)
	visible := pc.cellsOfDiameter(pc.VisibleMM)
	target := pc.cellsOfDiameter(pc.MinTargetMM)
	for try := 0; ; try++ {
		k := max(1, int(math.Round(pc.Lesions.Sample(&r))))
		b := pc.Burden.Sample(&r)
		if float64(k)*visible > b {
			k = max(1, int(b/visible))
		}
		sizes = sizes[:0]
		wsum := 0.0
		for i := 0; i < k; i++ {
			w := math.Exp(pc.SizeSpread * r.Normal())
			sizes = append(sizes, w)
			wsum += w
		}
		rest := max(0, b-float64(k)*visible)
		big := 0.0
		for i := range sizes {
			sizes[i] = math.Round(visible + rest*sizes[i]/wsum)
			big = max(big, sizes[i])
		}
		if big >= target || try >= 1000 {
			pr.Lesions, pr.Burden, pr.Redraws = k, b, try
			break
		}
	}
	// the same number of uniforms whatever the values drawn: arms that
	// differ in a law's parameters see the same patients
	pr.GrowthMult, pr.KillMult = rp.growthKill(&r)
	pr.NonDependent = r.Float64() < pc.NonDependent
	if pr.NonDependent {
		pr.KillMult = 0
	}
	pr.ShedFactor = pc.Plasma.ShedFactor.Sample(&r)
	occult = max(0, int(math.Round(pc.Occult.Sample(&r))))
	pr.Occult = occult
	for i := 0; i < occult; i++ {
		sizes = append(sizes, math.Max(1, math.Round(pc.OccultSize.Sample(&r))))
	}
	for range sizes {
		lkill = append(lkill, pc.LesionKill.Sample(&r))
	}
	rp.drawVary(&r, pr, len(sizes))
	return sizes, occult, lkill
}

// lesionModel is the patient's biology for one lesion.
func lesionModel(base *model.Model, growth, kill float64) model.Model {
	m := *base
	r0 := base.Birth - base.Death
	m.Death = max(0, base.Birth-r0*growth)
	m.Drugs = slices.Clone(base.Drugs)
	for i := range m.Drugs {
		if m.Drugs[i].Target == model.Reactivator {
			m.Drugs[i].Emax *= kill
		}
	}
	return m
}

// checkLesion is Replicator.check for a patient's lesion (or, during
// treatment, for all of them: clones and genotype tables summed over the
// lesions, since each lesion holds its own).
func (rp *Replicator) checkLesion(rep int, tm *Tumor, clones, genos, shapes int) error {
	g := &rp.guard
	if g.done != nil {
		select {
		case <-g.done:
			return fmt.Errorf("replicate %d stopped at %s: %w", rep, dayText(tm.Time()), context.Cause(g.ctx))
		default:
		}
	}
	if g.step != nil {
		g.step(rep, tm.Time(), clones)
	}
	if m := rp.cfg.MaxClones; m > 0 && max(clones, GenotypeWeight*shapes+genos) > m {
		return &CloneLimitError{Replicate: rep, Day: tm.Time(), Clones: clones, Genotypes: genos, Shapes: shapes, Total: tm.Total(), Limit: m}
	}
	return nil
}

// growLesion grows lesion l from one cell until it first reaches its size,
// replacing founders whose lineage dies out.
func (rp *Replicator) growLesion(rep, li int, l *lesion, lr *LesionResult) error {
	cfg := rp.cfg
	tm := l.tm
	for attempt := 1; ; attempt++ {
		if attempt > cfg.MaxAttempts {
			return fmt.Errorf("replicate %d lesion %d: %w after %d attempts", rep, li, ErrNoDetection, cfg.MaxAttempts)
		}
		s := rng.New(cfg.Seed, uint64(rep), patientKey, uint64(li), uint64(attempt))
		tm.Reset(s.Uint64(), cfg.Founder, 0)
		lr.Attempts = attempt
		for tm.Total() > 0 && float64(tm.Total()) < l.size {
			if err := rp.checkLesion(rep, tm, tm.Clones(), len(tm.genos), len(tm.shapes)); err != nil {
				return err
			}
			tm.Advance(tm.Time()+rp.growthStep(tm, cfg.GrowthGrid, l.size), NoDrug{})
		}
		if tm.Total() > 0 {
			lr.GrowthDays = tm.Time()
			tm.Shift(-tm.Time())
			return nil
		}
	}
}

// tumorRates are the largest untreated net growth rate and the largest
// birth plus death rate among tm's live clones (over the phenotypes that
// the last reset or step end marked live).
func tumorRates(tm *Tumor) (r, bd float64) {
	r = math.Inf(-1)
	for i := range tm.phenos {
		ph := &tm.phenos[i]
		if ph.live != tm.liveMark {
			continue
		}
		p := &ph.p
		r = max(r, p.Birth-p.Death)
		bd = max(bd, p.Birth+p.Death)
	}
	return r, bd
}

// plasmaDraw is one blood test of a patient: the truncal Y220C marker.
type plasmaDraw struct {
	tf, vaf  float64
	alt, eff int64
	called   bool
}

// plasmaAssay is the assay of a patient's draws: shedding scaled by the
// patient's factor, min(Depth, Molecules) reads of unique genomes.
func (rp *Replicator) plasmaAssay(shed float64) assay {
	cfg := rp.cfg
	pc := &cfg.Patient.Plasma
	a := singleAssay(&cfg.CTDNA, &cfg.Model)
	tau := cfg.CTDNA.HalfLife / (60 * 24) / math.Ln2
	a.ge = cfg.CTDNA.Shed * shed * tau
	a.depth, a.minAlt, a.lod = min(pc.Depth, pc.Molecules), pc.MinAlt, pc.LOD
	return a
}

// plasma sequences a patient's blood at time t: every lesion's dying cells
// shed Shed x ShedFactor genome equivalents, which stay HalfLife/ln 2 on
// average (Avanzini et al. 2020); the tumour fraction is
// TF = T / (T + NormalGE). First the truncal Y220C marker, which every
// tumour cell carries on each of its c copies: VAF = c TF / (c TF + 2 (1 -
// TF)) = c T / (c T + 2 NormalGE); then every resistance SNV, its carriers
// summed over the lesions (Tumor.draw's formula), in the order the lesions
// first meet them. The assay reads min(Depth, Molecules) unique genomes;
// alt reads are binomial in the VAF. Rows go to out, the marker's always.
func (rp *Replicator) plasma(ps *patientState, shed float64, conc []float64, t float64, r *rng.Stream, out []CTDNARow) ([]CTDNARow, plasmaDraw, drawResult) {
	cfg := rp.cfg
	pc := &cfg.Patient.Plasma
	ps.tally.reset(&cfg.Model)
	for _, l := range ps.lesions {
		l.tm.tally(conc, &ps.tally)
	}
	a := rp.plasmaAssay(shed)
	tf := a.tumourFraction(ps.tally.total)
	d := plasmaDraw{tf: tf, vaf: a.copies * tf / (a.copies*tf + 2*(1-tf))}
	d.eff = a.depth
	d.alt = r.Binomial(d.eff, min(1, d.vaf))
	d.called = d.alt >= pc.MinAlt && float64(d.alt) >= pc.LOD*float64(d.eff)
	out = append(out, CTDNARow{Time: t, Mutation: "Y220C", Class: model.Sensitive, TrueVAF: d.vaf, AltReads: d.alt, Depth: d.eff, Called: d.called, TumourFraction: tf})
	first := len(out)
	out, res := ps.tally.read(&cfg.Model, &a, t, r, out)
	ps.countCalled(out[first:], &ps.plasmaSNV)
	return out, d, res
}

// runPatient simulates replicate rep as a virtual trial patient.
func (rp *Replicator) runPatient(rep int, res *Result) error {
	cfg := rp.cfg
	pc := cfg.Patient
	res.reset(rep)
	if res.Patient == nil {
		res.Patient = new(PatientResult)
	}
	pr := res.Patient
	*pr = PatientResult{LesionRows: pr.LesionRows[:0], Scans: pr.Scans[:0], Biopsies: pr.Biopsies[:0], Draws: pr.Draws[:0]}
	pr.ResponseTime, pr.DoR = math.NaN(), math.NaN()
	if rp.pat == nil {
		rp.pat = &patientState{buf: make([]float64, MaxDrugs)}
	}
	ps := rp.pat
	defer ps.close()
	sizes, occult, lkill := rp.drawPatient(rep, pr)
	ss := rng.New(cfg.Seed, uint64(rep), patientKey, 1)
	res.Stream = ss.Uint64()
	nvis := len(sizes) - occult
	for i, s := range sizes {
		l := &lesion{size: s, occult: i >= nvis}
		l.m = lesionModel(rp.lesionBase(pr, i), pr.GrowthMult, pr.KillMult*lkill[i])
		// every patient has blood drawn (at baseline at least), which reads
		// resistance SNVs: merged lesions keep one clone per SNV genotype
		// (NewTumor keys genotypes by entry only with one clone per lineage)
		l.tm = NewTumor(&l.m, cfg.Engine)
		ps.lesions = append(ps.lesions, l)
		lr := LesionResult{Lesion: i, Occult: l.occult, KillMult: lkill[i], Visible: math.NaN(), NadirTime: 0, Progressed: math.NaN()}
		if err := rp.growLesion(rep, i, l, &lr); err != nil {
			return err
		}
		lr.Start = l.tm.Counts()
		lr.Nadir = l.tm.Total()
		lr.StartDiameter = pc.Diameter(l.tm.Total())
		res.Attempts += lr.Attempts
		res.GrowthDays = max(res.GrowthDays, lr.GrowthDays)
		pr.LesionRows = append(pr.LesionRows, lr)
	}
	// target lesions: up to MaxTargets of the largest visible ones >= MinTargetMM
	order := make([]int, 0, nvis)
	for i := 0; i < nvis; i++ {
		order = append(order, i)
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return -cmpF(pr.LesionRows[a].StartDiameter, pr.LesionRows[b].StartDiameter)
	})
	for _, i := range order {
		if pr.Targets < pc.MaxTargets && pr.LesionRows[i].StartDiameter >= pc.MinTargetMM {
			pr.LesionRows[i].Target = true
			pr.Targets++
		}
	}
	for i, l := range ps.lesions {
		l.seen = pr.LesionRows[i].StartDiameter > 0
	}
	for _, l := range ps.lesions {
		c := l.tm.Counts()
		for k := range c {
			res.AtStart[k] += c[k]
		}
	}
	if cfg.StopAtDetection {
		res.Final = res.AtStart
		rp.finishPatient(res)
		return nil
	}
	if err := rp.treatPatient(res); err != nil {
		return err
	}
	rp.finishPatient(res)
	return nil
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// finishPatient sums the lesions into the replicate's result and gives
// clone ids an offset per lesion so they stay unique within the replicate.
func (rp *Replicator) finishPatient(res *Result) {
	ps := rp.pat
	pr := res.Patient
	off := int64(0)
	res.Final = [model.NumClasses]int64{}
	for i, l := range ps.lesions {
		tm := l.tm
		lr := &pr.LesionRows[i]
		lr.Final = tm.Counts()
		lr.ClonesBorn = tm.Born()
		for k := range lr.Final {
			res.Final[k] += lr.Final[k]
		}
		res.ClonesBorn += tm.Born()
		for _, c := range tm.Records() {
			c.ID += off
			if c.Parent >= 0 {
				c.Parent += off
			}
			res.Clones = append(res.Clones, c)
			if c.Class != model.Sensitive && (math.IsNaN(res.FirstResistantBirth) || c.Born < res.FirstResistantBirth) {
				res.FirstResistantBirth = c.Born
			}
		}
		off += tm.Born()
	}
	rp.patientRecords(res)
	res.EndTime = 0
	if len(ps.lesions) > 0 {
		res.EndTime = ps.lesions[0].tm.Time()
	}
	res.Events = append(res.Events, Event{Time: res.EndTime, Kind: "end", Detail: res.Outcome.String()})
}

// patientPoint records the sum of the lesions on the trajectory.
func (rp *Replicator) patientPoint(tr []TrajPoint, t float64) []TrajPoint {
	var p TrajPoint
	p.Time = t
	for _, l := range rp.pat.lesions {
		c := l.tm.Counts()
		p.Total += l.tm.Total()
		p.Sensitive += c[model.Sensitive]
		p.TALoss += c[model.ClassTALoss]
		p.Pocket += c[model.ClassPocket]
	}
	rp.therapy.Conc(t, rp.conc)
	copy(p.Conc[:], rp.conc)
	return append(tr, p)
}

// treatPatient runs the treatment of a patient: each step's exposure is
// recorded once and applied to every lesion; scans apply RECIST 1.1 to the
// target lesions; blood draws read the truncal marker.
func (rp *Replicator) treatPatient(res *Result) error {
	cfg := rp.cfg
	ps := rp.pat
	var pt patientTreatment
	rp.startPatientTreatment(&pt, res)
	for {
		if err := rp.checkPatient(res.Replicate); err != nil {
			return err
		}
		if pt.over() {
			break
		}
		t1 := min(pt.t+cfg.Step, pt.nextGrid, pt.nextScan, pt.nextDraw, pt.end)
		ps.rec.record(rp.therapy, pt.t, t1, len(cfg.Model.Drugs), ps.buf)
		for _, l := range ps.lesions {
			l.tm.Advance(t1, &ps.rec)
		}
		t := t1
		pt.t = t
		pt.phases.log("schedule", t)
		if t >= pt.nextDraw {
			pt.nextDraw += cfg.Patient.Plasma.Every
			pt.draw(t, rp.concAt(t))
		}
		if t >= pt.nextScan && pt.stopping {
			pt.nextScan += cfg.Scan
		} else if t >= pt.nextScan {
			pt.nextScan += cfg.Scan
			pt.scan()
		}
		if t >= pt.nextGrid {
			pt.gridPoint()
		}
	}
	pt.finish()
	return nil
}

// patientTreatment is the state of a patient's treatment
// (Replicator.treatPatient) between steps.
type patientTreatment struct {
	rp     *Replicator
	res    *Result
	pr     *PatientResult
	ps     *patientState
	pc     *PatientConfig
	phases phaseLog
	t      float64
	// the current line's baseline and nadir: visible cells and the sum of
	// the target lesions' diameters
	baseCells, nadirCells int64
	baseSum, nadirSum     float64
	// lineProgressed: the progression that ended treatment has been seen;
	// stopping: scans stop
	lineProgressed, stopping     bool
	end                          float64
	nextGrid, nextScan, nextDraw float64
	lastCalled                   [model.NumClasses]int // ctDNA calls of the last draw
	obsRNG                       rng.Stream
	// confirmation: the first scan of a response waiting for the next one
	pendResp Response
	pendTime float64
}

// startPatientTreatment resets the therapy, records the detection, the
// baseline plasma and the baseline biopsies, and sets pt for the first
// step.
func (rp *Replicator) startPatientTreatment(pt *patientTreatment, res *Result) {
	cfg := rp.cfg
	ps := rp.pat
	pr := res.Patient
	rp.therapy.Reset()
	*pt = patientTreatment{rp: rp, res: res, pr: pr, ps: ps, pc: cfg.Patient, phases: newPhaseLog(res, rp.therapy, false)}
	pt.obsRNG = rng.Derive(res.Stream, 1<<63)
	n0, vis0 := pt.total()
	pt.baseCells, pt.nadirCells = vis0, vis0
	pt.baseSum = pt.sumTargets()
	pr.BaselineSum, pr.NadirSum = pt.baseSum, pt.baseSum
	pt.nadirSum = pt.baseSum
	res.Events = append(res.Events, Event{Time: 0, Kind: "detection", Detail: fmt.Sprintf("burden=%d lesions=%d targets=%d sum_mm=%.1f", n0, pr.Lesions, pr.Targets, pt.baseSum)})
	pt.phases.log("start", 0)
	res.Trajectory = rp.patientPoint(res.Trajectory[:0], 0)
	ps.plasmaSNV.reset()
	ps.tissueSNV.reset()
	// baseline plasma: drawn before the first dose (untreated death rates)
	clear(ps.buf)
	d := pt.draw(0, ps.buf[:len(cfg.Model.Drugs)])
	pr.BaselineTF, pr.BaselineVAF, pr.BaselineDetected = d.tf, d.vaf, d.called
	// biopsies: their own stream, so they change nothing else
	ps.bioRNG = rng.Derive(res.Stream, biopsyKey)
	rp.biopsy(BiopsyBaseline, 0, pr, &ps.bioRNG)
	pt.end = cfg.Horizon
	pt.nextGrid, pt.nextScan = cfg.Grid, cfg.Scan
	pt.nextDraw = math.Inf(1)
	if pt.pc.Plasma.Every > 0 {
		pt.nextDraw = pt.pc.Plasma.Every
	}
	res.BestResponse = ResponseNone
	pr.BestPct = math.NaN()
	pt.pendResp, pt.pendTime = ResponseNone, math.NaN()
}

// total is the patient's cells, and those in lesions visible on a scan.
func (pt *patientTreatment) total() (n int64, visible int64) {
	for _, l := range pt.ps.lesions {
		n += l.tm.Total()
		if pt.pc.Diameter(l.tm.Total()) > 0 {
			visible += l.tm.Total()
		}
	}
	return
}

// sumTargets is the sum of the target lesions' diameters (mm).
func (pt *patientTreatment) sumTargets() float64 {
	s := 0.0
	for i, l := range pt.ps.lesions {
		if pt.pr.LesionRows[i].Target {
			s += pt.pc.Diameter(l.tm.Total())
		}
	}
	return s
}

// draw reads the patient's blood at t under conc, and lets the therapy see
// the calls.
func (pt *patientTreatment) draw(t float64, conc []float64) plasmaDraw {
	rp, res := pt.rp, pt.res
	var d plasmaDraw
	var dr drawResult
	res.CTDNA, d, dr = rp.plasma(pt.ps, pt.pr.ShedFactor, conc, t, &pt.obsRNG, res.CTDNA)
	pt.lastCalled = dr.called
	if math.IsNaN(res.FirstCTDNACall) && dr.called[model.ClassTALoss]+dr.called[model.ClassPocket] > 0 {
		res.FirstCTDNACall = t
		res.Events = append(res.Events, Event{Time: t, Kind: "ctdna-call", Detail: fmt.Sprintf("ta-loss=%d pocket=%d", dr.called[model.ClassTALoss], dr.called[model.ClassPocket])})
	}
	_, vis := pt.total()
	if rp.therapy.Observe(Observation{Kind: ObserveDraw, Time: t, Total: vis, Baseline: pt.baseCells, Nadir: pt.nadirCells, CalledVAF: dr.calledVAF}) {
		pt.phases.log("ctdna", t)
	}
	return d
}

// over reports whether the patient's treatment ends now: cure, a lethal
// burden or the end of the treatment; it records the outcome.
func (pt *patientTreatment) over() bool {
	rp, res, pr, t := pt.rp, pt.res, pt.pr, pt.t
	n, _ := pt.total()
	if n == 0 {
		res.Outcome = Cured
		if math.IsNaN(res.TTP) {
			// every cell is gone for good: a complete response that
			// any later scan would confirm
			if math.IsNaN(pr.ResponseTime) {
				pr.ResponseTime = t
			}
			res.BestResponse = CR
		}
		res.Events = append(res.Events, Event{Time: t, Kind: "cured"})
		return true
	}
	if float64(n) >= rp.cfg.Lethal {
		res.lethal(t, n, func() { rp.patientAtProgression(res, pt.lastCalled) })
		return true
	}
	if t >= pt.end {
		res.atHorizon()
		return true
	}
	return false
}

// scanLesions updates each lesion's nadir and visibility at a scan; it
// reports whether a lesion became visible for the first time (a new
// lesion) and whether none is visible.
func (pt *patientTreatment) scanLesions() (newLesion, allGone bool) {
	allGone = true
	for i, l := range pt.ps.lesions {
		lr := &pt.pr.LesionRows[i]
		nl := l.tm.Total()
		if nl < lr.Nadir {
			lr.Nadir, lr.NadirTime = nl, pt.t
		}
		if pt.pc.Diameter(nl) > 0 {
			allGone = false
			if !l.seen {
				l.seen = true
				newLesion = true
				if math.IsNaN(lr.Visible) {
					lr.Visible = pt.t
				}
			}
		}
	}
	return newLesion, allGone
}

// scan measures the lesions, applies RECIST 1.1, updates the best
// response, the nadir and the progression, and shows the scan to the
// therapy.
func (pt *patientTreatment) scan() {
	rp, res, pr, t, cfg := pt.rp, pt.res, pt.pr, pt.t, pt.rp.cfg
	_, vis := pt.total()
	sum := pt.sumTargets()
	newLesion, allGone := pt.scanLesions()
	pct := 0.0
	if pt.baseSum > 0 {
		pct = 100 * (sum - pt.baseSum) / pt.baseSum
	}
	// progression from the line's baseline sum instead of the
	// nadir: Config.ProgressionFromBaseline (adaptive therapy)
	ref := pt.nadirSum
	if cfg.ProgressionFromBaseline {
		ref = pt.baseSum
	}
	resp := RECIST(sum, pt.baseSum, ref, newLesion, allGone)
	if pt.lineProgressed && resp == PD {
		resp = SD // after the progression that ended treatment: follow-up only
	}
	pr.Scans = append(pr.Scans, ScanRow{Time: t, SumMM: sum, Pct: pct, Response: resp, Total: vis, NadirMM: pt.nadirSum, NewLesion: newLesion})
	rp.lesionScan(pr, t)
	res.Events = append(res.Events, Event{Time: t, Kind: "scan", Detail: fmt.Sprintf("burden=%d sum_mm=%.1f change=%.1f%% response=%s", vis, sum, pct, resp)})
	if math.IsNaN(res.TTP) {
		if math.IsNaN(pr.BestPct) || pct < pr.BestPct {
			pr.BestPct = pct
		}
		rp.bestResponse(res, resp, t, &pt.pendResp, &pt.pendTime)
	}
	newProg := resp == PD
	if newProg {
		res.Events = append(res.Events, Event{Time: t, Kind: "progression", Detail: fmt.Sprintf("sum_mm=%.1f nadir_mm=%.1f new_lesion=%t", sum, pt.nadirSum, newLesion)})
		if math.IsNaN(res.TTP) {
			res.TTP = t
			res.Nadir, res.NadirTime = pt.nadirCells, 0
			pr.NadirSum = pt.nadirSum
			pr.NewLesion = newLesion
			rp.patientAtProgression(res, pt.lastCalled)
		}
	} else {
		if sum < pt.nadirSum {
			pt.nadirSum = sum
		}
		if vis < pt.nadirCells {
			pt.nadirCells = vis
			res.NadirTime = t
		}
	}
	changed := rp.therapy.Observe(Observation{Kind: ObserveScan, Time: t, Total: vis, Baseline: pt.baseCells, Nadir: pt.nadirCells, NewProgression: newProg})
	if changed {
		pt.phases.log("scan", t)
	}
	if !newProg {
		return
	}
	if newLine(rp.therapy, changed) {
		pt.baseCells, pt.nadirCells = vis, vis
		pt.baseSum, pt.nadirSum = sum, sum
		return
	}
	pt.lineProgressed, pt.stopping = true, true
	res.FinalProgression = t
	pt.end = min(pt.end, t+cfg.FollowUp)
}

// gridPoint records a trajectory point and the first time resistant cells
// are the majority.
func (pt *patientTreatment) gridPoint() {
	res, t := pt.res, pt.t
	res.Trajectory = pt.rp.patientPoint(res.Trajectory, t)
	if math.IsNaN(res.ResistantMajority) {
		p := res.Trajectory[len(res.Trajectory)-1]
		if p.TALoss+p.Pocket > p.Sensitive {
			res.ResistantMajority = t
		}
	}
	for pt.nextGrid <= t {
		pt.nextGrid += pt.rp.cfg.Grid
	}
}

// finish closes the trajectory and the patient's summary figures.
func (pt *patientTreatment) finish() {
	res, pr, t := pt.res, pt.pr, pt.t
	if last := res.Trajectory[len(res.Trajectory)-1]; last.Time != t {
		res.Trajectory = pt.rp.patientPoint(res.Trajectory, t)
	}
	if math.IsNaN(res.TTP) {
		res.Nadir = pt.nadirCells
		pr.NadirSum = pt.nadirSum
	}
	if !math.IsNaN(res.TTP) && !math.IsNaN(pr.ResponseTime) {
		pr.DoR = res.TTP - pr.ResponseTime
	}
	if !math.IsNaN(res.TTP) && !math.IsNaN(res.FirstCTDNACall) {
		res.CTDNALead = res.TTP - res.FirstCTDNACall
	}
	pr.PlasmaSNVs, pr.TissueSNVs = pt.ps.plasmaSNV.count, pt.ps.tissueSNV.count
}

// bestResponse applies one scan's response (before progression) to the
// best overall response. Unconfirmed: the best response seen. Confirmed
// (PatientConfig.Confirm): a PR or CR counts only when the next scan shows a
// response too (PR then CR is a PR; CR then CR a CR), as RECIST 1.1 asks of
// non-randomised trials; a first scan of PD is PD, otherwise SD.
func (rp *Replicator) bestResponse(res *Result, resp Response, t float64, pendResp *Response, pendTime *float64) {
	pr := res.Patient
	rank := func(r Response) int { return [...]int{0, 4, 3, 2, 1}[r] } // NE < PD < SD < PR < CR
	upgrade := func(r Response, at float64) {
		if rank(r) > rank(res.BestResponse) {
			if (r == PR || r == CR) && math.IsNaN(pr.ResponseTime) {
				pr.ResponseTime = at
			}
			if r == PR || r == CR {
				res.Events = append(res.Events, Event{Time: t, Kind: "response", Detail: r.String()})
			}
			res.BestResponse = r
		}
	}
	if res.BestResponse == ResponseNone {
		if resp == PD {
			res.BestResponse = PD
			return
		}
		res.BestResponse = SD
	}
	if !rp.cfg.Patient.Confirm {
		if resp == PR || resp == CR {
			upgrade(resp, t)
		}
		return
	}
	if resp == PR || resp == CR {
		if *pendResp != ResponseNone {
			c := PR
			if *pendResp == CR && resp == CR {
				c = CR
			}
			upgrade(c, *pendTime)
		} else {
			*pendTime = t
		}
		*pendResp = resp
		return
	}
	*pendResp, *pendTime = ResponseNone, math.NaN()
}

// patientAtProgression records the composition at the first progression,
// and the calls of the last blood draw at or before it; distinct SNVs
// called stop counting.
func (rp *Replicator) patientAtProgression(res *Result, called [model.NumClasses]int) {
	res.CalledAtProgression = called
	rp.biopsy(BiopsyProgression, res.TTP, res.Patient, &rp.pat.bioRNG)
	rp.pat.plasmaSNV.open = false
	rp.pat.tissueSNV.open = false
	var c [model.NumClasses]int64
	clones := 0
	for _, l := range rp.pat.lesions {
		lc := l.tm.Counts()
		for k := range c {
			c[k] += lc[k]
		}
		clones += l.tm.ResistantClones()
	}
	best := model.Sensitive
	for k := model.Class(0); k < model.NumClasses; k++ {
		if c[k] > c[best] {
			best = k
		}
	}
	res.DominantAtProgression = best
	res.ResistantClonesAtProgression = clones
}

// checkPatient is called between steps: cancellation, progress and the
// clone cap over all lesions.
func (rp *Replicator) checkPatient(rep int) error {
	clones, genos, shapes := 0, 0, 0
	var big *Tumor
	for _, l := range rp.pat.lesions {
		clones += l.tm.Clones()
		genos += len(l.tm.genos)
		shapes += len(l.tm.shapes)
		if big == nil || l.tm.Total() > big.Total() {
			big = l.tm
		}
	}
	if big == nil {
		return nil
	}
	return rp.checkLesion(rep, big, clones, genos, shapes)
}

// RECIST is the response of one scan under RECIST 1.1 (Eisenhauer et al.
// 2009): progression when the sum of target diameters is at least 20% and
// 5 mm above its nadir (smallest sum so far, baseline included) or a new
// lesion appears; complete response when no lesion is visible; partial
// response when the sum is at least 30% below baseline; stable disease
// otherwise. Non-target lesions count only toward a complete response (their
// unequivocal progression is not modelled).
func RECIST(sum, baseSum, nadirSum float64, newLesion, allGone bool) Response {
	switch {
	case newLesion || (sum >= model.RECISTProgressionDiameter*nadirSum && sum-nadirSum >= model.RECISTProgressionMM):
		return PD
	case allGone:
		return CR
	case sum <= model.RECISTPartialDiameter*baseSum:
		return PR
	}
	return SD
}
