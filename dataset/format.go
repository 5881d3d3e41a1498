package dataset

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/internal/suggest"
)

// Format is the file format of a dataset's tables.
type Format string

// Table file formats.
const (
	// Arrow is the Arrow IPC file format (Feather v2), extension .arrow.
	Arrow Format = "arrow"
	// Parquet is Apache Parquet, extension .parquet: flat columns with the
	// Arrow schema (field metadata included) stored under the file's
	// "ARROW:schema" key, as Arrow's own Parquet writers do.
	Parquet Format = "parquet"
)

// Formats lists the table file formats.
var Formats = []Format{Arrow, Parquet}

// Ext is the file name extension of the format, with its dot.
func (f Format) Ext() string { return "." + string(f) }

// Compression is the codec of a dataset's table files.
type Compression string

// Codecs. Arrow IPC files use LZ4 frames for LZ4, Parquet files LZ4_RAW.
const (
	Zstd Compression = "zstd"
	LZ4  Compression = "lz4"
	// Uncompressed files can be read by any reader, codec or not.
	Uncompressed Compression = "none"
)

// Compressions lists the codecs, the default first.
var Compressions = []Compression{Zstd, LZ4, Uncompressed}

// ParseFormat checks a format name ("arrow" or "parquet").
func ParseFormat(s string) (_ Format, err error) {
	defer errprefix.Wrap(&err, "dataset")
	for _, f := range Formats {
		if s == string(f) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown table format %q: allowed %s%s", s, joinNames(Formats), suggest.Hint(s, Formats))
}

// ParseCompression checks a codec name ("zstd", "lz4" or "none").
func ParseCompression(s string) (_ Compression, err error) {
	defer errprefix.Wrap(&err, "dataset")
	for _, c := range Compressions {
		if s == string(c) {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown compression %q: allowed %s%s", s, joinNames(Compressions), suggest.Hint(s, Compressions))
}

func joinNames[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// tableEncoder writes record batches of one schema to a table file.
type tableEncoder interface {
	Write(rec arrow.RecordBatch) error
	// Close writes the file's footer; the underlying writer stays open.
	Close() error
}

// newEncoder starts a table file of the given format on w.
func newEncoder(w io.Writer, schema *arrow.Schema, f Format, c Compression, mem memory.Allocator) (tableEncoder, error) {
	switch f {
	case Arrow, "":
		opts := []ipc.Option{ipc.WithSchema(schema), ipc.WithAllocator(mem)}
		switch c {
		case Zstd, "":
			opts = append(opts, ipc.WithZstd())
		case LZ4:
			opts = append(opts, ipc.WithLZ4())
		case Uncompressed:
		default:
			return nil, fmt.Errorf("unknown compression %q", c)
		}
		return ipc.NewFileWriter(w, opts...)
	case Parquet:
		return newParquetEncoder(w, schema, c, mem)
	}
	return nil, fmt.Errorf("unknown table format %q", f)
}

// tableDecoder reads the record batches of a table file.
type tableDecoder interface {
	Schema() *arrow.Schema
	NumRecords() int
	// RecordBatchAt returns batch i; the caller must Release it.
	RecordBatchAt(i int) (arrow.RecordBatch, error)
	Close() error
}

// ipcDecoder closes the ipc reader (which does not close its file).
type ipcDecoder struct{ *ipc.FileReader }

func (d ipcDecoder) Close() error { return d.FileReader.Close() }

// openDecoder reads a table file of either format, told apart by its first
// bytes ("ARROW1" or "PAR1").
func openDecoder(f *os.File, mem memory.Allocator) (tableDecoder, error) {
	var magic [6]byte
	n, _ := f.ReadAt(magic[:], 0)
	switch {
	case bytes.HasPrefix(magic[:n], []byte("PAR1")):
		return newParquetDecoder(f, mem)
	case bytes.Equal(magic[:n], []byte("ARROW1")):
		r, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
		if err != nil {
			return nil, err
		}
		return ipcDecoder{r}, nil
	}
	return nil, fmt.Errorf("neither an Arrow IPC file nor a Parquet file")
}

// fileFormat is the format of a table file by its extension ("" if neither).
func fileFormat(name string) Format {
	for _, f := range Formats {
		if strings.HasSuffix(name, f.Ext()) {
			return f
		}
	}
	return ""
}

// EncodeTable writes one record batch as a complete table file of the given
// format and returns its bytes (for small tables such as a sweep's points).
func EncodeTable(rec arrow.RecordBatch, f Format, c Compression) (_ []byte, err error) {
	defer errprefix.Wrap(&err, "dataset")
	var buf bytes.Buffer
	enc, err := newEncoder(&buf, rec.Schema(), f, c, memory.DefaultAllocator)
	if err != nil {
		return nil, err
	}
	if err := enc.Write(rec); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
