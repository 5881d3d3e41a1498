package scenarios

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// Limits that keep a scenario runnable; each message names its limit.
const (
	maxNameLen       = 100
	maxReplicates    = 10_000_000
	maxCells         = 1e15 // the engine counts cells in int64 and checks Detect <= 1e15
	maxLethal        = 1e16
	maxHorizon       = 100_000 // days
	minInterval      = 0.001   // days, for steps, grids and scans
	maxPoints        = 1_000_000
	maxSegments      = 10_000_000
	maxCopies        = 8
	maxShards        = 1024
	maxHill          = 20
	maxMaxAttempts   = 1_000_000_000
	maxEntryNameLen  = 64
	defaultDrugNames = "rezatapopt, nextgen, offaxis"
	maxDepth         = 1_000_000_000 // reads

	// Physical ranges of pharmacology. Outside them a scenario is a typo
	// or a unit mistake (a dose in micrograms, an EC50 in grams), and the
	// sigmoid saturates anyway: at 1e6 mg a drug with EC50 1e-6 mg-eq is
	// at its maximum whatever its Hill coefficient.
	maxDose     = 1e6  // mg per administration (a kilogram)
	minEC50     = 1e-6 // mg-eq
	maxEC50     = 1e9  // mg-eq
	maxEmax     = 100  // per day: every cell killed within minutes
	maxFold     = 1e12 // EC50 fold change (1e6 already means no binding)
	minPKScale  = 1e-6 // mg-eq per mg/day
	maxPKScale  = 1e6
	maxPKRate   = 1e6  // ka, per day
	minHalfLife = 1e-6 // days (a tenth of a second)
	maxHalfLife = 1e5  // days
)

var (
	scenarioName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)
	drugName     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
	mutationName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.*>:/()-]*$`)
	phaseName    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9 _.+/()-]*$`)
)

var (
	classNames  = []string{model.TALoss.String(), model.Pocket.String(), model.Passenger.String()}
	targetNames = []string{model.Reactivator.String(), model.OffAxis.String()}
	combNames   = []string{combinationNames[model.Additive], combinationNames[model.HighestSingle]}
	// ctdnaClassNames are the classes a ctDNA end rule may watch.
	ctdnaClassNames = []string{model.ClassTALoss.String(), model.ClassPocket.String()}
)

type validator struct {
	loc  *locator
	errs []*Error
}

func (v *validator) bad(path, format string, a ...any) {
	if len(v.errs) > 2*maxErrors {
		return // joinErrors shows maxErrors
	}
	v.errs = append(v.errs, &Error{Path: path, Msg: fmt.Sprintf(format, a...)})
}

// pick returns the first of paths written in the file (else the first).
func (v *validator) pick(paths ...string) string {
	for _, p := range paths {
		if v.loc.Has(p) {
			return p
		}
	}
	return paths[0]
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// count prints a number of events, rounded up.
func count(x float64) string { return strconv.FormatFloat(math.Ceil(x), 'f', 0, 64) }

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// required reports a missing value and says whether it is present.
func required[T any](v *validator, path string, p *T, why string) bool {
	if p == nil {
		v.bad(path, "missing; %s", why)
		return false
	}
	return true
}

// positive checks 0 < x < +Inf (and x >= lo when lo > 0).
func (v *validator) positive(path string, x float64, lo float64, unit string) bool {
	if !(x > 0) || !finite(x) {
		v.bad(path, "must be a positive finite number (%s), got %s", unit, num(x))
		return false
	}
	if x < lo {
		v.bad(path, "must be at least %s (%s), got %s", num(lo), unit, num(x))
		return false
	}
	return true
}

// within checks lo <= x <= hi (physical ranges of pharmacology).
func (v *validator) within(path string, x, lo, hi float64, unit string) bool {
	if !(x >= lo && x <= hi) {
		v.bad(path, "must be from %s to %s (%s), got %s", num(lo), num(hi), unit, num(x))
		return false
	}
	return true
}

func (v *validator) nonNegative(path string, x float64, unit string) bool {
	if !(x >= 0) || !finite(x) {
		what := "must be a finite number >= 0"
		if x < 0 {
			what = "must not be negative"
		}
		v.bad(path, "%s (%s), got %s", what, unit, num(x))
		return false
	}
	return true
}

func (v *validator) intRange(path string, x, lo, hi int64, unit string) bool {
	if x < lo || x > hi {
		v.bad(path, "must be a whole number from %d to %d (%s), got %d", lo, hi, unit, x)
		return false
	}
	return true
}

// validate checks the filled scenario f (built from s by fill, with origins
// o) and returns every problem, with paths into s as written.
func validate(s, f *Scenario, o *origins, loc *locator) []*Error {
	v := &validator{loc: loc}
	if !scenarioName.MatchString(f.Name) || len(f.Name) > maxNameLen {
		v.bad("name", "%q is not a valid scenario name; allowed: letters, digits, '.', '_' and '-', not starting with '.' or '-', at most %d characters", f.Name, maxNameLen)
	}
	v.intRange("replicates", int64(*f.Replicates), 1, maxReplicates, "replicates")

	sz := v.sizes(f)
	v.growth(f, sz)
	ds := v.drugNames(s, f, o)
	v.mutation(f, o, ds)
	v.clinic(f, sz)
	horizon, okH, lattice := v.schedule(f)
	ctdnaOn := v.liquidBiopsy(f, horizon, okH)
	v.spatial(f, lattice)
	v.pharmacokinetics(f, o)
	// a virtual trial patient's plasma draws (patient.plasma.every) feed
	// ctDNA end rules too
	patientDraws := f.Patient != nil && f.Patient.Plasma.Every != nil && *f.Patient.Plasma.Every > 0
	v.treatment(f, ds, horizon, okH, ctdnaOn || patientDraws)
	v.patient(f.Patient)
	v.patientVary(f)
	return v.errs
}

// sizeCheck is what the size checks found, for the checks that compare
// other fields with the sizes.
type sizeCheck struct {
	founder             int64
	detect              float64
	okFounder, okDetect bool
}

// sizes checks founder.cells, detection.size and stop.lethal.
func (v *validator) sizes(f *Scenario) sizeCheck {
	founder := *f.Founder.Cells
	okFounder := v.intRange("founder.cells", founder, 1, int64(maxCells), "cells")
	detect := *f.Detection.Size
	okDetect := true
	if !(detect >= 1) || !(detect <= maxCells) {
		v.bad("detection.size", "must be a number of cells from 1 to %s, got %s", num(maxCells), num(detect))
		okDetect = false
	}
	if okFounder && okDetect && detect < float64(founder) {
		v.bad(v.pick("detection.size", "founder.cells"), "detection size %s is below founder.cells (%d); the tumour grows from the founder to the detection size, so detection.size must be at least founder.cells", num(detect), founder)
	}
	lethal := *f.Stop.Lethal
	if !(lethal > 0) || !(lethal <= maxLethal) {
		v.bad("stop.lethal", "must be a number of cells up to %s, got %s", num(maxLethal), num(lethal))
	} else if okDetect && !(lethal > detect) {
		v.bad(v.pick("stop.lethal", "detection.size"), "lethal burden %s must exceed the detection size %s", num(lethal), num(detect))
	}

	return sizeCheck{founder: founder, detect: detect, okFounder: okFounder, okDetect: okDetect}
}

// growth checks the untreated rates.
func (v *validator) growth(f *Scenario, sz sizeCheck) {
	founder, detect, okFounder, okDetect := sz.founder, sz.detect, sz.okFounder, sz.okDetect
	b, d := *f.Growth.Birth, *f.Growth.Death
	okB := v.positive("growth.birth", b, 0, "per day")
	okD := v.nonNegative("growth.death", d, "per day")
	// a founder that is already at the detection size need not grow, so an
	// untreated decline (death above birth) is allowed then
	if okB && okD && !(b > d) && !(okFounder && okDetect && float64(founder) >= detect) {
		v.bad(v.pick("growth.death", "growth.birth"), "birth (%s) must exceed death (%s): the untreated founder must grow to reach the detection size (or set founder.cells to detection.size, and the tumour starts treatment at once)", num(b), num(d))
	}

}

// drugSet is what the drug checks found: the drugs by name, in order, and
// which are y220c-pocket drugs.
type drugSet struct {
	known, reactivator map[string]bool
	names              []string
}

// drugNames checks the drugs as written (names) and each drug's
// pharmacodynamics.
func (v *validator) drugNames(s, f *Scenario, o *origins) drugSet {
	known := map[string]bool{}
	for _, dr := range f.Drugs {
		known[dr.Name] = true
	}
	drugNames := make([]string, 0, len(f.Drugs))
	for _, dr := range f.Drugs {
		drugNames = append(drugNames, dr.Name)
	}
	seen := map[string]int{}
	for j, dr := range s.Drugs {
		p := joinIndex("drugs", j)
		switch {
		case dr.Name == "":
			v.bad(p+".name", "missing; every drug needs a name (a default one, %s, to change it; another to add a drug)", defaultDrugNames)
		case !drugName.MatchString(dr.Name) || len(dr.Name) > maxEntryNameLen:
			v.bad(p+".name", "%q is not a valid drug name; allowed: letters, digits, '_' and '-', starting with a letter or digit, at most %d characters", dr.Name, maxEntryNameLen)
		}
		if i, dup := seen[dr.Name]; dup && dr.Name != "" {
			v.bad(p+".name", "duplicate drug %q (also drugs[%d]); list each drug once", dr.Name, i)
		}
		seen[dr.Name] = j
	}
	reactivator := map[string]bool{}
	for k, dr := range f.Drugs {
		p := o.drugs[k]
		why := "required for a drug that is not one of the defaults (" + defaultDrugNames + ")"
		if required(v, p+".target", dr.Target, why+"; allowed: "+list(targetNames)) {
			if !slices.Contains(targetNames, *dr.Target) {
				v.bad(p+".target", "unknown target %q; allowed: %s%s", *dr.Target, list(targetNames), suggest(*dr.Target, targetNames))
			} else if *dr.Target == model.Reactivator.String() {
				reactivator[dr.Name] = true
			}
		}
		if required(v, p+".emax", dr.Emax, why+" (the maximal extra death rate, per day)") {
			if v.nonNegative(p+".emax", *dr.Emax, "maximal extra death rate, per day") {
				v.within(p+".emax", *dr.Emax, 0, maxEmax, "maximal extra death rate, per day")
			}
		}
		if required(v, p+".ec50", dr.EC50, why+" (the concentration of half the maximal effect, mg-eq)") {
			if v.positive(p+".ec50", *dr.EC50, 0, "mg-eq") {
				v.within(p+".ec50", *dr.EC50, minEC50, maxEC50, "mg-eq")
			}
		}
		if dr.Hill != nil && (!(*dr.Hill > 0) || !(*dr.Hill <= maxHill)) {
			v.bad(p+".hill", "must be in (0, %d] (a Hill coefficient), got %s", maxHill, num(*dr.Hill))
		}
		if dr.PocketFold != nil && (!(*dr.PocketFold >= 1) || !finite(*dr.PocketFold)) {
			v.bad(p+".pocket_fold", "must be a finite number >= 1 (an EC50 fold increase), got %s", num(*dr.PocketFold))
		} else if dr.PocketFold != nil {
			v.within(p+".pocket_fold", *dr.PocketFold, 1, maxFold, "an EC50 fold increase")
		}
		if dr.PocketFold == nil && reactivator[dr.Name] {
			v.bad(p+".pocket_fold", "missing; required for a y220c-pocket drug (an EC50 fold increase >= 1)")
		}
	}

	return drugSet{known: known, reactivator: reactivator, names: drugNames}
}

// mutation checks the mutation rate, the catalog, its prerequisites and
// the allele state.
func (v *validator) mutation(f *Scenario, o *origins, ds drugSet) {
	known, reactivator, drugNames := ds.known, ds.reactivator, ds.names
	rate := *f.Mutation.Rate
	okRate := true
	if !(rate >= 0) || !(rate < 1) {
		what := "must be in [0, 1) (per site per division)"
		if rate < 0 {
			what = "must not be negative; allowed: [0, 1) per site per division"
		}
		v.bad("mutation.rate", "%s, got %s", what, num(rate))
		okRate = false
	}
	names := map[string]string{}
	totalSites, okSites := 0.0, true
	for k, e := range f.Mutation.Catalog.Entries {
		p := o.muts[k]
		if p == "mutation.catalog" {
			p = "mutation.catalog[" + e.Name + "]"
		}
		switch {
		case e.Name == "":
			v.bad(p+".name", "missing; every mutation entry needs a name")
		case !mutationName.MatchString(e.Name) || len(e.Name) > maxEntryNameLen:
			v.bad(p+".name", "%q is not a valid mutation name; allowed: letters, digits and _ . * > : / ( ) -, starting with a letter or digit, at most %d characters (no '+', which joins names in genotype labels)", e.Name, maxEntryNameLen)
		}
		if prev, dup := names[e.Name]; dup && e.Name != "" {
			if prev == "mutation.catalog" {
				prev = "the default catalog"
			}
			v.bad(p+".name", "duplicate mutation name %q (also in %s); names must be unique", e.Name, prev)
		} else {
			names[e.Name] = o.muts[k]
		}
		if required(v, p+".class", e.Class, "allowed: "+list(classNames)) && !slices.Contains(classNames, *e.Class) {
			v.bad(p+".class", "unknown class %q; allowed: %s%s", *e.Class, list(classNames), suggest(*e.Class, classNames))
		}
		if v.positive(p+".sites", *e.Sites, 0, "number of SNVs") {
			totalSites += *e.Sites
		} else {
			okSites = false
		}
		if !finite(*e.BirthDelta) {
			v.bad(p+".birth_delta", "must be a finite number (per day), got %s", num(*e.BirthDelta))
		}
		if !finite(*e.DeathDelta) {
			v.bad(p+".death_delta", "must be a finite number (per day), got %s", num(*e.DeathDelta))
		}
		for _, dn := range sortedKeys(e.EC50Fold) {
			fp := joinKey(p+".ec50_fold", dn)
			switch {
			case !known[dn]:
				v.bad(fp, "unknown drug %q; known drugs: %s%s", dn, list(drugNames), suggest(dn, drugNames))
			case !reactivator[dn]:
				v.bad(fp, "%s is not a y220c-pocket drug; EC50 folds apply to y220c-pocket drugs only", dn)
			}
			if x := e.EC50Fold[dn]; !(x > 0) || !finite(x) {
				v.bad(fp, "must be a positive finite fold change (use a large number such as 1e6 for no binding), got %s", num(x))
			} else {
				v.within(fp, x, 1/maxFold, maxFold, "an EC50 fold change; 1e6 already means no binding")
			}
		}
	}

	v.requires(f, o, names)
	v.alleles(f, rate, totalSites, okRate && okSites)
}

// requires checks the catalog's prerequisites: names of other entries,
// without cycles (an entry on a cycle could never arise).
func (v *validator) requires(f *Scenario, o *origins, names map[string]string) {
	reqs := map[string][]string{}
	for k, e := range f.Mutation.Catalog.Entries {
		p := o.muts[k]
		if p == "mutation.catalog" {
			p = "mutation.catalog[" + e.Name + "]"
		}
		for j, r := range e.Requires {
			rp := joinIndex(p+".requires", j)
			switch {
			case r == e.Name:
				v.bad(rp, "%q requires itself; list other catalog entries", r)
			case names[r] == "":
				v.bad(rp, "unknown mutation %q; requires names other catalog entries%s", r, suggest(r, sortedKeys(names)))
			default:
				reqs[e.Name] = append(reqs[e.Name], r)
			}
		}
	}
	if cyc := requiresCycle(reqs); cyc != nil {
		v.bad("mutation.catalog", "requires forms a cycle (%s): no cell could acquire these mutations", strings.Join(cyc, " -> "))
	}

}

// alleles checks the allele state and the mutation probability per
// division it implies (rate x catalog sites x copies; ok says whether rate
// and sites are valid).
func (v *validator) alleles(f *Scenario, rate, totalSites float64, ok bool) {
	copies := *f.Alleles.Copies
	okCopies := v.intRange("alleles.copies", int64(copies), 1, maxCopies, "copies of the Y220C allele")
	if x := *f.Alleles.Dominance; !(x >= 0 && x <= 1) {
		v.bad("alleles.dominance", "must be in [0, 1] (a fraction), got %s", num(x))
	}
	if ok && okCopies {
		if p := rate * totalSites * float64(copies); !(p < 1) {
			v.bad("mutation.rate", "rate %s x %s catalog sites x %d copies = %s mutations per division; must be below 1", num(rate), num(totalSites), copies, num(p))
		}
	}
}

// clinic checks imaging, the combination rule and tolerance.
func (v *validator) clinic(f *Scenario, sz sizeCheck) {
	detect, okDetect := sz.detect, sz.okDetect
	if x := *f.Observe.Visible; v.nonNegative("observe.visible", x, "cells") && okDetect && x >= detect {
		v.bad(v.pick("observe.visible", "detection.size"), "the smallest visible burden (%s cells) must be below the detection size (%s): imaging must see the tumour at baseline", num(x), num(detect))
	}
	if p := *f.Observe.Progression; p != "nadir" && p != "baseline" {
		v.bad("observe.progression", "unknown progression reference %q; allowed: nadir (RECIST 1.1), baseline", p)
	}
	if c := *f.Combination; !slices.Contains(combNames, c) {
		v.bad("combination", "unknown combination %q; allowed: %s%s", c, list(combNames), suggest(c, combNames))
	}
	if x := *f.Tolerance; !(x >= 0 && x < 1) {
		v.bad("tolerance", "must be in [0, 1) (a fraction of the kill), got %s", num(x))
	}

}

// schedule checks stop, observe, record and engine; it returns the horizon
// (and whether it is valid) and whether the scenario is spatial.
func (v *validator) schedule(f *Scenario) (horizon float64, okH, lattice bool) {
	horizon = *f.Stop.Horizon
	okH = v.positive("stop.horizon", horizon, 0, "days")
	if okH && horizon > maxHorizon {
		v.bad("stop.horizon", "must be at most %d days, got %s", maxHorizon, num(horizon))
		okH = false
	}
	v.nonNegative("stop.follow_up", *f.Stop.FollowUp, "days")
	if at := f.Stop.At; at != nil && v.positive("stop.at", *at, 0, "days after treatment start") && *at > maxHorizon {
		v.bad("stop.at", "must be at most %d days, got %s", maxHorizon, num(*at))
	}
	if *f.Stop.AtDetection {
		// the growth phase alone: nothing after detection would run
		switch {
		case len(f.Treatment.Phases) > 0:
			v.bad(v.pick("stop.at_detection", "treatment.phases"), "ends every replicate at detection, before treatment, so treatment.phases would never run; remove the phases (treatment: {phases: []}) or set stop.at_detection: false")
		case f.Stop.At != nil:
			v.bad(v.pick("stop.at_detection", "stop.at"), "stop.at (days after treatment start) and stop.at_detection (no treatment) exclude each other; keep one")
		}
	}
	if v.positive("observe.scan_every", *f.Observe.ScanEvery, minInterval, "days") && okH && horizon / *f.Observe.ScanEvery > maxPoints {
		v.bad(v.pick("observe.scan_every", "stop.horizon"), "stop.horizon / observe.scan_every = %s scans; at most %d allowed", count(horizon / *f.Observe.ScanEvery), maxPoints)
	}
	if v.positive("record.grid", *f.Record.Grid, minInterval, "days") && okH && horizon / *f.Record.Grid > maxPoints {
		v.bad(v.pick("record.grid", "stop.horizon"), "stop.horizon / record.grid = %s trajectory points; at most %d allowed", count(horizon / *f.Record.Grid), maxPoints)
	}
	v.positive("record.growth_grid", *f.Record.GrowthGrid, minInterval, "days")
	v.intRange("record.clone_threshold", *f.Record.CloneThreshold, 1, math.MaxInt64, "cells")
	okStep := v.positive("engine.step", *f.Engine.Step, minInterval, "days")
	if v.positive("engine.min_step", *f.Engine.MinStep, 0, "days") && okStep && *f.Engine.MinStep > *f.Engine.Step {
		v.bad(v.pick("engine.min_step", "engine.step"), "min_step (%s) must not exceed step (%s)", num(*f.Engine.MinStep), num(*f.Engine.Step))
	}
	v.intRange("engine.exact_below", *f.Engine.ExactBelow, 1, math.MaxInt64, "cells; 1 means exact steps for every clone")
	v.intRange("engine.shards", int64(*f.Engine.Shards), 1, maxShards, "goroutines")
	v.intRange("engine.shard_min", int64(*f.Engine.ShardMin), 1, math.MaxInt32, "live clones")
	v.intRange("engine.max_attempts", int64(*f.Engine.MaxAttempts), 1, maxMaxAttempts, "founders")
	v.intRange("engine.max_clones", int64(*f.Engine.MaxClones), 0, math.MaxInt32, "live clones; 0 for no limit")
	lattice = v.space(f)

	return horizon, okH, lattice
}

// liquidBiopsy checks observe.ctdna and reports whether blood draws are on.
func (v *validator) liquidBiopsy(f *Scenario, horizon float64, okH bool) bool {
	ct := f.Observe.CTDNA
	every := float64(*ct.Every)
	ctdnaOn := every != 0
	if !(every >= 0) || !finite(every) {
		v.bad("observe.ctdna.every", "must be a number of days >= %s between blood draws, or off (or 0) for none, got %s", num(minInterval), num(every))
		ctdnaOn = false
	} else if ctdnaOn && v.positive("observe.ctdna.every", every, minInterval, "days between blood draws; off or 0 for none") && okH && horizon/every > maxPoints {
		v.bad(v.pick("observe.ctdna.every", "stop.horizon"), "stop.horizon / observe.ctdna.every = %s blood draws; at most %d allowed", count(horizon/every), maxPoints)
	}
	okDepth := v.intRange("observe.ctdna.depth", *ct.Depth, 1, maxDepth, "sequencing depth, reads")
	if v.intRange("observe.ctdna.min_alt", *ct.MinAlt, 1, maxDepth, "alt reads needed for a call") && okDepth && *ct.MinAlt > *ct.Depth {
		v.bad(v.pick("observe.ctdna.min_alt", "observe.ctdna.depth"), "min_alt (%d) exceeds depth (%d): no mutation could ever be called", *ct.MinAlt, *ct.Depth)
	}
	v.fraction("observe.ctdna.lod", *ct.LOD, "limit of detection, an observed VAF")
	v.fraction("observe.ctdna.record_min_vaf", *ct.RecordMinVAF, "a true VAF")
	v.positive("observe.ctdna.shed", *ct.Shed, 0, "genome equivalents shed per cell death")
	v.positive("observe.ctdna.half_life_min", *ct.HalfLifeMin, 0, "minutes")
	v.positive("observe.ctdna.normal_ge", *ct.NormalGE, 0, "genome equivalents of normal cell-free DNA")
	return ctdnaOn
}

// pharmacokinetics checks the number of drugs and each drug's PK.
func (v *validator) pharmacokinetics(f *Scenario, o *origins) {
	if n := len(f.Drugs); n > sim.MaxDrugs {
		v.bad("drugs", "%d drugs (the 3 defaults and %d added); the engine takes at most %d", n, n-3, sim.MaxDrugs)
	}
	for k, dr := range f.Drugs {
		p := o.drugs[k] + ".pk"
		if o.drugs[k] == "drugs" {
			p = "drugs[" + dr.Name + "].pk"
		}
		if v.positive(p+".ka", *dr.PK.Ka, 0, "absorption rate constant, per day") {
			v.within(p+".ka", *dr.PK.Ka, 0, maxPKRate, "absorption rate constant, per day")
		}
		if v.positive(p+".half_life", *dr.PK.HalfLife, 0, "elimination half-life, days") {
			v.within(p+".half_life", *dr.PK.HalfLife, minHalfLife, maxHalfLife, "elimination half-life, days")
		}
		if v.positive(p+".scale", *dr.PK.Scale, 0, "mg-eq per mg/day at steady state") {
			v.within(p+".scale", *dr.PK.Scale, minPKScale, maxPKScale, "mg-eq per mg/day at steady state")
		}
	}

}

// treatment checks the exposure model and the phases.
func (v *validator) treatment(f *Scenario, ds drugSet, horizon float64, okH, ctdnaOn bool) {
	known, drugNames := ds.known, ds.names
	if e := *f.Treatment.Exposure; !slices.Contains(exposureNames, e) {
		v.bad("treatment.exposure", "unknown exposure %q; allowed: %s (the drug's one-compartment oral model) or %s (dose x scale / interval while dosing)%s", e, exposurePK, exposureSteady, suggest(e, exposureNames))
	}
	// Under pk the engine works per segment and keeps every administration:
	// their numbers are limited.
	pk := *f.Treatment.Exposure == exposurePK && len(f.Treatment.Phases) > 0
	if seg := *f.Treatment.Segment; v.positive("treatment.segment", seg, minInterval, "days") && pk && okH && horizon/seg > maxSegments {
		v.bad(v.pick("treatment.segment", "stop.horizon"), "stop.horizon / treatment.segment = %s segments under exposure pk; at most %d allowed", count(horizon/seg), maxSegments)
	}
	phases := f.Treatment.Phases
	phaseNames := make([]string, len(phases))
	byName := map[string]int{}
	for i, ph := range phases {
		phaseNames[i] = ph.Name
		p := joinIndex("treatment.phases", i)
		switch {
		case !phaseName.MatchString(ph.Name) || len(ph.Name) > maxEntryNameLen:
			v.bad(p+".name", "%q is not a valid phase name; allowed: letters, digits, spaces and _ . + / ( ) -, starting with a letter, at most %d characters", ph.Name, maxEntryNameLen)
		case ph.Name == stopWord:
			v.bad(p+".name", "%q is reserved (next: stop ends treatment); choose another name", ph.Name)
		}
		if j, dup := byName[ph.Name]; dup {
			v.bad(p+".name", "duplicate phase name %q (also treatment.phases[%d]); names must be unique, as next may refer to them", ph.Name, j)
		} else {
			byName[ph.Name] = i
		}
	}
	for i, ph := range phases {
		p := joinIndex("treatment.phases", i)
		for _, dn := range sortedKeys(ph.Doses) {
			dp := joinKey(p+".doses", dn)
			if !known[dn] {
				v.bad(dp, "unknown drug %q; known drugs: %s%s", dn, list(drugNames), suggest(dn, drugNames))
			}
			if x := ph.Doses[dn]; !(x >= 0) || !finite(x) {
				v.bad(dp, "must be a finite dose >= 0 (mg per administration), got %s", num(x))
			} else {
				v.within(dp, x, 0, maxDose, "mg per administration")
			}
		}
		if iv := *ph.Interval; v.positive(p+".interval", iv, minInterval, "days between administrations") && pk && okH && horizon/iv > maxPoints {
			v.bad(v.pick(p+".interval", "stop.horizon"), "stop.horizon / interval = %s administrations under exposure pk; at most %d allowed", count(horizon/iv), maxPoints)
		}
		if c := ph.Cycle; c != nil {
			if required(v, p+".cycle.on", c.On, "a cycle needs on (days of dosing, > 0) and off (days of pause, >= 0)") {
				v.positive(p+".cycle.on", *c.On, 0, "days of dosing")
			}
			if required(v, p+".cycle.off", c.Off, "a cycle needs on (days of dosing, > 0) and off (days of pause, >= 0; 0 is continuous)") {
				v.nonNegative(p+".cycle.off", *c.Off, "days of pause; 0 is continuous")
			}
		}
		v.until(p+".until", *ph.Until, ctdnaOn)
		if ph.Next != nil {
			ref := string(*ph.Next)
			indices := fmt.Sprintf("indices 0 to %d", len(phases)-1)
			if len(phases) == 1 {
				indices = "index 0"
			}
			allowed := fmt.Sprintf("allowed: stop (end treatment), a phase index (%s) or a phase name (%s)", indices, list(phaseNames))
			if _, ok := phaseIndex(ref, byName, len(phases)); !ok {
				if isIndex(ref) {
					v.bad(p+".next", "there is no phase %s; %s", ref, allowed)
				} else {
					v.bad(p+".next", "unknown phase %q; %s%s", ref, allowed, suggest(ref, append([]string{stopWord}, phaseNames...)))
				}
			}
		}
	}
}

// fraction checks 0 <= x <= 1.
func (v *validator) fraction(path string, x float64, unit string) bool {
	if !(x >= 0 && x <= 1) {
		v.bad(path, "must be in [0, 1] (%s), got %s", unit, num(x))
		return false
	}
	return true
}

// until checks an end rule; ctdna says whether blood draws are on.
func (v *validator) until(p string, u Until, ctdna bool) {
	var set []string
	if u.After != nil {
		set = append(set, "after")
	}
	if u.CTDNA != nil {
		set = append(set, "ctdna")
	}
	if u.BurdenBelow != nil {
		set = append(set, "burden_below")
	}
	if u.BurdenAbove != nil {
		set = append(set, "burden_above")
	}
	switch {
	case u.Word != "" && len(set) > 0:
		v.bad(p, "an end rule is either the word %s or a mapping, not both; allowed: %s", u.Word, untilForms)
		return
	case u.Word != "":
		if !slices.Contains(untilWords, u.Word) {
			v.bad(p, "unknown end rule %q; allowed: %s", u.Word, untilForms)
		}
		return
	case len(set) == 0:
		v.bad(p, "empty end rule; allowed: %s", untilForms)
		return
	case len(set) > 1:
		v.bad(p, "one end rule per phase, got %s; to combine rules chain phases with next. Allowed: %s", strings.Join(set, " and "), untilForms)
		return
	}
	switch {
	case u.After != nil:
		if v.positive(p+".after", *u.After, 0, "days after the phase began") && *u.After > maxHorizon {
			v.bad(p+".after", "must be at most %d days, got %s", maxHorizon, num(*u.After))
		}
	case u.CTDNA != nil:
		c := u.CTDNA
		if required(v, p+".ctdna.class", c.Class, "the class of mutation to watch; allowed: "+list(ctdnaClassNames)) && !slices.Contains(ctdnaClassNames, *c.Class) {
			v.bad(p+".ctdna.class", "unknown class %q; allowed: %s%s", *c.Class, list(ctdnaClassNames), suggest(*c.Class, ctdnaClassNames))
		}
		if required(v, p+".ctdna.vaf", c.VAF, "the observed variant allele fraction that ends the phase, in (0, 1]") && !(*c.VAF > 0 && *c.VAF <= 1) {
			v.bad(p+".ctdna.vaf", "must be in (0, 1] (an observed variant allele fraction), got %s", num(*c.VAF))
		}
		if !ctdna {
			v.bad(v.pick(p+".ctdna", "observe.ctdna.every"), "the phase ends at a ctDNA call, but blood draws are off (observe.ctdna.every); set observe.ctdna.every to the days between draws (patient.plasma.every for virtual trial patients)")
		}
	case u.BurdenBelow != nil:
		v.positive(p+".burden_below", *u.BurdenBelow, 0, "a fraction of the baseline burden, checked at scans")
	case u.BurdenAbove != nil:
		v.positive(p+".burden_above", *u.BurdenAbove, 0, "a fraction of the baseline burden, checked at scans")
	}
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	slices.Sort(k)
	return k
}

// requiresCycle returns a cycle of prerequisites (first name repeated at
// the end), or nil.
func requiresCycle(reqs map[string][]string) []string {
	const (
		unseen = iota
		open
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(n string) []string
	visit = func(n string) []string {
		state[n] = open
		stack = append(stack, n)
		for _, r := range reqs[n] {
			switch state[r] {
			case open:
				i := slices.Index(stack, r)
				return append(slices.Clone(stack[i:]), r)
			case unseen:
				if c := visit(r); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		return nil
	}
	for _, n := range sortedKeys(reqs) {
		if state[n] == unseen {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}

var (
	spaceNames         = []string{"none", "lattice", "demes"}
	dispersalNames     = []string{"fission", "invasion"}
	neighbourhoodNames = []string{"von-neumann", "moore", "hex"}
	ruleNames          = []string{"push", "wait"}
	updateNames        = []string{"serial", "blocks"}
)

// lesionTwins names the library's single-lesion reference arm and its
// spatial twins, offered when a patient scenario asks for space.
const lesionTwins = "--scenario rezatapopt-continuous-lesion, or its spatial twins rezatapopt-continuous-lattice and rezatapopt-continuous-demes"

// space checks engine.space and engine.lattice and says whether the
// scenario is a valid lattice.
func (v *validator) space(f *Scenario) bool {
	e := &f.Engine
	sp := *e.Space
	if !slices.Contains(spaceNames, sp) {
		v.bad("engine.space", "unknown space %q; allowed: none (well mixed), lattice (one cell per lattice site), demes (well-mixed demes of at most engine.demes.k cells on a lattice)%s", sp, suggest(sp, spaceNames))
		return false
	}
	if sp != "lattice" && e.Lattice != nil {
		v.bad("engine.lattice", "set, but engine.space is %s; set engine.space: lattice, or remove engine.lattice", sp)
	}
	if sp != "demes" && e.Demes != nil {
		v.bad("engine.demes", "set, but engine.space is %s; set engine.space: demes, or remove engine.demes", sp)
	}
	switch sp {
	case "none":
		return false
	case "demes":
		return v.demes(f)
	}
	ok := true
	l := e.Lattice
	if d := *l.Dim; d != 2 && d != 3 {
		v.bad("engine.lattice.dim", "must be 2 or 3, got %d", d)
		ok = false
	}
	if n := *l.Neighbourhood; !slices.Contains(neighbourhoodNames, n) {
		v.bad("engine.lattice.neighbourhood", "unknown neighbourhood %q; allowed: von-neumann (4 neighbours in 2D, 6 in 3D), moore (8 in 2D, 26 in 3D), hex (6 neighbours, 2D only)%s", n, suggest(n, neighbourhoodNames))
		ok = false
	} else if n == "hex" && *l.Dim == 3 {
		v.bad("engine.lattice.neighbourhood", "hex is a 2D neighbourhood; with dim: 3 use von-neumann (6 neighbours) or moore (26), or set dim: 2")
		ok = false
	}
	if r := *l.Rule; !slices.Contains(ruleNames, r) {
		v.bad("engine.lattice.rule", "unknown rule %q; allowed: push (push a line of cells outward), wait (no division without an empty neighbour)%s", r, suggest(r, ruleNames))
		ok = false
	}
	if !v.latticeUpdate(l) {
		ok = false
	}
	if f.Patient != nil {
		v.bad(v.pick("patient", "engine.space"), "the lattice mode does not take virtual trial patients (a patient's lesions are well mixed); remove patient, set engine.space: none, or start from a single-lesion scenario ("+lesionTwins+")")
		ok = false
	}
	if *e.Merge {
		v.bad(v.pick("engine.merge", "engine.space"), "engine.merge does not apply to engine.space: lattice (every cell is an agent); set engine.merge: false")
		ok = false
	}
	if s := *f.Detection.Size; s > sim.LatticeMaxCells/2 {
		v.bad(v.pick("detection.size", "engine.space"), "at most %s cells with engine.space: lattice (one agent per cell), got %s", num(sim.LatticeMaxCells/2), num(s))
		ok = false
	}
	return ok
}

// latticeUpdate checks engine.lattice.update, block and goroutines.
func (v *validator) latticeUpdate(l *Lattice) bool {
	ok := true
	blocks := false
	if u := l.Update; u != nil {
		if !slices.Contains(updateNames, *u) {
			v.bad("engine.lattice.update", "unknown update %q; allowed: serial (the exact engine, the default), blocks (blocks of the grid run concurrently over short sub-steps: an approximation)%s", *u, suggest(*u, updateNames))
			return false
		}
		blocks = *u == "blocks"
	}
	if !blocks {
		if l.Block != nil {
			v.bad("engine.lattice.block", "applies only with engine.lattice.update: blocks; set it, or remove block")
			ok = false
		}
		if l.Goroutines != nil {
			v.bad("engine.lattice.goroutines", "applies only with engine.lattice.update: blocks (the serial engine runs one goroutine per replicate); set it, or remove goroutines")
			ok = false
		}
		return ok
	}
	if b := *l.Block; b < 16 || b > 1024 || b&(b-1) != 0 {
		v.bad("engine.lattice.block", "must be a power of two from 16 to 1024 sites, got %d", b)
		ok = false
	}
	if g := *l.Goroutines; g < 1 || g > sim.LatticeMaxGoroutines {
		v.bad("engine.lattice.goroutines", "must be from 1 to %d, got %d", sim.LatticeMaxGoroutines, g)
		ok = false
	}
	return ok
}

// demes checks engine.space: demes and engine.demes and says whether the
// scenario is a valid deme tumour.
func (v *validator) demes(f *Scenario) bool {
	e := &f.Engine
	d := e.Demes
	ok := true
	if x := *d.Dim; x != 2 && x != 3 {
		v.bad("engine.demes.dim", "must be 2 or 3, got %d", x)
		ok = false
	}
	if k := *d.K; !(k >= 2 && k <= 1e15) || k != math.Trunc(k) {
		v.bad("engine.demes.k", "must be a whole number of cells from 2 to 1e15 (the carrying capacity of a deme), got %s", num(k))
		ok = false
	}
	switch disp := *d.Dispersal; disp {
	case "fission":
		if d.Migration != nil {
			v.bad("engine.demes.migration", "applies only to dispersal: invasion (fission moves whole demes); remove it or set engine.demes.dispersal: invasion")
			ok = false
		}
	case "invasion":
		if d.Migration == nil {
			v.bad("engine.demes.migration", "required with dispersal: invasion: the rate at which a cell moves to a neighbour deme, per day")
			ok = false
		} else if m := *d.Migration; !(m > 0) || !finite(m) {
			v.bad("engine.demes.migration", "must be a positive rate per day, got %s", num(m))
			ok = false
		}
		if d.Push != nil {
			v.bad("engine.demes.push", "applies only to dispersal: fission; remove it")
			ok = false
		}
	default:
		v.bad("engine.demes.dispersal", "unknown dispersal %q; allowed: fission (a deme reaching k splits into a neighbour site), invasion (births stop at k, cells migrate into neighbours with room)%s", disp, suggest(disp, dispersalNames))
		ok = false
	}
	if !v.positive("engine.demes.step", *d.Step, minInterval, "days") {
		ok = false
	}
	if f.Patient != nil {
		v.bad(v.pick("patient", "engine.space"), "the demes mode does not take virtual trial patients (a patient's lesions are well mixed); remove patient, set engine.space: none, or start from a single-lesion scenario ("+lesionTwins+")")
		ok = false
	}
	if *e.Merge {
		v.bad(v.pick("engine.merge", "engine.space"), "engine.merge does not apply to engine.space: demes (a merged clone pools a genotype tumour-wide, while demes keep each clone's cells per deme); set engine.merge: false")
		ok = false
	}
	if k, s := *d.K, *f.Detection.Size; k >= 2 && s/k > sim.DemesMaxDemes/4 {
		v.bad(v.pick("detection.size", "engine.demes.k"), "detection.size / engine.demes.k = %s demes at detection; at most %d allowed (raise engine.demes.k)", num(math.Ceil(s/k)), sim.DemesMaxDemes/4)
		ok = false
	}
	return ok
}
