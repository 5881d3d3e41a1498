package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/p53evo/p53evo/analysis"
	"github.com/p53evo/p53evo/sweep"
)

// isSweepDir reports whether dir holds a sweep (its plan, sweep.json).
func isSweepDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "sweep.json"))
	return err == nil
}

// SweepPointReport is one point of `p53evo analyze SWEEPDIR --json`.
type SweepPointReport struct {
	ID     string             `json:"id"`
	Params map[string]any     `json:"params"` // varied scenario path -> value: a number, or the text as given when some point's value is not one
	Arm    analysis.ArmReport `json:"arm"`
}

// SweepReport is `p53evo analyze SWEEPDIR --json`: one arm report per
// complete point, with the point's varied parameters.
type SweepReport struct {
	Sweep      string             `json:"sweep"`
	Endpoint   analysis.Endpoint  `json:"endpoint"`
	TauDays    float64            `json:"tau_days"` // RMST horizon shared by every point
	Columns    []string           `json:"columns"`  // the varied paths, in plan order
	Points     []SweepPointReport `json:"points"`
	Incomplete []string           `json:"incomplete"` // ids of points with missing units
}

// analyzeSweep analyses every point of a sweep as one arm and prints one row
// per point: a 500-point sweep gives a table, not 500 reports. The RMST
// horizon is shared: the option, or the shortest maximum follow-up among
// the points.
func analyzeSweep(dir string, e analysis.Endpoint, tau float64, asJSON bool, w io.Writer) error {
	s, err := sweep.Open(dir)
	if err != nil {
		return usageError{err}
	}
	rep := SweepReport{Sweep: s.Name(), Endpoint: e, Columns: s.Columns(), Incomplete: []string{}}
	var arms []analysis.ArmData
	var infos []sweep.PointInfo
	for _, p := range s.Points() {
		if !s.Complete(p.ID) {
			rep.Incomplete = append(rep.Incomplete, p.ID)
			continue
		}
		ds, err := s.Datasets(p.ID)
		if err != nil {
			return err
		}
		arm := analysis.ArmData{Name: p.ID, Source: sweep.PointDir(dir, p.ID)}
		for _, d := range ds {
			a, err := analysis.LoadArm(d, p.ID)
			if err != nil {
				return err
			}
			arm.Runs = append(arm.Runs, a.Runs...)
			arm.Scenario = a.Scenario
			if a.FirstCtDNACall != nil {
				arm.FirstCtDNACall = append(arm.FirstCtDNACall, a.FirstCtDNACall...)
			}
		}
		arms = append(arms, arm)
		infos = append(infos, p)
	}
	if len(arms) == 0 {
		return failure{fmt.Sprintf("%s: no complete point yet (%d incomplete); run or resume the sweep first", dir, len(rep.Incomplete))}
	}
	if !(tau > 0) {
		tau = math.Inf(1)
		for _, a := range arms {
			last := 0.0
			for _, r := range a.Runs {
				last = max(last, r.EndTime)
			}
			tau = min(tau, last)
		}
	}
	rep.TauDays = tau
	numeric := numericParams(s.Points())
	for i, a := range arms {
		r, err := analysis.Analyze([]analysis.ArmData{a}, analysis.AnalyzeOptions{Endpoint: e, TauDays: tau})
		if err != nil {
			return err
		}
		pr := SweepPointReport{ID: a.Name, Params: map[string]any{}, Arm: r.Arms[0]}
		for c, p := range infos[i].Params {
			if numeric[c] {
				pr.Params[p.Path] = p.Num
			} else {
				pr.Params[p.Path] = p.Value
			}
		}
		rep.Points = append(rep.Points, pr)
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(w, "sweep %s: %d points, endpoint %s (%s); times in months\n", rep.Sweep, len(rep.Points), e, e.Description())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "point")
	for _, c := range rep.Columns {
		fmt.Fprintf(tw, "\t%s", c)
	}
	fmt.Fprintf(tw, "\tn\tevents\tmedian (95%% CI)\tRMST to %.1f\tS(12 mo)\tdriven by ta-loss\n", tau/analysis.DaysPerMonth)
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
		fmt.Fprintf(tw, "\t%d\t%d\t%s\t%s\t%s\t%s\n", a.Replicates, a.Events, a.MedianCI(), mo(float64(a.RMST.Days)), s12, driven)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n := len(rep.Incomplete); n > 0 {
		fmt.Fprintf(w, "%d incomplete points left out (see 'p53evo sweep status %s')\n", n, dir)
	}
	return nil
}

func mo(days float64) string {
	if math.IsNaN(days) {
		return "-"
	}
	return fmt.Sprintf("%.1f", days/analysis.DaysPerMonth)
}

// numericParams says which varied parameters are numbers at every point.
func numericParams(pts []sweep.PointInfo) []bool {
	if len(pts) == 0 {
		return nil
	}
	numeric := make([]bool, len(pts[0].Params))
	for c := range numeric {
		numeric[c] = true
		for _, p := range pts {
			if math.IsNaN(p.Params[c].Num) {
				numeric[c] = false
			}
		}
	}
	return numeric
}
