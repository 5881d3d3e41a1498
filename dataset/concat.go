package dataset

import (
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Concat writes the table files (of one table, with equal schemas and
// schema metadata, in either format) to w as one table file of format f
// and codec c, in the order given. It gathers whole files into record
// batches (row groups in Parquet) of at least minRows rows, the last one
// possibly shorter, so the output depends only on the files' rows and their
// boundaries. It returns the rows written.
func Concat(w io.Writer, files []string, f Format, c Compression, minRows int) (int64, error) {
	mem := memory.DefaultAllocator
	var (
		schema  *arrow.Schema
		enc     tableEncoder
		pending []arrow.RecordBatch
		rows    int64 // pending
		written int64
	)
	release := func() {
		for _, r := range pending {
			r.Release()
		}
		pending = pending[:0]
	}
	defer release()
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		var rec arrow.RecordBatch
		if len(pending) == 1 {
			rec = pending[0]
			rec.Retain()
		} else {
			cols := make([]arrow.Array, schema.NumFields())
			for k := range cols {
				parts := make([]arrow.Array, len(pending))
				for j, r := range pending {
					parts[j] = r.Column(k)
				}
				a, err := array.Concatenate(parts, mem)
				if err != nil {
					for _, x := range cols[:k] {
						x.Release()
					}
					return err
				}
				cols[k] = a
			}
			rec = array.NewRecordBatch(schema, cols, rows)
			for _, a := range cols {
				a.Release()
			}
		}
		defer rec.Release()
		release()
		written += rec.NumRows()
		rows = 0
		return enc.Write(rec)
	}
	for _, path := range files {
		err := func() error {
			fh, err := os.Open(path)
			if err != nil {
				return err
			}
			defer fh.Close()
			r, err := openDecoder(fh, mem)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			defer r.Close()
			if schema == nil {
				schema = r.Schema()
				if enc, err = newEncoder(w, schema, f, c, mem); err != nil {
					return err
				}
			} else if !schema.Equal(r.Schema()) || !schema.Metadata().Equal(r.Schema().Metadata()) {
				return fmt.Errorf("%s: schema differs from the first file's", path)
			}
			for k := 0; k < r.NumRecords(); k++ {
				rec, err := r.RecordBatchAt(k)
				if err != nil {
					return fmt.Errorf("%s: batch %d: %w", path, k, err)
				}
				if rec.NumRows() == 0 {
					rec.Release()
					continue
				}
				pending = append(pending, rec)
				rows += rec.NumRows()
			}
			return nil
		}()
		if err != nil {
			return written, err
		}
		if rows >= int64(minRows) {
			if err := flush(); err != nil {
				return written, err
			}
		}
	}
	if schema == nil {
		return 0, fmt.Errorf("no files")
	}
	if err := flush(); err != nil {
		return written, err
	}
	return written, enc.Close()
}
