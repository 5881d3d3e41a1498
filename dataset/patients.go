package dataset

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// The tables of virtual trial patients (scenarios with a patient section):
// patients (one row per patient), lesions (one row per lesion) and scans
// (one row per RECIST reading). A dataset of single-tumour replicates has
// them empty.

// Column indices of the patients table, in schema order.
const (
	patReplicate = iota
	patLesions
	patOccult
	patTargets
	patRedraws
	patDrawnBurden
	patBaselineCells
	patGrowth
	patKill
	patNonDependent
	patShed
	patBaselineSum
	patNadirSum
	patBestResponse
	patBestPct
	patResponseTime
	patProgressionTime
	patNewLesion
	patDoR
	patEndTime
	patBaselineTF
	patBaselineVAF
	patBaselineCalled
	patFirstCTDNACall
	patCTDNALead
	patPlasmaTALoss
	patPlasmaPocket
	patTissueTALoss
	patTissuePocket
	patNumCols
)

var patientColumns = [patNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"lesions", i32, false, "count", "imaging-visible lesions at trial entry (drawn)"},
	{"occult_lesions", i32, false, "count", "lesions below imaging visibility at entry (drawn); one that becomes visible is a new lesion"},
	{"target_lesions", i32, false, "count", "RECIST target lesions: the largest visible lesions of at least patient.min_target_mm, at most patient.max_targets"},
	{"redraws", i32, false, "count", "times the patient was drawn again for want of a lesion large enough to be a target"},
	{"drawn_burden", f64, false, "cells", "total tumour cells drawn for trial entry, split among the visible lesions"},
	{"baseline_cells", i64, false, "cells", "tumour cells at treatment start, all lesions (occult ones included)"},
	{"growth_factor", f64, false, "", "patient's multiplier of the untreated net growth rate b - d (drawn)"},
	{"kill_factor", f64, false, "", "patient's multiplier of every reactivator's maximal kill (drawn; 0 for a non-dependent patient)"},
	{"non_dependent", bln, false, "", "whether the patient's tumours were drawn as not depending on restored p53 (no reactivator kill)"},
	{"shed_factor", f64, false, "", "patient's multiplier of the ctDNA shed per dying cell (drawn)"},
	{"baseline_sum_mm", f64, false, "mm", "sum of the target lesions' longest diameters at baseline"},
	{"nadir_sum_mm", f64, false, "mm", "smallest sum of diameters before the first progression (baseline included)"},
	{"best_response", utf8, false, "", "RECIST 1.1 best overall response (confirmed when patient.confirm): CR, PR, SD, PD or NE (no scan)"},
	{"best_pct_change", f64, true, "percent", "best (lowest) change of the sum of diameters from baseline at the scans up to the first progression, in % (negative: shrinkage; positive: it never shrank); null if no scan"},
	{"response_time", f64, true, "days", "first scan of the response that made the best overall response PR or CR; null if neither"},
	{"progression_time", f64, true, "days", "first progression (RECIST PD at a scan, or lethal burden), as runs.ttp; null if none"},
	{"new_lesion_at_progression", bln, true, "", "whether the first progression was called on a new lesion; null if no progression"},
	{"duration_of_response", f64, true, "days", "progression_time - response_time; null unless both exist (a responder without progression is censored at end_time)"},
	{"end_time", f64, false, "days", "end of follow-up: time the simulation of the patient stopped"},
	{"baseline_tumour_fraction", f64, false, "fraction", "tumour fraction of the cell-free DNA at the baseline blood draw"},
	{"baseline_y220c_vaf", f64, false, "fraction", "true variant allele fraction of the truncal Y220C in plasma at baseline"},
	{"baseline_y220c_called", bln, false, "", "whether the baseline draw calls Y220C"},
	{"first_ctdna_call", f64, true, "days", "time of the first ctDNA draw calling a resistance mutation, as runs.first_ctdna_call; null if none"},
	{"ctdna_lead", f64, true, "days", "lead of the first ctDNA call over imaging progression, progression_time - first_ctdna_call; null unless both exist"},
	{"plasma_snvs_ta_loss", i32, false, "count", "distinct ta-loss SNVs called in plasma up to the first progression (all follow-up without one); an SNV called in several draws counts once"},
	{"plasma_snvs_pocket", i32, false, "count", "distinct pocket-disrupting SNVs called in plasma up to the first progression, as plasma_snvs_ta_loss"},
	{"tissue_snvs_ta_loss", i32, false, "count", "distinct ta-loss SNVs called by the patient's tissue biopsies up to the first progression (the progression biopsy included); an SNV called in several biopsies counts once"},
	{"tissue_snvs_pocket", i32, false, "count", "distinct pocket-disrupting SNVs called by tissue biopsies up to the first progression, as tissue_snvs_ta_loss"},
}

// Column indices of the lesions table.
const (
	lesReplicate = iota
	lesLesion
	lesOccult
	lesTarget
	lesLesionKill
	lesKill
	lesAttempts
	lesGrowthDays
	lesStartSensitive
	lesStartTALoss
	lesStartPocket
	lesBaselineMM
	lesNadir
	lesNadirMM
	lesNadirTime
	lesVisibleTime
	lesProgressionTime
	lesFinalSensitive
	lesFinalTALoss
	lesFinalPocket
	lesClonesBorn
	lesNumCols
)

var lesionColumns = [lesNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"lesion", i32, false, "", "lesion number within the patient, from 0 (visible lesions first, then occult ones); joins clones.lesion"},
	{"occult", bln, false, "", "whether the lesion was below imaging visibility at entry"},
	{"target", bln, false, "", "whether the lesion is a RECIST target lesion"},
	{"lesion_kill_factor", f64, false, "", "lesion's own multiplier of the reactivator's maximal kill (drawn), on top of patients.kill_factor"},
	{"kill_factor", f64, false, "", "lesion's drawn sensitivity: the multiplier of the reactivator's maximal kill in force, patients.kill_factor x lesion_kill_factor"},
	{"attempts", i32, false, "count", "founders needed until one grew to the lesion's size"},
	{"growth_days", f64, false, "days", "time from the lesion's founding cell to its size at trial entry"},
	{"start_sensitive", i64, false, "cells", "sensitive cells of the lesion at treatment start"},
	{"start_ta_loss", i64, false, "cells", "transactivation-loss (class A) cells of the lesion at treatment start"},
	{"start_pocket", i64, false, "cells", "pocket-mutant (class B) cells of the lesion at treatment start"},
	{"baseline_diameter_mm", f64, false, "mm", "longest diameter at baseline as imaging reads it (a sphere; 0 below patient.visible_mm)"},
	{"nadir", i64, false, "cells", "smallest cells of the lesion at a scan (baseline included)"},
	{"nadir_diameter_mm", f64, false, "mm", "diameter of the lesion at its nadir (0 when not visible)"},
	{"nadir_time", f64, false, "days", "time of the nadir (0: baseline)"},
	{"visible_time", f64, true, "days", "first scan at which an occult lesion was visible; null if never (and for visible lesions)"},
	{"progression_time", f64, true, "days", "first scan at which the lesion itself progressed: diameter at least 20% and 5 mm above its nadir diameter (an occult lesion appearing counts); null if never"},
	{"final_sensitive", i64, false, "cells", "sensitive cells of the lesion at the end"},
	{"final_ta_loss", i64, false, "cells", "transactivation-loss (class A) cells of the lesion at the end"},
	{"final_pocket", i64, false, "cells", "pocket-mutant (class B) cells of the lesion at the end"},
	{"clones_born", i64, false, "count", "clones founded in the lesion, its founder included"},
}

// Column indices of the scans table.
const (
	scanReplicate = iota
	scanNumber
	scanTime
	scanSumMM
	scanPctBaseline
	scanNadirMM
	scanPctNadir
	scanNewLesion
	scanResponse
	scanVisibleCells
	scanNumCols
)

var scanColumns = [scanNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"scan", i32, false, "", "scan number after baseline, from 1"},
	{"time", f64, false, "days", "time of the scan since treatment start"},
	{"sum_mm", f64, false, "mm", "sum of the target lesions' longest diameters"},
	{"pct_from_baseline", f64, false, "percent", "change of sum_mm from the baseline sum of the line of therapy, in %"},
	{"nadir_mm", f64, false, "mm", "smallest sum of the line before this scan (baseline included): the reference for progression"},
	{"pct_from_nadir", f64, true, "percent", "change of sum_mm from nadir_mm, in % (progression needs at least +20% and +5 mm); null when nadir_mm is 0"},
	{"new_lesion", bln, false, "", "whether a lesion not seen before became visible at this scan (progression)"},
	{"response", utf8, false, "", "RECIST 1.1 response at this scan: CR, PR, SD or PD (after the progression that ended treatment, follow-up scans read SD)"},
	{"visible_cells", i64, false, "cells", "cells in the lesions imaging sees (diameter at least patient.visible_mm)"},
}

var (
	patientsSchema = newSchema(TablePatients, patientColumns[:])
	lesionsSchema  = newSchema(TableLesions, lesionColumns[:])
	scansSchema    = newSchema(TableScans, scanColumns[:])
)

// checkPatient rejects a patient the tables cannot represent.
func checkPatient(r *sim.Result) error {
	p := r.Patient
	if p == nil {
		return nil
	}
	for _, n := range []int{p.Lesions, p.Occult, p.Targets, p.Redraws, len(p.LesionRows), len(p.Scans)} {
		if n < 0 || n > math.MaxInt32 {
			return fmt.Errorf("replicate %d: patient count %d does not fit int32", r.Replicate, n)
		}
	}
	for i := range p.LesionRows {
		if p.LesionRows[i].Attempts > math.MaxInt32 {
			return fmt.Errorf("replicate %d: lesion %d: attempts do not fit int32", r.Replicate, i)
		}
	}
	for i := range p.Scans {
		if p.Scans[i].Response > sim.PD {
			return fmt.Errorf("replicate %d: scan %d: unknown response %d", r.Replicate, i+1, p.Scans[i].Response)
		}
	}
	return nil
}

func appendNullableBool(b *array.BooleanBuilder, v, valid bool) {
	if valid {
		b.Append(v)
	} else {
		b.AppendNull()
	}
}

// writePatient appends a patient's rows to the patients, lesions and scans
// tables.
func (w *Writer) writePatient(r *sim.Result) {
	p := r.Patient
	if p == nil {
		return
	}
	rep := int32(r.Replicate)
	b := &w.pb
	b[patReplicate].(*array.Int32Builder).Append(rep)
	b[patLesions].(*array.Int32Builder).Append(int32(p.Lesions))
	b[patOccult].(*array.Int32Builder).Append(int32(p.Occult))
	b[patTargets].(*array.Int32Builder).Append(int32(p.Targets))
	b[patRedraws].(*array.Int32Builder).Append(int32(p.Redraws))
	b[patDrawnBurden].(*array.Float64Builder).Append(p.Burden)
	b[patBaselineCells].(*array.Int64Builder).Append(r.AtStart[model.Sensitive] + r.AtStart[model.ClassTALoss] + r.AtStart[model.ClassPocket])
	b[patGrowth].(*array.Float64Builder).Append(p.GrowthMult)
	b[patKill].(*array.Float64Builder).Append(p.KillMult)
	b[patNonDependent].(*array.BooleanBuilder).Append(p.NonDependent)
	b[patShed].(*array.Float64Builder).Append(p.ShedFactor)
	b[patBaselineSum].(*array.Float64Builder).Append(p.BaselineSum)
	b[patNadirSum].(*array.Float64Builder).Append(p.NadirSum)
	b[patBestResponse].(*array.StringBuilder).Append(r.BestResponse.String())
	appendNullable(b[patBestPct].(*array.Float64Builder), p.BestPct)
	appendNullable(b[patResponseTime].(*array.Float64Builder), p.ResponseTime)
	appendNullable(b[patProgressionTime].(*array.Float64Builder), r.TTP)
	appendNullableBool(b[patNewLesion].(*array.BooleanBuilder), p.NewLesion, !math.IsNaN(r.TTP))
	appendNullable(b[patDoR].(*array.Float64Builder), p.DoR)
	b[patEndTime].(*array.Float64Builder).Append(r.EndTime)
	b[patBaselineTF].(*array.Float64Builder).Append(p.BaselineTF)
	b[patBaselineVAF].(*array.Float64Builder).Append(p.BaselineVAF)
	b[patBaselineCalled].(*array.BooleanBuilder).Append(p.BaselineDetected)
	appendNullable(b[patFirstCTDNACall].(*array.Float64Builder), r.FirstCTDNACall)
	appendNullable(b[patCTDNALead].(*array.Float64Builder), r.CTDNALead)
	b[patPlasmaTALoss].(*array.Int32Builder).Append(int32(p.PlasmaSNVs[model.ClassTALoss]))
	b[patPlasmaPocket].(*array.Int32Builder).Append(int32(p.PlasmaSNVs[model.ClassPocket]))
	b[patTissueTALoss].(*array.Int32Builder).Append(int32(p.TissueSNVs[model.ClassTALoss]))
	b[patTissuePocket].(*array.Int32Builder).Append(int32(p.TissueSNVs[model.ClassPocket]))
	w.patients.pending++
	w.writeLesions(p, rep)
	w.writeScans(p, rep)
}

// writeLesions appends a patient's lesions to the lesions table.
func (w *Writer) writeLesions(p *sim.PatientResult, rep int32) {
	n := len(p.LesionRows)
	if n == 0 {
		return
	}
	l := &w.lb
	for i := range p.LesionRows {
		x := &p.LesionRows[i]
		l[lesReplicate].(*array.Int32Builder).Append(rep)
		l[lesLesion].(*array.Int32Builder).Append(int32(x.Lesion))
		l[lesOccult].(*array.BooleanBuilder).Append(x.Occult)
		l[lesTarget].(*array.BooleanBuilder).Append(x.Target)
		l[lesLesionKill].(*array.Float64Builder).Append(x.KillMult)
		l[lesKill].(*array.Float64Builder).Append(p.KillMult * x.KillMult)
		l[lesAttempts].(*array.Int32Builder).Append(int32(x.Attempts))
		l[lesGrowthDays].(*array.Float64Builder).Append(x.GrowthDays)
		l[lesStartSensitive].(*array.Int64Builder).Append(x.Start[model.Sensitive])
		l[lesStartTALoss].(*array.Int64Builder).Append(x.Start[model.ClassTALoss])
		l[lesStartPocket].(*array.Int64Builder).Append(x.Start[model.ClassPocket])
		l[lesBaselineMM].(*array.Float64Builder).Append(x.StartDiameter)
		l[lesNadir].(*array.Int64Builder).Append(x.Nadir)
		l[lesNadirMM].(*array.Float64Builder).Append(x.NadirMM)
		l[lesNadirTime].(*array.Float64Builder).Append(x.NadirTime)
		appendNullable(l[lesVisibleTime].(*array.Float64Builder), x.Visible)
		appendNullable(l[lesProgressionTime].(*array.Float64Builder), x.Progressed)
		l[lesFinalSensitive].(*array.Int64Builder).Append(x.Final[model.Sensitive])
		l[lesFinalTALoss].(*array.Int64Builder).Append(x.Final[model.ClassTALoss])
		l[lesFinalPocket].(*array.Int64Builder).Append(x.Final[model.ClassPocket])
		l[lesClonesBorn].(*array.Int64Builder).Append(x.ClonesBorn)
	}
	w.lesions.pending += n
}

// writeScans appends a patient's scans to the scans table.
func (w *Writer) writeScans(p *sim.PatientResult, rep int32) {
	n := len(p.Scans)
	if n == 0 {
		return
	}
	s := &w.sb
	for i := range p.Scans {
		x := &p.Scans[i]
		s[scanReplicate].(*array.Int32Builder).Append(rep)
		s[scanNumber].(*array.Int32Builder).Append(int32(i + 1))
		s[scanTime].(*array.Float64Builder).Append(x.Time)
		s[scanSumMM].(*array.Float64Builder).Append(x.SumMM)
		s[scanPctBaseline].(*array.Float64Builder).Append(x.Pct)
		s[scanNadirMM].(*array.Float64Builder).Append(x.NadirMM)
		appendNullable(s[scanPctNadir].(*array.Float64Builder), x.PctFromNadir())
		s[scanNewLesion].(*array.BooleanBuilder).Append(x.NewLesion)
		s[scanResponse].(*array.StringBuilder).Append(x.Response.String())
		s[scanVisibleCells].(*array.Int64Builder).Append(x.Total)
	}
	w.scans.pending += n
}

// PatientRow is one row of the patients table. Null floats are NaN; a null
// NewLesionAtProgression is false (it is null exactly when ProgressionTime
// is NaN).
type PatientRow struct {
	Replicate                             int
	Lesions, OccultLesions, TargetLesions int
	Redraws                               int
	DrawnBurden                           float64
	BaselineCells                         int64
	GrowthFactor, KillFactor              float64
	NonDependent                          bool
	ShedFactor                            float64
	BaselineSumMM, NadirSumMM             float64
	BestResponse                          string // CR, PR, SD, PD, NE
	BestPctChange                         float64
	ResponseTime                          float64
	ProgressionTime                       float64
	NewLesionAtProgression                bool
	DurationOfResponse                    float64
	EndTime                               float64
	BaselineTumourFraction                float64
	BaselineY220CVAF                      float64
	BaselineY220CCalled                   bool
	FirstCTDNACall                        float64
	CTDNALead                             float64
	// distinct resistance SNVs called up to the first progression, by class
	PlasmaSNVsTALoss, PlasmaSNVsPocket int
	TissueSNVsTALoss, TissueSNVsPocket int
}

// Progressed reports whether the patient progressed.
func (p *PatientRow) Progressed() bool { return !math.IsNaN(p.ProgressionTime) }

// LesionRow is one row of the lesions table.
type LesionRow struct {
	Replicate        int
	Lesion           int
	Occult, Target   bool
	LesionKillFactor float64
	KillFactor       float64
	Attempts         int
	GrowthDays       float64
	Start            [model.NumClasses]int64
	BaselineMM       float64
	Nadir            int64
	NadirMM          float64
	NadirTime        float64
	VisibleTime      float64 // NaN: never (or visible from the start)
	ProgressionTime  float64 // NaN: never
	Final            [model.NumClasses]int64
	ClonesBorn       int64
}

// ScanRow is one row of the scans table.
type ScanRow struct {
	Replicate       int
	Scan            int
	Time            float64
	SumMM           float64
	PctFromBaseline float64
	NadirMM         float64
	PctFromNadir    float64 // NaN when NadirMM is 0
	NewLesion       bool
	Response        string // CR, PR, SD, PD
	VisibleCells    int64
}

// Patients reads the patients table (empty for single-tumour replicates).
func (d *Dataset) Patients() ([]PatientRow, error) {
	return readPatients(d.mem, d.Files(TablePatients))
}

// Lesions reads the lesions table.
func (d *Dataset) Lesions() ([]LesionRow, error) { return readLesions(d.mem, d.Files(TableLesions)) }

// Scans reads the scans table.
func (d *Dataset) Scans() ([]ScanRow, error) { return readScans(d.mem, d.Files(TableScans)) }

// ReadPatientsFiles is ReadRunsFiles for the patients table.
func ReadPatientsFiles(paths ...string) ([]PatientRow, error) {
	return readPatients(memory.DefaultAllocator, paths)
}

// ReadLesionsFiles is ReadRunsFiles for the lesions table.
func ReadLesionsFiles(paths ...string) ([]LesionRow, error) {
	return readLesions(memory.DefaultAllocator, paths)
}

// ReadScansFiles is ReadRunsFiles for the scans table.
func ReadScansFiles(paths ...string) ([]ScanRow, error) {
	return readScans(memory.DefaultAllocator, paths)
}

func nullableBool(a *array.Boolean, i int) bool { return a.IsValid(i) && a.Value(i) }

func readPatients(mem memory.Allocator, paths []string) (_ []PatientRow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	var rows []PatientRow
	in := interner{}
	err = eachBatch(mem, fixed(patientColumns[:]), paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		i32s := func(k int) *array.Int32 { return c(k).(*array.Int32) }
		f64s := func(k int) *array.Float64 { return c(k).(*array.Float64) }
		bools := func(k int) *array.Boolean { return c(k).(*array.Boolean) }
		best := c(patBestResponse).(*array.String)
		cells := c(patBaselineCells).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			rows = append(rows, PatientRow{
				Replicate:              int(i32s(patReplicate).Value(i)),
				Lesions:                int(i32s(patLesions).Value(i)),
				OccultLesions:          int(i32s(patOccult).Value(i)),
				TargetLesions:          int(i32s(patTargets).Value(i)),
				Redraws:                int(i32s(patRedraws).Value(i)),
				DrawnBurden:            f64s(patDrawnBurden).Value(i),
				BaselineCells:          cells.Value(i),
				GrowthFactor:           f64s(patGrowth).Value(i),
				KillFactor:             f64s(patKill).Value(i),
				NonDependent:           bools(patNonDependent).Value(i),
				ShedFactor:             f64s(patShed).Value(i),
				BaselineSumMM:          f64s(patBaselineSum).Value(i),
				NadirSumMM:             f64s(patNadirSum).Value(i),
				BestResponse:           in.get(best.Value(i)),
				BestPctChange:          nullableF64(f64s(patBestPct), i),
				ResponseTime:           nullableF64(f64s(patResponseTime), i),
				ProgressionTime:        nullableF64(f64s(patProgressionTime), i),
				NewLesionAtProgression: nullableBool(bools(patNewLesion), i),
				DurationOfResponse:     nullableF64(f64s(patDoR), i),
				EndTime:                f64s(patEndTime).Value(i),
				BaselineTumourFraction: f64s(patBaselineTF).Value(i),
				BaselineY220CVAF:       f64s(patBaselineVAF).Value(i),
				BaselineY220CCalled:    bools(patBaselineCalled).Value(i),
				FirstCTDNACall:         nullableF64(f64s(patFirstCTDNACall), i),
				CTDNALead:              nullableF64(f64s(patCTDNALead), i),
				PlasmaSNVsTALoss:       int(i32s(patPlasmaTALoss).Value(i)),
				PlasmaSNVsPocket:       int(i32s(patPlasmaPocket).Value(i)),
				TissueSNVsTALoss:       int(i32s(patTissueTALoss).Value(i)),
				TissueSNVsPocket:       int(i32s(patTissuePocket).Value(i)),
			})
		}
		return nil
	})
	return rows, err
}

func readLesions(mem memory.Allocator, paths []string) (_ []LesionRow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	var rows []LesionRow
	err = eachBatch(mem, fixed(lesionColumns[:]), paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		i32s := func(k int) *array.Int32 { return c(k).(*array.Int32) }
		i64s := func(k int) *array.Int64 { return c(k).(*array.Int64) }
		f64s := func(k int) *array.Float64 { return c(k).(*array.Float64) }
		bools := func(k int) *array.Boolean { return c(k).(*array.Boolean) }
		for i := 0; i < int(rec.NumRows()); i++ {
			r := LesionRow{
				Replicate:        int(i32s(lesReplicate).Value(i)),
				Lesion:           int(i32s(lesLesion).Value(i)),
				Occult:           bools(lesOccult).Value(i),
				Target:           bools(lesTarget).Value(i),
				LesionKillFactor: f64s(lesLesionKill).Value(i),
				KillFactor:       f64s(lesKill).Value(i),
				Attempts:         int(i32s(lesAttempts).Value(i)),
				GrowthDays:       f64s(lesGrowthDays).Value(i),
				BaselineMM:       f64s(lesBaselineMM).Value(i),
				Nadir:            i64s(lesNadir).Value(i),
				NadirMM:          f64s(lesNadirMM).Value(i),
				NadirTime:        f64s(lesNadirTime).Value(i),
				VisibleTime:      nullableF64(f64s(lesVisibleTime), i),
				ProgressionTime:  nullableF64(f64s(lesProgressionTime), i),
				ClonesBorn:       i64s(lesClonesBorn).Value(i),
			}
			for k := range model.NumClasses {
				r.Start[k] = i64s(lesStartSensitive + int(k)).Value(i)
				r.Final[k] = i64s(lesFinalSensitive + int(k)).Value(i)
			}
			rows = append(rows, r)
		}
		return nil
	})
	return rows, err
}

func readScans(mem memory.Allocator, paths []string) (_ []ScanRow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	var rows []ScanRow
	in := interner{}
	err = eachBatch(mem, fixed(scanColumns[:]), paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		i32s := func(k int) *array.Int32 { return c(k).(*array.Int32) }
		f64s := func(k int) *array.Float64 { return c(k).(*array.Float64) }
		resp := c(scanResponse).(*array.String)
		for i := 0; i < int(rec.NumRows()); i++ {
			rows = append(rows, ScanRow{
				Replicate:       int(i32s(scanReplicate).Value(i)),
				Scan:            int(i32s(scanNumber).Value(i)),
				Time:            f64s(scanTime).Value(i),
				SumMM:           f64s(scanSumMM).Value(i),
				PctFromBaseline: f64s(scanPctBaseline).Value(i),
				NadirMM:         f64s(scanNadirMM).Value(i),
				PctFromNadir:    nullableF64(f64s(scanPctNadir), i),
				NewLesion:       c(scanNewLesion).(*array.Boolean).Value(i),
				Response:        in.get(resp.Value(i)),
				VisibleCells:    c(scanVisibleCells).(*array.Int64).Value(i),
			})
		}
		return nil
	})
	return rows, err
}
