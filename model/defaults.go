package model

import "strconv"

// Default parameters, with their sources:
// Bozic et al. 2013 eLife 2:e00747 for growth and mutation rates, Kato et al.
// 2003 PNAS for the share of inactivating DBD missense, the structural
// literature for the residues. Numbers marked "estimate" have no direct
// measurement behind them.
const (
	DefaultBirth        = 0.14 // per day, Bozic 2013
	DefaultDeath        = 0.13 // per day, untreated, Bozic 2013
	DefaultMutationRate = 1e-9 // per bp per division, Bozic 2013
	// DefaultTreatedDecline is the net rate at which sensitive lesions shrink
	// on treatment: Bozic 2013 measured 68 lesions under a targeted drug
	// declining at a median b'-d' = -0.03/day (10th and 90th percentiles
	// -0.01 and -0.07) and set d' = b + 0.03, i.e. d' = 0.17/day.
	DefaultTreatedDecline = 0.03
	// DefaultFullDoseKill is the extra death rate the 2000 mg daily dose of
	// rezatapopt adds to a sensitive cell: the untreated net growth plus the
	// treated decline, d' - d = 0.01 + 0.03 = 0.04/day.
	DefaultFullDoseKill = 0.04
)

// DefaultCatalog returns the default mutation catalog: about 600 SNV sites of
// transactivation-loss mutations and 30 of pocket-disrupting ones.
//
// Transactivation-loss (class A, estimate): named hotspots at DNA-contact
// residues (K120, S241, R248, R273, A276, C277, R280) and structural or
// zinc-binding residues (R175, C176, H179, C238, C242, G245, R249, R282), one
// SNV each; the rest of the ~200 DNA-binding-domain codons, of whose missense
// changes 30-50% inactivate (Kato 2003), as one entry of 432 sites; nonsense
// SNVs in cis with Y220C (110 sites) and frameshifts counted as 40
// SNV-equivalents. Pocket-disrupting (class B, estimate): 12 pocket-lining
// residues with 2.5 folded missense SNVs each (30 sites).
func DefaultCatalog() []Mutation {
	ta := []string{
		"K120E", "S241F", "R248W", "R248Q", "R273H", "R273C", "A276D", "C277F", "R280K",
		"R175H", "C176F", "H179R", "C238Y", "C242F", "G245S", "G245D", "R249S", "R282W",
	}
	cat := make([]Mutation, 0, 40)
	for _, n := range ta {
		cat = append(cat, Mutation{Name: n, Class: TALoss, Sites: 1})
	}
	cat = append(cat,
		Mutation{Name: "dbd-missense", Class: TALoss, Sites: 432},
		Mutation{Name: "nonsense", Class: TALoss, Sites: 110},
		Mutation{Name: "frameshift", Class: TALoss, Sites: 40},
	)
	for _, n := range []string{"L145Q", "W146C", "V147D", "T150I", "P151S", "P152L", "P153H", "C220R", "E221K", "P222L", "P223S", "T230I"} {
		cat = append(cat, Mutation{Name: n, Class: Pocket, Sites: 2.5})
	}
	return cat
}

// Rezatapopt returns the default pharmacodynamics of rezatapopt (PC14586).
// EC50 and Hill are estimates chosen so that the phase 1 dose response is
// reproduced: 0/10 responses at 150-600 mg (kill below the net growth rate
// 0.01/day, so no shrinkage) and responses at 1150-2500 mg (ASCO 2022
// abstract 3003); Emax makes the kill at the 2000 mg dose equal to
// DefaultFullDoseKill. Pocket mutations raise its EC50 100-fold (estimate).
func Rezatapopt() Drug {
	d := Drug{Name: "rezatapopt", Target: Reactivator, EC50: 900, Hill: 3, PocketFold: 100}
	d.Emax = 1
	// rounded to 12 significant digits, so that the value prints as the
	// decimal it is (0.043645) and a printed scenario loads back to it
	d.Emax = roundSig(DefaultFullDoseKill/d.Kill(2000, 1), 12)
	return d
}

// NextGen returns a hypothetical next-generation Y220C reactivator with a
// distinct mode of binding: the same pharmacodynamics as rezatapopt
// (estimate) but unaffected by the default pocket mutations.
func NextGen() Drug {
	d := Rezatapopt()
	d.Name = "nextgen"
	d.PocketFold = 1
	return d
}

// OffAxisDrug returns a generic off-axis partner (estimate: a BCL-2 or XPO1
// inhibitor) that adds 0.02/day of death to every cell at 1000 mg-eq.
func OffAxisDrug() Drug {
	d := Drug{Name: "offaxis", Target: OffAxis, EC50: 500, Hill: 1}
	d.Emax = 1
	d.Emax = roundSig(0.02/d.Kill(1000, 1), 12) // 0.03, printed as such
	return d
}

// Default returns the default model: Y220C with loss of heterozygosity (one
// copy, so one secondary hit is enough), default rates and catalog, and the
// three default drugs.
func Default() Model {
	return Model{
		Birth:        DefaultBirth,
		Death:        DefaultDeath,
		MutationRate: DefaultMutationRate,
		Catalog:      DefaultCatalog(),
		Alleles:      Alleles{Copies: 1, Dominance: 1},
		Drugs:        []Drug{Rezatapopt(), NextGen(), OffAxisDrug()},
		Combination:  Additive,
	}
}

// roundSig rounds x to n significant decimal digits.
func roundSig(x float64, n int) float64 {
	y, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', n, 64), 64)
	return y
}
