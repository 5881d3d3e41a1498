package scenarios

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/p53evo/p53evo/sim"
)

// trialTargets are the calibration targets of the virtual trial cohort
// (testdata/trial-targets.json): ranges within the trials' sampling error.
type trialTargets struct {
	ORR2000         [2]float64 `json:"orr_2000"`
	ORR600Max       float64    `json:"orr_600_max"`
	ORRPhase1High   [2]float64 `json:"orr_phase1_high"`
	DoRMedianMonths [2]float64 `json:"dor_median_months"`
	MaxShareOneScan float64    `json:"max_share_one_scan"`
	CTDNADetectMin  float64    `json:"ctdna_detectable_min"`
	TF10Share       [2]float64 `json:"tf10_share"`
	LesionsMedian   [2]float64 `json:"lesions_median"`
	BurdenMedian    [2]float64 `json:"burden_median"`
	// KnownUnmet names targets the shipped defaults do not meet yet: the
	// test reports them, and fails once one is met (so the list is kept
	// honest).
	KnownUnmet []string `json:"known_unmet"`
}

// cohort is what the calibration reads of one arm.
type cohort struct {
	n, responders               int
	dor, ttp, lesions, burden   []float64
	detect, tf10                int
	bestPct                     []float64
	sumMaxShare, orr, dorMedian float64
	ctdnaDetect, tf10Share      float64
	lesionsMedian, burdenMedian float64
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	y := slices.Clone(x)
	slices.Sort(y)
	n := len(y)
	if n%2 == 1 {
		return y[n/2]
	}
	return (y[n/2-1] + y[n/2]) / 2
}

func runCohort(t *testing.T, name string, n int) cohort {
	t.Helper()
	s := open(t, name)
	cfg, err := Resolve(s)
	if err != nil {
		t.Fatal(err)
	}
	var c cohort
	c.n = n
	err = sim.Run(context.Background(), &cfg, sim.RunOptions{Count: n}, sim.SinkFunc(func(r *sim.Result) error {
		p := r.Patient
		if r.BestResponse == sim.PR || r.BestResponse == sim.CR {
			c.responders++
			if !math.IsNaN(p.DoR) {
				c.dor = append(c.dor, p.DoR)
			} else {
				c.dor = append(c.dor, math.Inf(1)) // still responding at the horizon
			}
		}
		if !math.IsNaN(r.TTP) {
			c.ttp = append(c.ttp, r.TTP)
		}
		if p.BaselineDetected {
			c.detect++
		}
		if p.BaselineTF >= 0.1 {
			c.tf10++
		}
		c.lesions = append(c.lesions, float64(p.Lesions))
		c.burden = append(c.burden, p.Burden)
		c.bestPct = append(c.bestPct, p.BestPct)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	const month = 30.4375
	c.orr = float64(c.responders) / float64(n)
	c.dorMedian = median(c.dor) / month
	at := map[float64]int{}
	for _, x := range c.ttp {
		at[x]++
	}
	most := 0
	for _, k := range at {
		most = max(most, k)
	}
	c.sumMaxShare = float64(most) / float64(max(1, len(c.ttp)))
	c.ctdnaDetect = float64(c.detect) / float64(n)
	c.tf10Share = float64(c.tf10) / float64(n)
	c.lesionsMedian = median(c.lesions)
	c.burdenMedian = median(c.burden)
	return c
}

// TestTrialCalibration: the shipped virtual patient reproduces the
// clinic's targets (testdata/trial-targets.json) on 300 patients per arm:
// ORR at 2000 mg, the phase 1 dose response (600 mg; 1150-2500 mg pooled
// over 1150, 1500, 2000 and 2500 mg), the median duration of response,
// the spread of progressions over scans, baseline ctDNA, burden and lesion
// counts. Everything else the cohort reports is a prediction. With 300
// patients the ORR's standard error is about 2.8 points, so the bands hold
// a calibrated model with room and fail a model off by ~10 points (e.g.
// patient.kill median 0.8 gives ORR ~0.55).
func TestTrialCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 5 x 300 virtual patients (about 2.5 CPU-minutes)")
	}
	data, err := os.ReadFile("testdata/trial-targets.json")
	if err != nil {
		t.Fatal(err)
	}
	var tg trialTargets
	if err := json.Unmarshal(data, &tg); err != nil {
		t.Fatal(err)
	}
	in := func(x float64, r [2]float64) bool { return x >= r[0] && x <= r[1] }
	const n = 300
	arms := map[int]cohort{}
	for _, dose := range []int{600, 1150, 1500, 2000, 2500} {
		arms[dose] = runCohort(t, "trial-rezatapopt-"+itoa(dose), n)
	}
	c := arms[2000]
	high := 0
	for _, d := range []int{1150, 1500, 2000, 2500} {
		high += arms[d].responders
	}
	phase1 := float64(high) / float64(4*n)
	t.Logf("2000 mg: ORR %.3f, median DoR %.1f months (%d responders), largest share of progressions at one scan %.2f, ctDNA detectable %.3f, TF >= 10%% %.3f, median lesions %.0f, median burden %.3g",
		c.orr, c.dorMedian, c.responders, c.sumMaxShare, c.ctdnaDetect, c.tf10Share, c.lesionsMedian, c.burdenMedian)
	t.Logf("ORR by dose: 600 %.3f, 1150 %.3f, 1500 %.3f, 2000 %.3f, 2500 %.3f; pooled 1150-2500 %.3f",
		arms[600].orr, arms[1150].orr, arms[1500].orr, arms[2000].orr, arms[2500].orr, phase1)
	if !in(c.orr, tg.ORR2000) {
		t.Errorf("ORR at 2000 mg %.3f, want %v", c.orr, tg.ORR2000)
	}
	if arms[600].orr > tg.ORR600Max {
		t.Errorf("ORR at 600 mg %.3f, want <= %v (phase 1: 0/10 at 150-600 mg)", arms[600].orr, tg.ORR600Max)
	}
	if !in(phase1, tg.ORRPhase1High) {
		t.Errorf("ORR pooled over 1150-2500 mg %.3f, want %v (phase 1: 8/31)", phase1, tg.ORRPhase1High)
	}
	if !in(c.dorMedian, tg.DoRMedianMonths) {
		t.Errorf("median duration of response %.1f months, want %v (ovarian cohort 7.6)", c.dorMedian, tg.DoRMedianMonths)
	}
	if met := c.sumMaxShare <= tg.MaxShareOneScan; slices.Contains(tg.KnownUnmet, "max_share_one_scan") {
		if met {
			t.Errorf("max_share_one_scan is met now (%.2f <= %v): remove it from known_unmet", c.sumMaxShare, tg.MaxShareOneScan)
		} else {
			t.Logf("KNOWN UNMET: %.2f of progressions at one scan, target <= %v", c.sumMaxShare, tg.MaxShareOneScan)
		}
	} else if !met {
		t.Errorf("%.2f of progressions at one scan, want <= %v", c.sumMaxShare, tg.MaxShareOneScan)
	}
	if c.ctdnaDetect < tg.CTDNADetectMin {
		t.Errorf("baseline ctDNA detectable in %.3f, want >= %v", c.ctdnaDetect, tg.CTDNADetectMin)
	}
	if !in(c.tf10Share, tg.TF10Share) {
		t.Errorf("baseline tumour fraction >= 10%% in %.3f, want %v", c.tf10Share, tg.TF10Share)
	}
	if !in(c.lesionsMedian, tg.LesionsMedian) || !in(c.burdenMedian, tg.BurdenMedian) {
		t.Errorf("median lesions %.0f and burden %.3g, want %v and %v", c.lesionsMedian, c.burdenMedian, tg.LesionsMedian, tg.BurdenMedian)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
