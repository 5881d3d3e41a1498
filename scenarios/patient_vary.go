package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/p53evo/p53evo/sim"
)

// VarySpec is one entry of patient.vary: the law of a model parameter (the
// keys of DistSpec) and whether it is drawn per patient (the default) or
// per lesion.
//
//	patient:
//	  vary:
//	    drugs[rezatapopt].ec50: {dist: lognormal, median: 250, cv: 0.5, min: 20, max: 5000}
//	    growth.birth: {dist: normal, mean: 0.14, sd: 0.02, min: 0.05, max: 0.3, per: lesion}
//	    alleles.dominance: {dist: beta, alpha: 2, beta: 5}
//	  correlation:
//	    - {between: [growth, kill], rho: -0.3}
type VarySpec struct {
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
	// Per is patient (one draw per patient, the default) or lesion (one
	// per lesion, for the parameters that allow it).
	Per *string `yaml:"per,omitempty"`
}

// law is the entry's DistSpec.
func (s *VarySpec) law() *DistSpec {
	return &DistSpec{Dist: s.Dist, Value: s.Value, Mean: s.Mean, SD: s.SD, Median: s.Median, CV: s.CV, SDLog10: s.SDLog10,
		Low: s.Low, High: s.High, Alpha: s.Alpha, Beta: s.Beta, Values: s.Values, Min: s.Min, Max: s.Max}
}

// CorrelationSpec couples two per-patient draws (patient.correlation):
// between names growth, kill or patient.vary entries.
type CorrelationSpec struct {
	Between []string `yaml:"between"`
	Rho     *float64 `yaml:"rho"`
}

// varyParams are the model parameters patient.vary accepts: the path's
// shape (with <drug> and <entry> for a selected list entry) and the field.
var varyParams = []struct {
	shape string
	field sim.VaryField
}{
	{"growth.birth", sim.VaryBirth},
	{"growth.death", sim.VaryDeath},
	{"mutation.rate", sim.VaryMutationRate},
	{"alleles.dominance", sim.VaryDominance},
	{"tolerance", sim.VaryTolerance},
	{"drugs[<drug>].emax", sim.VaryDrugEmax},
	{"drugs[<drug>].ec50", sim.VaryDrugEC50},
	{"drugs[<drug>].hill", sim.VaryDrugHill},
	{"drugs[<drug>].pocket_fold", sim.VaryDrugPocketFold},
	{"mutation.catalog[<entry>].birth_delta", sim.VaryMutBirthDelta},
	{"mutation.catalog[<entry>].death_delta", sim.VaryMutDeathDelta},
}

// VaryPaths lists the path shapes patient.vary accepts, and which of them
// may be drawn per lesion.
func VaryPaths() (all, perLesion []string) {
	for _, p := range varyParams {
		all = append(all, p.shape)
		if _, ok := sim.VaryAllowed(p.field); ok {
			perLesion = append(perLesion, p.shape)
		}
	}
	return all, perLesion
}

// patientVary checks patient.vary and patient.correlation of the filled
// scenario f and returns them resolved.
func (v *validator) patientVary(f *Scenario) ([]sim.VaryParam, []sim.Correlation) {
	p := f.Patient
	if p == nil || (len(p.Vary) == 0 && len(p.Correlation) == 0) {
		return nil, nil
	}
	n := len(v.errs)
	var out []sim.VaryParam
	names := map[string]string{} // as written or canonical -> canonical
	perLesion := map[string]bool{}
	for _, key := range sortedKeys(p.Vary) {
		spec := p.Vary[key]
		at := joinKey("patient.vary", key)
		vp, ok := v.varyTarget(f, key, at)
		if !ok {
			continue
		}
		if prev, dup := names[vp.Path]; dup {
			v.bad(at, "the same parameter as %s", prev)
			continue
		}
		names[key], names[vp.Path] = vp.Path, vp.Path
		_, lesionOK := sim.VaryAllowed(vp.Field)
		if spec.Per != nil {
			switch *spec.Per {
			case "patient":
			case "lesion":
				if !lesionOK {
					_, pl := VaryPaths()
					v.bad(at+".per", "%s is a property of the patient's tumour or of the drug, drawn per patient; per: lesion is allowed for %s", key, list(pl))
				}
				vp.PerLesion = true
			default:
				v.bad(at+".per", "unknown %q; allowed: patient, lesion%s", *spec.Per, suggest(*spec.Per, []string{"patient", "lesion"}))
			}
		}
		perLesion[vp.Path] = vp.PerLesion
		before := len(v.errs)
		vp.Law = v.dist(at, spec.law(), math.Inf(-1), math.Inf(1), "")
		// the extremes are tried on the rest of the scenario once it is valid
		if len(v.errs) == before && n == 0 {
			v.varyRange(f, key, at, vp.Law, vp.Field)
		}
		out = append(out, vp)
	}
	var cors []sim.Correlation
	for i, c := range p.Correlation {
		at := joinIndex("patient.correlation", i)
		ok := true
		if len(c.Between) != 2 {
			v.bad(at+".between", "must name two draws, e.g. [growth, kill]; got %d", len(c.Between))
			ok = false
		}
		var ends [2]string
		for k, name := range c.Between {
			if k > 1 {
				break
			}
			switch canon, known := names[name]; {
			case name == "growth" || name == "kill":
				ends[k] = name
			case !known:
				v.bad(joinIndex(at+".between", k), "unknown draw %q; allowed: growth, kill or a per-patient entry of patient.vary%s", name, suggest(name, append([]string{"growth", "kill"}, sortedKeys(p.Vary)...)))
				ok = false
			case perLesion[canon]:
				v.bad(joinIndex(at+".between", k), "%s is drawn per lesion; only per-patient draws can be correlated", name)
				ok = false
			default:
				ends[k] = canon
			}
		}
		if c.Rho == nil {
			v.bad(at+".rho", "missing; give the correlation of the normal scores, in (-1, 1)")
			ok = false
		} else if !(*c.Rho > -1 && *c.Rho < 1) {
			v.bad(at+".rho", "must lie in (-1, 1), got %s", num(*c.Rho))
			ok = false
		}
		if ok {
			cors = append(cors, sim.Correlation{A: ends[0], B: ends[1], Rho: *c.Rho})
		}
	}
	if len(v.errs) > n {
		return nil, nil
	}
	pc := sim.PatientConfig{Vary: out, Correlations: cors}
	if err := pc.CheckCorrelations(); err != nil {
		v.bad("patient.correlation", "%v", err)
		return nil, nil
	}
	return out, cors
}

// varyTarget parses a patient.vary key into the model parameter it names
// (Path canonical: list entries selected by name).
func (v *validator) varyTarget(f *Scenario, key, at string) (sim.VaryParam, bool) {
	all, _ := VaryPaths()
	refuse := func(why string) (sim.VaryParam, bool) {
		v.bad(at, "%s; patient.vary takes the model's scalar parameters: %s", why, list(all))
		return sim.VaryParam{}, false
	}
	segs, err := parsePath(key)
	if err != nil {
		v.bad(at, "%v", err)
		return sim.VaryParam{}, false
	}
	shape := make([]string, len(segs))
	var sel string
	for i, s := range segs {
		shape[i] = s.key
		if s.sel {
			sel = s.key
			shape[i] = "[i]"
		}
	}
	generic := strings.ReplaceAll(strings.Join(shape, "."), ".[i]", "[i]")
	paths := Paths()
	if dot := strings.LastIndex(generic, "."); dot > 0 && !slices.Contains(paths, generic) {
		if g := generic[:dot] + ".<drug>"; slices.Contains(paths, g) {
			generic = g
		}
	}
	switch {
	case slices.ContainsFunc(paths, func(p string) bool { return strings.HasPrefix(p, generic+".") || strings.HasPrefix(p, generic+"[") }):
		return refuse(fmt.Sprintf("%s is a section or a list, not a scalar", key))
	case !slices.Contains(paths, generic):
		return refuse(fmt.Sprintf("unknown path %q (the paths --set takes; see Paths)", key))
	case generic == "mutation.catalog[i].ec50_fold.<drug>":
		return refuse(fmt.Sprintf("%s is an entry of a mapping, which cannot vary (vary the drug's pocket_fold or ec50)", key))
	}
	vp := sim.VaryParam{Path: key}
	switch {
	case strings.HasPrefix(generic, "drugs[i]."):
		k, name, ok := v.selectEntry(at, key, sel, len(f.Drugs), func(j int) string { return f.Drugs[j].Name })
		if !ok {
			return vp, false
		}
		vp.Index, vp.Path = k, "drugs["+name+"]"+strings.TrimPrefix(generic, "drugs[i]")
		generic = strings.Replace(generic, "[i]", "[<drug>]", 1)
	case strings.HasPrefix(generic, "mutation.catalog[i]."):
		es := f.Mutation.Catalog.Entries
		k, name, ok := v.selectEntry(at, key, sel, len(es), func(j int) string { return es[j].Name })
		if !ok {
			return vp, false
		}
		vp.Index, vp.Path = k, "mutation.catalog["+name+"]"+strings.TrimPrefix(generic, "mutation.catalog[i]")
		generic = strings.Replace(generic, "[i]", "[<entry>]", 1)
	}
	for _, p := range varyParams {
		if p.shape == generic {
			vp.Field = p.field
			return vp, true
		}
	}
	switch generic {
	case "alleles.copies":
		return refuse("alleles.copies is a whole number, not a continuous parameter")
	case "mutation.catalog[<entry>].sites":
		return refuse(key + " sets how many distinct SNVs the entry stands for, which every patient shares")
	}
	return refuse(fmt.Sprintf("%s is not a scalar parameter of the model (it sets up the run, the clinic or the treatment)", key))
}

// selectEntry finds the list entry sel names (an index or a name).
func (v *validator) selectEntry(at, key, sel string, n int, name func(int) string) (int, string, bool) {
	if k, err := strconv.Atoi(sel); err == nil {
		if k < 0 || k >= n {
			v.bad(at, "index %d out of range in %s: %d entries", k, key, n)
			return 0, "", false
		}
		return k, name(k), true
	}
	var names []string
	for j := range n {
		if name(j) == sel {
			return j, sel, true
		}
		names = append(names, name(j))
	}
	v.bad(at, "no entry named %q in %s; names: %s%s", sel, key, list(names), suggest(sel, names))
	return 0, "", false
}

// varyRange checks that every value the law can give is a valid value of
// the parameter: the law's extremes are set in a copy of the scenario (as
// --set would) and must pass its checks.
func (v *validator) varyRange(f *Scenario, key, at string, d sim.Dist, field sim.VaryField) {
	allowed, _ := sim.VaryAllowed(field)
	lo, hi := d.Range()
	if !finite(lo) || !finite(hi) {
		v.bad(at, "can give values from %s to %s; %s must lie in %s (truncate the law with min and max)", num(lo), num(hi), key, allowed)
		return
	}
	for _, x := range []float64{lo, hi} {
		c := clone(f)
		c.Patient.Vary, c.Patient.Correlation = nil, nil
		if err := Set(c, key, num(x)); err != nil {
			msg := err.Error()
			if es := Errors(err); len(es) > 0 {
				msg = es[0].Msg
			}
			v.bad(at, "can give %s, which %s refuses: %s (truncate the law with min and max)", num(x), key, msg)
			return
		}
	}
	if err := sim.VaryCheck(field, &d); err != nil {
		v.bad(at, "%v", err)
	}
}
