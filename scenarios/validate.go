package scenarios

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"

	"github.com/p53evo/p53evo/model"
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
	maxCopies        = 8
	maxShards        = 1024
	maxHill          = 20
	maxMaxAttempts   = 1_000_000_000
	maxEntryNameLen  = 64
	defaultDrugNames = "rezatapopt, nextgen, offaxis"
)

var (
	scenarioName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)
	drugName     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
	mutationName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.*>:/()-]*$`)
)

var (
	classNames  = []string{model.TALoss.String(), model.Pocket.String(), model.Passenger.String()}
	targetNames = []string{model.Reactivator.String(), model.OffAxis.String()}
	combNames   = []string{combinationNames[model.Additive], combinationNames[model.HighestSingle]}
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
		if v.loc.has(p) {
			return p
		}
	}
	return paths[0]
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

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

	// Sizes.
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

	// Growth.
	b, d := *f.Growth.Birth, *f.Growth.Death
	okB := v.positive("growth.birth", b, 0, "per day")
	okD := v.nonNegative("growth.death", d, "per day")
	if okB && okD && !(b > d) {
		v.bad(v.pick("growth.death", "growth.birth"), "birth (%s) must exceed death (%s): the untreated founder must grow to reach the detection size", num(b), num(d))
	}

	// Drugs as written: names.
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
			v.nonNegative(p+".emax", *dr.Emax, "maximal extra death rate, per day")
		}
		if required(v, p+".ec50", dr.EC50, why+" (the concentration of half the maximal effect, mg-eq)") {
			v.positive(p+".ec50", *dr.EC50, 0, "mg-eq")
		}
		if dr.Hill != nil && (!(*dr.Hill > 0) || !(*dr.Hill <= maxHill)) {
			v.bad(p+".hill", "must be in (0, %d] (a Hill coefficient), got %s", maxHill, num(*dr.Hill))
		}
		if dr.PocketFold != nil && (!(*dr.PocketFold >= 1) || !finite(*dr.PocketFold)) {
			v.bad(p+".pocket_fold", "must be a finite number >= 1 (an EC50 fold increase), got %s", num(*dr.PocketFold))
		}
		if dr.PocketFold == nil && reactivator[dr.Name] {
			v.bad(p+".pocket_fold", "missing; required for a y220c-pocket drug (an EC50 fold increase >= 1)")
		}
	}

	// Mutation.
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
			}
		}
	}

	// Alleles.
	copies := *f.Alleles.Copies
	okCopies := v.intRange("alleles.copies", int64(copies), 1, maxCopies, "copies of the Y220C allele")
	if x := *f.Alleles.Dominance; !(x >= 0 && x <= 1) {
		v.bad("alleles.dominance", "must be in [0, 1] (a fraction), got %s", num(x))
	}
	if okRate && okSites && okCopies {
		if p := rate * totalSites * float64(copies); !(p < 1) {
			v.bad("mutation.rate", "rate %s x %s catalog sites x %d copies = %s mutations per division; must be below 1", num(rate), num(totalSites), copies, num(p))
		}
	}

	if c := *f.Combination; !slices.Contains(combNames, c) {
		v.bad("combination", "unknown combination %q; allowed: %s%s", c, list(combNames), suggest(c, combNames))
	}
	if x := *f.Tolerance; !(x >= 0 && x < 1) {
		v.bad("tolerance", "must be in [0, 1) (a fraction of the kill), got %s", num(x))
	}

	// Stop, observe, record, engine.
	horizon := *f.Stop.Horizon
	okH := v.positive("stop.horizon", horizon, 0, "days")
	if okH && horizon > maxHorizon {
		v.bad("stop.horizon", "must be at most %d days, got %s", maxHorizon, num(horizon))
		okH = false
	}
	v.nonNegative("stop.follow_up", *f.Stop.FollowUp, "days")
	if v.positive("observe.scan_every", *f.Observe.ScanEvery, minInterval, "days") && okH && horizon / *f.Observe.ScanEvery > maxPoints {
		v.bad(v.pick("observe.scan_every", "stop.horizon"), "stop.horizon / observe.scan_every = %s scans; at most %d allowed", num(horizon / *f.Observe.ScanEvery), maxPoints)
	}
	if v.positive("record.grid", *f.Record.Grid, minInterval, "days") && okH && horizon / *f.Record.Grid > maxPoints {
		v.bad(v.pick("record.grid", "stop.horizon"), "stop.horizon / record.grid = %s trajectory points; at most %d allowed", num(horizon / *f.Record.Grid), maxPoints)
	}
	v.positive("record.growth_grid", *f.Record.GrowthGrid, minInterval, "days")
	v.intRange("record.clone_threshold", *f.Record.CloneThreshold, 1, math.MaxInt64, "cells")
	okStep := v.positive("engine.step", *f.Engine.Step, minInterval, "days")
	if v.positive("engine.min_step", *f.Engine.MinStep, 0, "days") && okStep && *f.Engine.MinStep > *f.Engine.Step {
		v.bad(v.pick("engine.min_step", "engine.step"), "min_step (%s) must not exceed step (%s)", num(*f.Engine.MinStep), num(*f.Engine.Step))
	}
	v.intRange("engine.exact_below", *f.Engine.ExactBelow, 1, math.MaxInt64, "cells; 1 means Kendall steps for every clone")
	v.intRange("engine.shards", int64(*f.Engine.Shards), 1, maxShards, "goroutines")
	v.intRange("engine.shard_min", int64(*f.Engine.ShardMin), 1, math.MaxInt32, "live clones")
	v.intRange("engine.max_attempts", int64(*f.Engine.MaxAttempts), 1, maxMaxAttempts, "founders")

	// Treatment.
	prev := math.Inf(-1)
	for i, ph := range f.Treatment.Phases {
		p := joinIndex("treatment.phases", i)
		if ph.Start == nil {
			v.bad(p+".start", "missing; every phase after the first needs a start (days from the start of treatment, after phases[%d].start)", i-1)
			prev = math.NaN()
		} else {
			st := *ph.Start
			switch {
			case !(st >= 0) || !finite(st):
				v.bad(p+".start", "must be a finite number of days >= 0 (t = 0 is the start of treatment), got %s", num(st))
			case st <= prev:
				v.bad(p+".start", "phase starts must increase: day %s is not after phases[%d].start (day %s)", num(st), i-1, num(prev))
			case i == 0 && okH && st >= horizon:
				v.bad(p+".start", "the schedule never starts: the first phase starts on day %s, at or after the horizon (stop.horizon = %s days)", num(st), num(horizon))
			}
			prev = st
		}
		for _, dn := range sortedKeys(ph.Doses) {
			dp := joinKey(p+".doses", dn)
			if !known[dn] {
				v.bad(dp, "unknown drug %q; known drugs: %s%s", dn, list(drugNames), suggest(dn, drugNames))
			}
			if x := ph.Doses[dn]; !(x >= 0) || !finite(x) {
				v.bad(dp, "must be a finite concentration >= 0 (mg-eq), got %s", num(x))
			}
		}
	}
	return v.errs
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	slices.Sort(k)
	return k
}
