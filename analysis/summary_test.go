package analysis

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/dataset"
)

// TestSummaryResponders: the run summary counts best responses of PR or CR
// (not SD, PD or NE) as objective responses and prints their share.
func TestSummaryResponders(t *testing.T) {
	var runs []dataset.RunRow
	for i, br := range []string{"PR", "CR", "SD", "PD", "NE", "PR", "SD", "SD"} {
		runs = append(runs, dataset.RunRow{Replicate: i, Outcome: "progressed", TTP: float64(56 * (i + 1)), EndTime: float64(56 * (i + 1)), BestResponse: br, ResistantMajorityTime: math.NaN(), FirstResistantBirth: math.NaN()})
	}
	a, err := Summarize("arm", runs)
	if err != nil {
		t.Fatal(err)
	}
	if a.Responders != 3 {
		t.Errorf("responders %d, want 3", a.Responders)
	}
	var buf bytes.Buffer
	a.WriteText(&buf)
	if !strings.Contains(buf.String(), "objective response (best response PR or CR, RECIST 1.1): 3 (38%)") {
		t.Errorf("summary:\n%s", buf.String())
	}
}

// TestSummaryAtDetection: an arm whose replicates all ended at detection,
// before treatment (stop.at_detection), is summarised as such, without the
// response and progression lines that have nothing to read; one treated
// replicate among them brings the trial summary back.
func TestSummaryAtDetection(t *testing.T) {
	var runs []dataset.RunRow
	for i := range 4 {
		r := dataset.RunRow{Replicate: i, Outcome: "censored", TTP: math.NaN(), EndTime: 0, BestResponse: "NE", ResistantMajorityTime: math.NaN(), FirstResistantBirth: math.NaN()}
		r.Start[1] = int64(i % 2) // ta-loss cells at detection in half of them
		runs = append(runs, r)
	}
	a, err := Summarize("luria", runs)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	a.WriteText(&buf)
	out := buf.String()
	if !a.AtDetection || !strings.Contains(out, "stopped at detection, before treatment") || !strings.Contains(out, "resistance present at detection: 50% of replicates") ||
		strings.Contains(out, "objective response") || strings.Contains(out, "time to progression") {
		t.Errorf("at-detection summary (AtDetection %v):\n%s", a.AtDetection, out)
	}
	runs[2].EndTime = 56
	if a, err = Summarize("luria", runs); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	a.WriteText(&buf)
	if a.AtDetection || !strings.Contains(buf.String(), "objective response") {
		t.Errorf("with a treated replicate (AtDetection %v):\n%s", a.AtDetection, buf.String())
	}
}

// TestReportAtDetection: analyze marks an arm that stopped at detection,
// in the text and in the JSON, and not an arm that was treated.
func TestReportAtDetection(t *testing.T) {
	runs := func(end float64) []dataset.RunRow {
		var rs []dataset.RunRow
		for i := range 6 {
			outcome, ttp, best := "censored", math.NaN(), "NE"
			if end > 0 && i%2 == 0 {
				outcome, ttp, best = "progressed", end, "SD"
			}
			rs = append(rs, dataset.RunRow{Replicate: i, Outcome: outcome, TTP: ttp, EndTime: end, BestResponse: best, ResistantMajorityTime: math.NaN(), FirstResistantBirth: math.NaN()})
		}
		return rs
	}
	rep, err := Analyze([]ArmData{{Name: "luria", Runs: runs(0)}, {Name: "treated", Runs: runs(112)}}, AnalyzeOptions{Endpoint: EndpointTTP})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Arms[0].AtDetection || rep.Arms[1].AtDetection {
		t.Fatalf("at_detection: %v, %v; want true, false", rep.Arms[0].AtDetection, rep.Arms[1].AtDetection)
	}
	var buf bytes.Buffer
	if err := rep.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "arm luria: every replicate stopped at detection") || strings.Contains(out, "arm treated: every") {
		t.Errorf("report text:\n%s", out)
	}
	buf.Reset()
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"at_detection": true`) {
		t.Errorf("JSON lacks at_detection true:\n%.400s", buf.String())
	}
}
