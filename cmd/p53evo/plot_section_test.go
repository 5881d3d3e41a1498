package main

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlotSection: a small lattice run with snapshots draws a section PNG
// and SVG; a well-mixed dataset and bad flags are usage errors.
func TestPlotSection(t *testing.T) {
	tmp := t.TempDir()
	ds := filepath.Join(tmp, "lat")
	code, _, errs := run(t, context.Background(), "run", "-s", "rezatapopt-continuous-lattice", "-n", "2", "-q", "-o", ds,
		"--set", "detection.size=3000", "--set", "observe.snapshot={at: [treatment_start, 28, end]}")
	if code != 0 {
		t.Fatalf("run: %d %s", code, errs)
	}
	png1 := filepath.Join(tmp, "s.png")
	if code, _, errs := run(t, context.Background(), "plot", ds, "--kind", "section", "--time", "treatment_start,28", "--by", "clone", "--out", png1); code != 0 {
		t.Fatalf("plot: %d %s", code, errs)
	}
	f, err := os.Open(png1)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil || img.Bounds().Dx() < 300 {
		t.Fatalf("PNG: %v, %v", img.Bounds(), err)
	}
	svg := filepath.Join(tmp, "s.svg")
	if code, _, errs := run(t, context.Background(), "plot", ds, "--kind", "section", "--replicate", "1", "--out", svg); code != 0 {
		t.Fatalf("plot svg: %d %s", code, errs)
	}
	if b, _ := os.ReadFile(svg); !strings.Contains(string(b), "<svg") || !strings.Contains(string(b), "treatment_start, day 0") {
		t.Errorf("SVG lacks the first panel")
	}
	wm := smallDataset(t, tmp, 5)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"plot", wm, "--kind", "section", "--out", png1}, "no snapshots"},
		{[]string{"plot", ds, "--kind", "section", "--time", "progression", "--out", png1}, "no snapshot at \"progression\""},
		{[]string{"plot", ds, "--kind", "section", "--by", "genotype", "--out", png1}, "--by \"genotype\""},
		{[]string{"plot", ds, "--kind", "section", "--out", filepath.Join(tmp, "s.pdf")}, ".png or .svg"},
		{[]string{"plot", ds, "--kind", "burden", "--time", "end", "--out", png1}, "--time applies to --kind section"},
	} {
		if code, _, errs := run(t, context.Background(), c.args...); code != exitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want usage error with %q", c.args, code, errs, c.want)
		}
	}
}
