package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/p53evo/p53evo/dataset"
	"github.com/p53evo/p53evo/internal/atomicfile"
	"github.com/p53evo/p53evo/internal/errprefix"
	"github.com/p53evo/p53evo/internal/lockfile"
	"github.com/p53evo/p53evo/scenarios"
	"github.com/p53evo/p53evo/sim"
)

// ErrStopped is returned (wrapped) by Run when its context was cancelled:
// the units in flight were abandoned, every finished unit is in place, and
// running the shard again resumes it.
var ErrStopped = errors.New("stopped")

// unitBatchRows is the record batch size of unit datasets (units are small;
// the dataset default of 64k rows would reserve tens of MB per unit).
const unitBatchRows = 4096

// Options say which shard to run and how.
type Options struct {
	Shard, Shards int // run shard Shard of Shards (0 of 1, or 0 of 0: every unit)
	// Workers is the number of units simulated at once, one goroutine each
	// (default GOMAXPROCS).
	Workers int
	// Progress, if set, is called with the replicates of the shard done so
	// far (those of units already complete included) and the shard's total.
	Progress func(done, total int)
	// Version and Commit of p53evo, and Extra facts (SLURM job ids), go into
	// the manifests.
	Version, Commit string
	Extra           map[string]string
}

// Report says what Run did.
type Report struct {
	Shard, Shards int
	Units         int // units of the shard
	Skipped       int // complete before this run
	Ran           int // completed by this run
	Done          int // complete now, counted on disk at the end
	Replicates    int // simulated by this run
	// Quarantined lists the broken units this run set aside (under
	// QuarantineDir) and redid, with the reason.
	Quarantined []string
	Busy        int // units another process was writing, left to it
	Elapsed     time.Duration
}

// UnitRecord is a complete unit in a shard manifest.
type UnitRecord struct {
	Unit   int               `json:"unit"`
	Point  string            `json:"point"`
	First  int               `json:"first"`
	Count  int               `json:"count"`
	SHA256 map[string]string `json:"sha256"` // table -> SHA-256 of its file
}

// ShardManifest is shards/shard-<i>-of-<n>.json, rewritten when a run of
// the shard starts and when it ends.
type ShardManifest struct {
	Sweep    string            `json:"sweep"`
	Shard    int               `json:"shard"`
	Shards   int               `json:"shards"`
	State    string            `json:"state"` // running, complete, stopped or failed
	Error    string            `json:"error,omitempty"`
	Units    int               `json:"units"`
	Done     int               `json:"done"`
	Ran      int               `json:"ran"` // units completed by the last run
	Version  string            `json:"version"`
	Commit   string            `json:"commit"`
	Host     string            `json:"host"`
	Workers  int               `json:"workers"`
	Extra    map[string]string `json:"extra,omitempty"`
	Start    time.Time         `json:"start"`
	End      time.Time         `json:"end,omitzero"`
	Complete []UnitRecord      `json:"complete"` // the shard's complete units (those of merged points are not listed)
}

// Run runs shard opt.Shard of opt.Shards of the plan into dir, skipping
// units that are already complete. Each unit is written as a dataset to a
// hidden temporary directory and renamed into place when complete, so a
// killed run leaves only temporary directories, which the next run of the
// unit removes. When ctx is cancelled, Run abandons the units in flight and
// returns an error wrapping ErrStopped with the report.
func Run(ctx context.Context, p *Plan, dir string, opt Options) (_ Report, err error) {
	defer errprefix.Wrap(&err, "sweep")
	start := time.Now()
	if opt.Shards == 0 {
		opt.Shards = 1
	}
	rep := Report{Shard: opt.Shard, Shards: opt.Shards}
	if opt.Shards < 1 || opt.Shard < 0 || opt.Shard >= opt.Shards {
		return rep, fmt.Errorf("shard %d of %d: want 0 <= shard < shards", opt.Shard, opt.Shards)
	}
	w := opt.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	if err := p.Prepare(dir); err != nil {
		return rep, err
	}
	dlk, err := lockSweepDir(dir)
	if err != nil {
		return rep, err
	}
	defer dlk.Unlock()
	r := &shardRun{p: p, dir: dir, opt: opt, pf: p.file(), rep: rep, left: map[int]int{}, cache: map[int]*pointEntry{}}
	if r.recorded, err = recordedHashes(dir); err != nil {
		return r.rep, err
	}
	r.units = p.Shard(opt.Shard, opt.Shards)
	r.rep.Units = len(r.units)
	r.survey(ctx)
	host, _ := os.Hostname()
	sm := ShardManifest{
		Sweep: p.Name, Shard: opt.Shard, Shards: opt.Shards, State: "running", Units: len(r.units), Done: r.rep.Skipped,
		Version: opt.Version, Commit: opt.Commit, Host: host, Workers: w, Extra: opt.Extra, Start: start.UTC(), Complete: []UnitRecord{},
	}
	if err := writeShardManifest(dir, &sm); err != nil {
		return r.rep, err
	}
	if opt.Progress != nil {
		opt.Progress(r.doneReps, r.total)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	firstErr := r.work(ctx, cancel, w)
	err = r.finish(ctx, &sm, start, firstErr)
	return r.rep, err
}

// shardRun is one call of Run: the shard's units and what became of them.
type shardRun struct {
	p        *Plan
	dir      string
	opt      Options
	pf       planFile
	recorded map[string]map[string]string
	units    []Unit      // of the shard
	pending  []Unit      // to run
	total    int         // replicates of the shard
	left     map[int]int // point -> pending units

	mu       sync.Mutex // guards the fields below while workers run
	rep      Report
	doneReps int
	cache    map[int]*pointEntry
}

// pointEntry is a point's configuration, built once per point and dropped
// when the shard has no unit of it left.
type pointEntry struct {
	once sync.Once
	cfg  sim.Config
	yaml []byte
	s    *scenarios.Scenario
	err  error
}

// survey sorts the shard's units into complete ones (verified, SHA-256 of
// every table, before they are skipped) and pending ones; broken units are
// pending, set aside and redone by work.
func (r *shardRun) survey(ctx context.Context) {
	for _, u := range r.units {
		r.total += u.Count
		if st, _ := inspectUnit(ctx, r.dir, r.pf.Points[u.Point], u, r.recorded, true); st == stateComplete {
			r.rep.Skipped++
			r.doneReps += u.Count
			continue
		}
		if ctx.Err() != nil {
			break
		}
		r.pending = append(r.pending, u)
		r.left[u.Point]++
	}
}

// get returns point pt's configuration, building it on first use.
func (r *shardRun) get(pt int) *pointEntry {
	r.mu.Lock()
	e := r.cache[pt]
	if e == nil {
		e = &pointEntry{}
		r.cache[pt] = e
	}
	r.mu.Unlock()
	e.once.Do(func() {
		e.cfg, e.s, e.err = r.p.Config(pt)
		if e.err == nil {
			e.yaml, e.err = scenarios.Marshal(e.s)
		}
	})
	return e
}

// release counts a unit of point pt done (or given up), dropping the
// point's configuration after its last one.
func (r *shardRun) release(pt int) {
	r.mu.Lock()
	if r.left[pt]--; r.left[pt] == 0 {
		delete(r.cache, pt)
	}
	r.mu.Unlock()
}

// work runs the pending units on w workers and returns the first error;
// it cancels ctx on that error.
func (r *shardRun) work(ctx context.Context, cancel context.CancelFunc, w int) error {
	jobs := make(chan Unit)
	var (
		wg       sync.WaitGroup
		firstErr error
		errOnce  sync.Once
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	for range min(w, max(len(r.pending), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range jobs {
				r.runOne(ctx, u, fail)
			}
		}()
	}
feed:
	for _, u := range r.pending {
		select {
		case jobs <- u:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return firstErr
}

// runOne claims and runs unit u, counting the outcome in the report.
func (r *shardRun) runOne(ctx context.Context, u Unit, fail func(error)) {
	e := r.get(u.Point)
	if e.err != nil {
		fail(e.err)
		r.release(u.Point)
		return
	}
	ran, err := claimAndRun(ctx, r.p, r.dir, u, r.recorded, func() error {
		return runUnit(ctx, r.p, r.dir, u, e.cfg, e.yaml, e.s.Name, r.opt)
	}, func(q string) {
		r.mu.Lock()
		r.rep.Quarantined = append(r.rep.Quarantined, q)
		r.mu.Unlock()
	})
	r.release(u.Point)
	if errors.Is(err, lockfile.ErrBusy) {
		r.mu.Lock()
		r.rep.Busy++
		r.mu.Unlock()
		return
	}
	if err == nil && !ran {
		return // another process completed it meanwhile
	}
	if err != nil {
		if ctx.Err() == nil {
			fail(err)
		}
		return
	}
	r.mu.Lock()
	r.rep.Ran++
	r.rep.Replicates += u.Count
	r.doneReps += u.Count
	if r.opt.Progress != nil {
		r.opt.Progress(r.doneReps, r.total)
	}
	r.mu.Unlock()
}

// finish counts the complete units and writes the shard manifest's final
// state; it returns the run's error.
func (r *shardRun) finish(ctx context.Context, sm *ShardManifest, start time.Time, firstErr error) error {
	// What is on disk now, not what this run believes it did: another
	// process may have completed, or removed, units meanwhile.
	rep := &r.rep
	rep.Done = 0
	for _, u := range r.units {
		if unitComplete(r.dir, r.pf.Points[u.Point].ID, u) {
			rep.Done++
		}
	}
	rep.Elapsed = time.Since(start)
	sm.Done, sm.Ran, sm.End = rep.Done, rep.Ran, time.Now().UTC()
	var err error
	switch {
	case firstErr != nil:
		sm.State, sm.Error = "failed", firstErr.Error()
		err = firstErr
	case rep.Done < rep.Units && rep.Busy > 0 && ctx.Err() == nil:
		sm.State = "stopped"
		sm.Error = fmt.Sprintf("%d units were being written by another process", rep.Busy)
		err = fmt.Errorf("%w: %d units were being written by another process (%d of %d units of this shard are complete); rerun when it has finished", ErrBusy, rep.Busy, rep.Done, rep.Units)
	case rep.Done < rep.Units:
		sm.State = "stopped"
		err = fmt.Errorf("%w: %d of %d units done in this shard", ErrStopped, rep.Done, rep.Units)
	default:
		sm.State = "complete"
	}
	sm.Complete = completeRecords(r.dir, r.p.file(), r.units)
	if werr := writeShardManifest(r.dir, sm); werr != nil && err == nil {
		err = werr
	}
	return err
}

// claimAndRun claims unit u (its lock), inspects it again under the claim,
// sets it aside if it is broken (telling quarantined where it went) and
// runs it if it is not complete. It reports whether it ran the unit; an
// error wraps lockfile.ErrBusy when another process holds the claim.
func claimAndRun(ctx context.Context, p *Plan, dir string, u Unit, recorded map[string]map[string]string, run func() error, quarantined func(string)) (bool, error) {
	pt := p.Points[u.Point]
	lk, err := claimUnit(dir, pt.ID, u)
	if err != nil {
		return false, err
	}
	defer lk.Unlock()
	st, why := inspectUnit(ctx, dir, planPoint{ID: pt.ID, Seed: pt.Seed}, u, recorded, true)
	switch {
	case ctx.Err() != nil:
		return false, ctx.Err()
	case st == stateComplete:
		return false, nil
	case st == stateBroken:
		q, err := quarantine(dir, pt.ID, u, why)
		if err != nil {
			return false, fmt.Errorf("point %s, replicates %d-%d: setting aside a broken unit (%s): %w", pt.ID, u.First, u.First+u.Count-1, why, err)
		}
		quarantined(fmt.Sprintf("point %s, replicates %d-%d (%s) -> %s", pt.ID, u.First, u.First+u.Count-1, why, q))
	}
	return true, run()
}

// runUnit simulates one unit into a temporary directory and renames it into
// place.
func runUnit(ctx context.Context, p *Plan, dir string, u Unit, cfg sim.Config, yaml []byte, name string, opt Options) error {
	pt := p.Points[u.Point]
	final, tmp := unitDir(dir, pt.ID, u), unitTmp(dir, pt.ID, u)
	if err := os.MkdirAll(PointDir(dir, pt.ID), 0o755); err != nil {
		return err
	}
	// Leftovers of a killed run of this unit.
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	format, codec := p.tables()
	extra := map[string]string{"sweep": p.Name, "point": pt.ID, "unit": strconv.Itoa(u.Index), "shard": fmt.Sprintf("%d/%d", opt.Shard, opt.Shards)}
	for k, v := range opt.Extra {
		extra[k] = v
	}
	meta := dataset.SimMeta(dataset.Meta{
		Version: opt.Version, Commit: opt.Commit, ScenarioName: name,
		Seed: pt.Seed, First: u.First, Count: u.Count, Workers: 1, Extra: extra,
	}, &cfg, yaml)
	err := dataset.Simulate(ctx, tmp, meta, &cfg, sim.RunOptions{First: u.First, Count: u.Count, Workers: 1},
		dataset.WithBatchRows(unitBatchRows), dataset.WithFormat(format), dataset.WithCompression(codec))
	if err != nil {
		os.RemoveAll(tmp)
		if errors.Is(err, dataset.ErrCreate) {
			return err
		}
		return fmt.Errorf("point %s, replicates %d-%d: %w", pt.ID, u.First, u.First+u.Count-1, err)
	}
	if err := os.Rename(tmp, final); err != nil {
		os.RemoveAll(tmp)
		if unitComplete(dir, pt.ID, u) {
			return nil // another process finished the same unit
		}
		return err
	}
	return atomicfile.SyncDir(PointDir(dir, pt.ID))
}

func writeShardManifest(dir string, m *ShardManifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(shardManifestPath(dir, m.Shard, m.Shards), append(b, '\n'))
}

// completeRecords lists the complete units among units, with their tables'
// hashes (from their manifests; for a merged point, from the merged
// manifest's unit list).
func completeRecords(dir string, f planFile, units []Unit) []UnitRecord {
	out := []UnitRecord{}
	for _, u := range units {
		id := f.Points[u.Point].ID
		m, err := readManifest(unitDir(dir, id, u))
		if err != nil {
			continue
		}
		r := UnitRecord{Unit: u.Index, Point: id, First: u.First, Count: u.Count, SHA256: map[string]string{}}
		for _, fi := range m.Files {
			r.SHA256[fi.Table] = fi.SHA256
		}
		out = append(out, r)
	}
	return out
}

func readManifest(dir string) (*dataset.Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, dataset.ManifestName))
	if err != nil {
		return nil, err
	}
	var m dataset.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, dataset.ManifestName), err)
	}
	return &m, nil
}

func readShardManifests(dir string) ([]ShardManifest, error) {
	ents, err := os.ReadDir(filepath.Join(dir, ShardsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []ShardManifest
	for _, e := range ents {
		var i, n int
		if _, err := fmt.Sscanf(e.Name(), "shard-%d-of-%d.json", &i, &n); err != nil || e.Name() != fmt.Sprintf("shard-%d-of-%d.json", i, n) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, ShardsDir, e.Name()))
		if err != nil {
			return nil, err
		}
		var m ShardManifest
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ShardsDir, e.Name()), err)
		}
		out = append(out, m)
	}
	return out, nil
}
