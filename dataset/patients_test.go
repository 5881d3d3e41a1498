package dataset

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/p53evo/p53evo/internal/simtest"
	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// handPatients are virtual trial patients whose every field has a value of
// its own, so that two columns swapped anywhere (schema, writer, reader)
// show up as a wrong value.
func handPatients() []sim.Result {
	return []sim.Result{
		{ // responder who progressed on a new lesion
			Replicate: 0, Stream: 11, Attempts: 5, Outcome: sim.Progressed, GrowthDays: 3001.5, TTP: 224, EndTime: 280,
			AtStart: [3]int64{2_000_000_001, 3003, 404}, Final: [3]int64{5005, 6_000_006, 70_007},
			ResistantMajority: nan, FirstResistantBirth: -900.5, DominantAtProgression: model.ClassTALoss, ResistantClonesAtProgression: 2,
			Nadir: 1e8, NadirTime: 112, BestResponse: sim.PR, ClonesBorn: 31, FinalProgression: 224,
			FirstCTDNACall: 168, CTDNALead: 56, CalledAtProgression: [3]int{0, 1, 0},
			Clones: []sim.CloneRecord{
				{ID: 0, Parent: -1, Mutation: "Y220C", Class: model.Sensitive, Born: -3001.5, Peak: 2e9, Extinct: nan},
				{ID: 4, Parent: 0, Mutation: "R175H", Genotype: "R175H", Class: model.ClassTALoss, Born: -900.5, Peak: 6e6, PeakTime: 280, Extinct: nan},
				{ID: 20, Parent: -1, Mutation: "Y220C", Class: model.Sensitive, Born: -2000.25, Peak: 3e8, Extinct: nan},
				{ID: 30, Parent: -1, Mutation: "Y220C", Class: model.Sensitive, Born: -10.75, Peak: 4e7, Extinct: nan},
			},
			Genotypes: []sim.GenotypeCount{{Genotype: "R175H", Class: model.ClassTALoss, Cells: 6_000_006}, {Genotype: "Y220C", Class: model.Sensitive, Cells: 5005}},
			Patient: &sim.PatientResult{
				Lesions: 2, Occult: 1, Burden: 2.5e9, GrowthMult: 1.75, KillMult: 0.625, ShedFactor: 4.5, Redraws: 3,
				Targets: 1, BaselineSum: 41.25, NadirSum: 22.5, BestPct: -45.5, ResponseTime: 56, DoR: 168, NewLesion: true,
				BaselineTF: 0.0125, BaselineVAF: 0.00625, BaselineDetected: true,
				PlasmaSNVs: [3]int{0, 3, 1}, TissueSNVs: [3]int{0, 2, 5},
				LesionRows: []sim.LesionResult{
					{Lesion: 0, KillMult: 1.5, Attempts: 2, GrowthDays: 3001.5, Start: [3]int64{2e9, 3000, 400}, StartDiameter: 41.25, Target: true,
						Nadir: 3e8, NadirTime: 112, NadirMM: 22.5, Final: [3]int64{5000, 6e6, 7e4}, Visible: nan, ClonesBorn: 20, Progressed: 280},
					{Lesion: 1, KillMult: 0.25, Attempts: 1, GrowthDays: 2000.25, Start: [3]int64{1, 3, 4}, StartDiameter: 7.5,
						Nadir: 2, NadirTime: 168, NadirMM: 0, Final: [3]int64{5, 6, 7}, Visible: nan, ClonesBorn: 10, Progressed: nan},
					{Lesion: 2, Occult: true, KillMult: 3.25, Attempts: 3, GrowthDays: 10.75, Start: [3]int64{1e5, 0, 0}, StartDiameter: 0,
						Nadir: 9e4, NadirTime: 28, NadirMM: 0, Final: [3]int64{0, 0, 1}, Visible: 224, ClonesBorn: 1, Progressed: 224},
				},
				Scans: []sim.ScanRow{
					{Time: 56, SumMM: 27.5, Pct: -33.33, Response: sim.PR, Total: 1e9, NadirMM: 41.25},
					{Time: 112, SumMM: 22.5, Pct: -45.5, Response: sim.PR, Total: 5e8, NadirMM: 27.5},
					{Time: 224, SumMM: 30, Pct: -27.25, Response: sim.PD, Total: 7e8, NadirMM: 22.5, NewLesion: true},
				},
			},
		},
		{ // stable, no progression, a zero nadir
			Replicate: 1, Stream: 12, Attempts: 1, Outcome: sim.Censored, GrowthDays: 99, TTP: nan, EndTime: 365,
			AtStart: [3]int64{7e9, 0, 0}, Final: [3]int64{0, 0, 0}, ResistantMajority: nan, FirstResistantBirth: nan,
			NadirTime: 56, BestResponse: sim.SD, ClonesBorn: 1, FinalProgression: nan, FirstCTDNACall: nan, CTDNALead: nan,
			CalledAtProgression: [3]int{-1, -1, -1},
			Patient: &sim.PatientResult{
				Lesions: 1, Burden: 7e9, GrowthMult: 0.5, KillMult: 0, NonDependent: true, ShedFactor: 0.25,
				Targets: 1, BaselineSum: 23.75, NadirSum: 23.5, BestPct: -1.125, ResponseTime: nan, DoR: nan,
				BaselineTF: 1e-4, BaselineVAF: 5e-5,
				LesionRows: []sim.LesionResult{{Lesion: 0, KillMult: 2.75, Attempts: 1, GrowthDays: 99, Start: [3]int64{7e9, 0, 0},
					StartDiameter: 23.75, Target: true, Nadir: 6e9, NadirTime: 56, NadirMM: 23.5, Visible: nan, ClonesBorn: 1, Progressed: nan}},
				Scans: []sim.ScanRow{{Time: 56, SumMM: 23.5, Pct: -1.125, Response: sim.SD, Total: 6e9, NadirMM: 0}},
			},
		},
		{ // no scan at all (NE); a plain single-tumour replicate follows it
			Replicate: 2, Stream: 13, Attempts: 2, Outcome: sim.Cured, GrowthDays: 5, TTP: nan, EndTime: 14,
			ResistantMajority: nan, FirstResistantBirth: nan, NadirTime: nan, BestResponse: sim.ResponseNone,
			FinalProgression: nan, FirstCTDNACall: nan, CTDNALead: nan, CalledAtProgression: [3]int{-1, -1, -1},
			Patient: &sim.PatientResult{
				Lesions: 1, Burden: 1e9, GrowthMult: 8, KillMult: 9.5, ShedFactor: 100, Targets: 0,
				BestPct: nan, ResponseTime: nan, DoR: nan,
				LesionRows: []sim.LesionResult{{Lesion: 0, KillMult: 0.125, Attempts: 2, Visible: nan, Progressed: nan}},
			},
		},
		{
			Replicate: 3, Stream: 14, Attempts: 1, Outcome: sim.Censored, TTP: nan, ResistantMajority: nan, FirstResistantBirth: nan,
			FinalProgression: nan, FirstCTDNACall: nan, CTDNALead: nan, CalledAtProgression: [3]int{-1, -1, -1},
			Clones: []sim.CloneRecord{{ID: 0, Parent: -1, Mutation: "Y220C", Class: model.Sensitive, Extinct: nan}},
		},
	}
}

// Expected rows, derived from the results independently of the writer.
func wantPatients(rs []sim.Result) []PatientRow {
	var out []PatientRow
	for _, r := range rs {
		p := r.Patient
		if p == nil {
			continue
		}
		out = append(out, PatientRow{
			Replicate: r.Replicate, Lesions: p.Lesions, OccultLesions: p.Occult, TargetLesions: p.Targets, Redraws: p.Redraws,
			DrawnBurden: p.Burden, BaselineCells: r.AtStart[0] + r.AtStart[1] + r.AtStart[2],
			GrowthFactor: p.GrowthMult, KillFactor: p.KillMult, NonDependent: p.NonDependent, ShedFactor: p.ShedFactor,
			BaselineSumMM: p.BaselineSum, NadirSumMM: p.NadirSum, BestResponse: r.BestResponse.String(), BestPctChange: p.BestPct,
			ResponseTime: p.ResponseTime, ProgressionTime: r.TTP, NewLesionAtProgression: p.NewLesion && !math.IsNaN(r.TTP),
			DurationOfResponse: p.DoR, EndTime: r.EndTime, BaselineTumourFraction: p.BaselineTF, BaselineY220CVAF: p.BaselineVAF,
			BaselineY220CCalled: p.BaselineDetected, FirstCTDNACall: r.FirstCTDNACall, CTDNALead: r.CTDNALead,
			PlasmaSNVsTALoss: p.PlasmaSNVs[model.ClassTALoss], PlasmaSNVsPocket: p.PlasmaSNVs[model.ClassPocket],
			TissueSNVsTALoss: p.TissueSNVs[model.ClassTALoss], TissueSNVsPocket: p.TissueSNVs[model.ClassPocket],
		})
	}
	return out
}

func wantLesions(rs []sim.Result) []LesionRow {
	var out []LesionRow
	for _, r := range rs {
		if r.Patient == nil {
			continue
		}
		for _, l := range r.Patient.LesionRows {
			out = append(out, LesionRow{
				Replicate: r.Replicate, Lesion: l.Lesion, Occult: l.Occult, Target: l.Target,
				LesionKillFactor: l.KillMult, KillFactor: l.KillMult * r.Patient.KillMult, Attempts: l.Attempts, GrowthDays: l.GrowthDays,
				Start: l.Start, BaselineMM: l.StartDiameter, Nadir: l.Nadir, NadirMM: l.NadirMM, NadirTime: l.NadirTime,
				VisibleTime: l.Visible, ProgressionTime: l.Progressed, Final: l.Final, ClonesBorn: l.ClonesBorn,
			})
		}
	}
	return out
}

func wantScans(rs []sim.Result) []ScanRow {
	var out []ScanRow
	for _, r := range rs {
		if r.Patient == nil {
			continue
		}
		for i, s := range r.Patient.Scans {
			fromNadir := nan
			if s.NadirMM > 0 {
				fromNadir = 100 * (s.SumMM - s.NadirMM) / s.NadirMM
			}
			out = append(out, ScanRow{r.Replicate, i + 1, s.Time, s.SumMM, s.Pct, s.NadirMM, fromNadir, s.NewLesion, s.Response.String(), s.Total})
		}
	}
	return out
}

func checkPatientTables(t *testing.T, d *Dataset, rs []sim.Result) {
	t.Helper()
	checkTable(t, "patients", d.Patients, wantPatients(rs))
	checkTable(t, "lesions", d.Lesions, wantLesions(rs))
	checkTable(t, "scans", d.Scans, wantScans(rs))
}

// byName are the values the columns of the patient tables must hold for a
// patient (patients), lesion or scan, looked up by column name only: a
// schema whose names and positions disagree with the writer fails here even
// though its own reader would read it back.
var byName = map[string]map[string]func(r *sim.Result, i int) any{
	TablePatients: {
		"replicate":                 func(r *sim.Result, _ int) any { return int32(r.Replicate) },
		"lesions":                   func(r *sim.Result, _ int) any { return int32(r.Patient.Lesions) },
		"occult_lesions":            func(r *sim.Result, _ int) any { return int32(r.Patient.Occult) },
		"target_lesions":            func(r *sim.Result, _ int) any { return int32(r.Patient.Targets) },
		"redraws":                   func(r *sim.Result, _ int) any { return int32(r.Patient.Redraws) },
		"drawn_burden":              func(r *sim.Result, _ int) any { return r.Patient.Burden },
		"baseline_cells":            func(r *sim.Result, _ int) any { return r.AtStart[0] + r.AtStart[1] + r.AtStart[2] },
		"growth_factor":             func(r *sim.Result, _ int) any { return r.Patient.GrowthMult },
		"kill_factor":               func(r *sim.Result, _ int) any { return r.Patient.KillMult },
		"non_dependent":             func(r *sim.Result, _ int) any { return r.Patient.NonDependent },
		"shed_factor":               func(r *sim.Result, _ int) any { return r.Patient.ShedFactor },
		"baseline_sum_mm":           func(r *sim.Result, _ int) any { return r.Patient.BaselineSum },
		"nadir_sum_mm":              func(r *sim.Result, _ int) any { return r.Patient.NadirSum },
		"best_response":             func(r *sim.Result, _ int) any { return r.BestResponse.String() },
		"best_pct_change":           func(r *sim.Result, _ int) any { return r.Patient.BestPct },
		"response_time":             func(r *sim.Result, _ int) any { return r.Patient.ResponseTime },
		"progression_time":          func(r *sim.Result, _ int) any { return r.TTP },
		"new_lesion_at_progression": func(r *sim.Result, _ int) any { return r.Patient.NewLesion },
		"duration_of_response":      func(r *sim.Result, _ int) any { return r.Patient.DoR },
		"end_time":                  func(r *sim.Result, _ int) any { return r.EndTime },
		"baseline_tumour_fraction":  func(r *sim.Result, _ int) any { return r.Patient.BaselineTF },
		"baseline_y220c_vaf":        func(r *sim.Result, _ int) any { return r.Patient.BaselineVAF },
		"baseline_y220c_called":     func(r *sim.Result, _ int) any { return r.Patient.BaselineDetected },
		"first_ctdna_call":          func(r *sim.Result, _ int) any { return r.FirstCTDNACall },
		"ctdna_lead":                func(r *sim.Result, _ int) any { return r.CTDNALead },
		"plasma_snvs_ta_loss":       func(r *sim.Result, _ int) any { return int32(r.Patient.PlasmaSNVs[model.ClassTALoss]) },
		"plasma_snvs_pocket":        func(r *sim.Result, _ int) any { return int32(r.Patient.PlasmaSNVs[model.ClassPocket]) },
		"tissue_snvs_ta_loss":       func(r *sim.Result, _ int) any { return int32(r.Patient.TissueSNVs[model.ClassTALoss]) },
		"tissue_snvs_pocket":        func(r *sim.Result, _ int) any { return int32(r.Patient.TissueSNVs[model.ClassPocket]) },
	},
	TableLesions: {
		"replicate":            func(r *sim.Result, _ int) any { return int32(r.Replicate) },
		"lesion":               func(r *sim.Result, i int) any { return int32(r.Patient.LesionRows[i].Lesion) },
		"occult":               func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].Occult },
		"target":               func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].Target },
		"lesion_kill_factor":   func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].KillMult },
		"kill_factor":          func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].KillMult * r.Patient.KillMult },
		"attempts":             func(r *sim.Result, i int) any { return int32(r.Patient.LesionRows[i].Attempts) },
		"growth_days":          func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].GrowthDays },
		"start_sensitive":      func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].Start[0] },
		"start_ta_loss":        func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].Start[1] },
		"start_pocket":         func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].Start[2] },
		"baseline_diameter_mm": func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].StartDiameter },
		"nadir":                func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].Nadir },
		"nadir_diameter_mm":    func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].NadirMM },
		"nadir_time":           func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].NadirTime },
		"visible_time":         func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].Visible },
		"progression_time":     func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].Progressed },
		"final_sensitive":      func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].Final[0] },
		"final_ta_loss":        func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].Final[1] },
		"final_pocket":         func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].Final[2] },
		"clones_born":          func(r *sim.Result, i int) any { return r.Patient.LesionRows[i].ClonesBorn },
	},
	TableScans: {
		"replicate":         func(r *sim.Result, _ int) any { return int32(r.Replicate) },
		"scan":              func(_ *sim.Result, i int) any { return int32(i + 1) },
		"time":              func(r *sim.Result, i int) any { return r.Patient.Scans[i].Time },
		"sum_mm":            func(r *sim.Result, i int) any { return r.Patient.Scans[i].SumMM },
		"pct_from_baseline": func(r *sim.Result, i int) any { return r.Patient.Scans[i].Pct },
		"nadir_mm":          func(r *sim.Result, i int) any { return r.Patient.Scans[i].NadirMM },
		"pct_from_nadir": func(r *sim.Result, i int) any {
			s := r.Patient.Scans[i]
			if s.NadirMM == 0 {
				return nan
			}
			return 100 * (s.SumMM - s.NadirMM) / s.NadirMM
		},
		"new_lesion":    func(r *sim.Result, i int) any { return r.Patient.Scans[i].NewLesion },
		"response":      func(r *sim.Result, i int) any { return r.Patient.Scans[i].Response.String() },
		"visible_cells": func(r *sim.Result, i int) any { return r.Patient.Scans[i].Total },
	},
}

// cell is the value of a column at row i as Go sees it; null is NaN for
// floats and nil otherwise.
func cell(a arrow.Array, i int) any {
	if a.IsNull(i) {
		if a.DataType().ID() == arrow.FLOAT64 {
			return nan
		}
		return nil
	}
	switch a := a.(type) {
	case *array.Int32:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	}
	return nil
}

func sameCell(got, want any) bool {
	if g, ok := got.(float64); ok {
		w, ok := want.(float64)
		return ok && math.Float64bits(g) == math.Float64bits(w)
	}
	return got == want
}

func TestPatientTablesRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	rs := handPatients()
	writeAll(t, dir, rs)
	d := mustOpen(t, dir)
	checkAll(t, d, rs)

	for table, cols := range byName {
		if len(cols) != len(tableColumns(table)) {
			t.Errorf("%s: the test knows %d columns, the schema has %d", table, len(cols), len(tableColumns(table)))
		}
		tbl, err := d.Table(table)
		if err != nil {
			t.Fatal(err)
		}
		// the rows the table must hold, in order: (result, index)
		type at struct{ r, i int }
		var rows []at
		for k := range rs {
			p := rs[k].Patient
			switch {
			case p == nil:
			case table == TablePatients:
				rows = append(rows, at{k, 0})
			case table == TableLesions:
				for i := range p.LesionRows {
					rows = append(rows, at{k, i})
				}
			case table == TableScans:
				for i := range p.Scans {
					rows = append(rows, at{k, i})
				}
			}
		}
		if int(tbl.NumRows()) != len(rows) {
			t.Errorf("%s: %d rows, want %d", table, tbl.NumRows(), len(rows))
		}
		for c, f := range tbl.Schema().Fields() {
			want, ok := cols[f.Name]
			if !ok {
				t.Errorf("%s: column %q unknown to the test", table, f.Name)
				continue
			}
			a := tbl.Column(c).Data().Chunk(0)
			for j, x := range rows {
				got := cell(a, j)
				w := want(&rs[x.r], x.i)
				if table == TablePatients && f.Name == "new_lesion_at_progression" && math.IsNaN(rs[x.r].TTP) {
					w = nil
				}
				if !sameCell(got, w) {
					t.Errorf("%s.%s row %d: %v, want %v", table, f.Name, j, got, w)
				}
			}
		}
		tbl.Release()
	}

	// the clones' lesion column: from the ids, null for a single tumour
	tbl, err := d.Table(TableClones)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	les := tbl.Column(tbl.Schema().FieldIndices("lesion")[0]).Data().Chunk(0)
	want := []any{int32(0), int32(0), int32(1), int32(2), nil}
	for i, w := range want {
		if got := cell(les, i); got != w {
			t.Errorf("clones.lesion row %d: %v, want %v", i, got, w)
		}
	}
}

// A clone whose id lies beyond the patient's lesions is refused.
func TestPatientCloneOutsideLesions(t *testing.T) {
	rs := handPatients()[:1]
	rs[0].Clones = append(rs[0].Clones, sim.CloneRecord{ID: 31, Parent: 0, Mutation: "x", Extinct: nan})
	w, err := Create(t.TempDir(), testMeta)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if err := w.Write(&rs[0]); err == nil {
		t.Fatal("a clone outside every lesion was written")
	}
}

// trialCfg is a small virtual trial: 2000 mg rezatapopt until progression.
func trialCfg(seed uint64) sim.Config {
	pc := sim.DefaultPatient()
	pc.Burden = sim.LogNormal10(2e9, 0.3).Truncate(9e8, 1e10)
	pc.Lesions = sim.LogNormal10(3, 0.3).Truncate(1, 6)
	pc.Occult = sim.Fixed(1)
	return simtest.TrialConfig(2000, seed, pc)
}

// Patients from the engine: the tables are byte-identical for 1 and 3
// workers; each lesion holds one founder in the clones table and every
// parent lies in its child's lesion; the genotypes of a patient add up to
// its final class totals; the lesions table has the patient's lesions.
func TestPatientsEngine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the engine")
	}
	cfg := trialCfg(3)
	meta := testMeta
	meta.Drugs = []string{"rezatapopt", "nextgen", "offaxis"}
	meta.Count = 10
	var dirs []string
	for _, workers := range []int{1, 3} {
		dir := filepath.Join(t.TempDir(), "w")
		if err := Simulate(context.Background(), dir, meta, &cfg, sim.RunOptions{Count: 10, Workers: workers}); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	for _, table := range Tables {
		a, err := os.ReadFile(filepath.Join(dirs[0], table+".arrow"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dirs[1], table+".arrow"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between 1 and 3 workers", table)
		}
	}
	d, err := Open(dirs[0])
	if err != nil {
		t.Fatal(err)
	}
	ps, _ := d.Patients()
	ls, _ := d.Lesions()
	cs, _ := d.Clones()
	gs, _ := d.Genotypes()
	runs, _ := d.Runs()
	sc, _ := d.Scans()
	if len(ps) != 10 || len(runs) != 10 || len(sc) == 0 {
		t.Fatalf("%d patients, %d runs, %d scans", len(ps), len(runs), len(sc))
	}
	nles := map[int]int{}
	for _, l := range ls {
		nles[l.Replicate]++
	}
	for _, p := range ps {
		if nles[p.Replicate] != p.Lesions+p.OccultLesions {
			t.Errorf("patient %d: %d lesion rows, %d + %d lesions", p.Replicate, nles[p.Replicate], p.Lesions, p.OccultLesions)
		}
	}
	type key struct{ rep, les int }
	founders := map[key]int{}
	lesionOf := map[[2]int64]int{}
	for _, c := range cs {
		if c.Lesion < 0 || c.Lesion >= nles[c.Replicate] {
			t.Fatalf("patient %d clone %d: lesion %d of %d", c.Replicate, c.ID, c.Lesion, nles[c.Replicate])
		}
		lesionOf[[2]int64{int64(c.Replicate), c.ID}] = c.Lesion
		if c.Parent < 0 {
			founders[key{c.Replicate, c.Lesion}]++
		}
	}
	parents := 0
	for _, c := range cs {
		if c.Parent >= 0 {
			if pl, ok := lesionOf[[2]int64{int64(c.Replicate), c.Parent}]; ok {
				parents++
				if pl != c.Lesion {
					t.Errorf("patient %d: clone %d in lesion %d, parent %d in lesion %d", c.Replicate, c.ID, c.Lesion, c.Parent, pl)
				}
			}
		}
	}
	for _, l := range ls {
		if n := founders[key{l.Replicate, l.Lesion}]; n != 1 {
			t.Errorf("patient %d lesion %d: %d founders in the clones table, want 1", l.Replicate, l.Lesion, n)
		}
	}
	if parents == 0 {
		t.Error("no recorded clone has a recorded parent: the parent check saw nothing")
	}
	var sum = map[int][3]int64{}
	for _, g := range gs {
		s := sum[g.Replicate]
		s[classIndex(t, g.Class)] += g.Cells
		sum[g.Replicate] = s
	}
	for _, r := range runs {
		if sum[r.Replicate] != r.Final {
			t.Errorf("patient %d: genotypes sum to %v, final %v", r.Replicate, sum[r.Replicate], r.Final)
		}
	}
}

func classIndex(t *testing.T, s string) int {
	for k := range model.NumClasses {
		if k.String() == s {
			return int(k)
		}
	}
	t.Fatalf("unknown class %q", s)
	return 0
}
