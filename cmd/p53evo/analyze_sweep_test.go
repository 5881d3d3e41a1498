package main

import (
	"context"
	"encoding/json"
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
	os.WriteFile(spec, []byte(`base: rezatapopt-continuous
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
	var rep SweepReport
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range rep.Points {
		seen[p.Params["treatment.phases[0].doses.rezatapopt"]+"/"+p.Params["growth.death"]] = true
		if p.Arm.Replicates != 6 || !strings.Contains(text, p.ID) {
			t.Errorf("point %s: %d replicates, in table: %v", p.ID, p.Arm.Replicates, strings.Contains(text, p.ID))
		}
	}
	if len(seen) != 4 || rep.TauDays <= 0 {
		t.Errorf("points %v, tau %v", seen, rep.TauDays)
	}
	// a sweep is analysed alone
	if code, _, errs := run(t, context.Background(), "analyze", out, out); code != exitUsage || !strings.Contains(errs, "one sweep at a time") {
		t.Errorf("two sweeps: exit %d, %q", code, errs)
	}
}
