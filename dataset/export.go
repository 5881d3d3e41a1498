package dataset

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Export formats.
const (
	FormatCSV  = "csv"  // header row, then one row per record; nulls are empty
	FormatJSON = "json" // JSON lines: one object per row; nulls (and NaN) are null
)

// Export writes a whole table of the dataset in dir to w as CSV or JSON
// lines. The dataset is verified as by Open. Floats are written in the
// shortest form that reads back to the same float64.
func Export(dir, table, format string, w io.Writer) error {
	d, err := Open(dir)
	if err != nil {
		return err
	}
	return d.Export(table, format, w)
}

// Export writes the named table to w (see the function Export).
func (d *Dataset) Export(table, format string, w io.Writer) error {
	schema := d.Schema(table)
	if schema == nil {
		return unknownTable(table)
	}
	switch format {
	case FormatCSV:
		return d.exportCSV(table, schema, w)
	case FormatJSON, "jsonl", "ndjson":
		return d.exportJSON(table, schema, w)
	}
	return fmt.Errorf("dataset: unknown export format %q (formats: csv, json)", format)
}

func (d *Dataset) exportCSV(table string, schema *arrow.Schema, w io.Writer) error {
	cw := csv.NewWriter(w)
	rec := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		rec[i] = f.Name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	var buf []byte
	err := d.Scan(table, func(b arrow.RecordBatch) error {
		cols, err := columnsByName(schema, b)
		if err != nil {
			return err
		}
		for i := 0; i < int(b.NumRows()); i++ {
			for j, c := range cols {
				if c.IsNull(i) {
					rec[j] = ""
					continue
				}
				buf = appendValue(buf[:0], c, i, false)
				rec[j] = string(buf)
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func (d *Dataset) exportJSON(table string, schema *arrow.Schema, w io.Writer) error {
	bw := bufio.NewWriter(w)
	keys := make([][]byte, schema.NumFields())
	for i, f := range schema.Fields() {
		k, err := json.Marshal(f.Name)
		if err != nil {
			return err
		}
		keys[i] = append(k, ':')
	}
	var buf []byte
	err := d.Scan(table, func(b arrow.RecordBatch) error {
		cols, err := columnsByName(schema, b)
		if err != nil {
			return err
		}
		for i := 0; i < int(b.NumRows()); i++ {
			buf = append(buf[:0], '{')
			for j, c := range cols {
				if j > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, keys[j]...)
				if c.IsNull(i) {
					buf = append(buf, "null"...)
				} else {
					buf = appendValue(buf, c, i, true)
				}
			}
			buf = append(buf, '}', '\n')
			if _, err := bw.Write(buf); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// columnsByName returns b's columns in schema order.
func columnsByName(schema *arrow.Schema, b arrow.RecordBatch) ([]arrow.Array, error) {
	cols := make([]arrow.Array, schema.NumFields())
	for i, f := range schema.Fields() {
		js := b.Schema().FieldIndices(f.Name)
		if len(js) != 1 {
			return nil, fmt.Errorf("column %q missing", f.Name)
		}
		cols[i] = b.Column(js[0])
	}
	return cols, nil
}

func appendValue(buf []byte, a arrow.Array, i int, jsonMode bool) []byte {
	switch a := a.(type) {
	case *array.Int32:
		return strconv.AppendInt(buf, int64(a.Value(i)), 10)
	case *array.Int64:
		return strconv.AppendInt(buf, a.Value(i), 10)
	case *array.Uint64:
		return strconv.AppendUint(buf, a.Value(i), 10)
	case *array.Boolean:
		return strconv.AppendBool(buf, a.Value(i))
	case *array.Float64:
		v := a.Value(i)
		if jsonMode && (math.IsNaN(v) || math.IsInf(v, 0)) {
			return append(buf, "null"...)
		}
		return strconv.AppendFloat(buf, v, 'g', -1, 64)
	case *array.String:
		if jsonMode {
			b, _ := json.Marshal(a.Value(i)) // a string always marshals
			return append(buf, b...)
		}
		return append(buf, a.Value(i)...)
	}
	s := a.ValueStr(i)
	if jsonMode {
		b, _ := json.Marshal(s)
		return append(buf, b...)
	}
	return append(buf, s...)
}
