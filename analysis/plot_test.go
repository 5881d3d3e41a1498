package analysis

import (
	"bytes"
	"errors"
	"html"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/sim"
)

func muller(t *testing.T, minFreq float64) *Muller {
	t.Helper()
	_, ds := synthArms(t)
	clones, err := ds[0].Clones()
	if err != nil {
		t.Fatal(err)
	}
	traj, err := ds[0].Trajectories()
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReconstructMuller(0, clones, traj, minFreq)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReconstructMuller(t *testing.T) {
	traj := armA()[0].Trajectory
	for _, minFreq := range []float64{0, 0.01, 0.5} {
		m := muller(t, minFreq)
		// The grid holds the trajectory's times.
		for _, p := range traj {
			if !containsFloat(m.Times, p.Time) {
				t.Errorf("min-freq %v: grid lacks trajectory time %v", minFreq, p.Time)
			}
		}
		for j, tm := range m.Times {
			// Class totals are exact: the reconstruction only splits them.
			var byClass [3]float64
			for _, b := range m.Bands {
				byClass[classIndex(b.Class)] += b.Own[j]
			}
			want := interpAt(toTrajRows(traj), tm)
			for k := range byClass {
				if math.Abs(byClass[k]-want[k]) > 1e-6*math.Max(1, want[k]) {
					t.Errorf("min-freq %v, t=%v: class %s sums to %v, trajectory %v", minFreq, tm, Classes[k], byClass[k], want[k])
				}
			}
			// Bands nest in their parents and fill [0, 1].
			top := 0.0
			for i, b := range m.Bands {
				if b.Lo[j] < -1e-12 || b.Hi[j] > 1+1e-12 || b.Hi[j] < b.Lo[j]-1e-12 {
					t.Errorf("band %d at t=%v: [%v, %v]", i, tm, b.Lo[j], b.Hi[j])
				}
				if b.Parent >= 0 {
					p := m.Bands[b.Parent]
					if b.Parent >= i || b.Lo[j] < p.Lo[j]-1e-12 || b.Hi[j] > p.Hi[j]+1e-12 {
						t.Errorf("band %d (%s %s) at t=%v: [%v, %v] not inside parent %d [%v, %v]", i, b.Kind, b.Mutation, tm, b.Lo[j], b.Hi[j], b.Parent, p.Lo[j], p.Hi[j])
					}
				} else {
					top = max(top, b.Hi[j])
				}
			}
			if m.Total[j] > 0 && math.Abs(top-1) > 1e-9 {
				t.Errorf("min-freq %v, t=%v: bands reach %v, want 1", minFreq, tm, top)
			}
		}
	}
	// No merging at 0: every clone has a band; the orphan (parent 7 was
	// not recorded) hangs from the founder.
	m := muller(t, 0)
	if m.Merged != 0 {
		t.Errorf("min-freq 0 merged %d clones", m.Merged)
	}
	ids := map[int64]MullerBand{}
	for _, b := range m.Bands {
		if b.Kind == BandClone {
			ids[b.ID] = b
		}
	}
	if len(ids) != 5 || m.Bands[0].ID != 0 || m.Bands[ids[9].Parent].ID != 0 || m.Bands[ids[2].Parent].ID != 1 {
		t.Errorf("bands %v", kinds(m))
	}
	// Cells of a class without a recorded clone alive: ta-loss at -56,
	// pocket at 0.
	if !hasBand(m, BandUnrecorded, "ta-loss") || !hasBand(m, BandUnrecorded, "pocket") {
		t.Errorf("no unrecorded bands: %v", kinds(m))
	}
	// At 1%: clone 3 (200 cells, extinct) and the orphan clone 9 (about
	// 0.9%) are merged into the founder, as minor bands of their classes.
	m = muller(t, 0.01)
	if m.Merged != 2 || !hasBand(m, BandMinor, "ta-loss") || !hasBand(m, BandMinor, "pocket") {
		t.Errorf("min-freq 0.01: merged %d, bands %v", m.Merged, kinds(m))
	}
	// At 50%: only the founder and clade 1 (R175H, with its pocket child
	// merged into it as a minor band) are left.
	m = muller(t, 0.5)
	if m.Merged != 3 || !hasBand(m, BandMinor, "pocket") {
		t.Errorf("min-freq 0.5: merged %d, bands %v", m.Merged, kinds(m))
	}
	if _, err := ReconstructMuller(77, nil, toTrajRows(traj), 0.01); err == nil {
		t.Error("a replicate without trajectory rows: no error")
	}
}

func kinds(m *Muller) []string {
	var s []string
	for _, b := range m.Bands {
		s = append(s, b.Kind+":"+b.Class+":"+b.Mutation)
	}
	return s
}

func hasBand(m *Muller, kind, class string) bool {
	for _, b := range m.Bands {
		if b.Kind == kind && b.Class == class {
			return true
		}
	}
	return false
}

func containsFloat(xs []float64, x float64) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func toTrajRows(tr []sim.TrajPoint) []dataset.TrajRow {
	var out []dataset.TrajRow
	for _, p := range tr {
		out = append(out, dataset.TrajRow{Time: p.Time, Total: p.Total, Sensitive: p.Sensitive, TALoss: p.TALoss, Pocket: p.Pocket})
	}
	return out
}

func TestCloneCurve(t *testing.T) {
	c := dataset.CloneRow{BirthTime: 0, PeakSize: 1000, PeakTime: 10, ExtinctionTime: 20}
	for _, x := range []struct{ t, want float64 }{{-1, 0}, {0, 1}, {5, math.Sqrt(1000)}, {10, 1000}, {15, math.Sqrt(1000)}, {20, 0}, {25, 0}} {
		if got := cloneCurve(&c, x.t); math.Abs(got-x.want) > 1e-9*x.want {
			t.Errorf("extinct clone at %v: %v, want %v", x.t, got, x.want)
		}
	}
	c.ExtinctionTime = nan // alive: holds its peak
	if got := cloneCurve(&c, 30); got != 1000 {
		t.Errorf("alive clone after its peak: %v", got)
	}
}

// svg renders a figure as SVG text, with entities unescaped.
func svg(t *testing.T, f *Figure) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf, "svg"); err != nil {
		t.Fatal(err)
	}
	return html.UnescapeString(buf.String())
}

func wantText(t *testing.T, what, doc string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(doc, s) {
			t.Errorf("%s: no %q in the SVG", what, s)
		}
	}
}

// Every kind of plot renders, with its title, axis labels and legend.
func TestPlotsSVG(t *testing.T) {
	arms, ds := synthArms(t)
	runsA := arms[0].Runs
	traj, _ := ds[0].Trajectories()
	events, _ := ds[0].Events()
	sch, err := LoadSchedule(ds[0])
	if err != nil {
		t.Fatal(err)
	}

	km, err := PlotKM(arms, EndpointTTP)
	if err != nil {
		t.Fatal(err)
	}
	if doc := svg(t, km); !strings.Contains(doc, svgFonts) || strings.Contains(doc, "font-family:Liberation Sans;") {
		t.Error("SVG text without font fallbacks")
	}
	wantText(t, "km", svg(t, km), "Kaplan-Meier: time to progression", "log-rank p = 0.35", "arm-a", "arm-b",
		"censored", "median", "95% CI (shaded)", "time since treatment start (months)", "proportion progression-free")
	if got := km.LegendTexts(); len(got) != 5 || !strings.HasPrefix(got[0], "arm-a\nn=6, 4 events, median 8.3 mo") {
		t.Errorf("km legend %q", got)
	}
	km1, _ := PlotKM(arms[1:], EndpointFirstResistant)
	doc := svg(t, km1)
	wantText(t, "km one arm", doc, "Kaplan-Meier: time to first resistant lineage", "proportion without a resistant lineage")
	if strings.Contains(doc, "log-rank") {
		t.Error("km with one arm shows a log-rank test")
	}

	m := muller(t, 0.01)
	for _, abs := range []bool{false, true} {
		f, err := PlotMuller(m, MullerOptions{Arm: "arm-a", Absolute: abs, Phases: sch.Replicate(0), FromDays: nan, ProgressionDays: 112, Outcome: Outcome(runsA[0])})
		if err != nil {
			t.Fatal(err)
		}
		ylab := "frequency in the tumour"
		if abs {
			ylab = "tumour cells (log scale)"
		}
		wantText(t, "muller", svg(t, f), "Muller plot: arm-a", "replicate 0, progressed at 3.7 months", ylab,
			"founder (Y220C), sensitive", "ta-loss clone", "pocket clone", "merged small ta-loss clones", "rezatapopt",
			"progression", "reconstructed")
	}

	b1, err := PlotBurden(runsA, traj, events, BurdenOptions{Arm: "arm-a", Replicate: 0, Phases: sch.Replicate(0), FromDays: nan})
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, "burden one", svg(t, b1), "Tumour burden: arm-a", "replicate 0", "total cells", "ta-loss cells",
		"PR threshold (0.343 x baseline)", "PD threshold (1.728 x nadir so far)", "scan (measured burden)", "progression", "rezatapopt", "tumour cells (log scale)")
	ball, err := PlotBurden(runsA, traj, events, BurdenOptions{Arm: "arm-a", Replicate: -1, Phases: sch.Majority(traj), FromDays: nan})
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, "burden all", svg(t, ball), "median and 10-90% range of 1 replicates", "total cells, median", "10-90% of replicates", "PR threshold (0.343 x median baseline)", "scan times")
	// the same data give the same file (scan marks once came in map order):
	// several scans inside the plotted range, rendered repeatedly
	more := append([]dataset.EventRow{}, events...)
	for _, ts := range []float64{14, 28, 42, 70, 84, 98} {
		more = append(more, dataset.EventRow{Replicate: 0, Time: ts, Kind: "scan", Detail: "burden=500000 response=SD"})
	}
	first, err := PlotBurden(runsA, traj, more, BurdenOptions{Arm: "arm-a", Replicate: -1, Phases: sch.Majority(traj), FromDays: nan})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		again, err := PlotBurden(runsA, traj, more, BurdenOptions{Arm: "arm-a", Replicate: -1, Phases: sch.Majority(traj), FromDays: nan})
		if err != nil {
			t.Fatal(err)
		}
		if svg(t, again) != svg(t, first) {
			t.Fatal("burden plot of the same data differs between renderings")
		}
	}
	if _, err := PlotBurden(runsA, traj, events, BurdenOptions{Replicate: 99}); err == nil {
		t.Error("burden of a missing replicate: no error")
	}

	rows, err := LoadCtDNA(ds[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[2].Mutation != "R175H" || !rows[2].Called || rows[2].AltReads != 40 {
		t.Errorf("ctdna rows %+v", rows)
	}
	v1, err := PlotVAF(runsA, rows, VAFOptions{Arm: "arm-a", Replicate: 0, Phases: sch.Replicate(0)})
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, "vaf one", svg(t, v1), "ctDNA: arm-a", "R175H (ta-loss)", "T150I (pocket)", "called at the draw", "first ctDNA call", "progression (imaging)", "plasma variant allele fraction (log scale)")
	vall, err := PlotVAF(runsA, rows, VAFOptions{Arm: "arm-a", Replicate: -1})
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, "vaf all", svg(t, vall), "ta-loss mutations, summed VAF, median", "10-90% of replicates")
	if _, err := LoadCtDNA(ds[1]); !errors.Is(err, ErrNoCtDNATable) {
		t.Errorf("ctdna of arm B: %v, want ErrNoCtDNATable", err)
	}

	// PNG and PDF render too; Save picks the format by extension.
	dir := t.TempDir()
	for _, name := range []string{"km.png", "km.pdf", "km.SVG"} {
		if err := km.Save(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() < 1000 || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v, %v", name, fi, err)
		}
	}
	for _, bad := range []string{"km", "km.jpg", "km.png.txt"} {
		if err := km.Save(filepath.Join(dir, bad)); err == nil || !strings.Contains(err.Error(), ".png, .svg, .pdf") {
			t.Errorf("%s: error %v", bad, err)
		}
	}
}

func TestLoadSchedule(t *testing.T) {
	dir := t.TempDir()
	open := func(name, scen string, drugs []string) *dataset.Dataset {
		d, err := dataset.Open(writeDataset(t, dir, name, scen, drugs, armA()))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct {
		name, scen string
		drugs      []string
		source     string
		want0      []Phase // replicate 0
		want1      []Phase // replicate 1 (no phase events)
	}{
		// conc_<drug> columns: on while the concentration is positive.
		{"conc", scenarioA, []string{"rezatapopt"}, "concentrations", []Phase{{0, 112, "rezatapopt"}}, nil},
		// phase events, doses from the scenario; "off treatment" unshaded.
		{"events", scenarioA, nil, "phase events", []Phase{{0, 112, "rezatapopt 2000 mg"}}, nil},
		// neither: the scenario says treated (from 0 on) or untreated.
		{"untreated", "name: untreated\ntreatment: {phases: []}\n", nil, "phase events", []Phase{{0, 112, "rezatapopt"}}, nil},
	}
	for _, c := range cases {
		sch, err := LoadSchedule(open(c.name, c.scen, c.drugs))
		if err != nil {
			t.Fatal(err)
		}
		if sch.Source != c.source || !samePhases(sch.Replicate(0), c.want0) || !samePhases(sch.Replicate(1), c.want1) {
			t.Errorf("%s: source %s, replicate 0 %v, replicate 1 %v", c.name, sch.Source, sch.Replicate(0), sch.Replicate(1))
		}
	}
	// Without phase events: the scenario decides.
	bdir := t.TempDir()
	for _, c := range []struct {
		scen string
		want []Phase
	}{{scenarioB, []Phase{{0, math.Inf(1), "treatment"}}}, {"name: untreated\n", nil}} {
		d, err := dataset.Open(writeDataset(t, bdir, "b"+string(rune('0'+len(c.want))), c.scen, nil, armB()))
		if err != nil {
			t.Fatal(err)
		}
		sch, err := LoadSchedule(d)
		if err != nil {
			t.Fatal(err)
		}
		if sch.Source != "scenario" || !samePhases(sch.Replicate(3), c.want) {
			t.Errorf("%q: %s %v", c.scen, sch.Source, sch.Replicate(3))
		}
	}
}

func samePhases(a, b []Phase) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestFormatOf(t *testing.T) {
	for in, want := range map[string]string{"a.png": "png", "b/c.SVG": "svg", "x.pdf": "pdf"} {
		if got, err := FormatOf(in); got != want || err != nil {
			t.Errorf("FormatOf(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"a", "a.jpg", "a.eps"} {
		if _, err := FormatOf(in); err == nil {
			t.Errorf("FormatOf(%q): no error", in)
		}
	}
}
