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
