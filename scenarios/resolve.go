package scenarios

import (
	"fmt"
	"maps"
	"math"
	"strconv"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// Resolve checks s, fills every default and builds the engine configuration:
// the model, the engine settings, the liquid biopsy and a therapy factory
// returning a fresh copy of one *sim.Policy (see Policy) per call; nil when
// untreated (no phases). The replicate count is s.ReplicateCount().
func Resolve(s *Scenario) (sim.Config, error) {
	f, err := check(s, nil)
	if err != nil {
		return sim.Config{}, err
	}
	cfg, _, err := resolveFilled(f)
	return cfg, err
}

// Policy checks s and returns its treatment policy (nil when untreated):
// the phases in order, doses indexed like the resolved Model.Drugs, end
// rules, and every Next explicit (NextSet, -1 to stop). Under exposure pk,
// PK holds every drug's model; under steady-state PK is nil and each dose
// is multiplied by its drug's pk.scale, so that the engine's steady-state
// concentration dose / interval is dose x scale / interval mg-eq.
func Policy(s *Scenario) (*sim.Policy, error) {
	f, err := check(s, nil)
	if err != nil {
		return nil, err
	}
	_, p, err := resolveFilled(f)
	return p, err
}

// resolveFilled builds the configuration and treatment policy of a filled,
// validated scenario.
// resolveModel builds the biology of a filled scenario: growth, catalog
// (with the requires links as indices) and drugs.
func resolveModel(f *Scenario) (model.Model, error) {
	m := model.Model{
		Birth:        *f.Growth.Birth,
		Death:        *f.Growth.Death,
		MutationRate: *f.Mutation.Rate,
		Alleles:      model.Alleles{Copies: *f.Alleles.Copies, Dominance: *f.Alleles.Dominance},
		Tolerance:    *f.Tolerance,
	}
	comb, ok := parseCombination(*f.Combination)
	if !ok {
		return m, fmt.Errorf("combination %q", *f.Combination)
	}
	m.Combination = comb
	for _, e := range f.Mutation.Catalog.Entries {
		c, err := model.ParseMutClass(*e.Class)
		if err != nil {
			return m, err
		}
		mu := model.Mutation{Name: e.Name, Class: c, Sites: *e.Sites, BirthDelta: *e.BirthDelta, DeathDelta: *e.DeathDelta}
		if len(e.EC50Fold) > 0 {
			mu.EC50Fold = maps.Clone(e.EC50Fold)
		}
		m.Catalog = append(m.Catalog, mu)
	}
	for i, e := range f.Mutation.Catalog.Entries {
		for _, name := range e.Requires {
			j := m.MutationIndex(name)
			if j < 0 {
				return m, fmt.Errorf("mutation %s requires unknown mutation %q", e.Name, name)
			}
			m.Catalog[i].Requires = append(m.Catalog[i].Requires, j)
		}
	}
	for _, d := range f.Drugs {
		t, err := model.ParseTarget(*d.Target)
		if err != nil {
			return m, err
		}
		md := model.Drug{Name: d.Name, Target: t, Emax: *d.Emax, EC50: *d.EC50, Hill: *d.Hill}
		if d.PocketFold != nil {
			md.PocketFold = *d.PocketFold
		}
		m.Drugs = append(m.Drugs, md)
	}
	return m, nil
}

func resolveFilled(f *Scenario) (sim.Config, *sim.Policy, error) {
	m, err := resolveModel(f)
	if err != nil {
		return sim.Config{}, nil, err
	}
	cfg := sim.Config{
		Model:                   m,
		Founder:                 *f.Founder.Cells,
		Detect:                  *f.Detection.Size,
		Step:                    *f.Engine.Step,
		GrowthGrid:              *f.Record.GrowthGrid,
		Grid:                    *f.Record.Grid,
		MinStep:                 *f.Engine.MinStep,
		Scan:                    *f.Observe.ScanEvery,
		Visible:                 *f.Observe.Visible,
		ProgressionFromBaseline: *f.Observe.Progression == "baseline",
		FollowUp:                *f.Stop.FollowUp,
		Horizon:                 *f.Stop.Horizon,
		Lethal:                  *f.Stop.Lethal,
		StopAt:                  stopAt(f.Stop.At),
		StopAtDetection:         *f.Stop.AtDetection,
		MaxAttempts:             *f.Engine.MaxAttempts,
		MaxClones:               maxClones(*f.Engine.MaxClones),
		Engine: sim.Options{
			ExactBelow: *f.Engine.ExactBelow,
			RecordAt:   *f.Record.CloneThreshold,
			Shards:     *f.Engine.Shards,
			ShardMin:   *f.Engine.ShardMin,
			Merge:      *f.Engine.Merge,
		},
		Seed: *f.Seed,
	}
	if l := f.Engine.Lattice; *f.Engine.Space == "lattice" {
		cfg.Lattice = &sim.LatticeConfig{Dim: *l.Dim, Moore: *l.Neighbourhood == "moore", Hex: *l.Neighbourhood == "hex", Rule: sim.RulePush}
		if *l.Rule == "wait" {
			cfg.Lattice.Rule = sim.RuleWait
		}
		if l.Update != nil && *l.Update == "blocks" {
			cfg.Lattice.Block, cfg.Lattice.Goroutines = *l.Block, *l.Goroutines
		}
	}
	cfg.Spatial = resolveSpatial(&f.Observe)
	if d := f.Engine.Demes; *f.Engine.Space == "demes" {
		cfg.Demes = &sim.DemesConfig{Dim: *d.Dim, K: *d.K, Step: *d.Step}
		if *d.Dispersal == "invasion" {
			cfg.Demes.Dispersal = sim.DemeInvasion
			cfg.Demes.Migration = *d.Migration
		} else {
			cfg.Demes.Wait = !*d.Push
		}
	}
	ct := f.Observe.CTDNA
	cfg.CTDNA = sim.CTDNAConfig{
		Every:        float64(*ct.Every),
		Shed:         *ct.Shed,
		HalfLife:     *ct.HalfLifeMin,
		NormalGE:     *ct.NormalGE,
		Depth:        *ct.Depth,
		MinAlt:       *ct.MinAlt,
		LOD:          engineFraction(*ct.LOD),
		RecordMinVAF: engineFraction(*ct.RecordMinVAF),
	}
	if cfg.CTDNA.Every == 0 {
		cfg.CTDNA.Every = -1 // the engine's "no draws" (0 takes its default)
	}
	if f.Patient != nil {
		v := &validator{loc: &locator{}}
		if cfg.Patient = v.patient(f.Patient); cfg.Patient == nil {
			return sim.Config{}, nil, fmt.Errorf("patient: %s", v.errs[0].Msg)
		}
		if cfg.Patient.Vary, cfg.Patient.Correlations = v.patientVary(f); len(v.errs) > 0 {
			return sim.Config{}, nil, fmt.Errorf("%s: %s", v.errs[0].Path, v.errs[0].Msg)
		}
	}
	pol, err := resolvePolicy(f, &m)
	if err != nil {
		return sim.Config{}, nil, err
	}
	if pol != nil {
		cfg.Therapy = func() sim.Therapy { return pol.Clone() }
	}
	return cfg, pol, nil
}

// engineFraction carries a threshold in [0, 1] to the engine, where 0 takes
// the default: 0 becomes the smallest positive number, which no observed
// VAF (alt reads / depth) can fall below without being 0.
func engineFraction(x float64) float64 {
	if x == 0 {
		return math.SmallestNonzeroFloat64
	}
	return x
}

// resolvePolicy builds the treatment policy of a filled, validated scenario
// (nil when untreated).
func resolvePolicy(f *Scenario, m *model.Model) (*sim.Policy, error) {
	tr := f.Treatment
	if len(tr.Phases) == 0 {
		return nil, nil
	}
	pol := &sim.Policy{SegmentLen: *tr.Segment}
	pk := *tr.Exposure == exposurePK
	if pk {
		pol.PK = make([]*model.PK, len(f.Drugs))
		for k, d := range f.Drugs {
			pol.PK[k] = &model.PK{Ka: *d.PK.Ka, HalfLife: *d.PK.HalfLife, Scale: *d.PK.Scale}
		}
	}
	byName := map[string]int{}
	for i, p := range tr.Phases {
		byName[p.Name] = i
	}
	for i, p := range tr.Phases {
		path := joinIndex("treatment.phases", i)
		ps := sim.PhaseSpec{Name: p.Name, Doses: make([]float64, len(m.Drugs)), Interval: *p.Interval}
		for name, dose := range p.Doses {
			k := m.DrugIndex(name)
			if k < 0 {
				return nil, fmt.Errorf("%s.doses: unknown drug %q", path, name)
			}
			if !pk {
				dose *= *f.Drugs[k].PK.Scale
			}
			ps.Doses[k] = dose
		}
		if c := p.Cycle; c != nil {
			ps.On, ps.Off = *c.On, *c.Off
		}
		end, err := endRule(*p.Until)
		if err != nil {
			return nil, fmt.Errorf("%s.until: %w", path, err)
		}
		ps.End = end
		ps.Next, ps.NextSet = i+1, true
		if i+1 == len(tr.Phases) {
			ps.Next = -1
		}
		if p.Next != nil {
			n, ok := phaseIndex(string(*p.Next), byName, len(tr.Phases))
			if !ok {
				return nil, fmt.Errorf("%s.next: unknown phase %q", path, *p.Next)
			}
			ps.Next = n
		}
		pol.Phases = append(pol.Phases, ps)
	}
	return pol, nil
}

// phaseIndex resolves a phase reference: "stop" is -1, digits an index,
// anything else a phase name.
func phaseIndex(ref string, byName map[string]int, n int) (int, bool) {
	if ref == stopWord {
		return -1, true
	}
	if isIndex(ref) {
		k, err := strconv.Atoi(ref)
		return k, err == nil && k < n
	}
	k, ok := byName[ref]
	return k, ok
}

// stopWord ends treatment when used as a phase's next.
const stopWord = "stop"

// isIndex says whether a phase reference is an index (digits).
func isIndex(ref string) bool {
	if ref == "" {
		return false
	}
	for _, r := range ref {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// endRule turns an end rule into the engine's.
func endRule(u Until) (sim.EndRule, error) {
	switch {
	case u.Word == "never":
		return sim.EndRule{Kind: sim.EndNever}, nil
	case u.Word == "progression":
		return sim.EndRule{Kind: sim.EndProgression}, nil
	case u.Word != "":
		return sim.EndRule{}, fmt.Errorf("unknown end rule %q", u.Word)
	case u.After != nil:
		return sim.EndRule{Kind: sim.EndAfter, Days: *u.After}, nil
	case u.CTDNA != nil:
		c, ok := ctdnaClasses[*u.CTDNA.Class]
		if !ok {
			return sim.EndRule{}, fmt.Errorf("ctdna class %q", *u.CTDNA.Class)
		}
		return sim.EndRule{Kind: sim.EndCTDNA, Class: c, VAF: *u.CTDNA.VAF}, nil
	case u.BurdenBelow != nil:
		return sim.EndRule{Kind: sim.EndBurdenBelow, Fraction: *u.BurdenBelow}, nil
	case u.BurdenAbove != nil:
		return sim.EndRule{Kind: sim.EndBurdenAbove, Fraction: *u.BurdenAbove}, nil
	}
	return sim.EndRule{}, fmt.Errorf("empty end rule")
}

// ctdnaClasses are the classes a ctDNA end rule may watch.
var ctdnaClasses = map[string]model.Class{model.ClassTALoss.String(): model.ClassTALoss, model.ClassPocket.String(): model.ClassPocket}

func parseCombination(s string) (model.Combination, bool) {
	for c, n := range combinationNames {
		if n == s {
			return c, true
		}
	}
	return 0, false
}

// maxClones maps engine.max_clones (0: no limit) to sim.Config.MaxClones
// (negative: no limit; 0 would take the default).
func maxClones(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

func stopAt(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
