package analysis

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/p53evo/p53evo/internal/errprefix"
)

// PlotKM draws the Kaplan-Meier curves of an endpoint for the arms: step
// curves (time in months) with censoring ticks, shaded 95% pointwise
// confidence bands (Greenwood, log-log), each median marked by dashed drop
// lines, and, for two or more arms, the log-rank test in the title.
func PlotKM(arms []ArmData, e Endpoint) (_ *Figure, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if len(arms) == 0 {
		return nil, fmt.Errorf("analysis: no arms to plot")
	}
	if e == "" {
		e = EndpointTTP
	}
	samples := make([]Sample, len(arms))
	f := newFigure()
	p := f.Plot
	tmax := 0.0
	var medians []plot3
	censored := false
	for i, a := range arms {
		s, err := EndpointSample(e, a)
		if err != nil {
			return nil, err
		}
		km, err := KaplanMeier(s)
		if err != nil {
			return nil, fmt.Errorf("arm %s: %w", a.Name, err)
		}
		samples[i] = s
		col := armColors[i%len(armColors)]
		if addKMArm(f, km, a.Name, col, &medians) {
			censored = true
		}
		if n := len(km.Steps); n > 0 {
			tmax = max(tmax, km.Steps[n-1].Time/DaysPerMonth)
		}
	}
	for _, m := range medians {
		p.Add(line(plotter.XYs{{X: 0, Y: 0.5}, {X: m.x, Y: 0.5}, {X: m.x, Y: 0}}, dashed(m.c, 1)))
	}
	if censored {
		f.AddLegend("censored", &plotter.Scatter{XYs: plotter.XYs{{}}, GlyphStyle: draw.GlyphStyle{Color: color.Black, Radius: vg.Points(3.5), Shape: tickGlyph{}}})
	}
	if len(medians) > 0 {
		f.AddLegend("median", line(plotter.XYs{{}, {X: 1}}, dashed(color.Black, 1)))
	}
	f.AddLegend("95% CI (shaded)", swatch(withAlpha(color.RGBA{0x60, 0x60, 0x60, 0xff}, 0.25)))

	sub := e.Description()
	if len(arms) >= 2 {
		lr, err := LogRankTest(samples)
		if err != nil {
			sub = "log-rank test not computed: " + err.Error()
		} else {
			sub = fmt.Sprintf("log-rank p = %s (chi2 = %.2f, df = %d)", fmtP(Num(lr.P)), lr.Chi2, lr.DF)
		}
	}
	f.Title, f.Subtitle = "Kaplan-Meier: time to "+e.Event(), sub
	kmAxes(p, e, tmax)
	return f, nil
}

// addKMArm draws one arm's curve, confidence band and censoring ticks in
// colour col, with its legend entry; the arm's median, if reached, is added
// to medians. It reports whether the arm has censored times.
func addKMArm(f *Figure, km KM, name string, col color.RGBA, medians *[]plot3) (censored bool) {
	p := f.Plot
	band := kmBand(km)
	if band != nil {
		band.Color = withAlpha(col, 0.18)
		p.Add(band)
	}
	curve := kmCurve(km)
	curve.LineStyle = solid(col, 1.8)
	p.Add(curve)
	if ticks := kmCensored(km); len(ticks) > 0 {
		censored = true
		sc, _ := plotter.NewScatter(ticks)
		sc.GlyphStyle = draw.GlyphStyle{Color: col, Radius: vg.Points(3.5), Shape: tickGlyph{}}
		p.Add(sc)
	}
	m, _, _, ok := km.Median()
	medLabel := "median not reached"
	if ok {
		mm := m / DaysPerMonth
		*medians = append(*medians, plot3{mm, col})
		medLabel = fmt.Sprintf("median %.1f mo", mm)
	}
	thumbs := []plot.Thumbnailer{curve}
	if band != nil {
		thumbs = []plot.Thumbnailer{band, curve}
	}
	f.AddLegend(fmt.Sprintf("%s\nn=%d, %d events, %s", name, km.N, km.Events, medLabel), thumbs...)
	return censored
}

// kmAxes labels the axes of a Kaplan-Meier plot up to tmax months and adds
// the grid.
func kmAxes(p *plot.Plot, e Endpoint, tmax float64) {
	p.X.Label.Text = "time since treatment start (months)"
	p.Y.Label.Text = "proportion " + e.Label()
	p.X.Min, p.X.Max = 0, math.Max(tmax*1.02, 1)
	p.Y.Min, p.Y.Max = 0, 1.02
	p.X.Tick.Marker = monthTicks{}
	var yt plot.ConstantTicks
	for k := 0; k <= 10; k++ {
		t := plot.Tick{Value: float64(k) / 10}
		if k%2 == 0 {
			t.Label = strconv.FormatFloat(t.Value, 'f', 1, 64)
		}
		yt = append(yt, t)
	}
	p.Y.Tick.Marker = yt
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.RGBA{0xE0, 0xE0, 0xE0, 0xff}
	grid.Horizontal.Color = color.RGBA{0xE0, 0xE0, 0xE0, 0xff}
	p.Add(grid)
}

type plot3 struct {
	x float64
	c color.Color
}

// kmCurve is the step curve from (0, 1) through every step, time in months.
func kmCurve(km KM) *plotter.Line {
	xys := plotter.XYs{{X: 0, Y: 1}}
	for _, st := range km.Steps {
		xys = append(xys, plotter.XY{X: st.Time / DaysPerMonth, Y: st.Surv})
	}
	l, _ := plotter.NewLine(xys)
	l.StepStyle = plotter.PostStep
	return l
}

// kmCensored returns the points where replicates were censored.
func kmCensored(km KM) plotter.XYs {
	var xys plotter.XYs
	for _, st := range km.Steps {
		if st.Censored > 0 {
			xys = append(xys, plotter.XY{X: st.Time / DaysPerMonth, Y: st.Surv})
		}
	}
	return xys
}

// kmBand is the polygon between the pointwise lower and upper limits, drawn
// as step functions; it ends where the limits become undefined (S = 0).
// nil if the band is empty.
func kmBand(km KM) *plotter.Polygon {
	up := plotter.XYs{{X: 0, Y: 1}}
	lo := plotter.XYs{{X: 0, Y: 1}}
	end := 0.0
	for _, st := range km.Steps {
		t := st.Time / DaysPerMonth
		if math.IsNaN(st.Lower) || math.IsNaN(st.Upper) {
			end = t
			break
		}
		up = append(up, plotter.XY{X: t, Y: up[len(up)-1].Y}, plotter.XY{X: t, Y: st.Upper})
		lo = append(lo, plotter.XY{X: t, Y: lo[len(lo)-1].Y}, plotter.XY{X: t, Y: st.Lower})
		end = t
	}
	up = append(up, plotter.XY{X: end, Y: up[len(up)-1].Y})
	lo = append(lo, plotter.XY{X: end, Y: lo[len(lo)-1].Y})
	ring := make(plotter.XYs, 0, len(up)+len(lo))
	ring = append(ring, up...)
	for i := len(lo) - 1; i >= 0; i-- {
		ring = append(ring, lo[i])
	}
	width := 0.0
	for i := range up {
		width = max(width, up[i].Y-lo[i].Y)
	}
	if width == 0 {
		return nil
	}
	pg, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil
	}
	pg.LineStyle.Width = 0
	return pg
}
