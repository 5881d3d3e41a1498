package analysis

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/p53evo/p53evo/dataset"
)

// The distinct SNVs called per patient, by class and source, from a
// hand-made patients table: every class and source has different numbers,
// so reading one column for another fails.
func TestSNVCallsPerPatient(t *testing.T) {
	ps := []dataset.PatientRow{
		pat(0, "PR", 56, 224, 300),
		pat(1, "SD", nan, 168, 250),
		pat(2, "PD", nan, 56, 100),
		pat(3, "SD", nan, nan, 400),
	}
	// plasma ta-loss 0 2 5 1, pocket 1 0 0 0; tissue ta-loss 3 0 0 0, pocket 2 2 0 4
	for i, c := range [][4]int{{0, 1, 3, 2}, {2, 0, 0, 2}, {5, 0, 0, 0}, {1, 0, 0, 4}} {
		ps[i].PlasmaSNVsTALoss, ps[i].PlasmaSNVsPocket, ps[i].TissueSNVsTALoss, ps[i].TissueSNVsPocket = c[0], c[1], c[2], c[3]
	}
	r := trialArm(&ArmData{Name: "x", Patients: ps})
	for _, c := range []struct {
		name      string
		got       SNVCount
		mean, med float64
		max, some int
	}{
		{"plasma ta-loss", r.PlasmaSNVs.TALoss, 2, 1.5, 5, 3},
		{"plasma pocket", r.PlasmaSNVs.Pocket, 0.25, 0, 1, 1},
		{"plasma any", r.PlasmaSNVs.Any, 2.25, 1.5, 5, 4},
		{"tissue ta-loss", r.TissueSNVs.TALoss, 0.75, 0, 3, 1},
		{"tissue pocket", r.TissueSNVs.Pocket, 2, 2, 4, 3},
		{"tissue any", r.TissueSNVs.Any, 2.75, 3, 5, 3},
	} {
		g := c.got
		if float64(g.Mean) != c.mean || float64(g.Median) != c.med || g.Max != c.max || g.AtLeastOne != c.some ||
			float64(g.ShareAtLeastOne) != float64(c.some)/4 {
			t.Errorf("%s: %+v, want mean %v median %v max %d, %d with >= 1", c.name, g, c.mean, c.med, c.max, c.some)
		}
	}
	if e := snvCount(nil); !math.IsNaN(float64(e.Mean)) || e.Max != 0 || e.AtLeastOne != 0 {
		t.Errorf("no patients: %+v", e)
	}
}

// Plasma-tissue concordance from hand-made ctdna and biopsies rows: the
// Y220C marker and uncalled rows are left out, an SNV called at several
// draws or in several lesions counts once, calls after the first
// progression do not count (at it they do), and every class has its own
// numbers.
func TestConcordance(t *testing.T) {
	ps := []dataset.PatientRow{pat(0, "PR", 56, 224, 300), pat(1, "SD", nan, nan, 400), pat(2, "PD", nan, 56, 100), pat(3, "SD", nan, 100, 300)}
	ct := []dataset.CTDNARow{
		{Replicate: 0, Time: 28, Mutation: "Y220C", Class: "sensitive", Called: true},
		{Replicate: 0, Time: 28, Mutation: "R248Q", Class: ClassTALoss, Called: true},
		{Replicate: 0, Time: 56, Mutation: "R248Q", Class: ClassTALoss, Called: true}, // again: once
		{Replicate: 0, Time: 56, Mutation: "R273H", Class: ClassTALoss, Called: false},
		{Replicate: 0, Time: 224, Mutation: "V157F", Class: ClassPocket, Called: true}, // at progression: counts
		{Replicate: 0, Time: 252, Mutation: "S241F", Class: ClassPocket, Called: true}, // after: not
		{Replicate: 1, Time: 300, Mutation: "T253I", Class: ClassPocket, Called: true}, // no progression: all follow-up
		{Replicate: 1, Time: 328, Mutation: "C242F", Class: ClassPocket, Called: true},
		{Replicate: 2, Time: 28, Mutation: "R175H", Class: ClassTALoss, Called: true},
	}
	bx := []dataset.BiopsyRow{
		{Replicate: 0, Lesion: 0, Time: 224, Mutation: "R248Q", Class: ClassTALoss, Called: true},
		{Replicate: 0, Lesion: 1, Time: 224, Mutation: "R248Q", Class: ClassTALoss, Called: true}, // second lesion: once
		{Replicate: 0, Lesion: 1, Time: 224, Mutation: "V157F", Class: ClassPocket, Called: false},
		{Replicate: 1, Lesion: 0, Time: 0, Mutation: "T253I", Class: ClassPocket, Called: true},
		{Replicate: 1, Lesion: 0, Time: 0, Mutation: "Y234C", Class: ClassPocket, Called: true},
		{Replicate: 1, Lesion: 2, Time: 0, Mutation: "G245S", Class: ClassTALoss, Called: true},
		{Replicate: 3, Lesion: 0, Time: 100, Mutation: "Y236C", Class: ClassPocket, Called: true},
		{Replicate: 3, Lesion: 0, Time: 150, Mutation: "Y205C", Class: ClassPocket, Called: true}, // after progression
	}
	plasma, tissue := PlasmaCalls(ct), TissueCalls(bx)
	if len(plasma) != 7 || len(tissue) != 7 {
		t.Fatalf("%d plasma and %d tissue calls kept, want 7 and 7", len(plasma), len(tissue))
	}
	c, err := ConcordanceOf(ps, plasma, tissue)
	if err != nil {
		t.Fatal(err)
	}
	// ta-loss: R248Q both (0); R175H plasma only (2); G245S tissue only (1)
	// pocket: V157F plasma only (0, uncalled in tissue), T253I both (1),
	// C242F plasma only (1), Y234C tissue only (1), Y236C tissue only (3)
	want := Concordance{
		TALoss: Agreement{Both: 1, PlasmaOnly: 1, TissueOnly: 1},
		Pocket: Agreement{Both: 1, PlasmaOnly: 2, TissueOnly: 2},
		Any:    Agreement{Both: 2, PlasmaOnly: 3, TissueOnly: 3},
		// 0 and 1 share one; 2 plasma only; 3 tissue only
		PatientsShared: 2, PatientsPlasmaOnly: 1, PatientsTissueOnly: 1,
	}
	if c != want {
		t.Errorf("concordance\n%+v, want\n%+v", c, want)
	}
	// disjoint: patient 2 gets a tissue call of another SNV
	d, err := ConcordanceOf(ps, plasma, append(tissue, SNVCall{Replicate: 2, Time: 56, Mutation: "M237I", Class: ClassPocket}))
	if err != nil {
		t.Fatal(err)
	}
	if d.PatientsDisjoint != 1 || d.PatientsPlasmaOnly != 0 || d.Pocket.TissueOnly != 3 {
		t.Errorf("with a disjoint patient: %+v", d)
	}
	if _, err := ConcordanceOf(ps, append(plasma, SNVCall{Replicate: 9, Mutation: "R248Q", Class: ClassTALoss}), tissue); err == nil || !strings.Contains(err.Error(), "replicate 9") {
		t.Errorf("a call of a replicate not in the patients table: %v", err)
	}
	if _, err := ConcordanceOf(ps, plasma, append(tissue, SNVCall{Replicate: 0, Time: 1, Mutation: "R248Q", Class: ClassPocket})); err == nil || !strings.Contains(err.Error(), "R248Q") {
		t.Errorf("an SNV in two classes: %v", err)
	}

	a := ArmData{Name: "x", Patients: ps, PlasmaCalls: plasma, TissueCalls: tissue, CallsRead: true}
	rep, err := Trial([]ArmData{a})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Arms[0].Concordance == nil || *rep.Arms[0].Concordance != want {
		t.Errorf("trial report concordance %+v", rep.Arms[0].Concordance)
	}
	var buf bytes.Buffer
	if err := rep.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"both 1, plasma only 2, tissue only 2", "shared SNV 2, disjoint calls 0, plasma only 1, tissue only 1"} {
		if !strings.Contains(buf.String(), line) {
			t.Errorf("report lacks %q:\n%s", line, buf.String())
		}
	}
	a.CallsRead = false
	if rep, _ := Trial([]ArmData{a}); rep.Arms[0].Concordance != nil {
		t.Error("concordance without the tables read")
	}
}
