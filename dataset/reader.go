package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/p53evo/p53evo/model"
)

// Dataset is a finished run's dataset, opened for reading. Its methods open
// the table files afresh on every call; a Dataset holds no open files.
type Dataset struct {
	dir string
	m   Manifest
	mem memory.Allocator
}

// Open opens the dataset in dir: it reads manifest.json and checks the
// SHA-256 of every table file it lists. A directory without a manifest
// (a run that did not finish) fails with an error wrapping ErrIncomplete.
// Only WithAllocator has an effect among the options.
func Open(dir string, opts ...Option) (*Dataset, error) {
	cfg := newConfig(opts)
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	d := &Dataset{dir: dir, m: m, mem: cfg.mem}
	for _, f := range m.Files {
		if err := verify(filepath.Join(dir, filepath.FromSlash(f.Path)), f); err != nil {
			return nil, fmt.Errorf("dataset %s: %w", dir, err)
		}
	}
	return d, nil
}

func verify(path string, fi FileInfo) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: listed in %s but missing", fi.Path, ManifestName)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("%s: %w", fi.Path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != fi.SHA256 || n != fi.Bytes {
		return fmt.Errorf("%s: SHA-256 mismatch (manifest: %s, %d bytes; file: %s, %d bytes): the file was changed after the run finished or is corrupt",
			fi.Path, fi.SHA256, fi.Bytes, got, n)
	}
	return nil
}

// Dir returns the dataset's directory.
func (d *Dataset) Dir() string { return d.dir }

// Manifest returns the dataset's manifest.
func (d *Dataset) Manifest() Manifest { return d.m }

// Files returns the paths of a table's files, in manifest order.
func (d *Dataset) Files(table string) []string {
	var ps []string
	for _, f := range d.m.files(table) {
		ps = append(ps, filepath.Join(d.dir, filepath.FromSlash(f.Path)))
	}
	return ps
}

// RunRow is one row of the runs table. Null floats are NaN, as in sim.Result.
type RunRow struct {
	Replicate             int
	Stream                uint64
	Attempts              int
	Outcome               string // progressed, cured, censored
	GrowthDays            float64
	TTP                   float64 // NaN: no progression
	EndTime               float64
	ResistantMajorityTime float64 // NaN: never
	FirstResistantBirth   float64 // NaN: none
	Start, Final          [model.NumClasses]int64
	// DominantClassAtProgression is "" and ResistantClonesAtProgression -1
	// when the replicate did not progress.
	DominantClassAtProgression   string
	ResistantClonesAtProgression int
	Nadir                        int64
	NadirTime                    float64
	BestResponse                 string // CR, PR, SD, PD, NE
	ClonesBorn                   int64
}

// Progressed reports whether the replicate progressed (TTP is not null).
func (r *RunRow) Progressed() bool { return !math.IsNaN(r.TTP) }

// TrajRow is one row of the trajectories table.
type TrajRow struct {
	Replicate                        int
	Time                             float64
	Total, Sensitive, TALoss, Pocket int64
}

// CloneRow is one row of the clones table.
type CloneRow struct {
	Replicate      int
	ID             int64
	Parent         int64 // -1 for the founder (null in the file)
	Mutation       string
	Genotype       string
	Class          string // sensitive, ta-loss, pocket
	BirthTime      float64
	PeakSize       int64
	PeakTime       float64
	ExtinctionTime float64 // NaN: alive at the end
}

// EventRow is one row of the events table.
type EventRow struct {
	Replicate int
	Time      float64
	Kind      string
	Detail    string
}

// Runs reads the runs table.
func (d *Dataset) Runs() ([]RunRow, error) { return readRuns(d.mem, d.Files(TableRuns)) }

// Trajectories reads the trajectories table.
func (d *Dataset) Trajectories() ([]TrajRow, error) {
	return readTraj(d.mem, d.Files(TableTrajectories))
}

// Clones reads the clones table.
func (d *Dataset) Clones() ([]CloneRow, error) { return readClones(d.mem, d.Files(TableClones)) }

// Events reads the events table.
func (d *Dataset) Events() ([]EventRow, error) { return readEvents(d.mem, d.Files(TableEvents)) }

// ReadRunsFiles reads runs tables from Arrow IPC files (for example the
// partitions of a sweep) and concatenates them in the order given. The files
// are not checked against a manifest.
func ReadRunsFiles(paths ...string) ([]RunRow, error) {
	return readRuns(memory.DefaultAllocator, paths)
}

// ReadTrajectoriesFiles is ReadRunsFiles for the trajectories table.
func ReadTrajectoriesFiles(paths ...string) ([]TrajRow, error) {
	return readTraj(memory.DefaultAllocator, paths)
}

// ReadClonesFiles is ReadRunsFiles for the clones table.
func ReadClonesFiles(paths ...string) ([]CloneRow, error) {
	return readClones(memory.DefaultAllocator, paths)
}

// ReadEventsFiles is ReadRunsFiles for the events table.
func ReadEventsFiles(paths ...string) ([]EventRow, error) {
	return readEvents(memory.DefaultAllocator, paths)
}

// Table reads a whole table into memory, concatenating its files. The
// caller must Release it.
func (d *Dataset) Table(name string) (arrow.Table, error) {
	return ReadTable(d.mem, name, d.Files(name)...)
}

// ReadTable reads the named table from files and concatenates them. Every
// file must have the same schema. The caller must Release the table.
func ReadTable(mem memory.Allocator, name string, paths ...string) (arrow.Table, error) {
	if Schema(name) == nil {
		return nil, unknownTable(name)
	}
	var (
		schema *arrow.Schema
		recs   []arrow.RecordBatch
	)
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	err := eachFile(mem, name, paths, func(path string, r *ipc.FileReader, _ []int) error {
		if schema == nil {
			schema = r.Schema()
		} else if !schema.Equal(r.Schema()) {
			return fmt.Errorf("%s: schema differs from the table's first file", path)
		}
		for i := 0; i < r.NumRecords(); i++ {
			rec, err := r.RecordBatchAt(i)
			if err != nil {
				return fmt.Errorf("%s: batch %d: %w", path, i, err)
			}
			recs = append(recs, rec)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if schema == nil {
		schema = Schema(name)
	}
	return array.NewTableFromRecords(schema, recs), nil
}

// Scan calls fn for every record batch of a table, file after file. The
// batch is valid only during the call (Retain it to keep it).
func (d *Dataset) Scan(name string, fn func(rec arrow.RecordBatch) error) error {
	if Schema(name) == nil {
		return unknownTable(name)
	}
	return eachBatch(d.mem, name, d.Files(name), func(rec arrow.RecordBatch, _ []int) error { return fn(rec) })
}

func unknownTable(name string) error {
	return fmt.Errorf("dataset: unknown table %q (tables: %s)", name, strings.Join(Tables, ", "))
}

// eachFile opens every file, checks that it holds the table's columns
// (found by name, so extra columns are tolerated) and calls fn with the
// reader and the file's column index of every schema column.
func eachFile(mem memory.Allocator, table string, paths []string, fn func(path string, r *ipc.FileReader, idx []int) error) error {
	want := tableColumns(table)
	for _, p := range paths {
		err := func() error {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			r, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			defer r.Close()
			idx, err := match(r.Schema(), want)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			return fn(p, r, idx)
		}()
		if err != nil {
			return fmt.Errorf("dataset: %w", err)
		}
	}
	return nil
}

func match(s *arrow.Schema, want []column) ([]int, error) {
	idx := make([]int, len(want))
	for i, c := range want {
		js := s.FieldIndices(c.name)
		if len(js) != 1 {
			return nil, fmt.Errorf("column %q: found %d times, want once", c.name, len(js))
		}
		if ft := s.Field(js[0]).Type; !arrow.TypeEqual(ft, c.typ) {
			return nil, fmt.Errorf("column %q has type %s, want %s", c.name, ft, c.typ)
		}
		idx[i] = js[0]
	}
	return idx, nil
}

func eachBatch(mem memory.Allocator, table string, paths []string, fn func(rec arrow.RecordBatch, idx []int) error) error {
	want := tableColumns(table)
	return eachFile(mem, table, paths, func(path string, r *ipc.FileReader, idx []int) error {
		for i := 0; i < r.NumRecords(); i++ {
			rec, err := r.RecordBatch(i) // released by the reader
			if err != nil {
				return fmt.Errorf("%s: batch %d: %w", path, i, err)
			}
			for k, c := range want {
				if !c.nullable && rec.Column(idx[k]).NullN() > 0 {
					return fmt.Errorf("%s: batch %d: column %q has nulls", path, i, c.name)
				}
			}
			if err := fn(rec, idx); err != nil {
				return fmt.Errorf("%s: batch %d: %w", path, i, err)
			}
		}
		return nil
	})
}

// interner shares the strings of columns with few distinct values and
// copies them out of Arrow's buffers.
type interner map[string]string

func (in interner) get(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	v := strings.Clone(s)
	if len(in) < 1<<16 {
		in[v] = v
	}
	return v
}

func nullableF64(a *array.Float64, i int) float64 {
	if a.IsNull(i) {
		return math.NaN()
	}
	return a.Value(i)
}

func readRuns(mem memory.Allocator, paths []string) ([]RunRow, error) {
	var rows []RunRow
	in := interner{}
	err := eachBatch(mem, TableRuns, paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		rep := c(runReplicate).(*array.Int32)
		stream := c(runStream).(*array.Uint64)
		att := c(runAttempts).(*array.Int32)
		out := c(runOutcome).(*array.String)
		growth := c(runGrowthDays).(*array.Float64)
		ttp := c(runTTP).(*array.Float64)
		end := c(runEndTime).(*array.Float64)
		maj := c(runResistantMajority).(*array.Float64)
		first := c(runFirstResistantBirth).(*array.Float64)
		var start, final [model.NumClasses]*array.Int64
		for k := range model.NumClasses {
			start[k] = c(runStartSensitive + int(k)).(*array.Int64)
			final[k] = c(runFinalSensitive + int(k)).(*array.Int64)
		}
		dom := c(runDominant).(*array.String)
		resc := c(runResistantClones).(*array.Int32)
		nadir := c(runNadir).(*array.Int64)
		nadirT := c(runNadirTime).(*array.Float64)
		best := c(runBestResponse).(*array.String)
		born := c(runClonesBorn).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			r := RunRow{
				Replicate:                    int(rep.Value(i)),
				Stream:                       stream.Value(i),
				Attempts:                     int(att.Value(i)),
				Outcome:                      in.get(out.Value(i)),
				GrowthDays:                   growth.Value(i),
				TTP:                          nullableF64(ttp, i),
				EndTime:                      end.Value(i),
				ResistantMajorityTime:        nullableF64(maj, i),
				FirstResistantBirth:          nullableF64(first, i),
				ResistantClonesAtProgression: -1,
				Nadir:                        nadir.Value(i),
				NadirTime:                    nadirT.Value(i),
				BestResponse:                 in.get(best.Value(i)),
				ClonesBorn:                   born.Value(i),
			}
			for k := range model.NumClasses {
				r.Start[k] = start[k].Value(i)
				r.Final[k] = final[k].Value(i)
			}
			if dom.IsValid(i) {
				r.DominantClassAtProgression = in.get(dom.Value(i))
			}
			if resc.IsValid(i) {
				r.ResistantClonesAtProgression = int(resc.Value(i))
			}
			rows = append(rows, r)
		}
		return nil
	})
	return rows, err
}

func readTraj(mem memory.Allocator, paths []string) ([]TrajRow, error) {
	var rows []TrajRow
	err := eachBatch(mem, TableTrajectories, paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		rep := c(trajReplicate).(*array.Int32)
		tm := c(trajTime).(*array.Float64)
		tot := c(trajTotal).(*array.Int64)
		sen := c(trajSensitive).(*array.Int64)
		tal := c(trajTALoss).(*array.Int64)
		poc := c(trajPocket).(*array.Int64)
		rows = append(rows, make([]TrajRow, rec.NumRows())...)
		base := rows[len(rows)-int(rec.NumRows()):]
		for i := range base {
			base[i] = TrajRow{int(rep.Value(i)), tm.Value(i), tot.Value(i), sen.Value(i), tal.Value(i), poc.Value(i)}
		}
		return nil
	})
	return rows, err
}

func readClones(mem memory.Allocator, paths []string) ([]CloneRow, error) {
	var rows []CloneRow
	in := interner{}
	err := eachBatch(mem, TableClones, paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		rep := c(cloneReplicate).(*array.Int32)
		id := c(cloneID).(*array.Int64)
		par := c(cloneParent).(*array.Int64)
		mut := c(cloneMutation).(*array.String)
		gen := c(cloneGenotype).(*array.String)
		cls := c(cloneClass).(*array.String)
		born := c(cloneBirth).(*array.Float64)
		peak := c(clonePeak).(*array.Int64)
		peakT := c(clonePeakTime).(*array.Float64)
		ext := c(cloneExtinct).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			r := CloneRow{
				Replicate:      int(rep.Value(i)),
				ID:             id.Value(i),
				Parent:         -1,
				Mutation:       in.get(mut.Value(i)),
				Genotype:       in.get(gen.Value(i)),
				Class:          in.get(cls.Value(i)),
				BirthTime:      born.Value(i),
				PeakSize:       peak.Value(i),
				PeakTime:       peakT.Value(i),
				ExtinctionTime: nullableF64(ext, i),
			}
			if par.IsValid(i) {
				r.Parent = par.Value(i)
			}
			rows = append(rows, r)
		}
		return nil
	})
	return rows, err
}

func readEvents(mem memory.Allocator, paths []string) ([]EventRow, error) {
	var rows []EventRow
	in := interner{}
	err := eachBatch(mem, TableEvents, paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		rep := c(evReplicate).(*array.Int32)
		tm := c(evTime).(*array.Float64)
		kind := c(evKind).(*array.String)
		det := c(evDetail).(*array.String)
		for i := 0; i < int(rec.NumRows()); i++ {
			rows = append(rows, EventRow{
				Replicate: int(rep.Value(i)),
				Time:      tm.Value(i),
				Kind:      in.get(kind.Value(i)),
				Detail:    strings.Clone(det.Value(i)),
			})
		}
		return nil
	})
	return rows, err
}
