package analysis

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/atomicfile"
	"github.com/p53evo/p53evo/internal/errprefix"
)

// A section plot draws snapshots of a lattice or deme tumour (the
// snapshots table) as rasters: one pixel block per site, coloured by the
// cell's class (or its clone, in shades of its class, as in the Muller
// plot), white where the site is empty. A deme (several rows at one site)
// takes the colour of its majority: the class holding most of its cells
// (ties: sensitive, then ta-loss, then pocket), or with colouring by clone
// the clone holding most of them (ties: the lower id); no blending, so a
// minority resistant clone inside a deme does not show. A 3D snapshot
// shows one z slice: the plane holding the most cells (the middle one of
// a ball-shaped lesion).
// Several snapshots of one replicate are drawn side by side on the same
// grid of sites, so that the lesion's growth and shrinkage read directly.

// ErrNoSnapshots says that a dataset has no snapshot rows (a well-mixed run,
// or a lattice or deme run without observe.snapshot).
var ErrNoSnapshots = errors.New("no snapshots: the dataset was not run with engine.space: lattice or demes and observe.snapshot")

// SectionPanel is one snapshot: the cells of one replicate at one moment.
type SectionPanel struct {
	Label string // the moment: treatment_start, progression, end or "day N"
	Time  float64
	Cells []dataset.SnapshotRow
}

// momentLabel names a snapshot's moment.
func momentLabel(r *dataset.SnapshotRow) string {
	if r.Moment == "day" {
		return "day " + strconv.FormatFloat(r.Time, 'g', -1, 64)
	}
	return r.Moment
}

// DefaultSectionReplicate is the replicate a section plot shows without a
// choice: the first with a progression snapshot, else the first with any.
func DefaultSectionReplicate(rows []dataset.SnapshotRow) (_ int, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if len(rows) == 0 {
		return 0, ErrNoSnapshots
	}
	for i := range rows {
		if rows[i].Moment == "progression" {
			return rows[i].Replicate, nil
		}
	}
	return rows[0].Replicate, nil
}

// SectionPanels groups replicate rep's snapshot rows into panels, one per
// moment in the table's order. times, if not empty, keeps the moments it
// names, in its order: treatment_start, progression, end, or a day number.
func SectionPanels(rows []dataset.SnapshotRow, rep int, times []string) (_ []SectionPanel, err error) {
	defer errprefix.Wrap(&err, "analysis")
	var all []SectionPanel
	for i := range rows {
		r := &rows[i]
		if r.Replicate != rep {
			continue
		}
		l := momentLabel(r)
		if n := len(all); n == 0 || all[n-1].Label != l || all[n-1].Time != r.Time {
			all = append(all, SectionPanel{Label: l, Time: r.Time})
		}
		all[len(all)-1].Cells = append(all[len(all)-1].Cells, *r)
	}
	if len(all) == 0 {
		if len(rows) == 0 {
			return nil, ErrNoSnapshots
		}
		return nil, fmt.Errorf("replicate %d has no snapshot rows", rep)
	}
	if len(times) == 0 {
		return all, nil
	}
	var out []SectionPanel
	for _, t := range times {
		t = strings.TrimSpace(t)
		want := t
		if d, err := strconv.ParseFloat(t, 64); err == nil {
			want = "day " + strconv.FormatFloat(d, 'g', -1, 64)
		}
		k := slices.IndexFunc(all, func(p SectionPanel) bool { return p.Label == want })
		if k < 0 {
			var have []string
			for _, p := range all {
				have = append(have, strings.TrimPrefix(p.Label, "day "))
			}
			return nil, fmt.Errorf("replicate %d has no snapshot at %q; it has: %s", rep, t, strings.Join(have, ", "))
		}
		out = append(out, all[k])
	}
	return out, nil
}

// SectionBy says what colours a section's cells.
const (
	SectionByClass = "class"
	SectionByClone = "clone"
)

// Section is a drawn section plot: panels side by side on a common grid of
// sites, a title over each, a legend under them.
type Section struct {
	Image *image.RGBA
	Scale int // pixels per site

	title                  string
	panels                 []SectionPanel
	by                     string
	xmin, xmax, ymin, ymax int
	slice                  []int // per panel: the z drawn
	left                   []int // per panel: x of its raster's left edge
	top                    int   // y of the rasters' top edge
}

const (
	secMargin = 12
	secTitle  = 34 // two lines of 13 px text and a gap
	secGap    = 16
	secLegend = 30
	secMaxPx  = 420 // a panel's raster is at most this wide or high at the chosen scale
)

var (
	secEmpty = color.RGBA{0xff, 0xff, 0xff, 0xff}
	secFrame = color.RGBA{0xb0, 0xb0, 0xb0, 0xff}
)

// cellColor is the colour of a snapshot cell.
func cellColor(r *dataset.SnapshotRow, by string) color.RGBA {
	if by == SectionByClone {
		h := uint64(r.Clone)*0x9E3779B97F4A7C15 + 1
		k := 0
		if r.Clone != 0 {
			k = int((h >> 33) % 97)
		}
		return classColor(r.Class, k)
	}
	return classColor(r.Class, 0)
}

// rowCells are the cells a snapshot row stands for: its cells column, or 1
// for a row without one (a lattice cell).
func rowCells(r *dataset.SnapshotRow) int64 { return max(r.Cells, 1) }

// panelCells are the cells of a panel's rows.
func panelCells(p *SectionPanel) int64 {
	var n int64
	for j := range p.Cells {
		n += rowCells(&p.Cells[j])
	}
	return n
}

// sectionClasses rank classes for a deme's majority (ties go to the first).
var sectionClasses = []string{"sensitive", "ta-loss", "pocket"}

// siteRows are the rows of z slice z that a section draws, one per site,
// in the order of the sites' first rows: a site's only row as it is (every
// lattice site), else a row standing for the deme's majority (see the top
// of this file): by class, its largest clone of the majority class; by
// clone, its largest clone.
func siteRows(rows []dataset.SnapshotRow, z int, by string) []dataset.SnapshotRow {
	var out []dataset.SnapshotRow
	at := map[[2]int]int{} // site -> index in out
	var multi [][]int      // per out row: indices of its site's rows when more than one
	for j := range rows {
		r := &rows[j]
		if r.Z != z {
			continue
		}
		k := [2]int{r.X, r.Y}
		i, ok := at[k]
		if !ok {
			at[k] = len(out)
			out = append(out, *r)
			multi = append(multi, []int{j})
			continue
		}
		multi[i] = append(multi[i], j)
	}
	for i, js := range multi {
		if len(js) < 2 {
			continue
		}
		var per [3]int64
		for _, j := range js {
			if c := slices.Index(sectionClasses, rows[j].Class); c >= 0 {
				per[c] += rowCells(&rows[j])
			}
		}
		cls := ""
		if by == SectionByClass {
			best := 0
			for c := range per {
				if per[c] > per[best] {
					best = c
				}
			}
			cls = sectionClasses[best]
		}
		var pick *dataset.SnapshotRow
		for _, j := range js {
			r := &rows[j]
			if cls != "" && r.Class != cls {
				continue
			}
			if pick == nil || rowCells(r) > rowCells(pick) || rowCells(r) == rowCells(pick) && r.Clone < pick.Clone {
				pick = r
			}
		}
		if pick != nil {
			out[i] = *pick
		}
	}
	return out
}

// DrawSection draws panels (at least one) coloured by class or clone, with
// scale pixels per site (0: as large as fits secMaxPx, from 1 to 8).
func DrawSection(title string, panels []SectionPanel, by string, scale int) (_ *Section, err error) {
	defer errprefix.Wrap(&err, "analysis")
	if len(panels) == 0 {
		return nil, ErrNoSnapshots
	}
	if by != SectionByClass && by != SectionByClone {
		return nil, fmt.Errorf("colour by %q: allowed %s, %s", by, SectionByClass, SectionByClone)
	}
	s := &Section{title: title, panels: panels, by: by, xmin: math.MaxInt, ymin: math.MaxInt, xmax: math.MinInt, ymax: math.MinInt}
	for _, p := range panels {
		// the slice holding the most cells (the middle one of a ball; the
		// lowest z of a tie)
		per := map[int]int64{}
		for j := range p.Cells {
			per[p.Cells[j].Z] += rowCells(&p.Cells[j])
		}
		z, most := 0, int64(0)
		for k, n := range per {
			if n > most || n == most && k < z {
				z, most = k, n
			}
		}
		s.slice = append(s.slice, z)
		for _, c := range p.Cells {
			if c.Z == z {
				s.xmin, s.xmax = min(s.xmin, c.X), max(s.xmax, c.X)
				s.ymin, s.ymax = min(s.ymin, c.Y), max(s.ymax, c.Y)
			}
		}
	}
	if s.xmin > s.xmax { // every panel empty
		s.xmin, s.xmax, s.ymin, s.ymax = 0, 0, 0, 0
	}
	w, h := s.xmax-s.xmin+1, s.ymax-s.ymin+1
	if scale <= 0 {
		scale = max(1, min(8, secMaxPx/max(w, h)))
	}
	s.Scale = scale
	pw := max(w*scale, 7*26) // room for the panel's title
	width := 2*secMargin + len(panels)*pw + (len(panels)-1)*secGap
	s.top = secMargin + 16 + secTitle
	height := s.top + h*scale + secLegend + secMargin
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), &image.Uniform{secEmpty}, image.Point{}, draw.Src)
	s.Image = img
	drawText(img, secMargin, secMargin+11, title)
	for i, p := range panels {
		x0 := secMargin + i*(pw+secGap)
		s.left = append(s.left, x0)
		sub := ""
		if n := panelCells(&p); n > 0 && n < p.Cells[0].TumourCells {
			sub = fmt.Sprintf(" (%d sampled)", n)
		}
		cells := int64(0)
		if len(p.Cells) > 0 {
			cells = p.Cells[0].TumourCells
		}
		drawText(img, x0, s.top-secTitle+11, panelTitle(&p))
		line2 := fmt.Sprintf("%d cells%s", cells, sub)
		if s.slice[i] != 0 || slices.ContainsFunc(p.Cells, func(c dataset.SnapshotRow) bool { return c.Z != 0 }) {
			line2 += fmt.Sprintf(", z = %d", s.slice[i])
		}
		drawText(img, x0, s.top-secTitle+25, line2)
		// frame, then cells
		fr := image.Rect(x0-1, s.top-1, x0+w*scale+1, s.top+h*scale+1)
		draw.Draw(img, fr, &image.Uniform{secFrame}, image.Point{}, draw.Src)
		draw.Draw(img, fr.Inset(1), &image.Uniform{secEmpty}, image.Point{}, draw.Src)
		drawn := siteRows(p.Cells, s.slice[i], by)
		for j := range drawn {
			c := &drawn[j]
			px, py := s.pixel(i, c.X, c.Y)
			draw.Draw(img, image.Rect(px, py, px+scale, py+scale), &image.Uniform{cellColor(c, by)}, image.Point{}, draw.Src)
		}
	}
	// legend
	ly := height - secMargin - 14
	x := secMargin
	for _, cl := range []string{"sensitive", "ta-loss", "pocket"} {
		draw.Draw(img, image.Rect(x, ly, x+12, ly+12), &image.Uniform{classColor(cl, 0)}, image.Point{}, draw.Src)
		drawText(img, x+16, ly+10, cl)
		x += 16 + 7*len(cl) + 14
	}
	if by == SectionByClone {
		drawText(img, x, ly+10, "clones: shades of their class")
	}
	return s, nil
}

// panelTitle names a panel's moment and day.
func panelTitle(p *SectionPanel) string {
	if strings.HasPrefix(p.Label, "day ") {
		return p.Label
	}
	return fmt.Sprintf("%s, day %s", p.Label, strconv.FormatFloat(math.Round(p.Time*10)/10, 'g', -1, 64))
}

// pixel is the top-left pixel of site (x, y) in panel i (y grows upward).
func (s *Section) pixel(i, x, y int) (int, int) {
	return s.left[i] + (x-s.xmin)*s.Scale, s.top + (s.ymax-y)*s.Scale
}

// At is the colour drawn at the centre of site (x, y) of panel i.
func (s *Section) At(i, x, y int) color.RGBA {
	px, py := s.pixel(i, x, y)
	return s.Image.RGBAAt(px+s.Scale/2, py+s.Scale/2)
}

func drawText(img draw.Image, x, y int, s string) {
	d := font.Drawer{Dst: img, Src: image.Black, Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// WriteTo writes the section as PNG.
func (s *Section) WriteTo(w io.Writer) (_ int64, err error) {
	defer errprefix.Wrap(&err, "analysis")
	cw := &countWriter{w: w}
	err = png.Encode(cw, s.Image)
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// WriteSVG writes the section as SVG: one rectangle per run of equal
// colour along a row of sites, text as text.
func (s *Section) WriteSVG(w io.Writer) (err error) {
	defer errprefix.Wrap(&err, "analysis")
	b := bufio.NewWriter(w)
	r := s.Image.Bounds()
	fmt.Fprintf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">\n", r.Dx(), r.Dy(), r.Dx(), r.Dy())
	fmt.Fprintf(b, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", r.Dx(), r.Dy())
	hex := func(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }
	txt := func(x, y int, t string) {
		t = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(t)
		fmt.Fprintf(b, "<text x=\"%d\" y=\"%d\" font-family=\"monospace\" font-size=\"12\">%s</text>\n", x, y, t)
	}
	txt(secMargin, secMargin+11, s.title)
	w0, h0 := s.xmax-s.xmin+1, s.ymax-s.ymin+1
	for i, p := range s.panels {
		x0 := s.left[i]
		txt(x0, s.top-secTitle+11, fmt.Sprintf("%s, %d cells drawn", panelTitle(&p), panelCells(&p)))
		fmt.Fprintf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"%s\"/>\n", x0, s.top, w0*s.Scale, h0*s.Scale, hex(secFrame))
		grid := make([]color.RGBA, w0*h0)
		drawn := siteRows(p.Cells, s.slice[i], s.by)
		for j := range drawn {
			c := &drawn[j]
			grid[(s.ymax-c.Y)*w0+c.X-s.xmin] = cellColor(c, s.by)
		}
		for row := range h0 {
			for col := 0; col < w0; {
				c := grid[row*w0+col]
				end := col + 1
				for end < w0 && grid[row*w0+end] == c {
					end++
				}
				if c.A != 0 {
					fmt.Fprintf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n", x0+col*s.Scale, s.top+row*s.Scale, (end-col)*s.Scale, s.Scale, hex(c))
				}
				col = end
			}
		}
	}
	ly := r.Dy() - secMargin - 14
	x := secMargin
	for _, cl := range []string{"sensitive", "ta-loss", "pocket"} {
		fmt.Fprintf(b, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", x, ly, hex(classColor(cl, 0)))
		txt(x+16, ly+10, cl)
		x += 16 + 7*len(cl) + 14
	}
	if s.by == SectionByClone {
		txt(x, ly+10, "clones: shades of their class")
	}
	fmt.Fprintln(b, "</svg>")
	return b.Flush()
}

// SaveSection writes s to path, PNG or SVG by extension, atomically.
func SaveSection(s *Section, path string) (err error) {
	defer errprefix.Wrap(&err, "analysis")
	f, err := FormatOf(path)
	if err != nil {
		return err
	}
	switch f {
	case "png":
		return atomicfile.Write(path, func(w io.Writer) error { _, err := s.WriteTo(w); return err })
	case "svg":
		return atomicfile.Write(path, s.WriteSVG)
	}
	return fmt.Errorf("%q: a section plot is written as .png or .svg, not .%s", path, f)
}
