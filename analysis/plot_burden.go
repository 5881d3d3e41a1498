package analysis

import (
	"cmp"
	"fmt"
	"image/color"
	"maps"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/model"
)

// RECIST 1.1 thresholds on the burden (model.RECISTPartial and
// model.RECISTProgression).
const (
	RECISTPartial     = model.RECISTPartial
	RECISTProgression = model.RECISTProgression
)

// BurdenOptions configures PlotBurden.
type BurdenOptions struct {
	Arm string
	// Replicate to draw; negative: all replicates, as the median and the
	// 10-90% range on a common time grid.
	Replicate int
	// Phases to shade (days): the replicate's, or for all replicates the
	// stretches where most are on treatment.
	Phases []Phase
	// FromDays starts the time axis (days); NaN: at the first record.
	FromDays float64
}

// cellFloor stands in for 0 cells on the log axis (below its bottom, 1).
const cellFloor = 0.3

var burdenSeries = []string{"total", "sensitive", "ta-loss", "pocket"}

func trajValue(r *dataset.TrajRow, series int) float64 {
	switch series {
	case 0:
		return float64(r.Total)
	case 1:
		return float64(r.Sensitive)
	case 2:
		return float64(r.TALoss)
	}
	return float64(r.Pocket)
}

// positiveRuns splits a series into runs of positive values (a log axis
// cannot show 0).
func positiveRuns(xs, ys []float64) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for i := range xs {
		if ys[i] > 0 && !math.IsNaN(ys[i]) {
			cur = append(cur, plotter.XY{X: xs[i], Y: ys[i]})
			continue
		}
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// PlotBurden draws tumour cells over time on a log axis, in total and by
// class, with the RECIST 1.1 thresholds (partial response at 0.343 x
// baseline, progression at 1.728 x nadir) and the scans marked. See
// BurdenOptions for one replicate or all.
func PlotBurden(runs []dataset.RunRow, traj []dataset.TrajRow, events []dataset.EventRow, opt BurdenOptions) (_ *Figure, err error) {
	defer errprefix.Wrap(&err, "analysis")
	f := newFigure()
	p := f.Plot
	p.Y.Tick.Marker = log10Ticks{}
	p.X.Tick.Marker = monthTicks{}
	p.X.Label.Text = "time since treatment start (months)"
	p.Y.Label.Text = "tumour cells (log scale)"
	// Phases first, so that they lie behind the curves; polygons are
	// clipped to the axes' ranges, set at the end.
	cols, order := phaseLabels(opt.Phases)
	for _, ph := range opt.Phases {
		if ph.End > ph.Start {
			p.Add(rect(ph.Start/DaysPerMonth, math.Min(ph.End, 1e7)/DaysPerMonth, -3, 30, tint(cols[ph.Label], 0.55)))
		}
	}
	var x0, x1, yHi float64
	if opt.Replicate >= 0 {
		x0, x1, yHi, err = burdenOne(f, runs, traj, events, opt)
	} else {
		x0, x1, yHi, err = burdenAll(f, runs, traj, events, opt)
	}
	if err != nil {
		return nil, err
	}
	if from := opt.FromDays / DaysPerMonth; !math.IsNaN(from) && from > x0 && from < x1 {
		x0 = from
	}
	for _, l := range order {
		for _, ph := range opt.Phases {
			if ph.Label == l && ph.End/DaysPerMonth > x0 && ph.Start/DaysPerMonth < x1 {
				f.AddLegend(l, swatch(tint(cols[l], 0.55)))
				break
			}
		}
	}
	p.X.Min, p.X.Max = x0, x1
	p.Y.Min, p.Y.Max = 0, lg(math.Max(yHi*4, 100), 1)
	return f, nil
}

func burdenOne(f *Figure, runs []dataset.RunRow, traj []dataset.TrajRow, events []dataset.EventRow, opt BurdenOptions) (x0, x1, yHi float64, err error) {
	p := f.Plot
	run, err := FindRun(runs, opt.Replicate)
	if err != nil {
		return 0, 0, 0, err
	}
	var tr []dataset.TrajRow
	for _, r := range traj {
		if r.Replicate == opt.Replicate {
			tr = append(tr, r)
		}
	}
	if len(tr) == 0 {
		return 0, 0, 0, fmt.Errorf("replicate %d has no trajectory rows", opt.Replicate)
	}
	slices.SortStableFunc(tr, func(a, b dataset.TrajRow) int { return cmp.Compare(a.Time, b.Time) })
	xs := make([]float64, len(tr))
	for i := range tr {
		xs[i] = tr[i].Time / DaysPerMonth
	}
	x0, x1 = xs[0], xs[len(xs)-1]
	for k, name := range burdenSeries {
		ys := make([]float64, len(tr))
		for i := range tr {
			ys[i] = trajValue(&tr[i], k)
			yHi = max(yHi, ys[i])
		}
		addCellSeries(p, f, xs, ys, lineClass[name], k == 0, name+" cells")
	}
	// Baseline, scans, running nadir.
	baseline, scans := replicateScans(events, opt.Replicate, tr)
	addRunningThresholds(f, baseline, scans, x1)
	if len(scans) > 0 {
		sc, _ := plotter.NewScatter(lgXYs(scans, cellFloor))
		sc.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(2.6), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		f.AddLegend("scan (measured burden)", sc)
	}
	if run.Progressed() {
		pl := line(lgXYs(plotter.XYs{{X: run.TTP / DaysPerMonth, Y: 1}, {X: run.TTP / DaysPerMonth, Y: yHi * 4}}, cellFloor), dashed(color.RGBA{0xB7, 0x1C, 0x1C, 0xff}, 1.4))
		p.Add(pl)
		f.AddLegend("progression", pl)
	}
	title := "Tumour burden"
	if opt.Arm != "" {
		title += ": " + opt.Arm
	}
	f.Title, f.Subtitle = title, fmt.Sprintf("replicate %d, %s", opt.Replicate, Outcome(run))
	return x0, x1, yHi, nil
}

// replicateScans is a replicate's baseline burden (at detection, else the
// first trajectory row from t = 0) and its scans' measured burdens, in time
// order (months).
func replicateScans(events []dataset.EventRow, replicate int, tr []dataset.TrajRow) (float64, plotter.XYs) {
	baseline := math.NaN()
	var scans plotter.XYs
	for _, e := range events {
		if e.Replicate != replicate {
			continue
		}
		switch e.Kind {
		case "detection":
			baseline = detailFloat(e.Detail, "burden")
		case "scan":
			if b := detailFloat(e.Detail, "burden"); b > 0 {
				scans = append(scans, plotter.XY{X: e.Time / DaysPerMonth, Y: b})
			}
		}
	}
	if math.IsNaN(baseline) {
		for i := range tr {
			if tr[i].Time >= 0 {
				baseline = float64(tr[i].Total)
				break
			}
		}
	}
	slices.SortStableFunc(scans, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
	return baseline, scans
}

// addRunningThresholds draws the PR threshold from the baseline and the PD
// threshold from the nadir so far, up to x1 months.
func addRunningThresholds(f *Figure, baseline float64, scans plotter.XYs, x1 float64) {
	p := f.Plot
	if baseline > 0 && x1 > 0 {
		pr := line(lgXYs(plotter.XYs{{X: 0, Y: RECISTPartial * baseline}, {X: x1, Y: RECISTPartial * baseline}}, cellFloor), dashed(color.RGBA{0x2E, 0x7D, 0x32, 0xff}, 1.2))
		p.Add(pr)
		f.AddLegend("PR threshold (0.343 x baseline)", pr)
		nadir := baseline
		pd := plotter.XYs{{X: 0, Y: RECISTProgression * nadir}}
		for _, s := range scans {
			nadir = math.Min(nadir, s.Y)
			pd = append(pd, plotter.XY{X: s.X, Y: RECISTProgression * nadir})
		}
		pd = append(pd, plotter.XY{X: x1, Y: RECISTProgression * nadir})
		pdl := line(lgXYs(pd, cellFloor), dashed(color.RGBA{0x6A, 0x1B, 0x9A, 0xff}, 1.2))
		pdl.StepStyle = plotter.PostStep
		p.Add(pdl)
		f.AddLegend("PD threshold (1.728 x nadir so far)", pdl)
	}
}

// commonGrid is the grid on which replicates are compared: during treatment
// the union of their record times (they share the record grid), before
// treatment a regular grid back from 0 with the growth phase's spacing.
func commonGrid(byRep map[int][]dataset.TrajRow) []float64 {
	var pos []float64
	step, lo := math.Inf(1), 0.0
	for _, tr := range byRep {
		for i, r := range tr {
			if r.Time >= 0 {
				pos = append(pos, r.Time)
			} else {
				lo = math.Min(lo, r.Time)
				if i+1 < len(tr) && tr[i+1].Time < 0 {
					step = math.Min(step, tr[i+1].Time-r.Time)
				}
			}
		}
	}
	slices.Sort(pos)
	pos = slices.Compact(pos)
	var grid []float64
	if lo < 0 && step > 0 && !math.IsInf(step, 1) {
		for t := -step * math.Floor(-lo/step); t < 0; t += step {
			grid = append(grid, t)
		}
	}
	return append(grid, pos...)
}

// interpSeries evaluates series k of a sorted trajectory at t, log-linearly
// between records; NaN outside the record.
func interpSeries(tr []dataset.TrajRow, k int, t float64) float64 {
	if len(tr) == 0 || t < tr[0].Time || t > tr[len(tr)-1].Time {
		return math.NaN()
	}
	i, found := slices.BinarySearchFunc(tr, t, func(r dataset.TrajRow, t float64) int { return cmp.Compare(r.Time, t) })
	if found {
		return trajValue(&tr[i], k)
	}
	a, b := trajValue(&tr[i-1], k), trajValue(&tr[i], k)
	w := (t - tr[i-1].Time) / (tr[i].Time - tr[i-1].Time)
	if a > 0 && b > 0 {
		return math.Exp(math.Log(a) + w*(math.Log(b)-math.Log(a)))
	}
	return a + w*(b-a)
}

func burdenAll(f *Figure, runs []dataset.RunRow, traj []dataset.TrajRow, events []dataset.EventRow, opt BurdenOptions) (x0, x1, yHi float64, err error) {
	byRep := map[int][]dataset.TrajRow{}
	for _, r := range traj {
		byRep[r.Replicate] = append(byRep[r.Replicate], r)
	}
	if len(byRep) == 0 {
		return 0, 0, 0, fmt.Errorf("the dataset has no trajectory rows")
	}
	for _, tr := range byRep {
		slices.SortStableFunc(tr, func(a, b dataset.TrajRow) int { return cmp.Compare(a.Time, b.Time) })
	}
	grid := commonGrid(byRep)
	n := len(byRep)
	need := min(n, max(3, (n+9)/10))
	xs := make([]float64, len(grid))
	for j, t := range grid {
		xs[j] = t / DaysPerMonth
	}
	x0, x1, yHi = addBurdenQuantiles(f, byRep, grid, xs, need)
	f.AddLegend("10-90% of replicates", swatch(withAlpha(color.RGBA{0x55, 0x55, 0x55, 0xff}, 0.25)))
	if math.IsInf(x0, 1) {
		return 0, 0, 0, fmt.Errorf("too few replicates to summarise")
	}
	addBurdenMarks(f, runs, events, x0, x1, yHi)
	title := "Tumour burden"
	if opt.Arm != "" {
		title += ": " + opt.Arm
	}
	f.Title, f.Subtitle = title, fmt.Sprintf("median and 10-90%% range of %d replicates (curves end when fewer than %d remain)", n, need)
	return x0, x1, yHi, nil
}

// addBurdenQuantiles draws, for each series, the median over replicates
// on the grid (xs in months) and the 10-90% band, where at least need
// replicates are followed; it returns the span drawn and the highest 90%
// quantile (x0 is +Inf when nothing was drawn).
func addBurdenQuantiles(f *Figure, byRep map[int][]dataset.TrajRow, grid, xs []float64, need int) (x0, x1, yHi float64) {
	p := f.Plot
	n := len(byRep)
	x0, x1 = math.Inf(1), math.Inf(-1)
	vals := make([]float64, 0, n)
	for k, name := range burdenSeries {
		med := make([]float64, len(grid))
		q10 := make([]float64, len(grid))
		q90 := make([]float64, len(grid))
		for j, t := range grid {
			vals = vals[:0]
			for _, tr := range byRep {
				if v := interpSeries(tr, k, t); !math.IsNaN(v) {
					vals = append(vals, v)
				}
			}
			if len(vals) < need {
				med[j], q10[j], q90[j] = math.NaN(), math.NaN(), math.NaN()
				continue
			}
			slices.Sort(vals)
			med[j], q10[j], q90[j] = quantile(vals, 0.5), quantile(vals, 0.1), quantile(vals, 0.9)
			yHi = max(yHi, q90[j])
			if k == 0 {
				x0, x1 = min(x0, xs[j]), max(x1, xs[j])
			}
		}
		col := lineClass[name]
		// Band: where the 90% quantile is positive; the 10% one may be 0,
		// which is drawn at the bottom edge.
		for _, seg := range positiveRuns(xs, q90) {
			ring := slices.Clone(seg)
			for i := len(seg) - 1; i >= 0; i-- {
				j, _ := slices.BinarySearch(xs, seg[i].X)
				ring = append(ring, plotter.XY{X: seg[i].X, Y: q10[j]})
			}
			pg, _ := plotter.NewPolygon(lgXYs(ring, cellFloor))
			pg.Color = withAlpha(col, 0.16)
			pg.LineStyle.Width = 0
			p.Add(pg)
		}
		addCellSeries(p, f, xs, med, col, k == 0, name+" cells, median")
	}
	return x0, x1, yHi
}

// addBurdenMarks draws the RECIST thresholds from the median baseline and
// nadir, and the scan times, over [x0, x1] months.
func addBurdenMarks(f *Figure, runs []dataset.RunRow, events []dataset.EventRow, x0, x1, yHi float64) {
	p := f.Plot
	var base, nadirs []float64
	scanAt := map[float64]bool{}
	for _, e := range events {
		switch e.Kind {
		case "detection":
			if b := detailFloat(e.Detail, "burden"); b > 0 {
				base = append(base, b)
			}
		case "scan":
			scanAt[e.Time] = true
		}
	}
	for _, r := range runs {
		if r.Nadir > 0 {
			nadirs = append(nadirs, float64(r.Nadir))
		}
	}
	// threshold draws a dashed line at mult x the median of vals
	threshold := func(vals []float64, mult float64, c color.RGBA, label string) {
		if len(vals) == 0 || !(x1 > 0) {
			return
		}
		slices.Sort(vals)
		y := mult * quantile(vals, 0.5)
		l := line(lgXYs(plotter.XYs{{X: 0, Y: y}, {X: x1, Y: y}}, cellFloor), dashed(c, 1.2))
		p.Add(l)
		f.AddLegend(label, l)
	}
	threshold(base, RECISTPartial, color.RGBA{0x2E, 0x7D, 0x32, 0xff}, "PR threshold (0.343 x median baseline)")
	threshold(nadirs, RECISTProgression, color.RGBA{0x6A, 0x1B, 0x9A, 0xff}, "PD threshold (1.728 x median nadir)")
	if len(scanAt) > 0 {
		sty := draw.LineStyle{Color: color.RGBA{0x90, 0x90, 0x90, 0xff}, Width: vg.Points(0.5), Dashes: []vg.Length{vg.Points(1), vg.Points(2)}}
		// in time order, so that the same data give the same file
		for _, t := range slices.Sorted(maps.Keys(scanAt)) {
			if x := t / DaysPerMonth; x >= x0 && x <= x1 {
				p.Add(line(lgXYs(plotter.XYs{{X: x, Y: 1}, {X: x, Y: yHi * 4}}, cellFloor), sty))
			}
		}
		f.AddLegend("scan times", line(plotter.XYs{{}, {X: 1}}, sty))
	}
}

// addCellSeries draws a cell-count series on the log-10 axis, broken where
// it is not positive, thicker for the total, with a legend entry when
// anything was drawn.
func addCellSeries(p *plot.Plot, f *Figure, xs, ys []float64, col color.Color, total bool, legend string) {
	sty := solid(col, 1.6)
	if total {
		sty.Width = vg.Points(2.2)
	}
	segs := positiveRuns(xs, ys)
	for _, s := range segs {
		p.Add(line(lgXYs(s, cellFloor), sty))
	}
	if len(segs) > 0 {
		f.AddLegend(legend, line(plotter.XYs{{}, {X: 1}}, sty))
	}
}
