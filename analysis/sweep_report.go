package analysis

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/p53evo/p53evo/internal/errprefix"
)

// SweepParam is one varied parameter of a sweep point.
type SweepParam struct {
	Path  string  // scenario path, as in --set PATH=VALUE
	Value string  // as given (YAML text)
	Num   float64 // Value as a number; NaN if it is not one
}

// SweepPoint is one complete point of a sweep, read as one arm.
type SweepPoint struct {
	ID     string
	Params []SweepParam // in the sweep's column order
	Arm    ArmData
}

// SweepPointReport is one point of a sweep report.
type SweepPointReport struct {
	ID     string         `json:"id"`
	Params map[string]any `json:"params"` // varied scenario path -> value: a number, or the text as given when some point's value is not one
	Arm    ArmReport      `json:"arm"`
}

// SweepReport analyses every complete point of a sweep as one arm: one row
// per point, so that a 500-point sweep gives a table, not 500 reports.
type SweepReport struct {
	Sweep      string             `json:"sweep"`
	Endpoint   Endpoint           `json:"endpoint"`
	TauDays    float64            `json:"tau_days"` // RMST horizon shared by every point
	Columns    []string           `json:"columns"`  // the varied paths, in plan order
	Points     []SweepPointReport `json:"points"`
	Incomplete []string           `json:"incomplete"` // ids of points with missing units
}

// AnalyzeSweep reports on the points of sweep name (varied paths columns;
// incomplete lists the points left out). The RMST horizon is shared:
// opt.TauDays, or else the shortest maximum follow-up among the points.
// A parameter is reported as a number when it is one at every point.
func AnalyzeSweep(name string, columns []string, points []SweepPoint, incomplete []string, opt AnalyzeOptions) (_ *SweepReport, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if len(points) == 0 {
		return nil, fmt.Errorf("analysis: sweep %s has no complete point (%d incomplete)", name, len(incomplete))
	}
	rep := &SweepReport{Sweep: name, Endpoint: opt.Endpoint, Columns: columns, Incomplete: append([]string{}, incomplete...)}
	tau := opt.TauDays
	if !(tau > 0) {
		tau = math.Inf(1)
		for _, p := range points {
			last := 0.0
			for _, r := range p.Arm.Runs {
				last = max(last, r.EndTime)
			}
			tau = min(tau, last)
		}
	}
	rep.TauDays = tau
	numeric := make([]bool, len(columns))
	for c := range numeric {
		numeric[c] = true
		for _, p := range points {
			if c >= len(p.Params) || math.IsNaN(p.Params[c].Num) {
				numeric[c] = false
			}
		}
	}
	o := opt
	o.TauDays = tau
	for _, p := range points {
		r, err := Analyze([]ArmData{p.Arm}, o)
		if err != nil {
			return nil, err
		}
		pr := SweepPointReport{ID: p.ID, Params: map[string]any{}, Arm: r.Arms[0]}
		for c, q := range p.Params {
			if c < len(numeric) && numeric[c] {
				pr.Params[q.Path] = q.Num
			} else {
				pr.Params[q.Path] = q.Value
			}
		}
		rep.Points = append(rep.Points, pr)
	}
	return rep, nil
}

// WriteJSON writes the report as indented JSON.
func (rep *SweepReport) WriteJSON(w io.Writer) (err error) {
	defer errprefix.Wrap(&err, "analysis")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteText writes one row per point: its varied values, replicates,
// events, the median as every report prints it (ArmReport.MedianCI), the
// RMST, survival at 12 months and the share of progressions driven by
// transactivation-loss cells.
func (rep *SweepReport) WriteText(w io.Writer) (err error) {
	defer errprefix.Wrap(&err, "analysis")
	e := rep.Endpoint
	fmt.Fprintf(w, "sweep %s: %d points, endpoint %s (%s); times in months\n", rep.Sweep, len(rep.Points), e, e.Description())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "point")
	for _, c := range rep.Columns {
		fmt.Fprintf(tw, "\t%s", c)
	}
	fmt.Fprintf(tw, "\tn\tevents\tmedian (95%% CI)\tRMST to %.1f\tS(12 mo)\tdriven by ta-loss\n", rep.TauDays/DaysPerMonth)
	for _, p := range rep.Points {
		fmt.Fprint(tw, p.ID)
		for _, c := range rep.Columns {
			fmt.Fprintf(tw, "\t%v", p.Params[c])
		}
		a := p.Arm
		s12 := "-"
		for _, l := range a.Survival {
			if float64(l.Months) == 12 && !math.IsNaN(float64(l.Surv)) {
				s12 = fmt.Sprintf("%.2f", float64(l.Surv))
			}
		}
		driven := "-"
		if prog := a.ProgressionsByClass.Sensitive + a.ProgressionsByClass.TALoss + a.ProgressionsByClass.Pocket; prog > 0 {
			driven = fmt.Sprintf("%.0f%%", 100*float64(a.ProgressionsByClass.TALoss)/float64(prog))
		}
		rmst := "-"
		if d := float64(a.RMST.Days); !math.IsNaN(d) {
			rmst = fmt.Sprintf("%.1f", d/DaysPerMonth)
		}
		fmt.Fprintf(tw, "\t%d\t%d\t%s\t%s\t%s\t%s\n", a.Replicates, a.Events, a.MedianCI(), rmst, s12, driven)
	}
	return tw.Flush()
}
