package sim_test

import (
	"math"
	"slices"
	"testing"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// escapeSeed is the first lesion seed of escapeRun.
const escapeSeed = uint64(1000)

// escapeKill is the drug's added death rate for sensitive cells (per day).
const escapeKill = 0.8

// binomUpper is P(X >= k) for X ~ Binomial(n, 1/2).
func binomUpper(n, k int) float64 {
	p := 0.0
	for i := k; i <= n; i++ {
		lg, _ := math.Lgamma(float64(n + 1))
		a, _ := math.Lgamma(float64(i + 1))
		b, _ := math.Lgamma(float64(n - i + 1))
		p += math.Exp(lg - a - b - float64(n)*math.Ln2)
	}
	return min(p, 1)
}

// signTest compares paired values: the pairs where a > b, where a < b, and
// the one-sided p-value of so many a > b among the untied pairs under the
// null that either is as likely.
func signTest(a, b []float64) (more, less int, p float64) {
	for i := range a {
		switch {
		case a[i] > b[i]:
			more++
		case a[i] < b[i]:
			less++
		}
	}
	return more, less, binomUpper(more+less, more)
}

// escapeModel has rates that make a 2D lesion quick to grow in tumour time
// (b = 1, d = 0.3 per day) and rezatapopt's maximal effect raised so that at
// 2000 mg-eq it adds 1.2 per day to a sensitive cell's death rate: sensitive
// cells die off (net -0.5 per day), resistant ones (untouched by the drug)
// grow at 0.7 per day where they have room. No new mutations.
func escapeModel(t *testing.T) (model.Model, model.Hit, sim.Exposure) {
	m := model.Default()
	m.Birth, m.Death, m.MutationRate = 1, 0.3, 0
	conc := []float64{2000, 0, 0}
	ph := m.Phenotype(model.Genotype{})
	m.Drugs[0].Emax *= escapeKill / (ph.DeathAt(conc) - ph.Death)
	ph = m.Phenotype(model.Genotype{})
	if k := ph.DeathAt(conc) - ph.Death; math.Abs(k-escapeKill) > 1e-9 {
		t.Fatalf("drug kill %g, want %g", k, escapeKill)
	}
	return m, resistanceHit(t, &m), sim.Constant{C: conc}
}

// escapeRun grows lesions of 2,000 cells on a 2D von Neumann lattice, plants
// one resistant cell at the centre and one at the edge (the outermost cell
// along +x), treats for days, and returns the final sizes of the edge and
// centre clones, and the day each first reached escape cells (+Inf: never),
// looked at every quarter day.
func escapeRun(t *testing.T, rule sim.LatticeRule, lesions int, days float64, escape int64) (edge, centre, edgeT, centreT []float64) {
	m, hit, drug := escapeModel(t)
	lt := sim.NewLattice(&m, sim.LatticeConfig{Dim: 2, Rule: rule}, 0)
	seed := escapeSeed
	for range lesions {
		for lt.Total() < 2000 {
			seed++
			lt.Reset(seed, 1, 0)
			lt.AdvanceUntil(math.Inf(1), sim.NoDrug{}, 2000)
		}
		x := 0
		for lt.CellAt(x+1, 0, 0) >= 0 || lt.CellAt(x+2, 0, 0) >= 0 {
			x++
		}
		for lt.CellAt(x, 0, 0) < 0 {
			x--
		}
		cx := 0
		for lt.CellAt(cx, 0, 0) < 0 {
			cx++
		}
		ci, err := lt.Plant(cx, 0, 0, hit)
		if err != nil {
			t.Fatal(err)
		}
		ei, err := lt.Plant(x, 0, 0, hit)
		if err != nil {
			t.Fatal(err)
		}
		start := lt.Time()
		et, ct := math.Inf(1), math.Inf(1)
		for lt.Time() < start+days {
			lt.Advance(lt.Time()+0.25, drug)
			if math.IsInf(et, 1) && lt.CloneSize(ei) >= escape {
				et = lt.Time() - start
			}
			if math.IsInf(ct, 1) && lt.CloneSize(ci) >= escape {
				ct = lt.Time() - start
			}
		}
		if err := lt.Check(); err != nil {
			t.Fatal(err)
		}
		edge = append(edge, float64(lt.CloneSize(ei)))
		centre = append(centre, float64(lt.CloneSize(ci)))
		edgeT = append(edgeT, et)
		centreT = append(centreT, ct)
		lt.Reset(0, 0, 0) // the next lesion grows anew
	}
	return edge, centre, edgeT, centreT
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// TestLatticeEdgeEscape: resistant cells born at the edge of a lesion escape
// a drug that kills sensitive cells sooner, and grow larger, than resistant
// cells born at its centre, when space constrains division (the wait rule:
// a cell divides only into an empty neighbour site); without that
// constraint the origin makes no difference. 400 lesions of 2,000 cells on
// a 2D von Neumann lattice (b = 1, d = 0.3 per day; the drug adds 0.8 per
// day to sensitive cells' death, so they decline at 0.1 per day where they
// have room and die off where they have none; see escapeModel) each get one
// resistant cell at the centre and one at the edge, then 8 days of the drug.
// A clone has escaped when it reaches 50 cells.
//
//   - Wait rule, a check that can fail: among the lesions where the two
//     clones escaped on different days (or only one did), the edge clone
//     escaped first more often, one-sided sign test p < 1e-4 (measured 136
//     against 49, p = 6e-11); the edge clone ends larger in more lesions,
//     sign test p < 0.01 (measured 198 against 143, p = 0.002); and the
//     edge clones hold at least 1.2 times the centre clones' cells in all
//     (measured 14,121 against 10,008). The effect on final sizes is modest
//     because the drug thins the interior within days and a centre clone
//     then grows into the holes; the head start is what the edge gives.
//   - Push rule (every division succeeds wherever the cell sits, so each
//     clone is the well-mixed engine's birth-death process; see
//     TestLatticePushWellMixedLimit): neither origin wins, sign test p >
//     0.0005 each way (measured 187 against 178).
//   - The well-mixed engine: a resistant cell's lineage there (b = 1,
//     d = 0.3, which the drug does not touch) has no origin; 400 lineages
//     grown for 8 days are the reference. Wait-rule centre clones are
//     smaller than well-mixed lineages (one-sided Mann-Whitney z > 3.1;
//     measured 10.8), and push-rule clones of either origin cannot be told
//     from them (|z| < 2.58; measured -0.3 and -0.1).
func TestLatticeEdgeEscape(t *testing.T) {
	if testing.Short() {
		t.Skip("600 lesions")
	}
	const lesions, days, escape = 400, 8.0, 50
	edge, centre, et, ct := escapeRun(t, sim.RuleWait, lesions, days, escape)
	more, less, p := signTest(edge, centre)
	negT := func(v []float64) []float64 {
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = -x
		}
		return out
	}
	first, later, pT := signTest(negT(et), negT(ct))
	t.Logf("wait rule, %d lesions: edge clone larger in %d, centre larger in %d (sign test p = %.2g); cells in all: edge %.0f, centre %.0f; edge escaped (%d cells) first in %d, centre first in %d (p = %.2g)",
		lesions, more, less, p, sum(edge), sum(centre), escape, first, later, pT)
	if pT >= 1e-4 || p >= 0.01 || sum(edge) < 1.2*sum(centre) {
		t.Errorf("wait rule: edge-born resistant clones do not escape first / grow larger (sizes p = %.2g, escape p = %.2g, cells %.0f vs %.0f)", p, pT, sum(edge), sum(centre))
	}

	pe, pc, _, _ := escapeRun(t, sim.RulePush, lesions, days, escape)
	more, less, p = signTest(pe, pc)
	q := binomUpper(more+less, less)
	t.Logf("push rule, %d lesions: edge clone larger in %d, centre larger in %d (p = %.2g edge, %.2g centre); cells in all: edge %.0f, centre %.0f",
		lesions, more, less, p, q, sum(pe), sum(pc))
	if p <= 0.0005 || q <= 0.0005 {
		t.Errorf("push rule: the origin matters (edge p = %.2g, centre p = %.2g)", p, q)
	}

	m, _, _ := escapeModel(t)
	tm := sim.NewTumor(&m, sim.Options{ExactBelow: 1 << 40})
	var wm []float64
	for i := range lesions {
		tm.Reset(uint64(5000+i), 1, 0)
		tm.Advance(days, sim.NoDrug{})
		wm = append(wm, float64(tm.Total()))
	}
	zc := mannWhitney(wm, centre)
	zpe, zpc := mannWhitney(wm, pe), mannWhitney(wm, pc)
	t.Logf("well mixed: %d lineages, %.0f cells in all; Mann-Whitney z well mixed vs wait-rule centre %.2f, vs push edge %.2f, vs push centre %.2f", lesions, sum(wm), zc, zpe, zpc)
	if zc <= 3.1 {
		t.Errorf("wait-rule centre clones not smaller than well-mixed lineages: z = %.2f", zc)
	}
	if math.Abs(zpe) >= 2.58 || math.Abs(zpc) >= 2.58 {
		t.Errorf("push-rule clones differ from well-mixed lineages: z = %.2f (edge), %.2f (centre)", zpe, zpc)
	}
}

// mannWhitney is the normal approximation z of the Mann-Whitney U test that
// a tends to exceed b (ties share ranks; tie-corrected variance).
func mannWhitney(a, b []float64) float64 {
	type obs struct {
		v    float64
		from int
	}
	var all []obs
	for _, v := range a {
		all = append(all, obs{v, 0})
	}
	for _, v := range b {
		all = append(all, obs{v, 1})
	}
	slices.SortFunc(all, func(x, y obs) int {
		switch {
		case x.v < y.v:
			return -1
		case x.v > y.v:
			return 1
		}
		return 0
	})
	n1, n2 := float64(len(a)), float64(len(b))
	n := n1 + n2
	ra, ties := 0.0, 0.0
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		rank := float64(i+j+1) / 2
		for k := i; k < j; k++ {
			if all[k].from == 0 {
				ra += rank
			}
		}
		tc := float64(j - i)
		ties += tc*tc*tc - tc
		i = j
	}
	u := ra - n1*(n1+1)/2
	sd := math.Sqrt(n1 * n2 / 12 * ((n + 1) - ties/(n*(n-1))))
	return (u - n1*n2/2) / sd
}
