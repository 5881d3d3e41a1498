package analysis

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/p53evo/p53evo/internal/errprefix"
)

// ReportSchemaVersion is the version of Report's JSON layout. It changes
// only when a field is removed, renamed or changes meaning; new fields may
// appear without a change.
const ReportSchemaVersion = 1

// DefaultLandmarks are the times, in months, at which Analyze reports the
// survival function.
var DefaultLandmarks = []float64{6, 12, 24}

// Num is a float64 whose JSON form is null when it is NaN or infinite
// ("not reached", "not estimable", "beyond follow-up").
type Num float64

// MarshalJSON writes the number, or null for NaN and infinities.
func (n Num) MarshalJSON() (_ []byte, err error) {
	defer errprefix.Wrap(&err, "analysis")
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON reads a number; null becomes NaN.
func (n *Num) UnmarshalJSON(b []byte) (err error) {
	defer errprefix.Wrap(&err, "analysis")
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	*n = Num(f)
	return err
}

// Report is the result of Analyze, printed by WriteText and, as JSON, by
// WriteJSON (p53evo analyze --json). All times are in days from the start
// of treatment unless a field name says months; null stands for NaN: not
// reached, not estimable or beyond follow-up. The field names are stable
// within ReportSchemaVersion (TestAnalyzeGolden pins them):
//
//	schema_version, endpoint, endpoint_description, time_unit ("days"),
//	days_per_month, tau_days, tau_source,
//	arms[]: name, source, scenario, replicates, events, censored,
//	        events_at_zero, outcomes{progressed, cured, censored},
//	        max_follow_up_days, at_detection, median_days, median_lower_days,
//	        median_upper_days, rmst{tau_days, days, se_days},
//	        survival[]{months, days, surv, lower, upper},
//	        progressions_by_class{sensitive, ta_loss, pocket},
//	        preexisting{any, ta_loss, pocket, mean_cells_ta_loss, mean_cells_pocket},
//	        resistant_clones_at_progression{n, median, q1, q3}
//	comparison (null for one arm): reference,
//	        logrank{chi2, df, p, observed[], expected[], error (if not computed)},
//	        hazard_ratios[]{arm, peto{...}, cox{...}} with each estimate
//	        {method, hr, lower, upper, log_hr, se, error (if not estimable)}
//
// For arms of virtual trial patients (every arm's scenario has a patient
// section) trial holds the TrialReport: arms[] {name, patients,
// best_response{CR,PR,SD,PD,NE}, orr and dcr {k,n,rate,lower,upper},
// pfs and dor {n,events,median_days,median_lower_days,median_upper_days,
// curve_ends_at_zero}, time_to_response and ctdna_lead
// {n,median,q1,q3,min,max}, ctdna_calls, lead_positive, plasma_snvs and
// tissue_snvs {ta_loss,pocket,any} each {mean,median,max,at_least_one,
// share_at_least_one}, concordance (null without the ctdna and biopsies
// tables) {ta_loss,pocket,any} each {both,plasma_only,tissue_only},
// patients_shared, patients_disjoint, patients_plasma_only,
// patients_tissue_only}}; it is absent otherwise. paired (AnalyzeOptions.Paired) holds the PairedReport.
//
// peto is Peto's one-step log-rank estimate (HazardRatioMH, method
// "logrank-peto"), cox the Cox partial-likelihood estimate with Efron ties
// (HazardRatioCox, method "cox-efron"); both are arm versus reference with
// 95% Wald intervals.
type Report struct {
	SchemaVersion       int         `json:"schema_version"`
	Endpoint            Endpoint    `json:"endpoint"`
	EndpointDescription string      `json:"endpoint_description"`
	TimeUnit            string      `json:"time_unit"` // always "days"
	DaysPerMonth        float64     `json:"days_per_month"`
	TauDays             Num         `json:"tau_days"`   // RMST horizon
	TauSource           string      `json:"tau_source"` // "option" or "shortest maximum follow-up among arms"
	Arms                []ArmReport `json:"arms"`
	// Comparison is null for a single arm.
	Comparison *Comparison `json:"comparison"`
	// Trial is the trial report of arms of virtual patients; absent for
	// single-tumour arms.
	Trial *TrialReport `json:"trial,omitempty"`
	// Paired is the paired comparison of two arms on the same patients
	// (AnalyzeOptions.Paired); absent otherwise.
	Paired *PairedReport `json:"paired,omitempty"`
}

// ArmReport is one arm of a Report.
type ArmReport struct {
	Name       string `json:"name"`
	Source     string `json:"source"`   // the directory read
	Scenario   string `json:"scenario"` // manifest scenario name
	Replicates int    `json:"replicates"`
	Events     int    `json:"events"`   // replicates with the endpoint's event
	Censored   int    `json:"censored"` // replicates censored
	// EventsAtZero counts events at t = 0: for first-resistant the
	// replicates with pre-existing resistance, for resistant-majority those
	// already resistant-majority at the start.
	EventsAtZero    int      `json:"events_at_zero"`
	Outcomes        Outcomes `json:"outcomes"`
	MaxFollowUpDays Num      `json:"max_follow_up_days"` // latest end time among the replicates
	// Median of the endpoint (Kaplan-Meier) with its 95% Brookmeyer-Crowley
	// interval on the log-log scale; null: not reached.
	MedianDays      Num `json:"median_days"`
	MedianLowerDays Num `json:"median_lower_days"`
	MedianUpperDays Num `json:"median_upper_days"`
	// CurveEndsAtZero: the Kaplan-Meier curve drops to 0 (every remaining
	// replicate progresses at one time), so a missing limit of the median
	// is not estimable (NE) rather than not reached (NR).
	CurveEndsAtZero bool `json:"curve_ends_at_zero"`
	// AtDetection: every replicate ended at detection, before treatment
	// (stop.at_detection): no follow-up, only the pre-existing resistance
	// carries data.
	AtDetection bool       `json:"at_detection"`
	RMST        RMSTReport `json:"rmst"`
	// Survival at the landmarks (default 6, 12 and 24 months) with 95%
	// Greenwood log-log intervals; null beyond the last observation.
	Survival []Landmark `json:"survival"`
	// Progressions by the most numerous class at progression.
	ProgressionsByClass ByClass     `json:"progressions_by_class"`
	Preexisting         Preexisting `json:"preexisting"`
	// Live resistant clones at progression, over progressed replicates.
	ResistantClonesAtProgression Quartiles `json:"resistant_clones_at_progression"`
}

// Outcomes counts replicates by the outcome of treatment.
type Outcomes struct {
	Progressed int `json:"progressed"`
	Cured      int `json:"cured"`
	Censored   int `json:"censored"`
}

// RMSTReport is a restricted mean survival time.
type RMSTReport struct {
	TauDays Num `json:"tau_days"`
	Days    Num `json:"days"`
	SEDays  Num `json:"se_days"`
}

// Landmark is the survival function at one time.
type Landmark struct {
	Months Num `json:"months"`
	Days   Num `json:"days"`
	Surv   Num `json:"surv"`
	Lower  Num `json:"lower"`
	Upper  Num `json:"upper"`
}

// ByClass counts by resistance class.
type ByClass struct {
	Sensitive int `json:"sensitive"`
	TALoss    int `json:"ta_loss"`
	Pocket    int `json:"pocket"`
}

// Preexisting describes resistance present at treatment start: the share
// of replicates with cells of a class, and the mean number of such cells
// over all replicates.
type Preexisting struct {
	Any             Num `json:"any"`
	TALoss          Num `json:"ta_loss"`
	Pocket          Num `json:"pocket"`
	MeanCellsTALoss Num `json:"mean_cells_ta_loss"`
	MeanCellsPocket Num `json:"mean_cells_pocket"`
}

// Quartiles summarise a count.
type Quartiles struct {
	N      int `json:"n"`
	Median Num `json:"median"`
	Q1     Num `json:"q1"`
	Q3     Num `json:"q3"`
}

// Comparison compares the arms: one log-rank test of all arms and the
// hazard ratio of every other arm against the first (the reference).
type Comparison struct {
	Reference    string         `json:"reference"`
	LogRank      LogRankReport  `json:"logrank"`
	HazardRatios []HRComparison `json:"hazard_ratios"`
}

// LogRankReport is the k-sample log-rank test (R's survdiff).
type LogRankReport struct {
	Chi2     Num    `json:"chi2"`
	DF       int    `json:"df"`
	P        Num    `json:"p"`
	Observed []Num  `json:"observed"` // events per arm
	Expected []Num  `json:"expected"` // expected events per arm under equal hazards
	Error    string `json:"error,omitempty"`
}

// HRComparison holds two estimates of the hazard ratio of Arm versus the
// reference (HR > 1: the event happens sooner in Arm).
type HRComparison struct {
	Arm string `json:"arm"`
	// Peto is the one-step log-rank (Peto / Mantel-Haenszel type)
	// estimate, HazardRatioMH.
	Peto HRReport `json:"peto"`
	// Cox is the Cox proportional-hazards estimate with Efron ties,
	// HazardRatioCox.
	Cox HRReport `json:"cox"`
}

// HRReport is one hazard-ratio estimate with its 95% Wald interval.
type HRReport struct {
	Method string `json:"method"` // "logrank-peto" or "cox-efron"
	HR     Num    `json:"hr"`
	Lower  Num    `json:"lower"`
	Upper  Num    `json:"upper"`
	LogHR  Num    `json:"log_hr"`
	SE     Num    `json:"se"` // of log HR
	Error  string `json:"error,omitempty"`
}

// AnalyzeOptions configures Analyze.
type AnalyzeOptions struct {
	Endpoint Endpoint // default EndpointTTP
	// TauDays is the RMST horizon; 0 means the shortest maximum follow-up
	// (latest end time of a replicate) among the arms.
	TauDays float64
	// Landmarks in months (default DefaultLandmarks).
	Landmarks []float64
	// Paired compares two arms of the same virtual patients patient by
	// patient (Paired); it needs exactly two such arms.
	Paired bool
}

// Analyze computes the Report of one endpoint for the arms. With two or
// more arms it compares every arm with the first.
func Analyze(arms []ArmData, opt AnalyzeOptions) (_ *Report, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if len(arms) == 0 {
		return nil, errors.New("analysis: no arms")
	}
	if opt.Endpoint == "" {
		opt.Endpoint = EndpointTTP
	}
	if _, err := ParseEndpoint(string(opt.Endpoint)); err != nil {
		return nil, err
	}
	if opt.TauDays < 0 || math.IsNaN(opt.TauDays) || math.IsInf(opt.TauDays, 0) {
		return nil, fmt.Errorf("analysis: tau %v days: must be positive", opt.TauDays)
	}
	if opt.Landmarks == nil {
		opt.Landmarks = DefaultLandmarks
	}
	rep := &Report{
		SchemaVersion: ReportSchemaVersion, Endpoint: opt.Endpoint,
		EndpointDescription: opt.Endpoint.Description(),
		TimeUnit:            "days", DaysPerMonth: DaysPerMonth,
	}
	samples := make([]Sample, len(arms))
	kms := make([]KM, len(arms))
	tau := math.Inf(1)
	for i, a := range arms {
		s, err := EndpointSample(opt.Endpoint, a)
		if err != nil {
			return nil, err
		}
		if err := s.validate(); err != nil {
			return nil, fmt.Errorf("arm %s: %w", a.Name, err)
		}
		samples[i] = s
		if kms[i], err = KaplanMeier(s); err != nil {
			return nil, fmt.Errorf("arm %s: %w", a.Name, err)
		}
		tau = min(tau, followUp(a))
	}
	rep.TauSource = "shortest maximum follow-up among arms"
	if opt.TauDays > 0 {
		tau, rep.TauSource = opt.TauDays, "option"
	}
	rep.TauDays = Num(tau)
	for i, a := range arms {
		ar, err := armReport(a, samples[i], kms[i], tau, opt.Landmarks)
		if err != nil {
			return nil, err
		}
		rep.Arms = append(rep.Arms, ar)
	}
	if len(arms) >= 2 {
		rep.Comparison = compare(arms, samples)
	}
	trial := true
	for i := range arms {
		trial = trial && arms[i].HasPatients()
	}
	if trial {
		var err error
		if rep.Trial, err = Trial(arms); err != nil {
			return nil, err
		}
	}
	if opt.Paired {
		if len(arms) != 2 {
			return nil, fmt.Errorf("analysis: a paired comparison needs exactly two arms, not %d", len(arms))
		}
		var err error
		if rep.Paired, err = Paired(arms[0], arms[1]); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func armReport(a ArmData, s Sample, km KM, tau float64, landmarks []float64) (ArmReport, error) {
	sum, err := Summarize(a.Name, a.Runs)
	if err != nil {
		return ArmReport{}, err
	}
	ar := ArmReport{
		Name: a.Name, Source: a.Source, Scenario: a.Scenario,
		Replicates: len(a.Runs), Events: km.Events, Censored: km.N - km.Events,
		Outcomes:        Outcomes{sum.Progressed, sum.Cured, sum.Censored},
		MaxFollowUpDays: Num(followUp(a)),
		AtDetection:     sum.AtDetection,
		ProgressionsByClass: ByClass{
			Sensitive: sum.DrivenBy["sensitive"], TALoss: sum.DrivenBy["ta-loss"], Pocket: sum.DrivenBy["pocket"],
		},
		Preexisting: Preexisting{
			Any: Num(sum.Preexisting["any"]), TALoss: Num(sum.Preexisting["ta-loss"]), Pocket: Num(sum.Preexisting["pocket"]),
			MeanCellsTALoss: Num(sum.PreexistingMean["ta-loss"]), MeanCellsPocket: Num(sum.PreexistingMean["pocket"]),
		},
		ResistantClonesAtProgression: Quartiles{N: sum.Progressed, Median: Num(sum.ClonesMedian), Q1: Num(sum.ClonesQ1), Q3: Num(sum.ClonesQ3)},
	}
	for i, t := range s.Time {
		if s.Event[i] && t == 0 {
			ar.EventsAtZero++
		}
	}
	m, lo, hi, _ := km.Median()
	ar.MedianDays, ar.MedianLowerDays, ar.MedianUpperDays = Num(m), Num(lo), Num(hi)
	ar.CurveEndsAtZero = km.EndsAtZero()
	mean, se := km.RMST(tau)
	ar.RMST = RMSTReport{Num(tau), Num(mean), Num(se)}
	ar.Survival = make([]Landmark, 0, len(landmarks))
	for _, mo := range landmarks {
		d := mo * DaysPerMonth
		sv, l, u := km.SurvivalAt(d)
		ar.Survival = append(ar.Survival, Landmark{Num(mo), Num(d), Num(sv), Num(l), Num(u)})
	}
	return ar, nil
}

func nanHR(method string, err error) HRReport {
	n := Num(math.NaN())
	return HRReport{Method: method, HR: n, Lower: n, Upper: n, LogHR: n, SE: n, Error: err.Error()}
}

func hrReport(h HazardRatio) HRReport {
	return HRReport{Method: h.Method, HR: Num(h.HR), Lower: Num(h.Lower), Upper: Num(h.Upper), LogHR: Num(h.LogHR), SE: Num(h.SE)}
}

func compare(arms []ArmData, samples []Sample) *Comparison {
	c := &Comparison{Reference: arms[0].Name}
	lr, err := LogRankTest(samples)
	c.LogRank = LogRankReport{Chi2: Num(lr.Chi2), DF: lr.DF, P: Num(lr.P)}
	if err != nil {
		c.LogRank.Chi2, c.LogRank.P = Num(math.NaN()), Num(math.NaN())
		c.LogRank.Error = err.Error()
	}
	for g := range samples {
		var o, e float64 = math.NaN(), math.NaN()
		if g < len(lr.Observed) {
			o, e = lr.Observed[g], lr.Expected[g]
		}
		c.LogRank.Observed = append(c.LogRank.Observed, Num(o))
		c.LogRank.Expected = append(c.LogRank.Expected, Num(e))
	}
	for g := 1; g < len(arms); g++ {
		hc := HRComparison{Arm: arms[g].Name}
		if h, err := HazardRatioMH(samples[0], samples[g]); err != nil {
			hc.Peto = nanHR(MethodLogRank, err)
		} else {
			hc.Peto = hrReport(h)
		}
		if h, err := HazardRatioCox(samples[0], samples[g]); err != nil {
			hc.Cox = nanHR(MethodCoxEfron, err)
		} else {
			hc.Cox = hrReport(h)
		}
		c.HazardRatios = append(c.HazardRatios, hc)
	}
	return c
}

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) (err error) {
	defer errprefix.Wrap(&err, "analysis")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// MedianCI is the median and its 95% limits in months, as every report
// prints them: "12.9 (11.0-14.7)"; NR for a median not reached, and for a
// missing limit NR, or NE (not estimable) when the curve ends at 0.
func (a *ArmReport) MedianCI() string {
	missing := "NR"
	if a.CurveEndsAtZero {
		missing = "NE"
	}
	return fmt.Sprintf("%s (%s-%s)", fmtMonths(a.MedianDays, "NR"), fmtMonths(a.MedianLowerDays, missing), fmtMonths(a.MedianUpperDays, missing))
}

// fmtMonths prints days as months, "NR" (not reached) for NaN.
func fmtMonths(d Num, nr string) string {
	if f := float64(d); !math.IsNaN(f) && !math.IsInf(f, 0) {
		return strconv.FormatFloat(f/DaysPerMonth, 'f', 1, 64)
	}
	return nr
}

func fmtNum(x Num, prec int) string {
	if f := float64(x); !math.IsNaN(f) && !math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'f', prec, 64)
	}
	return "-"
}

// fmtCount prints a count statistic: whole numbers as such, others with
// one decimal (a median of an even number of counts may end in .5).
func fmtCount(x Num) string {
	if f := float64(x); f == math.Trunc(f) {
		return fmtNum(x, 0)
	}
	return fmtNum(x, 1)
}

func fmtP(p Num) string {
	f := float64(p)
	switch {
	case math.IsNaN(f):
		return "-"
	case f < 1e-4:
		return fmt.Sprintf("%.1e", f)
	}
	return fmt.Sprintf("%.4f", f)
}

func fmtShare(p Num) string {
	if math.IsNaN(float64(p)) {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(p))
}

func countPct(k, n int) string {
	if n == 0 {
		return strconv.Itoa(k)
	}
	return fmt.Sprintf("%d (%.0f%%)", k, 100*float64(k)/float64(n))
}

// WriteText prints the report for people: one column per arm, then the
// comparison. Times are in months (1 month = 30.4375 days).
func (r *Report) WriteText(w io.Writer) (err error) {
	defer errprefix.Wrap(&err, "analysis")
	fmt.Fprintf(w, "endpoint %s: %s\n", r.Endpoint, r.EndpointDescription)
	fmt.Fprintf(w, "times in months (30.4375 days) from treatment start; 95%% CIs (Kaplan-Meier, Greenwood, log-log; median: Brookmeyer-Crowley); NR not reached, NE not estimable (the curve drops to 0 there)\n")
	for _, a := range r.Arms {
		if a.AtDetection {
			fmt.Fprintf(w, "arm %s: every replicate stopped at detection, before treatment (stop.at_detection): no follow-up; only the pre-existing resistance rows carry data\n", a.Name)
		}
	}
	fmt.Fprintln(w)
	if err := r.writeArms(w); err != nil {
		return err
	}
	if r.Comparison != nil {
		if err := r.Comparison.writeText(w, len(r.Arms)); err != nil {
			return err
		}
	}
	if r.Trial != nil {
		fmt.Fprintln(w)
		if err := r.Trial.WriteText(w); err != nil {
			return err
		}
	}
	if r.Paired != nil {
		fmt.Fprintln(w)
		return r.Paired.WriteText(w)
	}
	return nil
}

// writeArms prints the table of the arms, one column each.
func (r *Report) writeArms(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(label string, f func(a *ArmReport) string) {
		cells := []string{label}
		for i := range r.Arms {
			cells = append(cells, f(&r.Arms[i]))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	row("arm", func(a *ArmReport) string { return a.Name })
	row("replicates", func(a *ArmReport) string { return strconv.Itoa(a.Replicates) })
	row("events", func(a *ArmReport) string { return countPct(a.Events, a.Replicates) })
	row("censored", func(a *ArmReport) string { return countPct(a.Censored, a.Replicates) })
	if r.Endpoint == EndpointFirstResistant || r.Endpoint == EndpointResistantMajority {
		label := "events at t=0"
		if r.Endpoint == EndpointFirstResistant {
			label = "pre-existing (event at 0)"
		}
		row(label, func(a *ArmReport) string { return countPct(a.EventsAtZero, a.Replicates) })
	}
	row("median (95% CI)", (*ArmReport).MedianCI)
	row(fmt.Sprintf("RMST to %s mo (SE)", fmtMonths(r.TauDays, "-")), func(a *ArmReport) string {
		return fmt.Sprintf("%s (%s)", fmtMonths(a.RMST.Days, "-"), fmtMonths(a.RMST.SEDays, "-"))
	})
	if len(r.Arms) > 0 {
		for k, lm := range r.Arms[0].Survival {
			row(fmt.Sprintf("S(%s mo) (95%% CI)", fmtNum(lm.Months, 0)), func(a *ArmReport) string {
				l := a.Survival[k]
				if math.IsNaN(float64(l.Surv)) {
					return "beyond follow-up"
				}
				if math.IsNaN(float64(l.Lower)) {
					return fmtNum(l.Surv, 2)
				}
				return fmt.Sprintf("%s (%s-%s)", fmtNum(l.Surv, 2), fmtNum(l.Lower, 2), fmtNum(l.Upper, 2))
			})
		}
	}
	row("outcome: progressed/cured/censored", func(a *ArmReport) string {
		return fmt.Sprintf("%d/%d/%d", a.Outcomes.Progressed, a.Outcomes.Cured, a.Outcomes.Censored)
	})
	row("progression driven by ta-loss", func(a *ArmReport) string {
		return countPct(a.ProgressionsByClass.TALoss, a.Outcomes.Progressed)
	})
	row("  pocket", func(a *ArmReport) string { return countPct(a.ProgressionsByClass.Pocket, a.Outcomes.Progressed) })
	row("  sensitive", func(a *ArmReport) string { return countPct(a.ProgressionsByClass.Sensitive, a.Outcomes.Progressed) })
	row("resistant clones at progression, median (IQR)", func(a *ArmReport) string {
		q := a.ResistantClonesAtProgression
		if q.N == 0 {
			return "-"
		}
		return fmt.Sprintf("%s (%s-%s)", fmtCount(q.Median), fmtCount(q.Q1), fmtCount(q.Q3))
	})
	row("pre-existing resistance at start: any", func(a *ArmReport) string { return fmtShare(a.Preexisting.Any) })
	row("  ta-loss: share, mean cells", func(a *ArmReport) string {
		return fmt.Sprintf("%s, %.3g", fmtShare(a.Preexisting.TALoss), float64(a.Preexisting.MeanCellsTALoss))
	})
	row("  pocket: share, mean cells", func(a *ArmReport) string {
		return fmt.Sprintf("%s, %.3g", fmtShare(a.Preexisting.Pocket), float64(a.Preexisting.MeanCellsPocket))
	})
	return tw.Flush()
}

// writeText prints the log-rank test and the hazard ratios of nArms arms.
func (c *Comparison) writeText(w io.Writer, nArms int) error {
	fmt.Fprintln(w)
	if c.LogRank.Error != "" {
		fmt.Fprintf(w, "log-rank test: not computed (%s)\n", c.LogRank.Error)
	} else {
		fmt.Fprintf(w, "log-rank test (%d arms): chi2 = %.2f, df = %d, p = %s\n", nArms, float64(c.LogRank.Chi2), c.LogRank.DF, fmtP(c.LogRank.P))
	}
	fmt.Fprintf(w, "hazard ratio vs %s (HR > 1: the event comes sooner), 95%% CI:\n", c.Reference)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  arm\tPeto (one-step log-rank)\tCox (Efron ties)")
	hr := func(h HRReport) string {
		if h.Error != "" {
			return "not estimable"
		}
		return fmt.Sprintf("%.3g (%.3g-%.3g)", float64(h.HR), float64(h.Lower), float64(h.Upper))
	}
	for _, h := range c.HazardRatios {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", h.Arm, hr(h.Peto), hr(h.Cox))
	}
	return tw.Flush()
}
