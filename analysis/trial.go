package analysis

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
)

// The trial report: what a single-arm phase 2 trial of virtual patients
// reports (RECIST 1.1 best overall response, objective response and disease
// control rates with exact intervals, progression-free survival and
// duration of response by Kaplan-Meier, ctDNA lead times), and the paired
// comparison of two arms run on the same virtual patients.

// Responses lists the RECIST 1.1 best overall responses in report order.
var Responses = []string{"CR", "PR", "SD", "PD", "NE"}

// Proportion is k of n with its exact (Clopper-Pearson) 95% interval.
type Proportion struct {
	K     int `json:"k"`
	N     int `json:"n"`
	Rate  Num `json:"rate"`
	Lower Num `json:"lower"`
	Upper Num `json:"upper"`
}

// ClopperPearson is the exact two-sided confidence interval of a binomial
// proportion k/n at level (0.95 for 95%): the limits are quantiles of Beta
// distributions, Beta(k, n-k+1) at (1-level)/2 and Beta(k+1, n-k) at
// (1+level)/2, with 0 for k = 0 and 1 for k = n (R's binom.test).
func ClopperPearson(k, n int, level float64) (lower, upper float64, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if n <= 0 || k < 0 || k > n {
		return math.NaN(), math.NaN(), fmt.Errorf("analysis: proportion %d of %d: need 0 <= k <= n and n > 0", k, n)
	}
	if !(level > 0 && level < 1) {
		return math.NaN(), math.NaN(), fmt.Errorf("analysis: confidence level %v: must be in (0, 1)", level)
	}
	a := (1 - level) / 2
	lower, upper = 0, 1
	if k > 0 {
		lower = distuv.Beta{Alpha: float64(k), Beta: float64(n - k + 1)}.Quantile(a)
	}
	if k < n {
		upper = distuv.Beta{Alpha: float64(k + 1), Beta: float64(n - k)}.Quantile(1 - a)
	}
	return lower, upper, nil
}

func proportion(k, n int) Proportion {
	p := Proportion{K: k, N: n, Rate: Num(math.NaN()), Lower: Num(math.NaN()), Upper: Num(math.NaN())}
	if n > 0 {
		lo, hi, _ := ClopperPearson(k, n, 0.95)
		p.Rate, p.Lower, p.Upper = Num(float64(k)/float64(n)), Num(lo), Num(hi)
	}
	return p
}

// SignTestP is the exact two-sided p-value of the sign test with plus and
// minus signs (ties left out): twice the binomial(plus+minus, 1/2)
// probability of a count at most min(plus, minus), at most 1. It is also the
// exact McNemar test, with the two discordant counts.
func SignTestP(plus, minus int) float64 {
	n := plus + minus
	if n == 0 {
		return 1
	}
	k := min(plus, minus)
	// sum of C(n, i) / 2^n for i <= k, in logs
	p := 0.0
	for i := 0; i <= k; i++ {
		lc, _ := math.Lgamma(float64(n + 1))
		l1, _ := math.Lgamma(float64(i + 1))
		l2, _ := math.Lgamma(float64(n - i + 1))
		p += math.Exp(lc - l1 - l2 - float64(n)*math.Ln2)
	}
	return min(1, 2*p)
}

// Gehan compares two right-censored times by Gehan's rule: +1 when b is
// certainly longer than a (a had the event before b's time, or at b's time
// with b censored), -1 when a is certainly longer, 0 when the order is
// unknown (the shorter time is censored) or the times tie with both events.
func Gehan(ta float64, ea bool, tb float64, eb bool) int {
	switch {
	case ea && (ta < tb || ta == tb && !eb):
		return 1
	case eb && (tb < ta || tb == ta && !ea):
		return -1
	}
	return 0
}

// KMSummary is a Kaplan-Meier median with its 95% Brookmeyer-Crowley
// interval (log-log), in days; null: not reached.
type KMSummary struct {
	N               int  `json:"n"`
	Events          int  `json:"events"`
	MedianDays      Num  `json:"median_days"`
	MedianLowerDays Num  `json:"median_lower_days"`
	MedianUpperDays Num  `json:"median_upper_days"`
	CurveEndsAtZero bool `json:"curve_ends_at_zero"`
}

func kmSummary(s Sample) KMSummary {
	n := Num(math.NaN())
	k := KMSummary{N: len(s.Time), MedianDays: n, MedianLowerDays: n, MedianUpperDays: n}
	if len(s.Time) == 0 {
		return k
	}
	km, err := KaplanMeier(s)
	if err != nil {
		return k
	}
	m, lo, hi, _ := km.Median()
	k.Events = km.Events
	k.MedianDays, k.MedianLowerDays, k.MedianUpperDays = Num(m), Num(lo), Num(hi)
	k.CurveEndsAtZero = km.EndsAtZero()
	return k
}

// Spread summarises a sample of days: count, median, quartiles and range.
type Spread struct {
	N      int `json:"n"`
	Median Num `json:"median"`
	Q1     Num `json:"q1"`
	Q3     Num `json:"q3"`
	Min    Num `json:"min"`
	Max    Num `json:"max"`
}

func spread(x []float64) Spread {
	n := Num(math.NaN())
	s := Spread{N: len(x), Median: n, Q1: n, Q3: n, Min: n, Max: n}
	if len(x) == 0 {
		return s
	}
	x = slices.Clone(x)
	slices.Sort(x)
	s.Median, s.Q1, s.Q3 = Num(quantile(x, 0.5)), Num(quantile(x, 0.25)), Num(quantile(x, 0.75))
	s.Min, s.Max = Num(x[0]), Num(x[len(x)-1])
	return s
}

// TrialArmReport is the trial report of one arm of virtual patients.
type TrialArmReport struct {
	Name     string `json:"name"`
	Patients int    `json:"patients"`
	// BestResponse counts patients by RECIST 1.1 best overall response
	// (keys CR, PR, SD, PD, NE).
	BestResponse map[string]int `json:"best_response"`
	// ORR: CR or PR; DCR (disease control): CR, PR or SD; with exact
	// Clopper-Pearson 95% intervals.
	ORR Proportion `json:"orr"`
	DCR Proportion `json:"dcr"`
	// PFS: progression (RECIST PD or lethal burden); a patient without one
	// is censored at the end of follow-up (a cured one at the arm's last).
	PFS KMSummary `json:"pfs"`
	// DoR: from the first scan of the response to progression, over
	// responders; censored like PFS.
	DoR KMSummary `json:"dor"`
	// TimeToResponse over responders, days.
	TimeToResponse Spread `json:"time_to_response"`
	// CTDNACalls: patients with a ctDNA call; CTDNALead the lead of the
	// first call over progression (days; positive: ctDNA first), over
	// patients with both.
	CTDNACalls int    `json:"ctdna_calls"`
	CTDNALead  Spread `json:"ctdna_lead"`
	// LeadPositive: patients whose ctDNA call came before progression.
	LeadPositive int `json:"lead_positive"`
	// PlasmaSNVs and TissueSNVs: distinct resistance SNVs called per
	// patient up to the first progression (patients table), by class.
	PlasmaSNVs SNVCalls `json:"plasma_snvs"`
	TissueSNVs SNVCalls `json:"tissue_snvs"`
	// Concordance of plasma and tissue calls, SNV by SNV (ctdna and
	// biopsies tables); null when those tables were not read.
	Concordance *Concordance `json:"concordance"`
}

// TrialReport is the trial report of one or more arms of virtual patients.
type TrialReport struct {
	Arms []TrialArmReport `json:"arms"`
}

// HasPatients reports whether the arm is made of virtual trial patients.
func (a *ArmData) HasPatients() bool { return len(a.Patients) > 0 }

// Trial computes the trial report of arms of virtual patients; every arm
// must have them.
func Trial(arms []ArmData) (_ *TrialReport, err error) {
	defer errprefix.Wrap(&err, "analysis")
	r := &TrialReport{}
	for i := range arms {
		a := &arms[i]
		if !a.HasPatients() {
			return nil, fmt.Errorf("arm %s: %w", a.Name, ErrNoPatients)
		}
		arm := trialArm(a)
		if a.CallsRead {
			c, err := ConcordanceOf(a.Patients, a.PlasmaCalls, a.TissueCalls)
			if err != nil {
				return nil, fmt.Errorf("arm %s: %w", a.Name, err)
			}
			arm.Concordance = &c
		}
		r.Arms = append(r.Arms, arm)
	}
	return r, nil
}

// lastEnd is the latest end of follow-up among an arm's patients.
func lastEnd(ps []dataset.PatientRow) float64 {
	last := 0.0
	for _, p := range ps {
		last = max(last, p.EndTime)
	}
	return last
}

// PFSSample is the progression-free survival of an arm's patients: an
// event at the first progression; otherwise censored at the patient's end
// of follow-up, or, for a patient cured (no cell left, outcome "cured" in
// cured[replicate]), at the arm's latest end.
func PFSSample(ps []dataset.PatientRow, cured map[int]bool) Sample {
	s := Sample{Time: make([]float64, len(ps)), Event: make([]bool, len(ps))}
	last := lastEnd(ps)
	for i, p := range ps {
		switch {
		case p.Progressed():
			s.Time[i], s.Event[i] = max(0, p.ProgressionTime), true
		case cured[p.Replicate]:
			s.Time[i] = last
		default:
			s.Time[i] = p.EndTime
		}
	}
	return s
}

// DoRSample is the duration of response of an arm's responders (patients
// with a response time), censored as PFSSample.
func DoRSample(ps []dataset.PatientRow, cured map[int]bool) Sample {
	var s Sample
	last := lastEnd(ps)
	for _, p := range ps {
		if math.IsNaN(p.ResponseTime) {
			continue
		}
		switch {
		case p.Progressed():
			s.Time, s.Event = append(s.Time, max(0, p.ProgressionTime-p.ResponseTime)), append(s.Event, true)
		case cured[p.Replicate]:
			s.Time, s.Event = append(s.Time, max(0, last-p.ResponseTime)), append(s.Event, false)
		default:
			s.Time, s.Event = append(s.Time, max(0, p.EndTime-p.ResponseTime)), append(s.Event, false)
		}
	}
	return s
}

func curedSet(runs []dataset.RunRow) map[int]bool {
	c := map[int]bool{}
	for _, r := range runs {
		if r.Outcome == "cured" {
			c[r.Replicate] = true
		}
	}
	return c
}

func trialArm(a *ArmData) TrialArmReport {
	ps := a.Patients
	r := TrialArmReport{Name: a.Name, Patients: len(ps), BestResponse: map[string]int{}}
	for _, k := range Responses {
		r.BestResponse[k] = 0
	}
	var ttr, lead []float64
	for _, p := range ps {
		r.BestResponse[p.BestResponse]++
		if !math.IsNaN(p.ResponseTime) {
			ttr = append(ttr, p.ResponseTime)
		}
		if !math.IsNaN(p.FirstCTDNACall) {
			r.CTDNACalls++
		}
		if !math.IsNaN(p.CTDNALead) {
			lead = append(lead, p.CTDNALead)
			if p.CTDNALead > 0 {
				r.LeadPositive++
			}
		}
	}
	cr, pr, sd := r.BestResponse["CR"], r.BestResponse["PR"], r.BestResponse["SD"]
	r.ORR = proportion(cr+pr, len(ps))
	r.DCR = proportion(cr+pr+sd, len(ps))
	cured := curedSet(a.Runs)
	r.PFS = kmSummary(PFSSample(ps, cured))
	r.DoR = kmSummary(DoRSample(ps, cured))
	r.TimeToResponse = spread(ttr)
	r.CTDNALead = spread(lead)
	r.PlasmaSNVs = snvCalls(ps, func(p *dataset.PatientRow) (int, int) { return p.PlasmaSNVsTALoss, p.PlasmaSNVsPocket })
	r.TissueSNVs = snvCalls(ps, func(p *dataset.PatientRow) (int, int) { return p.TissueSNVsTALoss, p.TissueSNVsPocket })
	return r
}

// PairedReport compares two arms run on the same virtual patients (the
// same seed and patient section, so patient i is the same person in both):
// progression-free survival by the sign test with Gehan's rule, response
// by the exact McNemar test.
type PairedReport struct {
	A     string `json:"a"`
	B     string `json:"b"`
	Pairs int    `json:"pairs"`
	// PFS: pairs where B's PFS is certainly longer (BLonger), A's certainly
	// longer (ALonger), or the order unknown or tied (Undecided); P the
	// exact two-sided sign test over the decided pairs.
	PFS struct {
		BLonger   int `json:"b_longer"`
		ALonger   int `json:"a_longer"`
		Undecided int `json:"undecided"`
		P         Num `json:"p"`
	} `json:"pfs"`
	// Response (CR or PR): pairs responding in both arms, only in A, only
	// in B, in neither; P the exact McNemar test on the discordant pairs.
	Response struct {
		Both    int `json:"both"`
		OnlyA   int `json:"only_a"`
		OnlyB   int `json:"only_b"`
		Neither int `json:"neither"`
		P       Num `json:"p"`
	} `json:"response"`
}

// ErrNoPatients says an arm has no virtual trial patients.
var ErrNoPatients = errors.New("analysis: no virtual trial patients in this arm (its scenario has no patient section)")

// ErrNotPaired says two arms are not the same patients.
var ErrNotPaired = errors.New("analysis: the arms are not the same virtual patients (run both with the same --seed, -n and patient section)")

// Paired compares arms a and b patient by patient. Patients are matched by
// replicate number; the two arms must hold the same replicates, the same
// seed and, patient by patient, the same draws and baseline (which holds
// when both ran with the same seed and patient section), or the error wraps
// ErrNotPaired.
func Paired(a, b ArmData) (_ *PairedReport, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if !a.HasPatients() || !b.HasPatients() {
		return nil, fmt.Errorf("%w: a paired comparison needs two arms of virtual trial patients", ErrNoPatients)
	}
	if a.Seed != b.Seed {
		return nil, fmt.Errorf("%w: seeds %d and %d", ErrNotPaired, a.Seed, b.Seed)
	}
	if len(a.Patients) != len(b.Patients) {
		return nil, fmt.Errorf("%w: %d and %d patients", ErrNotPaired, len(a.Patients), len(b.Patients))
	}
	byRep := make(map[int]int, len(b.Patients))
	for i, p := range b.Patients {
		byRep[p.Replicate] = i
	}
	sa, sb := PFSSample(a.Patients, curedSet(a.Runs)), PFSSample(b.Patients, curedSet(b.Runs))
	r := &PairedReport{A: a.Name, B: b.Name, Pairs: len(a.Patients)}
	for i, pa := range a.Patients {
		j, ok := byRep[pa.Replicate]
		if !ok {
			return nil, fmt.Errorf("%w: patient %d is only in %s", ErrNotPaired, pa.Replicate, a.Name)
		}
		pb := b.Patients[j]
		if pa.Lesions != pb.Lesions || pa.OccultLesions != pb.OccultLesions || pa.DrawnBurden != pb.DrawnBurden ||
			pa.GrowthFactor != pb.GrowthFactor || pa.BaselineCells != pb.BaselineCells || pa.BaselineSumMM != pb.BaselineSumMM {
			return nil, fmt.Errorf("%w: patient %d differs at baseline (lesions %d/%d, burden %g/%g, growth %g/%g)", ErrNotPaired,
				pa.Replicate, pa.Lesions, pb.Lesions, pa.DrawnBurden, pb.DrawnBurden, pa.GrowthFactor, pb.GrowthFactor)
		}
		switch Gehan(sa.Time[i], sa.Event[i], sb.Time[j], sb.Event[j]) {
		case 1:
			r.PFS.BLonger++
		case -1:
			r.PFS.ALonger++
		default:
			r.PFS.Undecided++
		}
		ra, rb := responder(pa.BestResponse), responder(pb.BestResponse)
		switch {
		case ra && rb:
			r.Response.Both++
		case ra:
			r.Response.OnlyA++
		case rb:
			r.Response.OnlyB++
		default:
			r.Response.Neither++
		}
	}
	r.PFS.P = Num(SignTestP(r.PFS.BLonger, r.PFS.ALonger))
	r.Response.P = Num(SignTestP(r.Response.OnlyA, r.Response.OnlyB))
	return r, nil
}

func responder(bor string) bool { return bor == "CR" || bor == "PR" }

func fmtProp(p Proportion) string {
	if p.N == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%% (%.1f-%.1f)", 100*float64(p.Rate), 100*float64(p.Lower), 100*float64(p.Upper))
}

func fmtKM(k KMSummary) string {
	if k.N == 0 {
		return "-"
	}
	missing := "NR"
	if k.CurveEndsAtZero {
		missing = "NE"
	}
	return fmt.Sprintf("%s (%s-%s), %d/%d events", fmtMonths(k.MedianDays, "NR"), fmtMonths(k.MedianLowerDays, missing), fmtMonths(k.MedianUpperDays, missing), k.Events, k.N)
}

func fmtSpreadMonths(s Spread) string {
	if s.N == 0 {
		return "-"
	}
	return fmt.Sprintf("%s (%s-%s), n=%d", fmtMonths(s.Median, "-"), fmtMonths(s.Q1, "-"), fmtMonths(s.Q3, "-"), s.N)
}

// WriteText prints the trial report, one column per arm.
func (t *TrialReport) WriteText(w io.Writer) (err error) {
	defer errprefix.Wrap(&err, "analysis")
	fmt.Fprintln(w, "virtual trial (RECIST 1.1 on target lesions; best overall response confirmed as the scenario says):")
	fmt.Fprintln(w, "rates with exact Clopper-Pearson 95% CIs; medians in months with 95% Brookmeyer-Crowley CIs (NR not reached)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(label string, f func(a *TrialArmReport) string) {
		cells := []string{label}
		for i := range t.Arms {
			cells = append(cells, f(&t.Arms[i]))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	row("arm", func(a *TrialArmReport) string { return a.Name })
	row("patients", func(a *TrialArmReport) string { return strconv.Itoa(a.Patients) })
	row("best response CR/PR/SD/PD/NE", func(a *TrialArmReport) string {
		var s []string
		for _, k := range Responses {
			s = append(s, strconv.Itoa(a.BestResponse[k]))
		}
		return strings.Join(s, "/")
	})
	row("ORR (CR+PR)", func(a *TrialArmReport) string { return fmtProp(a.ORR) })
	row("DCR (CR+PR+SD)", func(a *TrialArmReport) string { return fmtProp(a.DCR) })
	row("PFS median (95% CI)", func(a *TrialArmReport) string { return fmtKM(a.PFS) })
	row("DoR median (95% CI)", func(a *TrialArmReport) string { return fmtKM(a.DoR) })
	row("time to response, median (IQR)", func(a *TrialArmReport) string { return fmtSpreadMonths(a.TimeToResponse) })
	row("patients with a ctDNA call", func(a *TrialArmReport) string { return countPct(a.CTDNACalls, a.Patients) })
	row("ctDNA lead over PD, days: median (IQR)", func(a *TrialArmReport) string {
		s := a.CTDNALead
		if s.N == 0 {
			return "-"
		}
		return fmt.Sprintf("%s (%s-%s), range %s-%s, n=%d", fmtNum(s.Median, 0), fmtNum(s.Q1, 0), fmtNum(s.Q3, 0), fmtNum(s.Min, 0), fmtNum(s.Max, 0), s.N)
	})
	row("  ctDNA call before PD", func(a *TrialArmReport) string { return countPct(a.LeadPositive, a.CTDNALead.N) })
	row("  of all patients", func(a *TrialArmReport) string { return countPct(a.LeadPositive, a.Patients) })
	for _, src := range []struct {
		name string
		get  func(a *TrialArmReport) *SNVCalls
	}{{"plasma", func(a *TrialArmReport) *SNVCalls { return &a.PlasmaSNVs }}, {"tissue", func(a *TrialArmReport) *SNVCalls { return &a.TissueSNVs }}} {
		row("distinct SNVs called in "+src.name+" to PD: ta-loss", func(a *TrialArmReport) string { return fmtSNVCount(src.get(a).TALoss) })
		row("  pocket", func(a *TrialArmReport) string { return fmtSNVCount(src.get(a).Pocket) })
		row("  either class", func(a *TrialArmReport) string { return fmtSNVCount(src.get(a).Any) })
	}
	conc := func(f func(c *Concordance) string) func(a *TrialArmReport) string {
		return func(a *TrialArmReport) string {
			if a.Concordance == nil {
				return "-"
			}
			return f(a.Concordance)
		}
	}
	row("plasma vs tissue SNVs to PD: ta-loss", conc(func(c *Concordance) string { return fmtAgreement(c.TALoss) }))
	row("  pocket", conc(func(c *Concordance) string { return fmtAgreement(c.Pocket) }))
	row("  either class", conc(func(c *Concordance) string { return fmtAgreement(c.Any) }))
	row("  patients", conc(func(c *Concordance) string {
		return fmt.Sprintf("shared SNV %d, disjoint calls %d, plasma only %d, tissue only %d", c.PatientsShared, c.PatientsDisjoint, c.PatientsPlasmaOnly, c.PatientsTissueOnly)
	}))
	return tw.Flush()
}

// WriteText prints the paired comparison.
func (p *PairedReport) WriteText(w io.Writer) (err error) {
	defer errprefix.Wrap(&err, "analysis")
	fmt.Fprintf(w, "paired comparison, %s (A) vs %s (B), %d patients in both arms:\n", p.A, p.B, p.Pairs)
	fmt.Fprintf(w, "  PFS, sign test with Gehan's rule: B longer %d, A longer %d, undecided %d (censored first or tied); p = %s (exact, two-sided)\n",
		p.PFS.BLonger, p.PFS.ALonger, p.PFS.Undecided, fmtP(p.PFS.P))
	fmt.Fprintf(w, "  response (CR/PR), exact McNemar: both %d, only A %d, only B %d, neither %d; p = %s\n",
		p.Response.Both, p.Response.OnlyA, p.Response.OnlyB, p.Response.Neither, fmtP(p.Response.P))
	return nil
}
