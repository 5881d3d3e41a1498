package dataset

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/p53evo/p53evo/internal/errprefix"
)

// OptionalFloats reads a float64 column of a table that the dataset's
// schema need not have (a column added in a later schema, or one of another
// tool): ok is false when the files lack it. Nulls are NaN. A column found
// in some files and not in others, or of another type, is an error.
func (d *Dataset) OptionalFloats(table, col string) (vals []float64, ok bool, err error) {
	defer errprefix.Wrap(&err, "dataset")
	err = d.Scan(table, func(rec arrow.RecordBatch) error {
		idx := rec.Schema().FieldIndices(col)
		if len(idx) == 0 {
			if ok {
				return fmt.Errorf("column %s is missing from some %s files", col, table)
			}
			return nil
		}
		arr, isF := rec.Column(idx[0]).(*array.Float64)
		if !isF {
			return fmt.Errorf("column %s has type %s, want float64", col, rec.Column(idx[0]).DataType())
		}
		ok = true
		for i := 0; i < arr.Len(); i++ {
			v := math.NaN()
			if arr.IsValid(i) {
				v = arr.Value(i)
			}
			vals = append(vals, v)
		}
		return nil
	})
	return vals, ok, err
}

// ScanTrajectories calls fn with the rows of every record batch of the
// trajectories table, file after file, without holding the whole table:
// the rows (and their Conc) are valid only during the call.
func (d *Dataset) ScanTrajectories(fn func(rows []TrajRow) error) (err error) {
	defer errprefix.Wrap(&err, "dataset")
	return scanTraj(d.mem, d.Files(TableTrajectories), d.want(TableTrajectories), nil, fn)
}
