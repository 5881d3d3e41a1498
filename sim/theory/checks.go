package theory

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// Level chooses how many replicates a check runs.
type Level int

const (
	Quick Level = iota // seconds, for go test
	Full               // minutes, for p53evo validate: 5% relative precision where affordable
)

// Check is one validation against exact theory.
type Check struct {
	Name string
	What string
	// Thresholds are the ExactBelow settings the check runs at; the same
	// answer at each shows that the split between event-by-event and Kendall
	// steps does not bias the result.
	Thresholds []int64
	Quick      int // replicates per threshold at Quick level
	Full       int // replicates per threshold at Full level
	// Merge runs the check with clones merged by genotype (Options.Merge).
	Merge bool
	// Bridge also runs the check, at each threshold, with the mutants of
	// every clone of 16 cells or more drawn along sub-stepped exponential
	// bridges (Options.BridgeAbove < 0, BridgeMinCells 16), not only of
	// large clones expected to shed many: both ways of shedding mutants must
	// give the exact law, the bridge within its measured bias.
	Bridge bool
	// Exact also runs the check with every clone's mutants shed exactly
	// (Options.BridgeAbove = +Inf), the reference for the default bridge.
	Exact bool
	run   func(c *Check, eng sim.Options, n, workers int, seed uint64) []Row
}

func withRecord(o sim.Options) sim.Options {
	o.RecordAt = 1
	return o
}

// Run runs the check at every threshold and returns its rows.
func (c *Check) Run(level Level, workers int, seed uint64) []Row {
	n := c.Quick
	if level == Full {
		n = c.Full
	}
	var rows []Row
	for _, t := range c.Thresholds {
		variants := []int{0}
		if c.Bridge {
			variants = append(variants, 1)
		}
		if c.Exact {
			variants = append(variants, 2)
		}
		for _, v := range variants {
			eng := sim.Options{ExactBelow: t, Merge: c.Merge}
			mode := ""
			if c.Merge {
				mode = ", merged"
			}
			switch v {
			case 1:
				eng.BridgeAbove, eng.BridgeMinCells = -1, 16
				mode += ", bridge from 16 cells"
			case 2:
				eng.BridgeAbove = math.Inf(1)
				mode += ", no bridge"
			}
			rs := c.run(c, eng, n, workers, seed)
			for i := range rs {
				rs[i].Check = fmt.Sprintf("%s [exact below %s%s]", c.Name, thresholdName(t), mode)
			}
			rows = append(rows, rs...)
		}
	}
	return rows
}

func thresholdName(t int64) string {
	switch {
	case t <= 1:
		return "1: exact steps only"
	case t >= AllExact:
		return "inf: event by event only"
	}
	return fmt.Sprint(t)
}

// AllExact as a threshold makes every clone event by event.
const AllExact = int64(1) << 62

// Suite is the list of checks.
func Suite() []*Check {
	return []*Check{
		{Name: "kendall", What: "b=1 d=0.5, one cell, t=5 in five steps: P(N=0), E[N], Var[N], pmf", Thresholds: []int64{1, AllExact}, Quick: 20000, Full: 200000, run: runKendall},
		{Name: "kendall-pulsed", What: "one cell, b=1 d=0.5 for 2 days, then a drug adds 0.8/day of death for 2 days: P(N=0) and pmf against the composed generating function", Thresholds: []int64{1, AllExact}, Quick: 20000, Full: 200000, run: runPulsed},
		{Name: "extinction-time", What: "b=0.5 d=1, one cell: law of the extinction time", Thresholds: []int64{1, AllExact}, Quick: 10000, Full: 100000, run: runExtinctionTime},
		{Name: "eventual-extinction", What: "b=0.14 d=0.13, ten cells: P(lineages all die out) = (d/b)^10", Thresholds: []int64{1, 16, AllExact}, Quick: 10000, Full: 100000, run: runEventual},
		{Name: "hitting-time", What: "b=0.14 d=0.13, one cell to 1e9 given survival: Gumbel law of the time, attempts", Thresholds: []int64{sim.DefaultExactBelow, 1024}, Quick: 1000, Full: 10000, run: runHitting},
		{Name: "resistance-1e5", What: "b=0.14 d=0.13, nu=1e-7: P(resistant cells present at first reaching 1e5)", Thresholds: []int64{sim.DefaultExactBelow, 1024}, Quick: 6000, Full: 110000, run: runResistance(1e5)},
		{Name: "resistance-1e7", What: "b=0.14 d=0.13, nu=1e-7: P(resistant cells present at first reaching 1e7)", Thresholds: []int64{sim.DefaultExactBelow, 1024}, Quick: 2000, Full: 20000, run: runResistance(1e7)},
		{Name: "mutant-count", What: "1e5 cells (b=1.5 d=1) shed R1 mutants (b=1.4 d=1) at u=1e-7 for 7 days: law of R1 cells (compound Poisson)", Thresholds: []int64{sim.DefaultExactBelow, 1024}, Quick: 10000, Full: 100000, run: runMutantCount},
		{Name: "luria-delbrueck", What: "b=1 d=0, u=1e-6, to 1e6 cells (m=1): Lea-Coulson p0..p10", Thresholds: []int64{sim.DefaultExactBelow, 1024}, Quick: 4000, Full: 40000, run: runLuria},
		{Name: "switch-in-step", What: "1000 cells (b=1 d=0.5) shed R (u=1e-4; b=1 d=0.5, ignores the drug); a drug adds 2.5/day of death from day 4, inside a 7-day step: law of R cells at day 10 against the two-type generating function", Thresholds: []int64{16, sim.DefaultExactBelow}, Bridge: true, Quick: 20000, Full: 200000, run: runSwitchInStep},
		{Name: "steep-decline", What: "1000 cells b=1 d=1.5 (30-fold decline in one 7-day step) shed R (u=1e-3; b=1 d=0.5) until they die out: P(no mutant ever), P(escape), law of mutants born", Thresholds: []int64{sim.DefaultExactBelow}, Bridge: true, Quick: 40000, Full: 400000, run: runSteepDecline},
		{Name: "steep-decline-large", What: "1e5 cells b=1 d=1.5 shed R (u=1e-3) until they die out, about 200 mutants: mean and variance of mutants born, which measure the bias of the bridge that large clones use by default", Thresholds: []int64{sim.DefaultExactBelow}, Exact: true, Quick: 4000, Full: 100000, run: runSteepDeclineLarge},
		{Name: "detection-overshoot", What: "b=1 d=0.5, u=1e-5, to 1e5 cells: total at detection within 0.1% of 1e5, P(no resistant cell at first reaching 1e5)", Thresholds: []int64{sim.DefaultExactBelow}, Quick: 20000, Full: 400000, run: runOvershoot},
		// the same mutation checks with clones merged by genotype
		{Name: "resistance-1e5", What: "as above, clones merged by genotype", Merge: true, Thresholds: []int64{sim.DefaultExactBelow}, Quick: 6000, Full: 110000, run: runResistance(1e5)},
		{Name: "resistance-1e7", What: "as above, clones merged by genotype", Merge: true, Thresholds: []int64{sim.DefaultExactBelow}, Quick: 2000, Full: 20000, run: runResistance(1e7)},
		{Name: "mutant-count", What: "as above, clones merged by genotype", Merge: true, Thresholds: []int64{sim.DefaultExactBelow}, Quick: 10000, Full: 100000, run: runMutantCount},
		{Name: "mutant-count-aggregate", What: "1e5 cells shed R1 mutants at u=2e-4 for 7 days, clones merged, streams of >= 64 daughters settled as one normal sum: mean and variance of R1 cells", Merge: true, Thresholds: []int64{sim.DefaultExactBelow}, Quick: 4000, Full: 40000, run: runMutantAggregate},
		{Name: "luria-delbrueck", What: "as above, clones merged by genotype", Merge: true, Thresholds: []int64{sim.DefaultExactBelow}, Quick: 4000, Full: 40000, run: runLuria},
		{Name: "merge-by-snv", What: "b=0.14 d=0.13 to 1e8 cells, catalog A (ta-loss, 4 SNVs), B (pocket, 2.5 sites: 3 SNVs), C (one SNV) at 1e-8 per site: cells carrying each SNV, and SNVs of A present, have the same law with clones merged as with one clone per lineage (independent runs, two-sample tests)", Thresholds: []int64{sim.DefaultExactBelow}, Quick: 4000, Full: 40000, run: runMergeBySNV},
	}
}

// parallel evaluates f for replicates 0..n-1 on workers goroutines, each
// with its own state from newState, and returns the results in order.
func parallel[S any](n, workers int, newState func() S, f func(s S, i int) float64) []float64 {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]float64, n)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := newState()
			for i := w; i < n; i += workers {
				out[i] = f(s, i)
			}
		}(w)
	}
	wg.Wait()
	return out
}

func bdModel(b, d float64) model.Model {
	return model.Model{Birth: b, Death: d, Alleles: model.Alleles{Copies: 1, Dominance: 1}}
}

func resistanceModel(b, d, nu float64) model.Model {
	m := bdModel(b, d)
	m.MutationRate = nu
	m.Catalog = []model.Mutation{{Name: "R", Class: model.TALoss, Sites: 1}}
	return m
}

// sizesAt runs n one-model tumours from n0 cells over [0, t] in the given
// steps under exposure e and returns the final sizes.
func sizesAt(m model.Model, eng sim.Options, n0 int64, steps []float64, e sim.Exposure, n, workers int, seed uint64) []float64 {
	return parallel(n, workers, func() *sim.Tumor {
		return sim.NewTumor(&m, eng)
	}, func(tm *sim.Tumor, i int) float64 {
		tm.Reset(sim.ReplicateSeed(seed, i, 1), n0, 0)
		for _, s := range steps {
			tm.Advance(s, e)
		}
		return float64(tm.Total())
	})
}

// kendallRows compares sizes with the one-cell law given by its alpha and
// beta.
func kendallRows(name string, alpha, beta float64, x []float64) []Row {
	n := len(x)
	zeros := 0
	for _, v := range x {
		if v == 0 {
			zeros++
		}
	}
	// moments of the law: N = 0 w.p. alpha, else geometric on 1, 2, ...
	const kmax = 100000
	probs := make([]float64, 0, 64)
	var m1, m2, m4 float64
	pmf := func(k int) float64 {
		if k == 0 {
			return alpha
		}
		return (1 - alpha) * (1 - beta) * math.Pow(beta, float64(k-1))
	}
	for k := 0; k < kmax; k++ {
		p := pmf(k)
		m1 += float64(k) * p
	}
	for k := 0; k < kmax; k++ {
		p := pmf(k)
		d := float64(k) - m1
		m2 += d * d * p
		m4 += d * d * d * d * p
	}
	counts := make([]int, 0, 64)
	tail := 1.0
	for k := 0; k < 400; k++ {
		p := pmf(k)
		probs = append(probs, p)
		tail -= p
		c := 0
		for _, v := range x {
			if v == float64(k) {
				c++
			}
		}
		counts = append(counts, c)
	}
	probs = append(probs, max(tail, 0))
	c := 0
	for _, v := range x {
		if v >= 400 {
			c++
		}
	}
	counts = append(counts, c)
	return []Row{
		ProbRow(name, "P(N=0)", alpha, zeros, n),
		MeanRow(name, "E[N]", m1, m2, x),
		VarRow(name, "Var[N]", m2, m4, x),
		ChiSquareRow(name, "pmf of N", probs, counts),
	}
}

func runKendall(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	m := bdModel(1, 0.5)
	x := sizesAt(m, eng, 1, []float64{1, 2, 3, 4, 5}, sim.NoDrug{}, n, workers, seed)
	a, b := KendallAB(1, 0.5, 5)
	return kendallRows(c.Name, a, b, x)
}

// runPulsed: the drug (an off-axis drug at its EC50, Emax 1.6, so it adds
// 0.8/day of death) starts at t=2. The law at t=4 is the composition of two
// constant-rate phases: the generating function of a one-cell process over
// a phase is G(s) = alpha + (1-alpha)(1-beta) s/(1 - beta s), and the
// two-phase process has G(s) = G1(G2(s)) because each cell alive at t=2
// starts an independent copy of phase 2. Hence P(N=0) = G1(alpha2), and
// since a surviving phase-1 lineage has a geometric number K of cells, each
// of which gives a zero-or-geometric phase-2 lineage, the composed law is
// again zero-or-geometric with
// alpha = G1(alpha2), beta = beta2 + (1-alpha2)(1-beta2) beta1 / (1 - beta1 alpha2)
// (derivation: substitute G2 into G1 and read off the Moebius form).
func runPulsed(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	m := bdModel(1, 0.5)
	m.Drugs = []model.Drug{{Name: "pulse", Target: model.OffAxis, Emax: 1.6, EC50: 100, Hill: 1}}
	e := sim.Piecewise{Start: []float64{2}, C: [][]float64{{100}}}
	x := sizesAt(m, eng, 1, []float64{1, 2.5, 4}, e, n, workers, seed)
	a1, b1 := KendallAB(1, 0.5, 2)
	a2, b2 := KendallAB(1, 1.3, 2)
	g1 := func(s float64) float64 { return a1 + (1-a1)*(1-b1)*s/(1-b1*s) }
	alpha := g1(a2)
	beta := b2 + (1-a2)*(1-b2)*b1/(1-b1*a2)
	return kendallRows(c.Name, alpha, beta, x)
}

func runExtinctionTime(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	m := bdModel(0.5, 1)
	x := parallel(n, workers, func() *sim.Tumor {
		return sim.NewTumor(&m, withRecord(eng))
	}, func(tm *sim.Tumor, i int) float64 {
		tm.Reset(sim.ReplicateSeed(seed, i, 1), 1, 0)
		for t := 1.0; tm.Total() > 0; t++ {
			tm.Advance(t, sim.NoDrug{})
		}
		return tm.Records()[0].Extinct
	})
	mean, sd := ExtinctionMean(0.5, 1), ExtinctionSD(0.5, 1)
	return []Row{
		MeanRow(c.Name, "E[T_ext]", mean, sd*sd, x),
		KSRow(c.Name, "law of T_ext", func(t float64) float64 { return ExtinctionCDF(0.5, 1, t) }, x),
	}
}

func runEventual(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	m := bdModel(0.14, 0.13)
	x := parallel(n, workers, func() *sim.Tumor {
		return sim.NewTumor(&m, eng)
	}, func(tm *sim.Tumor, i int) float64 {
		tm.Reset(sim.ReplicateSeed(seed, i, 1), 10, 0)
		// (13/14)^2000 < 1e-60: a lineage of 2000 cells never dies out here
		for t := 20.0; tm.Total() > 0 && tm.Total() < 2000; t += 20 {
			tm.Advance(t, sim.NoDrug{})
		}
		if tm.Total() == 0 {
			return 1
		}
		return 0
	})
	k := 0
	for _, v := range x {
		k += int(v)
	}
	return []Row{ProbRow(c.Name, "P(extinct)", ExtinctionProb(0.14, 0.13, 10), k, n)}
}

// growToDetection runs replicates of cfg to the detection size and applies
// f to each result.
func growToDetection(cfg sim.Config, n, workers int, f func(r *sim.Result) float64) []float64 {
	cfg.StopAtDetection = true
	cfg.Defaults()
	return parallel(n, workers, func() *struct {
		rp  *sim.Replicator
		res sim.Result
	} {
		return &struct {
			rp  *sim.Replicator
			res sim.Result
		}{rp: sim.NewReplicator(&cfg)}
	}, func(s *struct {
		rp  *sim.Replicator
		res sim.Result
	}, i int) float64 {
		if err := s.rp.Run(i, &s.res); err != nil {
			return math.NaN()
		}
		return f(&s.res)
	})
}

func runHitting(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	const b, d, M = 0.14, 0.13, 1e9
	cfg := sim.Config{Model: bdModel(b, d), Detect: M, Seed: seed, Engine: eng}
	var attempts []float64
	var mu sync.Mutex
	attempts = make([]float64, n)
	t := growToDetection(cfg, n, workers, func(r *sim.Result) float64 {
		mu.Lock()
		attempts[r.Replicate] = float64(r.Attempts)
		mu.Unlock()
		return r.GrowthDays
	})
	mean, sd := HittingTime(b, d, M)
	s := 1 - d/b
	// attempts until a founder reaches 1e9 cells: geometric with success
	// probability P(reach M) = s / (1 - (d/b)^M) ~ s
	return []Row{
		MeanRow(c.Name, "E[T to 1e9 | survival] (days)", mean, sd*sd, t),
		KSRow(c.Name, "law of T (Gumbel)", func(x float64) float64 { return HittingTimeCDF(b, d, M, x) }, t),
		MeanRow(c.Name, "E[attempts]", 1/s, (1-s)/(s*s), attempts),
	}
}

func runResistance(M float64) func(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	return func(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
		const b, d, nu = 0.14, 0.13, 1e-7
		cfg := sim.Config{Model: resistanceModel(b, d, nu), Detect: M, Seed: seed, Engine: eng}
		x := growToDetection(cfg, n, workers, func(r *sim.Result) float64 {
			if r.AtStart[model.ClassTALoss] > 0 {
				return 1
			}
			return 0
		})
		k := 0
		for _, v := range x {
			k += int(v)
		}
		return []Row{ProbRow(c.Name, fmt.Sprintf("P(resistance at %.0e)", M), ResistancePresent(b, d, nu, M), k, n)}
	}
}

func runLuria(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	const u, M = 1e-6, 1e6
	cfg := sim.Config{Model: resistanceModel(1, 0, u), Detect: M, Seed: seed, Engine: eng, GrowthGrid: 1}
	x := growToDetection(cfg, n, workers, func(r *sim.Result) float64 { return float64(r.AtStart[model.ClassTALoss]) })
	const k = 10
	p := LeaCoulson(u*M, k)
	tail := 1.0
	for _, v := range p {
		tail -= v
	}
	probs := append(p, tail)
	counts := make([]int, k+2)
	zeros := 0
	for _, v := range x {
		if v == 0 {
			zeros++
		}
		if v <= k {
			counts[int(v)]++
		} else {
			counts[k+1]++
		}
	}
	return []Row{
		ProbRow(c.Name, "p0 = P(no mutant)", p[0], zeros, n),
		ChiSquareRow(c.Name, "Lea-Coulson p0..p10 + tail", probs, counts),
	}
}

// MutantCountPMF is the law of the number of mutant cells at time T when a
// large parent population n0 e^{rp s} (births at rate bp) sheds mutants at
// rate u bp N(s), each starting a birth-death lineage with rates bm, dm.
// Mutants form a Poisson process, so the mutant count is compound Poisson:
// lineages alive at T with k cells arrive with intensity
// lambda_k = integral_0^T u bp N(s) P_k(T-s) ds, P_k the Kendall law, and
// P(X=n) = (1/n) sum_k k lambda_k P(X=n-k) (Panjer's recursion), P(X=0) =
// exp(-sum over all k of lambda_k), the sum taken in closed form so that
// lineages larger than kmax count. The parent's own fluctuation is ignored, which is
// exact to O(1/n0).
func MutantCountPMF(n0, rp, bp, u, bm, dm, T float64, kmax int) []float64 {
	lam := make([]float64, kmax+1)
	total := 0.0 // intensity of all surviving lineages, of any size
	simpson(T, 4000, func(s, w float64) {
		rate := w * u * bp * n0 * math.Exp(rp*s)
		a, b := KendallAB(bm, dm, T-s)
		pk := (1 - a) * (1 - b)
		total += rate * (1 - a)
		for k := 1; k <= kmax; k++ {
			lam[k] += rate * pk
			pk *= b
		}
	})
	p := make([]float64, kmax+1)
	p[0] = math.Exp(-total)
	for n := 1; n <= kmax; n++ {
		acc := 0.0
		for k := 1; k <= n; k++ {
			acc += float64(k) * lam[k] * p[n-k]
		}
		p[n] = acc / float64(n)
	}
	return p
}

// shedR1 runs n tumours of n0 cells (birth bp, death dp) that shed R1
// mutants (birth bm) at u per division for T days in one-day steps, and
// returns the R1 cells of each.
func shedR1(n0, bp, dp, u, bm, T float64, eng sim.Options, n, workers int, seed uint64) []float64 {
	m := model.Model{Birth: bp, Death: dp, MutationRate: u, Alleles: model.Alleles{Copies: 1, Dominance: 1},
		Catalog: []model.Mutation{{Name: "R1", Class: model.TALoss, Sites: 1, BirthDelta: bm - bp}}}
	return parallel(n, workers, func() *sim.Tumor {
		return sim.NewTumor(&m, eng)
	}, func(tm *sim.Tumor, i int) float64 {
		tm.Reset(sim.ReplicateSeed(seed, i, 1), int64(n0), 0)
		for t := 1.0; t <= T; t++ {
			tm.Advance(t, sim.NoDrug{})
		}
		return float64(tm.Counts()[model.ClassTALoss])
	})
}

func runMutantCount(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	const n0, bp, dp, u, bm, T = 1e5, 1.5, 1.0, 1e-7, 1.4, 7.0
	x := shedR1(n0, bp, dp, u, bm, T, eng, n, workers, seed)
	const kmax = 60
	p := MutantCountPMF(n0, bp*(1-u)-dp, bp, u, bm, dp, T, kmax)
	tail := 1.0
	for _, v := range p {
		tail -= v
	}
	probs := append(p, max(tail, 0))
	counts := make([]int, kmax+2)
	zeros := 0
	for _, v := range x {
		if v == 0 {
			zeros++
		}
		counts[min(int(v), kmax+1)]++
	}
	return []Row{
		ProbRow(c.Name, "P(no R1 cell)", p[0], zeros, n),
		ChiSquareRow(c.Name, "law of R1 cells", probs, counts),
	}
}

// MutantCountMoments are the mean and variance of the mutant cells of
// MutantCountPMF's process, by quadrature: the compound Poisson law has mean
// integral u bp N(s) E[X(T-s)] ds and variance integral u bp N(s) E[X^2] ds,
// E[X] = (1-alpha)/(1-beta), E[X^2] = (1-alpha)(1+beta)/(1-beta)^2.
func MutantCountMoments(n0, rp, bp, u, bm, dm, T float64) (mean, variance float64) {
	simpson(T, 20000, func(s, w float64) {
		a, b := KendallAB(bm, dm, T-s)
		ex := (1 - a) / (1 - b)
		f := w * u * bp * n0 * math.Exp(rp*s)
		mean += f * ex
		variance += f * ex * (1 + b) / (1 - b)
	})
	return mean, variance
}

// simpson calls f(s, w) at the nodes of Simpson's rule on [0, T] with an
// even number of panels; the sum of w f(s) is the integral.
func simpson(T float64, panels int, f func(s, w float64)) {
	h := T / float64(panels)
	for i := 0; i <= panels; i++ {
		w := 2.0
		if i == 0 || i == panels {
			w = 1
		} else if i%2 == 1 {
			w = 4
		}
		f(float64(i)*h, w*h/3)
	}
}

// runMutantAggregate: with u = 2e-4 the parent sheds about 40 daughters on
// day one and hundreds a day later, so the first step goes daughter by
// daughter and the rest as normal sums (AggregateMin 64). The law is then
// only approximately compound Poisson, but its mean and variance must be
// exact. (Forcing normal sums for streams of a few daughters biases the
// mean upwards, as a sum cannot be negative: that is why AggregateMin
// exists.)
func runMutantAggregate(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	const n0, bp, dp, u, bm, T = 1e5, 1.5, 1.0, 2e-4, 1.4, 7.0
	x := shedR1(n0, bp, dp, u, bm, T, eng, n, workers, seed)
	mean, variance := MutantCountMoments(n0, bp*(1-u)-dp, bp, u, bm, dp, T)
	// the fourth moment of a near-normal sum: 3 sigma^4 (plus a small excess)
	return []Row{
		MeanRow(c.Name, "E[R1 cells]", mean, variance, x),
		VarRow(c.Name, "Var[R1 cells] (SE assumes near-normal)", variance, 3*variance*variance, x),
	}
}

// runSwitchInStep: the drug (a reactivator, which R cells ignore) starts at
// day 4, inside the first 7-day step, so a clone that grows for 4 days and
// then shrinks for 3 must shed its mutants along that path, not along one
// between its sizes at days 0 and 7. The law of R cells at day 10 is read off
// the generating function of the two-type process (TwoType).
func runSwitchInStep(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	const n0, u = 1000, 1e-4
	m := resistanceModel(1, 0.5, u)
	m.Drugs = []model.Drug{{Name: "pulse", Target: model.Reactivator, Emax: 5, EC50: 100, Hill: 1, PocketFold: 1}}
	e := sim.Piecewise{Start: []float64{4}, C: [][]float64{{100}}}
	x := parallel(n, workers, func() *sim.Tumor {
		return sim.NewTumor(&m, eng)
	}, func(tm *sim.Tumor, i int) float64 {
		tm.Reset(sim.ReplicateSeed(seed, i, 1), n0, 0)
		tm.Advance(7, e)
		tm.Advance(10, e)
		return float64(tm.Counts()[model.ClassTALoss])
	})
	tt := TwoType{N0: n0, U: u, Pieces: []Piece{
		{Until: 4, Bs: 1, Ds: 0.5, Br: 1, Dr: 0.5},
		{Until: 10, Bs: 1, Ds: 3, Br: 1, Dr: 0.5},
	}}
	const kmax = 60
	p := tt.PMF(kmax, 4096)
	mean, variance := tt.Moments()
	return countRows(c.Name, "R cells at day 10", p, mean, variance, x)
}

// countRows compares counts x with a law given by its first probabilities p
// (the rest is the tail), its mean and its variance: P(0), mean, and a
// chi-square over p and the tail.
func countRows(name, what string, p []float64, mean, variance float64, x []float64) []Row {
	kmax := len(p) - 1
	tail := 1.0
	for _, v := range p {
		tail -= v
	}
	probs := append(append([]float64(nil), p...), max(tail, 0))
	counts := make([]int, kmax+2)
	zeros := 0
	for _, v := range x {
		if v == 0 {
			zeros++
		}
		counts[min(int(v), kmax+1)]++
	}
	return []Row{
		ProbRow(name, "P(no "+what+")", p[0], zeros, len(x)),
		MeanRow(name, "E["+what+"]", mean, variance, x),
		ChiSquareRow(name, "law of "+what, probs, counts),
	}
}

// runSteepDecline: untreated death above birth, so the clone shrinks about
// 30-fold within each 7-day step; it is followed in 7-day steps until it has
// died out and then five more weeks, by when a resistant lineage still alive
// has millions of cells and never dies out. Mutants ever born are the
// clones founded after the first (R cells cannot mutate further). Exact
// values: Decline.
func runSteepDecline(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	d := Decline{N0: 1000, B: 1, D: 1.5, U: 1e-3, Br: 1, Dr: 0.5}
	m := resistanceModel(d.B, d.D, d.U)
	m.Catalog[0].DeathDelta = d.Dr - d.D
	born := make([]float64, n)
	x := parallel(n, workers, func() *sim.Tumor {
		return sim.NewTumor(&m, eng)
	}, func(tm *sim.Tumor, i int) float64 {
		tm.Reset(sim.ReplicateSeed(seed, i, 1), int64(d.N0), 0)
		t := 0.0
		for tm.Counts()[model.Sensitive] > 0 {
			t += 7
			tm.Advance(t, sim.NoDrug{})
		}
		for end := t + 35; t < end && tm.Total() > 0; {
			t += 7
			tm.Advance(t, sim.NoDrug{})
		}
		born[i] = float64(tm.Born() - 1)
		if tm.Total() > 0 {
			return 1
		}
		return 0
	})
	esc, none := 0, 0
	for i := range x {
		esc += int(x[i])
		if born[i] == 0 {
			none++
		}
	}
	mean, variance := d.Mutants()
	const kmax = 30
	p := d.MutantPMF(kmax, 1024)
	rows := []Row{
		ProbRow(c.Name, "P(no mutant ever)", d.NoMutant(), none, n),
		ProbRow(c.Name, "P(escape: a resistant lineage survives)", d.Escape(), esc, n),
	}
	return append(rows, countRows(c.Name, "mutants ever born", p, mean, variance, born)[1:]...)
}

// runOvershoot: fast growth (r = 0.5/day) to 1e5 cells. The tumour is
// detected at the first step end with at least 1e5 cells; that total must
// exceed 1e5 by less than sim.DetectTol (0.1%), and resistance present then
// must follow the law for the first time the population reaches 1e5 (Iwasa,
// Nowak & Michor 2006), which an overshoot would inflate.
func runOvershoot(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	const b, d, nu, M = 1, 0.5, 1e-5, 1e5
	cfg := sim.Config{Model: resistanceModel(b, d, nu), Detect: M, Seed: seed, Engine: eng}
	over := make([]float64, n)
	x := growToDetection(cfg, n, workers, func(r *sim.Result) float64 {
		tot := r.AtStart[model.Sensitive] + r.AtStart[model.ClassTALoss]
		over[r.Replicate] = float64(tot)/M - 1
		if r.AtStart[model.ClassTALoss] > 0 {
			return 1
		}
		return 0
	})
	k := 0
	for _, v := range x {
		k += int(v)
	}
	return []Row{
		BoundRow(c.Name, "largest relative overshoot of 1e5", sim.DetectTol, over),
		ProbRow(c.Name, "P(resistance at first reaching 1e5)", ResistancePresent(b, d, nu, M), k, n),
	}
}

// runSteepDeclineLarge: at 1e5 cells the declining clone sheds about 200
// mutants, most of them while it is on the bridge (1024 cells or more and at
// least 16 mutants expected in the rest of the step); the mean number born
// measures the bridge's bias to about 0.03% (at the high-power level).
func runSteepDeclineLarge(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	d := Decline{N0: 1e5, B: 1, D: 1.5, U: 1e-3, Br: 1, Dr: 0.5}
	m := resistanceModel(d.B, d.D, d.U)
	m.Catalog[0].DeathDelta = d.Dr - d.D
	x := parallel(n, workers, func() *sim.Tumor {
		return sim.NewTumor(&m, eng)
	}, func(tm *sim.Tumor, i int) float64 {
		tm.Reset(sim.ReplicateSeed(seed, i, 1), int64(d.N0), 0)
		for t := 7.0; tm.Counts()[model.Sensitive] > 0; t += 7 {
			tm.Advance(t, sim.NoDrug{})
		}
		return float64(tm.Born() - 1)
	})
	mean, variance := d.Mutants()
	// the count is close to normal (a sum of 1e5 independent lineages'
	// counts): fourth central moment about 3 sigma^4
	return []Row{
		MeanRow(c.Name, "E[mutants ever born]", mean, variance, x),
		VarRow(c.Name, "Var[mutants ever born]", variance, 3*variance*variance, x),
	}
}

// runMergeBySNV grows independent tumours from one cell to the first step
// end at or above 1e8 cells (replacing a founder whose lineage dies out),
// once with one clone per lineage and once with clones merged by genotype,
// and compares, SNV by SNV, the laws of the cells carrying it. Merged clones
// key genotypes by the SNV a catalog entry resolves to at the mutant's
// birth, so each must be one true variant with the lineage law.
func runMergeBySNV(c *Check, eng sim.Options, n, workers int, seed uint64) []Row {
	m := bdModel(0.14, 0.13)
	m.MutationRate = 1e-8
	m.Catalog = []model.Mutation{
		{Name: "A", Class: model.TALoss, Sites: 4},
		{Name: "B", Class: model.Pocket, Sites: 2.5},
		{Name: "C", Class: model.TALoss, Sites: 1},
	}
	type snv struct{ mut, site int }
	var snvs []snv
	for i := range m.Catalog {
		for s := range m.SNVs(i) {
			snvs = append(snvs, snv{i, s})
		}
	}
	grow := func(eng sim.Options, seed uint64) [][]float64 {
		out := make([][]float64, len(snvs)+1)
		for k := range out {
			out[k] = make([]float64, n)
		}
		parallel(n, workers, func() *sim.Tumor { return sim.NewTumor(&m, eng) }, func(tm *sim.Tumor, i int) float64 {
			for attempt := 1; ; attempt++ {
				tm.Reset(sim.ReplicateSeed(seed, i, attempt), 1, 0)
				t := 0.0
				for tm.Total() > 0 && tm.Total() < 1e8 {
					t += 7
					tm.Advance(t, sim.NoDrug{})
				}
				if tm.Total() > 0 {
					break
				}
			}
			present := 0.0
			for k, v := range snvs {
				x := float64(tm.CountSNV(v.mut, v.site))
				out[k][i] = x
				if v.mut == 0 && x > 0 {
					present++
				}
			}
			out[len(snvs)][i] = present
			return 0
		})
		return out
	}
	lin := grow(eng, seed)
	merged := eng
	merged.Merge = true
	mer := grow(merged, seed^0x5eed)
	var rows []Row
	for k, v := range snvs {
		q := fmt.Sprintf("cells carrying %s#%d, lineages vs merged", m.Catalog[v.mut].Name, v.site+1)
		rows = append(rows, TwoSampleRow(c.Name, q, lin[k], mer[k]))
	}
	return append(rows, TwoSampleRow(c.Name, "SNVs of A present, lineages vs merged", lin[len(snvs)], mer[len(snvs)]))
}
