package analysis

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// AnalyzeSweep shares one RMST horizon (the shortest maximum follow-up),
// types a parameter as a number only when it is one at every point, and
// prints each point's median as its own arm report does.
func TestAnalyzeSweep(t *testing.T) {
	arms, _ := synthArms(t)
	pts := []SweepPoint{
		{ID: "pa", Params: []SweepParam{{Path: "dose", Value: "2000", Num: 2000}, {Path: "mode", Value: "pk", Num: math.NaN()}}, Arm: arms[0]},
		{ID: "pb", Params: []SweepParam{{Path: "dose", Value: "1150", Num: 1150}, {Path: "mode", Value: "1", Num: 1}}, Arm: arms[1]},
	}
	rep, err := AnalyzeSweep("s", []string{"dose", "mode"}, pts, []string{"pc"}, AnalyzeOptions{Endpoint: EndpointTTP})
	if err != nil {
		t.Fatal(err)
	}
	tau := math.Inf(1)
	for _, a := range arms[:2] {
		last := 0.0
		for _, r := range a.Runs {
			last = max(last, r.EndTime)
		}
		tau = min(tau, last)
	}
	if rep.TauDays != tau {
		t.Errorf("tau %v, want the shortest maximum follow-up %v", rep.TauDays, tau)
	}
	if _, ok := rep.Points[0].Params["dose"].(float64); !ok {
		t.Errorf("dose %#v: want a number", rep.Points[0].Params["dose"])
	}
	if _, ok := rep.Points[1].Params["mode"].(string); !ok {
		t.Errorf("mode %#v: want the text, since one point's value is not a number", rep.Points[1].Params["mode"])
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Points {
		if !strings.Contains(b.String(), p.Arm.MedianCI()) {
			t.Errorf("point %s: median %q not in\n%s", p.ID, p.Arm.MedianCI(), b.String())
		}
	}
	if _, err := AnalyzeSweep("s", nil, nil, []string{"pc"}, AnalyzeOptions{Endpoint: EndpointTTP}); err == nil {
		t.Error("a sweep without complete points was analysed")
	}
}
