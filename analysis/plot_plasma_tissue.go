package analysis

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/errprefix"
)

// The plasma-tissue figure of one virtual trial patient: which resistance
// SNVs the blood draws called and when, which ones the tissue biopsies
// called, in which lesion, and the tumour fraction that sets what plasma
// can see.

// ErrNoCalls says a patient has no resistance SNV called in plasma or
// tissue: the plasma-tissue figure has nothing to show.
var ErrNoCalls = errors.New("no resistance SNV called in plasma or tissue")

// maxTissueLabels bounds the lesion labels written next to tissue calls.
const maxTissueLabels = 16

// PlotPlasmaTissue draws, for patient rep (negative: the patient with the
// most SNVs called by both plasma and tissue, then by either), the true
// plasma VAF of every resistance SNV called in plasma over the draws of
// the whole follow-up (filled dots: called), the tumour fraction of each
// draw (from the Y220C marker row), the SNVs each biopsy called (triangles
// at the biopsy's time and true tissue VAF, labelled with the lesion), the
// biopsy times, the first ctDNA call and imaging progression. A patient
// without any call is an error wrapping ErrNoCalls that names patients
// with calls.
func PlotPlasmaTissue(ps []dataset.PatientRow, ct []dataset.CTDNARow, bx []dataset.BiopsyRow, rep int, arm string) (_ *Figure, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if len(ps) == 0 {
		return nil, noPatients(arm)
	}
	plasma, tissue := PlasmaCalls(ct), TissueCalls(bx)
	if rep < 0 {
		var ok bool
		if rep, ok = busiestPatient(plasma, tissue); !ok {
			return nil, fmt.Errorf("%s: %w in any of the %d patients (the scenario may take no biopsies: patient.biopsy)", arm, ErrNoCalls, len(ps))
		}
	}
	i := slices.IndexFunc(ps, func(p dataset.PatientRow) bool { return p.Replicate == rep })
	if i < 0 {
		return nil, fmt.Errorf("%s: no patient %d (replicates %d-%d)", arm, rep, ps[0].Replicate, ps[len(ps)-1].Replicate)
	}
	pt := ps[i]
	inPlasma, inTissue := map[string]string{}, map[string]string{}
	for _, c := range plasma {
		if c.Replicate == rep {
			inPlasma[c.Mutation] = c.Class
		}
	}
	var bxCalls []dataset.BiopsyRow
	for _, b := range bx {
		if b.Replicate == rep && b.Called && isResistance(b.Class) {
			inTissue[b.Mutation] = b.Class
			bxCalls = append(bxCalls, b)
		}
	}
	if len(inPlasma)+len(inTissue) == 0 {
		return nil, fmt.Errorf("%s: patient %d: %w (%s)", arm, rep, ErrNoCalls, patientsWithCalls(plasma, tissue))
	}

	f := newFigure()
	p := f.Plot
	x1, top := pt.EndTime/DaysPerMonth, 1e-2
	// plasma: each called SNV's VAF at every draw it was seen
	series := map[vafKey][]VAFRow{}
	peak := map[vafKey]float64{}
	var tf plotter.XYs
	for _, r := range ct {
		if r.Replicate != rep {
			continue
		}
		x1 = max(x1, r.Time/DaysPerMonth)
		if r.Class == "sensitive" {
			tf = append(tf, plotter.XY{X: r.Time / DaysPerMonth, Y: lg(r.TumourFraction, vafFloor)})
			top = max(top, r.TumourFraction)
			continue
		}
		if _, ok := inPlasma[r.Mutation]; !ok {
			continue
		}
		k := vafKey{r.Mutation, r.Class}
		series[k] = append(series[k], VAFRow{Replicate: r.Replicate, Time: r.Time, Mutation: r.Mutation, Class: r.Class, TrueVAF: r.TrueVAF, Called: r.Called})
		peak[k] = max(peak[k], r.TrueVAF)
		top = max(top, r.TrueVAF)
	}
	if len(tf) > 0 {
		slices.SortFunc(tf, func(a, b plotter.XY) int { return cmp.Compare(a.X, b.X) })
		l := line(tf, dashed(color.RGBA{0x33, 0x33, 0x33, 0xff}, 1.2))
		p.Add(l)
		f.AddLegend("tumour fraction (Y220C marker)", l)
	}
	keys := make([]vafKey, 0, len(series))
	for k := range series {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b vafKey) int { return cmp.Or(cmp.Compare(peak[b], peak[a]), cmp.Compare(a.mut, b.mut)) })
	if called := addVAFSeries(f, keys, series); len(called) > 0 {
		sc, _ := plotter.NewScatter(called)
		sc.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		f.AddLegend("called in plasma at the draw", sc)
	}
	// the SNV's plasma colour, for tissue calls of the same SNV
	colour := map[string]color.RGBA{}
	shade := map[string]int{}
	for i, k := range keys {
		if i < 8 {
			colour[k.mut] = classColor(k.class, shade[k.class])
			shade[k.class]++
		}
	}

	// biopsies: the times, then each called SNV
	times := map[float64]string{}
	for _, b := range bx {
		if b.Replicate == rep {
			times[b.Time] = b.At
		}
	}
	grey := color.RGBA{0x77, 0x77, 0x77, 0xff}
	tkeys := slices.Sorted(maps.Keys(times))
	for j, t := range tkeys {
		l := line(plotter.XYs{{X: t / DaysPerMonth, Y: lg(vafFloor, vafFloor)}, {X: t / DaysPerMonth, Y: 0}}, draw.LineStyle{Color: grey, Width: vg.Points(1), Dashes: []vg.Length{vg.Points(1), vg.Points(3)}})
		p.Add(l)
		if j == 0 {
			f.AddLegend("tissue biopsy", l)
		}
	}
	slices.SortFunc(bxCalls, func(a, b dataset.BiopsyRow) int {
		return cmp.Or(cmp.Compare(a.Time, b.Time), cmp.Compare(b.TrueVAF, a.TrueVAF), cmp.Compare(a.Lesion, b.Lesion))
	})
	var labels plotter.XYLabels
	for _, b := range bxCalls {
		x, y := b.Time/DaysPerMonth, lg(b.TrueVAF, vafFloor)
		top = max(top, b.TrueVAF)
		c, ok := colour[b.Mutation]
		if !ok {
			c = tint(classColor(b.Class, 0), 0.35)
		}
		sc, _ := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
		sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(4), Shape: draw.PyramidGlyph{}}
		p.Add(sc)
		if len(labels.XYs) < maxTissueLabels {
			labels.XYs = append(labels.XYs, plotter.XY{X: x, Y: y})
			labels.Labels = append(labels.Labels, fmt.Sprintf("%s L%d", b.Mutation, b.Lesion))
		}
	}
	if len(bxCalls) > 0 {
		lb, err := plotter.NewLabels(labels)
		if err == nil {
			lb.Offset = vg.Point{X: vg.Points(5)}
			for i := range lb.TextStyle {
				lb.TextStyle[i].Font = sans(7).Font
				lb.TextStyle[i].YAlign = draw.YCenter
			}
			p.Add(lb)
		}
		th, _ := plotter.NewScatter(plotter.XYs{{}})
		th.GlyphStyle = draw.GlyphStyle{Color: grey, Radius: vg.Points(4), Shape: draw.PyramidGlyph{}}
		f.AddLegend("called in tissue (L: lesion; plasma's colour if plasma called it too)", th)
	}

	if !math.IsNaN(pt.FirstCTDNACall) {
		f.vafMarker(pt.FirstCTDNACall, firstCallColour, "first ctDNA call")
	}
	if pt.Progressed() {
		f.vafMarker(pt.ProgressionTime, progressionColour, "progression (imaging)")
	}

	shared := 0
	for m := range inPlasma {
		if _, ok := inTissue[m]; ok {
			shared++
		}
	}
	p.X.Label.Text = "time since treatment start (months)"
	p.Y.Label.Text = "variant allele fraction (log scale)"
	p.X.Tick.Marker = monthTicks{}
	p.Y.Tick.Marker = log10Ticks{}
	p.X.Min, p.X.Max = 0, math.Max(x1, 1)*1.08 // room for the labels
	p.Y.Min, p.Y.Max = lg(vafFloor, vafFloor), math.Min(0, math.Ceil(math.Log10(top)))
	f.Title = fmt.Sprintf("Resistance SNVs in plasma and tissue: %s, patient %d", arm, rep)
	f.Subtitle = fmt.Sprintf("%s, best response %s; SNVs called over follow-up: plasma %d, tissue %d (%d biopsies), both %d",
		patientOutcome(pt), pt.BestResponse, len(inPlasma), len(inTissue), len(bxKeys(bx, rep)), shared)
	if len(inTissue) > 0 && len(bxCalls) > maxTissueLabels {
		f.Note = fmt.Sprintf("%d tissue calls; the first %d labelled", len(bxCalls), maxTissueLabels)
	}
	if len(times) == 0 {
		f.Note = "no tissue biopsy in this dataset (patient.biopsy)"
	}
	return f, nil
}

func patientOutcome(p dataset.PatientRow) string {
	if p.Progressed() {
		return fmt.Sprintf("progressed at %.1f months", p.ProgressionTime/DaysPerMonth)
	}
	return fmt.Sprintf("no progression in %.1f months", p.EndTime/DaysPerMonth)
}

// bxKeys lists patient rep's biopsies (lesion and time).
func bxKeys(bx []dataset.BiopsyRow, rep int) map[[2]float64]bool {
	k := map[[2]float64]bool{}
	for _, b := range bx {
		if b.Replicate == rep {
			k[[2]float64{float64(b.Lesion), b.Time}] = true
		}
	}
	return k
}

// busiestPatient is the patient with the most SNVs called by both plasma
// and tissue, then by either; the lowest replicate on ties.
func busiestPatient(plasma, tissue []SNVCall) (int, bool) {
	type k struct {
		rep int
		mut string
	}
	bits := map[k]int{}
	for _, c := range plasma {
		bits[k{c.Replicate, c.Mutation}] |= 1
	}
	for _, c := range tissue {
		bits[k{c.Replicate, c.Mutation}] |= 2
	}
	both, either := map[int]int{}, map[int]int{}
	for key, b := range bits {
		either[key.rep]++
		if b == 3 {
			both[key.rep]++
		}
	}
	best, ok := 0, false
	for r := range either {
		if !ok || cmp.Or(cmp.Compare(both[r], both[best]), cmp.Compare(either[r], either[best]), cmp.Compare(best, r)) > 0 {
			best, ok = r, true
		}
	}
	return best, ok
}

// patientsWithCalls names a few patients with calls, for an error message.
func patientsWithCalls(plasma, tissue []SNVCall) string {
	seen := map[int]bool{}
	for _, cs := range [][]SNVCall{plasma, tissue} {
		for _, c := range cs {
			seen[c.Replicate] = true
		}
	}
	if len(seen) == 0 {
		return "no patient of the dataset has one"
	}
	reps := slices.Sorted(maps.Keys(seen))
	var s []string
	for _, r := range reps[:min(len(reps), 10)] {
		s = append(s, strconv.Itoa(r))
	}
	more := ""
	if len(reps) > 10 {
		more = ", ..."
	}
	return fmt.Sprintf("%d patients have calls: --replicate %s%s", len(reps), strings.Join(s, ", "), more)
}
