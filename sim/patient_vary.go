package sim

import (
	"fmt"
	"math"
	"slices"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim/rng"
)

// VaryField names the model parameter a VaryParam sets.
type VaryField uint8

const (
	VaryBirth          VaryField = iota + 1 // Model.Birth
	VaryDeath                               // Model.Death
	VaryMutationRate                        // Model.MutationRate
	VaryDominance                           // Model.Alleles.Dominance
	VaryTolerance                           // Model.Tolerance
	VaryDrugEmax                            // Model.Drugs[Index].Emax
	VaryDrugEC50                            // Model.Drugs[Index].EC50
	VaryDrugHill                            // Model.Drugs[Index].Hill
	VaryDrugPocketFold                      // Model.Drugs[Index].PocketFold
	VaryMutBirthDelta                       // Model.Catalog[Index].BirthDelta
	VaryMutDeathDelta                       // Model.Catalog[Index].DeathDelta
)

// varyRange is the allowed range of each field (as model.Validate checks
// it; open ends are excluded by the Open flags) and whether a per-lesion
// draw makes sense for it: a lesion's own growth and drug response
// (perfusion, stroma, the local micro-environment) may differ from its
// neighbours', while the mutation process, the allele state and the drug's
// binding (Hill, pocket fold) are properties of the patient's truncal
// genome and of the molecule.
var varyRange = map[VaryField]struct {
	Lo, Hi         float64
	OpenLo, OpenHi bool
	PerLesion      bool
}{
	VaryBirth:          {0, math.Inf(1), true, true, true},
	VaryDeath:          {0, math.Inf(1), false, true, true},
	VaryMutationRate:   {0, 1, false, true, false},
	VaryDominance:      {0, 1, false, false, false},
	VaryTolerance:      {0, 1, false, true, true},
	VaryDrugEmax:       {0, 100, false, false, true},
	VaryDrugEC50:       {0, math.Inf(1), true, true, true},
	VaryDrugHill:       {0, 20, true, false, false},
	VaryDrugPocketFold: {1, math.Inf(1), false, true, false},
	VaryMutBirthDelta:  {math.Inf(-1), math.Inf(1), true, true, false},
	VaryMutDeathDelta:  {math.Inf(-1), math.Inf(1), true, true, false},
}

// VaryAllowed reports the range a field's draws must lie in, as text
// ("(0, 1]"), and whether the field may be drawn per lesion.
func VaryAllowed(f VaryField) (rng string, perLesion bool) {
	r, ok := varyRange[f]
	if !ok {
		return "", false
	}
	lb, rb := "[", "]"
	if r.OpenLo {
		lb = "("
	}
	if r.OpenHi {
		rb = ")"
	}
	return fmt.Sprintf("%s%g, %g%s", lb, r.Lo, r.Hi, rb), r.PerLesion
}

// VaryParam is a model parameter drawn per patient, or per lesion, instead
// of taking the scenario's value: the draw replaces the value in a copy of
// the model before the patient's multipliers (Growth, Kill, LesionKill)
// apply on top.
type VaryParam struct {
	Path      string    // the scenario's path (drugs[rezatapopt].ec50): the draws table's parameter
	Field     VaryField // which model parameter
	Index     int       // drug or catalog index, for the per-drug and per-mutation fields
	Law       Dist
	PerLesion bool // one draw per lesion (occult ones included) rather than per patient
}

// Correlation couples two per-patient draws through a Gaussian copula: A
// and B are "growth", "kill" or the Path of a per-patient VaryParam; Rho is
// the correlation of their normal scores (see PatientConfig.Correlations).
type Correlation struct {
	A, B string
	Rho  float64
}

// ParamDraw is one recorded draw of a VaryParam.
type ParamDraw struct {
	Lesion int    // -1 for a per-patient draw
	Param  string // VaryParam.Path
	Value  float64
	idx    int // index in PatientConfig.Vary
}

// copula names: the built-in multipliers come first, the per-patient vary
// entries follow in their order.
const (
	copulaGrowth = "growth"
	copulaKill   = "kill"
)

// varyState is a worker's precomputed copula and the current patient's
// normal scores.
type varyState struct {
	// chol is the lower Cholesky factor of the correlation matrix of the
	// copula's variables (growth, kill, then every VaryParam, per-lesion
	// ones with unit rows); nil without correlations. unit[i] says row i
	// is the identity's: variable i keeps its own uniform, bit for bit.
	chol [][]float64
	unit []bool
	z    []float64
}

// validateVary checks the vary entries and correlations against the model.
func (p *PatientConfig) validateVary(m *model.Model) []error {
	var errs []error
	seen := map[string]bool{}
	for i, v := range p.Vary {
		name := fmt.Sprintf("patient.vary[%s]", v.Path)
		r, ok := varyRange[v.Field]
		if !ok {
			errs = append(errs, fmt.Errorf("patient.vary[%d]: unknown field %d", i, v.Field))
			continue
		}
		if seen[v.Path] {
			errs = append(errs, fmt.Errorf("%s: given twice", name))
		}
		seen[v.Path] = true
		switch v.Field {
		case VaryDrugEmax, VaryDrugEC50, VaryDrugHill, VaryDrugPocketFold:
			if v.Index < 0 || v.Index >= len(m.Drugs) {
				errs = append(errs, fmt.Errorf("%s: drug index %d out of range (%d drugs)", name, v.Index, len(m.Drugs)))
			}
		case VaryMutBirthDelta, VaryMutDeathDelta:
			if v.Index < 0 || v.Index >= len(m.Catalog) {
				errs = append(errs, fmt.Errorf("%s: catalog index %d out of range (%d entries)", name, v.Index, len(m.Catalog)))
			}
		}
		if v.PerLesion && !r.PerLesion {
			errs = append(errs, fmt.Errorf("%s: drawn per lesion, but the parameter is the patient's (per: patient)", name))
		}
		if err := v.Law.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		if err := VaryCheck(v.Field, &v.Law); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	if err := p.CheckCorrelations(); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// VaryCheck reports a law that can give values outside the field's range.
func VaryCheck(f VaryField, d *Dist) error {
	r, ok := varyRange[f]
	if !ok {
		return fmt.Errorf("unknown parameter %d", f)
	}
	lo, hi := d.Range()
	if !(lo > r.Lo || (!r.OpenLo && lo >= r.Lo)) || !(hi < r.Hi || (!r.OpenHi && hi <= r.Hi)) || !finite(lo) || !finite(hi) {
		want, _ := VaryAllowed(f)
		return fmt.Errorf("values from %g to %g possible, must lie in %s and be finite (truncate the law with min and max)", lo, hi, want)
	}
	return nil
}

// CheckCorrelations reports correlations that name unknown draws, are out
// of range, or cannot hold together.
func (p *PatientConfig) CheckCorrelations() error {
	_, err := p.copula()
	return err
}

// copula builds the Cholesky factor of the correlations (nil without any).
func (p *PatientConfig) copula() (*varyState, error) {
	n := 2 + len(p.Vary)
	st := &varyState{z: make([]float64, n), unit: make([]bool, n)}
	if len(p.Correlations) == 0 {
		return st, nil
	}
	index := func(name string) int {
		switch name {
		case copulaGrowth:
			return 0
		case copulaKill:
			return 1
		}
		for j, v := range p.Vary {
			if v.Path == name && !v.PerLesion {
				return 2 + j
			}
		}
		return -1
	}
	r := make([][]float64, n)
	for i := range r {
		r[i] = make([]float64, n)
		r[i][i] = 1
	}
	for k, c := range p.Correlations {
		a, b := index(c.A), index(c.B)
		name := fmt.Sprintf("patient.correlation[%d]", k)
		switch {
		case a < 0 || b < 0:
			bad := c.A
			if a >= 0 {
				bad = c.B
			}
			return nil, fmt.Errorf("%s.between: %q is neither growth, kill nor a per-patient entry of patient.vary", name, bad)
		case a == b:
			return nil, fmt.Errorf("%s.between: %q correlated with itself", name, c.A)
		case !(c.Rho > -1 && c.Rho < 1):
			return nil, fmt.Errorf("%s.rho %v: must lie in (-1, 1)", name, c.Rho)
		case r[a][b] != 0:
			return nil, fmt.Errorf("%s: %s and %s are correlated twice", name, c.A, c.B)
		}
		r[a][b], r[b][a] = c.Rho, c.Rho
	}
	l := make([][]float64, n)
	for i := range l {
		l[i] = make([]float64, i+1)
		for j := 0; j <= i; j++ {
			s := r[i][j]
			for k := 0; k < j; k++ {
				s -= l[i][k] * l[j][k]
			}
			if i == j {
				if !(s > 1e-12) {
					return nil, fmt.Errorf("patient.correlation: the correlations cannot hold together (their matrix is not positive definite); weaken them")
				}
				l[i][i] = math.Sqrt(s)
			} else {
				l[i][j] = s / l[j][j]
			}
		}
	}
	for i := range l {
		st.unit[i] = l[i][i] == 1 && !slices.ContainsFunc(l[i][:i], func(x float64) bool { return x != 0 })
	}
	st.chol = l
	return st, nil
}

// varyStateOf is the worker's copula, built on first use.
func (rp *Replicator) varyStateOf() *varyState {
	if rp.vary == nil {
		st, err := rp.cfg.Patient.copula()
		if err != nil { // refused by Config.validate
			panic(err)
		}
		rp.vary = st
	}
	return rp.vary
}

// normalScore is the standard normal quantile of u in (0, 1).
func normalScore(u float64) float64 { return -math.Sqrt2 * math.Erfcinv(2*u) }

// coupled is the uniform copula variable i uses, given its own uniform u
// (whose normal score is already in st.z[i]): u itself for a variable
// correlated with no earlier one, else the normal CDF of its row of the
// Cholesky factor applied to the normal scores.
func (st *varyState) coupled(i int, u float64) float64 {
	if st.chol == nil || st.unit[i] {
		return u
	}
	x := 0.0
	for j, l := range st.chol[i] {
		x += l * st.z[j]
	}
	p := 0.5 * math.Erfc(-x/math.Sqrt2)
	return math.Min(math.Max(p, math.SmallestNonzeroFloat64), math.Nextafter(1, 0))
}

// growthKill draws the patient's growth and kill multipliers: one uniform
// each, in that order, coupled when they are correlated.
func (rp *Replicator) growthKill(r *rng.Stream) (growth, kill float64) {
	pc := rp.cfg.Patient
	ug, uk := r.Open01(), r.Open01()
	st := rp.varyStateOf()
	if st.chol != nil {
		st.z[0], st.z[1] = normalScore(ug), normalScore(uk)
	}
	return pc.Growth.At(st.coupled(0, ug)), pc.Kill.At(st.coupled(1, uk))
}

// drawVary draws the vary entries after every other draw of the patient:
// one uniform per per-patient entry, in order, then for each of the
// patient's lesions one per per-lesion entry. The draws go to pr.Draws.
func (rp *Replicator) drawVary(r *rng.Stream, pr *PatientResult, lesions int) {
	vary := rp.cfg.Patient.Vary
	if len(vary) == 0 {
		return
	}
	st := rp.varyStateOf()
	for j := range vary {
		v := &vary[j]
		if v.PerLesion {
			continue
		}
		u := r.Open01()
		if st.chol != nil {
			st.z[2+j] = normalScore(u)
		}
		pr.Draws = append(pr.Draws, ParamDraw{Lesion: -1, Param: v.Path, Value: v.Law.At(st.coupled(2+j, u)), idx: j})
	}
	for li := range lesions {
		for j := range vary {
			if v := &vary[j]; v.PerLesion {
				pr.Draws = append(pr.Draws, ParamDraw{Lesion: li, Param: v.Path, Value: v.Law.Sample(r), idx: j})
			}
		}
	}
}

// lesionBase is the model lesion li of the patient grows from: the
// scenario's, or without vary entries a copy carrying the patient's and
// the lesion's draws.
func (rp *Replicator) lesionBase(pr *PatientResult, li int) *model.Model {
	cfg := rp.cfg
	if len(cfg.Patient.Vary) == 0 {
		return &cfg.Model
	}
	m := cfg.Model
	m.Drugs = slices.Clone(m.Drugs)
	m.Catalog = slices.Clone(m.Catalog)
	for _, d := range pr.Draws {
		if d.Lesion == -1 || d.Lesion == li {
			cfg.Patient.Vary[d.idx].apply(&m, d.Value)
		}
	}
	return &m
}

// apply sets v's parameter of m to x.
func (v *VaryParam) apply(m *model.Model, x float64) {
	switch v.Field {
	case VaryBirth:
		m.Birth = x
	case VaryDeath:
		m.Death = x
	case VaryMutationRate:
		m.MutationRate = x
	case VaryDominance:
		m.Alleles.Dominance = x
	case VaryTolerance:
		m.Tolerance = x
	case VaryDrugEmax:
		m.Drugs[v.Index].Emax = x
	case VaryDrugEC50:
		m.Drugs[v.Index].EC50 = x
	case VaryDrugHill:
		m.Drugs[v.Index].Hill = x
	case VaryDrugPocketFold:
		m.Drugs[v.Index].PocketFold = x
	case VaryMutBirthDelta:
		m.Catalog[v.Index].BirthDelta = x
	case VaryMutDeathDelta:
		m.Catalog[v.Index].DeathDelta = x
	}
}
