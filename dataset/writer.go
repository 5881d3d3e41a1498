package dataset

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/p53evo/p53evo/internal/atomicfile"
	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/internal/lockfile"
	"github.com/p53evo/p53evo/model"
	"github.com/p53evo/p53evo/sim"
)

// DefaultBatchRows is the number of rows a table buffers before it writes a
// record batch.
const DefaultBatchRows = 64 << 10

// Meta is what the caller knows about a run and the dataset cannot: it goes
// into the manifest.
type Meta struct {
	Version, Commit string          // p53evo version and commit
	Scenario        json.RawMessage // resolved scenario: JSON, or YAML text (stored as a JSON string)
	ScenarioName    string
	Seed            uint64
	First, Count    int // replicates First .. First+Count-1
	Workers         int
	Extra           map[string]string
	// Drugs are the scenario's drug names, indexed like sim.TrajPoint.Conc
	// (and model.Model.Drugs): the trajectories table gets a column
	// conc_<drug> for each. At most sim.MaxDrugs distinct names of ASCII
	// letters, digits, '-' and '_'.
	Drugs []string
}

type config struct {
	force     bool
	guard     func(dir string) error
	ctx       context.Context
	format    Format
	codec     Compression
	batchRows int
	mem       memory.Allocator
	now       func() time.Time
}

// Option configures Create and Open.
type Option func(*config)

// WithForce lets Create replace a dataset that is already in the directory.
// The new dataset is written to a hidden directory beside it and exchanged
// with the old one in one step when Close has completed it, so the old
// dataset stays whole until then: a run that fails, is killed or runs out
// of space leaves the old dataset as it was.
func WithForce() Option { return func(c *config) { c.force = true } }

// WithGuard makes Create call guard(dir) while it holds the directory's
// lock and before it changes anything; an error from guard is Create's
// error. The command line uses it to refuse a sweep directory.
func WithGuard(guard func(dir string) error) Option { return func(c *config) { c.guard = guard } }

// WithContext makes Open's hashing of the table files stop, with ctx's
// error, when ctx is cancelled.
func WithContext(ctx context.Context) Option { return func(c *config) { c.ctx = ctx } }

// WithFormat sets the table file format (default Arrow).
func WithFormat(f Format) Option { return func(c *config) { c.format = f } }

// WithCompression sets the table files' codec (default Zstd).
func WithCompression(k Compression) Option { return func(c *config) { c.codec = k } }

// WithBatchRows sets the rows per record batch (default DefaultBatchRows).
// A batch is written once a replicate brings a table to at least n rows, so
// a replicate's rows never straddle two batches.
func WithBatchRows(n int) Option {
	return func(c *config) { c.batchRows = max(1, n) }
}

// WithAllocator sets the Arrow allocator (default memory.DefaultAllocator).
func WithAllocator(mem memory.Allocator) Option { return func(c *config) { c.mem = mem } }

func newConfig(opts []Option) config {
	c := config{batchRows: DefaultBatchRows, mem: memory.DefaultAllocator, now: time.Now, ctx: context.Background(), format: Arrow, codec: Zstd}
	for _, o := range opts {
		o(&c)
	}
	return c
}

func tmpName(name string) string { return "." + name + ".tmp" }

// Writer writes the tables of a run as replicates arrive. It implements
// sim.Sink. It is not safe for concurrent use (sim.Run calls its sink from
// one goroutine).
//
// Tables are written to hidden temporary files (".runs.arrow.tmp", ...).
// Close moves them to their final names and then writes manifest.json; a
// run that dies before Close leaves only temporary files, and a directory
// without manifest.json never opens.
type Writer struct {
	dir     string // where the tables are written: the dataset's directory, or a staging directory (--force)
	final   string // the dataset's directory
	locks   []*lockfile.Lock
	swapped bool // the staged dataset has replaced the old one
	meta    Meta
	cfg     config
	start   time.Time
	written int
	err     error // sticky: the first error; the dataset is then never completed
	done    bool

	runs, traj, clones, events, ctdna, genos *tableWriter
	patients, lesions, scans, biopsies       *tableWriter
	snaps, regions, draws                    *tableWriter
	tables                                   [13]*tableWriter

	// column builders, cached per table so that Write does not look them up
	// by name; Write asserts each to its concrete type (a type assertion per
	// column and replicate, no allocation)
	rb    [runNumCols]array.Builder
	tb    [trajNumCols]array.Builder
	conc  []*array.Float64Builder // trajectories: conc_<drug>, by drug
	cb    [cloneNumCols]array.Builder
	eb    [evNumCols]array.Builder
	xb    [ctNumCols]array.Builder
	gb    [genoNumCols]array.Builder
	pb    [patNumCols]array.Builder
	lb    [lesNumCols]array.Builder
	sb    [scanNumCols]array.Builder
	bb    [bxNumCols]array.Builder
	snb   [snapNumCols]array.Builder
	rgb   [regNumCols]array.Builder
	drb   [drNumCols]array.Builder
	calls [model.NumClasses]*array.Int32Builder // runs: called_*_at_progression (nil for sensitive)
}

var _ sim.Sink = (*Writer)(nil)

// tableWriter streams one table into its temporary file.
type tableWriter struct {
	name    string // table name
	file    string // final file name
	f       *os.File
	buf     *bufio.Writer
	h       hash.Hash
	n       int64 // bytes written
	enc     tableEncoder
	b       *array.RecordBuilder
	pending int   // rows in b
	rows    int64 // rows written to ipc, pending excluded
}

// Write is the io.Writer the table encoder writes to: it hashes and counts.
func (t *tableWriter) Write(p []byte) (int, error) {
	n, err := t.buf.Write(p)
	t.h.Write(p[:n])
	t.n += int64(n)
	return n, err
}

// LockName is the lock file a Writer holds in its directory while it
// writes (see package lockfile): one writer per directory at a time. It is
// removed when the writer finishes; one left by a killed process is taken
// over by the next writer.
const LockName = ".p53evo.lock"

// ErrBusy is wrapped by Create's error when another process is writing to
// the directory.
var ErrBusy = lockfile.ErrBusy

// isDatasetFile reports whether name is a file a dataset directory may
// hold: the manifest, a table, the lock file, or a temporary file of a
// writer.
func isDatasetFile(name string) bool {
	if name == ManifestName || name == LockName || fileFormat(name) != "" {
		return true
	}
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".tmp")
}

// isDataset reports whether dir already holds a (complete or half-renamed)
// dataset: a manifest or any *.arrow or *.parquet file; foreign lists the
// entries that are not dataset files.
func isDataset(dir string) (exists bool, foreign []string, err error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, err
	}
	for _, e := range ents {
		if e.Name() == ManifestName || fileFormat(e.Name()) != "" {
			exists = true
		}
		if !isDatasetFile(e.Name()) || e.IsDir() {
			foreign = append(foreign, e.Name())
		}
	}
	return exists, foreign, nil
}

// Create starts a dataset in dir, creating dir if needed. It takes dir's
// lock (LockName) and fails with an error wrapping ErrBusy if another
// process holds it. It refuses a directory that already holds a dataset
// (manifest.json or any *.arrow or *.parquet file) unless WithForce is
// given, meta.Drugs that cannot name columns, and an unknown format or
// compression. With WithForce the old dataset is replaced only when Close
// has completed the new one; a directory that holds anything besides a
// dataset's files is then refused, so that nothing but the old dataset is
// ever deleted.
func Create(dir string, meta Meta, opts ...Option) (_ *Writer, err error) {
	defer errprefix.Wrap(&err, "dataset")
	cfg := newConfig(opts)
	if err := checkCreate(dir, meta, cfg); err != nil {
		return nil, err
	}
	meta.Drugs = append([]string{}, meta.Drugs...) // the caller's slice is not retained; [] rather than null in JSON
	_, statErr := os.Stat(dir)
	created := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	w := &Writer{dir: dir, final: dir, meta: meta, cfg: cfg, start: cfg.now()}
	defer func() {
		if err != nil {
			w.unlock()
			if created {
				os.Remove(dir) // only if still empty
			}
		}
	}()
	lk, err := lockfile.TryLock(filepath.Join(dir, LockName), false)
	if err != nil {
		if errors.Is(err, lockfile.ErrBusy) {
			return nil, fmt.Errorf("dataset: %s is being written by another p53evo process: %w; wait for it or choose another directory", dir, err)
		}
		return nil, fmt.Errorf("dataset: %w", err)
	}
	w.locks = append(w.locks, lk)
	if cfg.guard != nil {
		if err := cfg.guard(dir); err != nil {
			return nil, err
		}
	}
	exists, foreign, err := isDataset(dir)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	if exists {
		if !cfg.force {
			return nil, fmt.Errorf("dataset: %s already holds a dataset (%s, *.arrow or *.parquet files); choose another directory or force overwriting", dir, ManifestName)
		}
		if len(foreign) > 0 {
			return nil, fmt.Errorf("dataset: %s holds a dataset and also %s, which replacing the dataset would delete; move %s away or choose another directory",
				dir, quoteList(foreign, 3), plural(len(foreign), "it", "them"))
		}
		if err := w.stage(); err != nil {
			return nil, err
		}
	}
	if err := w.openTables(); err != nil {
		w.Abort()
		return nil, err
	}
	return w, nil
}

// checkCreate rejects Create's arguments before anything is touched.
func checkCreate(dir string, meta Meta, cfg config) error {
	if strings.TrimSpace(dir) == "" {
		return errors.New("dataset: empty directory name")
	}
	if _, err := ParseFormat(string(cfg.format)); err != nil {
		return err
	}
	if _, err := ParseCompression(string(cfg.codec)); err != nil {
		return err
	}
	if err := checkDrugs(meta.Drugs); err != nil {
		return fmt.Errorf("dataset: meta: %w", err)
	}
	if _, err := scenarioJSON(meta.Scenario); err != nil {
		return fmt.Errorf("dataset: scenario: %w", err)
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("dataset: %s exists and is not a directory", dir)
	}
	return nil
}

// stage makes the locked directory, beside the old dataset, where the new
// one is written until Close swaps them.
func (w *Writer) stage() error {
	abs, err := filepath.Abs(w.final)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	stage, err := os.MkdirTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".p53evo-new-*")
	if err != nil {
		return fmt.Errorf("dataset: staging the new dataset: %w", err)
	}
	w.dir = stage
	slk, err := lockfile.TryLock(filepath.Join(stage, LockName), false)
	if err != nil {
		os.RemoveAll(stage)
		return fmt.Errorf("dataset: %w", err)
	}
	w.locks = append(w.locks, slk)
	return nil
}

// openTables opens the table files and binds the column builders.
func (w *Writer) openTables() error {
	schemas := [...]*arrow.Schema{runsSchema, TrajectoriesSchema(w.meta.Drugs), clonesSchema, eventsSchema, ctdnaSchema, genoSchema, patientsSchema, lesionsSchema, scansSchema, biopsySchema, snapshotsSchema, regionsSchema, drawSchema}
	for i, name := range Tables {
		t, err := w.newTable(name, schemas[i])
		if err != nil {
			return err
		}
		w.tables[i] = t
	}
	w.runs, w.traj, w.clones, w.events, w.ctdna, w.genos = w.tables[0], w.tables[1], w.tables[2], w.tables[3], w.tables[4], w.tables[5]
	w.patients, w.lesions, w.scans = w.tables[6], w.tables[7], w.tables[8]
	w.biopsies, w.snaps, w.regions, w.draws = w.tables[9], w.tables[10], w.tables[11], w.tables[12]
	copy(w.rb[:], w.runs.b.Fields())
	copy(w.tb[:], w.traj.b.Fields())
	for _, b := range w.traj.b.Fields()[trajNumCols:] {
		w.conc = append(w.conc, b.(*array.Float64Builder))
	}
	copy(w.cb[:], w.clones.b.Fields())
	copy(w.eb[:], w.events.b.Fields())
	copy(w.xb[:], w.ctdna.b.Fields())
	copy(w.gb[:], w.genos.b.Fields())
	copy(w.pb[:], w.patients.b.Fields())
	copy(w.lb[:], w.lesions.b.Fields())
	copy(w.sb[:], w.scans.b.Fields())
	copy(w.bb[:], w.biopsies.b.Fields())
	copy(w.snb[:], w.snaps.b.Fields())
	copy(w.rgb[:], w.regions.b.Fields())
	copy(w.drb[:], w.draws.b.Fields())
	w.calls[model.ClassTALoss] = w.rb[runCalledTALoss].(*array.Int32Builder)
	w.calls[model.ClassPocket] = w.rb[runCalledPocket].(*array.Int32Builder)
	for _, t := range w.tables {
		t.b.Reserve(w.cfg.batchRows)
	}
	return nil
}

func (w *Writer) newTable(name string, schema *arrow.Schema) (*tableWriter, error) {
	t := &tableWriter{name: name, file: name + w.cfg.format.Ext(), h: sha256.New()}
	f, err := os.OpenFile(filepath.Join(w.dir, tmpName(t.file)), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	t.f = f
	t.buf = bufio.NewWriterSize(f, 1<<20)
	t.enc, err = newEncoder(t, schema, w.cfg.format, w.cfg.codec, w.cfg.mem)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("dataset: %s: %w", t.file, err)
	}
	t.b = array.NewRecordBuilder(w.cfg.mem, schema)
	return t, nil
}

// flush writes the pending rows as one record batch.
func (t *tableWriter) flush() error {
	if t.pending == 0 {
		return nil
	}
	rec := t.b.NewRecordBatch()
	defer rec.Release()
	if err := t.enc.Write(rec); err != nil {
		return fmt.Errorf("dataset: %s: %w", t.file, err)
	}
	t.rows += int64(t.pending)
	t.pending = 0
	return nil
}

func checkClass(c model.Class) error {
	if c >= model.NumClasses {
		return fmt.Errorf("unknown class %d", c)
	}
	return nil
}

// check rejects a Result the tables cannot represent, before any row of it
// is appended.
func check(r *sim.Result) error {
	if r.Replicate < math.MinInt32 || r.Replicate > math.MaxInt32 {
		return fmt.Errorf("replicate %d does not fit int32", r.Replicate)
	}
	if r.Outcome > sim.Cured {
		return fmt.Errorf("replicate %d: unknown outcome %d", r.Replicate, r.Outcome)
	}
	if r.BestResponse > sim.PD {
		return fmt.Errorf("replicate %d: unknown best response %d", r.Replicate, r.BestResponse)
	}
	if r.Attempts < math.MinInt32 || r.Attempts > math.MaxInt32 ||
		r.ResistantClonesAtProgression < math.MinInt32 || r.ResistantClonesAtProgression > math.MaxInt32 {
		return fmt.Errorf("replicate %d: count does not fit int32", r.Replicate)
	}
	if err := checkClass(r.DominantAtProgression); err != nil {
		return fmt.Errorf("replicate %d: dominant class at progression: %w", r.Replicate, err)
	}
	for k := model.ClassTALoss; k < model.NumClasses; k++ {
		if r.CalledAtProgression[k] > math.MaxInt32 {
			return fmt.Errorf("replicate %d: called %s mutations at progression: count does not fit int32", r.Replicate, k)
		}
	}
	for i := range r.Clones {
		if err := checkClass(r.Clones[i].Class); err != nil {
			return fmt.Errorf("replicate %d: clone %d: %w", r.Replicate, r.Clones[i].ID, err)
		}
	}
	for i := range r.CTDNA {
		if err := checkClass(r.CTDNA[i].Class); err != nil {
			return fmt.Errorf("replicate %d: ctDNA row %d (%s): %w", r.Replicate, i, r.CTDNA[i].Mutation, err)
		}
	}
	for i := range r.Genotypes {
		if err := checkClass(r.Genotypes[i].Class); err != nil {
			return fmt.Errorf("replicate %d: genotype %s: %w", r.Replicate, r.Genotypes[i].Genotype, err)
		}
	}
	if p := r.Patient; p != nil {
		for i := range r.Clones {
			if p.CloneLesion(r.Clones[i].ID) < 0 {
				return fmt.Errorf("replicate %d: clone %d belongs to none of the patient's %d lesions", r.Replicate, r.Clones[i].ID, len(p.LesionRows))
			}
		}
	}
	if err := checkSpatial(r); err != nil {
		return err
	}
	return checkPatient(r)
}

func appendNullable(b *array.Float64Builder, v float64) {
	if math.IsNaN(v) {
		b.AppendNull()
	} else {
		b.Append(v)
	}
}

// Write appends one replicate to the tables. The Result is not retained.
// After an error every further Write and Close fails and the dataset is
// never completed.
func (w *Writer) Write(r *sim.Result) (err error) {
	defer errprefix.Wrap(&err, "dataset")
	if w.err != nil {
		return w.err
	}
	if w.done {
		return errors.New("dataset: Write after Close or Abort")
	}
	if err := check(r); err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	rep := int32(r.Replicate)
	w.writeRuns(r, rep)
	w.writeTrajectories(r, rep)
	w.writeClones(r, rep)
	w.writeEvents(r, rep)
	w.writeCTDNA(r, rep)
	w.writeGenotypes(r, rep)
	w.writePatient(r)
	w.writeBiopsies(r)
	w.writeSpatial(r)
	w.writeDraws(r)
	w.written++

	for _, t := range w.tables {
		if t.pending >= w.cfg.batchRows {
			if err := t.flush(); err != nil {
				w.err = err
				return err
			}
			t.b.Reserve(w.cfg.batchRows) // saves regrowing the buffers row by row
		}
	}
	return nil
}

// writeRuns appends the replicate's row to the runs table.
func (w *Writer) writeRuns(r *sim.Result, rep int32) {
	b := &w.rb
	b[runReplicate].(*array.Int32Builder).Append(rep)
	b[runStream].(*array.Uint64Builder).Append(r.Stream)
	b[runAttempts].(*array.Int32Builder).Append(int32(r.Attempts))
	b[runOutcome].(*array.StringBuilder).Append(r.Outcome.String())
	b[runGrowthDays].(*array.Float64Builder).Append(r.GrowthDays)
	appendNullable(b[runTTP].(*array.Float64Builder), r.TTP)
	appendNullable(b[runFinalProgression].(*array.Float64Builder), r.FinalProgression)
	b[runEndTime].(*array.Float64Builder).Append(r.EndTime)
	appendNullable(b[runResistantMajority].(*array.Float64Builder), r.ResistantMajority)
	appendNullable(b[runFirstResistantBirth].(*array.Float64Builder), r.FirstResistantBirth)
	b[runStartSensitive].(*array.Int64Builder).Append(r.AtStart[model.Sensitive])
	b[runStartTALoss].(*array.Int64Builder).Append(r.AtStart[model.ClassTALoss])
	b[runStartPocket].(*array.Int64Builder).Append(r.AtStart[model.ClassPocket])
	b[runFinalSensitive].(*array.Int64Builder).Append(r.Final[model.Sensitive])
	b[runFinalTALoss].(*array.Int64Builder).Append(r.Final[model.ClassTALoss])
	b[runFinalPocket].(*array.Int64Builder).Append(r.Final[model.ClassPocket])
	// TTP is set exactly when the replicate progressed (sim sets it together
	// with the at-progression fields).
	if math.IsNaN(r.TTP) {
		b[runDominant].AppendNull()
		b[runResistantClones].AppendNull()
	} else {
		b[runDominant].(*array.StringBuilder).Append(r.DominantAtProgression.String())
		b[runResistantClones].(*array.Int32Builder).Append(int32(r.ResistantClonesAtProgression))
	}
	b[runNadir].(*array.Int64Builder).Append(r.Nadir)
	b[runNadirTime].(*array.Float64Builder).Append(r.NadirTime)
	b[runBestResponse].(*array.StringBuilder).Append(r.BestResponse.String())
	b[runClonesBorn].(*array.Int64Builder).Append(r.ClonesBorn)
	appendNullable(b[runFirstCTDNACall].(*array.Float64Builder), r.FirstCTDNACall)
	appendNullable(b[runCTDNALead].(*array.Float64Builder), r.CTDNALead)
	for k := model.ClassTALoss; k < model.NumClasses; k++ {
		// Null without progression; the engine's -1 means the same.
		if n := r.CalledAtProgression[k]; math.IsNaN(r.TTP) || n < 0 {
			w.calls[k].AppendNull()
		} else {
			w.calls[k].Append(int32(n))
		}
	}
	w.runs.pending++
}

// writeTrajectories appends the replicate's trajectory points.
func (w *Writer) writeTrajectories(r *sim.Result, rep int32) {
	n := len(r.Trajectory)
	if n == 0 {
		return
	}
	t := &w.tb
	rb, tm := t[trajReplicate].(*array.Int32Builder), t[trajTime].(*array.Float64Builder)
	tot, sen := t[trajTotal].(*array.Int64Builder), t[trajSensitive].(*array.Int64Builder)
	tal, poc := t[trajTALoss].(*array.Int64Builder), t[trajPocket].(*array.Int64Builder)
	for _, b := range t {
		b.Reserve(n)
	}
	for _, b := range w.conc {
		b.Reserve(n)
	}
	for i := range r.Trajectory {
		p := &r.Trajectory[i]
		rb.UnsafeAppend(rep)
		tm.UnsafeAppend(p.Time)
		tot.UnsafeAppend(p.Total)
		sen.UnsafeAppend(p.Sensitive)
		tal.UnsafeAppend(p.TALoss)
		poc.UnsafeAppend(p.Pocket)
		for d, b := range w.conc {
			b.UnsafeAppend(p.Conc[d])
		}
	}
	w.traj.pending += n
}

// writeClones appends the replicate's clones.
func (w *Writer) writeClones(r *sim.Result, rep int32) {
	n := len(r.Clones)
	if n == 0 {
		return
	}
	c := &w.cb
	rb, id, par := c[cloneReplicate].(*array.Int32Builder), c[cloneID].(*array.Int64Builder), c[cloneParent].(*array.Int64Builder)
	mut, gen, cls := c[cloneMutation].(*array.StringBuilder), c[cloneGenotype].(*array.StringBuilder), c[cloneClass].(*array.StringBuilder)
	born, peak := c[cloneBirth].(*array.Float64Builder), c[clonePeak].(*array.Int64Builder)
	peakT, ext := c[clonePeakTime].(*array.Float64Builder), c[cloneExtinct].(*array.Float64Builder)
	les := c[cloneLesion].(*array.Int32Builder)
	for i := range r.Clones {
		k := &r.Clones[i]
		rb.Append(rep)
		id.Append(k.ID)
		if k.Parent == -1 {
			par.AppendNull()
		} else {
			par.Append(k.Parent)
		}
		mut.Append(k.Mutation)
		gen.Append(k.Genotype)
		cls.Append(k.Class.String())
		born.Append(k.Born)
		peak.Append(k.Peak)
		peakT.Append(k.PeakTime)
		appendNullable(ext, k.Extinct)
		if r.Patient == nil {
			les.AppendNull()
		} else {
			les.Append(int32(r.Patient.CloneLesion(k.ID)))
		}
	}
	w.clones.pending += n
}

// writeEvents appends the replicate's events.
func (w *Writer) writeEvents(r *sim.Result, rep int32) {
	n := len(r.Events)
	if n == 0 {
		return
	}
	e := &w.eb
	rb, tm := e[evReplicate].(*array.Int32Builder), e[evTime].(*array.Float64Builder)
	kind, det := e[evKind].(*array.StringBuilder), e[evDetail].(*array.StringBuilder)
	for i := range r.Events {
		ev := &r.Events[i]
		rb.Append(rep)
		tm.Append(ev.Time)
		kind.Append(ev.Kind)
		det.Append(ev.Detail)
	}
	w.events.pending += n
}

// writeCTDNA appends the replicate's ctDNA rows.
func (w *Writer) writeCTDNA(r *sim.Result, rep int32) {
	n := len(r.CTDNA)
	if n == 0 {
		return
	}
	x := &w.xb
	rb, tm := x[ctReplicate].(*array.Int32Builder), x[ctTime].(*array.Float64Builder)
	mut, cls := x[ctMutation].(*array.StringBuilder), x[ctClass].(*array.StringBuilder)
	vaf, alt, depth := x[ctTrueVAF].(*array.Float64Builder), x[ctAltReads].(*array.Int64Builder), x[ctDepth].(*array.Int64Builder)
	called, tf := x[ctCalled].(*array.BooleanBuilder), x[ctTumourFraction].(*array.Float64Builder)
	for i := range r.CTDNA {
		c := &r.CTDNA[i]
		rb.Append(rep)
		tm.Append(c.Time)
		mut.Append(c.Mutation)
		cls.Append(c.Class.String())
		vaf.Append(c.TrueVAF)
		alt.Append(c.AltReads)
		depth.Append(c.Depth)
		called.Append(c.Called)
		tf.Append(c.TumourFraction)
	}
	w.ctdna.pending += n
}

// writeGenotypes appends the replicate's genotype counts.
func (w *Writer) writeGenotypes(r *sim.Result, rep int32) {
	n := len(r.Genotypes)
	if n == 0 {
		return
	}
	g := &w.gb
	rb, gen := g[genoReplicate].(*array.Int32Builder), g[genoGenotype].(*array.StringBuilder)
	cls, cells := g[genoClass].(*array.StringBuilder), g[genoCells].(*array.Int64Builder)
	for i := range r.Genotypes {
		x := &r.Genotypes[i]
		rb.Append(rep)
		gen.Append(x.Genotype)
		cls.Append(x.Class.String())
		cells.Append(x.Cells)
	}
	w.genos.pending += n
}

// Close writes the remaining rows, closes and syncs the table files, moves
// them to their final names and writes manifest.json last. If anything
// fails (or an earlier Write failed) the temporary files are removed and
// no manifest is written.
func (w *Writer) Close() (err error) {
	defer errprefix.Wrap(&err, "dataset")
	if w.done {
		if w.err != nil {
			return w.err
		}
		return errors.New("dataset: Close after Close or Abort")
	}
	if w.err == nil {
		w.err = w.finish()
	}
	if w.err != nil {
		if w.swapped {
			// The new dataset is in place; only tidying failed.
			w.unlock()
			return w.err
		}
		w.Abort()
		return w.err
	}
	return w.unlock()
}

// unlock releases the writer's locks (removing their files).
func (w *Writer) unlock() error {
	var errs []error
	for i := len(w.locks) - 1; i >= 0; i-- {
		if err := w.locks[i].Unlock(); err != nil {
			errs = append(errs, err)
		}
	}
	w.locks = nil
	return errors.Join(errs...)
}

func (w *Writer) finish() error {
	w.done = true
	m := Manifest{
		SchemaVersion: SchemaVersion,
		Version:       w.meta.Version,
		Commit:        w.meta.Commit,
		ScenarioName:  w.meta.ScenarioName,
		Seed:          w.meta.Seed,
		Replicates:    Replicates{First: w.meta.First, Count: w.meta.Count, Written: w.written},
		Drugs:         w.meta.Drugs,
		Format:        w.cfg.format,
		Compression:   w.cfg.codec,
		Start:         w.start.UTC(),
		Host:          hostname(),
		Workers:       w.meta.Workers,
		Extra:         w.meta.Extra,
	}
	var err error
	if m.Scenario, err = scenarioJSON(w.meta.Scenario); err != nil {
		return fmt.Errorf("dataset: scenario: %w", err)
	}
	for _, t := range w.tables {
		if err := t.close(); err != nil {
			return err
		}
	}
	for _, t := range w.tables {
		if err := os.Rename(filepath.Join(w.dir, tmpName(t.file)), filepath.Join(w.dir, t.file)); err != nil {
			return fmt.Errorf("dataset: %w", err)
		}
		m.Files = append(m.Files, FileInfo{
			Table:  t.name,
			Path:   t.file,
			SHA256: hex.EncodeToString(t.h.Sum(nil)),
			Bytes:  t.n,
			Rows:   t.rows,
		})
	}
	if err := syncDir(w.dir); err != nil {
		return err
	}
	m.End = w.cfg.now().UTC()
	b, err := json.MarshalIndent(&m, "", "  ")
	if err != nil {
		return fmt.Errorf("dataset: manifest: %w", err)
	}
	b = append(b, '\n')
	tmp := filepath.Join(w.dir, tmpName(ManifestName))
	if err := writeSync(tmp, b); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(w.dir, ManifestName)); err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	if err := syncDir(w.dir); err != nil {
		return err
	}
	if w.dir == w.final {
		return nil
	}
	// --force: the new dataset is complete; put it in the old one's place.
	if err := exchange(w.dir, w.final); err != nil {
		return fmt.Errorf("dataset: replacing %s: %w (the old dataset is untouched)", w.final, err)
	}
	w.swapped = true
	w.locks[0].Moved(filepath.Join(w.dir, LockName))
	w.locks[1].Moved(filepath.Join(w.final, LockName))
	if err := syncDir(filepath.Dir(w.dir)); err != nil {
		return err
	}
	// The old dataset is now at the staging path.
	if err := os.RemoveAll(w.dir); err != nil {
		return fmt.Errorf("dataset: the new dataset is in %s; removing the old one from %s: %w", w.final, w.dir, err)
	}
	return nil
}

// close flushes the table and closes its file (still under its temporary
// name). It releases the builder whatever happens.
func (t *tableWriter) close() error {
	defer t.release()
	if err := t.flush(); err != nil {
		return err
	}
	if err := t.enc.Close(); err != nil {
		return fmt.Errorf("dataset: %s: %w", t.file, err)
	}
	t.enc = nil
	if err := t.buf.Flush(); err != nil {
		return fmt.Errorf("dataset: %s: %w", t.file, err)
	}
	if err := t.f.Sync(); err != nil {
		return fmt.Errorf("dataset: %s: %w", t.file, err)
	}
	err := t.f.Close()
	t.f = nil
	if err != nil {
		return fmt.Errorf("dataset: %s: %w", t.file, err)
	}
	return nil
}

func (t *tableWriter) release() {
	if t.b != nil {
		t.b.Release()
		t.b = nil
	}
}

// Abort discards the dataset: it removes the temporary files and releases
// all memory. Files already moved to their final names by a failed Close
// are removed too, so nothing that looks complete is left. Abort after a
// successful Close does nothing.
func (w *Writer) Abort() (err error) {
	defer errprefix.Wrap(&err, "dataset")
	if w.done && w.err == nil || w.swapped {
		return nil
	}
	w.done = true
	var errs []error
	defer func() { w.unlock() }()
	if w.dir != w.final {
		// A staged replacement: the old dataset was never touched.
		for _, t := range w.tables {
			if t != nil {
				t.release()
				t.enc = nil
				if t.f != nil {
					t.f.Close()
					t.f = nil
				}
			}
		}
		w.unlock()
		if w.err == nil {
			w.err = errors.New("dataset: aborted")
		}
		return os.RemoveAll(w.dir)
	}
	if w.err != nil {
		// A Close that failed may have got as far as the manifest: it goes
		// first. (Create removed or refused any manifest before ours.)
		if err := os.Remove(filepath.Join(w.dir, ManifestName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	for _, t := range w.tables {
		if t == nil {
			continue
		}
		t.release()
		t.enc = nil // not closed: that would write a footer we do not want
		if t.f != nil {
			t.f.Close()
			t.f = nil
		}
		for _, name := range []string{tmpName(t.file), t.file} {
			if name == t.file && w.err == nil {
				continue // never renamed: Abort before Close
			}
			if err := os.Remove(filepath.Join(w.dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	if err := os.Remove(filepath.Join(w.dir, tmpName(ManifestName))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, err)
	}
	if w.err == nil {
		w.err = errors.New("dataset: aborted")
	}
	return errors.Join(errs...)
}

func writeSync(path string, b []byte) error {
	if err := atomicfile.WriteFile(path, b); err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	if err := atomicfile.SyncDir(dir); err != nil {
		return fmt.Errorf("dataset: sync %s: %w", dir, err)
	}
	return nil
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return ""
	}
	return h
}
