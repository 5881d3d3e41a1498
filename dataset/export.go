package dataset

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/p53evo/p53evo/internal/errprefix"
)

// Export formats.
const (
	// FormatCSV: a header row, then one row per record; nulls are empty.
	// uint64 columns (stream, seed) are always quoted, so that readers
	// that keep quoted fields as text keep every digit; readers that sniff
	// types (DuckDB's read_csv) still need the column typed as an unsigned
	// 64-bit integer (types = {'stream': 'UBIGINT'}).
	FormatCSV = "csv"
	// FormatJSON: JSON lines, one object per row; nulls (and NaN) are null.
	FormatJSON = "json"
	// FormatParquet and FormatArrow write the table as one table file
	// (Parquet, or Arrow IPC), with its schema and field metadata.
	FormatParquet = "parquet"
	FormatArrow   = "arrow"
)

// ExportFormats lists Export's formats.
var ExportFormats = []string{FormatCSV, FormatJSON, FormatParquet, FormatArrow}

// Extra is a column with one value for all rows of a Part: a string or a
// float64 (for example a sweep point's id and varied parameters).
type Extra struct {
	Name        string
	Value       any // string or float64
	Description string
}

// Part is a dataset whose table goes into an export, with extra columns put
// before the table's own.
type Part struct {
	D     *Dataset
	Extra []Extra
}

// Export writes a whole table of the dataset in dir to w as CSV, JSON lines,
// Parquet or Arrow IPC (zstd). The dataset is verified as by Open. Floats
// are written in the shortest form that reads back to the same float64.
func Export(dir, table, format string, w io.Writer) (err error) {
	defer errprefix.Wrap(&err, "dataset")
	d, err := Open(dir)
	if err != nil {
		return err
	}
	return d.Export(table, format, w)
}

// Export writes the named table to w (see the function Export).
func (d *Dataset) Export(table, format string, w io.Writer) (err error) {
	defer errprefix.Wrap(&err, "dataset")
	return ExportParts(w, table, format, Zstd, []Part{{D: d}})
}

// ExportParts writes a table of several datasets to w, one after the other,
// each row preceded by its part's extra columns. Every part must have the
// same extra column names and the same table schema. codec applies to the
// Parquet and Arrow formats.
func ExportParts(w io.Writer, table, format string, codec Compression, parts []Part) (err error) {
	defer errprefix.Wrap(&err, "dataset")
	if Schema(table) == nil {
		return unknownTable(table)
	}
	if len(parts) == 0 {
		return fmt.Errorf("dataset: nothing to export")
	}
	base := parts[0].D.Schema(table)
	for _, p := range parts[1:] {
		if !p.D.Schema(table).Equal(base) {
			return fmt.Errorf("dataset: %s: table %s has other columns than in %s", p.D.Dir(), table, parts[0].D.Dir())
		}
		if len(p.Extra) != len(parts[0].Extra) {
			return fmt.Errorf("dataset: %s: other extra columns", p.D.Dir())
		}
		for i, e := range p.Extra {
			if e.Name != parts[0].Extra[i].Name || fmt.Sprintf("%T", e.Value) != fmt.Sprintf("%T", parts[0].Extra[i].Value) {
				return fmt.Errorf("dataset: %s: extra column %d is %s (%T), not %s", p.D.Dir(), i, e.Name, e.Value, parts[0].Extra[i].Name)
			}
		}
	}
	schema, err := withExtra(base, parts[0].Extra)
	if err != nil {
		return err
	}
	switch format {
	case FormatCSV:
		return exportCSV(w, table, schema, parts)
	case FormatJSON, "jsonl", "ndjson":
		return exportJSON(w, table, schema, parts)
	case FormatParquet:
		return exportTable(w, table, schema, Parquet, codec, parts)
	case FormatArrow:
		return exportTable(w, table, schema, Arrow, codec, parts)
	}
	return fmt.Errorf("dataset: unknown export format %q (formats: %s)", format, strings.Join(ExportFormats, ", "))
}

// withExtra is the export's schema: extra columns, then the table's.
func withExtra(s *arrow.Schema, extra []Extra) (*arrow.Schema, error) {
	if len(extra) == 0 {
		return s, nil
	}
	var fields []arrow.Field
	for _, e := range extra {
		var typ arrow.DataType
		switch e.Value.(type) {
		case string:
			typ = arrow.BinaryTypes.String
		case float64:
			typ = arrow.PrimitiveTypes.Float64
		default:
			return nil, fmt.Errorf("dataset: extra column %s: value of type %T, want string or float64", e.Name, e.Value)
		}
		if s.HasField(e.Name) {
			return nil, fmt.Errorf("dataset: extra column %s: the table has a column of that name", e.Name)
		}
		fields = append(fields, arrow.Field{Name: e.Name, Type: typ,
			Metadata: arrow.NewMetadata([]string{MetaKeyUnit, MetaKeyDescription}, []string{"", e.Description})})
	}
	fields = append(fields, s.Fields()...)
	md := s.Metadata()
	return arrow.NewSchema(fields, &md), nil
}

// eachPartBatch calls fn with each batch's columns in the table schema's
// order, part by part.
func eachPartBatch(table string, parts []Part, fn func(p *Part, n int, cols []arrow.Array) error) error {
	for i := range parts {
		p := &parts[i]
		schema := p.D.Schema(table)
		err := p.D.Scan(table, func(b arrow.RecordBatch) error {
			cols, err := columnsByName(schema, b)
			if err != nil {
				return err
			}
			return fn(p, int(b.NumRows()), cols)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func exportCSV(w io.Writer, table string, schema *arrow.Schema, parts []Part) error {
	bw := bufio.NewWriter(w)
	var line []byte
	for i, f := range schema.Fields() {
		if i > 0 {
			line = append(line, ',')
		}
		line = appendCSVField(line, f.Name, false)
	}
	line = append(line, '\n')
	if _, err := bw.Write(line); err != nil {
		return err
	}
	var val []byte
	err := eachPartBatch(table, parts, func(p *Part, n int, cols []arrow.Array) error {
		var prefix []byte
		for i, e := range p.Extra {
			if i > 0 {
				prefix = append(prefix, ',')
			}
			prefix = appendCSVField(prefix, extraText(e.Value), false)
		}
		for i := range n {
			line = append(line[:0], prefix...)
			for j, c := range cols {
				if j > 0 || len(p.Extra) > 0 {
					line = append(line, ',')
				}
				if c.IsNull(i) {
					continue
				}
				val = appendValue(val[:0], c, i, false)
				_, quote := c.(*array.Uint64)
				line = appendCSVField(line, string(val), quote)
			}
			line = append(line, '\n')
			if _, err := bw.Write(line); err != nil {
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

// appendCSVField appends a CSV field, quoted when it must be (as
// encoding/csv decides) or when always is set.
func appendCSVField(b []byte, s string, always bool) []byte {
	if !always && !csvNeedsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

func csvNeedsQuotes(s string) bool {
	if s == "" {
		return false
	}
	if s == `\.` || s[0] == ' ' || s[0] == '\t' {
		return true
	}
	return strings.ContainsAny(s, ",\"\r\n")
}

func extraText(v any) string {
	switch v := v.(type) {
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

func exportJSON(w io.Writer, table string, schema *arrow.Schema, parts []Part) error {
	bw := bufio.NewWriter(w)
	keys := make([][]byte, schema.NumFields())
	for i, f := range schema.Fields() {
		k, err := json.Marshal(f.Name)
		if err != nil {
			return err
		}
		if i > 0 {
			k = append([]byte{','}, k...)
		}
		keys[i] = append(k, ':')
	}
	var buf []byte
	err := eachPartBatch(table, parts, func(p *Part, n int, cols []arrow.Array) error {
		ne := len(p.Extra)
		var prefix []byte
		for i, e := range p.Extra {
			prefix = append(prefix, keys[i]...)
			switch v := e.Value.(type) {
			case float64:
				if math.IsNaN(v) || math.IsInf(v, 0) {
					prefix = append(prefix, "null"...)
				} else {
					prefix = strconv.AppendFloat(prefix, v, 'g', -1, 64)
				}
			default:
				b, _ := json.Marshal(extraText(v))
				prefix = append(prefix, b...)
			}
		}
		for i := range n {
			buf = append(buf[:0], '{')
			buf = append(buf, prefix...)
			for j, c := range cols {
				buf = append(buf, keys[ne+j]...)
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

// exportTable writes the parts as one table file, one record batch (row
// group) per batch of the parts' files.
func exportTable(w io.Writer, table string, schema *arrow.Schema, f Format, c Compression, parts []Part) error {
	mem := memory.DefaultAllocator
	enc, err := newEncoder(w, schema, f, c, mem)
	if err != nil {
		return err
	}
	err = eachPartBatch(table, parts, func(p *Part, n int, cols []arrow.Array) error {
		all := make([]arrow.Array, 0, len(p.Extra)+len(cols))
		for _, e := range p.Extra {
			all = append(all, constant(mem, e.Value, n))
		}
		defer func() {
			for _, a := range all[:len(p.Extra)] {
				a.Release()
			}
		}()
		all = append(all, cols...)
		rec := array.NewRecordBatch(schema, all, int64(n))
		defer rec.Release()
		return enc.Write(rec)
	})
	if err != nil {
		return err
	}
	return enc.Close()
}

// constant is an array of n copies of v (a string or a float64).
func constant(mem memory.Allocator, v any, n int) arrow.Array {
	switch v := v.(type) {
	case float64:
		b := array.NewFloat64Builder(mem)
		defer b.Release()
		b.Reserve(n)
		for range n {
			b.UnsafeAppend(v)
		}
		return b.NewArray()
	default:
		b := array.NewStringBuilder(mem)
		defer b.Release()
		s := extraText(v)
		b.ReserveData(n * len(s))
		for range n {
			b.Append(s)
		}
		return b.NewArray()
	}
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
