package analysis

import (
	"bytes"
	"errors"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/p53evo/p53evo/dataset"
)

// trialRows are 24 hand-made patients with every best response, and their
// scans every 8 weeks.
func trialRows() ([]dataset.PatientRow, []dataset.ScanRow) {
	var ps []dataset.PatientRow
	var ss []dataset.ScanRow
	bors := []string{"CR", "PR", "PR", "SD", "SD", "PD", "PR", "SD"}
	for i := range 24 {
		bor := bors[i%len(bors)]
		p := dataset.PatientRow{Replicate: i, BestResponse: bor, ResponseTime: nan, ProgressionTime: nan, EndTime: 400,
			FirstCTDNACall: nan, CTDNALead: nan, BestPctChange: nan}
		depth := map[string]float64{"CR": -100, "PR": -40 - float64(i), "SD": -10 + float64(i), "PD": 25 + 10*float64(i)}[bor]
		if i == 21 {
			p.BestResponse, depth = "NE", nan // no scan
		}
		best := math.Inf(1)
		for k := 1; k <= 6 && !math.IsNaN(depth); k++ {
			v := depth * math.Min(1, float64(k)/2)
			if bor == "PD" {
				v = depth
			}
			s := dataset.ScanRow{Replicate: i, Scan: k, Time: float64(56 * k), PctFromBaseline: v, Response: bor}
			ss = append(ss, s)
			best = math.Min(best, v)
			if bor == "PD" {
				p.ProgressionTime = s.Time
				ss[len(ss)-1].NewLesion = i%2 == 1
				break
			}
		}
		if !math.IsInf(best, 1) {
			p.BestPctChange = best
		}
		ps = append(ps, p)
	}
	return ps, ss
}

// pngColours decodes a PNG and counts its pixels of each colour.
func pngColours(t *testing.T, b []byte, wantW, wantH int) map[color.RGBA]int {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if r := img.Bounds(); r.Dx() != wantW || r.Dy() != wantH {
		t.Fatalf("PNG %dx%d, want %dx%d", r.Dx(), r.Dy(), wantW, wantH)
	}
	n := map[color.RGBA]int{}
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			n[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	return n
}

// The waterfall and spider plots render to valid PNGs of the figure's size
// in which every best response present has pixels of its colour, and the
// legends count the patients by response.
func TestPlotWaterfallSpider(t *testing.T) {
	ps, ss := trialRows()
	wf, err := PlotWaterfall(ps, "arm")
	if err != nil {
		t.Fatal(err)
	}
	sp, err := PlotSpider(ps, ss, "arm")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"CR (3)", "PR (9)", "SD (9)", "PD (2)", "NE (1)"}
	if got := wf.LegendTexts(); !slices.Equal(got, want) {
		t.Errorf("waterfall legend %q, want %q", got, want)
	}
	if got := sp.LegendTexts(); !slices.Equal(got, append([]string{"new lesion (PD)"}, want...)) {
		t.Errorf("spider legend %q", got)
	}
	dir := t.TempDir()
	for name, f := range map[string]*Figure{"waterfall.png": wf, "spider.png": sp} {
		path := filepath.Join(dir, name)
		if err := f.Save(path); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		n := pngColours(t, b, 1200, 720)
		if len(n) < 50 {
			t.Errorf("%s: %d colours: a blank or trivial image", name, len(n))
		}
		white := n[color.RGBA{0xff, 0xff, 0xff, 0xff}]
		if white > 1200*720*97/100 {
			t.Errorf("%s: %d of %d pixels white", name, white, 1200*720)
		}
		// the data alone, without the legend's swatches, must show every
		// response's colour
		bare := *f
		bare.legend = nil
		var buf bytes.Buffer
		if _, err := bare.WriteTo(&buf, "png"); err != nil {
			t.Fatal(err)
		}
		n = pngColours(t, buf.Bytes(), 1200, 720)
		for _, k := range []string{"CR", "PR", "SD", "PD"} {
			// spider lines are translucent: the colour on white, or
			// stacked on itself where lines overlap
			c := responseColor(k)
			got := 0
			for px, m := range n {
				if near(px, c, 40) {
					got += m
				}
			}
			if got < 20 {
				t.Errorf("%s: %d pixels of the %s colour %v", name, got, k, c)
			}
		}
		if os.Getenv("P53EVO_KEEP_PLOTS") != "" {
			os.WriteFile(filepath.Join(os.Getenv("P53EVO_KEEP_PLOTS"), name), b, 0o644)
		}
	}
	if _, err := PlotWaterfall(nil, "none"); !errors.Is(err, ErrNoPatients) {
		t.Errorf("no patients: %v", err)
	}
}

// near reports whether a is within tol of b in every channel.
func near(a, b color.RGBA, tol int) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= tol && int(y)-int(x) <= tol }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}
