package analysis

import (
	"bytes"
	"errors"
	"image/color"
	"image/png"
	"path/filepath"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/dataset"
)

func snap(rep int, moment string, t float64, x, y, z int, clone int64, class string, n int64) dataset.SnapshotRow {
	return dataset.SnapshotRow{Replicate: rep, Moment: moment, Time: t, X: x, Y: y, Z: z, Clone: clone, Class: class, TumourCells: n}
}

// TestSectionColours: a rendered section has each class's colour at the
// sites of its cells, white at empty sites, the same sites at the same
// places in every panel, the fullest z slice of a 3D snapshot, and
// different shades for two clones of one class with --by clone; the PNG
// written decodes to the same pixels.
func TestSectionColours(t *testing.T) {
	rows := []dataset.SnapshotRow{
		snap(0, "treatment_start", 0, 0, 0, 0, 0, "sensitive", 5),
		snap(0, "treatment_start", 0, 1, 0, 0, 3, "ta-loss", 5),
		snap(0, "treatment_start", 0, 0, 1, 0, 4, "pocket", 5),
		snap(0, "treatment_start", 0, -2, -1, 0, 0, "sensitive", 5),
		snap(0, "treatment_start", 0, 3, 2, 0, 5, "ta-loss", 5),
		snap(0, "day", 30, 1, 0, 0, 3, "ta-loss", 1),
		snap(1, "end", 40, 9, 9, 0, 0, "sensitive", 1), // another replicate
	}
	panels, err := SectionPanels(rows, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(panels) != 2 || panels[0].Label != "treatment_start" || panels[1].Label != "day 30" || len(panels[0].Cells) != 5 {
		t.Fatalf("panels %+v", panels)
	}
	s, err := DrawSection("test", panels, SectionByClass, 6)
	if err != nil {
		t.Fatal(err)
	}
	white := color.RGBA{0xff, 0xff, 0xff, 0xff}
	for _, c := range []struct {
		panel, x, y int
		want        color.RGBA
	}{
		{0, 0, 0, classColor("sensitive", 0)}, {0, 1, 0, classColor("ta-loss", 0)}, {0, 0, 1, classColor("pocket", 0)},
		{0, -2, -1, classColor("sensitive", 0)}, {0, 3, 2, classColor("ta-loss", 0)}, {0, 1, 1, white}, {0, -2, 2, white},
		{1, 1, 0, classColor("ta-loss", 0)}, {1, 0, 0, white}, {1, 3, 2, white},
	} {
		if got := s.At(c.panel, c.x, c.y); got != c.want {
			t.Errorf("panel %d, site (%d, %d): colour %v, want %v", c.panel, c.x, c.y, got, c.want)
		}
	}
	// y grows upward, x to the right
	if px0, py0 := s.pixel(0, 0, 0); true {
		px1, py1 := s.pixel(0, 1, 1)
		if px1 != px0+6 || py1 != py0-6 {
			t.Errorf("site (1, 1) at pixel (%d, %d), site (0, 0) at (%d, %d)", px1, py1, px0, py0)
		}
	}
	var buf bytes.Buffer
	if _, err := s.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	px, py := s.pixel(0, 0, 1)
	if r, g, b, _ := img.At(px+3, py+3).RGBA(); uint8(r>>8) != 0xEF || uint8(g>>8) != 0x8A || uint8(b>>8) != 0x17 {
		t.Errorf("PNG: pocket cell reads %x %x %x", r>>8, g>>8, b>>8)
	}
	// by clone: two ta-loss clones in different shades of red
	s, err = DrawSection("test", panels[:1], SectionByClone, 2)
	if err != nil {
		t.Fatal(err)
	}
	a, b := s.At(0, 1, 0), s.At(0, 3, 2)
	if a == b || (a != classColor("ta-loss", 0) && !isShade(a, "ta-loss")) || !isShade(b, "ta-loss") || s.At(0, 0, 0) != classColor("sensitive", 0) {
		t.Errorf("by clone: clones 3 and 5 drawn %v and %v, founder %v", a, b, s.At(0, 0, 0))
	}
	// 3D: the slice holding the most cells
	three := []dataset.SnapshotRow{
		snap(0, "end", 9, 0, 0, -2, 1, "ta-loss", 4), snap(0, "end", 9, 0, 0, 0, 2, "pocket", 4), snap(0, "end", 9, 1, 1, 0, 2, "pocket", 4),
		snap(0, "end", 9, 1, 0, 2, 1, "ta-loss", 4),
	}
	p3, _ := SectionPanels(three, 0, []string{"end"})
	s, err = DrawSection("3d", p3, SectionByClass, 4)
	if err != nil {
		t.Fatal(err)
	}
	if s.At(0, 0, 0) != classColor("pocket", 0) || s.slice[0] != 0 {
		t.Errorf("3D: slice %d, site (0, 0) %v; want the z = 0 plane (two cells) and its pocket cell", s.slice[0], s.At(0, 0, 0))
	}
	// SVG: the pocket cell as a rectangle of its colour
	var sv bytes.Buffer
	if err := s.WriteSVG(&sv); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sv.String(), `fill="#ef8a17"`) || strings.Count(sv.String(), `fill="#c62828"`) != 1 { // the legend's ta-loss only
		t.Errorf("SVG:\n%s", sv.String())
	}
	if err := SaveSection(s, filepath.Join(t.TempDir(), "x.pdf")); err == nil {
		t.Error("a PDF section was accepted")
	}
}

func isShade(c color.RGBA, class string) bool {
	for _, s := range classShades[class] {
		if s == c {
			return true
		}
	}
	return false
}

func TestSectionPanelsSelect(t *testing.T) {
	rows := []dataset.SnapshotRow{
		snap(2, "treatment_start", 0, 0, 0, 0, 0, "sensitive", 1),
		snap(2, "day", 90, 0, 0, 0, 0, "sensitive", 1),
		snap(2, "progression", 200, 0, 0, 0, 0, "sensitive", 1),
	}
	p, err := SectionPanels(rows, 2, []string{"progression", "90"})
	if err != nil || len(p) != 2 || p[0].Label != "progression" || p[1].Label != "day 90" {
		t.Fatalf("%+v, %v", p, err)
	}
	if _, err := SectionPanels(rows, 2, []string{"end"}); err == nil || !strings.Contains(err.Error(), "it has: treatment_start, 90, progression") {
		t.Errorf("missing moment: %v", err)
	}
	if _, err := SectionPanels(nil, 0, nil); !errors.Is(err, ErrNoSnapshots) {
		t.Errorf("no rows: %v", err)
	}
	if r, _ := DefaultSectionReplicate(append([]dataset.SnapshotRow{snap(0, "end", 5, 0, 0, 0, 0, "sensitive", 1)}, rows...)); r != 2 {
		t.Errorf("default replicate %d, want 2 (the first with a progression snapshot)", r)
	}
}

// TestSectionDemes: a deme (several rows at one site) is drawn in the
// colour of the class holding most of its cells, or with --by clone of its
// largest clone; a tie goes to sensitive; the 3D slice drawn is the one
// holding the most cells, not the most rows; a full deme snapshot is not
// called sampled.
func TestSectionDemes(t *testing.T) {
	row := func(x, y, z int, clone int64, class string, cells int64) dataset.SnapshotRow {
		r := snap(0, "end", 10, x, y, z, clone, class, 193)
		r.Cells = cells
		return r
	}
	rows := []dataset.SnapshotRow{
		row(0, 0, 0, 0, "sensitive", 30), row(0, 0, 0, 2, "ta-loss", 40), row(0, 0, 0, 5, "pocket", 25), row(0, 0, 0, 6, "pocket", 25),
		row(1, 0, 0, 5, "pocket", 60),
		row(2, 0, 0, 0, "sensitive", 5), row(2, 0, 0, 2, "ta-loss", 5),
		row(0, 0, 1, 2, "ta-loss", 1), row(1, 0, 1, 2, "ta-loss", 1), row(2, 0, 1, 2, "ta-loss", 1),
	}
	panels, err := SectionPanels(rows, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		by   string
		want [3]color.RGBA
	}{
		{SectionByClass, [3]color.RGBA{classColor("pocket", 0), classColor("pocket", 0), classColor("sensitive", 0)}},
		{SectionByClone, [3]color.RGBA{cellColor(&rows[1], SectionByClone), cellColor(&rows[4], SectionByClone), cellColor(&rows[5], SectionByClone)}},
	} {
		s, err := DrawSection("demes", panels, c.by, 4)
		if err != nil {
			t.Fatal(err)
		}
		if s.slice[0] != 0 {
			t.Errorf("by %s: slice z = %d drawn, want 0 (190 of the 193 cells)", c.by, s.slice[0])
		}
		for x, want := range c.want {
			if got := s.At(0, x, 0); got != want {
				t.Errorf("by %s: deme (%d, 0): colour %v, want %v", c.by, x, got, want)
			}
		}
		var svg bytes.Buffer
		if err := s.WriteSVG(&svg); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(svg.String(), "end, day 10, 193 cells drawn") {
			t.Errorf("by %s: the SVG's title does not count the demes' cells", c.by)
		}
	}
	if cellColor(&rows[1], SectionByClone) == classColor("pocket", 0) || cellColor(&rows[1], SectionByClone) == cellColor(&rows[5], SectionByClone) {
		t.Fatal("clone colours coincide: the test proves little")
	}
}
