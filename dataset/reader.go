package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/internal/regfile"
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
// (a run that did not finish) fails with an error wrapping ErrIncomplete,
// one without any dataset file with an error wrapping ErrNotDataset. A
// table file must be a regular file of the size the manifest records
// before it is hashed. Only WithAllocator and WithContext have an effect
// among the options.
func Open(dir string, opts ...Option) (_ *Dataset, err error) {
	defer errprefix.Wrap(&err, "dataset")
	cfg := newConfig(opts)
	m, err := readManifest(dir)
	if err != nil {
		return nil, err
	}
	d := &Dataset{dir: dir, m: m, mem: cfg.mem}
	for _, f := range m.Files {
		if err := verify(cfg.ctx, filepath.Join(dir, filepath.FromSlash(f.Path)), f); err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
	}
	return d, nil
}

// verify checks that a table file is a regular file of the size the
// manifest records, and then its SHA-256: a device, a FIFO or a file of
// another size is refused before anything is read from it.
func verify(ctx context.Context, path string, fi FileInfo) error {
	f, st, err := regfile.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: listed in %s but missing", fi.Path, ManifestName)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", fi.Path, err)
	}
	defer f.Close()
	if st.Size() != fi.Bytes {
		return fmt.Errorf("%s: %d bytes, the manifest records %d: the file was changed after the run finished or is corrupt", fi.Path, st.Size(), fi.Bytes)
	}
	h := sha256.New()
	n, err := regfile.Hash(ctx, h, f, fi.Bytes+1)
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

// Drugs returns the scenario's drug names, in order: the trajectories table
// has a column conc_<drug> for each.
func (d *Dataset) Drugs() []string { return slices.Clone(d.m.Drugs) }

// Schema returns the schema of one of the dataset's tables (for the
// trajectories table, with the dataset's conc_<drug> columns), or nil for an
// unknown name.
func (d *Dataset) Schema(table string) *arrow.Schema {
	if table == TableTrajectories {
		return TrajectoriesSchema(d.m.Drugs)
	}
	return Schema(table)
}

// want is what the dataset's files of table must hold.
func (d *Dataset) want(table string) wantFunc {
	if table == TableTrajectories {
		return trajWant(d.m.Drugs, true)
	}
	return fixed(tableColumns(table))
}

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
	FinalProgression             float64 // NaN: no progression
	FirstCTDNACall               float64 // NaN: no draw called a resistance mutation
	CTDNALead                    float64 // TTP - FirstCTDNACall; NaN unless both exist
	// Distinct resistance mutations of each class called at the last ctDNA
	// draw at or before progression; -1 when the replicate did not progress.
	CalledTALossAtProgression int
	CalledPocketAtProgression int
}

// Progressed reports whether the replicate progressed (TTP is not null).
func (r *RunRow) Progressed() bool { return !math.IsNaN(r.TTP) }

// TrajRow is one row of the trajectories table.
type TrajRow struct {
	Replicate                        int
	Time                             float64
	Total, Sensitive, TALoss, Pocket int64
	// Conc holds the drug concentrations (mg-eq) in force from Time, indexed
	// like Dataset.Drugs (the conc_<drug> columns); nil without drugs. The
	// rows of a record batch share one backing array.
	Conc []float64
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
	Lesion         int     // lesion of a trial patient; -1 (null in the file) for a single tumour
}

// CTDNARow is one row of the ctdna table: one resistance mutation seen at
// one blood draw.
type CTDNARow struct {
	Replicate int
	Time      float64
	Mutation  string
	Class     string // ta-loss, pocket
	TrueVAF   float64
	AltReads  int64
	Depth     int64
	Called    bool
	// TumourFraction is the share of the draw's cell-free genomes shed by
	// the tumour.
	TumourFraction float64
}

// GenotypeRow is one row of the genotypes table: the live cells of one
// genotype at the end of a replicate.
type GenotypeRow struct {
	Replicate int
	Genotype  string
	Class     string // sensitive, ta-loss, pocket
	Cells     int64
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
	return readTraj(d.mem, d.Files(TableTrajectories), d.want(TableTrajectories))
}

// Clones reads the clones table.
func (d *Dataset) Clones() ([]CloneRow, error) { return readClones(d.mem, d.Files(TableClones)) }

// Events reads the events table.
func (d *Dataset) Events() ([]EventRow, error) { return readEvents(d.mem, d.Files(TableEvents)) }

// CTDNA reads the ctdna table.
func (d *Dataset) CTDNA() ([]CTDNARow, error) { return readCTDNA(d.mem, d.Files(TableCTDNA)) }

// Genotypes reads the genotypes table.
func (d *Dataset) Genotypes() ([]GenotypeRow, error) {
	return readGenotypes(d.mem, d.Files(TableGenotypes))
}

// ReadRunsFiles reads runs tables from table files, Arrow IPC or Parquet
// (for example the partitions of a sweep), and concatenates them in the
// order given. The files are not checked against a manifest.
func ReadRunsFiles(paths ...string) ([]RunRow, error) {
	return readRuns(memory.DefaultAllocator, paths)
}

// ReadTrajectoriesFiles is ReadRunsFiles for the trajectories table. The
// drugs are those of the first file's conc_<drug> columns; every other file
// must have the same.
func ReadTrajectoriesFiles(paths ...string) ([]TrajRow, error) {
	return readTraj(memory.DefaultAllocator, paths, trajWant(nil, false))
}

// ReadClonesFiles is ReadRunsFiles for the clones table.
func ReadClonesFiles(paths ...string) ([]CloneRow, error) {
	return readClones(memory.DefaultAllocator, paths)
}

// ReadEventsFiles is ReadRunsFiles for the events table.
func ReadEventsFiles(paths ...string) ([]EventRow, error) {
	return readEvents(memory.DefaultAllocator, paths)
}

// ReadGenotypesFiles is ReadRunsFiles for the genotypes table.
func ReadGenotypesFiles(paths ...string) ([]GenotypeRow, error) {
	return readGenotypes(memory.DefaultAllocator, paths)
}

// ReadCTDNAFiles is ReadRunsFiles for the ctdna table.
func ReadCTDNAFiles(paths ...string) ([]CTDNARow, error) {
	return readCTDNA(memory.DefaultAllocator, paths)
}

// Table reads a whole table into memory, concatenating its files. The
// caller must Release it.
func (d *Dataset) Table(name string) (_ arrow.Table, err error) {
	defer errprefix.Wrap(&err, "dataset")
	if Schema(name) == nil {
		return nil, unknownTable(name)
	}
	return readTable(d.mem, d.Schema(name), d.want(name), d.Files(name))
}

// ReadTable reads the named table from files and concatenates them. Every
// file must have the same schema (for the trajectories table, the conc_<drug>
// columns of the first file). The caller must Release the table.
func ReadTable(mem memory.Allocator, name string, paths ...string) (_ arrow.Table, err error) {
	defer errprefix.Wrap(&err, "dataset")
	if Schema(name) == nil {
		return nil, unknownTable(name)
	}
	want := fixed(tableColumns(name))
	if name == TableTrajectories {
		want = trajWant(nil, false)
	}
	return readTable(mem, Schema(name), want, paths)
}

// readTable reads a table; empty is its schema if there are no files.
func readTable(mem memory.Allocator, empty *arrow.Schema, want wantFunc, paths []string) (arrow.Table, error) {
	var (
		schema *arrow.Schema
		recs   []arrow.RecordBatch
	)
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	err := eachFile(mem, want, paths, func(path string, r tableDecoder, _ []int) error {
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
		schema = empty
	}
	return array.NewTableFromRecords(schema, recs), nil
}

// Scan calls fn for every record batch of a table, file after file. The
// batch is valid only during the call (Retain it to keep it).
func (d *Dataset) Scan(name string, fn func(rec arrow.RecordBatch) error) (err error) {
	defer errprefix.Wrap(&err, "dataset")
	if Schema(name) == nil {
		return unknownTable(name)
	}
	return eachBatch(d.mem, d.want(name), d.Files(name), func(rec arrow.RecordBatch, _ []int) error { return fn(rec) })
}

// A wantFunc returns the columns a table file with schema s must hold, or
// why s cannot be that table's.
type wantFunc func(s *arrow.Schema) ([]column, error)

func fixed(cols []column) wantFunc {
	return func(*arrow.Schema) ([]column, error) { return cols, nil }
}

// trajWant wants the trajectories columns with conc_<drug> columns for
// drugs, exactly those and in that order. Unless known, the drugs are those
// of the first file.
func trajWant(drugs []string, known bool) wantFunc {
	var cols []column
	if known {
		cols = trajColumnsFor(drugs)
	}
	return func(s *arrow.Schema) ([]column, error) {
		got := concDrugs(s)
		if !known {
			if err := checkDrugs(got); err != nil {
				return nil, fmt.Errorf("conc columns: %w", err)
			}
			drugs, known, cols = got, true, trajColumnsFor(got)
		}
		if !slices.Equal(got, drugs) {
			return nil, fmt.Errorf("concentration columns for drugs [%s], want [%s]", strings.Join(got, " "), strings.Join(drugs, " "))
		}
		return cols, nil
	}
}

// concDrugs returns the drugs of s's conc_<drug> columns, in order.
func concDrugs(s *arrow.Schema) []string {
	var drugs []string
	for _, f := range s.Fields() {
		if d, ok := strings.CutPrefix(f.Name, ConcPrefix); ok {
			drugs = append(drugs, d)
		}
	}
	return drugs
}

func unknownTable(name string) error {
	return fmt.Errorf("dataset: unknown table %q (tables: %s)", name, strings.Join(Tables, ", "))
}

// eachFile opens every file, checks its schema version and that it holds
// the wanted columns (found by name, so extra columns are tolerated) and
// calls fn with the reader and the file's column index of every wanted
// column.
func eachFile(mem memory.Allocator, wantFor wantFunc, paths []string, fn func(path string, r tableDecoder, idx []int) error) error {
	for _, p := range paths {
		err := func() error {
			f, _, err := regfile.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			r, err := openDecoder(f, mem)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			defer r.Close()
			md := r.Schema().Metadata()
			if v, ok := md.GetValue(MetaKeySchemaVersion); ok && v != strconv.Itoa(SchemaVersion) {
				return fmt.Errorf("%s: table schema %s, this p53evo reads schema %d; rerun the scenario", p, v, SchemaVersion)
			}
			want, err := wantFor(r.Schema())
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
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

func eachBatch(mem memory.Allocator, wantFor wantFunc, paths []string, fn func(rec arrow.RecordBatch, idx []int) error) error {
	var want []column
	return eachFile(mem, func(s *arrow.Schema) ([]column, error) {
		var err error
		want, err = wantFor(s)
		return want, err
	}, paths, func(path string, r tableDecoder, idx []int) error {
		for i := 0; i < r.NumRecords(); i++ {
			rec, err := r.RecordBatchAt(i)
			if err != nil {
				return fmt.Errorf("%s: batch %d: %w", path, i, err)
			}
			err = func() error {
				defer rec.Release()
				for k, c := range want {
					if !c.nullable && rec.Column(idx[k]).NullN() > 0 {
						return fmt.Errorf("column %q has nulls", c.name)
					}
				}
				return fn(rec, idx)
			}()
			if err != nil {
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

// nullableI32 turns null into -1.
func nullableI32(a *array.Int32, i int) int {
	if a.IsNull(i) {
		return -1
	}
	return int(a.Value(i))
}

func nullableF64(a *array.Float64, i int) float64 {
	if a.IsNull(i) {
		return math.NaN()
	}
	return a.Value(i)
}

func readRuns(mem memory.Allocator, paths []string) (_ []RunRow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	var rows []RunRow
	in := interner{}
	err = eachBatch(mem, fixed(runsColumns[:]), paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		rep := c(runReplicate).(*array.Int32)
		stream := c(runStream).(*array.Uint64)
		att := c(runAttempts).(*array.Int32)
		out := c(runOutcome).(*array.String)
		growth := c(runGrowthDays).(*array.Float64)
		ttp := c(runTTP).(*array.Float64)
		finalP := c(runFinalProgression).(*array.Float64)
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
		firstCall := c(runFirstCTDNACall).(*array.Float64)
		lead := c(runCTDNALead).(*array.Float64)
		calledA := c(runCalledTALoss).(*array.Int32)
		calledB := c(runCalledPocket).(*array.Int32)
		for i := 0; i < int(rec.NumRows()); i++ {
			r := RunRow{
				Replicate:                 int(rep.Value(i)),
				Stream:                    stream.Value(i),
				Attempts:                  int(att.Value(i)),
				Outcome:                   in.get(out.Value(i)),
				GrowthDays:                growth.Value(i),
				TTP:                       nullableF64(ttp, i),
				EndTime:                   end.Value(i),
				ResistantMajorityTime:     nullableF64(maj, i),
				FirstResistantBirth:       nullableF64(first, i),
				Nadir:                     nadir.Value(i),
				NadirTime:                 nadirT.Value(i),
				BestResponse:              in.get(best.Value(i)),
				ClonesBorn:                born.Value(i),
				FinalProgression:          nullableF64(finalP, i),
				FirstCTDNACall:            nullableF64(firstCall, i),
				CTDNALead:                 nullableF64(lead, i),
				CalledTALossAtProgression: nullableI32(calledA, i),
				CalledPocketAtProgression: nullableI32(calledB, i),
			}
			for k := range model.NumClasses {
				r.Start[k] = start[k].Value(i)
				r.Final[k] = final[k].Value(i)
			}
			if dom.IsValid(i) {
				r.DominantClassAtProgression = in.get(dom.Value(i))
			}
			r.ResistantClonesAtProgression = nullableI32(resc, i)
			rows = append(rows, r)
		}
		return nil
	})
	return rows, err
}

func readTraj(mem memory.Allocator, paths []string, want wantFunc) (_ []TrajRow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	var rows []TrajRow
	err = scanTraj(mem, paths, want, &rows, func([]TrajRow) error { return nil })
	return rows, err
}

// scanTraj calls fn with the rows of every record batch of trajectories
// files; each batch's rows share one new backing array for Conc. With into
// set, the rows are appended to *into (fn gets the appended part).
func scanTraj(mem memory.Allocator, paths []string, want wantFunc, into *[]TrajRow, fn func([]TrajRow) error) error {
	return eachBatch(mem, want, paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		rep := c(trajReplicate).(*array.Int32)
		tm := c(trajTime).(*array.Float64)
		tot := c(trajTotal).(*array.Int64)
		sen := c(trajSensitive).(*array.Int64)
		tal := c(trajTALoss).(*array.Int64)
		poc := c(trajPocket).(*array.Int64)
		nd := len(idx) - trajNumCols
		conc := make([]*array.Float64, nd)
		for d := range conc {
			conc[d] = c(trajNumCols + d).(*array.Float64)
		}
		n := int(rec.NumRows())
		var vals []float64
		if nd > 0 {
			vals = make([]float64, n*nd)
		}
		var base []TrajRow
		if into != nil {
			*into = append(*into, make([]TrajRow, n)...)
			base = (*into)[len(*into)-n:]
		} else {
			base = make([]TrajRow, n)
		}
		for i := range base {
			base[i] = TrajRow{int(rep.Value(i)), tm.Value(i), tot.Value(i), sen.Value(i), tal.Value(i), poc.Value(i), nil}
			if nd > 0 {
				v := vals[i*nd : (i+1)*nd : (i+1)*nd]
				for d, a := range conc {
					v[d] = a.Value(i)
				}
				base[i].Conc = v
			}
		}
		return fn(base)
	})
}

func readClones(mem memory.Allocator, paths []string) (_ []CloneRow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	var rows []CloneRow
	in := interner{}
	err = eachBatch(mem, fixed(cloneColumns[:]), paths, func(rec arrow.RecordBatch, idx []int) error {
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
		les := c(cloneLesion).(*array.Int32)
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
				Lesion:         nullableI32(les, i),
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

func readEvents(mem memory.Allocator, paths []string) (_ []EventRow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	var rows []EventRow
	in := interner{}
	err = eachBatch(mem, fixed(eventColumns[:]), paths, func(rec arrow.RecordBatch, idx []int) error {
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

func readCTDNA(mem memory.Allocator, paths []string) (_ []CTDNARow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	var rows []CTDNARow
	in := interner{}
	err = eachBatch(mem, fixed(ctdnaColumns[:]), paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		rep := c(ctReplicate).(*array.Int32)
		tm := c(ctTime).(*array.Float64)
		mut := c(ctMutation).(*array.String)
		cls := c(ctClass).(*array.String)
		vaf := c(ctTrueVAF).(*array.Float64)
		alt := c(ctAltReads).(*array.Int64)
		depth := c(ctDepth).(*array.Int64)
		called := c(ctCalled).(*array.Boolean)
		tf := c(ctTumourFraction).(*array.Float64)
		for i := 0; i < int(rec.NumRows()); i++ {
			rows = append(rows, CTDNARow{
				Replicate:      int(rep.Value(i)),
				Time:           tm.Value(i),
				Mutation:       in.get(mut.Value(i)),
				Class:          in.get(cls.Value(i)),
				TrueVAF:        vaf.Value(i),
				AltReads:       alt.Value(i),
				Depth:          depth.Value(i),
				Called:         called.Value(i),
				TumourFraction: tf.Value(i),
			})
		}
		return nil
	})
	return rows, err
}

func readGenotypes(mem memory.Allocator, paths []string) (_ []GenotypeRow, err error) {
	defer errprefix.Wrap(&err, "dataset")
	var rows []GenotypeRow
	in := interner{}
	err = eachBatch(mem, fixed(genotypeColumns[:]), paths, func(rec arrow.RecordBatch, idx []int) error {
		c := func(k int) arrow.Array { return rec.Column(idx[k]) }
		rep := c(genoReplicate).(*array.Int32)
		gen := c(genoGenotype).(*array.String)
		cls := c(genoClass).(*array.String)
		cells := c(genoCells).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			rows = append(rows, GenotypeRow{
				Replicate: int(rep.Value(i)),
				Genotype:  in.get(gen.Value(i)),
				Class:     in.get(cls.Value(i)),
				Cells:     cells.Value(i),
			})
		}
		return nil
	})
	return rows, err
}
