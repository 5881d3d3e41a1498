package dataset

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/sim"
)

// TableDraws is the draws of patient.vary: one row per patient and varied
// parameter drawn per patient, and per lesion and parameter drawn per
// lesion.
const TableDraws = "draws"

const (
	drReplicate = iota
	drLesion
	drParameter
	drValue
	drNumCols
)

var drawColumns = [drNumCols]column{
	{"replicate", i32, false, "", repDesc},
	{"lesion", i32, true, "", "lesion the value was drawn for, numbered from 0 within the patient; null for a draw per patient"},
	{"parameter", utf8, false, "", "the scenario path of the varied model parameter, list entries named (drugs[rezatapopt].ec50, growth.birth)"},
	{"value", f64, false, "", "the value drawn, in the parameter's own unit; it replaces the scenario's value for the patient (or lesion) before the patient's growth and kill multipliers apply"},
}

var drawSchema = newSchema(TableDraws, drawColumns[:])

// writeDraws appends a patient's draws (none without patient.vary).
func (w *Writer) writeDraws(r *sim.Result) {
	if r.Patient == nil || len(r.Patient.Draws) == 0 {
		return
	}
	x := &w.drb
	rb, les := x[drReplicate].(*array.Int32Builder), x[drLesion].(*array.Int32Builder)
	par, val := x[drParameter].(*array.StringBuilder), x[drValue].(*array.Float64Builder)
	for i := range r.Patient.Draws {
		d := &r.Patient.Draws[i]
		rb.Append(int32(r.Replicate))
		if d.Lesion < 0 {
			les.AppendNull()
		} else {
			les.Append(int32(d.Lesion))
		}
		par.Append(d.Param)
		val.Append(d.Value)
	}
	w.draws.pending += len(r.Patient.Draws)
}

// DrawRow is one row of the draws table.
type DrawRow struct {
	Replicate int
	Lesion    int // -1 for a draw per patient (null in the table)
	Parameter string
	Value     float64
}

// Draws reads the draws table.
func (d *Dataset) Draws() (_ []DrawRow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	return readDraws(d.mem, d.Files(TableDraws))
}

// ReadDrawsFiles is ReadRunsFiles for the draws table.
func ReadDrawsFiles(paths ...string) (_ []DrawRow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	return readDraws(memory.DefaultAllocator, paths)
}

func readDraws(mem memory.Allocator, paths []string) ([]DrawRow, error) {
	var rows []DrawRow
	in := interner{}
	err := eachBatch(mem, fixed(drawColumns[:]), paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		rep, les := c(drReplicate).(*array.Int32), c(drLesion).(*array.Int32)
		par, val := c(drParameter).(*array.String), c(drValue).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			rows = append(rows, DrawRow{Replicate: int(rep.Value(i)), Lesion: nullableI32(les, i), Parameter: in.get(par.Value(i)), Value: val.Value(i)})
		}
		return nil
	})
	return rows, err
}
