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
