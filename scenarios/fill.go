package scenarios

import (
	"fmt"
	"reflect"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// Defaults not taken from model or sim.
const (
	defaultSeed       = 1
	defaultReplicates = 200
	defaultShards     = 1
	// defaultExposure: the engine also supports "pk".
	defaultExposure = exposureSteady
	// defaultSegment is the engine's default sim.Policy.SegmentLen (1 h).
	defaultSegment  = 1.0 / 24
	defaultInterval = 1 // once daily
	defaultUntil    = "never"
)

// Exposure names (treatment.exposure).
const (
	exposurePK     = "pk"
	exposureSteady = "steady-state"
)

var exposureNames = []string{exposurePK, exposureSteady}

// simDefaults are sim.Config's documented defaults, so that a scenario and
// the engine never disagree about them.
var simDefaults = func() sim.Config {
	var c sim.Config
	c.Defaults()
	return c
}()

// Fill checks s and returns a copy with every default made explicit: the
// catalog as a list (extra entries appended), every drug with every field,
// every setting. Loading what Marshal prints gives back Fill's result.
func Fill(s *Scenario) (*Scenario, error) {
	return check(s, nil)
}

// origins records, for a filled scenario, where each drug and catalog entry
// came from in the scenario as written: "drugs[2]", "mutation.extra[0]", or
// the list itself for an unlisted default.
type origins struct {
	drugs []string
	muts  []string
}

// check validates s and returns it filled; loc (may be nil) places errors.
func check(s *Scenario, loc *locator) (*Scenario, error) {
	if loc == nil {
		loc = &locator{File: s.File}
	}
	f, o := fill(s)
	errs := validate(s, f, o, loc)
	if len(errs) == 0 {
		// Belt and braces: whatever passes must also satisfy the model and
		// the engine.
		if cfg, pol, err := resolveFilled(f); err != nil {
			errs = append(errs, &Error{Msg: "internal check failed: " + err.Error()})
		} else if err := cfg.Validate(); err != nil {
			errs = append(errs, &Error{Msg: "the resolved configuration is invalid: " + err.Error()})
		} else if pol != nil {
			if err := pol.Validate(len(cfg.Model.Drugs)); err != nil {
				errs = append(errs, &Error{Path: "treatment", Msg: "the resolved treatment policy is invalid: " + err.Error()})
			}
		}
	}
	for _, e := range errs {
		loc.At(e)
	}
	if err := joinErrors(errs); err != nil {
		return nil, err
	}
	return f, nil
}

func def[T any](p **T, v T) {
	if *p == nil {
		*p = &v
	}
}

// fill returns a deep copy of s with every default filled in. It never
// fails; missing required fields stay nil for validate to report.
func fill(s *Scenario) (*Scenario, *origins) {
	f := clone(s)
	o := &origins{}
	md := model.Default()
	if f.Name == "" {
		f.Name = defaultName(f.File)
	}
	def(&f.Seed, defaultSeed)
	def(&f.Replicates, defaultReplicates)
	def(&f.Founder.Cells, simDefaults.Founder)
	def(&f.Detection.Size, simDefaults.Detect)
	def(&f.Growth.Birth, md.Birth)
	def(&f.Growth.Death, md.Death)
	def(&f.Mutation.Rate, md.MutationRate)
	fillCatalog(f, o)
	def(&f.Alleles.Copies, md.Alleles.Copies)
	def(&f.Alleles.Dominance, md.Alleles.Dominance)
	fillDrugs(f, o, md)
	def(&f.Combination, combinationNames[md.Combination])
	def(&f.Tolerance, md.Tolerance)
	fillTreatment(f)
	fillRun(f)
	fillPatient(f.Patient)
	return f, o
}

// fillCatalog makes the catalog explicit: the default or the listed
// entries, then the extra ones, recording where each was written.
func fillCatalog(f *Scenario, o *origins) {
	var cat []MutationEntry
	if c := f.Mutation.Catalog; c == nil || c.Default {
		for _, m := range model.DefaultCatalog() {
			cat = append(cat, entryOf(m))
			o.muts = append(o.muts, "mutation.catalog")
		}
	} else {
		for i, e := range c.Entries {
			cat = append(cat, e)
			o.muts = append(o.muts, joinIndex("mutation.catalog", i))
		}
	}
	for i, e := range f.Mutation.Extra {
		cat = append(cat, e)
		o.muts = append(o.muts, joinIndex("mutation.extra", i))
	}
	for i := range cat {
		e := &cat[i]
		def(&e.Sites, 1)
		def(&e.BirthDelta, 0)
		def(&e.DeathDelta, 0)
		if len(e.EC50Fold) == 0 {
			e.EC50Fold = nil
		}
	}
	f.Mutation.Catalog = &Catalog{Entries: cat}
	f.Mutation.Extra = nil
}

// fillDrugs makes the drugs explicit: the defaults, patched by listed drugs
// of the same name, then the added drugs, recording where each was written.
func fillDrugs(f *Scenario, o *origins, md model.Model) {
	var drugs []Drug
	for _, d := range md.Drugs {
		drugs = append(drugs, drugOf(d))
		o.drugs = append(o.drugs, "drugs")
	}
	for j, d := range f.Drugs {
		k := -1
		for i := range len(md.Drugs) {
			if drugs[i].Name == d.Name {
				k = i
			}
		}
		if k >= 0 {
			overlay(reflect.ValueOf(&drugs[k]).Elem(), reflect.ValueOf(d))
			o.drugs[k] = joinIndex("drugs", j)
			continue
		}
		def(&d.Hill, 1)
		if d.Target != nil && *d.Target == model.Reactivator.String() {
			def(&d.PocketFold, 1)
		}
		drugs = append(drugs, d)
		o.drugs = append(o.drugs, joinIndex("drugs", j))
	}
	pk := model.DefaultRezatapoptPK()
	for i := range drugs {
		d := &drugs[i]
		if d.PK == nil {
			d.PK = &DrugPK{}
		}
		def(&d.PK.Ka, pk.Ka)
		def(&d.PK.HalfLife, pk.HalfLife)
		def(&d.PK.Scale, pk.Scale)
	}
	f.Drugs = drugs
}

// fillTreatment fills the treatment's defaults and names its phases.
func fillTreatment(f *Scenario) {
	def(&f.Treatment.Exposure, defaultExposure)
	def(&f.Treatment.Segment, defaultSegment)
	for i := range f.Treatment.Phases {
		p := &f.Treatment.Phases[i]
		if p.Name == "" {
			p.Name = fmt.Sprintf("phase %d", i)
		}
		if len(p.Doses) == 0 {
			p.Doses = nil
		}
		def(&p.Interval, defaultInterval)
		def(&p.Until, Until{Word: defaultUntil})
	}
	if len(f.Treatment.Phases) == 0 {
		f.Treatment.Phases = nil
	}
}

// fillRun fills the stop rules, the observation, the record and the
// engine's settings.
func fillRun(f *Scenario) {
	def(&f.Stop.Horizon, simDefaults.Horizon)
	def(&f.Stop.FollowUp, simDefaults.FollowUp)
	def(&f.Stop.Lethal, simDefaults.Lethal)
	def(&f.Stop.AtDetection, false)
	def(&f.Observe.ScanEvery, simDefaults.Scan)
	def(&f.Observe.Visible, simDefaults.Visible)
	ct, sc := &f.Observe.CTDNA, simDefaults.CTDNA
	def(&ct.Every, Period(sc.Every))
	def(&ct.Depth, sc.Depth)
	def(&ct.MinAlt, sc.MinAlt)
	def(&ct.LOD, sc.LOD)
	def(&ct.Shed, sc.Shed)
	def(&ct.HalfLifeMin, sc.HalfLife)
	def(&ct.NormalGE, sc.NormalGE)
	def(&ct.RecordMinVAF, sc.RecordMinVAF)
	def(&f.Record.Grid, simDefaults.Grid)
	def(&f.Record.GrowthGrid, simDefaults.GrowthGrid)
	def(&f.Record.CloneThreshold, simDefaults.Engine.RecordAt)
	def(&f.Engine.Step, simDefaults.Step)
	def(&f.Engine.MinStep, simDefaults.MinStep)
	def(&f.Engine.ExactBelow, simDefaults.Engine.ExactBelow)
	def(&f.Engine.Shards, defaultShards)
	def(&f.Engine.ShardMin, simDefaults.Engine.ShardMin)
	def(&f.Engine.MaxAttempts, simDefaults.MaxAttempts)
	def(&f.Engine.MaxClones, simDefaults.MaxClones)
	def(&f.Engine.Merge, false)
	def(&f.Engine.Space, "none")
	if *f.Engine.Space == "lattice" {
		if f.Engine.Lattice == nil {
			f.Engine.Lattice = &Lattice{}
		}
		def(&f.Engine.Lattice.Dim, 2)
		def(&f.Engine.Lattice.Neighbourhood, "von-neumann")
		def(&f.Engine.Lattice.Rule, "push")
		if l := f.Engine.Lattice; l.Update != nil && *l.Update == "blocks" {
			block := 32
			if *l.Dim == 3 {
				block = 16
			}
			def(&l.Block, block)
			def(&l.Goroutines, 2)
		}
	}
	if *f.Engine.Space == "demes" {
		if f.Engine.Demes == nil {
			f.Engine.Demes = &Demes{}
		}
		d := f.Engine.Demes
		def(&d.Dim, 2)
		def(&d.K, sim.DefaultDemeK)
		def(&d.Dispersal, "fission")
		def(&d.Step, sim.DefaultDemeStep)
		if *d.Dispersal == "fission" {
			def(&d.Push, true)
		}
	}
	def(&f.Observe.Progression, "nadir")
	fillSpatial(&f.Observe)
}

var combinationNames = map[model.Combination]string{model.Additive: "additive", model.HighestSingle: "highest-single"}

func entryOf(m model.Mutation) MutationEntry {
	e := MutationEntry{Name: m.Name, Class: ptr(m.Class.String()), Sites: ptr(m.Sites), BirthDelta: ptr(m.BirthDelta), DeathDelta: ptr(m.DeathDelta)}
	if len(m.EC50Fold) > 0 {
		e.EC50Fold = map[string]float64{}
		for k, v := range m.EC50Fold {
			e.EC50Fold[k] = v
		}
	}
	return e
}

func drugOf(d model.Drug) Drug {
	out := Drug{Name: d.Name, Target: ptr(d.Target.String()), Emax: ptr(d.Emax), EC50: ptr(d.EC50), Hill: ptr(d.Hill)}
	if d.Target == model.Reactivator {
		out.PocketFold = ptr(d.PocketFold)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// overlay copies the set (non-nil, non-empty) fields of src over dst.
func overlay(dst, src reflect.Value) {
	for i := range src.NumField() {
		sf := src.Field(i)
		if !src.Type().Field(i).IsExported() || sf.IsZero() {
			continue
		}
		dst.Field(i).Set(cloneValue(sf))
	}
}

// clone deep-copies a scenario.
func clone(s *Scenario) *Scenario {
	c := cloneValue(reflect.ValueOf(s).Elem()).Interface().(Scenario)
	return &c
}

func cloneValue(v reflect.Value) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(v.Type().Elem())
			p.Elem().Set(cloneValue(v.Elem()))
			out.Set(p)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out.Field(i).Set(cloneValue(v.Field(i)))
			}
		}
	case reflect.Slice:
		if !v.IsNil() {
			s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			for i := range v.Len() {
				s.Index(i).Set(cloneValue(v.Index(i)))
			}
			out.Set(s)
		}
	case reflect.Map:
		if !v.IsNil() {
			m := reflect.MakeMapWithSize(v.Type(), v.Len())
			for it := v.MapRange(); it.Next(); {
				m.SetMapIndex(it.Key(), cloneValue(it.Value()))
			}
			out.Set(m)
		}
	default:
		out.Set(v)
	}
	return out
}
