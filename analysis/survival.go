package analysis

// Survival statistics for right-censored times to event: the Kaplan-Meier
// estimator with Greenwood standard errors and pointwise confidence
// intervals, the median with its Brookmeyer-Crowley interval, the restricted
// mean survival time, the k-sample log-rank test and two-arm hazard ratios.
//
// Everything here is a pure function of its inputs. The numbers are meant to
// agree with R's survival package (survfit, print.survfit, survdiff, coxph);
// testdata/survival_ref.R produces the reference values the tests compare to.

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/p53evo/p53evo/internal/errprefix"
)

// Sample holds the observations of one arm. Time[i] is the time to the event
// (for example days to progression) when Event[i] is true, and the time at
// which observation stopped without the event (right censoring) when
// Event[i] is false. Times must be finite and non-negative.
type Sample struct {
	Time  []float64
	Event []bool
}

// Errors returned by the functions in this file.
var (
	// ErrEmptySample is returned for a sample without observations.
	ErrEmptySample = errors.New("analysis: empty sample")
	// ErrTooFewArms is returned by LogRankTest for fewer than two arms.
	ErrTooFewArms = errors.New("analysis: a comparison needs at least two arms")
	// ErrNoInformation is returned when the data carry no information to
	// compare the arms: no events, or no event at a time when more than one
	// arm is at risk.
	ErrNoInformation = errors.New("analysis: no events at times where the arms can be compared")
	// ErrInfiniteHR is returned by HazardRatioCox when the partial likelihood
	// is monotone, so the maximum likelihood estimate of the log hazard ratio
	// is at plus or minus infinity (typically: one arm has no events).
	ErrInfiniteHR = errors.New("analysis: Cox partial likelihood is monotone; the hazard ratio estimate is 0 or infinite")
)

func (s Sample) validate() error {
	if len(s.Time) != len(s.Event) {
		return fmt.Errorf("analysis: sample has %d times but %d event flags", len(s.Time), len(s.Event))
	}
	if len(s.Time) == 0 {
		return ErrEmptySample
	}
	for i, t := range s.Time {
		if math.IsNaN(t) || math.IsInf(t, 0) || t < 0 {
			return fmt.Errorf("analysis: time[%d] = %v is not a finite non-negative number", i, t)
		}
	}
	return nil
}

// record is one observation tagged with the arm it belongs to.
type record struct {
	time  float64
	event bool
	arm   int
}

// riskTable is the life table of one or more arms at each distinct observed
// time: how many of each arm were at risk just before the time, how many had
// the event at it and how many were censored at it.
type riskTable struct {
	time     []float64
	atRisk   [][]int // [time][arm]
	events   [][]int
	censored [][]int
}

// buildRiskTable tallies the arms over all distinct times, in increasing
// order. A subject censored at time t counts as at risk at t, so at tied
// times events are taken to happen before censorings (the usual convention,
// and R's).
func buildRiskTable(arms []Sample) riskTable {
	var recs []record
	n := make([]int, len(arms))
	for g, s := range arms {
		n[g] = len(s.Time)
		for i, t := range s.Time {
			recs = append(recs, record{t, s.Event[i], g})
		}
	}
	sort.SliceStable(recs, func(i, j int) bool { return recs[i].time < recs[j].time })
	var tab riskTable
	k := len(arms)
	for i := 0; i < len(recs); {
		t := recs[i].time
		d := make([]int, k)
		c := make([]int, k)
		for ; i < len(recs) && recs[i].time == t; i++ {
			if recs[i].event {
				d[recs[i].arm]++
			} else {
				c[recs[i].arm]++
			}
		}
		r := make([]int, k)
		copy(r, n)
		tab.time = append(tab.time, t)
		tab.atRisk = append(tab.atRisk, r)
		tab.events = append(tab.events, d)
		tab.censored = append(tab.censored, c)
		for g := range n {
			n[g] -= d[g] + c[g]
		}
	}
	return tab
}

// ConfType selects the transformation on which pointwise confidence
// intervals for S(t) are built. The zero value is ConfLogLog.
type ConfType int

const (
	// ConfLogLog builds the interval for log(-log S(t)) and maps it back:
	// S^exp(±z·se/log S), where se is the Greenwood standard error of
	// log S(t). It matches R's survfit(conf.type = "log-log") (Kalbfleisch &
	// Prentice 1980) and is the default here, because the
	// Brookmeyer-Crowley median interval is requested on this scale.
	ConfLogLog ConfType = iota
	// ConfLog builds the interval for log S(t): S·exp(±z·se), with the upper
	// limit truncated at 1. It is R's default, survfit(conf.type = "log").
	ConfLog
)

// String returns the name R uses for the interval type.
func (c ConfType) String() string {
	switch c {
	case ConfLogLog:
		return "log-log"
	case ConfLog:
		return "log"
	}
	return fmt.Sprintf("ConfType(%d)", int(c))
}

type kmConfig struct {
	conf  ConfType
	level float64
}

// KMOption configures KaplanMeier.
type KMOption func(*kmConfig)

// WithConfType selects the scale of the pointwise confidence intervals
// (default ConfLogLog).
func WithConfType(c ConfType) KMOption { return func(k *kmConfig) { k.conf = c } }

// WithConfLevel sets the two-sided confidence level, in (0, 1) (default 0.95).
func WithConfLevel(level float64) KMOption { return func(k *kmConfig) { k.level = level } }

// KMStep is the Kaplan-Meier estimate at one distinct observed time (event
// or censoring time), as in the rows of R's survfit object.
type KMStep struct {
	Time     float64
	AtRisk   int // number at risk just before Time
	Events   int // events at Time
	Censored int // censorings at Time (counted as at risk at Time)
	// Surv is S(Time), the estimate just after Time (right-continuous).
	Surv float64
	// StdErr is the Greenwood standard error of Surv itself:
	// Surv · sqrt(Σ d/(n(n-d))). It is NaN where Surv = 0. Note that R's
	// survfit()$std.err is LogStdErr, not this (summary.survfit reports
	// this one).
	StdErr float64
	// LogStdErr is the Greenwood standard error of log S(Time) (equivalently
	// of the cumulative hazard -log S(Time)): sqrt(Σ d/(n(n-d))) over event
	// times up to Time; R's survfit()$std.err. It is +Inf once S reaches 0.
	LogStdErr float64
	// Lower and Upper are the pointwise confidence limits for S(Time). They
	// are NaN where Surv = 0 and equal 1 where Surv = 1 (R reports NA there
	// for the log-log scale; with no event yet the interval is degenerate).
	Lower, Upper float64
}

// KM is a Kaplan-Meier survival curve.
type KM struct {
	Steps     []KMStep // one per distinct observed time, increasing
	N         int      // number of subjects
	Events    int      // total number of events
	ConfType  ConfType // scale of Lower/Upper in Steps
	ConfLevel float64  // confidence level of Lower/Upper, e.g. 0.95
}

// KaplanMeier estimates the survival function of one arm (Kaplan & Meier
// 1958):
//
//	S(t) = Π_{t_i ≤ t} (1 - d_i/n_i),
//
// with d_i events among n_i subjects at risk at the distinct event time t_i.
// Its variance is Greenwood's (Greenwood 1926):
//
//	Var(log S(t)) = Σ_{t_i ≤ t} d_i / (n_i (n_i - d_i)),   Var S(t) = S(t)² Var(log S(t)).
//
// Pointwise confidence intervals are on the log-log scale unless
// WithConfType(ConfLog) is given; see ConfType. At tied times events precede
// censorings. An arm without events gives S = 1 throughout. An empty sample is
// an error.
func KaplanMeier(s Sample, opts ...KMOption) (_ KM, err error) {
	defer errprefix.Wrap(&err, "analysis")
	cfg := kmConfig{conf: ConfLogLog, level: 0.95}
	for _, o := range opts {
		o(&cfg)
	}
	if !(cfg.level > 0 && cfg.level < 1) {
		return KM{}, fmt.Errorf("analysis: confidence level %v not in (0, 1)", cfg.level)
	}
	if cfg.conf != ConfLog && cfg.conf != ConfLogLog {
		return KM{}, fmt.Errorf("analysis: unknown confidence interval type %v", cfg.conf)
	}
	if err := s.validate(); err != nil {
		return KM{}, err
	}
	z := distuv.UnitNormal.Quantile(1 - (1-cfg.level)/2)
	tab := buildRiskTable([]Sample{s})
	km := KM{N: len(s.Time), ConfType: cfg.conf, ConfLevel: cfg.level}
	km.Steps = make([]KMStep, len(tab.time))
	surv, gw := 1.0, 0.0
	for i, t := range tab.time {
		n, d, c := tab.atRisk[i][0], tab.events[i][0], tab.censored[i][0]
		if d > 0 {
			surv *= 1 - float64(d)/float64(n)
			if d == n {
				surv = 0
				gw = math.Inf(1)
			} else {
				gw += float64(d) / (float64(n) * float64(n-d))
			}
		}
		km.Events += d
		logse := math.Sqrt(gw)
		lo, hi := confLimits(surv, logse, z, cfg.conf)
		km.Steps[i] = KMStep{
			Time: t, AtRisk: n, Events: d, Censored: c,
			Surv: surv, StdErr: surv * logse, LogStdErr: logse,
			Lower: lo, Upper: hi,
		}
	}
	return km, nil
}

// confLimits returns the pointwise interval for S given the standard error
// of log S (as R's survfit_confint does for the log and log-log types).
func confLimits(surv, logse, z float64, ct ConfType) (lower, upper float64) {
	switch {
	case surv == 0:
		return math.NaN(), math.NaN()
	case surv == 1:
		return 1, 1
	}
	if ct == ConfLog {
		w := z * logse
		return math.Exp(math.Log(surv) - w), math.Min(1, math.Exp(math.Log(surv)+w))
	}
	// log(-log S) ± z·se/|log S|; the map back is decreasing.
	w := z * logse / math.Log(surv) // negative
	a := math.Log(-math.Log(surv))
	return math.Exp(-math.Exp(a - w)), math.Exp(-math.Exp(a + w))
}

// SurvivalAt evaluates the curve and its pointwise confidence limits at t.
// The curve is a right-continuous step function: at an event time the value
// after the drop is returned. Before the first observed time it returns
// (1, 1, 1). After the largest observed time the curve is unknown and it
// returns NaNs, unless the curve has already reached 0 (then the last step's
// values, 0 with NaN limits).
func (k KM) SurvivalAt(t float64) (surv, lower, upper float64) {
	if len(k.Steps) == 0 || math.IsNaN(t) {
		return math.NaN(), math.NaN(), math.NaN()
	}
	i := sort.Search(len(k.Steps), func(i int) bool { return k.Steps[i].Time > t }) - 1
	if i < 0 {
		return 1, 1, 1
	}
	st := k.Steps[i]
	if i == len(k.Steps)-1 && t > st.Time && st.Surv > 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	return st.Surv, st.Lower, st.Upper
}

// medianTol is R's tolerance when comparing a curve with 0.5 in
// print.survfit: sqrt(.Machine$double.eps).
const medianTol = 1.4901161193847656e-08

// crossHalf returns the first time at which the curve y is at or below 0.5
// (NaN values skipped). If y equals 0.5 there (within medianTol) and drops
// further later, the midpoint between that time and the time of the next
// drop is returned instead, because the curve is flat at 0.5 over that whole
// interval. NaN when the curve never gets to 0.5.
func crossHalf(steps []KMStep, y func(KMStep) float64) float64 {
	first := -1
	for i, st := range steps {
		if v := y(st); !math.IsNaN(v) && v < 0.5+medianTol {
			first = i
			break
		}
	}
	if first < 0 {
		return math.NaN()
	}
	y0 := y(steps[first])
	if math.Abs(y0-0.5) < medianTol {
		for _, st := range steps[first+1:] {
			if v := y(st); !math.IsNaN(v) && v < y0 {
				return (steps[first].Time + st.Time) / 2
			}
		}
	}
	return steps[first].Time
}

// Median returns the median survival time and its confidence interval, as R's
// print.survfit / summary(fit)$table report them.
//
// The median is the smallest time t with S(t) ≤ 1/2; if S equals 1/2 exactly
// on a flat stretch, it is the midpoint of that stretch (from the time S
// reaches 1/2 to the next event time). The interval follows Brookmeyer &
// Crowley (1982) by inverting the pointwise confidence band of the curve: the
// lower limit is where the lower band first reaches 1/2 and the upper limit
// where the upper band does, with the same midpoint rule. It therefore uses
// the KM's ConfType and ConfLevel (log-log and 95% by default).
//
// ok is false and median NaN when the curve never falls to 1/2. Either limit
// may be NaN (not reached) even when the median exists; typically the upper.
func (k KM) Median() (median, lower, upper float64, ok bool) {
	median = crossHalf(k.Steps, func(s KMStep) float64 { return s.Surv })
	lower = crossHalf(k.Steps, func(s KMStep) float64 { return s.Lower })
	upper = crossHalf(k.Steps, func(s KMStep) float64 { return s.Upper })
	return median, lower, upper, !math.IsNaN(median)
}

// EndsAtZero reports whether the curve falls to 0. A median limit that
// Median returns as NaN is then "not estimable" rather than "not reached":
// the pointwise band is undefined where S = 0 and the limit falls on that
// step (R reports NA there too). All remaining subjects having their event
// at one time makes this common with scan-grid progression times.
// Otherwise a missing limit is "not reached": the band never comes down to
// 1/2 within follow-up.
func (k KM) EndsAtZero() bool {
	n := len(k.Steps)
	return n > 0 && k.Steps[n-1].Surv == 0
}

// RMST returns the restricted mean survival time up to tau, the area under
// the Kaplan-Meier curve on [0, tau], and its standard error, as R's
// print(fit, rmean = tau) computes them:
//
//	mean = ∫_0^tau S(u) du,
//	Var  = Σ_{t_i ≤ tau} A_i² d_i / (n_i (n_i - d_i)),   A_i = ∫_{t_i}^tau S(u) du,
//
// the Greenwood-type variance of Kaplan & Meier (1958); terms with
// n_i = d_i are taken as 0. If tau lies beyond the largest observed time the
// last value of S is carried forward to tau (as R does; this extrapolates).
// For 0 ≤ tau below the first observed time the result is (tau, 0). NaNs for
// negative or NaN tau or an empty curve.
func (k KM) RMST(tau float64) (mean, se float64) {
	if len(k.Steps) == 0 || math.IsNaN(tau) || tau < 0 {
		return math.NaN(), math.NaN()
	}
	m := sort.Search(len(k.Steps), func(i int) bool { return k.Steps[i].Time > tau })
	if m == 0 {
		return tau, 0
	}
	// rect[j] is the area of the rectangle from step j's time to the next
	// step time (or tau), height S at step j.
	rect := make([]float64, m)
	mean = k.Steps[0].Time // S = 1 before the first time
	for j := 0; j < m; j++ {
		next := tau
		if j+1 < m {
			next = k.Steps[j+1].Time
		}
		rect[j] = (next - k.Steps[j].Time) * k.Steps[j].Surv
		mean += rect[j]
	}
	var v, tail float64
	for j := m - 1; j >= 0; j-- {
		tail += rect[j] // ∫ from Steps[j].Time to tau
		st := k.Steps[j]
		if st.Events > 0 && st.AtRisk > st.Events {
			n, d := float64(st.AtRisk), float64(st.Events)
			v += tail * tail * d / (n * (n - d))
		}
	}
	return mean, math.Sqrt(v)
}

// LogRank is the result of a k-sample log-rank test.
type LogRank struct {
	Chi2     float64     // test statistic
	DF       int         // degrees of freedom: arms with Expected > 0, minus 1
	P        float64     // upper tail of the chi-square distribution
	N        []int       // subjects per arm
	Observed []float64   // events per arm, O_g
	Expected []float64   // expected events per arm under equal hazards, E_g
	Variance [][]float64 // k×k covariance matrix of O - E
}

// LogRankTest compares the survival of k ≥ 2 arms with the log-rank test
// (Mantel 1966; Peto & Peto 1972), the same statistic as R's
// survdiff(rho = 0). At every distinct event time with d events among n at
// risk (n_g of them in arm g):
//
//	E_g += d n_g / n,
//	V_gh += d (n - d)/(n - 1) · (n_g/n) (δ_gh - n_h/n)   (0 when n = 1),
//
// and Chi2 = (O - E)ᵀ V⁻ (O - E), computed, like R, by dropping the first arm
// among those with E_g > 0 and solving with the rest. Arms with E_g = 0 (never
// at risk at an event time) are left out of the test. Errors: fewer than two
// arms, an invalid arm, or fewer than two arms with E_g > 0.
func LogRankTest(arms []Sample) (_ LogRank, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if len(arms) < 2 {
		return LogRank{}, ErrTooFewArms
	}
	for g, s := range arms {
		if err := s.validate(); err != nil {
			return LogRank{}, fmt.Errorf("arm %d: %w", g, err)
		}
	}
	k := len(arms)
	res := LogRank{
		N:        make([]int, k),
		Observed: make([]float64, k),
		Expected: make([]float64, k),
		Variance: make([][]float64, k),
	}
	for g := range res.Variance {
		res.Variance[g] = make([]float64, k)
		res.N[g] = len(arms[g].Time)
	}
	tab := buildRiskTable(arms)
	for i := range tab.time {
		d, n := 0, 0
		for g := 0; g < k; g++ {
			d += tab.events[i][g]
			n += tab.atRisk[i][g]
		}
		if d == 0 {
			continue
		}
		fd, fn := float64(d), float64(n)
		var hyper float64 // d (n-d)/(n-1), the hypergeometric variance factor
		if n > 1 {
			hyper = fd * (fn - fd) / (fn - 1)
		}
		for g := 0; g < k; g++ {
			pg := float64(tab.atRisk[i][g]) / fn
			res.Observed[g] += float64(tab.events[i][g])
			res.Expected[g] += fd * pg
			for h := 0; h < k; h++ {
				ph := float64(tab.atRisk[i][h]) / fn
				delta := 0.0
				if g == h {
					delta = 1
				}
				res.Variance[g][h] += hyper * pg * (delta - ph)
			}
		}
	}
	var use []int
	for g := 0; g < k; g++ {
		if res.Expected[g] > 0 {
			use = append(use, g)
		}
	}
	if len(use) < 2 {
		return res, ErrNoInformation
	}
	use = use[1:]
	m := len(use)
	v := mat.NewDense(m, m, nil)
	oe := mat.NewVecDense(m, nil)
	for a, g := range use {
		oe.SetVec(a, res.Observed[g]-res.Expected[g])
		for b, h := range use {
			v.Set(a, b, res.Variance[g][h])
		}
	}
	var x mat.VecDense
	if err := x.SolveVec(v, oe); err != nil {
		return res, fmt.Errorf("analysis: log-rank variance matrix is singular: %w", err)
	}
	res.Chi2 = mat.Dot(&x, oe)
	res.DF = m
	res.P = distuv.ChiSquared{K: float64(m)}.Survival(res.Chi2)
	return res, nil
}

// HazardRatio is an estimate of the hazard ratio of arm b relative to arm a
// (HR > 1: events happen sooner in b) with a 95% confidence interval
// exp(LogHR ± 1.96·SE).
type HazardRatio struct {
	HR, Lower, Upper float64
	LogHR, SE        float64 // log HR and its standard error
	Method           string  // MethodLogRank or MethodCoxEfron
}

// Method names reported in HazardRatio.Method.
const (
	MethodLogRank  = "logrank-peto"
	MethodCoxEfron = "cox-efron"
)

// z975 is the 0.975 quantile of the standard normal distribution.
var z975 = distuv.UnitNormal.Quantile(0.975)

func newHR(logHR, se float64, method string) HazardRatio {
	return HazardRatio{
		HR: math.Exp(logHR), Lower: math.Exp(logHR - z975*se), Upper: math.Exp(logHR + z975*se),
		LogHR: logHR, SE: se, Method: method,
	}
}

// HazardRatioMH returns the hazard ratio of arm b versus arm a estimated from
// the log-rank (Mantel-Haenszel) quantities, with Peto's one-step estimator
// (Peto et al. 1977; Yusuf et al. 1985):
//
//	log HR = (O_b - E_b) / V,   SE = 1/sqrt(V),
//
// where O_b and E_b are the observed and expected events of arm b and V the
// hypergeometric variance of O_b, exactly as in LogRankTest (Mantel 1966).
// This is one Newton step from 0 of the Cox score test and is close to the
// Cox estimate when the HR is moderate (say 1/3 to 3); it is not the ratio
// (O_b/E_b)/(O_a/E_a). Stays finite when one arm has no events. Errors when
// V = 0 (no event with both arms at risk).
func HazardRatioMH(a, b Sample) (_ HazardRatio, err error) {
	defer errprefix.Wrap(&err, "analysis")
	lr, err := LogRankTest([]Sample{a, b})
	if err != nil && !errors.Is(err, ErrNoInformation) {
		return HazardRatio{}, err
	}
	v := lr.Variance[1][1]
	if !(v > 0) {
		return HazardRatio{}, ErrNoInformation
	}
	return newHR((lr.Observed[1]-lr.Expected[1])/v, 1/math.Sqrt(v), MethodLogRank), nil
}

// HazardRatioCox returns the hazard ratio of arm b versus arm a from the Cox
// proportional hazards model (Cox 1972) with a single arm indicator x
// (0 for a, 1 for b), tied event times handled with Efron's (1977)
// approximation, as R's coxph(ties = "efron") does by default. At an event
// time with d tied events, n_a and n_b at risk, of whom d_a and d_b have the
// event, and r = exp(β), the log partial likelihood gains
//
//	β d_b - Σ_{j=0}^{d-1} log( n_a + n_b r - (j/d)(d_a + d_b r) ).
//
// β is found by Newton-Raphson from 0 (with step halving) to full precision;
// SE is 1/sqrt of the observed information at β̂, and the interval is the
// Wald interval exp(β̂ ± 1.96·SE).
//
// The estimate is infinite (ErrInfiniteHR) unless there is an event in a
// while some of b is at risk and an event in b while some of a is at risk.
func HazardRatioCox(a, b Sample) (_ HazardRatio, err error) {
	defer errprefix.Wrap(&err, "analysis")
	for g, s := range []Sample{a, b} {
		if err := s.validate(); err != nil {
			return HazardRatio{}, fmt.Errorf("arm %d: %w", g, err)
		}
	}
	tab := buildRiskTable([]Sample{a, b})
	var up, down bool
	for i := range tab.time {
		if tab.events[i][0] > 0 && tab.atRisk[i][1] > 0 {
			down = true
		}
		if tab.events[i][1] > 0 && tab.atRisk[i][0] > 0 {
			up = true
		}
	}
	if !up && !down {
		return HazardRatio{}, ErrNoInformation
	}
	if !up || !down {
		return HazardRatio{}, ErrInfiniteHR
	}
	beta, _, info, err := coxNewton(tab)
	if err != nil {
		return HazardRatio{}, err
	}
	return newHR(beta, 1/math.Sqrt(info), MethodCoxEfron), nil
}

// coxEfron evaluates the Efron log partial likelihood, its score and the
// observed information at beta for two arms (covariate 0 for arm 0, 1 for
// arm 1).
func coxEfron(tab riskTable, beta float64) (loglik, score, info float64) {
	r := math.Exp(beta)
	for i := range tab.time {
		da, db := float64(tab.events[i][0]), float64(tab.events[i][1])
		d := tab.events[i][0] + tab.events[i][1]
		if d == 0 {
			continue
		}
		s0 := float64(tab.atRisk[i][0]) + float64(tab.atRisk[i][1])*r // Σ risk at risk
		s1 := float64(tab.atRisk[i][1]) * r                           // Σ x·risk at risk
		d0 := da + db*r                                               // Σ risk of the d events
		d1 := db * r                                                  // Σ x·risk of the d events
		loglik += beta * db
		score += db
		for j := 0; j < d; j++ {
			f := float64(j) / float64(d)
			den := s0 - f*d0
			mean := (s1 - f*d1) / den // weighted mean of x; x² = x
			loglik -= math.Log(den)
			score -= mean
			info += mean * (1 - mean)
		}
	}
	return loglik, score, info
}

// coxNewton maximises the Efron partial likelihood by Newton-Raphson. The
// log likelihood is concave in beta; a step is halved only when it lowers
// the log likelihood by more than rounding noise, since close to the optimum
// the changes fall below floating-point resolution while the score still
// carries information.
func coxNewton(tab riskTable) (beta, loglik, info float64, err error) {
	loglik, score, info := coxEfron(tab, 0)
	for iter := 0; iter < 100; iter++ {
		if !(info > 0) {
			return 0, 0, 0, ErrNoInformation
		}
		step := score / info
		noise := 1e-11 * math.Max(1, math.Abs(loglik))
		nb := beta + step
		nll, nscore, ninfo := coxEfron(tab, nb)
		for halve := 0; !(nll >= loglik-noise) && halve < 60; halve++ {
			step /= 2
			nb = beta + step
			nll, nscore, ninfo = coxEfron(tab, nb)
		}
		if !(nll >= loglik-noise) {
			return beta, loglik, info, fmt.Errorf("analysis: Cox Newton-Raphson stalled at beta %v", beta)
		}
		beta, loglik, score, info = nb, nll, nscore, ninfo
		if math.Abs(step) <= 1e-12*math.Max(1, math.Abs(beta)) {
			return beta, loglik, info, nil
		}
	}
	return beta, loglik, info, fmt.Errorf("analysis: Cox Newton-Raphson did not converge (beta %v)", beta)
}
