package analysis

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
)

// tableCtDNA is the ctdna table's name (one row per resistance mutation
// seen at a blood draw), in datasets that have it.
const tableCtDNA = "ctdna"

// ErrNoCtDNATable says that a dataset has no ctDNA rows to plot.
var ErrNoCtDNATable = errors.New("no ctDNA rows to plot")

// VAFRow is one mutation seen at one blood draw.
type VAFRow struct {
	Replicate int
	Time      float64 // days
	Mutation  string
	Class     string  // ta-loss or pocket
	TrueVAF   float64 // variant allele fraction in plasma
	AltReads  int64
	Depth     int64
	Called    bool
}

// LoadCtDNA reads the ctdna table. It fails with ErrNoCtDNATable when the
// dataset has none or the table is empty.
func LoadCtDNA(d *dataset.Dataset) (_ []VAFRow, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if len(d.Files(tableCtDNA)) == 0 {
		return nil, fmt.Errorf("%s: %w: the dataset has no ctdna table (written by p53evo before dataset schema 2)", d.Dir(), ErrNoCtDNATable)
	}
	if tableRows(d.Manifest(), tableCtDNA) == 0 {
		if sc := manifestScenario(d.Manifest()); sc.drawsKnown && !sc.draws {
			return nil, fmt.Errorf("%s: %w: its scenario takes no blood draws (observe.ctdna.every is 0)", d.Dir(), ErrNoCtDNATable)
		}
		return nil, fmt.Errorf("%s: %w: the ctdna table is empty: no draw saw a resistance mutation with alt reads or a true VAF of at least observe.ctdna.record_min_vaf (at the default shedding resistant lineages are too small to show in plasma; raise observe.ctdna.shed or follow up longer)", d.Dir(), ErrNoCtDNATable)
	}
	ct, err := d.CTDNA()
	if err != nil {
		return nil, err
	}
	rows := make([]VAFRow, len(ct))
	for i, r := range ct {
		rows[i] = VAFRow{Replicate: r.Replicate, Time: r.Time, Mutation: r.Mutation, Class: r.Class, TrueVAF: r.TrueVAF, AltReads: r.AltReads, Depth: r.Depth, Called: r.Called}
	}
	return rows, nil
}

// VAFOptions configures PlotVAF.
type VAFOptions struct {
	Arm       string
	Replicate int // negative: all replicates (median and 10-90% by class)
	Phases    []Phase
}

// vafFloor is the bottom of the VAF axis; smaller values (and 0) are drawn
// there.
const vafFloor = 1e-6

// PlotVAF draws ctDNA variant allele fractions over time on a log axis.
// For one replicate: the true plasma VAF of each resistance mutation (the
// eight largest by name and class, the rest in grey), called draws marked,
// with the first call and progression. For all replicates: per class, the
// summed VAF of the class's mutations at each draw time, median and 10-90%

// Colours of the dashed time markers of the VAF panels.
var (
	firstCallColour   = color.RGBA{0x00, 0x72, 0xB2, 0xff}
	progressionColour = color.RGBA{0xB7, 0x1C, 0x1C, 0xff}
)

// vafMarker draws a dashed vertical line at day t across a VAF panel (from
// the VAF floor to 1, in log10) and names it in the legend.
func (f *Figure) vafMarker(t float64, c color.Color, label string) {
	l := line(plotter.XYs{{X: t / DaysPerMonth, Y: lg(vafFloor, vafFloor)}, {X: t / DaysPerMonth, Y: 0}}, dashed(c, 1.3))
	f.Plot.Add(l)
	f.AddLegend(label, l)
}

// range.
func PlotVAF(runs []dataset.RunRow, rows []VAFRow, opt VAFOptions) (_ *Figure, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if len(rows) == 0 {
		return nil, ErrNoCtDNATable
	}
	f := newFigure()
	p := f.Plot
	cols, order := phaseLabels(opt.Phases)
	for _, ph := range opt.Phases {
		if ph.End > ph.Start {
			p.Add(rect(ph.Start/DaysPerMonth, math.Min(ph.End, 1e7)/DaysPerMonth, -10, 1, tint(cols[ph.Label], 0.75)))
		}
	}
	var x0, x1 float64
	if opt.Replicate >= 0 {
		x0, x1, err = vafOne(f, runs, rows, opt)
	} else {
		x0, x1, err = vafAll(f, runs, rows, opt)
	}
	if err != nil {
		return nil, err
	}
	for _, l := range order {
		f.AddLegend(l, swatch(tint(cols[l], 0.75)))
	}
	p.X.Label.Text = "time since treatment start (months)"
	p.Y.Label.Text = "plasma variant allele fraction (log scale)"
	p.X.Tick.Marker = monthTicks{}
	p.Y.Tick.Marker = log10Ticks{}
	p.X.Min, p.X.Max = x0, math.Max(x1, x0+1)
	// Up to the next power of ten above the data, at least 1%.
	top := 1e-2
	for _, r := range rows {
		if opt.Replicate < 0 || r.Replicate == opt.Replicate {
			top = max(top, r.TrueVAF)
		}
	}
	p.Y.Min, p.Y.Max = lg(vafFloor, vafFloor), math.Min(0, math.Ceil(math.Log10(top)))
	return f, nil
}

func vafOne(f *Figure, runs []dataset.RunRow, rows []VAFRow, opt VAFOptions) (x0, x1 float64, err error) {
	p := f.Plot
	run, err := FindRun(runs, opt.Replicate)
	if err != nil {
		return 0, 0, err
	}
	series := map[vafKey][]VAFRow{}
	peak := map[vafKey]float64{}
	x0, x1 = 0, run.EndTime/DaysPerMonth
	firstCall := math.Inf(1)
	for _, r := range rows {
		if r.Replicate != opt.Replicate {
			continue
		}
		k := vafKey{r.Mutation, r.Class}
		series[k] = append(series[k], r)
		peak[k] = max(peak[k], r.TrueVAF)
		x1 = max(x1, r.Time/DaysPerMonth)
		if r.Called {
			firstCall = min(firstCall, r.Time)
		}
	}
	if len(series) == 0 {
		return 0, 0, fmt.Errorf("replicate %d has no ctDNA rows", opt.Replicate)
	}
	keys := make([]vafKey, 0, len(series))
	for k := range series {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b vafKey) int {
		return cmp.Or(cmp.Compare(peak[b], peak[a]), cmp.Compare(a.mut, b.mut))
	})
	called := addVAFSeries(f, keys, series)
	if len(called) > 0 {
		sc, _ := plotter.NewScatter(called)
		sc.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		f.AddLegend("called at the draw", sc)
	}
	if !math.IsInf(firstCall, 1) {
		f.vafMarker(firstCall, firstCallColour, "first ctDNA call")
	}
	if run.Progressed() {
		f.vafMarker(run.TTP, progressionColour, "progression (imaging)")
	}
	title := "ctDNA"
	if opt.Arm != "" {
		title += ": " + opt.Arm
	}
	f.Title, f.Subtitle = title, fmt.Sprintf("replicate %d, %s", opt.Replicate, Outcome(run))
	return x0, x1, nil
}

// vafKey is a mutation seen in blood draws, with its class.
type vafKey struct{ mut, class string }

// addVAFSeries draws each mutation's VAF over time (keys in legend order:
// the first 8 in class shades, the others in grey under one entry) and
// returns the draws at which a mutation was called.
func addVAFSeries(f *Figure, keys []vafKey, series map[vafKey][]VAFRow) plotter.XYs {
	p := f.Plot
	shade := map[string]int{}
	var called plotter.XYs
	for i, k := range keys {
		s := series[k]
		slices.SortFunc(s, func(a, b VAFRow) int { return cmp.Compare(a.Time, b.Time) })
		xys := make(plotter.XYs, len(s))
		for j, r := range s {
			xys[j] = plotter.XY{X: r.Time / DaysPerMonth, Y: lg(r.TrueVAF, vafFloor)}
			if r.Called {
				called = append(called, xys[j])
			}
		}
		var sty draw.LineStyle
		if i < 8 {
			sty = solid(classColor(k.class, shade[k.class]), 1.5)
			shade[k.class]++
		} else {
			sty = solid(color.RGBA{0xB0, 0xB0, 0xB0, 0xff}, 0.7)
		}
		l := line(xys, sty)
		p.Add(l)
		// Every draw is marked, so that a mutation seen once shows too.
		pts, _ := plotter.NewScatter(xys)
		pts.GlyphStyle = draw.GlyphStyle{Color: sty.Color, Radius: vg.Points(2), Shape: draw.RingGlyph{}}
		p.Add(pts)
		if i < 8 {
			f.AddLegend(fmt.Sprintf("%s (%s)", k.mut, k.class), l, pts)
		} else if i == 8 {
			f.AddLegend(fmt.Sprintf("%d other mutations", len(keys)-8), l, pts)
		}
	}
	return called
}

func vafAll(f *Figure, runs []dataset.RunRow, rows []VAFRow, opt VAFOptions) (x0, x1 float64, err error) {
	p := f.Plot
	end := map[int]float64{}
	for _, r := range runs {
		end[r.Replicate] = r.EndTime
	}
	// sum[class][replicate][time]
	sum := map[string]map[int]map[float64]float64{}
	var times []float64
	for _, r := range rows {
		if sum[r.Class] == nil {
			sum[r.Class] = map[int]map[float64]float64{}
		}
		if sum[r.Class][r.Replicate] == nil {
			sum[r.Class][r.Replicate] = map[float64]float64{}
		}
		sum[r.Class][r.Replicate][r.Time] += r.TrueVAF
		times = append(times, r.Time)
	}
	slices.Sort(times)
	times = slices.Compact(times)
	n := len(runs)
	need := min(n, max(3, (n+9)/10))
	x0, x1 = 0, 0
	vals := make([]float64, 0, n)
	for _, class := range Classes[1:] {
		col := classColor(class, 0)
		var med, lo, hi plotter.XYs
		for _, t := range times {
			vals = vals[:0]
			for _, r := range runs {
				if t > end[r.Replicate] {
					continue
				}
				vals = append(vals, sum[class][r.Replicate][t])
			}
			if len(vals) < need {
				continue
			}
			slices.Sort(vals)
			x := t / DaysPerMonth
			x1 = max(x1, x)
			med = append(med, plotter.XY{X: x, Y: lg(quantile(vals, 0.5), vafFloor)})
			lo = append(lo, plotter.XY{X: x, Y: lg(quantile(vals, 0.1), vafFloor)})
			hi = append(hi, plotter.XY{X: x, Y: lg(quantile(vals, 0.9), vafFloor)})
		}
		if len(med) == 0 {
			continue
		}
		ring := slices.Clone(hi)
		for i := len(lo) - 1; i >= 0; i-- {
			ring = append(ring, lo[i])
		}
		pg, _ := plotter.NewPolygon(ring)
		pg.Color = withAlpha(col, 0.18)
		pg.LineStyle.Width = 0
		p.Add(pg)
		l := line(med, solid(col, 1.8))
		p.Add(l)
		f.AddLegend(class+" mutations, summed VAF, median", l)
	}
	f.AddLegend("10-90% of replicates", swatch(withAlpha(color.RGBA{0x55, 0x55, 0x55, 0xff}, 0.25)))
	title := "ctDNA"
	if opt.Arm != "" {
		title += ": " + opt.Arm
	}
	f.Title, f.Subtitle = title, fmt.Sprintf("summed plasma VAF by class, median and 10-90%% range of %d replicates", n)
	return x0, x1, nil
}
