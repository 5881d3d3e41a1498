package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/p53evo/p53evo/analysis"
	"github.com/p53evo/p53evo/sweep"
)

// isSweepDir reports whether dir holds a sweep (its plan, sweep.json).
func isSweepDir(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "sweep.json"))
	return err == nil
}

// analyzeSweep analyses every point of a sweep as one arm (see
// analysis.AnalyzeSweep) and prints its table or JSON.
func analyzeSweep(dir string, e analysis.Endpoint, tau float64, asJSON bool, w io.Writer) error {
	s, err := sweep.Open(dir)
	if err != nil {
		return usageError{err}
	}
	var points []analysis.SweepPoint
	var incomplete []string
	for _, p := range s.Points() {
		if !s.Complete(p.ID) {
			incomplete = append(incomplete, p.ID)
			continue
		}
		ds, err := s.Datasets(p.ID)
		if err != nil {
			return err
		}
		pt := analysis.SweepPoint{ID: p.ID, Arm: analysis.ArmData{Name: p.ID, Source: sweep.PointDir(dir, p.ID)}}
		for _, q := range p.Params {
			pt.Params = append(pt.Params, analysis.SweepParam{Path: q.Path, Value: q.Value, Num: q.Num})
		}
		for _, d := range ds {
			a, err := analysis.LoadArm(d, p.ID)
			if err != nil {
				return err
			}
			pt.Arm.Runs = append(pt.Arm.Runs, a.Runs...)
			pt.Arm.Scenario = a.Scenario
			if a.FirstCtDNACall != nil {
				pt.Arm.FirstCtDNACall = append(pt.Arm.FirstCtDNACall, a.FirstCtDNACall...)
			}
		}
		points = append(points, pt)
	}
	if len(points) == 0 {
		return failure{fmt.Sprintf("%s: no complete point yet (%d incomplete); run or resume the sweep first", dir, len(incomplete))}
	}
	rep, err := analysis.AnalyzeSweep(s.Name(), s.Columns(), points, incomplete, analysis.AnalyzeOptions{Endpoint: e, TauDays: tau})
	if err != nil {
		return err
	}
	if asJSON {
		return rep.WriteJSON(w)
	}
	if err := rep.WriteText(w); err != nil {
		return err
	}
	if n := len(rep.Incomplete); n > 0 {
		fmt.Fprintf(w, "%d incomplete points left out (see 'p53evo sweep status %s')\n", n, dir)
	}
	return nil
}
