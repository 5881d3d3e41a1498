package dataset

// Parquet files are written and read with arrow-go's parquet/file package
// rather than its pqarrow adapter: p53evo's tables are flat columns of six
// types, which take a few lines each, and pqarrow imports arrow/flight and
// with it gRPC and protobuf. The Arrow schema is stored the way pqarrow
// stores it (an IPC schema message, base64, under "ARROW:schema"), so
// Arrow-based readers get the field metadata (units, descriptions) back.
//
// The cost, measured on 2 cores with Go 1.26 (go build ./cmd/p53evo): the
// binary grows from 30 MB to 60 MB (22 to 43 MB with -ldflags "-s -w") and
// a cold build from about 105 to 225 CPU-seconds, nearly all of it arrow's
// compute package, which parquet/internal/encoding imports for casts and
// whose kernels register at init. pqarrow would add gRPC and protobuf on
// top (about 8 MB and 25 CPU-seconds more in a probe build).

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// arrowSchemaKey is the Parquet key-value metadata key holding the Arrow
// schema.
const arrowSchemaKey = "ARROW:schema"

// parquetCreatedBy goes into every file's footer; it is fixed so that the
// same rows give the same bytes.
const parquetCreatedBy = "p53evo (arrow-go parquet/file)"

// parquetNode maps an Arrow field to a Parquet column.
func parquetNode(f arrow.Field) (schema.Node, error) {
	rep := parquet.Repetitions.Required
	if f.Nullable {
		rep = parquet.Repetitions.Optional
	}
	switch f.Type.ID() {
	case arrow.INT32:
		return schema.NewPrimitiveNodeLogical(f.Name, rep, schema.NewIntLogicalType(32, true), parquet.Types.Int32, 0, -1)
	case arrow.INT64:
		return schema.NewPrimitiveNodeLogical(f.Name, rep, schema.NewIntLogicalType(64, true), parquet.Types.Int64, 0, -1)
	case arrow.UINT64:
		return schema.NewPrimitiveNodeLogical(f.Name, rep, schema.NewIntLogicalType(64, false), parquet.Types.Int64, 0, -1)
	case arrow.FLOAT64:
		return schema.NewPrimitiveNode(f.Name, rep, parquet.Types.Double, -1, -1)
	case arrow.STRING:
		return schema.NewPrimitiveNodeLogical(f.Name, rep, schema.StringLogicalType{}, parquet.Types.ByteArray, 0, -1)
	case arrow.BOOL:
		return schema.NewPrimitiveNode(f.Name, rep, parquet.Types.Boolean, -1, -1)
	}
	return nil, fmt.Errorf("column %q: type %s has no Parquet mapping here", f.Name, f.Type)
}

func parquetCodec(c Compression) (compress.Compression, error) {
	switch c {
	case Zstd, "":
		return compress.Codecs.Zstd, nil
	case LZ4:
		return compress.Codecs.Lz4Raw, nil
	case Uncompressed:
		return compress.Codecs.Uncompressed, nil
	}
	return 0, fmt.Errorf("unknown compression %q", c)
}

// serializeSchema is the Arrow schema as an IPC stream holding only the
// schema message, base64-encoded.
func serializeSchema(s *arrow.Schema, mem memory.Allocator) (string, error) {
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(s), ipc.WithAllocator(mem))
	if err := w.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

func deserializeSchema(s string, mem memory.Allocator) (*arrow.Schema, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	r, err := ipc.NewReader(bytes.NewReader(b), ipc.WithAllocator(mem))
	if err != nil {
		return nil, err
	}
	defer r.Release()
	return r.Schema(), nil
}

// parquetEncoder writes one row group per record batch.
type parquetEncoder struct {
	schema *arrow.Schema
	fw     *file.Writer
	i64    []int64 // scratch for uint64 columns
	defs   []int16
}

func newParquetEncoder(w io.Writer, s *arrow.Schema, c Compression, mem memory.Allocator) (*parquetEncoder, error) {
	codec, err := parquetCodec(c)
	if err != nil {
		return nil, err
	}
	fields := make(schema.FieldList, s.NumFields())
	for i, f := range s.Fields() {
		if fields[i], err = parquetNode(f); err != nil {
			return nil, err
		}
	}
	root, err := schema.NewGroupNode("schema", parquet.Repetitions.Required, fields, -1)
	if err != nil {
		return nil, err
	}
	as, err := serializeSchema(s, mem)
	if err != nil {
		return nil, err
	}
	var kv metadata.KeyValueMetadata
	md := s.Metadata()
	for i, k := range md.Keys() {
		kv.Append(k, md.Values()[i])
	}
	kv.Append(arrowSchemaKey, as)
	props := parquet.NewWriterProperties(
		parquet.WithAllocator(mem),
		parquet.WithCompression(codec),
		parquet.WithCreatedBy(parquetCreatedBy),
	)
	// The parquet writer closes a writer that is an io.Closer: hide it.
	fw, err := file.NewParquetWriterWithError(struct{ io.Writer }{w}, root, file.WithWriterProps(props), file.WithWriteMetadata(kv))
	if err != nil {
		return nil, err
	}
	return &parquetEncoder{schema: s, fw: fw}, nil
}

func (e *parquetEncoder) Write(rec arrow.RecordBatch) error {
	if !rec.Schema().Equal(e.schema) {
		return fmt.Errorf("parquet: record batch schema differs from the file's")
	}
	rg, err := e.fw.AppendRowGroupChecked()
	if err != nil {
		return err
	}
	for j := 0; j < int(rec.NumCols()); j++ {
		cw, err := rg.NextColumn()
		if err != nil {
			return err
		}
		if err := e.writeColumn(cw, rec.Column(j), e.schema.Field(j).Nullable); err != nil {
			return fmt.Errorf("parquet: column %q: %w", e.schema.Field(j).Name, err)
		}
	}
	return rg.Close()
}

// packed returns the valid values of vals (as indexed by a) and the
// definition levels, or vals and nil for a required column.
func packed[T any](a arrow.Array, vals []T, nullable bool, defs []int16) ([]T, []int16) {
	if !nullable {
		return vals, nil
	}
	defs = defs[:0]
	out := vals[:0:0]
	if a.NullN() == 0 {
		out = vals
	}
	for i := range vals {
		if a.IsValid(i) {
			defs = append(defs, 1)
			if a.NullN() != 0 {
				out = append(out, vals[i])
			}
		} else {
			defs = append(defs, 0)
		}
	}
	return out, defs
}

func (e *parquetEncoder) writeColumn(cw file.ColumnChunkWriter, a arrow.Array, nullable bool) error {
	if !nullable && a.NullN() > 0 {
		return fmt.Errorf("nulls in a required column")
	}
	var err error
	switch a := a.(type) {
	case *array.Int32:
		v, d := packed(a, a.Int32Values(), nullable, e.defs)
		e.defs = d
		_, err = cw.(*file.Int32ColumnChunkWriter).WriteBatch(v, d, nil)
	case *array.Int64:
		v, d := packed(a, a.Int64Values(), nullable, e.defs)
		e.defs = d
		_, err = cw.(*file.Int64ColumnChunkWriter).WriteBatch(v, d, nil)
	case *array.Uint64:
		e.i64 = e.i64[:0]
		for _, x := range a.Uint64Values() {
			e.i64 = append(e.i64, int64(x)) // Parquet stores UINT_64 in INT64 bits
		}
		v, d := packed(a, e.i64, nullable, e.defs)
		e.defs = d
		_, err = cw.(*file.Int64ColumnChunkWriter).WriteBatch(v, d, nil)
	case *array.Float64:
		v, d := packed(a, a.Float64Values(), nullable, e.defs)
		e.defs = d
		_, err = cw.(*file.Float64ColumnChunkWriter).WriteBatch(v, d, nil)
	case *array.String:
		vals := make([]parquet.ByteArray, a.Len())
		for i := range vals {
			if a.IsValid(i) {
				vals[i] = parquet.ByteArray(a.Value(i))
			}
		}
		v, d := packed(a, vals, nullable, e.defs)
		e.defs = d
		_, err = cw.(*file.ByteArrayColumnChunkWriter).WriteBatch(v, d, nil)
	case *array.Boolean:
		vals := make([]bool, a.Len())
		for i := range vals {
			vals[i] = a.Value(i)
		}
		v, d := packed(a, vals, nullable, e.defs)
		e.defs = d
		_, err = cw.(*file.BooleanColumnChunkWriter).WriteBatch(v, d, nil)
	default:
		return fmt.Errorf("type %s has no Parquet mapping here", a.DataType())
	}
	return err
}

func (e *parquetEncoder) Close() error { return e.fw.Close() }

// parquetDecoder reads one record batch per row group.
type parquetDecoder struct {
	r      *file.Reader
	schema *arrow.Schema
	mem    memory.Allocator
}

func newParquetDecoder(f *os.File, mem memory.Allocator) (*parquetDecoder, error) {
	r, err := file.NewParquetReader(f, file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return nil, err
	}
	d := &parquetDecoder{r: r, mem: mem}
	md := r.MetaData()
	as := md.KeyValueMetadata().FindValue(arrowSchemaKey)
	if as == nil {
		r.Close()
		return nil, fmt.Errorf("no %s key: not a p53evo table", arrowSchemaKey)
	}
	if d.schema, err = deserializeSchema(*as, mem); err != nil {
		r.Close()
		return nil, fmt.Errorf("%s: %w", arrowSchemaKey, err)
	}
	if md.Schema.NumColumns() != d.schema.NumFields() {
		r.Close()
		return nil, fmt.Errorf("%d Parquet columns, %d Arrow fields", md.Schema.NumColumns(), d.schema.NumFields())
	}
	for i, fl := range d.schema.Fields() {
		want, err := parquetNode(fl)
		if err != nil {
			r.Close()
			return nil, err
		}
		c := md.Schema.Column(i)
		wp := want.(*schema.PrimitiveNode)
		if c.Name() != fl.Name || c.PhysicalType() != wp.PhysicalType() || (c.MaxDefinitionLevel() > 0) != fl.Nullable {
			r.Close()
			return nil, fmt.Errorf("parquet column %d (%s, %s) does not match Arrow field %s", i, c.Name(), c.PhysicalType(), fl)
		}
	}
	return d, nil
}

func (d *parquetDecoder) Schema() *arrow.Schema { return d.schema }
func (d *parquetDecoder) NumRecords() int       { return d.r.NumRowGroups() }
func (d *parquetDecoder) Close() error          { return d.r.Close() }

func (d *parquetDecoder) RecordBatchAt(i int) (arrow.RecordBatch, error) {
	rg := d.r.RowGroup(i)
	n := rg.NumRows()
	cols := make([]arrow.Array, 0, d.schema.NumFields())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for j, fl := range d.schema.Fields() {
		cr, err := rg.Column(j)
		if err != nil {
			return nil, err
		}
		a, err := readColumn(cr, fl, n, d.mem)
		if cerr := cr.Close(); err == nil && cerr != nil {
			if a != nil {
				a.Release()
			}
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("row group %d, column %q: %w", i, fl.Name, err)
		}
		cols = append(cols, a)
	}
	return array.NewRecordBatch(d.schema, cols, n), nil
}

// readAll reads n levels of a column chunk into vals and defs.
func readAll[T any](n int64, read func(batch int64, vals []T, defs []int16) (int64, int, error), nullable bool) ([]T, []int16, error) {
	vals := make([]T, n)
	var defs []int16
	if nullable {
		defs = make([]int16, n)
	}
	var total int64
	nv := 0
	for total < n {
		var d []int16
		if nullable {
			d = defs[total:]
		}
		t, v, err := read(n-total, vals[nv:], d)
		if err != nil {
			return nil, nil, err
		}
		if t == 0 {
			return nil, nil, fmt.Errorf("%d of %d rows", total, n)
		}
		total += t
		nv += v
	}
	return vals[:nv], defs, nil
}

// build appends vals (valid entries only) and nulls where defs is 0.
func build[T any](vals []T, defs []int16, n int64, appendV func(T), appendNull func()) error {
	if defs == nil {
		if int64(len(vals)) != n {
			return fmt.Errorf("%d values for %d rows", len(vals), n)
		}
		for _, v := range vals {
			appendV(v)
		}
		return nil
	}
	k := 0
	for _, d := range defs {
		if d == 0 {
			appendNull()
			continue
		}
		if k >= len(vals) {
			return fmt.Errorf("fewer values than defined levels")
		}
		appendV(vals[k])
		k++
	}
	return nil
}

func readColumn(cr file.ColumnChunkReader, fl arrow.Field, n int64, mem memory.Allocator) (arrow.Array, error) {
	b := array.NewBuilder(mem, fl.Type)
	defer b.Release()
	b.Reserve(int(n))
	var err error
	switch b := b.(type) {
	case *array.Int32Builder:
		r := cr.(*file.Int32ColumnChunkReader)
		vals, defs, e := readAll(n, func(k int64, v []int32, d []int16) (int64, int, error) { return r.ReadBatch(k, v, d, nil) }, fl.Nullable)
		if err = e; err == nil {
			err = build(vals, defs, n, b.Append, b.AppendNull)
		}
	case *array.Int64Builder:
		r := cr.(*file.Int64ColumnChunkReader)
		vals, defs, e := readAll(n, func(k int64, v []int64, d []int16) (int64, int, error) { return r.ReadBatch(k, v, d, nil) }, fl.Nullable)
		if err = e; err == nil {
			err = build(vals, defs, n, b.Append, b.AppendNull)
		}
	case *array.Uint64Builder:
		r := cr.(*file.Int64ColumnChunkReader)
		vals, defs, e := readAll(n, func(k int64, v []int64, d []int16) (int64, int, error) { return r.ReadBatch(k, v, d, nil) }, fl.Nullable)
		if err = e; err == nil {
			err = build(vals, defs, n, func(x int64) { b.Append(uint64(x)) }, b.AppendNull)
		}
	case *array.Float64Builder:
		r := cr.(*file.Float64ColumnChunkReader)
		vals, defs, e := readAll(n, func(k int64, v []float64, d []int16) (int64, int, error) { return r.ReadBatch(k, v, d, nil) }, fl.Nullable)
		if err = e; err == nil {
			err = build(vals, defs, n, b.Append, b.AppendNull)
		}
	case *array.StringBuilder:
		r := cr.(*file.ByteArrayColumnChunkReader)
		vals, defs, e := readAll(n, func(k int64, v []parquet.ByteArray, d []int16) (int64, int, error) { return r.ReadBatch(k, v, d, nil) }, fl.Nullable)
		if err = e; err == nil {
			err = build(vals, defs, n, func(x parquet.ByteArray) { b.BinaryBuilder.Append(x) }, b.AppendNull)
		}
	case *array.BooleanBuilder:
		r := cr.(*file.BooleanColumnChunkReader)
		vals, defs, e := readAll(n, func(k int64, v []bool, d []int16) (int64, int, error) { return r.ReadBatch(k, v, d, nil) }, fl.Nullable)
		if err = e; err == nil {
			err = build(vals, defs, n, b.Append, b.AppendNull)
		}
	default:
		return nil, fmt.Errorf("type %s has no Parquet mapping here", fl.Type)
	}
	if err != nil {
		return nil, err
	}
	return b.NewArray(), nil
}
