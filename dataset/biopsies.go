package dataset

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/sim"
)

// TableBiopsies is the tissue biopsies of virtual trial patients: one row
// per biopsy and resistance SNV with sampled carriers, called or not.
const TableBiopsies = "biopsies"

const (
	bxReplicate = iota
	bxLesion
	bxTime
	bxAt
	bxMutation
	bxClass
	bxCells
	bxCarriers
	bxTrueVAF
	bxAltReads
	bxDepth
	bxCalled
	bxNumCols
)

var biopsyColumns = [bxNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"lesion", i32, false, "", "lesion biopsied, numbered from 0 within the patient"},
	{"time", f64, false, "days", "time of the biopsy since treatment start"},
	{"at", utf8, false, "", "which biopsy: baseline or progression"},
	{"mutation", utf8, false, "", "resistance SNV (catalog name; name#k, the entry's k-th SNV, when the entry stands for several SNVs)"},
	{"class", utf8, false, "", "resistance class of the SNV: ta-loss or pocket"},
	{"cells", i64, false, "cells", "tumour cells in the sample (the whole lesion when it had fewer than asked)"},
	{"carriers", f64, false, "cells", "sampled tumour cells carrying the SNV"},
	{"true_vaf", f64, false, "fraction", "carriers' share of the sample's TP53 alleles after dilution by normal cells to the purity"},
	{"alt_reads", i64, false, "reads", "sequencing reads carrying the SNV"},
	{"depth", i64, false, "reads", "sequencing depth at the locus"},
	{"called", bln, false, "", "whether the biopsy calls the SNV (enough alt reads and observed VAF at or above the limit of detection)"},
}

var biopsySchema = newSchema(TableBiopsies, biopsyColumns[:])

// writeBiopsies appends a patient's biopsy rows (none for a single lesion).
func (w *Writer) writeBiopsies(r *sim.Result) {
	if r.Patient == nil || len(r.Patient.Biopsies) == 0 {
		return
	}
	x := &w.bb
	rb, les, tm := x[bxReplicate].(*array.Int32Builder), x[bxLesion].(*array.Int32Builder), x[bxTime].(*array.Float64Builder)
	at, mut, cls := x[bxAt].(*array.StringBuilder), x[bxMutation].(*array.StringBuilder), x[bxClass].(*array.StringBuilder)
	cells, car, vaf := x[bxCells].(*array.Int64Builder), x[bxCarriers].(*array.Float64Builder), x[bxTrueVAF].(*array.Float64Builder)
	alt, depth, called := x[bxAltReads].(*array.Int64Builder), x[bxDepth].(*array.Int64Builder), x[bxCalled].(*array.BooleanBuilder)
	for i := range r.Patient.Biopsies {
		b := &r.Patient.Biopsies[i]
		rb.Append(int32(r.Replicate))
		les.Append(int32(b.Lesion))
		tm.Append(b.Time)
		at.Append(b.At.String())
		mut.Append(b.Mutation)
		cls.Append(b.Class.String())
		cells.Append(b.Cells)
		car.Append(b.Carriers)
		vaf.Append(b.TrueVAF)
		alt.Append(b.AltReads)
		depth.Append(b.Depth)
		called.Append(b.Called)
	}
	w.biopsies.pending += len(r.Patient.Biopsies)
}

// BiopsyRow is one row of the biopsies table.
type BiopsyRow struct {
	Replicate int
	Lesion    int
	Time      float64
	At        string // baseline, progression
	Mutation  string
	Class     string // ta-loss, pocket
	Cells     int64
	Carriers  float64
	TrueVAF   float64
	AltReads  int64
	Depth     int64
	Called    bool
}

// Biopsies reads the biopsies table.
func (d *Dataset) Biopsies() ([]BiopsyRow, error) {
	return readBiopsies(d.mem, d.Files(TableBiopsies), false)
}

// CalledBiopsies reads the rows of the biopsies table whose SNV the biopsy
// called: a small share of the table (most rows are SNVs too rare in the
// sample), without holding the others in memory.
func (d *Dataset) CalledBiopsies() ([]BiopsyRow, error) {
	return readBiopsies(d.mem, d.Files(TableBiopsies), true)
}

// ReadBiopsiesFiles is ReadRunsFiles for the biopsies table.
func ReadBiopsiesFiles(paths ...string) ([]BiopsyRow, error) {
	return readBiopsies(memory.DefaultAllocator, paths, false)
}

func readBiopsies(mem memory.Allocator, paths []string, calledOnly bool) (_ []BiopsyRow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	var rows []BiopsyRow
	in := interner{}
	err = eachBatch(mem, fixed(biopsyColumns[:]), paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		rep, les, tm := c(bxReplicate).(*array.Int32), c(bxLesion).(*array.Int32), c(bxTime).(*array.Float64)
		at, mut, cls := c(bxAt).(*array.String), c(bxMutation).(*array.String), c(bxClass).(*array.String)
		cells, car, vaf := c(bxCells).(*array.Int64), c(bxCarriers).(*array.Float64), c(bxTrueVAF).(*array.Float64)
		alt, depth, called := c(bxAltReads).(*array.Int64), c(bxDepth).(*array.Int64), c(bxCalled).(*array.Boolean)
		for i := 0; i < int(rec.NumRows()); i++ {
			if calledOnly && !called.Value(i) {
				continue
			}
			rows = append(rows, BiopsyRow{
				Replicate: int(rep.Value(i)), Lesion: int(les.Value(i)), Time: tm.Value(i), At: in.get(at.Value(i)),
				Mutation: in.get(mut.Value(i)), Class: in.get(cls.Value(i)), Cells: cells.Value(i), Carriers: car.Value(i),
				TrueVAF: vaf.Value(i), AltReads: alt.Value(i), Depth: depth.Value(i), Called: called.Value(i),
			})
		}
		return nil
	})
	return rows, err
}
