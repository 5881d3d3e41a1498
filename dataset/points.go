package dataset

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/p53evo/p53evo/internal/errprefix"
)

// TablePoints is the table name in the schema metadata of a sweep's points
// table.
const TablePoints = "points"

// Point is one row of a sweep's points table: a point's id, its seed and
// the values of the varied scenario fields (as written after --set).
type Point struct {
	ID     string
	Seed   uint64
	Values []string
}

// EncodePoints encodes a sweep's points table in format f and codec c:
// columns point (id), index, seed, then one column per varied path in
// columns (float64 when every point's value is a number, utf8 otherwise).
// The sweep's name is kept in the schema metadata (p53evo.sweep). The same
// arguments give the same bytes.
func EncodePoints(sweep string, columns []string, points []Point, f Format, c Compression) (_ []byte, err error) {
	defer errprefix.Wrap(&err, "dataset")
	meta := func(unit, desc string) arrow.Metadata {
		return arrow.NewMetadata([]string{MetaKeyUnit, MetaKeyDescription}, []string{unit, desc})
	}
	fields := []arrow.Field{
		{Name: "point", Type: arrow.BinaryTypes.String, Metadata: meta("", "point id: directory point=<id> holds its results")},
		{Name: "index", Type: arrow.PrimitiveTypes.Int32, Metadata: meta("", "position of the point in the sweep's plan")},
		{Name: "seed", Type: arrow.PrimitiveTypes.Uint64, Metadata: meta("", "seed of the point's scenario")},
	}
	numeric := make([]bool, len(columns))
	for c, name := range columns {
		numeric[c] = true
		for _, pt := range points {
			if _, err := strconv.ParseFloat(pt.Values[c], 64); err != nil {
				numeric[c] = false
				break
			}
		}
		typ := arrow.DataType(arrow.BinaryTypes.String)
		if numeric[c] {
			typ = arrow.PrimitiveTypes.Float64
		}
		fields = append(fields, arrow.Field{Name: name, Type: typ, Metadata: meta("", "scenario field varied by the sweep (as --set "+name+"=VALUE)")})
	}
	md := arrow.NewMetadata([]string{MetaKeySchemaVersion, MetaKeyTable, "p53evo.sweep"},
		[]string{strconv.Itoa(SchemaVersion), TablePoints, sweep})
	schema := arrow.NewSchema(fields, &md)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i, pt := range points {
		b.Field(0).(*array.StringBuilder).Append(pt.ID)
		b.Field(1).(*array.Int32Builder).Append(int32(i))
		b.Field(2).(*array.Uint64Builder).Append(pt.Seed)
		for c, v := range pt.Values {
			if numeric[c] {
				x, _ := strconv.ParseFloat(v, 64)
				b.Field(3 + c).(*array.Float64Builder).Append(x)
			} else {
				b.Field(3 + c).(*array.StringBuilder).Append(v)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return EncodeTable(rec, f, c)
}
