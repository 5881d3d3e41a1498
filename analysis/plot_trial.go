package analysis

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
)

// Figures of a virtual trial: the waterfall of each patient's best change
// in the sum of target diameters, and the spider plot of the change over
// time. Both draw the RECIST 1.1 lines: -30% (partial response) and +20%
// (progression, here from baseline; RECIST measures it from the nadir).

// responseColors colour patients by best overall response (Okabe-Ito).
var responseColors = map[string]color.RGBA{
	"CR": {0x00, 0x9E, 0x73, 0xff},
	"PR": {0x00, 0x72, 0xB2, 0xff},
	"SD": {0xE6, 0x9F, 0x00, 0xff},
	"PD": {0xD5, 0x5E, 0x00, 0xff},
	"NE": {0x99, 0x99, 0x99, 0xff},
}

func responseColor(bor string) color.RGBA {
	if c, ok := responseColors[bor]; ok {
		return c
	}
	return responseColors["NE"]
}

// pctCap is the largest % change drawn; longer bars and lines are cut at
// it (and the figure says so).
const pctCap = 100.0

// recistLines draws the -30% and +20% lines across [x0, x1].
func recistLines(p *plot.Plot, x0, x1 float64) {
	grey := color.RGBA{0x55, 0x55, 0x55, 0xff}
	p.Add(line(plotter.XYs{{X: x0, Y: -30}, {X: x1, Y: -30}}, dashed(grey, 1)))
	p.Add(line(plotter.XYs{{X: x0, Y: 20}, {X: x1, Y: 20}}, dashed(grey, 1)))
	p.Add(line(plotter.XYs{{X: x0, Y: 0}, {X: x1, Y: 0}}, solid(color.RGBA{0x22, 0x22, 0x22, 0xff}, 0.6)))
}

// pctTicks labels a % change axis at the RECIST lines and round values.
type pctTicks struct{}

func (pctTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for _, v := range []float64{-100, -75, -50, -30, 0, 20, 50, 75, 100} {
		if v >= lo && v <= hi {
			ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
		}
	}
	return ts
}

// noPatients is the trial figures' error for an arm without virtual
// trial patients.
func noPatients(arm string) error {
	return fmt.Errorf("%s: %w", arm, ErrNoPatients)
}

// PlotWaterfall draws one bar per patient: the best (lowest) % change of
// the sum of target diameters from baseline up to the first progression,
// sorted from the largest growth to the deepest shrinkage and coloured by
// best overall response. Patients without a scan (NE) have no bar.
func PlotWaterfall(patients []dataset.PatientRow, arm string) (_ *Figure, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if len(patients) == 0 {
		return nil, noPatients(arm)
	}
	var ps []dataset.PatientRow
	count := map[string]int{}
	for _, p := range patients {
		count[p.BestResponse]++
		if !math.IsNaN(p.BestPctChange) {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("%s: no patient had a scan after baseline: nothing to draw", arm)
	}
	slices.SortStableFunc(ps, func(a, b dataset.PatientRow) int { return cmp.Compare(b.BestPctChange, a.BestPctChange) })
	f := newFigure()
	p := f.Plot
	p.X.Label.Text = "patients, sorted by best change"
	p.Y.Label.Text = "best change in sum of target diameters from baseline (%)"
	p.X.Tick.Marker = plot.ConstantTicks(nil)
	p.Y.Tick.Marker = pctTicks{}
	yMax, cut := 30.0, 0
	for i, x := range ps {
		v := x.BestPctChange
		if v > pctCap {
			v, cut = pctCap, cut+1
		}
		yMax = max(yMax, v)
		w := 0.8
		if len(ps) > 150 {
			w = 1 // thin bars: leave no gaps that alias
		}
		p.Add(rect(float64(i)+0.5-w/2, float64(i)+0.5+w/2, 0, v, responseColor(x.BestResponse)))
	}
	recistLines(p, 0, float64(len(ps)))
	p.X.Min, p.X.Max = 0, float64(len(ps))
	p.Y.Min, p.Y.Max = -100, yMax+5
	orr := count["CR"] + count["PR"]
	f.Title = "Waterfall: best change in the sum of target diameters, " + arm
	f.Subtitle = fmt.Sprintf("%d patients; ORR %d/%d (%.0f%%); dashed lines: -30%% (partial response) and +20%%", len(patients), orr, len(patients), 100*float64(orr)/float64(len(patients)))
	for _, k := range Responses {
		if count[k] > 0 {
			f.AddLegend(fmt.Sprintf("%s (%d)", k, count[k]), swatch(responseColor(k)))
		}
	}
	f.Note = "Best change up to the first progression (RECIST 1.1 on up to 5 target lesions); colour: confirmed best overall response."
	if n := len(patients) - len(ps); n > 0 {
		f.Note += fmt.Sprintf(" %d patient(s) without a scan after baseline have no bar.", n)
	}
	if cut > 0 {
		f.Note += fmt.Sprintf(" %d bar(s) above +%.0f%% are cut at it.", cut, pctCap)
	}
	return f, nil
}

// PlotSpider draws, for each patient, the % change of the sum of target
// diameters from baseline at every scan up to the first progression, in
// months since treatment start, coloured by best overall response; a
// progression on a new lesion is marked with a cross.
func PlotSpider(patients []dataset.PatientRow, scans []dataset.ScanRow, arm string) (_ *Figure, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if len(patients) == 0 {
		return nil, noPatients(arm)
	}
	byRep := map[int][]dataset.ScanRow{}
	for _, s := range scans {
		byRep[s.Replicate] = append(byRep[s.Replicate], s)
	}
	f := newFigure()
	p := f.Plot
	p.X.Tick.Marker = monthTicks{}
	p.Y.Tick.Marker = pctTicks{}
	p.X.Label.Text = "time since treatment start (months)"
	p.Y.Label.Text = "change in sum of target diameters from baseline (%)"
	count := map[string]int{}
	xMax, yMax, yMin, cut, drawn := 1.0, 30.0, -100.0, 0, 0
	var newLesion plotter.XYs
	for _, pt := range patients {
		count[pt.BestResponse]++
		xys := plotter.XYs{{X: 0, Y: 0}}
		clipped := false
		for _, s := range byRep[pt.Replicate] {
			if pt.Progressed() && s.Time > pt.ProgressionTime {
				break
			}
			v := s.PctFromBaseline
			if v > pctCap {
				v, clipped = pctCap, true
			}
			xys = append(xys, plotter.XY{X: s.Time / DaysPerMonth, Y: v})
			if s.NewLesion {
				newLesion = append(newLesion, plotter.XY{X: s.Time / DaysPerMonth, Y: v})
			}
		}
		if len(xys) < 2 {
			continue
		}
		if clipped {
			cut++
		}
		drawn++
		for _, q := range xys {
			xMax, yMax, yMin = max(xMax, q.X), max(yMax, q.Y), min(yMin, q.Y)
		}
		c := responseColor(pt.BestResponse)
		p.Add(line(xys, solid(withAlpha(c, 0.85), 1)))
	}
	if drawn == 0 {
		return nil, fmt.Errorf("%s: no patient had a scan after baseline: nothing to draw", arm)
	}
	recistLines(p, 0, xMax)
	if len(newLesion) > 0 {
		sc, _ := plotter.NewScatter(newLesion)
		sc.GlyphStyle = draw.GlyphStyle{Shape: draw.CrossGlyph{}, Radius: vg.Points(3), Color: color.RGBA{0x22, 0x22, 0x22, 0xff}}
		p.Add(sc)
		f.AddLegend("new lesion (PD)", sc)
	}
	p.X.Min, p.X.Max = 0, xMax*1.02
	p.Y.Min, p.Y.Max = yMin-5, yMax+5
	f.Title = "Spider plot: change in the sum of target diameters, " + arm
	f.Subtitle = fmt.Sprintf("%d patients, each to its first progression; dashed lines: -30%% (partial response) and +20%%", drawn)
	for _, k := range Responses {
		if count[k] > 0 {
			f.AddLegend(fmt.Sprintf("%s (%d)", k, count[k]), swatch(responseColor(k)))
		}
	}
	f.Note = "One line per patient, coloured by confirmed best overall response; scans every scenario scan interval."
	if cut > 0 {
		f.Note += fmt.Sprintf(" %d line(s) above +%.0f%% are cut at it.", cut, pctCap)
	}
	return f, nil
}
