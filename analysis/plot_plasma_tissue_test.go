package analysis

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/dataset"
)

// ptRows: patient 0 with a ta-loss SNV called in plasma and in lesion 2's
// progression biopsy, a pocket SNV called only in plasma and a pocket SNV
// called only in tissue; patient 1 with nothing called; patient 2 with a
// tissue call only.
func ptRows() ([]dataset.PatientRow, []dataset.CTDNARow, []dataset.BiopsyRow) {
	ps := []dataset.PatientRow{pat(0, "PR", 56, 224, 224), pat(1, "SD", nan, nan, 300), pat(2, "SD", nan, 168, 168)}
	ps[0].FirstCTDNACall = 140
	var ct []dataset.CTDNARow
	for d := 0; d <= 8; d++ {
		t := float64(28 * d)
		tf := 0.002 * float64(1+d*d)
		ct = append(ct, dataset.CTDNARow{Replicate: 0, Time: t, Mutation: "Y220C", Class: "sensitive", TrueVAF: tf / 2, Called: true, TumourFraction: tf})
		if d >= 3 {
			v := 1e-4 * float64(d*d)
			ct = append(ct, dataset.CTDNARow{Replicate: 0, Time: t, Mutation: "R248Q", Class: ClassTALoss, TrueVAF: v, Called: d >= 5})
			ct = append(ct, dataset.CTDNARow{Replicate: 0, Time: t, Mutation: "V157F", Class: ClassPocket, TrueVAF: v / 3, Called: d == 8})
			ct = append(ct, dataset.CTDNARow{Replicate: 0, Time: t, Mutation: "R273H", Class: ClassTALoss, TrueVAF: v / 10})
		}
		ct = append(ct, dataset.CTDNARow{Replicate: 1, Time: t, Mutation: "Y220C", Class: "sensitive", TrueVAF: 0.001, TumourFraction: 0.002})
	}
	bx := []dataset.BiopsyRow{
		{Replicate: 0, Lesion: 0, Time: 0, At: "baseline", Mutation: "R248Q", Class: ClassTALoss, TrueVAF: 0.001},
		{Replicate: 0, Lesion: 2, Time: 224, At: "progression", Mutation: "R248Q", Class: ClassTALoss, TrueVAF: 0.2, Called: true},
		{Replicate: 0, Lesion: 2, Time: 224, At: "progression", Mutation: "Y234C", Class: ClassPocket, TrueVAF: 0.08, Called: true},
		{Replicate: 1, Lesion: 0, Time: 0, At: "baseline", Mutation: "G245S", Class: ClassTALoss, TrueVAF: 0.001},
		{Replicate: 2, Lesion: 1, Time: 168, At: "progression", Mutation: "G245S", Class: ClassTALoss, TrueVAF: 0.3, Called: true},
	}
	return ps, ct, bx
}

// The plasma-tissue figure of a hand-made patient: the SNVs plasma called
// are drawn (the uncalled one is not), tissue calls and biopsies are in
// the legend and the subtitle counts plasma, tissue and shared SNVs; the
// default patient is the one with an SNV in both; the PNG shows the
// ta-loss and pocket colours; a patient without calls is a clear error.
func TestPlotPlasmaTissue(t *testing.T) {
	ps, ct, bx := ptRows()
	f, err := PlotPlasmaTissue(ps, ct, bx, 0, "arm")
	if err != nil {
		t.Fatal(err)
	}
	legend := f.LegendTexts()
	for _, want := range []string{"tumour fraction (Y220C marker)", "R248Q (ta-loss)", "V157F (pocket)", "called in plasma at the draw", "tissue biopsy", "first ctDNA call", "progression (imaging)"} {
		if !slices.Contains(legend, want) {
			t.Errorf("legend %q lacks %q", legend, want)
		}
	}
	if slices.ContainsFunc(legend, func(s string) bool { return strings.Contains(s, "R273H") }) {
		t.Errorf("an SNV plasma never called is drawn: %q", legend)
	}
	if !strings.Contains(f.Subtitle, "plasma 2, tissue 2 (2 biopsies), both 1") {
		t.Errorf("subtitle %q", f.Subtitle)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf, "png"); err != nil {
		t.Fatal(err)
	}
	n := pngColours(t, buf.Bytes(), 1200, 720)
	for _, class := range []string{ClassTALoss, ClassPocket} {
		c, got := classColor(class, 0), 0
		for px, m := range n {
			if near(px, c, 30) {
				got += m
			}
		}
		if got < 50 {
			t.Errorf("%d pixels of the %s colour", got, class)
		}
	}
	if d, err := PlotPlasmaTissue(ps, ct, bx, -1, "arm"); err != nil || !strings.Contains(d.Title, "patient 0") {
		t.Errorf("default patient: %v, %v", d, err)
	}
	// tissue only: drawn, with no plasma series
	if g, err := PlotPlasmaTissue(ps, ct, bx, 2, "arm"); err != nil || !strings.Contains(g.Subtitle, "plasma 0, tissue 1") {
		t.Errorf("tissue-only patient: %v", err)
	}
	_, err = PlotPlasmaTissue(ps, ct, bx, 1, "arm")
	if !errors.Is(err, ErrNoCalls) || !strings.Contains(err.Error(), "patient 1") || !strings.Contains(err.Error(), "--replicate 0, 2") {
		t.Errorf("patient without calls: %v", err)
	}
	if _, err := PlotPlasmaTissue(ps, nil, nil, -1, "arm"); !errors.Is(err, ErrNoCalls) {
		t.Errorf("no calls at all: %v", err)
	}
	if _, err := PlotPlasmaTissue(ps, ct, bx, 7, "arm"); err == nil || !strings.Contains(err.Error(), "no patient 7") {
		t.Errorf("unknown patient: %v", err)
	}
	if _, err := PlotPlasmaTissue(nil, ct, bx, 0, "arm"); !errors.Is(err, ErrNoPatients) {
		t.Errorf("no patients: %v", err)
	}
}
