package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/p53evo/p53evo/analysis"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// analyze on a sweep directory gives one row per point with the varied
// parameters, and the same points as JSON.
func TestAnalyzeSweep(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "sw.yaml")
	os.WriteFile(spec, []byte(`base: rezatapopt-continuous-lesion
seed: 1
replicates: 6
set: {detection.size: 1e6}
axes:
  - path: "treatment.phases[0].doses.rezatapopt"
    values: [1150, 2000]
  - {path: growth.death, values: [0.12, 0.13]}
batch: 3
`), 0o644)
	out := filepath.Join(dir, "out")
	if code, _, errs := run(t, context.Background(), "sweep", "run", spec, "--out", out); code != 0 {
		t.Fatalf("sweep run: exit %d: %s", code, errs)
	}
	code, text, errs := run(t, context.Background(), "analyze", out)
	if code != 0 {
		t.Fatalf("analyze: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) != 6 || !strings.Contains(lines[1], "treatment.phases[0].doses.rezatapopt") || !strings.Contains(lines[1], "growth.death") {
		t.Fatalf("want a title, a header and 4 point rows:\n%s", text)
	}
	code, js, errs := run(t, context.Background(), "analyze", out, "--json")
	if code != 0 {
		t.Fatalf("analyze --json: exit %d: %s", code, errs)
	}
	var rep analysis.SweepReport
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range rep.Points {
		dose, okD := p.Params["treatment.phases[0].doses.rezatapopt"].(float64)
		death, okG := p.Params["growth.death"].(float64)
		if !okD || !okG {
			t.Errorf("point %s: params %#v, want numbers", p.ID, p.Params)
		}
		seen[fmt.Sprint(dose, "/", death)] = true
		if p.Arm.Replicates != 6 || !strings.Contains(text, p.ID) || !strings.HasPrefix(p.Arm.Scenario, "rezatapopt-continuous") {
			t.Errorf("point %s: %d replicates, scenario %q, in table: %v", p.ID, p.Arm.Replicates, p.Arm.Scenario, strings.Contains(text, p.ID))
		}
		// The table prints the median as the per-point report does.
		if !strings.Contains(text, p.Arm.MedianCI()) {
			t.Errorf("point %s: median %q not in the table:\n%s", p.ID, p.Arm.MedianCI(), text)
		}
		if false {
			t.Errorf("point %s: %d replicates, in table: %v", p.ID, p.Arm.Replicates, strings.Contains(text, p.ID))
		}
	}
	if len(seen) != 4 || rep.TauDays <= 0 {
		t.Errorf("points %v, tau %v", seen, rep.TauDays)
	}
	// KM curves of a sweep, or of its point directories, are named by the
	// varied values, not the point ids.
	arms, err := loadArms(context.Background(), []string{out})
	if err != nil || len(arms) != 4 {
		t.Fatalf("loadArms(sweep): %d arms, %v", len(arms), err)
	}
	if arms[0].Name != "rezatapopt=1150 death=0.12" {
		t.Errorf("arm name %q", arms[0].Name)
	}
	one, err := loadArms(context.Background(), []string{filepath.Join(out, "point="+rep.Points[3].ID)})
	if err != nil || len(one) != 1 || one[0].Name != arms[3].Name {
		t.Errorf("loadArms(point dir): %+v, %v", one, err)
	}
	png := filepath.Join(dir, "km.png")
	if code, _, errs := run(t, context.Background(), "plot", out, "--kind", "km", "--out", png); code != 0 {
		t.Errorf("plot km of a sweep: exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, context.Background(), "plot", out, "--kind", "burden", "--out", png); code != exitUsage || !strings.Contains(errs, "point=<id>") || strings.Contains(errs, "analyze and plot read run directories") {
		t.Errorf("plot burden of a sweep: exit %d: %s", code, errs)
	}
	// a sweep is analysed alone
	if code, _, errs := run(t, context.Background(), "analyze", out, out); code != exitUsage || !strings.Contains(errs, "one sweep at a time") {
		t.Errorf("two sweeps: exit %d, %q", code, errs)
	}
}
