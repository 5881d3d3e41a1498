package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// smallDataset writes a hand-made finished run of three replicates (one
// progressed, one cured, one censored) without ctDNA draws, named
// "hand-made", and returns its directory.
func smallDataset(t *testing.T, dir string, ttp float64) string {
	t.Helper()
	out := filepath.Join(dir, "run")
	scen, _ := json.Marshal("name: hand-made\ntreatment:\n  phases:\n    - {doses: {rezatapopt: 2000}}\nobserve: {ctdna: {every: 0}}\n")
	w, err := dataset.Create(out, dataset.Meta{Version: "test", Scenario: scen, ScenarioName: "hand-made", Seed: 1, Count: 3, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	nan := math.NaN()
	for i, c := range []struct {
		outcome  sim.Outcome
		ttp, end float64
	}{{sim.Progressed, ttp, ttp}, {sim.Cured, nan, 98}, {sim.Censored, nan, 400}} {
		r := sim.Result{
			Replicate: i, Attempts: 1, Outcome: c.outcome, GrowthDays: 100, TTP: c.ttp, EndTime: c.end,
			AtStart: [3]int64{1e6, 10, 0}, ResistantMajority: nan, FirstResistantBirth: -30,
			FinalProgression: c.ttp, FirstCTDNACall: nan, CTDNALead: nan, CalledAtProgression: [3]int{-1, -1, -1},
			DominantAtProgression: model.ClassTALoss, ResistantClonesAtProgression: 2,
			Nadir: 3e5, NadirTime: 56, BestResponse: sim.PR, ClonesBorn: 3,
			Trajectory: []sim.TrajPoint{
				{Time: -100, Total: 1, Sensitive: 1},
				{Time: 0, Total: 1e6, Sensitive: 999_990, TALoss: 10},
				{Time: 56, Total: 3e5, Sensitive: 290_000, TALoss: 10_000},
				{Time: c.end, Total: 9e5, Sensitive: 100_000, TALoss: 800_000},
			},
			Clones: []sim.CloneRecord{
				{ID: 0, Parent: -1, Mutation: "Y220C", Class: model.Sensitive, Born: -100, Peak: 999_990, PeakTime: 0, Extinct: nan},
				{ID: 1, Parent: 0, Mutation: "R175H", Genotype: "R175H", Class: model.ClassTALoss, Born: -30, Peak: 800_000, PeakTime: c.end, Extinct: nan},
			},
			Events: []sim.Event{{Time: 0, Kind: "detection", Detail: "burden=1000000"}, {Time: 56, Kind: "scan", Detail: "burden=300000 response=PR"}},
		}
		if err := w.Write(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAnalyzeAndPlotErrors(t *testing.T) {
	tmp := t.TempDir()
	ds := smallDataset(t, tmp, 112)
	sweep := filepath.Join(tmp, "sweep")
	os.MkdirAll(sweep, 0o755)
	os.WriteFile(filepath.Join(sweep, "sweep.json"), nil, 0o644)
	incomplete := filepath.Join(tmp, "incomplete")
	os.MkdirAll(incomplete, 0o755)
	os.WriteFile(filepath.Join(incomplete, ".runs.arrow.tmp"), nil, 0o644) // a killed run's leftover (an empty directory is not a dataset)
	out := filepath.Join(tmp, "x.png")
	cases := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"analyze"}, exitUsage, []string{"DIR"}},
		{[]string{"analyze", ds, "--endpoint", "bogus"}, exitUsage, []string{"--endpoint", "bogus", "ttp, resistant-majority, first-resistant, ctdna"}},
		{[]string{"analyze", ds, "--tau", "-5"}, exitUsage, []string{"--tau"}},
		{[]string{"analyze", ds, "--endpoint", "ctdna"}, exitUsage, []string{"no ctDNA draws", "its scenario takes no blood draws (observe.ctdna.every is 0)"}},
		{[]string{"analyze", filepath.Join(tmp, "nope")}, exitUsage, []string{"no such directory"}},
		{[]string{"analyze", sweep}, exitUsage, []string{"sweep"}},
		{[]string{"analyze", incomplete}, exitFailure, []string{"incomplete"}},
		{[]string{"plot", "--out", out}, exitUsage, []string{"DIR"}},
		{[]string{"plot", ds, "--kind", "pie", "--out", out}, exitUsage, []string{"--kind", "pie", "km, muller, burden, vaf"}},
		{[]string{"plot", ds}, exitUsage, []string{"--out", ".png, .svg, .pdf"}},
		{[]string{"plot", ds, "--out", filepath.Join(tmp, "x")}, exitUsage, []string{"--out", "no file extension", ".png, .svg, .pdf"}},
		{[]string{"plot", ds, "--out", filepath.Join(tmp, "x.jpg")}, exitUsage, []string{"--out", ".jpg", ".png, .svg, .pdf"}},
		{[]string{"plot", ds, "--out", out, "--endpoint", "nope"}, exitUsage, []string{"--endpoint", "ttp, resistant-majority"}},
		{[]string{"plot", ds, "--kind", "muller", "--min-freq", "2", "--out", out}, exitUsage, []string{"--min-freq"}},
		{[]string{"plot", ds, ds, "--kind", "muller", "--out", out}, exitUsage, []string{"one dataset"}},
		{[]string{"plot", ds, "--kind", "burden", "--replicate", "99", "--out", out}, exitUsage, []string{"--replicate", "99"}},
		{[]string{"plot", ds, "--kind", "vaf", "--out", out}, exitUsage, []string{"no ctDNA rows to plot", "its scenario takes no blood draws"}},
		{[]string{"plot", ds, "--kind", "km", "--endpoint", "ctdna", "--out", out}, exitUsage, []string{"no ctDNA draws"}},
	}
	for _, c := range cases {
		code, _, errs := run(t, context.Background(), c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", c.args, code, c.code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, errs, w)
			}
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed plot left its output behind")
	}
}

func TestAnalyzeAndPlot(t *testing.T) {
	a := smallDataset(t, t.TempDir(), 112)
	b := smallDataset(t, t.TempDir(), 224)
	// Both arms run the same scenario: they are named by directory, and
	// with equal base names by path.
	code, out, errs := run(t, context.Background(), "analyze", a, b, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep struct {
		Endpoint string `json:"endpoint"`
		Arms     []struct {
			Name   string `json:"name"`
			Events int    `json:"events"`
		} `json:"arms"`
		Comparison struct {
			HazardRatios []struct {
				Peto struct{ Method string } `json:"peto"`
				Cox  struct{ Method string } `json:"cox"`
			} `json:"hazard_ratios"`
		} `json:"comparison"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if rep.Endpoint != "ttp" || len(rep.Arms) != 2 || rep.Arms[0].Name != a || rep.Arms[1].Name != b || rep.Arms[0].Events != 1 {
		t.Errorf("report %+v", rep)
	}
	if h := rep.Comparison.HazardRatios; len(h) != 1 || h[0].Peto.Method != "logrank-peto" || h[0].Cox.Method != "cox-efron" {
		t.Errorf("hazard ratios %+v", h)
	}
	code, out, errs = run(t, context.Background(), "analyze", a, "--endpoint", "first-resistant")
	if code != 0 || !strings.Contains(out, "hand-made") || !strings.Contains(out, "pre-existing (event at 0)") {
		t.Errorf("text: exit %d, %s\n%s", code, errs, out)
	}
	dir := t.TempDir()
	for _, c := range [][]string{
		{"plot", a, b, "--kind", "km", "--out", filepath.Join(dir, "km.svg")},
		{"plot", a, "--kind", "muller", "--out", filepath.Join(dir, "muller.png")},
		{"plot", a, "--kind", "muller", "--absolute", "--replicate", "2", "--min-freq", "0", "--out", filepath.Join(dir, "muller.pdf")},
		{"plot", a, "--kind", "burden", "--out", filepath.Join(dir, "burden.png")},
		{"plot", a, "--kind", "burden", "-r", "0", "--from", "-2", "--out", filepath.Join(dir, "burden0.svg")},
	} {
		code, out, errs := run(t, context.Background(), c...)
		file := c[len(c)-1]
		if code != 0 || !strings.Contains(out, "wrote "+file) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c, code, out, errs)
			continue
		}
		if fi, err := os.Stat(file); err != nil || fi.Size() < 1000 {
			t.Errorf("%s: %v %v", file, fi, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "km.svg")); !strings.Contains(string(b), "Kaplan-Meier: time to progression") {
		t.Error("km.svg lacks its title")
	}
}
