package analysis

import (
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
)

// DaysPerMonth converts days to months for display (365.25/12).
const DaysPerMonth = 30.4375

// Arm summarises one scenario run the way a trial arm is read.
type Arm struct {
	Name                          string
	Replicates                    int
	Progressed, Cured, Censored   int
	Median, MedianLow, MedianHigh float64 // time to progression, days; NaN if not reached
	// Responders counts best overall responses of PR or CR (confirmed for
	// virtual patients whose imaging confirms responses).
	Responders int
	// DrivenBy counts progressions by the most numerous class at progression
	// (ta-loss, pocket, or sensitive when no resistant class led).
	DrivenBy map[string]int
	// Preexisting is the share of replicates with resistant cells of a class
	// at treatment start, and PreexistingMean the mean number of such cells.
	Preexisting     map[string]float64
	PreexistingMean map[string]float64
	// ClonesAtProgression: distinct live resistant clones at progression
	// (median, quartiles) over progressed replicates.
	ClonesMedian, ClonesQ1, ClonesQ3 float64
	KM                               KM
	// AtDetection: every replicate ended at detection, before treatment
	// (stop.at_detection), so there is no response or progression to read.
	AtDetection bool
}

// TTPSample is the time-to-progression endpoint of an arm: an event at TTP
// for progressed replicates; otherwise censored at the end of follow-up. A
// cured replicate cannot progress, so it is censored at the latest end time
// seen in the arm (the horizon, when any replicate reached it).
func TTPSample(runs []dataset.RunRow) Sample {
	return censoredSample(runs, horizon(runs), ttpAt(runs))
}

// ttpAt is the time to progression of replicate i (NaN: none).
func ttpAt(runs []dataset.RunRow) func(i int) float64 {
	return func(i int) float64 { return runs[i].TTP }
}

// censoredSample is the right-censored sample of an endpoint whose time
// for replicate i is at(i) (NaN: the event did not happen): an event at
// that time, clamped at 0; without it, a cured replicate censored at cured
// and any other at its own end time.
func censoredSample(runs []dataset.RunRow, cured float64, at func(i int) float64) Sample {
	s := Sample{Time: make([]float64, len(runs)), Event: make([]bool, len(runs))}
	for i, r := range runs {
		switch t := at(i); {
		case !math.IsNaN(t):
			s.Time[i], s.Event[i] = max(t, 0), true
		case r.Outcome == "cured":
			s.Time[i] = cured
		default:
			s.Time[i] = r.EndTime
		}
	}
	return s
}

// Summarize computes an Arm from a run's rows.
func Summarize(name string, runs []dataset.RunRow) (_ Arm, err error) {
	defer errprefix.Wrap(&err, "analysis")
	a := Arm{Name: name, Replicates: len(runs), DrivenBy: map[string]int{}, Preexisting: map[string]float64{}, PreexistingMean: map[string]float64{}}
	if len(runs) == 0 {
		return a, fmt.Errorf("arm %s: no replicates", name)
	}
	var clones []float64
	classes := []string{"ta-loss", "pocket"}
	a.AtDetection = true
	for _, r := range runs {
		a.AtDetection = a.AtDetection && r.EndTime == 0 && r.Outcome == "censored" && r.BestResponse == "NE"
		if r.BestResponse == "PR" || r.BestResponse == "CR" {
			a.Responders++
		}
		switch {
		case r.Progressed():
			a.Progressed++
			a.DrivenBy[r.DominantClassAtProgression]++
			clones = append(clones, float64(r.ResistantClonesAtProgression))
		case r.Outcome == "cured":
			a.Cured++
		default:
			a.Censored++
		}
		for k, c := range classes {
			n := r.Start[k+1]
			if n > 0 {
				a.Preexisting[c]++
			}
			a.PreexistingMean[c] += float64(n)
		}
		if r.Start[1]+r.Start[2] > 0 {
			a.Preexisting["any"]++
		}
	}
	for k := range a.Preexisting {
		a.Preexisting[k] /= float64(len(runs))
	}
	for k := range a.PreexistingMean {
		a.PreexistingMean[k] /= float64(len(runs))
	}
	km, err := KaplanMeier(TTPSample(runs))
	if err != nil {
		return a, err
	}
	a.KM = km
	a.Median, a.MedianLow, a.MedianHigh, _ = km.Median()
	a.ClonesMedian, a.ClonesQ1, a.ClonesQ3 = math.NaN(), math.NaN(), math.NaN()
	if len(clones) > 0 {
		slices.Sort(clones)
		a.ClonesQ1, a.ClonesMedian, a.ClonesQ3 = quantile(clones, 0.25), quantile(clones, 0.5), quantile(clones, 0.75)
	}
	return a, nil
}

// quantile of sorted x by linear interpolation (R's type 7).
func quantile(x []float64, p float64) float64 {
	h := p * float64(len(x)-1)
	lo := math.Floor(h)
	if int(lo)+1 >= len(x) {
		return x[len(x)-1]
	}
	return x[int(lo)] + (h-lo)*(x[int(lo)+1]-x[int(lo)])
}

func months(d float64) string {
	if math.IsNaN(d) {
		return "not reached"
	}
	return fmt.Sprintf("%.1f", d/DaysPerMonth)
}

func pct(k, n int) string { return fmt.Sprintf("%d (%.0f%%)", k, 100*float64(k)/float64(max(n, 1))) }

// WriteText prints the arm for people.
func (a *Arm) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s: %d replicates\n", a.Name, a.Replicates)
	if a.AtDetection {
		fmt.Fprintf(w, "  every replicate stopped at detection, before treatment (stop.at_detection)\n")
		fmt.Fprintf(w, "  resistance present at detection: %.0f%% of replicates (ta-loss %.0f%%, mean %.3g cells; pocket %.0f%%, mean %.3g cells)\n",
			100*a.Preexisting["any"], 100*a.Preexisting["ta-loss"], a.PreexistingMean["ta-loss"], 100*a.Preexisting["pocket"], a.PreexistingMean["pocket"])
		return
	}
	fmt.Fprintf(w, "  progressed %s, cured %s, censored %s\n", pct(a.Progressed, a.Replicates), pct(a.Cured, a.Replicates), pct(a.Censored, a.Replicates))
	fmt.Fprintf(w, "  objective response (best response PR or CR, RECIST 1.1): %s\n", pct(a.Responders, a.Replicates))
	if math.IsNaN(a.Median) {
		fmt.Fprintf(w, "  median time to progression: not reached (Kaplan-Meier)\n")
	} else {
		missing := "not reached"
		if a.KM.EndsAtZero() {
			missing = "not estimable"
		}
		limit := func(d float64) string {
			if math.IsNaN(d) {
				return missing
			}
			return months(d)
		}
		ci := limit(a.MedianLow) + " to " + limit(a.MedianHigh)
		if math.IsNaN(a.MedianLow) && math.IsNaN(a.MedianHigh) {
			ci = missing
		}
		fmt.Fprintf(w, "  median time to progression: %s months (95%% CI %s; Kaplan-Meier, Brookmeyer-Crowley)\n", months(a.Median), ci)
	}
	if a.Progressed > 0 {
		fmt.Fprintf(w, "  progressions driven by: ta-loss %s, pocket %s, sensitive %s\n", pct(a.DrivenBy["ta-loss"], a.Progressed), pct(a.DrivenBy["pocket"], a.Progressed), pct(a.DrivenBy["sensitive"], a.Progressed))
		fmt.Fprintf(w, "  resistant clones alive at progression: median %.0f (IQR %.0f-%.0f)\n", a.ClonesMedian, a.ClonesQ1, a.ClonesQ3)
	}
	fmt.Fprintf(w, "  resistance present at treatment start: %.0f%% of replicates (ta-loss %.0f%%, mean %.3g cells; pocket %.0f%%, mean %.3g cells)\n",
		100*a.Preexisting["any"], 100*a.Preexisting["ta-loss"], a.PreexistingMean["ta-loss"], 100*a.Preexisting["pocket"], a.PreexistingMean["pocket"])
}
