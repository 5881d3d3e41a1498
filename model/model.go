package model

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/p53evo/p53evo/internal/errprefix"
)

// MutClass is the class of a secondary TP53 mutation in cis with Y220C.
type MutClass uint8

const (
	// TALoss (class A) mutations leave p53 refoldable but unable to drive
	// transcription: the cell ignores every Y220C reactivator.
	TALoss MutClass = iota + 1
	// Pocket (class B) mutations change the Y220C pocket so that some drugs
	// no longer bind; their effect is a per-drug EC50 shift.
	Pocket
	// Passenger mutations change nothing about drug response; they may carry
	// a fitness effect.
	Passenger
)

var mutClassNames = map[MutClass]string{TALoss: "ta-loss", Pocket: "pocket", Passenger: "passenger"}

func (c MutClass) String() string {
	if s, ok := mutClassNames[c]; ok {
		return s
	}
	return fmt.Sprintf("MutClass(%d)", c)
}

// ParseMutClass turns "ta-loss", "pocket" or "passenger" into a MutClass.
func ParseMutClass(s string) (_ MutClass, err error) {
	defer errprefix.Wrap(&err, "model")
	for c, n := range mutClassNames {
		if n == s {
			return c, nil
		}
	}
	return 0, fmt.Errorf("unknown mutation class %q (allowed: ta-loss, pocket, passenger)", s)
}

// Class is what a genotype looks like to the clinic and to the reports: the
// most resistant kind of secondary mutation it carries.
type Class uint8

const (
	Sensitive   Class = iota // no resistance mutation (passengers allowed)
	ClassTALoss              // carries a transactivation-loss mutation
	ClassPocket              // carries a pocket mutation and no ta-loss mutation
	NumClasses               // number of classes, for arrays indexed by Class
)

var classNames = [...]string{"sensitive", "ta-loss", "pocket"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("Class(%d)", c)
}

// Mutation is one entry of the mutation catalog: a named secondary mutation
// (or a named group of SNVs that act alike, such as "nonsense").
type Mutation struct {
	Name  string
	Class MutClass
	// Sites is the number of single-nucleotide variants the entry stands for;
	// the entry is hit at rate Sites x MutationRate per division per Y220C copy.
	// A copy that already carries the entry has Sites-1 of them left.
	Sites float64
	// BirthDelta and DeathDelta are additive fitness effects (per day) on the
	// birth and untreated death rate. Effects of several mutations add.
	BirthDelta, DeathDelta float64
	// EC50Fold overrides, per drug name, the fold change of that drug's EC50
	// in a cell copy carrying this mutation. Missing drugs use the drug's
	// default for the mutation's class (Drug.PocketFold for pocket mutations,
	// 1 for passengers; ta-loss mutations abolish reactivator response).
	EC50Fold map[string]float64
	// Requires lists catalog indices of mutations a cell must already carry
	// (on any Y220C copy) before it can acquire this one: pathways such as
	// S -> I -> R, where R arises only in cells carrying I. Empty: open to
	// every cell.
	Requires []int
}

// Alleles describes the Y220C allele state of the founder clone.
type Alleles struct {
	// Copies of the Y220C allele (1 with loss of heterozygosity, the default).
	// A secondary mutation lands on one copy, chosen uniformly.
	Copies int
	// Dominance h in [0,1] mixes the responses of a cell's copies when they
	// differ: kill = (1-h) x (most responsive copy) + h x (least responsive
	// copy). h = 1: one resistant copy is enough (dominant-negative
	// tetramers); h = 0: one responsive copy is enough. Irrelevant with one copy.
	Dominance float64
}

// Target says what a drug acts on.
type Target uint8

const (
	// Reactivator drugs bind the Y220C pocket and restore p53 activity; they
	// kill only cells whose Y220C copies can still be reactivated.
	Reactivator Target = iota + 1
	// OffAxis drugs kill every tumour cell whatever its TP53 status.
	OffAxis
)

func (t Target) String() string {
	switch t {
	case Reactivator:
		return "y220c-pocket"
	case OffAxis:
		return "off-axis"
	}
	return fmt.Sprintf("Target(%d)", t)
}

// ParseTarget turns "y220c-pocket" or "off-axis" into a Target.
func ParseTarget(s string) (_ Target, err error) {
	defer errprefix.Wrap(&err, "model")
	switch s {
	case "y220c-pocket":
		return Reactivator, nil
	case "off-axis":
		return OffAxis, nil
	}
	return 0, fmt.Errorf("unknown drug target %q (allowed: y220c-pocket, off-axis)", s)
}

// Drug is a drug's pharmacodynamics: the extra death rate it adds at
// concentration C is Emax C^H / (C^H + EC50^H) (a sigmoid Emax model).
//
// Concentrations are in mg-equivalents: under linear pharmacokinetics the
// steady-state average concentration of a daily dose of D mg is D.
type Drug struct {
	Name   string
	Target Target
	Emax   float64 // maximal extra death rate, per day
	EC50   float64 // concentration giving half the maximal effect, mg-eq
	Hill   float64 // Hill coefficient
	// PocketFold is the EC50 fold change a pocket mutation causes for this
	// drug unless the mutation overrides it (reactivators only).
	PocketFold float64
}

// Kill is the extra death rate (per day) the drug adds at concentration c
// for a target whose EC50 is shifted fold-fold. It never overflows: when
// (c / (EC50 fold))^Hill is not a finite number (an enormous dose, a tiny
// EC50, a high Hill coefficient) it is computed in log space as
// Emax / (1 + exp(-Hill ln(c / (EC50 fold)))), which saturates at Emax
// (and at 0 for a vanishing ratio) instead of giving NaN.
func (d *Drug) Kill(c, fold float64) float64 {
	if c <= 0 || math.IsInf(fold, 1) {
		return 0
	}
	x := math.Pow(c/(d.EC50*fold), d.Hill)
	if x <= math.MaxFloat64 { // finite (and not NaN): the plain form, as always
		return d.Emax * x / (1 + x)
	}
	l := d.Hill * (math.Log(c) - math.Log(d.EC50) - math.Log(fold))
	switch {
	case math.IsNaN(l):
		return d.Emax // c and EC50 fold both infinite: treat as saturating
	case l >= 0:
		return d.Emax / (1 + math.Exp(-l))
	}
	e := math.Exp(l)
	return d.Emax * e / (1 + e)
}

// Combination says how the kill rates of several drugs combine.
type Combination uint8

const (
	// Additive kill rates: independent killing mechanisms act as competing
	// hazards, so their rates add. Over any interval the surviving fractions
	// multiply, which is Bliss independence stated for rates. The default.
	Additive Combination = iota
	// HighestSingle uses the largest single-drug kill (highest single agent):
	// a pessimistic bound for drugs that share a mechanism.
	HighestSingle
)

// Model is the biology of one scenario.
type Model struct {
	Birth, Death float64 // per day, untreated, of the founder genotype
	MutationRate float64 // per site per division
	Catalog      []Mutation
	Alleles      Alleles
	Drugs        []Drug
	Combination  Combination
	// Tolerance in [0,1) damps the kill of reactivated cells by reactivators
	// (non-genetic tolerance: MDM2 feedback, XPO1 export, BCL-2 family).
	// Off-axis drugs are not damped.
	Tolerance float64
}

// Validate reports the first inconsistency in m, naming the field.
func (m *Model) Validate() (err error) {
	defer errprefix.Wrap(&err, "model")
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	if !(m.Birth > 0) || math.IsInf(m.Birth, 0) {
		bad("birth rate %v: must be a positive finite number (per day)", m.Birth)
	}
	if !(m.Death >= 0) || math.IsInf(m.Death, 0) {
		bad("death rate %v: must be a finite number >= 0 (per day)", m.Death)
	}
	if !(m.MutationRate >= 0 && m.MutationRate < 1) {
		bad("mutation rate %v: must be in [0, 1) per site per division", m.MutationRate)
	}
	if m.Alleles.Copies < 1 || m.Alleles.Copies > 8 {
		bad("alleles.copies %d: must be between 1 and 8", m.Alleles.Copies)
	}
	if !(m.Alleles.Dominance >= 0 && m.Alleles.Dominance <= 1) {
		bad("alleles.dominance %v: must be in [0, 1]", m.Alleles.Dominance)
	}
	if !(m.Tolerance >= 0 && m.Tolerance < 1) {
		bad("tolerance %v: must be in [0, 1)", m.Tolerance)
	}
	drugs := map[string]bool{}
	for i, d := range m.Drugs {
		if d.Name == "" {
			bad("drugs[%d].name: must not be empty", i)
		}
		if drugs[d.Name] {
			bad("drugs[%d].name %q: duplicate drug name", i, d.Name)
		}
		drugs[d.Name] = true
		if d.Target != Reactivator && d.Target != OffAxis {
			bad("drugs[%d].target: must be y220c-pocket or off-axis", i)
		}
		if !(d.Emax >= 0) || math.IsInf(d.Emax, 0) {
			bad("drugs[%d].emax %v: must be a finite number >= 0 (per day)", i, d.Emax)
		}
		if !(d.EC50 > 0) || math.IsInf(d.EC50, 0) {
			bad("drugs[%d].ec50 %v: must be a positive finite concentration (mg-eq)", i, d.EC50)
		}
		if !(d.Hill > 0 && d.Hill <= 20) {
			bad("drugs[%d].hill %v: must be in (0, 20]", i, d.Hill)
		}
		if d.Target == Reactivator && !(d.PocketFold >= 1) {
			bad("drugs[%d].pocket_fold %v: must be >= 1 (an EC50 fold increase)", i, d.PocketFold)
		}
	}
	m.validateCatalog(drugs, bad)
	return errors.Join(errs...)
}

// validateCatalog reports through bad the problems of m's catalog, given
// the names of m's drugs.
func (m *Model) validateCatalog(drugs map[string]bool, bad func(f string, a ...any)) {
	names := map[string]bool{}
	for i, mu := range m.Catalog {
		if mu.Name == "" {
			bad("catalog[%d].name: must not be empty", i)
		}
		if names[mu.Name] {
			bad("catalog[%d].name %q: duplicate mutation name", i, mu.Name)
		}
		names[mu.Name] = true
		if mu.Class != TALoss && mu.Class != Pocket && mu.Class != Passenger {
			bad("catalog[%d].class: must be ta-loss, pocket or passenger", i)
		}
		for _, r := range mu.Requires {
			if r < 0 || r >= len(m.Catalog) || r == i {
				bad("catalog[%d].requires: %d is not another entry of the catalog (0 to %d)", i, r, len(m.Catalog)-1)
			}
		}
		if !(mu.Sites > 0) || math.IsInf(mu.Sites, 0) {
			bad("catalog[%d].sites %v: must be a positive finite number of SNVs", i, mu.Sites)
		}
		if math.IsNaN(mu.BirthDelta) || math.IsNaN(mu.DeathDelta) || math.IsInf(mu.BirthDelta, 0) || math.IsInf(mu.DeathDelta, 0) {
			bad("catalog[%d] (%s): fitness effects must be finite", i, mu.Name)
		}
		for dn, f := range mu.EC50Fold {
			if !drugs[dn] {
				bad("catalog[%d].ec50_fold: unknown drug %q (known: %v)", i, dn, sortedKeys(drugs))
			}
			if !(f > 0) {
				bad("catalog[%d].ec50_fold[%s] %v: must be > 0 (use a large number, not infinity, for no binding)", i, dn, f)
			}
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	slices.Sort(k)
	return k
}

// MutationIndex returns the catalog index of the named mutation, or -1.
func (m *Model) MutationIndex(name string) int {
	for i := range m.Catalog {
		if m.Catalog[i].Name == name {
			return i
		}
	}
	return -1
}

// DrugIndex returns the index of the named drug, or -1.
func (m *Model) DrugIndex(name string) int {
	for i := range m.Drugs {
		if m.Drugs[i].Name == name {
			return i
		}
	}
	return -1
}
