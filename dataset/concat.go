package dataset

import (
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/p53evo/p53evo/internal/errprefix"
)

// Concat writes the table files (of one table, with equal schemas and
// schema metadata, in either format) to w as one table file of format f
// and codec c, in the order given. It gathers whole files into record
// batches (row groups in Parquet) of at least minRows rows, the last one
// possibly shorter, so the output depends only on the files' rows and their
// boundaries. It returns the rows written.
func Concat(w io.Writer, files []string, f Format, c Compression, minRows int) (_ int64, err error) {
	defer errprefix.Wrap(&err, "dataset")
	cc := &concatenator{w: w, f: f, c: c, mem: memory.DefaultAllocator}
	defer cc.release()
	for _, path := range files {
		if err := cc.add(path); err != nil {
			return cc.written, err
		}
		if cc.rows >= int64(minRows) {
			if err := cc.flush(); err != nil {
				return cc.written, err
			}
		}
	}
	if cc.schema == nil {
		return 0, fmt.Errorf("no files")
	}
	if err := cc.flush(); err != nil {
		return cc.written, err
	}
	return cc.written, cc.enc.Close()
}

// concatenator is the state of a Concat: the batches read and not yet
// written, and the encoder, opened with the first file's schema.
type concatenator struct {
	w       io.Writer
	f       Format
	c       Compression
	mem     memory.Allocator
	schema  *arrow.Schema
	enc     tableEncoder
	pending []arrow.RecordBatch
	rows    int64 // pending
	written int64
}

func (cc *concatenator) release() {
	for _, r := range cc.pending {
		r.Release()
	}
	cc.pending = cc.pending[:0]
}

// add reads the non-empty batches of one file into pending.
func (cc *concatenator) add(path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	r, err := openDecoder(fh, cc.mem)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer r.Close()
	if cc.schema == nil {
		cc.schema = r.Schema()
		if cc.enc, err = newEncoder(cc.w, cc.schema, cc.f, cc.c, cc.mem); err != nil {
			return err
		}
	} else if !cc.schema.Equal(r.Schema()) || !cc.schema.Metadata().Equal(r.Schema().Metadata()) {
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
		cc.pending = append(cc.pending, rec)
		cc.rows += rec.NumRows()
	}
	return nil
}

// flush writes the pending batches as one record batch.
func (cc *concatenator) flush() error {
	if len(cc.pending) == 0 {
		return nil
	}
	var rec arrow.RecordBatch
	if len(cc.pending) == 1 {
		rec = cc.pending[0]
		rec.Retain()
	} else {
		var err error
		if rec, err = cc.joined(); err != nil {
			return err
		}
	}
	defer rec.Release()
	cc.release()
	cc.written += rec.NumRows()
	cc.rows = 0
	return cc.enc.Write(rec)
}

// joined is the pending batches as one record batch.
func (cc *concatenator) joined() (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, cc.schema.NumFields())
	for k := range cols {
		parts := make([]arrow.Array, len(cc.pending))
		for j, r := range cc.pending {
			parts[j] = r.Column(k)
		}
		a, err := array.Concatenate(parts, cc.mem)
		if err != nil {
			for _, x := range cols[:k] {
				x.Release()
			}
			return nil, err
		}
		cols[k] = a
	}
	rec := array.NewRecordBatch(cc.schema, cols, cc.rows)
	for _, a := range cols {
		a.Release()
	}
	return rec, nil
}
