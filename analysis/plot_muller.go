package analysis

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/p53evo/p53evo/internal/errprefix"
)

// MullerOptions configures PlotMuller.
type MullerOptions struct {
	Arm      string  // arm name for the title
	Absolute bool    // cell counts on a log axis instead of frequencies
	Phases   []Phase // treatment phases to shade (days)
	// FromDays starts the time axis (days since treatment start); NaN:
	// automatic, a fifth of the shown span before the earlier of the
	// treatment start and the time subclones first make up 1% of the tumour.
	FromDays float64
	// ProgressionDays marks progression with a vertical line (NaN: none).
	ProgressionDays float64
	// Outcome is a short description of the replicate's course for the
	// subtitle, e.g. "progressed at 14.7 months" ("" to omit).
	Outcome string
}

// PlotMuller draws a Muller (fish) plot of a reconstructed replicate:
// every band a clone, nested inside its parent's band, coloured by class
// (sensitive grey-blue, ta-loss red, pocket orange; merged clones and
// unrecorded cells in lighter tints). Treatment phases are shaded in a strip
// above the bands. With Absolute the envelope is the total cell count on a
// log axis and each band takes the share of the log height given by its
// frequency.
func PlotMuller(m *Muller, opt MullerOptions) (_ *Figure, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if m == nil || len(m.Times) == 0 {
		return nil, fmt.Errorf("analysis: empty Muller layout")
	}
	f := newFigure()
	p := f.Plot
	xs := make([]float64, len(m.Times))
	for j, t := range m.Times {
		xs[j] = t / DaysPerMonth
	}
	maxTot := math.Max(peakOf(m.Total), 10)
	y := func(j int, u float64) float64 { return u }
	if opt.Absolute {
		y = func(j int, u float64) float64 {
			if m.Total[j] <= 1 {
				return 0
			}
			return u * math.Log10(m.Total[j])
		}
	}
	present, err := addMullerBands(p, m, xs, y)
	if err != nil {
		return nil, err
	}
	addMullerLegend(f, present)

	x0, x1 := xs[0], xs[len(xs)-1]
	if from := opt.FromDays / DaysPerMonth; !math.IsNaN(from) {
		if from > x0 && from < x1 {
			x0 = from
		}
	} else {
		x0 = autoStart(m, xs)
	}
	// Treatment strip above the bands.
	stripLo, stripHi, yMin, yMax := 1.02, 1.07, 0.0, 1.075
	if opt.Absolute {
		stripLo, stripHi, yMin, yMax = lg(maxTot*1.8, 1), lg(maxTot*5, 1), 0, lg(maxTot*5.5, 1)
	}
	addPhases(f, opt.Phases, x0, x1, stripLo, stripHi)
	if x0 < 0 && x1 > 0 {
		p.Add(line(plotter.XYs{{X: 0, Y: yMin}, {X: 0, Y: stripHi}}, dashed(color.Black, 0.8)))
		f.AddLegend("treatment start (t = 0)", line(plotter.XYs{{}, {X: 1}}, dashed(color.Black, 0.8)))
	}

	if t := opt.ProgressionDays / DaysPerMonth; t >= x0 && t <= x1 {
		pl := line(plotter.XYs{{X: t, Y: yMin}, {X: t, Y: stripHi}}, dashed(color.RGBA{0x33, 0x33, 0x33, 0xff}, 1.2))
		pl.LineStyle.Dashes = []vg.Length{vg.Points(1.5), vg.Points(2)}
		p.Add(pl)
		f.AddLegend("progression", pl)
	}
	title := "Muller plot"
	if opt.Arm != "" {
		title += ": " + opt.Arm
	}
	sub := fmt.Sprintf("replicate %d", m.Replicate)
	if opt.Outcome != "" {
		sub += ", " + opt.Outcome
	}
	f.Title, f.Subtitle = title, sub
	f.Note = fmt.Sprintf("Clone curves are reconstructed from each clone's birth, peak and extinction records and rescaled to the class totals of the trajectory; they are approximate. Clades below %g%% of the tumour are merged into their parent (%d clones). Bands nest inside their parent's band.", 100*m.MinFreq, m.Merged)
	p.X.Label.Text = "time since treatment start (months)"
	p.X.Tick.Marker = monthTicks{}
	p.X.Min, p.X.Max = x0, x1
	p.Y.Min, p.Y.Max = yMin, yMax
	if opt.Absolute {
		p.Y.Label.Text = "tumour cells (log scale)"
		f.Note += " Log axis: the upper edge is the total cell count; the bands split its height in proportion to their frequencies."
		p.Y.Tick.Marker = log10Ticks{}
	} else {
		p.Y.Label.Text = "frequency in the tumour"
		p.Y.Tick.Marker = plot.ConstantTicks{{Value: 0, Label: "0"}, {Value: 0.25, Label: "0.25"}, {Value: 0.5, Label: "0.5"}, {Value: 0.75, Label: "0.75"}, {Value: 1, Label: "1"}}
	}
	return f, nil
}

// addMullerBands draws each band with a peak above 0 as a polygon between
// its lower and upper edges (y maps a grid index and a frequency to the
// plot's y), coloured by kind and class; it returns the (kind, class) pairs
// present enough to be listed in the legend.
func addMullerBands(p *plot.Plot, m *Muller, xs []float64, y func(j int, u float64) float64) (map[[2]string]bool, error) {
	shade := map[string]int{}
	present := map[[2]string]bool{}
	for i := range m.Bands {
		b := &m.Bands[i]
		if b.PeakFreq <= 0 {
			continue
		}
		var col color.RGBA
		key := [2]string{b.Kind, b.Class}
		switch {
		case b.Kind == BandMinor:
			col = tint(classColor(b.Class, 0), 0.45)
		case b.Kind == BandUnrecorded:
			col = tint(classColor(b.Class, 0), 0.7)
		case b.Parent < 0:
			col = classColor(b.Class, 0)
			key[0] = "root"
		default:
			k := shade[b.Class]
			if b.Class == "sensitive" {
				k++ // the founder has the base shade
			}
			col = classColor(b.Class, k)
			shade[b.Class]++
		}
		if b.PeakFreq >= 0.002 {
			present[key] = true
		}
		ring := make(plotter.XYs, 0, 2*len(xs))
		for j := range xs {
			ring = append(ring, plotter.XY{X: xs[j], Y: y(j, b.Hi[j])})
		}
		for j := len(xs) - 1; j >= 0; j-- {
			ring = append(ring, plotter.XY{X: xs[j], Y: y(j, b.Lo[j])})
		}
		pg, err := plotter.NewPolygon(ring)
		if err != nil {
			return nil, err
		}
		pg.Color = col
		pg.LineStyle.Width = 0
		p.Add(pg)
	}
	return present, nil
}

// addMullerLegend lists one entry per kind of band present.
func addMullerLegend(f *Figure, present map[[2]string]bool) {
	legend := []struct {
		kind, class, text string
		col               color.RGBA
	}{
		{"root", "sensitive", "founder (Y220C), sensitive", classColor("sensitive", 0)},
		{BandClone, "sensitive", "sensitive subclone", classColor("sensitive", 1)},
		{"root", "ta-loss", "founder, ta-loss", classColor("ta-loss", 0)},
		{BandClone, "ta-loss", "ta-loss clone (shades: clones)", classColor("ta-loss", 0)},
		{"root", "pocket", "founder, pocket", classColor("pocket", 0)},
		{BandClone, "pocket", "pocket clone (shades: clones)", classColor("pocket", 0)},
		{BandMinor, "sensitive", "merged small sensitive clones", tint(classColor("sensitive", 0), 0.45)},
		{BandMinor, "ta-loss", "merged small ta-loss clones", tint(classColor("ta-loss", 0), 0.45)},
		{BandMinor, "pocket", "merged small pocket clones", tint(classColor("pocket", 0), 0.45)},
		{BandUnrecorded, "sensitive", "unrecorded sensitive cells", tint(classColor("sensitive", 0), 0.7)},
		{BandUnrecorded, "ta-loss", "unrecorded ta-loss cells", tint(classColor("ta-loss", 0), 0.7)},
		{BandUnrecorded, "pocket", "unrecorded pocket cells", tint(classColor("pocket", 0), 0.7)},
	}
	for _, e := range legend {
		if present[[2]string{e.kind, e.class}] {
			f.AddLegend(e.text, swatch(e.col))
		}
	}
}

// autoStart is the automatic start of the time axis, in months (see
// MullerOptions.FromDays).
func autoStart(m *Muller, xs []float64) float64 {
	first := 0.0
	for j := range xs {
		sub := 0.0
		for i := range m.Bands {
			if m.Bands[i].Parent < 0 {
				sub += m.Bands[i].Clade[j] - m.Bands[i].Own[j]
			}
		}
		if m.Total[j] > 0 && sub/m.Total[j] >= 0.01 {
			first = xs[j]
			break
		}
	}
	first = math.Min(first, 0)
	end := xs[len(xs)-1]
	return math.Max(xs[0], first-0.25*(end-first))
}

// addPhases shades every treatment phase between y0 and y1 (data
// coordinates), within [x0, x1] months, and adds one legend entry per
// distinct label.
func addPhases(f *Figure, phases []Phase, x0, x1, y0, y1 float64) {
	cols, order := phaseLabels(phases)
	drawn := map[string]bool{}
	for _, ph := range phases {
		a, b := math.Max(ph.Start/DaysPerMonth, x0), math.Min(ph.End/DaysPerMonth, x1)
		if !(b > a) {
			continue
		}
		f.Plot.Add(rect(a, b, y0, y1, cols[ph.Label]))
		drawn[ph.Label] = true
	}
	for _, l := range order {
		if drawn[l] {
			f.AddLegend(l, swatch(cols[l]))
		}
	}
}
