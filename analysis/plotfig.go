package analysis

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/p53evo/p53evo/internal/atomicfile"
	"github.com/p53evo/p53evo/internal/errprefix"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is a plot with a title across the whole width and its legend in
// a column to the right of the data area, so that the legend never hides
// data. Build one with PlotKM, PlotMuller, PlotBurden or PlotVAF; write it
// with Save or WriteTo.
type Figure struct {
	Plot            *plot.Plot
	Title, Subtitle string
	// Note is small print under the legend (wrapped to its width).
	Note string
	// Width and Height of the whole figure (default 8 x 4.8 inches).
	Width, Height vg.Length
	// DPI of PNG output (default 150).
	DPI    int
	legend []legendEntry
}

type legendEntry struct {
	text   string
	thumbs []plot.Thumbnailer
}

// AddLegend adds a legend entry: its text and thumbnails drawn on top of
// each other.
func (f *Figure) AddLegend(text string, thumbs ...plot.Thumbnailer) {
	f.legend = append(f.legend, legendEntry{text, thumbs})
}

// LegendTexts returns the legend's entries, in order.
func (f *Figure) LegendTexts() []string {
	out := make([]string, len(f.legend))
	for i, e := range f.legend {
		out[i] = e.text
	}
	return out
}

// Formats are the output formats Figure writes, by file extension.
var Formats = []string{"png", "svg", "pdf"}

// FormatOf returns the output format named by a file's extension.
func FormatOf(path string) (_ string, err error) {
	defer errprefix.Wrap(&err, "analysis")
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	for _, f := range Formats {
		if ext == f {
			return f, nil
		}
	}
	if ext == "" {
		return "", fmt.Errorf("%q has no file extension (allowed: .%s)", path, strings.Join(Formats, ", ."))
	}
	return "", fmt.Errorf("%q: unsupported extension .%s (allowed: .%s)", path, ext, strings.Join(Formats, ", ."))
}

// sans returns a text style in Liberation Sans. (Not bold: gonum's PDF
// backend registers fonts without their style and then fails to find a
// bold one.)
func sans(size vg.Length) text.Style {
	fnt := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	return text.Style{Color: color.Black, Font: fnt, Handler: plot.DefaultTextHandler, XAlign: draw.XLeft, YAlign: draw.YTop}
}

func newFigure() *Figure {
	p := plot.New()
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(11).Font
		a.Tick.Label.Font = sans(9).Font
	}
	return &Figure{Plot: p, Width: 8 * vg.Inch, Height: 4.8 * vg.Inch, DPI: 150}
}

// Draw draws the figure on c: the title and subtitle on top, the plot on
// the left, the legend and the note in a column on the right.
func (f *Figure) Draw(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	pad := vg.Points(8)
	W := c.Size().X
	top := c.Max.Y - pad
	titleSty, subSty := sans(14), sans(10)
	subSty.Color = color.RGBA{0x40, 0x40, 0x40, 0xff}
	if f.Title != "" {
		t := wrap(titleSty, f.Title, W-2*pad)
		c.FillText(titleSty, vg.Point{X: c.Min.X + pad, Y: top}, t)
		top -= titleSty.Height(t) + vg.Points(2)
	}
	if f.Subtitle != "" {
		t := wrap(subSty, f.Subtitle, W-2*pad)
		c.FillText(subSty, vg.Point{X: c.Min.X + pad, Y: top}, t)
		top -= subSty.Height(t)
	}
	top -= pad
	// Legend column: entries wrapped to at most a third of the width.
	legSty, noteSty := sans(9), sans(7.5)
	noteSty.Color = color.RGBA{0x40, 0x40, 0x40, 0xff}
	thumbW, gap := vg.Points(20), vg.Points(5)
	maxText := W/3 - thumbW - gap
	texts := make([]string, len(f.legend))
	var textW vg.Length
	for i, e := range f.legend {
		texts[i] = wrap(legSty, e.text, maxText)
		textW = max(textW, legSty.Width(texts[i]))
	}
	colW := vg.Length(0)
	if len(f.legend) > 0 {
		colW = thumbW + gap + textW
	}
	if f.Note != "" {
		colW = max(colW, min(vg.Points(170), W/3))
	}
	plotRight := c.Max.X
	if colW > 0 {
		plotRight = c.Max.X - colW - 2*pad
	}
	pc := c
	pc.Rectangle = vg.Rectangle{Min: vg.Point{X: c.Min.X + pad/2, Y: c.Min.Y + pad/2}, Max: vg.Point{X: plotRight, Y: top}}
	f.Plot.Draw(pc)
	x := plotRight + pad
	y := top - pad
	lineH := legSty.Height("Mg")
	for i, e := range f.legend {
		icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: y - lineH + vg.Points(1.5)}, Max: vg.Point{X: x + thumbW, Y: y - vg.Points(1.5)},
		}}
		for _, t := range e.thumbs {
			t.Thumbnail(&icon)
		}
		c.FillText(legSty, vg.Point{X: x + thumbW + gap, Y: y}, texts[i])
		y -= legSty.Height(texts[i]) + vg.Points(3)
	}
	if f.Note != "" {
		t := wrap(noteSty, f.Note, colW)
		h := noteSty.Height(t)
		ny := max(c.Min.Y+pad+h, y-pad)
		c.FillText(noteSty, vg.Point{X: x, Y: ny}, t)
	}
}

// wrap breaks txt into lines no wider than w.
func wrap(sty text.Style, txt string, w vg.Length) string {
	var out []string
	for _, para := range strings.Split(txt, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			try := word
			if line != "" {
				try = line + " " + word
			}
			if line != "" && sty.Width(try) > w {
				out = append(out, line)
				line = word
			} else {
				line = try
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// WriteTo renders the figure in format ("png", "svg" or "pdf") to w.
func (f *Figure) WriteTo(w io.Writer, format string) (_ int64, err error) {
	defer errprefix.Wrap(&err, "analysis")
	var c vg.CanvasWriterTo
	switch format {
	case "png":
		dpi := f.DPI
		if dpi <= 0 {
			dpi = 150
		}
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(dpi))}
	case "svg":
		c = vgsvg.New(f.Width, f.Height)
	case "pdf":
		c = vgpdf.New(f.Width, f.Height)
	default:
		return 0, fmt.Errorf("unsupported format %q (allowed: %s)", format, strings.Join(Formats, ", "))
	}
	f.Draw(draw.New(c))
	if format == "svg" {
		// The SVG names one font family; a renderer without Liberation
		// Sans would substitute a font of other widths and clip the
		// legend. Arial and Helvetica have its metrics.
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			return 0, err
		}
		b := bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"), []byte(svgFonts))
		n, err := w.Write(b)
		return int64(n), err
	}
	return c.WriteTo(w)
}

// svgFonts is the SVG font-family with fallbacks of the same metrics.
const svgFonts = "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"

// Save writes the figure to path, in the format of its extension (.png,
// .svg or .pdf), through a temporary file renamed into place.
func (f *Figure) Save(path string) (err error) {
	defer errprefix.Wrap(&err, "analysis")
	format, err := FormatOf(path)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		if _, err := f.WriteTo(w, format); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	})
}

// Colours.
var (
	armColors = []color.RGBA{ // Okabe-Ito, colour-blind safe
		{0x00, 0x72, 0xB2, 0xff}, {0xD5, 0x5E, 0x00, 0xff}, {0x00, 0x9E, 0x73, 0xff},
		{0xCC, 0x79, 0xA7, 0xff}, {0xE6, 0x9F, 0x00, 0xff}, {0x56, 0xB4, 0xE9, 0xff}, {0x33, 0x33, 0x33, 0xff},
	}
	// classShades[class][k]: the first shade is the class's base colour.
	classShades = map[string][]color.RGBA{
		"sensitive": {{0x9A, 0xA9, 0xBC, 0xff}, {0x6F, 0x8F, 0xB8, 0xff}, {0xB7, 0xC6, 0xD9, 0xff}, {0x52, 0x74, 0xA3, 0xff}, {0x85, 0x9C, 0xBF, 0xff}},
		"ta-loss":   {{0xC6, 0x28, 0x28, 0xff}, {0xE5, 0x73, 0x73, 0xff}, {0x8E, 0x1B, 0x1B, 0xff}, {0xEF, 0x9A, 0x9A, 0xff}, {0xD8, 0x43, 0x3B, 0xff}, {0xA8, 0x32, 0x32, 0xff}},
		"pocket":    {{0xEF, 0x8A, 0x17, 0xff}, {0xF8, 0xB9, 0x5C, 0xff}, {0xC4, 0x63, 0x0B, 0xff}, {0xFB, 0xD0, 0x8F, 0xff}, {0xE0, 0x74, 0x0F, 0xff}},
	}
	lineClass = map[string]color.RGBA{
		"total":     {0x22, 0x22, 0x22, 0xff},
		"sensitive": {0x3B, 0x6E, 0xB4, 0xff},
		"ta-loss":   {0xC6, 0x28, 0x28, 0xff},
		"pocket":    {0xEF, 0x8A, 0x17, 0xff},
	}
	phaseColors = []color.RGBA{{0xB3, 0x9D, 0xDB, 0xff}, {0x80, 0xCB, 0xC4, 0xff}, {0xF4, 0x8F, 0xB1, 0xff}, {0xA5, 0xD6, 0xA7, 0xff}}
)

// Classes are the resistance classes in plotting order.
var Classes = []string{"sensitive", "ta-loss", "pocket"}

func classColor(class string, k int) color.RGBA {
	s, ok := classShades[class]
	if !ok {
		return color.RGBA{0x80, 0x80, 0x80, 0xff}
	}
	return s[k%len(s)]
}

// withAlpha returns c with opacity a in [0, 1] (premultiplied, as
// color.RGBA requires).
func withAlpha(c color.RGBA, a float64) color.RGBA {
	return color.RGBA{uint8(float64(c.R) * a), uint8(float64(c.G) * a), uint8(float64(c.B) * a), uint8(255 * a)}
}

// tint mixes c with white: f = 0 gives c, 1 gives white.
func tint(c color.RGBA, f float64) color.RGBA {
	m := func(v uint8) uint8 { return uint8(float64(v) + (255-float64(v))*f) }
	return color.RGBA{m(c.R), m(c.G), m(c.B), 0xff}
}

// Phase is a stretch of treatment to shade on a time axis (days).
type Phase struct {
	Start, End float64 // End may be +Inf: until the end of the plot
	Label      string  // e.g. "rezatapopt 2000 mg-eq"
}

// tickGlyph draws a short vertical bar, the usual censoring mark.
type tickGlyph struct{}

func (tickGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1)})
	var p vg.Path
	p.Move(vg.Point{X: pt.X, Y: pt.Y - sty.Radius})
	p.Line(vg.Point{X: pt.X, Y: pt.Y + sty.Radius})
	c.Stroke(p)
}

// log10Ticks marks an axis whose values are base-10 logarithms (plotted
// that way because gonum's LogScale misplaces the axis label): powers of
// ten labelled 1, 10, 100, 1e3, ... and minor ticks at 2..9 times them.
type log10Ticks struct{}

func (log10Ticks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	if !(hi > lo) {
		return ts
	}
	e0, e1 := int(math.Floor(lo)), int(math.Ceil(hi))
	step := 1
	if e1-e0 > 8 {
		step = (e1 - e0 + 7) / 8
	}
	for e := e0; e <= e1; e++ {
		if (e-e0)%step == 0 {
			ts = append(ts, plot.Tick{Value: float64(e), Label: powLabel(e)})
		} else {
			ts = append(ts, plot.Tick{Value: float64(e)})
		}
		if step == 1 {
			for k := 2; k < 10; k++ {
				ts = append(ts, plot.Tick{Value: float64(e) + math.Log10(float64(k))})
			}
		}
	}
	// Ticks outside the range would still take room for their labels.
	return slices.DeleteFunc(ts, func(t plot.Tick) bool { return t.Value < lo-1e-9 || t.Value > hi+1e-9 })
}

// lg is log10 for plotting on a log10Ticks axis; values at or below 0 map
// to floor's logarithm (below the axis, where drawing is clipped).
func lg(v, floor float64) float64 { return math.Log10(math.Max(v, floor)) }

// lgXYs maps the Y values of xys through lg.
func lgXYs(xys plotter.XYs, floor float64) plotter.XYs {
	out := make(plotter.XYs, len(xys))
	for i, p := range xys {
		out[i] = plotter.XY{X: p.X, Y: lg(p.Y, floor)}
	}
	return out
}

func powLabel(e int) string {
	switch {
	case e >= 0 && e <= 2:
		return strconv.Itoa(int(math.Pow10(e)))
	case e < 0 && e >= -2:
		return strconv.FormatFloat(math.Pow10(e), 'f', -1, 64)
	}
	return "1e" + strconv.Itoa(e)
}

// monthTicks puts major ticks at multiples of 3, 6, 12 or 24 months,
// whichever gives 4 to 12 ticks.
type monthTicks struct{}

func (monthTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	step := 1.0
	for _, s := range []float64{1, 2, 3, 6, 12, 24, 48, 96} {
		step = s
		if span/s <= 12 {
			break
		}
	}
	var ts []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+1e-9; v += step {
		v += 0 // -0 becomes 0
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	return ts
}

func dashed(c color.Color, w float64) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: vg.Points(w), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
}

func solid(c color.Color, w float64) draw.LineStyle {
	return draw.LineStyle{Color: c, Width: vg.Points(w)}
}

// rect is a filled rectangle in data coordinates, without an outline.
func rect(x0, x1, y0, y1 float64, c color.Color) *plotter.Polygon {
	pg, _ := plotter.NewPolygon(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	pg.Color = c
	pg.LineStyle.Width = 0
	return pg
}

func line(xys plotter.XYs, sty draw.LineStyle) *plotter.Line {
	l, _ := plotter.NewLine(xys)
	l.LineStyle = sty
	return l
}

// swatch is a legend thumbnail: a filled box.
func swatch(c color.Color) plot.Thumbnailer {
	pg, _ := plotter.NewPolygon(plotter.XYs{{}, {X: 1}, {X: 1, Y: 1}})
	pg.Color = c
	pg.LineStyle.Width = 0
	return pg
}

// phaseLabels gives each distinct phase label its colour.
func phaseLabels(phases []Phase) (map[string]color.RGBA, []string) {
	cols := map[string]color.RGBA{}
	var order []string
	for _, ph := range phases {
		if _, ok := cols[ph.Label]; !ok {
			cols[ph.Label] = phaseColors[len(order)%len(phaseColors)]
			order = append(order, ph.Label)
		}
	}
	return cols, order
}
